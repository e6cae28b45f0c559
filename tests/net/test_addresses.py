"""The address rule (SPEC §13, issue 8 item 5) and its use for endpoint overrides."""

from __future__ import annotations

import pytest

from oneinbox_check import endpoints
from oneinbox_check.errors import UsageError
from oneinbox_check.net.addresses import embedded_ipv4, is_loopback, parse, refusal


@pytest.mark.parametrize("address", [
    "169.254.169.254", "169.254.0.1", "fe80::1", "[fe80::1%eth0]", "fd00:ec2::254",
    "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "64:ff9b::169.254.169.254", "2002:a9fe:a9fe::1",
])
def test_item5_link_local_and_metadata_addresses_are_refused(address: str) -> None:
    assert refusal(address)


@pytest.mark.parametrize("address", ["192.0.2.1", "127.0.0.1", "::1", "2001:db8::1", "10.0.0.1", "fd00:ec2::253",
                                     "llm.example.com"])
def test_other_addresses_and_names_are_not_refused_here(address: str) -> None:
    assert refusal(address) is None


def test_embedded_ipv4_reads_the_mapped_forms() -> None:
    assert str(embedded_ipv4(parse("::ffff:10.1.2.3"))) == "10.1.2.3"
    assert embedded_ipv4(parse("2001:db8::1")) is None


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
                                                ("192.0.2.1", False), ("example.com", False)])
def test_loopback_includes_the_ipv4_mapped_form(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("url", ["https://169.254.169.254/", "https://[::ffff:169.254.169.254]/",
                                 "https://[fd00:ec2::254]/"])
def test_item5_an_endpoint_at_a_metadata_address_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError, match="never contacts"):
        endpoints.validate_url("openai", url)


def test_item1_an_endpoint_with_credentials_is_refused_without_echoing_them() -> None:
    with pytest.raises(UsageError) as info:
        endpoints.validate_url("openai", "https://user:s3cr3t-pass@api.example.com")
    assert "s3cr3t" not in str(info.value)


def test_item1_http_endpoints_stay_loopback_only() -> None:
    assert endpoints.validate_url("x", "http://[::ffff:127.0.0.1]:9/") == "http://[::ffff:127.0.0.1]:9"
    with pytest.raises(UsageError, match="loopback"):
        endpoints.validate_url("x", "http://api.example.com")


def test_an_endpoint_with_a_bad_port_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        endpoints.validate_url("x", "https://api.example.com:99999")

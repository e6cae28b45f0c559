"""dns.dkim, dns.dmarc, dns.mx and email.from_address: every verdict path."""

from __future__ import annotations

import base64

import pytest

from oneinbox_check.checks.dkim import check_dkim
from oneinbox_check.checks.layout import DkimExpectation
from oneinbox_check.checks.dmarc import check_dmarc, organisational_domain
from oneinbox_check.checks.email import check_from_address
from oneinbox_check.checks.mx import check_mx
from oneinbox_check.sandbox.zones import KEY_1024, KEY_2048
from tests.helpers import short_timeout

pytestmark = pytest.mark.anyio


def sel(domain: str, value: str | None = None, type_: str = "TXT") -> list[DkimExpectation]:
    return [DkimExpectation(f"resend._domainkey.{domain}", type_, value)]


@pytest.mark.parametrize(("domain", "status", "fragment"), [
    ("good.example", "pass", "2048-bit"),
    ("nodkim.example", "fail", "no DKIM record"),
    ("revoked.example", "fail", "revoked"),
    ("weak.example", "fail", "512-bit"),
    ("slowdns.example", "pass", "2048-bit"),  # only send.slowdns.example is slow
])
async def test_dkim_zones(zresolver, domain: str, status: str, fragment: str) -> None:
    r = await check_dkim(zresolver, sel(domain))
    assert r.status.value == status and fragment in r.summary, r


async def test_dkim_value_mismatch_names_both_values(zresolver) -> None:
    r = await check_dkim(zresolver, sel("wrongdkim.example", f"p={KEY_2048}"))
    assert r.status.value == "fail" and "differs" in r.summary
    assert r.details["selectors"][0]["expected"].startswith(KEY_2048[:12])


async def test_dkim_expected_value_matches(zresolver) -> None:
    assert (await check_dkim(zresolver, sel("good.example", f'"p={KEY_2048}"'))).status.value == "pass"


async def test_dkim_cname_is_followed_and_compared(zresolver) -> None:
    ok = await check_dkim(zresolver, [DkimExpectation("s1._domainkey.sg-good.example", "CNAME",
                                                      "s1.domainkey.u1234.wl.sendgrid.net")])
    assert ok.status.value == "pass" and ok.details["selectors"][0]["key_bits"] == 2048
    bad = await check_dkim(zresolver, [DkimExpectation("s1._domainkey.sg-good.example", "CNAME", "elsewhere.example")])
    assert bad.status.value == "fail" and "points to" in bad.summary


async def test_dkim_timeout_is_error(zresolver, zones_server) -> None:
    zones_server.zone.faults["resend._domainkey.t.example"] = "timeout"
    assert (await check_dkim(short_timeout(zresolver), sel("t.example"))).status.value == "error"


@pytest.mark.parametrize(("record", "fragment"), [
    ("v=DKIM1; k=rsa; p=@@@", "base64"), ("v=DKIM2; p=" + KEY_1024, "DKIM1"), ("v=DKIM1 p=abc", "must be DKIM1"), ("v=DKIM1; junk; p=abc", "malformed"),
])
async def test_dkim_malformed(zresolver, zones_server, record: str, fragment: str) -> None:
    zones_server.zone.set("resend._domainkey.m.example", "TXT", [record])
    r = await check_dkim(zresolver, sel("m.example"))
    assert r.status.value == "fail" and fragment in r.summary, r


async def test_dkim_ed25519_key(zresolver, zones_server) -> None:
    zones_server.zone.set("resend._domainkey.ed.example", "TXT",
                          ["v=DKIM1; k=ed25519; p=" + base64.b64encode(b"k" * 32).decode()])
    assert (await check_dkim(zresolver, sel("ed.example"))).status.value == "pass"


@pytest.mark.parametrize(("domain", "status", "fragment"), [
    ("good.example", "pass", "p=none"),
    ("nodmarc.example", "warn", "no DMARC"),
    ("twodmarc.example", "fail", "2 DMARC records"),
    ("sg-good.example", "pass", "p=quarantine"),
])
async def test_dmarc_zones(zresolver, domain: str, status: str, fragment: str) -> None:
    r = await check_dmarc(zresolver, domain)
    assert r.status.value == status and fragment in r.summary, r
    if status == "warn":
        assert f"_dmarc.{domain}" in r.remediation


@pytest.mark.parametrize(("record", "fragment"), [
    ("v=DMARC1; p=block", "p=block"), ("v=DMARC1; rua=mailto:x@y", "no p= tag"), ("v=DMARC1; p=none; junk", "'junk'"),
    ("v=DMARC1; p=none; sp=maybe", "sp=maybe"),
])
async def test_dmarc_malformed_fails(zresolver, zones_server, record: str, fragment: str) -> None:
    zones_server.zone.set("_dmarc.bad.example", "TXT", [record])
    r = await check_dmarc(zresolver, "bad.example")
    assert r.status.value == "fail" and fragment in r.summary, r


async def test_dmarc_falls_back_to_the_organisational_domain(zresolver) -> None:
    r = await check_dmarc(zresolver, "mail.sg-good.example")
    assert r.status.value == "pass" and r.details["inherited"] and "_dmarc.sg-good.example" in r.summary


async def test_dmarc_servfail_is_error(zresolver, zones_server) -> None:
    zones_server.zone.faults["_dmarc.sf.example"] = "servfail"
    assert (await check_dmarc(zresolver, "sf.example")).status.value == "error"


def test_organisational_domain_uses_the_public_suffix_list() -> None:
    assert organisational_domain("mail.example.co.uk") == "example.co.uk"
    assert organisational_domain("a.b.good.example") == "good.example"


@pytest.mark.parametrize(("name", "exchange", "priority", "status"), [
    ("send.good.example", "feedback-smtp.us-east-1.amazonses.com", 10, "pass"),
    ("send.good.example", "feedback-smtp.us-east-1.amazonses.com", 20, "warn"),
    ("send.good.example", "feedback-smtp.eu-west-1.amazonses.com", 10, "fail"),
    ("send.pending.example", "feedback-smtp.us-east-1.amazonses.com", 10, "fail"),
    ("send.slowdns.example", "feedback-smtp.us-east-1.amazonses.com", 10, "error"),
    ("em1234.sg-good.example", "mx.sendgrid.net", None, "pass"),  # through the CNAME
])
async def test_mx(zresolver, name: str, exchange: str, priority: int | None, status: str) -> None:
    r = await check_mx(short_timeout(zresolver) if "slowdns" in name else zresolver, name, exchange, priority)
    assert r.status.value == status, r
    if status == "fail":
        assert f"Add an MX record at {name}" in r.remediation


@pytest.mark.parametrize(("address", "status", "domain"), [
    ("hello@good.example", "pass", "good.example"), ("Hello@Mail.Good.Example", "pass", "mail.good.example"),
    ("not-an-address", "fail", None), ("a@b", "fail", None), (" hello@good.example ", "warn", "good.example"),
])
def test_from_address(address: str, status: str, domain: str | None) -> None:
    result, got = check_from_address(address)
    assert result.status.value == status and got == domain

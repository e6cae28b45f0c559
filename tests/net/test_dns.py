"""DNS outcome classes against the loopback responder: a missing record is a
fact, a timeout/SERVFAIL/REFUSED is not."""

from __future__ import annotations

import pytest

from oneinbox_check.errors import UsageError
from oneinbox_check.net.dns import Resolver, parse_nameserver

pytestmark = pytest.mark.anyio


@pytest.fixture
def resolver(dns_server) -> Resolver:
    dns_server.zone.load({
        "example.com": {"TXT": ["v=spf1 include:amazonses.com ~all"], "MX": ["10 feedback-smtp.us-east-1.amazonses.com"]},
        "alias.example.com": {"CNAME": ["target.example.com"]},
        "target.example.com": {"TXT": ["p=abc"]},
        "dangling.example.com": {"CNAME": ["nowhere.example.org"]},
        "big.example.com": {"TXT": ["v=spf1 " + " ".join(f"ip4:10.0.{i}.0/24" for i in range(120)) + " ~all"]},
    })
    dns_server.zone.faults.update({"slow.example.com": "timeout", "broken.example.com": "servfail",
                                   "closed.example.com": "refused"})
    return Resolver([("127.0.0.1", dns_server.port)], timeout=0.5, tries=1)


async def test_answer(resolver: Resolver) -> None:
    result = await resolver.query("example.com", "TXT")
    assert result.found and result.records == ("v=spf1 include:amazonses.com ~all",)


async def test_mx_records_are_preference_and_host(resolver: Resolver) -> None:
    result = await resolver.query("example.com", "MX")
    assert result.records == ("10 feedback-smtp.us-east-1.amazonses.com",)


async def test_nodata(resolver: Resolver) -> None:
    result = await resolver.query("example.com", "CAA")
    assert result.outcome == "nodata" and result.missing and not result.failed


async def test_nxdomain(resolver: Resolver) -> None:
    result = await resolver.query("nope.example.com", "TXT")
    assert result.outcome == "nxdomain" and result.missing


@pytest.mark.parametrize(("name", "outcome"), [
    ("slow.example.com", "timeout"), ("broken.example.com", "servfail"), ("closed.example.com", "refused"),
])
async def test_failures_are_not_missing_records(resolver: Resolver, name: str, outcome: str) -> None:
    result = await resolver.query(name, "TXT")
    assert result.outcome == outcome
    assert result.failed and not result.missing


async def test_cname_is_followed(resolver: Resolver) -> None:
    result = await resolver.query("alias.example.com", "TXT")
    assert result.records == ("p=abc",) and result.chain == ("target.example.com",)


async def test_dangling_cname_is_nxdomain(resolver: Resolver) -> None:
    result = await resolver.query("dangling.example.com", "TXT")
    assert result.missing and result.chain == ("nowhere.example.org",)


async def test_truncated_udp_answer_is_retried_over_tcp(resolver: Resolver) -> None:
    result = await resolver.query("big.example.com", "TXT")
    assert result.found and len(result.records[0]) > 512


async def test_same_question_is_asked_once(resolver: Resolver, dns_server) -> None:
    for _ in range(3):
        await resolver.query("Example.com.", "TXT")
    assert dns_server.zone.queries.count(("example.com", "TXT")) == 1


async def test_no_nameserver_is_an_error() -> None:
    resolver = Resolver(None)
    resolver.nameservers = []
    result = await resolver.query("example.com", "TXT")
    assert result.failed


@pytest.mark.parametrize(("spec", "expected"), [
    ("127.0.0.1", ("127.0.0.1", 53)), ("127.0.0.1:5353", ("127.0.0.1", 5353)),
    ("::1", ("::1", 53)), ("[::1]:5353", ("::1", 5353)),
])
def test_parse_nameserver(spec: str, expected: tuple) -> None:
    assert parse_nameserver(spec) == expected


@pytest.mark.parametrize("spec", ["dns.google", "127.0.0.1:0", "127.0.0.1:x", "[::1]5353"])
def test_bad_nameserver_is_a_usage_error(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_nameserver(spec)

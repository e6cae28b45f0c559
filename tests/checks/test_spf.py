"""dns.spf against the loopback responder: every verdict path."""

from __future__ import annotations

import pytest

from oneinbox_check.checks.spf import check_spf, parse_terms, SpfPermError
from tests.helpers import short_timeout

pytestmark = pytest.mark.anyio


async def _spf(zresolver, name: str, include: str | None = "amazonses.com"):
    return await check_spf(zresolver, name, require_include=include)


async def test_valid_record_authorising_the_provider_passes(zresolver) -> None:
    r = await _spf(zresolver, "send.good.example")
    assert r.status.value == "pass" and r.details["lookups"] == 1 and r.details["void_lookups"] == 0
    assert r.details["tree"]["includes"][0]["domain"] == "amazonses.com"


async def test_missing_record_fails_with_the_record_to_add(zresolver) -> None:
    r = await _spf(zresolver, "send.nospf.example")
    assert r.status.value == "fail" and "no SPF record" in r.summary
    assert 'send.nospf.example: "v=spf1 include:amazonses.com ~all"' in r.remediation


async def test_two_records_fail(zresolver) -> None:
    r = await _spf(zresolver, "send.twospf.example")
    assert r.status.value == "fail" and "2 SPF records" in r.summary


async def test_over_ten_lookups_through_nested_includes_fails_at_the_eleventh(zresolver) -> None:
    r = await _spf(zresolver, "send.deep.example")
    assert r.status.value == "fail" and r.details["lookups"] == 11 and "more than 10 DNS lookups" in r.summary
    assert "include:a2-" in r.summary  # names the term that crossed the limit


async def test_void_lookup_storm_fails(zresolver) -> None:
    r = await _spf(zresolver, "send.void.example")
    assert r.status.value == "fail" and r.details["void_lookups"] == 3


async def test_plus_all_fails(zresolver) -> None:
    assert (await _spf(zresolver, "send.plusall.example")).status.value == "fail"


async def test_provider_not_authorised_fails(zresolver) -> None:
    r = await _spf(zresolver, "send.noses.example")
    assert r.status.value == "fail" and "does not authorise amazonses.com" in r.summary


async def test_authorisation_through_a_nested_include_counts(zresolver, zones_server) -> None:
    zones_server.zone.set("send.nested.example", "TXT", ["v=spf1 include:_spf.nested.example -all"])
    zones_server.zone.set("_spf.nested.example", "TXT", ["v=spf1 include:amazonses.com ~all"])
    r = await _spf(zresolver, "send.nested.example")
    assert r.status.value == "pass" and r.details["lookups"] == 2


@pytest.mark.parametrize(("record", "status", "fragment"), [
    ("v=spf1 include:amazonses.com", "warn", "no 'all'"),
    ("v=spf1 include:amazonses.com ?all", "warn", "?all"),
    ("v=spf1 include:amazonses.com -all", "pass", "valid"),
    ("v=spf1 include:amazonses.com bogus:x ~all", "fail", "unknown mechanism"),
    ("v=spf1 include:loop.example ~all", "fail", "loop"),
    ("v=spf1 include:nosuch.example ~all", "fail", "has no SPF record"),
    ("v=spf1 redirect=amazonses.com", "pass", "valid"),
    ("v=spf1 redirect=a.example redirect=b.example", "fail", "redirect= appears more than once"),
])
async def test_record_shapes(zresolver, zones_server, record: str, status: str, fragment: str) -> None:
    zones_server.zone.set("send.shape.example", "TXT", [record])
    zones_server.zone.set("loop.example", "TXT", ["v=spf1 include:send.shape.example ~all"])
    r = await _spf(zresolver, "send.shape.example")
    assert r.status.value == status and fragment in r.summary, r


@pytest.mark.parametrize("name", ["send.slowdns.example", "send.brokendns.example"])
async def test_timeout_and_servfail_are_errors_not_missing(zresolver, name: str) -> None:
    r = await _spf(short_timeout(zresolver), name)
    assert r.status.value == "error"


async def test_failure_inside_an_include_is_an_error(zresolver, zones_server) -> None:
    zones_server.zone.set("send.inner.example", "TXT", ["v=spf1 include:broken.inner.example ~all"])
    zones_server.zone.faults["broken.inner.example"] = "servfail"
    assert (await _spf(zresolver, "send.inner.example")).status.value == "error"


def test_parse_terms_rejects_bad_syntax() -> None:
    assert parse_terms("v=spf1 ip4:192.0.2.0/24 -all", "x") == [("+", "ip4", "192.0.2.0/24"), ("-", "all", None)]
    with pytest.raises(SpfPermError):
        parse_terms("v=spf1 include", "x")


async def test_item10_spf_cidr_only_a_and_mx_mean_the_current_domain(zresolver, zones_server) -> None:
    zones_server.zone.set("send.cidr.example", "TXT", ["v=spf1 a/24 mx/24 a//64 include:amazonses.com -all"])
    zones_server.zone.set("send.cidr.example", "A", ["192.0.2.7"])
    zones_server.zone.set("send.cidr.example", "MX", ["10 mx.cidr.example"])
    r = await _spf(zresolver, "send.cidr.example")
    assert r.status.value == "pass" and r.details["void_lookups"] == 0, r
    assert all(name for name, _ in zones_server.zone.queries), "an empty name was looked up"
    assert ("send.cidr.example", "A") in zones_server.zone.queries


async def test_item10_spf_modifier_names_with_dash_underscore_dot_are_valid_and_ignored(zresolver, zones_server) -> None:
    zones_server.zone.set("send.mods.example", "TXT", ["v=spf1 include:amazonses.com my-mod=1 x_y=2 a.b=3 -all"])
    r = await _spf(zresolver, "send.mods.example")
    assert r.status.value == "pass" and r.details["valid"] is True, r


async def test_repeated_unknown_modifier_passes_with_a_warning(zresolver, zones_server) -> None:
    zones_server.zone.set("send.rep.example", "TXT", ["v=spf1 include:amazonses.com foo=1 foo=2 -all"])
    r = await _spf(zresolver, "send.rep.example")
    assert r.status.value == "pass" and any("foo=" in w for w in r.details["warnings"])


async def test_each_name_is_asked_once_even_when_included_twice(zresolver, zones_server) -> None:
    zones_server.zone.set("send.twice.example", "TXT", ["v=spf1 include:amazonses.com include:amazonses.com -all"])
    r = await _spf(zresolver, "send.twice.example")
    assert r.details["lookups"] == 2  # receivers count both (RFC 7208 §4.6.4) ...
    assert zones_server.zone.queries.count(("amazonses.com", "TXT")) == 1  # ... but we ask once


async def test_syntax_error_in_an_included_record_names_the_term_and_the_record(zresolver, zones_server) -> None:
    zones_server.zone.set("send.inc.example", "TXT", ["v=spf1 include:_spf.inc.example -all"])
    zones_server.zone.set("_spf.inc.example", "TXT", ["v=spf1 ip4:192.0.2.0/33 -all"])
    r = await _spf(zresolver, "send.inc.example")
    assert r.status.value == "fail" and '"ip4:192.0.2.0/33"' in r.summary and "_spf.inc.example" in r.summary
    assert "If you do not control _spf.inc.example" in r.remediation


async def test_tree_in_details_is_bounded(zresolver, zones_server) -> None:
    zones_server.zone.set("send.big.example", "TXT", ["v=spf1 include:amazonses.com " + "ip4:192.0.2.1 " * 300
                                                      + "-all"])
    r = await _spf(zresolver, "send.big.example")
    assert len(r.details["tree"]["record"]) < 600


BROKEN_ON_PURPOSE = {"send.twospf.example", "send.deep.example", "send.void.example", "send.plusall.example",
                     "send.noses.example"}


async def test_every_valid_sandbox_record_passes_or_warns(zresolver) -> None:
    from oneinbox_check.checks.spf import is_spf
    from oneinbox_check.sandbox import scenario

    names = [n for n, t in scenario.zone_records().items() if any(is_spf(v) for v in t.get("TXT", []))
             and n not in scenario.DNS_FAULTS and n not in BROKEN_ON_PURPOSE]
    assert len(names) > 20
    for name in names:
        r = await check_spf(zresolver, name)
        assert r.status.value in ("pass", "warn") and r.details["valid"], (name, r.summary)

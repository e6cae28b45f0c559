"""dns.spf, one row per RFC 7208 rule: the record, the expected verdict, the clause.

Each record is published at ``send.t.example`` on the loopback responder next
to a few helper names (``_spf.t.example`` has SPF, ``nospf.t.example`` has
none, ``t.example`` has A/AAAA/MX). A ``fail`` from a syntax error must name the
offending term and the broken ABNF rule in the summary.
"""

from __future__ import annotations

import pytest

from oneinbox_check.checks.spf import SpfSyntaxError, check_spf, is_spf, parse_record

pytestmark = pytest.mark.anyio

NAME = "send.t.example"
HELPERS = {
    "send.t.example": {"A": ["192.0.2.1"], "MX": ["10 mx.t.example"]},
    "_spf.t.example": {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
    "nospf.t.example": {"TXT": ["just some text"]},
    "loop.t.example": {"TXT": ["v=spf1 include:send.t.example -all"]},
    "t.example": {"A": ["192.0.2.2"], "AAAA": ["2001:db8::2"], "MX": ["10 mx.t.example"]},
    "mx.t.example": {"A": ["192.0.2.3"]},
    "manymx.t.example": {"MX": [f"{i} mx{i}.t.example" for i in range(11)]},
}

# (clause, record, verdict, fragments the summary must contain)
ROWS = [
    # §4.5 selecting records
    ("4.5 version only", "v=spf1", "warn", ["no 'all'"]),
    ("4.5 version is case-insensitive", "V=SPF1 -all", "pass", []),
    ("4.5 v=spf10 is not SPF", "v=spf10 -all", "fail", ["no SPF record"]),
    # §4.6.1 term syntax
    ("4.6.1 several and trailing spaces", "v=spf1  a   -all  ", "pass", []),
    ("4.6.1 non-ASCII in a term", "v=spf1 a:caf\u00e9.example -all", "fail", ['"a:caf\u00e9.example"', "terms"]),
    ("4.6.1 comma is no separator", "v=spf1 a,-all", "fail", ['"a,-all"']),
    ("4.6.2 two qualifiers", "v=spf1 --all", "fail", ['"--all"', "qualifier"]),
    # §4.6.4 limits
    ("4.6.4 three a/24 on a name with records are not void (issue 10 item 10)",
     "v=spf1 a/24 a/24 a/24 -all", "pass", []),
    ("4.6.4 include loop", "v=spf1 include:loop.t.example -all", "fail", ["loop"]),
    ("4.6.4 over 10 MX records", "v=spf1 mx:manymx.t.example -all", "fail", ["11 MX records", "mx:manymx.t.example"]),
    ("4.6.4 three void lookups", "v=spf1 a:g1.t.example a:g2.t.example a:g3.t.example -all", "fail",
     ["void lookups", "a:g3.t.example"]),
    # §5.1 all
    ("5.1 all takes no argument", "v=spf1 all:foo", "fail", ['"all:foo"', "all"]),
    ("5.1 terms after all are ignored", "v=spf1 -all a:g1.t.example a:g2.t.example a:g3.t.example", "pass", []),
    ("5.1 unknown mechanism", "v=spf1 allx", "fail", ['"allx"', "unknown mechanism"]),
    # §5.2 include
    ("5.2 include needs a domain", "v=spf1 include -all", "fail", ['"include"']),
    ("5.2 include with empty domain", "v=spf1 include: -all", "fail", ['"include:"', "empty domain"]),
    ("5.2 include target without SPF", "v=spf1 include:nospf.t.example -all", "fail",
     ["include:nospf.t.example", "no SPF record"]),
    ("5.2 include takes no CIDR", "v=spf1 include:_spf.t.example/24 -all", "fail", ['"include:_spf.t.example/24"']),
    ("5.2 include passes", "v=spf1 include:_spf.t.example -all", "pass", []),
    # §5.3 a (and the dual-cidr-length of §5.6)
    ("5.3 a/24 means the current domain (issue 10 item 10)", "v=spf1 a/24 -all", "pass", []),
    ("5.3 a//64 and a/24//64", "v=spf1 a//64 a/24//64 -all", "pass", []),
    ("5.3 a/33", "v=spf1 a/33 -all", "fail", ['"a/33"', "ip4-cidr-length"]),
    ("5.3 a//129", "v=spf1 a//129 -all", "fail", ['"a//129"', "ip6-cidr-length"]),
    ("5.3 a/024 leading zero", "v=spf1 a/024 -all", "fail", ['"a/024"', "leading zero"]),
    ("5.3 a/24/64 is no dual CIDR", "v=spf1 a/24/64 -all", "fail", ['"a/24/64"']),
    ("5.3 a: empty domain", "v=spf1 a: -all", "fail", ['"a:"', "empty domain"]),
    ("5.3 a:IP is not a domain", "v=spf1 a:192.0.2.1 -all", "fail", ['"a:192.0.2.1"', "IP address"]),
    ("5.3 a:domain/cidr", "v=spf1 a:t.example/24 -all", "pass", []),
    # §5.4 mx
    ("5.4 mx/24 means the current domain (issue 10 item 10)", "v=spf1 mx/24 -all", "pass", []),
    ("5.4 mx:domain//64", "v=spf1 mx:t.example//64 -all", "pass", []),
    ("5.4 mx/33", "v=spf1 mx/33 -all", "fail", ['"mx/33"']),
    # §5.5 ptr
    ("5.5 ptr is allowed (but discouraged)", "v=spf1 ptr -all", "pass", []),
    ("5.5 ptr/24", "v=spf1 ptr/24 -all", "fail", ['"ptr/24"', "no CIDR"]),
    # §5.6 ip4 / ip6
    ("5.6 ip4 network", "v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.1 -all", "pass", []),
    ("5.6 ip4 three numbers", "v=spf1 ip4:1.2.3 -all", "fail", ['"ip4:1.2.3"', "ip4-network"]),
    ("5.6 ip4 with a port", "v=spf1 ip4:1.2.3.4:8080 -all", "fail", ['"ip4:1.2.3.4:8080"']),
    ("5.6 ip4 leading zero", "v=spf1 ip4:01.2.3.4 -all", "fail", ['"ip4:01.2.3.4"', "qnum"]),
    ("5.6 ip4 over 255", "v=spf1 ip4:1.2.3.256 -all", "fail", ['"ip4:1.2.3.256"']),
    ("5.6 ip4/33", "v=spf1 ip4:1.2.3.4/33 -all", "fail", ['"ip4:1.2.3.4/33"', "ip4-cidr-length"]),
    ("5.6 ip4/032", "v=spf1 ip4:1.2.3.4/032 -all", "fail", ['"ip4:1.2.3.4/032"', "leading zero"]),
    ("5.6 ip4 dual CIDR", "v=spf1 ip4:192.0.2.0/24//64 -all", "fail", ['"ip4:192.0.2.0/24//64"']),
    ("5.6 bare ip4", "v=spf1 ip4 -all", "fail", ['"ip4"']),
    ("5.6 ip6 network", "v=spf1 ip6:2001:db8::/32 ip6:::ffff:192.0.2.1 -all", "pass", []),
    ("5.6 ip6/129", "v=spf1 ip6:2001:db8::/129 -all", "fail", ['"ip6:2001:db8::/129"', "ip6-cidr-length"]),
    ("5.6 ip6 zone id", "v=spf1 ip6:fe80::1%eth0 -all", "fail", ['"ip6:fe80::1%eth0"', "ip6-network"]),
    ("5.6 ip6 not an address", "v=spf1 ip6:2001:db8:::1:2:3:4:5 -all", "fail", ["ip6-network"]),
    # §5.7 exists
    ("5.7 exists needs a domain", "v=spf1 exists -all", "fail", ['"exists"']),
    ("5.7 exists takes no CIDR", "v=spf1 exists:%{i}.x.example/24 -all", "fail", ['"exists:%{i}.x.example/24"']),
    ("5.7 exists with macros", "v=spf1 exists:%{ir}.%{v}._spf.%{d} -all", "pass", []),
    # §6 modifiers
    ("6 modifier names with - _ . are valid and ignored (issue 10 item 10)",
     "v=spf1 foo-bar_baz.q=x my.mod=1 -all", "pass", []),
    ("6 empty unknown modifier", "v=spf1 moo= -all", "pass", []),
    ("6 modifier name must start with a letter", "v=spf1 1foo=bar -all", "fail", ['"1foo=bar"']),
    ("6 modifier with qualifier", "v=spf1 -redirect=_spf.t.example", "fail", ['"-redirect=_spf.t.example"']),
    ("6 unknown modifier macro syntax", "v=spf1 foo=%{z} -all", "fail", ['"foo=%{z}"', "macro-letter"]),
    ("6 two exp", "v=spf1 -all exp=a.t.example exp=b.t.example", "fail", ['"exp=b.t.example"', "more than once"]),
    # §6.1 redirect
    ("6.1 redirect", "v=spf1 redirect=_spf.t.example", "pass", []),
    ("6.1 redirect after mechanisms is legal", "v=spf1 ip4:192.0.2.9 redirect=_spf.t.example", "pass", []),
    ("6.1 redirect before mechanisms is legal", "v=spf1 redirect=_spf.t.example ip4:192.0.2.9", "pass", []),
    ("6.1 redirect ignored when all is present", "v=spf1 -all redirect=nospf.t.example", "pass", []),
    ("6.1 two redirects", "v=spf1 redirect=a.t.example redirect=b.t.example", "fail", ["more than once"]),
    ("6.1 empty redirect", "v=spf1 redirect=", "fail", ['"redirect="']),
    ("6.1 redirect target without SPF", "v=spf1 redirect=nospf.t.example", "fail", ["no SPF record"]),
    # §6.2 exp
    ("6.2 exp", "v=spf1 -all exp=explain.t.example", "pass", []),
    ("6.2 empty exp", "v=spf1 -all exp=", "fail", ['"exp="']),
    ("6.2 exp domain with c macro", "v=spf1 -all exp=%{c}.t.example", "fail", ['"exp=%{c}.t.example"']),
    ("6.2 exp syntax error", "v=spf1 -all exp=foo.%{x}", "fail", ['"exp=foo.%{x}"']),
    # §7.1 macros and domain-spec
    ("7.1 invalid macro letter", "v=spf1 a:%{x}.t.example -all", "fail", ['"a:%{x}.t.example"', "macro-letter"]),
    ("7.1 trailing %", "v=spf1 a:t.example% -all", "fail", ['"a:t.example%"', "macro-expand"]),
    ("7.1 %x is no macro", "v=spf1 a:%x.t.example -all", "fail", ['"a:%x.t.example"']),
    ("7.1 unclosed macro", "v=spf1 exists:%{d -all", "fail", ['"exists:%{d"']),
    ("7.1 bad transformer", "v=spf1 exists:%{dx} -all", "fail", ['"exists:%{dx}"', "delimiter"]),
    ("7.1 escapes", "v=spf1 exists:%%.%_.%-.t.example -all", "pass", []),
    ("7.1 transformers and delimiters", "v=spf1 exists:%{d2r+-}.%{L1R.}.t.example -all", "pass", []),
    ("7.3 zero label count", "v=spf1 exists:%{d0}.t.example -all", "fail", ['"exists:%{d0}.t.example"']),
    ("7.1 numeric toplabel", "v=spf1 a:foo.1 -all", "fail", ['"a:foo.1"', "toplabel"]),
    ("7.1 toplabel starting with -", "v=spf1 a:foo.-bar -all", "fail", ['"a:foo.-bar"', "toplabel"]),
    ("7.1 single label", "v=spf1 a:museum -all", "fail", ['"a:museum"', "domain-end"]),
    ("7.1 trailing dot", "v=spf1 a:t.example. -all", "pass", []),
    ("7.1 dashed numeric toplabel", "v=spf1 a:foo.123-456 -all", "warn", []),  # valid; finds nothing: warn below
    ("7.1 toplabel with a colon", "v=spf1 a:t.example:8080 -all", "fail", ['"a:t.example:8080"', "toplabel"]),
]


@pytest.fixture
def zone(dns_server):
    dns_server.zone.load(HELPERS)
    return dns_server


@pytest.mark.parametrize(("clause", "record", "verdict", "fragments"), ROWS, ids=[r[0] for r in ROWS])
async def test_rfc7208_rule(zone, clause: str, record: str, verdict: str, fragments: list[str]) -> None:
    from oneinbox_check.net.dns import Resolver

    zone.zone.set(NAME, "TXT", [record])
    r = await check_spf(Resolver([("127.0.0.1", zone.port)], timeout=1, tries=1), NAME)
    got = r.status.value
    if verdict == "warn" and got == "pass":  # warnings in details count (e.g. a void lookup)
        assert r.details.get("warnings"), r
        got = "warn"
    assert got == verdict, (clause, r.summary)
    for fragment in fragments:
        assert fragment in r.summary, (clause, r.summary)


async def test_every_syntax_failure_names_the_term_and_rule(zone) -> None:
    from oneinbox_check.net.dns import Resolver

    for clause, record, verdict, _ in ROWS:
        if not is_spf(record):
            continue
        try:
            parse_record(record)
        except SpfSyntaxError as exc:
            zone.zone.set(NAME, "TXT", [record])
            r = await check_spf(Resolver([("127.0.0.1", zone.port)], timeout=1, tries=1), NAME)  # fresh cache
            assert r.status.value == "fail", clause
            assert f'term "{exc.term}"' in r.summary and exc.rule in r.summary and "RFC 7208 §" in r.summary, clause
            assert r.details["term"] == exc.term and r.details["rule"] == exc.rule
            assert r.remediation


@pytest.mark.parametrize(("record", "fix"), [
    ("v=spf1 ip4:1.2.3.4:8080 -all", "ip4:1.2.3.4"),
    ("v=spf1 ip4:1.2.3.4/032 -all", "/32"),
    ("v=spf1 a:192.0.2.1/24 -all", "ip4:192.0.2.1/24"),
    ("v=spf1 ipv4:192.0.2.1 -all", "ip4:192.0.2.1"),
    ("v=spf1 -redirect=x.example", "redirect=x.example"),
    ("v=spf1 all:foo", "Write all."),
    ("v=spf1 include:_spf.t.example/24 -all", "include:_spf.t.example"),
])
async def test_obvious_fix_is_in_the_remediation(zone, record: str, fix: str) -> None:
    from oneinbox_check.net.dns import Resolver

    zone.zone.set(NAME, "TXT", [record])
    r = await check_spf(Resolver([("127.0.0.1", zone.port)], timeout=1, tries=1), NAME)
    assert r.status.value == "fail" and fix in r.remediation, r


def test_control_characters_in_a_term_are_a_syntax_error() -> None:
    for record in ("v=spf1 a\x00 -all", "v=spf1 a\t-all", "v=spf1 a:t.example\x7f -all"):
        with pytest.raises(SpfSyntaxError) as exc:
            parse_record(record)
        assert exc.value.rule == "terms"


# RFC 7208 §7.4: the macro expansion examples, each as the domain of an exists: term
MACRO_EXAMPLES = [
    "%{s}", "%{o}", "%{d}", "%{d4}", "%{d3}", "%{d2}", "%{d1}", "%{dr}", "%{d2r}", "%{l}", "%{l-}", "%{lr}",
    "%{lr-}", "%{l1r-}", "%{ir}.%{v}._spf.%{d2}", "%{lr-}.lp._spf.%{d2}", "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
    "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "%{d2}.trusted-domains.example.net",
]


@pytest.mark.parametrize("macro", MACRO_EXAMPLES)
def test_rfc7208_section_7_4_macro_examples_parse(macro: str) -> None:
    parse_record(f"v=spf1 exists:{macro} -all")


# RFC 7208 Appendix B (extended examples), on the example zone given there
RFC_ZONE = {
    "example.com": {"MX": ["10 mail-a.example.com", "20 mail-b.example.com"], "A": ["192.0.2.10", "192.0.2.11"]},
    "amy.example.com": {"A": ["192.0.2.65"]},
    "bob.example.com": {"A": ["192.0.2.66"]},
    "mail-a.example.com": {"A": ["192.0.2.129"]},
    "mail-b.example.com": {"A": ["192.0.2.130"]},
    "www.example.com": {"CNAME": ["example.com"]},
    "example.org": {"MX": ["10 mail-c.example.org"], "TXT": ["v=spf1 mx -all"]},
    "mail-c.example.org": {"A": ["192.0.2.140"]},
    "example.net": {"MX": ["10 mail-c.example.org"], "TXT": ["v=spf1 mx -all"]},
    "ip4._spf.example.com": {"TXT": ["v=spf1 -ip4:192.0.2.0/24 +all"]},
    "ptr._spf.example.com": {"TXT": ["v=spf1 -ptr +all"]},
}
RFC_EXAMPLES = [
    "v=spf1 a -all", "v=spf1 a:example.org -all", "v=spf1 mx -all", "v=spf1 mx:example.org -all",
    "v=spf1 mx mx:example.org -all", "v=spf1 mx/30 mx:example.org/30 -all", "v=spf1 ptr -all",
    "v=spf1 ip4:192.0.2.128/28 -all",
    "v=spf1 include:example.org include:example.net -all",  # B.2
    "v=spf1 mx include:mobile-users._spf.%{d} include:remote-users._spf.%{d} -all",  # B.3
    "v=spf1 exists:%{l1r+}.%{d}", "v=spf1 exists:%{ir}.%{l1r+}.%{d}",  # B.3
]
# valid records that our documented policy fails (providers.md: "+all → fail")
RFC_PLUS_ALL_EXAMPLES = ["v=spf1 +all", "v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all",
                         "v=spf1 -include:ip4._spf.example.com -include:ptr._spf.example.com +all"]  # B.1, B.4


@pytest.mark.parametrize("record", RFC_EXAMPLES + RFC_PLUS_ALL_EXAMPLES)
async def test_rfc7208_appendix_b_examples_are_valid(dns_server, record: str) -> None:
    from oneinbox_check.net.dns import Resolver

    dns_server.zone.load(RFC_ZONE)
    dns_server.zone.set("example.com", "TXT", [record])
    r = await check_spf(Resolver([("127.0.0.1", dns_server.port)], timeout=1, tries=1), "example.com")
    assert r.details["valid"] is True, r
    if record in RFC_PLUS_ALL_EXAMPLES:
        assert r.status.value == "fail" and "+all" in r.summary
    else:
        assert r.status.value in ("pass", "warn"), r

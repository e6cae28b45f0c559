"""Differential oracle: our permerror/valid decision equals pyspf's.

pyspf (the ``spf`` module, Python SPF reference used by pypolicyd-spf and
spf-engine, tested against the RFC 7208 test suite) evaluates each record in
strict mode. Both sides see the same in-process DNS (no sockets): the record
under test at ``DOMAIN``; every other name has an SPF record (``v=spf1 -all``),
an A, an AAAA, an MX and the client a PTR, so that only the record itself can
make the result a permerror. The client address matches nothing we generate
before ``all``, and records are short, so the lookup limit is not in play.

Hypothesis generates records from the RFC 7208 §12 / §7.1 ABNF (valid) and
mutates them (a character inserted, dropped or replaced; a term doubled).

Deliberate differences (compared only that we do not crash; see ``_deliberate``):
- §7.1 ``transformers = *DIGIT [ "r" ]`` then ``*delimiter``: pyspf does not
  check what is inside ``%{…}`` after the letter (``%{dx}``, ``%{d1r2}``,
  ``%{dR}`` pass there); we follow the ABNF.
- §7.3 "If a DIGIT is specified, the value MUST be nonzero": pyspf accepts ``%{d0}``.
- §6: only ``redirect`` and ``exp`` may not appear twice; unknown modifiers
  "MUST be ignored", so ``foo=1 foo=2`` is valid. pyspf's strict mode rejects any
  repeated modifier; we pass it with a warning (such receivers exist).
- §7.1: ``%%`` is a macro-expand and may end a domain-spec (``exp=x.%%``);
  pyspf's invalid-macro pattern reads a trailing ``%%`` as a lone ``%``.
- §7.1: a ``%{`` without its ``}`` is not a macro-expand, and a lone ``%`` is
  no macro-literal; pyspf only rejects ``%`` followed by another character.
- §7.1: ``%%%x`` is ``%%`` then an invalid ``%x``; pyspf's pattern skips a
  ``%`` that follows another ``%``.
- §12: ``macro-literal = %x21-24 / %x26-7E``: a control character (NUL, TAB,
  DEL) inside a term is a syntax error; pyspf only checks the top label.
- §4.6.4/§5.2/§6.1: a target that depends on sender macros (``include:%{d}``,
  ``redirect=.%{s}``) is judged by pyspf after expanding with its sender (a
  loop, a malformed name, no record there); we have no sender, check its syntax,
  count it as one lookup and do not follow it.
"""

from __future__ import annotations

import ipaddress
import re

import anyio
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from oneinbox_check.checks.spf import check_spf
from oneinbox_check.net.dns import DnsResult

pyspf = pytest.importorskip("spf")

DOMAIN = "example.org"
CLIENT = "203.0.113.9"
PTR_NAME = "host.client.example"


def _answer(record: str, name: str, rdtype: str) -> list[str]:
    name = name.lower().rstrip(".")
    if name == DOMAIN and rdtype == "TXT":
        return [record]
    return {"TXT": ["v=spf1 -all"], "A": ["192.0.2.1"], "AAAA": ["2001:db8::1"], "MX": ["10 mx.example.net"],
            "PTR": [PTR_NAME]}.get(rdtype, [])


class _Stub:
    def __init__(self, record: str):
        self.record = record

    async def query(self, name: str, rdtype: str) -> DnsResult:
        values = _answer(self.record, name, rdtype)
        return DnsResult(name, rdtype, "answer" if values else "nodata", tuple(values))


def _pyspf_lookup(record: str):  # type: ignore[no-untyped-def]
    def lookup(name, qtype, strict=True, timeout=None):  # type: ignore[no-untyped-def]
        out = []
        for value in _answer(record, name, qtype):
            if qtype in ("TXT", "SPF"):
                out.append(((name, qtype), [value.encode("utf-8", "surrogateescape")]))
            elif qtype == "MX":
                pref, host = value.split()
                out.append(((name, qtype), (int(pref), host)))
            else:
                out.append(((name, qtype), value))
        return out

    return lookup


def theirs(record: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setattr(pyspf, "DNSLookup", _pyspf_lookup(record))
    q = pyspf.query(i=CLIENT, s=f"postmaster@{DOMAIN}", h=f"mail.{DOMAIN}", strict=True)
    result, _code, text = q.check()
    return (result if result in ("none", "permerror") else "ok"), text


def ours(record: str) -> tuple[str, str]:
    r = anyio.run(check_spf, _Stub(record), DOMAIN)
    assert r.status.value in ("pass", "warn", "fail"), r  # never error: the stub answers everything
    if r.summary.startswith("no SPF record"):
        return "none", r.summary
    return ("ok" if (r.details or {}).get("valid") else "permerror"), r.summary


_MACRO_BODY = re.compile(r"%\{([^}]*)\}")


def _deliberate(record: str, their_text: str) -> str | None:
    for body in _MACRO_BODY.findall(record):
        if re.fullmatch(r"[slodiphvSLODIPHV][0-9]*[rR]?[.+,/_=-]*", body) is None and body[:1].lower() in "slodiphv":
            return f"§7.1 transformers/delimiters in %{{{body}}}"
        if re.match(r"^.[0-9]+", body) and int(re.match(r"^.([0-9]+)", body).group(1)) == 0:  # type: ignore[union-attr]
            return f"§7.3 zero label count in %{{{body}}}"
    repeated = re.search(r"(\S+)= MUST appear at most once", their_text)
    if repeated and repeated.group(1).lower() not in ("redirect", "exp"):
        return "§6 repeated unknown modifier"
    if "invalid-macro-char" in their_text and re.search(r"(?<!%)(%%)+(\s|/|$)", record):
        return "§7.1 trailing %%"
    if re.search(r"%%%[^{%_-]", record):
        return "§7.1 '%%' then a lone '%'"
    if re.search(r"%\{[^}]*(\s|$)", record) or re.search(r"(?<!%)%(%%)*$", record.split(" ")[-1] or "x"):
        return "§7.1 unclosed macro"
    if any(c < "\x20" or c == "\x7f" for c in record):
        return "§12 control character in a term"
    evaluation = ("trivial recursion", "Too many DNS lookups", "no SPF record", "No valid SPF record",
                  "Void lookup limit")
    if any(k in their_text for k in evaluation) and re.search(r"(include:|redirect=|exists:|a:|mx:)\S*%",
                                                               record, re.IGNORECASE):
        return "§5.2/§6.1 target depends on sender macros"
    return None


# --- the ABNF as strategies ------------------------------------------------------------

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
qualifier = st.sampled_from(["", "", "+", "-", "~", "?"])
label = st.text(ALNUM + "-_", min_size=1, max_size=8)
toplabel = st.sampled_from(["com", "org", "net", "example", "x1", "1x", "a-b", "co-uk", "A1-2"])
macro_letter = st.sampled_from(list("slodiphvSLODIPHV"))
delimiters = st.text(".-+,/_=", max_size=2)
transformers = st.tuples(st.sampled_from(["", "", "1", "2", "12"]), st.sampled_from(["", "", "r", "R"])).map("".join)
macro_expand = st.one_of(
    st.tuples(macro_letter, transformers, delimiters).map(lambda t: "%{" + "".join(t) + "}"),
    st.sampled_from(["%%", "%_", "%-"]),
)
literal_domain = st.tuples(st.lists(label, min_size=1, max_size=3), toplabel, st.sampled_from(["", "", "."])).map(
    lambda t: ".".join(t[0] + [t[1]]) + t[2])
domain_spec = st.one_of(
    literal_domain, literal_domain,
    st.tuples(macro_expand, literal_domain).map(lambda t: f"{t[0]}.{t[1]}"),
    st.tuples(st.lists(label, min_size=1, max_size=2), macro_expand).map(lambda t: ".".join(t[0]) + "." + t[1]),
)
cidr4 = st.integers(8, 32).map(lambda n: f"/{n}")
cidr6 = st.integers(0, 128).map(lambda n: f"//{n}")
dual_cidr = st.tuples(st.one_of(st.just(""), cidr4), st.one_of(st.just(""), cidr6)).map("".join)
ip4 = st.tuples(st.sampled_from([10, 192, 198, 100, 172]), st.integers(0, 255), st.integers(0, 255),
                st.integers(0, 255)).map(lambda t: ".".join(map(str, t)))
ip6 = st.integers(0, 2**128 - 1).flatmap(lambda n: st.sampled_from(
    [ipaddress.IPv6Address(n).compressed, ipaddress.IPv6Address(n).exploded]))
optional_domain = st.one_of(st.just(""), domain_spec.map(lambda d: ":" + d))
mechanism = st.one_of(
    st.just("all"),
    domain_spec.map(lambda d: f"include:{d}"),
    st.tuples(optional_domain, dual_cidr).map(lambda t: "a" + "".join(t)),
    st.tuples(optional_domain, dual_cidr).map(lambda t: "mx" + "".join(t)),
    optional_domain.map(lambda d: "ptr" + d),
    st.tuples(ip4, st.one_of(st.just(""), cidr4)).map(lambda t: "ip4:" + "".join(t)),
    st.tuples(ip6, st.one_of(st.just(""), st.integers(0, 128).map(lambda n: f"/{n}"))).map(
        lambda t: "ip6:" + "".join(t)),
    domain_spec.map(lambda d: f"exists:{d}"),
)
directive = st.tuples(qualifier, mechanism).map("".join)
modifier_name = st.tuples(st.sampled_from(list("abcxyzABC")), st.text(ALNUM + "-_.", max_size=6)).map("".join).filter(
    lambda n: n.lower() not in ("redirect", "exp"))
macro_string = st.lists(st.one_of(macro_expand, st.text(ALNUM + "!\"#$&'()*+,-./:;<=>?@[]^_`{|}~", min_size=1,
                                                          max_size=5)), max_size=3).map("".join)
unknown_modifier = st.tuples(modifier_name, macro_string).map(lambda t: f"{t[0]}={t[1]}")


@st.composite
def records(draw: st.DrawFn) -> str:
    terms = draw(st.lists(st.one_of(directive, directive, unknown_modifier), max_size=6))
    if draw(st.booleans()):
        terms.insert(draw(st.integers(0, len(terms))), "redirect=" + draw(domain_spec))
    if draw(st.integers(0, 3)) == 0:
        terms.insert(draw(st.integers(0, len(terms))), "exp=" + draw(domain_spec))
    spaces = draw(st.lists(st.sampled_from([" ", " ", "  "]), min_size=len(terms), max_size=len(terms)))
    return "v=spf1" + "".join(s + t for s, t in zip(spaces, terms)) + draw(st.sampled_from(["", "", " "]))


MUTATION_CHARS = "%{}/:.=-_+~?!0123456789aZ@ \t" + "é\x00\x7f"


@st.composite
def mutated(draw: st.DrawFn) -> str:
    record = draw(records())
    body = record[6:]
    if not body.strip():
        return record
    op = draw(st.sampled_from(["insert", "delete", "replace", "double"]))
    i = draw(st.integers(0, len(body) - 1))
    if op == "insert":
        body = body[:i] + draw(st.sampled_from(MUTATION_CHARS)) + body[i:]
    elif op == "delete":
        body = body[:i] + body[i + 1:]
    elif op == "replace":
        body = body[:i] + draw(st.sampled_from(MUTATION_CHARS)) + body[i + 1:]
    else:
        terms = body.split()
        body = body + " " + draw(st.sampled_from(terms))
    return "v=spf1" + body


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])


def _compare(record: str, monkeypatch: pytest.MonkeyPatch, log=note) -> None:  # type: ignore[no-untyped-def]
    their_valid, their_text = theirs(record, monkeypatch)
    our_valid, our_text = ours(record)  # "ok", "none" (no SPF record) or "permerror"
    log(f"pyspf: {their_text!r}; ours: {our_text!r}")
    if our_valid != their_valid and (reason := _deliberate(record, their_text)):
        log(f"deliberate difference: {reason}")
        return
    assert our_valid == their_valid, (record, their_text, our_text)


@SETTINGS
@given(records())
def test_generated_records_agree_with_pyspf(monkeypatch: pytest.MonkeyPatch, record: str) -> None:
    _compare(record, monkeypatch)


@SETTINGS
@given(mutated())
def test_mutated_records_agree_with_pyspf(monkeypatch: pytest.MonkeyPatch, record: str) -> None:
    _compare(record, monkeypatch)


@pytest.mark.parametrize("record", [
    "v=spf1 a/24 mx/24 -all", "v=spf1 a/33 -all", "v=spf1 ip4:1.2.3.4/032 -all", "v=spf1 ip6:::1/129 -all",
    "v=spf1 ip4:1.2.3 -all", "v=spf1 ip4:1.2.3.4:8080 -all", "v=spf1 a:foo.1 -all", "v=spf1 a: -all",
    "v=spf1 a:foo.-bar -all", "v=spf1 a:%{x}.example.com -all", "v=spf1 a:example.com% -all",
    "v=spf1 redirect=a.example redirect=b.example", "v=spf1 redirect=", "v=spf1 foo-bar_baz.q=x -all",
    "v=spf1 -all redirect=x.example", "v=spf1 redirect=x.example -all", "v=spf1 ptr/24 -all",
    "v=spf1 exists:%{i}.x.example/24 -all", "v=spf1 exp=%{c}.x.example -all", "v=spf1 1foo=bar -all",
    "v=spf1 a:foo..example -all", "v=spf1 a:é.example -all", "v=spf1 ip4:1.2.3.4//24 -all",
])
def test_known_cases_agree_with_pyspf(monkeypatch: pytest.MonkeyPatch, record: str) -> None:
    _compare(record, monkeypatch, log=print)

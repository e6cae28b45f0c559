"""SPF (RFC 7208): find the one ``v=spf1`` record, evaluate it recursively and
count what receivers count.

Counting follows RFC 7208 §4.6.4 as checkdmarc does: ``include``, ``a``,
``mx``, ``ptr``, ``exists`` and ``redirect`` each cost one lookup (includes and
redirects add their own terms); an ``a``/``mx`` that finds no records, an
include target without SPF and a redirect to NXDOMAIN are void lookups. Unlike
a receiver we do not stop at the 11th lookup: the whole tree is counted, so the
report says how far over the limit a record is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..models import CheckResult, Status
from .dnsresult import Lookup, lookup_error

ID = "dns.spf"
LOOKUP_LIMIT = 10
VOID_LIMIT = 2
_MECHANISMS = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}
_COUNTED = {"include", "a", "mx", "ptr", "exists"}
_TERM = re.compile(r"^([+\-~?]?)([a-z0-9]+)([:/=].*)?$", re.IGNORECASE)


class SpfPermError(Exception):
    """The record cannot be evaluated (RFC 7208 permerror)."""


class SpfLookupError(Exception):
    """A DNS lookup during evaluation could not be answered (temperror)."""

    def __init__(self, result: Any):
        super().__init__(result.describe())
        self.result = result


def is_spf(record: str) -> bool:
    low = record.lower()
    return low == "v=spf1" or low.startswith("v=spf1 ")


@dataclass
class Node:
    domain: str
    record: str
    children: list["Node"] = field(default_factory=list)
    all_qualifier: str | None = None
    redirect: str | None = None

    def tree(self) -> dict[str, Any]:
        out: dict[str, Any] = {"domain": self.domain, "record": self.record}
        if self.children:
            out["includes"] = [c.tree() for c in self.children]
        return out

    def domains(self) -> set[str]:
        found = {self.domain}
        for child in self.children:
            found |= child.domains()
        return found


@dataclass
class Evaluation:
    lookups: int = 0
    void: int = 0
    warnings: list[str] = field(default_factory=list)


async def fetch_spf(resolver: Lookup, domain: str) -> tuple[str | None, Any]:
    """(the single SPF record or None when missing, the DNS result). Raises on 2+ records."""
    result = await resolver.query(domain, "TXT")
    if result.failed:
        raise SpfLookupError(result)
    records = [r for r in result.records if is_spf(r)] if result.found else []
    if len(records) > 1:
        raise SpfPermError(f"{domain} has {len(records)} SPF records; there must be exactly one")
    return (records[0] if records else None), result


def parse_terms(record: str, domain: str) -> list[tuple[str, str, str | None]]:
    """[(qualifier, name, value)] for mechanisms and modifiers; permerror on bad syntax."""
    terms = []
    for raw in record.split()[1:]:
        m = _TERM.match(raw)
        if not m:
            raise SpfPermError(f"invalid term {raw!r} in the SPF record of {domain}")
        qualifier, name, rest = m.group(1), m.group(2).lower(), m.group(3)
        if rest and rest.startswith("="):
            if qualifier:
                raise SpfPermError(f"modifier {raw!r} cannot have a qualifier ({domain})")
            terms.append(("", name + "=", rest[1:]))
            continue
        if name not in _MECHANISMS:
            raise SpfPermError(f"unknown mechanism {name!r} in the SPF record of {domain}")
        value = rest[1:] if rest and rest.startswith(":") else (rest if rest else None)
        if name in ("include", "exists") and not value:
            raise SpfPermError(f"{name} needs a domain ({domain})")
        if name in ("ip4", "ip6") and not value:
            raise SpfPermError(f"{name} needs an address ({domain})")
        if name == "all" and rest:
            raise SpfPermError(f"'all' takes no value ({domain})")
        terms.append((qualifier or "+", name, value))
    return terms


async def _evaluate(resolver: Lookup, domain: str, record: str, ev: Evaluation, stack: tuple[str, ...]) -> Node:
    node = Node(domain, record)
    terms = parse_terms(record, domain)
    redirects = [v for _, n, v in terms if n == "redirect="]
    if len(redirects) > 1:
        raise SpfPermError(f"{domain} has more than one redirect modifier")
    has_all = any(n == "all" for _, n, _ in terms)
    for qualifier, name, value in terms:
        if name == "all":
            node.all_qualifier = qualifier
            continue
        if name not in _COUNTED:
            continue
        ev.lookups += 1
        target = (value or domain).split("/")[0]
        if name == "include":
            if "%" in target:
                continue
            if target.lower() in stack:
                raise SpfPermError(f"include loop: {' -> '.join(stack + (target,))}")
            child_record, _ = await fetch_spf(resolver, target)
            if child_record is None:
                ev.void += 1
                raise SpfPermError(f"include:{target} has no SPF record (permerror)")
            node.children.append(await _evaluate(resolver, target, child_record, ev, stack + (target.lower(),)))
        elif name in ("a", "mx") and "%" not in target:
            if name == "a":
                answers = [await resolver.query(target, t) for t in ("A", "AAAA")]
            else:
                answers = [await resolver.query(target, "MX")]
            failed = next((a for a in answers if a.failed), None)
            if failed is not None:
                raise SpfLookupError(failed)
            if not any(a.found for a in answers):
                ev.void += 1
                ev.warnings.append(f"'{name}' in {domain}'s SPF finds no records at {target} (void lookup)")
        elif name == "ptr":
            ev.warnings.append(f"{domain}'s SPF uses 'ptr', which RFC 7208 says not to use")
    if redirects and not has_all:
        target = redirects[0]
        ev.lookups += 1
        if target.lower() in stack:
            raise SpfPermError(f"redirect loop: {' -> '.join(stack + (target,))}")
        child_record, result = await fetch_spf(resolver, target)
        if child_record is None:
            if result.outcome == "nxdomain":
                ev.void += 1
            raise SpfPermError(f"redirect={target} has no SPF record (permerror)")
        child = await _evaluate(resolver, target, child_record, ev, stack + (target.lower(),))
        node.children.append(child)
        node.redirect = target
        node.all_qualifier = child.all_qualifier
    return node


def _fail(summary: str, remediation: str, **details: Any) -> CheckResult:
    return CheckResult(id=ID, status=Status.FAIL, summary=summary, remediation=remediation, details=details or None)


async def check_spf(resolver: Lookup, domain: str, *, require_include: str | None = None,
                    suggested: str | None = None) -> CheckResult:
    """``dns.spf`` for *domain* (usually the return-path host).

    *require_include*: a domain that must be authorised (e.g. ``amazonses.com``),
    directly or through nested includes. *suggested*: the record to add when missing.
    """
    suggested = suggested or (f"v=spf1 include:{require_include} ~all" if require_include else "v=spf1 ~all")
    try:
        record, result = await fetch_spf(resolver, domain)
    except SpfLookupError as exc:
        return lookup_error(ID, exc.result)
    except SpfPermError as exc:
        return _fail(str(exc), f"Keep one TXT record at {domain} that starts with v=spf1; merge the others into it.",
                     name=domain, valid=False)
    if record is None:
        return _fail(f"no SPF record at {domain}", f'Add a TXT record at {domain}: "{suggested}"',
                     name=domain, expected=suggested, valid=False)
    ev = Evaluation()
    try:
        root = await _evaluate(resolver, domain, record, ev, (domain.lower(),))
    except SpfLookupError as exc:
        return lookup_error(ID, exc.result)
    except SpfPermError as exc:
        return _fail(f"SPF at {domain} is broken: {exc}", "Fix the record so receivers can evaluate it.",
                     name=domain, record=record, lookups=ev.lookups, void_lookups=ev.void, valid=False)
    # "valid": receivers can evaluate it (RFC 7208); policy problems below fail with valid=True.
    valid = ev.lookups <= LOOKUP_LIMIT and ev.void <= VOID_LIMIT
    details: dict[str, Any] = {"name": domain, "record": record, "lookups": ev.lookups,
                               "void_lookups": ev.void, "valid": valid, "tree": root.tree()}
    if ev.warnings:
        details["warnings"] = ev.warnings
    if ev.lookups > LOOKUP_LIMIT:
        return _fail(f"SPF at {domain} needs {ev.lookups} DNS lookups (limit {LOOKUP_LIMIT}): receivers treat it as permerror",
                     "Remove includes you no longer use, or replace some with ip4:/ip6: ranges.", **details)
    if ev.void > VOID_LIMIT:
        return _fail(f"SPF at {domain} has {ev.void} void lookups (limit {VOID_LIMIT}): receivers treat it as permerror",
                     "Remove a/mx/include terms that point at names without records.", **details)
    if require_include and not any(_covers(d, require_include) for d in root.domains()):
        return _fail(f"SPF at {domain} does not authorise {require_include}",
                     f'Add include:{require_include} to the record, e.g. "{suggested}"', **details)
    if root.all_qualifier == "+":
        return _fail(f"SPF at {domain} ends in +all: anyone may send as this domain",
                     "Use ~all or -all.", **details)
    if root.all_qualifier is None:
        return CheckResult(id=ID, status=Status.WARN, summary=f"SPF at {domain} has no 'all' term (defaults to neutral)",
                           remediation="End the record with ~all or -all.", details=details)
    if root.all_qualifier == "?":
        return CheckResult(id=ID, status=Status.WARN, summary=f"SPF at {domain} ends in ?all (neutral)",
                           remediation="Use ~all or -all so unauthorised senders are flagged.", details=details)
    extra = f", authorises {require_include}" if require_include else ""
    return CheckResult(id=ID, status=Status.PASS,
                       summary=f"SPF at {domain} is valid ({ev.lookups}/{LOOKUP_LIMIT} lookups{extra})", details=details)


def _covers(domain: str, wanted: str) -> bool:
    domain, wanted = domain.lower().rstrip("."), wanted.lower().rstrip(".")
    return domain == wanted

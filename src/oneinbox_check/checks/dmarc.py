"""DMARC (RFC 7489): one ``v=DMARC1`` record at ``_dmarc.<domain>``, falling
back to the organisational domain (public suffix list shipped with
``publicsuffixlist``; nothing is downloaded at run time)."""

from __future__ import annotations

from functools import cache
from typing import Any

from ..models import CheckResult, Status
from .dnsresult import Lookup, lookup_error, unquote

ID = "dns.dmarc"
POLICIES = {"none", "quarantine", "reject"}


@cache
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organisational_domain(domain: str) -> str:
    domain = domain.lower().rstrip(".")
    return _psl().privatesuffix(domain) or domain


def parse(record: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in record.split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ValueError(f"malformed tag {part!r}")
        name, value = part.split("=", 1)
        tags[name.strip().lower()] = value.strip()
    return tags


async def check_dmarc(resolver: Lookup, domain: str) -> CheckResult:
    org = organisational_domain(domain)
    names = [f"_dmarc.{domain}"] + ([f"_dmarc.{org}"] if org != domain else [])
    suggestion = f'Add a TXT record at _dmarc.{org}: "v=DMARC1; p=none; rua=mailto:dmarc@{org}"'
    for name in names:
        result = await resolver.query(name, "TXT")
        if result.failed:
            return lookup_error(ID, result)
        records = [unquote(r) for r in result.records if unquote(r).upper().startswith("V=DMARC1")] if result.found else []
        if not records:
            continue
        if len(records) > 1:
            return CheckResult(id=ID, status=Status.FAIL, summary=f"{len(records)} DMARC records at {name}: receivers ignore all of them",
                               remediation=f"Keep exactly one TXT record starting with v=DMARC1 at {name}.",
                               details={"name": name, "records": records})
        record = records[0]
        details = {"name": name, "record": record, "inherited": name != names[0]}
        try:
            tags = parse(record)
        except ValueError as exc:
            return CheckResult(id=ID, status=Status.FAIL, summary=f"DMARC record at {name} is malformed: {exc}",
                               remediation="Fix the record's syntax: tags separated by ';', e.g. v=DMARC1; p=none",
                               details=details)
        if next(iter(tags)) != "v" or tags["v"] != "DMARC1":
            return CheckResult(id=ID, status=Status.FAIL, summary=f"DMARC record at {name} must start with v=DMARC1",
                               remediation="Start the record with v=DMARC1;", details=details)
        policy = tags.get("p", "").lower()
        if policy not in POLICIES:
            shown = f"p={tags['p']}" if "p" in tags else "no p= tag"
            return CheckResult(id=ID, status=Status.FAIL, summary=f"DMARC record at {name} has {shown} (none, quarantine or reject)",
                               remediation="Set p=none to start monitoring, later quarantine or reject.", details=details)
        sub = tags.get("sp", "").lower()
        if sub and sub not in POLICIES:
            return CheckResult(id=ID, status=Status.FAIL, summary=f"DMARC record at {name} has sp={tags['sp']}",
                               remediation="sp must be none, quarantine or reject.", details=details)
        details["policy"] = policy
        where = f"{name} (inherited from the organisational domain)" if details["inherited"] else name
        if policy == "none":
            return CheckResult(id=ID, status=Status.PASS, summary=f"DMARC at {where}: p=none (monitoring only)",
                               details=details)
        return CheckResult(id=ID, status=Status.PASS, summary=f"DMARC at {where}: p={policy}", details=details)
    return CheckResult(id=ID, status=Status.WARN, summary=f"no DMARC record at {names[0]}"
                       + (f" or {names[1]}" if len(names) > 1 else ""),
                       remediation=suggestion + " (recommended: mailbox providers expect it for bulk senders).",
                       details={"names": names})

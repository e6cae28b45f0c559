"""Shared helpers for the DNS checks: the Resolver protocol they need and the
``error`` result for a lookup that could not be answered."""

from __future__ import annotations

from typing import Any, Protocol

from ..models import CheckResult, Status


class Lookup(Protocol):
    """What a DNS check needs from a resolver (``net.dns.Resolver`` fits)."""

    async def query(self, name: str, rdtype: str) -> Any: ...


def lookup_error(check_id: str, result: Any) -> CheckResult:
    """A lookup that timed out or was refused tells nothing about the record."""
    return CheckResult(id=check_id, status=Status.ERROR,
                       summary=f"could not tell: {result.describe()}",
                       remediation="Retry later; if it persists, check the nameservers (or --nameserver).",
                       details={"name": result.name, "type": result.rdtype, "outcome": result.outcome})


def unquote(value: str) -> str:
    """Provider dashboards show TXT values quoted; DNS answers are not."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value.replace('" "', "")


def same_host(a: str, b: str) -> bool:
    return a.strip().rstrip(".").lower() == b.strip().rstrip(".").lower()


def abbreviate(value: str, keep: int = 12) -> str:
    return value if len(value) <= 2 * keep + 1 else f"{value[:keep]}…{value[-keep:]}"

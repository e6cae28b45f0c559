"""What a DNS check needs from a resolver, and the ``error`` result for a
question it could not answer (the answers themselves are ``net.dns.DnsResult``)."""

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

"""MX at the return-path host: the exchange (and priority) a provider expects."""

from __future__ import annotations

from ..models import CheckResult, Status
from .layout import MailDnsLayout
from .lookup import Lookup, lookup_error
from .records import same_host

ID = "dns.mx"


async def check_layout(resolver: Lookup, layout: MailDnsLayout) -> CheckResult:
    """``dns.mx`` at *layout*'s return-path host; ``skip`` when it expects no MX there."""
    if not (layout.return_path and layout.mx):
        return CheckResult(id=ID, status=Status.SKIP, summary="no return-path MX expected for this provider layout")
    return await check_mx(resolver, layout.return_path, *layout.mx)


async def check_mx(resolver: Lookup, name: str, exchange: str, priority: int | None = None) -> CheckResult:
    result = await resolver.query(name, "MX")
    if result.failed:
        return lookup_error(ID, result)
    want = f"{priority} {exchange}" if priority is not None else exchange
    fix = f"Add an MX record at {name}: {want}"
    if not result.found:
        return CheckResult(id=ID, status=Status.FAIL, summary=f"no MX record at {name} (expected {want})",
                           remediation=fix, details={"name": name, "expected": want})
    found = [r.split(None, 1) for r in result.records]
    details = {"name": name, "expected": want, "found": list(result.records)}
    matching = [(int(p), h) for p, h in found if same_host(h, exchange)]
    if not matching:
        return CheckResult(id=ID, status=Status.FAIL,
                           summary=f"MX at {name} points to {', '.join(h for _, h in found)}, not {exchange}",
                           remediation=fix + " (and remove the others on this name)", details=details)
    if priority is not None and all(p != priority for p, _ in matching):
        return CheckResult(id=ID, status=Status.WARN, summary=f"MX at {name} → {exchange} has priority "
                           f"{matching[0][0]}, expected {priority}", remediation=fix, details=details)
    return CheckResult(id=ID, status=Status.PASS, summary=f"MX at {name} → {exchange}", details=details)

"""A sending domain's email DNS, as a provider lays it out: SPF and MX on the
return-path host, DKIM selectors, DMARC. Probes build a :class:`MailDnsLayout`
(from the provider's API or its defaults); this module runs the checks."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio

from ..models import CheckResult, Status
from . import dkim, dmarc, mx, spf
from .dkim import DkimExpectation
from .dmarc import organisational_domain
from .dnsresult import Lookup


@dataclass
class MailDnsLayout:
    domain: str
    provider: str  # shown in remediations ("the value Resend shows")
    return_path: str | None = None  # host of SPF + MX; None: not checked
    spf_include: str | None = None  # a domain the SPF must authorise
    spf_suggested: str | None = None
    mx: tuple[str, int | None] | None = None  # (exchange, priority)
    dkim: list[DkimExpectation] = field(default_factory=list)
    source: str = "defaults"  # or "provider API"


def absolute(name: str, domain: str) -> str:
    """A record name as providers show it (often relative) made absolute.

    Names relative to the zone apex ("send.updates" for updates.example.com) and
    relative to the domain itself ("send") are both seen; a name that already
    carries the subdomain's labels is taken as apex-relative.
    """
    name = name.strip().rstrip(".").lower()
    domain = domain.lower().rstrip(".")
    if name in ("", "@"):
        return domain
    if name == domain or name.endswith("." + domain):
        return name
    org = organisational_domain(domain)
    if name.endswith("." + org):
        return name
    sub = domain[: -len(org) - 1] if domain != org else ""
    if sub and (name == sub or name.endswith("." + sub)):
        return f"{name}.{org}"
    return f"{name}.{domain}"


async def run_checks(resolver: Lookup, layout: MailDnsLayout) -> list[CheckResult]:
    """``dns.spf``, ``dns.dkim``, ``dns.mx``, ``dns.dmarc`` for *layout*, concurrently."""
    results: dict[str, CheckResult] = {}

    async def put(key: str, coro) -> None:  # type: ignore[no-untyped-def]
        results[key] = await coro

    async with anyio.create_task_group() as tg:
        if layout.return_path:
            tg.start_soon(put, spf.ID, spf.check_spf(resolver, layout.return_path, require_include=layout.spf_include,
                                                      suggested=layout.spf_suggested))
        if layout.dkim:
            tg.start_soon(put, dkim.ID, dkim.check_dkim(resolver, layout.dkim, provider=layout.provider))
        if layout.return_path and layout.mx:
            tg.start_soon(put, mx.ID, mx.check_mx(resolver, layout.return_path, *layout.mx))
        tg.start_soon(put, dmarc.ID, dmarc.check_dmarc(resolver, layout.domain))
    skipped = {
        spf.ID: "no return-path host known for this provider layout",
        dkim.ID: "no DKIM selector known",
        mx.ID: "no return-path MX expected for this provider layout",
    }
    order = [spf.ID, dkim.ID, mx.ID, dmarc.ID]
    return [results.get(i) or CheckResult(id=i, status=Status.SKIP, summary=skipped[i]) for i in order]

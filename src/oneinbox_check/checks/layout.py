"""What a provider expects a sending domain's DNS to hold: the return-path host
(SPF and MX), the DKIM records, and the domain (DMARC). Probes build a
:class:`MailDnsLayout` from the provider's API answer or its defaults; the rules
listed in ``maildns`` read it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DkimExpectation:
    """One DKIM record a provider asks for: a TXT value (``p=…``) or a CNAME target."""

    name: str
    type: str = "TXT"  # or "CNAME"
    value: str | None = None  # None: only existence and key quality are checked


@dataclass
class MailDnsLayout:
    domain: str
    provider: str  # shown in remediations ("the value Resend shows")
    return_path: str | None = None  # host of SPF + MX; None: not checked
    spf_include: str | None = None  # a domain the SPF must authorise
    spf_suggested: str | None = None
    mx: tuple[str, int | None] | None = None  # (exchange, priority)
    dkim: list[DkimExpectation] = field(default_factory=list)

"""What a probe can do beyond checking its key, declared by inheriting a
capability class; the CLI finds the capable probes in the registry.

``MailDns``: an email probe checks its sending domain's DNS with the rules of
``checks.maildns``, from its provider's layout (read from the provider's API, or
its default layout). ``dns --provider`` offers every probe of the registry that
has it, and runs :class:`MailDnsCheck` — a probe built from the capability that
checks a domain without a key — through the runner like any other probe.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..checks import email, maildns
from ..checks.layout import MailDnsLayout
from ..models import CheckResult, Status
from .probe import Probe

if TYPE_CHECKING:
    from .probe import ProbeContext

FROM = email.ID  # the sender address an email probe checks first
DNS_IDS = maildns.CHECK_IDS  # what an email probe reports about its domain's DNS
INPUT = "input.schema"
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


class MailDns(ABC):
    """Capability of an email probe: its provider's DNS layout for a sending domain.

    *regions*: the values ``--region`` may take (empty: the layout has none, and
    ``--region`` is refused for this provider).
    """

    regions: ClassVar[tuple[str, ...]] = ()
    dns_check_ids: ClassVar[tuple[str, ...]] = DNS_IDS

    @abstractmethod
    def default_layout(self, domain: str, *, region: str | None = None, return_path: str | None = None,
                       selector: str | None = None) -> MailDnsLayout:
        """The layout the provider asks for when its API cannot tell (no key, or the key cannot read it);
        ``None`` arguments take the provider's defaults."""

    async def check_dns(self, ctx: ProbeContext, layout: MailDnsLayout) -> list[CheckResult]:
        """The DNS rules for *layout*, each timed from the start of the probe."""
        results = await maildns.run_checks(ctx.dns, layout)
        return [r.model_copy(update={"duration_ms": ctx.elapsed_ms()}) for r in results]


def mail_dns_probes(probes: Mapping[str, Probe]) -> dict[str, MailDns]:
    """The providers (and their probes) with the :class:`MailDns` capability, by provider name."""
    return {name: probe for name, probe in probes.items() if isinstance(probe, MailDns)}


@dataclass(frozen=True)
class Domain:
    """The metadata of a :class:`MailDnsCheck` entry: a domain as the user typed it."""

    text: str


class MailDnsCheck(Probe):
    """``oneinbox-check dns``: one domain's email DNS with a provider's default layout, no key.

    Built from the provider's :class:`MailDns` capability and the ``dns`` options;
    its entries carry a :class:`Domain` as metadata and no integration, so the
    runner hands the whole row to :meth:`run` (``input.schema`` included).
    """

    key_required = False

    def __init__(self, provider: str, capability: MailDns, *, region: str | None = None,
                 return_path: str | None = None, selector: str | None = None, offline: bool = False):
        self.providers = (provider,)  # type: ignore[misc]  # one instance per provider, not a class per provider
        self.check_ids = capability.dns_check_ids  # type: ignore[misc]
        self._capability = capability
        self._options = {"region": region, "return_path": return_path, "selector": selector}
        self._offline = offline
        if not offline:  # every entry will ask DNS: load what that needs now, not inside the run's clock
            from ..net import dns

            dns.prepare()
            maildns.prepare()

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        typed = ctx.metadata.text if isinstance(ctx.metadata, Domain) else str(ctx.metadata)
        name = typed.strip().lower().rstrip(".")
        if not _DOMAIN.match(name):
            return [CheckResult(id=INPUT, status=Status.FAIL, summary=f"{typed!r} is not a domain name",
                                remediation="Give a domain such as example.com (no scheme, path or @).")]
        rows = [CheckResult(id=INPUT, status=Status.PASS, summary=f"checking {self.providers[0]}'s layout for {name}")]
        if self._offline:
            return rows + [CheckResult(id=self.check_ids[0], status=Status.SKIP,
                                       summary="offline run: DNS not queried")]
        layout = self._capability.default_layout(name, **self._options)
        return rows + await maildns.run_checks(ctx.dns, layout)

"""A sending domain's email DNS: the rules, listed once, that check a
:class:`~.layout.MailDnsLayout`.

Adding a rule is one module with an ``ID`` and a ``check_layout(resolver,
layout)`` coroutine (``skip`` when the layout lacks what it needs), and one line
in :data:`RULES`. The probes' DNS check ids and the ``dns`` command's rows follow
from that list.
"""

from __future__ import annotations

from typing import Protocol

import anyio

from ..models import CheckResult
from . import dkim, dmarc, mx, spf
from .dmarc import organisational_domain
from .layout import MailDnsLayout
from .lookup import Lookup


class Rule(Protocol):
    """One DNS rule: a module such as ``spf`` fits."""

    ID: str

    async def check_layout(self, resolver: Lookup, layout: MailDnsLayout) -> CheckResult: ...


RULES: tuple[Rule, ...] = (spf, dkim, mx, dmarc)
CHECK_IDS: tuple[str, ...] = tuple(rule.ID for rule in RULES)


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


def prepare() -> None:
    """Load now what the rules otherwise load on their first use — the public suffix
    list (DMARC's organisational domain, ≈ 0.1 s) and the DKIM key parser — for a
    caller that knows it will check DNS: it pays for them at start-up, like for its
    imports, not inside the run."""
    organisational_domain("example.com")
    dkim.load_key_parser()


async def run_checks(resolver: Lookup, layout: MailDnsLayout) -> list[CheckResult]:
    """Every rule of :data:`RULES` for *layout*, concurrently; results in the order of the list."""
    results: list[CheckResult | None] = [None] * len(RULES)

    async def one(i: int, rule: Rule) -> None:
        results[i] = await rule.check_layout(resolver, layout)

    async with anyio.create_task_group() as tg:
        for i, rule in enumerate(RULES):
            tg.start_soon(one, i, rule)
    return [r for r in results if r is not None]

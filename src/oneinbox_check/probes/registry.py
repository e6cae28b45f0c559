"""Discovery: every probe — built-in or third-party — is an entry point of the
group ``oneinbox_check.probes`` naming a :class:`~.probe.Probe` subclass.

The built-ins are declared in this distribution's pyproject.toml exactly like a
plugin declares its own, so what ``probes`` lists, the endpoint names, the
masks' prefixes and the CLI's provider options all come from one place. A
broken plugin is skipped with a clear problem; it never breaks the tool.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..checks.keyformat import Signature
from .probe import Option, Probe

ENTRY_POINT_GROUP = "oneinbox_check.probes"
ONEINBOX = ("oneinbox", "https://api.oneinbox.ai")  # register's endpoint: OneInbox itself, not a provider
_BUILTIN_PREFIX = __name__.rpartition(".")[0] + "."  # modules of this package: the built-in probes


@dataclass
class Registry:
    probes: dict[str, Probe]
    problems: list[str] = field(default_factory=list)

    def get(self, provider: str) -> Probe | None:
        return self.probes.get(provider)

    @property
    def providers(self) -> list[str]:
        return list(self.probes)

    def unique(self) -> list[Probe]:
        seen: dict[int, Probe] = {}
        for probe in self.probes.values():
            seen.setdefault(id(probe), probe)
        return list(seen.values())

    def endpoint_defaults(self) -> dict[str, str]:
        """Endpoint name -> default base URL, as the probes declare them (plus OneInbox's)."""
        out: dict[str, str] = {}
        for probe in self.unique():
            out.update(probe.endpoints)
        out.setdefault(*ONEINBOX)
        return out

    def rate_limits(self, endpoints: Mapping[str, str]) -> dict[str, float]:
        """Requests per second by endpoint base URL, from the probes' documented limits."""
        rates: dict[str, float] = {}
        for probe in self.unique():
            for name, rate in probe.rate_limits.items():
                base = endpoints.get(name, "")
                if base and "{" not in base:
                    rates[base] = min(rate, rates.get(base, rate))
        return rates

    def signatures(self) -> list[Signature]:
        out = []
        for probe in self.unique():
            for pattern, label in probe.signatures:
                out.append(Signature(re.compile(pattern), probe.providers[0], label))
        return out

    def mask_prefixes(self) -> tuple[str, ...]:
        """Every probe's public key prefixes, longest first (the mask keeps the longest that matches)."""
        found = {p for probe in self.unique() for p in probe.mask_prefixes}
        return tuple(sorted(found, key=lambda p: (-len(p), p)))

    def top_level_metadata(self, provider: str) -> tuple[str, ...]:
        """The metadata fields *provider*'s integration bodies may also carry at top level."""
        probe = self.get(provider)
        return probe.top_level_metadata if probe is not None else ()

    def options(self) -> list[Option[Any]]:
        """The typed options the probes declare (one per name), in registry order."""
        out: dict[str, Option[Any]] = {}
        for probe in self.unique():
            for option in probe.options:
                out.setdefault(option.name, option)
        return list(out.values())

    def option_values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """*given* (``probe_options``) with every declared option parsed and checked
        against its declaration; undeclared names pass through. Raises ``ValueError``."""
        out = dict(given)
        for option in self.options():
            if option.name in out:
                try:
                    out[option.name] = option.parse(out[option.name])
                except ValueError as exc:
                    raise ValueError(f"{option.name}: {exc}") from None
        return out


def _builtin(ep: Any) -> bool:
    return str(getattr(ep, "value", "")).startswith(_BUILTIN_PREFIX)


@cache
def load_registry() -> Registry:
    """The probes of the entry-point group, in a stable order whatever the installer
    wrote: this distribution's built-ins first (so a plugin cannot take their
    provider names), then plugins, each by entry-point name."""
    from importlib.metadata import entry_points

    ordered = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (not _builtin(ep), ep.name))
    probes: dict[str, Probe] = {}
    problems: list[str] = []
    for ep in ordered:
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not break the tool
            problems.append(f"probe plugin {ep.name!r} could not be loaded: {type(exc).__name__}: {exc}")
            continue
        if not (isinstance(obj, type) and issubclass(obj, Probe) and obj.providers):
            problems.append(f"probe plugin {ep.name!r} is not a Probe subclass with providers")
            continue
        probe = obj()
        for provider in obj.providers:
            probes.setdefault(provider, probe)
    if not probes:
        problems.append(f"no probes found in the entry-point group {ENTRY_POINT_GROUP!r}: "
                        "is oneinbox-check installed (pip install .)?")
    registry = Registry(probes, problems)
    from ..secrets import use_mask_prefixes

    use_mask_prefixes(registry.mask_prefixes())  # the masks show the declared prefixes from now on
    return registry

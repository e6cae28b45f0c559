"""The built-in scenario used by ``demo`` and ``sandbox serve``: fake accounts
and keys whose answers show every verdict, put together from what each fake
module contributes (its ``WIRING``, see ``fakes/__init__.py``).

Every key here is a sandbox key, made up to have the provider's shape; none
is or was a real credential.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from . import fakes
from .asgi import FakeApp
from .dns import ZoneData
from .fakes import Records, Wiring
from .network import FakeNetwork

_WIRINGS: dict[str, Wiring] = fakes.wirings()

_V = TypeVar("_V")


def _merge(what: str, parts: Iterable[tuple[str, Mapping[str, _V]]]) -> dict[str, _V]:
    """One mapping from every fake's; two fakes claiming one name is a programming error."""
    merged: dict[str, _V] = {}
    owner: dict[str, str] = {}
    for module, part in parts:
        for name, value in part.items():
            if name in merged:
                raise ValueError(f"sandbox {what} {name!r} comes from both fakes.{owner[name]} and fakes.{module}")
            merged[name], owner[name] = value, module
    return merged


# name of the ${VAR} in the demo manifest -> sandbox key
KEYS: dict[str, str] = _merge("key", ((m, w.keys) for m, w in _WIRINGS.items()))
# the manifest's other ${VAR}s (not secret, e.g. account SIDs), besides the sandbox's base URLs
ENV: dict[str, str] = _merge("variable", ((m, w.env) for m, w in _WIRINGS.items()))
# integration bodies the fakes add to the demo manifest (plugins'; the built-ins' are in demo.toml)
DEMO: list[Mapping[str, object]] = [body for wiring in _WIRINGS.values() for body in wiring.demo]
# DNS names that misbehave
DNS_FAULTS: dict[str, str] = _merge("DNS fault", ((m, w.dns_faults) for m, w in _WIRINGS.items()))


def zone_records() -> Records:
    """The DNS records of every fake's sandbox domains (fresh lists each call)."""
    return _merge("DNS name", ((m, w.zones()) for m, w in _WIRINGS.items()))


def zone_data() -> ZoneData:
    """The sandbox's DNS zones with their faults, as the demo's responder serves them."""
    return ZoneData(zone_records(), DNS_FAULTS)


def build(zone: ZoneData | None = None) -> FakeNetwork:
    """Fresh fakes of every provider, in their scenario's state, plus the zones (or *zone*)."""
    mounted = {module: wiring.apps() for module, wiring in _WIRINGS.items()}
    apps: dict[str, FakeApp] = _merge("endpoint", mounted.items())
    unlisted = {name for module, wiring in _WIRINGS.items() if wiring.unlisted for name in mounted[module]}
    return FakeNetwork(apps, zone or zone_data(), unlisted=unlisted)

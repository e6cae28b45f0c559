"""Fake provider APIs, one module per provider, answering in the shapes of
providers.md (valid, invalid, restricted, rate-limited …).

Each fake holds ``keys``: key → state (``"valid"``, ``"restricted"``, …);
any other key gets the provider's documented invalid-key answer. Every answer
is in the provider's documented shape with its source named next to it;
shapes no public material confirms are marked "unconfirmed". tests/contract/
validates the answers against the published API specs and the recorded
answers in fixtures/recorded/.

The contract of a fake module (what ``scenario`` reads): it exports
``WIRING``, a :class:`Wiring` saying what the provider adds to the built-in
scenario — its fake apps under their endpoint names, the sandbox keys the demo
manifest names, and its DNS zones. Modules are discovered by name (every
public module of this package), so a new built-in provider's fake is one new
module; a plugin's fake joins through the ``oneinbox_check.sandbox_fakes``
entry point group (the object named is its ``Wiring`` or a module exporting
``WIRING``), as its probe joins through ``oneinbox_check.probes``.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..asgi import FakeApp

Records = dict[str, dict[str, list[str]]]  # DNS name -> record type -> values
ENTRY_POINT_GROUP = "oneinbox_check.sandbox_fakes"


def _no_zones() -> Records:
    return {}


@dataclass(frozen=True)
class Wiring:
    """What one provider's fake contributes to the built-in scenario (``demo``, ``sandbox serve``)."""

    apps: Callable[[], Mapping[str, FakeApp]]  # fresh fakes by endpoint name (SPEC §6 ``--endpoint NAME``)
    keys: Mapping[str, str] = field(default_factory=dict)  # ${VAR} of the demo manifest -> sandbox key
    env: Mapping[str, str] = field(default_factory=dict)  # other ${VAR}s the manifest uses (not secret)
    zones: Callable[[], Records] = _no_zones  # the DNS records of its sandbox accounts' domains
    dns_faults: Mapping[str, str] = field(default_factory=dict)  # DNS name -> "timeout" | "servfail"
    unlisted: bool = False  # its apps are reached through a URL in the manifest, not as probe endpoints
    # integration bodies (keys as ${VAR} of *keys*) a plugin's fake adds to the demo; the built-ins'
    # are in sandbox/demo.toml, the one demo manifest
    demo: tuple[Mapping[str, Any], ...] = ()


def modules() -> list[ModuleType]:
    """Every fake module of this package, by name."""
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
            if not info.name.startswith("_")]


def wirings() -> dict[str, Wiring]:
    """Name -> ``WIRING``: the built-in modules (one without it is a programming error), then plugins'."""
    from importlib.metadata import entry_points

    found: dict[str, Wiring] = {}
    for module in modules():
        wiring = getattr(module, "WIRING", None)
        if not isinstance(wiring, Wiring):
            raise TypeError(f"{module.__name__} must export WIRING = Wiring(...)")
        found[module.__name__.rpartition(".")[2]] = wiring
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not break the sandbox
            warnings.warn(f"sandbox fake plugin {ep.name!r} could not be loaded: {type(exc).__name__}: {exc}",
                          stacklevel=2)
            continue
        wiring = getattr(obj, "WIRING", obj)
        if not isinstance(wiring, Wiring) or ep.name in found:
            warnings.warn(f"sandbox fake plugin {ep.name!r} is not a Wiring (or its name is taken); left out",
                          stacklevel=2)
            continue
        found[ep.name] = wiring
    return found

"""oneinbox-check: verify the provider keys you hand to OneInbox.

The public API is exactly ``__all__``. Names are imported lazily (and the version is a
static module) so that ``oneinbox-check --version`` stays fast.
"""

from __future__ import annotations

from importlib import import_module

from ._version import __version__

TYPE_CHECKING = False  # not ``typing.TYPE_CHECKING``: importing typing costs start-up time

__all__ = [
    "CheckResult", "Integration", "IntegrationReport", "Report", "Status", "Tool",
    "Secret", "Probe", "ProbeContext", "check", "check_sync", "load_manifest", "__version__",
    "ManifestError", "UsageError",
]

_LAZY = {
    "CheckResult": "models", "Integration": "models", "IntegrationReport": "models", "Report": "models",
    "Status": "models", "Tool": "models", "Secret": "secrets", "Probe": "probes.probe",
    "ProbeContext": "probes.probe", "check": "api", "check_sync": "api", "load_manifest": "api",
    "ManifestError": "errors", "UsageError": "errors",
}

if TYPE_CHECKING:
    from typing import Any

    from .api import check, check_sync, load_manifest
    from .errors import ManifestError, UsageError
    from .models import CheckResult, Integration, IntegrationReport, Report, Status, Tool
    from .probes.probe import Probe, ProbeContext
    from .secrets import Secret


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'oneinbox_check' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

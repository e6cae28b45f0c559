"""oneinbox-check: verify the provider keys you hand to OneInbox.

The public API is exactly ``__all__``. Names are imported lazily so that
``oneinbox-check --version`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "CheckResult", "Integration", "IntegrationReport", "Report", "Status", "Tool",
    "Secret", "Probe", "ProbeContext", "check", "check_sync", "load_manifest", "__version__",
]

_LAZY = {
    "CheckResult": "models", "Integration": "models", "IntegrationReport": "models", "Report": "models",
    "Status": "models", "Tool": "models", "Secret": "secrets", "Probe": "probes._base",
    "ProbeContext": "probes._base", "check": "api", "check_sync": "api", "load_manifest": "api",
}

if TYPE_CHECKING:
    __version__: str
    from .api import check, check_sync, load_manifest
    from .models import CheckResult, Integration, IntegrationReport, Report, Status, Tool
    from .probes._base import Probe, ProbeContext
    from .secrets import Secret


def _read_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("oneinbox-check")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = globals()["__version__"] = _read_version()
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'oneinbox_check' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

"""Where a provider's rows live: ``tests/probes/test_<provider>.py``, one module per
provider name the registry lists (tests/probes/README.md has the convention).

The cross-provider tables (key formats, key.auth, format hygiene, the sandbox
fault matrix, the leak sweep) ask this module for each registered provider's
rows; they keep no provider list of their own. A provider whose module lacks a
name a table needs gets that table's "no rows" test failing with :func:`missing`.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from oneinbox_check.probes.registry import load_registry

NO_ROWS = object()


def providers() -> list[str]:
    """Every provider name the registry lists (built-ins and plugins), in its order."""
    return load_registry().providers


def module_of(provider: str) -> ModuleType | None:
    """``tests.probes.test_<provider>``, or None when there is no such module."""
    name = f"tests.probes.test_{provider}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def row(provider: str, name: str, default: Any = NO_ROWS) -> Any:
    """*provider*'s module-level *name*, or *default* (``NO_ROWS`` if not given)."""
    module = module_of(provider)
    return getattr(module, name, default) if module is not None else default


def rows(name: str) -> dict[str, Any]:
    """Provider -> its module-level *name*, for every registered provider that defines it."""
    found = {p: row(p, name) for p in providers()}
    return {p: value for p, value in found.items() if value is not NO_ROWS}


def missing(provider: str, *names: str) -> str | None:
    """The "no rows" message when *provider*'s module defines none of *names* (None when it does)."""
    if any(row(provider, name) is not NO_ROWS for name in names):
        return None
    wanted = " or ".join(names)
    return f"provider {provider} has no rows: add {wanted} to tests/probes/test_{provider}.py"


def keys() -> dict[str, str]:
    """Provider -> a well-formed (made-up) key of its shape: each module's ``KEY``."""
    return rows("KEY")


def metadata(provider: str) -> dict[str, Any]:
    """The metadata *provider*'s rows carry (its module's ``METADATA``; none by default)."""
    return dict(row(provider, "METADATA", {}))

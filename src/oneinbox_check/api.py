"""The library entry points: the same engine as ``oneinbox-check check``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .manifest import RawItem, RawManifest, build_entries, read_sources
from .models import Integration, Report, Tool
from .runner import RunOptions, run


def load_manifest(*paths: str) -> RawManifest:
    """Read manifest files (raises ``ManifestError`` for file-level problems)."""
    return read_sources(paths)


async def check(
    integrations: Iterable[Integration | Mapping[str, Any]] | RawManifest,
    tools: Iterable[Tool | Mapping[str, Any]] = (),
    *,
    offline: bool = False,
    strict: bool = False,
    endpoints: Mapping[str, str] | None = None,
    nameservers: Sequence[str] = (),
    timeout: float = 10.0,
    retries: int = 2,
    concurrency: int = 32,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    transport: Any = None,
    env: Mapping[str, str] | None = None,
    probe_options: Mapping[str, Any] | None = None,
) -> Report:
    """Check integrations (models, dicts, or a loaded manifest) and return the report.

    ``endpoints`` overrides base URLs by name (SPEC §6), ``nameservers`` are
    ``"IP[:PORT]"`` strings; both are validated like the CLI flags.
    """
    from . import endpoints as ep
    from .net.dns import parse_nameserver
    from .probes._base import load_registry

    registry = load_registry()
    if probe_options and "min_balance" in probe_options:
        from .probes._balances import validated
        probe_options = {**probe_options, "min_balance": validated(probe_options["min_balance"])}
    if isinstance(integrations, RawManifest):
        raw = integrations
    else:
        raw = RawManifest(
            integrations=[RawItem("<library>", i, d) for i, d in enumerate(integrations)],
            tools=[RawItem("<library>", i, t) for i, t in enumerate(tools)],
        )
    entries = build_entries(raw, registry, env if env is not None else os.environ)
    resolved = ep.resolve(registry.endpoint_defaults(), [f"{k}={v}" for k, v in (endpoints or {}).items()])
    options = RunOptions(
        offline=offline, strict=strict, endpoints=resolved, nameservers=[parse_nameserver(n) for n in nameservers],
        timeout=timeout, retries=retries, concurrency=concurrency, only=only, skip=skip, transport=transport,
        probe_options=probe_options or {},
    )
    return await run(entries, registry, options)


def check_sync(*args: Any, backend: str = "asyncio", **kwargs: Any) -> Report:
    """:func:`check` for synchronous callers."""
    import functools

    import anyio

    return anyio.run(functools.partial(check, *args, **kwargs), backend=backend)

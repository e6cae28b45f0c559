"""The library entry points: the same run path (:mod:`session`) as ``oneinbox-check check``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .manifest import RawItem, RawManifest, read_sources
from .models import Integration, Report, Tool



def load_manifest(*paths: str, expand_env: bool = False) -> RawManifest:
    """Read manifest files (raises ``ManifestError`` for file-level problems).

    ``${NAME}`` in the files is expanded when checked (the caller named them);
    ``-`` (stdin) only with *expand_env*.
    """
    return read_sources(paths, expand_stdin=expand_env)


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
    expand_env: bool = False,
    env: Mapping[str, str] | None = None,
    probe_options: Mapping[str, Any] | None = None,
) -> Report:
    """Check integrations (models, dicts, or a loaded manifest) and return the report.

    ``endpoints`` overrides base URLs by name (SPEC §6), ``nameservers`` are
    ``"IP[:PORT]"`` strings; both are validated like the CLI flags, and so are
    ``only``/``skip`` (a glob matching no check id raises ``UsageError``; they
    never hide ``input.schema``/``key.format``).

    ``${NAME}`` in integrations and tools given here is left as it is (an
    ``input.schema`` fail) unless ``expand_env=True``: the values may come from
    another program, and expanding them could send this process's environment
    to a host they name (SPEC §3). ``env`` is where names are looked up
    (default ``os.environ``). A manifest from :func:`load_manifest` carries its
    own rule (files are expanded).
    """
    from . import session
    from .errors import UsageError
    from .manifest import check_depth

    if probe_options and "min_balance" in probe_options:
        from .probes._balances import validated
        probe_options = {**probe_options, "min_balance": validated(probe_options["min_balance"])}
    if isinstance(integrations, RawManifest):
        raw = integrations
    else:
        raw = RawManifest(
            integrations=[RawItem("<library>", i, d, expand_env) for i, d in enumerate(integrations)],
            tools=[RawItem("<library>", i, t, expand_env) for i, t in enumerate(tools)],
        )
        for item in (*raw.integrations, *raw.tools):
            check_depth("<library>", item.data)
    if not raw.integrations:
        raise UsageError("no integrations given: nothing to check")
    from .probes.registry import load_registry

    try:  # the probes' declared options (calcom_days, ...), checked against their declarations
        probe_options = load_registry().option_values(probe_options or {})
    except ValueError as exc:
        raise UsageError(f"probe_options {exc}") from None
    options = session.Options(
        offline=offline, strict=strict, only=tuple(only), skip=tuple(skip), selection_names=("only", "skip"),
        endpoints=tuple(f"{k}={v}" for k, v in (endpoints or {}).items()), nameservers=tuple(nameservers),
        timeout=timeout, retries=retries, concurrency=concurrency, probe_options=probe_options or {},
    )
    checked = session.from_manifest(raw, env if env is not None else os.environ, transport=transport)
    return await session.check(checked, options)


def check_sync(
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
    expand_env: bool = False,
    env: Mapping[str, str] | None = None,
    probe_options: Mapping[str, Any] | None = None,
    backend: str = "asyncio",
) -> Report:
    """:func:`check` for synchronous callers, with the same parameters.

    Called from inside a running event loop (a notebook, an async web app's
    sync helper), it runs the check on a worker thread with its own loop and
    waits for it, instead of failing with "already running".
    """
    import functools

    import anyio

    job = functools.partial(
        check, integrations, tools, offline=offline, strict=strict, endpoints=endpoints, nameservers=nameservers,
        timeout=timeout, retries=retries, concurrency=concurrency, only=only, skip=skip, transport=transport,
        expand_env=expand_env, env=env, probe_options=probe_options)
    if not _in_event_loop():
        return anyio.run(job, backend=backend)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="oneinbox-check") as pool:
        return pool.submit(anyio.run, job, backend=backend).result()


def _in_event_loop() -> bool:
    try:
        import sniffio

        sniffio.current_async_library()
    except Exception:  # sniffio.AsyncLibraryNotFoundError: plain synchronous code
        return False
    return True

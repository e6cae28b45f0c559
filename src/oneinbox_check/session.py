"""The one run path: options -> manifest -> run -> state -> render -> files -> exit code.

``check``, ``register``, ``demo`` (through ``cli``) and the library's ``check``/``check_sync``
all come here with a typed :class:`Options` and a :class:`Session` (what to check, and where:
a sandbox hands in its endpoints, transport and nameserver). The run options are built here,
once (:func:`run_options`). Heavy modules are imported inside the functions: ``cli`` imports
this module only for commands that run.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .exits import EXIT_INTERRUPTED, EXIT_OUTPUT, error, warning
from .outputs import Output, check_outputs, emit
from .progress import Progress

if TYPE_CHECKING:
    from .manifest import Entry, RawManifest
    from .models import Report
    from .runner import RunOptions


@dataclass(frozen=True)
class Options:
    """The run's settings, validated into ``RunOptions`` by :func:`run_options`."""

    offline: bool = False
    strict: bool = False  # exit code: a warn counts as a failure
    only: Sequence[str] = ()
    skip: Sequence[str] = ()
    selection_names: tuple[str, str] = ("--only", "--skip")  # how a bad glob's option is named in the error
    concurrency: int = 32
    dns_concurrency: int = 256
    timeout: float = 10.0
    retries: int = 2
    endpoints: Sequence[str] = ()  # NAME=URL overrides (SPEC §6)
    endpoints_env: str | None = None  # the value of ONEINBOX_CHECK_ENDPOINTS, when the caller reads it
    nameservers: Sequence[str] = ()  # "IP[:PORT]"
    probe_options: Mapping[str, Any] = field(default_factory=dict)
    handle_signals: bool = False  # SIGINT/SIGTERM cancel the run and keep the partial report
    state: str | None = None  # --state FILE
    notify: Sequence[str] = ()  # --notify URLs (need a state file)
    notify_always: bool = False
    output: Output = field(default_factory=Output)


@dataclass(frozen=True)
class Source:
    """Where the entries come from: manifest files (or ``-``), the conventional variables, a shard."""

    paths: Sequence[str] = ()
    from_env: bool = False
    expand_env: bool = False  # expand ${NAME} in a body read from stdin too
    env_file: str | None = None
    shard: tuple[int, int] | None = None


@dataclass
class Session:
    """What one run checks and where: the entries and the probe registry; a sandbox adds its base
    URLs (before ``--endpoint``), its in-process transport and its nameserver (before ``--nameserver``)."""

    entries: list[Entry]
    registry: Any
    endpoints: Mapping[str, str] = field(default_factory=dict)
    transport: Any = None
    nameservers: Sequence[str] = ()

    def keys(self) -> dict[str, Any]:
        """Each integration's key by label: ``--state`` keeps their fingerprints."""
        return {e.label: e.integration.api_key for e in self.entries if e.integration is not None}


@dataclass(frozen=True)
class Completed:
    """How a run ended: its report (``None`` when nothing ran) and the process exit code."""

    report: Report | None
    exit_code: int


@contextlib.contextmanager
def _bulk() -> Any:
    """The cyclic garbage collector paused while a manifest is read into entries or a
    report is written: both make (and drop) objects by the 100,000 and no reference
    cycles, and each full collection would walk every entry made so far again
    (a 100,000-integration run spent about a second of its build in the collector)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def registry() -> Any:
    """The installed probes; a broken third-party probe is a warning, not a stop."""
    from .probes.registry import load_registry

    found = load_registry()
    for problem in found.problems:
        warning(problem)
    return found


def read(source: Source, env: Mapping[str, str] | None = None) -> Session:
    """The manifest's entries (this shard's, with ``shard``) and the probe registry (usage errors raise)."""
    from .envsource import bodies, environment
    from .errors import UsageError
    from .manifest import RawItem, RawManifest, build_entries, read_sources
    from .selection import in_shard

    variables = environment(source.env_file, os.environ if env is None else env)
    if not source.paths and not source.from_env:
        raise UsageError("name a manifest (PATH, or - for stdin), or use --from-env")
    for path in source.paths:
        if os.path.basename(path) == ".env" or path.endswith(".env"):
            raise UsageError(f"{path} looks like a dotenv file, not a manifest: use --env-file {path} with a "
                             "manifest that refers to its variables as ${NAME}, or --from-env "
                             "(see 'oneinbox-check init')")
    with _bulk():
        raw = read_sources(source.paths, expand_stdin=source.expand_env) if source.paths else RawManifest()
    if source.from_env:
        found = bodies(variables)
        if not found and not source.paths:
            raise UsageError("--from-env: none of the conventional variables is set (OPENAI_API_KEY, "
                             "RESEND_API_KEY, ...); see 'oneinbox-check init'")
        raw.integrations += [RawItem("<environment>", i, body, True) for i, body in enumerate(found)]
    probes = registry()
    with _bulk():
        entries = [e for e in build_entries(raw, probes, variables) if in_shard(e.label, source.shard)]
    return Session(entries, probes)


def from_manifest(raw: RawManifest, env: Mapping[str, str], *, transport: Any = None) -> Session:
    """A session of an already read manifest (the library's input)."""
    from .manifest import build_entries
    from .probes.registry import load_registry

    probes = load_registry()
    return Session(build_entries(raw, probes, env), probes, transport=transport)


def run_options(session: Session, options: Options, *,
                progress: Callable[[int, int], None] | None = None) -> RunOptions:
    """The one place run flags become ``RunOptions`` (bad globs, endpoints, nameservers raise ``UsageError``)."""
    from . import endpoints
    from .runner import RunOptions
    from .selection import known_ids, resolve

    only, skip = resolve(options.only, options.skip, known_ids(session.registry), names=options.selection_names)
    overrides = [f"{k}={v}" for k, v in session.endpoints.items()] + list(options.endpoints)
    resolved = endpoints.resolve(session.registry.endpoint_defaults(), overrides, options.endpoints_env)
    nameservers = [*session.nameservers, *options.nameservers]
    if nameservers:  # dnspython comes with net.dns: not imported for a run that names no nameserver
        from .net.dns import parse_nameserver

        parsed = [parse_nameserver(n) for n in nameservers]
    return RunOptions(
        offline=options.offline, strict=options.strict, concurrency=options.concurrency,
        dns_concurrency=options.dns_concurrency, timeout=options.timeout, retries=options.retries,
        endpoints=resolved, nameservers=parsed if nameservers else [],
        only=only, skip=skip, transport=session.transport, progress=progress,
        handle_signals=options.handle_signals, probe_options=dict(options.probe_options),
    )


async def check(session: Session, options: Options, *,
                progress: Callable[[int, int], None] | None = None) -> Report:
    """Run the checks and return the report (no state, no files: the library's path)."""
    from .runner import run

    return await run(session.entries, session.registry, run_options(session, options, progress=progress))


After = Callable[["Report", "RunOptions"], Awaitable[None]]


def execute(session: Session, options: Options, *, after: After | None = None) -> Completed:
    """Run *session*, then apply ``--state``, render and write the report, save the state and notify.

    *after* (``async (report, run_options) -> None``) runs once the checks are done, in the same
    event loop, unless the run was interrupted (``register`` creates the healthy integrations there).
    """
    from .runner import run

    progress = Progress(enabled=sys.stderr.isatty() and not options.output.quiet, total=len(session.entries))
    run_with = run_options(session, options, progress=progress.update)

    async def job() -> Report:
        report = await run(session.entries, session.registry, run_with)
        if after is not None and report.exit_code != EXIT_INTERRUPTED:
            await after(report, run_with)
        return report

    return finish(options, job, progress=progress, keys=session.keys())


def finish(options: Options, job: Callable[[], Awaitable[Report]], *, progress: Progress | None = None,
           keys: Mapping[str, Any] | None = None) -> Completed:
    """Run ``job()`` (returns the Report) with the progress display, apply ``--state``, write the
    report, then save the state (SPEC §13); the exit code is the report's, or 74 when a file could
    not be written."""
    import anyio

    from . import notify
    from . import state as state_file
    from .files import WriteError

    shown = progress or Progress(enabled=False, total=0)
    check_outputs(options.output, options.state)  # before any request: a bad path probes nothing
    urls = notify.urls(options.notify, state=options.state, always=options.notify_always, offline=options.offline)
    previous = state_file.load(options.state) if options.state else None  # a bad state file stops before probing

    async def main_task() -> Report:
        async with anyio.create_task_group() as tg:
            tg.start_soon(shown.ticker)
            report = await job()
            tg.cancel_scope.cancel()
        return report

    try:
        report = anyio.run(main_task)
    finally:
        shown.stop()
    updated = state_file.apply(report, keys or {}, previous) if previous is not None else None
    with _bulk():
        failures = emit(options.output, report)
    if options.state and updated is not None and report.exit_code != EXIT_INTERRUPTED and not failures:
        try:  # saved only once the report was written, and never from an interrupted run
            state_file.save(options.state, updated)
        except WriteError as exc:
            failures.append(str(exc))
    for failure in failures:
        error(failure)
    if urls and previous is not None and report.exit_code != EXIT_INTERRUPTED:
        notify.send(urls, report, previous, always=options.notify_always, timeout=options.timeout)
    if failures and report.exit_code != EXIT_INTERRUPTED:
        return Completed(report, EXIT_OUTPUT)
    return Completed(report, int(report.exit_code))


def dns(provider: str, domains: Sequence[str], options: Options, *, region: str | None = None,
        return_path: str | None = None, selector: str | None = None, progress: Progress | None = None) -> Completed:
    """``dns``: each domain's email DNS with *provider*'s default layout (its ``MailDns``
    capability), run by the runner like ``check`` — a keyless probe per domain."""
    from .errors import UsageError
    from .manifest import Entry
    from .probes.capabilities import Domain, MailDns, MailDnsCheck, mail_dns_probes
    from .probes.registry import Registry, load_registry
    from .runner import run
    from .selection import did_you_mean

    registry = load_registry()
    capability = registry.get(provider)
    if not isinstance(capability, MailDns):
        capable = list(mail_dns_probes(registry.probes))
        raise UsageError(f"--provider {provider!r}: no email DNS layout known for this provider"
                         f"{did_you_mean(provider, capable)} (known: {', '.join(capable)})")
    title = capability.title or provider
    if region is not None and region not in capability.regions:
        raise UsageError(f"--region {region!r}: {title} regions are {', '.join(capability.regions)}"
                         if capability.regions else f"--region {region!r}: {title}'s DNS layout has no regions")
    shown = progress or Progress(enabled=False, total=len(domains))
    run_with = run_options(Session([], registry), options, progress=shown.update)  # flags checked as for check
    probe = MailDnsCheck(provider, capability, region=region, return_path=return_path, selector=selector,
                         offline=options.offline)
    entries = [Entry(domain, provider, metadata=Domain(domain)) for domain in domains]
    return finish(options, lambda: run(entries, Registry({provider: probe}), run_with), progress=shown)


def emit_saved(report: Report, output: Output) -> int:
    """Render a report that needs no probing; the exit code is the report's (74 if a file failed)."""
    check_outputs(output)
    failures = emit(output, report)
    for failure in failures:
        error(failure)
    return EXIT_OUTPUT if failures else int(report.exit_code)


async def check_and_record(source: Source, options: Options) -> Report:
    """One scheduled run (the exporter): read the manifest again, check, and save ``--state``."""
    from . import state as state_file

    session = read(source)  # an edited manifest applies without a restart
    report = await check(session, options)
    if options.state:
        updated = state_file.apply(report, session.keys(), state_file.load(options.state))
        state_file.save(options.state, updated)
    return report

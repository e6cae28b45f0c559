"""Running the checks: one anyio task per integration, bounded and deduplicated,
every probe failure contained. Knows no provider: probes come from the registry.
"""

from __future__ import annotations

import fnmatch
import contextlib
import functools
import gc
import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, UTC
from typing import Any

import anyio

from ._version import __version__
from .checks import schema
from .manifest import TOOL_LABEL, Entry
from .models import CheckResult, IntegrationReport, Report, Status, Summary, ToolInfo
from .net.budget import Budget
from . import secrets
from .secrets import scrub

log = logging.getLogger("oneinbox_check.runner")

INTERRUPTED = "interrupted before this check finished"
MIN_BUDGET = 30.0  # seconds: a probe runs several steps in a row (auth, listings, DNS chains)


@dataclass
class RunOptions:
    offline: bool = False
    strict: bool = False
    concurrency: int = 32  # HTTP requests in flight
    per_origin: int = 8  # HTTP requests in flight per (scheme, host, port)
    dns_concurrency: int = 256  # DNS questions in flight (cheap, and an SPF tree asks many)
    timeout: float = 10.0
    retries: int = 2
    budget: float | None = None  # seconds per integration's live checks; None: check_budget()
    endpoints: Mapping[str, str] | None = None  # resolved names -> URLs; None: defaults
    nameservers: Sequence[tuple[str, int]] = ()
    only: Sequence[str] = ()
    skip: Sequence[str] = ()
    probe_options: Mapping[str, Any] = field(default_factory=dict)
    transport: Any = None  # an httpx transport (sandbox, tests)
    progress: Callable[[int, int], None] | None = None
    handle_signals: bool = False
    pace: bool = True  # keep under the providers' documented rate limits

    def check_budget(self) -> float:
        """The time one integration's live checks may take (queueing not counted):
        every attempt with its timeout plus room for backoff waits."""
        if self.budget is not None:
            return self.budget
        return max(MIN_BUDGET, self.timeout * (self.retries + 3))

    def wants(self, check_id: str) -> bool:
        if self.only and not any(fnmatch.fnmatchcase(check_id, g) for g in self.only):
            return False
        return not any(fnmatch.fnmatchcase(check_id, g) for g in self.skip)


# Jobs run by at most this many tasks: a task per job made 100,000 tasks (and
# their coroutines) exist at once. Far above any HTTP or DNS bound, so requests
# queued for one busy origin never hold back the others (no head-of-line
# blocking) unless more than this many wait for the same origin.
MAX_TASKS = 4096


async def run_all(jobs: Sequence[Callable[[], Any]], *, handle_signals: bool) -> bool:
    """Run *jobs* concurrently (by up to ``MAX_TASKS`` tasks); on SIGINT/SIGTERM
    (when handled) cancel them.

    Returns whether the run was interrupted.
    """
    interrupted = False

    async def watch_signals(scope: anyio.CancelScope) -> None:
        nonlocal interrupted
        try:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    interrupted = True
                    scope.cancel()
                    return
        except (NotImplementedError, ValueError, RuntimeError):  # not the main thread / platform
            return

    async with anyio.create_task_group() as outer:
        if handle_signals:
            outer.start_soon(watch_signals, outer.cancel_scope)
        async with anyio.create_task_group() as tg:
            pending = iter(jobs)
            left = len(jobs)
            started = waiting = 0  # workers started; of them, not yet running

            async def worker() -> None:
                nonlocal left, started, waiting
                waiting -= 1
                for job in pending:  # one iterator shared by the workers: each job runs once
                    left -= 1
                    if left and not waiting and started < MAX_TASKS:
                        # Every worker has a job. The first starts one spare, which runs only once a
                        # job has yielded: jobs that never wait (an --offline run) are all run by one
                        # task, instead of thousands of tasks existing at once. Once one waits, the
                        # spare starts the rest, and they take their first jobs together.
                        more = 1 if started == 1 else min(MAX_TASKS - started, left)
                        started += more
                        waiting += more
                        for _ in range(more):
                            tg.start_soon(worker)
                    await job()

            if left:
                started = waiting = 1
                tg.start_soon(worker)
        outer.cancel_scope.cancel()
    return interrupted


def exit_code(statuses: Sequence[Status], *, strict: bool, interrupted: bool = False) -> int:
    """SPEC §5: 130 interrupted, 1 any fail (or warn with --strict), 3 any error, else 0."""
    if interrupted:
        return 130
    if Status.FAIL in statuses or (strict and Status.WARN in statuses):
        return 1
    if Status.ERROR in statuses:
        return 3
    return 0


class _Scrubber:
    """Scrubs the texts of results once all requests are done (every secret is
    registered by then), each distinct text once: most summaries repeat across
    integrations ("OpenAI accepted the key"), so a large run scrubs a few texts."""

    def __init__(self) -> None:
        self._done: dict[str, str] = {}
        self._shared: dict[tuple[Any, ...], CheckResult] = {}

    def text(self, text: str) -> str:
        """*text* itself when it holds no secret (so callers can tell by identity), else its scrubbed copy."""
        out = self._done.get(text)
        if out is None:
            out = self._done[text] = scrub(text)
        return text if out == text else out

    def value(self, value: Any) -> Any:
        """Strings scrubbed anywhere in a JSON-like value; the same object back when nothing changed."""
        if isinstance(value, str):
            return self.text(value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, dict):
            items = [(self.text(str(k)), self.value(v)) for k, v in value.items()]
            if all(k2 is k and v2 is v for (k, v), (k2, v2) in zip(value.items(), items)):
                return value
            return dict(items)
        if isinstance(value, (list, tuple)):
            out = [self.value(v) for v in value]
            return value if all(a is b for a, b in zip(out, value)) else out
        return self.text(str(value))  # anything else is reported as its text

    def result(self, result: CheckResult) -> CheckResult:
        summary = self.text(result.summary)
        remediation = self.text(result.remediation) if result.remediation else result.remediation
        details = self.value(result.details) if result.details is not None else None
        if summary is result.summary and remediation is result.remediation and details is result.details:
            return self.share(result)  # nothing to redact: no copy
        return self.share(result.model_copy(update={"summary": summary, "remediation": remediation,
                                                    "details": details}))

    def share(self, result: CheckResult) -> CheckResult:
        """One instance for equal detail-less results (frozen models): 10,000 offline
        integrations of ten providers hold a few dozen distinct ones, not 20,000."""
        if result.details is not None:
            return result
        key = (result.id, result.status, result.summary, result.remediation, result.duration_ms)
        return self._shared.setdefault(key, result)


class _Jobs(Sequence[Callable[[], Any]]):
    """``job(i)`` for each *i* below *count*, made as the workers take them (not a
    list of 100,000 partials held for the whole run)."""

    def __init__(self, job: Callable[[int], Any], count: int):
        self._job = job
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: int) -> Callable[[], Any]:  # type: ignore[override]
        if not -self._count <= i < self._count:
            raise IndexError(i)
        return functools.partial(self._job, i % self._count)

    def __iter__(self) -> Any:
        return (functools.partial(self._job, i) for i in range(self._count))


class _LazyHttp:
    """The run's HTTP client for an ``--offline`` run, where nothing is sent: made
    (and httpx imported) only if a request is made after all, closed with the run."""

    def __init__(self, make: Callable[[], Any]):
        self._make = make
        self._real: Any = None

    async def _client(self) -> Any:
        if self._real is None:
            client = self._make()
            await client.__aenter__()
            if self._real is None:
                self._real = client
            else:  # another task made one meanwhile
                await client.__aexit__(None, None, None)
        return self._real

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._client()).request(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._client()).get(*args, **kwargs)

    async def __aenter__(self) -> "_LazyHttp":
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._real is not None:
            real, self._real = self._real, None
            await real.__aexit__(*exc)


class _LazyResolver:
    """The run's resolver, made (and dnspython imported) on the first question:
    a run without DNS checks pays nothing for it."""

    def __init__(self, make: Callable[[], Any]):
        self._make = make
        self._real: Any = None

    def _get(self) -> Any:
        if self._real is None:
            self._real = self._make()
        return self._real

    async def query(self, name: str, rdtype: str) -> Any:
        return await self._get().query(name, rdtype)

    def close(self) -> None:
        if self._real is not None:
            self._real.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)


def _resolver(options: RunOptions) -> Any:
    """One DNS resolver per run: its cache is what makes each question asked once."""
    from .net.dns import Resolver

    return Resolver(list(options.nameservers) or None, timeout=min(options.timeout, 5.0),
                    limiter=anyio.CapacityLimiter(options.dns_concurrency))


class _Collector:
    """The collector's settings for the runs in this process (they are per process,
    and runs may overlap: tasks of one loop, several threads). The first run to start
    moves what exists (modules, the entries) out of the collector's sight and raises
    the young-generation threshold; the last run to end gives both back. A full
    collection would otherwise walk every entry again and again (a third of a
    100,000-integration ``--offline`` run went to the collector), and a young one
    every 700 allocations cost ≈ 3 % of a live run (a few hundred objects a request).
    What a caller froze itself (``gc.freeze()`` before forking workers) stays frozen:
    then nothing is frozen or unfrozen here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs = 0
        self._thresholds: tuple[int, ...] = ()
        self._froze = False

    @contextlib.contextmanager
    def run(self) -> Any:
        with self._lock:
            self._runs += 1
            if self._runs == 1:
                self._thresholds = gc.get_threshold()
                self._froze = gc.get_freeze_count() == 0
                if self._froze:
                    gc.freeze()
                gc.set_threshold(max(self._thresholds[0], 10_000), *self._thresholds[1:])
        try:
            yield
        finally:
            with self._lock:
                self._runs -= 1
                if self._runs == 0:
                    gc.set_threshold(*self._thresholds)
                    if self._froze:
                        gc.unfreeze()


_COLLECTOR = _Collector()


async def run(entries: Sequence[Entry], registry: Any, options: RunOptions) -> Report:
    """Check every entry concurrently and build the report."""
    with _COLLECTOR.run():
        return await _run(entries, registry, options)


def _http_client(options: RunOptions, registry: Any, endpoints: Mapping[str, str]) -> Any:
    from .net.http import HttpClient

    return HttpClient(timeout=options.timeout, retries=options.retries, concurrency=options.concurrency,
                      per_origin=options.per_origin, transport=options.transport,
                      rates=registry.rate_limits(endpoints) if options.pace else None,
                      user_agent=f"oneinbox-check/{__version__}")


async def _run(entries: Sequence[Entry], registry: Any, options: RunOptions) -> Report:
    if not options.offline:
        from .net.http import HttpClient  # noqa: F401  imported before the clock starts: start-up, not checking
    secrets.index()  # the entries' keys, indexed before the run: no stall in the event loop during it

    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    endpoints = dict(options.endpoints) if options.endpoints is not None else registry.endpoint_defaults()
    signatures = registry.signatures()
    results: list[list[CheckResult] | None] = [None] * len(entries)  # each entry's list, from its start
    finished = bytearray(len(entries))
    scrubber = _Scrubber()
    done = 0

    make_http = functools.partial(_http_client, options, registry, endpoints)
    async with (_LazyHttp(make_http) if options.offline else make_http()) as http:
        resolver = _LazyResolver(functools.partial(_resolver, options))

        async def check_one(i: int) -> None:
            nonlocal done
            out = results[i] = []  # what it found so far stays if the run is interrupted
            await _check_entry(entries[i], registry, options, http, resolver, endpoints, signatures, out)
            out[:] = [scrubber.share(c) for c in out]  # equal results: one instance, from now on
            finished[i] = 1
            done += 1
            if options.progress:
                options.progress(done, len(entries))

        try:
            interrupted = await run_all(_Jobs(check_one, len(entries)), handle_signals=options.handle_signals)
        finally:  # the pooled DNS sockets go with the run, also when it is cancelled (not at a later collection)
            resolver.close()

    reports = []
    for i, entry in enumerate(entries):
        checks, results[i] = results[i] or [], None
        if not finished[i]:  # interrupted: every check it had not finished is an error (SPEC §7)
            probe = registry.get(entry.provider)
            unfinished = [c for c in (probe.check_ids if probe is not None and probe.check_ids else ("key.auth",))
                          if c not in {r.id for r in checks}]
            checks = checks + [CheckResult(id=c, status=Status.ERROR, summary=INTERRUPTED,
                                           remediation="Run again to finish the checks.") for c in unfinished]
        checks = [scrubber.result(c) for c in checks if options.wants(c.id)]
        integration = entry.integration
        reports.append(IntegrationReport(
            name=scrubber.text(entry.label), provider=entry.provider,
            masked_key=integration.masked_key if integration is not None else None,
            status=Status.worst(c.status for c in checks), checks=checks,
        ))
    return build_report(reports, started_at, t0, strict=options.strict, interrupted=interrupted)


def build_report(reports: list[IntegrationReport], started_at: datetime, t0: float, *,
                 strict: bool, interrupted: bool) -> Report:
    summary = Summary(integrations=len(reports))
    for r in reports:
        attr = "pass_" if r.status == Status.PASS else r.status.value
        setattr(summary, attr, getattr(summary, attr) + 1)
    return Report(
        tool=ToolInfo(version=__version__), started_at=started_at,
        duration_ms=int((time.perf_counter() - t0) * 1000),
        exit_code=exit_code([r.status for r in reports], strict=strict, interrupted=interrupted),
        summary=summary, integrations=reports,
    )


async def _check_entry(entry: Entry, registry: Any, options: RunOptions, http: Any, resolver: Any,
                       endpoints: Mapping[str, str], signatures: Any, out: list[CheckResult]) -> list[CheckResult]:
    provider = entry.provider if entry.provider != TOOL_LABEL else "tool"
    integration = entry.integration
    probe = registry.get(entry.provider)
    if integration is None and entry.metadata is not None and probe is not None:
        # a target checked without a key (``dns``: the metadata is a domain): the probe writes the whole row
        ctx = probe.context(integration=integration, metadata=entry.metadata, key=None, tools=[],
                            http=http, dns=resolver, endpoints=endpoints, options=options.probe_options)
        out.extend(await _run_probe(probe, ctx, options, provider))
        return out
    first = schema.result(entry.problems, entry.warnings, provider)
    out.append(first)
    if first.status == Status.FAIL or integration is None or probe is None:
        return out
    key = integration.api_key
    if key:
        fmt = probe.format_check(entry.provider, key.reveal(), entry.metadata, signatures)
    elif probe.key_required:
        fmt = CheckResult(id="key.format", status=Status.FAIL, summary="api_key is empty",
                          remediation="Paste the provider key into api_key.")
    else:
        fmt = CheckResult(id="key.format", status=Status.SKIP, summary="no key given (optional for this provider)")
    out.append(fmt)
    live_ids = [i for i in probe.check_ids if options.wants(i)]
    if not live_ids:
        return out
    if options.offline:
        out.append(CheckResult(id=probe.check_ids[0], status=Status.SKIP,
                               summary="offline run: live checks not run"))
        return out
    if fmt.status == Status.FAIL:
        out.append(CheckResult(id=probe.check_ids[0], status=Status.SKIP,
                               summary="not sent: the key failed key.format (a malformed key is never sent)"))
        return out
    ctx = probe.context(integration=integration, metadata=entry.metadata, key=key, tools=entry.tools,
                        http=http, dns=resolver, endpoints=endpoints, options=options.probe_options)
    out.extend(await _run_probe(probe, ctx, options, provider))
    return out


async def _run_probe(probe: Any, ctx: Any, options: RunOptions, provider: str) -> list[CheckResult]:
    """``probe.run(ctx)`` within the check budget; a crash or an overrun becomes ``error`` results."""
    seconds = options.check_budget()
    live: list[CheckResult] = []
    with anyio.CancelScope() as scope, Budget(seconds, scope):
        try:
            live = await probe.run(ctx)
        except Exception as exc:  # a probe bug must not stop the run
            log.debug("probe %r raised %s", probe, scrub(repr(exc)))  # no traceback: frames may hold keys
            live = [CheckResult(id=probe.check_ids[0], status=Status.ERROR,
                                summary=f"the {provider} probe crashed: {type(exc).__name__}: {scrub(str(exc))[:200]}",
                                remediation="This is a bug in oneinbox-check or a plugin; please report it with -v output.",
                                duration_ms=ctx.elapsed_ms())]
    if scope.cancelled_caught:  # what it had found is lost with the probe: every check of it says why
        live = [_over_budget(i, seconds, ctx.elapsed_ms()) for i in probe.check_ids]
    return live


def _over_budget(check_id: str, seconds: float, duration_ms: int | None = None) -> CheckResult:
    return CheckResult(id=check_id, status=Status.ERROR, duration_ms=duration_ms,
                       summary=f"did not finish within its time budget ({seconds:g} s, not counting queueing)",
                       remediation="The provider or DNS is slow: retry later, or raise --timeout/--retries.")

"""The commands that talk to OneInbox (SPEC §9): ``register`` (check, then create the healthy
integrations) and ``drift`` (compare the manifest with what OneInbox stores). Both run through
:mod:`session`; the OneInbox client itself is :mod:`register`."""

from __future__ import annotations

import sys
from typing import Any

from .exits import EXIT_INTERRUPTED, EXIT_UNDETERMINED, EXIT_USAGE, PROG, error
from .session import Completed, Options, Source, execute, finish, read, run_options


def _key(given: str | None, env: Any) -> str | None:
    return given or env.get("ONEINBOX_API_KEY")


def register(source: Source, options: Options, *, oneinbox_key: str | None, dry_run: bool,
             env: Any = None) -> int:
    """Check, then create (SPEC §9). Never registers from a partial run: every check runs,
    entries are paired with their results by position, and a rejected OneInbox key is a
    configuration error (exit 2)."""
    import os

    import anyio

    from .errors import UsageError
    from .net.http import HttpClient
    from .register import list_integrations, mark_duplicate_names, register as create
    from .runner import run_all
    from .secrets import Secret

    if options.only or options.skip:
        raise UsageError("register always runs every check: --only/--skip are refused "
                         "(use 'check --only ...' to look at some checks)")
    raw_key = _key(oneinbox_key, os.environ if env is None else env)
    if not raw_key and not dry_run:
        raise UsageError("register needs a OneInbox API key: --oneinbox-key or ONEINBOX_API_KEY")
    if options.offline and not dry_run:
        raise UsageError("register talks to OneInbox: drop --offline (or add --dry-run)")
    session = read(source)
    entries = session.entries
    mark_duplicate_names(entries)
    key = Secret(raw_key.strip()) if raw_key else None
    base = run_options(session, options).endpoints["oneinbox"]
    if key and not options.offline:  # a rejected OneInbox key stops before any provider is asked

        async def preflight() -> Any:
            async with HttpClient(timeout=options.timeout, retries=options.retries) as http:
                return await list_integrations(http, base, key, max_pages=1)

        listing = anyio.run(preflight)
        if listing.rejected:
            raise UsageError(f"{listing.problem}: check --oneinbox-key / ONEINBOX_API_KEY")
    outcomes: list[Any] = []
    rejected: list[str] = []

    async def register_healthy(report: Any, run_with: Any) -> None:
        results: list[Any] = []
        async with HttpClient(timeout=run_with.timeout, retries=run_with.retries, transport=run_with.transport) as http:

            async def job() -> None:
                results.append(await create(report, entries, base=run_with.endpoints["oneinbox"], key=key,
                                            strict=options.strict, dry_run=dry_run, http=http, outcomes=outcomes))

            interrupted = await run_all([job], handle_signals=True)  # Ctrl-C: keep what was created
        if interrupted:
            report.exit_code = EXIT_INTERRUPTED
        elif results and results[0].rejected:
            rejected.append(results[0].rejected)
            report.exit_code = EXIT_USAGE
        elif any(o.action == "failed" for o in outcomes) and report.exit_code == 0:
            report.exit_code = EXIT_UNDETERMINED  # could not register: retry later

    code = execute(session, options, after=register_healthy).exit_code
    output = options.output
    # the ids are this command's answer: on stdout, unless stdout carries a machine-readable report
    stream = sys.stdout if (output.format == "table" or output.path) else sys.stderr
    if not raw_key and dry_run and not output.quiet:
        print(f"{PROG}: note: no OneInbox key, so the dry run cannot tell which names already exist in OneInbox "
              "(those would be skipped); add --oneinbox-key or ONEINBOX_API_KEY to find out", file=sys.stderr)
    for o in outcomes if not output.quiet else []:
        print(f"{o.action:<15} {o.name}" + (f"  {o.detail}" if o.detail else ""), file=stream)
    if code == EXIT_INTERRUPTED and not outcomes:
        print("interrupted before registering: nothing was created", file=sys.stderr)
    for reason in rejected:
        error(f"{reason}: check --oneinbox-key / ONEINBOX_API_KEY")
    return code


def drift(source: Source, options: Options, *, oneinbox_key: str | None, env: Any = None) -> int:
    """Compare the manifest with OneInbox's stored integrations (SPEC §9); creates nothing."""
    import os

    from .drift import drift as compare
    from .errors import UsageError
    from .secrets import Secret

    unused = [flag for flag, given in (("--only/--skip", options.only or options.skip),
                                       ("--offline", options.offline), ("--state", options.state)) if given]
    if unused:
        raise UsageError(f"drift compares names, providers and masked keys with OneInbox; {', '.join(unused)} "
                         "does not apply")
    raw_key = _key(oneinbox_key, os.environ if env is None else env)
    if not raw_key or not raw_key.strip():
        raise UsageError("drift needs a OneInbox API key: --oneinbox-key or ONEINBOX_API_KEY")
    session = read(source)
    key = Secret(raw_key.strip())
    base = run_options(session, options).endpoints["oneinbox"]
    results: list[Any] = []

    async def job() -> Any:
        results.append(await compare(session.entries, base=base, key=key, timeout=options.timeout,
                                     retries=options.retries, strict=options.strict, handle_signals=True))
        return results[-1].report

    done: Completed = finish(options, job)
    if results and results[0].rejected:
        error(f"{results[0].rejected}: check --oneinbox-key / ONEINBOX_API_KEY")
    return done.exit_code

"""Command line: argument parsing, and dispatch to the module that does the work.

The flags become the typed options of :mod:`session` (the one run path: manifest,
run, state, outputs, exit code); ``register``/``drift`` go through :mod:`oneinbox`,
``demo`` and ``sandbox serve`` through :mod:`sandbox`. Everything heavy (httpx,
pydantic, rich, dnspython, probes) is imported inside the commands, so ``--help``
and ``--version`` stay fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from .exits import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OUTPUT, EXIT_USAGE, PROG, error
from .report.interface import FORMATS, SORTS

_EPILOG = """exit codes:
  0  nothing failed and nothing indeterminate (warn allowed unless --strict)
  1  at least one fail (or warn with --strict)
  2  usage or input-file error; nothing probed
  3  no fail, but at least one error (could not tell: retry later)
  130 interrupted (the partial report is still written)
  74 an output or state file could not be written after the run (e.g. disk full)
  70 internal error (a bug: please report it)
"""


def _version() -> str:
    from ._version import __version__

    return __version__


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kw: Any):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *a: Any, **k: Any) -> None:
        print(f"{PROG} {_version()}")
        parser.exit(0)


class _Parser(argparse.ArgumentParser):
    """argparse with "did you mean" for a misspelled sub-command, choice or option."""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        ns, extras = super().parse_known_args(args, namespace)
        command = self._chosen(ns)
        if extras and command is not None and command is not self:
            command.error(f"unrecognized arguments: {' '.join(extras)}")  # the sub-command's options to suggest
        return ns, extras

    def _chosen(self, ns: argparse.Namespace) -> "argparse.ArgumentParser | None":
        parser: argparse.ArgumentParser = self
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                name = getattr(ns, action.dest or "", None)
                parser = action.choices.get(name, self) if name else self
        return parser

    def error(self, message: str) -> Any:  # type: ignore[override]
        import re

        from .selection import suggest

        hint = ""
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            close = suggest(choice[1], re.findall(r"'([^']*)'", choice[2]))
            hint = f"; did you mean '{close[0]}'?" if close else ""
        elif message.startswith("unrecognized arguments: "):
            options = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
            for word in message.split(": ", 1)[1].split():
                close = suggest(word.split("=")[0], options) if word.startswith("-") else []
                if close:
                    hint = f"; did you mean {close[0]}?"
                    break
        super().error(message + hint)


def _bounded(kind: type, low: float, high: float | None, what: str) -> Any:
    """An argparse type: *kind* parsed from text, within [low, high]."""
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {low:g} or more" if high is None else
                                             f"must be between {low:g} and {high:g}")
        return value
    return parse


_positive_int = _bounded(int, 1, None, "a whole number")
_seconds = _bounded(float, 0.1, 120, "a number of seconds")
_retries = _bounded(int, 0, 10, "a whole number")


def _probe_options() -> Sequence[dict[str, Any]]:
    from ._probe_options import OPTIONS  # generated from the registry; standard library only

    return OPTIONS


def _min_balance(text: str) -> Any:
    from .probes._balances import parse_min_balance  # standard library only

    try:
        return parse_min_balance(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _shard(text: str) -> tuple[int, int]:
    index, sep, count = text.partition("/")
    if not (sep and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise argparse.ArgumentTypeError(f"{text!r}: expected I/N with 1 <= I <= N, e.g. 2/4")
    return int(index), int(count)


def _domain(text: str) -> str:
    """A ``dns`` argument: a domain; an email address is refused with its domain suggested."""
    local, at, domain = text.rpartition("@")
    if at:
        hint = f"; did you mean {domain.strip()!r}?" if domain.strip() else ""
        raise argparse.ArgumentTypeError(f"{text!r} is an email address, not a domain{hint}")
    return text


def _report_spec(text: str) -> tuple[str, str]:
    fmt, sep, path = text.partition("=")
    if not sep or not path:
        raise argparse.ArgumentTypeError(f"{text!r}: expected FORMAT=FILE, e.g. junit=oneinbox.xml")
    if fmt not in FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r}: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return fmt, path


def _add_output_options(p: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """The report's format and destinations, shared by every command that prints a report."""
    out = p.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, default="table", help="report format (default: table)")
    out.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    out.add_argument("--report", action="append", default=[], type=_report_spec, metavar="FORMAT=FILE",
                     help="also write the report in FORMAT to FILE (repeatable), from the same run, "
                          "e.g. --report junit=oneinbox.xml --report prometheus=oneinbox.prom")
    out.add_argument("--sort", choices=SORTS, default="severity",
                     help="order of the table and markdown rows: severity (fail, error, warn, pass; default) or "
                          "manifest (file order)")
    out.add_argument("-q", "--quiet", action="store_true", help="print nothing; use the exit code")
    out.add_argument("-v", "--verbose", action="count", default=0,
                     help="show every check in the table and log requests to stderr (-vv: debug)")
    out.add_argument("--no-color", action="store_true", help="no colour (also: NO_COLOR environment variable)")
    out.add_argument("--strict", action="store_true", help="a warn counts as a failure (exit 1)")
    return out


def _add_run_options(p: argparse.ArgumentParser) -> None:
    out = _add_output_options(p)
    out.add_argument("--state", metavar="FILE",
                     help="remember verdicts in FILE between runs and report what changed (new, unchanged, "
                          "degraded, recovered; a rotated key is flagged); keeps key fingerprints, never keys")
    out.add_argument("--notify", action="append", default=[], metavar="URL",
                     help="with --state: POST a JSON summary of what changed to URL (Slack-compatible 'text'; "
                          "repeatable); a failed delivery is reported on stderr and does not change the exit code")
    out.add_argument("--notify-always", action="store_true",
                     help="with --notify: also send a heartbeat when nothing changed")
    out.add_argument("--env-file", metavar="FILE",
                     help="read variables for ${NAME} from a dotenv FILE too (the environment wins)")
    sel = p.add_argument_group("what to check")
    sel.add_argument("--only", action="append", default=[], metavar="ID_GLOB",
                     help="run only checks whose id matches (repeatable), e.g. 'key.*'")
    sel.add_argument("--skip", action="append", default=[], metavar="ID_GLOB",
                     help="skip checks whose id matches (repeatable), e.g. 'dns.*'")
    sel.add_argument("--offline", action="store_true", help="no network: input and key-format checks only")
    net = p.add_argument_group("network")
    net.add_argument("--concurrency", type=_positive_int, default=32, metavar="N",
                     help="requests in flight at once (default: 32)")
    net.add_argument("--dns-concurrency", type=_positive_int, default=256, metavar="N",
                     help="DNS questions in flight at once (default: 256)")
    net.add_argument("--timeout", type=_seconds, default=10.0, metavar="S",
                     help="per request, 0.1-120 seconds (default: 10)")
    net.add_argument("--retries", type=_retries, default=2, metavar="N",
                     help="retries (0-10) of idempotent requests on connect errors, 429, 502-504 (default: 2)")
    net.add_argument("--endpoint", action="append", default=[], metavar="NAME=URL",
                     help="override a provider's base URL (repeatable); see 'oneinbox-check probes' for names. "
                          "Also ONEINBOX_CHECK_ENDPOINTS='name=url,...'")
    net.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                     help="send DNS queries to this server (repeatable; default: the system resolver)")
    prov = p.add_argument_group("provider options")
    for option in _probe_options():  # the probes' declared options: --calcom-days, ...
        kind = {"int": int, "float": float}.get(str(option["type"]), str)
        parse = _bounded(kind, option["low"], option["high"], option["what"]) if option["low"] is not None else kind
        prov.add_argument("--" + str(option["name"]).replace("_", "-"), type=parse, default=option["default"],
                          metavar=option["metavar"], help=option["help"])
    prov.add_argument("--min-balance", type=_min_balance, action="append", default=[], metavar="[CUR=]AMOUNT",
                      help="warn when a provider balance is under AMOUNT (repeatable; CUR=AMOUNT for one currency, "
                           "e.g. USD=20; default: 5 in the account currency)")


_EXPAND_HELP = ("also replace ${NAME} by environment variables in a body read from stdin (files named on the "
                "command line are always expanded; stdin is not by default, as it may come from another program)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Check the provider keys you hand to OneInbox: key formats, one cheap live request per key, "
                    "and deep checks (sending domains, calendars, phone numbers).",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check the integrations in manifest files (or - for JSON on stdin)",
                           description="Check integrations. PATH is a .json or .toml manifest; - reads one JSON "
                                       "integration body (or a list) from stdin.",
                           epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("paths", nargs="*", metavar="PATH", help="manifest file (.json or .toml), or - for JSON on stdin")
    check.add_argument("--from-env", action="store_true",
                       help="check the integrations the conventional variables describe (OPENAI_API_KEY, "
                            "RESEND_API_KEY + RESEND_FROM_EMAIL, TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN, ...), "
                            "with no manifest; see 'oneinbox-check init'")
    check.add_argument("--expand-env", action="store_true", help=_EXPAND_HELP)
    check.add_argument("--shard", type=_shard, metavar="I/N",
                       help="check only shard I of N (stable by integration name), to split a large manifest "
                            "across jobs")
    _add_run_options(check)

    reg = sub.add_parser("register", help="check, then create the healthy integrations in OneInbox",
                         description="Run the checks on PATH, then create each integration whose verdict is not "
                                     "fail/error (with --strict: only pass) through the OneInbox API. Names that "
                                     "already exist are skipped; what failed is never registered.",
                         epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    reg.add_argument("paths", nargs="+", metavar="PATH", help="manifest file (.json or .toml), or - for JSON on stdin")
    reg.add_argument("--oneinbox-key", metavar="KEY",
                     help="OneInbox API key (default: the ONEINBOX_API_KEY environment variable)")
    reg.add_argument("--dry-run", action="store_true", help="show what would be registered; create nothing")
    reg.add_argument("--expand-env", action="store_true", help=_EXPAND_HELP)
    _add_run_options(reg)

    drift = sub.add_parser("drift", help="compare the manifest with what OneInbox stores (creates nothing)",
                           description="Read every integration stored in OneInbox and report drift from the "
                                       "manifest: missing, orphan, duplicate, other provider, other key "
                                       "(drift.* checks). Exit 1 when anything drifted.",
                           epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    drift.add_argument("paths", nargs="+", metavar="PATH", help="manifest file (.json or .toml), or - for JSON on stdin")
    drift.add_argument("--oneinbox-key", metavar="KEY",
                       help="OneInbox API key (default: the ONEINBOX_API_KEY environment variable)")
    _add_run_options(drift)

    demo = sub.add_parser("demo", help="full run against the built-in sandbox (no keys, no network)",
                          epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_run_options(demo)

    dns_cmd = sub.add_parser("dns", help="check sending domains' email DNS (SPF, DKIM, MX, DMARC) without a key",
                             description="Run the dns.* checks for each DOMAIN with a provider's default layout: "
                                         "the pre-flight before adding a domain to Resend or SendGrid.",
                             epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    dns_cmd.add_argument("domains", nargs="+", metavar="DOMAIN", type=_domain)
    dns_cmd.add_argument("--provider", default="resend", metavar="NAME",
                         help="whose DNS layout to expect: an email provider such as resend or sendgrid "
                              "(default: resend)")
    dns_cmd.add_argument("--region", help="the provider's region, where its layout has them "
                                          "(Resend: the return-path MX; default: us-east-1)")
    dns_cmd.add_argument("--return-path", metavar="LABEL",
                         help="return-path subdomain label (Resend default: send; SendGrid: its emNNNN label)")
    dns_cmd.add_argument("--dkim-selector", metavar="SELECTOR",
                         help="DKIM selector (Resend default: resend; SendGrid: s1 and s2)")
    _add_run_options(dns_cmd)

    merge = sub.add_parser("merge", help="combine the JSON reports of shards (or runs) into one report",
                           description="Read JSON reports (--format json) and print one report with one exit "
                                       "code, as if one run had checked everything: shards of --shard I/N, or "
                                       "several runs (the newest row per integration is kept).",
                           epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    merge.add_argument("reports", nargs="+", metavar="REPORT.json")
    _add_output_options(merge)

    convert = sub.add_parser("convert", help="render a saved JSON report in another format (no probing)",
                             description="Render a report saved with --format json in another format; the exit "
                                         "code is the report's.",
                             epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    convert.add_argument("report_path", metavar="REPORT.json", help="a JSON report, or - for stdin")
    _add_output_options(convert)

    init = sub.add_parser("init", help="write a manifest skeleton for the keys set in the environment",
                          description="Write a TOML manifest with one integration per conventional variable that "
                                      "is set (OPENAI_API_KEY, ...), referring to it as ${NAME} — never the value.")
    init.add_argument("path", nargs="?", default="integrations.toml", metavar="PATH",
                      help="where to write it (default: integrations.toml; - for stdout)")
    init.add_argument("--env-file", metavar="FILE", help="also consider the variables of a dotenv FILE")
    init.add_argument("--force", action="store_true", help="replace PATH if it exists")
    init.add_argument("-q", "--quiet", action="store_true", help="print nothing on success; use the exit code")

    exporter = sub.add_parser("exporter", help="run the checks on a schedule and serve /metrics for Prometheus",
                              description="Check PATH every --interval and serve the latest results on /metrics "
                                          "(Prometheus) and /healthz, for a Deployment scraped directly. The "
                                          "manifest is read again for every run. Stops on SIGTERM.")
    exporter.add_argument("paths", nargs="+", metavar="PATH", help="manifest file (.json or .toml)")
    exporter.add_argument("--interval", default="15m", metavar="DURATION",
                          help="time between runs, e.g. 15m, 1h (default: 15m; ±10%% jitter)")
    exporter.add_argument("--min-interval", default="1m", metavar="DURATION",
                          help="runs never start closer together than this (default: 1m)")
    exporter.add_argument("--listen", default="127.0.0.1:9787", metavar="HOST:PORT",
                          help="address to serve /metrics and /healthz on (default: 127.0.0.1:9787; "
                               "0.0.0.0:9787 in a container)")
    _add_run_options(exporter)

    sub.add_parser("probes", help="list providers, their checks and default endpoints")

    schema = sub.add_parser("schema", help="print the JSON Schema of the report or the manifest")
    schema.add_argument("which", nargs="?", choices=("report", "manifest"), default="report")

    sandbox = sub.add_parser("sandbox", help="run the sandbox fakes")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND")
    serve = sandbox_sub.add_parser("serve", help="keep the fake providers and DNS responder running on loopback")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="HTTP port (default: any free port)")
    serve.add_argument("--dns-port", type=int, default=0, help="DNS port, UDP and TCP (default: any free port)")
    return parser


def _setup_logging(verbose: int) -> None:
    from .secrets import ScrubFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ScrubFilter())  # keys masked, control characters gone, one line per record
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("oneinbox_check")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    root.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from .errors import UsageError
    from .files import WriteError

    try:
        _setup_logging(getattr(args, "verbose", 0))
        if args.command == "check":
            return _cmd_check(args)
        if args.command == "demo":
            return _cmd_demo(args)
        if args.command == "register":
            return _cmd_register(args)
        if args.command == "drift":
            return _cmd_drift(args)
        if args.command == "dns":
            return _cmd_dns(args)
        if args.command == "merge":
            return _cmd_merge(args)
        if args.command == "convert":
            return _cmd_convert(args)
        if args.command == "init":
            return _cmd_init(args)
        if args.command == "exporter":
            return _cmd_exporter(args)
        if args.command == "probes":
            return _cmd_probes()
        if args.command == "schema":
            return _cmd_schema(args.which)
        if args.command == "sandbox":
            if args.sandbox_command != "serve":
                parser.parse_args(["sandbox", "--help"])
            from .sandbox.serve import serve

            return serve(args.host, args.port, args.dns_port)
    except UsageError as exc:
        error(exc)
        return EXIT_USAGE
    except WriteError as exc:
        error(exc)
        return EXIT_OUTPUT
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so without a traceback full of values
        from .secrets import scrub

        print(f"{PROG}: internal error: {type(exc).__name__}: {scrub(str(exc))[:300]}\n"
              "This is a bug; please report it (run with -vv for details).", file=sys.stderr)
        if getattr(args, "verbose", 0) > 1:
            import traceback

            print(scrub("".join(traceback.format_exception(exc))), file=sys.stderr)
        return EXIT_INTERNAL
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


def _output(args: argparse.Namespace) -> Any:
    """The output flags as the session's typed ``Output``."""
    from .outputs import Output

    inputs = [*(getattr(args, "paths", None) or []), *(getattr(args, "reports", None) or [])]
    if getattr(args, "report_path", None):
        inputs.append(args.report_path)
    return Output(format=args.format, path=args.output, reports=tuple(args.report), sort=args.sort,
                  quiet=args.quiet, verbose=args.verbose, no_color=args.no_color, strict=args.strict,
                  inputs=tuple(inputs))


def _options(args: argparse.Namespace) -> Any:
    """The run flags as the session's typed ``Options``."""
    from .endpoints import ENV_VAR
    from .session import Options

    return Options(
        offline=args.offline, strict=args.strict, only=tuple(args.only), skip=tuple(args.skip),
        concurrency=args.concurrency, dns_concurrency=args.dns_concurrency, timeout=args.timeout,
        retries=args.retries, endpoints=tuple(args.endpoint), endpoints_env=os.environ.get(ENV_VAR),
        nameservers=tuple(args.nameserver), handle_signals=True,
        probe_options={**{str(o["name"]): getattr(args, str(o["name"]), o["default"]) for o in _probe_options()},
                       "min_balance": getattr(args, "min_balance", [])},
        state=args.state, notify=tuple(args.notify), notify_always=args.notify_always, output=_output(args),
    )


def _source(args: argparse.Namespace) -> Any:
    """Where the command's entries come from, as the session's typed ``Source``."""
    from .session import Source

    return Source(paths=tuple(args.paths), from_env=getattr(args, "from_env", False),
                  expand_env=getattr(args, "expand_env", False), env_file=getattr(args, "env_file", None),
                  shard=getattr(args, "shard", None))


def _cmd_check(args: argparse.Namespace) -> int:
    from .session import execute, read

    return execute(read(_source(args)), _options(args)).exit_code


def _cmd_demo(args: argparse.Namespace) -> int:
    from .sandbox.demo import run_demo

    return run_demo(_options(args))


def _cmd_register(args: argparse.Namespace) -> int:
    from .oneinbox import register

    return register(_source(args), _options(args), oneinbox_key=args.oneinbox_key, dry_run=args.dry_run)


def _cmd_drift(args: argparse.Namespace) -> int:
    from .oneinbox import drift

    return drift(_source(args), _options(args), oneinbox_key=args.oneinbox_key)


def _cmd_dns(args: argparse.Namespace) -> int:
    from .progress import Progress
    from .session import dns

    progress = Progress(enabled=sys.stderr.isatty() and not args.quiet, total=len(args.domains))
    return dns(args.provider, args.domains, _options(args), region=args.region, return_path=args.return_path,
               selector=args.dkim_selector, progress=progress).exit_code


def _cmd_merge(args: argparse.Namespace) -> int:
    from .merge import load_report, merge
    from .session import emit_saved

    report = merge([load_report(p) for p in args.reports], strict=args.strict, version=_version())
    return emit_saved(report, _output(args))


def _cmd_convert(args: argparse.Namespace) -> int:
    from .merge import load_report
    from .session import emit_saved

    return emit_saved(load_report(args.report_path), _output(args))


def _cmd_init(args: argparse.Namespace) -> int:
    from .envsource import conventions, environment, skeleton
    from .errors import UsageError
    from .files import check_writable, write_output

    env = environment(args.env_file, os.environ)
    text = skeleton(env)
    found = [c.key for c in conventions() if env.get(c.key)]
    if args.path == "-":
        sys.stdout.write(text)
        return 0
    if os.path.lexists(args.path) and not args.force:
        raise UsageError(f"{args.path} exists; add --force to replace it, or name another PATH")
    check_writable(args.path, "init")
    write_output(args.path, text)
    what = (f"{len(found)} integration(s) from {', '.join(found)}" if found
            else "a commented template (none of the conventional variables is set)")
    if args.quiet:
        return 0
    print(f"wrote {args.path}: {what}. Check it with: {PROG} check {args.path}"
          + (f" --env-file {args.env_file}" if args.env_file else ""), file=sys.stderr)
    return 0


def _cmd_exporter(args: argparse.Namespace) -> int:
    """Scheduled runs served on /metrics and /healthz until SIGTERM (SPEC §9)."""
    import dataclasses

    from .errors import UsageError
    from .exporter import Exporter, parse_interval, parse_listen, serve
    from .session import check_and_record, read, run_options

    interval = parse_interval(args.interval)
    min_interval = parse_interval(args.min_interval, "--min-interval")
    listen = parse_listen(args.listen)
    unused = [flag for flag, given in (("--output", args.output), ("--report", args.report),
                                       ("--notify", args.notify)) if given]
    if unused:
        raise UsageError(f"the exporter serves its results on /metrics; {', '.join(unused)} does not apply")
    source = _source(args)
    options = dataclasses.replace(_options(args), handle_signals=False)  # the exporter's loop owns SIGTERM/SIGINT
    run_options(read(source), options)  # a bad manifest or flag stops before serving
    exporter = Exporter(lambda: check_and_record(source, options), interval=interval, min_interval=min_interval)
    return serve(exporter, listen, ready=lambda address: print(
        f"{PROG} exporter: serving http://{address}/metrics and /healthz; a run every {args.interval}",
        file=sys.stderr, flush=True))


def _cmd_probes() -> int:
    from .probes.registry import ONEINBOX, load_registry

    registry = load_registry()
    print(f"{'provider':<12} {'checks':<70} endpoints")
    for provider in sorted(registry.providers):
        probe = registry.get(provider)
        checks = ", ".join(["input.schema", "key.format", *probe.check_ids])
        eps = ", ".join(f"{k}={v}" for k, v in probe.endpoints.items()) or "-"
        print(f"{provider:<12} {checks:<70} {eps}")
    print(f"{'(register)':<12} {'creates integrations in OneInbox':<70} {'='.join(ONEINBOX)}")
    return 0


def _cmd_schema(which: str) -> int:
    import json

    from .jsonschemas import manifest_schema, report_schema

    schema = report_schema() if which == "report" else manifest_schema()
    print(json.dumps(schema, indent=2))
    return 0

"""Where a report goes: stdout or ``--output``, the extra ``--report FORMAT=FILE`` files, and the
checks that every file a run writes is writable and no input is overwritten (SPEC §13)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Output:
    """How the report of one run is rendered and written."""

    format: str = "table"
    path: str | None = None  # --output: the report goes to this file instead of stdout
    reports: Sequence[tuple[str, str]] = ()  # --report FORMAT=FILE: more formats from the same run
    sort: str = "severity"
    quiet: bool = False
    verbose: int = 0
    no_color: bool = False
    strict: bool = False  # a warn counts as a failure (shown so in the summary)
    inputs: Sequence[str] = ()  # files the run reads: never an output


def color_wanted(tty: bool, no_color_flag: bool, env: Mapping[str, str]) -> bool:
    """Colour on a terminal; ``FORCE_COLOR`` (non-empty) forces it when piped; ``--no-color`` and
    ``NO_COLOR`` (non-empty, https://no-color.org) always win."""
    if no_color_flag or env.get("NO_COLOR"):
        return False
    return tty or bool(env.get("FORCE_COLOR"))


def terminal_width() -> int:
    import shutil

    return max(20, shutil.get_terminal_size((120, 24)).columns)


def output_paths(output: Output, state: str | None = None) -> list[tuple[str, str]]:
    """(option, path) of every file this run writes (the ``--state`` file included when given)."""
    paths = [("--output", output.path)] if output.path else []
    paths += [("--report", path) for _fmt, path in output.reports]
    if state:
        paths.append(("--state", state))
    return paths


def check_outputs(output: Output, state: str | None = None) -> None:
    """Every output path writable, none written twice, none an input (SPEC §13) — before any request."""
    from .errors import UsageError
    from .files import check_writable

    def same_file(path: str) -> str | None:
        real = os.path.realpath(path)
        if os.path.exists(real) and not os.path.isfile(real):
            return None  # a device or FIFO (/dev/stdout): written in place, may be shared
        return real

    inputs = {same_file(p): p for p in [*output.inputs, "-"] if p != "-"}
    seen: dict[str, str] = {}
    for option, path in output_paths(output, state):
        check_writable(path, option)
        real = same_file(path)
        if real is None:
            continue
        if real in inputs:
            raise UsageError(f"{option} {path} is also an input ({inputs[real]}): it would be overwritten")
        if real in seen:
            raise UsageError(f"{option} {path} is also written by {seen[real]}: give each output its own file")
        seen[real] = f"{option} {path}"


def emit(output: Output, report: Any) -> list[str]:
    """Print or write the report; returns what could not be written (the run still counts)."""
    from .files import WriteError, write_output
    from .report import render
    from .report.json import stream

    stdout_tty = sys.stdout.isatty()
    color = color_wanted(stdout_tty, output.no_color, os.environ)
    terminal = (stdout_tty or color) and output.path is None
    text: str | Iterator[str]
    if output.format == "json":  # in pieces, one integration at a time (never held whole)
        text = stream(report)
    else:
        text = render(report, output.format, rich=terminal and output.format == "table",
                      color=color and output.path is None, verbose=output.verbose > 0, strict=output.strict,
                      sort=output.sort, width=terminal_width() if stdout_tty else 120)
    failures: list[str] = []
    if output.path:
        try:
            write_output(output.path, text)
        except WriteError as exc:
            failures.append(str(exc))
        if not output.quiet and (output.format != "table" or failures):
            from .report.table import summary_line

            print(summary_line(report), file=sys.stderr)
    elif not output.quiet:
        try:
            sys.stdout.writelines([text] if isinstance(text, str) else text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            failures.append(f"cannot write the report to stdout: {exc.strerror or exc}")
    for fmt, path in output.reports:  # more formats from the same run
        extra: str | Iterator[str] = stream(report) if fmt == "json" else render(
            report, fmt, rich=False, color=False, verbose=output.verbose > 0, strict=output.strict,
            sort=output.sort, width=120)
        try:
            write_output(path, extra)
        except WriteError as exc:
            failures.append(str(exc))
    return failures

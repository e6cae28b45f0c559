"""``--format table``: one row per integration with its verdict, the failing
checks' summaries and fixes, and a summary line.

Rich renders it (colour only when asked for); piped output gets plain text of
the same content. Everything a provider or the input may have written (names,
summaries, fixes) is cleaned first: no escape sequence reaches the terminal,
and a name or summary cannot start a line of its own (SPEC §13).
"""

from __future__ import annotations

import io

from ..models import IntegrationReport, Report, Status
from ..secrets import clean

_STYLE = {Status.FAIL: "bold red", Status.ERROR: "bold magenta", Status.WARN: "yellow",
          Status.PASS: "green", Status.SKIP: "dim"}
_LABEL = {Status.FAIL: "FAIL", Status.ERROR: "ERROR", Status.WARN: "WARN", Status.PASS: "PASS", Status.SKIP: "SKIP"}


def notable(integration: IntegrationReport, verbose: bool) -> list:
    """Verbose: every check. Otherwise what needs attention: fail, error, warn, and
    skips that say how to enable the check (e.g. a missing Azure region)."""
    if verbose:
        return list(integration.checks)
    shown = {Status.FAIL, Status.ERROR, Status.WARN}
    checks = [c for c in integration.checks if c.status in shown or (c.status == Status.SKIP and c.remediation)]
    return sorted(checks, key=lambda c: -c.status.severity)


def summary_line(report: Report) -> str:
    s = report.summary
    parts = [f"{s.integrations} integration{'s' if s.integrations != 1 else ''}"]
    for status, count in (("pass", s.pass_), ("warn", s.warn), ("fail", s.fail), ("error", s.error), ("skip", s.skip)):
        if count:
            parts.append(f"{count} {status}")
    verdict = {0: "OK", 1: "FAILED", 3: "INDETERMINATE (retry later)", 130: "INTERRUPTED"}.get(report.exit_code, "")
    return f"{verdict}: " + ", ".join(parts) + f" in {report.duration_ms / 1000:.1f}s (exit {report.exit_code})"


def changed(report: Report) -> list[IntegrationReport]:
    """Integrations that are new or whose verdict changed since the last run (``--state``)."""
    return [i for i in report.integrations if i.change in ("degraded", "recovered", "new")]


def one_line(text: str) -> str:
    return clean(text, newlines=False)


def changes(report: Report) -> list[str]:
    return [f"{i.change.upper():<9} {one_line(i.name)} ({one_line(i.provider)}): "  # type: ignore[union-attr]
            f"now {i.status.value}" for i in changed(report)]


def render_plain(report: Report, verbose: bool = False) -> str:
    lines = []
    changed = changes(report)
    if changed:
        lines += ["Changes since the last run:", *(f"  {c}" for c in changed), ""]
    for integ in report.integrations:
        key = f" {one_line(integ.masked_key)}" if integ.masked_key else ""
        change = f" [{integ.change}]" if integ.change else ""
        lines.append(f"{_LABEL[integ.status]:<5}  {one_line(integ.name)} ({one_line(integ.provider)}{key}){change}")
        for c in notable(integ, verbose):
            lines.append(f"       {c.status.value:<5} {one_line(c.id)}: {one_line(c.summary)}")
            if c.remediation and c.status != Status.PASS:
                label = "fix" if c.status != Status.SKIP else "hint"
                lines.append(f"             {label}: " + clean(c.remediation).replace("\n", "\n                   "))
    lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render(report: Report, *, color: bool = False, rich: bool = False, width: int = 120,
           verbose: bool = False, **_: object) -> str:
    if not rich:
        return render_plain(report, verbose)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, expand=False)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Integration")
    table.add_column("Findings")
    for integ in report.integrations:
        name = Text(one_line(integ.name), style="bold")
        name.append(f"\n{one_line(integ.provider)}" + (f" {one_line(integ.masked_key)}" if integ.masked_key else ""),
                    style="dim")
        if integ.change:
            name.append(f"\n{integ.change}", style="cyan")
        findings = Text()
        for c in notable(integ, verbose):
            if findings:
                findings.append("\n")
            findings.append(f"{c.status.value} ", style=_STYLE[c.status])
            findings.append(f"{one_line(c.id)}: ", style="bold")
            findings.append(one_line(c.summary))
            if c.remediation and c.status != Status.PASS:
                findings.append(f"\n  → {clean(c.remediation)}", style="italic")
        if not findings:
            findings.append("all checks passed" if integ.status == Status.PASS else "nothing to report", style="dim")
        table.add_row(Text(_LABEL[integ.status], style=_STYLE[integ.status]), name, findings)
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    changed = changes(report)
    if changed:
        console.print("Changes since the last run:", style="bold")
        for line in changed:
            console.print(Text(f"  {line}", style="cyan"))  # Text: a name is never read as markup
    console.print(table)
    console.print(Text(summary_line(report), style=_STYLE.get(_worst(report), "")))
    return buf.getvalue()


def _worst(report: Report) -> Status:
    return Status.worst(i.status for i in report.integrations)

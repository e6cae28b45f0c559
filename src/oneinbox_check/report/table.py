"""``--format table``: one row per integration with its verdict, the failing
checks' summaries and fixes, and a summary line.

Rich renders it on a terminal (colour only when asked for); piped output gets
plain text of the same content. Everything a provider or the input may have
written (names, summaries, fixes) is cleaned first: no escape sequence reaches
the terminal, and a name or summary cannot start a line of its own (SPEC §13).

What a user must copy is never cut: DNS records named in a fix (SPF, DKIM
``p=`` keys, MX hosts, DMARC) are printed in full, one per line, in a
"records to publish" block, and the table is only used when every word fits
its column — on a narrow terminal the same content is stacked, and a word
longer than the line is left whole for the terminal to wrap. Rows come worst
first (fail, error, warn, pass, skip; ``sort="manifest"`` keeps file order),
and integrations failing identically (one revoked key in twenty entries) share
one row with a count.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..models import CheckResult, IntegrationReport, Report, Status
from ..secrets import clean
from .interface import RenderOptions, Sort

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

_STYLE = {Status.FAIL: "bold red", Status.ERROR: "bold magenta", Status.WARN: "yellow",
          Status.PASS: "green", Status.SKIP: "dim"}
_LABEL = {Status.FAIL: "FAIL", Status.ERROR: "ERROR", Status.WARN: "WARN", Status.PASS: "PASS", Status.SKIP: "SKIP"}
GROUP_NAMES_SHOWN = 8  # a group row names this many integrations, then "+N more"

# DNS records a fix asks the user to publish; the value is printed whole in "records to publish"
_RECORDS = (
    re.compile(r'Add an? (?P<type>TXT|CNAME) record at (?P<name>[^\s:]+): "(?P<value>[^"]+)"'),
    re.compile(r'Add an? (?P<type>MX) record at (?P<name>[^\s:]+): (?P<value>\d+ [^\s;]+?)(?=\.?(?:\s|$))'),
    re.compile(r'(?P<type>TXT|CNAME) record (?P<name>[^\s:]+) with value (?P<value>.+?)(?=; the |\.?$)'),
)


def notable(integration: IntegrationReport, verbose: bool) -> list:
    """Verbose: every check. Otherwise what needs attention: fail, error, warn, and
    skips that say how to enable the check (e.g. a missing Azure region)."""
    if verbose:
        return list(integration.checks)
    shown = {Status.FAIL, Status.ERROR, Status.WARN}
    checks = [c for c in integration.checks if c.status in shown or (c.status == Status.SKIP and c.remediation)]
    return sorted(checks, key=lambda c: -c.status.severity)


def ordered(integrations: list[IntegrationReport], sort: Sort = "severity") -> list[IntegrationReport]:
    """Worst first (fail, error, warn, pass, skip), stable within a verdict; ``manifest``: as given."""
    if sort == "manifest":
        return list(integrations)
    return sorted(integrations, key=lambda i: -i.status.severity)


@dataclass
class Group:
    """Integrations shown as one row: one, or several that failed identically."""

    members: list[IntegrationReport] = field(default_factory=list)

    @property
    def first(self) -> IntegrationReport:
        return self.members[0]


def _signature(integ: IntegrationReport, verbose: bool) -> tuple | None:
    if integ.status not in (Status.FAIL, Status.ERROR) or integ.change:
        return None  # only failures group; a changed entry keeps its own row
    return (integ.status, integ.provider, integ.masked_key,
            tuple((c.id, c.status, c.summary, c.remediation) for c in notable(integ, verbose)))


def grouped(report: Report, verbose: bool = False, sort: Sort = "severity") -> list[Group]:
    """Rows in display order; identical failures (same provider, key and findings) share a row."""
    groups: list[Group] = []
    by_signature: dict[tuple, Group] = {}
    for integ in ordered(report.integrations, sort):
        sig = _signature(integ, verbose)
        if sig is not None and sig in by_signature:
            by_signature[sig].members.append(integ)
            continue
        group = Group([integ])
        groups.append(group)
        if sig is not None:
            by_signature[sig] = group
    return groups


def group_title(group: Group) -> str:
    """The row's name: the integration's, or "N integrations: a, b, … +M more"."""
    if len(group.members) == 1:
        return one_line(group.first.name)
    names = [one_line(m.name) for m in group.members]
    shown = ", ".join(names[:GROUP_NAMES_SHOWN])
    more = f" +{len(names) - GROUP_NAMES_SHOWN} more" if len(names) > GROUP_NAMES_SHOWN else ""
    return f"{len(names)} integrations, same findings: {shown}{more}"


@dataclass
class Records:
    """DNS records to publish, numbered in the order they are first named."""

    items: list[tuple[str, str, str]] = field(default_factory=list)
    keep: bool = False  # leave the values inline (plain text, where no line is wrapped)

    def take(self, text: str) -> str:
        """*text* with each record value replaced by a reference to its line below."""
        if self.keep:
            return text
        for pattern in _RECORDS:
            def swap(m: re.Match[str]) -> str:
                item = (m["type"], m["name"], m["value"])
                if item not in self.items:
                    self.items.append(item)
                ref = f"[record {self.items.index(item) + 1} below]"
                start, end = m.start("value") - m.start(), m.end("value") - m.start()
                whole = m.group(0)
                if whole[start - 1:start] == '"' and whole[end:end + 1] == '"':
                    start, end = start - 1, end + 1
                return whole[:start] + ref + whole[end:]
            text = pattern.sub(swap, text)
        return text

    def lines(self) -> list[str]:
        out = []
        for n, (rtype, name, value) in enumerate(self.items, 1):
            out += [f"[{n}] {rtype} {name}", f"    {value}"]
        return out


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


def _fix(c: CheckResult, records: Records) -> str | None:
    if not c.remediation or c.status == Status.PASS:
        return None
    return records.take(clean(c.remediation))


def _subtitle(integ: IntegrationReport) -> str:
    return one_line(integ.provider) + (f" {one_line(integ.masked_key)}" if integ.masked_key else "")


STACK_BELOW = 80  # columns: a narrower terminal gets the stacked layout, not a table
RECORDS_TITLE = "Records to publish (each value in full, on one line):"


def render_plain(report: Report, verbose: bool = False, sort: Sort = "severity") -> str:
    """Plain text (piped, files): nothing wraps a line, so every value stays inline and whole."""
    lines = []
    records = Records(keep=True)
    changed = changes(report)
    if changed:
        lines += ["Changes since the last run:", *(f"  {c}" for c in changed), ""]
    for group in grouped(report, verbose, sort):
        integ = group.first
        change = f" [{integ.change}]" if integ.change else ""
        lines.append(f"{_LABEL[integ.status]:<5}  {group_title(group)} ({_subtitle(integ)}){change}")
        for c in notable(integ, verbose):
            lines.append(f"       {c.status.value:<5} {one_line(c.id)}: {one_line(c.summary)}")
            fix = _fix(c, records)
            if fix:
                label = "fix" if c.status != Status.SKIP else "hint"
                lines.append(f"             {label}: " + fix.replace("\n", "\n                   "))
    if records.items:
        lines += ["", RECORDS_TITLE, *records.lines()]
    lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render(report: Report, options: RenderOptions) -> str:
    """Plain text, or with ``options.rich`` the terminal layout in ``options.width`` columns."""
    color, width, verbose, sort = options.color, options.width, options.verbose, options.sort
    if not options.rich:
        return render_plain(report, verbose, sort)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False,
                      color_system="standard" if color else None)
    records = Records()
    rows = []
    for group in grouped(report, verbose, sort):
        integ = group.first
        name = Text(group_title(group), style="bold")
        sub = Text(_subtitle(integ), style="dim")
        findings = Text()
        for c in notable(integ, verbose):
            if findings:
                findings.append("\n")
            findings.append(f"{c.status.value} ", style=_STYLE[c.status])
            findings.append(f"{one_line(c.id)}: ", style="bold")
            findings.append(one_line(c.summary))
            fix = _fix(c, records)
            if fix:
                findings.append(f"\n  → {fix}", style="italic")
        if not findings:
            findings.append("all checks passed" if integ.status == Status.PASS else "nothing to report", style="dim")
        rows.append((Text(_LABEL[integ.status], style=_STYLE[integ.status]), name, sub, integ.change, findings))

    cells = []
    for label, name, sub, change, findings in rows:
        cell = name.copy()
        cell.append("\n")
        cell.append_text(sub)
        if change:
            cell.append(f"\n{change}", style="cyan")
        cells.append((label, cell, findings))
    # explicit widths: 3 columns (padding 2 each) and 4 borders take 10, the verdict 7
    room = width - 17
    longest_name = max((_longest_word(c.plain) for _, c, _ in cells), default=0)
    widest_name = max((len(line) for _, c, _ in cells for line in c.plain.split("\n")), default=0)
    name_w = min(widest_name, max(longest_name, room * 3 // 10))
    findings_w = room - name_w
    fits = (width >= STACK_BELOW and longest_name <= name_w
            and max((_longest_word(f.plain) for _, _, f in cells), default=0) <= findings_w)
    table = Table(show_lines=True, expand=False)
    table.add_column("Verdict", no_wrap=True, width=7)
    table.add_column("Integration", width=name_w, overflow="fold")
    table.add_column("Findings", width=findings_w, overflow="fold")
    for label, cell, findings in cells:
        table.add_row(label, cell, findings)
    changed = changes(report)
    if changed:
        console.print("Changes since the last run:", style="bold")
        for line in changed:
            console.print(Text(f"  {line}", style="cyan"))  # Text: a name is never read as markup
    # the table only when no word has to be cut to fit; otherwise the same content, stacked
    if fits:
        console.print(table)
    else:
        for label, name, sub, change, findings in rows:
            head = label.copy()
            head.append("  ")
            head.append_text(name)
            head.append(" (")
            head.append_text(sub)
            head.append(")")
            if change:
                head.append(f" [{change}]", style="cyan")
            _print_wrapped(console, head, width, 0, 6)
            for part in findings.split("\n"):
                _print_wrapped(console, part, width, 2, 4)
            console.print()
    if records.items:
        if fits:
            console.print()
        console.print(RECORDS_TITLE, style="bold")
        for line in records.lines():
            console.print(Text(line), soft_wrap=True)  # never broken by rich: copy it whole
    console.print(Text(summary_line(report), style=_STYLE.get(_worst(report), "")))
    return buf.getvalue()


def _print_wrapped(console: Console, text: Text, width: int, indent: int, hanging: int) -> None:
    """*text* wrapped at spaces to *width*; a word longer than the line stays whole (the terminal wraps it)."""
    from rich.text import Text

    text = text.copy()
    text.overflow = "ignore"
    for n, line in enumerate(text.wrap(console, max(10, width - hanging))):
        out = Text(" " * (indent if n == 0 else hanging))
        line.rstrip()  # in place: no trailing space before the line ends
        out.append_text(line)
        console.print(out, crop=False, no_wrap=True, overflow="ignore")


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def _worst(report: Report) -> Status:
    return Status.worst(i.status for i in report.integrations)

"""``--format markdown``: for a CI job summary or a pull-request comment.
Changes since the last run (``--state``) come first."""

from __future__ import annotations

import html

from ..models import Report, Status
from ..secrets import clean
from .interface import RenderOptions
from .table import changed, notable, ordered, summary_line

ICON = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.ERROR: "❔", Status.SKIP: "⏭️"}


def _cell(text: str) -> str:
    """Provider text inside a table cell: no control characters, no HTML, no
    links or images (a PR comment must not load what a server chose)."""
    text = html.escape(clean(text), quote=False)
    for char in "\\|[]`":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "<br>")


def render(report: Report, options: RenderOptions) -> str:
    """Rows worst first (fail, error, warn, pass, skip); ``sort="manifest"`` keeps file order."""
    out = [f"## oneinbox-check: {summary_line(report)}", ""]
    if changed(report):
        out += ["### Changes since the last run", ""]
        out += [f"- **{_cell(i.name)}** ({_cell(i.provider)}): {i.change}, now {ICON[i.status]} {i.status.value}"
                for i in changed(report)]
        out.append("")
    out += ["| | Integration | Provider | Findings |", "|---|---|---|---|"]
    for integ in ordered(report.integrations, options.sort):
        findings = []
        for c in notable(integ, options.verbose):
            line = f"{ICON[c.status]} `{_cell(c.id)}`: {_cell(c.summary)}"
            if c.remediation and c.status != Status.PASS:
                line += f"<br>→ {_cell(c.remediation)}"
            findings.append(line)
        key = f" `{_cell(integ.masked_key)}`" if integ.masked_key else ""
        out.append(f"| {ICON[integ.status]} | {_cell(integ.name)} | {_cell(integ.provider)}{key} | "
                   f"{'<br>'.join(findings) or 'all checks passed'} |")
    return "\n".join(out) + "\n"

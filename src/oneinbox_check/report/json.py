"""``--format json``: the Report model as JSON (SPEC §11)."""

from __future__ import annotations

from ..models import Report


def render(report: Report, **_: object) -> str:
    return report.to_json(indent=2) + "\n"

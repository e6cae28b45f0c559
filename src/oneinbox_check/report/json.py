"""``--format json``: the Report model as JSON (SPEC §11)."""

from __future__ import annotations

import json

from ..models import Report


def render(report: Report, **_: object) -> str:
    try:
        return report.to_json(indent=2) + "\n"
    except ValueError:  # a lone surrogate pydantic cannot encode: same layout, replaced by render()
        data = report.model_dump(mode="json", by_alias=True, exclude_none=True)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

"""``--format json``: the Report model as JSON (SPEC §11).

:func:`render` gives the whole text; :func:`stream` gives the same text in
pieces, one integration at a time, each scrubbed on its own, so a large
report is never held twice (a scrubbed copy of every result, then one giant
string) while it is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..models import Report
from .interface import RenderOptions

_EMPTY_TAIL = '"integrations": []\n}'
_NO_CHECKS = '"checks": []\n}'


def _dump(model: Any) -> str:
    try:
        return model.model_dump_json(indent=2, by_alias=True, exclude_none=True)  # type: ignore[no-any-return]
    except ValueError:  # a lone surrogate pydantic cannot encode: same layout, replaced by render()
        data = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        return json.dumps(data, indent=2, ensure_ascii=False)


def render(report: Report, options: RenderOptions) -> str:
    return _dump(report) + "\n"


def stream(report: Report) -> Iterator[str]:
    """The text ``render`` gives for the scrubbed report (``report.render(report, "json")``),
    byte for byte, in pieces: the report's own fields, then each integration
    scrubbed, dumped and indented as pydantic nests it, then the closing brackets."""
    from . import scrubbed

    memo: dict[str, str] = {}
    head = _dump(scrubbed(report.model_copy(update={"integrations": []}), memo))
    if not report.integrations or not head.endswith(_EMPTY_TAIL):
        yield head + "\n" if not report.integrations else _dump(scrubbed(report)) + "\n"
        return
    yield head[: -len("[]\n}")] + "[\n"
    checks: dict[int, str] = {}
    for i, item in enumerate(report.integrations):
        text = _integration(item, memo, checks)
        yield ("    " if i == 0 else ",\n    ") + text.replace("\n", "\n    ")
    yield "\n  ]\n}\n"


def _integration(item: Any, memo: dict[str, str], checks: dict[int, str]) -> str:
    """One integration's text, as pydantic nests it; each shared check (a detail-less
    result, one instance for many integrations) is scrubbed and dumped once per stream."""
    from . import scrubbed

    if not item.checks:
        return _dump(scrubbed(item, memo))
    shell = _dump(scrubbed(item.model_copy(update={"checks": []}), memo))
    if not shell.endswith(_NO_CHECKS):
        return _dump(scrubbed(item, memo))
    parts = []
    for check in item.checks:
        text = checks.get(id(check)) if check.details is None else None  # ids of objects the report holds
        if text is None:
            text = "    " + _dump(scrubbed(check, memo)).replace("\n", "\n    ")
            if check.details is None:
                checks[id(check)] = text
        parts.append(text)
    return shell[: -len("[]\n}")] + "[\n" + ",\n".join(parts) + "\n  ]\n}"

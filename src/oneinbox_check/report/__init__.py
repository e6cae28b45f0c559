"""Output formats: one module per format, each a pure function of the Report.

``Format(name).to_format()`` returns the module's ``render(report, **opts) -> str``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from importlib import import_module
from typing import Any


class Format(str, Enum):
    TABLE = "table"
    JSON = "json"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    PROMETHEUS = "prometheus"

    def to_format(self) -> Callable[..., str]:
        return import_module(f".{self.value}", __name__).render  # type: ignore[no-any-return]


def names() -> list[str]:
    return [f.value for f in Format]


def render(report: Any, fmt: str, **options: Any) -> str:
    """The report in *fmt*. Every string of the report is scrubbed once more
    first (field by field, so no format's syntax is touched): whatever a format
    shows, no registered key leaves, and every text is valid UTF-8."""
    return Format(fmt).to_format()(scrubbed(report), **options)


def scrubbed(report: Any, memo: dict[str, str] | None = None) -> Any:
    """A copy of *report* with every string passed through :func:`~oneinbox_check.secrets.scrub`.

    Each distinct string is scrubbed once (field names, statuses and summaries
    repeat across integrations); *memo* carries that across calls made for one
    render (:func:`.json.stream` scrubs one integration at a time).
    """
    from ..secrets import scrub

    seen: dict[str, str] = {} if memo is None else memo

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            done = seen.get(value)
            if done is None:
                if len(seen) >= 50_000:  # bounded: a huge report's unique names do not pile up
                    seen.clear()
                done = seen[value] = scrub(value)
            return done
        if isinstance(value, dict):
            return {walk(k): walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return type(report).model_validate(walk(report.model_dump(by_alias=True)))

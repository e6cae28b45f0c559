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
    """The report in *fmt*, scrubbed once more as a whole: whatever a format
    shows, no registered key leaves, and the text is always valid UTF-8."""
    from ..secrets import scrub

    return scrub(Format(fmt).to_format()(report, **options))

"""The render contract: what a format is, the options it may read, and the list of formats.

A format is a module of this package with ``render(report, options) -> str``:
a pure function of the :class:`~oneinbox_check.models.Report` and a
:class:`RenderOptions` (no I/O, no network, no probe). The command line's
``--format``, ``--report FORMAT=FILE`` and ``convert --format`` choices come
from :class:`Format`, so adding a format is its module, its test and one line
here.

This module stays cheap to import (no pydantic, no rich): the argument parser
reads it for ``--help``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from importlib import import_module
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from ..models import Report

Sort = Literal["severity", "manifest"]
SORTS: tuple[Sort, ...] = ("severity", "manifest")
"""Row orders: worst first (fail, error, warn, pass, skip), or as in the manifest."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Everything a format may take into account besides the report itself.

    A format reads the fields that concern it and ignores the rest; there is
    no other channel (an option a format needs is a field here)."""

    width: int = 120
    """Columns available (the rich table lays itself out in them)."""
    color: bool = False
    """ANSI colour (rich table only)."""
    rich: bool = False
    """The table drawn for a terminal (rich) instead of plain text that never wraps a line."""
    verbose: bool = False
    """Every check, not only those that need attention (table, markdown)."""
    strict: bool = False
    """A warn counts as a failure (junit: a ``<failure>``)."""
    sort: Sort = "severity"
    """Row order (table, markdown); see :data:`SORTS`."""

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")


class Formatter(Protocol):
    """A format's ``render``."""

    def __call__(self, report: Report, options: RenderOptions, /) -> str: ...


class Format(str, Enum):
    """The formats: each value is the name users type and the module of this package that renders it."""

    TABLE = "table"
    JSON = "json"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    PROMETHEUS = "prometheus"

    def to_format(self) -> Formatter:
        module = import_module(f"{__package__}.{self.value}")
        return module.render  # type: ignore[no-any-return]


FORMATS: tuple[str, ...] = tuple(f.value for f in Format)
"""Format names in the order ``--help`` lists them."""


def names() -> list[str]:
    return list(FORMATS)

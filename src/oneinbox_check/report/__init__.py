"""Output formats: one module per format, each a pure function of the Report.

The contract (``render(report, options)``, :class:`~.interface.RenderOptions`)
and the list of formats are in :mod:`.interface`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .interface import Format, RenderOptions


def render(report: Any, fmt: str, options: RenderOptions | None = None, /, **changes: Any) -> str:
    """The report in *fmt*. *changes* are :class:`RenderOptions` fields set on top of
    *options* (an unknown name is a ``TypeError``, not silently ignored).

    Every string of the report is scrubbed once more first (field by field, so
    no format's syntax is touched): whatever a format shows, no registered key
    leaves, and every text is valid UTF-8."""
    opts = replace(options or RenderOptions(), **changes)
    return Format(fmt).to_format()(scrubbed(report), opts)


def scrubbed(report: Any, memo: dict[str, str] | None = None) -> Any:
    """A copy of *report* with every string passed through :func:`~oneinbox_check.secrets.scrub`.

    Each distinct string is scrubbed once (field names, statuses and summaries
    repeat across integrations); *memo* carries that across calls made for one
    render (:func:`.json.stream` scrubs one integration at a time).
    """
    from ..secrets import scrub

    seen: dict[str, str] = {} if memo is None else memo
    return type(report).model_validate(_walk(report.model_dump(by_alias=True), seen, scrub))


def _walk(value: Any, seen: dict[str, str], scrub: Any) -> Any:
    """*value* with every string scrubbed (a module function, not a closure calling itself:
    that would be a reference cycle per call, left to the cyclic collector)."""
    if isinstance(value, str):
        done = seen.get(value)
        if done is None:
            if len(seen) >= 50_000:  # bounded: a huge report's unique names do not pile up
                seen.clear()
            done = seen[value] = scrub(value)
        return done
    if isinstance(value, dict):
        return {_walk(k, seen, scrub): _walk(v, seen, scrub) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, seen, scrub) for v in value]
    return value

"""Saved JSON reports: read one back (``convert``) and combine several (``merge``).

A fleet split with ``--shard I/N`` over parallel jobs writes one JSON report
per shard; ``merge`` turns them into one report with one exit code, as if one
run had checked everything. The same integration (name + provider) in several
reports — several runs of one shard — keeps the row of the most recent run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from .errors import UsageError
from .models import SCHEMA_VERSION, IntegrationReport, Report, Status, Summary, ToolInfo

#: A saved report larger than this is refused rather than read into memory.
MAX_REPORT_BYTES = 256 * 1024 * 1024


def load_report(path: str) -> Report:
    """A report written by ``--format json`` (usage error, exit 2, for anything else)."""
    import json

    from pydantic import ValidationError

    try:
        if path == "-":
            import sys

            data = sys.stdin.buffer.read(MAX_REPORT_BYTES + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_REPORT_BYTES:
        raise UsageError(f"{path}: larger than {MAX_REPORT_BYTES // (1024 * 1024)} MiB; not a report this tool wrote")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UsageError(f"{path}: not a JSON report ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or "integrations" not in doc:
        raise UsageError(f"{path}: not a oneinbox-check JSON report (write one with --format json)")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise UsageError(f"{path}: report schema_version {doc.get('schema_version')!r}; "
                         f"this version reads {SCHEMA_VERSION!r}")
    try:
        report = Report.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{path}: not a valid report: {where}: {first['msg']}") from None
    for i, integ in enumerate(report.integrations):  # a verdict is its worst check: anything else was edited
        if integ.checks and integ.status != Status.worst(c.status for c in integ.checks):
            raise UsageError(f"{path}: not a valid report: integrations.{i} ({integ.name!r}) is "
                             f"{integ.status.value}, but its worst check is "
                             f"{Status.worst(c.status for c in integ.checks).value}")
    return report


def summarise(integrations: Sequence[IntegrationReport]) -> Summary:
    summary = Summary(integrations=len(integrations))
    for integ in integrations:
        attr = "pass_" if integ.status == Status.PASS else integ.status.value
        setattr(summary, attr, getattr(summary, attr) + 1)
    return summary


def merge(reports: Sequence[Report], *, strict: bool = False, version: str) -> Report:
    """One report from several: rows in input order, the newest row per name + provider."""
    from .runner import exit_code

    if not reports:
        raise UsageError("merge needs at least one report")
    chosen: dict[tuple[str, str], tuple[Report, IntegrationReport]] = {}
    for report in reports:
        for integ in report.integrations:
            ident = (integ.name, integ.provider)
            if ident not in chosen or report.started_at >= chosen[ident][0].started_at:
                chosen[ident] = (report, integ)
    rows = [integ for _, integ in chosen.values()]
    start = min(r.started_at for r in reports)
    end = max(r.started_at + timedelta(milliseconds=r.duration_ms) for r in reports)
    interrupted = any(r.exit_code == 130 for r in reports)
    return Report(
        tool=ToolInfo(version=version), started_at=start,
        duration_ms=int((end - start) / timedelta(milliseconds=1)),
        exit_code=exit_code([i.status for i in rows], strict=strict, interrupted=interrupted),
        summary=summarise(rows), integrations=rows,
    )

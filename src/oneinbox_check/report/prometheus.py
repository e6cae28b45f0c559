"""``--format prometheus``: the node_exporter textfile-collector format (SPEC §9),
and the metric families the exporter serves — one definition for both.

- ``oneinbox_check_status{integration,provider,check}``: 0 pass, 1 warn,
  2 fail, 3 error, 4 skip. A check id that occurs twice for one integration
  (one Cal.com check per tool) is exported once, with its worst status, since
  a series may appear only once.
- ``oneinbox_check_integration_ok{integration,provider}``: 1 on pass/warn/skip,
  0 on fail/error — the series to alert on.
- ``oneinbox_check_changes{integration,provider,change}`` with ``--state``
  (``change`` is new/unchanged/degraded/recovered, plus a ``rotated`` series
  when the key changed).
- ``oneinbox_check_last_run_timestamp_seconds``, ``oneinbox_check_duration_seconds``,
  ``oneinbox_check_exit_code``.

The text is written by prometheus_client (escaping, format); the file itself by
``files.write_output`` (symlinks and devices handled per SPEC §13), not by
``prometheus_client.write_to_textfile``, which would replace a symlink.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..models import Report, Status
from ..secrets import clean
from .interface import RenderOptions

VALUE = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2, Status.ERROR: 3, Status.SKIP: 4}


def _label(value: str) -> str:
    return clean(value, newlines=False)


def families(report: Report) -> list[Any]:
    """The report as prometheus_client metric families."""
    from prometheus_client.core import GaugeMetricFamily

    status = GaugeMetricFamily("oneinbox_check_status", "Check status: 0 pass, 1 warn, 2 fail, 3 error, 4 skip.",
                               labels=["integration", "provider", "check"])
    ok = GaugeMetricFamily("oneinbox_check_integration_ok",
                           "1 when the integration's verdict is pass, warn or skip; 0 on fail or error.",
                           labels=["integration", "provider"])
    changes = GaugeMetricFamily("oneinbox_check_changes",
                                "1 for the integration's change since the last run (--state).",
                                labels=["integration", "provider", "change"])
    for integ in report.integrations:
        name, provider = _label(integ.name), _label(integ.provider)
        worst: dict[str, Status] = {}
        for check in integ.checks:
            if check.id not in worst or check.status.severity > worst[check.id].severity:
                worst[check.id] = check.status
        for check_id, st in worst.items():
            status.add_metric([name, provider, _label(check_id)], VALUE[st])
        ok.add_metric([name, provider], 0 if integ.status in (Status.FAIL, Status.ERROR) else 1)
        if integ.change:
            changes.add_metric([name, provider, integ.change], 1)
        if integ.rotated:
            changes.add_metric([name, provider, "rotated"], 1)
    out = [status, ok]
    if changes.samples:
        out.append(changes)
    out += [
        GaugeMetricFamily("oneinbox_check_last_run_timestamp_seconds", "When the last run started (Unix time).",
                          value=report.started_at.timestamp()),
        GaugeMetricFamily("oneinbox_check_duration_seconds", "How long the last run took.",
                          value=report.duration_ms / 1000),
        GaugeMetricFamily("oneinbox_check_exit_code",
                          "The last run's exit code (0 ok, 1 fail, 3 indeterminate, 130 interrupted).",
                          value=report.exit_code),
    ]
    return out


class _Collector:
    def __init__(self, report: Report):
        self.report = report

    def collect(self) -> Iterator[Any]:
        yield from families(self.report)


def render(report: Report, options: RenderOptions) -> str:
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(report))  # type: ignore[arg-type]
    return generate_latest(registry).decode("utf-8")

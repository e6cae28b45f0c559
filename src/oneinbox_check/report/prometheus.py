"""``--format prometheus``: the node_exporter textfile-collector format (SPEC §9).

``oneinbox_check_status{integration,provider,check}`` is 0 pass, 1 warn,
2 fail, 3 error, 4 skip. A check id that occurs twice for one integration
(one Cal.com check per tool) is reported once, with its worst status, since a
series may appear only once.
"""

from __future__ import annotations

from ..models import Report, Status

VALUE = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2, Status.ERROR: 3, Status.SKIP: 4}


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(report: Report, **_: object) -> str:
    lines = [
        "# HELP oneinbox_check_status Check status: 0 pass, 1 warn, 2 fail, 3 error, 4 skip.",
        "# TYPE oneinbox_check_status gauge",
    ]
    for integ in report.integrations:
        worst: dict[str, Status] = {}
        for check in integ.checks:
            if check.id not in worst or check.status.severity > worst[check.id].severity:
                worst[check.id] = check.status
        for check_id, status in worst.items():
            lines.append(f'oneinbox_check_status{{integration="{_label(integ.name)}",provider="{_label(integ.provider)}",'
                         f'check="{_label(check_id)}"}} {VALUE[status]}')
    lines += [
        "# HELP oneinbox_check_last_run_timestamp_seconds When the last run started (Unix time).",
        "# TYPE oneinbox_check_last_run_timestamp_seconds gauge",
        f"oneinbox_check_last_run_timestamp_seconds {report.started_at.timestamp():.3f}",
        "# HELP oneinbox_check_duration_seconds How long the last run took.",
        "# TYPE oneinbox_check_duration_seconds gauge",
        f"oneinbox_check_duration_seconds {report.duration_ms / 1000:.3f}",
        "# HELP oneinbox_check_exit_code The last run's exit code (0 ok, 1 fail, 3 indeterminate, 130 interrupted).",
        "# TYPE oneinbox_check_exit_code gauge",
        f"oneinbox_check_exit_code {report.exit_code}",
    ]
    return "\n".join(lines) + "\n"


def families(report: Report) -> list:
    """The report as prometheus_client metric families (the exporter serves these)."""
    from prometheus_client.core import GaugeMetricFamily

    status = GaugeMetricFamily("oneinbox_check_status", "Check status: 0 pass, 1 warn, 2 fail, 3 error, 4 skip.",
                               labels=["integration", "provider", "check"])
    ok = GaugeMetricFamily("oneinbox_check_integration_ok",
                           "1 when the integration's verdict is pass, warn or skip; 0 on fail or error.",
                           labels=["integration", "provider"])
    changes = GaugeMetricFamily("oneinbox_check_changes", "1 for the integration's change since the last run.",
                                labels=["integration", "provider", "change"])
    for integ in report.integrations:
        worst: dict[str, Status] = {}
        for check in integ.checks:
            if check.id not in worst or check.status.severity > worst[check.id].severity:
                worst[check.id] = check.status
        for check_id, st in worst.items():
            status.add_metric([integ.name, integ.provider, check_id], VALUE[st])
        ok.add_metric([integ.name, integ.provider], 0 if integ.status in (Status.FAIL, Status.ERROR) else 1)
        if integ.change:
            changes.add_metric([integ.name, integ.provider, integ.change], 1)
    out = [status, ok]
    if any(i.change for i in report.integrations):
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

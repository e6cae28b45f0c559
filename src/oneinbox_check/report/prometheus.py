"""``--format prometheus``: the node_exporter textfile-collector format (SPEC §9).

``oneinbox_check_status{integration,provider,check}`` is 0 pass, 1 warn,
2 fail, 3 error, 4 skip. A check id that occurs twice for one integration
(one Cal.com check per tool) is reported once, with its worst status, since a
series may appear only once.
"""

from __future__ import annotations

from ..models import Report, Status
from ..secrets import clean

VALUE = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2, Status.ERROR: 3, Status.SKIP: 4}


def _label(value: str) -> str:
    value = clean(value, newlines=False)
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

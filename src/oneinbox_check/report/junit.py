"""``--format junit``: integrations are test suites, checks are test cases
(fail → failure, error → error, skip → skipped; warn → failure only with
``--strict``), for CI systems' test reports.

Every string is cleaned first (no control characters, no lone surrogates), so
the file is always well-formed XML 1.0 whatever a provider answered."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..models import Report, Status
from ..secrets import clean
from .interface import RenderOptions


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def render(report: Report, options: RenderOptions) -> str:
    root = ET.Element("testsuites", name="oneinbox-check", time=_seconds(report.duration_ms),
                      timestamp=report.started_at.isoformat())
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for integ in report.integrations:
        suite = ET.SubElement(root, "testsuite", name=clean(f"{integ.name} ({integ.provider})", newlines=False))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for check in integ.checks:
            case = ET.SubElement(suite, "testcase", classname=clean(f"{integ.provider}.{integ.name}", newlines=False),
                                 name=clean(check.id, newlines=False), time=_seconds(check.duration_ms))
            counts["tests"] += 1
            summary = clean(check.summary, newlines=False)
            text = summary + (f"\nfix: {clean(check.remediation)}" if check.remediation else "")
            if check.status == Status.FAIL or (options.strict and check.status == Status.WARN):
                ET.SubElement(case, "failure", message=summary, type=check.status.value).text = text
                counts["failures"] += 1
            elif check.status == Status.ERROR:
                ET.SubElement(case, "error", message=summary, type="indeterminate").text = text
                counts["errors"] += 1
            elif check.status == Status.SKIP:
                ET.SubElement(case, "skipped", message=summary)
                counts["skipped"] += 1
            elif check.status == Status.WARN:
                ET.SubElement(case, "system-out").text = f"warn: {text}"
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

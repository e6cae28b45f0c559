"""junit, markdown and prometheus formats: pure functions of the report."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from oneinbox_check.report import render
from tests.report.test_formats import sample


def test_junit_maps_integrations_to_suites_and_checks_to_cases() -> None:
    root = ET.fromstring(render(sample(), "junit"))
    assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "1"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["Mail (resend)", "LLM (openai)"]
    failure = suites[0].find("testcase[@name='dns.spf']/failure")
    assert failure is not None and "no SPF record" in failure.get("message") and "fix: Add a TXT" in failure.text


def test_junit_error_skip_and_strict_warn() -> None:
    from oneinbox_check.models import CheckResult, Status

    report = sample()
    report.integrations[1].checks += [CheckResult(id="dns.dmarc", status=Status.WARN, summary="no DMARC"),
                                      CheckResult(id="x.err", status=Status.ERROR, summary="timed out"),
                                      CheckResult(id="x.skip", status=Status.SKIP, summary="n/a")]
    lenient = ET.fromstring(render(report, "junit"))
    assert lenient.get("errors") == "1" and lenient.get("skipped") == "1" and lenient.get("failures") == "1"
    strict = ET.fromstring(render(report, "junit", strict=True))
    assert strict.get("failures") == "2"


def test_markdown_has_a_table_and_leads_with_changes() -> None:
    text = render(sample(), "markdown")
    assert text.startswith("## oneinbox-check: FAILED")
    assert text.index("### Changes since the last run") < text.index("| | Integration |")
    assert "**LLM** (openai): new" in text
    assert "❌ `dns.spf`: no SPF record" in text and "→ Add a TXT record" in text


def test_markdown_escapes_pipes() -> None:
    report = sample()
    report.integrations[0].name = "a|b"
    assert "a\\|b" in render(report, "markdown")


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    """The textfile parsed as Prometheus does (prometheus_client's own parser)."""
    from prometheus_client.parser import text_string_to_metric_families

    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_prometheus_textfile() -> None:
    text = render(sample(), "prometheus")
    samples = _samples(text)
    labels = lambda **kw: frozenset(kw.items())  # noqa: E731
    assert samples[("oneinbox_check_status", labels(integration="Mail", provider="resend", check="dns.spf"))] == 2
    assert samples[("oneinbox_check_status", labels(integration="LLM", provider="openai", check="key.auth"))] == 0
    assert samples[("oneinbox_check_integration_ok", labels(integration="Mail", provider="resend"))] == 0
    assert samples[("oneinbox_check_integration_ok", labels(integration="LLM", provider="openai"))] == 1
    assert samples[("oneinbox_check_last_run_timestamp_seconds", frozenset())] > 1e9
    assert samples[("oneinbox_check_duration_seconds", frozenset())] == 1.234
    for line in text.splitlines():
        assert line.startswith("#") or re.match(r'^[a-z_]+(\{[^}]*\})? -?[0-9.e+]+$', line), line


def test_prometheus_series_are_unique_and_labels_escaped() -> None:
    from oneinbox_check.models import CheckResult, Status

    report = sample()
    report.integrations[0].name = 'we"ird\\name'
    report.integrations[0].checks += [CheckResult(id="dns.spf", status=Status.PASS, summary="dup")]
    text = render(report, "prometheus")
    series = [l.rsplit(" ", 1)[0] for l in text.splitlines() if l.startswith("oneinbox_check_status{")]
    assert len(series) == len(set(series))
    assert 'integration="we\\"ird\\\\name"' in text
    samples = _samples(text)
    key = ("oneinbox_check_status", frozenset({"integration": 'we"ird\\name', "provider": "resend",
                                               "check": "dns.spf"}.items()))
    assert samples[key] == 2  # the worst of the duplicates


def test_prometheus_change_series_with_state_and_rotation() -> None:
    report = sample()
    report.integrations[0].change = "degraded"
    report.integrations[0].rotated = True
    samples = _samples(render(report, "prometheus"))
    name = report.integrations[0].name
    for change in ("degraded", "rotated"):
        key = ("oneinbox_check_changes", frozenset({"integration": name, "provider": "resend", "change": change}.items()))
        assert samples[key] == 1


def test_prometheus_has_no_change_series_without_state() -> None:
    report = sample()
    for integ in report.integrations:
        integ.change = None
    assert "oneinbox_check_changes" not in render(report, "prometheus")

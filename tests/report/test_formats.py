"""Formatters are pure functions of the report: table (plain and rich) and JSON."""

from __future__ import annotations

import json
from datetime import datetime, UTC

from oneinbox_check.models import CheckResult, IntegrationReport, Report, Status, Summary, ToolInfo
from oneinbox_check.report import render
from oneinbox_check.report.interface import Format, names


def sample() -> Report:
    integ = [
        IntegrationReport(name="Mail", provider="resend", masked_key="re_…a1b2", status=Status.FAIL, checks=[
            CheckResult(id="key.auth", status=Status.PASS, summary="Resend accepted the key"),
            CheckResult(id="dns.spf", status=Status.FAIL, summary="no SPF record at send.example.com",
                        remediation='Add a TXT record at send.example.com: "v=spf1 include:amazonses.com ~all"'),
        ]),
        IntegrationReport(name="LLM", provider="openai", masked_key="sk-proj-…9z9z", status=Status.PASS, change="new",
                          checks=[CheckResult(id="key.auth", status=Status.PASS, summary="ok")]),
    ]
    return Report(tool=ToolInfo(version="1.0"), started_at=datetime(2026, 11, 26, tzinfo=UTC),
                  duration_ms=1234, exit_code=1, summary=Summary(integrations=2, fail=1, **{"pass": 1}),
                  integrations=integ)


def test_formats_are_listed() -> None:
    assert names() == ["table", "json", "junit", "markdown", "prometheus"]
    assert callable(Format("json").to_format())


def test_plain_table_shows_failures_and_fixes_only() -> None:
    text = render(sample(), "table")
    assert "FAIL   Mail (resend re_…a1b2)" in text
    assert "fail  dns.spf: no SPF record" in text and "fix: Add a TXT record" in text
    assert "key.auth" not in text  # passing checks are not listed unless verbose
    assert "[new]" in text
    assert text.rstrip().endswith("FAILED: 2 integrations, 1 pass, 1 fail in 1.2s (exit 1)")


def test_verbose_table_lists_every_check() -> None:
    assert "key.auth" in render(sample(), "table", verbose=True)


def test_rich_table_without_colour_has_no_escape_codes() -> None:
    text = render(sample(), "table", rich=True, color=False, width=100)
    assert "┏" in text and "\x1b[" not in text and "→ Add a TXT record" in text


def test_rich_table_with_colour() -> None:
    assert "\x1b[" in render(sample(), "table", rich=True, color=True)


def test_json_uses_the_schema_field_names() -> None:
    data = json.loads(render(sample(), "json"))
    assert data["schema_version"] == "1" and data["summary"]["pass"] == 1
    assert set(data["integrations"][0]) == {"name", "provider", "masked_key", "status", "checks"}
    assert data["integrations"][1]["change"] == "new"
    assert "remediation" not in data["integrations"][0]["checks"][0]  # absent, not null

"""Provider text in the human formats (SPEC §13): no control characters or
escape sequences, valid XML, valid UTF-8, no markup injection — issue 8 items 7 and 11."""

from __future__ import annotations

import re

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from oneinbox_check.models import CheckResult, IntegrationReport, Report, Status, Summary, ToolInfo
from oneinbox_check.report import render
from oneinbox_check.report.interface import names

HOSTILE = "\x1b[2J\x1b]0;pwned\x07rejected\x00\x0b key \u202e[click](https://evil.example) <img src=x> | \ud800"


def hostile_report(name: str = "Mail\nFAIL   forged (resend)") -> Report:
    checks = [CheckResult(id="key.auth", status=Status.FAIL, summary=HOSTILE, remediation=HOSTILE),
              CheckResult(id="key.scope", status=Status.ERROR, summary=HOSTILE),
              CheckResult(id="x.skip", status=Status.SKIP, summary=HOSTILE, remediation="enable it"),
              CheckResult(id="x.warn", status=Status.WARN, summary=HOSTILE)]
    integ = IntegrationReport(name=name, provider="resend", masked_key="re_…a1b2", status=Status.FAIL,
                              change="degraded", checks=checks)
    return Report(tool=ToolInfo(version="1.0"), started_at=datetime(2026, 11, 26, tzinfo=UTC), duration_ms=5,
                  exit_code=1, summary=Summary(integrations=1, fail=1), integrations=[integ])


@pytest.mark.parametrize("fmt", names())
def test_item7_every_format_renders_a_lone_surrogate_as_valid_utf8(fmt: str) -> None:
    text = render(hostile_report(), fmt, verbose=True)
    text.encode("utf-8")


@pytest.mark.parametrize("fmt", ["table", "markdown", "junit", "prometheus"])
@pytest.mark.parametrize("rich", [False, True])
def test_item11_no_control_character_reaches_a_human_format(fmt: str, rich: bool) -> None:
    text = render(hostile_report(), fmt, verbose=True, rich=rich, color=False)
    assert "rejected" in text or fmt == "prometheus"
    for bad in ("\x1b", "\x07", "\x00", "\x0b", "\u202e", "\ud800"):
        assert bad not in text, repr(bad)


def test_item11_junit_is_well_formed_xml_with_hostile_text() -> None:
    root = ET.fromstring(render(hostile_report(), "junit", strict=True).encode("utf-8"))
    assert root.find(".//failure") is not None


def test_item11_a_name_cannot_forge_a_table_line() -> None:
    text = render(hostile_report(), "table", verbose=True)
    assert not any(line.startswith("FAIL   forged") for line in text.splitlines())


def test_item11_markdown_shows_no_links_images_or_html_from_a_provider() -> None:
    text = render(hostile_report(), "markdown", verbose=True)
    assert "<img" not in text and "&lt;img" in text
    assert "[click](" not in text.replace("\\[click\\](", "")  # only the escaped, inert form


def test_item11_rich_table_does_not_read_names_as_markup() -> None:
    text = render(hostile_report(name="[bold red]x[/]"), "table", rich=True, color=False, verbose=True)
    assert "[bold red]x[/]" in text


def test_item11_prometheus_labels_stay_on_one_line() -> None:
    text = render(hostile_report(), "prometheus")
    series = [line for line in text.splitlines() if line.startswith("oneinbox_check_status{")]
    assert series and all(re.fullmatch(r"[0-9]+(\.0)?", line.rstrip().split()[-1]) for line in series)

"""``--format json`` written in pieces (one integration at a time): the same
bytes as the whole render, scrubbed the same way, never one giant string."""

from __future__ import annotations

import json
import sys

import pytest

from oneinbox_check.outputs import Output, emit
from oneinbox_check.models import CheckResult, IntegrationReport, Status
from oneinbox_check.report import render
from oneinbox_check.report.json import stream
from oneinbox_check.secrets import Secret
from tests.report.test_formats import sample

KEY = "sk-proj-" + "Qw3rTy9UiOp4AsDfGh5JkL6ZxCvBnM7Q"


def test_the_stream_is_byte_identical_to_the_whole_render() -> None:
    report = sample()
    assert "".join(stream(report)) == render(report, "json")


def test_a_report_without_integrations_streams_the_same_bytes() -> None:
    report = sample().model_copy(update={"integrations": []})
    assert "".join(stream(report)) == render(report, "json")


def test_a_streamed_integration_is_scrubbed_like_the_whole_render() -> None:
    Secret(KEY)
    report = sample()
    report.integrations[0] = IntegrationReport(name="Mail", provider="resend", status=Status.ERROR, checks=[
        CheckResult(id="key.auth", status=Status.ERROR, summary=f"the provider echoed {KEY} back")])
    text = "".join(stream(report))
    assert KEY not in text and KEY[-12:] not in text
    assert text == render(report, "json")


def test_a_lone_surrogate_streams_like_the_whole_render() -> None:
    report = sample()
    report.integrations[1] = IntegrationReport(name="odd\ud800", provider="openai", status=Status.PASS, checks=[
        CheckResult(id="key.auth", status=Status.PASS, summary="x\udfff")])
    text = "".join(stream(report))
    assert text == render(report, "json")
    json.loads(text)


def test_the_json_report_is_written_one_integration_at_a_time(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    pieces: list[str] = []
    monkeypatch.setattr(sys.stdout, "writelines", lambda chunks: pieces.extend(chunks), raising=False)
    assert emit(Output(format="json"), sample()) == []
    assert len(pieces) == len(sample().integrations) + 2  # head, each integration, the closing brackets
    assert "".join(pieces) == render(sample(), "json")


def test_json_written_to_a_file_is_the_whole_render(tmp_path) -> None:
    out = tmp_path / "r.json"
    assert emit(Output(format="json", path=str(out), quiet=True), sample()) == []
    assert out.read_text() == render(sample(), "json")


def test_each_distinct_string_is_scrubbed_once_per_render(monkeypatch: pytest.MonkeyPatch) -> None:
    from oneinbox_check import secrets

    calls: list[str] = []
    real = secrets.scrub
    monkeypatch.setattr(secrets, "scrub", lambda text: calls.append(text) or real(text))
    "".join(stream(sample()))
    assert len(calls) == len(set(calls))  # "id", "status", "pass", … repeat in every integration

"""The metrics exporter's schedule, results and HTTP answers (end to end: tests/e2e)."""

from __future__ import annotations

import json

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from oneinbox_check import check_sync
from oneinbox_check.errors import UsageError
from oneinbox_check.exporter import Exporter, _app, parse_interval, parse_listen

KEY = "sk-proj-" + "W" * 48


def _report(key: str = KEY):
    return check_sync([{"name": "Voice", "provider": "openai", "api_key": key}], offline=True)


def _scrape(exporter: Exporter) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(exporter)
    return generate_latest(registry).decode()


@pytest.mark.parametrize("text, seconds", [("15m", 900), ("30s", 30), ("1h", 3600), ("90", 90), ("250ms", 0.25)])
def test_intervals_read_as_durations(text, seconds):
    assert parse_interval(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "0", "fast", "15 minutes", "-5s", "1d"])
def test_a_bad_interval_is_a_usage_error(text):
    with pytest.raises(UsageError):
        parse_interval(text)


@pytest.mark.parametrize("text, expected", [("127.0.0.1:9787", ("127.0.0.1", 9787)), ("[::1]:0", ("::1", 0)),
                                            ("0.0.0.0:80", ("0.0.0.0", 80))])
def test_listen_addresses(text, expected):
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["9787", "localhost", "1.2.3.4:99999", "[::1]", "a b:1", ":9787"])
def test_a_bad_listen_address_is_a_usage_error(text):
    with pytest.raises(UsageError):
        parse_listen(text)


def test_an_interval_below_the_minimum_is_refused():
    async def run():  # pragma: no cover - never called
        raise AssertionError

    with pytest.raises(UsageError, match="min-interval"):
        Exporter(run, interval=5, min_interval=60)


@pytest.mark.parametrize("rng, elapsed, delay", [(0.5, 0, 100), (0.0, 0, 90), (1.0, 0, 110), (0.5, 30, 70),
                                                  (0.5, 500, 0)])
def test_runs_start_an_interval_apart_with_jitter(rng, elapsed, delay):
    exporter = Exporter(_noop, interval=100, min_interval=10, rng=lambda: rng)
    assert exporter.next_delay(elapsed) == pytest.approx(delay)


def test_jitter_never_brings_runs_closer_than_the_minimum_interval():
    exporter = Exporter(_noop, interval=60, min_interval=60, rng=lambda: 0.0)
    assert exporter.next_delay(0) == pytest.approx(60)


async def _noop():  # pragma: no cover - schedule tests do not run it
    return _report()


@pytest.fixture
def good_report():
    return _report()


@pytest.mark.anyio
async def test_a_failed_run_keeps_the_last_good_results_and_is_counted(good_report):
    answers = [good_report, UsageError(f"m.toml: cannot read it (key {KEY})")]

    async def run():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    exporter = Exporter(run, interval=60, min_interval=60)
    await exporter.run_one()
    await exporter.run_one()
    text = _scrape(exporter)
    assert 'oneinbox_check_integration_ok{integration="Voice",provider="openai"} 1.0' in text
    assert "oneinbox_check_exporter_runs_total 2.0" in text
    assert "oneinbox_check_exporter_run_failures_total 1.0" in text
    assert "oneinbox_check_exporter_last_run_success 0.0" in text
    code, body = exporter.health()
    assert code == 200 and KEY not in json.dumps(body)


def test_before_the_first_run_only_the_exporters_own_series_are_served():
    exporter = Exporter(_noop, interval=60, min_interval=60)
    text = _scrape(exporter)
    assert "oneinbox_check_status" not in text and "oneinbox_check_exporter_runs_total 0.0" in text
    assert exporter.health()[0] == 200


def test_healthz_turns_503_when_no_run_succeeded_for_three_intervals():
    exporter = Exporter(_noop, interval=60, min_interval=60)
    exporter.runs, exporter.last_ok, exporter.started = 3, False, 0.0
    assert exporter.health()[0] == 503


def _get(app, path):
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": "GET", "QUERY_STRING": ""}, start_response))
    return seen["status"], body.decode()


def test_the_http_app_serves_metrics_healthz_and_404():
    exporter = Exporter(_noop, interval=60, min_interval=60)
    exporter.latest = _report()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(exporter)
    app = _app(exporter, registry)
    status, body = _get(app, "/metrics")
    assert status.startswith("200") and "oneinbox_check_status{" in body and KEY not in body
    status, body = _get(app, "/healthz")
    assert status.startswith("200") and json.loads(body)["status"] == "ok"
    assert _get(app, "/other")[0].startswith("404")

"""The runner: crash isolation, deduplication, check selection, plugins, Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.models import CheckResult, Status
from oneinbox_check.probes.probe import Probe
from oneinbox_check.probes.registry import load_registry
from tests.helpers import key_reference

pytestmark = pytest.mark.anyio
BASE = "http://127.0.0.1:7"
OPENAI_KEY = "sk-proj-" + "Zz9" * 20
GROQ_KEY = "gsk_" + "Gh4j" * 13


async def test_a_probe_that_raises_becomes_error_and_others_still_run(monkeypatch) -> None:
    async def crash(ctx):
        raise RuntimeError(f"boom with {ctx.key.reveal()}")

    monkeypatch.setattr(load_registry().get("groq"), "run", crash)
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(200, json={"data": []}))
        report = await check([{"name": "g", "provider": "groq", "api_key": GROQ_KEY},
                              {"name": "o", "provider": "openai", "api_key": OPENAI_KEY}],
                             endpoints={"openai": f"{BASE}/openai", "groq": f"{BASE}/groq"})
    groq, openai = report.integrations
    auth = next(c for c in groq.checks if c.id == "key.auth")
    assert auth.status == Status.ERROR and "crashed: RuntimeError" in auth.summary
    assert GROQ_KEY not in auth.summary and "gsk_…" in auth.summary
    assert openai.status == Status.PASS
    assert report.exit_code == 3


async def test_same_key_is_authenticated_once() -> None:
    with respx.mock:
        route = respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(200, json={"data": []}))
        report = await check([{"name": n, "provider": p, "api_key": OPENAI_KEY}
                              for n, p in (("a", "openai"), ("b", "openai"), ("c", "whisper"))],
                             endpoints={"openai": f"{BASE}/openai"})
    assert route.call_count == 1
    assert [i.status for i in report.integrations] == [Status.PASS] * 3


async def test_only_and_skip_select_checks() -> None:
    with respx.mock:
        route = respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(200, json={"data": []}))
        entry = [{"name": "a", "provider": "openai", "api_key": OPENAI_KEY}]
        only = await check(entry, endpoints={"openai": f"{BASE}/openai"}, only=["key.format"])
        assert route.call_count == 0
        skipped = await check(entry, endpoints={"openai": f"{BASE}/openai"}, skip=["key.scope"])
    assert [c.id for c in only.integrations[0].checks] == ["input.schema", "key.format"]  # never hidden (SPEC §5)
    assert [c.id for c in skipped.integrations[0].checks] == ["input.schema", "key.format", "key.auth"]


async def test_malformed_key_is_never_sent() -> None:
    with respx.mock:
        route = respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(200, json={"data": []}))
        report = await check([{"name": "a", "provider": "openai", "api_key": "sk-ant-api03-" + "x1" * 45}],
                             endpoints={"openai": f"{BASE}/openai"})
    assert route.call_count == 0
    checks = {c.id: c for c in report.integrations[0].checks}
    assert checks["key.auth"].status == Status.SKIP


def test_entry_point_plugins_are_loaded(monkeypatch) -> None:
    class AcmeProbe(Probe):
        providers = ("acme",)
        title = "Acme"
        endpoints = {"acme": "https://api.acme.test"}

        async def run(self, ctx):
            return [CheckResult(id="key.auth", status=Status.PASS, summary="ok")]

    class EP:
        name = "acme"

        def load(self):
            return AcmeProbe

    class Broken:
        name = "broken"

        def load(self):
            raise ImportError("missing dependency")

    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: [EP(), Broken()] if group == "oneinbox_check.probes" else [])
    registry = load_registry.__wrapped__()
    assert isinstance(registry.get("acme"), AcmeProbe)
    assert registry.endpoint_defaults()["acme"] == "https://api.acme.test"
    assert any("broken" in p for p in registry.problems)


def test_ctrl_c_reports_partial_results_and_exits_130(tmp_path) -> None:
    """A provider that never answers; SIGINT after a moment: finished results are kept."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)  # accepts connections (kernel backlog) but never answers
    port = server.getsockname()[1]
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps([
        {"name": "hangs", "provider": "openai", "api_key": key_reference(OPENAI_KEY)},
        {"name": "offline-bad", "provider": "groq", "api_key": key_reference(" " + GROQ_KEY)},
    ]))
    out = tmp_path / "report.json"
    proc = subprocess.Popen([sys.executable, "-m", "oneinbox_check", "check", str(manifest), "--format", "json",
                             "--output", str(out), "--timeout", "60", "--endpoint", f"openai=http://127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        server.settimeout(25)
        conn, _ = server.accept()  # the run has reached the hanging request: interrupt it now
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=max(1, deadline - time.monotonic()))
    finally:
        proc.kill()
        with contextlib.suppress(NameError):
            conn.close()
        server.close()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    report = json.loads(out.read_text())
    assert report["exit_code"] == 130
    hangs, bad = report["integrations"]
    auth = next(c for c in hangs["checks"] if c["id"] == "key.auth")
    assert auth["status"] == "error" and "interrupted" in auth["summary"]
    scope = next(c for c in hangs["checks"] if c["id"] == "key.scope")  # the rest error too (SPEC §7)
    assert scope["status"] == "error" and "interrupted" in scope["summary"]
    assert bad["status"] == "fail"  # finished before the interrupt: kept


# --- issue 12: per-origin limits in a full run --------------------------------------------------

class CompletionOrder(httpx.AsyncBaseTransport):
    """Answers every request after *latency*; records which origin (port) finished when."""

    def __init__(self, latency: float):
        self.latency = latency
        self.order: list[int | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import anyio

        await anyio.sleep(self.latency)
        self.order.append(request.url.port)
        return httpx.Response(200, json={"data": []})


async def test_one_busy_origin_does_not_hold_back_another_no_head_of_line_blocking() -> None:
    """1,000 integrations on one origin, then 10 on another: the 10 finish within a few latencies,
    not behind the 1,000 (which go 8 at a time)."""
    transport = CompletionOrder(latency=0.005)
    busy = [{"name": f"a{i}", "provider": "openai", "api_key": f"sk-proj-{i:06d}" + "Qw8" * 18} for i in range(1000)]
    other = [{"name": f"b{i}", "provider": "groq", "api_key": GROQ_KEY[:-4] + f"{i:04d}"} for i in range(10)]
    report = await check(busy + other, transport=transport,
                         endpoints={"openai": "http://127.0.0.1:1001", "groq": "http://127.0.0.1:1002"})
    assert report.summary.pass_ == 1010
    finished = [i for i, port in enumerate(transport.order) if port == 1002]
    assert len(finished) == 10 and transport.order.count(1001) == 1000
    assert max(finished) < 10 + 8 * 4, finished  # within ~4 latencies of the busy origin


@pytest.mark.paced
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # pacing is the client's; one backend suffices
async def test_a_run_keeps_cal_com_under_its_documented_rate_limit(sandbox) -> None:
    """Cal.com allows 120 requests/min per key (providers.md; 2/s, burst 2): a run's five
    Cal.com requests are spread over at least 1.5 s (a lower bound: a slow machine only adds)."""
    sent: list[float] = []
    inner = sandbox.transport()

    class Timed(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(time.monotonic())
            return await inner.handle_async_request(request)

    from tests.probes.test_calcom import KEY

    tools = [{"type": "schedule_calendar_event", "integration": "cal", "event_type_id": t} for t in (1001, 1002, 1003)]
    await check([{"name": "cal", "provider": "calcom", "api_key": KEY}], tools,
                endpoints=sandbox.endpoints(), transport=Timed())
    assert len(sent) == 5  # /v2/me, /v2/event-types, three /v2/slots
    assert sent[-1] - sent[0] >= 1.5 - 0.05, [round(t - sent[0], 3) for t in sent]


async def test_origins_on_one_host_get_separate_limits_in_a_run() -> None:
    """Two providers behind one host name (different ports) each run up to the per-origin limit."""
    from oneinbox_check.manifest import RawItem, RawManifest, build_entries
    from oneinbox_check.runner import RunOptions, run

    class Peak(CompletionOrder):
        def __init__(self) -> None:
            super().__init__(0.02)
            self.now = self.peak = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.now += 1
            self.peak = max(self.peak, self.now)
            try:
                return await super().handle_async_request(request)
            finally:
                self.now -= 1

    transport = Peak()
    registry = load_registry()
    items = [{"name": f"a{i}", "provider": "openai", "api_key": f"sk-proj-{i:06d}" + "Qw8" * 18} for i in range(6)]
    items += [{"name": f"b{i}", "provider": "groq", "api_key": GROQ_KEY[:-4] + f"{i:04d}"} for i in range(6)]
    entries = build_entries(RawManifest([RawItem("t", i, d) for i, d in enumerate(items)]), registry, {})
    endpoints = {**registry.endpoint_defaults(), "openai": "http://127.0.0.1:1001", "groq": "http://127.0.0.1:1002"}
    report = await run(entries, registry, RunOptions(endpoints=endpoints, transport=transport, per_origin=2))
    assert report.summary.pass_ == 12
    assert transport.peak == 4


# --- issue 8 item 6: every check is bounded by its budget ---------------------------------------

async def test_item6_a_check_that_never_finishes_is_error_within_its_budget(monkeypatch) -> None:
    import anyio

    from oneinbox_check.manifest import RawItem, RawManifest, build_entries
    from oneinbox_check.runner import RunOptions, run

    async def hang(ctx):
        await anyio.sleep(3600)

    registry = load_registry()
    monkeypatch.setattr(registry.get("groq"), "run", hang)
    entries = build_entries(RawManifest([RawItem("t", 0, {"name": "g", "provider": "groq", "api_key": GROQ_KEY})]),
                            registry, {})
    started = time.monotonic()
    report = await run(entries, registry, RunOptions(endpoints={**registry.endpoint_defaults(), "groq": BASE},
                                                     budget=0.3))
    auth = next(c for c in report.integrations[0].checks if c.id == "key.auth")
    assert auth.status == Status.ERROR and "time budget" in auth.summary
    assert time.monotonic() - started < 10


def test_the_default_budget_covers_every_attempt_and_is_never_below_30_seconds() -> None:
    from oneinbox_check.runner import RunOptions

    assert RunOptions(timeout=10, retries=2).check_budget() == 50
    assert RunOptions(timeout=0.5, retries=0).check_budget() == 30
    assert RunOptions(timeout=120, retries=10).check_budget() == 120 * 13


async def test_time_queued_for_a_slot_does_not_count_against_the_budget() -> None:
    """Ten checks of 0.1 s each, one at a time (per-origin limit 1), with a 0.5 s budget: all pass."""
    from oneinbox_check.manifest import RawItem, RawManifest, build_entries
    from oneinbox_check.runner import RunOptions, run

    registry = load_registry()
    items = [{"name": f"a{i}", "provider": "openai", "api_key": f"sk-proj-{i:06d}" + "Qw8" * 18} for i in range(30)]
    entries = build_entries(RawManifest([RawItem("t", i, d) for i, d in enumerate(items)]), registry, {})
    endpoints = {**registry.endpoint_defaults(), "openai": "http://127.0.0.1:1001"}
    report = await run(entries, registry, RunOptions(endpoints=endpoints, transport=CompletionOrder(0.1),
                                                     per_origin=1, budget=2.0))
    assert report.summary.pass_ == 30  # queue time counted: the last ten (2-3 s after the start) would be errors


def test_dns_questions_have_their_own_larger_bound() -> None:
    from oneinbox_check.runner import RunOptions, _resolver

    resolver = _resolver(RunOptions(concurrency=4))
    assert resolver._limiter.total_tokens == 256
    assert _resolver(RunOptions(dns_concurrency=1000))._limiter.total_tokens == 1000


@pytest.mark.parametrize("flags", [("--retries", "11"), ("--retries", "-1"), ("--timeout", "0.05"),
                                   ("--timeout", "121"), ("--dns-concurrency", "0")])
def test_item6_out_of_range_network_options_are_usage_errors(flags: tuple[str, str], tmp_path, capsys) -> None:
    from oneinbox_check.cli import main

    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps([{"name": "o", "provider": "openai", "api_key": OPENAI_KEY}]))
    with pytest.raises(SystemExit) as exc:
        main(["check", str(manifest), "--offline", *flags])
    assert exc.value.code == 2 and "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("flags", [("--retries", "10"), ("--retries", "0"), ("--timeout", "0.1"),
                                   ("--timeout", "120"), ("--dns-concurrency", "512")])
def test_network_options_at_their_bounds_are_accepted(flags: tuple[str, str], tmp_path, capsys) -> None:
    from oneinbox_check.cli import main

    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps([{"name": "o", "provider": "openai", "api_key": OPENAI_KEY}]))
    assert main(["check", str(manifest), "--offline", "-q", *flags]) == 0


# --- issue 12: cheap results -----------------------------------------------------------------------

def test_results_without_a_secret_are_kept_as_they_are_not_copied() -> None:
    from oneinbox_check.runner import _Scrubber

    result = CheckResult(id="key.auth", status=Status.PASS, summary="OpenAI accepted the key",
                         details={"models": 3, "names": ["a", "b"]})
    scrubber = _Scrubber()
    assert scrubber.result(result) is result
    twin = CheckResult(id="key.auth", status=Status.PASS, summary="".join(["OpenAI accepted ", "the key"]))
    assert scrubber.result(twin) is twin  # an equal text seen before: still no copy


def test_a_secret_anywhere_in_a_result_is_masked() -> None:
    from oneinbox_check.runner import _Scrubber
    from oneinbox_check.secrets import Secret

    key = "sk-proj-" + "Sc7" * 20
    Secret(key)
    result = CheckResult(id="key.auth", status=Status.ERROR, summary=f"echoed {key}", remediation=key,
                         details={"body": [f"x {key}"], key: 1})
    scrubbed = _Scrubber().result(result)
    assert key not in scrubbed.model_dump_json() and "sk-proj-…" in scrubbed.summary


def test_report_repr_is_short_whatever_its_size() -> None:
    from datetime import UTC, datetime

    from oneinbox_check.models import IntegrationReport
    from oneinbox_check.runner import build_report

    reports = [IntegrationReport(name=f"i{i}", provider="openai", status=Status.PASS, checks=[]) for i in range(500)]
    report = build_report(reports, datetime.now(UTC), time.perf_counter(), strict=False, interrupted=False)
    assert len(repr(report)) < 100


@pytest.mark.anyio
async def test_jobs_run_by_a_bounded_number_of_tasks_each_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import anyio

    from oneinbox_check import runner

    monkeypatch.setattr(runner, "MAX_TASKS", 4)
    ran: list[int] = []
    in_flight = peak = 0

    def job(i: int):
        async def go() -> None:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await anyio.sleep(0)
            ran.append(i)
            in_flight -= 1
        return go

    assert await runner.run_all([job(i) for i in range(20)], handle_signals=False) is False
    assert sorted(ran) == list(range(20)) and peak == 4

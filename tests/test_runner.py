"""The runner: crash isolation, deduplication, check selection, plugins, Ctrl-C."""

from __future__ import annotations

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
from oneinbox_check.probes._base import Probe, load_registry

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
        {"name": "hangs", "provider": "openai", "api_key": OPENAI_KEY},
        {"name": "offline-bad", "provider": "groq", "api_key": " " + GROQ_KEY},
    ]))
    out = tmp_path / "report.json"
    proc = subprocess.Popen([sys.executable, "-m", "oneinbox_check", "check", str(manifest), "--format", "json",
                             "--output", str(out), "--timeout", "60", "--endpoint", f"openai=http://127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=max(1, deadline - time.monotonic()))
    finally:
        proc.kill()
        server.close()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    report = json.loads(out.read_text())
    assert report["exit_code"] == 130
    hangs, bad = report["integrations"]
    auth = next(c for c in hangs["checks"] if c["id"] == "key.auth")
    assert auth["status"] == "error" and "interrupted" in auth["summary"]
    assert bad["status"] == "fail"  # finished before the interrupt: kept

"""`oneinbox-check exporter` in a real process against the sandbox on real sockets:
start, scrape, change a fake's answer, scrape again, stop cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as reply:  # loopback only
        return reply.read().decode()


def _wait_for(url: str, pattern: str, deadline: float) -> str:
    text = ""
    while time.monotonic() < deadline:
        text = _scrape(url)
        if re.search(pattern, text):
            return text
        time.sleep(0.2)
    raise AssertionError(f"{pattern!r} never appeared:\n{text}")


def test_exporter_serves_fresh_results_and_stops_on_sigterm(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    from oneinbox_check.sandbox import scenario
    from oneinbox_check.sandbox.asgi import Fault
    from oneinbox_check.sandbox.serve import Server

    sandbox = scenario.build()
    key = scenario.KEYS["SANDBOX_OPENAI_KEY"]
    manifest = tmp_path / "m.toml"
    manifest.write_text('[[integrations]]\nname = "Voice"\nprovider = "openai"\napi_key = "${SANDBOX_OPENAI_KEY}"\n')
    with Server(sandbox) as http:
        base = sandbox.endpoints(http.base)["openai"]
        env = {**os.environ, "SANDBOX_OPENAI_KEY": key}
        proc = subprocess.Popen(
            [sys.executable, "-m", "oneinbox_check", "exporter", str(manifest), "--interval", "1s",
             "--min-interval", "1s", "--listen", "127.0.0.1:0", "--endpoint", f"openai={base}", "--retries", "0"],
            stderr=subprocess.PIPE, text=True, env=env)
        try:
            line = proc.stderr.readline()
            address = re.search(r"http://(\S+)/metrics", line).group(1)
            metrics, deadline = f"http://{address}/metrics", time.monotonic() + 60
            ok = r'oneinbox_check_integration_ok\{integration="Voice",provider="openai"\} '
            first = _wait_for(metrics, ok + r"1\.0", deadline)
            assert key not in first
            sandbox.fake("openai").faults.append(Fault(status=503, body={"error": "overloaded"}))
            second = _wait_for(metrics, ok + r"0\.0", deadline)
            assert 'oneinbox_check_exporter_runs_total' in second and key not in second
            assert _scrape(f"http://{address}/healthz").startswith("{")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0
            assert "Traceback" not in proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.parametrize("args, message", [
    (["--interval", "soon"], "--interval"),
    (["--listen", "nowhere"], "--listen"),
    (["--interval", "10s"], "min-interval"),
])
def test_exporter_bad_options_are_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text('{"name": "x", "provider": "openai", "api_key": "sk-x"}')
    done = subprocess.run([sys.executable, "-m", "oneinbox_check", "exporter", str(manifest), *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr

"""README shell examples run as written (in a scratch folder, endpoints on a closed loopback port)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import ROOT, closed_port

README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent


def _section_sh(heading: str) -> list[str]:
    section = README.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def _run(lines: list[str], cwd: Path, **env: str) -> list[int]:
    base = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(cwd), "NO_COLOR": "1",
            "ONEINBOX_CHECK_ENDPOINTS": f"openai=http://127.0.0.1:{closed_port()}", **env}
    codes = []
    for line in lines:
        done = subprocess.run(["/bin/sh", "-c", line], cwd=cwd, env=base, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        codes.append(done.returncode)
    return codes


MANIFEST = '[[integrations]]\nname = "Voice"\nprovider = "openai"\napi_key = "${OPENAI_API_KEY}"\n'


@pytest.mark.skipif(not (BIN / "oneinbox-check").exists(), reason="console script not installed")
def test_readme_shards_and_saved_reports_example(tmp_path: Path):
    (tmp_path / "integrations.toml").write_text(MANIFEST + MANIFEST.replace("Voice", "Voice 2"))
    codes = _run(_section_sh("Shards and saved reports"), tmp_path, OPENAI_API_KEY="sk-proj-" + "r" * 48)
    assert codes == [3, 3, 3, 3]  # the endpoint refuses: indeterminate, in every step
    assert (tmp_path / "shard-1.xml").read_text().startswith("<?xml")


@pytest.mark.skipif(not (BIN / "oneinbox-check").exists(), reason="console script not installed")
def test_readme_keys_from_the_environment_example(tmp_path: Path):
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-proj-" + "e" * 48 + "\n")
    codes = _run(_section_sh("Keys from the environment"), tmp_path)
    assert codes == [3, 0, 3]
    assert "${OPENAI_API_KEY}" in (tmp_path / "integrations.toml").read_text()


@pytest.mark.skipif(not (BIN / "oneinbox-check").exists(), reason="console script not installed")
def test_readme_notifications_example_posts_to_the_webhook(tmp_path: Path):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[bytes] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            received.append(self.rfile.read(int(self.headers.get("content-length", 0))))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (tmp_path / "integrations.toml").write_text(MANIFEST)
        key = "sk-proj-" + "n" * 48
        codes = _run(_section_sh("Notifications"), tmp_path, OPENAI_API_KEY=key,
                     SLACK_WEBHOOK_URL=f"http://127.0.0.1:{server.server_address[1]}/services/T/B/x")
    finally:
        server.shutdown()
        server.server_close()
    assert codes == [3]
    (doc,) = [json.loads(b) for b in received]
    assert doc["changes"][0]["change"] == "new" and key not in json.dumps(doc)
    assert "text" in doc


@pytest.mark.skipif(not (BIN / "oneinbox-check").exists(), reason="console script not installed")
def test_readme_exporter_example_serves_metrics(tmp_path: Path):
    import signal
    import time

    lines = _section_sh("Exporter")
    serve, scrape = lines[0], lines[1]
    port = closed_port()
    serve = serve.replace("127.0.0.1:9787", f"127.0.0.1:{port}") + " --min-interval 1s --retries 0"
    scrape = scrape.replace("127.0.0.1:9787", f"127.0.0.1:{port}")
    (tmp_path / "integrations.toml").write_text(MANIFEST)
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "OPENAI_API_KEY": "sk-proj-" + "x" * 48,
           "ONEINBOX_CHECK_ENDPOINTS": f"openai=http://127.0.0.1:{closed_port()}"}
    proc = subprocess.Popen(["/bin/sh", "-c", "exec " + serve], cwd=tmp_path, env=env, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert "serving" in proc.stderr.readline()
        deadline, out = time.monotonic() + 60, ""
        while time.monotonic() < deadline and "integration_ok" not in out:
            out = subprocess.run(["/bin/sh", "-c", scrape], env=env, capture_output=True, text=True, timeout=30).stdout
            time.sleep(0.3)
        assert 'oneinbox_check_integration_ok{integration="Voice",provider="openai"} 0.0' in out
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0

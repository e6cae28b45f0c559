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

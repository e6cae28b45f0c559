"""The README's scheduling snippets work as written: the cron line under cron's
own environment (``sh -c``, ``env -i``, minimal PATH) and the systemd units
through ``systemd-analyze verify`` when it is there."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import ROOT, closed_port

README = (ROOT / "README.md").read_text()
SCRIPT = Path(sys.executable).with_name("oneinbox-check")
KEY = "sk-proj-" + "C" * 48


def _block(lang: str) -> str:
    blocks = re.findall(rf"```{lang}\n(.*?)```", README, re.S)
    assert blocks, f"README has a ```{lang} block"
    return blocks[0]


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed next to this interpreter")
def test_readme_cron_line_runs_under_crons_minimal_environment(tmp_path: Path):
    line = _block("cron").strip()
    fields = line.split(None, 5)
    assert len(fields) == 6, "five schedule fields and a command"
    command = fields[5]
    assert "%" not in command, "cron turns % into newlines"
    env_file = tmp_path / "oneinbox-check.env"
    # no `export`: the cron line itself must export what the env file sets
    env_file.write_text(f"OPENAI_API_KEY={KEY}\nONEINBOX_CHECK_ENDPOINTS=openai=http://127.0.0.1:{closed_port()}\n")
    manifest = tmp_path / "integrations.toml"
    manifest.write_text('[[integrations]]\nname = "Voice"\nprovider = "openai"\napi_key = "${OPENAI_API_KEY}"\n')
    (tmp_path / "textfile").mkdir()
    for real, test in {"/etc/oneinbox-check.env": env_file, "/etc/oneinbox/integrations.toml": manifest,
                       "/var/lib/oneinbox-check": tmp_path / "state", "/var/lib/node_exporter/textfile": tmp_path / "textfile",
                       "/usr/local/bin/oneinbox-check": SCRIPT}.items():
        assert real in command, real
        command = command.replace(real, str(test))
    done = subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", f"HOME={tmp_path}", "/bin/sh", "-c", command],
                          capture_output=True, text=True, timeout=120)
    # exit 3 (indeterminate: the endpoint refuses) proves both variables reached the checker:
    # without `set -a` the key would be unset (input.schema fail, exit 1) and the real endpoint used
    assert done.returncode == 3, (done.returncode, done.stderr)
    prom = (tmp_path / "textfile" / "oneinbox.prom").read_text()
    assert 'oneinbox_check_status{' in prom and KEY not in prom
    state = tmp_path / "state" / "state.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600 and KEY not in state.read_text()


def _units() -> dict[str, str]:
    text = _block("ini")
    parts = re.split(r"^# (/etc/systemd/system/\S+)\n", text, flags=re.M)
    return {Path(name).name: body for name, body in zip(parts[1::2], parts[2::2])}


def test_readme_systemd_units_are_a_service_and_its_timer():
    units = _units()
    assert set(units) == {"oneinbox-check.service", "oneinbox-check.timer"}
    assert "SuccessExitStatus=1 3" in units["oneinbox-check.service"], "1 and 3 are results, not crashes"
    assert "Type=oneshot" in units["oneinbox-check.service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed next to this interpreter")
def test_readme_systemd_units_pass_systemd_analyze_verify(tmp_path: Path):
    for name, body in _units().items():
        (tmp_path / name).write_text(body.replace("/usr/local/bin/oneinbox-check", str(SCRIPT)))
    done = subprocess.run(["systemd-analyze", "verify", *(str(p) for p in sorted(tmp_path.iterdir()))],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    assert done.returncode == 0, done.stderr

"""The benchmark harness keeps working: ``python -m bench --smoke`` runs every
benchmark with tiny sizes against loopback fakes (no time assertions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / "bench" / "__main__.py").exists(), reason="bench/ is not shipped in the sdist")
def test_bench_smoke_run_produces_every_figure(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "results.json").read_text())
    assert result["smoke"] is True and result["machine"]["cores"]
    figures = " | ".join(row["figure"] for row in result["rows"])
    for expected in ("--version", "run ÷ ideal", "--concurrency 1", "bare httpx", "fakes' own CPU",
                     "`dns`", "checkdmarc", "--offline"):
        assert expected in figures, expected
    assert "Traceback" not in proc.stderr

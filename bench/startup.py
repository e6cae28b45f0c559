"""Start-up: ``--version`` and ``--help`` against ``python -c pass`` (best of N runs)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .common import PY, Context, Row, measure_wall


def _best(args: list[str], runs: int) -> float:
    return min(measure_wall(args) for _ in range(runs)) * 1000


def run(ctx: Context) -> list[Row]:
    runs = ctx.n(15, 2)
    base = _best([PY, "-c", "pass"], runs)
    version = _best([PY, "-m", "oneinbox_check", "--version"], runs)
    help_ = _best([PY, "-m", "oneinbox_check", "--help"], runs)
    script = Path(PY).with_name("oneinbox-check")  # the console script, as a user types it
    if not script.exists():
        script = Path(shutil.which("oneinbox-check") or script)
    rows = []
    if script.exists():
        installed = _best([str(script), "--version"], runs)
        rows.append(Row("`oneinbox-check --version` (console script) ÷ `python -c pass`", round(installed / base, 2),
                        "×", note=f"{installed:.0f} ms; the generated script imports `re` first"))
    return [
        Row("`python -c pass`", round(base, 1), "ms"),
        Row("`python -m oneinbox_check --version` ÷ `python -c pass`", round(version / base, 2), "×", 4.0,
            note=f"{version:.0f} ms vs {base:.0f} ms"),
        *rows,
        Row("`--help`", round(help_, 1), "ms", note="imports no third-party package (tests/test_cli.py)"),
    ]

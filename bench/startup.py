"""Start-up: ``--version`` and ``--help`` against ``python -c pass`` (best of N runs)."""

from __future__ import annotations

from .common import PY, Context, Row, measure


def _best(args: list[str], runs: int) -> float:
    return min(measure(args).wall for _ in range(runs)) * 1000


def run(ctx: Context) -> list[Row]:
    runs = ctx.n(15, 2)
    base = _best([PY, "-c", "pass"], runs)
    version = _best([PY, "-m", "oneinbox_check", "--version"], runs)
    help_ = _best([PY, "-m", "oneinbox_check", "--help"], runs)
    return [
        Row("`python -c pass`", round(base, 1), "ms"),
        Row("`--version` ÷ `python -c pass`", round(version / base, 2), "×", 4.0,
            note=f"{version:.0f} ms vs {base:.0f} ms"),
        Row("`--help`", round(help_, 1), "ms", note="imports no third-party package (tests/test_cli.py)"),
    ]

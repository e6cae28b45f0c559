"""``--offline`` runs of 1k / 10k / 100k integrations: wall time and peak RSS
of the whole CLI process (parse, validate, key formats, report, JSON render)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .common import Context, Row, check_cli, measure, mixed_integrations, write_manifest


def run(ctx: Context) -> list[Row]:
    sizes = [200, 2000] if ctx.smoke else [1000, 10000, 100000]
    points = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            manifest = write_manifest(Path(tmp), mixed_integrations(n))
            m = measure(check_cli(manifest, None, "--offline"), timeout=600, stdin=manifest.read_text())
            assert m.returncode in (0, 1, 3), m.stderr[-2000:]
            points[n] = m
    ctx.extra["offline"] = {n: {"wall": m.wall, "rss_mib": m.rss_mib} for n, m in points.items()}
    small, mid = sizes[0], sizes[1]
    rows = [Row(f"{n:,} integrations `--offline`", round(m.rss_mib, 1), "MiB peak RSS",
                100.0 if n == 10000 else 600.0 if n == 100000 else None,
                note=f"{m.wall:.2f} s wall, {m.cpu:.2f} s CPU") for n, m in points.items()]
    if not ctx.smoke:
        big = sizes[2]
        rows.append(Row("100,000 `--offline` wall ÷ 10,000 wall", round(points[big].wall / points[mid].wall, 2), "×",
                        10.0, note=f"{points[big].wall:.1f} s vs {points[mid].wall:.1f} s"))
        per_k = [(points[b].rss_mib - points[a].rss_mib) / ((b - a) / 1000) for a, b in zip(sizes, sizes[1:])]
        rows.append(Row("RSS growth per 1,000 integrations (1k→10k, 10k→100k)", round(per_k[-1], 2), "MiB",
                        note=f"1k→10k: {per_k[0]:.2f} MiB per 1,000; 10k→100k: {per_k[1]:.2f} MiB per 1,000"))
    else:
        rows.append(Row(f"{mid:,} ÷ {small:,} offline wall", round(points[mid].wall / points[small].wall, 2), "×"))
    return rows

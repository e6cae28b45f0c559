"""The scaling plot (wall time and peak RSS vs N) from the ``live`` series, as
``bench/scaling.png``; needs matplotlib (``pip install -e '.[bench]'``)."""

from __future__ import annotations

import math

from .common import Context, Row


def run(ctx: Context) -> list[Row]:
    scaling = ctx.extra.get("scaling")
    if not scaling:
        return []
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return [Row("scaling plot", 0, "", note="matplotlib not installed: pip install -e '.[bench]'")]
    series = scaling["series"]
    latency = scaling["latency"]
    ns = [p["n"] for p in series]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(ns, [p["duration"] for p in series], "o-", label="run")
    left.plot(ns, [p["wall"] for p in series], "s--", label="process (incl. start-up)")
    left.plot(ns, [math.ceil(p["requests"] / 32) * latency for p in series], ":", label="ideal (32 in flight)")
    left.set(xlabel="integrations", ylabel="seconds", title=f"wall time, {latency * 1000:.0f} ms per answer")
    left.legend()
    right.plot(ns, [p["rss_mib"] for p in series], "o-")
    right.set(xlabel="integrations", ylabel="MiB", title="peak RSS")
    for axis in (left, right):
        axis.grid(alpha=0.3)
    fig.tight_layout()
    path = ctx.out_dir / "scaling.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return [Row("scaling plot", len(series), "points", note=f"written to {path.name}")]

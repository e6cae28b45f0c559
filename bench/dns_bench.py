"""``oneinbox-check dns`` for many domains against checkdmarc on the same loopback
DNS responder (a per-answer delay, its own process). checkdmarc checks one
domain after another, so it is timed on a subset and scaled per domain."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

from .common import PY, ROOT, Context, Row, measure

DELAY = 0.02


class DnsFake:
    def __init__(self, n: int, delay: float):
        self.proc = subprocess.Popen([PY, "-m", "bench.dnsfake", str(n), str(delay)], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = json.loads(self.proc.stdout.readline())["port"]

    def stats(self) -> dict[str, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=10)


def _checkdmarc(domains: list[str], port: int) -> float | None:
    try:
        import checkdmarc
        import dns.nameserver
    except ImportError:
        return None
    import logging

    logging.getLogger("checkdmarc").setLevel(logging.CRITICAL)  # its DNSSEC warnings (no DS at the fake) are noise
    nameserver = dns.nameserver.Do53Nameserver("127.0.0.1", port)
    started = time.perf_counter()
    for domain in domains:
        checkdmarc.check_domains([domain], nameservers=[nameserver], timeout=2.0, skip_tls=True)
    return time.perf_counter() - started


def run(ctx: Context) -> list[Row]:
    from .dnsfake import domains as bench_domains

    n = ctx.n(200, 20)
    subset = ctx.n(20, 3)
    fake = DnsFake(n, DELAY)
    try:
        domains = bench_domains(n)
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "dns.json"
            before = fake.stats()
            m = measure([PY, "-m", "oneinbox_check", "dns", *domains, "--nameserver", f"127.0.0.1:{fake.port}",
                         "--format", "json", "-o", str(report), "-q"])
            after = fake.stats()
            assert m.returncode in (0, 1, 3), m.stderr[-2000:]
            data = json.loads(report.read_text())
        ours = data["duration_ms"] / 1000
        queries = after["queries"] - before["queries"]
        theirs = _checkdmarc(domains[:subset], fake.port)
        last = fake.stats()
    finally:
        fake.close()
    rows = [Row(f"`dns` {n} domains at {DELAY * 1000:.0f} ms per answer", round(ours, 2), "s",
                note=f"{queries} queries; process {m.wall:.2f} s incl. start-up; ideal ≈ 3 × {DELAY * 1000:.0f} ms "
                     f"(the longest lookup chain) plus start-up; responder CPU "
                     f"{(after['cpu'] - before['cpu']) / max(queries, 1) * 1e6:.0f} µs a query")]
    if theirs is not None:
        scaled = theirs / subset * n
        rows.append(Row(f"checkdmarc ÷ `dns` ({n} domains)", round(scaled / ours, 1), "×", 100.0, True,
                        note=f"checkdmarc {theirs:.1f} s for {subset} domains, one after another "
                             f"({(last['queries'] - after['queries'])} queries) → {scaled:.1f} s for {n}; "
                             f"ours {ours:.2f} s run, {m.wall:.2f} s process"))
    return rows

"""``oneinbox-check dns`` for many domains against checkdmarc on the same loopback
DNS responder (a per-answer delay, its own process). checkdmarc checks one
domain after another, so it is timed on a subset and scaled per domain."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import PY, ROOT, Context, Measured, Row, measure

DELAY = 0.02


class DnsFake:
    def __init__(self, n: int, delay: float):
        self.proc = subprocess.Popen([PY, "-m", "bench.dnsfake", str(n), str(delay)], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        hello = json.loads(self.proc.stdout.readline())
        self.port, self.warmed, self.rcvbuf = hello["port"], hello["warmed"], hello["rcvbuf"]

    def command(self, line: str) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stats(self) -> dict[str, float]:
        return self.command("stats")

    def questions(self) -> list[list[str]]:
        return self.command("questions")

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


def _ours(fake: DnsFake, domains: list[str], tmp: Path) -> tuple[Measured, float, dict[str, float], dict[str, float]]:
    report = tmp / "dns.json"
    before = fake.stats()
    m = measure([PY, "-m", "oneinbox_check", "dns", *domains, "--nameserver", f"127.0.0.1:{fake.port}",
                 "--format", "json", "-o", str(report), "-q"])
    after = fake.stats()
    assert m.returncode in (0, 1, 3), m.stderr[-2000:]
    return m, json.loads(report.read_text())["duration_ms"] / 1000, before, after


def run(ctx: Context) -> list[Row]:
    from .dnsfake import domains as bench_domains

    n = ctx.n(200, 20)
    subset = ctx.n(20, 3)
    fake = DnsFake(n, DELAY)
    try:
        domains = bench_domains(n)
        with tempfile.TemporaryDirectory() as tmp:
            one, _, b1, a1 = _ours(fake, domains[:1], Path(tmp))  # start-up and fixed costs, for CPU per question
            fake.questions()
            m, ours, before, after = _ours(fake, domains, Path(tmp))
            asked = fake.questions()
        queries = after["queries"] - before["queries"]
        per_question = (m.cpu - one.cpu) / max(queries - (a1["queries"] - b1["queries"]), 1) * 1e6
        bare = json.loads(subprocess.run([PY, "-m", "bench.dns_bare", str(fake.port)], cwd=ROOT, check=True,
                                         input=json.dumps(asked), capture_output=True, text=True).stdout)
        first = fake.stats()
        theirs = _checkdmarc(domains[:subset], fake.port)
        last = fake.stats()
    finally:
        fake.close()
    fake_cpu = (after["cpu"] - before["cpu"]) / max(queries, 1)
    rows = [Row(f"`dns` {n} domains at {DELAY * 1000:.0f} ms per answer", round(ours, 2), "s",
                note=f"{queries} queries; process {m.wall:.2f} s incl. start-up, CPU {m.cpu:.2f} s; ideal ≈ "
                     f"3 × {DELAY * 1000:.0f} ms (the longest lookup chain) plus the CPU of the questions")]
    if theirs is not None:
        scaled = theirs / subset * n
        rows.append(Row(f"checkdmarc ÷ `dns` ({n} domains)", round(scaled / ours, 1), "×", 100.0, True,
                        note=f"checkdmarc {theirs:.1f} s for {subset} domains, one after another "
                             f"({(last['queries'] - first['queries']):.0f} queries) → {scaled:.1f} s for {n}; "
                             f"ours {ours:.2f} s run, {m.wall:.2f} s process"))
    rows.append(Row("`dns` CPU per question: checker ÷ bare dnspython loop", round(per_question / bare["us_per_question"], 2),
                    "×", note=f"{per_question:.0f} µs vs {bare['us_per_question']:.0f} µs a question "
                              f"({bare['questions']} questions, 256 in flight, a socket each; checker: CPU of {n} "
                              f"domains minus 1 domain); the loop reusing 256 sockets: "
                              f"{bare['pooled_us_per_question']:.0f} µs"))
    rows.append(Row("DNS responder's own CPU per query", round(fake_cpu * 1e6, 1), "µs",
                    note=f"{1 / max(fake_cpu, 1e-9):,.0f} queries/s of one core, its own process; answers "
                         f"pre-encoded ({fake.warmed} at start-up), {after['misses'] - before['misses']:.0f} misses "
                         f"in the measured run; receive buffer {fake.rcvbuf // 1024} KiB"))
    return rows

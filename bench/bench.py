"""Benchmarks: start-up cost, concurrency and deduplication against the sandbox.

Run: python bench/bench.py  (prints a Markdown table; copy it into bench/README.md)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def startup(args: list[str], runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(args, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def run_against_sandbox(n: int, latency: float, same_key: bool, per_host: int | None = None) -> tuple[float, int]:
    import anyio

    from oneinbox_check.manifest import RawItem, RawManifest, build_entries
    from oneinbox_check.probes._base import load_registry
    from oneinbox_check.runner import RunOptions, run
    from oneinbox_check.sandbox.asgi import Fault
    from oneinbox_check.sandbox.fakes.keyed import OpenAIFake
    from oneinbox_check.sandbox.world import IN_PROCESS_BASE, Sandbox

    keys = [f"sk-proj-bench{i:06d}" + "Ab9" * 16 for i in range(n)]
    fake = OpenAIFake({k: "valid" for k in keys})
    fake.faults.append(Fault(latency=latency))
    sandbox = Sandbox({"openai": fake})
    registry = load_registry()
    items = [RawItem("bench", i, {"name": f"i{i}", "provider": "openai",
                                  "api_key": keys[0] if same_key else keys[i]}) for i in range(n)]
    entries = build_entries(RawManifest(items), registry, {})
    endpoints = {**registry.endpoint_defaults(), **sandbox.endpoints(IN_PROCESS_BASE)}
    options = RunOptions(endpoints=endpoints, transport=sandbox.transport(), concurrency=64,
                         per_host=per_host or 64)
    t0 = time.perf_counter()
    report = anyio.run(run, entries, registry, options)
    assert report.summary.pass_ == n, report.summary
    return time.perf_counter() - t0, fake.count("/v1/models")


def offline_many(n: int) -> float:
    """Input and key-format checks of *n* integrations with distinct keys (scrubbing scales with this)."""
    import random
    import string

    import anyio

    from oneinbox_check.manifest import RawItem, RawManifest, build_entries
    from oneinbox_check.probes._base import load_registry
    from oneinbox_check.runner import RunOptions, run

    rnd = random.Random(1)
    registry = load_registry()
    items = [RawItem("bench", i, {"name": f"i{i}", "provider": "openai", "api_key": "sk-proj-" + "".join(
        rnd.choice(string.ascii_letters + string.digits) for _ in range(60))}) for i in range(n)]
    t0 = time.perf_counter()
    entries = build_entries(RawManifest(items), registry, {})
    report = anyio.run(run, entries, registry, RunOptions(offline=True))
    assert report.summary.pass_ == n
    return time.perf_counter() - t0


def main() -> None:
    py = sys.executable
    rows = [
        ("`python -c pass`", f"{startup([py, '-c', 'pass']):.0f} ms"),
        ("`oneinbox-check --version`", f"{startup([py, '-m', 'oneinbox_check', '--version']):.0f} ms"),
        ("`oneinbox-check --help`", f"{startup([py, '-m', 'oneinbox_check', '--help']):.0f} ms"),
        ("`oneinbox-check demo` (20 integrations, in-process sandbox)",
         f"{startup([py, '-m', 'oneinbox_check', 'demo', '-q'], runs=5):.0f} ms"),
    ]
    for n, latency, same, per_host in ((200, 0.05, False, 64), (200, 0.05, False, 8), (200, 0.05, True, 64)):
        wall, sent = run_against_sandbox(n, latency, same, per_host)
        label = (f"{n} integrations, {latency * 1000:.0f} ms per answer, "
                 f"{'one shared key' if same else 'distinct keys'}, per-host limit {per_host}")
        rows.append((label, f"{wall:.2f} s wall (serial would be {n * latency:.1f} s); {sent} requests sent"))
    rows.append(("10,000 integrations, --offline (validation, key formats, scrubbing)", f"{offline_many(10000):.2f} s"))
    print("| measurement | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()

"""Child process of the ``live`` benchmark: CPU per request of the checker's run
against bare loops making the same requests to the same fakes with the
checker's limits (32 in flight, 8 per origin), alternated in one process so all
see the same machine: one ``httpx.AsyncClient`` for every origin (the loop issue
12 names), httpx with a pool per origin as the checker has, and aiohttp.

Run: ``python -m bench.cpu '{"openai": "http://127.0.0.1:P", ...}' N``; prints JSON.
"""

from __future__ import annotations

import json
import sys
import time

import anyio

from oneinbox_check.manifest import RawItem, RawManifest, build_entries
from oneinbox_check.probes.registry import load_registry
from oneinbox_check.runner import RunOptions, run

from . import clients
from .common import mixed_integrations


def main(endpoints: dict[str, str], n: int, rounds: int = 2) -> dict[str, float]:
    registry = load_registry()
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        has_aiohttp = False
    else:
        has_aiohttp = True
    checker_cpu: list[float] = []
    bare_cpu: list[float] = []
    pools_cpu: list[float] = []
    aiohttp_cpu: list[float] = []
    for r in range(rounds):
        items = mixed_integrations(n, offset=r * n)  # fresh keys: no cache between rounds
        entries = build_entries(RawManifest([RawItem("bench", i, d) for i, d in enumerate(items)]), registry, {})
        options = RunOptions(endpoints={**registry.endpoint_defaults(), **endpoints})
        c0 = time.process_time()
        anyio.run(clients.bare_httpx_one_client, n, endpoints)
        bare_cpu.append(time.process_time() - c0)
        c0 = time.process_time()
        anyio.run(clients.bare_httpx, n, endpoints)
        pools_cpu.append(time.process_time() - c0)
        c0 = time.process_time()
        anyio.run(run, entries, registry, options)
        checker_cpu.append(time.process_time() - c0)
        if has_aiohttp:
            c0 = time.process_time()
            anyio.run(clients.bare_aiohttp, n, endpoints)
            aiohttp_cpu.append(time.process_time() - c0)
    out = {"checker_ms_per_request": min(checker_cpu) * 1000 / n, "bare_ms_per_request": min(bare_cpu) * 1000 / n,
           "pools_ms_per_request": min(pools_cpu) * 1000 / n}
    if aiohttp_cpu:
        out["aiohttp_ms_per_request"] = min(aiohttp_cpu) * 1000 / n
    return out


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]), int(sys.argv[2]))))

"""Child process of the ``live`` benchmark: CPU per request of the checker's run
against a bare ``httpx.AsyncClient`` loop making the same requests to the same
fakes (32 in flight), alternated in one process so both see the same machine.

Run: ``python -m bench.cpu '{"openai": "http://127.0.0.1:P", ...}' N``; prints JSON.
"""

from __future__ import annotations

import json
import sys
import time

import anyio
import httpx

from oneinbox_check.manifest import RawItem, RawManifest, build_entries
from oneinbox_check.probes._base import ProbeContext, load_registry
from oneinbox_check.runner import RunOptions, run

from .common import PROVIDERS, mixed_integrations


def main(endpoints: dict[str, str], n: int, rounds: int = 2) -> dict[str, float]:
    registry = load_registry()
    paths = {"openai": "/v1/models", "anthropic": "/v1/models", "groq": "/openai/v1/models"}

    async def bare() -> None:
        limiter = anyio.CapacityLimiter(32)
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=32), trust_env=False) as client:
            async def one(i: int, provider: str) -> None:
                async with limiter:
                    response = await client.get(endpoints[PROVIDERS[provider][0]] + paths.get(provider, "/v1/x"),
                                                headers={"Authorization": f"Bearer key-{i}"})
                    response.json()

            async with anyio.create_task_group() as tg:
                for i, item in enumerate(mixed_integrations(n)):
                    tg.start_soon(one, i, item["provider"])

    async def bare_aiohttp() -> None:  # the alternative client, measured to say what it would buy
        import aiohttp

        limiter = anyio.CapacityLimiter(32)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as session:
            async def one(i: int, provider: str) -> None:
                async with limiter:
                    url = endpoints[PROVIDERS[provider][0]] + paths.get(provider, "/v1/x")
                    async with session.get(url, headers={"Authorization": f"Bearer key-{i}"}) as response:
                        await response.json()

            async with anyio.create_task_group() as tg:
                for i, item in enumerate(mixed_integrations(n)):
                    tg.start_soon(one, i, item["provider"])

    try:
        import aiohttp  # noqa: F401
    except ImportError:
        has_aiohttp = False
    else:
        has_aiohttp = True
    checker_cpu: list[float] = []
    bare_cpu: list[float] = []
    aiohttp_cpu: list[float] = []
    for r in range(rounds):
        items = mixed_integrations(n, offset=r * n)  # fresh keys: no cache between rounds
        entries = build_entries(RawManifest([RawItem("bench", i, d) for i, d in enumerate(items)]), registry, {})
        options = RunOptions(endpoints={**registry.endpoint_defaults(), **endpoints}, context=ProbeContext)
        c0 = time.process_time()
        anyio.run(bare)
        bare_cpu.append(time.process_time() - c0)
        c0 = time.process_time()
        anyio.run(run, entries, registry, options)
        checker_cpu.append(time.process_time() - c0)
        if has_aiohttp:
            c0 = time.process_time()
            anyio.run(bare_aiohttp)
            aiohttp_cpu.append(time.process_time() - c0)
    out = {"checker_ms_per_request": min(checker_cpu) * 1000 / n, "bare_ms_per_request": min(bare_cpu) * 1000 / n}
    if aiohttp_cpu:
        out["aiohttp_ms_per_request"] = min(aiohttp_cpu) * 1000 / n
    return out


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]), int(sys.argv[2]))))

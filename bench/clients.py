"""Child process of the ``live`` benchmark: the floor the HTTP client sets.

The same requests the checker makes in the 50 ms run (one per integration, the
same fleet), made by bare client loops with the checker's limits — 32 in
flight, at most 8 per origin — and nothing else: no probes, no report. Their
run ÷ ideal is the best the checker could reach with that client on this
machine. Rounds alternate httpx and aiohttp so both see the same load.

Run: ``python -m bench.clients '{"openai": "http://127.0.0.1:P", ...}' N LATENCY``; prints JSON.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Awaitable, Callable

import anyio
import httpx

from .common import PROVIDERS, mixed_integrations

GLOBAL, PER_ORIGIN = 32, 8
PATHS = {"openai": "/v1/models", "anthropic": "/v1/models", "groq": "/openai/v1/models"}

Get = Callable[[str, str, str], Awaitable[None]]  # (origin name, url, key)


async def _loop(n: int, endpoints: dict[str, str], get: Get) -> None:
    limit = anyio.CapacityLimiter(GLOBAL)
    per_origin = {name: anyio.CapacityLimiter(PER_ORIGIN) for name in endpoints}

    async def one(i: int, provider: str) -> None:
        origin = PROVIDERS[provider][0]
        async with per_origin[origin], limit:  # the origin's slot first, as the checker does
            await get(origin, endpoints[origin] + PATHS.get(provider, "/v1/x"), f"key-{i}")

    async with anyio.create_task_group() as tg:
        for i, item in enumerate(mixed_integrations(n)):
            tg.start_soon(one, i, item["provider"])


async def bare_httpx(n: int, endpoints: dict[str, str]) -> None:
    ssl = httpx.create_ssl_context()  # one for all origins, as the checker does (each costs ≈ 30 ms)
    clients = {name: httpx.AsyncClient(limits=httpx.Limits(max_connections=PER_ORIGIN), trust_env=False, verify=ssl)
               for name in endpoints}  # a pool per origin, as the checker has

    async def get(origin: str, url: str, key: str) -> None:
        response = await clients[origin].get(url, headers={"Authorization": f"Bearer {key}"})
        response.json()

    try:
        await _loop(n, endpoints, get)
    finally:
        for client in clients.values():
            await client.aclose()


async def bare_httpx_one_client(n: int, endpoints: dict[str, str]) -> None:
    """The loop issue 12 names: one ``httpx.AsyncClient`` (32 connections) for every origin."""
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=GLOBAL), trust_env=False) as client:
        async def get(origin: str, url: str, key: str) -> None:
            response = await client.get(url, headers={"Authorization": f"Bearer {key}"})
            response.json()

        await _loop(n, endpoints, get)


async def bare_aiohttp(n: int, endpoints: dict[str, str]) -> None:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=GLOBAL, limit_per_host=PER_ORIGIN)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def get(origin: str, url: str, key: str) -> None:
            async with session.get(url, headers={"Authorization": f"Bearer {key}"}) as response:
                await response.json()

        await _loop(n, endpoints, get)


def main(endpoints: dict[str, str], n: int, latency: float, rounds: int = 2) -> dict[str, dict[str, float]]:
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        loops = {"httpx": bare_httpx}
    else:
        loops = {"httpx": bare_httpx, "aiohttp": bare_aiohttp}
    ideal = math.ceil(n / GLOBAL) * latency
    best: dict[str, dict[str, float]] = {}
    for _ in range(rounds):
        for name, loop in loops.items():
            c0, w0 = time.process_time(), time.perf_counter()
            anyio.run(loop, n, endpoints)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            if name not in best or wall < best[name]["wall"]:
                best[name] = {"wall": wall, "cpu_ms_per_request": cpu * 1000 / n, "ideal": ideal}
    return best


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))))

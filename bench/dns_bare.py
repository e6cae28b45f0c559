"""Child process of the ``dns`` benchmark: the CPU a bare dnspython loop spends
per question (``make_query`` + ``asyncquery.udp``, 256 in flight, a new socket
per question as the checker's resolver does) for the very questions the
checker asked, against the same responder; and the same loop reusing 256
sockets, to say what a socket pool in the checker's resolver would buy.

Run: ``python -m bench.dns_bare PORT`` with ``[[name, type], ...]`` on stdin; prints JSON.
"""

from __future__ import annotations

import json
import socket
import sys
import time

import anyio
import dns.asyncbackend
import dns.asyncquery
import dns.message

IN_FLIGHT = 256


def main(port: int, questions: list[tuple[str, str]], rounds: int = 3) -> dict[str, float]:
    async def loop(pooled: bool) -> None:
        limiter = anyio.CapacityLimiter(IN_FLIGHT)
        backend = dns.asyncbackend.get_backend("asyncio")
        sockets = [await backend.make_socket(socket.AF_INET, socket.SOCK_DGRAM, 0, ("127.0.0.1", 0))
                   for _ in range(IN_FLIGHT if pooled else 0)]

        async def one(name: str, rdtype: str) -> None:
            async with limiter:
                query = dns.message.make_query(name, rdtype)
                if not pooled:
                    await dns.asyncquery.udp(query, "127.0.0.1", timeout=5, port=port, backend=backend)
                    return
                sock = sockets.pop()
                try:
                    await dns.asyncquery.udp(query, "127.0.0.1", timeout=5, port=port, backend=backend, sock=sock,
                                             ignore_unexpected=True)
                finally:
                    sockets.append(sock)

        async with anyio.create_task_group() as tg:
            for name, rdtype in questions:
                tg.start_soon(one, name, rdtype)
        for sock in sockets:
            await sock.close()

    cpu: dict[bool, list[float]] = {False: [], True: []}
    wall: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(rounds):
        for pooled in (False, True):
            c0, w0 = time.process_time(), time.perf_counter()
            anyio.run(loop, pooled)
            cpu[pooled].append(time.process_time() - c0)
            wall[pooled].append(time.perf_counter() - w0)
    n = max(len(questions), 1)
    return {"questions": len(questions), "us_per_question": min(cpu[False]) * 1e6 / n,
            "pooled_us_per_question": min(cpu[True]) * 1e6 / n, "wall_s": min(wall[False]),
            "pooled_wall_s": min(wall[True])}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), [tuple(q) for q in json.load(sys.stdin)])))

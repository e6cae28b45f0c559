"""The loopback DNS responder with a per-answer delay, in its own process, for
the ``dns`` benchmark: the sandbox zones plus N Resend-shaped domains
(``bench-N.example``), answered over UDP after DELAY seconds (a timer each, so
slow answers overlap like a real recursive resolver's).

Run: ``python -m bench.dnsfake N DELAY``; prints ``{"port": P}``; stdin:
``stats`` (queries answered, own CPU seconds), ``quit``.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys

from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.dns import ZoneData, _reply
from oneinbox_check.sandbox.fakes.resend import resend_domain


def domains(n: int) -> list[str]:
    return [f"bench-{i}.example" for i in range(n)]


class Responder(asyncio.DatagramProtocol):
    def __init__(self, zone: ZoneData, delay: float):
        self.zone, self.delay, self.count = zone, delay, 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.loop = asyncio.get_running_loop()

    def datagram_received(self, data: bytes, addr: tuple) -> None:  # type: ignore[override]
        reply = _reply(self.zone, data, udp=True)
        self.count += 1
        if reply is not None:
            self.loop.call_later(self.delay, self.transport.sendto, reply, addr)  # type: ignore[attr-defined]


async def main(n: int, delay: float) -> None:
    data = scenario.zone_records()
    for domain in domains(n):
        data.update(resend_domain(domain))
    zone = ZoneData(data)
    zone.queries = _Discard()  # the responder's log of questions is not needed here
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(lambda: Responder(zone, delay),
                                                              local_addr=("127.0.0.1", 0))
    print(json.dumps({"port": transport.get_extra_info("sockname")[1]}), flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while (line := (await reader.readline()).decode().strip()) and line != "quit":
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({"queries": protocol.count, "cpu": usage.ru_utime + usage.ru_stime}), flush=True)


class _Discard(list):  # type: ignore[type-arg]
    def append(self, item: object) -> None:
        pass


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))

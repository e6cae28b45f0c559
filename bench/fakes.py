"""Loopback fake providers for the benchmarks: one port per provider (like real
providers on separate hosts), in their own process, answering every request
with a small JSON body after a fixed latency.

A raw asyncio protocol (no framework, a timer per answer rather than a task) so
that the fakes cost far less CPU per request than the checker; ``stats``
reports their own CPU time so the bench can show they are not the bottleneck.

Run: ``python -m bench.fakes N LATENCY``; prints ``{"ports": [...]}`` and then
reads commands from stdin: ``latency S``, ``stats``, ``reset``, ``quit``.
"""

from __future__ import annotations

import asyncio
import json
import re
import resource
import sys

BODY = json.dumps({"data": [], "projects": [], "object": "list", "balance": "10.00", "currency": "USD",
                   "access_token": "x", "token": "x"}).encode()
RESPONSE = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
            + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


_LENGTH = re.compile(rb"(?i)content-length:[ \t]*(\d+)")


class State:
    latency = 0.0
    requests = 0


class FakeProtocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""
        self.loop = asyncio.get_running_loop()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            match = _LENGTH.search(self.buffer, 0, end)
            length = int(match.group(1)) if match else 0
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            State.requests += 1
            if State.latency:
                self.loop.call_later(State.latency, self._answer)
            else:
                self._answer()

    def _answer(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(RESPONSE)  # type: ignore[attr-defined]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def main(count: int, latency: float) -> None:
    State.latency = latency
    loop = asyncio.get_running_loop()
    servers = [await loop.create_server(FakeProtocol, "127.0.0.1", 0, backlog=1024) for _ in range(count)]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    print(json.dumps({"ports": ports}), flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().split():
        if line[0] == "quit":
            break
        if line[0] == "latency":
            State.latency = float(line[1])
        elif line[0] == "reset":
            State.requests = 0
        print(json.dumps({"requests": State.requests, "cpu": _cpu()}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))

"""The loopback DNS responder with a per-answer delay, in its own process, for
the ``dns`` benchmark: the sandbox zones plus N Resend-shaped domains
(``bench-N.example``), answered over UDP after DELAY seconds (a timer each, so
slow answers overlap like a real recursive resolver's).

Answers come from a cache of encoded replies, keyed by the query's bytes after
its ID (a real resolver answers from its cache too): a hit is the query's ID
glued to the stored reply, a few microseconds. The cache is filled at start-up
for every name in the zones and the types the mail checks ask (TXT, MX), in
the shape the checker's resolver sends (``make_query`` with RD, no EDNS); any
other question is answered by the sandbox responder's ``_reply`` once and then
cached, and counted as a miss. The socket's receive buffer is raised so a
burst of 256 questions is never dropped (a dropped datagram costs the checker
its whole timeout).

Run: ``python -m bench.dnsfake N DELAY``; prints ``{"port": P}``; stdin:
``stats`` (queries answered, cache misses, own CPU seconds), ``questions`` (the
distinct questions asked since the last time, as ``[name, type]``), ``quit``.
"""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import sys

import dns.exception
import dns.flags
import dns.message
import dns.rdatatype

from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.dns import ZoneData, _reply
from oneinbox_check.sandbox.fakes.resend import resend_domain

RCVBUF = 4 << 20  # bytes; the kernel caps it at net.core.rmem_max
WARM_TYPES = ("TXT", "MX")


def domains(n: int) -> list[str]:
    return [f"bench-{i}.example" for i in range(n)]


class Answers:
    """Encoded replies by query bytes (without the ID); misses go to ``_reply``."""

    def __init__(self, zone: ZoneData):
        self.zone = zone
        self.cache: dict[bytes, bytes] = {}
        self.misses = 0
        self.asked: set[bytes] = set()  # the questions since the last ``questions`` command

    def reply(self, data: bytes) -> bytes | None:
        self.asked.add(data[2:])
        stored = self.cache.get(data[2:])
        if stored is not None:
            return data[:2] + stored
        self.misses += 1
        return self._compute(data)

    def _compute(self, data: bytes) -> bytes | None:
        reply = _reply(self.zone, data, udp=True)
        if reply is not None and len(data) > 2:
            self.cache[data[2:]] = reply[2:]
        return reply

    def warm(self, names: list[str], types: tuple[str, ...] = WARM_TYPES) -> None:
        for name in names:
            for rdtype in types:
                query = dns.message.make_query(name, rdtype)
                query.flags |= dns.flags.RD
                self._compute(query.to_wire())

    def questions(self) -> list[tuple[str, str]]:
        """The distinct (name, type) asked since the last call (for the bare-dnspython comparison)."""
        out = set()
        for key in self.asked:
            try:
                question = dns.message.from_wire(b"\0\0" + key).question[0]
            except (dns.exception.DNSException, IndexError):
                continue
            out.add((question.name.to_text(omit_final_dot=True), dns.rdatatype.to_text(question.rdtype)))
        self.asked.clear()
        return sorted(out)


class Responder(asyncio.DatagramProtocol):
    def __init__(self, answers: Answers, delay: float):
        self.answers, self.delay, self.count = answers, delay, 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.loop = asyncio.get_running_loop()

    def datagram_received(self, data: bytes, addr: tuple) -> None:  # type: ignore[override]
        self.count += 1
        reply = self.answers.reply(data)
        if reply is not None:
            self.loop.call_later(self.delay, self.transport.sendto, reply, addr)  # type: ignore[attr-defined]


async def main(n: int, delay: float) -> None:
    data = scenario.zone_records()
    for domain in domains(n):
        data.update(resend_domain(domain))
    zone = ZoneData(data)
    zone.queries = _Discard()  # the responder's log of questions is not needed here
    answers = Answers(zone)
    answers.warm(sorted(data))
    warmed = len(answers.cache)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    sock.bind(("127.0.0.1", 0))
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(lambda: Responder(answers, delay), sock=sock)
    print(json.dumps({"port": sock.getsockname()[1], "warmed": warmed,
                      "rcvbuf": sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)}), flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while (line := (await reader.readline()).decode().strip()) and line != "quit":
        if line == "questions":
            print(json.dumps(answers.questions()), flush=True)
            continue
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({"queries": protocol.count, "misses": answers.misses,
                          "cpu": usage.ru_utime + usage.ru_stime}), flush=True)


class _Discard(list):  # type: ignore[type-arg]
    def append(self, item: object) -> None:
        pass


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))

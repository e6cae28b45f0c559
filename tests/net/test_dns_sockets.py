"""The resolver's UDP exchange: pooled connected sockets, a reply taken only
when it answers the question asked (ID, QR bit, question), anything else
ignored; a socket whose question failed is closed, not reused."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import anyio
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
import pytest

from oneinbox_check.net import dns as net_dns
from oneinbox_check.net.dns import Resolver, query_wire

from ..loopback_udp import UdpServer

pytestmark = pytest.mark.anyio

Handler = Callable[[dns.message.Message, tuple, socket.socket], None]


class ScriptedServer(UdpServer):
    """A loopback UDP nameserver whose handler decides what each query gets back."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.queries: list[tuple[dns.message.Message, tuple]] = []
        super().__init__(self._query)

    def _query(self, data: bytes, addr: tuple) -> None:
        query = dns.message.from_wire(data)
        self.queries.append((query, addr))
        self.handler(query, addr, self.sock)


def reply(query: dns.message.Message, text: str = "v=spf1 -all", *, qid: int | None = None,
          name: str | None = None) -> bytes:
    """A TXT answer to *query* (optionally with another ID or for another name)."""
    if name is not None:
        query = dns.message.make_query(name, "TXT")
        query.id = qid if qid is not None else query.id
    response = dns.message.make_response(query)
    owner = query.question[0].name
    response.answer.append(dns.rrset.from_text(owner, 300, "IN", "TXT", f'"{text}"'))
    if qid is not None:
        response.id = qid
    return response.to_wire()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(handler: Handler) -> ScriptedServer:
        server = ScriptedServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def resolver_for(server: ScriptedServer, *, timeout: float = 0.5, concurrency: int = 4) -> Resolver:
    return Resolver([("127.0.0.1", server.port)], timeout=timeout, tries=1,
                    limiter=anyio.CapacityLimiter(concurrency))


def test_query_wire_is_what_dnspython_sends_apart_from_the_id() -> None:
    for name, rdtype in [("example.com", "TXT"), ("resend._domainkey.Bench-1.example", "TXT"), ("send.x.io", "MX")]:
        expected = dns.message.make_query(name, rdtype)
        expected.flags |= dns.flags.RD
        wire = query_wire(0x1234, dns.name.from_text(name), dns.rdatatype.from_text(rdtype))
        assert wire[:2] == b"\x12\x34"
        assert wire[2:] == expected.to_wire()[2:]


async def test_reply_with_a_wrong_id_is_ignored(serve) -> None:
    def handler(query, addr, sock):
        sock.sendto(reply(query, "forged", qid=(query.id + 1) % 65536), addr)
        sock.sendto(reply(query, "real"), addr)

    result = await resolver_for(serve(handler)).query("example.com", "TXT")
    assert result.records == ("real",)


async def test_reply_to_another_question_is_ignored(serve) -> None:
    def handler(query, addr, sock):
        sock.sendto(reply(query, "forged", qid=query.id, name="other.example"), addr)
        sock.sendto(reply(query, "real"), addr)

    result = await resolver_for(serve(handler)).query("example.com", "TXT")
    assert result.records == ("real",)


async def test_question_echoed_in_another_case_is_the_reply(serve) -> None:
    def handler(query, addr, sock):
        sock.sendto(reply(query, "real", qid=query.id, name="EXAMPLE.com"), addr)

    result = await resolver_for(serve(handler)).query("example.com", "TXT")
    assert result.records == ("real",)


async def test_query_echoed_back_without_the_qr_bit_is_ignored(serve) -> None:
    def handler(query, addr, sock):
        sock.sendto(query.to_wire(), addr)  # a reflection of our own query
        sock.sendto(reply(query, "real"), addr)

    result = await resolver_for(serve(handler)).query("example.com", "TXT")
    assert result.records == ("real",)


async def test_garbage_datagrams_are_ignored(serve) -> None:
    def handler(query, addr, sock):
        for junk in (b"", b"\x00", b"\xff" * 11, b"\x00" * 600):
            sock.sendto(junk, addr)
        sock.sendto(reply(query, "real"), addr)

    result = await resolver_for(serve(handler)).query("example.com", "TXT")
    assert result.records == ("real",)


async def test_unreadable_reply_with_our_id_is_an_error_not_a_missing_record(serve) -> None:
    def handler(query, addr, sock):
        good = reply(query)
        sock.sendto(good[:-3], addr)  # our ID and QR bit, then a cut-off answer

    result = await resolver_for(serve(handler)).query("example.com", "TXT")
    assert result.outcome == "error" and result.failed and not result.missing


async def test_reply_from_another_port_is_never_read(serve) -> None:
    forger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    forger.bind(("127.0.0.1", 0))

    def handler(query, addr, sock):
        forger.sendto(reply(query, "forged"), addr)  # right ID and question, wrong source
        sock.sendto(reply(query, "real"), addr)

    try:
        result = await resolver_for(serve(handler)).query("example.com", "TXT")
    finally:
        forger.close()
    assert result.records == ("real",)


async def test_sockets_are_reused_one_question_at_a_time(serve) -> None:
    server = serve(lambda query, addr, sock: sock.sendto(reply(query), addr))
    resolver = resolver_for(server, concurrency=2)
    for i in range(6):
        assert (await resolver.query(f"n{i}.example", "TXT")).found
    assert len({addr for _, addr in server.queries}) == 1  # one socket, asked six times
    async with anyio.create_task_group() as tg:
        for i in range(6, 12):
            tg.start_soon(resolver.query, f"n{i}.example", "TXT")
    assert len({addr for _, addr in server.queries}) <= 2  # never more sockets than the DNS bound


async def test_stray_reply_left_on_a_reused_socket_is_not_taken_for_the_next_answer(serve) -> None:
    def handler(query, addr, sock):
        sock.sendto(reply(query, f"for {query.question[0].name}"), addr)
        sock.sendto(reply(query, f"for {query.question[0].name}"), addr)  # a duplicate, read by the next question

    resolver = resolver_for(serve(handler), concurrency=1)
    first = await resolver.query("a.example", "TXT")
    second = await resolver.query("b.example", "TXT")
    assert first.records == ("for a.example.",) and second.records == ("for b.example.",)


async def test_timeout_closes_the_socket_and_frees_the_slot(serve) -> None:
    def handler(query, addr, sock):
        if query.question[0].name.to_text().startswith("slow"):
            return  # never answered
        sock.sendto(reply(query), addr)

    server = serve(handler)
    resolver = resolver_for(server, timeout=0.2, concurrency=1)
    with anyio.fail_after(5):
        slow = await resolver.query("slow.example", "TXT")
        resolver.timeout = 5  # the answered question gets time to spare on a loaded machine
        fast = await resolver.query("fast.example", "TXT")  # the only slot is free again
    assert slow.outcome == "timeout" and fast.found
    (slow_query, slow_addr), (_, fast_addr) = server.queries
    assert slow_addr != fast_addr  # the timed-out socket was not reused
    assert resolver._limiter is not None and resolver._limiter.borrowed_tokens == 0


async def test_cancelled_question_closes_its_socket(serve) -> None:
    server = serve(lambda query, addr, sock: None)  # never answers
    resolver = resolver_for(server, timeout=5)
    with anyio.move_on_after(0.1):
        await resolver.query("slow.example", "TXT")
    pool = resolver._pools[("127.0.0.1", server.port)]
    assert pool.free == []
    assert resolver._limiter is not None and resolver._limiter.borrowed_tokens == 0


async def test_close_closes_the_idle_sockets(serve) -> None:
    server = serve(lambda query, addr, sock: sock.sendto(reply(query), addr))
    resolver = resolver_for(server)
    await resolver.query("example.com", "TXT")
    (sock,) = resolver._pools[("127.0.0.1", server.port)].free
    resolver.close()
    assert sock.fileno() == -1


def test_pool_survives_from_one_event_loop_to_the_next(serve) -> None:
    server = serve(lambda query, addr, sock: sock.sendto(reply(query), addr))
    resolver = Resolver([("127.0.0.1", server.port)], timeout=0.5, tries=1)  # (a limiter is bound to one loop)
    for i, backend in enumerate(["asyncio", "trio", "asyncio"]):
        result = anyio.run(resolver.query, f"n{i}.example", "TXT", backend=backend)
        assert result.found
    assert len({addr for _, addr in server.queries}) == 1


def test_dropped_resolver_closes_its_sockets(serve) -> None:
    server = serve(lambda query, addr, sock: sock.sendto(reply(query), addr))
    resolver = resolver_for(server)
    anyio.run(resolver.query, "example.com", "TXT")
    (sock,) = resolver._pools[("127.0.0.1", server.port)].free
    del resolver
    import gc

    gc.collect()
    assert sock.fileno() == -1


def test_a_broken_reply_is_a_form_error_only_with_our_id() -> None:
    query = dns.message.make_query("example.com", "TXT")
    qname, txt = query.question[0].name, dns.rdatatype.TXT
    cut = reply(query)[:-3]  # the answer's rdata ends early
    assert net_dns.read_reply(cut, (query.id + 1) % 65536, qname, txt) is None  # not ours: ignored
    with pytest.raises(dns.exception.FormError):
        net_dns.read_reply(cut, query.id, qname, txt)
    with pytest.raises(dns.exception.FormError):  # the question itself cut
        net_dns.read_reply(reply(query)[:16], query.id, qname, txt)


def test_reply_keeps_the_asked_type_and_cnames_once_each_in_order() -> None:
    query = dns.message.make_query("www.example.com", "TXT")
    response = dns.message.make_response(query)
    for owner, rdtype, values in [("www.example.com", "CNAME", ["host.example.com."]),
                                  ("host.example.com", "TXT", ['"b"', '"a"']),
                                  ("host.example.com", "A", ["192.0.2.1"]),
                                  ("host.example.com", "TXT", ['"b"', '"c"'])]:
        response.answer.append(dns.rrset.from_text_list(owner + ".", 300, "IN", rdtype, values))
    wire = response.to_wire()  # (dnspython shuffles the records of an rrset as it writes them)
    got = net_dns.read_reply(wire, query.id, query.question[0].name, dns.rdatatype.TXT)
    assert got is not None and got.rcode == 0
    assert sorted((n.to_text(), dns.rdatatype.to_text(t), rd.to_text()) for n, t, rd in got.answer) == [
        ("host.example.com.", "TXT", '"a"'), ("host.example.com.", "TXT", '"b"'),
        ("host.example.com.", "TXT", '"c"'), ("www.example.com.", "CNAME", "host.example.com.")]
    assert got == net_dns.Reply.of(dns.message.from_wire(wire), dns.rdatatype.TXT)  # in the order dnspython reads

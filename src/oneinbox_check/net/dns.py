"""The DNS layer: questions to the configured nameservers, a per-run cache,
and a :data:`Resolution` per question that keeps "the record is missing" apart
from "could not tell".

A question goes out over UDP on a connected socket taken from a per-nameserver
pool (:class:`_Sockets`; one question at a time per socket, at most
``--dns-concurrency`` in use), and comes back as a dnspython message. A
datagram is taken as the reply only when it carries the question's random ID,
the QR bit and the question itself; anything else (a stray, late or spoofed
datagram) is ignored and the wait goes on. A socket whose question timed out,
failed or was cancelled is closed, not reused. A truncated reply is asked
again over TCP (dnspython's ``asyncquery.tcp``).

``answer``/``nodata``/``nxdomain`` are facts about the zone; ``timeout``,
``servfail``, ``refused`` and ``error`` are not, and checks turn them into
``error`` (a timeout is not a missing record).
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import struct
import weakref
from dataclasses import dataclass
from typing import Literal, cast

import anyio
import dns.asyncbackend
import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.wire

import sniffio

from ..errors import UsageError
from . import budget
from .flight import SingleFlight

Resolution = Literal["answer", "nodata", "nxdomain", "timeout", "servfail", "refused", "error"]
"""How asking one name/type ended: what the zone said, or why it could not be asked."""


@dataclass(frozen=True)
class DnsResult:
    name: str
    rdtype: str
    outcome: Resolution
    records: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()  # CNAME targets followed, in order
    reason: str = ""

    @property
    def found(self) -> bool:
        return self.outcome == "answer"

    @property
    def missing(self) -> bool:
        """The zone says there is no such record."""
        return self.outcome in ("nodata", "nxdomain")

    @property
    def failed(self) -> bool:
        """The question could not be answered; the record may or may not exist."""
        return not (self.found or self.missing)

    def describe(self) -> str:
        if self.found:
            return f"{self.name} {self.rdtype}: " + "; ".join(self.records)
        if self.missing:
            return f"no {self.rdtype} record at {self.name}"
        return f"{self.rdtype} lookup of {self.name} failed: {self.reason or self.outcome}"


def parse_nameserver(spec: str) -> tuple[str, int]:
    """``IP``, ``IP:PORT``, ``[IPv6]:PORT`` → (ip, port); anything else is a usage error."""
    text = spec.strip()
    port = 53
    host = text
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise UsageError(f"--nameserver {spec!r}: expected [IPv6]:PORT")
            port_text = rest[1:]
            port = _port(spec, port_text)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _port(spec, port_text)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(f"--nameserver {spec!r}: give an IP address (optionally :PORT), not a host name") from None
    return host, port


def _port(spec: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageError(f"--nameserver {spec!r}: port must be 1-65535")
    return int(text)


def system_nameservers() -> list[tuple[str, int]]:
    import dns.resolver

    try:
        return [(ns, 53) for ns in dns.resolver.Resolver().nameservers]
    except Exception:  # no resolv.conf: every lookup will say so
        return []


_READ_TYPES = (dns.rdatatype.TXT, dns.rdatatype.MX, dns.rdatatype.CNAME, dns.rdatatype.A, dns.rdatatype.AAAA)


def prepare() -> None:
    """Import now dnspython's readers of the record types the checks ask (it imports
    each on the first reply that holds one)."""
    for rdtype in _READ_TYPES:
        dns.rdata.get_rdata_class(dns.rdataclass.IN, rdtype)


def _text(rdata: object) -> str:
    rdtype = getattr(rdata, "rdtype", None)
    if rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF):
        return b"".join(rdata.strings).decode("utf-8", "replace")  # type: ignore[attr-defined]
    if rdtype == dns.rdatatype.MX:
        return f"{rdata.preference} {rdata.exchange.to_text(omit_final_dot=True)}"  # type: ignore[attr-defined]
    if rdtype in (dns.rdatatype.CNAME, dns.rdatatype.NS, dns.rdatatype.PTR):
        return rdata.target.to_text(omit_final_dot=True)  # type: ignore[attr-defined]
    return rdata.to_text()  # type: ignore[attr-defined]


_HEADER = struct.Struct("!HHHHHH")  # RFC 1035 §4.1.1: ID, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT
_QUESTION_TAIL = struct.Struct("!HH")  # RFC 1035 §4.1.2: QTYPE, QCLASS after QNAME
_OPCODE = 0x7800  # flag bits; 0 is QUERY
_RCODE = 0x000F
_MAX_REPLY = 65535
_QUESTIONLESS = frozenset({dns.rcode.FORMERR, dns.rcode.SERVFAIL, dns.rcode.NOTIMP, dns.rcode.REFUSED})


def query_wire(qid: int, qname: dns.name.Name, qtype: int) -> bytes:
    """The query dnspython's ``make_query(qname, qtype).to_wire()`` sends (RD set, no
    EDNS), with ID *qid*: a header and one question, without building a message."""
    return (_HEADER.pack(qid, dns.flags.RD, 1, 0, 0, 0) + cast(bytes, qname.to_wire())
            + _QUESTION_TAIL.pack(qtype, dns.rdataclass.IN))


Record = tuple[dns.name.Name, int, object]
"""An answer record the checks may read: (owner, type, dnspython rdata)."""


@dataclass(frozen=True)
class Reply:
    """What the resolver reads of a reply: its rcode and the answer records of the
    asked type and of type CNAME (class IN), duplicates dropped, in the order sent."""

    rcode: int
    answer: tuple[Record, ...]

    @classmethod
    def of(cls, message: dns.message.Message, qtype: int) -> "Reply":
        """The same from a dnspython message (the TCP path)."""
        records = [(rrset.name, rrset.rdtype, rd) for rrset in message.answer
                   if rrset.rdclass == dns.rdataclass.IN and rrset.rdtype in (qtype, dns.rdatatype.CNAME)
                   for rd in rrset]
        return cls(message.rcode(), tuple(records))


def _asks(questions: list[tuple[dns.name.Name, int, int]], rcode: int, qname: dns.name.Name, qtype: int) -> bool:
    """Do *questions* (a reply's question section) echo ours? (what dnspython's
    ``Message.is_response`` checks for a one-question query; names compare case-insensitively)."""
    if not questions:  # allowed for these rcodes only (as dnspython does)
        return rcode in _QUESTIONLESS
    if len(questions) != 1:
        return False
    name, rdtype, rdclass = questions[0]
    return rdtype == qtype and rdclass == dns.rdataclass.IN and name == qname


class _Truncated(Exception):
    """The reply to our question had the TC bit: ask again over TCP."""


def read_reply(data: bytes, qid: int, qname: dns.name.Name, qtype: int) -> Reply | None:
    """The reply in datagram *data*, or ``None`` when it is not the reply to this question
    (wrong ID, not a response, not a QUERY, another question): the caller keeps waiting.

    Read with dnspython's wire parser, name and rdata readers (RFC 1035 §4.1): the
    header, the question, and the answer section's records of the asked type and
    CNAMEs (other records are skipped by their length; the authority and additional
    sections are not read: nothing here uses them, and the query carries no EDNS, so
    the rcode is the header's). Raises ``dns.exception.FormError`` for a datagram that
    carries our ID and the QR bit but cannot be read, :class:`_Truncated` for a truncated one.
    """
    if len(data) < 12:
        return None
    rid, flags, qdcount, ancount, _, _ = _HEADER.unpack_from(data)
    if rid != qid or not flags & dns.flags.QR or flags & _OPCODE:
        return None  # not ours: rejected before anything is parsed
    rcode = flags & _RCODE
    try:
        parser = dns.wire.Parser(data, 12)
        questions = []
        for _ in range(qdcount):
            name = dns.name.from_wire_parser(parser)
            questions.append((name, *parser.get_struct("!HH")))
    except Exception as exc:  # any unreadable reply (dnspython raises many kinds): a broken answer
        raise dns.exception.FormError(f"unreadable reply: {type(exc).__name__}") from None
    if not _asks(questions, rcode, qname, qtype):
        return None
    if flags & dns.flags.TC:
        raise _Truncated
    try:
        return Reply(rcode, _answer(parser, ancount, qtype))
    except Exception as exc:
        raise dns.exception.FormError(f"unreadable reply: {type(exc).__name__}") from None


def _answer(parser: dns.wire.Parser, count: int, qtype: int) -> tuple[Record, ...]:
    records: dict[Record, None] = {}  # ordered, without duplicates (as a dnspython rdataset)
    for _ in range(count):
        owner = dns.name.from_wire_parser(parser)
        rdtype, rdclass, _, rdlen = parser.get_struct("!HHIH")
        if rdclass != dns.rdataclass.IN or rdtype not in (qtype, dns.rdatatype.CNAME):
            parser.seek(parser.current + rdlen)
            continue
        with parser.restrict_to(rdlen):
            rdata = dns.rdata.from_wire_parser(rdclass, rdtype, parser)
        records[(owner, rdtype, rdata)] = None
    return tuple(records)


class _Sockets:
    """Connected UDP sockets to one nameserver, each used for one question at a time
    and kept (up to *keep*) for the next question. Plain non-blocking sockets waited
    on with ``anyio.wait_readable``, so the pool outlives an event loop (asyncio and trio)."""

    def __init__(self, ip: str, port: int, keep: int):
        self.address = (ip, port)
        self.family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        self.keep = keep
        self.free: list[socket.socket] = []

    def take(self) -> socket.socket:
        if self.free:
            return self.free.pop()
        sock = socket.socket(self.family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.connect(self.address)  # the kernel drops datagrams from any other address
        except OSError:
            sock.close()
            raise
        return sock

    def give(self, sock: socket.socket) -> None:
        if len(self.free) < self.keep:
            self.free.append(sock)
        else:
            sock.close()

    def close(self) -> None:
        while self.free:
            self.free.pop().close()


def _close_pools(pools: dict[tuple[str, int], _Sockets]) -> None:
    for pool in pools.values():
        pool.close()


async def exchange(pool: _Sockets, qid: int, qname: dns.name.Name, qtype: int,
                   timeout: float) -> Reply:
    """Send the question over UDP on a socket of *pool*; its reply (see :func:`read_reply`).

    Raises ``TimeoutError`` (no reply within *timeout*), ``OSError`` (e.g. ICMP port
    unreachable), ``dns.exception.FormError`` (a broken reply) or :class:`_Truncated`.
    The socket goes back to the pool only after a good reply.
    """
    wire = query_wire(qid, qname, qtype)
    sock = pool.take()
    reusable = False
    try:
        with anyio.move_on_after(timeout):  # (a plain cancel scope: cheaper than fail_after's generators)
            while True:
                try:
                    sock.send(wire)
                    break
                except BlockingIOError:  # send buffer full
                    await anyio.wait_writable(sock)
            while True:
                await anyio.wait_readable(sock)
                while True:
                    try:
                        data = sock.recv(_MAX_REPLY)
                    except BlockingIOError:
                        break
                    response = read_reply(data, qid, qname, qtype)
                    if response is not None:
                        reusable = True
                        return response
        raise TimeoutError  # the block only ends when the scope's deadline passed
    finally:
        if reusable:
            pool.give(sock)
        else:
            sock.close()


class Resolver:
    """Asks the configured nameservers (UDP, TCP on truncation); caches per run."""

    def __init__(self, nameservers: list[tuple[str, int]] | None = None, *, timeout: float = 5.0,
                 tries: int = 2, limiter: anyio.CapacityLimiter | None = None):
        self.nameservers = list(nameservers) if nameservers else system_nameservers()
        self.timeout = timeout
        self.tries = max(1, tries)
        self._limiter = limiter
        self._cache: SingleFlight[DnsResult] = SingleFlight()
        self._pools: dict[tuple[str, int], _Sockets] = {}
        self._keep = int(limiter.total_tokens) if limiter is not None else 256
        self._finalizer = weakref.finalize(self, _close_pools, self._pools)
        self.queries_sent = 0

    def close(self) -> None:
        """Close the idle sockets (a later question opens new ones); also done when the resolver is dropped."""
        _close_pools(self._pools)

    async def query(self, name: str, rdtype: str) -> DnsResult:
        """Resolve *name*/*rdtype*, following CNAMEs; each question is asked once per run."""
        key = (name.lower().rstrip("."), rdtype.upper())
        return await self._cache.do(key, lambda: self._resolve(*key))

    async def _resolve(self, name: str, rdtype: str) -> DnsResult:
        chain: list[str] = []
        current = name
        for _ in range(8):
            outcome, records, cnames, reason = await self._ask(current, rdtype)
            if outcome != "answer" or records or not cnames:
                if outcome == "answer" and not records:
                    outcome = "nodata"
                return DnsResult(name, rdtype, outcome, tuple(records), tuple(chain + cnames), reason)
            chain += cnames
            current = cnames[-1]
        return DnsResult(name, rdtype, "error", (), tuple(chain), "CNAME chain longer than 8")

    def _pool(self, ip: str, port: int) -> _Sockets:
        pool = self._pools.get((ip, port))
        if pool is None:
            pool = self._pools[(ip, port)] = _Sockets(ip, port, self._keep)
        return pool

    async def _one(self, qname: dns.name.Name, qtype: int, ip: str, port: int,
                   timeout: float) -> Reply:
        try:
            return await exchange(self._pool(ip, port), secrets.randbits(16), qname, qtype, timeout)
        except _Truncated:
            # dnspython caches the first event loop library it sees; name it per call
            # so asyncio and trio runs in one process both work.
            backend = dns.asyncbackend.get_backend(sniffio.current_async_library())
            query = dns.message.make_query(qname, dns.rdatatype.RdataType.make(qtype))
            return Reply.of(await dns.asyncquery.tcp(query, ip, timeout=timeout, port=port, backend=backend), qtype)

    async def _ask(self, name: str, rdtype: str) -> tuple[Resolution, list[str], list[str], str]:
        if not self.nameservers:
            return "error", [], [], "no nameserver configured (use --nameserver)"
        try:
            qname = dns.name.from_text(name)
            qtype = dns.rdatatype.from_text(rdtype)
        except (dns.exception.DNSException, ValueError) as exc:
            return "error", [], [], f"invalid DNS name {name!r}: {exc}"
        last: tuple[Resolution, str] = ("error", "no answer")
        for _ in range(self.tries):
            for ip, port in self.nameservers:
                left = budget.remaining()
                timeout = self.timeout if left is None else max(0.05, min(self.timeout, left))
                try:
                    self.queries_sent += 1
                    if self._limiter is not None:
                        try:  # a free slot is taken without the two event-loop passes of acquire()
                            self._limiter.acquire_nowait()
                        except anyio.WouldBlock:
                            with budget.queued():
                                await self._limiter.acquire()
                        try:
                            response = await self._one(qname, qtype, ip, port, timeout)
                        finally:
                            self._limiter.release()
                    else:
                        response = await self._one(qname, qtype, ip, port, timeout)
                except (TimeoutError, dns.exception.Timeout):
                    last = ("timeout", f"no answer from {ip}:{port} within {timeout:g}s")
                    continue
                except EOFError:  # dnspython's TCP read: the server closed before a whole answer
                    last = ("error", f"{ip}:{port}: the TCP connection closed without an answer")
                    continue
                except (OSError, dns.exception.DNSException, ValueError) as exc:
                    last = ("error", f"{ip}:{port}: {exc}")
                    continue
                rcode = response.rcode
                if rcode == dns.rcode.NXDOMAIN:
                    return "nxdomain", [], _collect(response.answer, qname, dns.rdatatype.NONE)[1], ""
                if rcode == dns.rcode.SERVFAIL:
                    last = ("servfail", f"SERVFAIL from {ip}:{port}")
                    continue
                if rcode == dns.rcode.REFUSED:
                    last = ("refused", f"REFUSED by {ip}:{port}")
                    continue
                if rcode != dns.rcode.NOERROR:
                    last = ("error", f"{dns.rcode.to_text(dns.rcode.Rcode.make(rcode))} from {ip}:{port}")
                    continue
                records, cnames = _collect(response.answer, qname, qtype)
                return "answer", records, cnames, ""
        return last[0], [], [], last[1]


def _collect(answer: tuple[Record, ...], qname: dns.name.Name, qtype: int) -> tuple[list[str], list[str]]:
    """The records of *qtype* at *qname*, following the CNAMEs in *answer* (at most 8);
    and the CNAME targets followed."""
    owner = qname
    cnames: list[str] = []
    for _ in range(9):
        records = [_text(rd) for name, rdtype, rd in answer if rdtype == qtype and name == owner]
        if records:
            return records, cnames
        if qtype == dns.rdatatype.CNAME:
            break
        alias = next((rd for name, rdtype, rd in answer if rdtype == dns.rdatatype.CNAME and name == owner), None)
        if alias is None:
            break
        owner = alias.target  # type: ignore[attr-defined]
        cnames.append(owner.to_text(omit_final_dot=True))
    return [], cnames

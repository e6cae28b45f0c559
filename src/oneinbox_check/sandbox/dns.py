"""A DNS responder on loopback (UDP and TCP) serving zones from data.

Zones are ``{name: {TYPE: [rdata text, ...]}}``; CNAMEs are followed within
the data. ``faults`` make a name misbehave: ``"timeout"`` (no answer),
``"servfail"``, ``"refused"`` or ``"delay:SECONDS"`` (answers, late). A
``generate(name, TYPE)`` callable can answer names no table could hold (an
endless include chain); it returns the records, or None for "not mine".
Names under no record answer NXDOMAIN; names that exist with other types
answer NOERROR with no data.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

Zones = Mapping[str, Mapping[str, list[str]]]
Generator = Callable[[str, str], "list[str] | None"]
MAX_DELAY = 30.0  # seconds; a scripted delay never holds a handler thread longer


def _txt(value: str) -> str:
    """Zone-file text for a TXT value, split into 255-byte strings as DNS requires.

    Every byte outside printable ASCII (and the quote and backslash) is written
    as ``\\DDD``, so records with control characters or UTF-8 are served as is.
    """
    raw = value.encode("utf-8", "surrogateescape")
    chunks = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
    return " ".join('"' + "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else f"\\{b:03d}"
                                  for b in c) + '"' for c in chunks)


class ZoneData:
    """Records and faults, mutable while the server runs (tests script scenarios)."""

    def __init__(self, zones: Zones | None = None, faults: Mapping[str, str] | None = None,
                 generate: Generator | None = None):
        self.records: dict[str, dict[str, list[str]]] = {}
        self.faults: dict[str, str] = {}
        self.generate = generate
        self.queries: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        if zones:
            self.load(zones)
        if faults:
            for name, fault in faults.items():  # "name" or "name/TYPE"
                host, slash, rdtype = name.partition("/")
                self.faults[_norm(host) + (slash + rdtype.upper() if slash else "")] = fault

    def load(self, zones: Zones) -> None:
        with self.lock:
            for name, types in zones.items():
                slot = self.records.setdefault(_norm(name), {})
                for rdtype, values in types.items():
                    values = values if isinstance(values, list) else [values]
                    if values:  # an empty list means "no such record"
                        slot.setdefault(rdtype.upper(), []).extend(values)

    def set(self, name: str, rdtype: str, values: list[str]) -> None:
        with self.lock:
            slot = self.records.setdefault(_norm(name), {})
            if values:
                slot[rdtype.upper()] = list(values)
            else:
                slot.pop(rdtype.upper(), None)

    def exists(self, name: str) -> bool:
        return name in self.records or any(n.endswith("." + name) for n in self.records)

    def answer(self, query: dns.message.Message) -> dns.message.Message | None:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA | dns.flags.RA
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        q = query.question[0]
        name = _norm(q.name.to_text())
        rdtype = dns.rdatatype.to_text(q.rdtype)
        with self.lock:
            self.queries.append((name, rdtype))
            fault = self.faults.get(name) or self.faults.get(f"{name}/{rdtype}")
        if fault and fault.startswith("delay:"):
            time.sleep(min(MAX_DELAY, max(0.0, float(fault.split(":", 1)[1]))))
            fault = None
        with self.lock:
            if fault == "timeout":
                return None
            if fault in ("servfail", "refused"):
                response.set_rcode(dns.rcode.SERVFAIL if fault == "servfail" else dns.rcode.REFUSED)
                return response
            generated = self.generate(name, rdtype) if self.generate and name not in self.records else None
            if generated is not None:
                if generated:
                    self._add(response, name, rdtype, generated)
                return response
            owner = name
            for _ in range(8):
                types = self.records.get(owner, {})
                values = types.get(rdtype)
                if values is not None:
                    self._add(response, owner, rdtype, values)
                    return response
                cname = types.get("CNAME")
                if cname and rdtype != "CNAME":
                    self._add(response, owner, "CNAME", cname[:1])
                    owner = _norm(cname[0])
                    continue
                break
            if owner == name and not self.exists(name) or owner != name and not self.exists(owner):
                response.set_rcode(dns.rcode.NXDOMAIN)
            return response

    @staticmethod
    def _add(response: dns.message.Message, owner: str, rdtype: str, values: list[str]) -> None:
        texts = [_txt(v) if rdtype in ("TXT", "SPF") else v for v in values]
        rrset = dns.rrset.from_text_list(dns.name.from_text(owner), 300, "IN", rdtype, texts,
                                        origin=dns.name.root, relativize=False)
        response.answer.append(rrset)


def _norm(name: str) -> str:
    return name.lower().rstrip(".")


class _UDPHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        reply = _reply(self.server.zone, data, udp=True)  # type: ignore[attr-defined]
        if reply is not None:
            sock.sendto(reply, self.client_address)


class _TCPHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(5)
        try:
            while True:
                head = _recv_exact(conn, 2)
                if not head:
                    return
                (length,) = struct.unpack("!H", head)
                data = _recv_exact(conn, length)
                reply = _reply(self.server.zone, data, udp=False)  # type: ignore[attr-defined]
                if reply is None:
                    return
                conn.sendall(struct.pack("!H", len(reply)) + reply)
        except OSError:
            return


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return b""
        buf += chunk
    return buf


def _reply(zone: ZoneData, data: bytes, udp: bool) -> bytes | None:
    try:
        query = dns.message.from_wire(data)
    except dns.exception.DNSException:
        return None
    response = zone.answer(query)
    if response is None:
        return None
    limit = 65535
    if udp:
        limit = max(512, query.payload) if query.edns >= 0 else 512
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        truncated = dns.message.make_response(query)
        truncated.flags |= dns.flags.TC
        return truncated.to_wire()


class _UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class DnsResponder:
    """UDP and TCP on the same loopback port. Use as a context manager or start()/stop()."""

    def __init__(self, zone: ZoneData | None = None, host: str = "127.0.0.1", port: int = 0):
        if host not in ("127.0.0.1", "::1") and not host.startswith("127."):
            raise ValueError("the sandbox DNS responder only binds loopback addresses")
        self.zone = zone or ZoneData()
        self.host = host
        self._requested_port = port
        self._servers: list[socketserver.BaseServer] = []
        self.port = 0

    def start(self) -> "DnsResponder":
        for _ in range(20):  # the UDP port must also be free for TCP
            udp = _UDPServer((self.host, self._requested_port), _UDPHandler, bind_and_activate=True)
            port = udp.server_address[1]
            try:
                tcp = _TCPServer((self.host, port), _TCPHandler, bind_and_activate=True)
            except OSError:
                udp.server_close()
                if self._requested_port:
                    raise
                continue
            break
        else:  # pragma: no cover
            raise OSError("no free port for the DNS responder")
        for server in (udp, tcp):
            server.zone = self.zone  # type: ignore[attr-defined]
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self._servers.append(server)
        self.port = port
        return self

    def use(self, zone: ZoneData) -> None:
        """Serve *zone* from now on (tests swap scenarios without restarting)."""
        self.zone = zone
        for server in self._servers:
            server.zone = zone  # type: ignore[attr-defined]

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def __enter__(self) -> "DnsResponder":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

"""A hostile or broken loopback nameserver (UDP, optionally TCP), one behaviour per
mode, for tests/hostile/test_hostile_nameserver.py. Run as a script (``python -m tests.hostile.dns_hostile
MODE``) it prints its port and serves until killed."""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time

import dns.flags
import dns.message
import dns.rdatatype
import dns.rcode
import dns.rrset

from ..loopback_udp import UdpServer

SPF = '"v=spf1 include:amazonses.com ~all"'


def _question_end(data: bytes) -> int:
    pos = 12
    while data[pos]:
        pos += data[pos] + 1
    return pos + 5


def _raw(data: bytes, flags: int, ancount: int, answer: bytes, *, qid: int | None = None) -> bytes:
    rid = struct.unpack_from("!H", data)[0] if qid is None else qid
    return struct.pack("!HHHHHH", rid, flags, 1, ancount, 0, 0) + data[12:_question_end(data)] + answer


def _answer(query: dns.message.Message, rcode: int = dns.rcode.NOERROR, records: list[str] = (),
            rdclass: str = "IN", *, tc: bool = False) -> bytes:
    response = dns.message.make_response(query)
    response.set_rcode(rcode)
    for text in records:
        owner, rdtype, value = text.split(" ", 2)
        response.answer.append(dns.rrset.from_text(owner, 300, rdclass, rdtype, value))
    if tc:
        response.flags |= dns.flags.TC
    return response.to_wire()


def respond(mode: str, data: bytes, state: dict) -> list[tuple[float, bytes]]:
    """(delay, datagram) pairs to send back for the query *data*."""
    query = dns.message.from_wire(data)
    q = query.question[0]
    name = q.name.to_text(omit_final_dot=True)
    rdtype = dns.rdatatype.to_text(q.rdtype)
    if mode == "silent":
        return []
    if mode in ("servfail", "refused", "formerr", "notimp", "nxdomain"):
        return [(0, _answer(query, dns.rcode.from_text(mode.upper())))]
    if mode == "pointer_loop":  # the answer's owner name is a pointer to itself
        end = _question_end(data)
        answer = struct.pack("!H", 0xC000 | end) + struct.pack("!HHIH", q.rdtype, 1, 300, 0)
        return [(0, _raw(data, 0x8180, 1, answer))]
    if mode == "question_pointer_loop":  # our ID and QR, the question's name a pointer to itself
        rid = struct.unpack_from("!H", data)[0]
        return [(0, struct.pack("!HHHHHH", rid, 0x8180, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", q.rdtype, 1))]
    if mode == "huge_ancount":  # ANCOUNT 65535, no answer bytes at all
        return [(0, _raw(data, 0x8180, 0xFFFF, b""))]
    if mode == "chaos_class":  # only CH-class records of the asked type
        return [(0, _answer(query, records=[f"{name}. {rdtype} {_value(rdtype)}"], rdclass="CH"))]
    if mode == "other_owner":  # records of the asked type, for another name
        return [(0, _answer(query, records=[f"evil.invalid. {rdtype} {_value(rdtype)}"]))]
    if mode == "cname_loop":  # name -> loop.invalid -> name
        return [(0, _answer(query, records=[f"{name}. CNAME loop.invalid.", f"loop.invalid. CNAME {name}."]))]
    if mode == "cname_self":
        return [(0, _answer(query, records=[f"{name}. CNAME {name}."]))]
    if mode == "cname_endless":  # every name is a CNAME to a longer one
        return [(0, _answer(query, records=[f"{name}. CNAME x.{name}."]))]
    if mode in ("tc", "tc_tcp_eof"):  # truncated; nothing listens on TCP / TCP closes without an answer
        return [(0, _answer(query, tc=True))]
    if mode == "wrong_question":  # our ID, another question
        other = dns.message.make_query("other.invalid", q.rdtype)
        other.id = query.id
        return [(0, _answer(other, records=[f"other.invalid. {rdtype} {_value(rdtype)}"]))]
    if mode == "late_duplicates":  # every answer right away, and again (stale) 50 ms later
        good = _answer(query, records=[f"{name}. {rdtype} {_value(rdtype)}"]) if rdtype in ("TXT", "MX", "A") \
            else _answer(query)
        return [(0, good), (0.05, good)]
    if mode == "hang_dmarc":  # every question answered at once, but _dmarc ones never
        if name.startswith("_dmarc."):
            return []
        return [(0, _answer(query, records=[f"{name}. {rdtype} {_value(rdtype)}"]) if rdtype in ("TXT", "MX", "A")
                 else _answer(query))]
    if mode == "stale_first":  # the previous question's answer, then (late) this one's
        good = _answer(query, records=[f"{name}. {rdtype} {_value(rdtype)}"]) if rdtype in ("TXT", "MX", "A") \
            else _answer(query)
        previous, state["previous"] = state.get("previous"), good
        out = [(0, previous)] if previous else []
        return out + [(0.02, good)]
    raise ValueError(mode)


def _value(rdtype: str) -> str:
    return {"TXT": SPF, "MX": "10 feedback-smtp.us-east-1.amazonses.com.", "A": "192.0.2.1",
            "AAAA": "2001:db8::1", "CNAME": "target.invalid."}.get(rdtype, SPF)


class HostileServer(UdpServer):
    def __init__(self, mode: str):
        self.mode = mode
        self.queries = 0
        self._state: dict = {}
        super().__init__(self._datagram)
        self.tcp: socket.socket | None = None
        if mode == "tc_tcp_eof":  # TCP on the same port: accepts, then closes without a word
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.bind(("127.0.0.1", self.port))
            self.tcp.listen(64)
            self.tcp.settimeout(0.05)
            threading.Thread(target=self._serve_tcp, daemon=True).start()

    def _datagram(self, data: bytes, addr: tuple) -> None:
        self.queries += 1
        try:
            out = respond(self.mode, data, self._state)
        except Exception:  # a query we cannot parse: say nothing
            return
        for delay, datagram in out:
            if delay:
                threading.Timer(delay, self._send, (datagram, addr)).start()
            else:
                self._send(datagram, addr)

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:  # read the query whole (closing with unread data would be a reset), then a clean EOF
                wanted = 2
                got = b""
                while len(got) < wanted:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    got += chunk
                    if len(got) >= 2:
                        wanted = 2 + struct.unpack_from("!H", got)[0]
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            conn.close()

    def _send(self, datagram: bytes, addr: tuple) -> None:
        try:
            self.sock.sendto(datagram, addr)
        except OSError:
            pass

    def close(self) -> None:
        super().close()
        if self.tcp is not None:
            self.tcp.close()

    def __enter__(self) -> "HostileServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    server = HostileServer(sys.argv[1])
    print(server.port, flush=True)
    while True:
        time.sleep(3600)

"""The DNS layer: dnspython queries with a nameserver override, a per-run cache,
and a :data:`Resolution` per question that keeps "the record is missing" apart
from "could not tell".

``answer``/``nodata``/``nxdomain`` are facts about the zone; ``timeout``,
``servfail``, ``refused`` and ``error`` are not, and checks turn them into
``error`` (a timeout is not a missing record).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

import anyio
import dns.asyncbackend
import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

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


def _text(rdata: object) -> str:
    rdtype = getattr(rdata, "rdtype", None)
    if rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF):
        return b"".join(rdata.strings).decode("utf-8", "replace")  # type: ignore[attr-defined]
    if rdtype == dns.rdatatype.MX:
        return f"{rdata.preference} {rdata.exchange.to_text(omit_final_dot=True)}"  # type: ignore[attr-defined]
    if rdtype in (dns.rdatatype.CNAME, dns.rdatatype.NS, dns.rdatatype.PTR):
        return rdata.target.to_text(omit_final_dot=True)  # type: ignore[attr-defined]
    return rdata.to_text()  # type: ignore[attr-defined]


class Resolver:
    """Asks the configured nameservers (UDP, TCP on truncation); caches per run."""

    def __init__(self, nameservers: list[tuple[str, int]] | None = None, *, timeout: float = 5.0,
                 tries: int = 2, limiter: anyio.CapacityLimiter | None = None):
        self.nameservers = list(nameservers) if nameservers else system_nameservers()
        self.timeout = timeout
        self.tries = max(1, tries)
        self._limiter = limiter
        self._cache: SingleFlight[DnsResult] = SingleFlight()
        self.queries_sent = 0

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

    async def _ask(self, name: str, rdtype: str) -> tuple[Resolution, list[str], list[str], str]:
        if not self.nameservers:
            return "error", [], [], "no nameserver configured (use --nameserver)"
        try:
            qname = dns.name.from_text(name)
            qtype = dns.rdatatype.from_text(rdtype)
        except (dns.exception.DNSException, ValueError) as exc:
            return "error", [], [], f"invalid DNS name {name!r}: {exc}"
        # dnspython caches the first event loop library it sees; name it per call
        # so asyncio and trio runs in one process both work.
        backend = dns.asyncbackend.get_backend(sniffio.current_async_library())
        last: tuple[Resolution, str] = ("error", "no answer")
        for _ in range(self.tries):
            for ip, port in self.nameservers:
                query = dns.message.make_query(qname, qtype)
                query.flags |= dns.flags.RD
                left = budget.remaining()
                timeout = self.timeout if left is None else max(0.05, min(self.timeout, left))
                try:
                    self.queries_sent += 1
                    if self._limiter is not None:
                        with budget.queued():
                            await self._limiter.acquire()
                        try:
                            response, _tcp = await dns.asyncquery.udp_with_fallback(
                                query, ip, timeout=timeout, port=port, backend=backend)
                        finally:
                            self._limiter.release()
                    else:
                        response, _tcp = await dns.asyncquery.udp_with_fallback(
                            query, ip, timeout=timeout, port=port, backend=backend)
                except dns.exception.Timeout:
                    last = ("timeout", f"no answer from {ip}:{port} within {timeout:g}s")
                    continue
                except (OSError, dns.exception.DNSException, ValueError) as exc:
                    last = ("error", f"{ip}:{port}: {exc}")
                    continue
                rcode = response.rcode()
                if rcode == dns.rcode.NXDOMAIN:
                    return "nxdomain", [], self._cnames(response, qname), ""
                if rcode == dns.rcode.SERVFAIL:
                    last = ("servfail", f"SERVFAIL from {ip}:{port}")
                    continue
                if rcode == dns.rcode.REFUSED:
                    last = ("refused", f"REFUSED by {ip}:{port}")
                    continue
                if rcode != dns.rcode.NOERROR:
                    last = ("error", f"{dns.rcode.to_text(rcode)} from {ip}:{port}")
                    continue
                records, cnames = self._collect(response, qname, qtype)
                return "answer", records, cnames, ""
        return last[0], [], [], last[1]

    @staticmethod
    def _cnames(response: dns.message.Message, qname: dns.name.Name) -> list[str]:
        return Resolver._collect(response, qname, dns.rdatatype.NONE)[1]

    @staticmethod
    def _collect(response: dns.message.Message, qname: dns.name.Name,
                 qtype: dns.rdatatype.RdataType) -> tuple[list[str], list[str]]:
        owner = qname
        cnames: list[str] = []
        for _ in range(9):
            rrset = next((r for r in response.answer if r.name == owner and r.rdtype == qtype), None)
            if rrset is not None:
                return [_text(rd) for rd in rrset], cnames
            alias = next((r for r in response.answer
                          if r.name == owner and r.rdtype == dns.rdatatype.CNAME), None)
            if alias is None or qtype == dns.rdatatype.CNAME:
                break
            owner = alias[0].target  # type: ignore[index]
            cnames.append(owner.to_text(omit_final_dot=True))
        return [], cnames

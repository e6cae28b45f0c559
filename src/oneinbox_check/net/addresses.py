"""The address rule (SPEC §13): which resolved addresses the checker refuses to contact.

A URL taken from input is resolved first and each address is checked here;
the connection then goes to the address that was checked. Link-local
addresses (169.254.0.0/16, fe80::/10) are where cloud instance-metadata
services live (AWS, GCP, Azure: 169.254.169.254; AWS IPv6: fd00:ec2::254), so
a manifest must not be able to point a credential-carrying request there. An
IPv4 address written as IPv6 (``::ffff:169.254.169.254``, or the NAT64/6to4
forms) is judged as the IPv4 address it carries.

No I/O here: callers resolve, this module judges.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_METADATA = (
    ipaddress.ip_address("fd00:ec2::254"),  # AWS instance metadata over IPv6 (Nitro)
)
_LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix


def parse(text: str) -> IPAddress | None:
    """An IP literal (brackets and an IPv6 zone allowed), or ``None`` for a host name."""
    text = text.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4)."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    packed = int(address)
    if packed >> 32 == 0 and packed > 0xFFFF:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(packed)
    return None


def refusal(address: IPAddress | str) -> str | None:
    """Why the checker will not contact *address*, or ``None`` when it may."""
    if isinstance(address, str):
        parsed = parse(address)
        if parsed is None:
            return None
        address = parsed
    for candidate in (address, embedded_ipv4(address)):
        if candidate is None:
            continue
        if candidate in _METADATA:
            return f"{address} is a cloud instance-metadata address"
        if any(candidate in net for net in _LINK_LOCAL if candidate.version == net.version):
            what = "a link-local address (cloud instance metadata lives there)"
            return f"{address} is {what}" if candidate == address else f"{address} stands for {candidate}, {what}"
    return None


def is_loopback(address: IPAddress | str) -> bool:
    """Loopback, also when written as an IPv4-mapped IPv6 address."""
    if isinstance(address, str):
        parsed = parse(address)
        if parsed is None:
            return False
        address = parsed
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return address.is_loopback or (mapped is not None and mapped.is_loopback)

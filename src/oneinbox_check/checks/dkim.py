"""DKIM (RFC 6376): the selector record exists, parses, carries a usable key
(RSA ≥ 1024 bits; an empty ``p=`` means revoked) and — when the provider says
what it should be — matches the expected value or CNAME target."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from ..models import CheckResult, Status
from .dnsresult import Lookup, abbreviate, lookup_error, same_host, unquote

ID = "dns.dkim"
MIN_BITS = 1024


@dataclass(frozen=True)
class DkimExpectation:
    """One DKIM record a provider asks for: a TXT value (``p=…``) or a CNAME target."""

    name: str
    type: str = "TXT"  # or "CNAME"
    value: str | None = None  # None: only existence and key quality are checked


def parse_tags(record: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in record.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"malformed tag {part.strip()!r}")
        name, value = part.split("=", 1)
        tags[name.strip().lower()] = "".join(value.split())
    return tags


def key_bits(tags: dict[str, str]) -> int:
    """Size of the public key in ``p=``; ``ValueError`` when it does not parse."""
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        raw = base64.b64decode(tags.get("p", ""), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("p= is not valid base64") from None
    if tags.get("k", "rsa").lower() == "ed25519":
        if len(raw) != 32:
            raise ValueError("an ed25519 key must be 32 bytes")
        return 256
    try:
        key = load_der_public_key(raw)
    except ValueError:
        raise ValueError("p= is not a DER public key") from None
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return 256
    raise ValueError(f"unsupported key type {type(key).__name__}")


async def check_one(resolver: Lookup, want: DkimExpectation) -> tuple[Status, str, dict[str, Any], Any]:
    """(status, summary, details, failed-lookup-or-None) for one selector."""
    details: dict[str, Any] = {"name": want.name}
    if want.type.upper() == "CNAME":
        cname = await resolver.query(want.name, "CNAME")
        if cname.failed:
            return Status.ERROR, "", details, cname
        if not cname.found:
            return Status.FAIL, f"no CNAME at {want.name} (expected → {want.value})", details, None
        details["cname"] = cname.records[0]
        if want.value and not same_host(cname.records[0], want.value):
            return Status.FAIL, f"CNAME at {want.name} points to {cname.records[0]}, expected {want.value}", details, None
    txt = await resolver.query(want.name, "TXT")
    if txt.failed:
        if want.type.upper() == "CNAME":  # the CNAME is right; the signing host's key is the provider's business
            return Status.PASS, f"{want.name} → {details['cname']}", details, None
        return Status.ERROR, "", details, txt
    records = [unquote(r) for r in txt.records] if txt.found else []
    dkim = [r for r in records if "p=" in r.replace(" ", "")]
    if not dkim:
        if want.type.upper() == "CNAME":
            return Status.PASS, f"{want.name} → {details['cname']} (key not published there)", details, None
        return Status.FAIL, f"no DKIM record at {want.name}", details, None
    if len(dkim) > 1:
        return Status.FAIL, f"{len(dkim)} DKIM records at {want.name}; there must be one", details, None
    record = dkim[0]
    details["record"] = abbreviate(record, 24)
    try:
        tags = parse_tags(record)
    except ValueError as exc:
        return Status.FAIL, f"DKIM record at {want.name} is malformed: {exc}", details, None
    if tags.get("v", "DKIM1") != "DKIM1":
        return Status.FAIL, f"DKIM record at {want.name} has v={tags['v']} (must be DKIM1)", details, None
    if not tags.get("p"):
        return Status.FAIL, f"DKIM key at {want.name} is revoked (empty p=)", details, None
    try:
        bits = key_bits(tags)
    except ValueError as exc:
        return Status.FAIL, f"DKIM key at {want.name} does not parse: {exc}", details, None
    details["key_bits"] = bits
    if tags.get("k", "rsa").lower() == "rsa" and bits < MIN_BITS:
        return Status.FAIL, f"DKIM key at {want.name} is {bits}-bit RSA (at least {MIN_BITS} needed)", details, None
    if want.type.upper() == "TXT" and want.value:
        try:
            expected_p = parse_tags(unquote(want.value)).get("p", "")
        except ValueError:
            expected_p = unquote(want.value)
        if expected_p and expected_p != tags["p"]:
            details["expected"] = abbreviate(expected_p)
            details["found"] = abbreviate(tags["p"])
            return (Status.FAIL, f"DKIM key at {want.name} differs from the provider's "
                    f"(DNS p={abbreviate(tags['p'])}, expected p={abbreviate(expected_p)})", details, None)
    return Status.PASS, f"{want.name}: {bits}-bit key", details, None


async def check_dkim(resolver: Lookup, wanted: list[DkimExpectation], *, provider: str = "the provider") -> CheckResult:
    """``dns.dkim`` over every selector the provider expects (worst one decides)."""
    results = [await check_one(resolver, w) for w in wanted]
    for status, _, _, failed in results:
        if status == Status.ERROR and failed is not None:
            return lookup_error(ID, failed)
    details = {"selectors": [d for _, _, d, _ in results]}
    failures = [(s, text, w) for (s, text, _, _), w in zip(results, wanted) if s == Status.FAIL]
    if failures:
        summary = "; ".join(text for _, text, _ in failures)
        fixes = []
        for _, _, w in failures:
            value = f" with value {w.value}" if w.value else f" (the value {provider} shows for it)"
            fixes.append(f"{w.type} record {w.name}{value}")
        return CheckResult(id=ID, status=Status.FAIL, summary=summary,
                           remediation="Add or fix the " + "; the ".join(fixes) + ".", details=details)
    return CheckResult(id=ID, status=Status.PASS, summary="DKIM ok: " + "; ".join(t for _, t, _, _ in results),
                       details=details)

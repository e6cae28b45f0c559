"""DKIM (RFC 6376): the selector record exists, parses as a key record
(§3.6.1, tag-list syntax of §3.2), carries a key a verifier will use — RSA of
at least 1024 bits (RFC 8301; below 2048 → warn) or a 32-byte Ed25519 key
(RFC 8463); an empty ``p=`` means revoked — and, when the provider says what it
should be, matches the expected value or CNAME target.

Tag-list (§3.2) → function::

    tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]        parse_tags
    tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
    tag-name  = ALPHA *ALNUMPUNC                          parse_tags
    tag-value = [ tval *( 1*(WSP / FWS) tval ) ]  ; tval = 1*VALCHAR, VALCHAR = %x21-3A / %x3C-7E
                                                          parse_tags
    duplicate tag names make the whole list invalid        parse_tags

Key record tags (§3.6.1) → ``check_record``: ``v=DKIM1`` first if present;
``h=`` colon-separated hash names (a key that allows no sha256 cannot verify
what RFC 8301 lets signers use); ``k=rsa|ed25519``; ``n=`` ignored; ``p=``
base64 with FWS allowed, empty = revoked; ``s=`` must include ``*`` or
``email``; ``t=`` flags, ``y`` (testing) → warn; unknown tags ignored. An
empty tag-spec between two ``;`` is tolerated, as verifiers do.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import cache
from typing import Any

from ..models import CheckResult, Status
from .layout import DkimExpectation, MailDnsLayout
from .lookup import Lookup, lookup_error
from .records import abbreviate, same_host, unquote

ID = "dns.dkim"
MIN_BITS = 1024  # RFC 8301 §3.2: verifiers MUST NOT accept smaller RSA keys
RECOMMENDED_BITS = 2048  # RFC 8301 §3.2: signers SHOULD use at least 2048
KEY_TYPES = ("rsa", "ed25519")
_FWS = " \t\r\n"
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_HYPHENATED = re.compile(r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_NOT_IN_VALUE = re.compile(r"[^\x21-\x7e \t\r\n]")  # tag-value: VALCHARs and FWS only


class DkimSyntaxError(ValueError):
    """The record breaks RFC 6376's tag-list or key-record rules."""


def _tag_specs(record: str) -> list[tuple[str, str]]:
    specs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for part in record.split(";"):
        if not part.strip(_FWS):
            continue
        name, sep, value = part.partition("=")
        name = name.strip(_FWS)
        if not sep:
            raise DkimSyntaxError(f"malformed tag {part.strip(_FWS)!r}: expected name=value (RFC 6376 §3.2)")
        if not _TAG_NAME.fullmatch(name):
            raise DkimSyntaxError(f"malformed tag {part.strip(_FWS)!r}: {name!r} is not a tag name (RFC 6376 §3.2)")
        value = value.strip(_FWS)
        bad = _NOT_IN_VALUE.search(value)
        if bad is not None:
            raise DkimSyntaxError(f"tag {name}= contains {bad.group()!r}, not allowed in a tag value (RFC 6376 §3.2)")
        if name in seen:
            raise DkimSyntaxError(f"tag {name}= appears twice, which makes the record invalid (RFC 6376 §3.2)")
        seen.add(name)
        specs.append((name, value))
    return specs


def parse_tags(record: str) -> dict[str, str]:
    """Tag names (case-sensitive, §3.2) → values; ``p=`` with its FWS removed. DkimSyntaxError on bad syntax."""
    return _tags(_tag_specs(record))


def _tags(specs: list[tuple[str, str]]) -> dict[str, str]:
    return {name: "".join(value.split()) if name == "p" else value for name, value in specs}


def _colon_list(name: str, value: str, *, star: bool = False) -> list[str]:
    items = [i.strip(_FWS) for i in value.split(":")]
    for item in items:
        if not (_HYPHENATED.fullmatch(item) or (star and item == "*")):
            raise DkimSyntaxError(f"{name}={value}: {item!r} is not a valid entry (RFC 6376 §3.6.1)")
    return items


@cache
def load_key_parser() -> tuple[Any, Any, Any]:
    """cryptography's DER loader and key classes (imported on first use: ≈ 30 ms)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    return load_der_public_key, rsa, ed25519


def key_bits(tags: dict[str, str]) -> int:
    """Size of the public key in ``p=``; ``ValueError`` when it does not parse."""
    load_der_public_key, rsa, ed25519 = load_key_parser()
    data = tags.get("p", "")
    if not _BASE64.fullmatch(data) or len(data) % 4:
        raise ValueError("p= is not valid base64")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("p= is not valid base64") from None
    if tags.get("k", "rsa").lower() == "ed25519":
        if len(raw) != 32:  # RFC 8463 §4.2: the raw 32-byte key, not a DER structure
            raise ValueError(f"an ed25519 key must be 32 bytes (this one is {len(raw)})")
        return 256
    try:
        key = load_der_public_key(raw)  # SubjectPublicKeyInfo, or a bare RSAPublicKey
    except ValueError:
        raise ValueError("p= is not a DER public key") from None
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        raise ValueError("p= holds an ed25519 key but k= says rsa (set k=ed25519 and publish the raw 32 bytes)")
    raise ValueError(f"p= holds a {type(key).__name__.removeprefix('_')}, not an RSA key")


def check_record(record: str) -> tuple[Status, str, dict[str, Any]]:
    """(status, problem or key description, details) for one key record (no DNS)."""
    details: dict[str, Any] = {}
    try:
        specs = _tag_specs(record)
        tags = _tags(specs)
    except DkimSyntaxError as exc:
        return Status.FAIL, f"is malformed: {exc}", details
    if "v" in tags:
        if specs[0][0] != "v":
            return Status.FAIL, "has v= but not as the first tag (RFC 6376 §3.6.1)", details
        if tags["v"] != "DKIM1":
            return Status.FAIL, f"has v={tags['v']} (must be DKIM1; verifiers discard it)", details
    key_type = tags.get("k", "rsa").lower()
    if key_type not in KEY_TYPES:
        return Status.FAIL, f"has k={tags['k']}: verifiers know only rsa and ed25519 (RFC 6376, RFC 8463)", details
    details["key_type"] = key_type
    try:
        if "h" in tags:
            hashes = [h.lower() for h in _colon_list("h", tags["h"])]
            if "sha256" not in hashes:
                return (Status.FAIL, f"allows only h={tags['h']}: verifiers reject sha1 signatures (RFC 8301) and "
                        "signers use sha256", details)
        services = [s.lower() for s in _colon_list("s", tags["s"], star=True)] if "s" in tags else ["*"]
        flags = [f.lower() for f in _colon_list("t", tags["t"])] if "t" in tags else []
    except DkimSyntaxError as exc:
        return Status.FAIL, f"is malformed: {exc}", details
    if "*" not in services and "email" not in services:
        return Status.FAIL, f"has s={tags['s']}: the key is not for email (needs * or email)", details
    if "p" not in tags:
        return Status.FAIL, "has no p= tag (required, RFC 6376 §3.6.1)", details
    if not tags["p"]:
        return Status.FAIL, "is revoked (empty p=)", details
    try:
        bits = key_bits(tags)
    except ValueError as exc:
        return Status.FAIL, f"does not parse: {exc}", details
    details["key_bits"] = bits
    described = f"{bits}-bit {'RSA' if key_type == 'rsa' else 'Ed25519'} key"
    if key_type == "rsa" and bits < MIN_BITS:
        return Status.FAIL, f"is {bits}-bit RSA (at least {MIN_BITS} needed; RFC 8301)", details
    if "y" in flags:
        details["testing"] = True
        return Status.WARN, f"{described} in testing mode (t=y: verifiers may treat failures as unsigned)", details
    if key_type == "rsa" and bits < RECOMMENDED_BITS:
        return Status.WARN, f"{described} ({RECOMMENDED_BITS} bits recommended, RFC 8301)", details
    return Status.PASS, described, details


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
    dkim = [r for r in records if "p=" in r.replace(" ", "") or r.replace(" ", "").startswith("v=DKIM1")]
    if not dkim:
        if want.type.upper() == "CNAME":
            return Status.PASS, f"{want.name} → {details['cname']} (key not published there)", details, None
        return Status.FAIL, f"no DKIM record at {want.name}", details, None
    if len(dkim) > 1:
        return Status.FAIL, f"{len(dkim)} DKIM records at {want.name}; there must be one", details, None
    record = dkim[0]
    details["record"] = abbreviate(record, 24)
    status, text, more = check_record(record)
    details.update(more)
    if status == Status.FAIL:
        prefix = "DKIM key" if text.startswith(("is revoked", "is ", "does not parse")) else "DKIM record"
        return Status.FAIL, f"{prefix} at {want.name} {text}", details, None
    if want.type.upper() == "TXT" and want.value:
        tags = parse_tags(record)
        try:
            expected_p = parse_tags(unquote(want.value)).get("p", "")
        except ValueError:
            expected_p = unquote(want.value)
        if expected_p and "".join(expected_p.split()) != tags["p"]:
            details["expected"] = abbreviate(expected_p)
            details["found"] = abbreviate(tags["p"])
            return (Status.FAIL, f"DKIM key at {want.name} differs from the provider's "
                    f"(DNS p={abbreviate(tags['p'])}, expected p={abbreviate(expected_p)})", details, None)
    return status, f"{want.name}: {text}", details, None


async def check_layout(resolver: Lookup, layout: MailDnsLayout) -> CheckResult:
    """``dns.dkim`` for the records *layout* expects; ``skip`` when it names none."""
    if not layout.dkim:
        return CheckResult(id=ID, status=Status.SKIP, summary="no DKIM selector known")
    return await check_dkim(resolver, layout.dkim, provider=layout.provider)


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
    warnings = [text for s, text, _, _ in results if s == Status.WARN]
    if warnings:
        fix = ("Publish a 2048-bit key (rotate the selector)" if any("recommended" in w for w in warnings)
               else "Remove t=y once signatures verify")
        return CheckResult(id=ID, status=Status.WARN, summary="DKIM: " + "; ".join(warnings), remediation=fix + ".",
                           details=details)
    return CheckResult(id=ID, status=Status.PASS, summary="DKIM ok: " + "; ".join(t for _, t, _, _ in results),
                       details=details)

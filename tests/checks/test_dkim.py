"""dns.dkim, one row per RFC 6376 §3.6.1 key-record rule (plus RFC 8301 key sizes, RFC 8463 Ed25519)."""

from __future__ import annotations

import base64

import pytest

from oneinbox_check.checks.dkim import check_dkim, check_record
from oneinbox_check.checks.layout import DkimExpectation
from oneinbox_check.sandbox.zones import KEY_512, KEY_1024, KEY_2048

pytestmark = pytest.mark.anyio

ED25519 = base64.b64encode(bytes(range(32))).decode()
FOLDED_2048 = " ".join(KEY_2048[i:i + 64] for i in range(0, len(KEY_2048), 64))  # FWS inside base64


def _ed25519_spki() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    der = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key().public_bytes(Encoding.DER,
                                                                                 PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def _rsa_pkcs1() -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key

    key = load_der_public_key(base64.b64decode(KEY_2048))
    return base64.b64encode(key.public_bytes(Encoding.DER, PublicFormat.PKCS1)).decode()


# (clause, record, verdict, fragment of the finding)
ROWS = [
    ("3.6.1 minimal record", f"p={KEY_2048}", "pass", "2048-bit RSA"),
    ("3.6.1 v=DKIM1 first", f"v=DKIM1; k=rsa; p={KEY_2048}", "pass", "2048-bit"),
    ("3.6.1 v must be first", f"k=rsa; v=DKIM1; p={KEY_2048}", "fail", "first tag"),
    ("3.6.1 v must be DKIM1", f"v=DKIM2; p={KEY_2048}", "fail", "must be DKIM1"),
    ("3.2 whitespace around = and ;", f" v = DKIM1 ;  k = rsa ; p = {KEY_2048} ; ", "pass", "2048-bit"),
    ("3.2 FWS inside p= base64", f"v=DKIM1; p={FOLDED_2048}", "pass", "2048-bit"),
    ("3.2 tag without =", f"v=DKIM1; junk; p={KEY_2048}", "fail", "malformed"),
    ("3.2 duplicate tag", f"v=DKIM1; p={KEY_2048}; p={KEY_2048}", "fail", "twice"),
    ("3.2 bad tag name", f"v=DKIM1; 1x=y; p={KEY_2048}", "fail", "not a tag name"),
    ("3.2 unknown tags ignored", f"v=DKIM1; n=notes here; zz=1; p={KEY_2048}", "pass", "2048-bit"),
    ("3.6.1 k=ed25519 32 bytes (RFC 8463)", f"v=DKIM1; k=ed25519; p={ED25519}", "pass", "Ed25519"),
    ("3.6.1 k=ed25519 wrong size", f"v=DKIM1; k=ed25519; p={KEY_2048}", "fail", "32 bytes"),
    ("3.6.1 k=rsa but an ed25519 key", f"v=DKIM1; k=rsa; p={_ed25519_spki()}", "fail", "ed25519"),
    ("3.6.1 unknown k", f"v=DKIM1; k=dsa; p={KEY_2048}", "fail", "k=dsa"),
    ("3.6.1 bare RSAPublicKey is accepted", f"v=DKIM1; p={_rsa_pkcs1()}", "pass", "2048-bit"),
    ("3.6.1 h=sha256", f"v=DKIM1; h=sha256; p={KEY_2048}", "pass", "2048-bit"),
    ("3.6.1 h=sha1:sha256", f"v=DKIM1; h=sha1:sha256; p={KEY_2048}", "pass", "2048-bit"),
    ("3.6.1 h=sha1 only (RFC 8301)", f"v=DKIM1; h=sha1; p={KEY_2048}", "fail", "sha1"),
    ("3.6.1 h syntax", f"v=DKIM1; h=sha256:; p={KEY_2048}", "fail", "h="),
    ("3.6.1 s=email", f"v=DKIM1; s=email; p={KEY_2048}", "pass", "2048-bit"),
    ("3.6.1 s=*", f"v=DKIM1; s=*; p={KEY_2048}", "pass", "2048-bit"),
    ("3.6.1 s without email", f"v=DKIM1; s=tlsrpt; p={KEY_2048}", "fail", "not for email"),
    ("3.6.1 t=y testing", f"v=DKIM1; t=y; p={KEY_2048}", "warn", "testing"),
    ("3.6.1 t=s strict", f"v=DKIM1; t=s; p={KEY_2048}", "pass", "2048-bit"),
    ("3.6.1 t=y:s", f"v=DKIM1; t=y:s; p={KEY_2048}", "warn", "testing"),
    ("3.6.1 empty p= is revoked", "v=DKIM1; p=", "fail", "revoked"),
    ("3.6.1 p is required", "v=DKIM1; k=rsa", "fail", "no p="),
    ("3.6.1 p= base64", "v=DKIM1; p=@@@", "fail", "base64"),
    ("3.6.1 p= not a key", "v=DKIM1; p=" + base64.b64encode(b"not a key").decode(), "fail", "DER"),
    ("RFC 8301 RSA 512", f"v=DKIM1; p={KEY_512}", "fail", "512-bit"),
    ("RFC 8301 RSA 1024 warns", f"v=DKIM1; p={KEY_1024}", "warn", "1024-bit"),
]


@pytest.mark.parametrize(("clause", "record", "verdict", "fragment"), ROWS, ids=[r[0] for r in ROWS])
async def test_rfc6376_key_record_rule(dns_server, clause: str, record: str, verdict: str, fragment: str) -> None:
    from oneinbox_check.net.dns import Resolver

    dns_server.zone.set("sel._domainkey.k.example", "TXT", [record])
    r = await check_dkim(Resolver([("127.0.0.1", dns_server.port)], timeout=1, tries=1),
                         [DkimExpectation("sel._domainkey.k.example")])
    assert r.status.value == verdict and fragment in r.summary, (clause, r.summary)
    if verdict != "pass":
        assert r.remediation


def test_testing_flag_is_in_details() -> None:
    status, _, details = check_record(f"v=DKIM1; t=y; p={KEY_2048}")
    assert status.value == "warn" and details["testing"] is True and details["key_bits"] == 2048

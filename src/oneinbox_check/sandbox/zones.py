"""DNS zones of the sandbox: one sending domain per situation the email checks
must tell apart. The DKIM keys are public keys generated for the sandbox."""

from __future__ import annotations

KEY_2048 = ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsWdI/RyvkdBMbKzKnsc33BFGbL1nr+HrPXAoSpaS/Lp9kiMJ22gMi/a1Mv7cuvLv"
            "x4Zjf7h2Aa/ajcE/fTcGLVYnFAbwKuVCNfM3CBGuxCu+YS6u6yUdrPVEXKYKFTo1qMgNio1Namy/mPSEXtpKyaz20Z+kUC5LqG7hHMMT5pTGbUUE"
            "FHkmck9+BAvKkscVjDNnD1yBDEaYcV9iUG9APCphr2MWOYKChbqidGZbqLv6/cDSsPgODXU61EH0H05KhQEwzbJVuBc0S7I0ximXRBbuFijeH5pV"
            "N3BVg+ze/uBiT53hpoOubH830mAoDSP6mdymINdDEWp6TpojdVxgbQIDAQAB")
KEY_1024 = ("MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDGt8TgBzgbmNdpLrXv8HhZOoWhVjKUZ/S7yBgXzi3d0qMkE/0yWWhe/C+od75+swF4Y+0f"
            "Tx5EsVrLBJwLbw7srbeBPqSdu1Z8sLRoggkY4XZ9NAcud+8VpXpzbUPGW5778SmGdFiacCX5ko3d6rLrTCGYiui3/J3cXsGtYtPNwwIDAQAB")
KEY_512 = ("MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL2lnYQ9xuq9OFyI2StrhCnIUhCxZ9G8sp+kzbntbs+9XKG9NWl4/4HjvKIsVJmhJyRTVi5wcyCY"
           "0JH9egTcVDUCAwEAAQ==")

SES_SPF = "v=spf1 include:amazonses.com ~all"
SES_MX = "10 feedback-smtp.us-east-1.amazonses.com"


def resend_domain(domain: str, *, spf: list[str] | None = None, mx: list[str] | None = None,
                  dkim: list[str] | None = None, dmarc: list[str] | None = None) -> dict[str, dict[str, list[str]]]:
    """A domain laid out the way Resend asks (return path ``send.``, selector ``resend``)."""
    return {
        f"send.{domain}": {"TXT": [SES_SPF] if spf is None else spf, "MX": [SES_MX] if mx is None else mx},
        f"resend._domainkey.{domain}": {"TXT": [f"p={KEY_2048}"] if dkim is None else dkim},
        f"_dmarc.{domain}": {"TXT": ["v=DMARC1; p=none; rua=mailto:dmarc@" + domain] if dmarc is None else dmarc},
        domain: {"A": ["192.0.2.10"]},
    }


def _nested(prefix: str, depth: int, width: int) -> dict[str, dict[str, list[str]]]:
    """include chains that add up to many lookups."""
    zones: dict[str, dict[str, list[str]]] = {}
    for i in range(width):
        for d in range(depth):
            name = f"{prefix}{i}-{d}.spf.example"
            nxt = f"include:{prefix}{i}-{d + 1}.spf.example " if d + 1 < depth else ""
            zones[name] = {"TXT": [f"v=spf1 {nxt}ip4:198.51.100.{i * depth + d}/32 ~all"]}
    return zones


def build() -> dict[str, dict[str, list[str]]]:
    zones: dict[str, dict[str, list[str]]] = {
        # provider-side records the SPF includes and DKIM CNAMEs lead to
        "amazonses.com": {"TXT": ["v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 "
                                  "ip4:69.169.224.0/20 ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 -all"]},
        "sendgrid.net": {"TXT": ["v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ip4:50.31.32.0/19 ip4:198.37.144.0/20 ~all"]},
        "u1234.wl.sendgrid.net": {"TXT": ["v=spf1 ip4:167.89.0.0/17 -all"], "MX": ["10 mx.sendgrid.net"]},
        "s1.domainkey.u1234.wl.sendgrid.net": {"TXT": [f"k=rsa; t=s; p={KEY_2048}"]},
        "s2.domainkey.u1234.wl.sendgrid.net": {"TXT": [f"k=rsa; t=s; p={KEY_2048}"]},
        "mx.sendgrid.net": {"A": ["167.89.0.1"]},
    }
    zones |= resend_domain("good.example")
    zones |= resend_domain("mail.good.example")  # fine DNS, but not a domain of the Resend account
    zones |= resend_domain("nospf.example", spf=[])
    zones |= resend_domain("twospf.example", spf=[SES_SPF, "v=spf1 include:_spf.google.com ~all"])
    zones |= resend_domain("deep.example", spf=["v=spf1 include:amazonses.com include:a0-0.spf.example "
                                                "include:a1-0.spf.example include:a2-0.spf.example ~all"])
    zones |= _nested("a", 4, 3)  # 1 + 3 * 4 = 13 lookups in deep.example
    zones |= resend_domain("void.example", spf=["v=spf1 include:amazonses.com a:gone1.void.example "
                                                "a:gone2.void.example mx:gone3.void.example ~all"])
    zones |= resend_domain("nodkim.example", dkim=[])
    zones |= resend_domain("revoked.example", dkim=["v=DKIM1; k=rsa; p="])
    zones |= resend_domain("weak.example", dkim=[f"v=DKIM1; k=rsa; p={KEY_512}"])
    zones |= resend_domain("wrongdkim.example", dkim=[f"p={KEY_1024}"])
    zones |= resend_domain("nodmarc.example", dmarc=[])
    zones |= resend_domain("twodmarc.example", dmarc=["v=DMARC1; p=none", "v=DMARC1; p=reject"])
    zones |= resend_domain("pending.example", spf=[], mx=[])
    zones |= resend_domain("plusall.example", spf=["v=spf1 include:amazonses.com +all"])
    zones |= resend_domain("noses.example", spf=["v=spf1 include:sendgrid.net ~all"])
    zones |= resend_domain("slowdns.example")  # send.* times out (FAULTS)
    zones |= resend_domain("brokendns.example")  # send.* answers SERVFAIL (FAULTS)
    zones |= {"gone.example": {"A": ["192.0.2.20"]}}  # Resend says verified; the records were deleted since
    # SendGrid: an authenticated domain with automated security (CNAMEs into SendGrid)
    zones |= {
        "sg-good.example": {"A": ["192.0.2.30"]},
        "em1234.sg-good.example": {"CNAME": ["u1234.wl.sendgrid.net"]},
        "s1._domainkey.sg-good.example": {"CNAME": ["s1.domainkey.u1234.wl.sendgrid.net"]},
        "s2._domainkey.sg-good.example": {"CNAME": ["s2.domainkey.u1234.wl.sendgrid.net"]},
        "_dmarc.sg-good.example": {"TXT": ["v=DMARC1; p=quarantine"]},
    }
    return zones


# names that misbehave (DNS faults)
FAULTS = {"send.slowdns.example": "timeout", "send.brokendns.example": "servfail"}


# --- hostile SPF trees (issue 8 item 6): what a receiver must stop early on -------------

def spf_doubling_tree(root: str, levels: int = 19) -> dict[str, dict[str, list[str]]]:
    """``levels`` records, each including the next twice: 2**levels paths from ``levels`` names."""
    zones: dict[str, dict[str, list[str]]] = {}
    for level in range(levels):
        name = root if level == 0 else f"l{level}.{root}"
        nxt = f"l{level + 1}.{root}"
        body = f"include:{nxt} include:{nxt} " if level + 1 < levels else ""
        zones[name] = {"TXT": [f"v=spf1 {body}ip4:192.0.2.{level % 250}/32 ~all"]}
    return zones


def spf_chain(root: str, length: int) -> dict[str, dict[str, list[str]]]:
    """An include chain ``root → c1.root → … → c<length>.root``."""
    zones: dict[str, dict[str, list[str]]] = {}
    for i in range(length + 1):
        name = root if i == 0 else f"c{i}.{root}"
        body = f"include:c{i + 1}.{root} " if i < length else ""
        zones[name] = {"TXT": [f"v=spf1 {body}~all"]}
    return zones


def endless_spf_chain(suffix: str):  # type: ignore[no-untyped-def]
    """A ``ZoneData`` generator: ``n<N>.<suffix>`` includes ``n<N+1>.<suffix>``, for ever."""
    suffix = suffix.lower().rstrip(".")

    def generate(name: str, rdtype: str) -> list[str] | None:
        head, _, rest = name.partition(".")
        if rest != suffix or not head.startswith("n") or not head[1:].isdigit():
            return None
        return [f"v=spf1 include:n{int(head[1:]) + 1}.{suffix} ~all"] if rdtype == "TXT" else []

    return generate


def spf_wide(root: str, width: int) -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    """``root`` includes ``w0.root`` … ``w<width-1>.root`` side by side; returns (zones, the included names)."""
    names = [f"w{i}.{root}" for i in range(width)]
    zones: dict[str, dict[str, list[str]]] = {root: {"TXT": ["v=spf1 " + " ".join(f"include:{n}" for n in names)
                                                              + " -all"]}}
    for i, name in enumerate(names):
        zones[name] = {"TXT": [f"v=spf1 ip4:198.51.100.{i % 250}/32 -all"]}
    return zones, names

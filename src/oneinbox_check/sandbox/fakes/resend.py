"""Fake of Resend's domains API (``/domains``, ``/domains/{id}``), and the DNS zones of the
sandbox's Resend account: one sending domain per situation the email checks must tell apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..asgi import KeyedApp, Request, Response, json_response
from ..zones import KEY_512, KEY_1024, KEY_2048
from . import Records, Wiring


@dataclass
class ResendDomain:
    name: str
    status: str = "verified"
    region: str = "us-east-1"
    id: str = ""
    record_status: dict[str, str] = field(default_factory=dict)  # record label -> status
    dkim_value: str | None = None
    sending: str = "enabled"  # capabilities.sending: enabled | disabled (resend-openapi DomainCapabilities)
    receiving: str = "disabled"

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "status": self.status, "created_at": "2026-01-05 10:00:00.000000+00",
                "region": self.region, "capabilities": {"sending": self.sending, "receiving": self.receiving}}

    def records(self) -> list[dict[str, Any]]:
        ok = "verified" if self.status == "verified" else "not_started"
        st = self.record_status
        return [
            {"record": "SPF", "name": "send", "type": "MX", "ttl": "Auto", "status": st.get("SPF", ok),
             "value": f"feedback-smtp.{self.region}.amazonses.com", "priority": 10},
            {"record": "SPF", "name": "send", "value": '"v=spf1 include:amazonses.com ~all"', "type": "TXT",
             "ttl": "Auto", "status": st.get("SPF", ok)},
            {"record": "DKIM", "name": "resend._domainkey", "value": f"p={self.dkim_value or KEY_2048}", "type": "TXT",
             "ttl": "Auto", "status": st.get("DKIM", ok)},
        ]


class ResendFake(KeyedApp):
    """keys: key → "full" | "sending"; ``domains`` per full key (shared list by default)."""

    name = "resend"

    def __init__(self, keys: dict[str, str] | None = None, domains: list[ResendDomain] | None = None):
        self.domains = domains or []
        for i, d in enumerate(self.domains):
            d.id = d.id or f"4dd369bc-aa82-4ff3-97de-{i:012d}"
        super().__init__(keys)

    def setup(self) -> None:
        self.route("GET", "/domains", self.list_domains)
        self.route("GET", "/domains/(?P<id>[^/]+)", self.get_domain)

    def _auth(self, r: Request) -> Response | None:
        """Resend's error envelope {statusCode, name, message}: not in resend.yaml (200s only); names and
        statuses from resend.com/docs/api-reference/errors (providers.md)."""
        state = self.state(r.bearer())
        if r.bearer() is None:
            return json_response(401, {"statusCode": 401, "name": "missing_api_key",
                                       "message": "Missing API key in the authorization header."})
        if state is None:
            return json_response(400, {"statusCode": 400, "name": "validation_error", "message": "API key is invalid"})
        if state == "sending":
            return json_response(401, {"statusCode": 401, "name": "restricted_api_key",
                                       "message": "This API key is restricted to only send emails"})
        return None

    def list_domains(self, r: Request) -> Response:
        return self._auth(r) or json_response(200, {"object": "list", "has_more": False,
                                                     "data": [d.summary() for d in self.domains]})

    def get_domain(self, r: Request) -> Response:
        denied = self._auth(r)
        if denied:
            return denied
        domain = next((d for d in self.domains if d.id == r.params["id"]), None)
        if domain is None:
            # unconfirmed: the exact 404 name/message for an unknown domain id (same envelope)
            return json_response(404, {"statusCode": 404, "name": "not_found", "message": "Domain not found"})
        return json_response(200, {"object": "domain", **domain.summary(), "records": domain.records()})


KEYS = {
    "SANDBOX_RESEND_KEY": "re_sandbox1_FAKEfullACCESSkeyQ7w3Zp9",
    "SANDBOX_RESEND_SENDING_KEY": "re_sandbox2_FAKEsendingONLYkeyR4x8Yt",
}

# The Resend account behind SANDBOX_RESEND_KEY: every sandbox zone is one of its
# domains (verified unless said otherwise) — except mail.good.example.
DOMAINS = [
    "good.example", "nospf.example", "twospf.example", "deep.example", "void.example", "nodkim.example",
    "revoked.example", "weak.example", "nodmarc.example", "twodmarc.example", "plusall.example", "noses.example",
    "gone.example", "slowdns.example", "brokendns.example",
]


def _apps() -> dict[str, ResendFake]:
    return {"resend": ResendFake(
        {KEYS["SANDBOX_RESEND_KEY"]: "full", KEYS["SANDBOX_RESEND_SENDING_KEY"]: "sending"},
        [ResendDomain(d) for d in DOMAINS]
        + [ResendDomain("pending.example", status="pending", record_status={"SPF": "pending", "DKIM": "verified"}),
           ResendDomain("wrongdkim.example")],
    )}


SES_SPF = "v=spf1 include:amazonses.com ~all"
SES_MX = "10 feedback-smtp.us-east-1.amazonses.com"


def resend_domain(domain: str, *, spf: list[str] | None = None, mx: list[str] | None = None,
                  dkim: list[str] | None = None, dmarc: list[str] | None = None) -> Records:
    """A domain laid out the way Resend asks (return path ``send.``, selector ``resend``)."""
    return {
        f"send.{domain}": {"TXT": [SES_SPF] if spf is None else spf, "MX": [SES_MX] if mx is None else mx},
        f"resend._domainkey.{domain}": {"TXT": [f"p={KEY_2048}"] if dkim is None else dkim},
        f"_dmarc.{domain}": {"TXT": ["v=DMARC1; p=none; rua=mailto:dmarc@" + domain] if dmarc is None else dmarc},
        domain: {"A": ["192.0.2.10"]},
    }


def _nested(prefix: str, depth: int, width: int) -> Records:
    """include chains that add up to many lookups."""
    zones: Records = {}
    for i in range(width):
        for d in range(depth):
            name = f"{prefix}{i}-{d}.spf.example"
            nxt = f"include:{prefix}{i}-{d + 1}.spf.example " if d + 1 < depth else ""
            zones[name] = {"TXT": [f"v=spf1 {nxt}ip4:198.51.100.{i * depth + d}/32 ~all"]}
    return zones


def _zones() -> Records:
    """One sending domain per situation the email checks must tell apart."""
    zones: Records = {
        # the provider-side record the SPF includes lead to
        "amazonses.com": {"TXT": ["v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 "
                                  "ip4:69.169.224.0/20 ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 -all"]},
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
    zones |= resend_domain("slowdns.example")  # send.* times out (dns_faults)
    zones |= resend_domain("brokendns.example")  # send.* answers SERVFAIL (dns_faults)
    zones |= {"gone.example": {"A": ["192.0.2.20"]}}  # Resend says verified; the records were deleted since
    return zones


WIRING = Wiring(keys=KEYS, apps=_apps, zones=_zones,
                dns_faults={"send.slowdns.example": "timeout", "send.brokendns.example": "servfail"})

"""Fake of SendGrid's scopes, domain authentication and verified senders endpoints, and the DNS
zones of the sandbox's SendGrid account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..asgi import KeyedApp, Request, Response, json_response
from ..zones import KEY_2048
from . import Records, Wiring


@dataclass
class SendGridDomain:
    domain: str
    subdomain: str = "em1234"
    valid: bool = True
    id: int = 0
    user: str = "u1234"

    def body(self) -> dict[str, Any]:
        host = f"{self.subdomain}.{self.domain}"
        return {"id": self.id, "user_id": 1234, "subdomain": self.subdomain, "domain": self.domain,
                "username": "sandbox", "ips": [], "custom_spf": False, "default": True, "legacy": False,
                "automatic_security": True, "valid": self.valid,
                "dns": {
                    "mail_cname": {"valid": self.valid, "type": "cname", "host": host,
                                   "data": f"{self.user}.wl.sendgrid.net"},
                    "dkim1": {"valid": self.valid, "type": "cname", "host": f"s1._domainkey.{self.domain}",
                              "data": f"s1.domainkey.{self.user}.wl.sendgrid.net"},
                    "dkim2": {"valid": self.valid, "type": "cname", "host": f"s2._domainkey.{self.domain}",
                              "data": f"s2.domainkey.{self.user}.wl.sendgrid.net"},
                }}


class SendGridFake(KeyedApp):
    """keys: key → "full" | "no_send" (lacks mail.send) | "send_only" (cannot read sender authentication)."""

    name = "sendgrid"

    def __init__(self, keys: dict[str, str] | None = None, domains: list[SendGridDomain] | None = None,
                 senders: list[dict[str, Any]] | None = None, page_size: int = 50):
        self.domains = domains or []
        self.page_size = page_size  # the most one page holds, whatever ``limit`` asks (SendGrid's is undocumented)
        for i, d in enumerate(self.domains):
            d.id = d.id or 1000 + i
        self.senders = senders or []
        super().__init__(keys)

    def setup(self) -> None:
        self.route("GET", "/v3/scopes", self.scopes)
        self.route("GET", "/v3/whitelabel/domains", self.whitelabel)
        self.route("GET", "/v3/verified_senders", self.verified)

    def _denied(self, r: Request) -> Response | None:
        """401 as tsg_scopes_v3.yaml documents it ({"errors":[{"field","message"}]}); the message text is
        the one providers.md quotes (trufflehog's SendGrid verifier)."""
        if self.state(r.bearer()) is None:
            return json_response(401, {"errors": [{"field": None, "message":
                                                   "The provided authorization grant is invalid, expired, or revoked"}]})
        return None

    def scopes(self, r: Request) -> Response:
        denied = self._denied(r)
        if denied:
            return denied
        state = self.state(r.bearer())
        scopes = ["mail.send", "whitelabel.read", "verified_senders.read"]
        if state == "no_send":
            scopes = ["whitelabel.read", "verified_senders.read", "stats.read"]
        elif state == "send_only":
            scopes = ["mail.send"]
        return json_response(200, {"scopes": scopes})

    def _readable(self, r: Request) -> Response | None:
        """Denied, or forbidden for a key with only mail.send: 403 is documented for /v3/verified_senders
        (tsg_verified_senders_v3.yaml); for /v3/whitelabel/domains it is not (source: SendGrid's API-key
        permissions — a missing scope answers 403 — providers.md). The message text is unconfirmed."""
        denied = self._denied(r)
        if denied is None and self.state(r.bearer()) == "send_only":
            return json_response(403, {"errors": [{"field": None, "message": "access forbidden"}]})
        return denied

    def whitelabel(self, r: Request) -> Response:
        """A page of the list (tsg_domain_authentication_v3.yaml: ``limit``, ``offset``, ``domain`` "Search for
        authenticated domains"). How ``domain`` matches is unconfirmed: a substring search here, so a client
        must still compare names exactly."""
        denied = self._readable(r)
        if denied:
            return denied
        try:
            limit = int(r.query.get("limit", self.page_size))
            offset = int(r.query.get("offset", 0))
        except ValueError:
            return json_response(400, {"errors": [{"field": "limit", "message": "invalid pagination"}]})  # unconfirmed
        wanted = r.query.get("domain", "").lower()
        rows = [d for d in self.domains if wanted in d.domain.lower()]
        page = rows[offset:offset + max(0, min(limit, self.page_size))]
        return json_response(200, [d.body() for d in page])

    def verified(self, r: Request) -> Response:
        return self._readable(r) or json_response(200, {"results": self.senders})


KEYS = {"SANDBOX_SENDGRID_KEY": "SG.sandboxFAKEkey7Hq2Lp9X.sandboxFAKEsecret4Tz8Wm3Rk6Yv1Nc5Bd7Jf2Gh9Q"}


def _apps() -> dict[str, SendGridFake]:
    return {"sendgrid": SendGridFake({KEYS["SANDBOX_SENDGRID_KEY"]: "full"}, [SendGridDomain("sg-good.example")],
                                     [{"id": 1, "from_email": "ops@single.example", "verified": True}])}


def _zones() -> Records:
    return {
        # provider-side records the SPF includes and DKIM CNAMEs lead to
        "sendgrid.net": {"TXT": ["v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ip4:50.31.32.0/19 ip4:198.37.144.0/20 ~all"]},
        "u1234.wl.sendgrid.net": {"TXT": ["v=spf1 ip4:167.89.0.0/17 -all"], "MX": ["10 mx.sendgrid.net"]},
        "s1.domainkey.u1234.wl.sendgrid.net": {"TXT": [f"k=rsa; t=s; p={KEY_2048}"]},
        "s2.domainkey.u1234.wl.sendgrid.net": {"TXT": [f"k=rsa; t=s; p={KEY_2048}"]},
        "mx.sendgrid.net": {"A": ["167.89.0.1"]},
        # an authenticated domain with automated security (CNAMEs into SendGrid)
        "sg-good.example": {"A": ["192.0.2.30"]},
        "em1234.sg-good.example": {"CNAME": ["u1234.wl.sendgrid.net"]},
        "s1._domainkey.sg-good.example": {"CNAME": ["s1.domainkey.u1234.wl.sendgrid.net"]},
        "s2._domainkey.sg-good.example": {"CNAME": ["s2.domainkey.u1234.wl.sendgrid.net"]},
        "_dmarc.sg-good.example": {"TXT": ["v=DMARC1; p=quarantine"]},
    }


WIRING = Wiring(keys=KEYS, apps=_apps, zones=_zones)

"""Fakes of the email providers (Resend, SendGrid) in providers.md's shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..asgi import Request, Response, json_response
from ..zones import KEY_2048
from .keyed import KeyedApp


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

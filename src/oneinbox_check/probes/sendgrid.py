"""SendGrid (email): key, ``mail.send`` scope, sender identity (authenticated
domain or verified single sender), and the DNS of the authenticated domain.

Facts (providers.md; https://www.twilio.com/docs/sendgrid/api-reference):
- ``GET /v3/scopes`` (Bearer) → ``{"scopes":[...]}``; 401 ``{"errors":[{"message":
  "The provided authorization grant is invalid, expired, or revoked"}]}``.
- ``GET /v3/whitelabel/domains`` → ``[{id, domain, subdomain, valid, dns:{mail_cname|
  mail_server, dkim1, dkim2, subdomain_spf?} each {valid, type, host, data}}]``
  (needs the ``whitelabel.read`` scope; 403 without it). It is paginated
  (``limit``/``offset``; the default page size is undocumented) and takes a
  ``domain`` search filter (tsg_domain_authentication_v3.yaml): the probe asks
  for the from-domain and each parent by name and reads pages until an empty
  one, comparing names exactly itself.
- ``GET /v3/verified_senders`` → ``{"results":[{from_email, verified}]}``; a 403
  means the key may not read senders, not "no such sender" → ``skip``.
- Errors: ``{"errors":[{"field","message"}]}``; only that envelope is SendGrid
  speaking (a proxy's JSON 401 is not).
- EU accounts use ``api.eu.sendgrid.com`` (``--endpoint sendgrid=…``).
"""

from __future__ import annotations

import re
from typing import Any

from ..checks.email import EmailMetadata, check_from_address
from ..checks.keyformat import KeyFormat
from ..checks.layout import DkimExpectation, MailDnsLayout
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import json_object
from ..secrets import wrap
from ._envelopes import sendgrid_error, sendgrid_invalid_key
from ._verdicts import AUTH, SCOPE, accepted, rejected, undetermined, with_rest_skipped
from .capabilities import DNS_IDS, FROM, MailDns
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "SendGrid"
SENDER = "sendgrid.sender"
MAIL_SEND = "mail.send"
PAGE_SIZE = 50  # asked for; SendGrid may send fewer per page (default page size undocumented)
MAX_PAGES = 20


def default_layout(domain: str, *, return_path: str | None = None, selectors: tuple[str, ...] = ("s1", "s2")) -> MailDnsLayout:
    """Without the API: DKIM at s1/s2._domainkey (CNAMEs into SendGrid), and the
    return path only when given (SendGrid picks a random ``emNNNN`` subdomain)."""
    return MailDnsLayout(
        domain=domain, provider=TITLE,
        return_path=f"{return_path}.{domain}" if return_path and "." not in return_path else return_path,
        spf_include=None, spf_suggested="v=spf1 include:sendgrid.net ~all", mx=("mx.sendgrid.net", None),
        dkim=[DkimExpectation(f"{s}._domainkey.{domain}", "TXT", None) for s in selectors],
    )


def layout_from_authenticated(auth: dict[str, Any]) -> MailDnsLayout:
    domain = str(auth.get("domain", "")).lower()
    dns = auth.get("dns") if isinstance(auth.get("dns"), dict) else {}
    layout = default_layout(domain)
    dkims = []
    for key in ("dkim1", "dkim2", "dkim"):
        entry = dns.get(key)
        if isinstance(entry, dict) and entry.get("host"):
            dkims.append(DkimExpectation(str(entry["host"]).lower(), str(entry.get("type", "cname")).upper(),
                                         str(entry.get("data", "")) or None))
    if dkims:
        layout.dkim = dkims
    mail = dns.get("mail_cname") or dns.get("mail_server")
    if isinstance(mail, dict) and mail.get("host"):
        layout.return_path = str(mail["host"]).lower()
        if str(mail.get("type", "")).lower() == "mx" and mail.get("data"):
            layout.mx = (str(mail["data"]).lower(), None)
    spf = dns.get("subdomain_spf")
    if isinstance(spf, dict) and spf.get("data"):
        includes = re.findall(r"include:(\S+)", str(spf["data"]))
        layout.spf_include = includes[0] if includes else "sendgrid.net"
        layout.spf_suggested = str(spf["data"])
    return layout


class SendGridProbe(Probe, MailDns):
    facts = ProviderFacts(
        request=Call("GET", "sendgrid", "/v3/scopes", "`Authorization: Bearer <key>`"),
        valid="200 with a `scopes` list → `key.auth` pass; `key.scope` pass when it holds `mail.send`.",
        invalid="401 in SendGrid's envelope `{\"errors\": [{\"message\", …}]}` with the message \"The provided "
                "authorization grant is invalid, expired, or revoked\".",
        restricted="200 without `mail.send` in `scopes` → `key.auth` pass, `key.scope` fail (sends would be "
                   "refused).",
        indeterminate="a 200 without a `scopes` list; every other status; a 401 without SendGrid's envelope; a "
                      "transport failure.",
        sources=("https://www.twilio.com/docs/sendgrid/api-reference",
                 "twilio/sendgrid-oai: spec/yaml/tsg_scopes_v3.yaml, tsg_domain_authentication_v3.yaml, "
                 "tsg_verified_senders_v3.yaml"),
        unconfirmed=("the default page size of `/v3/whitelabel/domains` (pages are read until an empty one)",),
        also=(Call("GET", "sendgrid", "/v3/whitelabel/domains", "`Authorization: Bearer <key>`",
                   query=("domain=<from-domain, then each parent>", "limit=50", "offset=<n>"),
                   purpose="sendgrid.sender (a 403 in SendGrid's envelope → skip)"),
              Call("GET", "sendgrid", "/v3/verified_senders", "`Authorization: Bearer <key>`",
                   purpose="sendgrid.sender (a 403 → skip, never \"no such sender\")")),
    )
    providers = ("sendgrid",)
    environment = {"sendgrid": EnvNames("SENDGRID_API_KEY", required={"from_email": "SENDGRID_FROM_EMAIL"})}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"sendgrid": "https://api.sendgrid.com"}
    check_ids = (AUTH, SCOPE, FROM, SENDER, *DNS_IDS)
    metadata_model = EmailMetadata
    tool_types = ("send_email",)
    key_format = KeyFormat(description="SG. + 22 characters + . + 43 characters (69 in all)", prefixes=("SG.",),
                           pattern=re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"))
    mask_prefixes = ("SG.",)
    signatures = ((r"SG\.", "a SendGrid key (SG.…)"),)

    def default_layout(self, domain: str, *, region: str | None = None, return_path: str | None = None,
                       selector: str | None = None) -> MailDnsLayout:
        return default_layout(domain, return_path=return_path, selectors=(selector,) if selector else ("s1", "s2"))

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        from_result, domain = check_from_address(ctx.metadata.from_email)
        out = [from_result]
        headers = {"Authorization": wrap(ctx.key, "Bearer {}")}
        rest = [SCOPE, SENDER, *DNS_IDS]
        scopes_reply = await ctx.http.get(ctx.url("sendgrid", "/v3/scopes"), headers=headers)
        if isinstance(scopes_reply, Failure):
            return out + with_rest_skipped(ctx, undetermined(ctx, AUTH, scopes_reply), rest)
        body = json_object(scopes_reply) or {}
        if scopes_reply.status == 401 and sendgrid_error(scopes_reply) is not None and sendgrid_invalid_key(body):
            return out + with_rest_skipped(ctx, rejected(ctx, scopes_reply), rest)
        scopes = body.get("scopes")
        if scopes_reply.status != 200 or not isinstance(scopes, list):
            return out + with_rest_skipped(ctx, undetermined(ctx, AUTH, scopes_reply), rest)
        out.append(accepted(ctx, scopes=len(scopes)))
        if MAIL_SEND in scopes:
            out.append(ctx.result(SCOPE, Status.PASS, "key has mail.send"))
        else:
            out.append(ctx.result(SCOPE, Status.FAIL, "key lacks the mail.send permission: sends will be refused",
                                  "Edit the API key in SendGrid → Settings → API Keys: give it Mail Send → Full Access."))
        if domain is None:
            return out + ctx.skipped([SENDER, *DNS_IDS], "no valid from_email")
        sender, layout = await self._sender(ctx, headers, domain, ctx.metadata.from_email.strip().lower(), scopes)
        out.append(sender)
        return out + await self.check_dns(ctx, layout or default_layout(domain))

    async def _authenticated(self, ctx: ProbeContext, headers: dict[str, Any],
                             name: str) -> list[dict[str, Any]] | CheckResult:
        """Authenticated domains named exactly *name* (every page of the filtered list), or an ``error``/``skip``."""
        found: list[dict[str, Any]] = []
        offset = 0
        for _ in range(MAX_PAGES):
            reply = await ctx.http.get(ctx.url("sendgrid", "/v3/whitelabel/domains"), headers=headers,
                                       params={"domain": name, "limit": PAGE_SIZE, "offset": offset})
            if isinstance(reply, Failure):
                return undetermined(ctx, SENDER, reply, "reading authenticated domains")
            if reply.status == 403 and sendgrid_error(reply) is not None:
                return ctx.result(SENDER, Status.SKIP, "key cannot read Sender Authentication (no whitelabel.read)",
                                  "Give the key read access to Sender Authentication, or check the domain in the "
                                  "SendGrid console.")
            page = reply.json()
            if reply.status != 200 or not isinstance(page, list):
                return undetermined(ctx, SENDER, reply, "reading authenticated domains")
            if not page:
                return found
            found += [d for d in page if isinstance(d, dict) and str(d.get("domain", "")).lower() == name]
            offset += len(page)
        return ctx.result(SENDER, Status.ERROR, f"SendGrid's authenticated-domain list for {name} was still paging "
                          f"after {MAX_PAGES} pages: could not tell whether it is authenticated",
                          "Check the domain in SendGrid → Settings → Sender Authentication.")

    async def _sender(self, ctx: ProbeContext, headers: dict[str, Any], domain: str, address: str,
                      scopes: list[Any]) -> tuple[CheckResult, MailDnsLayout | None]:
        exact = await self._authenticated(ctx, headers, domain)
        if isinstance(exact, CheckResult):
            return exact, None
        if exact:
            best = next((d for d in exact if d.get("valid")), exact[0])
            layout = layout_from_authenticated(best)
            if best.get("valid"):
                return ctx.result(SENDER, Status.PASS, f"{domain} is an authenticated, valid domain in SendGrid",
                                  domain_id=best.get("id"), subdomain=best.get("subdomain")), layout
            dns = best.get("dns") if isinstance(best.get("dns"), dict) else {}
            invalid = [f"{k} ({v.get('type')} {v.get('host')})" for k, v in dns.items()
                       if isinstance(v, dict) and not v.get("valid")]
            return ctx.result(SENDER, Status.FAIL, f"{domain} is authenticated in SendGrid but not valid"
                              + (f": {'; '.join(invalid)}" if invalid else ""),
                              "Publish the records SendGrid shows (Settings → Sender Authentication), then Verify.",
                              invalid=invalid), layout
        senders_reply = await ctx.http.get(ctx.url("sendgrid", "/v3/verified_senders"), headers=headers)
        if isinstance(senders_reply, Failure):
            return undetermined(ctx, SENDER, senders_reply, "reading verified senders"), None
        senders_forbidden = senders_reply.status == 403 and sendgrid_error(senders_reply) is not None
        if not senders_forbidden:
            results = (json_object(senders_reply) or {}).get("results")
            if senders_reply.status != 200 or not isinstance(results, list):
                return undetermined(ctx, SENDER, senders_reply, "reading verified senders"), None
            for s in results:
                if isinstance(s, dict) and str(s.get("from_email", "")).lower() == address:
                    if s.get("verified"):
                        return ctx.result(SENDER, Status.PASS, f"{address} is a verified single sender",
                                          "Authenticate the domain too for better deliverability."), None
                    return ctx.result(SENDER, Status.FAIL, f"{address} is a single sender that is not verified yet",
                                      "Click the link in the verification email SendGrid sent to that address."), None
        labels = domain.split(".")
        for i in range(1, len(labels) - 1):
            parent_name = ".".join(labels[i:])
            parents = await self._authenticated(ctx, headers, parent_name)
            if isinstance(parents, CheckResult):
                return parents, None
            valid = [d for d in parents if d.get("valid")]
            if valid:
                return ctx.result(SENDER, Status.WARN, f"{domain} is not authenticated itself; its parent "
                                  f"{parent_name} is", f"Authenticate {domain} in SendGrid for aligned DKIM, or send "
                                  f"from @{parent_name}."), layout_from_authenticated(valid[0])
        if senders_forbidden:
            return ctx.result(SENDER, Status.SKIP, f"{domain} is not an authenticated domain, and the key may not "
                              "read verified senders (HTTP 403), so whether "
                              f"{address} is a verified single sender could not be checked",
                              "Give the key read access to Sender Verification (verified_senders.read), or check the "
                              "sender in SendGrid → Settings → Sender Authentication."), None
        return ctx.result(SENDER, Status.FAIL, f"{address} is neither on an authenticated domain nor a verified sender",
                          f"Authenticate {domain} in SendGrid → Settings → Sender Authentication (or verify the single "
                          "sender); SendGrid refuses mail from unverified identities."), None

"""Resend (email): key, sending domain (exact-domain rule), the records Resend
expects, and the live DNS behind them.

Facts (providers.md; https://resend.com/docs/api-reference/domains):
- ``GET /domains`` (Bearer) → ``{"object":"list","data":[{id,name,status,region,…}]}``
  (older: ``{"data":[…]}``). An invalid key answers 400/403 with
  ``name`` ``validation_error``/``invalid_api_key``; a sending-only key answers
  401 ``restricted_api_key`` — valid, and the one OneInbox needs.
- ``GET /domains/{id}`` adds ``records[]`` of ``{record, name, type, ttl, status,
  value, priority?}``. Observed: names are relative ("send",
  "resend._domainkey", "<token>._domainkey"), TXT values are shown quoted,
  DKIM may be TXT ``p=…`` or CNAMEs to ``*.dkim.amazonses.com``; a
  ``Tracking`` record (absolute name) is optional.
- Only ``verified`` domains can send; Resend answers 403 for any other. A
  domain also carries ``capabilities.sending`` (``enabled``/``disabled``,
  resend-openapi ``DomainCapabilities``): a verified domain with sending
  disabled cannot send either. Older answers have no ``capabilities``.
- Exact-domain rule: ``mail.example.com`` needs its own verified domain.
"""

from __future__ import annotations

import re
from typing import Any

from ..checks import dkim as dkim_check
from ..checks.email import EmailMetadata, check_from_address
from ..checks.keyformat import KeyFormat
from ..checks.layout import DkimExpectation, MailDnsLayout
from ..checks.maildns import absolute
from ..checks.records import unquote
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import json_object
from ..secrets import wrap
from ._envelopes import resend_error, resend_invalid_key
from ._verdicts import AUTH, SCOPE, accepted, rejected, undetermined, with_rest_skipped
from .capabilities import DNS_IDS, FROM, MailDns
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "Resend"
DOMAIN = "resend.domain"
RECORDS = "resend.records"
REGIONS = ("us-east-1", "eu-west-1", "sa-east-1", "ap-northeast-1")
REQUIRED_RECORDS = {"SPF", "DKIM"}
MAX_PAGES = 20  # bound on following /domains pages
_INCLUDE = re.compile(r"\binclude:([^\s]+)", re.IGNORECASE)


def default_layout(domain: str, *, region: str = "us-east-1", return_path: str = "send",
                   selector: str = "resend") -> MailDnsLayout:
    """The layout Resend asks for when its API cannot be read (providers.md)."""
    host = absolute(return_path, domain)
    return MailDnsLayout(
        domain=domain, provider=TITLE, return_path=host, spf_include="amazonses.com",
        spf_suggested="v=spf1 include:amazonses.com ~all",
        mx=(f"feedback-smtp.{region}.amazonses.com", 10),
        dkim=[DkimExpectation(f"{selector}._domainkey.{domain}", "TXT", None)],
    )


def layout_from_records(domain: str, region: str, records: list[dict[str, Any]]) -> MailDnsLayout:
    layout = default_layout(domain, region=region or "us-east-1")
    dkims = []
    for rec in records:
        kind, rtype = str(rec.get("record", "")).upper(), str(rec.get("type", "")).upper()
        name, value = absolute(str(rec.get("name", "")), domain), unquote(str(rec.get("value", "")))
        if kind == "SPF" and rtype == "MX":
            layout.return_path = name
            prio = rec.get("priority")
            layout.mx = (value.rstrip("."), int(prio) if isinstance(prio, int | str) and str(prio).isdigit() else None)
        elif kind == "SPF" and rtype == "TXT":
            layout.return_path = name
            layout.spf_suggested = value
            includes = _INCLUDE.findall(value)
            layout.spf_include = includes[0] if includes else None
        elif kind == "DKIM" and rtype in ("TXT", "CNAME"):
            dkims.append(DkimExpectation(name, rtype, value.rstrip(".") if rtype == "CNAME" else value))
    if dkims:
        layout.dkim = dkims
    return layout


def _well_formed(record: dict[str, Any]) -> bool:
    """A ``/domains/{id}`` record with the string fields the verdicts read."""
    return all(isinstance(record.get(k), str) and record.get(k) for k in ("record", "name", "type", "status"))


class ResendProbe(Probe, MailDns):
    facts = ProviderFacts(
        request=Call("GET", "resend", "/domains", "`Authorization: Bearer <key>`"),
        valid="200 with a `data` list → `key.auth` pass, `key.scope` pass (full access: can read domains).",
        invalid="400/403 in Resend's envelope `{statusCode, name, message}` with `name` "
                "`invalid_api_key`, or `validation_error` with the message \"API key is invalid\".",
        restricted="401 `restricted_api_key` (a sending-only key, the one OneInbox needs) → `key.auth` pass, "
                   "`key.scope` pass; `resend.domain`/`resend.records` skip; DNS checked with Resend's default "
                   "layout.",
        indeterminate="a 200 without a `data` list; every other status or `name`; an answer without Resend's "
                      "envelope; a transport failure.",
        sources=("https://resend.com/docs/api-reference/domains", "https://resend.com/docs/api-reference/errors",
                 "resend/resend-openapi: resend.yaml"),
        also=(Call("GET", "resend", "/domains/{domain_id}", "`Authorization: Bearer <key>`",
                   purpose="resend.domain, resend.records"),),
    )
    providers = ("resend",)
    environment = {"resend": EnvNames("RESEND_API_KEY", required={"from_email": "RESEND_FROM_EMAIL"})}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"resend": "https://api.resend.com"}
    check_ids = (AUTH, SCOPE, FROM, DOMAIN, RECORDS, *DNS_IDS)
    metadata_model = EmailMetadata
    tool_types = ("send_email",)
    rate_limits = {"resend": 2.0}  # Resend: 2 requests/s per team (providers.md)
    key_format = KeyFormat(description="re_ followed by 8 letters/digits, '_' and 24 more (about 36 characters)",
                           prefixes=("re_",), pattern=re.compile(r"re_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{24}"))
    mask_prefixes = ("re_",)
    signatures = ((r"re_[A-Za-z0-9]{8}_", "a Resend key (re_…)"),)
    regions = REGIONS  # the return-path MX is feedback-smtp.<region>.amazonses.com (providers.md)

    def default_layout(self, domain: str, *, region: str | None = None, return_path: str | None = None,
                       selector: str | None = None) -> MailDnsLayout:
        return default_layout(domain, region=region or "us-east-1", return_path=return_path or "send",
                              selector=selector or "resend")

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        from_result, domain = check_from_address(ctx.metadata.from_email)
        out = [from_result]
        headers = {"Authorization": wrap(ctx.key, "Bearer {}")}
        listing = await ctx.http.get(ctx.url("resend", "/domains"), headers=headers)
        if isinstance(listing, Failure):
            return out + with_rest_skipped(ctx, undetermined(ctx, AUTH, listing), [SCOPE, DOMAIN, RECORDS, *DNS_IDS])
        body = json_object(listing) or {}
        envelope = resend_error(listing) if listing.status != 200 else None  # Resend's {statusCode, name, message}
        name = str(envelope.get("name")) if envelope else ""
        if listing.status == 401 and name == "restricted_api_key":
            out += [accepted(ctx, restricted=True),
                    ctx.result(SCOPE, Status.PASS, "sending-only key: enough for OneInbox (it cannot read domains)"),
                    ctx.result(DOMAIN, Status.SKIP, "key cannot read domains (sending-only key); "
                               "domain status not checked", "Use a full-access key once to see the domain's status, "
                               "or check it in Resend → Domains."),
                    ctx.result(RECORDS, Status.SKIP, "key cannot read domains (sending-only key)")]
            if domain is None:
                return out + ctx.skipped(DNS_IDS, "no valid from_email")
            return out + await self.check_dns(ctx, default_layout(domain))
        if listing.status in (400, 403) and envelope is not None and resend_invalid_key(envelope):
            return out + with_rest_skipped(ctx, rejected(ctx, listing), [SCOPE, DOMAIN, RECORDS, *DNS_IDS])
        data = body.get("data")
        if listing.status != 200 or not isinstance(data, list):
            return out + with_rest_skipped(ctx, undetermined(ctx, AUTH, listing), [SCOPE, DOMAIN, RECORDS, *DNS_IDS])
        out += [accepted(ctx, domains=len(data)), ctx.result(SCOPE, Status.PASS, "full-access key: can read domains")]
        if domain is None:
            return out + ctx.skipped([DOMAIN, RECORDS, *DNS_IDS], "no valid from_email")
        domains = [d for d in data if isinstance(d, dict) and isinstance(d.get("name"), str)]
        match = next((d for d in domains if d["name"].lower() == domain), None)
        if match is None and body.get("has_more") is True:
            match, domains, problem = await self._next_pages(ctx, headers, domain, domains)
            if problem is not None:
                return out + [problem, ctx.result(RECORDS, Status.SKIP, "domain list incomplete")] + \
                    await self.check_dns(ctx, default_layout(domain))
        if match is None:
            out.append(self._not_in_account(ctx, domain, [d["name"].lower() for d in domains]))
            return out + [ctx.result(RECORDS, Status.SKIP, f"{domain} is not in this account")] + \
                await self.check_dns(ctx, default_layout(domain))
        detail = await ctx.http.get(ctx.url("resend", f"/domains/{match.get('id')}"), headers=headers)
        records: list[dict[str, Any]] | None = None
        if not isinstance(detail, Failure) and detail.status == 200:
            got = (json_object(detail) or {}).get("records")
            records = [r for r in got if isinstance(r, dict)] if isinstance(got, list) else None
            if records is not None and not all(_well_formed(r) for r in records):
                out.append(self._domain_status(ctx, domain, match, None))
                out.append(ctx.result(RECORDS, Status.ERROR, "Resend's domain answer has records without a "
                                      "string record, name, type or status",
                                      "Retry later; if it persists, report it with -v output."))
                return out + await self.check_dns(ctx, default_layout(domain, region=str(match.get("region") or "us-east-1")))
        out.append(self._domain_status(ctx, domain, match, records))
        if records is None:
            out.append(undetermined(ctx, RECORDS, detail, f"reading {domain}'s records") if isinstance(detail, Failure)
                       or detail.status != 200 else
                       ctx.result(RECORDS, Status.ERROR, "Resend's domain answer has no records list",
                                  "Retry later; if it persists, report it with -v output."))
            layout = default_layout(domain, region=str(match.get("region") or "us-east-1"))
        else:
            out.append(self._records(ctx, domain, records))
            layout = layout_from_records(domain, str(match.get("region") or "us-east-1"), records)
        return out + await self.check_dns(ctx, layout)

    async def _next_pages(self, ctx: ProbeContext, headers: dict[str, Any], domain: str,
                          domains: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, list[dict[str, Any]],
                                                                  CheckResult | None]:
        """Follow ``/domains`` pages (``after=<last id>``, resend-openapi ``PaginationAfter``) while
        ``has_more`` and *domain* is not found; at most MAX_PAGES. An unreadable page → ``error``."""
        for _ in range(MAX_PAGES - 1):
            last = domains[-1].get("id") if domains else None
            if not isinstance(last, str) or not last:
                break
            page = await ctx.http.get(ctx.url("resend", "/domains"), headers=headers, params={"after": last})
            if isinstance(page, Failure):
                return None, domains, undetermined(ctx, DOMAIN, page, "reading the next page of Resend's domains")
            body = json_object(page) or {}
            data = body.get("data") if page.status == 200 else None
            if not isinstance(data, list):
                return None, domains, undetermined(ctx, DOMAIN, page, "reading the next page of Resend's domains")
            new = [d for d in data if isinstance(d, dict) and isinstance(d.get("name"), str)]
            domains = domains + new
            match = next((d for d in new if d["name"].lower() == domain), None)
            if match is not None:
                return match, domains, None
            if body.get("has_more") is not True:
                return None, domains, None
            if not new:
                break
        return None, domains, ctx.result(DOMAIN, Status.ERROR, f"domain list incomplete: {domain} not found in the "
                                         f"pages read (Resend says there are more)",
                                         "Retry later; if it persists, check the domain in Resend → Domains.",
                                         domain=domain)

    def _not_in_account(self, ctx: ProbeContext, domain: str, names: list[str]) -> CheckResult:
        parents = [n for n in names if domain.endswith("." + n)]
        if parents:
            parent = max(parents, key=len)
            return ctx.result(DOMAIN, Status.FAIL,
                              f"{domain} is not a domain of this Resend account; {parent} is, but Resend only sends "
                              f"from the exact domain it verified", f"Add {domain} in Resend → Domains → Add Domain, "
                              f"publish its DNS records and verify it — or send from an address @{parent}.",
                              domain=domain, parent=parent, account_domains=names[:50])
        return ctx.result(DOMAIN, Status.FAIL, f"{domain} is not a domain of this Resend account",
                          f"Add {domain} in Resend → Domains → Add Domain, publish its DNS records and verify it "
                          "(or use the key of the account that owns it).", domain=domain, account_domains=names[:50])

    def _domain_status(self, ctx: ProbeContext, domain: str, match: dict[str, Any],
                       records: list[dict[str, Any]] | None) -> CheckResult:
        status = match.get("status")
        if not isinstance(status, str) or not status:
            return ctx.result(DOMAIN, Status.ERROR, f"Resend listed {domain} without a status",
                              "Retry later; if it persists, report it with -v output.",
                              domain=domain, domain_id=match.get("id"))
        details = {"domain": domain, "domain_id": match.get("id"), "status": status, "region": match.get("region")}
        capabilities = match.get("capabilities") if isinstance(match.get("capabilities"), dict) else {}
        sending = capabilities.get("sending")
        if status == "verified" and sending == "disabled":
            return ctx.result(DOMAIN, Status.FAIL, f"{domain} is verified in Resend but its sending capability is "
                              "disabled: sends will be refused", "Enable sending for the domain in Resend → Domains → "
                              f"{domain} → Configuration (capabilities), or send from a domain with sending enabled.",
                              sending=sending, **details)
        if status == "verified":
            return ctx.result(DOMAIN, Status.PASS, f"{domain} is verified in Resend", sending=sending, **details)
        pending = [f"{r.get('record')} {r.get('type')} {absolute(str(r.get('name', '')), domain)}"
                   for r in records or [] if r.get("status") != "verified"]
        which = f" — not verified: {'; '.join(pending)}" if pending else ""
        hint = {
            "not_started": "Publish the DNS records Resend shows, then click Verify DNS Records in Resend → Domains.",
            "pending": "Resend is still checking: make sure the records below are published, then wait a few minutes.",
            "failed": "Resend gave up after 72 hours: fix the records below, then click Verify again.",
            "temporary_failure": "A record Resend needs has disappeared from DNS: restore it before Resend marks the "
                                 "domain failed.",
            "partially_verified": "Some records are verified, others are not: fix the ones listed.",
            "partially_failed": "Some records failed: fix the ones listed and verify again.",
        }.get(status, "Verify the domain in Resend → Domains.")
        return ctx.result(DOMAIN, Status.FAIL, f"{domain} is {status} in Resend: sends will be refused (HTTP 403){which}",
                          hint, unverified=pending, **details)

    def _records(self, ctx: ProbeContext, domain: str, records: list[dict[str, Any]]) -> CheckResult:
        rows = [{"record": r.get("record"), "type": r.get("type"), "name": absolute(str(r.get("name", "")), domain),
                 "status": r.get("status"), "value": dkim_check.abbreviate(unquote(str(r.get("value", ""))), 30)}
                for r in records]
        bad = [r for r in rows if r["status"] != "verified"]
        required_bad = [r for r in bad if str(r["record"]).upper() in REQUIRED_RECORDS]
        if required_bad:
            listed = "; ".join(f"{r['type']} {r['name']} ({r['status']})" for r in required_bad)
            return ctx.result(RECORDS, Status.FAIL, f"{len(required_bad)} required record(s) not verified: {listed}",
                              "Publish exactly these records at your DNS provider: "
                              + "; ".join(f"{r['type']} {r['name']} → {r['value']}" for r in required_bad),
                              records=rows)
        if bad:
            listed = "; ".join(f"{r['record']} {r['type']} {r['name']} ({r['status']})" for r in bad)
            return ctx.result(RECORDS, Status.WARN, f"optional record(s) not verified: {listed}",
                              "Publish them if you use the feature (e.g. click tracking).", records=rows)
        return ctx.result(RECORDS, Status.PASS, f"all {len(rows)} records verified by Resend", records=rows)

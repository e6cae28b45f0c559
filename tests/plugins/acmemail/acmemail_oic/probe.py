"""AcmeMail (email, made up for the tests). ``GET /v1/account`` with Bearer:
200 ``{"account": …}`` is a working key, 401 ``{"error": {"code":
"invalid_key"}}`` a rejected one; everything else proves nothing."""

from __future__ import annotations

import re

from oneinbox_check.checks.keyformat import KeyFormat
from oneinbox_check.checks.layout import DkimExpectation, MailDnsLayout
from oneinbox_check.models import CheckResult
from oneinbox_check.net.replies import str_at
from oneinbox_check.probes._verdicts import simple_auth
from oneinbox_check.probes.capabilities import MailDns
from oneinbox_check.probes.facts import Call, ProviderFacts
from oneinbox_check.probes.probe import EnvNames, Probe, ProbeContext
from oneinbox_check.secrets import wrap


def _envelope(body: dict) -> bool:
    return str_at(body, "error", "code") == "invalid_key"


class AcmeMailProbe(Probe, MailDns):
    facts = ProviderFacts(
        request=Call("GET", "acmemail", "/v1/account", "`Authorization: Bearer <key>`"),
        valid="200 with a JSON object holding `account`.",
        invalid='401 `{"error": {"code": "invalid_key"}}`.',
        indeterminate="every other answer; a transport failure.",
        sources=("tests/plugins/acmemail (made up for the tests)",),
    )
    providers = ("acmemail",)
    environment = {"acmemail": EnvNames("ACMEMAIL_API_KEY")}
    title = "AcmeMail"
    endpoints = {"acmemail": "https://api.acmemail.example"}
    key_format = KeyFormat(description="am_ followed by 32 letters and digits", prefixes=("am_",),
                           pattern=re.compile(r"am_[A-Za-z0-9]{32}"))
    mask_prefixes = ("am_",)
    signatures = ((r"am_[A-Za-z0-9]{32}", "an AcmeMail key (am_…)"),)
    regions = ("eu", "us")
    check_ids = ("key.auth", *MailDns.dns_check_ids)  # the sending domain's DNS, when metadata names one

    def default_layout(self, domain: str, *, region: str | None = None, return_path: str | None = None,
                       selector: str | None = None) -> MailDnsLayout:
        host = f"{return_path or 'bounce'}.{domain}"
        return MailDnsLayout(domain=domain, provider=self.title, return_path=host,
                             spf_include=f"spf.{region or 'eu'}.acmemail.example",
                             spf_suggested=f"v=spf1 include:spf.{region or 'eu'}.acmemail.example ~all",
                             mx=(f"mx.{region or 'eu'}.acmemail.example", 10),
                             dkim=[DkimExpectation(f"{selector or 'acme'}._domainkey.{domain}", "TXT", None)])

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        auth = await simple_auth(ctx, "acmemail", "/v1/account", {"Authorization": wrap(ctx.key, "Bearer {}")},
                                 valid_key="account", envelope=_envelope)
        sender = getattr(ctx.metadata, "from_email", None)
        if not isinstance(sender, str) or "@" not in sender:
            return [auth, *ctx.skipped(self.dns_check_ids, "no from_email in the metadata: DNS not checked")]
        return [auth, *await self.check_dns(ctx, self.default_layout(sender.rpartition("@")[2].lower()))]

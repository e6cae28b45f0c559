"""Twilio (telephony): credentials, account status, number ownership and
voice capability, and the Elastic SIP trunk the number should route to.

Facts (providers.md; https://www.twilio.com/docs/usage/api/account,
/docs/phone-numbers/api/incomingphonenumber-resource, /docs/sip-trunking/api):
- Basic auth ``AccountSid:AuthToken``. 401 code 20003 ("Authenticate") means a
  wrong SID or token *or* a suspended/closed account
  (twilio.com/docs/api/errors/20003): the fix names both. A 404 20404 needs a
  path SID other than the Basic-auth user, which this probe never sends, so
  such an answer is indeterminate. Only Twilio's ``{code, message, …}``
  envelope is Twilio speaking (a proxy's JSON 401 is not).
- ``GET /2010-04-01/Accounts/{AC}.json`` → ``{status: active|suspended|closed,
  type: Trial|Full, …}``.
- ``GET …/IncomingPhoneNumbers.json?PhoneNumber=+1…`` → empty list when the
  account does not own the number; ``capabilities.voice``; ``trunk_sid``.
- Trunking API (``trunking.twilio.com``): ``GET /v1/Trunks`` (paged,
  ``meta.next_page_url``), ``/v1/Trunks/{TK}/OriginationUrls``. A list still
  paging after ``MAX_PAGES`` pages is "could not tell", never "not found". A trunk's
  ``domain_name`` ends ``.pstn.twilio.com``; ``*.sip.twilio.com`` is a SIP
  Domain, a different product.
- ``twilio.balance`` (providers.md "Balances and quotas"): ``GET
  /2010-04-01/Accounts/{AC}/Balance.json`` → ``{account_sid, balance: "12.34",
  currency}`` (twilio-oai twilio_api_v2010.json ``FetchBalance``; every field
  nullable: "Child accounts do not contain balance information" → ``skip``).
  ≤ 0 fails (calls are refused), under ``--min-balance`` warns.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..checks.keyformat import KeyFormat, Signature
from ..checks.phone import E164
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import error_message, json_object
from . import _balances
from ._envelopes import twilio_error
from ._verdicts import AUTH, accepted, rejected, undetermined, with_rest_skipped
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "Twilio"
ACCOUNT = "twilio.account"
NUMBER = "twilio.phone_number"
TRUNK = "twilio.sip_trunk"
BALANCE = "twilio.balance"
_SID = re.compile(r"AC[0-9a-f]{32}")
_TRUNK_SID = re.compile(r"TK[0-9a-f]{32}")
MAX_PAGES = 20
# twilio.com/docs/api/errors/20003: wrong credentials, or the account is suspended or closed
REJECTED_FIX = ("Twilio refused these credentials (20003): either the Auth Token or account_sid is wrong — copy "
                "both again from Console → Account info, from the same account — or the account is suspended or "
                "closed: check its status in the Twilio Console (billing or compliance hold) and reactivate it.")


class TwilioMetadata(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # probes read metadata, never change it
    account_sid: str
    phone_number: E164 | None = None
    sip_trunk: str | None = None


def _code(reply: Any) -> Any:
    body = reply.json() if reply is not None else None
    return body.get("code") if isinstance(body, dict) else None


class TwilioProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "twilio", "/2010-04-01/Accounts/{AccountSid}.json",
                     "HTTP Basic `AccountSid:AuthToken` (metadata.account_sid, the key)"),
        valid="200 with the account's `status` → `key.auth` pass; `twilio.account`: `active` pass (a `Trial` "
              "account warns), `suspended`/`closed` fail.",
        invalid="401 in Twilio's envelope `{code, message, …}` with code 20003 (wrong SID or token, or a "
                "suspended/closed account: the fix names both).",
        indeterminate="404 20404 (cannot arise: the path SID is the Basic-auth user); every other status or "
                      "body; a transport failure. A malformed metadata.account_sid is never sent "
                      "(`twilio.account` fail, `key.auth` skip).",
        sources=("https://www.twilio.com/docs/usage/api/account", "https://www.twilio.com/docs/api/errors/20003",
                 "twilio/twilio-oai: spec/json/twilio_api_v2010.json, spec/json/twilio_trunking_v1.json"),
        also=(Call("GET", "twilio", "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
                   "HTTP Basic `AccountSid:AuthToken`", query=("PhoneNumber=<metadata.phone_number>",),
                   purpose="twilio.phone_number"),
              Call("GET", "twilio-trunking", "/v1/Trunks", "HTTP Basic `AccountSid:AuthToken`",
                   query=("PageSize=100",), purpose="twilio.sip_trunk (paged by `meta.next_page_url`)"),
              Call("GET", "twilio-trunking", "/v1/Trunks/{TrunkSid}/OriginationUrls",
                   "HTTP Basic `AccountSid:AuthToken`", purpose="twilio.sip_trunk (details)"),
              Call("GET", "twilio", "/2010-04-01/Accounts/{AccountSid}/Balance.json",
                   "HTTP Basic `AccountSid:AuthToken`",
                   purpose="twilio.balance (a 401/403 in Twilio's envelope or a null balance → skip)")),
    )
    providers = ("twilio",)
    environment = {"twilio": EnvNames("TWILIO_AUTH_TOKEN", required={"account_sid": "TWILIO_ACCOUNT_SID"},
                                      optional={"phone_number": "TWILIO_PHONE_NUMBER", "sip_trunk": "TWILIO_SIP_TRUNK"})}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"twilio": "https://api.twilio.com", "twilio-trunking": "https://trunking.twilio.com"}
    check_ids = (AUTH, ACCOUNT, NUMBER, TRUNK, BALANCE)
    metadata_model = TwilioMetadata
    key_format = KeyFormat(description="the account's auth token: 32 hex characters",
                           pattern=re.compile(r"[0-9a-f]{32}"))

    def format_check(self, provider: str, key: str, metadata: Any, signatures: list[Signature]) -> CheckResult:
        if re.fullmatch(r"AC[0-9a-fA-F]{32}", key):
            return CheckResult(id="key.format", status=Status.FAIL,
                               summary="api_key holds an Account SID (AC…), not the auth token",
                               remediation="Put the Account SID in metadata.account_sid and the Auth Token "
                                           "(Console → Account info) in api_key.")
        if re.fullmatch(r"SK[0-9a-fA-F]{32}", key):
            return CheckResult(id="key.format", status=Status.FAIL,
                               summary="api_key holds an API key SID (SK…), not a secret",
                               remediation="Use the account's Auth Token in api_key.")
        return super().format_check(provider, key, metadata, signatures)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        sid = ctx.metadata.account_sid.strip()
        rest = [NUMBER, TRUNK, BALANCE]
        if not _SID.fullmatch(sid):
            return [ctx.result(AUTH, Status.SKIP, "not sent: metadata.account_sid is malformed"),
                    ctx.result(ACCOUNT, Status.FAIL, f"account_sid {sid[:6]}… is not AC followed by 32 hex characters",
                               "Copy the Account SID from the Twilio Console (Account info)."),
                    *ctx.skipped(rest, "no valid account SID")]
        auth = (sid, ctx.key)
        reply = await ctx.http.get(ctx.url("twilio", f"/2010-04-01/Accounts/{sid}.json"), auth=auth)
        if isinstance(reply, Failure):
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, reply), [ACCOUNT, *rest])
        body = json_object(reply) or {}
        if reply.status == 401 and twilio_error(reply) is not None and _code(reply) == 20003:
            return with_rest_skipped(ctx, rejected(ctx, reply, REJECTED_FIX), [ACCOUNT, *rest])
        if reply.status != 200 or "status" not in body:
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, reply), [ACCOUNT, *rest])
        out = [accepted(ctx), self._account(ctx, sid, body)]
        if body.get("status") != "active":
            return out + ctx.skipped(rest, f"account is {body.get('status')}")
        number, number_result = await self._number(ctx, sid, auth)
        out.append(number_result)
        out.append(await self._trunk(ctx, auth, number))
        out.append(await twilio_balance(ctx, sid, auth))
        return out

    def _account(self, ctx: ProbeContext, sid: str, body: dict[str, Any]) -> CheckResult:
        status, kind = str(body.get("status")), str(body.get("type", ""))
        details = {"account_sid": sid, "status": status, "type": kind, "friendly_name": body.get("friendly_name")}
        if status in ("suspended", "closed"):
            return ctx.result(ACCOUNT, Status.FAIL, f"Twilio account is {status}: calls will fail",
                              "Reactivate the account in the Twilio Console (billing or compliance hold).", **details)
        if status != "active":
            return ctx.result(ACCOUNT, Status.ERROR, f"Twilio account status {status!r} is not one the checker knows",
                              "Check the account in the Twilio Console.", **details)
        if kind == "Trial":
            return ctx.result(ACCOUNT, Status.WARN, "Twilio trial account: calls only to verified numbers, with a "
                              "trial message", "Upgrade the account (Console → Billing) before going live.", **details)
        return ctx.result(ACCOUNT, Status.PASS, f"account active ({kind or 'Full'})", **details)

    async def _number(self, ctx: ProbeContext, sid: str, auth: tuple[str, Any]) -> tuple[dict[str, Any] | None, CheckResult]:
        number = ctx.metadata.phone_number
        if not number:
            return None, ctx.result(NUMBER, Status.SKIP, "no metadata.phone_number given")
        reply = await ctx.http.get(ctx.url("twilio", f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"),
                                   auth=auth, params={"PhoneNumber": number})
        if isinstance(reply, Failure) or reply.status != 200:
            return None, undetermined(ctx, NUMBER, reply, f"looking up {number}")
        listed = (json_object(reply) or {}).get("incoming_phone_numbers")
        if not isinstance(listed, list):
            return None, undetermined(ctx, NUMBER, reply, "number lookup answer has an unexpected shape")
        found = next((n for n in listed if isinstance(n, dict) and n.get("phone_number") == number), None)
        if found is None:
            return None, ctx.result(NUMBER, Status.FAIL, f"{number} is not a number of account {sid}",
                                    "Buy or port the number into this account, or use the account that owns it "
                                    "(a subaccount's number needs the subaccount's SID and token).", phone_number=number)
        details = {"phone_number": number, "sid": found.get("sid"), "trunk_sid": found.get("trunk_sid"),
                   "capabilities": found.get("capabilities")}
        caps = found.get("capabilities")
        voice = caps.get("voice") if isinstance(caps, dict) else None
        if not isinstance(voice, bool):  # missing or malformed: the answer proves nothing either way
            return found, ctx.result(NUMBER, Status.ERROR, f"Twilio listed {number} without a voice capability flag",
                                     "Unexpected answer from the provider: retry later; if it persists, report it "
                                     "with -v output.", **details)
        if not voice:
            return found, ctx.result(NUMBER, Status.FAIL, f"{number} is not voice-capable", "Use a number with "
                                     "Voice capability for calls.", **details)
        return found, ctx.result(NUMBER, Status.PASS, f"{number} is on this account and voice-capable", **details)

    async def _trunk(self, ctx: ProbeContext, auth: tuple[str, Any], number: dict[str, Any] | None) -> CheckResult:
        wanted = (ctx.metadata.sip_trunk or "").strip().lower()
        if not wanted:
            return ctx.result(TRUNK, Status.SKIP, "no metadata.sip_trunk given")
        if wanted.endswith(".sip.twilio.com"):
            return ctx.result(TRUNK, Status.FAIL, f"{wanted} is a SIP Domain, not an Elastic SIP trunk",
                              "Give the trunk's Termination SIP URI (…pstn.twilio.com) or its TK… SID "
                              "(Console → Elastic SIP Trunking → Trunks); SIP Domains are a different product.")
        by_sid = _TRUNK_SID.fullmatch(ctx.metadata.sip_trunk.strip())
        if not by_sid and not wanted.endswith(".pstn.twilio.com"):
            return ctx.result(TRUNK, Status.FAIL, f"sip_trunk {wanted!r} is neither a TK… SID nor a *.pstn.twilio.com domain",
                              "Use the trunk's TK… SID or its Termination SIP URI (name.pstn.twilio.com).")
        trunk, failed = await self._find_trunk(ctx, auth, ctx.metadata.sip_trunk.strip(), by_sid is not None)
        if failed is not None:
            return failed
        if trunk is None:
            return ctx.result(TRUNK, Status.FAIL, f"trunk {wanted} is not on this account",
                              "Check the trunk SID/domain in Elastic SIP Trunking → Trunks of this account.")
        details: dict[str, Any] = {"trunk_sid": trunk.get("sid"), "domain_name": trunk.get("domain_name"),
                                   "secure": trunk.get("secure")}
        origination = await ctx.http.get(ctx.url("twilio-trunking", f"/v1/Trunks/{trunk.get('sid')}/OriginationUrls"),
                                         auth=auth)
        if not isinstance(origination, Failure) and origination.status == 200:
            urls = (json_object(origination) or {}).get("origination_urls")
            if isinstance(urls, list):
                details["origination_urls"] = [{k: u.get(k) for k in ("sip_url", "enabled", "priority", "weight")}
                                               for u in urls if isinstance(u, dict)]
        if number is not None and number.get("trunk_sid") != trunk.get("sid"):
            return ctx.result(TRUNK, Status.WARN, f"{ctx.metadata.phone_number} is not attached to trunk "
                              f"{trunk.get('sid')}", "Attach the number: Elastic SIP Trunking → the trunk → Numbers → "
                              "Add a number.", number_trunk_sid=number.get("trunk_sid"), **details)
        attached = " and the number routes to it" if number is not None else ""
        return ctx.result(TRUNK, Status.PASS, f"trunk {trunk.get('domain_name') or trunk.get('sid')} exists{attached}",
                          **details)

    async def _find_trunk(self, ctx: ProbeContext, auth: tuple[str, Any], wanted: str,
                          by_sid: bool) -> tuple[dict[str, Any] | None, CheckResult | None]:
        url: str | None = ctx.url("twilio-trunking", "/v1/Trunks")
        base = ctx.url("twilio-trunking")
        params: dict[str, Any] | None = {"PageSize": 100}
        for _ in range(MAX_PAGES):
            if url is None:
                break
            reply = await ctx.http.get(url, auth=auth, params=params)
            if isinstance(reply, Failure) or reply.status != 200:
                hint = error_message(reply.json()) if not isinstance(reply, Failure) else None
                return None, undetermined(ctx, TRUNK, reply, "listing SIP trunks" + (f" ({hint})" if hint else ""))
            body = json_object(reply) or {}
            trunks = body.get("trunks")
            if not isinstance(trunks, list) or not isinstance(body.get("meta"), dict):
                return None, undetermined(ctx, TRUNK, reply, "trunk list has an unexpected shape")
            for trunk in trunks:
                if not isinstance(trunk, dict):
                    continue
                if (by_sid and trunk.get("sid") == wanted) or (
                        not by_sid and str(trunk.get("domain_name", "")).lower() == wanted.lower()):
                    return trunk, None
            nxt = body["meta"].get("next_page_url")
            if nxt is not None and not (isinstance(nxt, str) and "/v1/" in nxt):
                return None, undetermined(ctx, TRUNK, reply, "trunk list has an unexpected next_page_url")
            # stay on the configured host: next_page_url is absolute and names Twilio's host
            url = base + nxt[nxt.index("/v1/"):] if nxt is not None else None
            params = None
        if url is not None:
            return None, ctx.result(TRUNK, Status.ERROR, f"the trunk list was still paging after {MAX_PAGES} pages "
                                    f"of up to 100 trunks: could not tell whether {wanted} is on this account",
                                    "Give the trunk's TK… SID, or check it in Elastic SIP Trunking → Trunks.",
                                    pages=MAX_PAGES)
        return None, None


async def twilio_balance(ctx: ProbeContext, sid: str, auth: tuple[str, Any]) -> CheckResult:
    """``twilio.balance``: Twilio's answer decides only when it is a balance; anything else is error/skip."""
    reply = await ctx.http.get(ctx.url("twilio", f"/2010-04-01/Accounts/{sid}/Balance.json"), auth=auth)
    if isinstance(reply, Failure):
        return undetermined(ctx, BALANCE, reply, "Twilio balance request")
    if reply.status in (401, 403) and twilio_error(reply) is not None:
        return ctx.result(BALANCE, Status.SKIP, f"these credentials may not read the balance (HTTP {reply.status}, "
                          f"code {_code(reply)}): balance not checked", "Check the balance in the Twilio Console "
                          "(Billing).", http_status=reply.status)
    body = json_object(reply) if reply.status == 200 else None
    if body is None or not {"balance", "currency"} <= body.keys():
        return undetermined(ctx, BALANCE, reply, "Twilio balance request")
    if body["balance"] is None:
        return ctx.result(BALANCE, Status.SKIP, "Twilio reports no balance for this account (a subaccount's "
                          "balance is kept on its parent account)", "Check the parent account's balance.")
    value = _balances.amount(body["balance"])
    currency = body["currency"] if isinstance(body["currency"], str) and body["currency"].strip() else None
    if value is None:
        return ctx.result(BALANCE, Status.ERROR, "Twilio answered a balance that is not a number",
                          "Unexpected answer from the provider: retry later; if it persists, report it with -v "
                          "output.", http_status=reply.status)
    return _balances.money_result(ctx, BALANCE, value, currency, account_sid=sid,
                                  top_up="Add funds in the Twilio Console (Billing → Add funds), or turn on "
                                         "auto-recharge.")

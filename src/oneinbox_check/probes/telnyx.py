"""Telnyx (telephony).

Facts (providers.md; https://developers.telnyx.com/api/account/get-user-balance):
``GET /v2/balance`` with Bearer; 401 (error code "10009") invalid key, 403
(10010) valid but not allowed; only answers in Telnyx's ``{"errors":[{"code":…}]}``
envelope are the provider speaking. ``GET /v2/phone_numbers?filter[phone_number]=``
takes digits only — Telnyx's spec (spec3.yml, ListPhoneNumbers): "Requires at
least three digits. Non-numerical characters will result in no values being
returned" — so the ``+`` is stripped and the match is made exactly here
→ ``data[] {phone_number, status, connection_id, connection_name}``; statuses
appear with hyphens or underscores (normalised here). Observed key shape ``KEY`` + 32 upper hex + ``_``
+ 22 alnum (58 chars): only the prefix is a rule, a length mismatch warns.

``telnyx.balance`` (providers.md "Balances and quotas") reads the same
``/v2/balance`` answer, no second request: ``data {balance, credit_limit,
available_credit ("balance + credit limit"), pending, currency}``, all strings
(spec3.yml ``UserBalance``). ``available_credit`` ≤ 0 fails (nothing left to
spend), under ``--min-balance`` warns; a 403 (the key may not read the balance)
is ``skip``.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from ..checks.keyformat import KeyFormat
from ..checks.phone import E164
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import json_object
from ..secrets import wrap
from . import _balances
from ._envelopes import telnyx_error, telnyx_invalid_key
from ._verdicts import AUTH, accepted, rejected, undetermined, with_rest_skipped
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "Telnyx"
NUMBER = "telnyx.phone_number"
BALANCE = "telnyx.balance"


class TelnyxMetadata(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # probes read metadata, never change it
    phone_number: E164 | None = None
    connection_id: str | None = None


class TelnyxProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "telnyx", "/v2/balance", "`Authorization: Bearer <key>`",
                     headers=("Accept: application/json",)),
        valid="200 with `data.balance` (`telnyx.balance` reads the same answer: no second request).",
        invalid="401 in Telnyx's envelope `{\"errors\": [{\"code\": str, …}]}` with code 10009.",
        restricted="403 in that envelope (10010: known key, not allowed to read the balance) → `key.auth` warn.",
        indeterminate="a 401/403 without Telnyx's envelope (e.g. empty); a 401 without code 10009; every other "
                      "status; a transport failure.",
        sources=("https://developers.telnyx.com/api/account/get-user-balance",
                 "team-telnyx/openapi: openapi/spec3.yml (`Errors`, `UserBalance`, ListPhoneNumbers)"),
        also=(Call("GET", "telnyx", "/v2/phone_numbers", "`Authorization: Bearer <key>`",
                   query=("filter[phone_number]=<metadata.phone_number, digits only>",),
                   purpose="telnyx.phone_number (matched exactly on our side)"),),
    )
    providers = ("telnyx",)
    environment = {"telnyx": EnvNames("TELNYX_API_KEY", optional={"phone_number": "TELNYX_PHONE_NUMBER",
                                                                    "connection_id": "TELNYX_CONNECTION_ID"})}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"telnyx": "https://api.telnyx.com"}
    check_ids = (AUTH, BALANCE, NUMBER)
    metadata_model = TelnyxMetadata
    key_format = KeyFormat(description="KEY followed by 32 upper-case hex, '_' and 22 letters/digits (58 characters)",
                           prefixes=("KEY",), pattern=re.compile(r"KEY[0-9A-F]{32}_[A-Za-z0-9]{22}"))
    mask_prefixes = ("KEY",)
    signatures = ((r"KEY[0-9A-F]{32}_", "a Telnyx key (KEY…)"),)

    def headers(self, ctx: ProbeContext) -> dict[str, object]:
        return {"Authorization": wrap(ctx.key, "Bearer {}"), "Accept": "application/json"}

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("telnyx", "/v2/balance"), headers=self.headers(ctx))
        if isinstance(outcome, Failure):
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [BALANCE, NUMBER])
        body = json_object(outcome) or {}
        data = body.get("data") if isinstance(body.get("data"), dict) else None
        if outcome.status == 200 and data is not None and "balance" in data:
            auth = accepted(ctx, balance=data.get("balance"), currency=data.get("currency"))
        elif outcome.status == 401 and telnyx_error(outcome) is not None and telnyx_invalid_key(body):
            return with_rest_skipped(ctx, rejected(ctx, outcome), [BALANCE, NUMBER])
        elif outcome.status == 403 and telnyx_error(outcome) is not None:
            auth = ctx.result(AUTH, Status.WARN, "Telnyx knows the key but it may not read the balance (HTTP 403)",
                              "Check the key's permissions in Mission Control → API Keys.", http_status=403)
        else:
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [BALANCE, NUMBER])
        return [auth, telnyx_balance(ctx, data if outcome.status == 200 else None), *await self.number(ctx)]

    async def number(self, ctx: ProbeContext) -> list[CheckResult]:
        number = ctx.metadata.phone_number
        if not number:
            return ctx.skipped([NUMBER], "no metadata.phone_number given")
        reply = await ctx.http.get(ctx.url("telnyx", "/v2/phone_numbers"), headers=self.headers(ctx),
                                   params={"filter[phone_number]": number.lstrip("+")})
        if isinstance(reply, Failure) or reply.status != 200:
            return [undetermined(ctx, NUMBER, reply, f"looking up {number}")]
        listed = (json_object(reply) or {}).get("data")
        if not isinstance(listed, list):
            return [undetermined(ctx, NUMBER, reply, "number lookup answer has an unexpected shape")]
        # the filter may match loosely: compare exactly on our side
        found = next((n for n in listed if isinstance(n, dict) and n.get("phone_number") == number), None)
        if found is None:
            return [ctx.result(NUMBER, Status.FAIL, f"{number} is not a number of this Telnyx account",
                               "Buy or port the number into this account, or use the key of the account that owns it.",
                               phone_number=number)]
        raw_status = found.get("status")
        if not isinstance(raw_status, str) or not raw_status.strip():
            return [ctx.result(NUMBER, Status.ERROR, f"Telnyx listed {number} without a status",
                               "Unexpected answer from the provider: retry later; if it persists, report it with "
                               "-v output.", phone_number=number, id=found.get("id"))]
        status = raw_status.strip().replace("-", "_")
        connection = found.get("connection_id")
        details = {"phone_number": number, "id": found.get("id"), "status": status, "connection_id": connection,
                   "connection_name": found.get("connection_name")}
        if status != "active":
            return [ctx.result(NUMBER, Status.FAIL, f"{number} is {status or 'in an unknown state'}, not active",
                               "Wait for the purchase/port to complete, or pick an active number.", **details)]
        if not connection:
            return [ctx.result(NUMBER, Status.FAIL, f"{number} has no connection: calls cannot be routed",
                               "Assign the number to your SIP connection (Numbers → the number → Connection).", **details)]
        wanted = ctx.metadata.connection_id
        if wanted and str(wanted) != str(connection):
            return [ctx.result(NUMBER, Status.FAIL, f"{number} uses connection {connection}, not {wanted}",
                               f"Assign the number to connection {wanted}, or fix metadata.connection_id.", **details)]
        return [ctx.result(NUMBER, Status.PASS, f"{number} is active on connection "
                           f"{found.get('connection_name') or connection}", **details)]


def telnyx_balance(ctx: ProbeContext, data: dict | None) -> CheckResult:
    """``telnyx.balance`` from the auth answer's ``data`` (``None``: the key may not read it)."""
    if data is None:
        return ctx.result(BALANCE, Status.SKIP, "the key may not read the balance (HTTP 403): balance not checked",
                          "Check the balance in Mission Control (Billing).")
    available = _balances.amount(data.get("available_credit"))
    value = available if available is not None else _balances.amount(data.get("balance"))
    if value is None:
        return ctx.result(BALANCE, Status.ERROR, "Telnyx answered a balance that is not a number",
                          "Unexpected answer from the provider: retry later; if it persists, report it with -v output.")
    currency = data.get("currency") if isinstance(data.get("currency"), str) and data.get("currency") else None
    facts = {k: data[k] for k in ("balance", "credit_limit", "available_credit", "pending") if isinstance(data.get(k), str)}
    return _balances.money_result(ctx, BALANCE, value, currency,
                                  what="available credit" if available is not None else "balance",
                                  top_up="Add funds in Mission Control (Billing → Add funds), or turn on auto-recharge.",
                                  **facts)

"""Telnyx (telephony).

Facts (providers.md; https://developers.telnyx.com/api/account/get-user-balance):
``GET /v2/balance`` with Bearer; 401 (error code "10009") invalid key, 403
(10010) valid but not allowed. Observed key shape ``KEY`` + 32 upper hex + ``_``
+ 22 alnum (58 chars): only the prefix is a rule, a length mismatch warns.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from ..checks.keyformat import KeyFormat
from ..checks.phone import E164
from ..models import CheckResult, Status
from ..net.http import Failure
from ..secrets import wrap
from ._base import AUTH, Probe, ProbeContext, accepted, json_object, rejected

TITLE = "Telnyx"
NUMBER = "telnyx.phone_number"


class TelnyxMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    phone_number: E164 | None = None
    connection_id: str | None = None


class TelnyxProbe(Probe):
    providers = ("telnyx",)
    title = TITLE
    endpoints = {"telnyx": "https://api.telnyx.com"}
    check_ids = (AUTH, NUMBER)
    metadata_model = TelnyxMetadata
    key_format = KeyFormat(description="KEY followed by 32 upper-case hex, '_' and 22 letters/digits (58 characters)",
                           prefixes=("KEY",), pattern=re.compile(r"KEY[0-9A-F]{32}_[A-Za-z0-9]{22}"))
    signatures = ((r"KEY[0-9A-F]{32}_", "a Telnyx key (KEY…)"),)

    def headers(self, ctx: ProbeContext) -> dict[str, object]:
        return {"Authorization": wrap(ctx.key, "Bearer {}"), "Accept": "application/json"}

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("telnyx", "/v2/balance"), headers=self.headers(ctx))
        if isinstance(outcome, Failure):
            return [ctx.indeterminate(AUTH, outcome, "Telnyx auth request"), *ctx.skipped([NUMBER], "auth undetermined")]
        body = json_object(outcome) or {}
        data = body.get("data") if isinstance(body.get("data"), dict) else None
        if outcome.status == 200 and data is not None and "balance" in data:
            auth = accepted(ctx, TITLE, balance=data.get("balance"), currency=data.get("currency"))
        elif outcome.status == 401:
            return [rejected(ctx, TITLE, outcome), *ctx.skipped([NUMBER], "key rejected")]
        elif outcome.status == 403:
            auth = ctx.result(AUTH, Status.WARN, "Telnyx knows the key but it may not read the balance (HTTP 403)",
                              "Check the key's permissions in Mission Control → API Keys.", http_status=403)
        else:
            return [ctx.indeterminate(AUTH, outcome, "Telnyx auth request"), *ctx.skipped([NUMBER], "auth undetermined")]
        return [auth, *await self.number(ctx)]

    async def number(self, ctx: ProbeContext) -> list[CheckResult]:
        if not ctx.metadata.phone_number:
            return ctx.skipped([NUMBER], "no metadata.phone_number given")
        return ctx.skipped([NUMBER], "number checks are not implemented yet")


PROBE = TelnyxProbe

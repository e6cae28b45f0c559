"""MiniMax (TTS).

HTTP 200 alone proves nothing: the verdict is in ``base_resp.status_code``
(providers.md; https://platform.minimax.io/docs/api-reference/errorcode):
0 ok; 2049 invalid key; 1004 authentication failed — which also covers "token
does not match group", so its fix names ``group_id``; 1008 insufficient balance
→ fail "no balance"; 1002/1039 rate limits and every other code → error.

The current API authenticates with Bearer alone (the platform.minimax.io
OpenAPI for ``/v1/files/list`` has no GroupId), so a legacy JWT key without
``metadata.group_id`` is at most a ``key.format`` warn and is still sent;
when ``group_id`` is given it is sent as ``GroupId``. Region ``cn`` uses
api.minimaxi.com.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..checks.keyformat import KeyFormat, Signature
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import json_object
from ..secrets import wrap
from ._verdicts import AUTH, accepted, undetermined
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "MiniMax"
GLOBAL = "https://api.minimax.io"
CN = "https://api.minimaxi.com"
INVALID_KEY, AUTH_FAILED, NO_BALANCE = 2049, 1004, 1008
_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class MinimaxMetadata(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # probes read metadata, never change it
    group_id: str | None = None
    region: Literal["global", "cn"] = "global"


class MinimaxProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "minimax", "/v1/files/list", "`Authorization: Bearer <key>`",
                     query=("purpose=voice_clone", "GroupId=<metadata.group_id, when given>"),
                     note="metadata.region = cn: on https://api.minimaxi.com"),
        valid="HTTP 200 **and** `base_resp.status_code == 0` (HTTP 200 alone proves nothing).",
        invalid="`base_resp.status_code` 2049 (invalid key) or 1004 (authentication failed — also \"token does "
                "not match group\": the fix names `group_id`), on HTTP 200 or 401; 1008 → fail \"no balance\".",
        indeterminate="1002/1039 (rate limits) and every other code; no integer `base_resp.status_code`; an "
                      "HTTP status other than 200/401; a transport failure.",
        sources=("https://platform.minimax.io/docs/api-reference/errorcode",
                 "platform.minimax.io OpenAPI for `/v1/files/list` (Bearer alone, no GroupId)"),
    )
    providers = ("minimax",)
    environment = {"minimax": EnvNames("MINIMAX_API_KEY", optional={"group_id": "MINIMAX_GROUP_ID"})}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"minimax": GLOBAL}
    metadata_model = MinimaxMetadata
    key_format = KeyFormat(description="sk-api-… or sk-cp-…, or a legacy JWT with metadata.group_id",
                           pattern=re.compile(r"sk-(api|cp)-[A-Za-z0-9_-]{20,}|" + _JWT.pattern))
    mask_prefixes = ("sk-api-", "sk-cp-")
    signatures = ((r"sk-(api|cp)-", "a MiniMax key (sk-api-…)"),)

    def format_check(self, provider: str, key: str, metadata: Any, signatures: list[Signature]) -> CheckResult:
        result = super().format_check(provider, key, metadata, signatures)
        if result.status == Status.PASS and _JWT.fullmatch(key) and not getattr(metadata, "group_id", None):
            return CheckResult(id="key.format", status=Status.WARN,
                               summary="a legacy MiniMax JWT key without metadata.group_id",
                               remediation="It is checked as is (the current API needs only the key); if MiniMax "
                               "rejects it, add metadata.group_id (Account → Basic information) or create a new "
                               "sk-api- key.")
        return result

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        base = ctx.endpoints["minimax"]
        if ctx.metadata.region == "cn" and base == GLOBAL:
            base = CN
        params: dict[str, str] = {"purpose": "voice_clone"}
        if ctx.metadata.group_id:
            params["GroupId"] = ctx.metadata.group_id
        outcome = await ctx.http.get(base.rstrip("/") + "/v1/files/list", params=params,
                                     headers={"Authorization": wrap(ctx.key, "Bearer {}")})
        if isinstance(outcome, Failure):
            return [undetermined(ctx, AUTH, outcome, "MiniMax auth request")]
        body = json_object(outcome) or {}
        base_resp = body.get("base_resp") if isinstance(body.get("base_resp"), dict) else {}
        code = base_resp.get("status_code")
        if not isinstance(code, int) or isinstance(code, bool) or outcome.status not in (200, 401):
            return [undetermined(ctx, AUTH, outcome, "MiniMax auth request")]  # not MiniMax's envelope
        msg = base_resp.get("status_msg") if isinstance(base_resp.get("status_msg"), str) else None
        said = f"status_code {code}" + (f": {msg}" if msg else "")
        if code == 0 and outcome.status == 200:
            return [accepted(ctx)]
        if code in (INVALID_KEY, AUTH_FAILED):
            region = (" — or the key is for the other region: set metadata.region"
                      if ctx.metadata.region == "global" else "")
            if code == AUTH_FAILED:
                fix = ("MiniMax says authentication failed: the key is invalid, or metadata.group_id does not match "
                       "it (remove group_id or set the one under Account → Basic information)"
                       if ctx.metadata.group_id else
                       "MiniMax says authentication failed: the key is invalid (a legacy JWT key may also need "
                       "metadata.group_id from Account → Basic information)")
                fix += f"; otherwise create a new key in the MiniMax console{region}."
            else:
                fix = f"Create a new key in the MiniMax console{region}."
            return [ctx.result(AUTH, Status.FAIL, f"MiniMax rejected the key ({said})", fix, status_code=code)]
        if code == NO_BALANCE:
            return [ctx.result(AUTH, Status.FAIL, f"MiniMax accepted the key but the account has no balance ({said})",
                               "Top up the MiniMax account balance (Billing), then check again.", status_code=code)]
        return [ctx.result(AUTH, Status.ERROR, f"MiniMax answered {said}",
                           "Could not tell: rate limited or another MiniMax error; retry later.", status_code=code)]

"""MiniMax (TTS).

HTTP 200 alone proves nothing: the verdict is in ``base_resp.status_code``
(0 ok; 1004 and 2049 are authentication failures) (providers.md;
https://platform.minimax.io/docs/api-reference/errorcode). Legacy JWT keys need
``metadata.group_id`` (sent as ``GroupId``). Region ``cn`` uses api.minimaxi.com.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..checks.keyformat import KeyFormat, Signature
from ..models import CheckResult, Status
from ..net.http import Failure
from ..secrets import wrap
from ._base import AUTH, Probe, ProbeContext, accepted, json_object

TITLE = "MiniMax"
GLOBAL = "https://api.minimax.io"
CN = "https://api.minimaxi.com"
AUTH_CODES = {1004, 2049}
_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class MinimaxMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    group_id: str | None = None
    region: Literal["global", "cn"] = "global"


class MinimaxProbe(Probe):
    providers = ("minimax",)
    title = TITLE
    endpoints = {"minimax": GLOBAL}
    metadata_model = MinimaxMetadata
    key_format = KeyFormat(description="sk-api-… or sk-cp-…, or a legacy JWT with metadata.group_id",
                           pattern=re.compile(r"sk-(api|cp)-[A-Za-z0-9_-]{20,}|" + _JWT.pattern))
    signatures = ((r"sk-(api|cp)-", "a MiniMax key (sk-api-…)"),)

    def format_check(self, provider: str, key: str, metadata: Any, signatures: list[Signature]) -> CheckResult:
        result = super().format_check(provider, key, metadata, signatures)
        if result.status != Status.FAIL and _JWT.fullmatch(key) and not getattr(metadata, "group_id", None):
            return CheckResult(id="key.format", status=Status.FAIL,
                               summary="a legacy MiniMax JWT key needs metadata.group_id",
                               remediation="Add metadata.group_id (Account → Basic information), or create a new sk-api- key.")
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
            return [ctx.indeterminate(AUTH, outcome, "MiniMax auth request")]
        body = json_object(outcome) or {}
        base_resp = body.get("base_resp") if isinstance(body.get("base_resp"), dict) else {}
        code = base_resp.get("status_code")
        if outcome.status == 200 and code == 0:
            return [accepted(ctx, TITLE)]
        if outcome.status in (200, 401) and code in AUTH_CODES:
            msg = base_resp.get("status_msg") or "invalid api key"
            hint = (" — or the key is for the other region: set metadata.region"
                    if ctx.metadata.region == "global" else "")
            return [ctx.result(AUTH, Status.FAIL, f"MiniMax rejected the key (status_code {code}: {msg})",
                               f"Create a new key in the MiniMax console{hint}.", status_code=code)]
        return [ctx.indeterminate(AUTH, outcome, "MiniMax auth request")]


PROBE = MinimaxProbe

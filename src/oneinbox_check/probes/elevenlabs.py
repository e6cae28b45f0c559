"""ElevenLabs (TTS). ``GET /v1/user`` with ``xi-api-key``; 401 with
``detail.status == "invalid_api_key"`` for a bad key; 401 ``missing_permissions``
for a valid key restricted away from user info, which is then tried on
``/v1/voices`` (providers.md; https://elevenlabs.io/docs/api-reference/user/get).
ElevenLabs errors are ``{"detail": {"status": str, "message": str}}``
(help.elevenlabs.io "API - Error Code 400 or 401"; the OpenAPI spec documents
only 200/422 here); a 401 without that body is indeterminate."""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.http import Failure
from ._base import AUTH, SCOPE, Probe, ProbeContext, accepted, auth_rejected, auth_undetermined, json_object, str_at
from .facts import Call, ProviderFacts

TITLE = "ElevenLabs"


def _detail_status(body: dict) -> str:
    return str_at(body, "detail", "status") or ""


def elevenlabs_envelope(body: dict) -> bool:
    return str_at(body, "detail", "status") is not None


class ElevenLabsProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "elevenlabs", "/v1/user", "`xi-api-key: <key>`"),
        valid="200 with `subscription` → `key.auth` pass, `key.scope` pass.",
        invalid="401 with `{\"detail\": {\"status\", …}}` other than `missing_permissions` (e.g. "
                "`invalid_api_key`).",
        restricted="401 `detail.status == \"missing_permissions\"` → `key.auth` pass, `key.scope` warn; "
                   "`/v1/voices` is then tried to say whether voices are readable.",
        indeterminate="a 401 without that body; every other status; a transport failure.",
        sources=("https://elevenlabs.io/docs/api-reference/user/get",
                 "help.elevenlabs.io \"API - Error Code 400 or 401\" (the OpenAPI spec documents only 200/422 "
                 "here)"),
        also=(Call("GET", "elevenlabs", "/v1/voices", "`xi-api-key: <key>`", purpose="key.scope (restricted key)"),),
    )
    providers = ("elevenlabs",)
    title = TITLE
    endpoints = {"elevenlabs": "https://api.elevenlabs.io"}
    check_ids = (AUTH, SCOPE)
    key_format = KeyFormat(description="sk_ followed by 48 hex characters (legacy: 32 hex)",
                           pattern=re.compile(r"sk_[0-9a-f]{48}|[0-9a-f]{32}"))

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        headers = {"xi-api-key": ctx.key}
        outcome = await ctx.http.get(ctx.url("elevenlabs", "/v1/user"), headers=headers)
        if isinstance(outcome, Failure):
            return auth_undetermined(ctx, TITLE, outcome, [SCOPE])
        body = json_object(outcome) or {}
        if outcome.status == 200 and "subscription" in body:
            return [accepted(ctx, TITLE), ctx.result(SCOPE, Status.PASS, "key can read the account")]
        if outcome.status == 401 and _detail_status(body) == "missing_permissions":
            voices = await ctx.http.get(ctx.url("elevenlabs", "/v1/voices"), headers=headers)
            if isinstance(voices, Failure) or voices.status != 200:
                return [accepted(ctx, TITLE, restricted=True),
                        ctx.result(SCOPE, Status.WARN, "restricted key: cannot read user info or list voices",
                                   "Give the key Text to Speech and Voices read access.")]
            return [accepted(ctx, TITLE, restricted=True),
                    ctx.result(SCOPE, Status.WARN, "restricted key: cannot read user info (voices readable)",
                               "Fine for speech; grant User read if you want usage checks.")]
        if outcome.status == 401:
            return auth_rejected(ctx, TITLE, outcome, [SCOPE], envelope=elevenlabs_envelope)
        return auth_undetermined(ctx, TITLE, outcome, [SCOPE])


PROBE = ElevenLabsProbe

"""Deepgram (STT and TTS). ``GET /v1/projects`` with ``Authorization: Token``;
200 ``{"projects": [...]}``, 401 ``INVALID_AUTH``, 403 for a valid key whose
role cannot list projects (providers.md;
https://developers.deepgram.com/reference/management-api/projects/list)."""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.http import Failure
from ..secrets import wrap
from ._base import AUTH, SCOPE, Probe, ProbeContext, accepted, auth_rejected, auth_undetermined, json_object

TITLE = "Deepgram"


class DeepgramProbe(Probe):
    providers = ("deepgram",)
    title = TITLE
    endpoints = {"deepgram": "https://api.deepgram.com"}
    check_ids = (AUTH, SCOPE)
    key_format = KeyFormat(description="40 hexadecimal characters", pattern=re.compile(r"[0-9a-f]{40}"))

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("deepgram", "/v1/projects"),
                                     headers={"Authorization": wrap(ctx.key, "Token {}")})
        if isinstance(outcome, Failure):
            return auth_undetermined(ctx, "Deepgram", outcome, [SCOPE])
        body = json_object(outcome) or {}
        if outcome.status == 200 and isinstance(body.get("projects"), list):
            return [accepted(ctx, TITLE, projects=len(body["projects"])),
                    ctx.result(SCOPE, Status.PASS, "key can read its projects")]
        if outcome.status == 401:
            return auth_rejected(ctx, TITLE, outcome, [SCOPE])
        if outcome.status == 403:
            return [accepted(ctx, TITLE, restricted=True),
                    ctx.result(SCOPE, Status.WARN, "key is valid but its role cannot list projects",
                               "Fine for transcription/speech if the key has the usage scopes; a Member key is enough.")]
        return auth_undetermined(ctx, "Deepgram", outcome, [SCOPE])


PROBE = DeepgramProbe

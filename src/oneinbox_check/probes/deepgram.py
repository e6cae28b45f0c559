"""Deepgram (STT and TTS). ``GET /v1/projects`` with ``Authorization: Token``;
200 ``{"projects": [...]}``, 401 ``INVALID_AUTH``, 403 for a valid key whose
role cannot list projects (providers.md;
https://developers.deepgram.com/reference/management-api/projects/list).

Deepgram's errors (deepgram/deepgram-api-specs openapi.yml ``ErrorResponse``)
are the legacy ``{"err_code", "err_msg", "request_id"}`` or the modern
``{"category", "message", "details", "request_id"}`` object. A 401/403 without
one of them (an HTML page from a proxy or WAF, a proxy's own JSON) is not
Deepgram speaking: indeterminate, never "restricted" or "rejected"."""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.http import Failure
from ..secrets import wrap
from ._base import AUTH, SCOPE, Probe, ProbeContext, accepted, auth_rejected, auth_undetermined, json_object, str_at
from .facts import Call, ProviderFacts

TITLE = "Deepgram"


def deepgram_envelope(body: dict) -> bool:
    legacy = str_at(body, "err_code") is not None or str_at(body, "err_msg") is not None
    modern = str_at(body, "category") is not None and str_at(body, "message") is not None
    return legacy or modern


class DeepgramProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "deepgram", "/v1/projects", "`Authorization: Token <key>`"),
        valid="200 with a `projects` list → `key.auth` pass, `key.scope` pass.",
        invalid="401 in Deepgram's error body (legacy `err_code`/`err_msg`, or modern `category` and `message`; "
                "e.g. `INVALID_AUTH`).",
        restricted="403 in Deepgram's error body (a role that cannot list projects) → `key.auth` pass, "
                   "`key.scope` warn.",
        indeterminate="a 401/403 without Deepgram's body (HTML from a proxy or WAF, a proxy's JSON); every "
                      "other status; a transport failure.",
        sources=("https://developers.deepgram.com/reference/management-api/projects/list",
                 "deepgram/deepgram-api-specs openapi.yml: `ErrorResponse`"),
    )
    providers = ("deepgram",)
    title = TITLE
    endpoints = {"deepgram": "https://api.deepgram.com"}
    check_ids = (AUTH, SCOPE)
    key_format = KeyFormat(description="40 hexadecimal characters", pattern=re.compile(r"[0-9a-f]{40}"))

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("deepgram", "/v1/projects"),
                                     headers={"Authorization": wrap(ctx.key, "Token {}")})
        if isinstance(outcome, Failure):
            return auth_undetermined(ctx, TITLE, outcome, [SCOPE])
        body = json_object(outcome) or {}
        if outcome.status == 200 and isinstance(body.get("projects"), list):
            return [accepted(ctx, TITLE, projects=len(body["projects"])),
                    ctx.result(SCOPE, Status.PASS, "key can read its projects")]
        if outcome.status == 401:
            return auth_rejected(ctx, TITLE, outcome, [SCOPE], envelope=deepgram_envelope)
        if outcome.status == 403 and deepgram_envelope(body):
            return [accepted(ctx, TITLE, restricted=True),
                    ctx.result(SCOPE, Status.WARN, "key is valid but its role cannot list projects",
                               "Fine for transcription/speech if the key has the usage scopes; a Member key is enough.")]
        return auth_undetermined(ctx, TITLE, outcome, [SCOPE])


PROBE = DeepgramProbe

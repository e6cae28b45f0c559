"""OpenAI (LLM, and ``whisper`` STT, which uses OpenAI keys).

Facts (providers.md; https://platform.openai.com/docs/api-reference/models/list):
``GET /v1/models`` with Bearer auth; 401 ``invalid_api_key`` for a bad key; a
restricted key that lacks the Models read permission gets 401 whose message
mentions missing scopes / insufficient permissions — the key is valid;
429 ``insufficient_quota`` means the account has no credit (definite).
"""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.http import Failure
from ..secrets import wrap
from ._base import (
    AUTH,
    SCOPE,
    Probe,
    ProbeContext,
    accepted,
    auth_rejected,
    auth_undetermined,
    error_message,
    json_object,
)

TITLE = "OpenAI"
_RESTRICTED = re.compile(r"insufficient permissions|missing scopes?|api\.model\.read", re.IGNORECASE)


class OpenAIProbe(Probe):
    providers = ("openai", "whisper")
    title = TITLE
    endpoints = {"openai": "https://api.openai.com"}
    check_ids = (AUTH, SCOPE)
    key_format = KeyFormat(
        description="sk-proj-…, sk-svcacct-…, sk-admin-… or a legacy sk-… key, 51-200 characters",
        prefixes=("sk-",),
        pattern=re.compile(r"sk-[A-Za-z0-9_-]{48,197}"),
        notes=((re.compile(r"^sk-admin-"), Status.WARN,
                "an OpenAI admin key: it can manage the organisation; give OneInbox a project key"),),
    )
    signatures = (
        (r"sk-proj-", "an OpenAI project key (sk-proj-…)"),
        (r"sk-svcacct-", "an OpenAI service-account key (sk-svcacct-…)"),
        (r"sk-admin-", "an OpenAI admin key (sk-admin-…)"),
    )

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("openai", "/v1/models"),
                                     headers={"Authorization": wrap(ctx.key, "Bearer {}")})
        if isinstance(outcome, Failure):
            return auth_undetermined(ctx, "OpenAI", outcome, [SCOPE])
        body = json_object(outcome) or {}
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        message = error_message(body) or ""
        if outcome.status == 200 and isinstance(body.get("data"), list):
            return [accepted(ctx, TITLE, models=len(body["data"])),
                    ctx.result(SCOPE, Status.PASS, "key can list models")]
        if outcome.status == 401 and _RESTRICTED.search(message):
            return [accepted(ctx, TITLE, restricted=True),
                    ctx.result(SCOPE, Status.WARN, "restricted key: it cannot list models",
                               "Fine if the key has Model capabilities (chat/audio) write access; "
                               "otherwise give it 'All' or the capabilities OneInbox uses.")]
        if outcome.status == 401:
            return auth_rejected(ctx, TITLE, outcome, [SCOPE])
        if outcome.status == 429 and error.get("code") == "insufficient_quota":
            return [ctx.result(AUTH, Status.FAIL, "OpenAI accepted the key but the account has no credit "
                               "(insufficient_quota)", "Add credit or a payment method in OpenAI billing.",
                               http_status=429),
                    *ctx.skipped([SCOPE], "no credit")]
        return auth_undetermined(ctx, "OpenAI", outcome, [SCOPE])


PROBE = OpenAIProbe

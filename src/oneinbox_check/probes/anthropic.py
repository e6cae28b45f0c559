"""Anthropic (LLM).

Facts (providers.md; https://docs.anthropic.com/en/api/models-list and /errors):
``GET /v1/models`` with ``x-api-key`` and ``anthropic-version: 2023-06-01``;
401 ``authentication_error`` for a bad key, 403 ``permission_error`` for a key
without access; 529 ``overloaded_error`` is an outage, not a verdict.
"""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.http import Failure
from ._base import AUTH, SCOPE, Probe, ProbeContext, accepted, auth_rejected, auth_undetermined, json_object

TITLE = "Anthropic"


class AnthropicProbe(Probe):
    providers = ("anthropic",)
    title = TITLE
    endpoints = {"anthropic": "https://api.anthropic.com"}
    check_ids = (AUTH, SCOPE)
    key_format = KeyFormat(
        description="sk-ant-api03-… (about 108 characters)",
        prefixes=("sk-ant-",),
        pattern=re.compile(r"sk-ant-api\d\d-[A-Za-z0-9_-]{80,120}"),
        notes=((re.compile(r"^sk-ant-admin\d\d-"), Status.WARN,
                "an Anthropic admin key: it manages the organisation and cannot call the Messages API; "
                "use an sk-ant-api03- key"),),
    )
    signatures = ((r"sk-ant-", "an Anthropic key (sk-ant-…)"),)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("anthropic", "/v1/models"),
                                     headers={"x-api-key": ctx.key, "anthropic-version": "2023-06-01"})
        if isinstance(outcome, Failure):
            return auth_undetermined(ctx, "Anthropic", outcome, [SCOPE])
        body = json_object(outcome) or {}
        err = body.get("error") if isinstance(body.get("error"), dict) else {}
        if outcome.status == 200 and isinstance(body.get("data"), list):
            return [accepted(ctx, TITLE, models=len(body["data"])), ctx.result(SCOPE, Status.PASS, "key can list models")]
        if outcome.status == 401:
            return auth_rejected(ctx, TITLE, outcome, [SCOPE])
        if outcome.status == 403 and err.get("type") == "permission_error":
            return [accepted(ctx, TITLE),
                    ctx.result(SCOPE, Status.FAIL, "the key authenticates but lacks permission (permission_error)",
                               "Check the key's workspace and organisation permissions in the Anthropic console.",
                               http_status=403)]
        return auth_undetermined(ctx, "Anthropic", outcome, [SCOPE])


PROBE = AnthropicProbe

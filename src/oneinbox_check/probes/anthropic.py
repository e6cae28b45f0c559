"""Anthropic (LLM).

Facts (providers.md; https://docs.anthropic.com/en/api/models-list and /errors):
``GET /v1/models`` with ``x-api-key`` and ``anthropic-version: 2023-06-01``;
401 ``authentication_error`` for a bad key, 403 ``permission_error`` for a key
without access; 529 ``overloaded_error`` is an outage, not a verdict. A JSON
404 ``not_found_error`` on ``/v1/models`` means the key was disabled or deleted
(trufflehog's Anthropic verifier, providers.md) → fail. Every error is in
Anthropic's envelope ``{"type": "error", "error": {"type", "message"}}``
(https://docs.anthropic.com/en/api/errors); only that envelope decides.
"""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import json_object, str_at
from ._verdicts import AUTH, SCOPE, accepted, rejected, undetermined, with_rest_skipped
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "Anthropic"


def anthropic_envelope(body: dict) -> bool:
    """Anthropic's own error body: ``{"type": "error", "error": {"type": str, "message": str}}``."""
    return body.get("type") == "error" and str_at(body, "error", "type") is not None


class AnthropicProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "anthropic", "/v1/models", "`x-api-key: <key>`", headers=("anthropic-version: 2023-06-01",)),
        valid="200 with a `data` list → `key.auth` pass, `key.scope` pass.",
        invalid="401 in Anthropic's envelope `{\"type\": \"error\", \"error\": {\"type\", \"message\"}}` "
                "(`authentication_error`); a JSON 404 `not_found_error` (a disabled or deleted key).",
        restricted="403 `permission_error` → `key.auth` pass, `key.scope` fail.",
        indeterminate="529 `overloaded_error` and every other status; an answer without Anthropic's envelope "
                      "(HTML, empty, a proxy's JSON); a transport failure.",
        sources=("https://docs.anthropic.com/en/api/models-list", "https://docs.anthropic.com/en/api/errors",
                 "trufflehog's Anthropic verifier (404 `not_found_error`)"),
    )
    providers = ("anthropic",)
    environment = {"anthropic": EnvNames("ANTHROPIC_API_KEY")}  # the names its SDK/quick-start reads
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
    mask_prefixes = ("sk-ant-admin01-", "sk-ant-api03-", "sk-ant-")
    signatures = ((r"sk-ant-", "an Anthropic key (sk-ant-…)"),)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("anthropic", "/v1/models"),
                                     headers={"x-api-key": ctx.key, "anthropic-version": "2023-06-01"})
        if isinstance(outcome, Failure):
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE])
        body = json_object(outcome) or {}
        if outcome.status == 200 and isinstance(body.get("data"), list):
            return [accepted(ctx, models=len(body["data"])), ctx.result(SCOPE, Status.PASS, "key can list models")]
        if not anthropic_envelope(body):  # HTML, a proxy's JSON, empty: not Anthropic speaking
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE])
        kind = str_at(body, "error", "type")
        if outcome.status == 401:
            return with_rest_skipped(ctx, rejected(ctx, outcome, envelope=anthropic_envelope), [SCOPE])
        if outcome.status == 404 and kind == "not_found_error":
            return with_rest_skipped(ctx, rejected(
                ctx, outcome, "Anthropic answers not_found_error for a disabled or deleted key: create a new key "
                "in the Anthropic console (Settings → API keys).", envelope=anthropic_envelope), [SCOPE])
        if outcome.status == 403 and kind == "permission_error":
            return [accepted(ctx),
                    ctx.result(SCOPE, Status.FAIL, "the key authenticates but lacks permission (permission_error)",
                               "Check the key's workspace and organisation permissions in the Anthropic console.",
                               http_status=403)]
        return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE])

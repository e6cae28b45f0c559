"""OpenAI (LLM, and ``whisper`` STT, which uses OpenAI keys).

Facts (providers.md; openai/openai-openapi ``GET /models``; OpenAI error-codes
guide https://platform.openai.com/docs/guides/error-codes):

- ``GET /v1/models`` with Bearer auth → 200 ``{"object": "list", "data": [Model]}``.
- Errors use OpenAI's envelope ``{"error": {"message", "type", "param", "code"}}``
  (ErrorResponse in the spec). Only that envelope is OpenAI speaking: a JSON 401
  without it (a proxy's ``{"message": …}``) is indeterminate.
- 401 ``invalid_api_key`` → the key is rejected; another 401 in the envelope
  (no code, another code) is indeterminate.
- 401 whose message names missing scopes / insufficient permissions → a
  restricted key (valid); observed text "You have insufficient permissions for
  this operation. Missing scopes: api.model.read. …" (community.openai.com).
- 401 "IP not authorized" → the project has an IP allowlist and this machine is
  outside it: the key may be fine, so ``error`` with "run from an allowed
  address". The exact body is *unconfirmed* (the guide gives only the title);
  we recognise ``code == "ip_not_authorized"`` or a message saying the IP is not
  authorized / not allowlisted.
- 429 with ``error.type == "insufficient_quota"`` (``code`` may be
  ``insufficient_quota``, ``credit_balance_exhausted``, ``*_spend_limit_exceeded``,
  ``organization_usage_limit_exceeded`` or null) → no credit: a definite fail.
- ``key.scope``: a 200 here proves only that the key may list models; a
  restricted key can list models and still lack ``model.request`` (inference
  fails after go-live). A zero-cost request that separates the two would need
  OpenAI to check scopes before validating the body, which we could not confirm
  from OpenAI's docs or SDK issues, and a request that might succeed could bill:
  so ``key.scope`` is ``skip`` with that reason.
"""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import error_message, json_object, str_at
from ..secrets import wrap
from ._verdicts import AUTH, SCOPE, accepted, rejected, undetermined, with_rest_skipped
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "OpenAI"
_RESTRICTED = re.compile(r"insufficient permissions|missing scopes?|api\.model\.read", re.IGNORECASE)
_IP_BLOCKED = re.compile(r"\bIP\b.{0,60}\bnot (?:authori[sz]ed|allowed|allowlisted|whitelisted)|allowlist", re.IGNORECASE)
QUOTA_TYPE = "insufficient_quota"
SCOPE_UNPROVEN = ("the key can list models, which does not prove it may call them (restricted keys can list "
                  "models without the model.request scope); not checked: a request that would prove it could bill")


def openai_envelope(body: dict) -> bool:
    """OpenAI's own error body: ``{"error": {"message": str, ...}}`` (ErrorResponse)."""
    return str_at(body, "error", "message") is not None


def openai_invalid_key(body: dict) -> bool:
    """OpenAI's documented invalid-key answer: the envelope with ``code == "invalid_api_key"``."""
    return openai_envelope(body) and str_at(body, "error", "code") == "invalid_api_key"


class OpenAIProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "openai", "/v1/models", "`Authorization: Bearer <key>`"),
        valid="200 with a `data` list → `key.auth` pass; `key.scope` skip: listing models does not prove the "
              "`model.request` scope (restricted keys can list models and still fail inference).",
        invalid="401 in OpenAI's error envelope `{\"error\": {\"message\", …}}` with `code` `invalid_api_key`; "
                "429 with `insufficient_quota` as `error.type` or `code` → fail \"no credit\" / \"spend limit\".",
        restricted="401 whose message names missing scopes or insufficient permissions → `key.auth` pass, "
                   "`key.scope` warn.",
        indeterminate="401 \"IP not authorized\" (`ip_not_authorized`, or a message saying the IP is not "
                      "allowed) → error \"run from an allowed address\"; any other 401, 429, 5xx or status; an "
                      "answer without OpenAI's envelope (HTML, a proxy's JSON); a transport failure.",
        sources=("openai/openai-openapi: `GET /models`, `ErrorResponse`",
                 "https://platform.openai.com/docs/guides/error-codes",
                 "restricted-key text observed on community.openai.com"),
        unconfirmed=("the exact body of the 401 \"IP not authorized\" (the guide gives only the title)",
                     "a zero-cost request that proves `model.request` (not found, so `key.scope` is skip)"),
    )
    providers = ("openai", "whisper")
    environment = {"openai": EnvNames("OPENAI_API_KEY")}  # the names its SDK/quick-start reads
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
    mask_prefixes = ("sk-svcacct-", "sk-admin-", "sk-proj-", "sk-")
    signatures = (
        (r"sk-proj-", "an OpenAI project key (sk-proj-…)"),
        (r"sk-svcacct-", "an OpenAI service-account key (sk-svcacct-…)"),
        (r"sk-admin-", "an OpenAI admin key (sk-admin-…)"),
    )

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("openai", "/v1/models"),
                                     headers={"Authorization": wrap(ctx.key, "Bearer {}")})
        if isinstance(outcome, Failure):
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE])
        body = json_object(outcome) or {}
        if outcome.status == 200 and isinstance(body.get("data"), list):
            return [accepted(ctx, models=len(body["data"])),
                    ctx.result(SCOPE, Status.SKIP, SCOPE_UNPROVEN,
                               "Make sure the key's permissions include Model capabilities → Request "
                               "(or 'All'): OneInbox calls the models.")]
        if not openai_envelope(body):  # not OpenAI's own answer (HTML, a proxy's JSON, empty)
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE])
        error = body["error"]
        message = error_message(body) or ""
        if outcome.status == 401 and (error.get("code") == "ip_not_authorized" or _IP_BLOCKED.search(message)):
            return [ctx.result(AUTH, Status.ERROR, "OpenAI refused this machine's IP address (IP not authorized): "
                               "the key itself may be fine",
                               "Run the check from an allowed address (the project or organisation has an IP "
                               "allowlist), or add this address under Settings → Security → IP allowlist.",
                               http_status=401),
                    *ctx.skipped([SCOPE], "auth undetermined (IP not authorized)")]
        if outcome.status == 401 and _RESTRICTED.search(message):
            return [accepted(ctx, restricted=True),
                    ctx.result(SCOPE, Status.WARN, "restricted key: it cannot list models",
                               "Fine if the key has Model capabilities (chat/audio) write access; "
                               "otherwise give it 'All' or the capabilities OneInbox uses.")]
        if outcome.status == 401:
            return with_rest_skipped(ctx, rejected(ctx, outcome, envelope=openai_invalid_key), [SCOPE])
        if outcome.status == 429 and QUOTA_TYPE in (error.get("type"), error.get("code")):
            code = error.get("code") if isinstance(error.get("code"), str) else None
            why = "spend limit" if code and "limit" in code else "no credit"
            what = "has reached its spend limit" if why == "spend limit" else "has no credit"
            return [ctx.result(AUTH, Status.FAIL, f"OpenAI accepted the key but the account {what} "
                               f"({code or QUOTA_TYPE})",
                               "Add credit or a payment method, or raise the spend limit, in OpenAI billing "
                               "(Settings → Billing / Limits).", http_status=429, code=code),
                    *ctx.skipped([SCOPE], why)]
        return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE])

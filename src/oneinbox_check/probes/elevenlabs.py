"""ElevenLabs (TTS). ``GET /v1/user`` with ``xi-api-key``; 401 with
``detail.status == "invalid_api_key"`` for a bad key; 401 ``missing_permissions``
for a valid key restricted away from user info, which is then tried on
``/v1/voices`` (providers.md; https://elevenlabs.io/docs/api-reference/user/get).
ElevenLabs errors are ``{"detail": {"status": str, "message": str}}``
(help.elevenlabs.io "API - Error Code 400 or 401"; the OpenAPI spec documents
only 200/422 here); a 401 without that body is indeterminate.

``elevenlabs.quota`` (providers.md "Balances and quotas"): ``GET
/v1/user/subscription`` → ``ExtendedSubscriptionResponseModel``
(elevenlabs-docs fern/apis/api/openapi.json): ``character_count`` and
``character_limit`` (integers, this billing period),
``next_character_count_reset_unix`` (integer or null), ``status`` (one of
trialing, active, incomplete, past_due, free, free_disabled),
``can_extend_character_limit`` / ``allowed_to_extend_character_limit`` and
``max_character_limit_extension`` (the characters the limit may be exceeded
by, set by the workspace admin). Used up is a ``fail`` until the reset date —
unless the account may extend its limit (usage-based billing), which is then
a ``warn`` until the extension is used up too."""

from __future__ import annotations

import re
from datetime import datetime, UTC
from typing import Any

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import json_object, str_at
from ._verdicts import AUTH, SCOPE, accepted, rejected, undetermined, with_rest_skipped
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "ElevenLabs"
QUOTA = "elevenlabs.quota"
NEARLY = 0.9  # providers.md: >= 90 % used -> warn
_SEVERITY = [Status.PASS, Status.WARN, Status.FAIL]


def _detail_status(body: dict) -> str:
    return str_at(body, "detail", "status") or ""


def elevenlabs_envelope(body: dict) -> bool:
    return str_at(body, "detail", "status") is not None


def elevenlabs_invalid_key(body: dict) -> bool:
    """The documented invalid-key answer: ``detail.status == "invalid_api_key"`` (providers.md)."""
    return _detail_status(body) == "invalid_api_key"


class ElevenLabsProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "elevenlabs", "/v1/user", "`xi-api-key: <key>`"),
        valid="200 with `subscription` → `key.auth` pass, `key.scope` pass.",
        invalid="401 with `{\"detail\": {\"status\": \"invalid_api_key\", …}}`.",
        restricted="401 `detail.status == \"missing_permissions\"` → `key.auth` pass, `key.scope` warn; "
                   "`/v1/voices` is then tried to say whether voices are readable.",
        indeterminate="a 401 without that body or with another `detail.status` (e.g. `quota_exceeded`); every "
                      "other status; a transport failure.",
        sources=("https://elevenlabs.io/docs/api-reference/user/get",
                 "help.elevenlabs.io \"API - Error Code 400 or 401\" (the OpenAPI spec documents only 200/422 "
                 "here)",
                 "elevenlabs-docs fern/apis/api/openapi.json: `ExtendedSubscriptionResponseModel`"),
        also=(Call("GET", "elevenlabs", "/v1/voices", "`xi-api-key: <key>`", purpose="key.scope (restricted key)"),
              Call("GET", "elevenlabs", "/v1/user/subscription", "`xi-api-key: <key>`",
                   purpose="elevenlabs.quota (a `missing_permissions` answer → skip)")),
    )
    providers = ("elevenlabs",)
    environment = {"elevenlabs": EnvNames("ELEVENLABS_API_KEY")}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"elevenlabs": "https://api.elevenlabs.io"}
    check_ids = (AUTH, SCOPE, QUOTA)
    key_format = KeyFormat(description="sk_ followed by 48 hex characters (legacy: 32 hex)",
                           pattern=re.compile(r"sk_[0-9a-f]{48}|[0-9a-f]{32}"))
    mask_prefixes = ("sk_",)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        headers = {"xi-api-key": ctx.key}
        outcome = await ctx.http.get(ctx.url("elevenlabs", "/v1/user"), headers=headers)
        if isinstance(outcome, Failure):
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE, QUOTA])
        body = json_object(outcome) or {}
        if outcome.status == 200 and "subscription" in body:
            return [accepted(ctx), ctx.result(SCOPE, Status.PASS, "key can read the account"),
                    await quota(ctx, headers)]
        if outcome.status == 401 and _detail_status(body) == "missing_permissions":
            no_quota = ctx.skipped([QUOTA], "quota not read: the key may not read user info",
                                   "Grant the key User read access to check the character quota.")
            voices = await ctx.http.get(ctx.url("elevenlabs", "/v1/voices"), headers=headers)
            if isinstance(voices, Failure) or voices.status != 200:
                return [accepted(ctx, restricted=True),
                        ctx.result(SCOPE, Status.WARN, "restricted key: cannot read user info or list voices",
                                   "Give the key Text to Speech and Voices read access."), *no_quota]
            return [accepted(ctx, restricted=True),
                    ctx.result(SCOPE, Status.WARN, "restricted key: cannot read user info (voices readable)",
                               "Fine for speech; grant User read if you want usage checks."), *no_quota]
        if outcome.status == 401:
            return with_rest_skipped(ctx, rejected(ctx, outcome, envelope=elevenlabs_invalid_key), [SCOPE, QUOTA])
        return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE, QUOTA])


def _int(body: dict, name: str) -> int | None:
    value = body.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _reset_date(body: dict) -> str | None:
    stamp = _int(body, "next_character_count_reset_unix")
    if stamp is None:
        return None
    try:
        return datetime.fromtimestamp(stamp, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


async def quota(ctx: ProbeContext, headers: dict[str, Any]) -> CheckResult:
    """``elevenlabs.quota``: characters used against this period's limit."""
    outcome = await ctx.http.get(ctx.url("elevenlabs", "/v1/user/subscription"), headers=headers)
    if isinstance(outcome, Failure):
        return undetermined(ctx, QUOTA, outcome, f"{TITLE} subscription request")
    body = json_object(outcome)
    if outcome.status in (401, 403) and body is not None and _detail_status(body) == "missing_permissions":
        return ctx.result(QUOTA, Status.SKIP, "quota not read: the key may not read the subscription",
                          "Grant the key User read access to check the character quota.", http_status=outcome.status)
    count, limit = (_int(body, "character_count"), _int(body, "character_limit")) if body else (None, None)
    if outcome.status != 200 or count is None or limit is None:
        return undetermined(ctx, QUOTA, outcome, f"{TITLE} subscription request")
    return quota_verdict(ctx, body, count, limit)


def quota_verdict(ctx: ProbeContext, body: dict, count: int, limit: int) -> CheckResult:
    resets = _reset_date(body)
    status = body.get("status") if isinstance(body.get("status"), str) else None
    until = f"; resets on {resets}" if resets else ""
    details = {"character_count": count, "character_limit": limit, "resets_on": resets, "status": status,
               "tier": body.get("tier") if isinstance(body.get("tier"), str) else None}
    if limit <= 0:
        return ctx.result(QUOTA, Status.WARN, f"the subscription allows no characters this period{until}",
                          "Check the plan in ElevenLabs (Subscription).", **details)
    used = count / limit
    details["used_percent"] = round(used * 100, 1)
    findings: list[tuple[Status, str, str | None]] = []
    if count >= limit:
        extension = _int(body, "max_character_limit_extension")
        extendable = body.get("can_extend_character_limit") is True and body.get("allowed_to_extend_character_limit") is True
        top_up = (f"Upgrade the plan or enable usage-based billing in ElevenLabs, or wait for the reset"
                  + (f" on {resets}." if resets else "."))
        if extendable and (extension is None or count < limit + extension):
            findings.append((Status.WARN, f"character quota used up ({count:,} of {limit:,}); usage-based billing "
                             f"extends it{until}", "Overage is billed; raise the plan if this is the normal volume."))
        else:
            findings.append((Status.FAIL, f"character quota used up: {count:,} of {limit:,}, speech will be refused"
                             + (f" until {resets}" if resets else ""), top_up))
    elif used >= NEARLY:
        findings.append((Status.WARN, f"{used:.0%} of the character quota used ({count:,} of {limit:,}){until}",
                         "Raise the plan or enable usage-based billing before the quota runs out."))
    if status is not None and status != "active":
        findings.append((Status.WARN, f"subscription status is {status!r}",
                         "Check billing in ElevenLabs (Subscription): the plan is not active."))
    if not findings:
        return ctx.result(QUOTA, Status.PASS, f"{count:,} of {limit:,} characters used ({used:.0%}){until}",
                          **details)
    worst = max(findings, key=lambda f: _SEVERITY.index(f[0]))
    summary = "; ".join(f[1] for f in sorted(findings, key=lambda f: -_SEVERITY.index(f[0])))
    return ctx.result(QUOTA, worst[0], summary, worst[2], **details)

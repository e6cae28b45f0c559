"""Deepgram (STT and TTS). ``GET /v1/projects`` with ``Authorization: Token``;
200 ``{"projects": [...]}``, 401 ``INVALID_AUTH``, 403 for a valid key whose
role cannot list projects (providers.md;
https://developers.deepgram.com/reference/management-api/projects/list).

Deepgram's errors (deepgram/deepgram-api-specs openapi.yml ``ErrorResponse``)
are the legacy ``{"err_code", "err_msg", "request_id"}`` or the modern
``{"category", "message", "details", "request_id"}`` object. A 401/403 without
one of them (an HTML page from a proxy or WAF, a proxy's own JSON) is not
Deepgram speaking: indeterminate, never "restricted" or "rejected".

``deepgram.balance`` (providers.md "Balances and quotas"): for each project the
key lists, ``GET /v1/projects/{project_id}/balances`` →
``{"balances": [{balance_id, amount (number, default 0), units ("USD"; the
community answers show "usd"), purchase_order_id}]}`` (deepgram-api-specs
openapi.yml ``ListProjectBalancesV1Response``;
https://developers.deepgram.com/reference/manage/billing/list). Amounts are
summed per unit. No credit left is a ``warn``, not a ``fail`` (providers.md: a
pay-as-you-go account is still billed); no rows at all (pay-as-you-go or
invoiced) is ``skip``. The spec documents only 200 and 400; a JSON 401/403 in
Deepgram's error shape means the key's role may not read billing (observed
``INSUFFICIENT_PERMISSIONS``) → ``skip``, never a verdict on the key."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import quote

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import json_object, str_at
from ..secrets import wrap
from . import _balances
from ._verdicts import AUTH, SCOPE, accepted, rejected, undetermined, with_rest_skipped
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "Deepgram"
BALANCE = "deepgram.balance"
MAX_PROJECTS = 5  # a key normally sees one project; bound the requests when it sees many
TOP_UP = "Add credit in the Deepgram console (Billing), or set up pay-as-you-go billing."
_UNEXPECTED = "Unexpected answer from the provider: retry later; if it persists, report it with -v output."


def deepgram_envelope(body: dict) -> bool:
    legacy = str_at(body, "err_code") is not None or str_at(body, "err_msg") is not None
    modern = str_at(body, "category") is not None and str_at(body, "message") is not None
    return legacy or modern


def deepgram_invalid_key(body: dict) -> bool:
    """Deepgram's invalid-key answer: ``INVALID_AUTH`` as the legacy ``err_code`` or the modern
    ``category`` (providers.md; deepgram-api-specs ``ErrorResponse``)."""
    return deepgram_envelope(body) and "INVALID_AUTH" in (str_at(body, "err_code"), str_at(body, "category"))


class DeepgramProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "deepgram", "/v1/projects", "`Authorization: Token <key>`"),
        valid="200 with a `projects` list → `key.auth` pass, `key.scope` pass.",
        invalid="401 in Deepgram's error body (legacy `err_code`/`err_msg`, or modern `category` and `message`) "
                "saying `INVALID_AUTH`.",
        restricted="403 in Deepgram's error body (a role that cannot list projects) → `key.auth` pass, "
                   "`key.scope` warn.",
        indeterminate="a 401/403 without Deepgram's body (HTML from a proxy or WAF, a proxy's JSON); a 401 with "
                      "another code; every "
                      "other status; a transport failure.",
        sources=("https://developers.deepgram.com/reference/management-api/projects/list",
                 "deepgram/deepgram-api-specs openapi.yml: `ErrorResponse`, `ListProjectBalancesV1Response`",
                 "https://developers.deepgram.com/reference/manage/billing/list"),
        also=(Call("GET", "deepgram", "/v1/projects/{project_id}/balances", "`Authorization: Token <key>`",
                   purpose="deepgram.balance, for each listed project (at most 5; a 401/403 in Deepgram's body "
                           "→ skip)"),),
    )
    providers = ("deepgram",)
    environment = {"deepgram": EnvNames("DEEPGRAM_API_KEY")}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"deepgram": "https://api.deepgram.com"}
    check_ids = (AUTH, SCOPE, BALANCE)
    key_format = KeyFormat(description="40 hexadecimal characters", pattern=re.compile(r"[0-9a-f]{40}"))

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("deepgram", "/v1/projects"), headers=_auth(ctx))
        if isinstance(outcome, Failure):
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE, BALANCE])
        body = json_object(outcome) or {}
        if outcome.status == 200 and isinstance(body.get("projects"), list):
            return [accepted(ctx, projects=len(body["projects"])),
                    ctx.result(SCOPE, Status.PASS, "key can read its projects"),
                    await balance(ctx, body["projects"])]
        if outcome.status == 401:
            return with_rest_skipped(ctx, rejected(ctx, outcome, envelope=deepgram_invalid_key), [SCOPE, BALANCE])
        if outcome.status == 403 and deepgram_envelope(body):
            return [accepted(ctx, restricted=True),
                    ctx.result(SCOPE, Status.WARN, "key is valid but its role cannot list projects",
                               "Fine for transcription/speech if the key has the usage scopes; a Member key is enough."),
                    *ctx.skipped([BALANCE], "balance not read: the key cannot list its projects")]
        return with_rest_skipped(ctx, undetermined(ctx, AUTH, outcome), [SCOPE, BALANCE])


def _auth(ctx: ProbeContext) -> dict:
    return {"Authorization": wrap(ctx.key, "Token {}")}


async def balance(ctx: ProbeContext, projects: list) -> CheckResult:
    """``deepgram.balance`` over the projects the key lists (at most MAX_PROJECTS)."""
    ids = [p["project_id"] for p in projects if isinstance(p, dict) and isinstance(p.get("project_id"), str)]
    if not ids:
        return ctx.result(BALANCE, Status.SKIP, "no project visible to this key: balance not read")
    totals: dict[str, Decimal] = {}
    for project_id in ids[:MAX_PROJECTS]:
        path = f"/v1/projects/{quote(project_id, safe='')}/balances"
        outcome = await ctx.http.get(ctx.url("deepgram", path), headers=_auth(ctx))
        if isinstance(outcome, Failure):
            return undetermined(ctx, BALANCE, outcome, f"{TITLE} balance request")
        body = json_object(outcome)
        if outcome.status in (401, 403) and body is not None and deepgram_envelope(body):
            return ctx.result(BALANCE, Status.SKIP,
                              f"the key may not read billing (HTTP {outcome.status}): balance not checked",
                              "The key itself is fine; to check the balance, use a key whose role can read "
                              "billing (e.g. Admin or Owner).", http_status=outcome.status)
        rows = body.get("balances") if outcome.status == 200 and body is not None else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            return undetermined(ctx, BALANCE, outcome, f"{TITLE} balance request")
        for row in rows:
            value = _balances.amount(row.get("amount", 0))
            units = row.get("units")
            if value is None or not isinstance(units, str) or not units.strip():
                return ctx.result(BALANCE, Status.ERROR, f"{TITLE} answered a balance without a numeric amount "
                                  "and units", _UNEXPECTED, http_status=outcome.status)
            totals[units.strip().upper()] = totals.get(units.strip().upper(), Decimal(0)) + value
    checked = {"projects_checked": min(len(ids), MAX_PROJECTS), "projects": len(ids)}
    if not totals:
        return ctx.result(BALANCE, Status.SKIP, "no prepaid balance on this project (pay-as-you-go or invoiced): "
                          "nothing to check", **checked)
    # the unit that speaks: a low positive balance first, then any positive one; none positive: no credit
    positive = [u for u, v in totals.items() if v > 0]
    low = [u for u in positive if totals[u] < _balances.threshold(ctx.options, u)]
    units = (low or positive or sorted(totals))[0]
    return _balances.money_result(ctx, BALANCE, totals[units], units, empty="warn",
                                  empty_means="no prepaid credit left", top_up=TOP_UP, **checked)

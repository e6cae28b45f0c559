"""Verdict helpers shared by the probes: one name, one meaning.

Inside a run errors are values. A request gives a value, a probe reads it into
one of three verdicts, and only the provider's own documented answer is
determinate (SPEC §4; the tri-state rule)::

    Reply | Failure                     net/http.py: what a request gives
    ├── Failure                         timeout, refused connection, TLS, redirect loop,
    │                                   body too large, address refused (SPEC §13)
    │                                   -> error      undetermined()
    └── Reply                           any HTTP status
        ├── the documented success      -> pass       accepted()   (warn: restricted key)
        ├── the documented invalid-key answer (401/403 …)
        │   ├── in the provider's own JSON error body
        │   │                           -> fail       rejected()
        │   └── HTML, or JSON not in that envelope (a proxy, a WAF, a captive portal)
        │                               -> error      rejected() says undetermined
        └── anything else: 429, 5xx, an unexpected 200 body, garbage
                                        -> error      undetermined()

    DnsResult                           net/dns.py: what a DNS question gives
    ├── answer / nodata / nxdomain      facts about the zone: pass, warn or fail by the rule
    └── timeout / servfail / refused / error
                                        -> error      (a timeout is not a missing record)

    checks that needed an undecided or failed key.auth -> skip    with_rest_skipped()

Exceptions are only for the edges and for programming errors; their tree is
drawn in :mod:`oneinbox_check.errors`. A probe that raises anyway is contained
by the runner and reported as ``error``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..models import CheckResult, Status
from ..net.replies import describe_reply, error_message, json_object, retry_hint
from .probe import ProbeContext

if TYPE_CHECKING:
    from ..net.outcomes import Failure, Reply

AUTH = "key.auth"
SCOPE = "key.scope"

Envelope = Callable[[dict[str, Any]], bool]
"""Recognises a provider's own documented error body (see :func:`rejected`)."""


def accepted(ctx: ProbeContext, **details: Any) -> CheckResult:
    """``key.auth`` ``pass``: the provider's documented success answer."""
    return ctx.result(AUTH, Status.PASS, f"{ctx.title} accepted the key", **details)


def undetermined(ctx: ProbeContext, check_id: str, outcome: "Reply | Failure", what: str | None = None) -> CheckResult:
    """An ``error`` result for an answer that proves nothing either way.

    *what* names the request in the summary (default: the provider's auth request)."""
    from ..net.outcomes import Failure

    what = what or f"{ctx.title} auth request"
    if isinstance(outcome, Failure):
        return ctx.result(check_id, Status.ERROR, f"{what} failed: {outcome.reason}",
                          "Could not tell: retry later, or check --endpoint/proxy settings.",
                          attempts=outcome.attempts)
    return ctx.result(check_id, Status.ERROR, f"{what}: {describe_reply(outcome)}", retry_hint(outcome),
                      http_status=outcome.status, attempts=outcome.attempts)


def rejected(ctx: ProbeContext, reply: "Reply", remediation: str | None = None, *,
             envelope: Envelope | None = None) -> CheckResult:
    """``key.auth`` for the provider's documented invalid-key status: ``fail`` only
    when the body is the provider speaking, else ``error``.

    Every provider documents a JSON error body; a 401/403 page in HTML (a proxy,
    a WAF, a captive portal) is not the provider speaking, so it is ``error``.
    With *envelope*, a JSON body must also have the provider's own error shape:
    a proxy's ``{"message": "proxy auth required"}`` is JSON but not OpenAI's.
    """
    body = json_object(reply)
    if body is None or (envelope is not None and not envelope(body)):
        return undetermined(ctx, AUTH, reply)
    message = error_message(body)
    summary = f"{ctx.title} rejected the key (HTTP {reply.status}" + (f": {message})" if message else ")")
    return ctx.result(AUTH, Status.FAIL, summary,
                      remediation or f"Create a new key in the {ctx.title} console and paste it whole.",
                      http_status=reply.status)


def with_rest_skipped(ctx: ProbeContext, auth: CheckResult, rest: Sequence[str]) -> list[CheckResult]:
    """*auth* (a ``key.auth`` that is not a pass) and the checks that needed it, skipped with the reason."""
    reason = "key rejected" if auth.status == Status.FAIL else "auth undetermined"
    return [auth, *ctx.skipped(rest, reason)]


async def simple_auth(ctx: ProbeContext, endpoint: str, path: str, headers: Mapping[str, Any], *,
                      valid_key: str | None = None, invalid: Sequence[int] = (401,),
                      params: Mapping[str, Any] | None = None, envelope: Envelope | None = None) -> CheckResult:
    """The common case: GET one cheap endpoint; 200 with a JSON object (holding
    *valid_key* when given) passes, the documented *invalid* statuses with the
    provider's own error body (*envelope*) fail, and anything else is undetermined."""
    from ..net.outcomes import Failure

    outcome = await ctx.http.get(ctx.url(endpoint, path), headers=headers, params=params)
    if isinstance(outcome, Failure):
        return undetermined(ctx, AUTH, outcome)
    if outcome.status == 200:
        body = json_object(outcome)
        if body is not None and (valid_key is None or valid_key in body):
            return accepted(ctx)
        return undetermined(ctx, AUTH, outcome, f"{ctx.title} answered 200 with an unexpected body")
    if outcome.status in invalid:
        return rejected(ctx, outcome, envelope=envelope)
    return undetermined(ctx, AUTH, outcome)

"""The probe protocol and the registry.

A probe knows one provider (or several sharing one key, like ``openai`` and
``whisper``): its key format, its metadata model, its default endpoints and
its live checks. ``run(ctx)`` returns results — determinate ones only when the
provider's answer is documented, ``error`` for everything else (the
tri-state rule: not-200 is not "invalid").

Third-party probes are found through the entry-point group
``oneinbox_check.probes``; an entry point names a :class:`Probe` subclass.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ..checks.keyformat import KeyFormat, Signature, check_key
from ..models import CheckResult, Integration, Status, Tool
from ..secrets import Secret
from .facts import ProviderFacts

if TYPE_CHECKING:
    from ..net.dns import Resolver
    from ..net.http import HttpClient, Outcome, Reply

BUILTIN = (
    "openai", "anthropic", "groq", "shisa", "custom", "deepgram", "assembly_ai", "azure",
    "cartesia", "elevenlabs", "minimax", "twilio", "telnyx", "resend", "sendgrid", "calcom",
)
ENTRY_POINT_GROUP = "oneinbox_check.probes"


class NoMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")


@dataclass
class ProbeContext:
    """What a probe gets for one integration. Built by the runner."""

    integration: Integration
    metadata: Any
    key: Secret | None
    tools: list[Tool]
    http: "HttpClient"
    dns: "Resolver"
    endpoints: Mapping[str, str]
    options: Mapping[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def url(self, endpoint: str, path: str = "") -> str:
        """``endpoint`` base URL (after overrides) joined with *path*."""
        return self.endpoints[endpoint].rstrip("/") + path

    def elapsed_ms(self) -> int:
        return int((time.perf_counter() - self.started) * 1000)

    def result(self, id: str, status: Status, summary: str, remediation: str | None = None, /,
               **details: Any) -> CheckResult:
        return CheckResult(id=id, status=status, summary=summary, remediation=remediation,
                           details=details or None, duration_ms=self.elapsed_ms())

    def indeterminate(self, id: str, outcome: "Outcome", what: str = "request") -> CheckResult:
        """An ``error`` result for an answer that proves nothing either way."""
        from ..net.http import Failure

        if isinstance(outcome, Failure):
            return self.result(id, Status.ERROR, f"{what} failed: {outcome.reason}",
                               "Could not tell: retry later, or check --endpoint/proxy settings.",
                               attempts=outcome.attempts)
        return self.result(id, Status.ERROR, f"{what}: {describe_reply(outcome)}", _retry_hint(outcome),
                           http_status=outcome.status, attempts=outcome.attempts)

    def skipped(self, ids: Sequence[str], reason: str, remediation: str | None = None) -> list[CheckResult]:
        return [self.result(i, Status.SKIP, reason, remediation) for i in ids]


def _retry_hint(reply: "Reply") -> str:
    if reply.status == 429:
        return "Rate limited: retry later (the checker already retried)."
    if reply.status >= 500:
        return "The provider had a server error: retry later; check its status page if it persists."
    return "Unexpected answer from the provider: retry later; if it persists, report it with -v output."


def describe_reply(reply: "Reply") -> str:
    """``HTTP 503 (message from the body, if any)`` — bodies are scrubbed later, never echoed whole."""
    data = reply.json()
    message = error_message(data) if data is not None else None
    if data is None and reply.body:
        kind = "HTML" if reply.body.lstrip()[:1] == b"<" else "non-JSON"
        return f"unexpected {kind} answer (HTTP {reply.status})"
    suffix = f": {message}" if message else ""
    word = "rate limited" if reply.status == 429 else "unexpected answer"
    return f"{word} (HTTP {reply.status}{suffix})"


def error_message(data: Any) -> str | None:
    """The human message of the common error envelopes: cleaned (no control
    characters), scrubbed of keys and only then shortened (SPEC §8)."""
    from ..secrets import clean, shorten

    msg: Any = None
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):
            msg = err.get("message") or err.get("type") or err.get("code")
        elif isinstance(err, str):
            msg = err
        if msg is None:
            errors = data.get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                msg = errors[0].get("message") or errors[0].get("detail") or errors[0].get("title")
        if msg is None:
            detail = data.get("detail")
            if isinstance(detail, dict):
                msg = detail.get("message") or detail.get("status")
            elif isinstance(detail, str):
                msg = detail
        if msg is None:
            msg = data.get("message")
    if not isinstance(msg, str):
        return None
    return shorten(clean(msg, newlines=False), 200)


class Probe:
    """Base class of every provider probe. Subclasses set the class attributes and ``run``."""

    providers: ClassVar[tuple[str, ...]] = ()
    title: ClassVar[str] = ""
    endpoints: ClassVar[Mapping[str, str]] = {}
    check_ids: ClassVar[tuple[str, ...]] = ("key.auth",)
    key_format: ClassVar[KeyFormat | None] = None
    key_required: ClassVar[bool] = True
    signatures: ClassVar[tuple[tuple[str, str], ...]] = ()  # (regex, label) identifying this provider's keys
    metadata_model: ClassVar[type[BaseModel]] = NoMetadata
    tool_types: ClassVar[tuple[str, ...]] = ()
    rate_limits: ClassVar[Mapping[str, float]] = {}  # endpoint name -> documented requests per second
    facts: ClassVar[ProviderFacts | None] = None  # what it asks and how it reads the answer (docs/providers.md)

    def format_check(self, provider: str, key: str, metadata: Any, signatures: Sequence[Signature]) -> CheckResult:
        """``key.format`` for *key*; override to add provider rules, calling super()."""
        return check_key(key, provider, self.key_format, same_key_providers=self.providers,
                         signatures=signatures, display=self.title or provider)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {','.join(self.providers)}>"


@dataclass
class Registry:
    probes: dict[str, Probe]
    problems: list[str] = field(default_factory=list)

    def get(self, provider: str) -> Probe | None:
        return self.probes.get(provider)

    @property
    def providers(self) -> list[str]:
        return list(self.probes)

    def endpoint_defaults(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for probe in self.unique():
            out.update(probe.endpoints)
        out.setdefault("oneinbox", "https://api.oneinbox.ai")
        return out

    def rate_limits(self, endpoints: Mapping[str, str]) -> dict[str, float]:
        """Requests per second by endpoint base URL, from the probes' documented limits."""
        rates: dict[str, float] = {}
        for probe in self.unique():
            for name, rate in probe.rate_limits.items():
                base = endpoints.get(name, "")
                if base and "{" not in base:
                    rates[base] = min(rate, rates.get(base, rate))
        return rates

    def unique(self) -> list[Probe]:
        seen: dict[int, Probe] = {}
        for probe in self.probes.values():
            seen.setdefault(id(probe), probe)
        return list(seen.values())

    def signatures(self) -> list[Signature]:
        out = []
        for probe in self.unique():
            for pattern, label in probe.signatures:
                out.append(Signature(re.compile(pattern), probe.providers[0], label))
        return out


@cache
def load_registry() -> Registry:
    """Built-in probes plus those of installed plugins (entry points)."""
    import importlib
    from importlib.metadata import entry_points

    probes: dict[str, Probe] = {}
    problems: list[str] = []
    classes: list[type[Probe]] = []
    for name in BUILTIN:
        module = importlib.import_module(f"{__package__}.{name}")
        classes.append(module.PROBE)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not break the tool
            problems.append(f"probe plugin {ep.name!r} could not be loaded: {type(exc).__name__}: {exc}")
            continue
        if isinstance(obj, type) and issubclass(obj, Probe) and obj.providers:
            classes.append(obj)
        else:
            problems.append(f"probe plugin {ep.name!r} is not a Probe subclass with providers")
    for cls in classes:
        probe = cls()
        for provider in cls.providers:
            probes.setdefault(provider, probe)
    return Registry(probes, problems)


AUTH = "key.auth"
SCOPE = "key.scope"


def accepted(ctx: ProbeContext, title: str, **details: Any) -> CheckResult:
    return ctx.result(AUTH, Status.PASS, f"{title} accepted the key", **details)


Envelope = Callable[[dict[str, Any]], bool]
"""Recognises a provider's own documented error body (see :func:`rejected`)."""


def rejected(ctx: ProbeContext, title: str, reply: "Reply", remediation: str | None = None, *,
             envelope: Envelope | None = None) -> CheckResult:
    """A ``fail``: only for the provider's documented invalid-key answer.

    Every provider documents a JSON error body; a 401/403 page in HTML (a proxy,
    a WAF, a captive portal) is not the provider speaking, so it is ``error``.
    With *envelope*, a JSON body must also have the provider's own error shape:
    a proxy's ``{"message": "proxy auth required"}`` is JSON but not OpenAI's.
    """
    body = json_object(reply)
    if body is None or (envelope is not None and not envelope(body)):
        return ctx.indeterminate(AUTH, reply, f"{title} auth request")
    message = error_message(body)
    summary = f"{title} rejected the key (HTTP {reply.status}" + (f": {message})" if message else ")")
    return ctx.result(AUTH, Status.FAIL, summary,
                      remediation or f"Create a new key in the {title} console and paste it whole.",
                      http_status=reply.status)


def auth_undetermined(ctx: ProbeContext, title: str, outcome: "Outcome", rest: Sequence[str]) -> list[CheckResult]:
    """``key.auth`` could not be decided; the checks that need it are skipped."""
    return [ctx.indeterminate(AUTH, outcome, f"{title} auth request"), *ctx.skipped(rest, "auth undetermined")]


def auth_rejected(ctx: ProbeContext, title: str, reply: "Reply", rest: Sequence[str],
                  remediation: str | None = None, *, envelope: Envelope | None = None) -> list[CheckResult]:
    """The provider's invalid-key answer (or, without its own error body, undetermined); the rest skipped."""
    result = rejected(ctx, title, reply, remediation, envelope=envelope)
    return [result, *ctx.skipped(rest, "key rejected" if result.status == Status.FAIL else "auth undetermined")]


def json_object(reply: "Reply") -> dict[str, Any] | None:
    data = reply.json()
    return data if isinstance(data, dict) else None


async def simple_auth(ctx: ProbeContext, title: str, endpoint: str, path: str,
                      headers: Mapping[str, Any], *, valid_key: str | None = None,
                      invalid: Sequence[int] = (401,), params: Mapping[str, Any] | None = None,
                      envelope: Envelope | None = None) -> CheckResult:
    """The common case: GET one cheap endpoint; 200 with a JSON object (holding
    *valid_key* when given) passes, the documented *invalid* statuses with the
    provider's own error body (*envelope*) fail, and anything else is indeterminate."""
    outcome = await ctx.http.get(ctx.url(endpoint, path), headers=headers, params=params)
    from ..net.http import Failure

    if isinstance(outcome, Failure):
        return ctx.indeterminate(AUTH, outcome, f"{title} auth request")
    if outcome.status == 200:
        body = json_object(outcome)
        if body is not None and (valid_key is None or valid_key in body):
            return accepted(ctx, title)
        return ctx.indeterminate(AUTH, outcome, f"{title} answered 200 with an unexpected body")
    if outcome.status in invalid:
        return rejected(ctx, title, outcome, envelope=envelope)
    return ctx.indeterminate(AUTH, outcome, f"{title} auth request")


def str_at(body: Any, *path: str) -> str | None:
    """``body[path[0]][path[1]]…`` when that is a string, else ``None`` (for error envelopes)."""
    for name in path:
        if not isinstance(body, dict):
            return None
        body = body.get(name)
    return body if isinstance(body, str) else None

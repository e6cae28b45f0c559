"""The HTTP layer: one client per run with timeouts, limits, retries and a
redirect policy, returning values instead of raising.

A request gives a :class:`Reply` (any HTTP status; the probe decides what it
means) or a :class:`Failure` (no usable answer: timeout, refused connection,
TLS error, a cross-host redirect). Identical idempotent requests within a run
are made once (single-flight cache), which is how the same key is
authenticated once however many integrations share it.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx

from ..secrets import Secret, scrub
from .flight import SingleFlight

log = logging.getLogger("oneinbox_check.http")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_NOT_JSON = object()


@dataclass(frozen=True)
class Reply:
    """An HTTP answer, whatever its status."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    attempts: int = 1

    def json(self) -> Any:
        """The parsed JSON body, or ``None`` when the body is not JSON."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Failure:
    """No usable answer. ``kind``: timeout, connect, tls, protocol, redirect."""

    kind: str
    reason: str
    url: str
    attempts: int = 1


Outcome = Reply | Failure


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; server hints win when they are short enough.

    A server that asks to wait longer than ``hint_cap`` is not waited for: the
    answer is returned as it is (the check becomes ``error``, "retry later").
    """

    retries: int = 2
    base: float = 0.5
    cap: float = 8.0
    hint_cap: float = 10.0

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2 ** (attempt - 1)))

    def wait_for(self, attempt: int, reply: Reply | None) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to stop."""
        if attempt > self.retries:
            return None
        hint = server_wait_hint(reply.headers) if reply is not None else None
        if hint is None:
            return self.backoff(attempt)
        if hint > self.hint_cap:
            return None
        return hint


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


def _parse_seconds(value: str) -> float | None:
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        parts = _DURATION.findall(value)  # OpenAI style: "6m0s", "20ms"
        if not parts or "".join(n + u for n, u in parts) != value:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            return max(0.0, when.timestamp() - time.time())
        scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
        return sum(float(n) * scale[u] for n, u in parts)
    if number > 1e9:  # an epoch timestamp
        return max(0.0, number - time.time())
    return max(0.0, number)


def server_wait_hint(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` (seconds or HTTP date), else a rate-limit reset header."""
    for name in ("retry-after", "ratelimit-reset", "x-ratelimit-reset", "x-ratelimit-reset-requests",
                 "x-ratelimit-reset-default"):
        value = headers.get(name)
        if value:
            seconds = _parse_seconds(value)
            if seconds is not None:
                return seconds
    return None


HeaderValue = str | Secret


@dataclass
class _Bucket:
    """A token bucket: *rate* requests per second with a burst of the same size."""

    rate: float
    tokens: float
    last: float

    def reserve(self, now: float) -> float:
        """Take a slot; return how long to wait before using it."""
        self.tokens = min(max(self.rate, 1.0), self.tokens + (now - self.last) * self.rate)
        self.last = now
        self.tokens -= 1
        return -self.tokens / self.rate if self.tokens < 0 else 0.0


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class HttpClient:
    """One per run. Use as ``async with HttpClient(...) as http``."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        concurrency: int = 32,
        per_host: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
        user_agent: str = "oneinbox-check",
        policy: RetryPolicy | None = None,
        rates: Mapping[str, float] | None = None,
    ):
        self.timeout = timeout
        self.policy = policy or RetryPolicy(retries=retries)
        self._concurrency = concurrency
        self._per_host = per_host
        now = time.monotonic()
        # base URL -> bucket: a provider's documented rate limit, applied to its endpoint
        self._pause = anyio.sleep  # pacing waits (tests replace it)
        self._buckets = {b.rstrip("/") + "/": _Bucket(r, max(r, 1.0), now) for b, r in (rates or {}).items() if r > 0}
        self._transport = transport
        self._sleep = sleep if sleep is not None else anyio.sleep
        self._user_agent = user_agent
        self._client: httpx.AsyncClient | None = None
        self._flights: SingleFlight[Outcome] = SingleFlight()
        self._hosts: dict[str, anyio.CapacityLimiter] = {}
        self._global: anyio.CapacityLimiter | None = None
        self.requests_sent = 0

    async def __aenter__(self) -> "HttpClient":
        self._global = anyio.CapacityLimiter(self._concurrency)
        self._client = httpx.AsyncClient(
            transport=self._transport or httpx.AsyncHTTPTransport(retries=0),
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=self._concurrency, max_keepalive_connections=self._concurrency),
            headers={"User-Agent": self._user_agent},
            # proxy variables apply to real connections only: an injected transport
            # (the sandbox, tests) must not be bypassed by a proxy mount
            trust_env=self._transport is None,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            with anyio.CancelScope(shield=True):
                await self._client.aclose()
            self._client = None

    async def get(self, url: str, **kw: Any) -> Outcome:
        return await self.request("GET", url, **kw)

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, HeaderValue] | None = None,
        auth: tuple[str, Secret] | None = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        idempotent: bool | None = None,
    ) -> Outcome:
        """Send one request (with retries when idempotent) and return its outcome."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "OPTIONS")
        real_headers = {k: (v.reveal() if isinstance(v, Secret) else v) for k, v in (headers or {}).items()}
        if auth is not None:
            user, password = auth
            token = base64.b64encode(f"{user}:{password.reveal()}".encode()).decode()
            Secret(token)  # registered for scrubbing: a server may echo the credential back
            real_headers["Authorization"] = "Basic " + token
        full_url = str(httpx.URL(url, params=params)) if params else url
        if not idempotent:
            return await self._send(method, full_url, real_headers, json_body, content, idempotent)
        key = hashlib.sha256(
            repr((method, full_url, sorted(real_headers.items()), json_body, content)).encode()
        ).hexdigest()
        return await self._flights.do(
            key, lambda: self._send(method, full_url, real_headers, json_body, content, idempotent))

    async def _send(self, method: str, url: str, headers: dict[str, str], json_body: Any,
                    content: bytes | None, idempotent: bool) -> Outcome:
        assert self._client is not None and self._global is not None, "use HttpClient as an async context manager"
        attempt = 0
        redirects = 0
        while True:
            attempt += 1
            outcome = await self._attempt(method, url, headers, json_body, content, attempt)
            if isinstance(outcome, Reply) and outcome.status in (301, 302, 303, 307, 308) and redirects < 3:
                location = outcome.headers.get("location")
                if location:
                    target = str(httpx.URL(url).join(location))
                    if _origin(target) != _origin(url):
                        return Failure("redirect", f"redirected to another host ({_origin(target)[1]}); "
                                       "not followed with credentials", url, attempt)
                    url, redirects, attempt = target, redirects + 1, attempt - 1
                    continue
            retryable = (
                isinstance(outcome, Failure) and outcome.kind == "connect"
            ) or (isinstance(outcome, Reply) and outcome.status in RETRY_STATUSES)
            if not (idempotent and retryable):
                return outcome
            wait = self.policy.wait_for(attempt, outcome if isinstance(outcome, Reply) else None)
            if wait is None:
                return outcome
            log.debug("retrying %s %s in %.2fs (attempt %d)", method, _loggable(url), wait, attempt)
            await self._sleep(wait)

    async def _attempt(self, method: str, url: str, headers: dict[str, str], json_body: Any,
                       content: bytes | None, attempt: int) -> Outcome:
        host = _origin(url)[1]
        limiter = self._hosts.get(host)
        if limiter is None:
            limiter = self._hosts[host] = anyio.CapacityLimiter(self._per_host)
        bucket = next((b for prefix, b in self._buckets.items() if url.startswith(prefix)), None)
        if bucket is not None:  # the provider's documented rate limit: stay under it
            wait = bucket.reserve(time.monotonic())
            if wait:
                await self._pause(wait)
        started = time.perf_counter()
        async with self._global, limiter:
            self.requests_sent += 1
            try:
                with anyio.fail_after(self.timeout + 1):
                    response = await self._client.request(  # type: ignore[union-attr]
                        method, url, headers=headers, json=json_body, content=content
                    )
                    body = await response.aread()
            except (TimeoutError, httpx.TimeoutException) as exc:
                kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "timeout"
                return self._failed(method, url, kind, f"timed out after {self.timeout:g}s", attempt)
            except httpx.ConnectError as exc:
                text = str(exc) or type(exc).__name__
                kind = "tls" if ("SSL" in text or "certificate" in text.lower()) else "connect"
                return self._failed(method, url, kind, f"could not connect: {text}", attempt)
            except httpx.TransportError as exc:
                return self._failed(method, url, "protocol", f"connection failed: {str(exc) or type(exc).__name__}", attempt)
        ms = (time.perf_counter() - started) * 1000
        log.info("%s %s -> %d (%.0f ms, attempt %d)", method, _loggable(url), response.status_code, ms, attempt)
        return Reply(response.status_code, response.headers, body, url, attempt)

    def _failed(self, method: str, url: str, kind: str, reason: str, attempt: int) -> Failure:
        reason = scrub(reason)
        log.info("%s %s -> %s (attempt %d)", method, _loggable(url), reason, attempt)
        return Failure(kind, reason, url, attempt)


def _loggable(url: str) -> str:
    return scrub(url)

"""The HTTP layer: one client per run with timeouts, limits, retries and a
redirect policy, returning values instead of raising.

A request gives a :class:`Reply` (any HTTP status; the probe decides what it
means) or a :class:`Failure` (no usable answer: timeout, refused connection,
TLS error, a cross-host redirect, an answer over 1 MiB). Identical idempotent requests within a run
are made once (single-flight cache), which is how the same key is
authenticated once however many integrations share it.
"""

from __future__ import annotations

import base64
import email.utils
import functools
import hashlib
import logging
import random
import re
import socket
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

from ..secrets import Secret, scrub
from . import addresses, budget
from .flight import SingleFlight
from .outcomes import Failure, Outcome, Reply

log = logging.getLogger("oneinbox_check.http")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_NOT_JSON = object()


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; a server's wait hint replaces the backoff.

    Every wait must fit in the check's remaining time budget with room for one
    more attempt; a server that asks for longer (or longer than ``hint_cap``,
    when set) is not waited for: its answer is returned as it is (the check
    becomes ``error``, "retry later").
    """

    retries: int = 2
    base: float = 0.5
    cap: float = 8.0
    hint_cap: float | None = None

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2 ** (attempt - 1)))

    def wait_for(self, attempt: int, reply: Reply | None, remaining: float | None = None,
                 room: float = 0.0) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to stop.

        *remaining*: seconds left in the check's budget (``None``: unbounded);
        *room*: the least time an attempt needs after the wait.
        """
        if attempt > self.retries:
            return None
        hint = server_wait_hint(reply.headers) if reply is not None else None
        wait = self.backoff(attempt) if hint is None else hint
        if hint is not None and self.hint_cap is not None and hint > self.hint_cap:
            return None
        if remaining is not None and wait + room > remaining:
            return None
        return wait


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

MAX_BODY = 1024 * 1024  # bytes of a decoded answer body (SPEC §7); more is "answer too large"
_ACCEPT_ENCODING = "gzip, deflate"  # only what _Inflate decodes with a bounded output


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


Origin = tuple[str, str, int]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> Origin:
    """(scheme, host, port) with the scheme's default port made explicit."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return _split_origin(url)
    end = len(rest)
    for stop in "/?#":
        i = rest.find(stop)
        if i != -1 and i < end:
            end = i
    return _split_origin(f"{scheme}://{rest[:end]}")  # cached by scheme://authority


@functools.lru_cache(maxsize=4096)
def _split_origin(url: str) -> Origin:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # not a port number: httpx will refuse the URL itself
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def _redirect_refusal(source: str, target: str) -> str | None:
    """Why a redirect from *source* to *target* is not followed with credentials, or None.

    Same origin: followed. Same host upgraded from http to https: followed (the
    host is the one the credentials are for). Another host, or https → http: refused.
    """
    s_scheme, s_host, _ = _origin(source)
    t_scheme, t_host, _ = _origin(target)
    if t_host != s_host:
        return f"redirected to another host ({t_host}); not followed with credentials"
    if _origin(source) == _origin(target) or (s_scheme, t_scheme) == ("http", "https"):
        return None
    if (s_scheme, t_scheme) == ("https", "http"):
        return "redirected from https to plain http; not followed with credentials"
    return f"redirected to another port or scheme of {t_host}; not followed with credentials"


class AnswerTooLarge(Exception):
    pass


class _Inflate:
    """gzip/deflate with a bounded output: a bomb is stopped at the cap, never inflated whole."""

    def __init__(self, encoding: str):
        self._gzip = encoding in ("gzip", "x-gzip")
        self._raw = False
        self._d = self._new()
        self._started = False

    def _new(self) -> Any:
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else -zlib.MAX_WBITS if self._raw else zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode *data*; raise AnswerTooLarge once the output would exceed *room* bytes."""
        out = bytearray()
        while data:
            try:
                chunk = self._d.decompress(data, room - len(out) + 1)
            except zlib.error:
                if self._gzip or self._started or self._raw:
                    raise
                self._raw, self._d = True, None  # deflate without its zlib header (seen in the wild)
                self._d = self._new()
                continue
            self._started = True
            out += chunk
            if len(out) > room:
                raise AnswerTooLarge
            data = self._d.unconsumed_tail
            if self._d.eof:  # a multi-member gzip stream: start the next member
                data = self._d.unused_data
                if data:
                    self._d = self._new()
        return bytes(out)


async def _read_body(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, at most *limit* bytes (AnswerTooLarge beyond)."""
    if response.is_stream_consumed:  # built in memory (a mock transport): already decoded
        if len(response.content) > limit:
            raise AnswerTooLarge
        return response.content
    encoding = response.headers.get("content-encoding", "").strip().lower()
    body = bytearray()
    if encoding in ("", "identity", "gzip", "x-gzip", "deflate"):
        inflate = _Inflate(encoding) if encoding not in ("", "identity") else None
        async for raw in response.aiter_raw():
            chunk = inflate.feed(raw, limit - len(body)) if inflate is not None else raw
            body += chunk
            if len(body) > limit:
                raise AnswerTooLarge
        return bytes(body)
    async for chunk in response.aiter_bytes():  # an encoding we did not ask for: httpx decodes it
        body += chunk
        if len(body) > limit:
            raise AnswerTooLarge
    return bytes(body)


class AddressRefused(Exception):
    """A host resolved to an address the address rule refuses (never connected)."""


async def _getaddrinfo(host: str, port: int) -> list[str]:
    """The host's addresses, in the resolver's order (tests patch this)."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the address rule (SPEC §13) in front of it:
    the host is resolved here, every address is judged, and the connection goes
    to a judged address (no second resolution). TLS still names the host: httpcore
    passes the origin's host (or the ``sni_hostname`` extension) to ``start_tls``."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend):
        self._inner = inner

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Any = None) -> Any:
        literal = addresses.parse(host)
        if literal is not None:
            found = [str(literal)]
        else:
            try:
                with anyio.fail_after(timeout):
                    found = await _getaddrinfo(host, port)
            except TimeoutError:
                raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
            except OSError as exc:
                raise httpcore.ConnectError(f"could not resolve {host}: {exc.strerror or exc}") from None
        for address in found:
            refused = addresses.refusal(address)
            if refused:
                raise AddressRefused(f"refused to contact {host}: {refused}; the checker never connects there")
        error: Exception | None = None
        for address in dict.fromkeys(found):
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error if error is not None else httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> Any:  # pragma: no cover - not used
        return await self._inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _guard(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Put the address rule in front of every connection pool of *client* (its
    own transport and the proxy mounts httpx made from the environment)."""
    transports = [client._transport, *(t for t in client._mounts.values() if t is not None)]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is None or not hasattr(pool, "_network_backend"):
            raise RuntimeError("httpx/httpcore changed: cannot apply the address rule to connections")
        if not isinstance(pool._network_backend, _GuardedBackend):
            pool._network_backend = _GuardedBackend(pool._network_backend)
    return client


class HttpClient:
    """One per run. Use as ``async with HttpClient(...) as http``.

    Limits: at most *per_origin* requests in flight per origin (scheme, host,
    port) and *concurrency* overall; a request takes its origin's slot before
    a global one, so requests queued for one busy origin never hold global
    slots that another origin could use (no head-of-line blocking).
    """

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        concurrency: int = 32,
        per_origin: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
        user_agent: str = "oneinbox-check",
        policy: RetryPolicy | None = None,
        rates: Mapping[str, float] | None = None,
        max_body: int = MAX_BODY,
    ):
        self.timeout = timeout
        self.policy = policy or RetryPolicy(retries=retries)
        self.max_body = max_body
        self._concurrency = concurrency
        self._per_origin = per_origin
        self._clock = time.monotonic  # the pacing buckets' clock (tests replace it)
        now = self._clock()
        # base URL -> bucket: a provider's documented rate limit, applied to its endpoint
        self._pause = anyio.sleep  # pacing waits (tests replace it)
        self._buckets = {b.rstrip("/") + "/": _Bucket(r, max(r, 1.0), now) for b, r in (rates or {}).items() if r > 0}
        self._transport = transport
        self._sleep = sleep if sleep is not None else anyio.sleep
        self._user_agent = user_agent
        self._client: httpx.AsyncClient | None = None  # with an injected transport
        self._clients: dict[tuple[Any, ...], httpx.AsyncClient] = {}  # real connections: one per origin (+ TLS name)
        self._ssl: Any = None
        self._flights: SingleFlight[Outcome] = SingleFlight()
        self._origins: dict[Origin, anyio.CapacityLimiter] = {}
        self._global: anyio.CapacityLimiter | None = None
        self.requests_sent = 0

    def _fallback_budget(self) -> float:
        """A bare client's per-request budget (the runner sets a per-check one)."""
        return self.timeout * (self.policy.retries + 3)

    async def __aenter__(self) -> "HttpClient":
        self._global = anyio.CapacityLimiter(self._concurrency)
        self._clients = {}
        if self._transport is not None:  # the sandbox, tests: used as it is, never proxied
            self._client = self._new_client(self._transport, self._concurrency)
        return self

    def _new_client(self, transport: httpx.AsyncBaseTransport | None, connections: int) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            # no transport argument for real connections: httpx then mounts the
            # HTTP(S)_PROXY/NO_PROXY proxies (it ignores them beside an explicit transport)
            transport=transport,
            verify=self._ssl if transport is None else True,
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={"User-Agent": self._user_agent, "Accept-Encoding": _ACCEPT_ENCODING},
            trust_env=transport is None,
        )

    def _client_for(self, origin: tuple[Any, ...]) -> httpx.AsyncClient:
        """One connection pool per origin for real connections: httpcore's pool scans
        every connection per request, and one shared pool of `concurrency`
        connections would close and reopen connections as requests move between origins."""
        if self._client is not None:
            return self._client
        client = self._clients.get(origin)
        if client is None:
            if self._ssl is None:  # on the first real connection (≈ 40 ms: a dns run sends none)
                self._ssl = httpx.create_ssl_context()  # once per run, shared by the origins' clients
            client = self._clients[origin] = _guard(self._new_client(None, self._per_origin))
        return client

    async def __aexit__(self, *exc: object) -> None:
        clients = [*self._clients.values(), *([self._client] if self._client is not None else [])]
        self._clients, self._client = {}, None
        with anyio.CancelScope(shield=True):
            for client in clients:
                await client.aclose()

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
        extensions: Mapping[str, Any] | None = None,
    ) -> Outcome:
        """Send one request (with retries when idempotent) and return its outcome.

        *extensions*: httpx request extensions, e.g. ``{"sni_hostname": host}``
        to connect to a checked IP address while TLS names (and verifies) the host.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "OPTIONS")
        real_headers = {k: (v.reveal() if isinstance(v, Secret) else v) for k, v in headers.items()} if headers else {}
        if auth is not None:
            user, password = auth
            token = base64.b64encode(f"{user}:{password.reveal()}".encode()).decode()
            Secret(token)  # registered for scrubbing: a server may echo the credential back
            real_headers["Authorization"] = "Basic " + token
        full_url = str(httpx.URL(url, params=params)) if params else url
        ext = dict(extensions) if extensions else None
        if not idempotent:
            return await self._budgeted(method, full_url, real_headers, json_body, content, idempotent, ext)
        key = hashlib.sha256(
            repr((method, full_url, sorted(real_headers.items()), json_body, content, sorted((ext or {}).items())))
            .encode()
        ).hexdigest()
        return await self._flights.do(
            key, lambda: self._budgeted(method, full_url, real_headers, json_body, content, idempotent, ext))

    async def _budgeted(self, *args: Any) -> Outcome:
        if budget.current() is not None:
            return await self._send(*args)
        with budget.Budget(self._fallback_budget()):
            return await self._send(*args)

    async def _send(self, method: str, url: str, headers: dict[str, str], json_body: Any,
                    content: bytes | None, idempotent: bool, extensions: dict[str, Any] | None = None) -> Outcome:
        assert self._global is not None, "use HttpClient as an async context manager"
        attempt = 0
        redirects = 0
        while True:
            attempt += 1
            outcome = await self._attempt(method, url, headers, json_body, content, attempt, extensions)
            if isinstance(outcome, Reply) and outcome.status in (301, 302, 303, 307, 308) and redirects < 3:
                location = outcome.headers.get("location")
                if location:
                    target = str(httpx.URL(url).join(location))
                    refusal = _redirect_refusal(url, target)
                    if refusal is not None:
                        return Failure("redirect", refusal, url, attempt)
                    url, redirects, attempt = target, redirects + 1, attempt - 1
                    continue
            retryable = (
                isinstance(outcome, Failure) and outcome.kind == "connect"
            ) or (isinstance(outcome, Reply) and outcome.status in RETRY_STATUSES)
            if not (idempotent and retryable):
                return outcome
            wait = self.policy.wait_for(attempt, outcome if isinstance(outcome, Reply) else None,
                                        budget.remaining(), min(self.timeout, 1.0))
            if wait is None:
                return outcome
            if log.isEnabledFor(logging.DEBUG):
                log.debug("retrying %s %s in %.2fs (attempt %d)", method, _loggable(url), wait, attempt)
            await self._sleep(wait)

    async def _slot(self, url: str) -> tuple[Origin, anyio.CapacityLimiter]:
        """Pace (documented rate limits); the origin and its limiter."""
        origin = _origin(url)
        limiter = self._origins.get(origin)
        if limiter is None:
            limiter = self._origins[origin] = anyio.CapacityLimiter(self._per_origin)
        if self._buckets:
            bucket = next((b for prefix, b in self._buckets.items() if url.startswith(prefix)), None)
            if bucket is not None:  # the provider's documented rate limit: stay under it
                wait = bucket.reserve(self._clock())
                if wait:
                    with budget.queued():
                        await self._pause(wait)
        return origin, limiter

    async def _attempt(self, method: str, url: str, headers: dict[str, str], json_body: Any,
                       content: bytes | None, attempt: int, extensions: dict[str, Any] | None = None) -> Outcome:
        origin, limiter = await self._slot(url)
        sni = extensions.get("sni_hostname") if extensions else None
        # a pinned address with its own TLS server name gets its own pool: httpcore
        # matches pooled connections by origin only, not by server name
        client, overall = self._client_for(origin if sni is None else (*origin, str(sni))), self._global
        assert overall is not None
        # the origin's slot first, then a global one (see the class docstring);
        # waiting for a slot does not count against the check's budget
        if not _take(limiter):
            with budget.queued():
                await limiter.acquire()
        if not _take(overall):
            try:
                with budget.queued():
                    await overall.acquire()
            except BaseException:
                limiter.release()
                raise
        started = time.perf_counter()
        try:
            left = budget.remaining()
            limit = self.timeout if left is None else min(self.timeout, left)
            if limit <= 0:
                return self._failed(method, url, "timeout", "the check's time budget ran out", attempt)
            self.requests_sent += 1
            try:
                with anyio.fail_after(limit):
                    async with client.stream(method, url, headers=headers, json=json_body,
                                             content=content, extensions=extensions) as response:
                        body = await _read_body(response, self.max_body)
            except AddressRefused as exc:
                return self._failed(method, url, "refused", str(exc), attempt)
            except AnswerTooLarge:
                return self._failed(method, url, "too_large",
                                    f"answer too large (over {self.max_body // 1024} KiB after decompression)",
                                    attempt)
            except (TimeoutError, httpx.TimeoutException) as exc:
                kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "timeout"
                return self._failed(method, url, kind, f"timed out after {limit:g}s", attempt)
            except httpx.ConnectError as exc:
                text = str(exc) or type(exc).__name__
                kind = "tls" if ("SSL" in text or "certificate" in text.lower()) else "connect"
                return self._failed(method, url, kind, f"could not connect: {text}", attempt)
            except (httpx.TransportError, httpx.DecodingError, zlib.error) as exc:
                return self._failed(method, url, "protocol",
                                    f"connection failed: {str(exc) or type(exc).__name__}", attempt)
        finally:
            overall.release()
            limiter.release()
        if log.isEnabledFor(logging.INFO):
            ms = (time.perf_counter() - started) * 1000
            log.info("%s %s -> %d (%.0f ms, attempt %d)", method, _loggable(url), response.status_code, ms, attempt)
        return Reply(response.status_code, response.headers, body, url, attempt)

    def _failed(self, method: str, url: str, kind: str, reason: str, attempt: int) -> Failure:
        reason = scrub(reason)
        if log.isEnabledFor(logging.INFO):
            log.info("%s %s -> %s (attempt %d)", method, _loggable(url), reason, attempt)
        return Failure(kind, reason, url, attempt)


def _take(limiter: anyio.CapacityLimiter) -> bool:
    """A free token at once (no event-loop round trip), or False."""
    try:
        limiter.acquire_nowait()
    except anyio.WouldBlock:
        return False
    return True


def _loggable(url: str) -> str:
    return scrub(url)

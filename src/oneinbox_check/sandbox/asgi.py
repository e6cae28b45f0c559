"""A very small ASGI toolkit for the fakes: routing, JSON answers, per-key states
(``KeyedApp``) and fault injection.

Faults are scriptable per scenario: match a path (regex) and optionally a
method and key, then add latency, answer a fixed status/body, or drop the
connection, for all requests or the first ``times`` ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import anyio


class Drop(Exception):
    """Raised by a fault to simulate a dropped connection."""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes/str sent as is
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/html; charset=utf-8" if self.body.lstrip().startswith("<") else "text/plain"
        return json.dumps(self.body).encode(), "application/json"


def json_response(status: int, body: Any, **headers: str) -> Response:
    return Response(status, body, {k.replace("_", "-"): v for k, v in headers.items()})


@dataclass
class Fault:
    """One scripted misbehaviour."""

    path: str = ".*"  # regex, matched against the app's own path
    method: str | None = None
    key: str | None = None  # only requests carrying this credential (any header)
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    drop: bool = False
    times: int | None = None  # None: always
    hits: int = 0

    def matches(self, request: Request) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method and self.method.upper() != request.method:
            return False
        if self.key and not any(self.key in v for v in request.headers.values()):
            return False
        return re.fullmatch(self.path, request.path) is not None


Handler = Callable[[Request], Awaitable[Response] | Response]


class FakeApp:
    """Routes ``(method, path regex)`` to handlers; records requests; applies faults."""

    name = "fake"

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.faults: list[Fault] = []
        self.requests: list[Request] = []
        self.setup()

    def setup(self) -> None:
        """Subclasses register routes here."""

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method.upper(), re.compile(pattern), handler))

    def count(self, path_regex: str = ".*", method: str | None = None) -> int:
        return sum(1 for r in self.requests
                   if re.fullmatch(path_regex, r.path) and (method is None or r.method == method.upper()))

    async def handle(self, request: Request) -> Response:
        self.requests.append(request)
        for fault in self.faults:
            if fault.matches(request):
                fault.hits += 1
                if fault.latency:
                    await anyio.sleep(fault.latency)
                if fault.drop:
                    raise Drop(request.path)
                if fault.status is not None:
                    return Response(fault.status, fault.body, dict(fault.headers))
        for method, pattern, handler in self.routes:
            m = pattern.fullmatch(request.path)
            if m and method == request.method:
                request.params = m.groupdict()
                result = handler(request)
                if not isinstance(result, Response):
                    result = await result
                return result
        return self.not_found(request)

    def not_found(self, request: Request) -> Response:
        return json_response(404, {"error": {"message": f"no route {request.method} {request.path}"}})

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        await serve_asgi(self, scope, receive, send)


class KeyedApp(FakeApp):
    """A fake whose answers depend on the key's state."""

    def __init__(self, keys: dict[str, str] | None = None):
        self.keys: dict[str, str] = dict(keys or {})
        super().__init__()

    def state(self, key: str | None) -> str | None:
        return self.keys.get(key or "")


async def read_request(scope: dict, receive: Callable, path: str | None = None) -> Request:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    query = dict(parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True))
    return Request(scope["method"].upper(), path if path is not None else scope["path"], query, headers, body)


async def send_response(send: Callable, response: Response) -> None:
    body, content_type = response.encode()
    headers = {"content-type": content_type, **{k.lower(): v for k, v in response.headers.items()}}
    if response.status == 101:
        body = b""
    await send({"type": "http.response.start", "status": response.status,
                "headers": [(k.encode(), v.encode()) for k, v in headers.items()]})
    await send({"type": "http.response.body", "body": body})


async def serve_asgi(app: FakeApp, scope: dict, receive: Callable, send: Callable, path: str | None = None) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        request = Request("WEBSOCKET", path or scope["path"], {}, {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}, b"")
        response = await app.handle(request)
        if response.status == 101:
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 1000})
        else:
            await send({"type": "websocket.close", "code": 1008})
        return
    request = await read_request(scope, receive, path)
    response = await app.handle(request)
    await send_response(send, response)

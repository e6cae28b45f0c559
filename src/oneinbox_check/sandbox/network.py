"""The sandbox's fake network: every fake provider behind one ASGI app (by path
prefix), the DNS zone data, and the ways to reach them — an in-process httpx
transport (no sockets, loopback hosts only) for ``demo`` and tests, or real
loopback sockets (``serve.Server``) for ``sandbox serve`` and end-to-end tests.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import httpx

from .asgi import Drop, FakeApp, json_response, send_response, serve_asgi
from .dns import ZoneData

IN_PROCESS_BASE = "http://127.0.0.1:9"  # never connected to: the ASGI transport answers


class FakeNetwork:
    """A set of fakes addressed as ``{base}/{name}`` plus DNS zone data.

    *unlisted*: mounted names that are no endpoint of a probe (reached through a
    URL in the manifest instead), left out of :meth:`endpoints`.
    """

    def __init__(self, fakes: Mapping[str, FakeApp], zone: ZoneData | None = None, *,
                 unlisted: Collection[str] = ()):
        self.fakes: dict[str, FakeApp] = dict(fakes)
        self.zone = zone or ZoneData()
        self.unlisted = frozenset(unlisted)

    # --- ASGI ---------------------------------------------------------------
    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await serve_asgi(FakeApp(), scope, receive, send)
            return
        path = scope.get("path", "/")
        name, _, rest = path.lstrip("/").partition("/")
        fake = self.fakes.get(name)
        if fake is None:
            if scope["type"] == "http":
                await send_response(send, json_response(404, {"error": f"no sandbox fake named {name!r}"}))
            return
        await serve_asgi(fake, scope, receive, send, path="/" + rest)

    def endpoints(self, base: str = IN_PROCESS_BASE) -> dict[str, str]:
        """Endpoint overrides (SPEC §6) pointing every provider at its fake."""
        return {name: f"{base.rstrip('/')}/{name}" for name in self.fakes if name not in self.unlisted}

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport that serves requests from the fakes in-process."""
        return _InProcessTransport(self)

    def fake(self, name: str) -> Any:
        return self.fakes[name]


class _InProcessTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: FakeNetwork):
        self._asgi = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise httpx.ConnectError(f"sandbox: {host} is not a loopback host", request=request)
        try:
            return await self._asgi.handle_async_request(request)
        except Drop:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request) from None

    async def aclose(self) -> None:
        await self._asgi.aclose()

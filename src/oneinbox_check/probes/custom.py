"""``custom`` LLM: no key to verify (it is optional), but a ``custom_websocket_url``
whose host must resolve and whose WebSocket opening handshake must succeed.

The handshake is the RFC 6455 HTTP/1.1 Upgrade request sent through the run's
HTTP client (so it works on asyncio and trio alike and shares its timeouts);
a ``101`` with the right ``Sec-WebSocket-Accept`` passes. The connection is
closed right after the handshake.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict

from ..endpoints import is_loopback
from ..models import CheckResult, Status
from ..net.http import Failure
from ..secrets import wrap
from ._base import Probe, ProbeContext, error_message, json_object

ID = "custom.websocket"
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class CustomMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    custom_websocket_url: str


class CustomProbe(Probe):
    providers = ("custom",)
    title = "custom LLM"
    check_ids = (ID,)
    key_required = False
    metadata_model = CustomMetadata

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        url = ctx.metadata.custom_websocket_url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            return [ctx.result(ID, Status.FAIL, f"custom_websocket_url must be a ws:// or wss:// URL, got {url!r}",
                               "Use the WebSocket URL of your LLM server, e.g. wss://llm.example.com/ws.")]
        host = parts.hostname
        try:
            ipaddress.ip_address(host)
        except ValueError:
            answers = [await ctx.dns.query(host, t) for t in ("A", "AAAA")]
            if not any(a.found for a in answers):
                if all(a.missing for a in answers):
                    return [ctx.result(ID, Status.FAIL, f"host {host} does not resolve (no A/AAAA record)",
                                       "Fix the host name or add its DNS record.")]
                failed = next(a for a in answers if a.failed)
                return [ctx.result(ID, Status.ERROR, f"could not resolve {host}: {failed.reason or failed.outcome}",
                                   "Retry later, or check --nameserver.")]
        headers: dict[str, object] = {}
        if ctx.key:
            if parts.scheme == "ws" and not is_loopback(host):
                return [ctx.result(ID, Status.FAIL, "a key would be sent in clear text over ws://",
                                   "Use wss:// for a server that needs a key.")]
            headers["Authorization"] = wrap(ctx.key, "Bearer {}")
        nonce = base64.b64encode(os.urandom(16)).decode()
        headers.update({"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                        "Sec-WebSocket-Key": nonce})
        http_url = urlunsplit(("https" if parts.scheme == "wss" else "http", parts.netloc, parts.path or "/",
                               parts.query, ""))
        outcome = await ctx.http.request("GET", http_url, headers=headers, idempotent=False)
        if isinstance(outcome, Failure):
            return [ctx.indeterminate(ID, outcome, "WebSocket handshake")]
        expected = base64.b64encode(hashlib.sha1((nonce + _GUID).encode()).digest()).decode()
        if outcome.status == 101:
            if outcome.headers.get("sec-websocket-accept") == expected:
                return [ctx.result(ID, Status.PASS, f"WebSocket handshake with {host} succeeded")]
            return [ctx.result(ID, Status.FAIL, "the server answered 101 with a wrong Sec-WebSocket-Accept",
                               "The endpoint is not a conforming WebSocket server (or a proxy rewrote it).")]
        if outcome.status in (401, 403):
            msg = error_message(json_object(outcome))
            return [ctx.result(ID, Status.FAIL, f"the server refused the handshake (HTTP {outcome.status}"
                               + (f": {msg})" if msg else ")"), "Check the key the server expects.",
                               http_status=outcome.status)]
        if outcome.status in (400, 404, 405, 426) or 200 <= outcome.status < 300:
            return [ctx.result(ID, Status.FAIL, f"no WebSocket at this URL (HTTP {outcome.status} instead of 101)",
                               "Check the path: it must be the WebSocket endpoint, not the HTTP API.",
                               http_status=outcome.status)]
        return [ctx.indeterminate(ID, outcome, "WebSocket handshake")]


PROBE = CustomProbe

"""Fake WebSocket server for the ``custom`` provider (``custom_websocket_url``)."""

from __future__ import annotations

import base64
import hashlib

from ..asgi import FakeApp, Request, Response
from . import Wiring


class WebSocketFake(FakeApp):
    """A WebSocket endpoint for the ``custom`` provider, answering the opening
    handshake as an RFC 6455 §4.2 server does: ``/ws`` accepts it;
    ``/subprotocol`` insists on the ``chat`` subprotocol (400 without it, as
    e.g. servers built on the ``websockets`` library do); a bad key is 400 and
    another version is 426 with ``Sec-WebSocket-Version: 13`` (§4.2.2, §4.4).
    """

    name = "ws"
    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def setup(self) -> None:
        for path in ("/ws", "/subprotocol"):
            self.route("GET", path, self.upgrade)
            self.route("WEBSOCKET", path, self.upgrade)

    def upgrade(self, r: Request) -> Response:
        key = r.headers.get("sec-websocket-key", "")
        if r.method == "GET" and r.headers.get("upgrade", "").lower() != "websocket":
            return Response(426, "Upgrade Required", {"upgrade": "websocket", "connection": "Upgrade"})
        if r.method == "GET":
            try:
                valid_key = len(base64.b64decode(key, validate=True)) == 16
            except ValueError:
                valid_key = False
            if not valid_key:
                return Response(400, "Bad Request: Sec-WebSocket-Key must be 16 bytes, base64-encoded")
            if r.headers.get("sec-websocket-version", "").strip() != "13":
                return Response(426, "Upgrade Required", {"sec-websocket-version": "13"})
        protocols = {p.strip() for p in r.headers.get("sec-websocket-protocol", "").split(",") if p.strip()}
        if r.path == "/subprotocol" and "chat" not in protocols:
            return Response(400, "Failed to open a WebSocket connection: missing subprotocol (chat).")
        accept = base64.b64encode(hashlib.sha1((key + self.GUID).encode()).digest()).decode()
        headers = {"upgrade": "websocket", "connection": "Upgrade", "sec-websocket-accept": accept}
        if "chat" in protocols:
            headers["sec-websocket-protocol"] = "chat"
        return Response(101, None, headers)


# the demo's custom_websocket_url is ${ONEINBOX_SANDBOX_WS}/ws/ws (the demo sets the variable)
WIRING = Wiring(apps=lambda: {"ws": WebSocketFake()}, unlisted=True)

"""A hostile server on loopback that echoes the credential it was sent.

Real sockets (the checker's real httpx transport), one thread per request. The
first path segment picks how the key comes back inside an error message:
whole, cut by the server, cut by the checker's own shortening (a long message
with the key near its end), missing a character, changed in one character,
split across lines, base64- or URL-encoded, inside a very long message — and a
few bodies that are hostile in other ways (escape sequences, a lone surrogate).
``/MODE/500/...`` answers 500 instead of 401 (the indeterminate path).

The credential is the Bearer token, the password of Basic auth, or the value of
a provider's own key header (``x-api-key``, ``xi-api-key``, …); GET and POST alike.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

PAD = "The API key you sent was not accepted by this server; please read the documentation. " * 2


def _credential(header: str) -> str:
    if header.lower().startswith("bearer "):
        return header[7:]
    if header.lower().startswith("basic "):
        try:
            return base64.b64decode(header[6:]).decode().partition(":")[2]
        except ValueError:
            return ""
    return header


KEY_HEADERS = ("x-api-key", "xi-api-key", "ocp-apim-subscription-key", "api-key", "x-goog-api-key")


def _sent_key(headers: Mapping[str, str]) -> str:
    """The credential of a request, wherever its provider puts it (header names in any case)."""
    lower = {name.lower(): value for name, value in headers.items()}
    if lower.get("authorization"):
        return _credential(lower["authorization"])
    return next((lower[name] for name in KEY_HEADERS if lower.get(name)), "")


ECHOES: dict[str, Callable[[str], str]] = {
    "whole": lambda k: f"Incorrect API key provided: {k}. Find your key in the dashboard.",
    # the key starts near character 170: the checker's ~200-character cut lands inside it
    "truncated": lambda k: PAD[:170] + k + " was rejected",
    "server-cut": lambda k: f"Incorrect API key provided: {k[:30]}***********",
    "partly-masked": lambda k: f"Incorrect API key provided: {k[:8]}****{k[20:]}",
    "missing-char": lambda k: f"Incorrect API key provided: {k[:20]}{k[21:]}",
    "changed-char": lambda k: f"Incorrect API key provided: {k[:20]}#{k[21:]}",
    "split-lines": lambda k: f"Incorrect API key provided:\n{k[:25]}\n    {k[25:50]}\r\n{k[50:]}\nbye",
    "base64": lambda k: f"credential {base64.b64encode(k.encode()).decode()} rejected",
    "base64-pair": lambda k: f"Basic {base64.b64encode(('user:' + k).encode()).decode()} rejected",
    "base64-blob": lambda k: "token " + base64.urlsafe_b64encode(json.dumps({"key": k}).encode()).decode().rstrip("="),
    "urlencoded": lambda k: f"GET /v1/check?key={quote(k, safe='')} failed",
    "long": lambda k: "a" * 5000 + " " + k + " " + "b" * 5000,
    "escape": lambda k: "\x1b[2J\x1b[H\x1b]0;pwned\x07bad key\x00\x08\x0b\u202e\x9b31m done",
}


class EchoServer:
    """``with EchoServer() as server: server.base`` → ``http://127.0.0.1:PORT``."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                outer.requests.append((self.path, dict(self.headers)))
                parts = self.path.strip("/").split("/")
                mode = parts[0]
                status = 500 if len(parts) > 1 and parts[1] == "500" else 401
                key = _sent_key(self.headers)
                if mode == "surrogate":  # JSON that decodes to a lone surrogate
                    body = b'{"error": {"message": "bad key \\ud800 here", "code": "invalid_api_key"}}'
                else:
                    message = ECHOES.get(mode, ECHOES["whole"])(key)
                    body = json.dumps({"error": {"message": message, "type": "invalid_request_error",
                                                 "code": "invalid_api_key"}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
                self.rfile.read(length)
                self.do_GET()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "EchoServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

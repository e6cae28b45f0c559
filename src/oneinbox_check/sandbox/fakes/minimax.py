"""Fake of MiniMax's ``GET /v1/files/list`` (verdicts in ``base_resp``, always HTTP 200)."""

from __future__ import annotations

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


# MiniMax base_resp codes (platform.minimax.io error codes; providers.md); the 1004 text is observed,
# the other status_msg texts are unconfirmed
MINIMAX_CODES = {"valid": (0, "success"), "auth_failed": (1004, "login fail: Please carry the API secret key in the "
                 "'Authorization' field of the request header"), "no_balance": (1008, "insufficient balance"),
                 "rate_limited": (1002, "rate limit exceeded"), "invalid": (2049, "invalid api key")}


class MinimaxFake(KeyedApp):
    """States: valid, auth_failed (1004), no_balance (1008), rate_limited (1002); else invalid (2049)."""

    name = "minimax"

    def setup(self) -> None:
        self.route("GET", "/v1/files/list", self.files)

    def files(self, r: Request) -> Response:
        # MiniMax answers HTTP 200 either way; the verdict is in base_resp (providers.md).
        # The current API needs only the Bearer key; a GroupId query parameter is tolerated.
        state = self.state(r.bearer())
        code, msg = MINIMAX_CODES.get(state or "invalid", MINIMAX_CODES["invalid"])
        if code == 0:
            # File list shape: files[] of {file_id, bytes, created_at, filename, purpose} (MiniMax File API; unconfirmed)
            return json_response(200, {"files": [], "base_resp": {"status_code": 0, "status_msg": msg}})
        return json_response(200, {"base_resp": {"status_code": code, "status_msg": msg}})


WIRING = Wiring(apps=lambda: {"minimax": MinimaxFake({})})

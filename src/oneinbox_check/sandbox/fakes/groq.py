"""Fake of Groq's OpenAI-compatible ``GET /openai/v1/models``."""

from __future__ import annotations

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


class GroqFake(KeyedApp):
    name = "groq"

    def setup(self) -> None:
        self.route("GET", "/openai/v1/models", self.models)

    def models(self, r: Request) -> Response:
        # Groq API reference "List models": OpenAI-style list; errors OpenAI-style (console.groq.com/docs/errors)
        if self.state(r.bearer()) == "valid":
            return json_response(200, {"object": "list", "data": [
                {"id": "llama-3.3-70b-versatile", "object": "model", "created": 1733447754, "owned_by": "Meta",
                 "active": True, "context_window": 131072}]})
        return json_response(401, {"error": {"message": "Invalid API Key", "type": "invalid_request_error",
                                             "code": "invalid_api_key"}})


# the demo's Groq key is known to no account: revoked
KEYS = {"SANDBOX_GROQ_REVOKED_KEY": "gsk_sandboxFAKEkeyRevoked7Hq2Lp9Xw4Mz8Tc3Vb6Nd1Kf5Jg0YsE"}

WIRING = Wiring(keys=KEYS, apps=lambda: {"groq": GroqFake({})})

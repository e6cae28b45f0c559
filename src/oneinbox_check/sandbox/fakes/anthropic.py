"""Fake of Anthropic's ``GET /v1/models``."""

from __future__ import annotations

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


def _anthropic_error(kind: str, message: str) -> dict:
    # https://docs.claude.com/en/api/errors: {"type": "error", "error": {"type", "message"}, "request_id"}
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_018EeWyXxfu5pfWkrYcMdjWG"}


class AnthropicFake(KeyedApp):
    """States: valid, forbidden (permission_error), disabled (404 not_found_error), overloaded; else invalid."""

    name = "anthropic"

    def setup(self) -> None:
        self.route("GET", "/v1/models", self.models)

    def models(self, r: Request) -> Response:
        state = self.state(r.headers.get("x-api-key"))
        if r.headers.get("anthropic-version") is None:  # the header is required (versioning docs); text unconfirmed
            return json_response(400, _anthropic_error("invalid_request_error", "anthropic-version: header is required"))
        if state == "valid":
            # https://docs.anthropic.com/en/api/models-list
            return json_response(200, {"data": [{"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude",
                                                 "created_at": "2025-09-29T00:00:00Z"}],
                                       "has_more": False, "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5"})
        if state == "forbidden":
            return json_response(403, _anthropic_error(
                "permission_error", "Your API key does not have permission to use the specified resource."))
        if state == "disabled":
            # a disabled or deleted key (trufflehog's Anthropic verifier, providers.md); the message is the
            # errors page's example for not_found_error
            return json_response(404, _anthropic_error("not_found_error", "The requested resource could not be found."))
        if state == "overloaded":
            return json_response(529, _anthropic_error("overloaded_error", "Overloaded"))
        return json_response(401, _anthropic_error("authentication_error", "invalid x-api-key"))  # observed text


KEYS = {"SANDBOX_ANTHROPIC_KEY": "sk-ant-api03-sandboxFAKEkey"
                                 + "Zq8Wv3Xt6Yr1Us4Tp7Oq2Nm5Lk9Jh0Gf3Ed6Cb8Az1Yx4Wv7Ut2Sr5Qp9On3Ml6Kj0Ih" + "-AAAAAAAAAA"}

WIRING = Wiring(keys=KEYS, apps=lambda: {"anthropic": AnthropicFake({KEYS["SANDBOX_ANTHROPIC_KEY"]: "valid"})})

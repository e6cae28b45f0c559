"""Fake of Cartesia's ``GET /voices``."""

from __future__ import annotations

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


def _cartesia_error(code: str | None, title: str, message: str) -> dict:
    # https://docs.cartesia.ai/use-the-api/api-errors (Cartesia-Version 2026-03-01 and later)
    return {"error_code": code, "title": title, "message": message,
            "request_id": "550e8400-e29b-41d4-a716-446655440000"}


class CartesiaFake(KeyedApp):
    name = "cartesia"

    def setup(self) -> None:
        self.route("GET", "/voices", self.voices)

    def voices(self, r: Request) -> Response:
        if not r.headers.get("cartesia-version"):
            # providers.md: a missing version header is answered 400; the body text is unconfirmed
            return json_response(400, _cartesia_error(None, "Bad Request", "Cartesia-Version header is required"))
        # docs.cartesia.ai API conventions: Authorization: Bearer <api_key>; "Authenticate your client
        # applications" (ja-jp) says X-Api-Key is accepted too, so both are (the probe sends Bearer)
        if self.state(r.bearer() or r.headers.get("x-api-key")) == "valid":
            # GET /voices: cursor page {data: [Voice], has_more}; Voice fields as cartesia-python types/voice.py
            return json_response(200, {"data": [{
                "id": "a0e99841-438c-4a64-b679-ae501e7d6091", "name": "Sandbox", "description": "Sandbox voice",
                "is_owner": False, "language": "en", "created_at": "2025-01-01T00:00:00Z", "access": "public"}],
                "has_more": False})
        # envelope documented; the error_code value and texts for a bad key are unconfirmed
        return json_response(401, _cartesia_error("invalid_api_key", "Unauthorized", "Invalid API key"))


KEYS = {"SANDBOX_CARTESIA_KEY": "sk_car_sandboxFAKEkeyW7x2Q9z4"}

WIRING = Wiring(keys=KEYS, apps=lambda: {"cartesia": CartesiaFake({KEYS["SANDBOX_CARTESIA_KEY"]: "valid"})})

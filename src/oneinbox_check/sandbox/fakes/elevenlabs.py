"""Fake of ElevenLabs' user, subscription and voices endpoints."""

from __future__ import annotations

from ..asgi import Fault, KeyedApp, Request, Response, json_response
from . import Wiring


# ElevenLabs character usage by key state: (character_count, character_limit, status, can extend, extension)
ELEVEN_QUOTAS: dict[str, tuple[int, int, str, bool, int | None]] = {
    "valid": (1200, 100000, "active", True, None), "restricted": (1200, 100000, "active", True, None),
    "quota_low": (92500, 100000, "active", False, None), "quota_exhausted": (100000, 100000, "active", False, None),
    "quota_overage": (104000, 100000, "active", True, 50000), "past_due": (1200, 100000, "past_due", True, None),
}


def _next_reset_unix() -> int:
    """The first day of next month, 00:00 UTC (a monthly character refresh)."""
    import datetime as dt

    today = dt.datetime.now(dt.UTC)
    first = dt.datetime(today.year + today.month // 12, today.month % 12 + 1, 1, tzinfo=dt.UTC)
    return int(first.timestamp())


def _eleven_subscription(state: str) -> dict:
    # elevenlabs-docs openapi.json SubscriptionResponseModel (every required field, plus the reset time)
    count, limit, status, extendable, extension = ELEVEN_QUOTAS.get(state, ELEVEN_QUOTAS["valid"])
    return {"tier": "creator", "character_count": count, "character_limit": limit,
            "max_character_limit_extension": extension, "can_extend_character_limit": extendable,
            "allowed_to_extend_character_limit": extendable, "next_character_count_reset_unix": _next_reset_unix(),
            "voice_slots_used": 1, "professional_voice_slots_used": 0, "voice_limit": 30, "voice_add_edit_counter": 0,
            "professional_voice_limit": 1, "can_extend_voice_limit": False, "can_use_instant_voice_cloning": True,
            "can_use_professional_voice_cloning": True, "status": status}


def _eleven_user(state: str) -> dict:
    # elevenlabs-docs openapi.json UserResponseModel (required fields)
    return {"user_id": "sandbox-user", "is_new_user": False, "can_use_delayed_payment_methods": False,
            "is_onboarding_completed": True, "is_onboarding_checklist_completed": True, "created_at": 1700000000,
            "subscription": _eleven_subscription(state)}


class ElevenLabsFake(KeyedApp):
    """States: valid, restricted (no user_read), and the ELEVEN_QUOTAS usage states; else invalid."""

    name = "elevenlabs"

    def setup(self) -> None:
        self.route("GET", "/v1/user", self.user)
        self.route("GET", "/v1/user/subscription", self.subscription)
        self.route("GET", "/v1/voices", self.voices)

    # 401 bodies: help.elevenlabs.io "API - Error Code 400 or 401" ({"detail": {"status", "message"}});
    # the OpenAPI spec documents only 200 and 422 for these operations
    def _denied(self, state: str | None) -> Response | None:
        if state == "restricted":
            return json_response(401, {"detail": {"status": "missing_permissions",
                                                  "message": "The API key you used is missing the permission user_read to execute this operation."}})
        if state not in ELEVEN_QUOTAS:
            return json_response(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})
        return None

    def user(self, r: Request) -> Response:
        state = self.state(r.headers.get("xi-api-key"))
        return self._denied(state) or json_response(200, _eleven_user(state or "valid"))

    def subscription(self, r: Request) -> Response:
        state = self.state(r.headers.get("xi-api-key"))
        denied = self._denied(state)
        if denied is not None:
            return denied
        # ExtendedSubscriptionResponseModel: the subscription plus billing fields (has_open_invoices required)
        return json_response(200, {**_eleven_subscription(state or "valid"), "currency": "usd",
                                   "billing_period": "monthly_period", "character_refresh_period": "monthly_period",
                                   "next_invoice": {"amount_due_cents": 2200,
                                                    "next_payment_attempt_unix": _next_reset_unix()},
                                   "has_open_invoices": state == "past_due", "pending_change": None})

    def voices(self, r: Request) -> Response:
        if self.state(r.headers.get("xi-api-key")) in ELEVEN_QUOTAS:
            # GetVoicesResponseModel / VoiceResponseModel required fields
            return json_response(200, {"voices": [{"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel",
                                                   "category": "premade", "labels": {"accent": "american"},
                                                   "available_for_tiers": [], "high_quality_base_model_ids": []}]})
        return json_response(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})


KEYS = {
    "SANDBOX_ELEVENLABS_KEY": "sk_" + "4e1f0c2b9a8d7e6f" * 3,
    "SANDBOX_ELEVENLABS_QUOTA_KEY": "sk_" + "7a6b5c4d3e2f1a0b" * 3,
}


def _apps() -> dict[str, ElevenLabsFake]:
    fake = ElevenLabsFake({KEYS["SANDBOX_ELEVENLABS_KEY"]: "valid",
                           KEYS["SANDBOX_ELEVENLABS_QUOTA_KEY"]: "quota_exhausted"})
    # ElevenLabs is "having an outage" for the demo's first key: every request with it answers 503.
    fake.faults.append(Fault(path="/v1/.*", key=KEYS["SANDBOX_ELEVENLABS_KEY"], status=503, body={
        "detail": {"status": "service_unavailable", "message": "Service temporarily unavailable"}}))
    return {"elevenlabs": fake}


WIRING = Wiring(keys=KEYS, apps=_apps)

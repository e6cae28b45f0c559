"""Fakes for providers whose live check is a single authenticated GET
(LLM, STT and TTS providers)."""

from __future__ import annotations

import base64
import hashlib

from ..asgi import FakeApp, Request, Response, json_response


class KeyedApp(FakeApp):
    """A fake whose answers depend on the key's state."""

    def __init__(self, keys: dict[str, str] | None = None):
        self.keys: dict[str, str] = dict(keys or {})
        super().__init__()

    def state(self, key: str | None) -> str | None:
        return self.keys.get(key or "")


# Every answer below is in the provider's documented shape; the source is named
# next to it. Shapes no public material confirms are marked "unconfirmed".
# tests/contract/ validates these answers against the published OpenAPI specs
# (OpenAI, Deepgram, AssemblyAI, ElevenLabs) and against the recorded answers in
# fixtures/recorded/ (Anthropic, Groq, Cartesia, MiniMax, Shisa, Azure Speech).


def _openai_error(message: str, code: str | None, type_: str = "invalid_request_error") -> dict:
    # openai/openai-openapi ErrorResponse: error.{message, type, param, code}, all four required
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


def _models() -> list[dict]:
    # openai/openai-openapi Model: id, object "model", created (unix time), owned_by required
    return [{"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"},
            {"id": "whisper-1", "object": "model", "created": 1677532384, "owned_by": "openai-internal"}]


# OpenAI 429 billing answers: type insufficient_quota with one of these codes (providers.md)
OPENAI_QUOTA_CODES = {
    "quota": "insufficient_quota", "credit_exhausted": "credit_balance_exhausted",
    "org_spend_limit": "organization_spend_limit_exceeded", "project_spend_limit": "project_spend_limit_exceeded",
    "usage_limit": "organization_usage_limit_exceeded", "quota_no_code": None,
}


class OpenAIFake(KeyedApp):
    """States: valid, restricted (cannot list models), ip_blocked, one of OPENAI_QUOTA_CODES; else invalid."""

    name = "openai"

    def setup(self) -> None:
        self.route("GET", "/v1/models", self.models)

    def models(self, r: Request) -> Response:
        state = self.state(r.bearer())
        if r.bearer() is None:  # observed answer to a request without a key
            return json_response(401, _openai_error(
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", None))
        if state == "valid":
            return json_response(200, {"object": "list", "data": _models()})
        if state == "restricted":
            # observed text (community.openai.com "Admin Keys Not Working: Missing Scopes…")
            return json_response(401, _openai_error(
                "You have insufficient permissions for this operation. Missing scopes: api.model.read. Check that "
                "you have the correct role in your organization (Reader, Writer, Owner) and project (Viewer, "
                "Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.", None))
        if state == "ip_blocked":
            # OpenAI error-codes guide: "401 - IP not authorized"; the exact message and code are unconfirmed
            return json_response(401, _openai_error(
                "IP not authorized: your request IP does not match the configured IP allowlist for this project.",
                "ip_not_authorized"))
        if state in OPENAI_QUOTA_CODES:
            return json_response(429, _openai_error(
                "You exceeded your current quota, please check your plan and billing details.",
                OPENAI_QUOTA_CODES[state], "insufficient_quota"))
        # error-codes guide "401 - Incorrect API key provided"; code invalid_api_key (providers.md)
        return json_response(401, _openai_error(
            "Incorrect API key provided: sk-proj-****. You can find your API key at "
            "https://platform.openai.com/account/api-keys.", "invalid_api_key"))


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


DEEPGRAM_PROJECT = "3b5a0c2e-0000-4000-8000-000000000001"

# Deepgram balance rows by key state: deepgram-api-specs ListProjectBalancesV1ResponseBalancesItems
# {balance_id, amount (double), units, purchase_order_id}; units "usd" as in Deepgram's community answer
# "Deepgram credit balance retrieval" (the spec's description says "such as USD")
DEEPGRAM_BALANCES: dict[str, list[float]] = {
    "valid": [104.56822227], "restricted": [104.56822227], "low_balance": [2.5], "no_credit": [0.0],
    "no_balances": [], "billing_forbidden": [], "balance_outage": [],
}


class DeepgramFake(KeyedApp):
    """States: valid, restricted (cannot list projects), low_balance, no_credit, no_balances (pay-as-you-go),
    billing_forbidden (balances 403), balance_outage (balances 503); else invalid."""

    name = "deepgram"

    def setup(self) -> None:
        self.route("GET", "/v1/projects", self.projects)
        self.route("GET", r"/v1/projects/(?P<project_id>[^/]+)/balances", self.balances)

    def _state(self, r: Request) -> str | None:
        auth = r.headers.get("authorization", "")
        return self.state(auth[6:] if auth.startswith("Token ") else None)

    def projects(self, r: Request) -> Response:
        state = self._state(r)
        if state in DEEPGRAM_BALANCES and state != "restricted":
            # deepgram-api-specs ListProjectsV1Response
            return json_response(200, {"projects": [{"project_id": DEEPGRAM_PROJECT, "name": "Sandbox"}]})
        if state == "restricted":
            # ErrorResponseLegacyError shape; the 403 code/text for a role that cannot list projects is unconfirmed
            return json_response(403, {"err_code": "FORBIDDEN", "err_msg": "Insufficient permissions.",
                                       "request_id": "00000000-0000-4000-8000-000000000403"})
        return self._invalid()

    def balances(self, r: Request) -> Response:
        state = self._state(r)
        if state is None:
            return self._invalid()
        if r.params["project_id"] != DEEPGRAM_PROJECT:
            # the spec's only documented error for this operation: 400 ErrorResponse; the text is unconfirmed
            return json_response(400, {"err_code": "Bad Request", "err_msg": "Invalid project id.",
                                       "request_id": "00000000-0000-4000-8000-000000000400"})
        if state in ("billing_forbidden", "restricted"):
            # observed for a key whose role lacks the scope (third-party report of Deepgram's management API);
            # legacy ErrorResponse shape. The status (403) is not in the spec.
            return json_response(403, {"err_code": "INSUFFICIENT_PERMISSIONS",
                                       "err_msg": "Your account does not have the required scope to perform that "
                                                  "action for this project.",
                                       "request_id": "00000000-0000-4000-8000-000000000403"})
        if state == "balance_outage":
            return json_response(503, {"err_code": "SERVICE_UNAVAILABLE", "err_msg": "Service unavailable.",
                                       "request_id": "00000000-0000-4000-8000-000000000503"})
        return json_response(200, {"balances": [
            {"balance_id": f"00000000-0000-4000-9000-00000000000{i}", "amount": amount, "units": "usd",
             "purchase_order_id": f"00000000-0000-4000-a000-00000000000{i}"}
            for i, amount in enumerate(DEEPGRAM_BALANCES[state], 1)]})

    @staticmethod
    def _invalid() -> Response:
        # ErrorResponseLegacyError; INVALID_AUTH per providers.md
        return json_response(401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials.",
                                   "request_id": "00000000-0000-4000-8000-000000000401"})


class AssemblyAIFake(KeyedApp):
    name = "assemblyai"

    def setup(self) -> None:
        self.route("GET", "/v2/transcript", self.transcripts)

    def transcripts(self, r: Request) -> Response:
        if self.state(r.headers.get("authorization")) == "valid":
            limit = r.query.get("limit", "10")
            # assemblyai-api-spec TranscriptList / PageDetails (all five page_details fields required)
            return json_response(200, {"page_details": {
                "limit": int(limit) if limit.isdigit() else 10, "result_count": 0,
                "current_url": f"https://api.assemblyai.com/v2/transcript?limit={limit}",
                "prev_url": None, "next_url": None}, "transcripts": []})
        # assemblyai-api-spec components/responses/Unauthorized example
        return json_response(401, {"error": "Authentication error, API token missing/invalid"})


class AzureFake(KeyedApp):
    """States: valid, quota, vnet (network-restricted resource); else invalid."""

    name = "azure"

    def setup(self) -> None:
        self.route("POST", "/sts/v1.0/issueToken", self.token)

    def token(self, r: Request) -> Response:
        state = self.state(r.headers.get("ocp-apim-subscription-key"))
        if state == "valid":
            # Speech REST docs: the body is the access token (a JWT)
            return Response(200, "eyJhbGciOiJIUzI1NiJ9.eyJyZWdpb24iOiJlYXN0dXMifQ.c2FuZGJveA",
                            {"content-type": "application/jwt"})
        if state == "quota":
            # message observed in Azure AI services answers; envelope as the 401's
            return json_response(403, {"error": {"code": "403", "message": "Out of call volume quota. Quota will be "
                                                 "replenished in 2.12:00:00."}})
        if state == "vnet":
            # observed: Azure-Samples/azure-sql-db-chatbot#3
            return json_response(403, {"error": {"code": "403",
                                                 "message": "Access denied due to Virtual Network/Firewall rules."}})
        # observed envelope; text as Azure AI services give it for a bad key or a wrong regional endpoint
        return json_response(401, {"error": {"code": "401", "message": "Access denied due to invalid subscription key "
                                             "or wrong API endpoint. Make sure to provide a valid key for an active "
                                             "subscription and use a correct regional API endpoint for your resource."}})


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


class ShisaFake(KeyedApp):
    name = "shisa"

    def setup(self) -> None:
        self.route("GET", "/tts/voices", self.voices)

    def voices(self, r: Request) -> Response:
        if self.state(r.bearer()) == "valid":
            # a JSON array of voices (vendor TTS page, providers.md); voice fields as public Shisa clients read them
            return json_response(200, [{"id": "61ba1141-60aa-4bc3-a3b3-be1ec20700b3", "displayName": "Sandbox",
                                        "language": "Japanese", "formats": ["mp3", "wav"]}])
        # unconfirmed: Shisa's error body is not published (FastAPI-style {"detail": …} assumed)
        return json_response(401, {"detail": "Invalid API key"})


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

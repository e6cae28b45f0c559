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


def _models() -> list[dict]:
    return [{"id": "gpt-4o-mini", "object": "model", "owned_by": "system"},
            {"id": "whisper-1", "object": "model", "owned_by": "system"}]


class OpenAIFake(KeyedApp):
    name = "openai"

    def setup(self) -> None:
        self.route("GET", "/v1/models", self.models)

    def models(self, r: Request) -> Response:
        state = self.state(r.bearer())
        if state == "valid":
            return json_response(200, {"object": "list", "data": _models()})
        if state == "restricted":
            return json_response(401, {"error": {
                "message": "You have insufficient permissions for this operation. Missing scopes: api.model.read.",
                "type": "invalid_request_error", "param": None, "code": None}})
        if state == "quota":
            return json_response(429, {"error": {
                "message": "You exceeded your current quota, please check your plan and billing details.",
                "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}})
        return json_response(401, {"error": {
            "message": "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
            "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}})


class GroqFake(KeyedApp):
    name = "groq"

    def setup(self) -> None:
        self.route("GET", "/openai/v1/models", self.models)

    def models(self, r: Request) -> Response:
        if self.state(r.bearer()) == "valid":
            return json_response(200, {"object": "list", "data": [{"id": "llama-3.3-70b-versatile", "object": "model"}]})
        return json_response(401, {"error": {"message": "Invalid API Key", "type": "invalid_request_error",
                                             "code": "invalid_api_key"}})


class AnthropicFake(KeyedApp):
    name = "anthropic"

    def setup(self) -> None:
        self.route("GET", "/v1/models", self.models)

    def models(self, r: Request) -> Response:
        state = self.state(r.headers.get("x-api-key"))
        if r.headers.get("anthropic-version") is None:
            return json_response(400, {"type": "error", "error": {"type": "invalid_request_error",
                                                                  "message": "anthropic-version: header is required"}})
        if state == "valid":
            return json_response(200, {"data": [{"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude"}],
                                       "has_more": False, "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5"})
        if state == "forbidden":
            return json_response(403, {"type": "error", "error": {"type": "permission_error",
                                                                  "message": "Your API key does not have permission to use the specified resource."}})
        if state == "overloaded":
            return json_response(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
        return json_response(401, {"type": "error", "error": {"type": "authentication_error",
                                                              "message": "invalid x-api-key"}})


class DeepgramFake(KeyedApp):
    name = "deepgram"

    def setup(self) -> None:
        self.route("GET", "/v1/projects", self.projects)

    def projects(self, r: Request) -> Response:
        auth = r.headers.get("authorization", "")
        state = self.state(auth[6:] if auth.startswith("Token ") else None)
        if state == "valid":
            return json_response(200, {"projects": [{"project_id": "3b5a0c2e-0000-4000-8000-000000000001", "name": "Sandbox"}]})
        if state == "restricted":
            return json_response(403, {"err_code": "FORBIDDEN", "err_msg": "Insufficient permissions.",
                                       "request_id": "sandbox"})
        return json_response(401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials.",
                                   "request_id": "sandbox"})


class AssemblyAIFake(KeyedApp):
    name = "assemblyai"

    def setup(self) -> None:
        self.route("GET", "/v2/transcript", self.transcripts)

    def transcripts(self, r: Request) -> Response:
        if self.state(r.headers.get("authorization")) == "valid":
            return json_response(200, {"page_details": {"limit": 1, "result_count": 0}, "transcripts": []})
        return json_response(401, {"error": "Authentication error, API token missing/invalid"})


class AzureFake(KeyedApp):
    name = "azure"

    def setup(self) -> None:
        self.route("POST", "/sts/v1.0/issueToken", self.token)

    def token(self, r: Request) -> Response:
        state = self.state(r.headers.get("ocp-apim-subscription-key"))
        if state == "valid":
            return Response(200, "eyJhbGciOiJIUzI1NiJ9.eyJyZWdpb24iOiJlYXN0dXMifQ.c2FuZGJveA", {"content-type": "application/jwt"})
        if state == "quota":
            return json_response(403, {"error": {"code": "403", "message": "Out of call volume quota."}})
        return json_response(401, {"error": {"code": "401", "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}})


class CartesiaFake(KeyedApp):
    name = "cartesia"

    def setup(self) -> None:
        self.route("GET", "/voices", self.voices)

    def voices(self, r: Request) -> Response:
        if not r.headers.get("cartesia-version"):
            return json_response(400, {"error": "Cartesia-Version header is required"})
        key = r.headers.get("x-api-key") or r.bearer()
        if self.state(key) == "valid":
            return json_response(200, {"data": [{"id": "a0e99841-438c-4a64-b679-ae501e7d6091", "name": "Sandbox"}],
                                       "has_more": False})
        return json_response(401, {"error": "Invalid API key"})


class ElevenLabsFake(KeyedApp):
    name = "elevenlabs"

    def setup(self) -> None:
        self.route("GET", "/v1/user", self.user)
        self.route("GET", "/v1/voices", self.voices)

    def user(self, r: Request) -> Response:
        state = self.state(r.headers.get("xi-api-key"))
        if state == "valid":
            return json_response(200, {"subscription": {"tier": "creator", "character_count": 1200,
                                                        "character_limit": 100000}, "is_new_user": False})
        if state == "restricted":
            return json_response(401, {"detail": {"status": "missing_permissions",
                                                  "message": "The API key you used is missing the permission user_read to execute this operation."}})
        return json_response(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})

    def voices(self, r: Request) -> Response:
        if self.state(r.headers.get("xi-api-key")) in ("valid", "restricted"):
            return json_response(200, {"voices": [{"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel"}]})
        return json_response(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})


class MinimaxFake(KeyedApp):
    name = "minimax"

    def setup(self) -> None:
        self.route("GET", "/v1/files/list", self.files)

    def files(self, r: Request) -> Response:
        # MiniMax answers HTTP 200 either way; the verdict is in base_resp.
        if self.state(r.bearer()) == "valid":
            return json_response(200, {"files": [], "base_resp": {"status_code": 0, "status_msg": "success"}})
        return json_response(200, {"base_resp": {"status_code": 1004, "status_msg": "login fail: Please carry the API secret key in the 'Authorization' field of the request header"}})


class ShisaFake(KeyedApp):
    name = "shisa"

    def setup(self) -> None:
        self.route("GET", "/tts/voices", self.voices)

    def voices(self, r: Request) -> Response:
        if self.state(r.bearer()) == "valid":
            return json_response(200, {"voices": [{"id": "sandbox", "name": "Sandbox"}]})
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

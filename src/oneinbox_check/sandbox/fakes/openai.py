"""Fake of OpenAI's ``GET /v1/models`` (also serves the ``whisper`` provider)."""

from __future__ import annotations

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring


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


KEYS = {
    "SANDBOX_OPENAI_KEY": "sk-proj-sandboxFAKEkeyQm3Vx8Lr2Tz6Hn1Wc9Pb4Ky7Dg5Js0Af3Ue8Io2Na6Rl",
    "SANDBOX_OPENAI_RESTRICTED_KEY": "sk-proj-sandboxFAKEkeyRst7Bq2Xm9Lw4Zc6Hv1Np8Tk3Dy5Gf0Ja7Us2Me4Wo9",
}

WIRING = Wiring(keys=KEYS, apps=lambda: {"openai": OpenAIFake({
    KEYS["SANDBOX_OPENAI_KEY"]: "valid", KEYS["SANDBOX_OPENAI_RESTRICTED_KEY"]: "restricted"})})

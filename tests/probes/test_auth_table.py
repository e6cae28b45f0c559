"""key.auth (and key.scope) for the single-request providers: which answers are
determinate (pass/fail) and which are indeterminate (error), one row each.

Responses are in providers.md's shapes, mocked with respx on loopback endpoints.
"""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.models import CheckResult
from oneinbox_check.sandbox.asgi import FakeApp
from oneinbox_check.sandbox.network import FakeNetwork

pytestmark = pytest.mark.anyio
BASE = "http://127.0.0.1:7"

KEYS = {
    "openai": "sk-proj-" + "Ab1" * 20, "whisper": "sk-proj-" + "Cd2" * 20, "anthropic": "sk-ant-api03-" + "Ef3" * 31,
    "groq": "gsk_" + "Gh4j" * 13, "deepgram": "0123456789" * 4, "assembly_ai": "abcdef0123456789" * 2,
    "azure": "0123456789abcdef" * 2, "cartesia": "sk_car_" + "Kl5m" * 6, "elevenlabs": "sk_" + "0a1b2c3d" * 6,
    "minimax": "sk-api-" + "Np6q" * 15, "shisa": "shisa" + "Rs7t" * 9, "telnyx": "KEY" + "0A1B2C3D" * 4 + "_" + "Uv8w" * 5 + "xy",
}
PATHS = {
    "openai": ("GET", "/openai/v1/models"), "whisper": ("GET", "/openai/v1/models"),
    "anthropic": ("GET", "/anthropic/v1/models"), "groq": ("GET", "/groq/openai/v1/models"),
    "deepgram": ("GET", "/deepgram/v1/projects"), "assembly_ai": ("GET", "/assemblyai/v2/transcript"),
    "azure": ("POST", "/azure/sts/v1.0/issueToken"), "cartesia": ("GET", "/cartesia/voices"),
    "elevenlabs": ("GET", "/elevenlabs/v1/user"), "minimax": ("GET", "/minimax/v1/files/list"),
    "shisa": ("GET", "/shisa/tts/voices"), "telnyx": ("GET", "/telnyx/v2/balance"),
}
ENDPOINTS = {n: f"{BASE}/{n}" for n in ("openai", "anthropic", "groq", "deepgram", "assemblyai", "azure", "cartesia",
                                       "elevenlabs", "minimax", "shisa", "telnyx")}
META = {"azure": {"region": "eastus"}}


def j(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


OPENAI_INVALID = j(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                   "code": "invalid_api_key"}})
ROWS = [
    # provider, name, response, expected statuses
    ("openai", "valid", j(200, {"object": "list", "data": [{"id": "gpt-4o"}]}), {"key.auth": "pass", "key.scope": "skip"}),
    ("openai", "invalid", OPENAI_INVALID, {"key.auth": "fail", "key.scope": "skip"}),
    ("openai", "restricted", j(401, {"error": {"message": "You have insufficient permissions for this operation. "
                                                "Missing scopes: api.model.read.", "code": None}}),
     {"key.auth": "pass", "key.scope": "warn"}),
    ("openai", "no credit", j(429, {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota",
                                             "code": "insufficient_quota"}}), {"key.auth": "fail"}),
    ("openai", "rate limited", j(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                                 **{"retry-after": "0"}), {"key.auth": "error"}),
    ("openai", "server error", j(500, {"error": {"message": "The server had an error"}}), {"key.auth": "error"}),
    ("openai", "html body", httpx.Response(200, text="<html>captive portal</html>"), {"key.auth": "error"}),
    ("openai", "401 from a proxy in HTML", httpx.Response(401, text="<html>401 Unauthorized</html>"),
     {"key.auth": "error"}),
    ("whisper", "valid", j(200, {"object": "list", "data": []}), {"key.auth": "pass"}),
    ("whisper", "invalid", OPENAI_INVALID, {"key.auth": "fail"}),
    ("anthropic", "valid", j(200, {"data": [], "has_more": False}), {"key.auth": "pass", "key.scope": "pass"}),
    ("anthropic", "invalid", j(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
     {"key.auth": "fail"}),
    ("anthropic", "forbidden", j(403, {"type": "error", "error": {"type": "permission_error", "message": "no"}}),
     {"key.auth": "pass", "key.scope": "fail"}),
    ("anthropic", "overloaded", j(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
     {"key.auth": "error"}),
    ("groq", "valid", j(200, {"object": "list", "data": []}), {"key.auth": "pass"}),
    ("groq", "invalid", j(401, {"error": {"message": "Invalid API Key", "code": "invalid_api_key"}}), {"key.auth": "fail"}),
    ("groq", "bad gateway", j(502, {}, **{"retry-after": "0"}), {"key.auth": "error"}),
    ("deepgram", "valid", j(200, {"projects": []}), {"key.auth": "pass", "key.scope": "pass"}),
    ("deepgram", "invalid", j(401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials."}), {"key.auth": "fail"}),
    ("deepgram", "restricted", j(403, {"err_code": "FORBIDDEN"}), {"key.auth": "pass", "key.scope": "warn"}),
    ("assembly_ai", "valid", j(200, {"transcripts": []}), {"key.auth": "pass"}),
    ("assembly_ai", "invalid", j(401, {"error": "Authentication error, API token missing/invalid"}), {"key.auth": "fail"}),
    ("azure", "valid", httpx.Response(200, text="eyJhbGciOi.eyJyZWdpb24iOiJ9.c2ln"), {"key.auth": "pass"}),
    ("azure", "invalid", j(401, {"error": {"code": "401", "message": "Access denied"}}), {"key.auth": "fail"}),
    ("azure", "quota", j(403, {"error": {"code": "403", "message": "Out of call volume quota."}}), {"key.auth": "fail"}),
    ("azure", "outage", j(503, {}), {"key.auth": "error"}),
    ("azure", "403 page from a WAF", httpx.Response(403, text="<html>Forbidden</html>"), {"key.auth": "error"}),
    ("telnyx", "empty 401", httpx.Response(401), {"key.auth": "error"}),
    ("cartesia", "valid", j(200, {"data": []}), {"key.auth": "pass"}),
    ("cartesia", "invalid", j(401, {"error_code": "invalid_api_key", "title": "Unauthorized", "message": "Invalid API key",
                                   "request_id": "r"}), {"key.auth": "fail"}),
    ("cartesia", "plain-text 401 (older API versions)", httpx.Response(401, text="Unauthorized: Invalid API key"),
     {"key.auth": "error"}),
    ("cartesia", "version rejected", j(400, {"error": "bad version"}), {"key.auth": "error"}),
    ("elevenlabs", "valid", j(200, {"subscription": {"tier": "free"}}), {"key.auth": "pass", "key.scope": "pass"}),
    ("elevenlabs", "invalid", j(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}),
     {"key.auth": "fail"}),
    ("minimax", "valid", j(200, {"files": [], "base_resp": {"status_code": 0, "status_msg": "success"}}), {"key.auth": "pass"}),
    ("minimax", "invalid", j(200, {"base_resp": {"status_code": 1004, "status_msg": "login fail"}}), {"key.auth": "fail"}),
    ("minimax", "200 without verdict", j(200, {"files": []}), {"key.auth": "error"}),
    ("minimax", "other base_resp error", j(200, {"base_resp": {"status_code": 1002, "status_msg": "rate limit"}}),
     {"key.auth": "error"}),
    ("shisa", "valid (object)", j(200, {"voices": []}), {"key.auth": "pass"}),
    ("shisa", "valid (array)", j(200, [{"id": "v"}]), {"key.auth": "pass"}),
    ("shisa", "200 that is no voice list", j(200, {"ok": True}), {"key.auth": "error"}),
    ("shisa", "invalid", j(401, {"detail": "Invalid API key"}), {"key.auth": "fail"}),
    ("telnyx", "valid", j(200, {"data": {"record_type": "balance", "balance": "300.00", "currency": "USD"}}), {"key.auth": "pass"}),
    ("telnyx", "invalid", j(401, {"errors": [{"code": "10009", "title": "Authentication failed"}]}), {"key.auth": "fail"}),
    ("telnyx", "forbidden", j(403, {"errors": [{"code": "10010", "title": "Authorization failed"}]}), {"key.auth": "warn"}),
]


async def _run(provider: str, **kw: object):
    entry = {"name": provider, "provider": provider, "api_key": KEYS[provider], "metadata": META.get(provider, {})}
    return await check([entry], endpoints=ENDPOINTS, retries=kw.pop("retries", 0), timeout=kw.pop("timeout", 2), **kw)


@pytest.mark.parametrize(("provider", "case", "response", "expected"), ROWS, ids=[f"{r[0]}-{r[1]}" for r in ROWS])
async def test_auth_verdict(provider: str, case: str, response: httpx.Response, expected: dict) -> None:
    method, path = PATHS[provider]
    with respx.mock(assert_all_called=True) as mock:
        mock.route(method=method, url__startswith=BASE + path).mock(return_value=response)
        report = await _run(provider)
    checks = {c.id: c for c in report.integrations[0].checks}
    for check_id, status in expected.items():
        assert checks[check_id].status.value == status, checks[check_id]
    if expected["key.auth"] == "fail":
        assert checks["key.auth"].remediation


@pytest.mark.parametrize("provider", sorted(PATHS))
@pytest.mark.parametrize("fault", [httpx.ConnectError("[Errno 111] Connection refused"), httpx.ReadTimeout("slow"),
                                   httpx.RemoteProtocolError("Server disconnected")],
                         ids=["refused", "timeout", "dropped"])
async def test_transport_failures_are_errors_never_fails(provider: str, fault: Exception) -> None:
    method, path = PATHS[provider]
    with respx.mock:
        respx.route(method=method, url__startswith=BASE + path).mock(side_effect=fault)
        report = await _run(provider)
    checks = {c.id: c for c in report.integrations[0].checks}
    assert checks["key.auth"].status.value == "error"
    assert report.exit_code == 3


async def test_headers_carry_the_key_as_each_provider_expects() -> None:
    seen: dict[str, httpx.Request] = {}

    def record(name: str):
        def handler(request: httpx.Request) -> httpx.Response:
            seen[name] = request
            return httpx.Response(503)
        return handler

    with respx.mock:
        for provider, (method, path) in PATHS.items():
            if provider == "whisper":  # same route as openai
                continue
            respx.route(method=method, url__startswith=BASE + path).mock(side_effect=record(provider))
        for provider in ("openai", "anthropic", "deepgram", "assembly_ai", "azure", "cartesia", "elevenlabs"):
            await _run(provider)
    assert seen["openai"].headers["authorization"] == "Bearer " + KEYS["openai"]
    assert seen["anthropic"].headers["x-api-key"] == KEYS["anthropic"]
    assert seen["anthropic"].headers["anthropic-version"] == "2023-06-01"
    assert seen["deepgram"].headers["authorization"] == "Token " + KEYS["deepgram"]
    assert seen["assembly_ai"].headers["authorization"] == KEYS["assembly_ai"]
    assert seen["azure"].headers["ocp-apim-subscription-key"] == KEYS["azure"]
    assert seen["cartesia"].headers["authorization"] == "Bearer " + KEYS["cartesia"]
    assert "x-api-key" not in seen["cartesia"].headers and seen["cartesia"].headers["cartesia-version"]
    assert seen["elevenlabs"].headers["xi-api-key"] == KEYS["elevenlabs"]


async def test_azure_without_region_skips_the_live_check() -> None:
    report = await check([{"name": "a", "provider": "azure", "api_key": KEYS["azure"]}], endpoints={})
    checks = {c.id: c for c in report.integrations[0].checks}
    assert checks["key.auth"].status.value == "skip" and "region" in checks["key.auth"].remediation


async def test_elevenlabs_restricted_key_falls_back_to_voices() -> None:
    with respx.mock:
        respx.get(f"{BASE}/elevenlabs/v1/user").mock(return_value=j(401, {"detail": {"status": "missing_permissions"}}))
        voices = respx.get(f"{BASE}/elevenlabs/v1/voices").mock(return_value=j(200, {"voices": []}))
        report = await _run("elevenlabs")
    checks = {c.id: c for c in report.integrations[0].checks}
    assert voices.called
    assert checks["key.auth"].status.value == "pass" and checks["key.scope"].status.value == "warn"


async def test_minimax_cn_region_uses_the_cn_host_by_default() -> None:
    with respx.mock:
        route = respx.get(url__startswith="https://api.minimaxi.com/v1/files/list").mock(
            return_value=j(200, {"base_resp": {"status_code": 0}}))
        report = await check([{"name": "m", "provider": "minimax", "api_key": KEYS["minimax"],
                               "metadata": {"region": "cn", "group_id": "123"}}])
    assert route.called and route.calls[0].request.url.params["GroupId"] == "123"
    assert report.integrations[0].status.value == "pass"


PROXY_401 = j(401, {"message": "proxy auth required"})
OWN = sorted(p for p in PATHS if p != "telnyx")


@pytest.mark.parametrize("provider", OWN)
async def test_item8_9_json_401_from_a_proxy_is_not_a_rejection(provider: str) -> None:
    """A fail needs the provider's own error envelope: a proxy's JSON 401 is indeterminate."""
    method, path = PATHS[provider]
    with respx.mock:
        respx.route(method=method, url__startswith=BASE + path).mock(return_value=PROXY_401)
        report = await _run(provider)
    auth = {c.id: c for c in report.integrations[0].checks}["key.auth"]
    assert auth.status.value == "error", auth
    assert "rejected" not in auth.summary


async def against_fake(fake: FakeApp, provider: str, key: str | None = None, metadata: dict | None = None,
                       **kw: object) -> dict[str, CheckResult]:
    """Run *provider*'s probe against *fake* (in-process sandbox); the checks by id."""
    sandbox = FakeNetwork({fake.name: fake})
    entry = {"name": provider, "provider": provider, "api_key": key or KEYS[provider],
             "metadata": META.get(provider, {}) if metadata is None else metadata}
    report = await check([entry], endpoints=sandbox.endpoints(), transport=sandbox.transport(),
                         retries=kw.pop("retries", 0), timeout=kw.pop("timeout", 2), **kw)
    return {c.id: c for c in report.integrations[0].checks}

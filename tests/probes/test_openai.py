"""OpenAI's answers, through its sandbox fake (which answers in OpenAI's shapes)."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check.sandbox.fakes.openai import OPENAI_QUOTA_CODES, OpenAIFake
from tests.probes.test_auth_table import BASE, KEYS, _run, against_fake

pytestmark = pytest.mark.anyio
KEY = KEYS["openai"]


async def test_item1_openai_ip_not_authorized_is_not_a_fail() -> None:
    checks = await against_fake(OpenAIFake({KEY: "ip_blocked"}), "openai")
    auth = checks["key.auth"]
    assert auth.status.value == "error"
    assert "IP not authorized" in auth.summary and "run the check from an allowed address" in auth.remediation.lower()
    assert checks["key.scope"].status.value == "skip"


async def test_item1_openai_ip_allowlist_message_without_code_is_recognised() -> None:
    body = {"error": {"message": "Your IP address 203.0.113.7 is not authorized to access this project.",
                      "type": "invalid_request_error", "param": None, "code": None}}
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(401, json=body))
        report = await _run("openai")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


async def test_item12_openai_listing_models_does_not_pass_key_scope() -> None:
    checks = await against_fake(OpenAIFake({KEY: "valid"}), "openai")
    assert checks["key.auth"].status.value == "pass"
    scope = checks["key.scope"]
    assert scope.status.value == "skip" and "model.request" in scope.summary


async def test_item12_openai_restricted_key_that_cannot_list_models_warns_on_scope() -> None:
    checks = await against_fake(OpenAIFake({KEY: "restricted"}), "openai")
    assert checks["key.auth"].status.value == "pass" and checks["key.scope"].status.value == "warn"


@pytest.mark.parametrize("state", sorted(OPENAI_QUOTA_CODES))
async def test_item13_openai_billing_429_is_a_no_credit_fail(state: str) -> None:
    auth = (await against_fake(OpenAIFake({KEY: state}), "openai"))["key.auth"]
    assert auth.status.value == "fail", auth
    assert "no credit" in auth.summary or "spend limit" in auth.summary
    assert "billing" in auth.remediation.lower()


async def test_openai_invalid_key_is_a_fail() -> None:
    auth = (await against_fake(OpenAIFake({}), "openai"))["key.auth"]
    assert auth.status.value == "fail" and "rejected the key" in auth.summary


async def test_openai_rate_limit_429_is_an_error_not_no_credit() -> None:
    body = {"error": {"message": "Rate limit reached", "type": "requests", "param": None, "code": "rate_limit_exceeded"}}
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(429, json=body, headers={"retry-after": "0"}))
        report = await _run("openai")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


async def test_openai_error_string_envelope_is_not_read_as_a_rejection() -> None:
    # {"error": "..."} (seen from OpenAI for scope errors) has no message object: indeterminate, never a fail
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(401, json={"error": "Unauthorized"}))
        report = await _run("openai")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


async def _auth_for(provider: str, path: str, response: httpx.Response) -> str:
    with respx.mock:
        respx.get(f"{BASE}{path}").mock(return_value=response)
        report = await _run(provider)
    return {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value


async def test_witness_openai_401_without_a_code_is_error() -> None:
    assert await _auth_for("openai", "/openai/v1/models", httpx.Response(401, json={"error": {"message": "x"}})) \
        == "error"


async def test_witness_openai_401_with_another_code_is_error() -> None:
    body = {"error": {"message": "x", "type": "invalid_request_error", "code": "something_else"}}
    assert await _auth_for("openai", "/openai/v1/models", httpx.Response(401, json=body)) == "error"


async def test_witness_openai_401_invalid_api_key_fails() -> None:
    body = {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                      "code": "invalid_api_key"}}
    assert await _auth_for("openai", "/openai/v1/models", httpx.Response(401, json=body)) == "fail"

"""OpenAI's answers, through its sandbox fake (which answers in OpenAI's shapes)."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check.probes.registry import load_registry
from oneinbox_check.sandbox.fakes.openai import OPENAI_QUOTA_CODES, OpenAIFake
from tests.probes.helpers import BASE, against_fake, j, run_provider

pytestmark = pytest.mark.anyio
KEY = "sk-proj-" + "Ab1" * 20  # a made-up key of openai's shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("sk-proj-gLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40", "pass"),
    "bad_prefix": ("qxezy3Lex7BWr2drgd1QsO7jprBGumXxY9B4bZWOz648JJnUfd7UACNWiP3s", "fail"),
    "bad_length": ("sk-proj-Fd67JikEAv", "warn"),
    "wrong_provider": (
        "sk-ant-api03-i0B3JrTAwR4y9ojfljoQoaF1LlqsajAIxNKu8iS2G8NPRVdD53X83RZJzzzzgEOzdmenCkhvMdgaKjIg8xNbe3nNyjOq9-AAAAAAAA",
        "fail"),
    "admin_key": ("sk-admin-stqVVPqzPptEJQzhkPkenG5ZFJoC6vWCBiJmpflvJfupxqZKm4bV3AyAVHny", "warn"),
    "zero_width_space": ("sk-proj-gLKOmxgJTeKd\u200bNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40", "fail"),
    "nbsp": ("sk-proj-gLKOmxgJTeKdNnFRIBXuDL\u00a07DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40", "fail"),
    "accented": ("sk-proj-gLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXp\u00e9KtHF4vUCsMehGAkWvj7FAc9QeWJKY40", "fail"),
    "control_char": ("sk-proj-gLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXp\u0007KtHF4vUCsMehGAkWvj7FAc9QeWJKY40", "fail"),
    "random_with_placeholder_words": (
        "sk-proj-gLKOmxgJTeKdyour_BXuDL7DxtpYlSXpxxxxxxxUCsMehGAkWvj7FAc9QeWJKY40",
        "pass"),
    "prefixed_placeholder": ("sk-proj-xxxxxxxxxxxxxxxxxxxx", "fail"),
}
OPENAI_INVALID = j(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                   "code": "invalid_api_key"}})
AUTH_ROUTE = ("GET", "/openai/v1/models")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", j(200, {"object": "list", "data": [{"id": "gpt-4o"}]}), {"key.auth": "pass", "key.scope": "skip"}),
    ("invalid", OPENAI_INVALID, {"key.auth": "fail", "key.scope": "skip"}),
    ("restricted", j(401, {"error": {"message": "You have insufficient permissions for this operation. "
                                      "Missing scopes: api.model.read.", "code": None}}),
     {"key.auth": "pass", "key.scope": "warn"}),
    ("no credit", j(429, {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota",
                                   "code": "insufficient_quota"}}), {"key.auth": "fail"}),
    ("rate limited", j(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                       **{"retry-after": "0"}), {"key.auth": "error"}),
    ("server error", j(500, {"error": {"message": "The server had an error"}}), {"key.auth": "error"}),
    ("html body", httpx.Response(200, text="<html>captive portal</html>"), {"key.auth": "error"}),
    ("401 from a proxy in HTML", httpx.Response(401, text="<html>401 Unauthorized</html>"),
     {"key.auth": "error"}),
]
FAKE = OpenAIFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
# how key.auth carries the key (None: the header is absent, ...: present, any value)
AUTH_HEADERS = {"authorization": "Bearer " + KEY}


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
        report = await run_provider("openai")
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
        report = await run_provider("openai")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


async def test_openai_error_string_envelope_is_not_read_as_a_rejection() -> None:
    # {"error": "..."} (seen from OpenAI for scope errors) has no message object: indeterminate, never a fail
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(401, json={"error": "Unauthorized"}))
        report = await run_provider("openai")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


async def _auth_for(provider: str, path: str, response: httpx.Response) -> str:
    with respx.mock:
        respx.get(f"{BASE}{path}").mock(return_value=response)
        report = await run_provider(provider)
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


def test_wrong_provider_row_names_anthropic() -> None:
    """OpenAI's wrong_provider row (an Anthropic key) says whose key it looks like (key.format table)."""
    registry = load_registry()
    got = registry.get("openai").format_check("openai", KEY_FORMATS["wrong_provider"][0], {}, registry.signatures())
    assert "Anthropic" in got.summary
    assert got.details["looks_like"] == "anthropic"

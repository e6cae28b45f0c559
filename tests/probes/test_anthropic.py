"""Anthropic's answers, through its sandbox fake."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check.sandbox.fakes.anthropic import AnthropicFake
from tests.probes.helpers import BASE, against_fake, j, run_provider

pytestmark = pytest.mark.anyio
KEY = "sk-ant-api03-" + "Ef3" * 31  # a made-up key of anthropic's shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": (
        "sk-ant-api03-i0B3JrTAwR4y9ojfljoQoaF1LlqsajAIxNKu8iS2G8NPRVdD53X83RZJzzzzgEOzdmenCkhvMdgaKjIg8xNbe3nNyjOq9-AAAAAAAA",
        "pass"),
    "bad_prefix": (
        "sk-jjHRg80USP2W5DfJXcaYioK6cPTt9iOqHOBSWhgetH8LmyqoYMaaItDr9uP14pEHpJpb9ATPtdbmF4RPAfqoQB7xoFcSvTAxRzma",
        "fail"),
    "bad_length": ("sk-ant-api03-ZsV2GenFmt", "warn"),
    "wrong_provider": ("sk-proj-gLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40", "fail"),
    "admin_key": (
        "sk-ant-admin01-X0moDoqW4sg8NFNl5oFA6Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xvCkgafrfwA94hJ9WnywX0t0ZBfdTE",
        "warn"),
}
AUTH_ROUTE = ("GET", "/anthropic/v1/models")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", j(200, {"data": [], "has_more": False}), {"key.auth": "pass", "key.scope": "pass"}),
    ("invalid", j(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
     {"key.auth": "fail"}),
    ("forbidden", j(403, {"type": "error", "error": {"type": "permission_error", "message": "no"}}),
     {"key.auth": "pass", "key.scope": "fail"}),
    ("overloaded", j(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
     {"key.auth": "error"}),
]
FAKE = AnthropicFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
# how key.auth carries the key (None: the header is absent, ...: present, any value)
AUTH_HEADERS = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}


async def test_item15_anthropic_not_found_error_is_a_disabled_key_fail() -> None:
    checks = await against_fake(AnthropicFake({KEY: "disabled"}), "anthropic")
    auth = checks["key.auth"]
    assert auth.status.value == "fail" and "disabled or deleted" in auth.remediation
    assert checks["key.scope"].status.value == "skip"


@pytest.mark.parametrize("response", [httpx.Response(404, text="<html>Not Found</html>"), httpx.Response(404),
                                      httpx.Response(404, json={"message": "no route"})],
                         ids=["html", "empty", "foreign-json"])
async def test_anthropic_404_that_is_not_anthropics_envelope_is_an_error(response: httpx.Response) -> None:
    with respx.mock:
        respx.get(f"{BASE}/anthropic/v1/models").mock(return_value=response)
        report = await run_provider("anthropic")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


@pytest.mark.parametrize(("state", "auth", "scope"), [
    ("valid", "pass", "pass"), ("forbidden", "pass", "fail"), ("overloaded", "error", "skip"), ("nope", "fail", "skip"),
])
async def test_anthropic_fake_states(state: str, auth: str, scope: str) -> None:
    checks = await against_fake(AnthropicFake({KEY: state}), "anthropic", retries=0)
    assert (checks["key.auth"].status.value, checks["key.scope"].status.value) == (auth, scope)

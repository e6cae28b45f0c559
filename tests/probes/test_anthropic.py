"""Anthropic's answers, through its sandbox fake."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check.sandbox.fakes.anthropic import AnthropicFake
from tests.probes.test_auth_table import BASE, KEYS, _run, against_fake

pytestmark = pytest.mark.anyio
KEY = KEYS["anthropic"]


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
        report = await _run("anthropic")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


@pytest.mark.parametrize(("state", "auth", "scope"), [
    ("valid", "pass", "pass"), ("forbidden", "pass", "fail"), ("overloaded", "error", "skip"), ("nope", "fail", "skip"),
])
async def test_anthropic_fake_states(state: str, auth: str, scope: str) -> None:
    checks = await against_fake(AnthropicFake({KEY: state}), "anthropic", retries=0)
    assert (checks["key.auth"].status.value, checks["key.scope"].status.value) == (auth, scope)

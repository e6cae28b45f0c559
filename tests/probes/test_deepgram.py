"""Deepgram: a verdict needs Deepgram's JSON error object."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check.sandbox.fakes.keyed import DeepgramFake
from tests.probes.test_auth_table import BASE, KEYS, _run, against_fake

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("response", [httpx.Response(403, text="<html><h1>403 Forbidden</h1></html>"),
                                      httpx.Response(403), httpx.Response(403, json={"message": "blocked by WAF"})],
                         ids=["html", "empty", "foreign-json"])
async def test_item14_deepgram_403_without_deepgrams_json_is_an_error(response: httpx.Response) -> None:
    with respx.mock:
        respx.get(f"{BASE}/deepgram/v1/projects").mock(return_value=response)
        report = await _run("deepgram")
    checks = {c.id: c for c in report.integrations[0].checks}
    assert checks["key.auth"].status.value == "error"


async def test_item14_deepgram_json_403_is_a_valid_restricted_key() -> None:
    checks = await against_fake(DeepgramFake({KEYS["deepgram"]: "restricted"}), "deepgram")
    assert checks["key.auth"].status.value == "pass" and checks["key.scope"].status.value == "warn"


async def test_deepgram_modern_error_object_is_recognised() -> None:
    body = {"category": "INVALID_AUTH", "message": "Invalid credentials.", "details": "", "request_id": "r"}
    with respx.mock:
        respx.get(f"{BASE}/deepgram/v1/projects").mock(return_value=httpx.Response(401, json=body))
        report = await _run("deepgram")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "fail"


async def test_deepgram_invalid_key_is_a_fail() -> None:
    assert (await against_fake(DeepgramFake({}), "deepgram"))["key.auth"].status.value == "fail"

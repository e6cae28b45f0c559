"""Groq key.auth: only the documented invalid-key answer (401, OpenAI-style envelope with
``code`` ``invalid_api_key``, providers.md) is a fail; another 401 proves nothing."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.probes.test_auth_table import BASE, _run

pytestmark = pytest.mark.anyio


async def _auth_for(response: httpx.Response) -> str:
    with respx.mock:
        respx.get(f"{BASE}/groq/openai/v1/models").mock(return_value=response)
        report = await _run("groq")
    return {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value


async def test_witness_groq_401_without_a_code_is_error() -> None:
    assert await _auth_for(httpx.Response(401, json={"error": {"message": "x"}})) == "error"


async def test_witness_groq_401_invalid_api_key_fails() -> None:
    body = {"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}}
    assert await _auth_for(httpx.Response(401, json=body)) == "fail"

"""AssemblyAI key.auth: only the spec's documented 401 body
``{"error": "Authentication error, API token missing/invalid"}`` (providers.md;
tests/contract/specs/assemblyai.json) is a fail; another ``error`` text is indeterminate."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.probes.test_auth_table import BASE, _run

pytestmark = pytest.mark.anyio


async def _auth_for(response: httpx.Response) -> str:
    with respx.mock:
        respx.get(f"{BASE}/assemblyai/v2/transcript").mock(return_value=response)
        report = await _run("assembly_ai")
    return {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value


async def test_witness_assemblyai_401_with_another_error_text_is_error() -> None:
    assert await _auth_for(httpx.Response(401, json={"error": "Service unavailable upstream"})) == "error"


async def test_witness_assemblyai_401_with_the_documented_body_fails() -> None:
    body = {"error": "Authentication error, API token missing/invalid"}
    assert await _auth_for(httpx.Response(401, json=body)) == "fail"

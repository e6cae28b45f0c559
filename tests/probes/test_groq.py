"""Groq key.auth: only the documented invalid-key answer (401, OpenAI-style envelope with
``code`` ``invalid_api_key``, providers.md) is a fail; another 401 proves nothing."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check.sandbox.fakes.groq import GroqFake
from tests.probes.helpers import BASE, j, run_provider

pytestmark = pytest.mark.anyio
KEY = "gsk_" + "Gh4j" * 13  # a made-up key of groq's shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("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", "pass"),
    "bad_prefix": ("mxI6CmuxV5EbOApZOXzcycDeZ6dqmVe5Mvxrv99NcqVTSu7rtaUWM6ZO", "fail"),
    "bad_length": ("gsk_88eb0ogET9D9XyYq6B0F", "warn"),
    "wrong_provider": ("re_7G5IfQHe_VVEqZe2qpUWnoVPDF2yeE6Rs", "fail"),
}
AUTH_ROUTE = ("GET", "/groq/openai/v1/models")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", j(200, {"object": "list", "data": []}), {"key.auth": "pass"}),
    ("invalid", j(401, {"error": {"message": "Invalid API Key", "code": "invalid_api_key"}}), {"key.auth": "fail"}),
    ("bad gateway", j(502, {}, **{"retry-after": "0"}), {"key.auth": "error"}),
]
FAKE = GroqFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)


async def _auth_for(response: httpx.Response) -> str:
    with respx.mock:
        respx.get(f"{BASE}/groq/openai/v1/models").mock(return_value=response)
        report = await run_provider("groq")
    return {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value


async def test_witness_groq_401_without_a_code_is_error() -> None:
    assert await _auth_for(httpx.Response(401, json={"error": {"message": "x"}})) == "error"


async def test_witness_groq_401_invalid_api_key_fails() -> None:
    body = {"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}}
    assert await _auth_for(httpx.Response(401, json=body)) == "fail"

"""AssemblyAI key.auth: only the spec's documented 401 body
``{"error": "Authentication error, API token missing/invalid"}`` (providers.md;
tests/contract/specs/assemblyai.json) is a fail; another ``error`` text is indeterminate."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check.sandbox.fakes.assembly_ai import AssemblyAIFake
from tests.probes.helpers import BASE, j, run_provider

pytestmark = pytest.mark.anyio
KEY = "abcdef0123456789" * 2  # a made-up key of assembly_ai's shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("8d41bed440e50454f31af3176813e02e", "pass"),
    "bad_length": ("b886e7577496a2c8773e130f7eb1973", "warn"),
    "wrong_provider": ("sk_car_kQ1okTBGzvAmwufUxbvJDCTb", "fail"),
}
AUTH_ROUTE = ("GET", "/assemblyai/v2/transcript")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", j(200, {"transcripts": []}), {"key.auth": "pass"}),
    ("invalid", j(401, {"error": "Authentication error, API token missing/invalid"}), {"key.auth": "fail"}),
]
FAKE = AssemblyAIFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
# how key.auth carries the key (None: the header is absent, ...: present, any value)
AUTH_HEADERS = {"authorization": KEY}


async def _auth_for(response: httpx.Response) -> str:
    with respx.mock:
        respx.get(f"{BASE}/assemblyai/v2/transcript").mock(return_value=response)
        report = await run_provider("assembly_ai")
    return {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value


async def test_witness_assemblyai_401_with_another_error_text_is_error() -> None:
    assert await _auth_for(httpx.Response(401, json={"error": "Service unavailable upstream"})) == "error"


async def test_witness_assemblyai_401_with_the_documented_body_fails() -> None:
    body = {"error": "Authentication error, API token missing/invalid"}
    assert await _auth_for(httpx.Response(401, json=body)) == "fail"

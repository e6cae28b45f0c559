"""Azure Speech: issueToken answers and the region rule."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.sandbox.fakes.azure import AzureFake
from tests.probes.helpers import BASE, against_fake, j, run_provider

pytestmark = pytest.mark.anyio
KEY = "0123456789abcdef" * 2  # a made-up key of azure's shape
METADATA = {"region": "eastus"}  # what every row of this provider carries
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("a68ef786e4d3cea27d26934b484e73cf", "pass"),
    "bad_length": ("1662b5e803b61ba41681", "warn"),
    "wrong_provider": ("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", "fail"),
}
AUTH_ROUTE = ("POST", "/azure/sts/v1.0/issueToken")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", httpx.Response(200, text="eyJhbGciOi.eyJyZWdpb24iOiJ9.c2ln"), {"key.auth": "pass"}),
    ("invalid", j(401, {"error": {"code": "401", "message": "Access denied"}}), {"key.auth": "fail"}),
    ("quota", j(403, {"error": {"code": "403", "message": "Out of call volume quota."}}), {"key.auth": "fail"}),
    ("outage", j(503, {}), {"key.auth": "error"}),
    ("403 page from a WAF", httpx.Response(403, text="<html>Forbidden</html>"), {"key.auth": "error"}),
]
FAKE = AzureFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
# how key.auth carries the key (None: the header is absent, ...: present, any value)
AUTH_HEADERS = {"ocp-apim-subscription-key": KEY}


async def test_item6_azure_vnet_403_is_not_a_fail() -> None:
    auth = (await against_fake(AzureFake({KEY: "vnet"}), "azure"))["key.auth"]
    assert auth.status.value == "error"
    assert "allowed network" in auth.remediation


async def test_item6_azure_quota_403_stays_a_fail() -> None:
    auth = (await against_fake(AzureFake({KEY: "quota"}), "azure"))["key.auth"]
    assert auth.status.value == "fail" and "quota" in auth.summary


async def test_azure_other_json_403_is_an_error() -> None:
    body = {"error": {"code": "403", "message": "Something else entirely."}}
    with respx.mock:
        respx.post(f"{BASE}/azure/sts/v1.0/issueToken").mock(return_value=httpx.Response(403, json=body))
        report = await run_provider("azure")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


async def test_azure_401_names_both_causes() -> None:
    auth = (await against_fake(AzureFake({}), "azure"))["key.auth"]
    assert auth.status.value == "fail" and "another region" in auth.remediation


async def test_azure_older_status_code_envelope_is_recognised() -> None:
    body = {"statusCode": 401, "message": "Access denied due to invalid subscription key."}
    with respx.mock:
        respx.post(f"{BASE}/azure/sts/v1.0/issueToken").mock(return_value=httpx.Response(401, json=body))
        report = await run_provider("azure")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "fail"


async def test_item20_azure_without_region_skips_even_with_an_overridden_endpoint() -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(url__startswith=BASE).mock(return_value=httpx.Response(200, text="a.b.c"))
        report = await check([{"name": "a", "provider": "azure", "api_key": KEY}],
                             endpoints={"azure": f"{BASE}/azure"}, retries=0)
    auth = {c.id: c for c in report.integrations[0].checks}["key.auth"]
    assert auth.status.value == "skip" and "metadata.region" in auth.remediation
    assert not route.called


async def test_azure_without_region_skips_the_live_check() -> None:
    report = await check([{"name": "a", "provider": "azure", "api_key": KEY}], endpoints={})
    checks = {c.id: c for c in report.integrations[0].checks}
    assert checks["key.auth"].status.value == "skip" and "region" in checks["key.auth"].remediation

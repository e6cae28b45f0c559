"""Azure Speech: issueToken answers and the region rule."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.sandbox.fakes.azure import AzureFake
from tests.probes.test_auth_table import BASE, KEYS, _run, against_fake

pytestmark = pytest.mark.anyio
KEY = KEYS["azure"]


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
        report = await _run("azure")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


async def test_azure_401_names_both_causes() -> None:
    auth = (await against_fake(AzureFake({}), "azure"))["key.auth"]
    assert auth.status.value == "fail" and "another region" in auth.remediation


async def test_azure_older_status_code_envelope_is_recognised() -> None:
    body = {"statusCode": 401, "message": "Access denied due to invalid subscription key."}
    with respx.mock:
        respx.post(f"{BASE}/azure/sts/v1.0/issueToken").mock(return_value=httpx.Response(401, json=body))
        report = await _run("azure")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "fail"


async def test_item20_azure_without_region_skips_even_with_an_overridden_endpoint() -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(url__startswith=BASE).mock(return_value=httpx.Response(200, text="a.b.c"))
        report = await check([{"name": "a", "provider": "azure", "api_key": KEY}],
                             endpoints={"azure": f"{BASE}/azure"}, retries=0)
    auth = {c.id: c for c in report.integrations[0].checks}["key.auth"]
    assert auth.status.value == "skip" and "metadata.region" in auth.remediation
    assert not route.called

"""MiniMax: the verdict is in base_resp.status_code; Bearer alone authenticates."""

from __future__ import annotations

import pytest
import respx

from oneinbox_check import check
from oneinbox_check.sandbox.fakes.minimax import MinimaxFake
from tests.probes.helpers import against_fake, j

pytestmark = pytest.mark.anyio
KEY = "sk-api-" + "Np6q" * 15  # a made-up key of minimax's shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("sk-api-m7tOtHWnsCGRlrwZbqcabUGJmGEp7CgQ0PBQFI14zGtSnovm14TUOizwd1ia", "pass"),
    "legacy_jwt_without_group": (
        "skHk7egyFWZY9Zmti18c.6EudM7Oyf5TNS05kOY2oNzN2m1ElKncz8Hkywhjp.U05mc4J1WRcQ1uhyMDJ2OXtPAtLpBy",
        "warn"),
    "wrong_provider": ("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", "fail"),
    "legacy_jwt_with_group": (
        "skHk7egyFWZY9Zmti18c.6EudM7Oyf5TNS05kOY2oNzN2m1ElKncz8Hkywhjp.U05mc4J1WRcQ1uhyMDJ2OXtPAtLpBy",
        "pass", {"group_id": "1234567890"}),
}
AUTH_ROUTE = ("GET", "/minimax/v1/files/list")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", j(200, {"files": [], "base_resp": {"status_code": 0, "status_msg": "success"}}), {"key.auth": "pass"}),
    ("invalid", j(200, {"base_resp": {"status_code": 1004, "status_msg": "login fail"}}), {"key.auth": "fail"}),
    ("200 without verdict", j(200, {"files": []}), {"key.auth": "error"}),
    ("other base_resp error", j(200, {"base_resp": {"status_code": 1002, "status_msg": "rate limit"}}),
     {"key.auth": "error"}),
]
FAKE = MinimaxFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJHcm91cE5hbWUiOiJzYW5kYm94In0.c2FuZGJveFNpZ25hdHVyZTEyMzQ1Njc4OTA"


async def test_item2_minimax_legacy_jwt_without_group_id_warns_and_is_still_sent() -> None:
    fake = MinimaxFake({JWT: "valid"})
    checks = await against_fake(fake, "minimax", key=JWT, metadata={})
    assert checks["key.format"].status.value == "warn" and "group_id" in checks["key.format"].summary
    assert checks["key.auth"].status.value == "pass"
    assert fake.count("/v1/files/list") == 1
    assert fake.requests[0].headers["authorization"] == "Bearer " + JWT and "GroupId" not in fake.requests[0].query


async def test_item2_minimax_legacy_jwt_with_group_id_passes_format_and_sends_it() -> None:
    fake = MinimaxFake({JWT: "valid"})
    checks = await against_fake(fake, "minimax", key=JWT, metadata={"group_id": "1234567890"})
    assert checks["key.format"].status.value == "pass" and checks["key.auth"].status.value == "pass"
    assert fake.requests[0].query["GroupId"] == "1234567890"


@pytest.mark.parametrize("metadata", [{}, {"group_id": "1234567890"}], ids=["no-group", "group"])
async def test_item16_minimax_1004_fix_names_group_id(metadata: dict) -> None:
    auth = (await against_fake(MinimaxFake({KEY: "auth_failed"}), "minimax", metadata=metadata))["key.auth"]
    assert auth.status.value == "fail" and "1004" in auth.summary
    assert "group_id" in auth.remediation


async def test_item16_minimax_1008_is_a_no_balance_fail() -> None:
    auth = (await against_fake(MinimaxFake({KEY: "no_balance"}), "minimax"))["key.auth"]
    assert auth.status.value == "fail" and "no balance" in auth.summary


@pytest.mark.parametrize(("state", "status"), [("valid", "pass"), ("invalid", "fail"), ("rate_limited", "error")])
async def test_minimax_base_resp_codes(state: str, status: str) -> None:
    auth = (await against_fake(MinimaxFake({KEY: state}), "minimax"))["key.auth"]
    assert auth.status.value == status, auth


async def test_minimax_cn_region_uses_the_cn_host_by_default() -> None:
    with respx.mock:
        route = respx.get(url__startswith="https://api.minimaxi.com/v1/files/list").mock(
            return_value=j(200, {"base_resp": {"status_code": 0}}))
        report = await check([{"name": "m", "provider": "minimax", "api_key": KEY,
                               "metadata": {"region": "cn", "group_id": "123"}}])
    assert route.called and route.calls[0].request.url.params["GroupId"] == "123"
    assert report.integrations[0].status.value == "pass"

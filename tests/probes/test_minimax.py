"""MiniMax: the verdict is in base_resp.status_code; Bearer alone authenticates."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox.fakes.minimax import MinimaxFake
from tests.probes.test_auth_table import KEYS, against_fake

pytestmark = pytest.mark.anyio
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
    auth = (await against_fake(MinimaxFake({KEYS["minimax"]: "auth_failed"}), "minimax", metadata=metadata))["key.auth"]
    assert auth.status.value == "fail" and "1004" in auth.summary
    assert "group_id" in auth.remediation


async def test_item16_minimax_1008_is_a_no_balance_fail() -> None:
    auth = (await against_fake(MinimaxFake({KEYS["minimax"]: "no_balance"}), "minimax"))["key.auth"]
    assert auth.status.value == "fail" and "no balance" in auth.summary


@pytest.mark.parametrize(("state", "status"), [("valid", "pass"), ("invalid", "fail"), ("rate_limited", "error")])
async def test_minimax_base_resp_codes(state: str, status: str) -> None:
    auth = (await against_fake(MinimaxFake({KEYS["minimax"]: state}), "minimax"))["key.auth"]
    assert auth.status.value == status, auth

"""Shisa: /tts/voices answers a JSON array; a 200 there is reported with its caveat."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox.fakes.shisa import ShisaFake
from tests.probes.test_auth_table import KEYS, against_fake

pytestmark = pytest.mark.anyio


async def test_item7_shisa_array_of_voices_is_accepted_with_its_caveat() -> None:
    auth = (await against_fake(ShisaFake({KEYS["shisa"]: "valid"}), "shisa"))["key.auth"]
    assert auth.status.value == "pass"
    assert "unconfirmed" in auth.summary and auth.details["proof"] == "unconfirmed"


async def test_shisa_invalid_key_is_a_fail() -> None:
    auth = (await against_fake(ShisaFake({}), "shisa"))["key.auth"]
    assert auth.status.value == "fail"

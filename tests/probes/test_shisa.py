"""Shisa: /tts/voices answers a JSON array; a 200 there is reported with its caveat."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox.fakes.shisa import ShisaFake
from tests.probes.helpers import against_fake, j

pytestmark = pytest.mark.anyio
KEY = "shisa" + "Rs7t" * 9  # a made-up key of shisa's shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("IXGvOoNZYW2mZp0zVZomHFwUbbYrEqmSM9wCZ7Uw", "pass"),
    "bad_length": ("i7FlaZ7V", "warn"),
    "wrong_provider": ("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", "fail"),
}
AUTH_ROUTE = ("GET", "/shisa/tts/voices")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid (object)", j(200, {"voices": []}), {"key.auth": "pass"}),
    ("valid (array)", j(200, [{"id": "v"}]), {"key.auth": "pass"}),
    ("200 that is no voice list", j(200, {"ok": True}), {"key.auth": "error"}),
    ("invalid", j(401, {"detail": "Invalid API key"}), {"key.auth": "fail"}),
]
FAKE = ShisaFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)


async def test_item7_shisa_array_of_voices_is_accepted_with_its_caveat() -> None:
    auth = (await against_fake(ShisaFake({KEY: "valid"}), "shisa"))["key.auth"]
    assert auth.status.value == "pass"
    assert "unconfirmed" in auth.summary and auth.details["proof"] == "unconfirmed"


async def test_shisa_invalid_key_is_a_fail() -> None:
    auth = (await against_fake(ShisaFake({}), "shisa"))["key.auth"]
    assert auth.status.value == "fail"

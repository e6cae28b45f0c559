"""Cartesia: Bearer auth, a Cartesia-Version header, JSON error objects."""

from __future__ import annotations

import httpx
import pytest

from oneinbox_check.probes.registry import load_registry
from oneinbox_check.sandbox.fakes.cartesia import CartesiaFake
from tests.probes.helpers import against_fake, j

pytestmark = pytest.mark.anyio
KEY = "sk_car_" + "Kl5m" * 6  # a made-up key of cartesia's shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("sk_car_kQ1okTBGzvAmwufUxbvJDCTb", "pass"),
    "bad_prefix": ("sk_MUP6n0a0uARxlNtencYFJEeA", "warn"),
    "wrong_provider": (
        "sk-ant-api03-i0B3JrTAwR4y9ojfljoQoaF1LlqsajAIxNKu8iS2G8NPRVdD53X83RZJzzzzgEOzdmenCkhvMdgaKjIg8xNbe3nNyjOq9-AAAAAAAA",
        "fail"),
}
AUTH_ROUTE = ("GET", "/cartesia/voices")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", j(200, {"data": []}), {"key.auth": "pass"}),
    ("invalid", j(401, {"error_code": "invalid_api_key", "title": "Unauthorized", "message": "Invalid API key",
                       "request_id": "r"}), {"key.auth": "fail"}),
    ("plain-text 401 (older API versions)", httpx.Response(401, text="Unauthorized: Invalid API key"),
     {"key.auth": "error"}),
    ("version rejected", j(400, {"error": "bad version"}), {"key.auth": "error"}),
]
FAKE = CartesiaFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
# how key.auth carries the key (None: the header is absent, ...: present, any value)
AUTH_HEADERS = {"authorization": "Bearer " + KEY, "x-api-key": None, "cartesia-version": ...}


async def test_item8_cartesia_sends_the_key_as_bearer() -> None:
    fake = CartesiaFake({KEY: "valid"})
    auth = (await against_fake(fake, "cartesia"))["key.auth"]
    assert auth.status.value == "pass"
    sent = fake.requests[0].headers
    assert sent["authorization"] == "Bearer " + KEY and "x-api-key" not in sent and sent["cartesia-version"]


async def test_cartesia_invalid_key_is_a_fail() -> None:
    assert (await against_fake(CartesiaFake({}), "cartesia"))["key.auth"].status.value == "fail"


@pytest.mark.parametrize(("key", "status", "fragment"), [
    ("sk_car_admin_" + "Ab1" * 8, "warn", "admin"), ("Zx9" * 10, "warn", "unusual"),
], ids=["admin-key", "no-prefix"])
def test_cartesia_key_format_warns(key: str, status: str, fragment: str) -> None:
    registry = load_registry()
    result = registry.get("cartesia").format_check("cartesia", key, None, registry.signatures())
    assert result.status.value == status and fragment in result.summary

"""Cartesia: Bearer auth, a Cartesia-Version header, JSON error objects."""

from __future__ import annotations

import pytest

from oneinbox_check.probes._base import load_registry
from oneinbox_check.sandbox.fakes.cartesia import CartesiaFake
from tests.probes.test_auth_table import KEYS, against_fake

pytestmark = pytest.mark.anyio
KEY = KEYS["cartesia"]


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

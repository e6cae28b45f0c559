"""ElevenLabs elevenlabs.quota (providers.md "Balances and quotas"): characters
used against the period's limit, read from GET /v1/user/subscription after
key.auth. Used up fails until the reset date; a read that proves nothing is an
error or a skip, never a fail."""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from oneinbox_check.models import CheckResult
from oneinbox_check.sandbox.asgi import Fault
from oneinbox_check.sandbox.fakes.elevenlabs import ElevenLabsFake
from tests.probes.helpers import BASE, against_fake, j, run_provider

pytestmark = pytest.mark.anyio
KEY = "sk_" + "0a1b2c3d" * 6  # a made-up key of elevenlabs's shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("sk_ca923732881584d8c4fa2815d2802827283e0ad841735815", "pass"),
    "legacy": ("3c425c8d99d19bdd0b6cc60d5d32cbe5", "pass"),
    "bad_length": ("sk_4014c2b54b", "warn"),
    "wrong_provider": ("sk_car_kQ1okTBGzvAmwufUxbvJDCTb", "fail"),
}
AUTH_ROUTE = ("GET", "/elevenlabs/v1/user")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", j(200, {"subscription": {"tier": "free"}}), {"key.auth": "pass", "key.scope": "pass"}),
    ("invalid", j(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}),
     {"key.auth": "fail"}),
]
FAKE = ElevenLabsFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
# how key.auth carries the key (None: the header is absent, ...: present, any value)
AUTH_HEADERS = {"xi-api-key": KEY}
USER = f"{BASE}/elevenlabs/v1/user"
SUBSCRIPTION = f"{BASE}/elevenlabs/v1/user/subscription"
VALID_USER = {"subscription": {"tier": "creator"}}


async def quota_of(state: str, fake: ElevenLabsFake | None = None) -> dict[str, CheckResult]:
    return await against_fake(fake or ElevenLabsFake({KEY: state}), "elevenlabs")


async def quota_answering(response: httpx.Response | Exception) -> CheckResult:
    with respx.mock:
        respx.get(USER).mock(return_value=httpx.Response(200, json=VALID_USER))
        if isinstance(response, Exception):
            respx.get(SUBSCRIPTION).mock(side_effect=response)
        else:
            respx.get(SUBSCRIPTION).mock(return_value=response)
        report = await run_provider("elevenlabs")
    return {c.id: c for c in report.integrations[0].checks}["elevenlabs.quota"]


def subscription(count: int, limit: int, **extra: object) -> httpx.Response:
    return httpx.Response(200, json={"tier": "creator", "character_count": count, "character_limit": limit,
                                     "can_extend_character_limit": False, "allowed_to_extend_character_limit": False,
                                     "max_character_limit_extension": None, "status": "active", **extra})


async def test_elevenlabs_quota_with_characters_left_passes_and_gives_the_reset_date() -> None:
    checks = await quota_of("valid")
    quota = checks["elevenlabs.quota"]
    assert checks["key.auth"].status.value == "pass" and quota.status.value == "pass"
    assert "1,200 of 100,000 characters used" in quota.summary
    assert re.fullmatch(r"\d{4}-\d{2}-01", quota.details["resets_on"]) and quota.details["resets_on"] in quota.summary


async def test_elevenlabs_quota_nearly_used_warns_at_90_percent() -> None:
    quota = (await quota_of("quota_low"))["elevenlabs.quota"]
    assert quota.status.value == "warn" and "92% of the character quota used" in quota.summary


async def test_elevenlabs_quota_exhausted_fails_until_the_reset_date() -> None:
    quota = (await quota_of("quota_exhausted"))["elevenlabs.quota"]
    assert quota.status.value == "fail" and "used up" in quota.summary
    assert f"until {quota.details['resets_on']}" in quota.summary and quota.details["resets_on"] in quota.remediation


async def test_elevenlabs_quota_exhausted_names_the_reset_date_from_the_answer() -> None:
    quota = await quota_answering(subscription(10000, 10000, next_character_count_reset_unix=1767225600))
    assert quota.status.value == "fail" and "until 2026-01-01" in quota.summary


async def test_elevenlabs_quota_over_the_limit_with_usage_based_billing_warns() -> None:
    quota = (await quota_of("quota_overage"))["elevenlabs.quota"]
    assert quota.status.value == "warn" and "usage-based billing" in quota.summary


async def test_elevenlabs_quota_over_the_limit_and_its_extension_fails() -> None:
    quota = await quota_answering(subscription(160000, 100000, can_extend_character_limit=True,
                                               allowed_to_extend_character_limit=True,
                                               max_character_limit_extension=50000))
    assert quota.status.value == "fail"


async def test_elevenlabs_subscription_not_active_warns() -> None:
    quota = (await quota_of("past_due"))["elevenlabs.quota"]
    assert quota.status.value == "warn" and "'past_due'" in quota.summary


async def test_elevenlabs_quota_without_a_reset_date_still_fails_when_used_up() -> None:
    quota = await quota_answering(subscription(500, 500, next_character_count_reset_unix=None))
    assert quota.status.value == "fail" and quota.details["resets_on"] is None


async def test_elevenlabs_restricted_key_skips_the_quota_without_asking() -> None:
    fake = ElevenLabsFake({KEY: "restricted"})
    quota = (await quota_of("restricted", fake))["elevenlabs.quota"]
    assert quota.status.value == "skip" and fake.count("/v1/user/subscription") == 0


async def test_elevenlabs_quota_read_missing_permissions_is_skip_not_fail() -> None:
    quota = await quota_answering(httpx.Response(401, json={"detail": {"status": "missing_permissions",
                                                                       "message": "missing user_read"}}))
    assert quota.status.value == "skip"


async def test_elevenlabs_rejected_key_skips_the_quota() -> None:
    checks = await quota_of("invalid")
    assert checks["key.auth"].status.value == "fail" and checks["elevenlabs.quota"].status.value == "skip"


async def test_elevenlabs_quota_read_503_is_error() -> None:
    fake = ElevenLabsFake({KEY: "valid"})
    fake.faults.append(Fault(path="/v1/user/subscription", status=503,
                             body={"detail": {"status": "service_unavailable", "message": "Service unavailable"}}))
    checks = await quota_of("valid", fake)
    assert checks["key.auth"].status.value == "pass" and checks["elevenlabs.quota"].status.value == "error"


@pytest.mark.parametrize("response", [
    httpx.Response(200, text="<html>captive portal</html>"), httpx.Response(200, json={"tier": "creator"}),
    httpx.Response(200, json={"character_count": "1200", "character_limit": 100000}),
    httpx.Response(200, json={"character_count": True, "character_limit": 100000}),
    httpx.Response(403, text="<html>Forbidden</html>"),
    httpx.Response(401, json={"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}),
    httpx.Response(429, json={"detail": {"status": "too_many_concurrent_requests"}}),
    httpx.ReadTimeout("slow"), httpx.ConnectError("refused"),
], ids=["html-200", "no-counts", "count-as-text", "count-as-bool", "html-403", "invalid-after-auth", "rate-limited",
        "timeout", "refused"])
async def test_elevenlabs_quota_read_failure_is_error_not_fail(response: httpx.Response | Exception) -> None:
    assert (await quota_answering(response)).status.value == "error"


async def test_elevenlabs_quota_request_carries_the_key_header() -> None:
    fake = ElevenLabsFake({KEY: "valid"})
    await quota_of("valid", fake)
    request = fake.requests[-1]
    assert request.path == "/v1/user/subscription" and request.headers["xi-api-key"] == KEY


async def test_elevenlabs_subscription_with_no_character_allowance_warns_not_fails() -> None:
    assert (await quota_answering(subscription(0, 0))).status.value == "warn"


async def _auth_status(body: dict) -> dict[str, CheckResult]:
    with respx.mock:
        respx.get(USER).mock(return_value=httpx.Response(401, json=body))
        respx.get(url__regex=r".*").mock(return_value=httpx.Response(503))
        report = await run_provider("elevenlabs")
    return {c.id: c for c in report.integrations[0].checks}


async def test_witness_elevenlabs_401_quota_exceeded_is_error_not_create_a_new_key() -> None:
    auth = (await _auth_status({"detail": {"status": "quota_exceeded", "message": "quota"}}))["key.auth"]
    assert auth.status.value == "error" and "Create a new key" not in (auth.remediation or "")


async def test_witness_elevenlabs_401_invalid_api_key_fails() -> None:
    auth = (await _auth_status({"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}))["key.auth"]
    assert auth.status.value == "fail"


async def test_witness_elevenlabs_401_missing_permissions_is_still_a_restricted_key() -> None:
    checks = await _auth_status({"detail": {"status": "missing_permissions", "message": "no user_read"}})
    assert checks["key.auth"].status.value == "pass" and checks["key.scope"].status.value == "warn"


async def test_elevenlabs_restricted_key_falls_back_to_voices() -> None:
    with respx.mock:
        respx.get(f"{BASE}/elevenlabs/v1/user").mock(return_value=j(401, {"detail": {"status": "missing_permissions"}}))
        voices = respx.get(f"{BASE}/elevenlabs/v1/voices").mock(return_value=j(200, {"voices": []}))
        report = await run_provider("elevenlabs")
    checks = {c.id: c for c in report.integrations[0].checks}
    assert voices.called
    assert checks["key.auth"].status.value == "pass" and checks["key.scope"].status.value == "warn"

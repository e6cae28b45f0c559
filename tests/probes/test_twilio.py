"""twilio.balance (providers.md "Balances and quotas"): GET Balance.json after
the account is read. No credit fails like a bad key, under --min-balance warns,
and a read that proves nothing is error/skip, never fail."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.models import CheckResult
from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.fakes.twilio import TWILIO_LOW_SID, TWILIO_SID, TWILIO_SUSPENDED_SID, TwilioAccount

pytestmark = pytest.mark.anyio
K = scenario.KEYS
SID, LOW = TWILIO_SID, TWILIO_LOW_SID
BASE = "http://127.0.0.1:7/twilio"
ACCOUNT = {"sid": SID, "status": "active", "type": "Full", "friendly_name": "x"}


async def balance(sandbox, sid: str = SID, token: str = K["SANDBOX_TWILIO_TOKEN"], **options) -> dict[str, CheckResult]:
    report = await check([{"name": "t", "provider": "twilio", "api_key": token, "metadata": {"account_sid": sid}}],
                         endpoints=sandbox.endpoints(), transport=sandbox.transport(), retries=0, timeout=2,
                         probe_options=options)
    return {c.id: c for c in report.integrations[0].checks}


def with_balance(sandbox, value: str | None) -> str:
    """A sandbox account whose balance is *value*; its SID."""
    sid = "AC" + "5a4d0b0e" * 3 + "000000b0"
    sandbox.fake("twilio").accounts[sid] = TwilioAccount(sid, "b" * 32, balance=value)
    return sid


async def balance_answering(response: httpx.Response | Exception) -> CheckResult:
    with respx.mock:
        respx.get(f"{BASE}/2010-04-01/Accounts/{SID}.json").mock(return_value=httpx.Response(200, json=ACCOUNT))
        route = respx.get(f"{BASE}/2010-04-01/Accounts/{SID}/Balance.json")
        route.mock(side_effect=response) if isinstance(response, Exception) else route.mock(return_value=response)
        report = await check([{"name": "t", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_TOKEN"],
                               "metadata": {"account_sid": SID}}], endpoints={"twilio": BASE}, retries=0, timeout=2)
    return {c.id: c for c in report.integrations[0].checks}["twilio.balance"]


async def test_twilio_balance_above_min_balance_passes(sandbox) -> None:
    result = (await balance(sandbox))["twilio.balance"]
    assert result.status.value == "pass" and "USD 25.00" in result.summary


async def test_twilio_low_balance_warns_below_min_balance(sandbox) -> None:
    result = (await balance(sandbox, LOW, K["SANDBOX_TWILIO_LOW_TOKEN"]))["twilio.balance"]
    assert result.status.value == "warn" and "USD 1.20" in result.summary and "--min-balance 5" in result.summary
    assert "Add funds" in result.remediation


async def test_twilio_min_balance_option_lowers_the_threshold(sandbox) -> None:
    result = (await balance(sandbox, LOW, K["SANDBOX_TWILIO_LOW_TOKEN"], min_balance=1))["twilio.balance"]
    assert result.status.value == "pass"


async def test_twilio_min_balance_applies_to_the_account_currency_only(sandbox) -> None:
    assert (await balance(sandbox, min_balance=["USD=30"]))["twilio.balance"].status.value == "warn"
    assert (await balance(sandbox, min_balance=["EUR=30"]))["twilio.balance"].status.value == "pass"


@pytest.mark.parametrize("value", ["0.00", "-3.17"])
async def test_twilio_no_credit_fails_like_a_bad_key(sandbox, value: str) -> None:
    result = (await balance(sandbox, with_balance(sandbox, value), "b" * 32))["twilio.balance"]
    assert result.status.value == "fail" and "refused" in result.summary and result.remediation


async def test_twilio_subaccount_without_balance_is_skip(sandbox) -> None:
    result = (await balance(sandbox, with_balance(sandbox, None), "b" * 32))["twilio.balance"]
    assert result.status.value == "skip" and "parent account" in result.summary


@pytest.mark.parametrize("status", [401, 403])
async def test_twilio_balance_read_403_is_skip_not_fail(status: int) -> None:
    body = {"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003",
            "status": status}
    result = await balance_answering(httpx.Response(status, json=body))
    assert result.status.value == "skip" and f"HTTP {status}" in result.summary


@pytest.mark.parametrize("response", [
    httpx.Response(500, json={"code": 20500, "message": "Internal Server Error", "status": 500}),
    httpx.Response(503, text="<html>Service Unavailable</html>"), httpx.Response(403, text="<html>Forbidden</html>"),
    httpx.Response(404, json={"code": 20404, "message": "The requested resource was not found", "status": 404}),
    httpx.Response(200, text="<html>captive portal</html>"), httpx.Response(200, json={"account_sid": SID}),
    httpx.Response(200, json={"account_sid": SID, "balance": "lots", "currency": "USD"}),
    httpx.ReadTimeout("slow"), httpx.ConnectError("refused"),
], ids=["500", "html-503", "html-403", "404", "html-200", "no-balance-field", "balance-not-a-number", "timeout",
        "refused"])
async def test_twilio_balance_read_failure_is_error_not_fail(response: httpx.Response | Exception) -> None:
    assert (await balance_answering(response)).status.value == "error"


async def test_twilio_suspended_account_skips_the_balance(sandbox) -> None:
    checks = await balance(sandbox, TWILIO_SUSPENDED_SID, K["SANDBOX_TWILIO_SUSPENDED_TOKEN"])
    assert checks["twilio.account"].status.value == "fail" and checks["twilio.balance"].status.value == "skip"


async def test_twilio_rejected_credentials_skip_the_balance(sandbox) -> None:
    checks = await balance(sandbox, token="0" * 32)
    assert checks["key.auth"].status.value == "fail" and checks["twilio.balance"].status.value == "skip"


async def test_twilio_balance_is_read_for_the_account_with_its_credentials(sandbox) -> None:
    await balance(sandbox)
    request = sandbox.fake("twilio").requests[-1]
    assert request.path == f"/2010-04-01/Accounts/{SID}/Balance.json"
    assert request.headers["authorization"].startswith("Basic ")


async def _number_check(item: dict) -> CheckResult:
    """twilio.phone_number for an IncomingPhoneNumbers answer holding *item* (account active)."""
    with respx.mock:
        respx.get(f"{BASE}/2010-04-01/Accounts/{SID}.json").mock(return_value=httpx.Response(
            200, json={"sid": SID, "status": "active", "type": "Full", "friendly_name": "t"}))
        respx.get(f"{BASE}/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json").mock(return_value=httpx.Response(
            200, json={"incoming_phone_numbers": [item]}))
        respx.get(url__regex=r".*").mock(return_value=httpx.Response(503))
        report = await check([{"name": "t", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_TOKEN"],
                               "metadata": {"account_sid": SID, "phone_number": "+14155550100"}}],
                             endpoints={"twilio": BASE, "twilio-trunking": BASE + "-trunking"}, retries=0, timeout=2)
    return {c.id: c for c in report.integrations[0].checks}["twilio.phone_number"]


async def test_witness_twilio_number_without_capabilities_is_error() -> None:
    result = await _number_check({"sid": "PN" + "0" * 32, "phone_number": "+14155550100"})
    assert result.status.value == "error" and "voice-capable" not in result.summary


async def test_witness_twilio_number_with_a_non_boolean_voice_flag_is_error() -> None:
    result = await _number_check({"sid": "PN" + "0" * 32, "phone_number": "+14155550100",
                                  "capabilities": {"voice": None, "sms": True}})
    assert result.status.value == "error"


async def test_witness_twilio_number_with_voice_false_still_fails() -> None:
    result = await _number_check({"sid": "PN" + "0" * 32, "phone_number": "+14155550100",
                                  "capabilities": {"voice": False, "sms": True}})
    assert result.status.value == "fail" and "not voice-capable" in result.summary

"""Twilio: its key-format rows, the account, numbers and SIP trunks through the sandbox fake (every verdict
path, bounded requests, the Basic-auth token never reaching logs or errors), and twilio.balance
(providers.md "Balances and quotas"): GET Balance.json after the account is read.
No credit fails like a bad key, under --min-balance warns, and a read that proves nothing is
error/skip, never fail."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.models import CheckResult
from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.asgi import Fault
from oneinbox_check.sandbox.fakes.twilio import (TWILIO_LOW_SID, TWILIO_SID, TWILIO_SUSPENDED_SID, TWILIO_TRIAL_SID,
                                                 TWILIO_TRUNK_SID, TwilioAccount)

pytestmark = pytest.mark.anyio
K = scenario.KEYS
KEY = K["SANDBOX_TWILIO_TOKEN"]  # a made-up key of twilio's shape
METADATA = {"account_sid": "ACa4c123b1612dd272d1371c17149d4395"}  # what every row of this provider carries
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("28d512c9791e558e08baa7196b50ac2f", "pass"),
    "account_sid_as_token": ("ACa4c123b1612dd272d1371c17149d4395", "fail"),
    "bad_length": ("bee500fe7ee5fc324bdb2e1142a21c", "warn"),
    "wrong_provider": ("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", "fail"),
}
# key.auth is not a one-request row here: Basic auth on the account fetch (the SID in metadata), through the sandbox fake.
# These tests of this module hold its rows, one per verdict (test_auth_table.py checks they exist)
AUTH_ELSEWHERE = {"pass": "test_full_account_number_and_trunk_pass", "fail": "test_wrong_token_fails_auth",
                  "error": "test_account_faults_are_errors"}
FAULTS_ELSEWHERE = "test_account_faults_are_errors"  # its faulty-server rows (tests/e2e/test_sandbox_faults.py)
SID, LOW = TWILIO_SID, TWILIO_LOW_SID
TRIAL, SUSPENDED, TRUNK = TWILIO_TRIAL_SID, TWILIO_SUSPENDED_SID, TWILIO_TRUNK_SID
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


# --- the account, its numbers and SIP trunks, through the sandbox fake (formerly test_telephony.py)

async def twilio(sandbox, sid: str = SID, token: str = K["SANDBOX_TWILIO_TOKEN"], timeout: float = 2, **meta):
    report = await check([{"name": "t", "provider": "twilio", "api_key": token,
                           "metadata": {"account_sid": sid, **meta}}],
                         endpoints=sandbox.endpoints(), transport=sandbox.transport(), retries=0, timeout=timeout)
    return {c.id: c for c in report.integrations[0].checks}


async def test_full_account_number_and_trunk_pass(sandbox) -> None:
    c = await twilio(sandbox, phone_number="+14155550100", sip_trunk="oneinbox-demo.pstn.twilio.com")
    assert {i: c[i].status.value for i in ("key.auth", "twilio.account", "twilio.phone_number", "twilio.sip_trunk")} \
        == {"key.auth": "pass", "twilio.account": "pass", "twilio.phone_number": "pass", "twilio.sip_trunk": "pass"}
    assert c["twilio.sip_trunk"].details["origination_urls"][0]["sip_url"] == "sip:agent.oneinbox.example"


async def test_trunk_by_sid(sandbox) -> None:
    c = await twilio(sandbox, phone_number="+14155550100", sip_trunk=TRUNK)
    assert c["twilio.sip_trunk"].status.value == "pass"


async def test_trial_account_warns(sandbox) -> None:
    c = await twilio(sandbox, sid=TRIAL, token=K["SANDBOX_TWILIO_TRIAL_TOKEN"])
    assert c["twilio.account"].status.value == "warn" and "verified numbers" in c["twilio.account"].summary


async def test_suspended_account_fails(sandbox) -> None:
    c = await twilio(sandbox, sid=SUSPENDED, token=K["SANDBOX_TWILIO_SUSPENDED_TOKEN"], phone_number="+14155550100")
    assert c["twilio.account"].status.value == "fail" and c["twilio.phone_number"].status.value == "skip"


async def test_wrong_token_fails_auth(sandbox) -> None:
    c = await twilio(sandbox, token="0" * 32)
    assert c["key.auth"].status.value == "fail" and "Authenticate" in c["key.auth"].summary


async def test_item17_twilio_20003_fix_text_names_suspended_or_closed_accounts(sandbox) -> None:
    c = await twilio(sandbox, token="0" * 32)
    fix = c["key.auth"].remediation or ""
    assert c["key.auth"].status.value == "fail"
    assert "Auth Token" in fix and "account_sid" in fix and "suspended" in fix and "closed" in fix


async def test_item17_twilio_404_20404_is_indeterminate_not_a_fail(sandbox) -> None:
    """The probe's Basic-auth user is the path SID, so 20404 cannot mean "token valid, SID not its account"."""
    base = "http://127.0.0.1:7/twilio"
    with respx.mock:
        respx.get(url__startswith=f"{base}/2010-04-01/Accounts/").mock(return_value=httpx.Response(
            404, json={"code": 20404, "message": "The requested resource was not found", "status": 404}))
        report = await check([{"name": "t", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_TOKEN"],
                               "metadata": {"account_sid": TRIAL}}], endpoints={"twilio": base}, retries=0)
    c = {x.id: x for x in report.integrations[0].checks}
    assert c["key.auth"].status.value == "error" and c["twilio.account"].status.value == "skip"


@pytest.mark.parametrize("body", [{"message": "proxy auth required"}, {"error": "unauthorized"}, "<html>401</html>"],
                         ids=["proxy-json", "other-json", "html"])
async def test_item8_9_twilio_401_without_twilios_envelope_is_error(sandbox, body) -> None:
    sandbox.fake("twilio").faults.append(Fault(path=r"/2010-04-01/Accounts/AC\w+\.json", status=401, body=body))
    c = await twilio(sandbox)
    assert c["key.auth"].status.value == "error" and c["twilio.account"].status.value == "skip"


def _endless_trunks(request: httpx.Request) -> httpx.Response:
    page = int(request.url.params.get("Page", 0))
    nxt = f"https://trunking.twilio.com/v1/Trunks?PageSize=100&Page={page + 1}&PageToken=PT{page + 1}"
    return httpx.Response(200, json={"trunks": [{"sid": "TK" + f"{page:032x}", "domain_name": f"t{page}.pstn.twilio.com"}],
                                     "meta": {"page": page, "page_size": 100, "key": "trunks", "next_page_url": nxt}})


async def test_item8_9_twilio_trunk_list_still_paging_after_20_pages_is_error() -> None:
    base, trunking = "http://127.0.0.1:7/twilio", "http://127.0.0.1:7/twilio-trunking"
    account = {"sid": SID, "status": "active", "type": "Full", "friendly_name": "x"}
    with respx.mock:
        respx.get(f"{base}/2010-04-01/Accounts/{SID}.json").mock(return_value=httpx.Response(200, json=account))
        pages = respx.get(url__startswith=f"{trunking}/v1/Trunks").mock(side_effect=_endless_trunks)
        respx.get(f"{base}/2010-04-01/Accounts/{SID}/Balance.json").mock(
            return_value=httpx.Response(200, json={"account_sid": SID, "balance": "25.00", "currency": "USD"}))
        report = await check([{"name": "t", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_TOKEN"],
                               "metadata": {"account_sid": SID, "sip_trunk": "missing.pstn.twilio.com"}}],
                             endpoints={"twilio": base, "twilio-trunking": trunking}, retries=0)
    c = {x.id: x for x in report.integrations[0].checks}
    assert c["twilio.sip_trunk"].status.value == "error" and "could not tell" in c["twilio.sip_trunk"].summary
    assert pages.call_count == 20


async def test_number_not_owned_fails_naming_the_account(sandbox) -> None:
    c = await twilio(sandbox, phone_number="+15739693824")
    assert c["twilio.phone_number"].status.value == "fail" and SID in c["twilio.phone_number"].summary


async def test_number_without_voice_fails(sandbox) -> None:
    c = await twilio(sandbox, phone_number="+14155550102")
    assert c["twilio.phone_number"].status.value == "fail" and "voice" in c["twilio.phone_number"].summary


async def test_number_not_on_the_trunk_warns(sandbox) -> None:
    c = await twilio(sandbox, phone_number="+14155550101", sip_trunk="oneinbox-demo.pstn.twilio.com")
    assert c["twilio.sip_trunk"].status.value == "warn" and "not attached" in c["twilio.sip_trunk"].summary


@pytest.mark.parametrize(("trunk", "fragment"), [
    ("missing.pstn.twilio.com", "not on this account"), ("demo.sip.twilio.com", "SIP Domain"),
    ("sip:whatever", "neither"),
])
async def test_bad_trunks_fail(sandbox, trunk: str, fragment: str) -> None:
    c = await twilio(sandbox, sip_trunk=trunk)
    assert c["twilio.sip_trunk"].status.value == "fail" and fragment in (c["twilio.sip_trunk"].summary
                                                                          + (c["twilio.sip_trunk"].remediation or ""))


async def test_malformed_account_sid_fails_without_sending(sandbox) -> None:
    c = await twilio(sandbox, sid="AC123")
    assert c["twilio.account"].status.value == "fail" and c["key.auth"].status.value == "skip"
    assert sandbox.fake("twilio").requests == []


@pytest.mark.parametrize(("fault", "status"), [
    (Fault(path=r"/2010-04-01/Accounts/AC\w+\.json", status=429,
           body={"code": 20429, "message": "Too Many Requests", "status": 429}), "error"),
    (Fault(path=r"/2010-04-01/Accounts/AC\w+\.json", status=500, body={}), "error"),
    (Fault(path=r"/2010-04-01/Accounts/AC\w+\.json", latency=3), "error"),
])
async def test_account_faults_are_errors(sandbox, fault: Fault, status: str) -> None:
    sandbox.fake("twilio").faults.append(fault)
    c = await twilio(sandbox, timeout=0.5)
    assert c["key.auth"].status.value == status


async def test_trunk_listing_fault_is_error(sandbox) -> None:
    sandbox.fake("twilio").faults.append(Fault(path="/v1/Trunks", status=503, body={}))
    c = await twilio(sandbox, sip_trunk="oneinbox-demo.pstn.twilio.com")
    assert c["twilio.sip_trunk"].status.value == "error"


async def test_one_account_fetch_per_sid(sandbox) -> None:
    entries = [{"name": f"t{i}", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_TOKEN"],
                "metadata": {"account_sid": SID, "phone_number": n}}
               for i, n in enumerate(["+14155550100", "+14155550101", "+14155550100"])]
    await check(entries, endpoints=sandbox.endpoints(), transport=sandbox.transport())
    fake = sandbox.fake("twilio")
    assert fake.count(r"/2010-04-01/Accounts/AC\w+\.json") == 1
    assert fake.count(r"/2010-04-01/Accounts/AC\w+/IncomingPhoneNumbers\.json") == 2


async def test_basic_auth_token_never_reaches_logs_or_results(sandbox, caplog) -> None:
    import base64
    import json

    token = K["SANDBOX_TWILIO_TOKEN"]
    basic = base64.b64encode(f"{SID}:{token}".encode()).decode()
    sandbox.fake("twilio").faults.append(Fault(path=r"/2010-04-01/Accounts/AC\w+\.json", status=500,
                                               body={"message": f"echo {token} {basic}"}))
    caplog.set_level(logging.DEBUG, logger="oneinbox_check")
    report = await check([{"name": "t", "provider": "twilio", "api_key": token, "metadata": {"account_sid": SID}}],
                         endpoints=sandbox.endpoints(), transport=sandbox.transport(), retries=0)
    text = report.to_json() + caplog.text + json.dumps([r.getMessage() for r in caplog.records])
    assert token not in text and basic not in text

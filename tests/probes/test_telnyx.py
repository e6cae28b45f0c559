"""Telnyx: its key-format and key.auth rows, numbers through the sandbox fake, and telnyx.balance
(providers.md "Balances and quotas"): read from the /v2/balance
answer key.auth already asked for. No available credit fails like a bad key,
under --min-balance warns; a read that proves nothing is error/skip."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.models import CheckResult
from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.asgi import Fault
from oneinbox_check.sandbox.fakes.telnyx import TelnyxFake
from oneinbox_check.sandbox.network import FakeNetwork
from tests.probes.helpers import j

pytestmark = pytest.mark.anyio
K = scenario.KEYS
KEY = "KEY" + "0A1B2C3D" * 4 + "_" + "Uv8w" * 5 + "xy"
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("KEY86702824C1C099724CAF4941D4072014_Ox9gy1CJdObOIRpFqaDZeV", "pass"),
    "bad_prefix": ("ABCP8Yib2eNUS0hmi4Fs9Z6YkRYU7oe1wNWqku5Nr50DjqG96EnLqNGpux", "fail"),
    "bad_length": ("KEYcmlzkO7rRu5ykYYqhXHd", "warn"),
    "wrong_provider": ("re_7G5IfQHe_VVEqZe2qpUWnoVPDF2yeE6Rs", "fail"),
}
AUTH_ROUTE = ("GET", "/telnyx/v2/balance")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("empty 401", httpx.Response(401), {"key.auth": "error"}),
    ("valid", j(200, {"data": {"record_type": "balance", "balance": "300.00", "currency": "USD"}}), {"key.auth": "pass"}),
    ("invalid", j(401, {"errors": [{"code": "10009", "title": "Authentication failed"}]}), {"key.auth": "fail"}),
    ("forbidden", j(403, {"errors": [{"code": "10010", "title": "Authorization failed"}]}), {"key.auth": "warn"}),
]
FAKE = TelnyxFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
BASE = "http://127.0.0.1:7/telnyx"


async def checks_for(state: str | None, **options) -> tuple[dict[str, CheckResult], TelnyxFake]:
    fake = TelnyxFake({KEY: state} if state else {})
    sandbox = FakeNetwork({"telnyx": fake})
    report = await check([{"name": "t", "provider": "telnyx", "api_key": KEY}], endpoints=sandbox.endpoints(),
                         transport=sandbox.transport(), retries=0, timeout=2, probe_options=options)
    return {c.id: c for c in report.integrations[0].checks}, fake


async def balance_answering(response: httpx.Response | Exception) -> dict[str, CheckResult]:
    with respx.mock:
        route = respx.get(f"{BASE}/v2/balance")
        route.mock(side_effect=response) if isinstance(response, Exception) else route.mock(return_value=response)
        report = await check([{"name": "t", "provider": "telnyx", "api_key": KEY}], endpoints={"telnyx": BASE},
                             retries=0, timeout=2)
    return {c.id: c for c in report.integrations[0].checks}


async def test_telnyx_balance_with_credit_passes_without_a_second_request() -> None:
    checks, fake = await checks_for("valid")
    assert checks["telnyx.balance"].status.value == "pass" and "USD 400.00" in checks["telnyx.balance"].summary
    assert fake.count("/v2/balance") == 1


async def test_telnyx_low_balance_warns_below_min_balance() -> None:
    result = (await checks_for("low_balance"))[0]["telnyx.balance"]
    assert result.status.value == "warn" and "USD 3.00" in result.summary and "--min-balance 5" in result.summary


async def test_telnyx_min_balance_option_raises_the_threshold() -> None:
    result = (await checks_for("valid", min_balance=["USD=500"]))[0]["telnyx.balance"]
    assert result.status.value == "warn" and result.details["min_balance"] == "500"


async def test_telnyx_no_available_credit_fails_like_a_bad_key() -> None:
    result = (await checks_for("no_credit"))[0]["telnyx.balance"]
    assert result.status.value == "fail" and "USD -12.50" in result.summary and result.remediation


async def test_telnyx_negative_balance_within_the_credit_limit_passes() -> None:
    result = (await checks_for("on_credit"))[0]["telnyx.balance"]
    assert result.status.value == "pass" and result.details["balance"] == "-20.00"


async def test_telnyx_balance_read_403_is_skip_not_fail() -> None:
    checks = (await checks_for("balance_forbidden"))[0]
    assert checks["key.auth"].status.value == "warn" and checks["telnyx.balance"].status.value == "skip"


async def test_telnyx_rejected_key_skips_the_balance() -> None:
    checks = (await checks_for(None))[0]
    assert checks["key.auth"].status.value == "fail" and checks["telnyx.balance"].status.value == "skip"


async def test_telnyx_balance_without_available_credit_uses_the_balance() -> None:
    checks = await balance_answering(httpx.Response(200, json={"data": {"balance": "2.00", "currency": "USD"}}))
    assert checks["telnyx.balance"].status.value == "warn" and "balance is low: USD 2.00" in checks["telnyx.balance"].summary


async def test_telnyx_balance_that_is_not_a_number_is_error() -> None:
    checks = await balance_answering(httpx.Response(200, json={"data": {"balance": "n/a", "currency": "USD"}}))
    assert checks["key.auth"].status.value == "pass" and checks["telnyx.balance"].status.value == "error"


@pytest.mark.parametrize("response", [
    httpx.Response(503, json={"errors": [{"code": "10503", "title": "Service unavailable"}]}),
    httpx.Response(200, text="<html>captive portal</html>"), httpx.ReadTimeout("slow"),
], ids=["503", "html-200", "timeout"])
async def test_telnyx_balance_read_failure_is_auth_error_and_balance_skip_never_fail(response: httpx.Response | Exception) -> None:
    checks = await balance_answering(response)
    assert checks["key.auth"].status.value == "error" and checks["telnyx.balance"].status.value == "skip"
    assert all(c.status.value != "fail" for c in checks.values())


async def test_witness_telnyx_401_with_an_undocumented_code_is_error() -> None:
    checks = await balance_answering(httpx.Response(401, json={"errors": [{"code": "10010"}]}))
    assert checks["key.auth"].status.value == "error"


async def test_witness_telnyx_401_with_code_10009_fails() -> None:
    checks = await balance_answering(httpx.Response(401, json={"errors": [{
        "code": "10009", "title": "Authentication failed", "detail": "The API key is invalid."}]}))
    assert checks["key.auth"].status.value == "fail"


async def _telnyx_number(item: dict) -> CheckResult:
    with respx.mock:
        respx.get(f"{BASE}/v2/balance").mock(return_value=httpx.Response(
            200, json={"data": {"record_type": "balance", "balance": "300.00", "available_credit": "300.00",
                                "currency": "USD"}}))
        respx.get(f"{BASE}/v2/phone_numbers").mock(return_value=httpx.Response(200, json={"data": [item]}))
        report = await check([{"name": "t", "provider": "telnyx", "api_key": KEY,
                               "metadata": {"phone_number": "+14155550100"}}], endpoints={"telnyx": BASE},
                             retries=0, timeout=2)
    return {c.id: c for c in report.integrations[0].checks}["telnyx.phone_number"]


async def test_witness_telnyx_number_without_status_is_error() -> None:
    result = await _telnyx_number({"id": "1", "phone_number": "+14155550100", "connection_id": "c1"})
    assert result.status.value == "error" and "not active" not in result.summary


async def test_witness_telnyx_number_with_a_documented_inactive_status_still_fails() -> None:
    result = await _telnyx_number({"id": "1", "phone_number": "+14155550100", "status": "port-pending",
                                   "connection_id": "c1"})
    assert result.status.value == "fail" and "port_pending" in result.summary


# --- numbers and faults through the sandbox fake (formerly test_telephony.py)

async def telnyx(sandbox, number: str | None, key: str = K["SANDBOX_TELNYX_KEY"], **meta):
    metadata = {"phone_number": number, **meta} if number else meta
    report = await check([{"name": "x", "provider": "telnyx", "api_key": key, "metadata": metadata}],
                         endpoints=sandbox.endpoints(), transport=sandbox.transport(), retries=0, timeout=2)
    return {c.id: c for c in report.integrations[0].checks}


@pytest.mark.parametrize(("number", "meta", "status", "fragment"), [
    ("+13125550100", {}, "pass", "active"),
    ("+13125550100", {"connection_id": "1684641123236054244"}, "pass", "active"),
    ("+13125550100", {"connection_id": "999"}, "fail", "not 999"),
    ("+13125550101", {}, "fail", "purchase_pending"),
    ("+13125550102", {}, "fail", "no connection"),
    ("+15739693824", {}, "fail", "not a number of this Telnyx account"),
    ("+1312555010", {}, "fail", None),  # a prefix of real numbers: the loose filter must not match it
])
async def test_telnyx_numbers(sandbox, number: str, meta: dict, status: str, fragment: str | None) -> None:
    c = await telnyx(sandbox, number, **meta)
    if "telnyx.phone_number" not in c:  # invalid E.164 fails input.schema instead
        assert c["input.schema"].status.value == "fail"
        return
    assert c["telnyx.phone_number"].status.value == status, c["telnyx.phone_number"]
    if fragment:
        assert fragment in c["telnyx.phone_number"].summary


async def test_item3_telnyx_filter_sends_digits_only(sandbox) -> None:
    c = await telnyx(sandbox, "+13125550100")
    sent = [r.query for r in sandbox.fake("telnyx").requests if r.path == "/v2/phone_numbers"]
    assert sent == [{"filter[phone_number]": "13125550100"}]
    assert c["telnyx.phone_number"].status.value == "pass"


async def test_item3_telnyx_fake_returns_nothing_for_a_plus_like_telnyx() -> None:
    """Telnyx's spec: non-numerical characters in filter[phone_number] return no values."""
    fake = scenario.build().fake("telnyx")
    key = K["SANDBOX_TELNYX_KEY"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake), base_url="http://127.0.0.1") as client:
        plus = await client.get("/v2/phone_numbers", params={"filter[phone_number]": "+13125550100"},
                                headers={"Authorization": f"Bearer {key}"})
        digits = await client.get("/v2/phone_numbers", params={"filter[phone_number]": "13125550100"},
                                  headers={"Authorization": f"Bearer {key}"})
    assert plus.json()["data"] == [] and [n["phone_number"] for n in digits.json()["data"]] == ["+13125550100"]


@pytest.mark.parametrize("body", [{"message": "proxy auth required"}, {"errors": "no"}, "<html>401</html>"],
                         ids=["proxy-json", "malformed-errors", "html"])
async def test_item8_9_telnyx_401_without_telnyx_envelope_is_error(sandbox, body) -> None:
    sandbox.fake("telnyx").faults.append(Fault(path="/v2/balance", status=401, body=body))
    c = await telnyx(sandbox, "+13125550100")
    assert c["key.auth"].status.value == "error" and c["telnyx.phone_number"].status.value == "skip"


async def test_telnyx_invalid_key_fails(sandbox) -> None:
    c = await telnyx(sandbox, "+13125550100", key="KEY" + "0" * 32 + "_" + "a" * 22)
    assert c["key.auth"].status.value == "fail" and c["telnyx.phone_number"].status.value == "skip"


async def test_telnyx_without_number_skips(sandbox) -> None:
    c = await telnyx(sandbox, None)
    assert c["key.auth"].status.value == "pass" and c["telnyx.phone_number"].status.value == "skip"


@pytest.mark.parametrize("fault", [Fault(path="/v2/phone_numbers", status=429, body={"errors": [{"code": "10011"}]}),
                                   Fault(path="/v2/phone_numbers", drop=True)], ids=["429", "dropped"])
async def test_telnyx_number_lookup_faults_are_errors(sandbox, fault: Fault) -> None:
    sandbox.fake("telnyx").faults.append(fault)
    c = await telnyx(sandbox, "+13125550100")
    assert c["telnyx.phone_number"].status.value == "error"

"""Deepgram: a verdict needs Deepgram's JSON error object."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check.models import CheckResult
from oneinbox_check.sandbox.fakes.deepgram import DeepgramFake
from tests.probes.helpers import BASE, against_fake, j, run_provider

pytestmark = pytest.mark.anyio
KEY = "0123456789" * 4  # a made-up key of deepgram's shape
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("0fb23c6f5da2cec255404e4fb440034d6608697a", "pass"),
    "bad_length": ("947aaeb26c57d21fa5d328263dfe574de739988", "warn"),
    "wrong_provider": ("cal_live_8b483b7ffc050fec94dbca3a0aac3609", "fail"),
}
AUTH_ROUTE = ("GET", "/deepgram/v1/projects")  # the one request key.auth sends, under helpers.BASE
AUTH = [  # key.auth rows (tests/probes/test_auth_table.py): case, answer, expected statuses
    ("valid", j(200, {"projects": []}), {"key.auth": "pass", "key.scope": "pass"}),
    ("invalid", j(401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials."}), {"key.auth": "fail"}),
    ("restricted", j(403, {"err_code": "FORBIDDEN"}), {"key.auth": "pass", "key.scope": "warn"}),
]
FAKE = DeepgramFake  # its sandbox fake: FAKE({KEY: "valid"}) passes key.auth (tests/e2e/test_sandbox_faults.py)
# how key.auth carries the key (None: the header is absent, ...: present, any value)
AUTH_HEADERS = {"authorization": "Token " + KEY}


@pytest.mark.parametrize("response", [httpx.Response(403, text="<html><h1>403 Forbidden</h1></html>"),
                                      httpx.Response(403), httpx.Response(403, json={"message": "blocked by WAF"})],
                         ids=["html", "empty", "foreign-json"])
async def test_item14_deepgram_403_without_deepgrams_json_is_an_error(response: httpx.Response) -> None:
    with respx.mock:
        respx.get(f"{BASE}/deepgram/v1/projects").mock(return_value=response)
        report = await run_provider("deepgram")
    checks = {c.id: c for c in report.integrations[0].checks}
    assert checks["key.auth"].status.value == "error"


async def test_item14_deepgram_json_403_is_a_valid_restricted_key() -> None:
    checks = await against_fake(DeepgramFake({KEY: "restricted"}), "deepgram")
    assert checks["key.auth"].status.value == "pass" and checks["key.scope"].status.value == "warn"


async def test_deepgram_modern_error_object_is_recognised() -> None:
    body = {"category": "INVALID_AUTH", "message": "Invalid credentials.", "details": "", "request_id": "r"}
    with respx.mock:
        respx.get(f"{BASE}/deepgram/v1/projects").mock(return_value=httpx.Response(401, json=body))
        report = await run_provider("deepgram")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "fail"


async def test_deepgram_invalid_key_is_a_fail() -> None:
    assert (await against_fake(DeepgramFake({}), "deepgram"))["key.auth"].status.value == "fail"


# --- deepgram.balance (providers.md "Balances and quotas") ------------------------------------------------

BALANCES = f"{BASE}/deepgram/v1/projects/p1/balances"
ONE_PROJECT = {"projects": [{"project_id": "p1", "name": "Sandbox"}]}


async def balance_of(state: str, **kw: object) -> CheckResult:
    return (await against_fake(DeepgramFake({KEY: state}), "deepgram", **kw))["deepgram.balance"]


async def balance_answering(response: httpx.Response | Exception) -> CheckResult:
    with respx.mock:
        respx.get(f"{BASE}/deepgram/v1/projects").mock(return_value=httpx.Response(200, json=ONE_PROJECT))
        if isinstance(response, Exception):
            respx.get(BALANCES).mock(side_effect=response)
        else:
            respx.get(BALANCES).mock(return_value=response)
        report = await run_provider("deepgram")
    return {c.id: c for c in report.integrations[0].checks}["deepgram.balance"]


async def test_deepgram_balance_above_min_balance_passes() -> None:
    result = await balance_of("valid")
    assert result.status.value == "pass" and "USD 104.57" in result.summary


async def test_deepgram_low_balance_warns_below_min_balance() -> None:
    result = await balance_of("low_balance")
    assert result.status.value == "warn" and "USD 2.50" in result.summary and "--min-balance 5" in result.summary
    assert result.remediation


async def test_deepgram_min_balance_option_raises_the_threshold() -> None:
    result = await balance_of("valid", probe_options={"min_balance": 200})
    assert result.status.value == "warn" and result.details["min_balance"] == "200"


async def test_deepgram_min_balance_for_another_currency_leaves_usd_at_the_default() -> None:
    assert (await balance_of("low_balance", probe_options={"min_balance": "EUR=1"})).status.value == "warn"
    assert (await balance_of("low_balance", probe_options={"min_balance": ["USD=1"]})).status.value == "pass"


async def test_deepgram_no_credit_warns_and_never_fails() -> None:
    result = await balance_of("no_credit")
    assert result.status.value == "warn" and "no prepaid credit" in result.summary


async def test_deepgram_without_balance_rows_skips_as_pay_as_you_go() -> None:
    result = await balance_of("no_balances")
    assert result.status.value == "skip" and "pay-as-you-go" in result.summary


async def test_deepgram_balance_read_403_is_skip_not_fail() -> None:
    checks = await against_fake(DeepgramFake({KEY: "billing_forbidden"}), "deepgram")
    assert checks["key.auth"].status.value == "pass"
    assert checks["deepgram.balance"].status.value == "skip" and "may not read billing" in checks["deepgram.balance"].summary


async def test_deepgram_balance_read_503_is_error() -> None:
    assert (await balance_of("balance_outage")).status.value == "error"


@pytest.mark.parametrize("response", [
    httpx.Response(403, text="<html><h1>403 Forbidden</h1></html>"), httpx.Response(403, json={"message": "WAF"}),
    httpx.Response(200, text="<html>captive portal</html>"), httpx.Response(200, json={"balances": "none"}),
    httpx.Response(200, json={"balances": [{"amount": "lots", "units": "usd"}]}),
    httpx.Response(200, json={"balances": [{"amount": 12.5}]}), httpx.Response(429, json={"err_code": "RATE"}),
    httpx.ReadTimeout("slow"), httpx.ConnectError("refused"),
], ids=["html-403", "foreign-json-403", "html-200", "balances-not-a-list", "amount-not-a-number", "no-units",
        "rate-limited", "timeout", "refused"])
async def test_deepgram_balance_read_failure_is_error_not_fail(response: httpx.Response | Exception) -> None:
    assert (await balance_answering(response)).status.value == "error"


async def test_deepgram_balances_are_summed_per_unit() -> None:
    rows = [{"balance_id": "b1", "amount": 3, "units": "usd"}, {"balance_id": "b2", "amount": 3.5, "units": "USD"}]
    result = await balance_answering(httpx.Response(200, json={"balances": rows}))
    assert result.status.value == "pass" and "USD 6.50" in result.summary


async def test_deepgram_restricted_key_skips_the_balance() -> None:
    assert (await balance_of("restricted")).status.value == "skip"


async def test_deepgram_rejected_key_skips_the_balance() -> None:
    checks = await against_fake(DeepgramFake({}), "deepgram")
    assert checks["key.auth"].status.value == "fail" and checks["deepgram.balance"].status.value == "skip"


async def test_deepgram_balance_is_read_for_the_listed_project_with_the_token() -> None:
    fake = DeepgramFake({KEY: "valid"})
    await against_fake(fake, "deepgram")
    request = fake.requests[-1]
    assert request.path == "/v1/projects/3b5a0c2e-0000-4000-8000-000000000001/balances"
    assert request.headers["authorization"] == "Token " + KEY


async def test_deepgram_balance_reads_are_bounded_when_a_key_sees_many_projects() -> None:
    projects = {"projects": [{"project_id": f"p{i}", "name": str(i)} for i in range(12)]}
    with respx.mock:
        respx.get(f"{BASE}/deepgram/v1/projects").mock(return_value=httpx.Response(200, json=projects))
        route = respx.get(url__regex=rf"{BASE}/deepgram/v1/projects/p\d+/balances").mock(
            return_value=httpx.Response(200, json={"balances": [{"amount": 50, "units": "usd"}]}))
        report = await run_provider("deepgram")
    result = {c.id: c for c in report.integrations[0].checks}["deepgram.balance"]
    assert route.call_count == 5 and result.details["projects"] == 12 and result.status.value == "pass"


async def test_witness_deepgram_401_with_another_err_code_is_error() -> None:
    with respx.mock:
        respx.get(f"{BASE}/deepgram/v1/projects").mock(return_value=httpx.Response(401, json={"err_code": "SOMETHING_ELSE"}))
        report = await run_provider("deepgram")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


async def test_witness_deepgram_401_modern_shape_with_another_category_is_error() -> None:
    body = {"category": "SOMETHING_ELSE", "message": "x", "details": "", "request_id": "r"}
    with respx.mock:
        respx.get(f"{BASE}/deepgram/v1/projects").mock(return_value=httpx.Response(401, json=body))
        report = await run_provider("deepgram")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "error"


async def test_witness_deepgram_401_legacy_invalid_auth_fails() -> None:
    body = {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials.", "request_id": "r"}
    with respx.mock:
        respx.get(f"{BASE}/deepgram/v1/projects").mock(return_value=httpx.Response(401, json=body))
        report = await run_provider("deepgram")
    assert {c.id: c for c in report.integrations[0].checks}["key.auth"].status.value == "fail"

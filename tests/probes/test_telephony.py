"""Twilio and Telnyx probes against provider-shaped answers (sandbox fakes and
respx): every verdict path, bounded requests, and the Basic-auth token never
reaching logs or errors."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.asgi import Fault
from oneinbox_check.sandbox.fakes.twilio import TWILIO_SID, TWILIO_SUSPENDED_SID, TWILIO_TRIAL_SID, TWILIO_TRUNK_SID

pytestmark = pytest.mark.anyio
K = scenario.KEYS
SID, TRIAL, SUSPENDED, TRUNK = TWILIO_SID, TWILIO_TRIAL_SID, TWILIO_SUSPENDED_SID, TWILIO_TRUNK_SID


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

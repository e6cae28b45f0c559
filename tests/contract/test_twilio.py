"""Twilio: the probe's requests and the fake's answers against twilio/twilio-oai
twilio_api_v2010.json and twilio_trunking_v1.json (trimmed)."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.fakes.twilio import (TWILIO_LOW_SID, TWILIO_SID, TWILIO_TRIAL_SID, TWILIO_TRUNK_SID,
                                                 TwilioAccount)

from .drive import drive, no_problems, request_problems, response_problems
from .openapi import Spec

pytestmark = pytest.mark.anyio
SPECS = {name: [Spec.load("twilio_api_v2010.json"), Spec.load("twilio_trunking_v1.json")]
         for name in ("twilio", "twilio-trunking")}
K = scenario.KEYS
# Answers the specs do not document (they list only 200s): Twilio's error envelope
# {code, message, more_info, status}, twilio.com/docs/usage/twilios-response and
# twilio.com/docs/api/errors/20003 (401) and /20404 (404).
UNDOCUMENTED = {
    (r"/2010-04-01/Accounts/AC\w+\.json", 401): "twilio.com/docs/api/errors/20003",
    (r"/v1/Trunks/TK\w+/OriginationUrls", 404): "twilio.com/docs/api/errors/20404",
}


SUBACCOUNT = "AC" + "5a4d0b0e" * 3 + "0000000a"


async def exchanges(sandbox):
    # a subaccount: "Child accounts do not contain balance information" (FetchBalance), every field nullable
    sandbox.fake("twilio").accounts[SUBACCOUNT] = TwilioAccount(SUBACCOUNT, "5" * 32, balance=None)
    meta = {"account_sid": TWILIO_SID, "phone_number": "+14155550100",
            "sip_trunk": "oneinbox-demo.pstn.twilio.com"}
    entries = [
        {"name": "full", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_TOKEN"], "metadata": meta},
        {"name": "by-sid", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_TOKEN"],
         "metadata": {**meta, "phone_number": "+14155550101", "sip_trunk": TWILIO_TRUNK_SID}},
        {"name": "missing", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_TOKEN"],
         "metadata": {**meta, "phone_number": "+15739693824", "sip_trunk": "missing.pstn.twilio.com"}},
        {"name": "trial", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_TRIAL_TOKEN"],
         "metadata": {"account_sid": TWILIO_TRIAL_SID}},
        {"name": "bad", "provider": "twilio", "api_key": "0" * 32, "metadata": {"account_sid": TWILIO_SID}},
        {"name": "low", "provider": "twilio", "api_key": K["SANDBOX_TWILIO_LOW_TOKEN"],
         "metadata": {"account_sid": TWILIO_LOW_SID}},
        {"name": "child", "provider": "twilio", "api_key": "5" * 32, "metadata": {"account_sid": SUBACCOUNT}},
    ]
    return await drive(sandbox, ["twilio"], entries)


async def test_twilio_probe_requests_fit_the_spec(sandbox) -> None:
    seen = await exchanges(sandbox)
    paths = {e.request.path.rsplit("/", 1)[-1] for e in seen}
    assert {"IncomingPhoneNumbers.json", "Trunks", "OriginationUrls", "Balance.json"} <= paths
    no_problems(request_problems(seen, SPECS))


async def test_twilio_fake_answers_fit_the_spec(sandbox) -> None:
    seen = await exchanges(sandbox)
    assert {e.response.status for e in seen} >= {200, 401}
    balances = [e.body for e in seen if e.request.path.endswith("/Balance.json")]
    assert {b["balance"] for b in balances} == {"25.00", "1.20", None}
    no_problems(response_problems(seen, SPECS, UNDOCUMENTED))

"""The contract checker itself: it must catch a renamed query parameter, a wrong
format, a missing credential and a fake answer field of the wrong type or value —
otherwise a green contract suite proves nothing."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox.fakes.calcom import EventType
from oneinbox_check.sandbox.fakes.resend import ResendDomain
from oneinbox_check.sandbox.fakes.sendgrid import SendGridDomain

from .openapi import Spec, check_request, check_response

TELNYX = [Spec.load("telnyx.json")]
SENDGRID = [Spec.load(f"sendgrid_{n}.json") for n in ("scopes", "domain_authentication", "verified_senders")]
TWILIO = [Spec.load("twilio_api_v2010.json"), Spec.load("twilio_trunking_v1.json")]
CALCOM = [Spec.load("calcom_v2.json")]
RESEND = [Spec.load("resend.json")]
BEARER = {"Authorization": "Bearer k"}
SID = "AC" + "0" * 32


def test_a_conforming_request_has_no_problems() -> None:
    assert check_request(TELNYX, "GET", "/v2/phone_numbers", {"filter[phone_number]": "13125550100"}, BEARER) == []


@pytest.mark.parametrize(("query", "fragment"), [
    ({"filter[phone_nmber]": "13125550100"}, "not documented"),   # a renamed deepObject key
    ({"phone_number": "13125550100"}, "not documented"),          # a renamed parameter
    ({"filter[phone_number]": "+13125550100"}, "does not match"),  # the spec: digits only
], ids=["renamed-filter-key", "renamed-parameter", "plus-sign"])
def test_a_renamed_or_malformed_query_parameter_is_caught(query: dict, fragment: str) -> None:
    problems = check_request(TELNYX, "GET", "/v2/phone_numbers", query, BEARER)
    assert problems and fragment in problems[0]


def test_sendgrid_renamed_domain_filter_is_caught() -> None:
    ok = check_request(SENDGRID, "GET", "/v3/whitelabel/domains", {"domain": "a.example", "limit": "50", "offset": "0"},
                       BEARER)
    renamed = check_request(SENDGRID, "GET", "/v3/whitelabel/domains", {"domains": "a.example"}, BEARER)
    assert ok == [] and "'domains' is not documented" in renamed[0]


def test_missing_required_query_parameter_and_header_are_caught() -> None:
    problems = check_request(CALCOM, "GET", "/v2/slots", {"eventTypeId": "1", "end": "2026-12-15"}, {})
    assert any("start missing" in p for p in problems) and any("cal-api-version missing" in p for p in problems)


def test_parameter_format_is_checked() -> None:
    query = {"eventTypeId": "1", "start": "01/12/2026", "end": "2026-12-15", "timeZone": "UTC"}
    problems = check_request(CALCOM, "GET", "/v2/slots", query, {"cal-api-version": "2024-09-04"})
    assert problems and "start" in problems[0]
    bad_number = check_request(TWILIO, "GET", f"/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json",
                               {"PhoneNumber": "4155550100"}, {"Authorization": "Basic eDp5"})
    assert bad_number and "phone-number" in bad_number[0]


def test_path_parameter_pattern_and_security_scheme_are_checked() -> None:
    assert check_request(TWILIO, "GET", "/2010-04-01/Accounts/AC123.json", {}, {"Authorization": "Basic eDp5"})
    assert "security not met" in check_request(TWILIO, "GET", f"/2010-04-01/Accounts/{SID}.json", {}, BEARER)[0]


def test_an_unknown_operation_is_caught() -> None:
    assert "no such operation" in check_request(RESEND, "GET", "/domain", {}, BEARER)[0]


def test_a_fake_field_of_the_wrong_type_is_caught() -> None:
    body = SendGridDomain("a.example", id=3).body()
    assert check_response(SENDGRID, "GET", "/v3/whitelabel/domains", 200, [body]) == []
    body["valid"] = "yes"
    assert "'yes' is not of type 'boolean'" in check_response(SENDGRID, "GET", "/v3/whitelabel/domains", 200, [body])[0]


def test_a_fake_enum_value_outside_the_spec_is_caught() -> None:
    listed = ResendDomain("a.example", id="d1").summary()
    assert check_response(RESEND, "GET", "/domains", 200, {"object": "list", "has_more": False, "data": [listed]}) == []
    listed["capabilities"]["sending"] = "off"
    problems = check_response(RESEND, "GET", "/domains", 200, {"object": "list", "has_more": False, "data": [listed]})
    assert "'off' is not one of" in problems[0]


def test_a_missing_required_field_is_caught() -> None:
    body = {"status": "success", "data": EventType(1, "Demo").body()}
    assert check_response(CALCOM, "GET", "/v2/event-types/1", 200, body) == []
    del body["data"]["lengthInMinutes"]
    assert "'lengthInMinutes' is a required property" in check_response(CALCOM, "GET", "/v2/event-types/1", 200, body)[0]


def test_an_undocumented_status_is_caught() -> None:
    assert "not documented" in check_response(RESEND, "GET", "/domains", 418, {})[0]


def test_telnyx_error_envelope_is_checked_against_its_schema() -> None:
    ok = {"errors": [{"code": "10009", "title": "Authentication failed", "detail": "bad key"}]}
    assert check_response(TELNYX, "GET", "/v2/phone_numbers", 401, ok) == []
    assert check_response(TELNYX, "GET", "/v2/phone_numbers", 401, {"errors": [{"code": 10009}]})

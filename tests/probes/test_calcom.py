"""Cal.com probe against provider-shaped answers (the sandbox fake, and respx
for faults): every verdict path, and bounded requests."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.probes.registry import load_registry
from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.asgi import Fault

pytestmark = pytest.mark.anyio
KEY = scenario.KEYS["SANDBOX_CALCOM_KEY"]
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("cal_live_8b483b7ffc050fec94dbca3a0aac3609", "pass"),
    "bad_prefix": ("d59291f0cde2e5738713a818d8962058765a6ca7", "fail"),
    "test_key": ("cal_test_cff00d796c25410335b400141212b62c", "warn"),
    "self_hosted": ("cal_376631129f34369aad80b891baf90d0d", "pass"),
    "wrong_provider": ("sk-proj-gLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40", "fail"),
}
# key.auth is not a one-request row here: /v2/me with the API-version headers, through the sandbox fake.
# These tests of this module hold its rows, one per verdict (test_auth_table.py checks they exist)
AUTH_ELSEWHERE = {"pass": "test_healthy_event_type_with_slots_passes", "fail": "test_invalid_key_fails",
                  "error": "test_faults_are_errors"}
FAULTS_ELSEWHERE = "test_faults_are_errors"  # its faulty-server rows (tests/e2e/test_sandbox_faults.py)


async def run(sandbox, *tools: int, key: str = KEY, name: str = "cal", **kw):
    entries = [{"name": name, "provider": "calcom", "api_key": key}]
    tool_list = [{"type": "schedule_calendar_event", "integration": name, "event_type_id": t} for t in tools]
    report = await check(entries, tool_list, endpoints=sandbox.endpoints(), transport=sandbox.transport(),
                         retries=0, timeout=kw.pop("timeout", 2), **kw)
    return report.integrations[0].checks, report


def by_id(checks) -> dict:
    return {c.id: c for c in checks}


async def test_healthy_event_type_with_slots_passes(sandbox) -> None:
    checks, report = await run(sandbox, 1001)
    c = by_id(checks)
    assert [c[i].status.value for i in ("key.auth", "calcom.event_types", "calcom.event_type", "calcom.availability")] \
        == ["pass"] * 4
    assert c["calcom.event_types"].details["count"] == 4
    assert c["calcom.availability"].details["count"] == 3 and "first" in c["calcom.availability"].summary
    assert report.exit_code == 0


async def test_hidden_event_type_warns(sandbox) -> None:
    c = by_id((await run(sandbox, 1002))[0])
    assert c["calcom.event_type"].status.value == "warn" and "hidden" in c["calcom.event_type"].summary


async def test_extra_required_field_fails_naming_it(sandbox) -> None:
    c = by_id((await run(sandbox, 1003))[0])
    assert c["calcom.event_type"].status.value == "fail" and "company" in c["calcom.event_type"].summary


async def test_no_slots_fails_with_http_400_warning(sandbox) -> None:
    c = by_id((await run(sandbox, 1004))[0])
    assert c["calcom.availability"].status.value == "fail" and "HTTP 400" in c["calcom.availability"].summary


async def test_event_type_of_another_account_fails(sandbox) -> None:
    c = by_id((await run(sandbox, 9999))[0])
    assert c["calcom.event_type"].status.value == "fail"
    assert "not in this account" in c["calcom.event_type"].summary
    assert c["calcom.availability"].status.value == "skip"


async def test_no_tool_skips_with_the_manifest_lines_to_add(sandbox) -> None:
    c = by_id((await run(sandbox))[0])
    assert c["calcom.event_type"].status.value == "skip"
    assert 'type = "schedule_calendar_event"' in c["calcom.event_type"].remediation


async def test_expired_key_says_so(sandbox) -> None:
    c = by_id((await run(sandbox, 1001, key=scenario.KEYS["SANDBOX_CALCOM_EXPIRED_KEY"]))[0])
    assert c["key.auth"].status.value == "fail" and "expired" in c["key.auth"].remediation


async def test_invalid_key_fails(sandbox) -> None:
    c = by_id((await run(sandbox, 1001, key="cal_live_" + "f" * 32))[0])
    assert c["key.auth"].status.value == "fail" and "not valid" in c["key.auth"].summary


async def test_zero_event_types_warns(sandbox) -> None:
    sandbox.fake("calcom").event_types = []
    c = by_id((await run(sandbox))[0])
    assert c["calcom.event_types"].status.value == "warn"


async def test_one_listing_per_key_however_many_tools(sandbox) -> None:
    entries = [{"name": f"cal{i}", "provider": "calcom", "api_key": KEY} for i in range(3)]
    tools = [{"type": "schedule_calendar_event", "integration": f"cal{i}", "event_type_id": t}
             for i in range(3) for t in (1001, 1002, 1003)]
    await check(entries, tools, endpoints=sandbox.endpoints(), transport=sandbox.transport())
    fake = sandbox.fake("calcom")
    assert fake.count("/v2/event-types", "GET") == 1
    assert fake.count("/v2/me") == 1
    assert fake.count(r"/v2/event-types/\d+") == 0  # found in the listing
    assert fake.count("/v2/slots") == 3  # one per event type


async def test_api_version_headers_are_sent(sandbox) -> None:
    await run(sandbox, 1001)
    reqs = {r.path: r.headers.get("cal-api-version") for r in sandbox.fake("calcom").requests}
    assert reqs["/v2/event-types"] == "2024-06-14" and reqs["/v2/slots"] == "2024-09-04"


async def test_calcom_days_option_sets_the_window(sandbox) -> None:
    c = by_id((await run(sandbox, 1001, probe_options={"calcom_days": 3}))[0])
    details = c["calcom.availability"].details
    from datetime import date
    assert (date.fromisoformat(details["to"]) - date.fromisoformat(details["from"])).days == 3


@pytest.mark.parametrize(("path", "fault", "check_id"), [
    ("/v2/me", Fault(status=429, body={"status": "error", "error": {"code": "ThrottlerException",
                                                                    "message": "Too Many Requests"}}), "key.auth"),
    ("/v2/me", Fault(status=502, body="<html>bad gateway</html>"), "key.auth"),
    ("/v2/me", Fault(latency=3), "key.auth"),
    ("/v2/event-types", Fault(status=500, body={}), "calcom.event_types"),
    ("/v2/slots", Fault(status=503, body={}), "calcom.availability"),
    ("/v2/slots", Fault(drop=True), "calcom.availability"),
    ("/v2/me", Fault(status=401, body="<html>Unauthorized</html>"), "key.auth"),
])
async def test_faults_are_errors(sandbox, path: str, fault: Fault, check_id: str) -> None:
    fault.path = path
    sandbox.fake("calcom").faults.append(fault)
    checks, report = await run(sandbox, 1001, timeout=0.5)
    c = by_id(checks)
    assert c[check_id].status.value == "error"
    assert report.exit_code == 3


async def test_event_type_fetched_by_id_when_not_listed() -> None:
    """A team event type is not in the user's list but readable by id (respx)."""
    base = "http://127.0.0.1:7/calcom"
    event = {"id": 77, "title": "Team Demo", "hidden": False, "bookingFields": [
        {"type": "name", "slug": "name", "required": True}, {"type": "email", "slug": "email", "required": True}]}
    with respx.mock:
        respx.get(f"{base}/v2/me").mock(return_value=httpx.Response(200, json={"status": "success", "data": {"id": 1}}))
        respx.get(f"{base}/v2/event-types").mock(return_value=httpx.Response(200, json={"status": "success", "data": []}))
        by_id_route = respx.get(f"{base}/v2/event-types/77").mock(
            return_value=httpx.Response(200, json={"status": "success", "data": event}))
        respx.get(url__startswith=f"{base}/v2/slots").mock(return_value=httpx.Response(
            200, json={"status": "success", "data": {"2026-12-01": [{"start": "2026-12-01T09:00:00.000Z"}]}}))
        report = await check([{"name": "c", "provider": "calcom", "api_key": KEY}],
                             [{"type": "schedule_calendar_event", "integration": "c", "event_type_id": 77}],
                             endpoints={"calcom": base})
    c = {x.id: x for x in report.integrations[0].checks}
    assert by_id_route.called and c["calcom.event_type"].status.value == "pass"
    assert c["calcom.event_types"].status.value == "warn"


async def test_old_grouped_list_shape_is_understood() -> None:
    from oneinbox_check.probes.calcom import event_types_of

    assert event_types_of({"data": {"eventTypeGroups": [{"eventTypes": [{"id": 1}]}]}}) == [{"id": 1}]
    assert event_types_of({"data": "nope"}) is None


def test_missing_name_or_email_question_fails() -> None:
    from oneinbox_check.probes.calcom import missing_agent_fields

    assert missing_agent_fields({"bookingFields": [{"slug": "name"}, {"slug": "email", "hidden": True}]}) == ["email"]
    assert missing_agent_fields({"bookingFields": []}) == []


async def test_item5_calcom_split_name_field_asks_for_the_name(sandbox) -> None:
    from oneinbox_check.sandbox.fakes.calcom import EventType

    sandbox.fake("calcom").event_types.append(EventType(1005, "Split Name Demo", split_name=True))
    c = by_id((await run(sandbox, 1005))[0])
    assert c["calcom.event_type"].status.value == "pass", c["calcom.event_type"]


def test_item5_calcom_split_name_is_not_an_extra_required_field() -> None:
    from oneinbox_check.probes.calcom import extra_required_fields, missing_agent_fields

    event = {"bookingFields": [{"type": "splitName", "slug": "splitName", "required": True},
                               {"type": "email", "slug": "email", "required": True}]}
    assert missing_agent_fields(event) == [] and extra_required_fields(event) == []


@pytest.mark.parametrize("body", [
    {"status": "success", "data": {"slots": {"2026-12-01": [{"time": "2026-12-01T09:00:00.000Z"}]}}},
    {"status": "success", "data": {"2026-12-01": "09:00"}},
    {"status": "success", "data": {"2026-12-01": [{"time": "2026-12-01T09:00:00.000Z"}]}},
    {"status": "success", "data": []},
    {"data": {}},
], ids=["old-slots-key", "day-not-a-list", "entries-without-start", "list", "no-status"])
async def test_item8_9_calcom_unexpected_slots_shape_is_error_not_no_slots(sandbox, body) -> None:
    sandbox.fake("calcom").faults.append(Fault(path="/v2/slots", status=200, body=body))
    c = by_id((await run(sandbox, 1001))[0])
    assert c["calcom.availability"].status.value == "error", c["calcom.availability"]
    assert "unexpected shape" in c["calcom.availability"].summary


async def test_item8_9_calcom_empty_slots_map_is_still_a_fail(sandbox) -> None:
    sandbox.fake("calcom").faults.append(Fault(path="/v2/slots", status=200, body={"status": "success", "data": {}}))
    c = by_id((await run(sandbox, 1001))[0])
    assert c["calcom.availability"].status.value == "fail"


@pytest.mark.parametrize("body", [{"message": "proxy auth required"}, {"status": "error", "message": "nope"},
                                  {"error": {"message": "Unauthorized"}}], ids=["proxy", "no-error-object", "no-status"])
async def test_item8_9_calcom_401_without_calcoms_envelope_is_error(sandbox, body) -> None:
    sandbox.fake("calcom").faults.append(Fault(path="/v2/me", status=401, body=body))
    c = by_id((await run(sandbox, 1001))[0])
    assert c["key.auth"].status.value == "error"


async def test_item8_9_calcom_404_without_calcoms_envelope_is_error(sandbox) -> None:
    sandbox.fake("calcom").faults.append(Fault(path=r"/v2/event-types/\d+", status=404, body={"message": "not found"}))
    c = by_id((await run(sandbox, 9999))[0])
    assert c["calcom.event_type"].status.value == "error"


def test_item21_calcom_test_key_warns_that_bookings_are_not_real() -> None:
    registry = load_registry()
    result = registry.get("calcom").format_check("calcom", "cal_test_" + "0a1b2c3d" * 4, None, registry.signatures())
    assert result.status.value == "warn" and "test-mode key" in result.summary and "not be real" in result.summary

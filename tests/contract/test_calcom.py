"""Cal.com API v2: the probe's requests and the fake's answers against the generated
OpenAPI document of calcom/cal.com (apps/api/v2/swagger/documentation.json, trimmed)."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.fakes.calcom import EventType

from .drive import drive, no_problems, request_problems, response_problems
from .openapi import Spec

pytestmark = pytest.mark.anyio
SPECS = {"calcom": [Spec.load("calcom_v2.json")]}
K = scenario.KEYS
# The generated document lists only 200s. The error envelope {status:"error", timestamp, path,
# error:{code, message, details}} is Cal.com API v2's exception filter output (providers.md,
# cal.com/docs/api-reference/v2/introduction "errors").
UNDOCUMENTED = {
    (r"/v2/me", 401): "cal.com API v2 errors: UnauthorizedException",
    (r"/v2/event-types/\d+", 404): "cal.com API v2 errors: NotFoundException 'Event type with id N not found'",
}


async def exchanges(sandbox):
    sandbox.fake("calcom").event_types.append(EventType(1005, "Split Name", split_name=True))
    entries = [{"name": "cal", "provider": "calcom", "api_key": K["SANDBOX_CALCOM_KEY"]},
               {"name": "old", "provider": "calcom", "api_key": K["SANDBOX_CALCOM_EXPIRED_KEY"]}]
    tools = [{"type": "schedule_calendar_event", "integration": "cal", "event_type_id": t}
             for t in (1001, 1002, 1003, 1004, 1005, 9999)]
    tools.append({"type": "schedule_calendar_event", "integration": "old", "event_type_id": 1001})
    return await drive(sandbox, ["calcom"], entries, tools)


async def test_calcom_probe_requests_fit_the_spec(sandbox) -> None:
    seen = await exchanges(sandbox)
    assert {e.request.path for e in seen} >= {"/v2/me", "/v2/event-types", "/v2/event-types/9999", "/v2/slots"}
    no_problems(request_problems(seen, SPECS))


async def test_calcom_fake_answers_fit_the_spec(sandbox) -> None:
    seen = await exchanges(sandbox)
    assert {e.response.status for e in seen} >= {200, 401, 404}
    no_problems(response_problems(seen, SPECS, UNDOCUMENTED))

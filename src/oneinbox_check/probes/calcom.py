"""Cal.com (calendar, API v2): key, the account's event types, and for every
``schedule_calendar_event`` tool: the event type exists here, is bookable by
the agent (not hidden, asks only for name and email), and has free slots.

Facts (providers.md; https://cal.com/docs/api-reference/v2):
- Always send ``cal-api-version``: without it Cal.com silently answers in the
  oldest shape. ``/v2/event-types`` 2024-06-14, ``/v2/slots`` 2024-09-04.
- ``GET /v2/me`` proves a key (the event-type list accepts no auth and returns
  ``[]``, so it proves nothing). 401 for invalid *or expired* keys, with
  ``error.message`` saying which.
- ``GET /v2/event-types`` → ``{"status":"success","data":[EventType…]}``; hidden
  event types are listed only to their owner's key (Cal.com docs) (older
  grouped shape: ``data.eventTypeGroups[].eventTypes``); ``/v2/event-types/{id}``
  → 404 "Event type with id N not found" when it is not this user's.
- ``GET /v2/slots?eventTypeId&start&end&timeZone`` → ``data`` maps dates to
  slots (``{"start": …}`` objects; the spec's schema also allows bare strings);
  ``{}`` means nothing is bookable (a booking then fails with 400). Any other
  shape (an old version's ``data.slots``, non-list days) is indeterminate,
  never "no slots".
- The name booking field may be the ``splitName`` variant (first + last name,
  cal.com ``booking-fields.output.ts``): it asks for the name.
- Errors: ``{"status":"error","error":{"code","message"}}``; only that envelope
  is Cal.com speaking (a proxy's JSON 401 is not).
Assumption (unconfirmed): a required ``location`` field with a single location
configured is filled by Cal.com itself, so it is not counted as extra input.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import error_message, json_object
from ..secrets import wrap
from ._envelopes import calcom_error
from ._verdicts import AUTH, accepted, rejected, undetermined, with_rest_skipped
from .facts import Call, ProviderFacts
from .probe import EnvNames, Option, Probe, ProbeContext

TITLE = "Cal.com"
TYPES = "calcom.event_types"
TYPE = "calcom.event_type"
SLOTS = "calcom.availability"
V_EVENT_TYPES = "2024-06-14"
V_SLOTS = "2024-09-04"
V_ME = "2024-08-13"
AGENT_FIELDS = {"name", "email"}
NAME_FIELDS = {"name", "splitName"}  # splitName: first + last name (cal.com booking-fields.output.ts)
DEFAULT_DAYS = 14
DAYS = Option("calcom_days", int, DEFAULT_DAYS,
              "Cal.com: look for bookable slots in the next N days, 1-365 (default: 14)",
              low=1, high=365, what="a whole number of days")  # a year of slots at most


def event_types_of(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    data = body.get("data")
    if isinstance(data, list):
        return [e for e in data if isinstance(e, dict)]
    if isinstance(data, dict) and isinstance(data.get("eventTypeGroups"), list):  # pre-2024-06-14 shape
        found = []
        for group in data["eventTypeGroups"]:
            if isinstance(group, dict) and isinstance(group.get("eventTypes"), list):
                found += [e for e in group["eventTypes"] if isinstance(e, dict)]
        return found
    return None


def _slug(field: dict[str, Any]) -> str:
    """A booking field's name: ``slug`` in outputs (``field`` in v2 inputs, ``name`` in older shapes)."""
    return str(field.get("slug") or field.get("field") or field.get("name") or field.get("type") or "")


def extra_required_fields(event_type: dict[str, Any]) -> list[str]:
    """Required, visible booking fields the agent cannot fill (it supplies name and email)."""
    locations = event_type.get("locations") if isinstance(event_type.get("locations"), list) else []
    extra = []
    for field in event_type.get("bookingFields") or []:
        if not isinstance(field, dict) or not field.get("required") or field.get("hidden"):
            continue
        slug = _slug(field)
        if slug in AGENT_FIELDS | NAME_FIELDS or field.get("type") in AGENT_FIELDS | NAME_FIELDS:
            continue
        if slug == "location" and len(locations) <= 1:
            continue
        extra.append(slug)
    return extra


def missing_agent_fields(event_type: dict[str, Any]) -> list[str]:
    fields = event_type.get("bookingFields")
    if not isinstance(fields, list) or not fields:  # defaults (name, email) apply
        return []
    present = {_slug(f) for f in fields if isinstance(f, dict) and not f.get("hidden")}
    present |= {str(f.get("type")) for f in fields if isinstance(f, dict) and not f.get("hidden")}
    if present & NAME_FIELDS:
        present.add("name")
    return sorted(AGENT_FIELDS - present)


def slot_starts(body: dict[str, Any] | None) -> list[str] | None:
    """Start times from a ``2024-09-04`` slots answer, or ``None`` when the shape is not that one."""
    if body is None or body.get("status") != "success" or not isinstance(body.get("data"), dict):
        return None
    starts = []
    for day, entries in body["data"].items():
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(day)) or not isinstance(entries, list):
            return None
        for entry in entries:
            start = entry.get("start") if isinstance(entry, dict) else entry
            if not isinstance(start, str):
                return None
            starts.append(start)
    return sorted(starts)


class CalcomProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "calcom", "/v2/me", "`Authorization: Bearer <key>`", headers=("cal-api-version: 2024-08-13",)),
        valid="200 with `status: success` and a `data` object.",
        invalid="401 in Cal.com's envelope `{\"status\": \"error\", \"error\": {\"code\", \"message\"}}` "
                "(an invalid or expired key: the message says which).",
        indeterminate="every other status or body; a 401 without Cal.com's envelope; a transport failure.",
        sources=("https://cal.com/docs/api-reference/v2",
                 "calcom/cal.com: apps/api/v2/swagger/documentation.json"),
        unconfirmed=("that a required `location` field with a single location configured is filled by Cal.com "
                     "itself (not counted as extra input)",),
        also=(Call("GET", "calcom", "/v2/event-types", "`Authorization: Bearer <key>`",
                   headers=("cal-api-version: 2024-06-14",), purpose="calcom.event_types"),
              Call("GET", "calcom", "/v2/event-types/{eventTypeId}", "`Authorization: Bearer <key>`",
                   headers=("cal-api-version: 2024-06-14",),
                   purpose="calcom.event_type (when the list lacks it; 404 in Cal.com's envelope → fail)"),
              Call("GET", "calcom", "/v2/slots", "`Authorization: Bearer <key>`",
                   query=("eventTypeId=<id>", "start=<today>", "end=<today + calcom_days>", "timeZone=UTC"),
                   headers=("cal-api-version: 2024-09-04",), purpose="calcom.availability")),
    )
    providers = ("calcom",)
    environment = {"calcom": EnvNames("CALCOM_API_KEY")}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"calcom": "https://api.cal.com"}
    check_ids = (AUTH, TYPES, TYPE, SLOTS)
    tool_types = ("schedule_calendar_event",)
    options = (DAYS,)
    rate_limits = {"calcom": 2.0}  # Cal.com: 120 requests/min per key (providers.md)
    key_format = KeyFormat(
        description="cal_live_ + 32 lower-case hex (cloud), or cal_ + 32 hex (self-hosted)",
        prefixes=("cal_",), pattern=re.compile(r"cal_(live_|test_)?[0-9a-f]{32}"),
        notes=((re.compile(r"^cal_test_"), Status.WARN, "a Cal.com test-mode key: bookings will not be real"),),
    )
    mask_prefixes = ("cal_live_", "cal_test_", "cal_")
    signatures = ((r"cal_", "a Cal.com key (cal_…)"),)

    def _headers(self, ctx: ProbeContext, version: str) -> dict[str, Any]:
        return {"Authorization": wrap(ctx.key, "Bearer {}"), "cal-api-version": version}

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        rest = [TYPES, TYPE, SLOTS]
        me = await ctx.http.get(ctx.url("calcom", "/v2/me"), headers=self._headers(ctx, V_ME))
        if isinstance(me, Failure):
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, me), rest)
        body = json_object(me) or {}
        if me.status == 401 and calcom_error(me) is not None:
            expired = "expired" in (error_message(body) or "").lower()
            return with_rest_skipped(ctx, rejected(ctx, me, "The key has expired: create a new one in Cal.com → "
                                                   "Settings → Developer → API Keys." if expired else
                                                   "Create a new key in Cal.com → Settings → Developer → API Keys."),
                                     rest)
        user = body.get("data") if isinstance(body.get("data"), dict) else None
        if me.status != 200 or body.get("status") != "success" or user is None:
            return with_rest_skipped(ctx, undetermined(ctx, AUTH, me), rest)
        out = [accepted(ctx, username=user.get("username"), time_zone=user.get("timeZone"))]
        listing = await ctx.http.get(ctx.url("calcom", "/v2/event-types"), headers=self._headers(ctx, V_EVENT_TYPES))
        types: list[dict[str, Any]] | None = None
        if isinstance(listing, Failure) or listing.status != 200:
            out.append(undetermined(ctx, TYPES, listing, "listing event types"))
        else:
            types = event_types_of(json_object(listing) or {})
            if types is None:
                out.append(undetermined(ctx, TYPES, listing, "listing event types (unexpected shape)"))
            elif not types:
                out.append(ctx.result(TYPES, Status.WARN, "this account has no event types",
                                      "Create the event type the agent should book (Cal.com → Event Types → New)."))
            else:
                out.append(ctx.result(TYPES, Status.PASS, f"{len(types)} event type(s)", count=len(types),
                                      event_types=[{k: e.get(k) for k in ("id", "slug", "title", "lengthInMinutes",
                                                                          "hidden")} for e in types[:50]]))
        tools = [t for t in ctx.tools if t.type == "schedule_calendar_event" and t.event_type_id is not None]
        if not tools:
            hint = ('Add to the manifest:\n[[tools]]\ntype = "schedule_calendar_event"\n'
                    f'integration = "{ctx.integration.name}"\nevent_type_id = 123456')
            return out + [ctx.result(TYPE, Status.SKIP, "no schedule_calendar_event tool uses this integration", hint),
                          ctx.result(SLOTS, Status.SKIP, "no event type to check", hint)]
        for tool in tools:
            out += await self._tool(ctx, int(tool.event_type_id), types)  # type: ignore[arg-type]
        return out

    async def _tool(self, ctx: ProbeContext, type_id: int, types: list[dict[str, Any]] | None) -> list[CheckResult]:
        event = next((e for e in types or [] if e.get("id") == type_id), None)
        if event is None:
            reply = await ctx.http.get(ctx.url("calcom", f"/v2/event-types/{type_id}"),
                                       headers=self._headers(ctx, V_EVENT_TYPES))
            if not isinstance(reply, Failure) and reply.status == 404 and calcom_error(reply) is not None:
                return [ctx.result(TYPE, Status.FAIL, f"event type {type_id} is not in this account — is the id from "
                                   "another account or a team?", "Copy the id from app.cal.com/event-types/<id> while "
                                   "logged in as the key's owner (team event types need that team's key).",
                                   event_type_id=type_id),
                        ctx.result(SLOTS, Status.SKIP, f"event type {type_id} not found", None, event_type_id=type_id)]
            data = (json_object(reply) or {}).get("data") if not isinstance(reply, Failure) else None
            if isinstance(reply, Failure) or reply.status != 200 or not isinstance(data, dict):
                return [undetermined(ctx, TYPE, reply, f"reading event type {type_id}"),
                        ctx.result(SLOTS, Status.SKIP, "event type undetermined", None, event_type_id=type_id)]
            event = data
        return [self._judge_event(ctx, type_id, event), await self._slots(ctx, type_id)]

    def _judge_event(self, ctx: ProbeContext, type_id: int, event: dict[str, Any]) -> CheckResult:
        title = event.get("title") or event.get("slug") or type_id
        details = {"event_type_id": type_id, "title": event.get("title"), "slug": event.get("slug"),
                   "length_minutes": event.get("lengthInMinutes")}
        missing = missing_agent_fields(event)
        if missing:
            return ctx.result(TYPE, Status.FAIL, f"event type '{title}' does not ask for {' and '.join(missing)}",
                              "Cal.com needs the attendee's name and email: restore those booking questions "
                              "(Event Type → Advanced → Booking questions).", missing=missing, **details)
        extra = extra_required_fields(event)
        if extra:
            return ctx.result(TYPE, Status.FAIL, f"event type '{title}' requires fields the agent cannot fill: "
                              f"{', '.join(extra)}", "Make these booking questions optional or hidden "
                              "(Event Type → Advanced → Booking questions); the agent only collects name and email.",
                              extra_required=extra, **details)
        if event.get("hidden"):
            return ctx.result(TYPE, Status.WARN, f"event type '{title}' is hidden",
                              "Cal.com still books it by id, but it is off your public page and OneInbox asks for an "
                              "active event type: unhide it (Event Types → toggle 'Hidden').", hidden=True, **details)
        return ctx.result(TYPE, Status.PASS, f"event type '{title}' ({type_id}) is bookable by the agent", **details)

    async def _slots(self, ctx: ProbeContext, type_id: int) -> CheckResult:
        days = ctx.option(DAYS)
        today = datetime.now(UTC).date()
        start, end = today.isoformat(), (today + timedelta(days=days)).isoformat()
        reply = await ctx.http.get(ctx.url("calcom", "/v2/slots"), headers=self._headers(ctx, V_SLOTS),
                                   params={"eventTypeId": type_id, "start": start, "end": end, "timeZone": "UTC"})
        if isinstance(reply, Failure) or reply.status != 200:
            return undetermined(ctx, SLOTS, reply, f"reading slots of event type {type_id}")
        slots = slot_starts(json_object(reply))
        if slots is None:
            return ctx.result(SLOTS, Status.ERROR, f"Cal.com answered the slots of event type {type_id} in an "
                              "unexpected shape: could not tell whether it has free slots",
                              "Retry later; if it persists, report it with -v output.", http_status=reply.status,
                              event_type_id=type_id)
        window = {"event_type_id": type_id, "from": start, "to": end}
        if not slots:
            return ctx.result(SLOTS, Status.FAIL, f"event type {type_id} has no bookable slots in the next {days} days: "
                              "bookings will fail with HTTP 400", "Set working hours on the event type's schedule "
                              "(Availability), check its minimum notice and booking window, and that it is not "
                              "fully booked.", **window)
        return ctx.result(SLOTS, Status.PASS, f"{len(slots)} free slot(s) in the next {days} days; first {slots[0]}",
                          count=len(slots), first_slot=slots[0], **window)

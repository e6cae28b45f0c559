"""Fake of Cal.com API v2 (``/v2/me``, event types, slots) in providers.md's shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..asgi import KeyedApp, Request, Response, json_response
from . import Wiring

DEFAULT_FIELDS = [
    {"type": "name", "slug": "name", "required": True, "isDefault": True, "hidden": False},
    {"type": "email", "slug": "email", "required": True, "isDefault": True, "hidden": False},
    {"type": "radioInput", "slug": "location", "required": False, "isDefault": True, "hidden": False},
    {"type": "textarea", "slug": "notes", "required": False, "isDefault": True, "hidden": False},
    {"type": "multiemail", "slug": "guests", "required": False, "isDefault": True, "hidden": False},
]


# The splitName variant of the name field (cal.com booking-fields.output.ts:
# SplitNameDefaultFieldOutput_2024_06_14 — type/slug "splitName", isDefault true). Its other
# properties (labels, lastNameRequired) are unconfirmed, so only these are sent.
SPLIT_NAME = {"type": "splitName", "slug": "splitName", "isDefault": True, "required": True, "hidden": False}


@dataclass
class EventType:
    id: int
    title: str
    length: int = 30
    hidden: bool = False
    slots: bool = True
    extra_fields: list[dict[str, Any]] = field(default_factory=list)
    split_name: bool = False  # first + last name instead of one name field

    def body(self) -> dict[str, Any]:
        slug = self.title.lower().replace(" ", "-")
        fields = [dict(f) for f in DEFAULT_FIELDS]
        if self.split_name:
            fields[0] = dict(SPLIT_NAME)
        return {"id": self.id, "title": self.title, "slug": slug, "lengthInMinutes": self.length,
                "description": "", "hidden": self.hidden, "scheduleId": 1, "ownerId": 1,
                "locations": [{"type": "integration", "integration": "cal-video"}],
                # custom fields carry isDefault: false (TextFieldOutput_2024_06_14 &c. require it)
                "bookingFields": fields + [{"isDefault": False, **f} for f in self.extra_fields],
                "minimumBookingNotice": 120,
                "bookingWindow": [],  # the spec's shape for "no window" (EventTypeOutput_2024_06_14)
                # the rest of EventTypeOutput_2024_06_14's required fields, with neutral values
                "disableGuests": False, "recurrence": None, "metadata": {}, "price": 0, "currency": "usd",
                "lockTimeZoneToggleOnBookingPage": False, "forwardParamsSuccessRedirect": None,
                "successRedirectUrl": None, "isInstantEvent": False,
                "users": ["sandbox"]}  # the spec: an array of strings (EventTypeOutput_2024_06_14.users)


def _error(status: int, code: str, message: str, path: str) -> Response:
    """Cal.com API v2's error envelope: not in the generated document (200s only); shape and codes
    from providers.md (cal.com/docs/api-reference/v2 errors)."""
    return json_response(status, {"status": "error", "timestamp": "2026-11-26T12:00:00.000Z", "path": path,
                                  "error": {"code": code, "message": message, "details": {}}})


class CalcomFake(KeyedApp):
    """keys: key → "valid" | "expired"; one account with ``event_types``."""

    name = "calcom"

    def __init__(self, keys: dict[str, str] | None = None, event_types: list[EventType] | None = None):
        self.event_types = event_types or []
        super().__init__(keys)

    def setup(self) -> None:
        self.route("GET", "/v2/me", self.me)
        self.route("GET", "/v2/event-types", self.list_types)
        self.route("GET", r"/v2/event-types/(?P<id>\d+)", self.get_type)
        self.route("GET", "/v2/slots", self.slots)

    def _denied(self, r: Request) -> Response | None:
        state = self.state(r.bearer())
        if state == "valid":
            return None
        # messages: "… Your api key is not valid" per providers.md; the expired wording is unconfirmed
        message = "API Key expired" if state == "expired" else "Invalid Access Token. Your api key is not valid"
        return _error(401, "UnauthorizedException", message, r.path)

    def me(self, r: Request) -> Response:
        return self._denied(r) or json_response(200, {"status": "success", "data": {
            "id": 1, "username": "sandbox", "email": "owner@good.example", "timeFormat": 24, "timeZone": "Europe/London",
            "weekStart": "Monday", "defaultScheduleId": 1, "organizationId": None}})  # MeOutput

    def list_types(self, r: Request) -> Response:
        if r.bearer() is None:  # the list accepts no auth and answers nothing (providers.md)
            return json_response(200, {"status": "success", "data": []})
        denied = self._denied(r)
        if denied:
            return denied
        if r.headers.get("cal-api-version") != "2024-06-14":  # the old grouped shape (providers.md; not in the spec)
            return json_response(200, {"status": "success", "data": {"eventTypeGroups": [
                {"eventTypes": [e.body() for e in self.event_types]}]}})
        return json_response(200, {"status": "success", "data": [e.body() for e in self.event_types]})

    def get_type(self, r: Request) -> Response:
        denied = self._denied(r)
        if denied:
            return denied
        found = next((e for e in self.event_types if e.id == int(r.params["id"])), None)
        if found is None:
            return _error(404, "NotFoundException", f"Event type with id {r.params['id']} not found", r.path)
        return json_response(200, {"status": "success", "data": found.body()})

    def slots(self, r: Request) -> Response:
        try:
            type_id = int(r.query.get("eventTypeId", ""))
            start = date.fromisoformat(r.query["start"][:10])
        except (KeyError, ValueError):
            return _error(400, "BadRequestException", "eventTypeId and start are required", r.path)  # unconfirmed text
        found = next((e for e in self.event_types if e.id == type_id), None)
        if found is None:
            return _error(404, "NotFoundException", f"Event type with id {type_id} not found", r.path)  # unconfirmed for /v2/slots
        if not found.slots:
            return json_response(200, {"status": "success", "data": {}})
        day = (start + timedelta(days=1)).isoformat()
        return json_response(200, {"status": "success", "data": {
            day: [{"start": f"{day}T{h:02d}:00:00.000Z"} for h in (9, 10, 11)]}})


KEYS = {
    "SANDBOX_CALCOM_KEY": "cal_live_a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "SANDBOX_CALCOM_EXPIRED_KEY": "cal_live_0f9e8d7c6b5a49382716f5e4d3c2b1a0",
}

WIRING = Wiring(keys=KEYS, apps=lambda: {"calcom": CalcomFake(
    {KEYS["SANDBOX_CALCOM_KEY"]: "valid", KEYS["SANDBOX_CALCOM_EXPIRED_KEY"]: "expired"},
    [EventType(1001, "Product Demo"), EventType(1002, "Discovery Call", length=20, hidden=True),
     EventType(1003, "Onboarding", length=60, extra_fields=[
         {"type": "text", "slug": "company", "label": "Company", "required": True, "hidden": False}]),
     EventType(1004, "Consulting", slots=False)],
)})

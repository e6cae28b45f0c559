"""Cal.com (calendar). Deep checks follow in this module."""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ._base import AUTH, Probe, ProbeContext

TITLE = "Cal.com"


class CalcomProbe(Probe):
    providers = ("calcom",)
    title = TITLE
    endpoints = {"calcom": "https://api.cal.com"}
    tool_types = ("schedule_calendar_event",)
    key_format = KeyFormat(
        description="cal_live_ + 32 lower-case hex (cloud), or cal_ + 32 hex (self-hosted)",
        prefixes=("cal_",), pattern=re.compile(r"cal_(live_|test_)?[0-9a-f]{32}"),
        notes=((re.compile(r"^cal_test_"), Status.WARN, "a Cal.com test-mode key: bookings will not be real"),),
    )
    signatures = ((r"cal_", "a Cal.com key (cal_…)"),)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        return ctx.skipped([AUTH], "not implemented")


PROBE = CalcomProbe

"""Resend (email). Deep checks follow in this module."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from ..checks.keyformat import KeyFormat
from ..models import CheckResult
from ._base import AUTH, Probe, ProbeContext

TITLE = "Resend"


class EmailMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    from_email: str


class ResendProbe(Probe):
    providers = ("resend",)
    title = TITLE
    endpoints = {"resend": "https://api.resend.com"}
    metadata_model = EmailMetadata
    tool_types = ("send_email",)
    key_format = KeyFormat(description="re_ followed by 8 letters/digits, '_' and 24 more (about 36 characters)",
                           prefixes=("re_",), pattern=re.compile(r"re_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{24}"))
    signatures = ((r"re_[A-Za-z0-9]{8}_", "a Resend key (re_…)"),)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        return ctx.skipped([AUTH], "not implemented")


PROBE = ResendProbe

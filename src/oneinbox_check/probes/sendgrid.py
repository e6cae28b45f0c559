"""SendGrid (email). Deep checks follow in this module."""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult
from ._base import AUTH, Probe, ProbeContext
from .resend import EmailMetadata

TITLE = "SendGrid"


class SendGridProbe(Probe):
    providers = ("sendgrid",)
    title = TITLE
    endpoints = {"sendgrid": "https://api.sendgrid.com"}
    metadata_model = EmailMetadata
    tool_types = ("send_email",)
    key_format = KeyFormat(description="SG. + 22 characters + . + 43 characters (69 in all)", prefixes=("SG.",),
                           pattern=re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"))
    signatures = ((r"SG\.", "a SendGrid key (SG.…)"),)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        return ctx.skipped([AUTH], "not implemented")


PROBE = SendGridProbe

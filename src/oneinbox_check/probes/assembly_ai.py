"""AssemblyAI (STT). ``GET /v2/transcript?limit=1`` with the bare key in
``Authorization``; 401 "Authentication error, API token missing/invalid"
(providers.md; https://www.assemblyai.com/docs/api-reference/transcripts/list)."""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult
from ._base import Probe, ProbeContext, simple_auth


class AssemblyAIProbe(Probe):
    providers = ("assembly_ai",)
    title = "AssemblyAI"
    endpoints = {"assemblyai": "https://api.assemblyai.com"}
    key_format = KeyFormat(description="32 letters and digits", pattern=re.compile(r"[A-Za-z0-9]{32}"))

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        return [await simple_auth(ctx, self.title, "assemblyai", "/v2/transcript",
                                  {"Authorization": ctx.key}, params={"limit": 1})]


PROBE = AssemblyAIProbe

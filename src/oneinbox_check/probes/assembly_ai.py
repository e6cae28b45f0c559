"""AssemblyAI (STT). ``GET /v2/transcript?limit=1`` with the bare key in
``Authorization``; 200 ``TranscriptList`` ``{"page_details", "transcripts"}``;
401 with the spec's ``Error`` body ``{"error": "Authentication error, API token
missing/invalid"}`` (providers.md; AssemblyAI/assemblyai-api-spec openapi.yml,
``listTranscripts``). Only that ``Error`` shape (``error`` a string) is
AssemblyAI rejecting the key."""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult
from ..net.replies import str_at
from ._verdicts import simple_auth
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext


INVALID_MESSAGE = "Authentication error, API token missing/invalid"


def assemblyai_envelope(body: dict) -> bool:
    """The spec's documented 401 body (its example); another ``error`` text is not a verdict."""
    message = str_at(body, "error")
    return message is not None and message.strip().rstrip(".").lower() == INVALID_MESSAGE.lower()


class AssemblyAIProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "assemblyai", "/v2/transcript", "`Authorization: <key>` (the bare key)",
                     query=("limit=1",)),
        valid="200 with a JSON object holding `transcripts` (`TranscriptList`).",
        invalid="401 with the spec's `Error` body `{\"error\": str}` (\"Authentication error, API token "
                "missing/invalid\").",
        indeterminate="a 200 without `transcripts`; every other status; a 401 without that body (another "
                      "`error` text); a transport "
                      "failure.",
        sources=("AssemblyAI/assemblyai-api-spec openapi.yml: `listTranscripts`",),
    )
    providers = ("assembly_ai",)
    environment = {"assembly_ai": EnvNames("ASSEMBLYAI_API_KEY")}  # the names its SDK/quick-start reads
    title = "AssemblyAI"
    endpoints = {"assemblyai": "https://api.assemblyai.com"}
    key_format = KeyFormat(description="32 letters and digits", pattern=re.compile(r"[A-Za-z0-9]{32}"))

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        return [await simple_auth(ctx, "assemblyai", "/v2/transcript",
                                  {"Authorization": ctx.key}, params={"limit": 1},
                                  valid_key="transcripts", envelope=assemblyai_envelope)]

"""Groq (LLM). ``GET /openai/v1/models`` with Bearer; 401 ``invalid_api_key``
(providers.md; https://console.groq.com/docs/api-reference#models-list). Errors
use the OpenAI-style envelope ``{"error": {"message", "type", "code"}}``
(https://console.groq.com/docs/errors); only that body is Groq rejecting a key."""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult
from ..net.replies import str_at
from ..secrets import wrap
from ._verdicts import simple_auth
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext


def groq_envelope(body: dict) -> bool:
    """Groq's invalid-key answer: the OpenAI-style envelope with ``code == "invalid_api_key"``."""
    return str_at(body, "error", "message") is not None and str_at(body, "error", "code") == "invalid_api_key"


class GroqProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "groq", "/openai/v1/models", "`Authorization: Bearer <key>`"),
        valid="200 with a JSON object holding `data`.",
        invalid="401 in the OpenAI-style envelope `{\"error\": {\"message\", \"code\": \"invalid_api_key\"}}`.",
        indeterminate="a 200 without `data`; every other status; a 401 without Groq's envelope or without "
                      "`code` `invalid_api_key`; a transport "
                      "failure.",
        sources=("https://console.groq.com/docs/api-reference#models-list", "https://console.groq.com/docs/errors"),
    )
    providers = ("groq",)
    environment = {"groq": EnvNames("GROQ_API_KEY")}  # the names its SDK/quick-start reads
    title = "Groq"
    endpoints = {"groq": "https://api.groq.com"}
    key_format = KeyFormat(description="gsk_ followed by 52 letters and digits", prefixes=("gsk_",),
                           pattern=re.compile(r"gsk_[A-Za-z0-9]{52}"))
    mask_prefixes = ("gsk_",)
    signatures = ((r"gsk_", "a Groq key (gsk_…)"),)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        return [await simple_auth(ctx, "groq", "/openai/v1/models",
                                  {"Authorization": wrap(ctx.key, "Bearer {}")}, valid_key="data",
                                  envelope=groq_envelope)]

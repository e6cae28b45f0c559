"""Shisa (LLM/TTS). No public key format and an *unconfirmed* auth endpoint
(``GET /tts/voices``, Bearer): 401/403 are read as a rejected key, anything
else unexpected is indeterminate (providers.md)."""

from __future__ import annotations

from ..checks.keyformat import KeyFormat
from ..models import CheckResult
from ..secrets import wrap
from ._base import Probe, ProbeContext, simple_auth


class ShisaProbe(Probe):
    providers = ("shisa",)
    title = "Shisa"
    endpoints = {"shisa": "https://api.shisa.ai"}
    key_format = KeyFormat(description="a Shisa API key (format not published)", min_length=16)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        # Body shape unconfirmed: any JSON object on 200 counts as accepted.
        return [await simple_auth(ctx, self.title, "shisa", "/tts/voices",
                                  {"Authorization": wrap(ctx.key, "Bearer {}")}, invalid=(401, 403))]


PROBE = ShisaProbe

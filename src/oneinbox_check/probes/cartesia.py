"""Cartesia (TTS). ``GET /voices`` with ``X-API-Key`` and ``Cartesia-Version``
(a missing version header is answered 400, so it is always sent); 401 for a bad
key (providers.md; https://docs.cartesia.ai/api-reference/voices/list). The key
length is unconfirmed: only the ``sk_car_`` prefix is a rule."""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult
from ._base import Probe, ProbeContext, simple_auth

API_VERSION = "2025-04-16"


class CartesiaProbe(Probe):
    providers = ("cartesia",)
    title = "Cartesia"
    endpoints = {"cartesia": "https://api.cartesia.ai"}
    key_format = KeyFormat(description="sk_car_ followed by letters and digits", prefixes=("sk_car_",),
                           pattern=re.compile(r"sk_car_[A-Za-z0-9]{16,}"))
    signatures = ((r"sk_car_", "a Cartesia key (sk_car_…)"),)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        return [await simple_auth(ctx, self.title, "cartesia", "/voices",
                                  {"X-API-Key": ctx.key, "Cartesia-Version": API_VERSION})]


PROBE = CartesiaProbe

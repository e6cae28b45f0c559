"""Cartesia (TTS). ``GET /voices`` with ``Authorization: Bearer <key>`` and a
``Cartesia-Version`` header (https://docs.cartesia.ai/api-reference, "API
Conventions": "include Authorization: Bearer <api_key>"; the Python SDK 3.x,
cartesia-ai/cartesia-python ``_client.py``, sends Bearer too — the old
``X-API-Key`` header is still accepted). A missing
version header is answered 400, so it is always sent.

From ``Cartesia-Version: 2026-03-01`` on, errors are JSON objects
``{"error_code": str|null, "title", "message", "request_id", "doc_url"?}``
(https://docs.cartesia.ai/use-the-api/api-errors); older versions may answer
plain text, which could not be told from a proxy's page — hence that version.
200 is ``{"data": [Voice], "has_more": bool}`` (cursor pagination). The key
length is unconfirmed and older keys without ``sk_car_`` are unconfirmed too: a
key without the prefix is a warn, not a fail (providers.md).
"""

from __future__ import annotations

import re

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.replies import str_at
from ..secrets import wrap
from ._verdicts import simple_auth
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

API_VERSION = "2026-03-01"


def cartesia_envelope(body: dict) -> bool:
    return str_at(body, "title") is not None and str_at(body, "message") is not None


class CartesiaProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "cartesia", "/voices", "`Authorization: Bearer <key>`",
                     headers=("Cartesia-Version: 2026-03-01",)),
        valid="200 with a JSON object holding `data` (`{\"data\": [Voice], \"has_more\"}`).",
        invalid="401 with Cartesia's error object (`title` and `message`, from version 2026-03-01 on).",
        indeterminate="a 200 without `data`; 400 (e.g. the version header refused) and every other status; "
                      "a plain-text 401 (older versions: cannot be told from a proxy's page); a transport "
                      "failure.",
        sources=("https://docs.cartesia.ai/api-reference (API conventions: Bearer)",
                 "https://docs.cartesia.ai/use-the-api/api-errors",
                 "cartesia-ai/cartesia-python `_client.py` (3.x sends Bearer)"),
        unconfirmed=("the key length", "older keys without the `sk_car_` prefix (a `key.format` warn, not fail)"),
    )
    providers = ("cartesia",)
    environment = {"cartesia": EnvNames("CARTESIA_API_KEY")}  # the names its SDK/quick-start reads
    title = "Cartesia"
    endpoints = {"cartesia": "https://api.cartesia.ai"}
    key_format = KeyFormat(
        # no hard prefix rule: keys issued before sk_car_ are unconfirmed, so a mismatch is a warn
        description="sk_car_ followed by letters and digits",
        pattern=re.compile(r"sk_car_[A-Za-z0-9_]{16,}"),
        notes=((re.compile(r"^sk_car_admin_"), Status.WARN,
                "a Cartesia admin key: it works only on admin routes (usage, API keys), not for speech; "
                "give OneInbox a regular sk_car_ key"),),
    )
    mask_prefixes = ("sk_car_",)
    signatures = ((r"sk_car_", "a Cartesia key (sk_car_…)"),)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        return [await simple_auth(ctx, "cartesia", "/voices",
                                  {"Authorization": wrap(ctx.key, "Bearer {}"), "Cartesia-Version": API_VERSION},
                                  valid_key="data", envelope=cartesia_envelope)]

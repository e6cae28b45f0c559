"""Shisa (LLM/TTS). No public key format and no published API reference.

Request: ``GET {shisa}/tts/voices`` with Bearer — the voice catalogue endpoint
that public Shisa clients call (e.g. a Dify plugin's README lists it next to
``/openai/v1/chat/completions`` and ``/tts``). Its 200 body is a JSON **array** of voices in the vendor's TTS page
(providers.md); clients in the wild also read ``{"voices": [...]}`` or
``{"data": [...]}``, so all three are accepted.

*Unconfirmed*: whether ``/tts/voices`` checks the key at all. No endpoint that
is known to check it could be confirmed either (the OpenAI-compatible
``/openai/v1/models`` is not documented anywhere we could find), so a 200 is
reported as accepted **with that caveat** in the summary and
``details.proof = "unconfirmed"``. The error body is unconfirmed too: a
401/403 counts as a rejected key only when it is a JSON object in one of the
usual envelopes (FastAPI's ``{"detail": …}`` or ``{"error": …}``); anything
else is indeterminate.
"""

from __future__ import annotations

from typing import Any

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..secrets import wrap
from ._verdicts import AUTH, rejected, undetermined
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "Shisa"
CAVEAT = "unconfirmed whether this endpoint checks the key: a 200 here may not prove it"


def shisa_envelope(body: dict) -> bool:
    return isinstance(body.get("detail"), (str, dict, list)) or isinstance(body.get("error"), (str, dict))


def voices_of(data: Any) -> list | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for name in ("voices", "data"):
            if isinstance(data.get(name), list):
                return data[name]
    return None


class ShisaProbe(Probe):
    facts = ProviderFacts(
        request=Call("GET", "shisa", "/tts/voices", "`Authorization: Bearer <key>`"),
        valid="200 with a JSON array of voices (or an object with a `voices`/`data` list) → pass, with the caveat "
              "that it may not prove the key (`details.proof = \"unconfirmed\"`).",
        invalid="401/403 with a JSON object in a usual envelope (`{\"detail\": …}` or `{\"error\": …}`).",
        indeterminate="a 200 that is no voice list; every other status; a 401/403 without such a body; a "
                      "transport failure.",
        sources=("no published API reference; the voice list's array shape from the vendor's TTS page "
                 "(providers.md)", "the endpoint as public Shisa clients call it (a Dify plugin's README)"),
        unconfirmed=("whether `/tts/voices` checks the key at all (no endpoint known to check it was found)",
                     "the error body", "the key format"),
    )
    providers = ("shisa",)
    environment = {"shisa": EnvNames("SHISA_API_KEY")}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"shisa": "https://api.shisa.ai"}
    key_format = KeyFormat(description="a Shisa API key (format not published)", min_length=16)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        outcome = await ctx.http.get(ctx.url("shisa", "/tts/voices"), headers={"Authorization": wrap(ctx.key, "Bearer {}")})
        if isinstance(outcome, Failure):
            return [undetermined(ctx, AUTH, outcome, f"{TITLE} auth request")]
        if outcome.status == 200:
            voices = voices_of(outcome.json())
            if voices is None:
                return [undetermined(ctx, AUTH, outcome, f"{TITLE} answered 200 with an unexpected body")]
            return [ctx.result(AUTH, Status.PASS, f"{TITLE} answered with {len(voices)} voice(s) ({CAVEAT})",
                               None, voices=len(voices), proof="unconfirmed")]
        if outcome.status in (401, 403):
            return [rejected(ctx, outcome, envelope=shisa_envelope)]
        return [undetermined(ctx, AUTH, outcome, f"{TITLE} auth request")]

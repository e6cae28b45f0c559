"""Azure AI Speech (STT).

``POST https://{region}.api.cognitive.microsoft.com/sts/v1.0/issueToken`` with
``Ocp-Apim-Subscription-Key`` and an empty body; 200 returns a JWT; 401 is a
bad key *or* a key of another region (keys are per resource and region); 403
is quota/region trouble (providers.md;
https://learn.microsoft.com/azure/ai-services/speech-service/rest-speech-to-text-short#authentication).
The request issues a token, so it is not retried.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.http import Failure
from ._base import AUTH, Probe, ProbeContext, accepted, json_object

TITLE = "Azure Speech"
DEFAULT = "https://{region}.api.cognitive.microsoft.com"


class AzureMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    region: str | None = Field(None, pattern=r"^[a-z0-9]+$", description="e.g. eastus, westeurope")


class AzureProbe(Probe):
    providers = ("azure",)
    title = TITLE
    endpoints = {"azure": DEFAULT}
    metadata_model = AzureMetadata
    key_format = KeyFormat(description="32 hex characters (classic) or 84 letters and digits",
                           pattern=re.compile(r"[0-9a-fA-F]{32}|[A-Za-z0-9]{84}"))

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        region = ctx.metadata.region
        base = ctx.endpoints["azure"]
        if "{region}" in base:
            if not region:
                return [ctx.result(AUTH, Status.SKIP, "no metadata.region: the live check needs the resource's region",
                                   'Add metadata.region, e.g. metadata = { region = "eastus" }.')]
            base = base.replace("{region}", region)
        outcome = await ctx.http.request("POST", base.rstrip("/") + "/sts/v1.0/issueToken", content=b"",
                                         headers={"Ocp-Apim-Subscription-Key": ctx.key})
        if isinstance(outcome, Failure):
            return [ctx.indeterminate(AUTH, outcome, "Azure token request")]
        if outcome.status == 200 and outcome.body.count(b".") == 2:
            return [accepted(ctx, TITLE, region=region)]
        if outcome.status in (401, 403) and json_object(outcome) is not None:
            what = "rejected the key" if outcome.status == 401 else "refused the key (quota or region)"
            return [ctx.result(AUTH, Status.FAIL, f"Azure {what} for region {region or '?'} (HTTP {outcome.status})",
                               "Check the key and that metadata.region is the Speech resource's region "
                               "(Azure portal → the resource → Keys and Endpoint).", http_status=outcome.status)]
        return [ctx.indeterminate(AUTH, outcome, "Azure token request")]


PROBE = AzureProbe

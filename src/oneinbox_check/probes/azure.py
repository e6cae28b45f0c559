"""Azure AI Speech (STT).

``POST https://{region}.api.cognitive.microsoft.com/sts/v1.0/issueToken`` with
``Ocp-Apim-Subscription-Key`` and an empty body; 200 returns a JWT; 401 is a
bad key *or* a key of another region (keys are per resource and region)
(providers.md;
https://learn.microsoft.com/azure/ai-services/speech-service/rest-speech-to-text-short#authentication).
403 "Out of call volume quota" → fail "quota"; 403 "Access denied due to
Virtual Network/Firewall rules" / "A Virtual Network is configured" → the
resource only accepts some networks and the key may be fine → error "run from
an allowed network"; any other 403 → error. The request issues a token, so it
is not retried.

Azure's error bodies (observed, no spec): ``{"error": {"code": "401",
"message": "Access denied due to invalid subscription key or wrong API
endpoint…"}}`` and the older ``{"statusCode": 401, "message": "…"}``
(Azure-Samples/cognitive-services-speech-sdk#41); VNet:
``{"error": {"code": "403", "message": "Access denied due to Virtual
Network/Firewall rules."}}`` (Azure-Samples/azure-sql-db-chatbot#3). Only those
shapes are Azure speaking.

Without ``metadata.region`` the live check is ``skip`` even when the ``azure``
endpoint is overridden: OneInbox needs the region to use the key, whatever
endpoint the checker used (SPEC §2).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from ..checks.keyformat import KeyFormat
from ..models import CheckResult, Status
from ..net.outcomes import Failure
from ..net.replies import json_object, str_at
from ._verdicts import AUTH, accepted, undetermined
from .facts import Call, ProviderFacts
from .probe import EnvNames, Probe, ProbeContext

TITLE = "Azure Speech"
DEFAULT = "https://{region}.api.cognitive.microsoft.com"
_QUOTA = re.compile(r"quota", re.IGNORECASE)
_NETWORK = re.compile(r"virtual network|firewall", re.IGNORECASE)


def azure_message(body: dict) -> str | None:
    """The message of Azure's error envelope (``error.message`` or the older top-level ``message``), if any."""
    return str_at(body, "error", "message") or (str_at(body, "message") if "statusCode" in body else None)


class AzureMetadata(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # probes read metadata, never change it
    region: str | None = Field(None, pattern=r"^[a-z0-9]+$", description="e.g. eastus, westeurope")


class AzureProbe(Probe):
    facts = ProviderFacts(
        request=Call("POST", "azure", "/sts/v1.0/issueToken", "`Ocp-Apim-Subscription-Key: <key>`",
                     note="empty body; {region} is metadata.region; not retried (it issues a token)"),
        valid="200 whose body is a JWT (three dot-separated parts).",
        invalid="401 in Azure's error body (a wrong key, or a key of another region: the fix names both); 403 "
                "saying \"quota\" → fail \"out of quota\".",
        indeterminate="403 \"Access denied due to Virtual Network/Firewall rules\" → error \"run from an "
                      "allowed network\"; any other 403 or status; a body that is not Azure's "
                      "(`error.message`, or `statusCode` with `message`); a transport failure. Without "
                      "metadata.region the check is skip (OneInbox needs the region).",
        sources=("https://learn.microsoft.com/azure/ai-services/speech-service/rest-speech-to-text-short"
                 "#authentication",
                 "observed bodies: Azure-Samples/cognitive-services-speech-sdk#41, "
                 "Azure-Samples/azure-sql-db-chatbot#3"),
        unconfirmed=("the error bodies: observed shapes, no published spec",),
    )
    providers = ("azure",)
    environment = {"azure": EnvNames("AZURE_SPEECH_KEY", optional={"region": "AZURE_SPEECH_REGION"})}  # the names its SDK/quick-start reads
    title = TITLE
    endpoints = {"azure": DEFAULT}
    metadata_model = AzureMetadata
    key_format = KeyFormat(description="32 hex characters (classic) or 84 letters and digits",
                           pattern=re.compile(r"[0-9a-fA-F]{32}|[A-Za-z0-9]{84}"))

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:
        region = ctx.metadata.region
        if not region:
            return [ctx.result(AUTH, Status.SKIP, "no metadata.region: OneInbox needs the Speech resource's region "
                               "to use this key (and the live check needs it)",
                               'Add metadata.region, e.g. metadata = { region = "eastus" } (Azure portal → the '
                               "Speech resource → Keys and Endpoint → Location/Region).")]
        base = ctx.endpoints["azure"].replace("{region}", region)
        outcome = await ctx.http.request("POST", base.rstrip("/") + "/sts/v1.0/issueToken", content=b"",
                                         headers={"Ocp-Apim-Subscription-Key": ctx.key})
        if isinstance(outcome, Failure):
            return [undetermined(ctx, AUTH, outcome, "Azure token request")]
        if outcome.status == 200 and outcome.body.count(b".") == 2:
            return [accepted(ctx, region=region)]
        message = azure_message(json_object(outcome) or {})
        if message is None:  # HTML, empty or a proxy's JSON: not Azure speaking
            return [undetermined(ctx, AUTH, outcome, "Azure token request")]
        if outcome.status == 401:
            return [ctx.result(AUTH, Status.FAIL, f"Azure rejected the key for region {region} (HTTP 401)",
                               "Either the key is wrong or it belongs to a Speech resource in another region: check "
                               "the key and that metadata.region is the resource's region (Azure portal → the "
                               "resource → Keys and Endpoint).", http_status=401)]
        if outcome.status == 403 and _NETWORK.search(message):
            return [ctx.result(AUTH, Status.ERROR, "Azure refused this network (Virtual Network/firewall rules on the "
                               "resource): the key itself may be fine",
                               "Run the check from an allowed network, or add this address under the resource's "
                               "Networking → Firewalls and virtual networks.", http_status=403)]
        if outcome.status == 403 and _QUOTA.search(message):
            return [ctx.result(AUTH, Status.FAIL, f"Azure accepted the key but the resource is out of quota "
                               f"(region {region}, HTTP 403)",
                               "The resource's call volume quota is used up: wait for it to replenish, or move the "
                               "resource to a paid tier (Azure portal → the resource → Pricing tier).",
                               http_status=403)]
        return [undetermined(ctx, AUTH, outcome, "Azure token request")]

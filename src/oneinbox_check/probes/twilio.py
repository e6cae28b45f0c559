"""Twilio (telephony). Deep checks follow in this module."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..checks.keyformat import KeyFormat, Signature
from ..checks.phone import E164
from ..models import CheckResult, Status
from ._base import AUTH, Probe, ProbeContext

TITLE = "Twilio"
ACCOUNT = "twilio.account"
NUMBER = "twilio.phone_number"
TRUNK = "twilio.sip_trunk"
_SID = re.compile(r"AC[0-9a-f]{32}")


class TwilioMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    account_sid: str
    phone_number: E164 | None = None
    sip_trunk: str | None = None


class TwilioProbe(Probe):
    providers = ("twilio",)
    title = TITLE
    endpoints = {"twilio": "https://api.twilio.com", "twilio-trunking": "https://trunking.twilio.com"}
    check_ids = (AUTH, ACCOUNT, NUMBER, TRUNK)
    metadata_model = TwilioMetadata
    key_format = KeyFormat(description="the account's auth token: 32 hex characters",
                           pattern=re.compile(r"[0-9a-f]{32}"))

    def format_check(self, provider: str, key: str, metadata: Any, signatures: list[Signature]) -> CheckResult:
        if re.fullmatch(r"AC[0-9a-fA-F]{32}", key):
            return CheckResult(id="key.format", status=Status.FAIL,
                               summary="api_key holds an Account SID (AC…), not the auth token",
                               remediation="Put the Account SID in metadata.account_sid and the Auth Token "
                                           "(Console → Account info) in api_key.")
        if re.fullmatch(r"SK[0-9a-fA-F]{32}", key):
            return CheckResult(id="key.format", status=Status.FAIL,
                               summary="api_key holds an API key SID (SK…), not a secret",
                               remediation="Use the account's Auth Token in api_key.")
        return super().format_check(provider, key, metadata, signatures)

    async def run(self, ctx: ProbeContext) -> list[CheckResult]:  # replaced by the deep checks
        return ctx.skipped([AUTH], "not implemented")


PROBE = TwilioProbe

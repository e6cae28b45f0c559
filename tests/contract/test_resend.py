"""Resend: the probe's requests and the fake's answers against resend/resend-openapi resend.yaml (trimmed)."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox import scenario

from .drive import drive, no_problems, request_problems, response_problems
from .openapi import Spec

pytestmark = pytest.mark.anyio
SPECS = {"resend": [Spec.load("resend.json")]}
K = scenario.KEYS
# resend.yaml documents only the 200 answers. The error envelope {statusCode, name, message}
# and its names come from resend.com/docs/api-reference/errors (providers.md).
UNDOCUMENTED = {
    ("/domains", 400): "resend.com/docs/api-reference/errors: validation_error 'API key is invalid'",
    ("/domains", 401): "resend.com/docs/api-reference/errors: restricted_api_key / missing_api_key",
}


async def exchanges(sandbox, zones_server):
    entries = [{"name": f"m{i}", "provider": "resend", "api_key": key, "metadata": {"from_email": addr}}
               for i, (key, addr) in enumerate([
                   (K["SANDBOX_RESEND_KEY"], "hello@good.example"), (K["SANDBOX_RESEND_KEY"], "hi@pending.example"),
                   (K["SANDBOX_RESEND_KEY"], "hi@mail.good.example"), (K["SANDBOX_RESEND_SENDING_KEY"], "a@good.example"),
                   ("re_Ab12Cd34_" + "Ef56Gh78" * 3, "a@good.example")])]
    return await drive(sandbox, ["resend"], entries, nameservers=[zones_server.address])


async def test_resend_probe_requests_fit_the_spec(sandbox, zones_server) -> None:
    seen = await exchanges(sandbox, zones_server)
    assert {e.response.status for e in seen} >= {200, 400, 401}
    assert any(e.request.path.startswith("/domains/") for e in seen)
    no_problems(request_problems(seen, SPECS))


async def test_resend_fake_answers_fit_the_spec(sandbox, zones_server) -> None:
    no_problems(response_problems(await exchanges(sandbox, zones_server), SPECS, UNDOCUMENTED))

"""SendGrid: the probe's requests and the fake's answers against twilio/sendgrid-oai
tsg_scopes_v3, tsg_domain_authentication_v3 and tsg_verified_senders_v3 (trimmed)."""

from __future__ import annotations

import pytest

from oneinbox_check.sandbox.fakes.sendgrid import SendGridDomain, SendGridFake
from oneinbox_check.sandbox.network import FakeNetwork

from .drive import drive, no_problems, request_problems, response_problems
from .openapi import Spec

pytestmark = pytest.mark.anyio
SPECS = {"sendgrid": [Spec.load(f"sendgrid_{n}.json") for n in ("scopes", "domain_authentication", "verified_senders")]}
FULL = "SG.sandboxFAKEkey7Hq2Lp9X.sandboxFAKEsecret4Tz8Wm3Rk6Yv1Nc5Bd7Jf2Gh9Q"
SEND_ONLY = "SG.sandboxFAKEkey7Hq2Lp9Y.sandboxFAKEsecret4Tz8Wm3Rk6Yv1Nc5Bd7Jf2Gh9Q"
# tsg_domain_authentication_v3.yaml documents only the 200 of the domain list; the 401/403
# envelope {"errors":[{"field","message"}]} is the one tsg_scopes_v3.yaml documents for 401.
UNDOCUMENTED = {("/v3/whitelabel/domains", 403): "tsg_scopes_v3.yaml 401 schema (same envelope); 403 per "
                                                  "SendGrid API-key permissions docs (providers.md)"}


def sandbox() -> FakeNetwork:
    fake = SendGridFake({FULL: "full", SEND_ONLY: "send_only"},
                        [SendGridDomain("sg-good.example"), SendGridDomain("x.sg-good.example", valid=False)],
                        [{"id": 1, "from_email": "ops@single.example", "verified": True}], page_size=1)
    return FakeNetwork({"sendgrid": fake})


async def exchanges(zones_server):
    entries = [{"name": f"s{i}", "provider": "sendgrid", "api_key": key, "metadata": {"from_email": addr}}
               for i, (key, addr) in enumerate([
                   (FULL, "news@sg-good.example"), (FULL, "ops@single.example"), (FULL, "a@mail.sg-good.example"),
                   (SEND_ONLY, "ops@single.example"),
                   ("SG." + "Ab12Cd34Ef56Gh78Ij90Kl" + "." + "Mn12Op34Qr56St78Uv90Wx12Yz34Ab56Cd78Ef90Gh1",
                    "a@sg-good.example")])]
    return await drive(sandbox(), ["sendgrid"], entries, nameservers=[zones_server.address])


async def test_sendgrid_probe_requests_fit_the_spec(zones_server) -> None:
    seen = await exchanges(zones_server)
    assert {e.request.path for e in seen} == {"/v3/scopes", "/v3/whitelabel/domains", "/v3/verified_senders"}
    no_problems(request_problems(seen, SPECS))


async def test_sendgrid_fake_answers_fit_the_spec(zones_server) -> None:
    seen = await exchanges(zones_server)
    assert {e.response.status for e in seen} >= {200, 401, 403}
    no_problems(response_problems(seen, SPECS, UNDOCUMENTED))

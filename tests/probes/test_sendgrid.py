"""SendGrid probe: key, mail.send scope, sender identity and the authenticated domain's DNS."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.sandbox.fakes.email import SendGridDomain

pytestmark = pytest.mark.anyio
BASE = "http://127.0.0.1:7/sendgrid"
KEY = "SG." + "Ab12Cd34Ef56Gh78Ij90Kl" + "." + "Mn12Op34Qr56St78Uv90Wx12Yz34Ab56Cd78Ef90Gh1"
SCOPES = {"scopes": ["mail.send", "whitelabel.read", "verified_senders.read"]}


async def run(zones_server, from_email: str, *, scopes=None, domains=None, senders=None, base: str = BASE):
    with respx.mock:
        respx.get(f"{base}/v3/scopes").mock(return_value=scopes or httpx.Response(200, json=SCOPES))
        respx.get(f"{base}/v3/whitelabel/domains").mock(return_value=domains or httpx.Response(200, json=[]))
        senders_route = respx.get(f"{base}/v3/verified_senders").mock(
            return_value=senders or httpx.Response(200, json={"results": []}))
        report = await check([{"name": "sg", "provider": "sendgrid", "api_key": KEY,
                               "metadata": {"from_email": from_email}}],
                             endpoints={"sendgrid": base}, nameservers=[zones_server.address], retries=0, timeout=1)
    return {c.id: c for c in report.integrations[0].checks}, senders_route


def authenticated(valid: bool = True) -> httpx.Response:
    return httpx.Response(200, json=[SendGridDomain("sg-good.example", valid=valid, id=7).body()])


async def test_valid_authenticated_domain_passes_with_its_dns(zones_server) -> None:
    checks, senders = await run(zones_server, "news@sg-good.example", domains=authenticated())
    assert checks["sendgrid.sender"].status.value == "pass"
    for check_id in ("key.auth", "key.scope", "dns.spf", "dns.dkim", "dns.mx", "dns.dmarc"):
        assert checks[check_id].status.value == "pass", checks[check_id]
    assert not senders.called  # the domain decided it


async def test_authenticated_but_invalid_domain_fails_listing_records(zones_server) -> None:
    checks, _ = await run(zones_server, "news@sg-good.example", domains=authenticated(valid=False))
    assert checks["sendgrid.sender"].status.value == "fail" and "dkim1" in checks["sendgrid.sender"].summary


async def test_missing_mail_send_scope_fails(zones_server) -> None:
    checks, _ = await run(zones_server, "news@sg-good.example", domains=authenticated(),
                          scopes=httpx.Response(200, json={"scopes": ["stats.read"]}))
    assert checks["key.auth"].status.value == "pass" and checks["key.scope"].status.value == "fail"
    assert "Mail Send" in checks["key.scope"].remediation


@pytest.mark.parametrize(("verified", "status"), [(True, "pass"), (False, "fail")])
async def test_single_sender(zones_server, verified: bool, status: str) -> None:
    senders = httpx.Response(200, json={"results": [{"id": 1, "from_email": "ops@single.example", "verified": verified}]})
    checks, _ = await run(zones_server, "ops@single.example", senders=senders)
    assert checks["sendgrid.sender"].status.value == status


async def test_neither_domain_nor_sender_fails(zones_server) -> None:
    checks, _ = await run(zones_server, "ops@nowhere.example")
    assert checks["sendgrid.sender"].status.value == "fail"
    assert "Sender Authentication" in checks["sendgrid.sender"].remediation


async def test_subdomain_of_authenticated_parent_warns(zones_server) -> None:
    checks, _ = await run(zones_server, "ops@mail.sg-good.example", domains=authenticated())
    assert checks["sendgrid.sender"].status.value == "warn"


async def test_key_without_sender_read_access_skips_sender(zones_server) -> None:
    forbidden = httpx.Response(403, json={"errors": [{"message": "access forbidden"}]})
    checks, _ = await run(zones_server, "news@sg-good.example", domains=forbidden,
                          scopes=httpx.Response(200, json={"scopes": ["mail.send"]}))
    assert checks["sendgrid.sender"].status.value == "skip"
    assert checks["key.scope"].status.value == "pass"


async def test_invalid_key_fails(zones_server) -> None:
    bad = httpx.Response(401, json={"errors": [{"field": None, "message":
                                                "The provided authorization grant is invalid, expired, or revoked"}]})
    checks, _ = await run(zones_server, "news@sg-good.example", scopes=bad)
    assert checks["key.auth"].status.value == "fail" and "revoked" in checks["key.auth"].summary


@pytest.mark.parametrize("response", [httpx.Response(503), httpx.Response(200, text="oops")], ids=["503", "garbage"])
async def test_indeterminate_auth_is_error(zones_server, response) -> None:
    checks, _ = await run(zones_server, "news@sg-good.example", scopes=response)
    assert checks["key.auth"].status.value == "error"


async def test_eu_accounts_through_the_endpoint_override(zones_server) -> None:
    checks, _ = await run(zones_server, "news@sg-good.example", domains=authenticated(),
                          base="http://127.0.0.1:7/sendgrid-eu")
    assert checks["key.auth"].status.value == "pass"

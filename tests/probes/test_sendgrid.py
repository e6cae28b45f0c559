"""SendGrid probe: key, mail.send scope, sender identity and the authenticated domain's DNS."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.sandbox.fakes.sendgrid import SendGridDomain

pytestmark = pytest.mark.anyio
BASE = "http://127.0.0.1:7/sendgrid"
KEY = "SG." + "Ab12Cd34Ef56Gh78Ij90Kl" + "." + "Mn12Op34Qr56St78Uv90Wx12Yz34Ab56Cd78Ef90Gh1"
METADATA = {"from_email": "hello@example.com"}  # what every row of this provider carries
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("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", "pass"),
    "bad_prefix": ("sNOBAGx5diFoNPcbdaKwtgHwIoALtLinxN1Ekia7ZpTjCgeOj3QYrzZq9adP0J5wMPLCM", "fail"),
    "bad_length": ("SG.7HUFpk5acdIbzlpkd6XgaNJQ8mjAmH", "warn"),
    "wrong_provider": ("re_7G5IfQHe_VVEqZe2qpUWnoVPDF2yeE6Rs", "fail"),
    "random_with_placeholder_words": (
        "SG.XcNOPmeMjvqPVStNKiaEdF.rRgSxxxxxxsDDDXh5Jmtf7Ebyour-9Cryn687neLfjV",
        "pass"),
}
# key.auth is not a one-request row here: the scopes read, with the sender's domain and DNS beside it.
# These tests of this module hold its rows, one per verdict (test_auth_table.py checks they exist)
AUTH_ELSEWHERE = {"pass": "test_valid_authenticated_domain_passes_with_its_dns", "fail": "test_invalid_key_fails",
                  "error": "test_indeterminate_auth_is_error"}
FAULTS_ELSEWHERE = "test_indeterminate_auth_is_error"  # its faulty-server rows (tests/e2e/test_sandbox_faults.py)
SCOPES = {"scopes": ["mail.send", "whitelabel.read", "verified_senders.read"]}


async def run(zones_server, from_email: str, *, scopes=None, domains=None, senders=None, base: str = BASE):
    with respx.mock:
        respx.get(f"{base}/v3/scopes").mock(return_value=scopes or httpx.Response(200, json=SCOPES))
        respx.get(f"{base}/v3/whitelabel/domains").mock(side_effect=paged(domains or httpx.Response(200, json=[])))
        senders_route = respx.get(f"{base}/v3/verified_senders").mock(
            return_value=senders or httpx.Response(200, json={"results": []}))
        report = await check([{"name": "sg", "provider": "sendgrid", "api_key": KEY,
                               "metadata": {"from_email": from_email}}],
                             endpoints={"sendgrid": base}, nameservers=[zones_server.address], retries=0, timeout=1)
    return {c.id: c for c in report.integrations[0].checks}, senders_route


def paged(answer: httpx.Response):
    """SendGrid's paginated, searchable list (limit/offset/domain) over a fixed list answer."""
    def respond(request: httpx.Request) -> httpx.Response:
        rows = answer.json() if answer.status_code == 200 else None
        if not isinstance(rows, list):
            return answer
        q = request.url.params
        rows = [d for d in rows if q.get("domain", "") in d.get("domain", "")]
        offset, limit = int(q.get("offset", 0)), int(q.get("limit", 50))
        return httpx.Response(200, json=rows[offset:offset + limit])
    return respond


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


async def sandbox_sendgrid(zones_server, from_email: str, fake_kwargs: dict, key_state: str = "full"):
    from oneinbox_check.sandbox.fakes.sendgrid import SendGridFake
    from oneinbox_check.sandbox.network import FakeNetwork

    fake = SendGridFake({KEY: key_state}, **fake_kwargs)
    sandbox = FakeNetwork({"sendgrid": fake})
    report = await check([{"name": "sg", "provider": "sendgrid", "api_key": KEY, "metadata": {"from_email": from_email}}],
                         endpoints=sandbox.endpoints(), transport=sandbox.transport(),
                         nameservers=[zones_server.address], retries=0, timeout=1)
    return {c.id: c for c in report.integrations[0].checks}, fake


async def test_item4_sendgrid_domain_on_a_later_page_is_found(zones_server) -> None:
    """Pages of 2 (SendGrid's page size is undocumented): the from-domain is the fifth match of the search."""
    others = [SendGridDomain(f"x{i}.sg-good.example") for i in range(4)]
    checks, fake = await sandbox_sendgrid(zones_server, "news@sg-good.example",
                                          {"domains": [*others, SendGridDomain("sg-good.example")], "page_size": 2})
    assert checks["sendgrid.sender"].status.value == "pass", checks["sendgrid.sender"]
    listed = [r.query for r in fake.requests if r.path == "/v3/whitelabel/domains"]
    assert [q["offset"] for q in listed] == ["0", "2", "4", "5"] and {q["domain"] for q in listed} == {"sg-good.example"}


async def test_item4_sendgrid_domain_filter_is_sent(zones_server) -> None:
    checks, fake = await sandbox_sendgrid(zones_server, "news@sg-good.example",
                                          {"domains": [SendGridDomain("sg-good.example")]})
    first = next(r.query for r in fake.requests if r.path == "/v3/whitelabel/domains")
    assert first["domain"] == "sg-good.example" and "limit" in first and first["offset"] == "0"
    assert checks["sendgrid.sender"].status.value == "pass"


async def test_item4_sendgrid_endless_domain_pages_are_error() -> None:
    base = "http://127.0.0.1:7/sendgrid"
    row = SendGridDomain("other.example", id=1).body()
    with respx.mock:
        respx.get(f"{base}/v3/scopes").mock(return_value=httpx.Response(200, json=SCOPES))
        pages = respx.get(f"{base}/v3/whitelabel/domains").mock(return_value=httpx.Response(200, json=[row]))
        report = await check([{"name": "sg", "provider": "sendgrid", "api_key": KEY,
                               "metadata": {"from_email": "news@sg-good.example"}}],
                             endpoints={"sendgrid": base}, nameservers=["127.0.0.1:9"], retries=0, timeout=0.5)
    c = {x.id: x for x in report.integrations[0].checks}
    assert c["sendgrid.sender"].status.value == "error" and "still paging" in c["sendgrid.sender"].summary
    assert pages.call_count == 20


async def test_item4_sendgrid_verified_senders_403_skips_with_why(zones_server) -> None:
    forbidden = httpx.Response(403, json={"errors": [{"field": None, "message": "access forbidden"}]})
    checks, _ = await run(zones_server, "ops@single.example", senders=forbidden)
    assert checks["sendgrid.sender"].status.value == "skip"
    assert "verified senders" in checks["sendgrid.sender"].summary and "403" in checks["sendgrid.sender"].summary


async def test_item4_sendgrid_verified_senders_403_through_the_fake_is_skip(zones_server) -> None:
    checks, _ = await sandbox_sendgrid(zones_server, "ops@single.example",
                                       {"senders": [{"id": 1, "from_email": "ops@single.example", "verified": True}]},
                                       key_state="send_only")
    assert checks["sendgrid.sender"].status.value == "skip"


@pytest.mark.parametrize("body", [{"message": "proxy auth required"}, {"errors": [{"field": None}]}, {"errors": []}],
                         ids=["proxy-json", "errors-without-message", "empty-errors"])
async def test_item8_9_sendgrid_401_without_sendgrids_envelope_is_error(zones_server, body) -> None:
    checks, _ = await run(zones_server, "news@sg-good.example", scopes=httpx.Response(401, json=body))
    assert checks["key.auth"].status.value == "error"


async def test_witness_sendgrid_401_with_another_message_is_error(zones_server) -> None:
    checks, _ = await run(zones_server, "news@sg-good.example",
                          scopes=httpx.Response(401, json={"errors": [{"message": "something else"}]}))
    assert checks["key.auth"].status.value == "error"


async def test_witness_sendgrid_401_with_the_documented_message_fails(zones_server) -> None:
    body = {"errors": [{"field": None, "message": "The provided authorization grant is invalid, expired, or revoked"}]}
    checks, _ = await run(zones_server, "news@sg-good.example", scopes=httpx.Response(401, json=body))
    assert checks["key.auth"].status.value == "fail"

"""Resend probe: key, sending-only key, exact-domain rule, every domain status,
records, and the live DNS behind them (respx for HTTP, loopback DNS)."""

from __future__ import annotations

import httpx
import pytest
import respx

from oneinbox_check import check
from oneinbox_check.sandbox.zones import KEY_1024, KEY_2048

pytestmark = pytest.mark.anyio
BASE = "http://127.0.0.1:7/resend"
KEY = "re_Ab12Cd34_" + "Ef56Gh78" * 3
METADATA = {"from_email": "hello@example.com"}  # what every row of this provider carries
# key.format rows (tests/checks/test_keyformat.py): case -> (key, verdict[, metadata]); "valid" also
# yields the hygiene cases every provider shares (padded, placeholder, newline_inside, …)
KEY_FORMATS = {
    "valid": ("re_7G5IfQHe_VVEqZe2qpUWnoVPDF2yeE6Rs", "pass"),
    "bad_prefix": ("O2x93CJHLS45gqIO2zVZxqyxKjxvWfColNV9", "fail"),
    "bad_length": ("re_ds0HqtO93L7Q5uUaVcoj", "warn"),
    "wrong_provider": ("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", "fail"),
}
# key.auth is not a one-request row here: the domain listing, with the from address's DNS beside it.
# These tests of this module hold its rows, one per verdict (test_auth_table.py checks they exist)
AUTH_ELSEWHERE = {"pass": "test_verified_domain_with_correct_dns_passes_everything", "fail": "test_invalid_key_fails",
                  "error": "test_indeterminate_answers_are_errors"}
FAULTS_ELSEWHERE = "test_indeterminate_answers_are_errors"  # its faulty-server rows (tests/e2e/test_sandbox_faults.py)


def domain(name: str, status: str = "verified", id_: str = "d1", region: str = "us-east-1") -> dict:
    return {"id": id_, "name": name, "status": status, "created_at": "2026-01-05T10:00:00Z", "region": region}


def records(status: str = "verified", dkim: str = KEY_2048, spf_status: str | None = None) -> list[dict]:
    return [
        {"record": "SPF", "name": "send", "type": "MX", "ttl": "Auto", "status": spf_status or status,
         "value": "feedback-smtp.us-east-1.amazonses.com", "priority": 10},
        {"record": "SPF", "name": "send", "type": "TXT", "ttl": "Auto", "status": spf_status or status,
         "value": '"v=spf1 include:amazonses.com ~all"'},
        {"record": "DKIM", "name": "resend._domainkey", "type": "TXT", "ttl": "Auto", "status": status,
         "value": f"p={dkim}"},
    ]


async def run(zones_server, from_email: str, listing: httpx.Response, detail: httpx.Response | None = None,
              key: str = KEY):
    with respx.mock:
        list_route = respx.get(f"{BASE}/domains").mock(return_value=listing)
        if detail is not None:
            respx.get(url__regex=rf"{BASE}/domains/[^/]+$").mock(return_value=detail)
        report = await check([{"name": "mail", "provider": "resend", "api_key": key,
                               "metadata": {"from_email": from_email}}],
                             endpoints={"resend": BASE}, nameservers=[zones_server.address], retries=0, timeout=1)
    return {c.id: c for c in report.integrations[0].checks}, report, list_route


def ok_list(*domains: dict) -> httpx.Response:
    return httpx.Response(200, json={"object": "list", "data": list(domains)})


async def test_verified_domain_with_correct_dns_passes_everything(zones_server) -> None:
    checks, report, _ = await run(zones_server, "hello@good.example", ok_list(domain("good.example")),
                                  httpx.Response(200, json={**domain("good.example"), "records": records()}))
    assert {k: v.status.value for k, v in checks.items()} == {
        "input.schema": "pass", "key.format": "pass", "email.from_address": "pass", "key.auth": "pass",
        "key.scope": "pass", "resend.domain": "pass", "resend.records": "pass", "dns.spf": "pass",
        "dns.dkim": "pass", "dns.mx": "pass", "dns.dmarc": "pass"}
    assert report.exit_code == 0


async def test_older_list_shape_without_object_is_accepted(zones_server) -> None:
    checks, _, _ = await run(zones_server, "hello@good.example",
                             httpx.Response(200, json={"data": [domain("good.example")]}),
                             httpx.Response(200, json={**domain("good.example"), "records": records()}))
    assert checks["key.auth"].status.value == "pass"


async def test_subdomain_is_not_covered_by_a_verified_parent(zones_server) -> None:
    checks, _, _ = await run(zones_server, "hello@mail.good.example", ok_list(domain("good.example")))
    result = checks["resend.domain"]
    assert result.status.value == "fail"
    assert "mail.good.example" in result.summary and "good.example is" in result.summary
    assert "Add mail.good.example in Resend" in result.remediation
    assert checks["dns.spf"].status.value == "pass"  # DNS still checked with Resend's default layout


async def test_parent_address_is_covered_when_the_exact_domain_is_verified(zones_server) -> None:
    checks, _, _ = await run(zones_server, "hello@good.example",
                             ok_list(domain("mail.good.example", id_="d2"), domain("good.example")),
                             httpx.Response(200, json={**domain("good.example"), "records": records()}))
    assert checks["resend.domain"].status.value == "pass"


async def test_domain_missing_from_account_fails(zones_server) -> None:
    checks, _, _ = await run(zones_server, "hello@good.example", ok_list(domain("other.example")))
    assert checks["resend.domain"].status.value == "fail" and "not a domain of this Resend account" in checks[
        "resend.domain"].summary


@pytest.mark.parametrize("status", ["not_started", "pending", "failed", "partially_verified", "partially_failed",
                                    "temporary_failure"])
async def test_every_unverified_status_fails_naming_the_records(zones_server, status: str) -> None:
    checks, report, _ = await run(zones_server, "hello@good.example", ok_list(domain("good.example", status)),
                                  httpx.Response(200, json={**domain("good.example", status),
                                                            "records": records(status="verified", spf_status="pending")}))
    result = checks["resend.domain"]
    assert result.status.value == "fail" and status in result.summary
    assert "SPF TXT send.good.example" in result.summary
    assert checks["resend.records"].status.value == "fail"
    assert "TXT send.good.example" in checks["resend.records"].remediation
    assert report.exit_code == 1


async def test_verified_in_resend_but_dns_deleted_is_caught(zones_server) -> None:
    checks, _, _ = await run(zones_server, "hello@gone.example", ok_list(domain("gone.example")),
                             httpx.Response(200, json={**domain("gone.example"), "records": records()}))
    assert checks["resend.domain"].status.value == "pass"
    for check_id in ("dns.spf", "dns.dkim", "dns.mx"):
        assert checks[check_id].status.value == "fail"
    assert "send.gone.example" in checks["dns.mx"].remediation
    assert "resend._domainkey.gone.example" in checks["dns.dkim"].remediation


async def test_dkim_in_dns_differs_from_what_resend_expects(zones_server) -> None:
    checks, _, _ = await run(zones_server, "hello@wrongdkim.example", ok_list(domain("wrongdkim.example")),
                             httpx.Response(200, json={**domain("wrongdkim.example"), "records": records(dkim=KEY_2048)}))
    assert checks["dns.dkim"].status.value == "fail" and "differs" in checks["dns.dkim"].summary
    ok, _, _ = await run(zones_server, "hello@wrongdkim.example", ok_list(domain("wrongdkim.example")),
                         httpx.Response(200, json={**domain("wrongdkim.example"), "records": records(dkim=KEY_1024)}))
    assert ok["dns.dkim"].status.value == "warn"  # matches; a 1024-bit key warns (2048 recommended, RFC 8301)


async def test_sending_only_key_passes_auth_and_skips_domain_listing(zones_server) -> None:
    restricted = httpx.Response(401, json={"statusCode": 401, "name": "restricted_api_key",
                                           "message": "This API key is restricted to only send emails"})
    checks, report, _ = await run(zones_server, "hello@nodmarc.example", restricted)
    assert checks["key.auth"].status.value == "pass"
    assert "sending-only" in checks["key.scope"].summary
    assert checks["resend.domain"].status.value == "skip" and "cannot read domains" in checks["resend.domain"].summary
    assert checks["dns.spf"].status.value == "pass" and checks["dns.dmarc"].status.value == "warn"
    assert report.exit_code == 0


@pytest.mark.parametrize("response", [
    httpx.Response(400, json={"statusCode": 400, "name": "validation_error", "message": "API key is invalid"}),
    httpx.Response(403, json={"statusCode": 403, "name": "invalid_api_key", "message": "API key is invalid"}),
], ids=["400-validation_error", "403-invalid_api_key"])
async def test_invalid_key_fails(zones_server, response: httpx.Response) -> None:
    checks, _, _ = await run(zones_server, "hello@good.example", response)
    assert checks["key.auth"].status.value == "fail" and "API key is invalid" in checks["key.auth"].summary
    assert checks["resend.domain"].status.value == "skip"


@pytest.mark.parametrize("response", [
    httpx.Response(500, json={"statusCode": 500, "name": "internal_server_error"}),
    httpx.Response(429, json={"statusCode": 429, "name": "rate_limit_exceeded"}, headers={"retry-after": "1"}),
    httpx.Response(200, text="<html>gateway</html>"),
    httpx.Response(403, json={"statusCode": 403, "name": "something_new"}),
    httpx.Response(403, text="<html>Access denied by the firewall</html>"),
], ids=["500", "429", "html", "unknown-403", "html-403"])
async def test_indeterminate_answers_are_errors(zones_server, response: httpx.Response) -> None:
    checks, report, _ = await run(zones_server, "hello@good.example", response)
    assert checks["key.auth"].status.value == "error"
    assert report.exit_code == 3


async def test_records_unreadable_falls_back_to_default_layout(zones_server) -> None:
    checks, _, _ = await run(zones_server, "hello@good.example", ok_list(domain("good.example")),
                             httpx.Response(503, json={}))
    assert checks["resend.records"].status.value == "error"
    assert checks["dns.spf"].status.value == "pass"


async def test_optional_tracking_record_unverified_is_a_warn(zones_server) -> None:
    recs = records() + [{"record": "Tracking", "name": "links.good.example", "type": "CNAME",
                         "value": "links1.resend-dns.com", "status": "not_started", "ttl": "Auto"}]
    checks, _, _ = await run(zones_server, "hello@good.example", ok_list(domain("good.example")),
                             httpx.Response(200, json={**domain("good.example"), "records": recs}))
    assert checks["resend.records"].status.value == "warn"


async def test_dns_timeout_is_error_for_that_check_only(zones_server) -> None:
    checks, _, _ = await run(zones_server, "hello@slowdns.example", ok_list(domain("slowdns.example")),
                             httpx.Response(200, json={**domain("slowdns.example"), "records": records()}))
    assert checks["dns.spf"].status.value == "error" and checks["dns.mx"].status.value == "error"
    assert checks["dns.dkim"].status.value == "pass" and checks["resend.domain"].status.value == "pass"


async def test_invalid_from_address_skips_domain_checks(zones_server) -> None:
    checks, _, _ = await run(zones_server, "not-an-address", ok_list(domain("good.example")))
    assert checks["email.from_address"].status.value == "fail"
    assert checks["resend.domain"].status.value == "skip"


async def test_subdomain_record_names_are_resolved_relative_to_the_apex(zones_server) -> None:
    from oneinbox_check.checks.maildns import absolute

    assert absolute("send", "good.example") == "send.good.example"
    assert absolute("send.mail", "mail.good.example") == "send.mail.good.example"
    assert absolute("send", "mail.good.example") == "send.mail.good.example"
    assert absolute("links.good.example", "good.example") == "links.good.example"


async def test_item11_resend_verified_domain_with_sending_disabled_fails(zones_server) -> None:
    listed = {**domain("good.example"), "capabilities": {"sending": "disabled", "receiving": "enabled"}}
    checks, _, _ = await run(zones_server, "hello@good.example", ok_list(listed),
                             httpx.Response(200, json={**listed, "object": "domain", "records": records()}))
    assert checks["resend.domain"].status.value == "fail"
    assert "sending" in checks["resend.domain"].summary and "disabled" in checks["resend.domain"].summary


async def test_item11_resend_verified_domain_with_sending_enabled_passes(zones_server) -> None:
    listed = {**domain("good.example"), "capabilities": {"sending": "enabled", "receiving": "disabled"}}
    checks, _, _ = await run(zones_server, "hello@good.example", ok_list(listed),
                             httpx.Response(200, json={**listed, "object": "domain", "records": records()}))
    assert checks["resend.domain"].status.value == "pass"


async def test_item11_resend_fake_domain_with_sending_disabled_fails_through_the_sandbox(zones_server) -> None:
    from oneinbox_check.sandbox import scenario

    sandbox = scenario.build()
    sandbox.fake("resend").domains[0].sending = "disabled"  # good.example
    report = await check([{"name": "mail", "provider": "resend", "api_key": scenario.KEYS["SANDBOX_RESEND_KEY"],
                           "metadata": {"from_email": "hello@good.example"}}], endpoints=sandbox.endpoints(),
                         transport=sandbox.transport(), nameservers=[zones_server.address], retries=0, timeout=1)
    c = {x.id: x for x in report.integrations[0].checks}
    assert c["resend.domain"].status.value == "fail" and "disabled" in c["resend.domain"].summary


@pytest.mark.parametrize("response", [
    httpx.Response(401, json={"message": "proxy auth required"}),
    httpx.Response(401, json={"name": "restricted_api_key"}),
    httpx.Response(403, json={"error": "invalid_api_key"}),
], ids=["proxy-json", "name-without-message", "other-json"])
async def test_item8_9_resend_error_without_resends_envelope_is_error(zones_server, response) -> None:
    checks, _, _ = await run(zones_server, "hello@good.example", response)
    assert checks["key.auth"].status.value == "error"


async def test_witness_resend_400_validation_error_about_another_field_is_error(zones_server) -> None:
    listing = httpx.Response(400, json={"statusCode": 400, "name": "validation_error",
                                        "message": "The `to` field is missing."})
    checks, _, _ = await run(zones_server, "hello@good.example", listing)
    assert checks["key.auth"].status.value == "error"


async def test_witness_resend_401_missing_api_key_is_error_not_fail(zones_server) -> None:
    listing = httpx.Response(401, json={"statusCode": 401, "name": "missing_api_key",
                                        "message": "Missing API key in the authorization header"})
    checks, _, _ = await run(zones_server, "hello@good.example", listing)
    assert checks["key.auth"].status.value == "error"


async def test_witness_resend_listed_domain_with_null_status_is_error(zones_server) -> None:
    checks, _, _ = await run(zones_server, "hello@good.example", ok_list({**domain("good.example"), "status": None}),
                             httpx.Response(200, json={**domain("good.example"), "records": records()}))
    assert checks["resend.domain"].status.value == "error"


@pytest.mark.parametrize("broken", [{"name": None}, {"type": 5}, {"status": None}],
                         ids=["null-name", "non-string-type", "null-status"])
async def test_witness_resend_malformed_domain_record_is_error(zones_server, broken: dict) -> None:
    rows = records()
    rows[2] = {**rows[2], **broken}
    checks, _, _ = await run(zones_server, "hello@good.example", ok_list(domain("good.example")),
                             httpx.Response(200, json={**domain("good.example"), "records": rows}))
    assert checks["resend.records"].status.value == "error" and checks["resend.domain"].status.value == "pass"


async def _paged(zones_server, pages: list[httpx.Response]):
    with respx.mock:
        route = respx.get(f"{BASE}/domains").mock(side_effect=pages)
        respx.get(url__regex=rf"{BASE}/domains/[^/]+$").mock(
            return_value=httpx.Response(200, json={**domain("good.example", id_="d9"), "records": records()}))
        report = await check([{"name": "mail", "provider": "resend", "api_key": KEY,
                               "metadata": {"from_email": "hello@good.example"}}],
                             endpoints={"resend": BASE}, nameservers=[zones_server.address], retries=0, timeout=1)
    return {c.id: c for c in report.integrations[0].checks}, route


async def test_witness_resend_domain_on_a_later_page_is_found_with_after(zones_server) -> None:
    first = httpx.Response(200, json={"object": "list", "has_more": True, "data": [domain("other.example", id_="d1")]})
    second = httpx.Response(200, json={"object": "list", "has_more": False,
                                       "data": [domain("good.example", id_="d9")]})
    checks, route = await _paged(zones_server, [first, second])
    assert checks["resend.domain"].status.value == "pass"
    assert route.calls[1].request.url.params["after"] == "d1"


async def test_witness_resend_has_more_with_an_unreadable_next_page_is_error(zones_server) -> None:
    first = httpx.Response(200, json={"object": "list", "has_more": True, "data": [domain("other.example", id_="d1")]})
    checks, _ = await _paged(zones_server, [first, httpx.Response(503)])
    assert checks["resend.domain"].status.value == "error"


async def test_witness_resend_pagination_is_bounded_and_then_error(zones_server) -> None:
    pages = [httpx.Response(200, json={"object": "list", "has_more": True,
                                       "data": [domain(f"o{i}.example", id_=f"d{i}")]}) for i in range(25)]
    checks, route = await _paged(zones_server, pages)
    assert checks["resend.domain"].status.value == "error" and "incomplete" in checks["resend.domain"].summary
    assert route.call_count == 20


async def test_witness_resend_domain_absent_from_the_last_page_still_fails(zones_server) -> None:
    first = httpx.Response(200, json={"object": "list", "has_more": True, "data": [domain("other.example", id_="d1")]})
    second = httpx.Response(200, json={"object": "list", "has_more": False, "data": [domain("x.example", id_="d2")]})
    checks, _ = await _paged(zones_server, [first, second])
    assert checks["resend.domain"].status.value == "fail" and "not a domain" in checks["resend.domain"].summary

"""dns.dmarc, one row per RFC 7489 rule (§6.3 tags, §6.4 ABNF, §6.6.3 policy discovery)."""

from __future__ import annotations

import pytest

from oneinbox_check.checks.dmarc import check_dmarc

pytestmark = pytest.mark.anyio


async def _dmarc(dns_server, domain: str, zones: dict[str, list[str]]):
    from oneinbox_check.net.dns import Resolver

    for name, records in zones.items():
        dns_server.zone.set(name, "TXT", records)
    return await check_dmarc(Resolver([("127.0.0.1", dns_server.port)], timeout=1, tries=1), domain)


# (clause, record at _dmarc.d.example, verdict, fragment of the summary)
ROWS = [
    ("6.4 minimal record", "v=DMARC1; p=none", "pass", "p=none"),
    ("6.4 whitespace around = and ; (issue 10 item 18)", "v = DMARC1 ;  p = reject ; pct = 50", "pass", "p=reject"),
    ("6.4 tabs are WSP", "v=DMARC1;\tp=quarantine", "pass", "p=quarantine"),
    ("6.4 trailing separator", "v=DMARC1; p=none;", "pass", "p=none"),
    ("6.4 policy values are case-insensitive", "v=DMARC1; p=Reject", "pass", "p=reject"),
    ("6.4 DMARC1 is upper case", "v=dmarc1; p=none", "fail", "v=DMARC1"),
    ("6.4 p must follow v (warned, accepted)", "v=DMARC1; rua=mailto:d@d.example; p=none", "pass", "p=none"),
    ("6.3 p is required", "v=DMARC1; rua=mailto:d@d.example", "fail", "no p= tag"),
    ("6.3 p value", "v=DMARC1; p=block", "fail", "p=block"),
    ("6.3 sp value", "v=DMARC1; p=none; sp=maybe", "fail", "sp=maybe"),
    ("6.3 pct 0-100", "v=DMARC1; p=none; pct=101", "fail", "pct=101"),
    ("6.3 pct is a number", "v=DMARC1; p=none; pct=half", "fail", "pct=half"),
    ("6.3 pct 0 is valid", "v=DMARC1; p=reject; pct=0", "pass", "p=reject"),
    ("6.3 rua URI list", "v=DMARC1; p=none; rua=mailto:a@d.example, mailto:b@d.example!10m", "pass", "p=none"),
    ("6.3 rua must be URIs", "v=DMARC1; p=none; rua=dmarc@d.example", "fail", "rua="),
    ("6.3 ruf size suffix", "v=DMARC1; p=none; ruf=mailto:a@d.example!10x", "fail", "ruf="),
    ("6.3 empty rua", "v=DMARC1; p=none; rua=", "fail", "rua="),
    ("6.3 adkim r|s", "v=DMARC1; p=none; adkim=s; aspf=r", "pass", "p=none"),
    ("6.3 adkim other", "v=DMARC1; p=none; adkim=x", "fail", "adkim=x"),
    ("6.3 aspf other", "v=DMARC1; p=none; aspf=strict", "fail", "aspf=strict"),
    ("6.3 fo options", "v=DMARC1; p=none; fo=0:1:d:s", "pass", "p=none"),
    ("6.3 fo other", "v=DMARC1; p=none; fo=2", "fail", "fo=2"),
    ("6.3 ri seconds", "v=DMARC1; p=none; ri=86400", "pass", "p=none"),
    ("6.3 ri not a number", "v=DMARC1; p=none; ri=daily", "fail", "ri=daily"),
    ("6.3 rf keyword", "v=DMARC1; p=none; rf=afrf", "pass", "p=none"),
    ("6.3 unknown tags are ignored", "v=DMARC1; p=none; np=reject; t=y", "pass", "p=none"),
    ("6.4 a tag twice", "v=DMARC1; p=none; p=reject", "fail", "twice"),
    ("6.4 a part without =", "v=DMARC1; p=none; junk", "fail", "'junk'"),
]


@pytest.mark.parametrize(("clause", "record", "verdict", "fragment"), ROWS, ids=[r[0] for r in ROWS])
async def test_rfc7489_rule(dns_server, clause: str, record: str, verdict: str, fragment: str) -> None:
    r = await _dmarc(dns_server, "d.example", {"_dmarc.d.example": [record]})
    assert r.status.value == verdict and fragment in r.summary, (clause, r.summary)
    if verdict == "fail":
        assert r.remediation


async def test_p_not_directly_after_v_is_a_warning_in_details(dns_server) -> None:
    r = await _dmarc(dns_server, "d.example", {"_dmarc.d.example": ["v=DMARC1; rua=mailto:d@d.example; p=none"]})
    assert r.status.value == "pass" and "directly follow" in r.details["warnings"][0]


async def test_non_dmarc_txt_at_dmarc_is_ignored(dns_server) -> None:
    r = await _dmarc(dns_server, "d.example", {"_dmarc.d.example": ["google-site-verification=abc", "v=DMARC1; p=reject"]})
    assert r.status.value == "pass" and "p=reject" in r.summary


async def test_only_non_dmarc_txt_means_no_record(dns_server) -> None:
    r = await _dmarc(dns_server, "d.example", {"_dmarc.d.example": ["hello"]})
    assert r.status.value == "warn" and "no DMARC record" in r.summary


async def test_several_records_fail(dns_server) -> None:
    r = await _dmarc(dns_server, "d.example", {"_dmarc.d.example": ["v=DMARC1; p=none", "v = DMARC1; p=reject"]})
    assert r.status.value == "fail" and "2 DMARC records" in r.summary


async def test_item18_dmarc_subdomain_inheriting_the_org_record_reports_sp(dns_server) -> None:
    r = await _dmarc(dns_server, "mail.d.example", {"_dmarc.d.example": ["v=DMARC1; p=reject; sp=none"]})
    assert r.status.value == "pass" and r.details["inherited"]
    assert r.details["policy"] == "none" and r.details["policy_tag"] == "sp"
    assert "sp=none" in r.summary and "mail.d.example" in r.summary


async def test_subdomain_inheriting_without_sp_gets_p(dns_server) -> None:
    r = await _dmarc(dns_server, "mail.d.example", {"_dmarc.d.example": ["v=DMARC1; p=quarantine"]})
    assert r.details["policy"] == "quarantine" and r.details["policy_tag"] == "p" and "p=quarantine" in r.summary


async def test_the_org_domain_itself_gets_p_not_sp(dns_server) -> None:
    r = await _dmarc(dns_server, "d.example", {"_dmarc.d.example": ["v=DMARC1; p=reject; sp=none"]})
    assert r.details["policy"] == "reject" and not r.details["inherited"]


async def test_subdomain_record_wins_over_the_org_record(dns_server) -> None:
    r = await _dmarc(dns_server, "mail.d.example", {"_dmarc.mail.d.example": ["v=DMARC1; p=reject"],
                                                    "_dmarc.d.example": ["v=DMARC1; p=none"]})
    assert r.details["policy"] == "reject" and not r.details["inherited"]


async def test_item18_dmarc_version_with_whitespace_is_accepted(dns_server) -> None:
    r = await _dmarc(dns_server, "d.example", {"_dmarc.d.example": ["v = DMARC1; p=none"]})
    assert r.status.value == "pass"

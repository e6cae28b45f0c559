"""``checks.maildns``: the DNS rules are listed once, and that list is what runs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from oneinbox_check.checks import dkim, dmarc, maildns, mx, spf
from oneinbox_check.checks.layout import DkimExpectation, MailDnsLayout
from oneinbox_check.models import CheckResult, Status

pytestmark = pytest.mark.anyio


def _layout(domain: str = "good.example", **kw) -> MailDnsLayout:
    base = dict(domain=domain, provider="Resend", return_path=f"send.{domain}", spf_include="amazonses.com",
                mx=("feedback-smtp.us-east-1.amazonses.com", 10),
                dkim=[DkimExpectation(f"resend._domainkey.{domain}")])
    return MailDnsLayout(**(base | kw))


def test_check_ids_are_the_listed_rules_in_order() -> None:
    assert maildns.RULES == (spf, dkim, mx, dmarc)
    assert maildns.CHECK_IDS == ("dns.spf", "dns.dkim", "dns.mx", "dns.dmarc")


async def test_every_listed_rule_reports_once_in_list_order(zresolver) -> None:
    results = await maildns.run_checks(zresolver, _layout())
    assert [r.id for r in results] == list(maildns.CHECK_IDS)
    assert all(r.status == Status.PASS for r in results), results


async def test_a_rule_added_to_the_list_runs_with_the_others(zresolver, monkeypatch) -> None:
    async def check_layout(resolver, layout) -> CheckResult:
        return CheckResult(id="dns.bimi", status=Status.SKIP, summary=f"no BIMI rule for {layout.domain} yet")

    monkeypatch.setattr(maildns, "RULES", (*maildns.RULES, SimpleNamespace(ID="dns.bimi", check_layout=check_layout)))
    results = await maildns.run_checks(zresolver, _layout())
    assert [r.id for r in results] == [*maildns.CHECK_IDS, "dns.bimi"]


async def test_a_layout_without_return_path_or_selector_skips_what_it_cannot_check(zresolver) -> None:
    results = {r.id: r for r in await maildns.run_checks(zresolver, _layout(return_path=None, dkim=[]))}
    assert {i: r.status for i, r in results.items()} == {"dns.spf": Status.SKIP, "dns.dkim": Status.SKIP,
                                                         "dns.mx": Status.SKIP, "dns.dmarc": Status.PASS}
    assert results["dns.spf"].summary == "no return-path host known for this provider layout"
    assert results["dns.dkim"].summary == "no DKIM selector known"
    assert results["dns.mx"].summary == "no return-path MX expected for this provider layout"

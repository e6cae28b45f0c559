"""The ``MailDns`` capability: email probes declare their DNS layout, and ``dns`` reads them from the registry."""

from __future__ import annotations

import json

import pytest

from oneinbox_check.checks import maildns
from oneinbox_check.checks.layout import DkimExpectation, MailDnsLayout
from oneinbox_check.probes import registry as registry_module
from oneinbox_check.probes.probe import Probe
from oneinbox_check.probes.registry import Registry, load_registry
from oneinbox_check.probes.capabilities import DNS_IDS, MailDns, mail_dns_probes
from tests.helpers import run_cli


class _MailFake(Probe, MailDns):
    """A throwaway email provider: return path ``bounce.<domain>``, MX per region."""

    providers = ("mailfake",)
    title = "MailFake"
    check_ids = ("key.auth", *DNS_IDS)
    regions = ("north", "south")

    def default_layout(self, domain: str, *, region: str | None = None, return_path: str | None = None,
                       selector: str | None = None) -> MailDnsLayout:
        host = f"{return_path or 'bounce'}.{domain}"
        return MailDnsLayout(domain=domain, provider=self.title, return_path=host, spf_include="amazonses.com",
                             mx=(f"feedback-smtp.{region or 'north'}.amazonses.com", 10),
                             dkim=[DkimExpectation(f"{selector or 'mf'}._domainkey.{domain}")])

    async def run(self, ctx):  # type: ignore[no-untyped-def]
        return []


@pytest.fixture
def with_mailfake(monkeypatch):
    real = load_registry()
    registry = Registry({**real.probes, "mailfake": _MailFake()})
    monkeypatch.setattr(registry_module, "load_registry", lambda: registry)
    return registry


def test_resend_and_sendgrid_declare_mail_dns() -> None:
    registry = load_registry()
    capable = list(mail_dns_probes(registry.probes))
    assert {"resend", "sendgrid"} <= set(capable)
    assert capable == [p for p in registry.providers if isinstance(registry.get(p), MailDns)]


def test_email_probes_report_every_listed_dns_rule() -> None:
    for probe in mail_dns_probes(load_registry().probes).values():
        assert probe.dns_check_ids == maildns.CHECK_IDS
        assert set(maildns.CHECK_IDS) <= set(probe.check_ids)  # type: ignore[attr-defined]


def test_a_mail_dns_probe_must_say_its_default_layout() -> None:
    class NoLayout(Probe, MailDns):
        providers = ("nolayout",)

    with pytest.raises(TypeError, match="default_layout"):
        NoLayout()  # type: ignore[abstract]


def test_dns_offers_a_registered_provider_with_mail_dns(capsys, zones_server, with_mailfake) -> None:
    zones_server.zone.load({"bounce.mf.example": {"TXT": ["v=spf1 include:amazonses.com ~all"],
                                                  "MX": ["10 feedback-smtp.south.amazonses.com"]},
                            "mf._domainkey.mf.example": {"TXT": [_dkim_key()]},
                            "_dmarc.mf.example": {"TXT": ["v=DMARC1; p=reject"]}})
    code, out, err = run_cli(capsys, "dns", "mf.example", "--provider", "mailfake", "--region", "south",
                             "--nameserver", zones_server.address, "--timeout", "1", "--format", "json")
    row = json.loads(out)["integrations"][0]
    assert code == 0, err
    assert row["provider"] == "mailfake" and [c["id"] for c in row["checks"]] == ["input.schema", *DNS_IDS]


def test_dns_validates_region_against_the_providers_own_regions(capsys, with_mailfake) -> None:
    code, _, err = run_cli(capsys, "dns", "mf.example", "--provider", "mailfake", "--region", "us-east-1")
    assert code == 2 and "MailFake regions are north, south" in err


def _dkim_key() -> str:
    from oneinbox_check.sandbox.zones import KEY_2048

    return f"v=DKIM1; k=rsa; p={KEY_2048}"


def test_a_dns_run_loads_the_suffix_list_and_key_parser_before_its_clock(monkeypatch) -> None:
    from oneinbox_check.checks import dkim, dmarc
    from oneinbox_check.probes.capabilities import MailDnsCheck

    dmarc._psl.cache_clear()
    dkim.load_key_parser.cache_clear()
    resend = load_registry().get("resend")
    MailDnsCheck("resend", resend, offline=True)
    assert dmarc._psl.cache_info().currsize == 0  # an offline run asks nothing: nothing loaded
    MailDnsCheck("resend", resend)
    assert dmarc._psl.cache_info().currsize == 1 and dkim.load_key_parser.cache_info().currsize == 1

"""``oneinbox-check dns``: the email DNS of many domains, no key needed."""

from __future__ import annotations

import json

from oneinbox_check.probes.capabilities import MailDns
from oneinbox_check.probes.registry import load_registry
from tests.helpers import run_cli


def _dns(capsys, zones_server, *args: str) -> tuple[int, dict]:
    code, out, err = run_cli(capsys, "dns", *args, "--nameserver", zones_server.address, "--timeout", "1",
                             "--format", "json")
    return code, json.loads(out)


def _statuses(report: dict) -> dict[str, str]:
    return {i["name"]: i["status"] for i in report["integrations"]}


def test_many_domains_at_once(capsys, zones_server) -> None:
    code, report = _dns(capsys, zones_server, "good.example", "nospf.example", "nodmarc.example", "weak.example")
    assert _statuses(report) == {"good.example": "pass", "nospf.example": "fail", "nodmarc.example": "warn",
                                 "weak.example": "fail"}
    assert code == 1


def test_all_good_exits_0_and_warn_with_strict_exits_1(capsys, zones_server) -> None:
    assert _dns(capsys, zones_server, "good.example")[0] == 0
    assert _dns(capsys, zones_server, "nodmarc.example")[0] == 0
    assert _dns(capsys, zones_server, "nodmarc.example", "--strict")[0] == 1


def test_dns_failure_exits_3(capsys, zones_server) -> None:
    code, report = _dns(capsys, zones_server, "brokendns.example")
    assert code == 3 and _statuses(report)["brokendns.example"] == "error"


def test_bad_domain_fails_its_row_only(capsys, zones_server) -> None:
    code, report = _dns(capsys, zones_server, "good.example", "https://nope")
    assert _statuses(report) == {"good.example": "pass", "https://nope": "fail"}


def test_sendgrid_layout(capsys, zones_server) -> None:
    code, report = _dns(capsys, zones_server, "sg-good.example", "--provider", "sendgrid", "--return-path", "em1234")
    checks = {c["id"]: c["status"] for c in report["integrations"][0]["checks"]}
    assert code == 0 and checks["dns.dkim"] == "pass" and checks["dns.mx"] == "pass"


def test_custom_return_path_and_selector(capsys, zones_server) -> None:
    zones_server.zone.load({"bounce.custom.example": {"TXT": ["v=spf1 include:amazonses.com ~all"],
                                                      "MX": ["10 feedback-smtp.eu-west-1.amazonses.com"]},
                            "k1._domainkey.custom.example": {"TXT": [zones_server_key()]},
                            "_dmarc.custom.example": {"TXT": ["v=DMARC1; p=reject"]}})
    code, report = _dns(capsys, zones_server, "custom.example", "--return-path", "bounce", "--dkim-selector", "k1",
                        "--region", "eu-west-1")
    assert code == 0, report


def zones_server_key() -> str:
    from oneinbox_check.sandbox.zones import KEY_2048

    return f"v=DKIM1; k=rsa; p={KEY_2048}"


def test_bad_region_is_a_usage_error(capsys) -> None:
    code, _, err = run_cli(capsys, "dns", "good.example", "--region", "mars-1")
    assert code == 2 and "Resend regions" in err


def test_table_names_the_record_to_add(capsys, zones_server) -> None:
    code, out, _ = run_cli(capsys, "dns", "nospf.example", "--nameserver", zones_server.address)
    assert 'Add a TXT record at send.nospf.example: "v=spf1 include:amazonses.com ~all"' in out


def test_sendgrid_region_is_refused_without_naming_resend_regions(capsys) -> None:
    code, _, err = run_cli(capsys, "dns", "good.example", "--provider", "sendgrid", "--region", "eu-west-3")
    assert code == 2 and "Resend" not in err and "SendGrid's DNS layout has no regions" in err


def test_unknown_provider_is_a_usage_error_naming_the_providers_with_a_dns_layout(capsys) -> None:
    registry = load_registry()
    capable = [p for p in registry.providers if isinstance(registry.get(p), MailDns)]
    assert {"resend", "sendgrid"} <= set(capable)
    code, _, err = run_cli(capsys, "dns", "good.example", "--provider", "sendgird")
    assert code == 2 and "did you mean 'sendgrid'?" in err and f"known: {', '.join(capable)}" in err


def test_a_provider_without_a_dns_layout_is_refused(capsys) -> None:
    code, _, err = run_cli(capsys, "dns", "good.example", "--provider", "openai")
    assert code == 2 and "no email DNS layout" in err


def test_an_interrupted_dns_run_reports_the_unfinished_rows_and_exits_130(capsys, zones_server, monkeypatch) -> None:
    from oneinbox_check import runner

    async def interrupted(jobs, *, handle_signals: bool) -> bool:
        return True  # as if Ctrl-C came before any domain finished

    monkeypatch.setattr(runner, "run_all", interrupted)
    code, report = _dns(capsys, zones_server, "good.example")
    checks = report["integrations"][0]["checks"]
    assert code == 130  # each of the domain's checks is unfinished: each says so (SPEC §7, "the rest error")
    assert [(c["id"], c["status"]) for c in checks] == [(i, "error") for i in ("dns.spf", "dns.dkim", "dns.mx",
                                                                                "dns.dmarc")]

"""``oneinbox-check dns`` names the offending SPF term (and the rule) for every syntax failure."""

from __future__ import annotations

import json

import pytest

from oneinbox_check.checks.spf import SpfSyntaxError, is_spf, parse_record
from oneinbox_check.sandbox.fakes.resend import resend_domain
from tests.checks.test_spf_rfc import ROWS
from tests.helpers import run_cli


def _syntax_rows() -> list[tuple[str, str, SpfSyntaxError]]:
    rows = []
    for clause, record, _, _ in ROWS:
        if not is_spf(record):
            continue
        try:
            parse_record(record)
        except SpfSyntaxError as exc:
            rows.append((clause, record, exc))
    return rows


SYNTAX_ROWS = _syntax_rows()


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_dns_command_names_the_offending_term_for_every_syntax_failure(dns_server, capsys, fmt: str) -> None:
    assert len(SYNTAX_ROWS) > 40
    for i, (clause, record, exc) in enumerate(SYNTAX_ROWS):
        domain = f"bad{i}.example"
        dns_server.zone.load(resend_domain(domain, spf=[record.replace("t.example", domain)]))
        code, out, err = run_cli(capsys, "dns", domain, "--nameserver", dns_server.address, "--timeout", "1",
                                 "--format", fmt)
        assert code == 1, (clause, err)
        term = exc.term.replace("t.example", domain)
        if fmt == "json":
            spf = next(c for c in json.loads(out)["integrations"][0]["checks"] if c["id"] == "dns.spf")
            assert spf["status"] == "fail" and f'term "{term}"' in spf["summary"], clause
            assert spf["details"]["term"] == term and spf["details"]["rule"] == exc.rule, clause
        else:
            shown = term if fmt == "table" else term.replace("|", "\\|")
            assert shown in out and exc.rule in out, (clause, out)


def test_a_valid_record_is_parsed_once_per_text() -> None:
    record = "v=spf1 include:amazonses.com ip4:192.0.2.0/24 ~all"
    assert parse_record(record) is parse_record(record)


def test_a_broken_record_raises_every_time() -> None:
    for _ in range(2):
        with pytest.raises(SpfSyntaxError):
            parse_record("v=spf1 include: ~all")

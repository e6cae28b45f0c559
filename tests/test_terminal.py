"""Issue 13 items 6 and 9: a terminal report people can act on, and small CLI fixes."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import httpx
import pytest
import respx

from oneinbox_check import cli
from oneinbox_check.outputs import color_wanted
from oneinbox_check.progress import Progress
from oneinbox_check.models import CheckResult, IntegrationReport, Report, Status, Summary, ToolInfo
from oneinbox_check.report import render
from tests.helpers import run_cli, write_manifest

DKIM_P = "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "sWdI/RyvkdBMbKzKnsc33BFGbL1nr+HrPXAoSpaS" * 8 + "IDAQAB"
SID = "AC5a4d0b0e5a4d0b0e5a4d0b0e00000001"
MX = "10 feedback-smtp.us-east-1.amazonses.com"
DMARC = "v=DMARC1; p=none; rua=mailto:dmarc@gone.example"
OK = {"name": "a", "provider": "openai", "api_key": "sk-proj-" + "Q" * 44}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _integ(name: str, status: Status, checks: list[CheckResult], provider: str = "openai",
           masked: str | None = "sk-proj-…a6Rl") -> IntegrationReport:
    return IntegrationReport(name=name, provider=provider, masked_key=masked, status=status, checks=checks)


def _report(*integrations: IntegrationReport) -> Report:
    counts = {s: sum(1 for i in integrations if i.status == s) for s in Status}
    return Report(tool=ToolInfo(version="1.0"), started_at=datetime(2026, 12, 1, tzinfo=UTC), duration_ms=1500,
                  exit_code=1 if counts[Status.FAIL] else 0,
                  summary=Summary(integrations=len(integrations), warn=counts[Status.WARN],
                                  fail=counts[Status.FAIL], error=counts[Status.ERROR], **{"pass": counts[Status.PASS]}),
                  integrations=list(integrations))


def _mail() -> IntegrationReport:
    return _integ("Resend (DNS records deleted)", Status.FAIL, [
        CheckResult(id="dns.dkim", status=Status.FAIL, summary="no DKIM record at resend._domainkey.gone.example",
                    remediation=f"Add or fix the TXT record resend._domainkey.gone.example with value {DKIM_P}."),
        CheckResult(id="dns.mx", status=Status.FAIL, summary=f"no MX record at send.gone.example (expected {MX})",
                    remediation=f"Add an MX record at send.gone.example: {MX}"),
        CheckResult(id="dns.dmarc", status=Status.WARN, summary="no DMARC record at _dmarc.gone.example",
                    remediation=f'Add a TXT record at _dmarc.gone.example: "{DMARC}" (recommended).'),
    ], provider="resend", masked="re_…3Zp9")


def _twilio() -> IntegrationReport:
    return _integ("Twilio (number on another account)", Status.FAIL, [
        CheckResult(id="twilio.phone_number", status=Status.FAIL,
                    summary=f"+15739693824 is not a number of account {SID}", remediation="Buy or port the number.")],
        provider="twilio", masked="…a5e1")


def _revoked(name: str) -> IntegrationReport:
    return _integ(name, Status.FAIL, [CheckResult(id="key.auth", status=Status.FAIL,
                                                  summary="Groq rejected the key (HTTP 401: Invalid API Key)",
                                                  remediation="Create a new key in the Groq console.")],
                  provider="groq", masked="gsk_…0YsE")


def _passing(name: str = "OpenAI Production") -> IntegrationReport:
    return _integ(name, Status.PASS, [CheckResult(id="key.auth", status=Status.PASS, summary="ok")])


def _warning(name: str = "Whisper") -> IntegrationReport:
    return _integ(name, Status.WARN, [CheckResult(id="key.scope", status=Status.WARN, summary="restricted key")])


def _error(name: str = "ElevenLabs") -> IntegrationReport:
    return _integ(name, Status.ERROR, [CheckResult(id="key.auth", status=Status.ERROR, summary="HTTP 503")],
                  provider="elevenlabs", masked="sk_…7e6f")


def _lines(text: str) -> list[str]:
    return ANSI.sub("", text).splitlines()


# --- item 6: values the user must copy are never cut ---------------------------------------------

@pytest.mark.parametrize("width", [60, 80, 120])
def test_item6_values_to_copy_appear_whole_on_one_line_at_every_width(width: int) -> None:
    lines = _lines(render(_report(_mail(), _twilio()), "table", rich=True, width=width))
    for value in (DKIM_P, SID, MX, DMARC, "resend._domainkey.gone.example"):
        assert any(value in line for line in lines), (width, value)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_item6_records_to_publish_block_lists_each_record_in_full(width: int) -> None:
    text = "\n".join(_lines(render(_report(_mail()), "table", rich=True, width=width)))
    block = text.split("Records to publish", 1)[1]
    assert "TXT resend._domainkey.gone.example" in block and f"    {DKIM_P}\n" in block
    assert "MX send.gone.example" in block and f"    {MX}\n" in block
    assert f"    {DMARC}\n" in block  # the DMARC record without its quotes, ready to paste
    assert "[record 1 below]" in " ".join(text.split("Records to publish", 1)[0].split())


@pytest.mark.parametrize("width", [60, 80])
def test_item6_only_values_longer_than_the_terminal_exceed_its_width(width: int) -> None:
    for line in _lines(render(_report(_mail(), _twilio(), _passing()), "table", rich=True, width=width)):
        assert len(line) <= width or DKIM_P in line, line


def test_item6_below_80_columns_the_report_is_stacked_not_a_table() -> None:
    narrow = "\n".join(_lines(render(_report(_mail(), _passing()), "table", rich=True, width=60)))
    wide = "\n".join(_lines(render(_report(_mail(), _passing()), "table", rich=True, width=120)))
    assert "┃" not in narrow and "FAIL  Resend (DNS records deleted)" in narrow
    assert "┃ Verdict" in wide


def test_item6_plain_output_keeps_values_inline() -> None:
    text = render(_report(_mail()), "table")
    assert DKIM_P in text and "Records to publish" not in text


# --- item 6: order ---------------------------------------------------------------------------------

def _order(text: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: text.index(n))


def test_item6_failures_first_then_errors_warnings_passes() -> None:
    report = _report(_passing("P1"), _warning("W1"), _error("E1"), _revoked("F1"))
    for text in (render(report, "table"), render(report, "table", rich=True, width=120),
                 render(report, "markdown")):
        assert _order(text, ["P1", "W1", "E1", "F1"]) == ["F1", "E1", "W1", "P1"]


def test_item6_sort_manifest_keeps_file_order() -> None:
    report = _report(_passing("P1"), _warning("W1"), _error("E1"), _revoked("F1"))
    for fmt in ("table", "markdown"):
        assert _order(render(report, fmt, sort="manifest"), ["P1", "W1", "E1", "F1"]) == ["P1", "W1", "E1", "F1"]


def test_item6_sort_option_is_accepted_and_checked(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, [{"name": "b", "provider": "openai", "api_key": " sk-proj-" + "Q" * 40},
                                     OK])
    code, out, _ = run_cli(capsys, "check", path, "--offline", "--sort", "manifest")
    assert out.index("FAIL   b") < out.index("PASS   a")
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", path, "--sort", "sevrity"])
    assert exc.value.code == 2 and "did you mean 'severity'" in capsys.readouterr().err


# --- item 6: identical failures grouped ------------------------------------------------------------

@pytest.mark.parametrize("rich", [False, True])
def test_item6_identical_failures_share_one_row_with_a_count(rich: bool) -> None:
    report = _report(*(_revoked(f"agent-{n:02d}") for n in range(20)), _passing())
    text = "\n".join(_lines(render(report, "table", rich=rich, width=120)))
    assert "20 integrations" in text and re.search(r"\+12\s+more", text)
    assert text.count("Groq rejected the key") == 1


def test_item6_failures_that_differ_are_not_grouped() -> None:
    other = _revoked("other")
    other.masked_key = "gsk_…ZZZZ"  # another key: another row
    text = render(_report(_revoked("one"), other), "table")
    assert text.count("Groq rejected the key") == 2 and "same findings" not in text


# --- item 6: progress, colour, quiet ---------------------------------------------------------------

def test_item6_progress_bar_shows_count_rate_and_eta() -> None:
    import io

    from rich.console import Console

    buf = io.StringIO()
    progress = Progress(enabled=True, total=40)
    progress.start(Console(file=buf, force_terminal=True, width=100))
    progress.update(10, 40)
    time.sleep(0.05)
    progress.update(20, 40)
    progress._bar.refresh()
    shown = ANSI.sub("", buf.getvalue())
    progress.stop()
    assert "20/40" in shown and "50%" in shown and "ETA" in shown and "/s" in shown


def test_item6_no_progress_when_stderr_is_not_a_terminal(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, [OK])
    code, out, err = run_cli(capsys, "check", path, "--offline")
    assert code == 0 and "checking" not in err and "\x1b" not in err


@pytest.mark.parametrize(("tty", "flag", "env", "want"), [
    (False, False, {}, False),
    (True, False, {}, True),
    (False, False, {"FORCE_COLOR": "1"}, True),
    (True, False, {"NO_COLOR": "1"}, False),
    (False, False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins
    (False, True, {"FORCE_COLOR": "1"}, False),
    (False, False, {"FORCE_COLOR": ""}, False),
])
def test_item6_force_color_and_no_color(tty: bool, flag: bool, env: dict, want: bool) -> None:
    assert color_wanted(tty, flag, env) is want


def test_item6_force_color_colours_piped_output(tmp_path, capsys, monkeypatch) -> None:
    path = write_manifest(tmp_path, [OK])
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, out, _ = run_cli(capsys, "check", path, "--offline")
    assert "\x1b[" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run_cli(capsys, "check", path, "--offline")
    assert "\x1b[" not in out


def test_item6_quiet_register_prints_nothing(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ONEINBOX_API_KEY", raising=False)
    path = write_manifest(tmp_path, [OK])
    code, out, err = run_cli(capsys, "register", path, "--dry-run", "--offline", "-q")
    assert code == 0 and out == "" and err == ""


@pytest.mark.parametrize("command", ["merge", "convert"])
def test_item6_quiet_merge_and_convert_print_nothing(tmp_path, capsys, command: str) -> None:
    path = write_manifest(tmp_path, [OK])
    run_cli(capsys, "check", path, "--offline", "--format", "json", "--output", str(tmp_path / "r.json"))
    code, out, err = run_cli(capsys, command, str(tmp_path / "r.json"), "-q")
    assert code == 0 and out == "" and err == ""


def test_item6_quiet_dns_prints_nothing(capsys, zones_server) -> None:
    code, out, err = run_cli(capsys, "dns", "nospf.example", "--nameserver", zones_server.address, "-q")
    assert code == 1 and out == "" and err == ""


def test_item6_quiet_init_prints_nothing(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-" + "Q" * 44)
    code, out, err = run_cli(capsys, "init", str(tmp_path / "m.toml"), "-q")
    assert code == 0 and out == "" and err == "" and (tmp_path / "m.toml").exists()


def test_item6_every_reporting_command_accepts_quiet() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("check", "register", "drift", "demo", "dns", "merge", "convert", "exporter", "init"):
        assert any("-q" in a.option_strings for a in sub.choices[name]._actions), name


# --- item 6: did you mean --------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "hint"), [
    (["chek", "x"], "did you mean 'check'?"),
    (["check", "--fromat", "json", "x"], "did you mean --format?"),
    (["check", "x", "--format", "jsn"], "did you mean 'json'?"),
    (["dns", "--providr", "resend", "x"], "did you mean --provider?"),
    (["schema", "manfest"], "did you mean 'manifest'?"),
    (["sandbox", "serv"], "did you mean 'serve'?"),
])
def test_item6_misspelled_options_and_commands_get_did_you_mean(capsys, argv: list, hint: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert hint in capsys.readouterr().err


@pytest.mark.parametrize("provider", ["open_ai", "OpenAI", "Open-AI"])
def test_item6_misspelled_provider_gets_did_you_mean(tmp_path, capsys, provider: str) -> None:
    path = write_manifest(tmp_path, [{"name": "a", "provider": provider, "api_key": "sk-proj-" + "Q" * 40}])
    _, data = _json(capsys, "check", path, "--offline")
    assert "did you mean 'openai'?" in data["integrations"][0]["checks"][0]["summary"]


@pytest.mark.parametrize(("body", "hint"), [
    ({"metdata": {"from_email": "a@b.example"}}, "did you mean 'metadata'?"),
    ({"metadata": {"from_emial": "a@b.example"}}, "did you mean 'from_email'?"),
])
def test_item6_misspelled_metadata_keys_get_did_you_mean_even_when_it_fails(tmp_path, capsys, body, hint) -> None:
    path = write_manifest(tmp_path, [{"name": "a", "provider": "resend", "api_key": "re_" + "Snd1" * 8, **body}])
    _, data = _json(capsys, "check", path, "--offline")
    schema = data["integrations"][0]["checks"][0]
    assert schema["status"] == "fail" and hint in schema["summary"]


def _json(capsys, *argv: str) -> tuple[int, dict]:
    code, out, err = run_cli(capsys, *argv, "--format", "json")
    assert out, err
    return code, json.loads(out)


# --- item 9 ----------------------------------------------------------------------------------------

def test_item9_dns_with_an_email_address_is_a_usage_error_suggesting_the_domain(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["dns", "hello@example.com"])
    assert exc.value.code == 2
    assert "did you mean 'example.com'?" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["assembly_ai", "assemblyai", "AssemblyAI", "assembly-ai"])
def test_item9_endpoint_names_accept_the_provider_spellings(name: str) -> None:
    from oneinbox_check import endpoints

    defaults = {"assemblyai": "https://api.assemblyai.com", "twilio-trunking": "https://trunking.twilio.com"}
    got = endpoints.resolve(defaults, [f"{name}=http://127.0.0.1:9/aai"], env="twilio_trunking=http://127.0.0.1:9/t")
    assert got == {"assemblyai": "http://127.0.0.1:9/aai", "twilio-trunking": "http://127.0.0.1:9/t"}


def test_item9_unknown_endpoint_name_gets_did_you_mean() -> None:
    from oneinbox_check import endpoints
    from oneinbox_check.errors import UsageError

    with pytest.raises(UsageError, match="did you mean 'sendgrid'"):
        endpoints.resolve({"sendgrid": "https://api.sendgrid.com"}, ["sendgird=http://127.0.0.1:9"])


def test_item9_assembly_ai_endpoint_from_the_environment_is_used(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ONEINBOX_CHECK_ENDPOINTS", "assembly_ai=http://127.0.0.1:7/aai")
    path = write_manifest(tmp_path, [{"name": "a", "provider": "assembly_ai", "api_key": "a" * 32}])
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route(host="127.0.0.1").mock(return_value=httpx.Response(200, json={"transcripts": []}))
        run_cli(capsys, "check", path, "--retries", "0")
    assert route.called and all(str(c.request.url).startswith("http://127.0.0.1:7/aai/") for c in route.calls)


def test_item9_dry_run_without_a_oneinbox_key_says_it_cannot_tell_which_names_exist(
        tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ONEINBOX_API_KEY", raising=False)
    path = write_manifest(tmp_path, [OK])
    code, out, err = run_cli(capsys, "register", path, "--dry-run", "--offline")
    assert code == 0
    assert "cannot tell which names already exist" in err
    assert "cannot tell whether the name exists" in out
    assert not re.search(r"would-register\s+a\s+dry run$", out, re.M)


@pytest.mark.parametrize("which", ["report", "manifest"])
def test_item9_schemas_have_no_fake_id_and_cite_no_internal_document(capsys, which: str) -> None:
    assert cli.main(["schema", which]) == 0
    text = capsys.readouterr().out
    schema = json.loads(text)
    assert "$id" not in schema or schema["$id"].startswith("https://github.com/")
    assert "SPEC" not in text and "§" not in text and "\\u00a7" not in text and "``" not in text

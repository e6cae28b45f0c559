"""Balances and quotas across the CLI (SPEC §9): the --min-balance option, the
library's probe option, the demo entries and the README's commands, end to end
against the sandbox fakes (in-process, and on real loopback sockets)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from oneinbox_check import check_sync
from oneinbox_check.errors import UsageError
from oneinbox_check.sandbox import scenario
from oneinbox_check.sandbox.fakes.twilio import TWILIO_LOW_SID

from .helpers import ROOT, checks_of, run_cli

K = scenario.KEYS
README = (ROOT / "README.md").read_text()


def _readme_commands() -> list[list[str]]:
    section = README.split("### Balances and quotas", 1)[1].split("\n### ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line, comments=True) for line in block.strip().splitlines()]


# --- the option --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["-1", "abc", "US=5", "USD=", "=5", "1e3", "nan", "5,5", "USD=-2"])
def test_min_balance_bad_value_is_a_usage_error_exit_2(capsys, value: str) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, "demo", f"--min-balance={value}")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--min-balance" in err and "Traceback" not in err


def test_min_balance_is_listed_in_the_provider_options_help(capsys) -> None:
    with pytest.raises(SystemExit):
        run_cli(capsys, "check", "--help")
    out = capsys.readouterr().out
    assert "--min-balance [CUR=]AMOUNT" in out.split("provider options", 1)[1]


def test_min_balance_option_reaches_every_balance_check(capsys) -> None:
    code, out, _ = run_cli(capsys, "demo", "--format", "json", "--min-balance", "1000")
    report = json.loads(out)
    for name, check_id in [("Deepgram STT", "deepgram.balance"), ("My Twilio Account", "twilio.balance"),
                           ("Telnyx Numbers", "telnyx.balance")]:
        result = checks_of(report, name)[check_id]
        assert result["status"] == "warn" and result["details"]["min_balance"] == "1000", (name, result)


def test_min_balance_per_currency_applies_to_that_currency_only(capsys) -> None:
    _, out, _ = run_cli(capsys, "demo", "--format", "json", "--min-balance", "EUR=1000", "--min-balance", "USD=1")
    report = json.loads(out)
    assert checks_of(report, "Twilio (low balance)")["twilio.balance"]["status"] == "pass"
    assert checks_of(report, "Deepgram STT")["deepgram.balance"]["status"] == "pass"


def test_library_rejects_a_bad_min_balance_before_any_request() -> None:
    with pytest.raises(UsageError, match="non-negative"):
        check_sync([{"name": "d", "provider": "deepgram", "api_key": K["SANDBOX_DEEPGRAM_KEY"]}],
                   endpoints={"deepgram": "http://127.0.0.1:9/deepgram"}, probe_options={"min_balance": "-5"})


# --- the demo ----------------------------------------------------------------------------------------------------

def test_demo_shows_a_low_balance_and_an_exhausted_quota_and_still_exits_1(capsys) -> None:
    code, out, _ = run_cli(capsys, "demo", "--format", "json")
    report = json.loads(out)
    assert checks_of(report, "Twilio (low balance)")["twilio.balance"]["status"] == "warn"
    assert checks_of(report, "Deepgram (low balance)")["deepgram.balance"]["status"] == "warn"
    quota = checks_of(report, "ElevenLabs (quota exhausted)")["elevenlabs.quota"]
    assert quota["status"] == "fail" and "until" in quota["summary"]
    assert checks_of(report, "ElevenLabs voice (provider outage)")["key.auth"]["status"] == "error"
    assert code == report["exit_code"] == 1


def test_demo_table_names_the_balance_fixes(capsys) -> None:
    code, out, _ = run_cli(capsys, "demo", "--no-color")
    assert "twilio.balance: Twilio balance is low: USD 1.20" in out
    assert "elevenlabs.quota: character quota used up" in out and code == 1


# --- the README's commands ---------------------------------------------------------------------------------------

MANIFEST = f'''
[[integrations]]
name = "Twilio"
provider = "twilio"
api_key = "{K['SANDBOX_TWILIO_LOW_TOKEN']}"
metadata = {{ account_sid = "{TWILIO_LOW_SID}" }}

[[integrations]]
name = "Deepgram"
provider = "deepgram"
api_key = "{K['SANDBOX_DEEPGRAM_KEY']}"

[[integrations]]
name = "Telnyx"
provider = "telnyx"
api_key = "{K['SANDBOX_TELNYX_KEY']}"

[[integrations]]
name = "ElevenLabs"
provider = "elevenlabs"
api_key = "{K['SANDBOX_ELEVENLABS_QUOTA_KEY']}"
'''


def test_readme_balance_commands_run_against_the_sandbox_on_loopback(capsys, tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("uvicorn")
    from oneinbox_check.sandbox.serve import Server

    commands = _readme_commands()
    assert [c[:2] for c in commands] == [["oneinbox-check", "check"]] * 2 + [["oneinbox-check", "demo"]]
    (tmp_path / "integrations.toml").write_text(MANIFEST)
    monkeypatch.chdir(tmp_path)
    sandbox = scenario.build()
    expected = [  # per command: (Twilio 1.20, Deepgram 104.57, Telnyx 400.00) in USD
        {"twilio.balance": "warn", "deepgram.balance": "pass", "telnyx.balance": "pass"},
        {"twilio.balance": "warn", "deepgram.balance": "pass", "telnyx.balance": "pass"},
    ]
    with Server(sandbox) as http:
        endpoints = ",".join(f"{n}={u}" for n, u in sandbox.endpoints(http.base).items())
        monkeypatch.setenv("ONEINBOX_CHECK_ENDPOINTS", endpoints)
        for command, want in zip(commands, expected):
            code, out, err = run_cli(capsys, *command[1:], "--format", "json", "--retries", "0")
            report = json.loads(out)
            got = {cid: checks_of(report, name)[cid]["status"]
                   for name, cid in [("Twilio", "twilio.balance"), ("Deepgram", "deepgram.balance"),
                                     ("Telnyx", "telnyx.balance")]}
            assert got == want, (command, got)
            assert checks_of(report, "ElevenLabs")["elevenlabs.quota"]["status"] == "fail"
            assert code == 1, err
        second = json.loads(run_cli(capsys, *commands[1][1:], "--format", "json")[1])
        assert checks_of(second, "Deepgram")["deepgram.balance"]["details"]["min_balance"] == "50"
        assert checks_of(second, "Twilio")["twilio.balance"]["details"]["min_balance"] == "50"
    code, out, _ = run_cli(capsys, *commands[2][1:], "--format", "json")
    ids = {c["id"] for i in json.loads(out)["integrations"] for c in i["checks"]}
    assert {"twilio.balance", "telnyx.balance", "deepgram.balance", "elevenlabs.quota"} <= ids and code == 1

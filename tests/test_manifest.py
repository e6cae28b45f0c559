"""Manifests (SPEC §3): shapes, ${NAME} expansion, file-level errors (exit 2,
no traceback) and entry-level errors isolated to their entry."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from tests.helpers import checks_of, run_cli, run_json, status_of, write_manifest

KEY = "sk-proj-" + "A1b2C3d4" * 7
BODY = {"name": "OpenAI Production", "provider": "openai", "api_key": KEY}


def _offline(capsys, *paths: str) -> tuple[int, dict]:
    return run_json(capsys, "check", *paths, "--offline")


@pytest.mark.parametrize("shape", ["body", "list", "object"])
def test_every_json_shape_is_accepted(tmp_path, capsys, shape: str) -> None:
    data = {"body": BODY, "list": [BODY], "object": {"integrations": [BODY], "tools": []}}[shape]
    code, report = _offline(capsys, write_manifest(tmp_path, data))
    assert code == 0
    assert [i["name"] for i in report["integrations"]] == ["OpenAI Production"]


def test_toml_single_body_and_integrations_table(tmp_path, capsys) -> None:
    single = tmp_path / "one.toml"
    single.write_text(f'name = "A"\nprovider = "openai"\napi_key = "{KEY}"\n')
    many = tmp_path / "many.toml"
    many.write_text(f'[[integrations]]\nname = "B"\nprovider = "openai"\napi_key = "{KEY}"\n')
    code, report = _offline(capsys, str(single), str(many))
    assert code == 0
    assert [i["name"] for i in report["integrations"]] == ["A", "B"]


def test_stdin_body(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(BODY)))
    code, report = _offline(capsys, "-")
    assert code == 0 and report["summary"]["integrations"] == 1


def test_env_var_is_expanded(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_KEY_FOR_TEST", KEY)
    code, report = _offline(capsys, write_manifest(tmp_path, {**BODY, "api_key": "${OPENAI_KEY_FOR_TEST}"}))
    assert code == 0
    assert report["integrations"][0]["masked_key"] == "sk-proj-…C3d4"


def test_unset_env_var_fails_only_its_entry(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    data = [{**BODY, "name": "broken", "api_key": "${NOT_SET_ANYWHERE}"}, BODY]
    code, report = _offline(capsys, write_manifest(tmp_path, data))
    assert code == 1
    schema = checks_of(report, "broken")["input.schema"]
    assert schema["status"] == "fail" and "NOT_SET_ANYWHERE is not set" in schema["summary"]
    assert status_of(report, "OpenAI Production") == "pass"


@pytest.mark.parametrize(("content", "suffix", "fragment"), [
    ('{"name": "x", ', ".json", "invalid JSON"),
    ("[[integrations]\nname=1", ".toml", "invalid TOML"),
    ("", ".json", "empty"),
    ('"just a string"', ".json", "none of the accepted shapes"),
    ('{"integrations": {"a": 1}}', ".json", "must be a list"),
    ("name: x", ".yaml", "unknown file type"),
    (b"\xff\xfe\x00bad", ".json", "not UTF-8"),
])
def test_file_level_errors_exit_2_naming_the_file(tmp_path, capsys, content, suffix: str, fragment: str) -> None:
    path = tmp_path / f"manifest{suffix}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, out, err = run_cli(capsys, "check", str(path))
    assert code == 2
    assert str(path) in err and fragment in err
    assert "Traceback" not in err and out == ""


def test_json_error_gives_line_and_column(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, '{\n  "name": "x",\n  "provider": \n}')
    code, _, err = run_cli(capsys, "check", path)
    assert code == 2 and f"{path}:4:1:" in err


def test_toml_error_gives_line_and_column(tmp_path, capsys) -> None:
    path = tmp_path / "m.toml"
    path.write_text('name = "x"\nprovider = \n')
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == 2 and f"{path}:2:" in err


def test_missing_file_exits_2_without_traceback_in_a_real_process(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "oneinbox_check", "check", str(tmp_path / "nope.json")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "nope.json: no such file" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(("entry", "fragment"), [
    ({"name": "x", "provider": "openia", "api_key": KEY}, "unknown provider 'openia'"),
    ({"name": "x", "provider": "openai"}, "api_key is required"),
    ({"provider": "openai", "api_key": KEY}, "name is required"),
    ({"name": "x", "provider": "resend", "api_key": "re_abcdefgh_abcdefghijklmnopqrstuvwx"}, "metadata.from_email is required"),
    ({"name": "x", "provider": "twilio", "api_key": "a" * 32,
      "metadata": {"account_sid": "AC" + "0" * 32, "phone_number": "555-1234"}}, "not E.164"),
    ({"name": "x", "provider": "custom"}, "metadata.custom_websocket_url is required"),
    ("not an object", "entry must be an object"),
])
def test_entry_level_errors_fail_only_that_entry(tmp_path, capsys, entry, fragment: str) -> None:
    code, report = _offline(capsys, write_manifest(tmp_path, [entry, BODY]))
    assert code == 1
    bad = report["integrations"][0]
    assert bad["status"] == "fail"
    assert fragment in bad["checks"][0]["summary"], bad["checks"][0]
    assert [c["id"] for c in bad["checks"]] == ["input.schema"]
    assert status_of(report, "OpenAI Production") == "pass"


def test_unknown_metadata_key_warns_with_suggestion(tmp_path, capsys) -> None:
    entry = {"name": "mail", "provider": "resend", "api_key": "re_abcdefgh_abcdefghijklmnopqrstuvwx",
             "metadata": {"from_email": "a@example.com", "from_emial": "b@example.com"}}
    code, report = _offline(capsys, write_manifest(tmp_path, [entry]))
    schema = checks_of(report, "mail")["input.schema"]
    assert schema["status"] == "warn" and "did you mean 'from_email'" in schema["summary"]
    assert code == 0


def test_custom_websocket_url_accepted_at_top_level(tmp_path, capsys) -> None:
    entry = {"name": "llm", "provider": "custom", "custom_websocket_url": "wss://llm.example.com/ws"}
    code, report = _offline(capsys, write_manifest(tmp_path, [entry]))
    assert code == 0 and checks_of(report, "llm")["input.schema"]["status"] == "pass"


def test_duplicate_names_fail_the_second(tmp_path, capsys) -> None:
    code, report = _offline(capsys, write_manifest(tmp_path, [BODY, BODY]))
    assert code == 1
    first, second = report["integrations"]
    assert first["status"] == "pass"
    assert "duplicate name" in second["checks"][0]["summary"]


def test_tool_naming_unknown_integration_is_reported(tmp_path, capsys) -> None:
    data = {"integrations": [BODY], "tools": [{"type": "send_email", "integration": "Nope"}]}
    code, report = _offline(capsys, write_manifest(tmp_path, data))
    assert code == 1
    tool = report["integrations"][-1]
    assert tool["provider"] == "tool" and "'Nope', which is not in this manifest" in tool["checks"][0]["summary"]
    assert status_of(report, "OpenAI Production") == "pass"


@pytest.mark.parametrize(("tool_type", "extra"), [("send_email", {}), ("schedule_calendar_event", {"event_type_id": 1})])
def test_tool_on_wrong_provider_fails_that_integration(tmp_path, capsys, tool_type: str, extra: dict) -> None:
    data = {"integrations": [BODY], "tools": [{"type": tool_type, "integration": "OpenAI Production", **extra}]}
    code, report = _offline(capsys, write_manifest(tmp_path, data))
    assert code == 1
    assert "it needs one of" in checks_of(report, "OpenAI Production")["input.schema"]["summary"]


def test_calendar_tool_on_calcom_is_accepted(tmp_path, capsys) -> None:
    cal = {"name": "Cal", "provider": "calcom", "api_key": "cal_live_" + "0123456789abcdef" * 2}
    data = {"integrations": [cal], "tools": [{"type": "schedule_calendar_event", "integration": "Cal",
                                               "event_type_id": 123}]}
    code, report = _offline(capsys, write_manifest(tmp_path, data))
    assert checks_of(report, "Cal")["input.schema"]["status"] == "pass"
    assert code == 0

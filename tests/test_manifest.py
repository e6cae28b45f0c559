"""Manifests (SPEC §3): shapes, ${NAME} expansion, file-level errors (exit 2,
no traceback) and entry-level errors isolated to their entry."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from tests.helpers import checks_of, key_reference, refer_keys, run_cli, run_json, status_of, write_manifest

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


# --- SPEC §3: ${NAME} is expanded only in files named on the command line (issue 8 item 4)

def _stdin(monkeypatch, text: str | bytes) -> None:
    raw = text if isinstance(text, bytes) else text.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))


def test_item4_stdin_is_not_expanded_and_says_how_to_ask(capsys, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_KEY_FOR_TEST", KEY)
    _stdin(monkeypatch, json.dumps({**BODY, "api_key": "${OPENAI_KEY_FOR_TEST}"}))
    code, report = _offline(capsys, "-")
    assert code == 1
    checks = report["integrations"][0]["checks"]
    assert [c["id"] for c in checks] == ["input.schema"]
    assert "a ${NAME} in api_key: not expanded" in checks[0]["summary"]
    assert "--expand-env" in checks[0]["summary"]


def test_item4_expand_env_expands_stdin(capsys, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_KEY_FOR_TEST", KEY)
    _stdin(monkeypatch, json.dumps({**BODY, "api_key": "${OPENAI_KEY_FOR_TEST}"}))
    code, report = _offline(capsys, "-", "--expand-env")
    assert code == 0 and report["integrations"][0]["masked_key"] == "sk-proj-…C3d4"


def test_item4_stdin_secret_in_websocket_url_is_never_sent(capsys, monkeypatch) -> None:
    import socket

    monkeypatch.setenv("MY_SERVER_SECRET", "hunter2-server-secret")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    body = {"name": "llm", "provider": "custom", "custom_websocket_url": f"ws://127.0.0.1:{port}/x/${{MY_SERVER_SECRET}}"}
    _stdin(monkeypatch, json.dumps(body))
    try:
        code, out, err = run_cli(capsys, "check", "-", "--format", "json")
        try:
            conn, _ = listener.accept()
            conn.close()
            contacted = True
        except TimeoutError:
            contacted = False
    finally:
        listener.close()
    assert code == 1 and not contacted
    assert "hunter2" not in out + err
    assert "not expanded" in json.loads(out)["integrations"][0]["checks"][0]["summary"]


def test_item4_stdin_secret_in_from_email_never_reaches_dns(capsys, monkeypatch, dns_server) -> None:
    monkeypatch.setenv("MY_SERVER_SECRET", "hunter2")
    body = {"name": "mail", "provider": "resend", "api_key": "re_abcdefgh_abcdefghijklmnopqrstuvwx",
            "metadata": {"from_email": "a@${MY_SERVER_SECRET}.example.com"}}
    _stdin(monkeypatch, json.dumps(body))
    code, out, err = run_cli(capsys, "check", "-", "--nameserver", f"127.0.0.1:{dns_server.port}",
                             "--endpoint", "resend=http://127.0.0.1:7/resend", "--retries", "0")
    assert code == 1 and "not expanded" in out
    assert not [q for q in dns_server.zone.queries if "hunter2" in q[0]]
    assert "hunter2" not in out + err


async def _library_check(entry: dict, **kw):
    from oneinbox_check import check

    return await check([entry], offline=True, **kw)


@pytest.mark.anyio
async def test_item4_library_input_is_not_expanded_unless_asked() -> None:
    entry = {**BODY, "api_key": "${LIB_KEY}"}
    plain = await _library_check(entry, env={"LIB_KEY": KEY})
    asked = await _library_check(entry, env={"LIB_KEY": KEY}, expand_env=True)
    assert plain.integrations[0].status.value == "fail"
    assert "not expanded" in plain.integrations[0].checks[0].summary
    assert asked.integrations[0].status.value == "pass"


# --- file-level limits and shapes (issue 8 items 3, 7, 13 and the bad-input list)

@pytest.mark.parametrize("content", ["[]", '{"integrations": []}', '{"integrations": [], "tools": []}'])
def test_item3_empty_manifest_is_nothing_to_check(tmp_path, capsys, monkeypatch, content: str) -> None:
    code, out, err = run_cli(capsys, "check", write_manifest(tmp_path, content), "--offline")
    assert code == 2 and "nothing to check" in err and out == ""
    _stdin(monkeypatch, content)
    code, out, err = run_cli(capsys, "check", "-", "--offline")
    assert code == 2 and "<stdin>" in err and "nothing to check" in err


DEEP_JSON = "[" * 10_000 + "]" * 10_000
DEEP_TOML = "a = " + "[" * 10_000 + "]" * 10_000 + "\n"
DEEP_TABLE = "[" + ".".join(["a"] * 5_000) + "]\n"


@pytest.mark.parametrize(("content", "suffix"), [(DEEP_JSON, ".json"), (DEEP_TOML, ".toml"), (DEEP_TABLE, ".toml"),
                                                 ('{"name": "x", "provider": "openai", "metadata": ' + "{\"a\": " * 40
                                                  + "1" + "}" * 41, ".json")])
def test_item7_deep_nesting_in_a_file_is_exit_2_with_a_depth_message(tmp_path, capsys, content, suffix) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text(content)
    code, out, err = run_cli(capsys, "check", str(path), "--offline")
    assert code == 2 and "nested more than" in err and "Traceback" not in err


def test_item7_deep_nesting_on_stdin_is_exit_2(capsys, monkeypatch) -> None:
    _stdin(monkeypatch, DEEP_JSON)
    code, _, err = run_cli(capsys, "check", "-", "--offline")
    assert code == 2 and "<stdin>: is nested more than" in err


def test_item7_endless_input_stops_at_the_size_limit(capsys) -> None:
    from oneinbox_check.manifest import MAX_BYTES

    code, out, err = run_cli(capsys, "check", "/dev/zero", "--offline")
    assert code == 2 and f"larger than the {MAX_BYTES // 2**20} MiB" in err


def test_item7_oversized_stdin_is_exit_2(capsys, monkeypatch) -> None:
    from oneinbox_check import manifest

    monkeypatch.setattr(manifest, "MAX_BYTES", 1000)
    _stdin(monkeypatch, json.dumps([BODY] * 50))
    code, _, err = run_cli(capsys, "check", "-", "--offline")
    assert code == 2 and "<stdin>: is larger than" in err


def test_item7_lone_surrogate_in_name_fails_input_schema(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, '[{"name": "bad\\ud800name", "provider": "openai", "api_key": "%s"}, %s]'
                          % (key_reference(KEY), json.dumps(refer_keys(BODY))))
    for fmt in ("table", "json", "junit", "markdown", "prometheus"):
        code, out, err = run_cli(capsys, "check", path, "--offline", "--format", fmt)
        assert code == 1, (fmt, err)
        assert "internal error" not in err
    code, report = _offline(capsys, path)
    bad = report["integrations"][0]
    assert bad["name"] == "bad\ufffdname" and "lone UTF-16 surrogate" in bad["checks"][0]["summary"]
    assert status_of(report, "OpenAI Production") == "pass"


def test_item13_utf8_bom_is_accepted_on_stdin_like_in_files(capsys, monkeypatch) -> None:
    _stdin(monkeypatch, b"\xef\xbb\xbf" + json.dumps(BODY).encode())
    code, report = _offline(capsys, "-")
    assert code == 0 and report["integrations"][0]["name"] == "OpenAI Production"


def test_stdin_that_is_not_utf8_is_exit_2(capsys, monkeypatch) -> None:
    _stdin(monkeypatch, b"\xff\xfe{}")
    code, _, err = run_cli(capsys, "check", "-", "--offline")
    assert code == 2 and "not UTF-8" in err


def test_bad_input_duplicate_key_in_an_entry_fails_input_schema_naming_it(tmp_path, capsys) -> None:
    text = '[{"name": "twice", "provider": "openai", "api_key": "%s", "api_key": "%s"}, %s]' % (
        key_reference(KEY), key_reference(KEY), json.dumps(refer_keys(BODY)))
    code, report = _offline(capsys, write_manifest(tmp_path, text))
    assert code == 1
    schema = checks_of(report, "twice")["input.schema"]
    assert schema["status"] == "fail" and "key 'api_key' is given twice" in schema["summary"]
    assert status_of(report, "OpenAI Production") == "pass"


def test_bad_input_duplicate_metadata_key_is_named_with_its_path(tmp_path, capsys) -> None:
    text = ('{"name": "m", "provider": "resend", "api_key": "re_abcdefgh_abcdefghijklmnopqrstuvwx", '
            '"metadata": {"from_email": "a@example.com", "from_email": "b@example.com"}}')
    code, report = _offline(capsys, write_manifest(tmp_path, text))
    assert code == 1 and "key 'metadata.from_email' is given twice" in checks_of(report, "m")["input.schema"]["summary"]


def test_bad_input_integrations_given_twice_at_the_top_level_is_exit_2(tmp_path, capsys) -> None:
    text = '{"integrations": [%s], "integrations": [%s]}' % (json.dumps(BODY), json.dumps({**BODY, "name": "b"}))
    code, out, err = run_cli(capsys, "check", write_manifest(tmp_path, text), "--offline")
    assert code == 2 and "'integrations' is given twice" in err and out == ""


def test_bad_input_megabyte_api_key_gives_a_verdict(tmp_path, capsys) -> None:
    code, report = _offline(capsys, write_manifest(tmp_path, [{**BODY, "api_key": "sk-proj-" + "A" * 1_000_000}]))
    assert code in (0, 1)  # key.format decides; nothing in reading or validating chokes
    assert [c["id"] for c in report["integrations"][0]["checks"]][:2] == ["input.schema", "key.format"]


@pytest.mark.parametrize("event_type_id", ['"abc"', "true", "1.5", "-3", "0", '""', "[]", "1e400"])
def test_bad_input_non_numeric_event_type_id_fails_the_integrations_input_schema(tmp_path, capsys,
                                                                                 event_type_id: str) -> None:
    cal = {"name": "Cal", "provider": "calcom", "api_key": "cal_live_" + "0123456789abcdef" * 2}
    text = ('{"integrations": [%s], "tools": [{"type": "schedule_calendar_event", "integration": "Cal", '
            '"event_type_id": %s}]}' % (json.dumps(cal), event_type_id))
    code, report = _offline(capsys, write_manifest(tmp_path, text))
    assert code == 1
    assert [i["name"] for i in report["integrations"]] == ["Cal"]  # on the integration, not a row of its own
    schema = checks_of(report, "Cal")["input.schema"]
    assert schema["status"] == "fail" and "event_type_id" in schema["summary"]


def test_numeric_string_event_type_id_is_accepted(tmp_path, capsys) -> None:
    cal = {"name": "Cal", "provider": "calcom", "api_key": "cal_live_" + "0123456789abcdef" * 2}
    data = {"integrations": [cal], "tools": [{"type": "schedule_calendar_event", "integration": "Cal",
                                               "event_type_id": "123"}]}
    code, report = _offline(capsys, write_manifest(tmp_path, data))
    assert code == 0 and checks_of(report, "Cal")["input.schema"]["status"] == "pass"

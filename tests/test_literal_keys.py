"""A key written literally in a manifest file is an ``input.schema`` warn (SPEC §3: keys live in
the environment, the manifest refers to them as ``${NAME}``). Values that do not come from a
file — stdin, the library, ``--from-env`` — are not files, so they do not warn."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from oneinbox_check.checks.schema import LITERAL_KEY

from .helpers import checks_of, run_cli, run_json, write_manifest

KEY = "sk-proj-" + "Q7r8S9t0" * 7
MASKED = "sk-proj-…S9t0"
MESSAGE = "use ${NAME}; keys should not live in files"


def _body(api_key: str = KEY, **extra: object) -> dict:
    return {"name": "LLM", "provider": "openai", "api_key": api_key, **extra}


def _file(tmp_path: Path, body: dict, name: str = "m.json") -> str:
    """The manifest with its key written as given: that is what these tests are about."""
    if not name.endswith(".toml"):
        return write_manifest(tmp_path, body, name, literal_keys=True)
    path = tmp_path / name
    path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in body.items()))
    return str(path)


def _schema(report: dict) -> dict:
    return checks_of(report, "LLM")["input.schema"]


@pytest.mark.parametrize("name", ["m.json", "m.toml"])
def test_a_key_written_in_a_manifest_file_is_an_input_schema_warn(tmp_path, capsys, name: str) -> None:
    code, report = run_json(capsys, "check", _file(tmp_path, _body(), name), "--offline")
    schema = _schema(report)
    assert code == 0  # a warn, not a failure
    assert schema["status"] == "warn" and MESSAGE in schema["summary"]
    assert schema["summary"] == LITERAL_KEY


def test_the_literal_key_warn_says_how_to_move_the_key(tmp_path, capsys) -> None:
    _, report = run_json(capsys, "check", _file(tmp_path, _body()), "--offline")
    assert "environment variable" in _schema(report)["remediation"] and "--env-file" in _schema(report)["remediation"]


@pytest.mark.parametrize("fmt", ["json", "table", "markdown", "junit", "prometheus"])
def test_the_literal_key_is_never_shown_in_full(tmp_path, capsys, fmt: str) -> None:
    code, out, err = run_cli(capsys, "check", _file(tmp_path, _body()), "--offline", "--format", fmt, "-v")
    assert code == 0
    assert KEY not in out + err and KEY[8:] not in out + err


@pytest.mark.parametrize("fmt", ["json", "table", "markdown"])
def test_the_literal_key_warn_is_shown_beside_the_masked_key(tmp_path, capsys, fmt: str) -> None:
    _, out, _ = run_cli(capsys, "check", _file(tmp_path, _body()), "--offline", "--format", fmt, "-v")
    assert MASKED in out and MESSAGE in out.replace("\\", "")


def test_a_name_reference_in_a_manifest_file_does_not_warn(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LITERAL_TEST_OPENAI_KEY", KEY)
    code, report = run_json(capsys, "check", _file(tmp_path, _body("${LITERAL_TEST_OPENAI_KEY}")), "--offline")
    assert code == 0 and _schema(report)["status"] == "pass"
    assert report["integrations"][0]["masked_key"] == MASKED


def test_a_reference_with_surrounding_text_is_not_a_literal_key(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LITERAL_TEST_OPENAI_KEY", KEY)
    _, report = run_json(capsys, "check", _file(tmp_path, _body("${LITERAL_TEST_OPENAI_KEY}\n")), "--offline")
    assert LITERAL_KEY not in _schema(report)["summary"]


def test_a_reference_filled_from_an_env_file_does_not_warn(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("LITERAL_TEST_DOTENV_KEY", raising=False)
    env = tmp_path / "keys.env"
    env.write_text(f"LITERAL_TEST_DOTENV_KEY={KEY}\n")
    manifest = _file(tmp_path, _body("${LITERAL_TEST_DOTENV_KEY}"))
    code, report = run_json(capsys, "check", manifest, "--env-file", str(env), "--offline")
    assert code == 0 and _schema(report)["status"] == "pass"


def test_a_body_on_stdin_with_a_literal_key_does_not_warn(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(_body())))
    code, report = run_json(capsys, "check", "-", "--offline")
    assert code == 0 and _schema(report)["status"] == "pass"


def test_library_input_with_a_literal_key_does_not_warn() -> None:
    from oneinbox_check import check_sync

    report = check_sync([_body()], offline=True)
    schema = next(c for c in report.integrations[0].checks if c.id == "input.schema")
    assert schema.status.value == "pass"


def test_a_manifest_file_read_through_the_library_warns_too(tmp_path) -> None:
    from oneinbox_check import check_sync, load_manifest

    report = check_sync(load_manifest(_file(tmp_path, _body())), offline=True)
    schema = next(c for c in report.integrations[0].checks if c.id == "input.schema")
    assert schema.status.value == "warn" and schema.summary == LITERAL_KEY


def test_integrations_from_the_environment_do_not_warn(capsys, monkeypatch) -> None:
    from oneinbox_check.envsource import conventions

    for conv in conventions():
        for var in (conv.key, *conv.required.values(), *conv.optional.values()):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    code, report = run_json(capsys, "check", "--from-env", "--offline")
    (integ,) = report["integrations"]
    assert code == 0 and {c["id"]: c["status"] for c in integ["checks"]}["input.schema"] == "pass"


@pytest.mark.parametrize("api_key", ["", "   "])
def test_a_blank_key_in_a_file_is_not_called_a_literal_key(tmp_path, capsys, api_key: str) -> None:
    _, report = run_json(capsys, "check", _file(tmp_path, _body(api_key)), "--offline")
    assert LITERAL_KEY not in json.dumps(report)


def test_the_literal_key_warn_does_not_change_the_other_checks(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LITERAL_TEST_OPENAI_KEY", KEY)
    _, literal = run_json(capsys, "check", _file(tmp_path, _body(), "a.json"), "--offline")
    _, referred = run_json(capsys, "check", _file(tmp_path, _body("${LITERAL_TEST_OPENAI_KEY}"), "b.json"), "--offline")

    def others(report: dict) -> list:
        return [(c["id"], c["status"], c["summary"]) for c in report["integrations"][0]["checks"]
                if c["id"] != "input.schema"]

    assert others(literal) == others(referred) and others(literal)
    assert literal["integrations"][0]["masked_key"] == referred["integrations"][0]["masked_key"]


def test_a_malformed_literal_key_still_fails_its_key_format_check(tmp_path, capsys) -> None:
    code, report = run_json(capsys, "check", _file(tmp_path, _body("not-an-openai-key-at-all")), "--offline")
    checks = checks_of(report, "LLM")
    assert code == 1 and checks["key.format"]["status"] == "fail" and checks["input.schema"]["status"] == "warn"


def test_a_literal_key_beside_an_unknown_key_lists_both_warnings(tmp_path, capsys) -> None:
    _, report = run_json(capsys, "check", _file(tmp_path, _body(metdata={})), "--offline")
    schema = _schema(report)
    assert schema["status"] == "warn" and LITERAL_KEY in schema["summary"] and "metdata" in schema["summary"]
    assert "Fix the spelling" in schema["remediation"] and "environment variable" in schema["remediation"]


def test_with_strict_a_literal_key_makes_the_run_fail(tmp_path, capsys) -> None:
    code, _ = run_json(capsys, "check", _file(tmp_path, _body()), "--offline", "--strict")
    assert code == 1

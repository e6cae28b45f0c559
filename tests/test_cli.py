"""The command line: exit codes (SPEC §5), endpoint rules (§6), outputs, lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
import respx

from tests.helpers import run_cli, write_manifest

BASE = "http://127.0.0.1:7"
KEY = "sk-proj-" + "Qq7" * 20
ENTRY = {"name": "o", "provider": "openai", "api_key": KEY}
EP = ["--endpoint", f"openai={BASE}/openai", "--retries", "0"]


def _models(status: int, body: object) -> respx.Route:
    return respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(status, json=body))


@pytest.mark.parametrize(("status", "body", "flags", "code"), [
    (200, {"data": []}, [], 0),
    (401, {"error": {"code": "invalid_api_key", "message": "Incorrect API key"}}, [], 1),
    (503, {}, [], 3),
    (401, {"error": {"message": "Missing scopes: api.model.read"}}, [], 0),  # warn
    (401, {"error": {"message": "Missing scopes: api.model.read"}}, ["--strict"], 1),
])
def test_exit_codes(tmp_path, capsys, status: int, body: object, flags: list, code: int) -> None:
    path = write_manifest(tmp_path, [ENTRY])
    with respx.mock:
        _models(status, body)
        got, out, err = run_cli(capsys, "check", path, *EP, *flags)
    assert got == code, out + err


def test_fail_wins_over_error(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, [ENTRY, {"name": "bad", "provider": "groq", "api_key": "nope nope"}])
    with respx.mock:
        _models(503, {})
        code, _, _ = run_cli(capsys, "check", path, *EP)
    assert code == 1


@pytest.mark.parametrize("endpoint", ["openai=http://api.example.com", "openai=http://10.0.0.1:8080",
                                      "openai=ftp://127.0.0.1", "nosuch=https://x.example.com", "openai"])
def test_bad_endpoints_are_usage_errors(tmp_path, capsys, endpoint: str) -> None:
    path = write_manifest(tmp_path, [ENTRY])
    with respx.mock:
        route = respx.route().mock(return_value=httpx.Response(200))
        code, out, err = run_cli(capsys, "check", path, "--endpoint", endpoint)
    assert code == 2 and "error:" in err and "Traceback" not in err
    assert not route.called


def test_env_endpoints_are_validated_too(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ONEINBOX_CHECK_ENDPOINTS", "openai=http://api.example.com")
    code, _, err = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]))
    assert code == 2 and "loopback" in err


def test_env_endpoints_are_used(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ONEINBOX_CHECK_ENDPOINTS", f"openai={BASE}/openai")
    with respx.mock:
        route = _models(200, {"data": []})
        code, _, _ = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]))
    assert code == 0 and route.called


def test_bad_nameserver_is_a_usage_error(tmp_path, capsys) -> None:
    code, _, err = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--nameserver", "dns.google")
    assert code == 2 and "--nameserver" in err


def test_output_is_written_atomically(tmp_path, capsys) -> None:
    out = tmp_path / "report.json"
    out.write_text("old")
    code, stdout, err = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--offline", "--format", "json",
                                "--output", str(out))
    assert code == 0 and stdout == ""
    assert json.loads(out.read_text())["summary"]["integrations"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".oneinbox-check-")] == []


def test_quiet_prints_nothing(tmp_path, capsys) -> None:
    code, out, err = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--offline", "-q")
    assert code == 0 and out == "" and err == ""


def test_plain_table_when_piped(tmp_path, capsys) -> None:
    code, out, _ = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY, {**ENTRY, "name": "x", "api_key": "<key>"}]),
                           "--offline")
    assert code == 1
    assert "\x1b[" not in out
    assert "FAIL   x (openai" in out and "fix:" in out and "1 pass, 1 fail" in out


def test_json_report_validates_against_exported_schema(tmp_path, capsys) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    code, out, _ = run_cli(capsys, "schema", "report")
    schema = json.loads(out)
    _, report, _ = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--offline", "--format", "json")
    jsonschema.validate(json.loads(report), schema)


def test_manifest_schema_knows_every_provider(capsys) -> None:
    code, out, _ = run_cli(capsys, "schema", "manifest")
    assert code == 0
    text = out
    for provider in ("resend", "calcom", "twilio", "custom"):
        assert f'"const": "{provider}"' in text


def test_probes_lists_providers_and_endpoints(capsys) -> None:
    code, out, _ = run_cli(capsys, "probes")
    assert code == 0 and "twilio-trunking=https://trunking.twilio.com" in out and "custom.websocket" in out


def _imported_modules(*args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "oneinbox_check", *args],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("check", "--help"), ("dns", "--help"), ("register", "--help")])
def test_help_and_version_import_nothing_heavy(args: tuple) -> None:
    names = _imported_modules(*args)
    heavy = {n for n in names if n.split(".")[0] in ("httpx", "rich", "dns", "pydantic", "anyio")
             or n.startswith("oneinbox_check.probes")}
    assert not heavy, sorted(heavy)


def test_version_prints_version(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, "--version")
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("oneinbox-check ")


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    code, out, _ = run_cli(capsys)
    assert code == 2 and "check" in out


def test_demo_report_validates_against_the_report_schema(capsys) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    _, schema, _ = run_cli(capsys, "schema", "report")
    _, report, _ = run_cli(capsys, "demo", "--format", "json")
    jsonschema.validate(json.loads(report), json.loads(schema))


def test_fixture_manifests_validate_against_the_manifest_schema(capsys) -> None:
    import tomllib

    from tests.helpers import FIXTURES

    jsonschema = pytest.importorskip("jsonschema")
    _, schema, _ = run_cli(capsys, "schema", "manifest")
    schema = json.loads(schema)
    jsonschema.validate(tomllib.loads((FIXTURES / "manifests" / "demo.toml").read_text()), schema)
    jsonschema.validate(json.loads((FIXTURES / "manifests" / "key-formats.json").read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"integrations": [{"name": "x", "provider": "resend", "api_key": "re_x"}]}, schema)

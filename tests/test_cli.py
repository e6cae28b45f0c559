"""The command line: exit codes (SPEC §5), endpoint rules (§6), outputs, lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_version_alone_is_answered_before_the_command_line_is_built() -> None:
    names = _imported_modules("--version")
    assert not {"argparse", "logging", "oneinbox_check.cli", "oneinbox_check.report"} & names, sorted(names)


def test_the_launcher_and_the_parser_print_the_same_version(capsys) -> None:
    fast = subprocess.run([sys.executable, "-m", "oneinbox_check", "--version"], capture_output=True, text=True,
                          timeout=60)
    with pytest.raises(SystemExit):
        run_cli(capsys, "--version")  # cli.main: argparse's --version action
    assert fast.returncode == 0 and fast.stdout == capsys.readouterr().out


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_version_on_a_full_disk_says_so_and_exits_74() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "oneinbox_check", "--version"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 74 and "Traceback" not in done.stderr
    assert "cannot write the version to stdout" in done.stderr


def test_the_console_script_starts_at_the_launcher() -> None:
    import tomllib

    scripts = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["oneinbox-check"] == "oneinbox_check._launch:main"


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
    from importlib import resources

    from tests.checks.test_keyformat import manifest as key_format_manifest

    jsonschema = pytest.importorskip("jsonschema")
    _, schema, _ = run_cli(capsys, "schema", "manifest")
    schema = json.loads(schema)
    demo = resources.files("oneinbox_check.sandbox").joinpath("demo.toml")  # the one demo manifest
    jsonschema.validate(tomllib.loads(demo.read_text()), schema)
    jsonschema.validate(key_format_manifest(), schema)  # built from the providers' KEY_FORMATS rows
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"integrations": [{"name": "x", "provider": "resend", "api_key": "re_x"}]}, schema)


# --- --only/--skip never turn the gate into a pass (SPEC §5; issue 8 item 3)

def _stdin(monkeypatch, text: str) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8"))


@pytest.mark.parametrize(("body", "failing"), [
    ({"name": "x", "provider": "open_ai", "api_key": "zzz"}, "input.schema"),
    ({"name": "x", "provider": "openai", "api_key": "zzz"}, "key.format"),
])
def test_item3_only_glob_never_hides_format_fail(capsys, monkeypatch, body: dict, failing: str) -> None:
    _stdin(monkeypatch, json.dumps(body))
    with respx.mock:
        route = respx.route().mock(return_value=httpx.Response(200, json={"data": []}))
        code, out, err = run_cli(capsys, "check", "-", "--only", "key.*", *EP, "--format", "json")
    assert code == 1, err
    checks = {c["id"]: c["status"] for c in json.loads(out)["integrations"][0]["checks"]}
    assert checks[failing] == "fail"
    assert not route.called


def test_item3_skip_never_hides_key_format(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, [{**ENTRY, "api_key": "zzz"}])
    code, out, _ = run_cli(capsys, "check", path, "--offline", "--skip", "key.*", "--skip", "input.*")
    assert code == 1 and "key.format" in out


def test_item3_unset_variable_with_only_key_auth_is_still_a_fail(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("NOT_SET_FOR_ONLY", raising=False)
    path = write_manifest(tmp_path, [{**ENTRY, "api_key": "${NOT_SET_FOR_ONLY}"}])
    with respx.mock:
        route = respx.route().mock(return_value=httpx.Response(200, json={"data": []}))
        code, out, _ = run_cli(capsys, "check", path, "--only", "key.auth", *EP)
    assert code == 1 and "NOT_SET_FOR_ONLY is not set" in out
    assert not route.called


@pytest.mark.parametrize(("flag", "glob", "hint"), [("--only", "key.auht", "did you mean 'key.auth'"),
                                                    ("--skip", "dns.spff", "did you mean 'dns.spf'"),
                                                    ("--only", "nothing.like.it", "known ids:")])
def test_item3_glob_matching_no_check_id_is_exit_2_with_did_you_mean(tmp_path, capsys, flag, glob, hint) -> None:
    with respx.mock:
        route = respx.route().mock(return_value=httpx.Response(200))
        code, out, err = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), flag, glob, *EP)
    assert code == 2 and f"{flag} '{glob}' matches no check id" in err and hint in err
    assert out == "" and not route.called


def test_item3_only_still_selects_live_checks(tmp_path, capsys) -> None:
    with respx.mock:
        _models(200, {"data": []})
        code, out, _ = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--only", "key.auth", *EP,
                               "--format", "json")
    ids = [c["id"] for c in json.loads(out)["integrations"][0]["checks"]]
    assert code == 0 and ids == ["input.schema", "key.format", "key.auth"]


@pytest.mark.parametrize("days", ["100000000", "0", "366", "x"])
def test_item13_out_of_range_calcom_days_is_a_usage_error(tmp_path, capsys, days: str) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--calcom-days", days)
    assert exc.value.code == 2
    assert "--calcom-days" in capsys.readouterr().err


def test_item13_library_refuses_out_of_range_calcom_days() -> None:
    from oneinbox_check import check_sync
    from oneinbox_check.errors import UsageError

    with pytest.raises(UsageError, match="calcom_days"):
        check_sync([ENTRY], offline=True, probe_options={"calcom_days": 10**9})


def test_item3_library_only_never_hides_format_fail() -> None:
    from oneinbox_check import check_sync

    report = check_sync([{**ENTRY, "api_key": "zzz"}], offline=True, only=["key.auth"])
    assert report.exit_code == 1
    assert [c.id for c in report.integrations[0].checks][:2] == ["input.schema", "key.format"]


def test_item3_library_unknown_glob_raises_usage_error() -> None:
    from oneinbox_check import check_sync
    from oneinbox_check.errors import UsageError

    with pytest.raises(UsageError, match="did you mean 'key.auth'"):
        check_sync([ENTRY], offline=True, only=["key.auht"])


def test_item3_library_empty_input_is_nothing_to_check() -> None:
    from oneinbox_check import check_sync
    from oneinbox_check.errors import UsageError

    with pytest.raises(UsageError, match="nothing to check"):
        check_sync([], offline=True)


def test_item12_sniffio_is_a_declared_runtime_dependency() -> None:
    import tomllib

    from tests.helpers import ROOT

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("sniffio>=") for d in deps)

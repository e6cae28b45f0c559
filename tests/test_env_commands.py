"""Keys from the environment: check --from-env, --env-file, init, and `check .env`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from .helpers import run_cli

KEY = "sk-proj-" + "E" * 48


@pytest.fixture
def clean_env(monkeypatch):
    from oneinbox_check.envsource import conventions

    for conv in conventions():
        for var in (conv.key, *conv.required.values(), *conv.optional.values()):
            monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_from_env_checks_the_conventional_variables_without_a_manifest(capsys, clean_env):
    clean_env.setenv("OPENAI_API_KEY", KEY)
    code, out, _ = run_cli(capsys, "check", "--from-env", "--offline", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert [(i["name"], i["provider"]) for i in report["integrations"]] == [("OpenAI", "openai")]
    assert KEY not in out


def test_from_env_with_nothing_set_is_a_usage_error(capsys, clean_env):
    code, _, err = run_cli(capsys, "check", "--from-env", "--offline")
    assert code == 2 and "none of the conventional variables" in err


def test_from_env_names_a_missing_companion_variable(capsys, clean_env):
    clean_env.setenv("RESEND_API_KEY", "re_" + "x" * 30)
    code, out, _ = run_cli(capsys, "check", "--from-env", "--offline", "--format", "json")
    (integ,) = json.loads(out)["integrations"]
    schema = next(c for c in integ["checks"] if c["id"] == "input.schema")
    assert code == 1 and "RESEND_FROM_EMAIL" in json.dumps(schema)


def test_check_without_a_manifest_or_from_env_is_a_usage_error(capsys):
    code, _, err = run_cli(capsys, "check", "--offline")
    assert code == 2 and "--from-env" in err


def test_env_file_supplies_variables_to_the_manifest(capsys, tmp_path: Path, clean_env):
    env = tmp_path / "keys.env"
    env.write_text(f"OPENAI_API_KEY={KEY}\n")
    manifest = tmp_path / "m.toml"
    manifest.write_text('[[integrations]]\nname = "x"\nprovider = "openai"\napi_key = "${OPENAI_API_KEY}"\n')
    code, out, _ = run_cli(capsys, "check", str(manifest), "--env-file", str(env), "--offline", "--format", "json")
    assert code == 0, out
    code, _, _ = run_cli(capsys, "check", str(manifest), "--offline")
    assert code == 1  # without the env file the variable is unset: input.schema fail


def test_checking_a_dotenv_file_points_at_env_file(capsys, tmp_path: Path):
    env = tmp_path / ".env"
    env.write_text(f"OPENAI_API_KEY={KEY}\n")
    code, _, err = run_cli(capsys, "check", str(env))
    assert code == 2 and "--env-file" in err and KEY not in err


def test_init_writes_a_skeleton_that_refers_to_the_set_variables(capsys, tmp_path: Path, clean_env):
    clean_env.setenv("OPENAI_API_KEY", KEY)
    clean_env.setenv("TWILIO_AUTH_TOKEN", "t" * 32)
    clean_env.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    path = tmp_path / "integrations.toml"
    code, _, err = run_cli(capsys, "init", str(path))
    assert code == 0 and "2 integration(s)" in err
    text = path.read_text()
    assert KEY not in text and "t" * 32 not in text
    doc = tomllib.loads(text)
    assert [i["api_key"] for i in doc["integrations"]] == ["${OPENAI_API_KEY}", "${TWILIO_AUTH_TOKEN}"]
    code, _, _ = run_cli(capsys, "check", str(path), "--offline")
    assert code == 0  # the skeleton checks as written


def test_init_refuses_to_replace_a_file_without_force(capsys, tmp_path: Path, clean_env):
    path = tmp_path / "integrations.toml"
    path.write_text("# mine\n")
    code, _, err = run_cli(capsys, "init", str(path))
    assert code == 2 and "--force" in err and path.read_text() == "# mine\n"
    assert run_cli(capsys, "init", str(path), "--force")[0] == 0


def test_init_to_stdout(capsys, clean_env):
    code, out, _ = run_cli(capsys, "init", "-")
    assert code == 0 and tomllib.loads(out) == {}

"""Keys from where they live: conventional variables, dotenv files, the init skeleton (SPEC §3)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from oneinbox_check.envsource import conventions, bodies, environment, read_env_file, skeleton
from oneinbox_check.errors import UsageError

SECRET = "sk-proj-" + "Z" * 48


def test_only_providers_whose_key_variable_is_set_become_integrations():
    found = bodies({"OPENAI_API_KEY": SECRET, "GROQ_API_KEY": "", "HOME": "/root"})
    assert found == [{"name": "OpenAI", "provider": "openai", "api_key": "${OPENAI_API_KEY}"}]


def test_bodies_refer_to_variables_and_never_hold_values():
    env = {c.key: SECRET for c in conventions()} | {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32}
    assert SECRET not in repr(bodies(env))
    assert len(bodies(env)) == len(conventions())


def test_required_metadata_is_referred_to_even_when_unset_so_input_schema_names_it():
    (resend,) = bodies({"RESEND_API_KEY": "re_x"})
    assert resend["metadata"] == {"from_email": "${RESEND_FROM_EMAIL}"}


def test_optional_metadata_only_when_its_variable_is_set():
    (twilio,) = bodies({"TWILIO_AUTH_TOKEN": "t", "TWILIO_PHONE_NUMBER": "+14155550100"})
    assert twilio["metadata"] == {"account_sid": "${TWILIO_ACCOUNT_SID}", "phone_number": "${TWILIO_PHONE_NUMBER}"}


def test_skeleton_is_valid_toml_with_set_variables_and_no_values():
    text = skeleton({"OPENAI_API_KEY": SECRET, "RESEND_API_KEY": SECRET, "RESEND_FROM_EMAIL": "a@b.example"})
    assert SECRET not in text and "a@b.example" not in text
    doc = tomllib.loads(text)
    assert [i["provider"] for i in doc["integrations"]] == ["openai", "resend"]
    assert doc["integrations"][1]["metadata"] == {"from_email": "${RESEND_FROM_EMAIL}"}
    assert "# provider = \"anthropic\"" in text  # the rest, commented out


def test_skeleton_with_nothing_set_is_still_valid_toml():
    assert tomllib.loads(skeleton({})) == {}


def test_env_file_values_are_read_without_interpolation(tmp_path: Path):
    path = tmp_path / "keys.env"
    path.write_text('OPENAI_API_KEY="sk-a$HOME"\nexport GROQ_API_KEY=gsk_b\n# comment\n')
    assert read_env_file(str(path)) == {"OPENAI_API_KEY": "sk-a$HOME", "GROQ_API_KEY": "gsk_b"}


def test_the_environment_wins_over_the_env_file(tmp_path: Path):
    path = tmp_path / "keys.env"
    path.write_text("A=from-file\nB=from-file\n")
    assert environment(str(path), {"A": "from-env"}) == {"A": "from-env", "B": "from-file"}


def test_a_missing_env_file_is_a_usage_error(tmp_path: Path):
    with pytest.raises(UsageError, match="no such file"):
        read_env_file(str(tmp_path / "nope.env"))


def test_an_unparsable_env_file_line_is_a_usage_error_naming_the_line(tmp_path: Path):
    path = tmp_path / "keys.env"
    path.write_text('OK=1\nBROKEN="unterminated\n')
    with pytest.raises(UsageError, match="line 2"):
        read_env_file(str(path))

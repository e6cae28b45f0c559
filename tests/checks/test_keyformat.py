"""key.format verdicts for all 17 providers, one row per provider and case,
checked through the CLI on fixtures/manifests/key-formats.json (--offline, on stdin)."""

from __future__ import annotations

import json

import pytest

from oneinbox_check.checks.keyformat import hygiene
from tests.helpers import FIXTURES

MANIFEST = FIXTURES / "manifests" / "key-formats.json"
PROVIDERS = ["openai", "whisper", "anthropic", "groq", "shisa", "custom", "deepgram", "assembly_ai", "azure",
             "cartesia", "elevenlabs", "minimax", "twilio", "telnyx", "resend", "sendgrid", "calcom"]
COMMON = {"valid": "pass", "padded": "fail", "placeholder": "fail", "newline_inside": "fail",
          "bearer_prefix": "fail", "quoted": "fail"}
SPECIAL = {
    ("openai", "bad_prefix"): "fail", ("openai", "bad_length"): "warn", ("openai", "wrong_provider"): "fail",
    ("openai", "admin_key"): "warn", ("openai", "zero_width_space"): "fail", ("openai", "nbsp"): "fail",
    ("openai", "accented"): "fail", ("openai", "control_char"): "fail",
    ("openai", "random_with_placeholder_words"): "pass", ("openai", "prefixed_placeholder"): "fail",
    ("sendgrid", "random_with_placeholder_words"): "pass",
    ("whisper", "bad_prefix"): "fail", ("whisper", "wrong_provider"): "fail",
    ("anthropic", "bad_prefix"): "fail", ("anthropic", "bad_length"): "warn", ("anthropic", "wrong_provider"): "fail",
    ("anthropic", "admin_key"): "warn",
    ("groq", "bad_prefix"): "fail", ("groq", "bad_length"): "warn", ("groq", "wrong_provider"): "fail",
    ("shisa", "bad_length"): "warn", ("shisa", "wrong_provider"): "fail",
    ("deepgram", "bad_length"): "warn", ("deepgram", "wrong_provider"): "fail",
    ("assembly_ai", "bad_length"): "warn", ("assembly_ai", "wrong_provider"): "fail",
    ("azure", "bad_length"): "warn", ("azure", "wrong_provider"): "fail",
    ("cartesia", "bad_prefix"): "warn", ("cartesia", "wrong_provider"): "fail",
    ("elevenlabs", "legacy"): "pass", ("elevenlabs", "bad_length"): "warn", ("elevenlabs", "wrong_provider"): "fail",
    ("minimax", "legacy_jwt_without_group"): "warn", ("minimax", "legacy_jwt_with_group"): "pass", ("minimax", "wrong_provider"): "fail",
    ("twilio", "account_sid_as_token"): "fail", ("twilio", "bad_length"): "warn", ("twilio", "wrong_provider"): "fail",
    ("telnyx", "bad_prefix"): "fail", ("telnyx", "bad_length"): "warn", ("telnyx", "wrong_provider"): "fail",
    ("resend", "bad_prefix"): "fail", ("resend", "bad_length"): "warn", ("resend", "wrong_provider"): "fail",
    ("sendgrid", "bad_prefix"): "fail", ("sendgrid", "bad_length"): "warn", ("sendgrid", "wrong_provider"): "fail",
    ("calcom", "bad_prefix"): "fail", ("calcom", "test_key"): "warn", ("calcom", "self_hosted"): "pass",
    ("calcom", "wrong_provider"): "fail",
}
TABLE = [(p, c, s) for p in PROVIDERS for c, s in COMMON.items()] + [(p, c, s) for (p, c), s in SPECIAL.items()]


@pytest.fixture(scope="module")
def report() -> dict:
    import io
    import sys

    from oneinbox_check.cli import main

    buf, old, old_in = io.StringIO(), sys.stdout, sys.stdin
    sys.stdout = buf
    # on stdin: the rows are about key formats, and a key written in a manifest file would be an
    # input.schema warn (keys do not live in files)
    sys.stdin = io.StringIO(MANIFEST.read_text(encoding="utf-8"))
    try:
        code = main(["check", "-", "--offline", "--format", "json"])
    finally:
        sys.stdout, sys.stdin = old, old_in
    data = json.loads(buf.getvalue())
    assert code == data["exit_code"] == 1
    return data


def test_fixture_covers_every_provider_and_case(report: dict) -> None:
    names = {i["name"] for i in report["integrations"]}
    expected = {f"{p}/{c} (fake key)" for p, c, _ in TABLE}
    assert names == expected
    assert {i["provider"] for i in report["integrations"]} == set(PROVIDERS)


@pytest.mark.parametrize(("provider", "case", "status"), TABLE, ids=[f"{p}-{c}" for p, c, _ in TABLE])
def test_key_format_verdict(report: dict, provider: str, case: str, status: str) -> None:
    integ = next(i for i in report["integrations"] if i["name"] == f"{provider}/{case} (fake key)")
    checks = {c["id"]: c for c in integ["checks"]}
    assert checks["input.schema"]["status"] == "pass"
    got = checks["key.format"]
    assert got["status"] == status, got
    if status != "pass":
        assert got.get("remediation"), "every non-pass key.format verdict says how to fix it"


def test_wrong_provider_names_the_provider_it_looks_like(report: dict) -> None:
    checks = {c["id"]: c for c in next(i for i in report["integrations"]
                                       if i["name"] == "openai/wrong_provider (fake key)")["checks"]}
    assert "Anthropic" in checks["key.format"]["summary"]
    assert checks["key.format"]["details"]["looks_like"] == "anthropic"


def test_offline_run_marks_live_checks_skipped(report: dict) -> None:
    checks = {c["id"]: c for c in next(i for i in report["integrations"]
                                       if i["name"] == "groq/valid (fake key)")["checks"]}
    assert checks["key.auth"]["status"] == "skip"
    assert "offline" in checks["key.auth"]["summary"]


@pytest.mark.parametrize(("key", "fragment"), [
    (" abc", "whitespace"), ("abc\n", "whitespace"), ("ab\ncd", "line break"), ("'abcdefghijkl'", "quotes"),
    ("Bearer abcdefghijkl", "Bearer"), ("changeme", "placeholder"), ("<your_api_key>", "placeholder"),
    ("xxxxxxxxxxxxxxxx", "placeholder"), ("sk-your-key-here", "placeholder"), ("", "empty"),
])
def test_hygiene_problems_are_named(key: str, fragment: str) -> None:
    result = hygiene(key)
    assert result is not None and result.status.value == "fail"
    assert fragment.lower() in result.summary.lower()


def test_generic_sk_key_is_not_called_another_providers_key() -> None:
    from oneinbox_check.probes.registry import load_registry

    registry = load_registry()
    probe = registry.get("anthropic")
    result = probe.format_check("anthropic", "sk-" + "a" * 48, None, registry.signatures())
    assert result.status.value == "fail"
    assert "looks like" not in result.summary

"""key.format verdicts for every registered provider, one row per provider and case,
checked through the CLI on a manifest built from the rows (--offline, on stdin).

A provider's rows are ``KEY_FORMATS`` in tests/probes/test_<provider>.py: case ->
``(key, expected verdict[, metadata])``, with the module's ``METADATA`` as the default
metadata. Its ``"valid"`` key also yields the hygiene cases every provider shares
(``COMMON``). A registered provider without ``KEY_FORMATS`` fails
``test_every_provider_has_key_format_rows`` (tests/probes/README.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from oneinbox_check.checks.keyformat import hygiene
from oneinbox_check.probes.registry import load_registry
from tests.probes import rows

# the hygiene cases every provider shares, made from its "valid" key
COMMON: dict[str, tuple[Callable[[str], str], str]] = {
    "padded": (lambda key: "  " + key + "\n", "fail"),
    "placeholder": (lambda key: "<your_api_key>", "fail"),
    "newline_inside": (lambda key: key[:10] + "\n" + key[10:], "fail"),
    "bearer_prefix": (lambda key: "Bearer " + key, "fail"),
    "quoted": (lambda key: '"' + key + '"', "fail"),
}


def cases(provider: str) -> dict[str, tuple[str, str, dict]]:
    """*provider*'s rows: case -> (key, expected key.format, metadata)."""
    own = rows.row(provider, "KEY_FORMATS", {})
    default = rows.metadata(provider)
    out = {case: (row[0], row[1], row[2] if len(row) > 2 else default) for case, row in own.items()}
    if "valid" in out:
        key, _, meta = out["valid"]
        for case, (make, status) in COMMON.items():
            out.setdefault(case, (make(key), status, meta))
    return out


CASES = {provider: cases(provider) for provider in rows.rows("KEY_FORMATS")}
TABLE = [(p, c, s) for p, by_case in CASES.items() for c, (_, s, _) in by_case.items()]


def manifest() -> list[dict]:
    """The table as a manifest: one integration per provider and case."""
    out = []
    for provider, by_case in CASES.items():
        for case, (key, _, meta) in by_case.items():
            entry = {"name": f"{provider}/{case} (fake key)", "provider": provider, "api_key": key}
            if meta:
                entry["metadata"] = meta
            out.append(entry)
    return out


@pytest.mark.parametrize("provider", rows.providers())
def test_every_provider_has_key_format_rows(provider: str) -> None:
    problem = rows.missing(provider, "KEY_FORMATS")
    assert problem is None, problem
    assert "valid" in CASES[provider], f"provider {provider}: KEY_FORMATS needs a \"valid\" row"


@pytest.fixture(scope="module")
def report() -> dict:
    import io
    import sys

    from oneinbox_check.cli import main

    buf, old, old_in = io.StringIO(), sys.stdout, sys.stdin
    sys.stdout = buf
    # on stdin: the rows are about key formats, and a key written in a manifest file would be an
    # input.schema warn (keys do not live in files)
    sys.stdin = io.StringIO(json.dumps(manifest()))
    try:
        code = main(["check", "-", "--offline", "--format", "json"])
    finally:
        sys.stdout, sys.stdin = old, old_in
    data = json.loads(buf.getvalue())
    assert code == data["exit_code"] == 1
    return data


def test_manifest_covers_every_provider_and_case(report: dict) -> None:
    names = {i["name"] for i in report["integrations"]}
    expected = {f"{p}/{c} (fake key)" for p, c, _ in TABLE}
    assert names == expected
    assert {i["provider"] for i in report["integrations"]} == set(CASES)


@pytest.mark.parametrize(("provider", "case", "status"), TABLE, ids=[f"{p}-{c}" for p, c, _ in TABLE])
def test_key_format_verdict(report: dict, provider: str, case: str, status: str) -> None:
    integ = next(i for i in report["integrations"] if i["name"] == f"{provider}/{case} (fake key)")
    checks = {c["id"]: c for c in integ["checks"]}
    assert checks["input.schema"]["status"] == "pass"
    got = checks["key.format"]
    assert got["status"] == status, got
    if status != "pass":
        assert got.get("remediation"), "every non-pass key.format verdict says how to fix it"


def _checks(report: dict, provider: str, case: str) -> dict[str, dict]:
    integ = next(i for i in report["integrations"] if i["name"] == f"{provider}/{case} (fake key)")
    return {c["id"]: c for c in integ["checks"]}


WRONG = sorted(p for p, by_case in CASES.items() if "wrong_provider" in by_case)


@pytest.mark.parametrize("provider", WRONG)
def test_wrong_provider_names_the_provider_it_looks_like(report: dict, provider: str) -> None:
    """(OpenAI's own row, an Anthropic key, is in tests/probes/test_openai.py by name.)"""
    got = _checks(report, provider, "wrong_provider")["key.format"]
    looks_like = load_registry().get(got["details"]["looks_like"])
    assert looks_like is not None and provider not in looks_like.providers
    assert looks_like.title in got["summary"]


@pytest.mark.parametrize("provider", sorted(CASES))
def test_offline_run_marks_live_checks_skipped(report: dict, provider: str) -> None:
    first = load_registry().get(provider).check_ids[0]  # key.auth, or the provider's own live check
    checks = _checks(report, provider, "valid")
    assert checks[first]["status"] == "skip"
    assert "offline" in checks[first]["summary"]


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

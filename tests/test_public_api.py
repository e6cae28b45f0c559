"""The public API is exactly ``__all__``; properties that must hold for any input."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

import oneinbox_check
from oneinbox_check.checks.keyformat import check_key
from oneinbox_check.probes.registry import load_registry
from oneinbox_check.secrets import Secret, mask, scrub


def test_exported_members_resolve() -> None:
    for name in oneinbox_check.__all__:
        assert getattr(oneinbox_check, name) is not None
    assert set(dir(oneinbox_check)) == set(oneinbox_check.__all__)


def test_check_sync_runs_offline() -> None:
    report = oneinbox_check.check_sync([{"name": "x", "provider": "groq", "api_key": "gsk_" + "a1" * 26}],
                                       offline=True)
    assert isinstance(report, oneinbox_check.Report) and report.exit_code == 0


KEYISH = st.text(alphabet=string.ascii_letters + string.digits + "-_.", min_size=1, max_size=120)


@given(KEYISH)
def test_mask_never_shows_more_than_a_prefix_and_four_characters(key: str) -> None:
    masked = mask(key)
    shown = masked.replace("…", "")
    assert len(shown) <= 15 + 4
    if len(key) >= 16:
        assert key not in masked or len(key) <= len(shown)


@given(KEYISH.filter(lambda k: len(k) >= 16), st.text(max_size=40), st.text(max_size=40))
def test_scrub_removes_a_registered_key_from_any_text(key: str, before: str, after: str) -> None:
    Secret(key)
    assert key not in scrub(before + key + after)


@settings(max_examples=200, derandomize=True)
@given(st.text(max_size=200), st.sampled_from(sorted(load_registry().providers)))
def test_key_format_always_returns_a_verdict(key: str, provider: str) -> None:
    registry = load_registry()
    probe = registry.get(provider)
    result = check_key(key, provider, probe.key_format, same_key_providers=probe.providers,
                       signatures=registry.signatures())
    assert result.id == "key.format" and result.summary
    assert len(key) < 16 or key not in result.summary  # short strings occur in ordinary words


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["name", "provider", "api_key", "metadata", "from_email", "account_sid", "phone_number",
                         "integrations", "tools", "type", "integration", "event_type_id", "x"]), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=150, derandomize=True)
@given(JSONISH)
def test_any_json_manifest_gives_a_verdict_or_a_usage_error_never_a_crash(data) -> None:
    import json

    from oneinbox_check.errors import ManifestError
    from oneinbox_check.manifest import _shape, RawItem, RawManifest, build_entries
    from oneinbox_check.runner import RunOptions, run

    try:
        integrations, tools = _shape("<fuzz>", json.loads(json.dumps(data)))
    except ManifestError:
        return
    raw = RawManifest([RawItem("<fuzz>", i, d) for i, d in enumerate(integrations)],
                      [RawItem("<fuzz>", i, t) for i, t in enumerate(tools)])
    registry = load_registry()
    entries = build_entries(raw, registry, {})
    import anyio

    report = anyio.run(run, entries, registry, RunOptions(offline=True))
    assert report.exit_code in (0, 1, 3)


def test_item4_load_manifest_expands_files_but_not_stdin(tmp_path, monkeypatch) -> None:
    import io
    import json
    import sys

    from oneinbox_check import load_manifest
    from oneinbox_check.manifest import build_entries

    monkeypatch.setenv("LIB_FILE_KEY", "gsk_" + "a1" * 26)
    body = {"name": "g", "provider": "groq", "api_key": "${LIB_FILE_KEY}"}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(body))
    registry = load_registry()
    [from_file] = build_entries(load_manifest(str(path)), registry)
    assert from_file.problems == [] and from_file.integration.api_key.reveal().startswith("gsk_")
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    [from_stdin] = build_entries(load_manifest("-"), registry)
    assert any("not expanded" in p for p in from_stdin.problems)
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    [asked] = build_entries(load_manifest("-", expand_env=True), registry)
    assert asked.problems == []

"""drift: compare the manifest with what OneInbox stores, every page, creating nothing.

End to end against the sandbox's OneInbox fake on real loopback sockets.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest


from oneinbox_check.drift import fits, visible_parts
from tests.helpers import ROOT, checks_of, closed_port, run_cli, status_of, write_manifest

GOOD = "sk-proj-" + "G00d" * 14
OTHER = "sk-proj-" + "0thr" * 14
RESEND = "re_" + "Drft" * 8
ONEINBOX_KEY = "oi_sk_" + "Dr1ftKey" * 4


def stored(name: str, provider: str = "openai", key: str = GOOD) -> dict:
    from oneinbox_check.sandbox.fakes.oneinbox import masked

    return {"name": name, "provider": provider, "masked_key": masked(key)}


@pytest.fixture
def oneinbox(loopback_sandbox):
    """Install a OneInbox fake: ``oneinbox(existing, **options)`` returns (fake, CLI flags)."""
    from oneinbox_check.sandbox.fakes.oneinbox import OneInboxFake

    def install(existing=(), **options):
        fake = OneInboxFake({ONEINBOX_KEY: "valid"}, list(existing), **options)
        loopback_sandbox.sandbox.fakes.clear()
        loopback_sandbox.sandbox.fakes["oneinbox"] = fake
        return fake, ["--endpoint", f"oneinbox={loopback_sandbox.base}/oneinbox", "--retries", "0", "--timeout", "5",
                      "--oneinbox-key", ONEINBOX_KEY]

    return install


def drift_json(capsys, path: str, flags: list[str], *extra: str) -> tuple[int, dict]:
    code, out, err = run_cli(capsys, "drift", path, *flags, "--format", "json", *extra)
    assert out, err
    return code, json.loads(out)


MANIFEST = [{"name": "OpenAI", "provider": "openai", "api_key": GOOD},
            {"name": "Resend", "provider": "resend", "api_key": RESEND, "metadata": {"from_email": "a@good.example"}}]


def test_a_manifest_in_sync_has_no_drift_and_exits_0(capsys, tmp_path, oneinbox) -> None:
    fake, flags = oneinbox([stored("OpenAI"), stored("Resend", "resend", RESEND)])
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    assert code == 0 and report["exit_code"] == 0
    assert {c["id"]: c["status"] for c in checks_of(report, "OpenAI").values()} == {
        "drift.missing": "pass", "drift.duplicate": "pass", "drift.provider": "pass", "drift.key": "pass"}


def test_drift_creates_nothing(capsys, tmp_path, oneinbox) -> None:
    fake, flags = oneinbox([stored("Orphan")])
    code, _ = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    assert code == 1 and fake.created == [] and {r.method for r in fake.requests} == {"GET"}


def test_missing_is_drift(capsys, tmp_path, oneinbox) -> None:
    _, flags = oneinbox([stored("OpenAI")])
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    missing = checks_of(report, "Resend")["drift.missing"]
    assert code == 1 and missing["status"] == "fail" and "not stored" in missing["summary"]
    assert "register" in missing["remediation"]


def test_orphan_is_drift(capsys, tmp_path, oneinbox) -> None:
    _, flags = oneinbox([stored("OpenAI"), stored("Resend", "resend", RESEND), stored("Forgotten", "groq")])
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    row = next(i for i in report["integrations"] if i["name"] == "Forgotten")
    assert code == 1 and row["provider"] == "groq" and row["status"] == "fail"
    assert [c["id"] for c in row["checks"]] == ["drift.orphan"]


def test_one_name_stored_twice_is_drift(capsys, tmp_path, oneinbox) -> None:
    _, flags = oneinbox([stored("OpenAI"), stored("OpenAI"), stored("Resend", "resend", RESEND)])
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    duplicate = checks_of(report, "OpenAI")["drift.duplicate"]
    assert code == 1 and duplicate["status"] == "fail" and "stored 2 times" in duplicate["summary"]
    assert len(duplicate["details"]["stored_ids"]) == 2


def test_an_orphan_stored_twice_is_also_a_duplicate(capsys, tmp_path, oneinbox) -> None:
    _, flags = oneinbox([stored("OpenAI"), stored("Resend", "resend", RESEND), stored("Old"), stored("Old")])
    _, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    assert set(checks_of(report, "Old")) == {"drift.orphan", "drift.duplicate"}


def test_another_provider_is_drift(capsys, tmp_path, oneinbox) -> None:
    _, flags = oneinbox([stored("OpenAI", "groq"), stored("Resend", "resend", RESEND)])
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    provider = checks_of(report, "OpenAI")["drift.provider"]
    assert code == 1 and provider["status"] == "fail" and "stores it as groq" in provider["summary"]


def test_a_stored_key_that_cannot_be_the_manifests_is_drift(capsys, tmp_path, oneinbox) -> None:
    _, flags = oneinbox([stored("OpenAI", key=OTHER), stored("Resend", "resend", RESEND)])
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    key = checks_of(report, "OpenAI")["drift.key"]
    assert code == 1 and key["status"] == "fail" and "another key" in key["summary"]
    assert "0thr" in key["summary"] and "G00d" in key["summary"]  # both masks, never a key


@pytest.mark.parametrize("masked_key", ["****", "…", "stored", None, "sk…ab…cd"])
def test_a_mask_showing_nothing_readable_is_skip_never_drift(capsys, tmp_path, oneinbox, masked_key) -> None:
    _, flags = oneinbox([{"name": "OpenAI", "provider": "openai", "masked_key": masked_key},
                         stored("Resend", "resend", RESEND)])
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    assert checks_of(report, "OpenAI")["drift.key"]["status"] == "skip" and code == 0


@pytest.mark.parametrize(("masked_key", "parts"), [
    ("sk-…0000", ("sk-", "0000")), ("SG.…abcd", ("SG.", "abcd")), ("sk-proj-****abcd", ("sk-proj-", "abcd")),
    ("re_...wxyz", ("re_", "wxyz")), ("••••1234", ("", "1234")), ("****", ("", "")),
    ("no-mask-at-all", None), ("a…b…c", None), (42, None),
])
def test_visible_parts_of_a_masked_key(masked_key, parts) -> None:
    assert visible_parts(masked_key) == parts


@pytest.mark.parametrize(("key", "masked_key", "expected"), [
    (GOOD, "sk-…G00d", True), (GOOD, "sk-proj-…G00d", True), (GOOD, "sk-…0000", False), (GOOD, "sk-ant-…G00d", False),
    ("abc", "abc…abc", False),  # a mask showing more than the key has cannot be it
])
def test_a_key_fits_a_mask_only_when_its_visible_characters_agree(key, masked_key, expected) -> None:
    assert fits(key, visible_parts(masked_key)) is expected


@pytest.mark.parametrize("style", ["offset", "cursor", "next", "link", "page", "bare"])
def test_every_page_is_read(capsys, tmp_path, oneinbox, style) -> None:
    existing = [stored(f"old-{i}") for i in range(43)] + [stored("OpenAI"), stored("Resend", "resend", RESEND)]
    fake, flags = oneinbox(existing, page_size=20, style=style)
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    assert status_of(report, "Resend") == "pass"  # on page 3
    assert sum(1 for i in report["integrations"] if i["checks"][0]["id"] == "drift.orphan") == 43
    assert code == 1


def test_a_rejected_oneinbox_key_is_exit_2(capsys, tmp_path, oneinbox) -> None:
    fake, flags = oneinbox()
    fake.keys.clear()
    code, out, err = run_cli(capsys, "drift", write_manifest(tmp_path, MANIFEST), *flags)
    assert code == 2 and "nothing compared" in out and ONEINBOX_KEY not in out + err
    assert "OneInbox rejected the OneInbox API key (HTTP 401" in err and "--oneinbox-key / ONEINBOX_API_KEY" in err


def test_no_oneinbox_key_is_a_usage_error(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ONEINBOX_API_KEY", raising=False)
    code, _, err = run_cli(capsys, "drift", write_manifest(tmp_path, MANIFEST), "--endpoint", "oneinbox=http://127.0.0.1:9")
    assert code == 2 and "ONEINBOX_API_KEY" in err


@pytest.mark.parametrize("flag", [["--only", "drift.*"], ["--skip", "drift.key"], ["--offline"]])
def test_options_that_do_not_apply_are_refused(capsys, tmp_path, oneinbox, flag) -> None:
    fake, flags = oneinbox()
    code, _, err = run_cli(capsys, "drift", write_manifest(tmp_path, MANIFEST), *flags, *flag)
    assert code == 2 and "does not apply" in err and not fake.requests


def test_an_unreachable_oneinbox_is_error_exit_3(capsys, tmp_path) -> None:
    flags = ["--endpoint", f"oneinbox=http://127.0.0.1:{closed_port()}", "--retries", "0", "--timeout", "2",
             "--oneinbox-key", ONEINBOX_KEY]
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    assert code == 3 and {i["status"] for i in report["integrations"]} == {"error"}
    assert "could not read OneInbox's integrations" in checks_of(report, "OpenAI")["drift.missing"]["summary"]


def test_a_oneinbox_outage_is_error_never_drift(capsys, tmp_path, oneinbox) -> None:
    from oneinbox_check.sandbox.asgi import Fault

    fake, flags = oneinbox([stored("OpenAI")], page_size=1)
    fake.faults.append(Fault(path="/v1/integrations", status=503, body={"detail": "maintenance"}))
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    assert code == 3 and {i["status"] for i in report["integrations"]} == {"error"}


def test_pages_that_never_end_are_error(capsys, tmp_path, oneinbox) -> None:
    fake, flags = oneinbox([stored("OpenAI")], page_size=1, style="endless")
    code, report = drift_json(capsys, write_manifest(tmp_path, MANIFEST), flags)
    assert code == 3 and fake.count("/v1/integrations", "GET") < 10
    assert "do not end" in checks_of(report, "OpenAI")["drift.missing"]["summary"]


@pytest.mark.parametrize("fmt", ["table", "json", "junit", "markdown", "prometheus"])
def test_no_key_in_any_drift_format(capsys, tmp_path, oneinbox, fmt) -> None:
    _, flags = oneinbox([stored("OpenAI", key=OTHER), stored("Orphan", key=OTHER)])
    code, out, err = run_cli(capsys, "drift", write_manifest(tmp_path, MANIFEST), *flags, "--format", fmt, "-vv")
    assert code == 1 and out
    for secret in (GOOD, OTHER, RESEND, ONEINBOX_KEY):
        for window in {secret[i:i + 12] for i in range(len(secret) - 11)}:
            assert window not in out and window not in err


def test_what_register_created_shows_no_drift(capsys, tmp_path, oneinbox) -> None:
    """Round trip through the fake: register stores the keys, drift then finds them in place."""
    import httpx
    import respx

    fake, flags = oneinbox()
    path = write_manifest(tmp_path, MANIFEST[:1])
    with respx.mock(assert_all_mocked=False) as mock:
        mock.route(host="127.0.0.1", path__startswith="/oneinbox").pass_through()
        mock.get("http://127.0.0.1:7/openai/v1/models").mock(return_value=httpx.Response(200, json={"data": []}))
        code, out, _ = run_cli(capsys, "register", path, *flags, "--endpoint", "openai=http://127.0.0.1:7/openai")
    assert code == 0 and len(fake.created) == 1, out
    code, report = drift_json(capsys, path, flags)
    assert code == 0, report


def test_readme_drift_example_runs(capsys, tmp_path, oneinbox, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Drift", 1)[1].split("\n#", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    commands = [shlex.split(c) for c in commands if c.startswith("oneinbox-check")]
    assert len(commands) >= 2
    fake, flags = oneinbox([stored("OpenAI"), stored("Resend", "resend", RESEND)])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ONEINBOX_API_KEY", ONEINBOX_KEY)
    (tmp_path / "integrations.toml").write_text(
        '[[integrations]]\nname = "OpenAI"\nprovider = "openai"\napi_key = "${OPENAI_API_KEY}"\n')
    monkeypatch.setenv("OPENAI_API_KEY", GOOD)
    endpoint = flags[:2]  # the key comes from ONEINBOX_API_KEY, as in the README
    for argv in commands:
        code, out, err = run_cli(capsys, *argv[1:], *endpoint)
        assert code == 1, err  # "Resend" is an orphan of this one-entry manifest
    assert json.loads((tmp_path / "drift.json").read_text())["summary"]["integrations"] == 2

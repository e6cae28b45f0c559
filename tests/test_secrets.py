"""Secrets (SPEC §8): the key never shows, in any format, log, error or object."""

from __future__ import annotations

import json
import pickle

import httpx
import pytest
import respx

from oneinbox_check.models import Integration
from oneinbox_check.secrets import Secret, mask, scrub
from tests.helpers import run_cli, write_manifest

BASE = "http://127.0.0.1:7"
KEY = "sk-proj-" + "LeakCanary9" * 6


def test_secret_never_shows_itself() -> None:
    s = Secret(KEY)
    for text in (repr(s), str(s), f"{s}", f"{s!r}", "%s" % s):
        assert KEY not in text and "sk-proj-…ary9" in text
    with pytest.raises(TypeError):
        pickle.dumps(s)


def test_masks() -> None:
    assert mask("re_abcdefgh_abcdefghijklmnopqrstuvwxa1b2") == "re_…a1b2"
    assert mask("short") == "…"
    assert mask("0123456789abcdef0123") == "…0123"


def test_integration_model_dump_and_repr_mask_the_key() -> None:
    integ = Integration(name="x", provider="openai", api_key=KEY)
    assert KEY not in repr(integ)
    assert KEY not in integ.model_dump_json()
    assert KEY not in json.dumps(integ.model_dump(mode="json"))
    assert integ.api_key.reveal() == KEY


def test_scrub_redacts_registered_keys() -> None:
    Secret(KEY)
    assert scrub(f"error: key {KEY} rejected") == "error: key sk-proj-…ary9 rejected"


def test_fingerprint_is_salted_and_stable() -> None:
    s = Secret(KEY)
    assert s.fingerprint(b"a") == Secret(KEY).fingerprint(b"a") != s.fingerprint(b"b")
    assert KEY not in s.fingerprint(b"a")


ECHO = {"error": {"message": f"Incorrect API key provided: {KEY}.", "code": "invalid_api_key"}}


@pytest.mark.parametrize("fmt", ["table", "json", "junit", "markdown", "prometheus"])
@pytest.mark.parametrize("case", ["valid", "invalid-echoing-key", "server-error", "refused", "garbage", "crash",
                                  "padded", "wrong-provider"])
def test_raw_key_is_absent_from_every_output(tmp_path, capsys, monkeypatch, fmt: str, case: str) -> None:
    key = {"padded": f" {KEY}\n", "wrong-provider": KEY}.get(case, KEY)
    provider = "anthropic" if case == "wrong-provider" else "openai"
    if case == "crash":
        from oneinbox_check.probes._base import load_registry

        async def crash(ctx):
            raise ValueError(f"unexpected {ctx.key.reveal()}")

        monkeypatch.setattr(load_registry().get("openai"), "run", crash)
    responses = {
        "valid": httpx.Response(200, json={"data": []}),
        "invalid-echoing-key": httpx.Response(401, json=ECHO),
        "server-error": httpx.Response(500, json=ECHO),
        "refused": httpx.ConnectError(f"refused while sending {KEY}"),
        "garbage": httpx.Response(200, text=f"<html>{KEY}</html>"),
    }
    path = write_manifest(tmp_path, [{"name": "leaky", "provider": provider, "api_key": key}])
    out_file = tmp_path / "report.out"
    with respx.mock:
        response = responses.get(case, httpx.Response(200, json={"data": []}))
        route = respx.get(f"{BASE}/openai/v1/models")
        route.mock(side_effect=response) if isinstance(response, Exception) else route.mock(return_value=response)
        code, out, err = run_cli(capsys, "check", path, "--endpoint", f"openai={BASE}/openai",
                                 "--endpoint", f"anthropic={BASE}/anthropic", "--retries", "0", "-vv",
                                 "--format", fmt)
        state = tmp_path / "state.json"
        code2, _, err2 = run_cli(capsys, "check", path, "--endpoint", f"openai={BASE}/openai", "--retries", "0",
                                 "--format", fmt, "--output", str(out_file), "-v", "--state", str(state))
    for text in (out, err, err2, out_file.read_text(), state.read_text()):
        assert KEY not in text
        assert KEY.strip()[8:] not in text  # not even the key without its prefix
    assert code == code2


def test_internal_error_message_is_scrubbed(tmp_path, capsys, monkeypatch) -> None:
    import oneinbox_check.cli as cli

    def boom(args):
        raise RuntimeError(f"bad state {Secret(KEY).reveal()}")

    monkeypatch.setattr(cli, "_cmd_check", boom)
    code, out, err = run_cli(capsys, "check", write_manifest(tmp_path, []), "-vv")
    assert code == 70 and "internal error" in err and KEY not in err and "Traceback" in err


@pytest.mark.parametrize("around", ["{}", "key={}", "x{}y", '"{}"', "Bearer {}.", "{} and {}", "a\n{}\tb"])
def test_scrub_finds_secrets_inside_tokens_and_repeated(around: str) -> None:
    Secret(KEY)
    text = around.format(KEY, KEY) if around.count("{}") == 2 else around.format(KEY)
    assert KEY not in scrub(text) and "…ary9" in scrub(text)


def test_scrub_handles_secrets_sharing_a_prefix() -> None:
    short, long_ = "sk-proj-sharedPREFIX0001", "sk-proj-sharedPREFIX0001-and-more"
    Secret(short)
    Secret(long_)
    assert scrub(f"a {long_} b {short} c") == "a sk-proj-…more b sk-proj-…0001 c"


def test_scrub_handles_secrets_with_whitespace() -> None:
    spaced = "weird key with spaces 1234"
    Secret(spaced)
    assert spaced not in scrub(f"got [{spaced}]")

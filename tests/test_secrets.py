"""Secrets (SPEC §8): the key never shows, in any format, log, error or object."""

from __future__ import annotations

import json
import pickle

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from oneinbox_check.models import Integration
from oneinbox_check.secrets import Secret, mask, scrub
from tests.helpers import run_cli, write_manifest


@pytest.fixture(autouse=True)
def _registry_loaded() -> None:
    """Masks show the prefixes the probes declare once the registry has loaded (as every run does)."""
    from oneinbox_check.probes.registry import load_registry

    load_registry()

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
        from oneinbox_check.probes.registry import load_registry

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


# --- issue 8 item 1: echoes that are not the whole key --------------------------------

import base64 as _b64
import logging
from urllib.parse import quote as _quote

from oneinbox_check.secrets import ScrubFilter, clean, shorten

ECHOED = "sk-proj-" + "Qw3rTy7uIoP1aSdF9gHjKl2ZxCvBnM5" * 2


@pytest.mark.parametrize(("label", "echo"), [
    ("cut", ECHOED[:30]),
    ("window", ECHOED[25:37]),
    ("missing-char", ECHOED[:30] + ECHOED[31:]),
    ("changed-char", ECHOED[:30] + "*" + ECHOED[31:]),
    ("split-lines", ECHOED[:30] + "\n   " + ECHOED[30:]),
    ("partly-masked", ECHOED[:8] + "******" + ECHOED[14:]),
    ("base64", _b64.b64encode(ECHOED.encode()).decode()),
    ("base64-urlsafe-in-blob", _b64.urlsafe_b64encode(b'{"k":"' + ECHOED.encode() + b'"}').decode()),
    ("base64-pair", _b64.b64encode(b"user:" + ECHOED.encode()).decode()),
])
def test_item1_scrub_masks_damaged_and_encoded_echoes(label: str, echo: str) -> None:
    Secret(ECHOED)
    out = scrub(f"error: {echo} rejected")
    body = ECHOED[8:]
    encoded = _b64.b64encode(ECHOED.encode()).decode()
    assert not any(body[i:i + 12] in out for i in range(len(body) - 11)), out
    assert not any(encoded[i:i + 12] in out for i in range(2, len(encoded) - 11)), out
    assert "…" in out and out.startswith("error: ") and out.endswith(" rejected")


def test_item1_scrub_masks_the_url_encoded_form() -> None:
    key = "tok+en/with=special&chars-1q2w3e4r"
    Secret(key)
    for echo in (_quote(key, safe=""), _quote(key, safe="").lower()):
        out = scrub(f"GET /x?key={echo} failed")
        assert "special" not in out and "1q2w3e4r" not in out


def test_item1_scrubbing_comes_before_shortening() -> None:
    Secret(ECHOED)
    text = "x" * 180 + ECHOED + " tail"
    short = shorten(text, 200)
    assert len(short) <= 200 and ECHOED[8:20] not in short and ECHOED[:30] not in short


def test_item1_short_keys_are_masked_whole() -> None:
    Secret("tQ9zW4k")
    assert scrub("token tQ9zW4k and xtQ9zW4ky") == "token … and x…y"


def test_item1_very_short_keys_are_masked_only_as_words() -> None:
    Secret("z9q")
    assert scrub("key z9q, not az9qb") == "key …, not az9qb"


def test_item1_url_user_info_is_masked() -> None:
    assert scrub("wss://bob:hunter2@llm.example/ws and https://tok@h/x") == "wss://…@llm.example/ws and https://…@h/x"


def test_item1_masks_are_not_masked_again() -> None:
    for key in ("sk-ant-admin01-" + "Zx9" * 12, ECHOED):
        Secret(key)
        once = scrub(f"a {key} b")
        assert scrub(once) == once and mask(key) in once


def test_item1_ordinary_text_is_left_alone() -> None:
    Secret(ECHOED)
    text = "Incorrect API key provided. See https://platform.openai.com/account/api-keys (sk-proj-…BnM5)."
    assert scrub(text) == text


def test_item13_registering_many_keys_indexes_them_once() -> None:
    """Registration only queues a key; the first scrub indexes the queue at once
    (no per-key sorting: 100k keys took ~330 s before, ~50 s now with the whole run)."""
    import oneinbox_check.secrets as secrets

    keys = [f"sk-proj-many{i:06d}" + "Mn8Bv7Cx6Z" * 4 for i in range(2000)]
    for key in keys:
        Secret(key)
    assert len(secrets._pending) >= 2000
    assert scrub(f"echo {keys[1234]} and {keys[42][:30]}") == f"echo {mask(keys[1234])} and {mask(keys[42])}"
    assert not secrets._pending


def test_item7_scrub_replaces_lone_surrogates() -> None:
    assert scrub("bad \ud800 body").encode("utf-8") == "bad \ufffd body".encode()


# --- issue 8 item 11: provider text for humans -------------------------------------------

@pytest.mark.parametrize(("raw", "safe"), [
    ("\x1b[2J\x1b[Hclear", "clear"),
    ("\x1b]0;title\x07text", "text"),
    ("bell\x07 nul\x00 del\x7f", "bell  nul  del "),
    ("rtl \u202eevil", "rtl  evil"),
    ("8-bit \x9b31mred", "8-bit red"),
    ("lone \ud800", "lone \ufffd"),
])
def test_item11_clean_strips_escapes_and_controls(raw: str, safe: str) -> None:
    assert clean(raw) == safe


def test_item11_clean_keeps_or_folds_newlines() -> None:
    assert clean("a\r\nb\tc") == "a\nb\tc"
    assert clean("a\nERROR forged", newlines=False) == "a ERROR forged"


def test_item1_log_filter_scrubs_and_keeps_one_line(caplog) -> None:
    Secret(ECHOED)
    record = logging.LogRecord("oneinbox_check.x", logging.INFO, __file__, 1, "GET %s -> %s", (
        "wss://u:p@h/x", ECHOED[:30] + "\nFAKE line"), None)
    assert ScrubFilter().filter(record)
    message = record.getMessage()
    assert ECHOED[10:22] not in message and "u:p@" not in message and "\n" not in message


def test_a_megabyte_of_one_character_as_keys_does_not_make_scrubbing_slow(monkeypatch) -> None:
    """Keys that repeat one anchor text (a pasted megabyte of "a") are indexed by the
    contexts they hold, not by every offset: before, each of the 15 keys' 32,768 "aaaaaa"
    anchors was verified at every position of an echoed run of "a" (minutes a scrub)."""
    from oneinbox_check import secrets

    for i in range(15):
        Secret(f"mega{i:02d}-" + "a" * 1_000_000 + "xyz")
    key = "sk-proj-" + "Mega7Echo3" * 5
    Secret(key)
    scrub("warm-up")  # indexes the keys (once)
    calls = 0
    verify = secrets._verify

    def counted(*args):
        nonlocal calls
        calls += 1
        return verify(*args)

    monkeypatch.setattr(secrets, "_verify", counted)
    out = scrub("a" * 5000 + " " + key + " " + "b" * 5000)
    # bounded by the keys' contexts (a few dozen here; others the session registered add theirs),
    # where indexing every offset verified 15 x 32,768 "aaaaaa" anchors at each position of the run
    assert calls < 20_000, calls
    assert key[8:20] not in out and "a" * 12 not in out  # and nothing of either key shows


@given(period=st.text(alphabet="ab7Z", min_size=1, max_size=5), repeats=st.integers(3, 30),
       tail=st.text(alphabet="xyQ9", min_size=0, max_size=8), start=st.integers(0, 400), data=st.data())
def test_every_window_of_a_repetitive_key_is_masked(period: str, repeats: int, tail: str, start: int,
                                                    data: st.DataObject) -> None:
    """Indexing a repeated anchor text once per context loses no WINDOW-run: any run of
    WINDOW characters of a periodic key, echoed between other text, is masked."""
    from oneinbox_check.secrets import WINDOW

    key = "sk-proj-" + (period * repeats)[:start % 200 + 20] + tail
    Secret(key)
    secret = key[len("sk-proj-"):]
    if len(secret) < WINDOW:
        return
    at = data.draw(st.integers(0, len(secret) - WINDOW))
    window = secret[at:at + WINDOW]
    out = scrub(f"the server said: <{window}> and more")
    assert window not in out, (key, window, out)

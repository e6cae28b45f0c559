"""The leak sweep (issue 8, SPEC §8, §13): hostile servers on loopback echo the
key back in every shape they can, and no output of the checker — any format,
``-v``/``-vv`` logs, the ``--output`` file, the ``--state`` file — holds the
key, any 12-character window of it, or of its base64 or URL-encoded forms.
Provider text that is hostile in other ways (escape sequences, a lone
surrogate) is made safe in every format, and never crashes the run.

The sweep also runs for every registered provider (``test_no_provider_leaks_its_echoed_key``):
each one's ``KEY`` and ``METADATA`` from tests/probes/test_<provider>.py, every
endpoint its probe declares pointed at the echo server; a probe that declares
none (its URL is in the metadata) gives ``LEAK_METADATA(base)`` instead. A
registered provider without them fails ``test_every_provider_has_leak_rows``.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

from oneinbox_check.probes.registry import load_registry
from tests.helpers import run_cli, write_manifest
from tests.probes import rows
from tests.hostile.echo import ECHOES, EchoServer, _sent_key

KEY = "sk-proj-" + "Hs7vQm2LxP9dWn4KbT6yRc8ZfJ3gUe5A" * 2  # a well-formed OpenAI key, never real
FORMATS = ["table", "json", "junit", "markdown", "prometheus"]
WINDOW = 12


@pytest.fixture(scope="module")
def server():
    with EchoServer() as echo:
        yield echo


def windows(text: str, start: int = 0) -> set[str]:
    return {text[i:i + WINDOW] for i in range(start, len(text) - WINDOW + 1)}


def needles(key: str) -> set[str]:
    """The key, every 12-character window of it, of its base64 forms and of its URL-encoded form.

    (The first two base64 characters encode only the public ``sk-proj-`` prefix.)
    """
    encoded = base64.b64encode(key.encode()).decode()
    return ({key} | windows(key) | windows(encoded, 2) | windows(encoded.replace("+", "-").replace("/", "_"), 2)
            | windows(quote(key, safe="")))


def leaks(texts: dict[str, str], key: str) -> list[str]:
    found = needles(key)
    return [f"{where}: {needle!r}" for where, text in texts.items() for needle in found if needle in text]


def sweep(capsys, tmp_path, manifest: list[dict], fmt: str, *flags: str) -> dict[str, str]:
    """Run ``check`` twice (``-vv`` to stdout; ``-v`` with ``--output`` and ``--state``)
    and return every text the checker wrote."""
    path = write_manifest(tmp_path, manifest)
    out_file, state = tmp_path / f"report.{fmt}", tmp_path / "state.json"
    code, out, err = run_cli(capsys, "check", path, "--retries", "0", "--timeout", "3", "-vv",
                             "--format", fmt, *flags)
    code2, out2, err2 = run_cli(capsys, "check", path, "--retries", "0", "--timeout", "3", "-v", "--format", fmt,
                                "--output", str(out_file), "--state", str(state), *flags)
    assert code not in (70, 2) and code2 not in (70, 2), err + err2
    return {"stdout": out, "stderr -vv": err, "stdout (-o)": out2, "stderr -v": err2,
            "--output": out_file.read_bytes().decode("utf-8"), "--state": state.read_text(encoding="utf-8")}


def openai(server: EchoServer, mode: str) -> tuple[list[dict], tuple[str, ...]]:
    return ([{"name": "leaky", "provider": "openai", "api_key": KEY}],
            ("--endpoint", f"openai={server.base}/{mode}"))


ECHO_MODES = [m for m in ECHOES if m != "escape"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_item1_truncated_echo_is_masked_in_every_format(server, capsys, tmp_path, fmt: str) -> None:
    manifest, flags = openai(server, "truncated")
    texts = sweep(capsys, tmp_path, manifest, fmt, *flags)
    assert not leaks(texts, KEY)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mode", ECHO_MODES)
def test_item1_no_echo_shape_leaks_the_key_in_any_output(server, capsys, tmp_path, mode: str, fmt: str) -> None:
    manifest, flags = openai(server, mode)
    assert not leaks(sweep(capsys, tmp_path, manifest, fmt, *flags), KEY)


@pytest.mark.parametrize("mode", ["truncated", "split-lines", "base64", "long"])
def test_item1_echoes_in_a_server_error_are_masked_too(server, capsys, tmp_path, mode: str) -> None:
    manifest, flags = openai(server, f"{mode}/500")
    assert not leaks(sweep(capsys, tmp_path, manifest, "json", *flags), KEY)


def test_item1_the_mask_still_says_which_key_it_was(server, capsys, tmp_path) -> None:
    manifest, flags = openai(server, "truncated")
    texts = sweep(capsys, tmp_path, manifest, "table", *flags)
    assert "sk-proj-…Ue5A" in texts["stdout"]


def public_prefix(key: str) -> str:
    """The longest registered mask prefix *key* starts with: the part the mask shows on purpose."""
    return next((p for p in load_registry().mask_prefixes() if key.startswith(p)), "")


def secret_needles(key: str) -> set[str]:
    """:func:`needles`, less the windows that lie wholly inside the public prefix (or its encodings)."""
    prefix = public_prefix(key)
    encoded = base64.b64encode(key.encode()).decode()
    skip_b64 = len(prefix) // 3 * 4  # base64 characters that encode the prefix alone
    quoted, skip_quoted = quote(key, safe=""), len(quote(prefix, safe=""))
    start = max(0, len(prefix) - WINDOW + 1)
    return ({key} | windows(key, start) | windows(encoded, max(0, skip_b64 - WINDOW + 1))
            | windows(encoded.replace("+", "-").replace("/", "_"), max(0, skip_b64 - WINDOW + 1))
            | windows(quoted, max(0, skip_quoted - WINDOW + 1)))


@pytest.mark.parametrize("provider", rows.providers())
def test_every_provider_has_leak_rows(provider: str) -> None:
    problem = rows.missing(provider, "KEY")
    assert problem is None, problem
    if not load_registry().get(provider).endpoints:
        problem = rows.missing(provider, "LEAK_METADATA")
        assert problem is None, problem + " (its probe declares no endpoint to point at the echo server)"


@pytest.mark.parametrize("provider", sorted(rows.keys()))
def test_no_provider_leaks_its_echoed_key(server, dns_server, capsys, tmp_path, provider: str) -> None:
    key, probe = rows.keys()[provider], load_registry().get(provider)
    make = rows.row(provider, "LEAK_METADATA", None)
    metadata = make(server.base) if make is not None else rows.metadata(provider)
    flags = [f"--nameserver={dns_server.address}"]  # any DNS question stays on loopback
    for name in probe.endpoints:
        flags += ["--endpoint", f"{name}={server.base}/whole"]
    manifest = [{"name": "leaky", "provider": provider, "api_key": key, "metadata": metadata}]
    before = len(server.requests)
    texts = sweep(capsys, tmp_path, manifest, "json", *flags)
    found = [f"{where}: {needle!r}" for where, text in texts.items() for needle in secret_needles(key)
             if needle in text]
    assert not found
    # the server really had the key to echo (a sweep that never reached it would prove nothing)
    assert any(key in _sent_key(headers) for _, headers in server.requests[before:]), provider


SPECIAL = "tok+en/with=special&chars-9q8w7e6r"  # a custom server token whose URL-encoded form differs


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mode", ["whole", "urlencoded", "base64", "truncated"])
def test_item1_a_custom_servers_echo_of_its_token_is_masked(server, capsys, tmp_path, mode: str, fmt: str) -> None:
    manifest = [{"name": "llm", "provider": "custom", "api_key": SPECIAL,
                 "custom_websocket_url": f"{server.base.replace('http', 'ws', 1)}/{mode}"}]
    assert not leaks(sweep(capsys, tmp_path, manifest, fmt), SPECIAL)


@pytest.mark.parametrize("fmt", FORMATS)
def test_item1_a_short_token_echoed_whole_is_masked(server, capsys, tmp_path, fmt: str) -> None:
    short = "tQ9zW4k"  # under 8 characters
    manifest = [{"name": "llm", "provider": "custom", "api_key": short,
                 "custom_websocket_url": f"{server.base.replace('http', 'ws', 1)}/whole"}]
    texts = sweep(capsys, tmp_path, manifest, fmt)
    assert server.requests[-1][1].get("Authorization") == f"Bearer {short}"  # it was sent, and echoed
    assert not [where for where, text in texts.items() if short in text]


@pytest.mark.parametrize("fmt", FORMATS)
def test_item1_url_user_info_never_shows(server, capsys, tmp_path, fmt: str) -> None:
    password = "Pa55-w0rd-xq7Zk2"
    url = server.base.replace("http://", f"ws://bob:{password}@", 1) + "/whole"
    manifest = [{"name": "llm", "provider": "custom", "custom_websocket_url": url}]
    texts = sweep(capsys, tmp_path, manifest, fmt)
    assert not leaks(texts, password)
    assert not [where for where, text in texts.items() if f"bob:{password}" in text or password[:8] in text]


HUMAN = ["table", "markdown", "junit"]


@pytest.mark.parametrize("fmt", HUMAN)
def test_item11_escape_sequences_and_control_characters_never_reach_human_formats(
        server, capsys, tmp_path, fmt: str) -> None:
    manifest, flags = openai(server, "escape")
    texts = sweep(capsys, tmp_path, manifest, fmt, *flags)
    for where in ("stdout", "--output"):
        text = texts[where]
        assert "bad key" in text  # the message is shown, only made safe
        for bad in ("\x1b", "\x00", "\x08", "\x0b", "\x07", "\x9b", "\u202e"):
            assert bad not in text, (where, repr(bad))


def test_item11_junit_is_valid_xml_whatever_the_provider_said(server, capsys, tmp_path) -> None:
    for mode in ("escape", "surrogate", "long"):
        manifest, flags = openai(server, mode)
        texts = sweep(capsys, tmp_path, manifest, "junit", *flags)
        ET.fromstring(texts["--output"].encode("utf-8"))
        ET.fromstring(texts["stdout"].encode("utf-8"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_item7_a_lone_surrogate_in_a_401_body_is_replaced_in_every_format(
        server, capsys, tmp_path, fmt: str) -> None:
    manifest, flags = openai(server, "surrogate")
    texts = sweep(capsys, tmp_path, manifest, fmt, *flags)  # exit 70 or unreadable output fails here
    for text in texts.values():
        text.encode("utf-8")  # strict: valid UTF-8
    if fmt in ("table", "markdown", "junit", "json"):
        assert "\ufffd" in texts["--output"]


def test_item11_a_path_with_a_newline_cannot_forge_a_stderr_line(capsys, tmp_path) -> None:
    code, out, err = run_cli(capsys, "check", str(tmp_path / "x\nERROR: forged"))
    assert code == 2
    assert not any(line.startswith("ERROR: forged") for line in err.splitlines())

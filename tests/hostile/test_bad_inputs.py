"""The bad-input corpus (issue 8): hostile or broken manifests, as files and on
stdin, through the CLI in-process. Whatever the input, the outcome is a
verdict or a usage error — never exit 70 (internal error), never a traceback.
"""

from __future__ import annotations

import io
import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oneinbox_check.cli import main

KEY = "sk-proj-" + "C0rpus" * 10
OK = {"name": "ok", "provider": "openai", "api_key": KEY}
CAL = {"name": "Cal", "provider": "calcom", "api_key": "cal_live_" + "0123456789abcdef" * 2}


def _tool(event_type_id: str) -> bytes:
    return ('{"integrations": [%s], "tools": [{"type": "schedule_calendar_event", "integration": "Cal", '
            '"event_type_id": %s}]}' % (json.dumps(CAL), event_type_id)).encode()


JSON_CORPUS: dict[str, bytes] = {
    "deep-list": b"[" * 10_000 + b"]" * 10_000,
    "deep-object": b'{"a": ' * 10_000 + b"1" + b"}" * 10_000,
    "deep-metadata": ('{"name": "x", "provider": "openai", "metadata": ' + '{"a": ' * 3000 + "1" + "}" * 3001).encode(),
    "unclosed-deep": b"[" * 100_000,
    "surrogate-name": b'{"name": "x\\ud800", "provider": "openai", "api_key": "' + KEY.encode() + b'"}',
    "surrogate-low-name": b'[{"name": "\\udfff", "provider": "openai", "api_key": "k"}]',
    "surrogate-key": b'{"name": "x", "provider": "openai", "api_key": "sk-\\ud800"}',
    "surrogate-dict-key": b'{"name": "x", "provider": "resend", "metadata": {"\\ud800": 1}}',
    "surrogate-provider": b'{"name": "x", "provider": "open\\udc00ai"}',
    "duplicate-api-key": b'{"name": "x", "provider": "openai", "api_key": "a", "api_key": "b"}',
    "duplicate-integrations": b'{"integrations": [], "integrations": [{"name": "x", "provider": "openai"}]}',
    "duplicate-tools": b'{"integrations": [{"name": "x", "provider": "openai"}], "tools": [], "tools": []}',
    "megabyte-api-key": json.dumps({**OK, "api_key": "sk-proj-" + "A" * 1_000_000}).encode(),
    "megabyte-name": json.dumps({**OK, "name": "n" * 1_000_000}).encode(),
    "event-type-id-text": _tool('"abc"'),
    "event-type-id-bool": _tool("true"),
    "event-type-id-float": _tool("1.5"),
    "event-type-id-huge": _tool("1" + "0" * 5000),
    "event-type-id-null": _tool("null"),
    "empty-list": b"[]",
    "empty-integrations": b'{"integrations": []}',
    "only-tools": b'{"tools": [{"type": "send_email", "integration": "x"}]}',
    "empty": b"",
    "whitespace": b"  \n\t ",
    "bom-only": b"\xef\xbb\xbf",
    "bom-body": b"\xef\xbb\xbf" + json.dumps(OK).encode(),
    "null": b"null",
    "number": b"0",
    "string": b'"x"',
    "true": b"true",
    "nan-name": b'{"name": NaN, "provider": "openai"}',
    "infinity-key": b'{"name": "x", "provider": "openai", "api_key": Infinity}',
    "not-utf8": b"\xff\xfe\xfd",
    "nul-bytes": b'{"name": "a\x00b", "provider": "openai"}',
    "escaped-nul-and-controls": b'{"name": "a\\u0000\\u001b[2J\\nFORGED", "provider": "openai", "api_key": "k"}',
    "integrations-null": b'{"integrations": null}',
    "integrations-junk": b'{"integrations": [null, 1, "x", [], {}]}',
    "metadata-list": b'{"name": "x", "provider": "resend", "api_key": "k", "metadata": [1, 2]}',
    "metadata-string": b'{"name": "x", "provider": "resend", "api_key": "k", "metadata": "from_email"}',
    "api-key-object": b'{"name": "x", "provider": "openai", "api_key": {"a": 1}}',
    "tool-integration-number": b'{"integrations": [{"name": "x", "provider": "openai"}], '
                               b'"tools": [{"type": "send_email", "integration": 5}]}',
    "tool-not-object": b'{"integrations": [{"name": "x", "provider": "openai"}], "tools": ["x", null]}',
    "unexpanded-variable": b'{"name": "x", "provider": "custom", '
                           b'"custom_websocket_url": "ws://127.0.0.1:9/${MY_SERVER_SECRET}"}',
    "variable-in-key-name": b'{"name": "x", "provider": "openai", "${HOME}": 1}',
    "many-duplicate-names": json.dumps([OK] * 300).encode(),
    "unknown-top-level": b'{"integrations": [], "extra": 1}',
    "long-key-name": json.dumps({**OK, "k" * 100_000: 1}).encode(),
}

TOML_CORPUS: dict[str, bytes] = {
    "deep-array": b"a = " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
    "deep-inline-table": b"a = " + b"{b = " * 5_000 + b"1" + b"}" * 5_000 + b"\n",
    "deep-table-header": b"[" + b".".join([b"a"] * 10_000) + b"]\n",
    "surrogate-escape": b'name = "\\ud800"\nprovider = "openai"\n',
    "duplicate-key": b'name = "a"\nname = "b"\nprovider = "openai"\n',
    "datetime-values": b'name = 1979-05-27T07:32:00Z\nprovider = "resend"\n[metadata]\nfrom_email = 1979-05-27\n',
    "event-type-id-text": b'[[integrations]]\nname = "Cal"\nprovider = "calcom"\napi_key = "k"\n'
                          b'[[tools]]\ntype = "schedule_calendar_event"\nintegration = "Cal"\nevent_type_id = "x"\n',
    "empty-integrations": b"integrations = []\n",
    "empty": b"",
    "not-utf8": b"name = \"\xff\"\n",
    "bom-body": b'\xef\xbb\xbfname = "x"\nprovider = "openai"\napi_key = "' + KEY.encode() + b'"\n',
}


def _run(capsys, argv: list[str], stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _assert_clean(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, err[-500:])
    assert "Traceback" not in err and "internal error" not in err, err[-500:]
    if code == 2:
        assert "error:" in err and out == ""


@pytest.mark.parametrize("case", sorted(JSON_CORPUS))
def test_bad_json_file_is_a_verdict_or_a_usage_error(tmp_path, capsys, case: str) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(JSON_CORPUS[case])
    _assert_clean(*_run(capsys, ["check", str(path), "--offline", "--format", "json"]))


@pytest.mark.parametrize("case", sorted(JSON_CORPUS))
def test_bad_json_on_stdin_is_a_verdict_or_a_usage_error(capsys, monkeypatch, case: str) -> None:
    _assert_clean(*_run(capsys, ["check", "-", "--offline", "--format", "table"], JSON_CORPUS[case], monkeypatch))


@pytest.mark.parametrize("case", sorted(TOML_CORPUS))
def test_bad_toml_file_is_a_verdict_or_a_usage_error(tmp_path, capsys, case: str) -> None:
    path = tmp_path / "m.toml"
    path.write_bytes(TOML_CORPUS[case])
    _assert_clean(*_run(capsys, ["check", str(path), "--offline", "--format", "json"]))


@pytest.mark.parametrize("fmt", ["table", "json", "junit", "markdown", "prometheus"])
@pytest.mark.parametrize("case", ["surrogate-name", "surrogate-dict-key", "escaped-nul-and-controls"])
def test_bad_text_in_names_renders_in_every_format(tmp_path, capsys, case: str, fmt: str) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(JSON_CORPUS[case])
    code, out, err = _run(capsys, ["check", str(path), "--offline", "--format", fmt])
    _assert_clean(code, out, err)
    assert "\ud800" not in out
    out.encode("utf-8")  # valid UTF-8, always


@pytest.mark.parametrize("case", ["surrogate-name", "event-type-id-text", "duplicate-api-key", "nan-name"])
def test_bad_entry_fails_input_schema_or_key_format_never_skips(tmp_path, capsys, case: str) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(JSON_CORPUS[case])
    code, out, _ = _run(capsys, ["check", str(path), "--offline", "--format", "json"])
    assert code == 1
    statuses = {c["id"]: c["status"] for i in json.loads(out)["integrations"] for c in i["checks"]}
    assert "fail" in (statuses.get("input.schema"), statuses.get("key.format"))


FRAGMENTS = st.sampled_from([
    "{", "}", "[", "]", ",", ":", '"name"', '"provider"', '"api_key"', '"metadata"', '"integrations"', '"tools"',
    '"openai"', '"resend"', '"calcom"', '"custom"', '"x"', '"\\ud800"', '"${HOME}"', "1", "-1", "1e999", "true",
    "null", "NaN", " ", "\n", '"type"', '"send_email"', '"schedule_calendar_event"', '"integration"',
    '"event_type_id"', '"from_email"', '"a@b.example"', '"custom_websocket_url"', '"ws://127.0.0.1:9/"',
])


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(FRAGMENTS, max_size=40))
def test_any_fragment_soup_on_stdin_never_crashes(fragments: list[str]) -> None:
    import contextlib

    stdin = io.TextIOWrapper(io.BytesIO("".join(fragments).encode()), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    sys.stdin = stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", "-", "--offline", "--format", "json"])
    finally:
        sys.stdin = old
    _assert_clean(code, out.getvalue(), err.getvalue())

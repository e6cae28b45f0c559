"""The one run path (issue 9 item 3): the CLI, the library and the demo build their run options
in ``session.run_options`` — once — from a typed ``Options`` and a ``Session``."""

from __future__ import annotations

import dataclasses

import pytest

from oneinbox_check import check_sync, session
from oneinbox_check.outputs import Output
from oneinbox_check.probes.registry import load_registry
from tests.helpers import run_cli, write_manifest

GROQ = {"name": "g", "provider": "groq", "api_key": "gsk_" + "a1" * 26}


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[session.Options]:
    """Every ``Options`` that became ``RunOptions``, in order."""
    seen: list[session.Options] = []
    real = session.run_options

    def spy(sess: session.Session, options: session.Options, **kw: object) -> object:
        seen.append(options)
        return real(sess, options, **kw)

    monkeypatch.setattr(session, "run_options", spy)
    return seen


def test_the_check_command_builds_its_run_options_once_in_the_session(tmp_path, capsys, built) -> None:
    code, _, _ = run_cli(capsys, "check", write_manifest(tmp_path, [GROQ]), "--offline", "--strict")
    assert code == 0
    assert len(built) == 1 and built[0].offline and built[0].strict and built[0].output.strict


def test_the_library_builds_its_run_options_once_in_the_session(built) -> None:
    report = check_sync([GROQ], offline=True, only=["key.*"])
    assert report.exit_code == 0
    assert len(built) == 1 and built[0].only == ("key.*",) and built[0].selection_names == ("only", "skip")


def test_the_cli_options_are_typed_not_an_argparse_namespace(tmp_path, capsys, built) -> None:
    run_cli(capsys, "check", write_manifest(tmp_path, [GROQ]), "--offline", "--format", "json", "-q")
    assert dataclasses.is_dataclass(built[0]) and isinstance(built[0].output, Output)
    assert built[0].output.format == "json" and built[0].output.quiet


def test_a_sandbox_session_comes_before_the_flags() -> None:
    """The sandbox's base URLs and nameserver are the defaults the flags may still override."""
    sess = session.Session([], load_registry(), endpoints={"groq": "http://127.0.0.1:1/sandbox"},
                           nameservers=["127.0.0.1:5353"])
    options = session.run_options(sess, session.Options(endpoints=("openai=http://127.0.0.1:2",),
                                                        nameservers=("127.0.0.2",)))
    assert options.endpoints["groq"] == "http://127.0.0.1:1/sandbox"
    assert options.endpoints["openai"] == "http://127.0.0.1:2"
    assert list(options.nameservers) == [("127.0.0.1", 5353), ("127.0.0.2", 53)]
    flagged = session.run_options(sess, session.Options(endpoints=("groq=http://127.0.0.1:3",)))
    assert flagged.endpoints["groq"] == "http://127.0.0.1:3"




def _raw(items: list[dict]) -> object:
    from oneinbox_check.manifest import RawItem, RawManifest

    return RawManifest([RawItem("t", i, d) for i, d in enumerate(items)])

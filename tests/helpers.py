"""Small helpers shared by tests."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oneinbox_check.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: Any, *argv: str) -> tuple[int, dict]:
    code, out, err = run_cli(capsys, *argv, "--format", "json")
    assert out, err
    return code, json.loads(out)


_setenv: Callable[[str, str], None] | None = None
"""Set by conftest for each test (``monkeypatch.setenv``), so the variables below are unset after it."""


def key_reference(value: str) -> str:
    """``${NAME}`` standing for *value*, with NAME set in this test's environment.

    Keys do not live in manifest files (SPEC §3: a literal key is an ``input.schema`` warn), so
    tests write references the way users do. NAME is derived from the value: the same key is
    always the same variable, in this process and in subprocesses that inherit its environment."""
    name = "OIC_TEST_KEY_" + hashlib.sha256(value.encode()).hexdigest()[:16].upper()
    (_setenv or os.environ.__setitem__)(name, value)
    return "${" + name + "}"


def _referable(value: Any) -> bool:
    """A key an environment variable can carry as is (a lone surrogate or NUL cannot be one,
    and a value that already holds ``${`` stays what the test wrote)."""
    if not isinstance(value, str) or not value.strip() or "${" in value or "\0" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def refer_keys(data: Any) -> Any:
    """*data* (a body, a list of bodies, or ``{"integrations": [...]}``) with every ``api_key``
    that is a plain string replaced by a :func:`key_reference`."""
    if isinstance(data, list):
        return [refer_keys(item) for item in data]
    if isinstance(data, dict):
        out = {k: refer_keys(v) if k == "integrations" else v for k, v in data.items()}
        if _referable(out.get("api_key")):
            out["api_key"] = key_reference(out["api_key"])
        return out
    return data


def write_manifest(tmp_path: Path, data: Any, name: str = "m.json", *, literal_keys: bool = False) -> str:
    """Write *data* as a JSON manifest (a string: as given). Keys become ``${NAME}`` references
    (:func:`refer_keys`) unless *literal_keys*: the file holds what a user's file should."""
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_text(json.dumps(data if literal_keys else refer_keys(data)))
    return str(path)


def checks_of(report: dict, name: str) -> dict[str, dict]:
    integ = next(i for i in report["integrations"] if i["name"] == name)
    return {c["id"]: c for c in integ["checks"]}


def status_of(report: dict, name: str) -> str:
    return next(i for i in report["integrations"] if i["name"] == name)["status"]


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused at once)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def short_timeout(resolver, seconds: float = 0.3):
    """For a test that waits for a DNS timeout: the resolver reads its timeout on each attempt."""
    resolver.timeout = seconds
    return resolver

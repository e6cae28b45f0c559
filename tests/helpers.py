"""Small helpers shared by tests."""

from __future__ import annotations

import json
import socket
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


def write_manifest(tmp_path: Path, data: Any, name: str = "m.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
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

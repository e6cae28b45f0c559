"""The library as a caller sees it: check_sync mirrors check, works inside a running loop, and a
typed example passes mypy --strict."""

from __future__ import annotations

import inspect
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import oneinbox_check
from oneinbox_check import check, check_sync

BODY = {"name": "x", "provider": "openai", "api_key": "sk-proj-" + "L" * 48}


def test_check_sync_has_checks_explicit_typed_parameters():
    ours = inspect.signature(check_sync).parameters
    theirs = inspect.signature(check).parameters
    assert [n for n in ours if n != "backend"] == list(theirs)
    for name, param in theirs.items():
        assert ours[name].kind == param.kind and ours[name].default == param.default, name
        assert ours[name].annotation == param.annotation, name
    assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in ours.values())


def test_check_sync_from_plain_code():
    assert check_sync([BODY], offline=True).summary.integrations == 1


@pytest.mark.anyio
async def test_check_sync_inside_a_running_event_loop_uses_a_worker_thread():
    report = check_sync([BODY], offline=True)
    assert report.integrations[0].status.value == "pass"


def test_errors_and_result_types_are_exported():
    for name in ("ManifestError", "UsageError", "Report", "IntegrationReport", "CheckResult", "Status"):
        assert name in oneinbox_check.__all__ and getattr(oneinbox_check, name) is not None
    with pytest.raises(oneinbox_check.ManifestError):
        oneinbox_check.load_manifest("/nonexistent/m.toml")


def test_public_functions_have_docstrings():
    for name in ("check", "check_sync", "load_manifest"):
        assert (getattr(oneinbox_check, name).__doc__ or "").strip(), name


EXAMPLE = """
from oneinbox_check import Integration, Report, Status, check_sync


def broken(report: Report) -> list[str]:
    return [i.name for i in report.integrations if i.status in (Status.FAIL, Status.ERROR)]


report: Report = check_sync([Integration(name="x", provider="openai", api_key=None)], offline=True)
names: list[str] = broken(report)
"""


@pytest.mark.skipif(shutil.which("mypy") is None and not (Path(sys.executable).parent / "mypy").exists(),
                    reason="mypy is not installed")
def test_a_typed_example_passes_mypy_strict(tmp_path: Path):
    example = tmp_path / "example.py"
    example.write_text(textwrap.dedent(EXAMPLE))
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                           "--cache-dir", str(tmp_path / ".mypy"), str(example)],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr

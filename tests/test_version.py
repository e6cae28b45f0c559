"""The version is a static module read by the build (no importlib.metadata at run time)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import oneinbox_check
from oneinbox_check._version import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_reads_the_version_from_the_version_module() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "oneinbox_check._version.__version__"}


def test_package_version_is_the_installed_distribution_version() -> None:
    assert oneinbox_check.__version__ == __version__ == version("oneinbox-check")


def test_version_flag_does_not_import_importlib_metadata() -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "oneinbox_check", "--version"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0 and proc.stdout.strip() == f"oneinbox-check {__version__}"
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "importlib.metadata" not in imported

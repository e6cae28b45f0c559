"""Packaging a team can approve: licence, metadata, changelog with its versioning policy."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_licence_is_permissive_and_declared():
    assert PROJECT["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "LICENSE" in PROJECT["license-files"]


def test_metadata_a_reviewer_needs_is_present():
    for field in ("description", "readme", "authors", "keywords", "classifiers", "urls", "requires-python"):
        assert PROJECT.get(field), field
    assert "Programming Language :: Python :: 3.11" in PROJECT["classifiers"]
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"]), \
        "with a SPDX `license` expression, licence classifiers are rejected by setuptools"


def test_changelog_states_the_versioning_policy():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## Versioning policy" in text
    assert "semantic versioning" in text
    assert "schema_version" in text


def test_the_small_phone_number_library_is_used():
    deps = " ".join(PROJECT["dependencies"])
    assert "phonenumberslite" in deps
    assert "phonenumbers>" not in deps.replace("phonenumberslite", "")

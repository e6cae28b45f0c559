"""fixtures/ holds copies of the packaged sandbox data for readers and other
tools; they must not drift from what the package ships."""

from __future__ import annotations

import json
from importlib import resources

from oneinbox_check.sandbox import zones
from tests.helpers import FIXTURES


def test_demo_manifest_copy_matches_the_package() -> None:
    packaged = resources.files("oneinbox_check.sandbox").joinpath("demo.toml").read_text()
    assert (FIXTURES / "manifests" / "demo.toml").read_text() == packaged


def test_zone_copy_matches_the_package() -> None:
    data = json.loads((FIXTURES / "zones" / "sandbox.json").read_text())
    assert data == {"zones": zones.build(), "faults": zones.FAULTS}

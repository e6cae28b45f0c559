"""fixtures/ holds data generated from the sandbox for readers and other tools;
it must not drift from what the package ships.

Regenerate ``fixtures/zones/sandbox.json`` after changing a fake's zones with
``python -m tests.test_fixtures``.
"""

from __future__ import annotations

import json

from oneinbox_check.sandbox import scenario
from tests.helpers import FIXTURES

ZONE_FIXTURE = FIXTURES / "zones" / "sandbox.json"


def zone_fixture() -> dict:
    """What ``fixtures/zones/sandbox.json`` holds: every fake's DNS zones and the DNS faults."""
    return {"zones": scenario.zone_records(), "faults": scenario.DNS_FAULTS}


def test_zone_copy_matches_the_package() -> None:
    data = json.loads(ZONE_FIXTURE.read_text())
    assert data == zone_fixture()


def test_the_demo_manifest_has_no_copy_in_fixtures() -> None:
    """The demo manifest lives once, in the package (``sandbox/demo.toml``); tests read that one."""
    assert not list(FIXTURES.rglob("demo.toml"))


if __name__ == "__main__":
    ZONE_FIXTURE.write_text(json.dumps(zone_fixture(), indent=1, sort_keys=True))

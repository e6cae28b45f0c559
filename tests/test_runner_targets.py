"""The runner's one loop also checks keyless targets (``dns``): an entry with metadata and no integration."""

from __future__ import annotations

import pytest

from oneinbox_check import runner
from oneinbox_check.manifest import Entry
from oneinbox_check.models import CheckResult, Status
from oneinbox_check.probes._base import Probe, ProbeContext, Registry

pytestmark = pytest.mark.anyio


class _Target(Probe):
    providers = ("target",)
    check_ids = ("t.one", "t.two")
    key_required = False

    def __init__(self, sleep: float = 0.0):
        self.sleep = sleep

    async def run(self, ctx):  # type: ignore[no-untyped-def]
        import anyio

        await anyio.sleep(self.sleep)
        return [CheckResult(id="t.one", status=Status.PASS, summary=f"looked at {ctx.metadata}")]


async def test_a_keyless_target_row_is_written_by_its_probe_alone() -> None:
    report = await runner.run([Entry("x", "target", metadata="x.example")], Registry({"target": _Target()}),
                              runner.RunOptions(pace=False, context=ProbeContext))
    checks = report.integrations[0].checks
    assert [(c.id, c.status, c.summary) for c in checks] == [("t.one", Status.PASS, "looked at x.example")]
    assert report.exit_code == 0 and report.integrations[0].masked_key is None


async def test_a_keyless_target_over_its_budget_reports_every_check_of_its_probe_as_error() -> None:
    report = await runner.run([Entry("x", "target", metadata="x.example")], Registry({"target": _Target(5.0)}),
                              runner.RunOptions(pace=False, budget=0.2, context=ProbeContext))
    checks = report.integrations[0].checks
    assert [(c.id, c.status) for c in checks] == [("t.one", Status.ERROR), ("t.two", Status.ERROR)]
    assert "time budget" in checks[0].summary and report.exit_code == 3

"""A large report holds one instance of each repeated, detail-less result
(frozen models), not one per integration (issue 12: no avoidable per-integration copies)."""

from __future__ import annotations

from oneinbox_check import check_sync
from oneinbox_check.models import CheckResult, Status
from oneinbox_check.runner import _Scrubber

KEY = "sk-proj-" + "Qm3Vx8Lr2Tz6Hn1Wc9Pb4Ky7Dg5Js0Af3Ue8Io" + "{:06d}"


def test_equal_detail_less_results_of_an_offline_run_are_one_instance() -> None:
    report = check_sync([{"name": f"i{n}", "provider": "openai", "api_key": KEY.format(n)} for n in range(50)],
                        offline=True)
    skips = [c for i in report.integrations for c in i.checks if c.status == Status.SKIP]
    assert len(skips) == 50
    assert len({id(c) for c in skips}) == 1


def test_results_with_details_are_never_shared() -> None:
    scrubber = _Scrubber()
    a = CheckResult(id="key.format", status=Status.PASS, summary="ok", details={"length": 1})
    b = CheckResult(id="key.format", status=Status.PASS, summary="ok", details={"length": 1})
    assert scrubber.result(a) is a and scrubber.result(b) is b


def test_results_that_differ_in_any_field_stay_apart() -> None:
    scrubber = _Scrubber()
    a = CheckResult(id="key.auth", status=Status.SKIP, summary="offline run: live checks not run")
    b = CheckResult(id="key.auth", status=Status.SKIP, summary="offline run: live checks not run", duration_ms=3)
    c = CheckResult(id="key.auth", status=Status.SKIP, summary="offline run: live checks not run")
    assert scrubber.result(a) is a and scrubber.result(b) is b and scrubber.result(c) is a

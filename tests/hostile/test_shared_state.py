"""Attacks on the memory/speed changes of issue 12 (written by an outside reviewer;
each failing one was a bug, now fixed): fields sets per instance, shared results
and collector settings in overlapping runs, the ``--version`` launcher."""

from __future__ import annotations

import functools
import gc
import subprocess
import sys
import threading

import anyio
import pytest

import oneinbox_check
from oneinbox_check.models import CheckResult, Integration, IntegrationReport, Status
from tests.helpers import run_cli, write_manifest
from tests.hostile.echo import EchoServer
from tests.hostile.test_leaks import FORMATS, leaks, sweep


def _report(**fields) -> IntegrationReport:
    return IntegrationReport(name="a", provider="openai", status=Status.PASS, checks=[], **fields)


# --- shared fields sets (models._Lean) --------------------------------------------------


def test_assigning_a_field_marks_it_set_on_that_instance_only() -> None:
    a, b = _report(), _report()
    a.change = "new"
    assert "change" in a.model_dump(exclude_unset=True)
    assert "change" not in b.model_dump(exclude_unset=True)
    assert "change" not in _report().model_dump(exclude_unset=True)


def test_model_copy_with_update_marks_the_update_set_on_the_copy_only() -> None:
    a = _report()
    b = a.model_copy(update={"masked_key": "sk-…abcd"})
    assert "masked_key" in b.model_fields_set
    assert "masked_key" not in a.model_fields_set
    assert "masked_key" not in _report().model_fields_set


def test_a_frozen_result_copied_with_an_update_leaves_other_results_unset() -> None:
    a = CheckResult(id="key.auth", status=Status.PASS, summary="ok")
    a.model_copy(update={"remediation": "r"})
    assert CheckResult(id="x", status=Status.PASS, summary="y").model_dump(exclude_unset=True).keys() == \
        {"id", "status", "summary"}


def test_model_validate_and_model_construct_keep_their_own_fields_set() -> None:
    validated = IntegrationReport.model_validate({"name": "a", "provider": "p", "status": "pass", "checks": []})
    built = IntegrationReport.model_construct(name="a", provider="p", status=Status.PASS, checks=[], change="new")
    assert validated.model_fields_set == {"name", "provider", "status", "checks"}
    assert "change" in built.model_fields_set and "change" not in validated.model_fields_set


def test_integrations_do_not_share_their_metadata_dicts() -> None:
    a = Integration(name="a", provider="openai")
    b = Integration(name="b", provider="openai")
    a.metadata["x"] = 1
    assert b.metadata == {}


def test_marking_a_field_set_on_one_report_does_not_mark_it_on_others() -> None:
    a = _report()
    a.model_fields_set.add("rotated")
    try:
        assert "rotated" not in _report().model_dump(exclude_unset=True)
    finally:
        a.model_fields_set.discard("rotated")  # the shared set lives as long as the test session


def test_a_fields_set_given_to_model_construct_is_not_shared_with_later_instances() -> None:
    mine = {"name", "provider", "status", "checks", "rotated"}
    IntegrationReport.model_construct(_fields_set=mine, name="a", provider="p", status=Status.PASS, checks=[])
    mine.add("masked_key")
    try:
        later = _report(rotated=True)
        assert "masked_key" not in later.model_dump(exclude_unset=True)
    finally:
        mine.discard("masked_key")


# --- the runner: gc thresholds and freeze, concurrent runs --------------------------------


def _offline_integrations(n: int = 5) -> list[dict]:
    return [{"name": f"o{i}", "provider": "openai", "api_key": "sk-proj-" + "Ab3dE" * 9 + f"{i:03d}"}
            for i in range(n)]


def test_one_run_gives_back_the_gc_thresholds() -> None:
    before = gc.get_threshold()
    oneinbox_check.check_sync(_offline_integrations(), offline=True)
    assert gc.get_threshold() == before


def test_two_overlapping_runs_in_one_loop_give_back_the_gc_thresholds() -> None:
    before = gc.get_threshold()

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(functools.partial(oneinbox_check.check, _offline_integrations(), offline=True))
            await anyio.sleep(0)
            tg.start_soon(functools.partial(oneinbox_check.check, _offline_integrations(200), offline=True))

    try:
        anyio.run(main)
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)


def test_runs_in_two_threads_give_back_the_gc_thresholds() -> None:
    from oneinbox_check import session
    from oneinbox_check.manifest import RawItem, RawManifest

    before = gc.get_threshold()
    a_inside, b_started, a_done = threading.Event(), threading.Event(), threading.Event()

    def run(progress) -> None:
        raw = RawManifest(integrations=[RawItem("<library>", i, d, False)
                                        for i, d in enumerate(_offline_integrations(2))])
        checked = session.from_manifest(raw, {})
        anyio.run(functools.partial(session.check, checked, session.Options(offline=True), progress=progress))

    def a_progress(done: int, total: int) -> None:
        a_inside.set()
        b_started.wait(timeout=10)  # A is inside its run until B's has begun

    def b_progress(done: int, total: int) -> None:
        b_started.set()
        a_done.wait(timeout=10)  # B ends after A

    def a() -> None:
        try:
            run(a_progress)
        finally:
            a_done.set()

    threads = [threading.Thread(target=a), threading.Thread(target=run, args=(b_progress,))]
    try:
        threads[0].start()
        assert a_inside.wait(timeout=10)  # B starts once A is inside its run
        threads[1].start()
        for t in threads:
            t.join(timeout=30)
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)


def test_a_run_keeps_what_the_caller_froze_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        oneinbox_check.check_sync(_offline_integrations(), offline=True)
        assert gc.get_freeze_count() > frozen // 2  # not unfrozen (a few frozen objects may die meanwhile)
    finally:
        gc.unfreeze()


def test_two_concurrent_runs_in_one_loop_report_what_each_would_alone() -> None:
    small, large = _offline_integrations(3), _offline_integrations(50)[::-1]
    alone = [oneinbox_check.check_sync(m, offline=True) for m in (small, large)]
    together: list = [None, None]

    async def main() -> None:
        async def one(i: int, m: list[dict]) -> None:
            together[i] = await oneinbox_check.check(m, offline=True)

        async with anyio.create_task_group() as tg:
            tg.start_soon(one, 0, small)
            tg.start_soon(one, 1, large)

    before = gc.get_threshold()
    try:
        anyio.run(main)
    finally:
        gc.set_threshold(*before)
    for a, b in zip(alone, together):
        assert [i.model_dump(exclude={"checks": {"__all__": {"duration_ms"}}}) for i in a.integrations] == \
            [i.model_dump(exclude={"checks": {"__all__": {"duration_ms"}}}) for i in b.integrations]


KEYS = ["sk-proj-" + c * 40 + "Zq9X" for c in "ABCDEFGHJK"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_many_integrations_whose_keys_are_echoed_leak_none_of_them(capsys, tmp_path, fmt: str) -> None:
    # equal results are now shared as each entry finishes, before the scrub: ten keys,
    # three integrations each, all echoed back by the server, none may show
    with EchoServer() as server:
        manifest = [{"name": f"leaky-{i}-{j}", "provider": "openai", "api_key": key}
                    for i, key in enumerate(KEYS) for j in range(3)]
        texts = sweep(capsys, tmp_path, manifest, fmt, "--endpoint", f"openai={server.base}/truncated")
    assert not [leak for key in KEYS for leak in leaks(texts, key)]


# --- the --version launcher ---------------------------------------------------------------


def _launch(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "oneinbox_check", *args], capture_output=True, text=True,
                          timeout=30, **kwargs)


def test_version_with_other_arguments_still_prints_the_version() -> None:
    for args in (["--version", "--help"], ["--version", "check"], ["--version", "ünïcödé"]):
        done = _launch(*args)
        assert done.returncode == 0 and done.stdout.startswith("oneinbox-check "), (args, done.stderr)


def test_version_with_stdout_closed_is_no_traceback() -> None:
    done = subprocess.run([sys.executable, "-m", "oneinbox_check", "--version"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, timeout=30,
                          preexec_fn=lambda: __import__("os").close(1))
    assert "Traceback" not in done.stderr
    assert done.returncode == 0

"""Issue 12 item 4: an ``--offline`` run holds no avoidable per-integration objects and
loads no network stack (its peak RSS is the bench's ``memory`` figure)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from oneinbox_check.models import CheckResult, Integration, IntegrationReport, Status

OPENAI_KEY = "sk-proj-" + "Qm3Vx8Lr2Tz6Hn1Wc9Pb4Ky7Dg5Js0Af3Ue8Io" + "{:06d}"

_MODULES_AFTER_RUN = """
import io, os, sys
from oneinbox_check.cli import main
sys.stdin = io.TextIOWrapper(io.BytesIO(sys.argv[1].encode()))
code = main(["check", "-", "--offline", "--format", "json", "-o", os.devnull, "-q"])
print(sorted({m.split(".")[0] for m in sys.modules}))
raise SystemExit(code)
"""


def test_an_offline_run_imports_no_http_stack_and_no_dnspython() -> None:
    manifest = json.dumps([
        {"name": "o", "provider": "openai", "api_key": OPENAI_KEY.format(1)},
        {"name": "r", "provider": "resend", "api_key": "re_" + "Ab3" * 10, "from_email": "a@example.com"},
        {"name": "t", "provider": "twilio", "api_key": "ab" * 16, "metadata": {"account_sid": "AC" + "0" * 32}},
    ])
    proc = subprocess.run([sys.executable, "-c", _MODULES_AFTER_RUN, manifest], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode in (0, 1, 3), proc.stderr
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1].replace("'", '"')))
    assert loaded.isdisjoint({"httpx", "httpcore", "h11", "h2", "trio", "click", "rich", "pygments", "dns"}), loaded


# --- fields set per instance (pydantic's own, one set each) ------------------------------------------------------------------

def _report(name: str) -> IntegrationReport:
    return IntegrationReport(name=name, provider="openai", masked_key="sk-…0001", status=Status.PASS, checks=[])


def test_assigning_a_field_changes_only_that_instance_fields_set() -> None:
    a, b = _report("a"), _report("b")
    a.change = "new"
    assert "change" in a.model_fields_set and "change" not in b.model_fields_set
    assert "change" not in _report("c").model_fields_set


def test_a_copy_with_changes_leaves_the_shared_fields_set_alone() -> None:
    a = CheckResult(id="x", status=Status.PASS, summary="1")
    copy = a.model_copy(update={"duration_ms": 5})
    assert "duration_ms" in copy.model_fields_set and "duration_ms" not in a.model_fields_set
    assert "duration_ms" not in CheckResult(id="y", status=Status.PASS, summary="2").model_fields_set


def test_models_with_different_fields_set_keep_them_apart() -> None:
    plain = CheckResult(id="x", status=Status.PASS, summary="1")
    timed = CheckResult(id="x", status=Status.PASS, summary="1", duration_ms=3)
    assert plain.model_fields_set == {"id", "status", "summary"}
    assert timed.model_fields_set == {"id", "status", "summary", "duration_ms"}


# --- the runner -----------------------------------------------------------------------------------

@pytest.mark.anyio
async def test_jobs_that_never_wait_are_run_by_one_task() -> None:
    """An --offline run's jobs never yield: thousands of worker tasks would only take memory."""
    import anyio

    from oneinbox_check import runner

    existing: list[int] = []

    def job(i: int):
        async def go() -> None:
            existing.append(len(anyio.get_running_tasks()))
        return go

    assert await runner.run_all([job(i) for i in range(200)], handle_signals=False) is False
    assert len(existing) == 200 and max(existing) < 10  # not a worker task per job, waiting to start


@pytest.mark.anyio
async def test_once_a_job_waits_the_others_start_together() -> None:
    import anyio

    from oneinbox_check import runner

    in_flight = 0
    ran: list[int] = []
    all_in = anyio.Event()

    def job(i: int):
        async def go() -> None:
            nonlocal in_flight
            in_flight += 1
            if in_flight == 300:
                all_in.set()
            await all_in.wait()  # finishes only once all 300 run at once: no timing involved
            ran.append(i)
        return go

    with anyio.fail_after(10):  # the pool not growing to 300 leaves the jobs waiting: a timeout here
        await runner.run_all([job(i) for i in range(300)], handle_signals=False)
    assert sorted(ran) == list(range(300))


def test_the_run_s_jobs_are_made_as_they_are_taken() -> None:
    from oneinbox_check.runner import _Jobs

    seen: list[int] = []
    jobs = _Jobs(seen.append, 3)
    assert len(jobs) == 3 and seen == []
    for job in jobs:
        job()
    jobs[-1]()
    assert seen == [0, 1, 2, 2]
    with pytest.raises(IndexError):
        jobs[3]


class _FakeClient:
    made = 0

    def __init__(self) -> None:
        _FakeClient.made += 1
        self.entered = self.closed = False

    async def __aenter__(self) -> "_FakeClient":
        self.entered = True
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.closed = True

    async def get(self, url: str, **kw: object) -> str:
        assert self.entered and not self.closed
        return f"GET {url}"

    async def request(self, method: str, url: str, **kw: object) -> str:
        assert self.entered and not self.closed
        return f"{method} {url}"


@pytest.mark.anyio
async def test_the_offline_http_client_is_made_only_by_a_first_request_and_closed_with_the_run() -> None:
    from oneinbox_check.runner import _LazyHttp

    _FakeClient.made = 0
    async with _LazyHttp(_FakeClient):
        pass
    assert _FakeClient.made == 0
    made: list[_FakeClient] = []

    def make() -> _FakeClient:
        made.append(_FakeClient())
        return made[-1]

    async with _LazyHttp(make) as http:
        assert await http.get("http://127.0.0.1:1/a") == "GET http://127.0.0.1:1/a"
        assert await http.request("POST", "http://127.0.0.1:1/b") == "POST http://127.0.0.1:1/b"
    assert len(made) == 1 and made[0].closed


def test_equal_results_of_a_large_offline_run_are_few_instances() -> None:
    from oneinbox_check import check_sync

    report = check_sync([{"name": f"i{n}", "provider": "openai", "api_key": OPENAI_KEY.format(n)} for n in range(300)],
                        offline=True)
    results = {id(c) for i in report.integrations for c in i.checks}
    assert len(report.integrations) == 300 and len(results) <= 3


# --- the secrets index ----------------------------------------------------------------------------

RANDOM_KEYS = ("sk-proj-" + "Qm3Vx8Lr2Tz6Hn1Wc9Pb4Ky7Dg5Js0Af3Ue8Io000001",  # a known prefix
               "4e1f0c2b9a8d7e6f4e1f0c2b9a000001")  # none


@pytest.mark.parametrize("key", [
    *RANDOM_KEYS,
    "re_" + "x" * 13, "a" * 12, "b" * 13, "c" * 14, "d" * 40, "e" * 41, "f" * 42,  # every length mod 3 and 7
    "\"sk-ant-api03-" + "Zq8" * 30 + "\"",  # quoted: the prefix after the quote
    "key with/slash+plus=" + "Q" * 20,  # URL-encoded forms
    "ключ-" + "Ж" * 20,  # not ASCII
])
def test_the_anchor_count_that_sizes_the_index_is_the_number_of_anchors(key: str) -> None:
    from oneinbox_check import secrets
    from oneinbox_check.probes.registry import load_registry

    load_registry()  # its mask prefixes
    secrets._secrets.append(key)
    try:
        idx = len(secrets._secrets) - 1
        anchors, count = len(secrets._anchors(idx)), secrets._count(idx)
        # exact for a key without a repeated 6-character text (a real, random key); an upper bound
        # where the key repeats one (an anchor is indexed once per context: tests/test_secrets.py)
        assert anchors == count if key in RANDOM_KEYS else anchors <= count
    finally:
        secrets._secrets.pop()


# --- the JSON stream ------------------------------------------------------------------------------

def test_integrations_sharing_one_check_instance_stream_the_same_bytes_as_the_whole_render() -> None:
    from datetime import UTC, datetime

    from oneinbox_check.models import Report, Summary, ToolInfo
    from oneinbox_check.report import render
    from oneinbox_check.report.json import stream
    from oneinbox_check.secrets import Secret

    key = "sk-proj-" + "Sh4r3dK3y" * 5
    Secret(key)
    shared = CheckResult(id="key.auth", status=Status.SKIP, summary="offline run: live checks not run")
    echoed = CheckResult(id="key.format", status=Status.WARN, summary=f"odd {key}", remediation="fix it")
    detailed = CheckResult(id="key.format", status=Status.WARN, summary="unusual", details={"length": 7, "k": key})
    rows = [IntegrationReport(name=f"i{n}", provider="openai", masked_key="sk-proj-…0001", status=Status.WARN,
                              checks=[echoed, detailed, shared] if n % 2 else [shared, echoed])
            for n in range(6)]
    rows.append(IntegrationReport(name="none", provider="openai", status=Status.SKIP, checks=[]))
    report = Report(tool=ToolInfo(version="0"), started_at=datetime.now(UTC), duration_ms=1, exit_code=0,
                    summary=Summary(integrations=len(rows)), integrations=rows)
    text = "".join(stream(report))
    assert text == render(report, "json")
    assert key not in text and json.loads(text)["integrations"][1]["checks"][1]["details"]["length"] == 7


def test_scrubbing_a_report_for_output_leaves_no_reference_cycle_behind() -> None:
    """The stream scrubs each integration on its own; with the collector paused while a report is
    written, a cycle per call would stay in memory until the end."""
    import gc

    from oneinbox_check.report import scrubbed

    row = IntegrationReport(name="i", provider="openai", status=Status.PASS,
                            checks=[CheckResult(id="x", status=Status.PASS, summary="ok", details={"a": [1, "b"]})])
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            scrubbed(row)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_entries_without_metadata_share_one_metadata_instance_and_others_get_their_own() -> None:
    from oneinbox_check.checks.schema import validate_metadata
    from oneinbox_check.probes.registry import load_registry

    model = load_registry().get("azure").metadata_model
    a, problems_a, _ = validate_metadata({}, model)
    b, problems_b, _ = validate_metadata({}, model)
    assert (a is b) or (a is None and b is None)
    assert problems_a == problems_b and problems_a is not problems_b  # each entry may add to its own list
    c, _, _ = validate_metadata({"region": "eastus"}, model)
    d, _, _ = validate_metadata({"region": "eastus"}, model)
    assert c is not None and c is not d and c == d


def test_a_mutable_metadata_model_is_never_shared_between_entries() -> None:
    from pydantic import BaseModel, ConfigDict

    from oneinbox_check.checks.schema import validate_metadata

    class PluginMetadata(BaseModel):  # a plugin's model, not frozen
        model_config = ConfigDict(extra="allow")
        tags: list[str] = []

    a, _, _ = validate_metadata({}, PluginMetadata)
    b, _, _ = validate_metadata({}, PluginMetadata)
    assert a is not None and a is not b
    a.tags.append("changed by a probe")
    assert b.tags == []


def test_the_built_in_metadata_models_are_frozen() -> None:
    from oneinbox_check.probes.registry import load_registry

    registry = load_registry()
    for probe in registry.unique():
        model = probe.metadata_model
        assert model.model_config.get("frozen"), f"{probe.name}: {model.__name__} is shared only if frozen"

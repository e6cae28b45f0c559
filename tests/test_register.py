"""register: check, then create the healthy integrations in OneInbox — never what failed, never twice."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from tests.helpers import run_cli, write_manifest

BASE = "http://127.0.0.1:7"
OI = f"{BASE}/oneinbox"
GOOD = "sk-proj-" + "G00d" * 14
BAD = "sk-proj-" + "Bad0" * 14
RESTRICTED = "sk-proj-" + "Rstr" * 14
ONEINBOX_KEY = "oi_live_" + "Reg1ster" * 4
FLAGS = ["--endpoint", f"openai={BASE}/openai", "--endpoint", f"oneinbox={OI}", "--retries", "0"]


def models(request: httpx.Request) -> httpx.Response:
    auth = request.headers["authorization"]
    if GOOD in auth:
        return httpx.Response(200, json={"data": []})
    if RESTRICTED in auth:
        return httpx.Response(401, json={"error": {"message": "Missing scopes: api.model.read"}})
    return httpx.Response(401, json={"error": {"code": "invalid_api_key", "message": "Incorrect API key"}})


@pytest.fixture
def manifest(tmp_path) -> str:
    return write_manifest(tmp_path, [
        {"name": "good", "provider": "openai", "api_key": GOOD, "metadata": {}},
        {"name": "restricted", "provider": "openai", "api_key": RESTRICTED},
        {"name": "bad", "provider": "openai", "api_key": BAD},
    ])


def _register(capsys, manifest: str, *extra: str, existing: list[str] = (), post: httpx.Response | None = None,
              listing: httpx.Response | None = None):
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(side_effect=models)
        list_route = respx.get(f"{OI}/v1/integrations").mock(
            return_value=listing or httpx.Response(200, json={"data": [{"id": "x", "name": n} for n in existing]}))
        post_route = respx.post(f"{OI}/v1/integrations").mock(
            side_effect=(lambda r: post) if post else
            (lambda r: httpx.Response(201, json={"id": "id-" + json.loads(r.content)["name"]})))
        code, out, err = run_cli(capsys, "register", manifest, *FLAGS, "--oneinbox-key", ONEINBOX_KEY, *extra)
    return code, out, err, list_route, post_route


def test_registers_healthy_and_never_what_failed(capsys, manifest) -> None:
    code, out, err, _, post = _register(capsys, manifest)
    bodies = [json.loads(c.request.content) for c in post.calls]
    assert [b["name"] for b in bodies] == ["good", "restricted"]
    assert bodies[0] == {"name": "good", "provider": "openai", "metadata": {}, "api_key": GOOD}
    assert post.calls[0].request.headers["authorization"] == "Bearer " + ONEINBOX_KEY
    assert "registered      good  id-good" in out and "not-registered  bad" in out
    assert code == 1  # the check's verdict: one integration failed


def test_existing_names_are_skipped(capsys, manifest) -> None:
    _, out, _, _, post = _register(capsys, manifest, existing=["good", "restricted"])
    assert not post.called and "exists          good" in out


def test_strict_registers_only_pass(capsys, manifest) -> None:
    _, _, _, _, post = _register(capsys, manifest, "--strict")
    assert [json.loads(c.request.content)["name"] for c in post.calls] == ["good"]


def test_dry_run_creates_nothing(capsys, manifest) -> None:
    _, out, _, _, post = _register(capsys, manifest, "--dry-run")
    assert not post.called and "would-register  good" in out


def test_create_is_never_retried_and_a_failure_is_indeterminate(capsys, tmp_path) -> None:
    path = write_manifest(tmp_path, [{"name": "good", "provider": "openai", "api_key": GOOD}])
    code, out, _, _, post = _register(capsys, path, "--retries", "3", post=httpx.Response(503, json={}))
    assert post.call_count == 1 and "failed          good  HTTP 503" in out
    assert code == 3


def test_unreadable_listing_registers_nothing(capsys, tmp_path) -> None:
    path = write_manifest(tmp_path, [{"name": "good", "provider": "openai", "api_key": GOOD}])
    code, out, _, _, post = _register(capsys, path, listing=httpx.Response(503, json={"error": {"message": "down"}}))
    assert not post.called and "could not list existing integrations" in out and code == 3


def test_unknown_listing_shape_registers_nothing(capsys, tmp_path) -> None:
    """An answer that is not a list of integrations must not read as "nothing stored"."""
    path = write_manifest(tmp_path, [{"name": "good", "provider": "openai", "api_key": GOOD}])
    code, out, _, _, post = _register(capsys, path, listing=httpx.Response(200, json={"status": "ok"}))
    assert not post.called and "no list of integrations" in out and code == 3


def test_missing_oneinbox_key_is_a_usage_error_before_probing(capsys, manifest, monkeypatch) -> None:
    monkeypatch.delenv("ONEINBOX_API_KEY", raising=False)
    with respx.mock:
        route = respx.route().mock(return_value=httpx.Response(200))
        code, _, err = run_cli(capsys, "register", manifest, *FLAGS)
    assert code == 2 and "ONEINBOX_API_KEY" in err and not route.called


def test_key_from_the_environment_and_no_key_in_output(capsys, manifest, monkeypatch) -> None:
    monkeypatch.setenv("ONEINBOX_API_KEY", ONEINBOX_KEY)
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(side_effect=models)
        respx.get(f"{OI}/v1/integrations").mock(return_value=httpx.Response(200, json=[]))
        post = respx.post(f"{OI}/v1/integrations").mock(return_value=httpx.Response(
            201, json={"data": {"id": "abc"}, "echo": f"{GOOD} {ONEINBOX_KEY}"}))
        code, out, err = run_cli(capsys, "register", manifest, *FLAGS, "-vv", "--format", "json")
    assert post.called
    for secret in (GOOD, BAD, RESTRICTED, ONEINBOX_KEY):
        assert secret not in out and secret not in err
    assert json.loads(out)["summary"]["integrations"] == 3  # stdout stays JSON; outcomes go to stderr
    assert "registered      good  abc" in err


# --- issue 8 item 2: register never registers what failed ----------------------------------------------------------
# End to end against the sandbox's OneInbox and OpenAI fakes on real loopback sockets.

REVOKED = "sk-proj-" + "Rev0" * 14
RESEND = "re_" + "Snd1" * 8


@pytest.fixture
def fakes(loopback_sandbox):
    """Fresh OpenAI and OneInbox fakes behind the loopback server; ``fakes.flags`` point the CLI at them."""
    from oneinbox_check.sandbox.fakes.openai import OpenAIFake
    from oneinbox_check.sandbox.fakes.oneinbox import OneInboxFake

    loopback_sandbox.sandbox.fakes.clear()
    loopback_sandbox.sandbox.fakes.update(openai=OpenAIFake({GOOD: "valid"}), oneinbox=OneInboxFake({ONEINBOX_KEY: "valid"}))

    class Fakes:
        server = loopback_sandbox
        openai = loopback_sandbox.sandbox.fakes["openai"]
        flags = ["--endpoint", f"openai={loopback_sandbox.base}/openai", "--endpoint", f"oneinbox={loopback_sandbox.base}/oneinbox",
                 "--retries", "0", "--timeout", "5", "--oneinbox-key", ONEINBOX_KEY]

        @property
        def oneinbox(self):
            return loopback_sandbox.sandbox.fakes["oneinbox"]

        @oneinbox.setter
        def oneinbox(self, fake):
            loopback_sandbox.sandbox.fakes["oneinbox"] = fake

    return Fakes()


def test_item2a_duplicate_names_register_neither(capsys, tmp_path, fakes) -> None:
    path = write_manifest(tmp_path, [
        {"name": "shared", "provider": "openai", "api_key": GOOD},
        {"name": "shared", "provider": "openai", "api_key": REVOKED},
        {"name": "alone", "provider": "openai", "api_key": GOOD},
    ])
    code, out, err = run_cli(capsys, "register", path, *fakes.flags, "--format", "json")
    assert [b["name"] for b in fakes.oneinbox.created] == ["alone"]
    assert all(REVOKED not in json.dumps(b) for b in fakes.oneinbox.created)
    report = json.loads(out)
    shared = [i for i in report["integrations"] if i["name"] == "shared"]
    assert [i["status"] for i in shared] == ["fail", "fail"]
    assert all("duplicate name 'shared'" in i["checks"][0]["summary"] for i in shared)
    assert err.count("not-registered  shared") == 2 and code == 1


def test_item2a_only_the_passing_entry_is_sent_with_its_own_key(capsys, tmp_path, fakes) -> None:
    path = write_manifest(tmp_path, [
        {"name": "revoked", "provider": "openai", "api_key": REVOKED},
        {"name": "good", "provider": "openai", "api_key": GOOD},
    ])
    code, out, _ = run_cli(capsys, "register", path, *fakes.flags)
    assert [(b["name"], b["api_key"]) for b in fakes.oneinbox.created] == [("good", GOOD)]
    assert "not-registered  revoked  its checks say fail" in out and code == 1


@pytest.mark.parametrize("flag", [["--only", "dns.*"], ["--skip", "key.*"], ["--only", "key.auth", "--skip", "x"]])
def test_item2b_register_refuses_only_and_skip(capsys, tmp_path, fakes, flag) -> None:
    path = write_manifest(tmp_path, [
        {"name": "revoked", "provider": "openai", "api_key": REVOKED},
        {"name": "no from_email", "provider": "resend", "api_key": RESEND},
        {"name": "newline", "provider": "openai", "api_key": GOOD + "\n"},
    ])
    code, out, err = run_cli(capsys, "register", path, *fakes.flags, *flag)
    assert code == 2 and "--only/--skip are refused" in err
    assert not fakes.oneinbox.requests and not fakes.openai.requests  # nothing probed, nothing created


def test_item2b_every_check_runs_so_revoked_incomplete_and_newline_keys_stay_out(capsys, tmp_path, fakes) -> None:
    path = write_manifest(tmp_path, [
        {"name": "revoked", "provider": "openai", "api_key": REVOKED},
        {"name": "no from_email", "provider": "resend", "api_key": RESEND},
        {"name": "newline", "provider": "openai", "api_key": GOOD + "\n"},
    ])
    code, out, _ = run_cli(capsys, "register", path, *fakes.flags)
    assert fakes.oneinbox.created == [] and code == 1
    for name in ("revoked", "no from_email", "newline"):
        assert f"not-registered  {name}  its checks say fail" in out


@pytest.mark.anyio
async def test_item2b_a_filtered_report_is_never_registered() -> None:
    """Library callers too: a result without input.schema/key.format (a filtered run) is not registrable."""
    from oneinbox_check.models import CheckResult, IntegrationReport, Report, Status, Summary, ToolInfo
    from oneinbox_check.register import register
    from oneinbox_check.secrets import Secret

    class Entry:
        label, provider, integration = "x", "openai", object()

    report = Report(tool=ToolInfo(version="0"), started_at="2026-01-01T00:00:00Z", duration_ms=0, exit_code=0,
                    summary=Summary(integrations=1), integrations=[IntegrationReport(
                        name="x", provider="openai", masked_key=None, status=Status.PASS,
                        checks=[CheckResult(id="dns.spf", status=Status.PASS, summary="ok")])])
    outcomes: list = []
    await register(report, [Entry()], base="http://127.0.0.1:9", key=Secret("k" * 20), strict=False,
                   dry_run=False, http=None, outcomes=outcomes)
    assert [o.action for o in outcomes] == ["not-registered"] and "did not run" in outcomes[0].detail


@pytest.mark.parametrize("style", ["offset", "cursor", "next", "link", "page", "bare"])
def test_item2c_every_page_of_the_listing_is_read(capsys, tmp_path, fakes, style) -> None:
    from oneinbox_check.sandbox.fakes.oneinbox import OneInboxFake

    fakes.oneinbox = OneInboxFake({ONEINBOX_KEY: "valid"}, [f"stored-{i}" for i in range(45)], page_size=20, style=style)
    path = write_manifest(tmp_path, [
        {"name": "stored-44", "provider": "openai", "api_key": GOOD},  # on page 3
        {"name": "new", "provider": "openai", "api_key": GOOD},
    ])
    code, out, _ = run_cli(capsys, "register", path, *fakes.flags)
    assert [b["name"] for b in fakes.oneinbox.created] == ["new"], out
    assert "exists          stored-44" in out and code == 0
    code, out, _ = run_cli(capsys, "register", path, *fakes.flags)  # again: nothing twice
    assert len(fakes.oneinbox.created) == 1 and "exists          new" in out and code == 0


def test_item2c_the_fake_pages_like_oneinbox_documents(fakes) -> None:
    from oneinbox_check.sandbox.fakes.oneinbox import OneInboxFake

    fakes.oneinbox = OneInboxFake({ONEINBOX_KEY: "valid"}, [f"s{i}" for i in range(25)])
    url = f"{fakes.server.base}/oneinbox/v1/integrations"
    auth = {"authorization": f"Bearer {ONEINBOX_KEY}"}
    with httpx.Client(trust_env=False, timeout=5) as client:
        first = client.get(url, headers=auth).json()
        second = client.get(url, params={"offset": 20, "limit": 20}, headers=auth).json()
        too_big = client.get(url, params={"limit": 101}, headers=auth)
    assert (len(first["items"]), first["total"], first["limit"], first["offset"]) == (20, 25, 20, 0)
    assert [i["name"] for i in second["items"]] == [f"s{i}" for i in range(20, 25)]
    assert too_big.status_code == 422


def test_item2c_endless_pages_register_nothing_and_end(capsys, tmp_path, fakes) -> None:
    import time

    from oneinbox_check.sandbox.fakes.oneinbox import OneInboxFake

    fakes.oneinbox = OneInboxFake({ONEINBOX_KEY: "valid"}, ["a", "b"], page_size=1, style="endless")
    path = write_manifest(tmp_path, [{"name": "new", "provider": "openai", "api_key": GOOD}])
    started = time.monotonic()
    code, out, _ = run_cli(capsys, "register", path, *fakes.flags)
    assert fakes.oneinbox.created == [] and code == 3
    assert "failed          new  could not list existing integrations" in out and "do not end" in out
    assert time.monotonic() - started < 20 and fakes.oneinbox.count("/v1/integrations", "GET") < 10


def test_item2c_a_next_page_on_another_host_is_not_followed(capsys, tmp_path) -> None:
    path = write_manifest(tmp_path, [{"name": "good", "provider": "openai", "api_key": GOOD}])
    listing = httpx.Response(200, json={"items": [], "next": "http://127.0.0.2:7/steal"})
    code, out, _, _, post = _register(capsys, path, listing=listing)
    assert not post.called and "another host" in out and code == 3


def _wait(predicate, timeout: float = 30.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _interrupted_register(fakes, path: str, method: str, hold, arrived) -> tuple[int, str, str]:
    """Run register in a process; requests *method* for which ``hold()`` is true hang; SIGINT once ``arrived()``."""
    import re
    import signal
    import subprocess
    import sys
    import threading

    import anyio

    oneinbox = fakes.oneinbox
    release = threading.Event()
    handler = oneinbox.create if method == "POST" else oneinbox.list

    async def held(r):
        while hold() and not release.is_set():
            await anyio.sleep(0.02)
        return handler(r)

    oneinbox.routes.insert(0, (method, re.compile("/v1/integrations"), held))
    proc = subprocess.Popen([sys.executable, "-m", "oneinbox_check", "register", path, *fakes.flags],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait(arrived), "the held request never came"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


def test_item2d_ctrl_c_during_registration_prints_the_ids_and_the_report(tmp_path, fakes) -> None:
    oneinbox = fakes.oneinbox
    path = write_manifest(tmp_path, [{"name": n, "provider": "openai", "api_key": GOOD} for n in ("one", "two", "three")])
    code, out, err = _interrupted_register(fakes, path, "POST", hold=lambda: bool(oneinbox.created),
                                           arrived=lambda: oneinbox.count("/v1/integrations", "POST") >= 2)
    created_id = next(i["id"] for i in oneinbox.integrations if i["name"] == "one")
    assert code == 130, err
    assert f"registered      one  {created_id}" in out
    assert "unknown         two  interrupted while OneInbox was creating it" in out
    assert "not-registered  three  interrupted" in out
    assert "3 integrations" in out and "Traceback" not in err  # the report is there too


def test_item2d_ctrl_c_while_listing_creates_nothing_and_says_so(tmp_path, fakes) -> None:
    oneinbox = fakes.oneinbox
    path = write_manifest(tmp_path, [{"name": n, "provider": "openai", "api_key": GOOD} for n in ("one", "two")])
    lists = lambda: oneinbox.count("/v1/integrations", "GET")  # noqa: E731 — the preflight is the first
    code, out, err = _interrupted_register(fakes, path, "GET", hold=lambda: lists() >= 2, arrived=lambda: lists() >= 2)
    assert code == 130 and oneinbox.created == [], err
    assert "not-registered  one  interrupted" in out and "not-registered  two  interrupted" in out
    assert "2 integrations" in out and "Traceback" not in err


def test_item2e_a_rejected_oneinbox_key_is_exit_2_before_any_probe(capsys, tmp_path, fakes) -> None:
    from oneinbox_check.sandbox.fakes.oneinbox import OneInboxFake

    fakes.oneinbox = OneInboxFake({})  # knows no key
    path = write_manifest(tmp_path, [{"name": "good", "provider": "openai", "api_key": GOOD}])
    code, out, err = run_cli(capsys, "register", path, *fakes.flags)
    assert code == 2 and not fakes.oneinbox.created and not fakes.openai.requests
    assert "OneInbox rejected the OneInbox API key (HTTP 401: Invalid API key)" in err
    assert "--oneinbox-key / ONEINBOX_API_KEY" in err and ONEINBOX_KEY not in out + err


def test_item2e_a_key_rejected_while_creating_is_exit_2(capsys, tmp_path) -> None:
    path = write_manifest(tmp_path, [{"name": "good", "provider": "openai", "api_key": GOOD},
                                     {"name": "other", "provider": "openai", "api_key": GOOD}])
    code, out, err, _, post = _register(capsys, path, post=httpx.Response(401, json={"detail": "API key revoked"}))
    assert code == 2 and post.call_count == 1
    assert "OneInbox rejected the OneInbox API key (HTTP 401: API key revoked)" in err
    assert "not-registered  other  OneInbox rejected the OneInbox API key" in out

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
    code, out, _, _, post = _register(capsys, path, listing=httpx.Response(401, json={"error": {"message": "no"}}))
    assert not post.called and "could not list existing integrations" in out and code == 3


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

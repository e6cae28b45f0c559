"""--state (scheduled runs: what changed) and --shard."""

from __future__ import annotations

import json
import os
import stat

import httpx
import pytest
import respx

from tests.helpers import run_cli, write_manifest

BASE = "http://127.0.0.1:7"
KEY = "sk-proj-" + "St4te" * 12


def _run(capsys, path: str, state: str, status: int, *extra: str) -> dict:
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(
            status, json={"data": []} if status == 200 else {"error": {"code": "invalid_api_key", "message": "bad"}}))
        code, out, err = run_cli(capsys, "check", path, "--endpoint", f"openai={BASE}/openai", "--retries", "0",
                                 "--state", state, "--format", "json", *extra)
    return json.loads(out)


def test_changes_new_unchanged_degraded_recovered(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    state = str(tmp_path / "state.json")
    changes = [_run(capsys, path, state, s)["integrations"][0]["change"] for s in (200, 200, 401, 200)]
    assert changes == ["new", "unchanged", "degraded", "recovered"]


def test_state_file_holds_no_key_and_is_private(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    state = tmp_path / "state.json"
    _run(capsys, path, str(state), 200)
    text = state.read_text()
    assert KEY not in text and KEY[8:] not in text
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    assert json.loads(text)["version"] == 1


def test_rotated_key_is_a_new_integration(tmp_path, capsys) -> None:
    state = str(tmp_path / "state.json")
    first = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}], "a.json")
    second = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY[:-1] + "Z"}], "b.json")
    _run(capsys, first, state, 200)
    assert _run(capsys, second, state, 200)["integrations"][0]["change"] == "new"


def test_table_leads_with_changes(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    state = str(tmp_path / "state.json")
    _run(capsys, path, state, 200)
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(
            401, json={"error": {"code": "invalid_api_key", "message": "bad"}}))
        _, out, _ = run_cli(capsys, "check", path, "--endpoint", f"openai={BASE}/openai", "--state", state)
    assert out.startswith("Changes since the last run:\n  DEGRADED  o (openai): now fail")


@pytest.mark.parametrize("content", ["not json", '{"version": 99}', "[]"])
def test_corrupt_state_is_a_usage_error_before_probing(tmp_path, capsys, content: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(content)
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    with respx.mock:
        route = respx.route().mock(return_value=httpx.Response(200))
        code, _, err = run_cli(capsys, "check", path, "--state", str(state))
    assert code == 2 and "delete" in err and not route.called


def test_shards_partition_the_manifest(tmp_path, capsys) -> None:
    entries = [{"name": f"i{n}", "provider": "openai", "api_key": KEY} for n in range(20)]
    path = write_manifest(tmp_path, entries)
    seen = []
    for i in (1, 2, 3):
        code, out, _ = run_cli(capsys, "check", path, "--offline", "--shard", f"{i}/3", "--format", "json")
        seen += [x["name"] for x in json.loads(out)["integrations"]]
    assert sorted(seen) == sorted(e["name"] for e in entries)


@pytest.mark.parametrize("shard", ["0/3", "4/3", "x/y", "1"])
def test_bad_shard_is_a_usage_error(tmp_path, capsys, shard: str) -> None:
    path = write_manifest(tmp_path, [])
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, "check", path, "--shard", shard)
    assert exc.value.code == 2


def test_output_file_is_world_readable_for_collectors(tmp_path, capsys) -> None:
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    out = tmp_path / "oneinbox.prom"
    run_cli(capsys, "check", path, "--offline", "--format", "prometheus", "--output", str(out))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o666 & ~umask  # like any new file, not mkstemp's 0600

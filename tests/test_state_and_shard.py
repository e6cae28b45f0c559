"""--state (scheduled runs: what changed) and --shard."""

from __future__ import annotations

import json
import os
import stat

import httpx
import pytest
import respx

from tests.helpers import run_cli, write_manifest
from tests.test_files import private_device

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


def test_rotated_key_that_works_is_unchanged_and_flagged_rotated(tmp_path, capsys) -> None:
    state = str(tmp_path / "state.json")
    first = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}], "a.json")
    second = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY[:-1] + "Z"}], "b.json")
    _run(capsys, first, state, 200)
    row = _run(capsys, second, state, 200)["integrations"][0]
    assert (row["change"], row["rotated"]) == ("unchanged", True)


def test_rotated_key_that_fails_is_degraded_not_new(tmp_path, capsys) -> None:
    """SPEC §9: verdicts are compared across a key rotation."""
    state = str(tmp_path / "state.json")
    first = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}], "a.json")
    second = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY[:-1] + "Z"}], "b.json")
    _run(capsys, first, state, 200)
    row = _run(capsys, second, state, 401)["integrations"][0]
    assert (row["change"], row["rotated"]) == ("degraded", True)
    row = _run(capsys, first, state, 200)["integrations"][0]  # switching back to the working key
    assert (row["change"], row["rotated"]) == ("recovered", True)


def test_same_key_is_not_flagged_rotated(tmp_path, capsys) -> None:
    state = str(tmp_path / "state.json")
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    _run(capsys, path, state, 200)
    assert "rotated" not in _run(capsys, path, state, 200)["integrations"][0]


def test_state_entry_of_an_older_file_is_compared_by_name_and_provider(tmp_path, capsys) -> None:
    """Files written before rotation tracking keyed entries by name + provider + fingerprint."""
    state = tmp_path / "state.json"
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    _run(capsys, path, str(state), 200)
    data = json.loads(state.read_text())
    (ident, entry), = data["integrations"].items()
    fp = entry.pop("fingerprint")
    data["integrations"] = {f"{ident}\x1f{fp}": entry}
    state.write_text(json.dumps(data))
    row = _run(capsys, path, str(state), 401)["integrations"][0]
    assert row["change"] == "degraded" and "rotated" not in row


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


def _state_entries(path) -> dict:
    return json.loads(open(path).read())["integrations"]


def test_item7_state_with_one_bad_entry_is_exit_2_before_probing_and_left_untouched(tmp_path, capsys) -> None:
    state = tmp_path / "state.json"
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    _run(capsys, path, str(state), 200)
    data = json.loads(state.read_text())
    ident = next(iter(data["integrations"]))
    data["integrations"][ident]["status"] = "splendid"
    state.write_text(json.dumps(data))
    before = state.read_bytes()
    with respx.mock:
        route = respx.route().mock(return_value=httpx.Response(200))
        code, _, err = run_cli(capsys, "check", path, "--endpoint", f"openai={BASE}/openai", "--state", str(state))
    assert code == 2 and "'o'" in err and "splendid" in err and "delete" in err
    assert not route.called
    assert state.read_bytes() == before


@pytest.mark.parametrize("entry", [[], "x", {"name": "o"}, {"name": 1, "provider": "openai", "status": "pass",
                                                               "since": "2026-01-01", "checked_at": "2026-01-01"},
                                   {"name": "o", "provider": "openai", "status": "pass", "since": "yesterday",
                                    "checked_at": "2026-01-01"}])
def test_item7_any_malformed_state_entry_is_a_usage_error(tmp_path, entry) -> None:
    from oneinbox_check import state as state_file
    from oneinbox_check.errors import UsageError

    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 1, "salt": "00" * 16, "integrations": {"o\x1fopenai\x1f-": entry}}))
    with pytest.raises(UsageError, match="not a oneinbox-check state file"):
        state_file.load(str(path))


def test_item8_shards_sharing_one_state_keep_each_others_entries(tmp_path, capsys) -> None:
    state = str(tmp_path / "state.json")
    entries = [{"name": f"i{n}", "provider": "openai", "api_key": KEY} for n in range(8)]
    path = write_manifest(tmp_path, entries)
    for shard in ("1/2", "2/2"):
        _run(capsys, path, state, 200, "--shard", shard)
    assert sorted(e["name"] for e in _state_entries(state).values()) == [f"i{n}" for n in range(8)]
    again = [i["change"] for shard in ("1/2", "2/2") for i in _run(capsys, path, state, 200, "--shard", shard)
             ["integrations"]]
    assert set(again) == {"unchanged"}


def test_item8_overlapping_runs_merge_on_save(tmp_path, capsys) -> None:
    """Run A loads the state, run B saves its entry meanwhile, then A saves: both stay."""
    from oneinbox_check import state as state_file

    state = str(tmp_path / "state.json")
    first = state_file.load(state)  # run A starts (and creates the file with the shared salt)
    _run(capsys, write_manifest(tmp_path, [{"name": "b", "provider": "openai", "api_key": KEY}], "b.json"), state, 200)
    mine = state_file.State(salt=first.salt, entries={"a\x1fopenai\x1f-": {
        "name": "a", "provider": "openai", "status": "pass", "since": "2026-01-01T00:00:00+00:00",
        "checked_at": "2026-01-01T00:00:00+00:00"}}, covers={("a", "openai")})
    state_file.save(state, mine)
    assert sorted(e["name"] for e in _state_entries(state).values()) == ["a", "b"]


def test_item8_state_is_locked_while_saved(tmp_path, monkeypatch) -> None:
    import fcntl

    from oneinbox_check import state as state_file
    from oneinbox_check.files import WriteError

    path = str(tmp_path / "state.json")
    fresh = state_file.load(path)
    monkeypatch.setattr(state_file, "LOCK_TIMEOUT", 0.2)
    with open(path + ".lock", "w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)  # another run is saving
        with pytest.raises(WriteError, match="holds"):
            state_file.save(path, fresh)
    state_file.save(path, fresh)  # released: saved


def test_item8_state_is_saved_only_after_the_report_was_written(tmp_path, capsys) -> None:
    state = tmp_path / "state.json"
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    _run(capsys, path, str(state), 200)
    before = _state_entries(state)
    with respx.mock:
        respx.get(f"{BASE}/openai/v1/models").mock(return_value=httpx.Response(
            401, json={"error": {"code": "invalid_api_key", "message": "bad"}}))
        code, _, err = run_cli(capsys, "check", path, "--endpoint", f"openai={BASE}/openai", "--retries", "0",
                               "--state", str(state), "-o", private_device(tmp_path, "full"))
    assert code == 74 and "No space left" in err
    assert _state_entries(state) == before  # the degradation is still news for the next run


def test_item7_state_that_cannot_be_saved_is_exit_74_and_the_report_is_still_printed(tmp_path, capsys,
                                                                                      monkeypatch) -> None:
    import errno

    from oneinbox_check import files

    state = str(tmp_path / "state.json")
    path = write_manifest(tmp_path, [{"name": "o", "provider": "openai", "api_key": KEY}])
    real = files.write_atomic
    calls = []

    def full_disk(target, text, mode=None):
        calls.append(target)
        if len(calls) > 1:  # the first write creates the state before probing; the save after the run fails
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(target, text, mode)

    monkeypatch.setattr(files, "write_atomic", full_disk)
    code, out, err = run_cli(capsys, "check", path, "--offline", "--state", state)
    assert code == 74
    assert "PASS" in out and "o (openai" in out  # the report was printed first
    assert f"cannot save --state {state}: No space left on device" in err
    assert "internal error" not in err

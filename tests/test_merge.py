"""Saved reports: read back for ``convert``, combined for ``merge`` (shards into one)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from oneinbox_check import check_sync
from oneinbox_check.errors import UsageError
from oneinbox_check.merge import load_report, merge

GOOD = {"name": "ok", "provider": "openai", "api_key": "sk-proj-" + "a" * 48}
BAD = {"name": "bad", "provider": "openai", "api_key": "sk-proj-" + "b" * 48 + "\n"}


def _report(*bodies: dict):
    return check_sync(list(bodies), offline=True)


def test_shards_merge_into_one_report_with_one_exit_code():
    one, two = _report(GOOD), _report(BAD)
    merged = merge([one, two], version="9")
    assert [i.name for i in merged.integrations] == ["ok", "bad"]
    assert merged.summary.integrations == 2 and merged.summary.fail == 1
    assert merged.exit_code == 1
    assert merged.tool.version == "9"


def test_merged_span_runs_from_the_first_start_to_the_last_end():
    one, two = _report(GOOD), _report(GOOD | {"name": "other"})
    two = two.model_copy(update={"started_at": one.started_at + timedelta(seconds=5), "duration_ms": 1000})
    merged = merge([one, two], version="9")
    assert merged.started_at == one.started_at
    assert merged.duration_ms == 6000


def test_the_same_integration_in_two_runs_keeps_the_newest_row():
    old, new = _report(BAD | {"name": "x"}), _report(GOOD | {"name": "x"})
    new = new.model_copy(update={"started_at": old.started_at + timedelta(minutes=15)})
    merged = merge([new, old], version="9")
    assert len(merged.integrations) == 1
    assert merged.integrations[0].status.value == "pass"
    assert merged.exit_code == 0


def test_an_interrupted_shard_makes_the_merged_run_interrupted():
    one = _report(GOOD).model_copy(update={"exit_code": 130})
    assert merge([one, _report(GOOD | {"name": "b"})], version="9").exit_code == 130


def test_strict_merge_counts_warnings():
    warned = _report(GOOD | {"metadata": {"colour": "blue"}})  # unknown metadata key: input.schema warn
    assert warned.integrations[0].status.value == "warn"
    assert merge([warned], version="9").exit_code == 0
    assert merge([warned], strict=True, version="9").exit_code == 1


def test_a_saved_report_reads_back_identically(tmp_path: Path):
    report = _report(GOOD, BAD)
    path = tmp_path / "r.json"
    path.write_text(report.to_json())
    assert load_report(str(path)) == report


@pytest.mark.parametrize("content, message", [
    (b"", "not a JSON report"),
    (b"\xff\xfe", "not a JSON report"),
    (b"[1, 2]", "not a oneinbox-check JSON report"),
    (b'{"integrations": [], "schema_version": "99"}', "schema_version '99'"),
    (b'{"integrations": [{"name": 1}], "schema_version": "1"}', "not a valid report"),
    (b"[" * 100_000, "not a JSON report"),
])
def test_anything_but_a_report_is_a_usage_error(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "r.json"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        load_report(str(path))


def test_a_missing_report_file_is_a_usage_error(tmp_path: Path):
    with pytest.raises(UsageError, match="cannot read it"):
        load_report(str(tmp_path / "nope.json"))


def test_merge_of_nothing_is_a_usage_error():
    with pytest.raises(UsageError):
        merge([], version="9")


def test_witness_a_report_whose_verdict_contradicts_its_checks_is_refused(tmp_path: Path):
    doc = json.loads(_report(GOOD).to_json())
    doc["integrations"][0]["checks"][0]["status"] = "fail"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(UsageError, match="worst check is fail"):
        load_report(str(path))

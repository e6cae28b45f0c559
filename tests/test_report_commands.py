"""One run, many outputs (--report); saved reports re-rendered (convert) and shards merged (merge)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from .helpers import run_cli, write_manifest

GOOD = {"name": "ok", "provider": "openai", "api_key": "sk-proj-" + "a" * 48}
BAD = {"name": "bad", "provider": "openai", "api_key": "sk-proj-" + "b" * 48 + "\n"}


def _saved(capsys, tmp_path: Path, bodies: list, name: str, *extra: str) -> Path:
    manifest = write_manifest(tmp_path, bodies, f"{name}.json")
    out = tmp_path / f"{name}-report.json"
    code, _, err = run_cli(capsys, "check", manifest, "--offline", "--format", "json", "-o", str(out), *extra)
    assert code in (0, 1), err
    return out


def test_report_writes_more_formats_from_the_same_run(capsys, tmp_path: Path):
    manifest = write_manifest(tmp_path, [GOOD, BAD])
    junit, prom = tmp_path / "r.xml", tmp_path / "r.prom"
    code, out, _ = run_cli(capsys, "check", manifest, "--offline", "--report", f"junit={junit}",
                           "--report", f"prometheus={prom}")
    assert code == 1
    assert "FAIL" in out  # the table still goes to the terminal
    assert ET.parse(junit).getroot() is not None
    assert 'oneinbox_check_status{' in prom.read_text()


def test_report_with_a_bad_spec_is_a_usage_error(capsys, tmp_path: Path):
    manifest = write_manifest(tmp_path, [GOOD])
    for spec in ("junit", "yaml=x.yml", "junit="):
        try:
            run_cli(capsys, "check", manifest, "--offline", "--report", spec)
        except SystemExit as exc:
            assert exc.code == 2
        else:  # pragma: no cover
            raise AssertionError(spec)


def test_report_into_a_missing_folder_is_exit_2_before_probing(capsys, tmp_path: Path):
    manifest = write_manifest(tmp_path, [GOOD])
    code, _, err = run_cli(capsys, "check", manifest, "--offline", "--report", f"junit={tmp_path}/no/r.xml")
    assert code == 2 and "--report" in err


def test_convert_renders_a_saved_report_with_its_exit_code(capsys, tmp_path: Path):
    saved = _saved(capsys, tmp_path, [GOOD, BAD], "a")
    code, out, _ = run_cli(capsys, "convert", str(saved), "--format", "markdown")
    assert code == 1 and "bad" in out and "|" in out
    code, out, _ = run_cli(capsys, "convert", str(saved), "--format", "json")
    assert json.loads(out) == json.loads(saved.read_text())


def test_convert_of_something_else_is_exit_2(capsys, tmp_path: Path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps([GOOD]))
    code, _, err = run_cli(capsys, "convert", str(path))
    assert code == 2 and "not a oneinbox-check JSON report" in err


def test_shard_reports_merge_into_the_unsharded_verdicts(capsys, tmp_path: Path):
    bodies = [dict(GOOD, name=f"ok{i}") for i in range(6)] + [dict(BAD, name=f"bad{i}") for i in range(3)]
    whole = json.loads(_saved(capsys, tmp_path, bodies, "whole").read_text())
    shards = [_saved(capsys, tmp_path, bodies, f"s{i}", "--shard", f"{i}/3") for i in (1, 2, 3)]
    code, out, _ = run_cli(capsys, "merge", *map(str, shards), "--format", "json")
    merged = json.loads(out)
    assert code == whole["exit_code"] == 1
    assert merged["summary"] == whole["summary"]
    assert sorted(i["name"] for i in merged["integrations"]) == sorted(i["name"] for i in whole["integrations"])


def test_merge_needs_readable_reports(capsys, tmp_path: Path):
    code, _, err = run_cli(capsys, "merge", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read it" in err


def test_witness_output_over_the_manifest_is_refused_before_probing(capsys, tmp_path: Path):
    manifest = write_manifest(tmp_path, [GOOD])
    before = Path(manifest).read_text()
    code, _, err = run_cli(capsys, "check", manifest, "--offline", "--format", "json", "-o", manifest)
    assert code == 2 and "also an input" in err and Path(manifest).read_text() == before


def test_witness_two_outputs_to_one_file_are_refused(capsys, tmp_path: Path):
    manifest = write_manifest(tmp_path, [GOOD])
    same = str(tmp_path / "same.x")
    code, _, err = run_cli(capsys, "check", manifest, "--offline", "-o", same, "--report", f"junit={same}")
    assert code == 2 and "also written by" in err
    code, _, err = run_cli(capsys, "check", manifest, "--offline", "-o", same, "--state", same)
    assert code == 2 and "also written by" in err


def test_witness_state_on_a_device_or_fifo_is_refused(capsys, tmp_path: Path):
    import os

    manifest = write_manifest(tmp_path, [GOOD])
    fifo = tmp_path / "s.fifo"
    os.mkfifo(fifo)
    code, _, err = run_cli(capsys, "check", manifest, "--offline", "--state", str(fifo))
    assert code == 2 and "not a regular file" in err
    assert not (tmp_path / "s.fifo.lock").exists()


def test_witness_env_file_that_is_not_a_file_says_so(capsys, tmp_path: Path):
    import os

    fifo = tmp_path / "keys.env"
    os.mkfifo(fifo)
    code, _, err = run_cli(capsys, "check", "--from-env", "--env-file", str(fifo), "--offline")
    assert code == 2 and "not a regular file" in err

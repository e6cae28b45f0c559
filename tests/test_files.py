"""Output files (SPEC §13): checked before any request; a regular file is
replaced atomically, a symlink's target is replaced (the link stays), a device
or FIFO is written to and never replaced; a write that fails after the run is
exit 74 with a clear message."""

from __future__ import annotations

import json
import os
import stat
import threading

import httpx
import pytest
import respx

from oneinbox_check.files import WriteError, check_writable, write_output
from oneinbox_check.errors import UsageError
from tests.helpers import run_cli, write_manifest

BASE = "http://127.0.0.1:7"
KEY = "sk-proj-" + "F1le5" * 12
ENTRY = {"name": "o", "provider": "openai", "api_key": KEY}
LIVE = ["--endpoint", f"openai={BASE}/openai", "--retries", "0"]
ROOT = os.geteuid() == 0


def _probed_run(capsys, tmp_path, *flags: str) -> tuple[int, str, bool]:
    """Run a live check (mocked) and tell whether any request was made."""
    path = write_manifest(tmp_path, [ENTRY])
    with respx.mock:
        route = respx.route().mock(return_value=httpx.Response(200, json={"data": []}))
        code, _, err = run_cli(capsys, "check", path, *LIVE, *flags)
    return code, err, route.called


@pytest.mark.parametrize("option", ["--output", "--state"])
def test_item8_directory_as_output_is_exit_2_and_nothing_probed(tmp_path, capsys, option: str) -> None:
    code, err, probed = _probed_run(capsys, tmp_path, option, str(tmp_path))
    assert code == 2 and "is a directory" in err and "Traceback" not in err
    assert not probed


@pytest.mark.parametrize("option", ["--output", "--state"])
def test_item8_missing_folder_is_exit_2_and_nothing_probed(tmp_path, capsys, option: str) -> None:
    code, err, probed = _probed_run(capsys, tmp_path, option, str(tmp_path / "no" / "such" / "file"))
    assert code == 2 and "does not exist" in err
    assert not probed


@pytest.mark.parametrize("option", ["--output", "--state"])
def test_item8_unwritable_folder_is_exit_2_and_nothing_probed(tmp_path, capsys, monkeypatch, option: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if ROOT:  # root may write anywhere: let the folder look read-only as it would to anyone else
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, m: False if str(p) == str(locked) else real_access(p, m))
    try:
        code, err, probed = _probed_run(capsys, tmp_path, option, str(locked / "out"))
    finally:
        locked.chmod(0o700)
    assert code == 2 and "not writable" in err
    assert not probed


def test_item8_symlinked_output_replaces_the_target_and_keeps_the_link(tmp_path, capsys) -> None:
    target = tmp_path / "real" / "oneinbox.prom"
    target.parent.mkdir()
    target.write_text("stale\n")
    link = tmp_path / "link.prom"
    link.symlink_to(target)
    code, _, _ = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--offline", "--format", "prometheus",
                         "-o", str(link))
    assert code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "oneinbox_check_status" in target.read_text()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".oneinbox-check-")]


def test_item8_dangling_symlink_creates_its_target(tmp_path) -> None:
    target = tmp_path / "made.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_output(str(link), "{}\n")
    assert link.is_symlink() and target.read_text() == "{}\n"


def test_item8_fifo_output_is_written_to_not_replaced(tmp_path, capsys) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    code, _, _ = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--offline", "--format", "json",
                         "-o", str(fifo))
    thread.join(timeout=10)
    assert code == 0 and not thread.is_alive()
    assert json.loads(got[0])["summary"]["integrations"] == 1
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def private_device(tmp_path, name: str) -> str:
    """``/dev/NAME`` to write to — as root a private node of the same device in *tmp_path*,
    so that a regression (replacing the path by a file) can never break the machine's own."""
    minor = {"null": 3, "full": 7}[name]
    if not ROOT:
        return f"/dev/{name}"
    node = tmp_path / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except OSError:
        pytest.skip(f"cannot make a device node here, and a root run must not risk /dev/{name}")
    return str(node)


def test_item8_character_device_output_is_written_to_not_replaced(tmp_path, capsys) -> None:
    device = private_device(tmp_path, "null")
    code, _, err = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--offline", "-o", device)
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_item8_regular_file_keeps_its_mode_when_replaced(tmp_path) -> None:
    out = tmp_path / "report.json"
    out.write_text("old")
    out.chmod(0o640)
    write_output(str(out), "new")
    assert out.read_text() == "new" and stat.S_IMODE(os.stat(out).st_mode) == 0o640


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_item7_full_disk_on_output_is_exit_74_with_a_clear_message(tmp_path, capsys) -> None:
    full = private_device(tmp_path, "full")
    code, out, err = run_cli(capsys, "check", write_manifest(tmp_path, [ENTRY]), "--offline", "--format", "json",
                             "-o", full)
    assert code == 74
    assert f"cannot write {full}: No space left on device" in err
    assert stat.S_ISCHR(os.stat(full).st_mode)
    assert "internal error" not in err and "bug" not in err
    assert "1 integration" in err  # the summary line still tells the outcome


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_item7_full_disk_on_stdout_is_exit_74_in_a_real_process(tmp_path) -> None:
    import subprocess
    import sys

    with open(private_device(tmp_path, "full"), "w") as full:
        proc = subprocess.run([sys.executable, "-m", "oneinbox_check", "check", "--offline",
                               write_manifest(tmp_path, [ENTRY])], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=60)
    assert proc.returncode == 74, proc.stderr
    assert "No space left on device" in proc.stderr and "Traceback" not in proc.stderr


def test_write_output_failure_is_a_write_error_not_an_oserror(tmp_path) -> None:
    with pytest.raises(WriteError, match="cannot write"):
        write_output(str(tmp_path / "gone" / "x"), "text")


def test_check_writable_accepts_a_new_file_in_a_writable_folder(tmp_path) -> None:
    check_writable(str(tmp_path / "new.json"), "--output")


@pytest.mark.skipif(ROOT, reason="root may write anywhere")
def test_check_writable_refuses_a_read_only_file(tmp_path) -> None:
    ro = tmp_path / "ro.json"
    ro.write_text("{}")
    ro.chmod(0o400)
    with pytest.raises(UsageError, match="not writable"):
        check_writable(str(ro), "--output")

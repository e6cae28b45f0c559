"""``--state FILE``: the last verdict per integration, for scheduled runs (SPEC §9, §13).

An integration is identified by name + provider; its entry records the key's
fingerprint (an HMAC of the key with a random salt kept in the state file —
never the key). Each run marks integrations ``new``, ``unchanged``,
``degraded`` or ``recovered`` against the previous verdict — also across a key
rotation, which is flagged ``rotated`` (a new key that fails is ``degraded``,
not ``new``; switching back to a working key is ``recovered``). Entries of
older files, keyed by name + provider + fingerprint, are read the same way.

The file is shared: shards of one fleet and overlapping cron runs use the
same one. So it is read and validated before any request (corrupt → usage
error, the file untouched), created with its salt at once when missing (so
every run shares one salt), locked (``fcntl.flock`` on ``FILE.lock``) while it
is read or written, and merged on save: a run replaces only the entries of
the integrations it checked and keeps everybody else's.
"""

from __future__ import annotations

import json
import os
import secrets as _random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import UsageError
from .files import WriteError, check_writable, write_output
from .models import Report, Status
from .secrets import Secret

VERSION = 1
MAX_STATE_BYTES = 256 * 1024 * 1024
"""A state file larger than this is refused (one entry is ~250 bytes: a million integrations fit)."""
LOCK_TIMEOUT = 30.0
"""Seconds to wait for another run holding the lock (it holds it only to read or write)."""

_STATUSES = {s.value for s in Status}
_FIELDS = ("name", "provider", "status", "since", "checked_at")


@dataclass
class State:
    salt: bytes
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    covers: set[tuple[str, str]] = field(default_factory=set)  # (name, provider) this run speaks for


class _Corrupt(ValueError):
    pass


@contextmanager
def _locked(path: str) -> Iterator[None]:
    """Hold an exclusive lock on ``path + ".lock"`` (beside the symlink's target)."""
    import fcntl

    from .files import _target

    target, in_place = _target(path)
    if in_place:  # a device or descriptor: nothing to share
        yield
        return
    fd = os.open(target + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another oneinbox-check run holds {target}.lock") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _parse(text: str) -> State:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _Corrupt(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _Corrupt("not a oneinbox-check state file")
    if data.get("version") != VERSION:
        raise _Corrupt(f"unknown version {data.get('version')!r}")
    try:
        salt = bytes.fromhex(data["salt"])
    except (KeyError, TypeError, ValueError):
        raise _Corrupt("no valid salt") from None
    entries = data.get("integrations")
    if not isinstance(entries, dict):
        raise _Corrupt("'integrations' is not an object")
    for ident, entry in entries.items():
        problem = _entry_problem(entry)
        if problem:
            raise _Corrupt(f"entry {ident.split(chr(0x1f))[0]!r}: {problem}")
    return State(salt=salt, entries=dict(entries))


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "not an object"
    for name in _FIELDS:
        if not isinstance(entry.get(name), str):
            return f"'{name}' is missing or not text"
    if entry["status"] not in _STATUSES:
        return f"unknown status {entry['status']!r}"
    if not isinstance(entry.get("fingerprint", ""), str):
        return "'fingerprint' is not text"
    for name in ("since", "checked_at"):
        try:
            datetime.fromisoformat(entry[name])
        except ValueError:
            return f"'{name}' is not a date"
    return None


def _read(path: str) -> State | None:
    """The state in *path*, or None when there is none yet."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise _Corrupt(f"not UTF-8 text (byte {exc.start})") from None
    return _parse(text)


def load(path: str) -> State:
    """Validate *path* (before any request) and return its state; a missing
    file is created at once with a fresh salt, so shards starting together share it."""
    check_writable(path, "--state")
    if os.path.exists(path) and not os.path.isfile(path):  # a device, FIFO or socket: nothing to merge into
        raise UsageError(f"--state {path}: not a regular file; the state must be a file the next run can read")
    try:
        if os.path.getsize(path) > MAX_STATE_BYTES:
            raise UsageError(f"--state {path}: larger than {MAX_STATE_BYTES // (1024 * 1024)} MiB, not a state "
                             "file this tool wrote; it was left as it is")
    except OSError:
        pass  # missing: created below
    try:
        with _locked(path):
            state = _read(path)
            if state is None:
                state = State(salt=_random.token_bytes(16))
                _write(path, state)
    except _Corrupt as exc:
        raise UsageError(f"--state {path}: not a oneinbox-check state file ({exc}); it was left as it is — "
                         "delete it to start afresh") from None
    except (OSError, WriteError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"--state {path}: cannot read it ({reason})") from None
    return state


def identity(name: str, provider: str) -> str:
    return f"{name}\x1f{provider}"


def fingerprint(key: Secret | None, salt: bytes) -> str:
    return key.fingerprint(salt) if key else "-"


def _previous(state: State, name: str, provider: str) -> dict[str, Any] | None:
    """The last entry for name + provider (older files keep one per fingerprint: the latest counts)."""
    entry = state.entries.get(identity(name, provider))
    if entry is not None:
        return entry
    legacy = [e for k, e in state.entries.items() if k.startswith(identity(name, provider) + "\x1f")]
    return max(legacy, key=lambda e: e["checked_at"]) if legacy else None


def apply(report: Report, keys: Mapping[str, Secret | None], state: State) -> State:
    """Mark each integration's change in *report* and return this run's entries to save."""
    updated = State(salt=state.salt)
    when = report.started_at.isoformat()
    for integ in report.integrations:
        fp = fingerprint(keys.get(integ.name), state.salt)
        previous = _previous(state, integ.name, integ.provider)
        if previous is None:
            integ.change = "new"
        else:
            before = Status(previous["status"]).severity
            now = integ.status.severity
            integ.change = "degraded" if now > before else "recovered" if now < before else "unchanged"
            old_print = previous.get("fingerprint")
            if old_print is None:  # an older file: the fingerprint was the last part of the id
                old_print = next((k.rsplit("\x1f", 1)[1] for k, e in state.entries.items()
                                  if e is previous and k.count("\x1f") == 2), fp)
            integ.rotated = old_print != fp or None
        since = previous.get("since", when) if previous and integ.change == "unchanged" and not integ.rotated \
            else when
        updated.entries[identity(integ.name, integ.provider)] = {
            "name": integ.name, "provider": integ.provider, "status": integ.status.value,
            "fingerprint": fp, "since": since, "checked_at": when}
        updated.covers.add((integ.name, integ.provider))
    return updated


def merge(on_disk: State | None, ours: State) -> State:
    """What to save: the file's entries for integrations this run did not check, plus ours."""
    if on_disk is None or on_disk.salt != ours.salt:  # the file was deleted or restarted meanwhile
        return State(salt=ours.salt, entries=dict(ours.entries))
    kept = {k: v for k, v in on_disk.entries.items() if (v["name"], v["provider"]) not in ours.covers}
    return State(salt=ours.salt, entries={**kept, **ours.entries})


def save(path: str, state: State) -> None:
    """Merge *state* into the file under the lock; raise :class:`WriteError` (exit 74) on failure."""
    try:
        with _locked(path):
            try:
                on_disk = _read(path)
            except _Corrupt as exc:
                raise WriteError(f"cannot save --state {path}: it was replaced by something that is not a "
                                 f"state file during the run ({exc}); left as it is") from None
            _write(path, merge(on_disk, state))
    except WriteError as exc:
        if exc.reason == str(exc):
            raise
        raise WriteError(f"cannot save --state {path}: {exc.reason}", exc.reason) from None
    except OSError as exc:
        raise WriteError(f"cannot save --state {path}: {exc.strerror or exc}") from None


def _write(path: str, state: State) -> None:
    data = {"version": VERSION, "salt": state.salt.hex(), "saved_at": datetime.now().astimezone().isoformat(),
            "integrations": state.entries}
    # fingerprints are not secrets, but the salt should stay private
    write_output(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=0o600)

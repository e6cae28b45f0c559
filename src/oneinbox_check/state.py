"""``--state FILE``: the last verdict per integration, for scheduled runs (SPEC §9).

An integration is identified by name + provider + key fingerprint (an HMAC
of the key with a random salt kept in the state file — never the key), so a
rotated key counts as a new integration. Each run marks integrations ``new``,
``unchanged``, ``degraded`` or ``recovered`` against the previous verdict.
"""

from __future__ import annotations

import json
import secrets as _random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import UsageError
from .models import Report, Status
from .secrets import Secret

VERSION = 1


@dataclass
class State:
    salt: bytes
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)


def load(path: str) -> State:
    """The saved state, or a fresh one when *path* does not exist yet."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return State(salt=_random.token_bytes(16))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--state {path}: cannot read it ({exc}); delete the file to start afresh") from None
    try:
        if data.get("version") != VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        return State(salt=bytes.fromhex(data["salt"]), entries=dict(data["integrations"]))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"--state {path}: not a oneinbox-check state file ({exc}); delete it to start afresh") from None


def identity(name: str, provider: str, key: Secret | None, salt: bytes) -> str:
    return f"{name}\x1f{provider}\x1f{key.fingerprint(salt) if key else '-'}"


def apply(report: Report, keys: Mapping[str, Secret | None], state: State) -> State:
    """Mark each integration's change in *report* and return the state to save."""
    updated = State(salt=state.salt)
    when = report.started_at.isoformat()
    for integ in report.integrations:
        ident = identity(integ.name, integ.provider, keys.get(integ.name), state.salt)
        previous = state.entries.get(ident)
        if previous is None:
            integ.change = "new"
        else:
            before = Status(previous["status"]).severity
            now = integ.status.severity
            integ.change = "degraded" if now > before else "recovered" if now < before else "unchanged"
        since = previous.get("since", when) if previous and integ.change == "unchanged" else when
        updated.entries[ident] = {"name": integ.name, "provider": integ.provider, "status": integ.status.value,
                                  "since": since, "checked_at": when}
    return updated


def save(path: str, state: State) -> None:
    from .files import write_atomic

    data = {"version": VERSION, "salt": state.salt.hex(), "saved_at": datetime.now().astimezone().isoformat(),
            "integrations": state.entries}
    # fingerprints are not secrets, but the salt should stay private
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=0o600)

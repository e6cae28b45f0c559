"""What a request gives: a :class:`Reply` (any HTTP status; the probe decides
what it means) or a :class:`Failure` (no usable answer). Plain values, apart
from the HTTP layer (``net/http.py``) that makes them: a probe module imports
these without importing httpx, so an ``--offline`` run loads no HTTP stack.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    """An HTTP answer, whatever its status."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    attempts: int = 1

    def json(self) -> Any:
        """The parsed JSON body, or ``None`` when the body is not JSON (or nested deeper than any
        provider answers: such a body is a hostile server's, read as garbage, never a crash)."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Failure:
    """No usable answer. ``kind``: timeout, connect, tls, protocol, redirect, too_large,
    refused (the address rule, SPEC §13: the host resolved to an address never contacted)."""

    kind: str
    reason: str
    url: str
    attempts: int = 1


Outcome = Reply | Failure

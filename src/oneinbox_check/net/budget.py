"""A check's time budget: the wall-clock time one integration's live checks may
take, not counting time spent queued for a slot (a limit, a rate-limit pause).

The runner opens a budget around each probe (``with Budget(seconds) as b``
inside a cancel scope whose deadline the budget keeps); the HTTP and DNS
layers read :func:`remaining` to cap their waits (``Retry-After``, backoff,
per-attempt timeouts) and wrap queueing in :func:`queued`, which moves the
deadline back by the time spent waiting. Without a budget (a bare client)
nothing is capped.
"""

from __future__ import annotations

import math
from contextvars import ContextVar

import anyio

_CURRENT: ContextVar["Budget | None"] = ContextVar("oneinbox_check_budget", default=None)


class Budget:
    """*seconds* of working time from now; optionally drives a cancel scope's deadline."""

    def __init__(self, seconds: float, scope: anyio.CancelScope | None = None):
        self.seconds = seconds
        self.deadline = anyio.current_time() + seconds
        self._scope = scope
        self._queued = 0  # concurrent waits of this check (its probe may run requests in parallel)
        self._queued_since = 0.0
        if scope is not None:
            scope.deadline = self.deadline

    def remaining(self) -> float:
        now = self._queued_since if self._queued else anyio.current_time()  # the clock stops while queued
        return self.deadline - now

    def _pause(self) -> None:
        if self._queued == 0:
            self._queued_since = anyio.current_time()
            if self._scope is not None:
                self._scope.deadline = math.inf
        self._queued += 1

    def _resume(self) -> None:
        self._queued -= 1
        if self._queued == 0:
            self.deadline += anyio.current_time() - self._queued_since
            if self._scope is not None:
                self._scope.deadline = self.deadline

    def __enter__(self) -> "Budget":
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self._token)


def current() -> Budget | None:
    return _CURRENT.get()


def remaining() -> float | None:
    """Seconds left in the current check's budget (``None``: no budget)."""
    budget = _CURRENT.get()
    return None if budget is None else budget.remaining()


def queued() -> "_Queued":
    """Time spent in this block (waiting for a slot) does not count against the budget."""
    return _Queued(_CURRENT.get())


class _Queued:
    """The context manager :func:`queued` returns (a class: it is entered per request and per DNS question)."""

    __slots__ = ("_budget",)

    def __init__(self, budget: Budget | None):
        self._budget = budget

    def __enter__(self) -> None:
        if self._budget is not None:
            self._budget._pause()

    def __exit__(self, *exc: object) -> None:
        if self._budget is not None:
            self._budget._resume()

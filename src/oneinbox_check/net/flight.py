"""Single flight: identical work within a run is done once.

The first caller for a key does the work; callers arriving meanwhile wait for
its result; later callers get it from the cache. If the first caller is
cancelled, the key is forgotten and the next caller does the work itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


@dataclass
class _Flight(Generic[T]):
    done: anyio.Event = field(default_factory=anyio.Event)
    result: T | None = None


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._flights: dict[Hashable, _Flight[T]] = {}

    async def do(self, key: Hashable, work: Callable[[], Awaitable[T]]) -> T:
        while True:
            flight = self._flights.get(key)
            if flight is None:
                break
            await flight.done.wait()
            if flight.result is not None:
                return flight.result
        flight = self._flights[key] = _Flight()
        try:
            flight.result = await work()
        finally:
            if flight.result is None:  # cancelled or failed: let a later caller try again
                del self._flights[key]
            flight.done.set()
        return flight.result

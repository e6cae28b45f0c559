"""SingleFlight: identical work once per run; a cancelled first caller does not poison the key."""

from __future__ import annotations

import anyio
import pytest

from oneinbox_check.net.flight import SingleFlight

pytestmark = pytest.mark.anyio


async def test_concurrent_callers_share_one_execution() -> None:
    flight: SingleFlight[int] = SingleFlight()
    calls = []

    async def work() -> int:
        calls.append(1)
        await anyio.sleep(0.01)
        return 42

    results = []

    async def caller() -> None:
        results.append(await flight.do("k", work))

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(caller)
    assert results == [42] * 5 and len(calls) == 1
    assert await flight.do("k", work) == 42 and len(calls) == 1


async def test_cancelled_first_caller_lets_the_next_one_work() -> None:
    flight: SingleFlight[str] = SingleFlight()

    async def slow() -> str:
        await anyio.sleep(10)
        return "never"

    async def fast() -> str:
        return "done"

    with anyio.move_on_after(0.01):
        await flight.do("k", slow)
    assert await flight.do("k", fast) == "done"

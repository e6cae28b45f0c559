"""The progress display of a run on a terminal (rich is imported only when it is shown)."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """A transient progress bar on a terminal (count, rate, ETA), shown only for runs longer than ~1 s;
    nothing when stderr is not a terminal (piped, CI logs) or with ``-q``."""

    DELAY = 1.0

    def __init__(self, enabled: bool, total: int):
        self.enabled = enabled
        self.total = total
        self.done = 0
        self._bar: Any = None
        self._task: Any = None

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total or None)
            self._bar.update(self._task, rate=self.rate())

    async def ticker(self) -> None:
        if not self.enabled:
            return
        import anyio

        await anyio.sleep(self.DELAY)
        self.start()

    def start(self, console: Any = None) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn,
                                   TimeRemainingColumn)

        self._bar = Progress(TextColumn("checking"), BarColumn(bar_width=None), MofNCompleteColumn(),
                             TaskProgressColumn(), TextColumn("{task.fields[rate]}"), TextColumn("ETA"),
                             TimeRemainingColumn(), console=console or Console(file=sys.stderr), transient=True,
                             refresh_per_second=4)
        self._task = self._bar.add_task("checking", total=self.total or None, completed=self.done, rate="")
        self._bar.start()

    def rate(self) -> str:
        if self._bar is None:
            return ""
        speed = self._bar.tasks[0].speed if self._bar.tasks else None
        return f"{speed:.1f}/s" if speed else ""

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

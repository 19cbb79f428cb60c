"""A progress bar on standard error for runs over about a second: `files done/total`. The CLI
creates it only when standard error is a terminal; nothing is drawn otherwise."""
from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


class Tick(Protocol):
    """The engine's progress callback: ``tick(0, total=N)`` announces N more files, ``tick()`` one done."""

    def __call__(self, n: int = 1, total: int | None = None) -> None: ...


class Progress:
    """Context manager yielding a tick(n, total=None) callback; the bar appears after DELAY seconds.
    The engine announces each batch of files with tick(0, total=N) and ticks once per file."""

    DELAY = 1.0

    def __init__(self, stream: TextIO | None = None, color: bool | None = None) -> None:
        self._start = time.monotonic()
        self._done = 0
        self._total = 0
        self._stream = stream or sys.stderr
        self._color = color
        self._bar: RichProgress | None = None  # drawn after DELAY, with its task
        self._task: TaskID | None = None

    def __enter__(self) -> Tick:
        return self.tick

    def tick(self, n: int = 1, total: int | None = None) -> None:
        self._done += n
        if total is not None:
            self._total += total
        if self._bar is None and time.monotonic() - self._start > self.DELAY:
            self._bar, self._task = self._draw()
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self._done, total=max(self._total, self._done) or None)

    def _draw(self) -> tuple[RichProgress, TaskID]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
        from rich.progress import Progress as RichProgress
        console = Console(file=self._stream, force_terminal=True, no_color=self._color is False, highlight=False)
        bar = RichProgress(TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                           console=console, transient=True)
        bar.start()
        return bar, bar.add_task("files", total=self._total or None)

    @property
    def counts(self) -> tuple[int, int]:
        return self._done, self._total

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

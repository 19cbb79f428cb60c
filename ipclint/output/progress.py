"""A progress bar on standard error for runs over about a second: `files done/total`. The CLI
creates it only when standard error is a terminal; nothing is drawn otherwise."""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO


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
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self):
        return self.tick

    def tick(self, n: int = 1, total: int | None = None) -> None:
        self._done += n
        if total is not None:
            self._total += total
        if self._bar is None and time.monotonic() - self._start > self.DELAY:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as RichProgress
            console = Console(file=self._stream, force_terminal=True,
                              no_color=self._color is False, highlight=False)
            self._bar = RichProgress(TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                                     console=console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("files", total=self._total or None)
        if self._bar is not None:
            self._bar.update(self._task, completed=self._done, total=max(self._total, self._done) or None)

    @property
    def counts(self) -> tuple[int, int]:
        return self._done, self._total

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

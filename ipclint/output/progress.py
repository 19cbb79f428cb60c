"""A progress bar on a terminal for runs over about a second; nothing otherwise."""
from __future__ import annotations

import sys
import time


class Progress:
    """Context manager yielding a tick(n) callback; the bar appears only after DELAY seconds."""

    DELAY = 1.0

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._done = 0
        self._bar = None
        self._task = None

    def __enter__(self):
        return self.tick

    def tick(self, n: int = 1) -> None:
        self._done += n
        if self._bar is None and time.monotonic() - self._start > self.DELAY:
            from rich.progress import BarColumn, Progress as RichProgress, TextColumn
            from rich.console import Console
            self._bar = RichProgress(TextColumn("analysing"), BarColumn(), TextColumn("{task.completed} files"),
                                     console=Console(file=sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("files", total=None)
        if self._bar is not None:
            self._bar.update(self._task, completed=self._done)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

"""Work counted against a budget: how the analysis of one file (or one question) stays bounded.

A stage that can be made to do a lot of work by one crafted input (a file nesting callbacks
10,000 deep, a chain of 5,000 `else if`) spends units from a ``Work`` as it goes: one unit per
syntax node or value it touches, per step it climbs, per KiB it searches. Past the limit,
``spend`` raises ``OutOfWork``; the stage stops there and says so (extraction records where, in
``FileFacts.stopped_at``, and the engine reports a diagnostic). The count itself is kept
(``FileFacts.work``): tests assert that it grows linearly with the size of pathological inputs,
which wall time cannot show reliably.
"""
from __future__ import annotations


class OutOfWork(Exception):
    """The budget of a ``Work`` is spent."""


class Work:
    __slots__ = ("done", "limit")

    def __init__(self, limit: int) -> None:
        self.done = 0
        self.limit = limit

    def spend(self, units: int = 1) -> None:
        self.done += units
        if self.done > self.limit:
            raise OutOfWork(self.done)

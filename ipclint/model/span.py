"""Positions in a source file."""
from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    """1-based line and column, end exclusive column as in SARIF. A tuple: facts hold millions of
    them, and tuples compare and sort in C."""

    line: int
    column: int
    end_line: int
    end_column: int

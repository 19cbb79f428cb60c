"""Severities and roles."""
from __future__ import annotations

from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"note": 0, "warning": 1, "error": 2}[self.value]


class Role(str, Enum):
    MAIN = "main"
    PRELOAD = "preload"
    RENDERER = "renderer"
    SHARED = "shared"

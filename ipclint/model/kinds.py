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


class StepKind(str, Enum):
    """What a step of a trace (renderer -> preload -> main -> sink) is."""

    BRIDGE_CALL = "bridge-call"  # the page calls an exposed bridge function
    PRELOAD_SEND = "preload-send"  # the preload's IPC call behind that function
    SEND = "send"  # a direct send or invoke (name: the channel, method: send/invoke...)
    HANDLER_PARAMETER = "handler-parameter"
    HELPER_CALL = "helper-call"  # renderer data passed to a project function
    HELPER_PARAMETER = "helper-parameter"
    HELPER_RESULT = "helper-result"  # returned by a project function that was given renderer data
    SINK = "sink"  # the dangerous call it reaches (name: what it is)


class Role(str, Enum):
    MAIN = "main"
    PRELOAD = "preload"
    RENDERER = "renderer"
    SHARED = "shared"

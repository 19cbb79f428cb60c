"""The data that flows between the stages: values and facts (extract -> link), and the run result
(engine -> output). The lowest layer: it imports nothing else of ipclint."""
from __future__ import annotations

from ipclint.model.kinds import Role, Severity, StepKind
from ipclint.model.result import Diagnostic, FileCounts, FileInfo, Finding, Location, RunResult, TraceStep
from ipclint.model.span import Span

# `window.parent` / `window.top`: the embedding page's window, whose exposed API an iframe reaches
# (`window.parent.api.send(...)`): known to discovery's byte search (select.GLOBAL_AT), to
# extraction (the global keys a file reads) and to linking (bridge calls)
FRAME_WINDOWS = frozenset({"parent", "top"})

__all__ = ["FRAME_WINDOWS", "Diagnostic", "FileCounts", "FileInfo", "Finding", "Location", "Role", "RunResult",
           "Severity", "Span", "StepKind", "TraceStep"]

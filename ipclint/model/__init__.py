"""The data that flows between the stages: values and facts (extract -> link), and the run result
(engine -> output). The lowest layer: it imports nothing else of ipclint."""
from __future__ import annotations

from ipclint.model.kinds import Role, Severity, StepKind
from ipclint.model.result import Diagnostic, FileCounts, FileInfo, Finding, Location, RunResult, TraceStep
from ipclint.model.span import Span

__all__ = ["Diagnostic", "FileCounts", "FileInfo", "Finding", "Location", "Role", "RunResult", "Severity", "Span",
           "StepKind", "TraceStep"]

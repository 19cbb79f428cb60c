"""Immutable values passed between the stages and to the formatters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ipclint.model.graph import GraphView
from ipclint.model.kinds import Role, Severity, StepKind
from ipclint.model.span import Span


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    span: Span
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.span.line, "column": self.span.column,
                "message": self.message}


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of a finding's trace, as data: what happens (``kind``), where, in which role, and
    the names it is about (a channel, a parameter, a helper, a sink); output/ makes the words."""

    kind: StepKind
    path: str
    span: Span
    role: Role | None = None
    name: str = ""
    method: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    path: str
    span: Span
    message: str
    fingerprint: str
    related: tuple[Location, ...] = ()
    trace: tuple[TraceStep, ...] = ()
    help: str = ""  # how to fix it, one line (the rule's)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.rule, self.message)



@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A tool diagnostic: not a finding. kind is read|decode|binary|parse|depth|limit|config|suppression|internal."""

    path: str
    message: str
    kind: str = "parse"
    line: int = 0
    column: int = 0

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.line:
            d["line"] = self.line
            d["column"] = self.column
        return d


@dataclass(frozen=True, slots=True)
class FileInfo:
    path: str
    role: Role
    reason: str


@dataclass(frozen=True, slots=True)
class FileCounts:
    analysed: int = 0
    skipped: int = 0
    with_parse_errors: int = 0


@dataclass(frozen=True, slots=True)
class RunResult:
    root: str
    tool_version: str
    electron_version: str | None
    findings: tuple[Finding, ...]
    files: FileCounts
    errors: tuple[Diagnostic, ...]
    elapsed: float = 0.0
    roles: tuple[FileInfo, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (path, reason)
    rules_run: tuple[str, ...] = ()
    internal_error: bool = False
    graph: GraphView | None = None  # the channel graph of the run (ipclint.link.graphview)
    hidden_by_baseline: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def parse_errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.errors if d.kind in ("parse", "depth", "limit"))

"""Immutable values passed between the stages and to the formatters (msgspec Structs: made in C,
where a frozen dataclass costs about a millisecond to create when the module is imported)."""
from __future__ import annotations

from typing import Any

import msgspec

from ipclint.model.graph import GraphView
from ipclint.model.kinds import Role, Severity, StepKind
from ipclint.model.span import Span


class Location(msgspec.Struct, frozen=True):
    path: str
    span: Span
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.span.line, "column": self.span.column,
                "message": self.message}


class TraceStep(msgspec.Struct, frozen=True):
    """One step of a finding's trace, as data: what happens (``kind``), where, in which role, and
    the names it is about (a channel, a parameter, a helper, a sink); output/ makes the words."""

    kind: StepKind
    path: str
    span: Span
    role: Role | None = None
    name: str = ""
    method: str = ""


class Finding(msgspec.Struct, frozen=True):
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



class Diagnostic(msgspec.Struct, frozen=True):
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


class FileInfo(msgspec.Struct, frozen=True):
    path: str
    role: Role
    reason: str


class FileCounts(msgspec.Struct, frozen=True):
    analysed: int = 0
    skipped: int = 0
    with_parse_errors: int = 0


class RunResult(msgspec.Struct, frozen=True):
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
    # what a run adds for its caller (the project, cache counts): not stored, not compared
    extra: dict[str, Any] = {}

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self.__struct_fields__ if f != "extra")

    def __eq__(self, other: object) -> bool:
        return self._compared() == other._compared() if isinstance(other, RunResult) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._compared())

    @property
    def parse_errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.errors if d.kind in ("parse", "depth", "limit"))

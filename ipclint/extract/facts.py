"""FileFacts and the data records extracted from one file."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ipclint.extract.values import V
from ipclint.model import Span

FACTS_VERSION = 20  # facts records are NamedTuples: cached facts load in C


class Param(NamedTuple):
    """A function parameter binding; destructured ones carry their key path inside the argument."""

    name: str
    index: int
    span: Span
    path: tuple[str, ...] = ()
    rest: bool = False


@dataclass(slots=True)
class Func:
    id: int
    name: str | None
    kind: str  # declaration, arrow, function, method
    span: Span
    parent: int | None
    params: tuple[Param, ...] = ()
    is_async: bool = False
    returns: list[V] = field(default_factory=list)
    concise: bool = False  # arrow with an expression body (that body is in returns)
    arg_of: int | None = None  # index of the call this function is passed to directly
    arg_index: int = -1
    in_loop: bool = False
    once_guarded: bool = False  # starts with `if (flag) return; flag = true`
    extra: dict[str, Any] = field(default_factory=dict)


class Call(NamedTuple):
    index: int
    callee: V
    args: tuple[V, ...]
    span: Span
    func: int | None  # enclosing function
    in_loop: bool = False  # inside a loop statement within its enclosing function
    new: bool = False
    awaited: bool = False
    once_guarded: bool = False  # inside `if (!flag) { ...; flag = true }`
    conds: tuple = ()  # IPC calls: enclosing if conditions (V) and switch cases (V("case", (value, cases)))


class Assign(NamedTuple):
    target: V
    value: V
    span: Span
    func: int | None
    op: str = "="


class JsxElement(NamedTuple):
    name: str
    attrs: tuple[tuple[str, V | None, Span], ...]
    span: Span


class Check(NamedTuple):
    """A comparison (`typeof p === 'string'`, `p in MAP`, `a !== b`): validation evidence."""

    op: str
    left: V
    right: V
    span: Span
    func: int | None


class Exit(NamedTuple):
    """`if (cond) { ... return/throw }`: a check that leaves the function when ``cond`` holds."""

    cond: V
    span: Span
    func: int | None


@dataclass(slots=True)
class FileFacts:
    path: str
    dialect: str
    size: int
    parse_errors: list[tuple[int, int, int, int]] = field(default_factory=list)
    too_deep: bool = False
    imports: dict[str, V] = field(default_factory=dict)  # local name -> V(import|module)
    exports: dict[str, V] = field(default_factory=dict)  # exported name -> value; "*" = CJS object
    star_exports: list[str] = field(default_factory=list)
    bindings: dict[tuple[int | None, str], V] = field(default_factory=dict)  # (scope, name) -> V
    mutable: set[tuple[int | None, str]] = field(default_factory=set)  # let/var bindings
    functions: list[Func] = field(default_factory=list)
    func_names: dict[tuple[int | None, str], int] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    assigns: list[Assign] = field(default_factory=list)
    classes: dict[str, Span] = field(default_factory=dict)
    class_methods: dict[str, dict[str, int]] = field(default_factory=dict)
    jsx: list[JsxElement] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    exits: list[Exit] = field(default_factory=list)
    globals_used: set[str] = field(default_factory=set)  # window.<key> / globalThis.<key> roots

    def lookup(self, scope: int | None, name: str) -> V | None:
        """The binding visible from ``scope``: climb enclosing functions, then module level."""
        seen = 0
        while seen < 256:
            v = self.bindings.get((scope, name))
            if v is not None:
                return v
            if scope is None:
                return None
            scope = self.functions[scope].parent
            seen += 1
        return None

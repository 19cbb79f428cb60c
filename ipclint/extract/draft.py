"""The mutable drafts extraction fills in, frozen into ``model.facts`` records when a file is done."""
from __future__ import annotations

from dataclasses import dataclass, field

from ipclint.extract.typefacts import TypeDraft
from ipclint.model.facts import (
    Assign,
    Call,
    Check,
    Exit,
    FileFacts,
    Flow,
    Func,
    JsxElement,
    Outcome,
    Param,
    lookup_binding,
)
from ipclint.model.span import Span
from ipclint.model.values import AnyV

Scope = int | None


@dataclass(slots=True)
class FuncDraft:
    id: int
    name: str | None
    kind: str
    span: Span
    parent: int | None
    params: tuple[Param, ...] = ()
    is_async: bool = False
    returns: list[AnyV] = field(default_factory=list)
    concise: bool = False
    arg_of: int | None = None
    arg_index: int = -1
    in_loop: bool = False
    once_guarded: bool = False
    flow: Flow | None = None

    def freeze(self) -> Func:
        return Func(self.id, self.name, self.kind, self.span, self.parent, self.params, self.is_async,
                    tuple(self.returns), self.concise, self.arg_of, self.arg_index, self.in_loop,
                    self.once_guarded, self.flow)


@dataclass(slots=True)
class FactsDraft:
    path: str
    dialect: str
    size: int
    parse_errors: list[tuple[int, int, int, int]] = field(default_factory=list)
    too_deep: bool = False
    stopped_at: int = 0
    work: int = 0
    imports: dict[str, AnyV] = field(default_factory=dict)
    exports: dict[str, AnyV] = field(default_factory=dict)
    star_exports: list[str] = field(default_factory=list)
    bindings: dict[tuple[Scope, str], AnyV] = field(default_factory=dict)
    mutable: set[tuple[Scope, str]] = field(default_factory=set)
    functions: list[FuncDraft] = field(default_factory=list)
    func_names: dict[tuple[Scope, str], int] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    assigns: list[Assign] = field(default_factory=list)
    classes: dict[str, Span] = field(default_factory=dict)
    class_methods: dict[str, dict[str, int]] = field(default_factory=dict)
    class_getters: dict[str, dict[str, int]] = field(default_factory=dict)
    class_bases: dict[str, str] = field(default_factory=dict)
    class_implements: dict[str, tuple[str, ...]] = field(default_factory=dict)
    jsx: list[JsxElement] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    exits: list[Exit] = field(default_factory=list)
    globals_used: set[str] = field(default_factory=set)
    script_setup: tuple[tuple[int, int], ...] = ()
    class_statics: dict[str, dict[str, AnyV]] = field(default_factory=dict)
    types: TypeDraft | None = None  # TypeScript only
    deletes: list[Assign] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    loops: dict[tuple[Scope, str], list[tuple[Span, AnyV]]] = field(default_factory=dict)
    flows_deferred: bool = False

    def lookup(self, scope: Scope, name: str) -> AnyV | None:
        return lookup_binding(self.bindings, self.functions, scope, name)

    def freeze(self) -> FileFacts:
        children: dict[int, list[int]] = {}
        for fn in self.functions:
            if fn.parent is not None:
                children.setdefault(fn.parent, []).append(fn.id)
        return FileFacts(
            path=self.path, dialect=self.dialect, size=self.size, parse_errors=tuple(self.parse_errors),
            too_deep=self.too_deep, stopped_at=self.stopped_at, work=self.work, imports=self.imports,
            exports=self.exports,
            star_exports=tuple(self.star_exports), bindings=self.bindings, mutable=frozenset(self.mutable),
            functions=tuple(fn.freeze() for fn in self.functions), func_names=self.func_names,
            calls=tuple(self.calls), assigns=tuple(self.assigns), classes=self.classes,
            class_methods=self.class_methods, class_getters=self.class_getters, class_bases=self.class_bases,
            class_implements=self.class_implements, jsx=tuple(self.jsx),
            checks=tuple(self.checks),
            exits=tuple(self.exits), globals_used=frozenset(self.globals_used),
            func_children={k: tuple(v) for k, v in children.items()}, script_setup=self.script_setup,
            class_statics=self.class_statics, types=self.types.freeze() if self.types is not None else None,
            deletes=tuple(self.deletes), outcomes=tuple(self.outcomes),
            loops={k: tuple(v) for k, v in self.loops.items() if len(v) > 1},
            flows_deferred=self.flows_deferred)

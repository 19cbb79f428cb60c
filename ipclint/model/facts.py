"""FileFacts: what extraction records of one file, as typed frozen records.

Pure data of one file's bytes (no configuration, no other file): cached by content hash in
MessagePack (``ipclint.cache``), decoded only into these types.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, Union

import msgspec

from ipclint.model.span import Span
from ipclint.model.types import TypeFacts
from ipclint.model.values import AnyV

FACTS_VERSION = 152


class _Record(msgspec.Struct, frozen=True, array_like=True, gc=False):
    pass


class Param(_Record, frozen=True):
    """A function parameter binding; destructured ones carry their key path inside the argument."""

    name: str
    index: int
    span: Span
    path: tuple[str, ...] = ()
    rest: bool = False


# ---- the parameter flow of one function (extract/handlerflow.py) --------------------------------

class Site(_Record, frozen=True):
    """A validation candidate. kind: "check" (typeof, comparison, allowlist: validation unless
    the allowlist is weak, decided later), "url" (`new URL(x)`), "call" (a call taking the value:
    a validator or not, decided later), "empty" (`x === ''`, `x == null`: a presence test, not
    validation), "pair" (a comparison or membership test with tracked names on both sides,
    `a === b`, `b.includes(a)`: validation only when one side is not renderer data, decided
    later), "lookup" (`MAP.get(x)`, `TABLE[x]` whose result is tested: an allowlist when the
    table has no inherited keys, decided later)."""

    kind: str
    span: Span
    names: tuple[str, ...]
    sides: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # "pair": the names on each side
    value: AnyV | None = None  # the site's expression (`LIST.indexOf(x)`, `TABLE[x]`, `x in MAP`)
    atom: AnyV | None = None  # the test it is part of, when larger (`LIST.indexOf(x) !== -1`)
    truth: bool = False  # its result is used as a truth value (not compared, not stored as data)
    test: Span | None = None  # the whole condition of the `if`/`while`/ternary it is part of
    # a denylist test: the value goes on where it fails (`if (RE.test(x)) return`,
    # `list.filter((x) => !RE.test(x))`), so a test that matches too much refuses more, not less
    denies: bool = False


class Occ(_Record, frozen=True):
    """One read. role: "use", "arg" (argument of the call at ``into``: a use unless that call
    validates), "check"/"url" (part of site ``site``; a "lookup" site's read is a use unless the
    lookup validates), "alias" (the value of a pure alias), "set" (assigned to the property
    written by the assignment at ``into``: a use). ``dom``: the sites on whose passing side the
    read sits (the check's result decided the path); ``held``: earlier sites evaluated on every
    path whose result nobody tests (`validate(x);`): they validate only by throwing. "ret":
    returned by the analysed function (a use)."""

    name: str
    span: Span
    role: str
    site: int = -1
    dom: tuple[int, ...] = ()  # sites that dominate the read
    into: Span | None = None  # the call its value reaches
    arg: int = -1
    keys: tuple[str, ...] = ()  # object-literal keys between that argument and the value
    held: tuple[int, ...] = ()
    path: tuple[str, ...] = ()  # the properties read off the value first (`o.file.path`: ("file", "path"))


class Alias(_Record, frozen=True):
    name: str
    source: str
    pure: bool  # only member reads or destructuring: the same data under another name
    occ: int  # the read of ``source`` that defines it
    rewritten: bool = False  # made through `replace`/`replaceAll` (a function returning it may sanitize)
    numeric: bool = False  # declared as `Number(source)` (parseInt, parseFloat): carries no path or URL
    const: bool = False  # a `const` declaration: this read of ``source`` is the only value it ever holds
    # the property path of ``source`` that it holds (`const { a: { b } } = s`: ("a", "b"); `const t = s`:
    # ()); "*" first: an element or key of it (a loop variable, a callback parameter)
    key: tuple[str, ...] = ("*",)


class Gate(_Record, frozen=True):
    """A test of the function's data that decides how the function ends: failing it throws
    ("throw") or returns early ("return"), the function returns its result ("result"), or a call
    evaluated on every path that throws when it is a validator ("held"), or a test whose passing
    returns a truthy value at once ("accept": a verdict for its callers, no validation by itself)."""

    site: int
    how: str


class Carry(_Record, frozen=True):
    """Where the result of a call that takes tracked data goes (`shell.openPath(toFull(p))`,
    `const full = toFull(p)`, `return resolve(dir, p)`): it carries that data only when the call
    returns its argument's data (a project function returning its parameter; decided at link
    time). ``via``: the read (index in ``Flow.occs``) that passes the data to the call; ``occ``:
    the result's own consumer (role "arg", "set" or "ret", or "use" for ``names``, the locals
    it is kept in)."""

    via: int
    occ: Occ
    names: tuple[str, ...] = ()
    # the calls the data passes through on the way, each with the argument position it is given
    # in (`open(trim(toFull(p)))`: the `trim(...)` call, 0): each must return it too
    chain: tuple[tuple[Span, int], ...] = ()


class Flow(_Record, frozen=True):
    sites: tuple[Site, ...]
    occs: tuple[Occ, ...]
    aliases: tuple[Alias, ...]
    gates: tuple[Gate, ...] = ()
    carries: tuple[Carry, ...] = ()


# ---- records of one file ------------------------------------------------------------------------

class FileFlows(msgspec.Struct, frozen=True, gc=False):
    """The flows of one file's functions by function id, analysed on demand for a file whose
    facts deferred them (cached like facts, by path and content hash)."""

    path: str
    flows: dict[int, Flow] = {}
    spans: tuple[Span, ...] = ()  # every function's span, by id (``Project.flow`` matches ids by them)


class Func(_Record, frozen=True):
    id: int
    name: str | None
    kind: str  # declaration, arrow, function, method
    span: Span
    parent: int | None
    params: tuple[Param, ...] = ()
    is_async: bool = False
    returns: tuple[AnyV, ...] = ()
    concise: bool = False  # arrow with an expression body (that body is in returns)
    arg_of: int | None = None  # index of the call this function is passed to directly
    arg_index: int = -1
    in_loop: bool = False
    once_guarded: bool = False  # starts with `if (flag) return; flag = true`
    flow: Flow | None = None  # where its parameters go (page code is not analysed)


class Arm(_Record, frozen=True):
    """One branch a call sits in: arm ``arm`` of the if/ternary/switch statement that starts at
    ``at`` (its line and column packed in one number: `line << 32 | column`, 0-based) (if: 0 the
    consequence, 1 the alternative or the code after an `if` whose consequence always leaves the
    function, with the condition ``cond``; switch: the group of cases that fall through into each
    other). Two calls in different arms of one statement never both run in one pass."""

    at: int
    arm: int
    cond: AnyV | None = None


class Call(_Record, frozen=True):
    index: int
    callee: AnyV
    args: tuple[AnyV, ...]
    span: Span
    func: int | None  # enclosing function
    in_loop: bool = False  # inside a loop statement within its enclosing function
    new: bool = False
    awaited: bool = False
    once_guarded: bool = False  # inside `if (!flag) { ...; flag = true }`, or `if (!svc) svc = new S()`
    conds: tuple[AnyV, ...] = ()  # IPC calls: enclosing if conditions, and switch cases as Case values
    arms: tuple[Arm, ...] = ()  # statement calls (`f()`, `await f()`): their branches, outermost first


class Assign(_Record, frozen=True):
    target: AnyV
    value: AnyV
    span: Span
    func: int | None
    op: str = "="


class JsxAttr(_Record, frozen=True):
    name: str  # "..." for a spread (`<webview {...props} />`): ``value`` is the object spread
    value: AnyV | None
    span: Span
    func: int | None = None  # the function the element is written in (its value's scope)


class JsxElement(_Record, frozen=True):
    name: str
    attrs: tuple[JsxAttr, ...]
    span: Span


class Check(_Record, frozen=True):
    """A comparison (`typeof p === 'string'`, `p in MAP`, `a !== b`): validation evidence."""

    op: str
    left: AnyV
    right: AnyV
    span: Span
    func: int | None


class Exit(_Record, frozen=True):
    """`if (cond) { ... return/throw }`: a check that leaves the function when ``cond`` holds."""

    cond: AnyV
    span: Span
    func: int | None


class Outcome(_Record, frozen=True):
    """How a function of main or preload code ends: a `return` (``value`` None for a bare one) or
    a `throw` (``throws``), with the conditions under which it is reached within its function
    (enclosing if/else conditions, as ``Call.conds``). `return c ? a : b` and a concise arrow
    body `c ? a : b` are two outcomes, `a` under c and `b` under Not(c). IPC017 reads them: what a
    check's passing side leads to."""

    func: int
    span: Span  # the returned expression, or the `return`/`throw` keyword
    value: AnyV | None = None
    throws: bool = False
    conds: tuple[AnyV, ...] = ()
    alone: bool = True  # nothing runs before it in its block (`if (c) return` / `if (c) { return }`)
    caught: bool = False  # in a `catch` block of its function: reached only when something threw


Scope = Union[int, None]


class FileFacts(msgspec.Struct, frozen=True, gc=False):
    """Everything extraction records of one file. Never changed after extraction."""

    path: str
    dialect: str
    size: int
    parse_errors: tuple[tuple[int, int, int, int], ...] = ()
    too_deep: bool = False
    # the work budget ran out (model/work.py): the line where analysis stopped; 0 when complete
    stopped_at: int = 0
    work: int = 0  # units of work extraction spent on the file (tests check that it grows linearly)
    imports: dict[str, AnyV] = {}  # local name -> Import; "\0order:<src>" -> Module, in source order
    exports: dict[str, AnyV] = {}  # exported name -> value; "*" = the CommonJS exports object
    star_exports: tuple[str, ...] = ()
    bindings: dict[tuple[Scope, str], AnyV] = {}  # (scope, name) -> value
    mutable: frozenset[tuple[Scope, str]] = frozenset()  # let/var bindings
    functions: tuple[Func, ...] = ()
    func_names: dict[tuple[Scope, str], int] = {}
    calls: tuple[Call, ...] = ()
    assigns: tuple[Assign, ...] = ()
    classes: dict[str, Span] = {}
    class_methods: dict[str, dict[str, int]] = {}
    class_getters: dict[str, dict[str, int]] = {}  # class -> getter name -> the getter's function id
    class_bases: dict[str, str] = {}  # class name -> the last name of what it extends (`LitElement`)
    class_implements: dict[str, tuple[str, ...]] = {}  # class name -> the last names of the interfaces it implements
    jsx: tuple[JsxElement, ...] = ()
    checks: tuple[Check, ...] = ()
    exits: tuple[Exit, ...] = ()
    globals_used: frozenset[str] = frozenset()  # window.<key> / globalThis.<key> roots
    func_children: dict[int, tuple[int, ...]] = {}  # function id -> the functions directly inside it
    script_setup: tuple[tuple[int, int], ...] = ()  # .vue: line ranges of `<script setup>` blocks
    class_statics: dict[str, dict[str, AnyV]] = {}  # class -> its static fields' values
    types: TypeFacts | None = None  # TypeScript: what typed-channel decisions read (model/types.py)
    deletes: tuple[Assign, ...] = ()  # `delete obj.prop`, as assignments of undefined with op "delete"
    outcomes: tuple[Outcome, ...] = ()  # returns and throws of main and preload code, with their conditions
    # (scope, name) bound by two or more loops of one function (`for (const ch of A) ...; for (const
    # ch of B) ...`): each loop statement's span and what it binds the name to (``bindings`` keeps the last)
    loops: dict[tuple[Scope, str], tuple[tuple[Span, AnyV], ...]] = {}
    # the functions' flows (``Func.flow``) were not analysed with the rest (extract/analyzers.eager):
    # read them through ``Project.flow``, which has them analysed when first asked
    flows_deferred: bool = False

    def lookup(self, scope: Scope, name: str) -> AnyV | None:
        """The binding visible from ``scope``: climb enclosing functions, then module level."""
        return lookup_binding(self.bindings, self.functions, scope, name)

    def subtree(self, fid: int) -> set[int]:
        """``fid`` and every function nested in it."""
        out: set[int] = set()
        stack = [fid]
        while stack:
            x = stack.pop()
            if x not in out:
                out.add(x)
                stack.extend(self.func_children.get(x, ()))
        return out


def binding_scope(f: FileFacts, scope: Scope, name: str) -> tuple[Scope, AnyV | None] | None:
    """Where ``name`` is bound when looked up from ``scope`` as resolution looks it up: the scope's
    own binding, then the function's parameters, then the enclosing scope, up to module level (at
    most 256 levels). (the scope that binds it, its value), (the function, None) for a parameter,
    None when no scope binds it (a global)."""
    for _ in range(256):
        v = f.bindings.get((scope, name))
        if v is not None:
            return scope, v
        if scope is None:
            return None
        fn = f.functions[scope]
        for p in fn.params:
            if p.name == name:
                return scope, None
        scope = fn.parent
    return None


class _HasParent(Protocol):
    @property
    def parent(self) -> Scope: ...


def lookup_binding(bindings: Mapping[tuple[Scope, str], AnyV], functions: Sequence[_HasParent],
                   scope: Scope, name: str) -> AnyV | None:
    """The binding of ``name`` visible from ``scope`` (a function id, None for module level): climb
    the enclosing functions, then module level; at most 256 levels."""
    for _ in range(256):
        v = bindings.get((scope, name))
        if v is not None:
            return v
        if scope is None:
            return None
        scope = functions[scope].parent
    return None

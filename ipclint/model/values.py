"""Static values: what an expression is, as far as the facts tell, as typed frozen records.

Each kind of value is its own ``msgspec.Struct`` class (tagged, so that the per-file cache decodes
them into these types and nothing else: decoding runs no code). References, imports and members
are resolved across files at link time, which adds the link-time kinds at the end of this module.
``children()`` is the one walker's view of a value: the values directly inside it.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Union

import msgspec

from ipclint.model.span import Span


class V(msgspec.Struct, frozen=True, array_like=True, gc=False, kw_only=True, tag=True):
    """A static value: where it is written (``span``) and, near the top of an expression, its
    source text (messages quote arguments and callees)."""

    span: Span
    text: str = ""
    # Calls and functions are separate records: walks do not enter them.
    opaque: ClassVar[bool] = False

    def children(self) -> tuple[AnyV, ...]:
        return ()

    @property
    def is_inline_literal(self) -> bool:
        return False


# ---- written in the source --------------------------------------------------------------------

class Str(V, frozen=True, tag="str"):
    """A string literal or a template literal without substitutions; ``lit`` says which it was
    when written inline ("" for strings made by ipclint)."""

    value: str
    lit: str = ""


    @property
    def is_inline_literal(self) -> bool:
        return self.lit != ""


class Tpl(V, frozen=True, tag="tpl"):
    """A template literal with substitutions: literal parts and values, in order."""

    parts: tuple[str | AnyV, ...]


    def children(self) -> tuple[AnyV, ...]:
        return tuple(p for p in self.parts if not isinstance(p, str))

    @property
    def is_inline_literal(self) -> bool:
        return True


class Num(V, frozen=True, tag="num"):
    value: str


class Bool(V, frozen=True, tag="bool"):
    value: bool


class Null(V, frozen=True, tag="null"):
    """`null`."""


class Undef(V, frozen=True, tag="undef"):
    """`undefined`."""


class Regex(V, frozen=True, tag="regex"):
    """A regular expression literal; its pattern and flags are in ``text``."""


class This(V, frozen=True, tag="this"):
    """`this`."""


class Jsx(V, frozen=True, tag="jsx"):
    """A JSX element."""


class Ref(V, frozen=True, tag="ref"):
    """A name, looked up in the scope of the record that holds it."""

    name: str


class Member(V, frozen=True, tag="member"):
    """`obj.prop`, and `obj['prop']` with a string key."""

    obj: AnyV
    prop: str


    def children(self) -> tuple[AnyV, ...]:
        return (self.obj,)


class Index(V, frozen=True, tag="index"):
    """`obj[index]` with a computed key."""

    obj: AnyV
    index: AnyV


    def children(self) -> tuple[AnyV, ...]:
        return (self.obj, self.index)


class Cmp(V, frozen=True, tag="cmp"):
    """A comparison: `===`, `!==`, `==`, `!=`, `<`..., `in`, `instanceof`."""

    op: str
    left: AnyV
    right: AnyV


    def children(self) -> tuple[AnyV, ...]:
        return (self.left, self.right)


class Logic(V, frozen=True, tag="logic"):
    """`&&`, `||`, `??`."""

    op: str
    left: AnyV
    right: AnyV


    def children(self) -> tuple[AnyV, ...]:
        return (self.left, self.right)


class Concat(V, frozen=True, tag="concat"):
    """`left + right`."""

    left: AnyV
    right: AnyV


    def children(self) -> tuple[AnyV, ...]:
        return (self.left, self.right)


class Not(V, frozen=True, tag="not"):
    inner: AnyV


    def children(self) -> tuple[AnyV, ...]:
        return (self.inner,)


class TypeOf(V, frozen=True, tag="typeof"):
    inner: AnyV


    def children(self) -> tuple[AnyV, ...]:
        return (self.inner,)


class Await(V, frozen=True, tag="await"):
    inner: AnyV | None = None


    def children(self) -> tuple[AnyV, ...]:
        return (self.inner,) if self.inner is not None else ()


class Spread(V, frozen=True, tag="spread"):
    inner: AnyV | None = None


    def children(self) -> tuple[AnyV, ...]:
        return (self.inner,) if self.inner is not None else ()


class Cond(V, frozen=True, tag="cond"):
    """`test ? a : b`: the alternatives (the test is not kept)."""

    alts: tuple[AnyV, ...]


    def children(self) -> tuple[AnyV, ...]:
        return self.alts


class CallExpr(V, frozen=True, tag="call"):
    """A call; its own record (``facts.Call``) holds where it sits. Opaque to walks."""

    callee: AnyV
    args: tuple[AnyV, ...]
    opaque: ClassVar[bool] = True


    def children(self) -> tuple[AnyV, ...]:
        return (self.callee, *self.args)


class NewExpr(V, frozen=True, tag="new"):
    """`new callee(...args)`. Opaque to walks."""

    callee: AnyV
    args: tuple[AnyV, ...]
    opaque: ClassVar[bool] = True


    def children(self) -> tuple[AnyV, ...]:
        return (self.callee, *self.args)


class Fn(V, frozen=True, tag="fn"):
    """A function of the file, by id (``FileFacts.functions``). Opaque to walks."""

    fid: int
    opaque: ClassVar[bool] = True


class ClassV(V, frozen=True, tag="class"):
    """A class expression or declaration, by name."""

    name: str | None = None


class Prop(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One entry of an object literal; key None for a spread or a computed key (whose expression,
    `[CH.SAVE]: fn`, is ``key_value``)."""

    key: str | None
    value: AnyV
    span: Span
    spread: bool = False
    computed: bool = False
    key_value: AnyV | None = None


class Obj(V, frozen=True, tag="obj"):
    props: tuple[Prop, ...]


    def children(self) -> tuple[AnyV, ...]:
        return tuple(p.value for p in self.props)


class Arr(V, frozen=True, tag="arr"):
    items: tuple[AnyV, ...]


    def children(self) -> tuple[AnyV, ...]:
        return self.items


class Module(V, frozen=True, tag="module"):
    """`require('x')` (and an import statement's module, in ``FileFacts.imports``)."""

    src: str


class Import(V, frozen=True, tag="import"):
    """An imported binding: `name` of module `src` ("default", "*" for a namespace)."""

    src: str
    name: str


class Iter(V, frozen=True, tag="iter"):
    """The variable of `for (const x of source)` (``how`` "of") or `for (const k in source)` ("in")."""

    source: AnyV
    how: str


    def children(self) -> tuple[AnyV, ...]:
        return (self.source,)


class Case(V, frozen=True, tag="case"):
    """In a switch over ``subject``: it equals one of ``values``."""

    subject: AnyV
    values: tuple[AnyV, ...]


    def children(self) -> tuple[AnyV, ...]:
        return (self.subject, *self.values)


class Dyn(V, frozen=True, tag="dyn"):
    """Nothing static is known; ``why`` is the syntax or the reason (for messages and tests)."""

    why: str | None = None


# ---- made at link time -----------------------------------------------------------------------

class Electron(V, frozen=True, tag="electron"):
    """An Electron API: "ipcRenderer", "ipcRenderer.send", "*" for the whole module."""

    api: str


class Global(V, frozen=True, tag="global"):
    """A global name (`window`, `fetch`), or a property of the global object (`window.api` is
    Global("api"))."""

    name: str


class External(V, frozen=True, tag="external"):
    """Something of a module outside the project: `name` ("*", "default", "a.b") of `src`."""

    src: str
    name: str


class ModObj(V, frozen=True, tag="modobj"):
    """The namespace object of a project module."""

    path: str


class ParamRef(V, frozen=True, tag="param"):
    """A parameter of function ``fid`` (of the file being resolved)."""

    fid: int
    name: str


AnyV = Union[Str, Tpl, Num, Bool, Null, Undef, Regex, This, Jsx, Ref, Member, Index, Cmp, Logic, Concat,
             Not, TypeOf, Await, Spread, Cond, CallExpr, NewExpr, Fn, ClassV, Obj, Arr, Module, Import, Iter, Case,
             Dyn, Electron, Global, External, ModObj, ParamRef]

MAX_NODES = 2000



def concat_parts(v: AnyV, limit: int = 64) -> list[str | AnyV]:
    """The pieces of a concatenation or template, left to right (at most ``limit``): strings for
    a template's literal text, values for the rest."""
    out: list[str | AnyV] = []
    stack: list[str | AnyV] = [v]
    while stack and len(out) < limit:
        x = stack.pop()
        if isinstance(x, Concat):
            stack.extend((x.right, x.left))
        elif isinstance(x, Tpl):
            stack.extend(reversed(x.parts))
        else:
            out.append(x)
    return out


def walk(v: AnyV | None, into_calls: bool = False, limit: int = MAX_NODES,
         enter: frozenset[type[V]] | None = None, skip: frozenset[type[V]] = frozenset()) -> Iterator[AnyV]:
    """Every value below ``v`` (itself included), iteratively and bounded by ``limit`` nodes. The
    insides of calls and functions are separate records and are entered only with ``into_calls``
    (``v`` itself always); ``enter`` (when given) names the only kinds whose insides are walked, and
    ``skip`` kinds whose insides are not (exact types: this is the hottest loop of linking)."""
    if v is None:
        return
    stack: list[AnyV] = [v]
    seen = 0
    while stack and seen < limit:
        x = stack.pop()
        seen += 1
        yield x
        kind = type(x)
        if (x.opaque and not into_calls and x is not v) or kind in skip or (enter is not None and kind not in enter):
            continue
        stack.extend(x.children())

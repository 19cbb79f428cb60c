"""TypeScript types as facts: only what deciding a *typed channel* needs (SPEC section 1).

A channel argument is typed when the parameter that receives it is declared with a string-literal
union, a `keyof` of a declared type, a template-literal type over such, or a type parameter
constrained by one of these, directly or through aliases. Extraction records, per file, the type
annotations and declarations those decisions read (parameters, type parameters, type aliases,
interfaces and object types, enums, declared variable types and casts, `declare global`), as
the small typed records below; ``ipclint.link.types`` resolves and judges them.
"""
from __future__ import annotations

from typing import Union

import msgspec

from ipclint.model.span import Span


class T(msgspec.Struct, frozen=True, array_like=True, gc=False, tag=True):
    """A type expression."""


class TLit(T, frozen=True, tag="lit"):
    """A literal type: `'save'`, `1`, `true`."""

    value: str


class TPrim(T, frozen=True, tag="prim"):
    """A predefined type: `string`, `number`, `any`, `unknown`, `never`, `undefined`, `null` ..."""

    name: str


class TRef(T, frozen=True, tag="ref"):
    """A named type (`Channels`, `Api<Events>`, `NS.Channels`), looked up where it is written."""

    name: str
    args: tuple[AnyT, ...] = ()


IMPORTED = "\0import:"  # (no type name written in code starts with it)


def import_type_name(src: str, name: str) -> str:
    """The name a TRef gives the type `import(src).name` (a module's export named inline)."""
    return f"{IMPORTED}{src}\0{name}"


class TUnion(T, frozen=True, tag="union"):
    items: tuple[AnyT, ...]


class TInter(T, frozen=True, tag="inter"):
    items: tuple[AnyT, ...]


class TKeyof(T, frozen=True, tag="keyof"):
    inner: AnyT


class TQuery(T, frozen=True, tag="typeof"):
    """`typeof x` / `typeof x.y`: the type of a value (``name`` dotted); with ``src``,
    `typeof import('src').name`."""

    name: str
    src: str = ""


class TIndex(T, frozen=True, tag="index"):
    """`Obj[K]`."""

    obj: AnyT
    index: AnyT


class TTemplate(T, frozen=True, tag="template"):
    """A template literal type: literal parts and the types substituted between them."""

    parts: tuple[str | AnyT, ...]


class TParam(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A type parameter and its constraint (`C extends keyof Api`)."""

    name: str
    constraint: AnyT | None = None


class TSig(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A call signature: its type parameters, the declared type of each parameter by position
    (None: not annotated) and the declared return type, when it is one this model follows."""

    tparams: tuple[TParam, ...]
    params: tuple[AnyT | None, ...]
    ret: AnyT | None = None


class TMember(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A member of an object type or interface: a property with its type, or a method with its
    signatures."""

    name: str
    type: AnyT | None = None
    sigs: tuple[TSig, ...] = ()


class TObj(T, frozen=True, tag="obj"):
    """An object type or an interface body; ``index`` when it has an index signature (then
    `keyof` it is `string`)."""

    members: tuple[TMember, ...]
    index: bool = False
    calls: tuple[TSig, ...] = ()  # call signatures: `{ (channel: C): void }`


class TFunc(T, frozen=True, tag="func"):
    sig: TSig


class TOther(T, frozen=True, tag="other"):
    """A type that is neither a finite set of strings nor an object this model follows
    (arrays, tuples, conditional and mapped types ...)."""


AnyT = Union[TLit, TPrim, TRef, TUnion, TInter, TKeyof, TQuery, TIndex, TTemplate, TObj, TFunc, TOther]


class TDecl(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A declared type: kind "alias" (``body`` its value), "interface" (``body`` a TObj, with
    ``extends``), "enum" (a string or number enum: a finite set) or "class"."""

    kind: str
    body: AnyT | None = None
    tparams: tuple[TParam, ...] = ()
    extends: tuple[AnyT, ...] = ()


class TypeFacts(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """The types of one file that typed-channel decisions read.

    ``decls``: module-level type declarations; ``globals``: those that are global (inside
    `declare global`, or at the top of a script file without imports and exports); ``global_vars``:
    `declare var x: T` and the like in the same places; ``funcs``: function id -> the declared
    signature of that function; ``vars``: the declared type of a variable (an annotation or the
    outermost cast of its initializer) by (scope, name); ``casts``: the type an expression is cast
    to (`(ipc as TypedIpc).invoke(...)`), by the span of the expression inside the casts;
    ``type_imports``: `import type` bindings (name -> (module, exported name));
    ``const_objects``: module-level constants initialised `as const`; ``fsigs``: function overload
    signatures (`declare function f(...)`, `function f(...);`) by name; ``unchecked`` and
    ``nocheck``: where comment directives switch the compiler's checks off; ``fields``: the
    declared type of an instance field (`electron: ElectronService`), when it names a type or a
    union, by (class, field)."""

    decls: dict[str, TDecl] = {}
    globals: dict[str, TDecl] = {}
    global_vars: dict[str, AnyT] = {}
    funcs: dict[int, TSig] = {}
    vars: dict[tuple[int | None, str], AnyT] = {}
    casts: dict[Span, AnyT] = {}
    type_imports: dict[str, tuple[str, str]] = {}
    const_objects: frozenset[str] = frozenset()
    fsigs: dict[str, tuple[TSig, ...]] = {}
    unchecked: frozenset[int] = frozenset()  # lines after `// @ts-expect-error` / `// @ts-ignore`
    nocheck: bool = False  # `// @ts-nocheck`: the compiler checks nothing in the file
    fields: dict[tuple[str, str], AnyT] = {}

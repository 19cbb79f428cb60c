"""TypeScript type annotations and declarations as facts (``model.types``): only what deciding a
typed channel needs. Conversion is depth-bounded; anything this model does not follow is TOther."""
from __future__ import annotations

from dataclasses import dataclass, field

from ipclint.extract.ancestry import Up
from ipclint.extract.parse import Node
from ipclint.extract.values import property_name, span_of, string_value, text_of, unwrap
from ipclint.model.span import Span
from ipclint.model.types import (
    AnyT,
    TDecl,
    TFunc,
    TIndex,
    TInter,
    TKeyof,
    TLit,
    TMember,
    TObj,
    TOther,
    TParam,
    TPrim,
    TQuery,
    TRef,
    TSig,
    TTemplate,
    TUnion,
    TypeFacts,
    import_type_name,
)

MAX_TYPE_DEPTH = 16
MAX_UNION = 4096
PARAM_NODES = frozenset({"required_parameter", "optional_parameter"})
# What a parameter, variable or cast type must be to matter: a name, a finite set, an object type
# (an API declared inline) or a function type; `string`, arrays and the like never do.
_NOTABLE = (TRef, TLit, TUnion, TInter, TKeyof, TQuery, TIndex, TTemplate, TObj, TFunc)


@dataclass(slots=True)
class TypeDraft:
    decls: dict[str, TDecl] = field(default_factory=dict)
    globals: dict[str, TDecl] = field(default_factory=dict)
    global_vars: dict[str, AnyT] = field(default_factory=dict)
    funcs: dict[int, TSig] = field(default_factory=dict)
    vars: dict[tuple[int | None, str], AnyT] = field(default_factory=dict)
    casts: dict[Span, AnyT] = field(default_factory=dict)
    type_imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    const_objects: set[str] = field(default_factory=set)
    fsigs: dict[str, list[TSig]] = field(default_factory=dict)
    fields: dict[tuple[str, str], AnyT] = field(default_factory=dict)
    module: bool = False  # has an import or export: its top-level declarations are its own
    unchecked: set[int] = field(default_factory=set)
    nocheck: bool = False

    def freeze(self) -> TypeFacts | None:
        globals_, global_vars = dict(self.globals), dict(self.global_vars)
        if not self.module:  # a script: what it declares at the top is global
            for name, d in self.decls.items():
                globals_.setdefault(name, d)
            for (scope, name), t in self.vars.items():
                if scope is None:
                    global_vars.setdefault(name, t)
        if not (self.decls or globals_ or global_vars or self.funcs or self.vars or self.casts
                or self.type_imports or self.fsigs or self.unchecked or self.nocheck or self.fields):
            return None
        return TypeFacts(self.decls, globals_, global_vars, self.funcs, self.vars, self.casts, self.type_imports,
                         frozenset(self.const_objects), {k: tuple(v) for k, v in self.fsigs.items()},
                         frozenset(self.unchecked), self.nocheck, self.fields)

    def directives(self, data: bytes) -> None:
        """`// @ts-expect-error` and `// @ts-ignore` switch the compiler's checks off for the next
        line, `// @ts-nocheck` for the whole file (found by byte search: comments are not facts)."""
        for needle in (b"@ts-expect-error", b"@ts-ignore", b"@ts-nocheck"):
            i = data.find(needle)
            while i >= 0:
                start = data.rfind(b"\n", 0, i) + 1
                if b"//" in data[start:i] or b"/*" in data[start:i]:
                    if needle == b"@ts-nocheck":
                        self.nocheck = True
                    else:
                        self.unchecked.add(data.count(b"\n", 0, i) + 2)
                i = data.find(needle, i + 1)

    def add_decl(self, name: str, decl: TDecl, is_global: bool) -> None:
        table = self.globals if is_global else self.decls
        old = table.get(name)
        if old is not None and old.kind == decl.kind == "interface":  # declaration merging
            decl = _merged(old, decl)
        table[name] = decl


def _merged(a: TDecl, b: TDecl) -> TDecl:
    ab, bb = a.body, b.body
    if not isinstance(ab, TObj) or not isinstance(bb, TObj):
        return b
    body = TObj(ab.members + bb.members, ab.index or bb.index, ab.calls + bb.calls)
    return TDecl("interface", body, a.tparams or b.tparams, a.extends + b.extends)


def notable(t: AnyT | None) -> bool:
    return isinstance(t, _NOTABLE)


# ---- type expressions --------------------------------------------------------------------------

def type_of(node: Node | None, depth: int = 0) -> AnyT:
    """The type a type node denotes (``type_annotation`` nodes are looked through)."""
    if node is None or depth > MAX_TYPE_DEPTH:
        return TOther()
    t = node.type
    if t in ("type_annotation", "parenthesized_type", "constraint", "default_type", "opting_type_annotation",
             "omitting_type_annotation", "adding_type_annotation", "asserts_annotation"):
        inner = _named(node)
        return type_of(inner[-1] if t == "constraint" and inner else (inner[0] if inner else None), depth + 1)
    if t == "predefined_type":
        return TPrim(text_of(node, 20))
    if t == "literal_type":
        inner = _named(node)
        lit = inner[0] if inner else node
        if lit.type == "string":
            return TLit(string_value(lit) or "")
        if lit.type in ("null", "undefined"):
            return TPrim(lit.type)
        return TLit(text_of(lit, 40))
    if t in ("type_identifier", "identifier"):
        return TRef(text_of(node, 100))
    if t == "nested_type_identifier":
        return TRef(text_of(node, 200).replace(" ", ""))
    if t == "member_expression":  # `import('../preload').Api`: a type a module exports, named inline
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        fn = obj.child_by_field_name("function") if obj is not None and obj.type == "call_expression" else None
        args = obj.child_by_field_name("arguments") if obj is not None else None
        src = _named(args)[0] if args is not None and _named(args) else None
        if fn is not None and fn.type == "import" and src is not None and src.type == "string" and prop is not None:
            return TRef(import_type_name(string_value(src) or "", text_of(prop, 100)))
        return TOther()
    if t == "generic_type":
        name = node.child_by_field_name("name")
        args = node.child_by_field_name("type_arguments")
        if name is None:
            return TOther()
        base = type_of(name, depth + 1)
        if not isinstance(base, TRef):
            return TOther()
        return TRef(base.name, tuple(type_of(a, depth + 1) for a in _named(args)) if args is not None else ())
    if t in ("union_type", "intersection_type"):
        items: list[AnyT] = []
        stack = [node]
        while stack and len(items) < MAX_UNION:  # `A | B | C` nests to the left: flatten it
            n = stack.pop()
            if n.type == t:
                stack.extend(reversed(_named(n)))
            else:
                items.append(type_of(n, depth + 1))
        return TUnion(tuple(items)) if t == "union_type" else TInter(tuple(items))
    if t == "index_type_query":
        inner = _named(node)
        return TKeyof(type_of(inner[0], depth + 1)) if inner else TOther()
    if t == "type_query":
        inner = _named(node)
        return _query(inner[0]) if inner else TOther()
    if t == "lookup_type":
        inner = _named(node)
        if len(inner) == 2:
            return TIndex(type_of(inner[0], depth + 1), type_of(inner[1], depth + 1))
        return TOther()
    if t == "template_literal_type":
        parts: list[str | AnyT] = []
        for c in node.named_children:
            if c.type == "template_type":
                inner = _named(c)
                parts.append(type_of(inner[0], depth + 1) if inner else TOther())
            else:
                parts.append((c.text or b"").decode("utf-8", "replace"))
        return TTemplate(tuple(parts))
    if t == "object_type":
        return object_type(node, depth)
    if t == "function_type":
        return TFunc(signature(node, depth))
    return TOther()


def _query(node: Node) -> AnyT:
    """`typeof a.b` and `typeof import('./api').default`."""
    names: list[str] = []
    cur: Node | None = node
    for _ in range(16):
        if cur is None:
            break
        if cur.type in ("identifier", "this"):
            return TQuery(".".join([text_of(cur, 80), *reversed(names)]))
        if cur.type in ("member_expression", "nested_identifier"):
            prop = cur.child_by_field_name("property") or cur.child_by_field_name("name")
            if prop is None:
                break
            names.append(text_of(prop, 80))
            cur = cur.child_by_field_name("object") or cur.child_by_field_name("module")
            continue
        if cur.type == "call_expression":
            fn, args = cur.child_by_field_name("function"), cur.child_by_field_name("arguments")
            src = _named(args)[0] if args is not None and _named(args) else None
            if fn is not None and fn.type == "import" and src is not None and src.type == "string":
                return TQuery(".".join(reversed(names)) or "*", string_value(src) or "")
        break
    return TOther()


def object_type(body: Node, depth: int = 0) -> AnyT:
    """An object type or an interface body; a mapped type `{ [K in Ch]: V }` is `Record<Ch, V>`."""
    members: list[TMember] = []
    calls: list[TSig] = []
    index = False
    for m in body.named_children:
        mt = m.type
        if mt == "property_signature":
            name = m.child_by_field_name("name")
            key = property_name(name) if name is not None else None
            if key is not None:
                members.append(TMember(key, type_of(m.child_by_field_name("type"), depth + 1)))
        elif mt in ("method_signature", "abstract_method_signature"):
            name = m.child_by_field_name("name")
            key = property_name(name) if name is not None else None
            if key is not None:
                members.append(TMember(key, None, (signature(m, depth),)))
        elif mt == "call_signature":
            calls.append(signature(m, depth))
        elif mt == "index_signature":
            mapped = next((c for c in m.named_children if c.type == "mapped_type_clause"), None)
            if mapped is not None:
                over = mapped.child_by_field_name("type")
                return TRef("Record", (type_of(over, depth + 1), TOther()))
            index = True
    return TObj(tuple(members), index, tuple(calls))


def type_params(node: Node, depth: int = 0) -> tuple[TParam, ...]:
    tp = node.child_by_field_name("type_parameters")
    if tp is None:
        return ()
    out = []
    for p in tp.named_children:
        if p.type != "type_parameter":
            continue
        name = p.child_by_field_name("name")
        con = p.child_by_field_name("constraint")
        if name is not None:
            out.append(TParam(text_of(name, 80), type_of(con, depth + 1) if con is not None else None))
    return tuple(out)


def signature(node: Node, depth: int = 0) -> TSig:
    """The type parameters and parameter types of a function, method, signature or function type."""
    plist = node.child_by_field_name("parameters")
    params: list[AnyT | None] = []
    if plist is not None:
        for p in plist.named_children:
            if p.type not in PARAM_NODES:
                if p.type not in ("comment",):
                    params.append(None)
                continue
            pat = p.child_by_field_name("pattern")
            if pat is not None and pat.type == "this":
                continue  # `this: Foo` is no parameter
            ann = p.child_by_field_name("type")
            params.append(type_of(ann, depth + 1) if ann is not None else None)
    rt = node.child_by_field_name("return_type")
    ret = type_of(rt, depth + 1) if rt is not None else None
    return TSig(type_params(node, depth), tuple(params), ret if ret is not None and notable(ret) else None)


# ---- declarations ------------------------------------------------------------------------------

def declaration(node: Node) -> tuple[str, TDecl] | None:
    """A type alias or an interface, by name."""
    name = node.child_by_field_name("name")
    if name is None:
        return None
    nm = text_of(name, 100)
    if node.type == "type_alias_declaration":
        return nm, TDecl("alias", type_of(node.child_by_field_name("value")), type_params(node))
    if node.type == "interface_declaration":
        body = node.child_by_field_name("body")
        extends: list[AnyT] = []
        for c in node.named_children:
            if c.type == "extends_type_clause":
                extends.extend(type_of(x) for x in _named(c))
        return nm, TDecl("interface", object_type(body) if body is not None else TObj(()), type_params(node),
                         tuple(extends))
    return None


def placement(node: Node, up: Up) -> str | None:
    """Where a declaration sits: "module" (the top of the file, exported or `declare`d), "global"
    (inside `declare global { ... }`), or None (inside a function, a namespace, `declare module`)."""
    parent = up(node)
    for _ in range(4):
        if parent is None:
            return None
        pt = parent.type
        if pt == "program":
            return "module"
        if pt == "statement_block":
            owner = up(parent)
            if owner is not None and owner.type == "ambient_declaration" \
                    and any(c.type == "global" for c in owner.children):
                return "global"
            return None
        if pt not in ("export_statement", "ambient_declaration", "variable_declaration", "lexical_declaration"):
            return None
        parent = up(parent)
    return None


def cast_type(node: Node) -> AnyT | None:
    """The type an `as` cast or `<T>x` assertion gives, when it names something (not `any`,
    `unknown`, `const`)."""
    if node.type == "type_assertion":
        args = node.child_by_field_name("type_arguments") or next(
            (c for c in node.named_children if c.type == "type_arguments"), None)
        inner = _named(args) if args is not None else []
        t = type_of(inner[0]) if inner else None
    elif node.type == "as_expression":
        kids = _named(node)
        t = type_of(kids[-1]) if len(kids) >= 2 else None
    else:
        return None
    return t if notable(t) else None


def is_const_assertion(node: Node) -> bool:
    """`{ ... } as const`."""
    return node.type == "as_expression" and any(c.type == "const" for c in node.children)


def outer_cast(node: Node, up: Up) -> tuple[Span, AnyT] | None:
    """For the outermost of a chain of casts (`ipc as unknown as TypedIpc`): the span of the
    expression inside them and the type it ends up with."""
    if node.type not in ("as_expression", "type_assertion"):
        return None
    parent = up(node)
    if parent is not None and parent.type in ("as_expression", "type_assertion", "parenthesized_expression",
                                              "satisfies_expression", "non_null_expression"):
        above: Node | None = parent
        while above is not None and above.type in ("parenthesized_expression", "non_null_expression"):
            above = up(above)
        if above is not None and above.type in ("as_expression", "type_assertion"):
            return None  # an inner cast of a chain
    t = cast_type(node)
    if t is None:
        return None
    return span_of(unwrap(node)), t


def _named(node: Node | None) -> list[Node]:
    return [c for c in node.named_children if c.type != "comment"] if node is not None else []

"""One iterative pre-order walk of the syntax tree that records FileFacts."""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from ipclint.extract.ancestry import Up
from ipclint.extract.draft import FactsDraft, FuncDraft
from ipclint.extract.parse import Node
from ipclint.extract.typefacts import notable, signature
from ipclint.extract.values import (
    MAX_DEPTH,
    UNWRAPPED,
    property_name,
    span_of,
    string_value,
    text_of,
    unwrap,
)
from ipclint.model.facts import Param
from ipclint.model.span import Span
from ipclint.model.values import (
    AnyV,
    Arr,
    Await,
    Bool,
    CallExpr,
    ClassV,
    Cmp,
    Concat,
    Cond,
    Dyn,
    Fn,
    Index,
    Jsx,
    Logic,
    Member,
    Module,
    NewExpr,
    Not,
    Null,
    Num,
    Obj,
    Prop,
    Ref,
    Regex,
    Spread,
    Str,
    This,
    Tpl,
    TypeOf,
    Undef,
)
from ipclint.model.work import OutOfWork, Work

FUNCTION_TYPES = frozenset({"function_declaration", "function_expression", "function", "arrow_function",
                            "method_definition", "generator_function_declaration",
                            "generator_function"})
MAX_CALLS_PER_FILE = 50000
# The work one file may take (model/work.py), counting what its handlers cost the later stages
# (handlerflow.FLOW_WORK): SPEC §7 gives one file 2 s, end to end, however pathological. About
# 9 us a unit end to end here (extraction, link, rules, report): 20,000 sends in one file take
# 200,000 units, 20,000 handlers 920,000. The largest real file among 22 apps' (github-desktop's
# app-store.ts, 255 KB) takes 53,000; callbacks nested 10,000 deep 100,000. Past the limit the rest
# of the file is not analysed, and a diagnostic says where it stopped.
MAX_WORK = 150_000
COMPARISONS = frozenset({"===", "!==", "==", "!=", "instanceof", "in", "<", ">", "<=", ">="})


class Extractor:
    def __init__(self, facts: FactsDraft, data: bytes) -> None:
        self.f = facts
        self.data = data
        self._fid: dict[int, int] = {}
        self._memo: dict[int, AnyV] = {}
        self.flow_params: dict[int, frozenset[str]] = {}  # handlerflow: the names a nested function binds
        self.case_groups: dict[int, dict[int, int]] = {}  # switch body -> case -> group (guards)
        # block -> its early-exit ifs without else, (start byte, if node) in order (guards)
        self.early_exits: dict[int, list[tuple[int, Node]]] = {}
        self.case_index: dict[int, dict[int, int]] = {}  # switch body -> case -> position (guards)
        self.jumps: dict[int, int] = {}  # block -> end byte of its first return/throw/break/continue, or -1
        self.work = Work(MAX_WORK)
        self.up: Up = _node_parent
        self.text: Callable[..., str] = _text_in(data)  # the source text of a node (values.text_in)
        self.root: Node | None = None  # the tree's root, once the walk starts (``writes_in``)
        self._writes: dict[str, list[int]] | None = None

    def writes_in(self, node: Node, name: str) -> bool:
        """Whether some assignment, update or declaration inside ``node`` writes ``name`` (the
        file's writes found once, by a query: ``parse.written_names``)."""
        writes = self._writes
        if writes is None:
            if self.root is None:
                return True  # (no tree to ask: assume it does)
            from ipclint.extract.parse import written_names
            writes = self._writes = written_names(self.f.dialect, self.root, self.data)
        starts = writes.get(name)
        if not starts:
            return False
        i = bisect_left(starts, node.start_byte)
        return i < len(starts) and starts[i] < node.end_byte

    # ---- functions -------------------------------------------------------------------------
    def func_for(self, node: Node, parent: int | None, name: str | None = None) -> int:
        key = node.id
        fid = self._fid.get(key)
        if fid is not None:
            if name and not self.f.functions[fid].name:
                self.f.functions[fid].name = name
            return fid
        fid = len(self.f.functions)
        self._fid[key] = fid
        t = node.type
        kind = _FUNCTION_KINDS.get(t) or ("declaration" if t.endswith("declaration") else "function")
        nm = node.child_by_field_name("name")
        if nm is not None and kind != "arrow":
            name = name or property_name(nm) or text_of(nm, 60)
        fn = FuncDraft(id=fid, name=name, kind=kind, span=span_of(node), parent=parent,
                       params=self._params(node), is_async=_is_async(node))
        self.f.functions.append(fn)  # before the body's values: they may create nested functions
        if self.f.types is not None:
            sig = signature(node)
            if sig.ret is not None or any(notable(p) for p in sig.params):
                self.f.types.funcs[fid] = sig
        body = node.child_by_field_name("body")
        if t == "arrow_function" and body is not None and body.type != "statement_block":
            fn.concise = True
            fn.returns.append(self.value(body, fid))
        return fid

    def _params(self, node: Node) -> tuple[Param, ...]:
        single = node.child_by_field_name("parameter")
        if single is not None:
            return (Param(text_of(single, 80), 0, span_of(single)),)
        plist = node.child_by_field_name("parameters")
        if plist is None:
            return ()
        out: list[Param] = []
        idx = 0
        for p in plist.named_children:
            if p.type == "comment":
                continue
            pat = p.child_by_field_name("pattern") if p.type in ("required_parameter", "optional_parameter") else p
            if pat is None:
                pat = p
            if pat.type == "this":
                continue
            out.extend(_bindings_of_pattern(pat, idx))
            idx += 1
        return tuple(out)

    # ---- values ----------------------------------------------------------------------------
    def value(self, node: Node, scope: int | None, depth: int = 0) -> AnyV:
        """The static value of an expression node, memoised per node: every call is visited by
        the walk and also appears inside the values of enclosing calls and declarations."""
        t = node.type
        if t in _UNWRAP:
            node = unwrap(node)
            t = node.type
        key = node.id
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        v = self._value(node, scope, depth, t)
        self._memo[key] = v
        return v

    def _value(self, node: Node, scope: int | None, depth: int, t: str) -> AnyV:
        work = self.work
        work.done += 1
        if work.done > work.limit:
            raise OutOfWork(work.done)
        (r1, c1), (r2, c2) = node.start_point, node.end_point  # span_of, inlined: the hottest path
        sp = _new_span(Span, (r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        if depth > MAX_DEPTH:
            return Dyn(span=sp, text="")  # (text is kept only near the top: depth <= 2)
        if t == "identifier":  # the commonest value: a name
            name = (node.text or b"").decode("utf-8", "replace")
            if name == "undefined":
                return Undef(span=sp, text=name)
            return Ref(span=sp, text=name, name=name)
        # Source text is kept for values near the top (messages quote arguments and callees);
        # deeper values carry none, which saves most of the decoding.
        tx: Callable[[Node], str] = self.text if depth <= 2 else _no_text
        kind = _KINDS.get(t)
        if kind is not None:
            return kind(self, node, scope, depth, sp, tx, t)
        if t in _LEAVES:
            leaf = _leaf_value(node, t, sp, tx)
            if leaf is not None:
                return leaf
        if t in FUNCTION_TYPES:
            return Fn(span=sp, text=tx(node), fid=self.func_for(node, scope))
        return Dyn(span=sp, text=tx(node), why=t)

    def _sequence_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                        tx: Callable[[Node], str], t: str) -> AnyV:
        """`(0, f)`: the value of the last expression."""
        last = [c for c in node.named_children if c.type != "comment"]
        return self.value(last[-1], scope, depth + 1) if last else Dyn(span=sp, text=tx(node), why=t)

    def _assignment_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                          tx: Callable[[Node], str], t: str) -> AnyV:
        """`a = b` as an expression is worth `b`: `const { ipcMain } = electron = require('electron')`."""
        right = node.child_by_field_name("right")
        return self.value(right, scope, depth + 1) if right is not None else Dyn(span=sp, text=tx(node), why=t)

    def _inner_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                     tx: Callable[[Node], str], t: str) -> AnyV:
        """`await x`, `...x`."""
        inner = [c for c in node.named_children if c.type != "comment"]
        iv = self.value(inner[0], scope, depth + 1) if inner else None
        if t == "await_expression":
            return Await(span=sp, text=tx(node), inner=iv)
        return Spread(span=sp, text=tx(node), inner=iv)

    def _object_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                      tx: Callable[[Node], str], t: str) -> AnyV:
        return Obj(span=sp, text=tx(node), props=tuple(self._props(node, scope, depth)))

    def _array_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                     tx: Callable[[Node], str], t: str) -> AnyV:
        items: list[AnyV] = []
        for i, c in array_slots(node):  # (a hole, `[a, , b]`, is undefined: items keep their index)
            while len(items) < i:
                items.append(Undef(span=sp, text=""))
            items.append(self.value(c, scope, depth + 1))
        return Arr(span=sp, text=tx(node), items=tuple(items))

    def _class_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                     tx: Callable[[Node], str], t: str) -> AnyV:
        nm = node.child_by_field_name("name")
        return ClassV(span=sp, text=tx(node), name=text_of(nm) if nm is not None else None)

    def _ternary_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                       tx: Callable[[Node], str], t: str) -> AnyV:
        cons = node.child_by_field_name("consequence")
        alt = node.child_by_field_name("alternative")
        alts = tuple(self.value(x, scope, depth + 1) for x in (cons, alt) if x is not None)
        return Cond(span=sp, text=tx(node), alts=alts)

    def _template_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                        tx: Callable[[Node], str], t: str = "template_string") -> AnyV:
        s = string_value(node)
        if s is not None:
            return Str(span=sp, text=tx(node), value=s, lit="template")
        parts: list[str | AnyV] = []
        for c in node.named_children:
            if c.type == "template_substitution":
                inner = [x for x in c.named_children if x.type != "comment"]
                parts.append(self.value(inner[0], scope, depth + 1) if inner else "")
            else:
                parts.append(_frag_text(c))
        return Tpl(span=sp, text=tx(node), parts=tuple(parts))

    def _member_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                      tx: Callable[[Node], str], t: str) -> AnyV:
        """`obj.prop`; `obj[key]` (a Member when the key is a string)."""
        obj = node.child_by_field_name("object")
        if t == "member_expression":
            prop = node.child_by_field_name("property")
            if obj is None or prop is None:
                return Dyn(span=sp, text=tx(node))
            ov = self.value(obj, scope, depth + 1)
            name = property_name(prop) or ""
            if isinstance(ov, Await) and obj.type in _CHAIN and ov.inner is not None:
                # `await f<T>(x).then(cb)`: the await belongs to the whole chain
                return Await(span=sp, text=tx(node), inner=Member(span=sp, text=tx(node), obj=ov.inner, prop=name))
            return Member(span=sp, text=tx(node), obj=ov, prop=name)
        idx = node.child_by_field_name("index")
        if obj is None or idx is None:
            return Dyn(span=sp, text=tx(node))
        iv = self.value(idx, scope, depth + 1)
        ov = self.value(obj, scope, depth + 1)
        if isinstance(iv, Str):
            return Member(span=sp, text=tx(node), obj=ov, prop=iv.value)
        return Index(span=sp, text=tx(node), obj=ov, index=iv)

    def _binary_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                      tx: Callable[[Node], str], t: str = "binary_expression") -> AnyV:
        op = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op is None or left is None or right is None:
            return Dyn(span=sp, text=tx(node), why=op.type if op is not None else None)
        if op.type in COMPARISONS:
            return Cmp(span=sp, text=tx(node), op=op.type, left=self.value(left, scope, depth + 1),
                       right=self.value(right, scope, depth + 1))
        if op.type in ("&&", "||", "??"):
            return Logic(span=sp, text=tx(node), op=op.type, left=self.value(left, scope, depth + 1),
                         right=self.value(right, scope, depth + 1))
        if op.type == "+":
            return Concat(span=sp, text=tx(node), left=self.value(left, scope, depth + 1),
                          right=self.value(right, scope, depth + 1))
        return Dyn(span=sp, text=tx(node), why=op.type)

    def _augmented_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                         tx: Callable[[Node], str], t: str) -> AnyV:
        """`x ??= y` (and `||=`, `&&=`) as a value: `x ?? y` (the lazy initialiser
        `return (Cls.inst ??= new Cls())`); arithmetic ones are unknown."""
        op = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op is None or left is None or right is None or op.type not in ("??=", "||=", "&&="):
            return Dyn(span=sp, text=tx(node), why=t)
        return Logic(span=sp, text=tx(node), op=op.type[:2], left=self.value(left, scope, depth + 1),
                     right=self.value(right, scope, depth + 1))

    def _unary_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                     tx: Callable[[Node], str], t: str = "unary_expression") -> AnyV:
        op = node.child_by_field_name("operator")
        arg = node.child_by_field_name("argument")
        if op is not None and op.type == "!" and arg is not None and arg.type == "number":
            return Bool(span=sp, text=tx(node), value=text_of(arg) == "0")
        if op is not None and op.type == "!" and arg is not None:
            return Not(span=sp, text=tx(node), inner=self.value(arg, scope, depth + 1))
        if op is not None and op.type == "typeof" and arg is not None:
            return TypeOf(span=sp, text=tx(node), inner=self.value(arg, scope, depth + 1))
        return Dyn(span=sp, text=tx(node), why=node.type)

    def _call_value(self, node: Node, scope: int | None, depth: int, sp: Span,
                    tx: Callable[[Node], str] | None = None, t: str = "") -> AnyV:
        """A call in its one shape: `await f<T>(x)` is an awaited call of `f` (tree-sitter-typescript
        parses it as a call whose callee is the await expression), `f.call(this, x)`,
        `f.apply(this, [x])`, `Reflect.apply(f, this, [x])` and `promisify(f)(x)` are `f(x)`;
        parentheses, `!`, `as` casts, `(0, f)` and type arguments around or after the callee change
        nothing."""
        t = t or node.type
        fn = node.child_by_field_name("constructor" if t == "new_expression" else "function")
        args_node = node.child_by_field_name("arguments")
        args = tuple([self.value(a, scope, depth + 1) for a in (args_node.named_children if args_node else ())
                      if a.type != "comment"])
        text = self.text(node) if depth <= 2 else ""
        if fn is None:
            return Dyn(span=sp, text=text)
        awaited = False
        if t == "call_expression" and fn.type == "await_expression":
            inner = [c for c in fn.named_children if c.type != "comment"]
            if not inner:
                return Dyn(span=sp, text=text)
            fn, awaited = inner[0], True
        if fn.type == "import":
            callee: AnyV = Ref(span=span_of(fn), text="import", name="import")
        else:
            callee = self.value(fn, scope, depth + 1)
        if isinstance(callee, Await) and fn.type in _CHAIN and callee.inner is not None:
            callee, awaited = callee.inner, True  # `await f<T>(x).then(cb)`: the chain is awaited
        if t == "new_expression":
            return NewExpr(span=sp, text=text, callee=callee, args=args)
        if isinstance(callee, Member) and callee.prop in ("call", "apply"):
            callee, args = _function_call(callee, args)
        elif isinstance(callee, CallExpr) and len(callee.args) == 1 and _is_promisify(callee.callee):
            callee = callee.args[0]  # `promisify(f)(x)`: f(x), with a callback the wrapper adds
        first = args[0] if args else None
        if isinstance(first, Str) and (_is_require(callee) or fn.type == "import"):
            # (`import('x')` is a promise of the module: `await import('x')`, and `await p` with
            # `p = import('x')`, are the module; Project.resolve steps through the await)
            made: AnyV = Module(span=sp, text=text, src=first.value)
        else:
            made = CallExpr(span=sp, text=text, callee=callee, args=args)
        return Await(span=sp, text=text, inner=made) if awaited else made

    def _props(self, node: Node, scope: int | None, depth: int) -> list[Prop]:
        props: list[Prop] = []
        for c in node.named_children:
            ct = c.type
            if ct == "pair":
                k = c.child_by_field_name("key")
                val = c.child_by_field_name("value")
                if k is None or val is None:
                    continue
                key = property_name(k)
                computed = k.type == "computed_property_name"
                kv = self.value(k.named_children[0], scope, depth + 1) \
                    if computed and key is None and k.named_child_count else None
                props.append(Prop(key, self.value(val, scope, depth + 1), span_of(c), computed=computed,
                                  key_value=kv))
            elif ct == "shorthand_property_identifier":
                name = text_of(c)
                props.append(Prop(name, Ref(span=span_of(c), text=name, name=name), span_of(c)))
            elif ct == "spread_element":
                props.append(Prop(None, self.value(c, scope, depth + 1), span_of(c), spread=True))
            elif ct == "method_definition":
                k = c.child_by_field_name("name")
                key = property_name(k) if k is not None else None
                fn = Fn(span=span_of(c), text=self.text(c), fid=self.func_for(c, scope, key))
                # `get size() { ... }`: reading the property (or copying the object) runs the getter
                kind = next((x.type for x in c.children[:3] if x.type in ("get", "set")), None)
                value: AnyV = fn if kind is None else self._got(c, fn, depth)
                props.append(Prop(key, value, span_of(c)))
        return props

    def _got(self, method: Node, fn: Fn, depth: int) -> AnyV:
        """The value of an accessor property: what a getter whose body is one `return` returns
        (`get ipc() { return ipcRenderer }`), else unknown (a setter alone reads as undefined)."""
        body = method.child_by_field_name("body")
        stmts = [x for x in body.named_children if x.type != "comment"] if body is not None else []
        is_getter = any(x.type == "get" for x in method.children[:3])
        if is_getter and len(stmts) == 1 and stmts[0].type == "return_statement" and stmts[0].named_child_count:
            return self.value(stmts[0].named_children[0], fn.fid, depth + 1)
        return Dyn(span=fn.span, text="", why="accessor")


_Kind = Callable[[Extractor, Node, "int | None", int, Span, Callable[[Node], str], str], AnyV]
# The value of each kind of expression node (value() tries a name first, then this table, then literals)
_KINDS: dict[str, _Kind] = {
    "template_string": Extractor._template_value,
    "member_expression": Extractor._member_value, "subscript_expression": Extractor._member_value,
    "binary_expression": Extractor._binary_value,
    "call_expression": Extractor._call_value, "new_expression": Extractor._call_value,
    "sequence_expression": Extractor._sequence_value,
    "await_expression": Extractor._inner_value, "spread_element": Extractor._inner_value,
    "object": Extractor._object_value, "array": Extractor._array_value, "class": Extractor._class_value,
    "unary_expression": Extractor._unary_value, "ternary_expression": Extractor._ternary_value,
    "augmented_assignment_expression": Extractor._augmented_value,
    "assignment_expression": Extractor._assignment_value,
}

# Nodes that continue a member/call chain: an Await value of one came from `await f<T>(x)`
# (a real `(await x).y` is parenthesised).
_CHAIN = frozenset({"call_expression", "member_expression", "subscript_expression"})
# `f.call(thisArg, ...)` on a function that is clearly a method of Electron's IPC objects
_IPC_METHODS = frozenset({"send", "invoke", "sendSync", "sendToHost", "postMessage", "on", "once", "off",
                          "addListener", "removeListener", "removeAllListeners", "handle", "handleOnce",
                          "removeHandler", "reply", "emit"})


def _function_call(callee: Member, args: tuple[AnyV, ...]) -> tuple[AnyV, tuple[AnyV, ...]]:
    """`f.call(thisArg, ...a)` -> (f, a); `f.apply(thisArg, [..a])` -> (f, a) (`f.apply(t, list)`
    spreads the list); `Reflect.apply(f, thisArg, [...a])` -> (f, a). An object's own `call` or
    `apply` method (an RPC client's `rpc.call('method', x)`) is left alone: the first argument
    must look like a receiver (`this`, `null`, `undefined`, `void 0`, the global object, the
    function's own object) or the function an IPC method."""
    target: AnyV = callee.obj
    if callee.prop == "apply" and isinstance(target, Ref) and target.name == "Reflect":
        if not args or len(args) > 3:
            return callee, args
        target, args = args[0], args[1:]
    elif not _receiver_like(args[0] if args else None, target):
        return callee, args
    if callee.prop == "call":
        return target, args[1:]
    if len(args) > 2:
        return callee, args
    listed = args[1] if len(args) > 1 else None
    if listed is None:
        return target, ()
    if isinstance(listed, Arr):
        return target, listed.items
    return target, (Spread(span=listed.span, text=listed.text, inner=listed),)


def _is_promisify(callee: AnyV) -> bool:
    """`promisify` / `util.promisify` (Node's util): `promisify(f)(x)` calls `f(x, callback)`."""
    return (isinstance(callee, Ref) and callee.name == "promisify") \
        or (isinstance(callee, Member) and callee.prop == "promisify")


def _receiver_like(this: AnyV | None, target: AnyV) -> bool:
    if this is None or isinstance(this, (This, Null, Undef)):
        return True
    if isinstance(this, Dyn) and this.why == "unary_expression":  # `void 0`
        return True
    if isinstance(this, Ref) and this.name in ("window", "globalThis", "self", "global"):
        return True
    if isinstance(target, Index):  # `api[name].apply(api, args)`: a computed method of its own object
        return _same_ref(this, target.obj)
    if not isinstance(target, Member):
        return False
    return _same_ref(this, target.obj) or (target.prop in _IPC_METHODS and isinstance(this, (Ref, Member)))


def _same_ref(a: AnyV, b: AnyV) -> bool:
    """`a` and `b` name the same thing: `ipcRenderer.send.call(ipcRenderer, ...)`."""
    for _ in range(8):
        if isinstance(a, Ref) and isinstance(b, Ref):
            return a.name == b.name
        if isinstance(a, This) and isinstance(b, This):
            return True
        if not (isinstance(a, Member) and isinstance(b, Member)) or a.prop != b.prop:
            return False
        a, b = a.obj, b.obj
    return False


def _is_require(callee: AnyV) -> bool:
    """`require('x')`, `window.require('electron')` in pages with node integration, and webpack's
    `__non_webpack_require__('electron')` (the runtime's own require, past the bundler)."""
    if isinstance(callee, Ref):
        return callee.name == "require" or callee.name == "__non_webpack_require__"
    return isinstance(callee, Member) and callee.prop == "require" and isinstance(callee.obj, Ref) \
        and callee.obj.name in ("window", "globalThis")


def _leaf_value(node: Node, t: str, sp: Span, tx: Callable[[Node], str]) -> AnyV | None:
    """The value of a literal, a name, `this` or JSX; None for other nodes."""
    if t == "string":
        return Str(span=sp, text=tx(node), value=string_value(node) or "", lit="string")
    if t == "identifier" or t == "shorthand_property_identifier":
        name = (node.text or b"").decode("utf-8", "replace")
        if name == "undefined":
            return Undef(span=sp, text=name)
        return Ref(span=sp, text=name, name=name)
    if t == "this":
        return This(span=sp, text="this")
    if t == "number":
        return Num(span=sp, text=tx(node), value=text_of(node))
    if t in ("true", "false"):
        return Bool(span=sp, text=t, value=t == "true")
    if t == "null":
        return Null(span=sp, text="null")
    if t == "undefined":
        return Undef(span=sp, text="undefined")
    if t == "regex":
        return Regex(span=sp, text=tx(node))
    if t in ("jsx_element", "jsx_self_closing_element"):
        return Jsx(span=sp, text=tx(node))
    return None


# The node types _leaf_value knows (value() tests membership before calling it), and those unwrap()
# skips (value() calls it only for them).
_LEAVES = frozenset({"string", "identifier", "shorthand_property_identifier", "this", "number", "true", "false",
                     "null", "undefined", "regex", "jsx_element", "jsx_self_closing_element"})
_UNWRAP = UNWRAPPED
_new_span = tuple.__new__


_FUNCTION_KINDS = {"arrow_function": "arrow", "method_definition": "method"}


def _text_in(data: bytes) -> Callable[..., str]:
    """values.text_in for one file's bytes, as one call (the hottest text of all: values near the top)."""
    def text(node: Node, limit: int = 120) -> str:
        start = node.start_byte
        s = data[start:min(node.end_byte, start + limit * 4)].decode("utf-8", "replace")
        return s if len(s) <= limit else s[: limit - 1] + "…"
    return text


def _node_parent(node: Node) -> Node | None:
    return node.parent


def _no_text(node: Node, limit: int = 0) -> str:
    return ""


def _frag_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _is_async(node: Node) -> bool:
    for c in node.children:
        if c.type == "async":
            return True
        if c.is_named:
            break
    return False


def array_slots(node: Node) -> list[tuple[int, Node]]:
    """The elements of an array literal or pattern with their index, holes counted (`[a, , b]`:
    b is at 2)."""
    out: list[tuple[int, Node]] = []
    i = 0
    for c in node.children:
        if c.type == ",":
            i += 1
        elif c.is_named and c.type != "comment":
            out.append((i, c))
    return out


def _bindings_of_pattern(pat: Node, idx: int) -> list[Param]:
    """Flatten an identifier / object / array / rest / default pattern into bindings, iteratively."""
    out: list[Param] = []
    stack: list[tuple[Node, tuple[str, ...], bool]] = [(pat, (), False)]
    while stack:
        node, path, rest = stack.pop()
        t = node.type
        if t in ("identifier", "shorthand_property_identifier_pattern"):
            out.append(Param(text_of(node, 80), idx, span_of(node), path, rest))
        elif t == "assignment_pattern" or t == "object_assignment_pattern":
            left = node.child_by_field_name("left")
            if left is not None:
                stack.append((left, path, rest))
        elif t == "rest_pattern":
            inner = [c for c in node.named_children if c.type != "comment"]
            if inner:
                stack.append((inner[0], path, True))
        elif t == "object_pattern":
            for c in reversed(node.named_children):
                if c.type == "pair_pattern":
                    k = c.child_by_field_name("key")
                    v = c.child_by_field_name("value")
                    if v is not None:
                        stack.append((v, path + ((property_name(k) or "?") if k is not None else "?",), rest))
                elif c.type in ("shorthand_property_identifier_pattern", "object_assignment_pattern"):
                    name = c if c.type == "shorthand_property_identifier_pattern" else c.child_by_field_name("left")
                    if name is not None:
                        stack.append((name, path + (text_of(name, 80),), rest))
                elif c.type == "rest_pattern":
                    stack.append((c, path, True))
        elif t == "array_pattern":
            for i, c in reversed(array_slots(node)):  # (`const [, b] = x`: b is x[1])
                stack.append((c, path + (str(i),), rest))
    out.sort(key=lambda p: (p.span.line, p.span.column))
    return out

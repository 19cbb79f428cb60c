"""extract(path, bytes) -> FileFacts: the pure, config-free per-file stage."""
from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

from ipclint.extract import handlerflow
from ipclint.extract import parse as P
from ipclint.extract import typefacts as TF
from ipclint.extract.analyzers import eager, wanted
from ipclint.extract.ancestry import Ancestry, Up
from ipclint.extract.draft import FactsDraft
from ipclint.extract.guards import (
    _default_exits,
    call_is_lazy_init,
    call_is_once_guarded,
    enclosing_arms,
    enclosing_conditions,
    exits,
    function_is_once_guarded,
)
from ipclint.extract.parse import Node
from ipclint.extract.typefacts import TypeDraft
from ipclint.extract.values import property_name, span_of, string_value, text_of, unwrap
from ipclint.extract.walk import FUNCTION_TYPES, MAX_CALLS_PER_FILE, Extractor, _bindings_of_pattern
from ipclint.model import FRAME_WINDOWS
from ipclint.model.facts import Assign, Call, Check, Exit, FileFacts, FileFlows, JsxAttr, JsxElement, Outcome, Param
from ipclint.model.paths import is_test_path
from ipclint.model.types import TDecl, TRef, TUnion
from ipclint.model.values import (
    AnyV,
    Await,
    CallExpr,
    Case,
    ClassV,
    Cmp,
    Dyn,
    Fn,
    Global,
    Import,
    Index,
    Iter,
    Member,
    Module,
    NewExpr,
    Not,
    Num,
    Obj,
    Prop,
    Ref,
    Str,
    This,
    Undef,
)
from ipclint.model.work import OutOfWork

GLOBAL_OBJECTS = frozenset({"window", "globalThis", "self"})
def _on_page_global(callee: AnyV) -> bool:
    """A method of a member of the page's global (`window.api.onX`, `globalThis.bridge.on`)."""
    obj = callee.obj if isinstance(callee, Member) else None
    if not isinstance(obj, Member):
        return False
    root = obj.obj
    return isinstance(root, (Ref, Global)) and root.name in ("window", "globalThis")


GUARDABLE = frozenset({"on", "handle", "handleOnce", "addListener", "prependListener"})
IPC_LIKE = GUARDABLE | {"send", "invoke", "sendSync", "sendToHost", "postMessage", "once", "off",
                        "removeListener", "removeAllListeners", "prependOnceListener"}
# Calls that pick a window or webContents by a key (`BrowserWindow.fromId(id)`, `windows.get(id)`):
# a call on what they return keeps its conditions, which say whether the pick was tied to the
# sender there (IPC016).
PICKS = frozenset({"fromId", "fromFrame", "fromDevToolsTargetId", "get"})


def extract(path: str, data: bytes, lazy: bool = False) -> FileFacts:
    """Parse ``data`` (already decoded to UTF-8 bytes) and record its facts. ``lazy``: analyse
    the functions' flows only in files likely to need them (``analyzers.eager``); the others' facts
    say their flows were deferred (``FileFacts.flows_deferred``), and ``extract_flows`` makes them."""
    vue_lang = None
    setup: tuple[tuple[int, int], ...] = ()
    if path.lower().endswith(".vue"):
        data, vue_lang, setup = P.vue_script(data)
    tree, dialect = P.parse_source(data, P.dialect_for(path, vue_lang))
    draft = FactsDraft(path=path, dialect=dialect, size=len(data), script_setup=setup,
                       types=TypeDraft() if dialect != "js" else None)
    draft.parse_errors = P.error_spans(tree.root_node)
    walker = _Walker(draft, data)
    walker.lazy = lazy
    walker.run(tree.root_node)
    draft.work = walker.work.done
    if draft.types is not None:
        draft.types.directives(data)
    return draft.freeze()


def extract_flows(path: str, data: bytes) -> FileFlows:
    """The flows of the functions of a file whose facts deferred them: the file extracted again
    with every flow analysed (what ``extract`` without ``lazy`` makes), by function id."""
    facts = extract(path, data)
    return FileFlows(path, {fn.id: fn.flow for fn in facts.functions if fn.flow is not None},
                     tuple(fn.span for fn in facts.functions))


def _assertion(node: Node) -> bool:
    """A call of `expect` or of a matcher on its result (`expect(x).not.toBe(y)`,
    `await expect(p).resolves.toEqual(v)`): the assertion API of Jest, Vitest, Playwright, Chai."""
    fn = node.child_by_field_name("function")
    for _ in range(16):
        if fn is None:
            return False
        t = fn.type
        if t == "identifier":
            return fn.text == b"expect"
        if t == "member_expression":
            fn = fn.child_by_field_name("object")
        elif t == "call_expression":
            fn = fn.child_by_field_name("function")
        elif t in ("await_expression", "parenthesized_expression", "non_null_expression"):
            fn = fn.named_children[0] if fn.named_child_count else None
        else:
            return False
    return False


COMPARISONS = frozenset({"===", "!==", "==", "!=", "instanceof", "in", "<", ">", "<=", ">="})
_BY_POSITION = itemgetter(0, 1)

class _Walker(Extractor):
    analyse = True  # the per-function analyses (flows and outcomes): analyzers.wanted
    lazy = False  # flows only where analyzers.eager expects them to be read
    flows = True  # the flows analysed here (else deferred)

    def run(self, root: Node) -> None:
        """Visit the query's captures in document order, tracking the enclosing function and loop.
        When the file's work budget runs out, the rest of it is not analysed (``stopped_at``)."""
        f = self.f
        data = self.data
        self.root = root
        self.analyse = wanted(f.path, data)
        self.flows = self.analyse and (not self.lazy or eager(data))
        f.flows_deferred = self.analyse and not self.flows
        # test code's assertion chains (`expect(x).toBe(y)`) are neither IPC nor calls of the app
        # (`flag = true` or `if (!seen.has(k))`: a once-guard can exist)
        self.sets_flags = b"true" in data or b".has(" in data
        self.assertions = is_test_path(f.path) and b"expect(" in data and b"function expect" not in data
        if data.count(b"(") + data.count(b"[") + data.count(b"{") > P.QUERY_DEPTH_LIMIT // 2 \
                and P.deeper_than(root, P.QUERY_DEPTH_LIMIT):
            f.too_deep = True
        items = []
        for name, nodes in P.fact_nodes(f.dialect, root).items():
            if name == "gobj":
                continue
            for n in nodes:
                items.append((n.start_byte, -n.end_byte, name, n))
        items.sort(key=_BY_POSITION)  # (start, -end); ties keep the query's order
        self.work.spend(len(items) + len(data) // 1024)
        anc = self.anc = Ancestry(root, self.work)
        self.up = anc.parent
        stack: list[tuple[int, int | None, bool]] = []  # (end byte, scope, in loop)
        node = root
        try:
            for start, _neg_end, name, node in items:
                anc.visit(node)
                while stack and stack[-1][0] <= start:
                    stack.pop()
                scope, in_loop = (stack[-1][1], stack[-1][2]) if stack else (None, False)
                handler = _HANDLERS.get(name)
                if name == "fn":
                    fid = self._function(node, scope, in_loop)
                    stack.append((node.end_byte, fid, False))
                elif name == "loop":
                    if node.type == "for_in_statement":
                        self._for_in(node, scope)
                    stack.append((node.end_byte, scope, True))
                elif name == "call":
                    self._call(node, scope, in_loop)
                elif handler is not None:
                    handler(self, node, scope)
        except OutOfWork:
            f.stopped_at = node.start_point[0] + 1

    def _function(self, node: Node, scope: int | None, in_loop: bool) -> int:
        f = self.f
        fid = self.func_for(node, scope, _inferred_name(node, self.up))
        fn = f.functions[fid]
        fn.in_loop = in_loop
        fn.once_guarded = function_is_once_guarded(node)
        if node.type in ("function_declaration", "generator_function_declaration") and fn.name:
            f.func_names[(scope, fn.name)] = fid
            f.bindings.setdefault((scope, fn.name), Fn(span=span_of(node), text=fn.name, fid=fid))
        if self.flows:
            fn.flow = handlerflow.analyze(node, self, fid)
        elif self.analyse:
            handlerflow.charge(node, self, fid)  # (what analysing it would cost at least)
        if self.analyse:
            body = node.child_by_field_name("body")
            if fn.concise and body is not None:
                self._outcomes(body, body, fid, ())
        return fid

    def _return(self, node: Node, scope: int | None) -> None:
        if scope is None:
            return
        inner = [c for c in node.named_children if c.type != "comment"]
        if inner:
            self.f.functions[scope].returns.append(self.value(inner[0], scope))
        if self.analyse:
            conds = enclosing_conditions(node, lambda n: self.value(n, scope), self.up, self.case_index)
            # (the statement's own span can take in a trailing comment: automatic semicolon insertion)
            caught = self._caught(node)
            if inner:
                self._outcomes(inner[0], inner[0], scope, conds, self._alone(node), caught)
            else:
                self.f.outcomes.append(Outcome(scope, span_of(node.children[0]), None, False, conds,
                                               self._alone(node), caught))

    def _throw(self, node: Node, scope: int | None) -> None:
        if scope is not None and self.analyse:
            conds = enclosing_conditions(node, lambda n: self.value(n, scope), self.up, self.case_index)
            self.f.outcomes.append(Outcome(scope, span_of(node.children[0]), None, True, conds, self._alone(node)))

    def _caught(self, node: Node) -> bool:
        """The statement is in a `catch` block of its own function (a bounded climb)."""
        at = self.up(node)
        for _ in range(64):
            if at is None or at.type in FUNCTION_TYPES:
                return False
            if at.type == "catch_clause":
                return True
            at = self.up(at)
        return False

    def _alone(self, node: Node) -> bool:
        """Nothing runs before the statement in its block: `if (c) return`, `if (c) { return }`."""
        block = self.up(node)
        if block is None or block.type != "statement_block":
            return True
        first = next((c for c in block.named_children if c.type != "comment"), None)
        return first is not None and first.id == node.id

    def _outcomes(self, at: Node, value: Node, scope: int, conds: tuple[AnyV, ...], alone: bool = True,
                  caught: bool = False) -> None:
        """The values a return (or a concise body) gives: each arm of a ternary under its condition."""
        stack: list[tuple[Node, tuple[AnyV, ...]]] = [(value, conds)]
        for _ in range(32):
            if not stack:
                break
            node, cs = stack.pop()
            while node.type == "parenthesized_expression" and node.named_child_count:
                node = node.named_children[0]
            test = node.child_by_field_name("condition") if node.type == "ternary_expression" else None
            yes, no = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
            if test is not None and yes is not None and no is not None:
                c = self.value(test, scope)
                stack.append((no, (*cs, Not(span=c.span, text=c.text, inner=c))))
                stack.append((yes, (*cs, c)))
                continue
            self.f.outcomes.append(Outcome(scope, span_of(at), self.value(node, scope), False, cs, alone, caught))

    def _binary(self, node: Node, scope: int | None) -> None:
        op = node.child_by_field_name("operator")
        if op is None or op.type not in COMPARISONS:
            return
        v = self.value(node, scope)
        if isinstance(v, Cmp):
            self.f.checks.append(Check(v.op, v.left, v.right, v.span, scope))

    def _if(self, node: Node, scope: int | None) -> None:
        cons = node.child_by_field_name("consequence")
        cond = node.child_by_field_name("condition")
        if cons is not None and cond is not None and exits(cons):
            self.f.exits.append(Exit(self.value(cond, scope), span_of(node), scope))

    def _switch(self, node: Node, scope: int | None) -> None:
        """`switch (x) { case A: case B: break; default: return }`: code after the switch runs only
        for the cases that do not leave; recorded as an exit taken when x is none of them."""
        body, disc = node.child_by_field_name("body"), node.child_by_field_name("value")
        if body is None or disc is None or not _default_exits(body):
            return
        values, pending = [], []
        for case in body.named_children:
            if case.type != "switch_case":
                continue
            v = case.child_by_field_name("value")
            if v is not None:
                pending.append(self.value(v, scope))
            stmts = [s for s in case.named_children if s.type != "comment" and s != v]
            if not stmts:
                continue  # falls through to the next case
            if not exits(stmts[-1]):
                values.extend(pending)
            pending = []
        if values:
            span = span_of(node)
            allowed = Case(span=span, subject=self.value(disc, scope), values=tuple(values))
            self.f.exits.append(Exit(Not(span=span, inner=allowed), span, scope))

    def _global(self, node: Node, scope: int | None) -> None:
        prop = node.child_by_field_name("property")
        if prop is not None and text_of(prop, 80) in FRAME_WINDOWS:
            # `window.parent.api` (an iframe reaching the embedding page's bridge): `api` is the global
            up = self.up(node)
            if up is not None and up.type == "member_expression" and up.child_by_field_name("object") == node:
                prop = up.child_by_field_name("property")
        if prop is not None:
            self.f.globals_used.add(text_of(prop, 80))

    def _import_node(self, node: Node, scope: int | None) -> None:
        self._import(node)

    def _call(self, node: Node, scope: int | None, in_loop: bool) -> None:
        f = self.f
        if len(f.calls) >= MAX_CALLS_PER_FILE:
            return
        if self.assertions and _assertion(node):
            return
        v = self.value(node, scope)
        if isinstance(v, Module):  # require('x'): an import, not a call site
            f.calls.append(Call(len(f.calls), Ref(span=v.span, text="require", name="require"),
                                (Str(span=v.span, text=v.text, value=v.src),), v.span, scope, in_loop))
            return
        awaited = isinstance(v, Await)  # `await f<T>(x)`: the call is the awaited value
        if isinstance(v, Await) and v.inner is not None:
            v = v.inner
        if not isinstance(v, (CallExpr, NewExpr)):
            return
        callee, args = v.callee, v.args
        awaited = awaited or _awaited(node, self.up)
        method = callee.prop if isinstance(callee, Member) else None
        ipc_like = method in IPC_LIKE
        # an IPC registration, or a call of a function that may register (`if (!saved) { saved =
        # true; saveQueue(cb) }`: runs once, link/calls.repeatable); only where a flag is ever set
        guardable = method in GUARDABLE if ipc_like else (
            isinstance(callee, Ref) or (isinstance(callee, Member) and isinstance(callee.obj, This))
            or _on_page_global(callee))  # (`window.api.onX(cb)`: a page subscription, IPC004)
        guarded = guardable and self.sets_flags and call_is_once_guarded(node, self.up) \
            or not ipc_like and call_is_lazy_init(node, self.up)  # `if (!svc) svc = new Service()`
        dynamic_require = isinstance(callee, Ref) and callee.name == "require"  # require(name): guards matter
        # blocking and opening outside (IPC017): which tests select what is blocked or opened
        decides = method in ("preventDefault", "openExternal")
        # IPC calls, `require(name)` and page loads (a dev server chosen by an environment check)
        with_conds = ipc_like or dynamic_require or decides or method == "loadURL" or self._on_pick(callee, scope)
        conds = enclosing_conditions(node, lambda n: self.value(n, scope), self.up, self.case_index) \
            if with_conds else ()
        # calls of project functions as statements: the branches they sit in (IPC012 repeatability);
        # also calls that hand over a callback (`load().then(() => start())`): a call inside the
        # callback sits in the branches of the hand-over (link/calls.together)
        arms = enclosing_arms(node, lambda n: self.value(n, scope), self.up, self.case_groups,
                              self.early_exits) \
            if isinstance(callee, Ref) or isinstance(callee, Member) and isinstance(callee.obj, (Ref, This)) \
            or any(isinstance(a, Fn) for a in args) else ()
        call = Call(len(f.calls), callee, args, span_of(node), scope, in_loop, isinstance(v, NewExpr), awaited,
                    guarded, conds, arms)
        f.calls.append(call)
        for i, a in enumerate(args):
            if isinstance(a, Fn):
                fn = f.functions[a.fid]
                if fn.arg_of is None:
                    fn.arg_of, fn.arg_index = call.index, i

    def _on_pick(self, callee: AnyV, scope: int | None) -> bool:
        v = callee.obj if isinstance(callee, Member) else None
        for _ in range(8):
            match v:
                case Member(obj=obj) | Await(inner=obj):
                    v = obj
                case Ref(name=name):
                    v = self.f.lookup(scope, name)
                case CallExpr(callee=Member(prop=prop)):
                    return prop in PICKS
                case Index():
                    return True
                case _:
                    return False
        return False

    def _declarator(self, node: Node, scope: int | None) -> None:
        name = node.child_by_field_name("name")
        val = node.child_by_field_name("value")
        if name is None:
            return
        decl = self.up(node)
        mutable = decl is not None and decl.type == "variable_declaration" or (
            decl is not None and decl.children and decl.children[0].type == "let")
        if self.f.types is not None and name.type == "identifier":
            self._declared_type(node, name, val, scope)
        if val is None:
            if name.type == "identifier" and not self._ambient(decl):
                nm = text_of(name, 80)
                self.f.mutable.add((scope, nm))
                # (`let ipc;` binds the name here, to undefined until assigned: not an outer name)
                self.f.bindings.setdefault((scope, nm), Undef(span=span_of(name), text="undefined"))
            return
        if name.type == "identifier":
            uv = unwrap(val)
            nm = text_of(name, 80)
            if uv is not None and uv.type in FUNCTION_TYPES:
                fid = self.func_for(uv, scope, nm)
                self.f.func_names[(scope, nm)] = fid
            self.f.bindings[(scope, nm)] = self.value(val, scope)
            if mutable:
                self.f.mutable.add((scope, nm))
            return
        base = self.value(val, scope)
        for p in _pattern_bindings(name):
            v = base
            for key in p.path:
                v = Member(span=p.span, text=f"{v.text}.{key}", obj=v, prop=key)
            self.f.bindings[(scope, p.name)] = v if not p.rest else Dyn(span=p.span, text=p.name)
            if mutable:
                self.f.mutable.add((scope, p.name))

    def _ambient(self, decl: Node | None) -> bool:
        """`declare const api: Api` or `declare global { const api: Api }`: a type-level claim that
        the name exists elsewhere (a global the preload exposes), not a local binding of it."""
        parent = self.up(decl) if decl is not None else None
        if parent is not None and parent.type == "statement_block":
            parent = self.up(parent)
        return parent is not None and parent.type == "ambient_declaration"

    # ---- types (TypeScript) -----------------------------------------------------------------
    def _declared_type(self, node: Node, name: Node, val: Node | None, scope: int | None) -> None:
        """`const ipc: TypedIpc = ...`, `const ipc = ipcRenderer as unknown as TypedIpc`, `declare
        var api: Api`, and `{ ... } as const`."""
        types = self.f.types
        assert types is not None
        nm = text_of(name, 80)
        ann = node.child_by_field_name("type")
        t = TF.type_of(ann) if ann is not None else None
        if not TF.notable(t) and val is not None:
            cast = TF.outer_cast(val, self.up)
            t = cast[1] if cast is not None else None
        if val is not None and scope is None and TF.is_const_assertion(val):
            types.const_objects.add(nm)
        if t is None or not TF.notable(t):
            return
        parent = self.up(node)
        where = TF.placement(parent, self.up) if parent is not None else None
        if where == "global":
            types.global_vars[nm] = t
        else:
            types.vars[(scope, nm)] = t

    def _type_decl(self, node: Node, scope: int | None) -> None:
        types = self.f.types
        where = TF.placement(node, self.up)
        if types is None or where is None:
            return
        hit = TF.declaration(node)
        if hit is not None:
            types.add_decl(hit[0], hit[1], where == "global")

    def _fsig(self, node: Node, scope: int | None) -> None:
        """`function f(a: A): R;` overloads and `declare function f(...)`."""
        types = self.f.types
        name = node.child_by_field_name("name")
        if types is None or name is None or TF.placement(node, self.up) is None:
            return
        types.fsigs.setdefault(text_of(name, 80), []).append(TF.signature(node))

    def _cast(self, node: Node, scope: int | None) -> None:
        types = self.f.types
        if types is None:
            return
        hit = TF.outer_cast(node, self.up)
        if hit is not None:
            types.casts[hit[0]] = hit[1]

    def _for_in(self, node: Node, scope: int | None) -> None:
        """`for (const ch of LIST)` binds ch to each element: Iter(LIST, "of"|"in")."""
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        op = node.child_by_field_name("operator")
        if left is None or right is None:
            return
        how = op.type if op is not None else "of"
        loop = span_of(node)
        if left.type == "identifier":
            name = text_of(left, 80)
            self.f.bindings[(scope, name)] = Iter(span=span_of(left), text=text_of(left),
                                                  source=self.value(right, scope), how=how)
            self.f.loops.setdefault((scope, name), []).append((loop, self.f.bindings[(scope, name)]))
        elif left.type in ("array_pattern", "object_pattern"):  # `for (const [ch, fn] of Object.entries(T))`
            each = Iter(span=span_of(left), text=text_of(left), source=self.value(right, scope), how=how)
            for p in _pattern_bindings(left):
                v: AnyV = each
                for key in p.path:
                    v = Member(span=p.span, text=p.name, obj=v, prop=key)
                self.f.bindings[(scope, p.name)] = v if not p.rest else Dyn(span=p.span, text=p.name)
                self.f.loops.setdefault((scope, p.name), []).append((loop, self.f.bindings[(scope, p.name)]))

    def _assign(self, node: Node, scope: int | None) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return
        lv = self.value(left, scope)
        rv = self.value(right, scope)
        self.f.assigns.append(Assign(lv, rv, span_of(node), scope))
        uleft = unwrap(right)
        if uleft is not None and uleft.type in FUNCTION_TYPES and isinstance(lv, Member):
            self.func_for(uleft, scope, lv.prop)
        if isinstance(lv, Member):
            obj, prop = lv.obj, lv.prop
            if _is_ref(obj, "module") and prop == "exports":
                self.f.exports["*"] = rv
                if isinstance(rv, Obj):
                    for pr in rv.props:
                        if pr.key is not None and not pr.spread:
                            self.f.exports.setdefault(pr.key, pr.value)
            elif _is_ref(obj, "exports") or (isinstance(obj, Member) and obj.prop == "exports"
                                              and _is_ref(obj.obj, "module")):
                self.f.exports[prop] = rv
        elif isinstance(lv, Ref) and scope is None:
            self.f.mutable.add((None, lv.name))

    def _import(self, node: Node) -> None:
        src_node = node.child_by_field_name("source")
        if src_node is None:
            self._import_require(node)
            return
        src = string_value(src_node) or ""
        if self.f.types is not None:
            self.f.types.module = True
        if any(c.type == "type" for c in node.children):
            self._type_import(node, src)
            return  # `import type { X } from '...'`: erased before the code runs
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for c in clause.named_children:
                if c.type == "identifier":
                    self._bind_import(text_of(c, 80), src, "default", c)
                elif c.type == "namespace_import":
                    ids = [x for x in c.named_children if x.type == "identifier"]
                    if ids:
                        self._bind_import(text_of(ids[0], 80), src, "*", ids[0])
                elif c.type == "named_imports":
                    for spec in c.named_children:
                        if spec.type != "import_specifier":
                            continue
                        if any(x.type == "type" for x in spec.children):
                            self._type_import_spec(spec, src)
                            continue  # `{ type X }` is erased too
                        nm = spec.child_by_field_name("name")
                        if nm is not None:
                            alias = spec.child_by_field_name("alias") or nm
                            self._bind_import(text_of(alias, 80), src, property_name(nm) or "", spec)
        self.f.imports.setdefault("\0order:" + src, Module(span=span_of(node), text=src, src=src))

    def _import_require(self, node: Node) -> None:
        """TypeScript's `import electron = require('electron')`: the whole module, like
        `import * as electron from 'electron'` (`import type x = require(...)` is erased)."""
        if any(c.type == "type" for c in node.children):
            return
        for clause in node.named_children:
            if clause.type != "import_require_clause":
                continue
            src_node = clause.child_by_field_name("source")
            ids = [x for x in clause.named_children if x.type == "identifier"]
            if src_node is None or not ids:
                continue
            src = string_value(src_node) or ""
            if self.f.types is not None:
                self.f.types.module = True
            self._bind_import(text_of(ids[0], 80), src, "*", ids[0])
            self.f.imports.setdefault("\0order:" + src, Module(span=span_of(node), text=src, src=src))

    def _type_import(self, node: Node, src: str) -> None:
        types = self.f.types
        if types is None:
            return
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for c in clause.named_children:
                if c.type == "identifier":
                    types.type_imports[text_of(c, 80)] = (src, "default")
                elif c.type == "namespace_import":
                    ids = [x for x in c.named_children if x.type == "identifier"]
                    if ids:
                        types.type_imports[text_of(ids[0], 80)] = (src, "*")
                elif c.type == "named_imports":
                    for spec in c.named_children:
                        if spec.type == "import_specifier":
                            self._type_import_spec(spec, src)

    def _type_import_spec(self, spec: Node, src: str) -> None:
        nm = spec.child_by_field_name("name")
        if self.f.types is not None and nm is not None:
            alias = spec.child_by_field_name("alias") or nm
            self.f.types.type_imports[text_of(alias, 80)] = (src, property_name(nm) or "")

    def _bind_import(self, local: str, src: str, name: str, node: Node) -> None:
        v = Import(span=span_of(node), text=local, src=src, name=name)
        self.f.imports[local] = v
        self.f.bindings[(None, local)] = v

    def _export(self, node: Node, scope: int | None) -> None:
        if self.f.types is not None:
            self.f.types.module = True
        src_node = node.child_by_field_name("source")
        src = string_value(src_node) if src_node is not None else None
        decl = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        is_default = any(c.type == "default" for c in node.children)
        clause = next((c for c in node.named_children if c.type == "export_clause"), None)
        ns = next((c for c in node.named_children if c.type == "namespace_export"), None)
        sp = span_of(node)
        if src is not None:
            self.f.imports.setdefault("\0order:" + src, Module(span=sp, text=src, src=src))
            if clause is not None:
                for spec in clause.named_children:
                    nm = spec.child_by_field_name("name")
                    if nm is not None:
                        alias = spec.child_by_field_name("alias") or nm
                        self.f.exports[property_name(alias) or ""] = Import(span=sp, src=src,
                                                                            name=property_name(nm) or "")
            elif ns is not None:
                ids = [x for x in ns.named_children]
                if ids:
                    self.f.exports[property_name(ids[-1]) or ""] = Import(span=sp, src=src, name="*")
            else:
                self.f.star_exports.append(src)
            return
        if clause is not None:
            for spec in clause.named_children:
                nm = spec.child_by_field_name("name")
                if nm is not None:
                    alias = spec.child_by_field_name("alias") or nm
                    self.f.exports[property_name(alias) or ""] = Ref(span=sp, name=property_name(nm) or "")
            return
        if decl is not None:
            for name in _declared_names(decl):
                self.f.exports["default" if is_default else name] = Ref(span=sp, text=name, name=name)
            if is_default and not _declared_names(decl):
                self.f.exports["default"] = self.value(decl, scope)
            return
        if value is not None:
            self.f.exports["default"] = self.value(value, scope)

    def _enum(self, node: Node, scope: int | None) -> None:
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name is None or body is None:
            return
        props = []
        for i, c in enumerate(body.named_children):
            if c.type == "enum_assignment":
                k = c.child_by_field_name("name")
                v = c.child_by_field_name("value")
                if k is not None and v is not None:
                    props.append(Prop(property_name(k), self.value(v, scope), span_of(c)))
            elif c.type == "property_identifier":
                props.append(Prop(text_of(c, 80), Num(span=span_of(c), value=str(i)), span_of(c)))
        self.f.bindings[(scope, text_of(name, 80))] = Obj(span=span_of(node), text=text_of(name), props=tuple(props))
        where = TF.placement(node, self.up) if self.f.types is not None else None
        if self.f.types is not None and where is not None:
            self.f.types.add_decl(text_of(name, 80), TDecl("enum"), where == "global")

    def _namespace(self, node: Node, scope: int | None) -> None:
        """`namespace NS { export const A = 'x'; export enum E {...} }`: NS is an object whose
        members are the names the block exports (declared in the enclosing scope: the block is not
        a function), so `NS.A` resolves like a property of a const object."""
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name is None or name.type != "identifier" or body is None:
            return
        props = []
        for c in body.named_children:
            decl = c.child_by_field_name("declaration") if c.type == "export_statement" else None
            if decl is None:
                continue
            for nm in _declared_names(decl):
                props.append(Prop(nm, Ref(span=span_of(decl), text=nm, name=nm), span_of(decl)))
        self.f.bindings.setdefault((scope, text_of(name, 80)),
                                   Obj(span=span_of(node), text=text_of(name), props=tuple(props)))

    def _class(self, node: Node, scope: int | None) -> None:
        name = node.child_by_field_name("name")
        cname = text_of(name, 80) if name is not None else None
        parent = self.up(node)
        if cname is None and parent is not None and parent.type == "variable_declarator":
            nm = parent.child_by_field_name("name")
            cname = text_of(nm, 80) if nm is not None else None
        if not cname:
            return
        self.f.classes[cname] = span_of(node)
        if self.f.types is not None and node.type != "class" and TF.placement(node, self.up) == "module":
            self.f.types.add_decl(cname, TDecl("class"), False)
        if node.type != "class":
            self.f.bindings.setdefault((scope, cname), ClassV(span=span_of(node), text=cname, name=cname))
        heritage = next((c for c in node.children if c.type == "class_heritage"), None)
        if heritage is not None:
            clauses = {c.type: c for c in heritage.named_children}
            implements = clauses.get("implements_clause")
            if implements is not None:  # (TypeScript: `class A extends B implements I, ns.J`)
                self.f.class_implements[cname] = tuple(
                    text_of(t, 120).split("<")[0].rsplit(".", 1)[-1] for t in implements.named_children
                    if t.type in ("type_identifier", "nested_type_identifier", "generic_type"))
            extends = clauses.get("extends_clause", heritage if implements is None else None)
            base = text_of(extends, 120).split("{")[0].replace("extends", " ").split() if extends is not None else []
            if base:
                self.f.class_bases[cname] = base[0].split("<")[0].split("(")[0].rsplit(".", 1)[-1]
        body = node.child_by_field_name("body")
        methods = self.f.class_methods.setdefault(cname, {})
        for c in body.named_children if body is not None else ():
            if c.type == "method_definition":
                k = c.child_by_field_name("name")
                mname = property_name(k) if k is not None else None
                accessor = any(x.type in ("get", "set") for x in c.children[:3])
                if mname and not accessor:  # a getter's value is not a method reference
                    methods[mname] = self.func_for(c, scope, f"{cname}.{mname}")
                    if mname == "constructor" and self.f.types is not None:
                        self._parameter_properties(c, methods[mname])
                elif mname and any(x.type == "get" for x in c.children[:3]):
                    # `get prefs() { return {...} }`: reading `this.prefs` runs it
                    self.f.class_getters.setdefault(cname, {})[mname] = self.func_for(c, scope, f"{cname}.{mname}")
            elif c.type in ("public_field_definition", "field_definition"):
                k = c.child_by_field_name("name") or c.child_by_field_name("property")
                v = c.child_by_field_name("value")
                uv = unwrap(v) if v is not None else None
                mname = property_name(k) if k is not None else None
                if mname and uv is not None and uv.type in FUNCTION_TYPES:
                    methods[mname] = self.func_for(uv, scope, f"{cname}.{mname}")
                elif mname and v is not None and any(x.type == "static" for x in c.children):
                    # `static readonly SAVE = 'file:save'`: a constant of the class, like an object's
                    self.f.class_statics.setdefault(cname, {})[mname] = self.value(v, scope)
                elif mname and k is not None and v is not None:  # `ipc = ipcRenderer`: a field, like `this.ipc = ...`
                    this = This(span=span_of(k), text="this")
                    target = Member(span=span_of(k), text=f"this.{mname}", obj=this, prop=mname)
                    self.f.assigns.append(Assign(target, self.value(v, scope), span_of(c), scope))
                if mname and self.f.types is not None and not any(x.type == "static" for x in c.children):
                    ann = c.child_by_field_name("type")
                    t = TF.type_of(ann) if ann is not None else None
                    if isinstance(t, (TRef, TUnion)):  # `electron: ElectronService`: what `this.electron` is
                        self.f.types.fields[(cname, mname)] = t

    def _parameter_properties(self, ctor: Node, fid: int) -> None:
        """`constructor (private electron: ElectronService)` (TypeScript parameter properties, the
        constructor injection of Angular and NestJS) assigns the parameter to `this.electron`: the
        assignment the code would otherwise write, recorded in the constructor's scope."""
        plist = ctor.child_by_field_name("parameters")
        for p in plist.named_children if plist is not None else ():
            if p.type not in TF.PARAM_NODES or not any(
                    x.type in ("accessibility_modifier", "override_modifier", "readonly") for x in p.children):
                continue
            pat = p.child_by_field_name("pattern")
            if pat is None or pat.type != "identifier":
                continue
            name, at = text_of(pat, 80), span_of(pat)
            target = Member(span=at, text=f"this.{name}", obj=This(span=at, text="this"), prop=name)
            self.f.assigns.append(Assign(target, Ref(span=at, text=name, name=name), span_of(p), fid))

    def _delete(self, node: Node, scope: int | None) -> None:
        """`delete prefs.preload`: an assignment of nothing (op "delete")."""
        target = node.child_by_field_name("argument")
        if target is not None:
            span = span_of(node)
            self.f.deletes.append(Assign(self.value(target, scope), Undef(span=span, text="undefined"), span, scope,
                                         "delete"))

    def _jsx(self, node: Node, scope: int | None) -> None:
        name = node.child_by_field_name("name")
        if name is None or text_of(name, 40) != "webview":
            return
        attrs = []
        for a in node.named_children:
            if a.type == "jsx_expression":  # `<webview {...props} />`: the attributes an object spreads
                spread = [x for x in a.named_children if x.type == "spread_element"]
                inner = [x for x in spread[0].named_children if x.type != "comment"] if spread else []
                if inner:
                    attrs.append(JsxAttr("...", self.value(inner[0], scope), span_of(a), scope))
                continue
            if a.type != "jsx_attribute":
                continue
            parts = a.named_children
            if not parts:
                continue
            key = text_of(parts[0], 80)
            val = None
            if len(parts) > 1:
                vn = parts[1]
                if vn.type == "jsx_expression":
                    inner = [x for x in vn.named_children if x.type != "comment"]
                    val = self.value(inner[0], scope) if inner else None
                else:
                    val = self.value(vn, scope)
            attrs.append(JsxAttr(key, val, span_of(a)))
        self.f.jsx.append(JsxElement("webview", tuple(attrs), span_of(node)))


def _awaited(node: Node, up: Up) -> bool:
    """`await call`, also through parentheses and TypeScript wrappers."""
    parent = up(node)
    for _ in range(8):
        if parent is None or parent.type not in _WRAPPERS:
            break
        parent = up(parent)
    return parent is not None and parent.type == "await_expression"


_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"})


def _is_ref(v: AnyV, name: str) -> bool:
    return isinstance(v, Ref) and v.name == name


def _inferred_name(node: Node, up: Up) -> str | None:
    parent = up(node)
    if parent is None:
        return None
    while parent is not None and parent.type in ("parenthesized_expression", "as_expression"):
        parent = up(parent)
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        nm = parent.child_by_field_name("name")
        return text_of(nm, 80) if nm is not None and nm.type == "identifier" else None
    if parent.type == "pair":
        k = parent.child_by_field_name("key")
        return property_name(k) if k is not None else None
    if parent.type in ("public_field_definition", "field_definition"):
        k = parent.child_by_field_name("name") or parent.child_by_field_name("property")
        return property_name(k) if k is not None else None
    return None


def _declared_names(decl: Node) -> list[str]:
    t = decl.type
    if t in ("lexical_declaration", "variable_declaration"):
        out = []
        for d in decl.named_children:
            if d.type == "variable_declarator":
                nm = d.child_by_field_name("name")
                if nm is not None and nm.type == "identifier":
                    out.append(text_of(nm, 80))
                elif nm is not None:
                    out.extend(p.name for p in _pattern_bindings(nm))
        return out
    nm = decl.child_by_field_name("name")
    return [text_of(nm, 80)] if nm is not None else []


def _pattern_bindings(pat: Node) -> list[Param]:
    return _bindings_of_pattern(pat, 0)


# The query's captures that one method of the walker records (functions, loops and calls also
# need the enclosing scope and loop: run() handles them itself).
_HANDLERS: dict[str, Callable[[_Walker, Node, int | None], None]] = {
    "decl": _Walker._declarator, "assign": _Walker._assign, "import": _Walker._import_node,
    "export": _Walker._export, "enum": _Walker._enum, "class": _Walker._class, "return": _Walker._return,
    "throw": _Walker._throw, "jsx": _Walker._jsx, "global": _Walker._global, "binary": _Walker._binary,
    "if": _Walker._if, "switch": _Walker._switch, "tdecl": _Walker._type_decl, "fsig": _Walker._fsig,
    "cast": _Walker._cast, "delete": _Walker._delete, "namespace": _Walker._namespace,
}

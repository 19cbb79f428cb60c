"""Typed channels (SPEC section 1): channel literals the TypeScript compiler already checks.

A literal at a call site is *typed* when the parameter that receives it is declared with a finite
set of strings: a string-literal union, `keyof` a declared type, a template-literal type over
such sets, an enum, or a type parameter constrained by one of these, directly or through aliases.
The type that decides is the one the call site compiles against:

- the declared type of the callee or its receiver, when there is one: a variable's annotation or
  cast (`const ipc = ipcRenderer as unknown as TypedIpc`), a parameter's type, an imported
  declaration, and for page code the global declaration of `window` (`declare global { interface
  Window { api: ... } }`, often in a .d.ts), never the preload's own parameter types unless the
  page's declaration is `typeof` the preload's object;
- else the called function's own signature (an app wrapper such as
  `function handle<T extends keyof Channels>(channel: T, ...)`, with its overloads, or the
  declared type of the variable that holds it).

JavaScript call sites are never typed: nothing compiles them. Every name is resolved across files
(imports, re-exports, tsconfig paths, .d.ts files); a module that is not parsed yet is asked for
(``Project.missing``), so the answer is complete once linking is.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.discover import file_for_stem
from ipclint.link.modules import ModuleResolver, Where
from ipclint.link.project import GLOBAL_OBJECTS, Project
from ipclint.link.wrappers import callee_function, made_by_factory
from ipclint.model import Span
from ipclint.model.facts import Call, FileFacts
from ipclint.model.types import (
    IMPORTED,
    AnyT,
    TDecl,
    TFunc,
    TIndex,
    TInter,
    TKeyof,
    TLit,
    TObj,
    TParam,
    TPrim,
    TQuery,
    TRef,
    TSig,
    TTemplate,
    TUnion,
    TypeFacts,
)
from ipclint.model.values import AnyV, Arr, CallExpr, Fn, Import, Member, ModObj, Num, Obj, Ref, Str

MAX_DEPTH = 24
NEUTRAL = frozenset({"undefined", "null", "never", "void"})  # no string: a union keeps its finiteness
# Built-in type functions whose result is finite when (one of) their arguments are
FINITE_OF_FIRST = frozenset({"NonNullable", "Exclude", "Uppercase", "Lowercase", "Capitalize", "Uncapitalize"})
KEYS_OF_FIRST = frozenset({"Readonly", "Partial", "Required", "Omit"})
TS_DIALECTS = frozenset({"ts", "tsx"})


@dataclass(frozen=True, slots=True)
class TT:
    """A type expression and where its names are looked up: the file and the type parameters in
    scope (each bound to its constraint or its argument, None when unconstrained)."""

    path: str
    t: AnyT
    env: tuple[tuple[str, TT | None], ...] = ()


@dataclass(frozen=True, slots=True)
class VT:
    """The type of a value (`typeof api`, an object or function the code names): the value."""

    where: Where


@dataclass(frozen=True, slots=True)
class GlobalObject:
    """`window` / `globalThis`: its members are the global declarations."""

    page: str  # the file that reads it (global declarations are per app)


View = TT | VT | GlobalObject


@dataclass(frozen=True, slots=True)
class SigAt:
    sig: TSig
    path: str
    env: tuple[tuple[str, TT | None], ...] = ()


def typed_channel_sites(project: Project) -> frozenset[tuple[str, Span]]:
    """The inline channel literals (path, span) that sit at typed-channel call sites: direct IPC
    calls, calls of app wrappers and of generic bridge functions, and wrapper calls inside
    wrappers."""
    literals: dict[str, set[Span]] = {}
    for (path, idx), op in project.ipc_ops.items():
        call = project.files[path].calls[idx]
        if op.channel_arg < len(call.args) and call.args[op.channel_arg].is_inline_literal:
            literals.setdefault(path, set()).add(call.args[op.channel_arg].span)
    for e in project.graph.edges:
        v = e.channel_value
        if v is not None and v.is_inline_literal and not e.bridged and e.channel_span == v.span:
            literals.setdefault(e.path, set()).add(v.span)
    for path, v in project.graph.nested_literals:
        literals.setdefault(path, set()).add(v.span)
    types = Types(project)
    out: set[tuple[str, Span]] = set()
    for path in sorted(literals):
        f = project.files.get(path)
        if f is None or f.dialect not in TS_DIALECTS or (f.types is not None and f.types.nocheck):
            continue  # nothing compiles a JavaScript call site
        unchecked = f.types.unchecked if f.types is not None else frozenset()
        at = _arg_spans(project, path, f)
        # (the arguments written at a literal's span, in file order, as a pass over every argument
        # of every call meets them)
        for ci, i in sorted(ci_i for span in literals[path] for ci_i in at.get(span, ())):
            call = f.calls[ci]
            span = call.args[i].span
            if span.line not in unchecked and (path, span) not in out and types.typed_arg(path, call, i):
                out.add((path, span))
    return frozenset(out)


def _arg_spans(project: Project, path: str, f: FileFacts) -> dict[Span, list[tuple[int, int]]]:
    """Span -> the (call index, argument index) of the arguments of ``path`` written there: from
    the facts alone, so indexed once per file for all the rounds of a run (``FileMemo.arg_spans``),
    not looked through argument by argument in every round (zettlr: 10 ms a round)."""
    memo = project.file_memo.arg_spans
    hit = memo.get(path)
    if hit is None:
        hit = memo[path] = {}
        for ci, call in enumerate(f.calls):
            for i, a in enumerate(call.args):
                hit.setdefault(a.span, []).append((ci, i))
    return hit


class _TypeModules(ModuleResolver):
    """Module specifiers as the TypeScript compiler resolves them: a `.ts`, `.tsx` or `.d.ts` file
    before a `.js` one."""

    def _file(self, stem: str) -> str | None:
        stem = stem[2:] if stem.startswith("./") else stem
        if stem in self.paths and not stem.endswith((".js", ".jsx", ".mjs", ".cjs")):
            return stem
        base = stem.rsplit(".", 1)[0] if stem.endswith((".js", ".jsx", ".mjs", ".cjs")) else stem
        for cand in (base + ".ts", base + ".tsx", base + ".d.ts", base + "/index.ts", base + "/index.tsx",
                     base + "/index.d.ts"):
            if cand in self.paths:
                return cand
        return file_for_stem(self.paths, stem)


class Types:
    """The type questions of one linked project (memoised for its lifetime)."""

    def __init__(self, project: Project) -> None:
        self.p = project
        self.modules = _TypeModules(project.all_paths | project.declaration_paths, project.modules.read_json)
        self._globals: dict[str, tuple[dict[str, list[tuple[str, TDecl]]], dict[str, list[tuple[str, AnyT]]]]] = {}
        self._finite: dict[TT, bool] = {}
        self._named: dict[tuple[str, str], tuple[str, TDecl] | None] = {}

    # ---- the question ------------------------------------------------------------------------
    def typed_arg(self, path: str, call: Call, index: int) -> bool:
        """Whether argument ``index`` of ``call`` is received by a parameter of a finite string type
        in every signature the call can resolve to."""
        sigs = self.callee_sigs(path, call)
        return bool(sigs) and all(self.param_finite(s, index) for s in sigs)

    def callee_sigs(self, path: str, call: Call) -> list[SigAt]:
        view = self.view(path, call.func, call.callee, 0)
        if view is not None:
            return self.call_sigs(view, 0)
        target = callee_function(self.p, path, call)
        if target is None and type(call.callee) is Ref:  # `const send = makeSender(wc); send(CH)`
            target = made_by_factory(self.p, path, call.callee, call.func)
        return self.function_sigs(target[0], target[1], 0) if target is not None else []

    def param_finite(self, s: SigAt, index: int) -> bool:
        if index >= len(s.sig.params):
            return False
        t = s.sig.params[index]
        if t is None:
            return False
        return self.finite(TT(s.path, t, s.env + self._bind(s.path, s.sig.tparams, s.env)), 0)

    # ---- facts -------------------------------------------------------------------------------
    def facts(self, path: str | None) -> FileFacts | None:
        if path is None:
            return None
        f = self.p.files.get(path) or self.p.declarations.get(path)
        if f is None and (path in self.p.all_paths or path in self.p.declaration_paths):
            self.p._need(path)
        return f

    def tf(self, path: str | None) -> TypeFacts | None:
        f = self.facts(path)
        return f.types if f is not None else None

    def module(self, path: str, src: str) -> str | None:
        return self.modules.resolve(path, src)

    # ---- what a value expression's declared type is ------------------------------------------
    def view(self, path: str, scope: int | None, v: AnyV, depth: int) -> View | None:
        """The declared view of an expression: a cast, a variable's or parameter's declared type,
        what an import or an alias names, `window`; None when the code declares nothing."""
        if depth > MAX_DEPTH:
            return None
        tf = self.tf(path)
        cast = tf.casts.get(v.span) if tf is not None else None
        if cast is not None:
            return TT(path, cast)
        if isinstance(v, Ref):
            return self._name_view(path, scope, v.name, depth)
        if isinstance(v, Member):
            base = self.view(path, scope, v.obj, depth + 1)
            return self.member(base, v.prop, depth + 1) if base is not None else None
        return None

    def _name_view(self, path: str, scope: int | None, name: str, depth: int) -> View | None:
        f = self.facts(path)
        if f is None:
            return None
        tf = f.types
        s = scope
        for _ in range(256):
            if tf is not None and (s, name) in tf.vars:
                return TT(path, tf.vars[(s, name)])
            b = f.bindings.get((s, name))
            if b is not None:
                return self._value_view(path, s, b, depth)
            if s is None:
                break
            fn = f.functions[s]
            param = next((p for p in fn.params if p.name == name), None)
            if param is not None:
                sig = tf.funcs.get(s) if tf is not None else None
                if sig is None or param.path or param.index >= len(sig.params) or sig.params[param.index] is None:
                    return None
                t = sig.params[param.index]
                return TT(path, t, self._bind(path, sig.tparams, ())) if t is not None else None
            s = fn.parent
        if name in GLOBAL_OBJECTS:
            return GlobalObject(path)
        return self.member(GlobalObject(path), name, depth + 1)  # a bare global: `api.invoke(...)`

    def _value_view(self, path: str, scope: int | None, b: AnyV, depth: int) -> View | None:
        if isinstance(b, Import):
            return self._import_view(path, b.src, b.name, depth)
        if isinstance(b, (Fn, Obj)):
            return VT(Where(path, b, scope))
        if isinstance(b, (Ref, Member)):  # an alias: `const api = window.api`, `const { invoke } = api`
            return self.view(path, scope, b, depth + 1)
        if isinstance(b, CallExpr) and isinstance(b.callee, Member) and b.callee.prop == "freeze":
            return VT(Where(path, b, scope))
        if isinstance(b, CallExpr):  # `const ipc = getIpcProxy(log)`: what the function is declared to return
            callee = self.view(path, scope, b.callee, depth + 1)
            sigs = self.call_sigs(callee, depth + 1) if callee is not None else []
            rets = {(s.path, s.sig.ret) for s in sigs}
            if len(rets) == 1 and sigs[0].sig.ret is not None:
                return TT(sigs[0].path, sigs[0].sig.ret, sigs[0].env)
        return None

    def _import_view(self, path: str, src: str, name: str, depth: int) -> View | None:
        """What an imported name is declared as: an exported variable's type, a declared function
        (a .d.ts), or the value itself."""
        target = self.module(path, src)
        f = self.facts(target)
        if f is None or target is None or depth > MAX_DEPTH:
            return None
        tf = f.types
        ex = f.exports.get(name)
        if isinstance(ex, Import):
            return self._import_view(target, ex.src, ex.name, depth + 1)
        local = ex.name if isinstance(ex, Ref) else name
        if tf is not None and (None, local) in tf.vars:
            return TT(target, tf.vars[(None, local)])
        if tf is not None and local in tf.fsigs:
            return TT(target, TObj((), False, tf.fsigs[local]))
        if target in self.p.files:
            return VT(self.p.resolve(path, Import(span=Span(0, 0, 0, 0), src=src, name=name)))
        return None

    # ---- members and signatures --------------------------------------------------------------
    def member(self, base: View, prop: str, depth: int) -> View | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(base, GlobalObject):
            return self._global_member(base.page, prop, depth)
        if isinstance(base, VT):
            hit = self.p.member(self.p.resolve(base.where.path, base.where.value, base.where.scope), prop)
            return VT(self.p.resolve(hit.path, hit.value, hit.scope)) if hit is not None else None
        found = self._members(base, prop, depth)
        return found[0] if found else None

    def _members(self, tt: TT, prop: str, depth: int) -> list[View]:
        """The views of member ``prop`` of an object type (interfaces with what they extend,
        aliases, intersections, `typeof` a value)."""
        if depth > MAX_DEPTH:
            return []
        t = tt.t
        if isinstance(t, TObj):
            out: list[View] = []
            for m in t.members:
                if m.name != prop:
                    continue
                if m.sigs:
                    out.append(TT(tt.path, TObj((), False, m.sigs), tt.env))
                elif m.type is not None:
                    out.append(TT(tt.path, m.type, tt.env))
            return out
        if isinstance(t, TInter):
            return [v for item in t.items for v in self._members(TT(tt.path, item, tt.env), prop, depth + 1)]
        if isinstance(t, TQuery):
            vt = self._query_view(tt)
            hit = self.member(vt, prop, depth + 1) if vt is not None else None
            return [hit] if hit is not None else []
        if isinstance(t, TRef):
            bound = self._env(tt, t.name)
            if bound is not False:
                return self._members(bound, prop, depth + 1) if isinstance(bound, TT) else []
            if t.name in KEYS_OF_FIRST | {"Pick"} and t.args:
                return self._members(TT(tt.path, t.args[0], tt.env), prop, depth + 1)
            decl = self.named(tt.path, t.name, depth + 1)
            if decl is None:
                return []
            dpath, d = decl
            env = self._bind_args(dpath, d, t.args, tt)
            if d.kind == "class":
                return self._class_member(dpath, t.name, prop)
            if d.body is None:
                return []
            out = self._members(TT(dpath, d.body, env), prop, depth + 1)
            for ext in d.extends:
                out += self._members(TT(dpath, ext, env), prop, depth + 1)
            return out
        return []

    def _class_member(self, path: str, cls: str, prop: str) -> list[View]:
        f = self.facts(path)
        fid = f.class_methods.get(cls, {}).get(prop) if f is not None else None
        return [VT(Where(path, Fn(span=Span(0, 0, 0, 0), fid=fid)))] if fid is not None else []

    def call_sigs(self, view: View, depth: int) -> list[SigAt]:
        if depth > MAX_DEPTH or isinstance(view, GlobalObject):
            return []
        if isinstance(view, VT):
            w = self.p.resolve(view.where.path, view.where.value, view.where.scope)
            fn = self.p.function_of(w.path, w.value, w.scope) if w.path in self.p.files else None
            return self.function_sigs(fn[0], fn[1], depth + 1) if fn is not None else []
        t = view.t
        if isinstance(t, TFunc):
            return [SigAt(t.sig, view.path, view.env)]
        if isinstance(t, TObj):
            return [SigAt(s, view.path, view.env) for s in t.calls]
        if isinstance(t, TInter):
            return [s for item in t.items for s in self.call_sigs(TT(view.path, item, view.env), depth + 1)]
        if isinstance(t, TQuery):
            vt = self._query_view(view)
            return self.call_sigs(vt, depth + 1) if vt is not None else []
        if isinstance(t, TRef):
            bound = self._env(view, t.name)
            if bound is not False:
                return self.call_sigs(bound, depth + 1) if isinstance(bound, TT) else []
            decl = self.named(view.path, t.name, depth + 1)
            body = decl[1].body if decl is not None else None
            if decl is None or body is None:
                return []
            return self.call_sigs(TT(decl[0], body, self._bind_args(decl[0], decl[1], t.args, view)), depth + 1)
        return []

    def function_sigs(self, path: str, fid: int, depth: int) -> list[SigAt]:
        """A project function's declared signatures: its overloads, its own annotations, or the
        declared type of the variable that holds it."""
        f = self.facts(path)
        if f is None or not 0 <= fid < len(f.functions) or depth > MAX_DEPTH:
            return []
        tf = f.types
        if tf is None:
            return []
        fn = f.functions[fid]
        if fn.name and fn.parent is None and fn.name in tf.fsigs:
            return [SigAt(s, path) for s in tf.fsigs[fn.name]]
        if fid in tf.funcs:
            return [SigAt(tf.funcs[fid], path)]
        if fn.name and (fn.parent, fn.name) in tf.vars:
            return self.call_sigs(TT(path, tf.vars[(fn.parent, fn.name)]), depth + 1)
        return []

    # ---- names -------------------------------------------------------------------------------
    def named(self, path: str, name: str, depth: int) -> tuple[str, TDecl] | None:
        """The declaration a type name written in ``path`` refers to."""
        key = (path, name)
        if key not in self._named:
            self._named[key] = None  # a cycle resolves to nothing
            self._named[key] = self._find_named(path, name, depth)
        return self._named[key]

    def _find_named(self, path: str, name: str, depth: int) -> tuple[str, TDecl] | None:
        if depth > MAX_DEPTH:
            return None
        f = self.facts(path)
        tf = f.types if f is not None else None
        if name.startswith(IMPORTED):  # `import('./api').Api`
            spec, _, exported = name[len(IMPORTED):].partition("\0")
            return self.exported(self.module(path, spec), exported, depth + 1)
        if "." in name:  # `NS.Channels`: a namespace import
            ns, rest = name.split(".", 1)
            src = self._import_of(f, tf, ns)
            if src is None or src[1] != "*":
                return None
            return self.exported(self.module(path, src[0]), rest, depth + 1)
        if tf is not None and name in tf.decls:
            return path, tf.decls[name]
        src = self._import_of(f, tf, name)
        if src is not None:
            return self.exported(self.module(path, src[0]), src[1], depth + 1)
        decls = self._globals_of(path)[0].get(name)
        return decls[0] if decls else None

    @staticmethod
    def _import_of(f: FileFacts | None, tf: TypeFacts | None, name: str) -> tuple[str, str] | None:
        if tf is not None and name in tf.type_imports:
            return tf.type_imports[name]
        imp = f.imports.get(name) if f is not None else None
        return (imp.src, imp.name) if isinstance(imp, Import) else None

    def exported(self, target: str | None, name: str, depth: int) -> tuple[str, TDecl] | None:
        """The type declaration module ``target`` exports as ``name``."""
        f = self.facts(target)
        if f is None or target is None or depth > MAX_DEPTH:
            return None
        tf = f.types
        ex = f.exports.get(name)
        if isinstance(ex, Import):
            return self.exported(self.module(target, ex.src), ex.name, depth + 1)
        local = ex.name if isinstance(ex, Ref) else name
        if tf is not None and local in tf.decls:
            return target, tf.decls[local]
        src = self._import_of(f, tf, local) if isinstance(ex, Ref) else None
        if src is not None:  # `import { X } from './a'; export { X }`
            return self.exported(self.module(target, src[0]), src[1], depth + 1)
        for star in f.star_exports:
            hit = self.exported(self.module(target, star), name, depth + 1)
            if hit is not None:
                return hit
        return None

    def _globals_of(self, path: str) -> tuple[dict[str, list[tuple[str, TDecl]]], dict[str, list[tuple[str, AnyT]]]]:
        """Global type declarations and variables visible from ``path``: those of its app (and of
        files outside every app), from every file that declares some."""
        app = self._app(path)
        hit = self._globals.get(app)
        if hit is not None:
            return hit
        types: dict[str, list[tuple[str, TDecl]]] = {}
        variables: dict[str, list[tuple[str, AnyT]]] = {}
        declarers = self.p.global_declarers | {p for p, f in self.p.files.items() if f.types and f.types.globals}
        for p in sorted(declarers):
            other = self._app(p)
            if other and app and other != app:
                continue
            tf = self.tf(p)
            if tf is None:
                continue
            for name, d in tf.globals.items():
                types.setdefault(name, []).append((p, d))
            for name, t in tf.global_vars.items():
                variables.setdefault(name, []).append((p, t))
        self._globals[app] = (types, variables)
        return types, variables

    def _app(self, path: str) -> str:
        if path in self.p.apps:
            return self.p.apps[path]
        folders = [a for a in set(self.p.apps.values()) if a and path.startswith(a + "/")]
        return max(folders, key=len) if folders else ""

    def _global_member(self, page: str, prop: str, depth: int) -> View | None:
        """`window.<prop>` (or the bare global) as the page's global declarations have it."""
        types, variables = self._globals_of(page)
        for p, t in variables.get(prop, ()):
            return TT(p, t)
        for p, d in types.get("Window", ()):
            found = self._decl_members(p, d, prop, depth + 1)
            if found:
                return found[0]
        return None

    def _decl_members(self, path: str, d: TDecl, prop: str, depth: int) -> list[View]:
        out = self._members(TT(path, d.body), prop, depth) if d.body is not None else []
        for ext in d.extends:
            out += self._members(TT(path, ext), prop, depth)
        return out

    # ---- type parameters ---------------------------------------------------------------------
    @staticmethod
    def _bind(path: str, tparams: tuple[TParam, ...], env: tuple[tuple[str, TT | None], ...]
              ) -> tuple[tuple[str, TT | None], ...]:
        """Type parameters bound to their constraints."""
        return tuple((tp.name, TT(path, tp.constraint, env) if tp.constraint is not None else None)
                     for tp in tparams)

    def _bind_args(self, dpath: str, d: TDecl, args: tuple[AnyT, ...], at: TT) -> tuple[tuple[str, TT | None], ...]:
        """A generic declaration's type parameters bound to the arguments written at ``at`` (or to
        their constraints when not given)."""
        out: list[tuple[str, TT | None]] = []
        for i, tp in enumerate(d.tparams):
            if i < len(args):
                out.append((tp.name, TT(at.path, args[i], at.env)))
            else:
                out.append((tp.name, TT(dpath, tp.constraint) if tp.constraint is not None else None))
        return tuple(out)

    @staticmethod
    def _env(tt: TT, name: str) -> TT | None | bool:
        """The binding of type parameter ``name`` in scope (None: unconstrained), or False."""
        for n, b in reversed(tt.env):
            if n == name:
                return b
        return False

    # ---- finite sets of strings --------------------------------------------------------------
    def finite(self, tt: TT, depth: int) -> bool:
        """Whether ``tt`` denotes a finite set of literals (the compiler rejects any other)."""
        if depth > MAX_DEPTH:
            return False
        hit = self._finite.get(tt)
        if hit is None:
            self._finite[tt] = False  # a cycle is not finite
            hit = self._finite[tt] = self._is_finite(tt, depth)
        return hit

    def _is_finite(self, tt: TT, depth: int) -> bool:
        t, d = tt.t, depth + 1
        if isinstance(t, TLit):
            return True
        if isinstance(t, TUnion):
            items = [x for x in t.items if not (isinstance(x, TPrim) and x.name in NEUTRAL)]
            return bool(items) and all(self.finite(TT(tt.path, x, tt.env), d) for x in items)
        if isinstance(t, TInter):
            return any(self.finite(TT(tt.path, x, tt.env), d) for x in t.items)
        if isinstance(t, TTemplate):
            return all(isinstance(x, str) or self.finite(TT(tt.path, x, tt.env), d) for x in t.parts)
        if isinstance(t, TKeyof):
            return self.keys_finite(TT(tt.path, t.inner, tt.env), d)
        if isinstance(t, TIndex):
            return self._values_finite(tt, t, d)
        if isinstance(t, TQuery):
            return self._constant_query(tt, t)
        if isinstance(t, TRef):
            bound = self._env(tt, t.name)
            if bound is not False:
                return isinstance(bound, TT) and self.finite(bound, d)
            if t.name == "Extract" and len(t.args) == 2:
                return any(self.finite(TT(tt.path, a, tt.env), d) for a in t.args)
            if t.name in FINITE_OF_FIRST and t.args:
                return self.finite(TT(tt.path, t.args[0], tt.env), d)
            decl = self.named(tt.path, t.name, d)
            if decl is None:
                return False
            dpath, dd = decl
            if dd.kind == "enum":
                return True
            return dd.kind == "alias" and dd.body is not None \
                and self.finite(TT(dpath, dd.body, self._bind_args(dpath, dd, t.args, tt)), d)
        return False

    def _constant_query(self, tt: TT, t: TQuery) -> bool:
        """`typeof SAVE` of `const SAVE = 'file:save'` is that literal (of a `let`, `string`);
        `typeof CH.SAVE` is one when CH is constant (`as const`, frozen)."""
        vt = self._query_view(tt)
        if vt is None or not isinstance(vt.where.value, (Str, Num)):
            return False
        names = t.name.split(".")
        if len(names) == 1:
            f = self.facts(tt.path)
            return f is not None and not t.src and all((s, names[0]) not in f.mutable for s, n in f.bindings
                                                       if n == names[0])
        root = TT(tt.path, TQuery(".".join(names[:-1]), t.src), tt.env)
        owner = self._query_view(root)
        return owner is not None and self._is_constant(self.p.resolve(owner.where.path, owner.where.value,
                                                                      owner.where.scope))

    def keys_finite(self, tt: TT, depth: int) -> bool:
        """Whether `keyof` ``tt`` is a finite set: a declared object type without an index
        signature, `typeof` an object, `Record<K, V>` with K finite."""
        if depth > MAX_DEPTH:
            return False
        t, d = tt.t, depth + 1
        if isinstance(t, TObj):
            return not t.index
        if isinstance(t, TInter):
            return all(self.keys_finite(TT(tt.path, x, tt.env), d) for x in t.items)
        if isinstance(t, TUnion):
            return any(self.keys_finite(TT(tt.path, x, tt.env), d) for x in t.items)
        if isinstance(t, TQuery):
            vt = self._query_view(tt)
            if vt is None:
                return False
            w = self.p.resolve(vt.where.path, vt.where.value, vt.where.scope)
            return isinstance(w.value, (Obj, ModObj))
        if isinstance(t, TRef):
            bound = self._env(tt, t.name)
            if bound is not False:
                return isinstance(bound, TT) and self.keys_finite(bound, d)
            if t.name == "Record" and t.args:
                return self.finite(TT(tt.path, t.args[0], tt.env), d)
            if t.name == "Pick" and len(t.args) == 2:
                return self.finite(TT(tt.path, t.args[1], tt.env), d)
            if t.name in KEYS_OF_FIRST and t.args:
                return self.keys_finite(TT(tt.path, t.args[0], tt.env), d)
            decl = self.named(tt.path, t.name, d)
            if decl is None:
                return False
            dpath, dd = decl
            if dd.kind == "class":
                return True
            if dd.body is None:
                return False
            env = self._bind_args(dpath, dd, t.args, tt)
            return self.keys_finite(TT(dpath, dd.body, env), d) and all(
                self.keys_finite(TT(dpath, e, env), d) for e in dd.extends)
        return False

    def _values_finite(self, tt: TT, t: TIndex, depth: int) -> bool:
        """`(typeof CH)[keyof typeof CH]` of a constant object (`as const`, `Object.freeze`),
        `(typeof LIST)[number]` of a constant array, `Api['channel']`."""
        obj = t.obj
        if isinstance(obj, TQuery):
            vt = self._query_view(TT(tt.path, obj, tt.env))
            if vt is None:
                return False
            return all(isinstance(v, Str) for v in self._constant_values(vt, t.index))
        views = self._index_views(TT(tt.path, obj, tt.env), t.index, depth)
        return bool(views) and all(isinstance(v, TT) and self.finite(v, depth) for v in views)

    def _index_views(self, tt: TT, index: AnyT, depth: int) -> list[View]:
        if isinstance(index, TLit):
            return self._members(tt, index.value, depth)
        return []

    def _constant_values(self, vt: VT, index: AnyT) -> Iterator[AnyV | None]:
        """The values of a constant object or array (each None when it is not a constant string)."""
        w = vt.where
        r = self.p.resolve(w.path, w.value, w.scope)
        if not self._is_constant(r):
            yield None
            return
        v = r.value
        items: list[AnyV] = []
        if isinstance(v, Obj):
            if isinstance(index, TLit):
                items = [p.value for p in v.props if p.key == index.value]
            else:
                items = [p.value for p in v.props]
                if any(p.spread or p.key is None for p in v.props):
                    yield None
                    return
        elif isinstance(v, Arr):
            items = list(v.items)
        if not items:
            yield None
        for item in items:
            ch = self.p.channel(r.path, item, r.scope)
            yield Str(span=item.span, value=ch) if ch is not None else None

    def _is_constant(self, w: Where) -> bool:
        """An object or array declared `as const` or frozen: its values keep their literal types."""
        f = self.p.files.get(w.path)
        if f is None:
            return False
        tf = f.types
        for (scope, name), b in f.bindings.items():
            if scope is not None:
                continue
            if b is w.value and tf is not None and name in tf.const_objects:
                return True
            if isinstance(b, CallExpr) and isinstance(b.callee, Member) and b.callee.prop == "freeze" \
                    and b.args and b.args[0] is w.value:
                return True
        return False

    def _query_view(self, tt: TT) -> VT | None:
        """The value a `typeof` type names, looked up where the type is written."""
        t = tt.t
        if not isinstance(t, TQuery):
            return None
        names = t.name.split(".")
        if t.src:
            target = self.module(tt.path, t.src)
            if target is None or target not in self.p.files:
                self.facts(target)
                return None
            where = Where(target, ModObj(span=Span(0, 0, 0, 0), path=target)) if names[0] in ("*", "") else \
                self.p.resolve(tt.path, Import(span=Span(0, 0, 0, 0), src=t.src, name=names[0]))
        elif tt.path in self.p.files:
            where = self.p.resolve(tt.path, Ref(span=Span(0, 0, 0, 0), name=names[0]))
        else:  # a declaration file: only its imports name values
            f = self.facts(tt.path)
            imp = f.imports.get(names[0]) if f is not None else None
            if not isinstance(imp, Import):
                return None
            where = self.p.resolve(tt.path, imp)
        for prop in names[1:]:
            hit = self.p.member(where, prop)
            if hit is None:
                return None
            where = self.p.resolve(hit.path, hit.value, hit.scope)
        return VT(where)

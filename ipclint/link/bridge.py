"""The preload bridge: what each exposed key is, and how renderer calls reach it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ipclint.link.modules import Where
from ipclint.link.project import GLOBAL_OBJECTS, Project
from ipclint.link.vutil import callee_name, returned_global, without_fallback
from ipclint.link.wrappers import callee_target
from ipclint.model import FRAME_WINDOWS, Span
from ipclint.model.facts import Assign, Call, FileFacts, binding_scope
from ipclint.model.values import (
    AnyV,
    CallExpr,
    ClassV,
    Cond,
    Electron,
    External,
    Fn,
    Global,
    Logic,
    Member,
    ModObj,
    NewExpr,
    Null,
    Obj,
    ParamRef,
    Prop,
    Ref,
    Spread,
    This,
    Undef,
)

TOOLKIT = "@electron-toolkit/preload"
MAX_MEMBER_DEPTH = 6
DOM_HANDLER = re.compile(r"^on[a-z]+$")
EXPOSE_NAMES = frozenset({"exposeInMainWorld", "exposeInIsolatedWorld", "exposeElectronAPI"})


@dataclass(frozen=True, slots=True)
class Exposure:
    """One `contextBridge.exposeInMainWorld(key, value)` (mode "bridge"), `exposeElectronAPI()`
    (mode "toolkit") or `window.key = value` in a preload (mode "window")."""

    key: str
    path: str
    span: Span  # the exposing call or assignment
    value: Where
    mode: str = "bridge"


@dataclass(frozen=True, slots=True)
class ExposedMember:
    """A leaf of an exposed value: ``keypath`` from the exposed key, its resolved value, and the
    span of the property that exposes it (the exposing call when the whole value is the leaf)."""

    exposure: Exposure
    keypath: tuple[str, ...]
    value: Where
    span: Span
    spread: bool = False
    at: str = ""  # the file that holds ``span`` (an object imported into the preload lives elsewhere)
    raw: AnyV | None = None  # the property's value as written, before resolution

    @property
    def name(self) -> str:
        """The member as the page reaches it: `api.files.save`, `getApi().save`, `api().save`
        (a keypath step `()` is a call of what the key before it exposes)."""
        return ".".join((self.exposure.key, *self.keypath)).replace(".()", "()")

    @property
    def where(self) -> tuple[str, Span]:
        """Where a finding about this member goes: its property, or the exposing call for a whole value."""
        if not self.keypath and not self.spread:
            return self.exposure.path, self.exposure.span
        return self.at or self.exposure.path, self.span


def find_exposures(project: Project) -> list[Exposure]:
    out: list[Exposure] = []
    for path, call in project.iter_calls_named(EXPOSE_NAMES):
        if callee_name(call.callee) not in EXPOSE_NAMES:
            continue
        api = project.electron_api(path, call.callee, call.func)
        if api in ("contextBridge.exposeInMainWorld", "contextBridge.exposeInIsolatedWorld"):
            args = call.args[1:] if api.endswith("IsolatedWorld") else call.args
            if len(args) < 2:
                continue
            key = project.channel(path, args[0], call.func)
            if key is None:
                continue
            out.append(Exposure(key, path, call.span, project.resolve(path, args[1], call.func)))
        elif _is_toolkit(project, path, call, "exposeElectronAPI"):
            out.append(Exposure("electron", path, call.span,
                                Where(path, External(span=call.span, src=TOOLKIT, name="electronAPI")), "toolkit"))
    for path in sorted(project.files):
        if project.role(path).value == "preload":
            out.extend(_window_exposures(project, path, project.files[path]))
    return out


def _window_exposures(project: Project, path: str, f: FileFacts) -> list[Exposure]:
    """What a preload puts on the global object itself: `Object.assign(window, { ipcRenderer })`,
    `window.key = value`."""
    out: list[Exposure] = []
    for call in project.calls_named(path, ("assign",)):
        match call.callee, call.args:
            case Member(obj=Ref(name="Object"), prop="assign"), (Ref(name=target), _, *_) \
                    if target in GLOBAL_OBJECTS:
                for a in call.args[1:]:
                    r = project.resolve(path, a, call.func)
                    if isinstance(r.value, Obj):
                        out.extend(Exposure(p.key, path, p.span, project.resolve(r.path, p.value, r.scope), "window")
                                   for p in r.value.props if p.key and not p.spread)
    own: set[str] = set()
    for assign in f.assigns:
        t = assign.target
        if isinstance(t, Member) and isinstance(t.obj, Ref) and t.obj.name in GLOBAL_OBJECTS \
                and not DOM_HANDLER.match(t.prop):  # `window.onload = ...` exposes nothing
            own.add(t.prop)
            out.append(Exposure(t.prop, path, assign.span, project.resolve(path, assign.value, assign.func), "window"))
    for assign in f.assigns:  # `window.api = {}; window.api.send = send`: a member of the key set here
        t = assign.target
        if isinstance(t, Member) and isinstance(t.obj, Member) and isinstance(t.obj.obj, Ref) \
                and t.obj.obj.name in GLOBAL_OBJECTS and t.obj.prop in own:
            one = Obj(span=assign.span, props=(Prop(t.prop, assign.value, assign.span),))
            out.append(Exposure(t.obj.prop, path, assign.span, Where(path, one, assign.func), "window"))
    return out


def _is_toolkit(project: Project, path: str, call: Call, name: str) -> bool:
    r = project.resolve(path, call.callee, call.func).value
    return isinstance(r, External) and (r.src, r.name) == (TOOLKIT, name)


def raw_ipc_method(v: AnyV) -> str | None:
    """The ipcRenderer method an exposed value is as it stands: `ipcRenderer.send` itself, or the
    toolkit's `electronAPI.ipcRenderer.send`."""
    if isinstance(v, Electron) and v.api.startswith("ipcRenderer."):
        return v.api.split(".", 1)[1]
    if isinstance(v, External) and v.name.startswith("electronAPI.ipcRenderer."):
        return v.name.rsplit(".", 1)[1]
    return None


# Flattening work: the value, its key path, the span (and file) a finding about it goes to, the
# depth, and the property's value as written.
_Todo = tuple[Where, tuple[str, ...], Span, str, int, AnyV | None]


def exposed_members(project: Project, exposure: Exposure) -> list[ExposedMember]:
    """Flatten an exposed value into leaves, following local objects and spreads, iteratively."""
    out: list[ExposedMember] = []
    stack: list[_Todo] = [(exposure.value, (), exposure.span, exposure.path, 0, None)]
    while stack:
        where, keypath, span, at, depth, raw = stack.pop()
        where = _global_set_here(project, where)
        v = where.value
        if type(v) is Logic and v.op in ("||", "??") and type(v.right) is Obj:
            v = v.right  # `const api = window.api || {}`: the preload's own object is the one built here
        if isinstance(v, ModObj) and depth < MAX_MEMBER_DEPTH:  # `import * as files` exposed or spread
            stack.extend(_module_members(project, v.path, keypath, span, depth))
            continue
        if isinstance(v, Obj) and depth < MAX_MEMBER_DEPTH:
            # `const api = {}; api.send = send`: members written after the literal, last first
            for key, a in reversed(_written_props(project, where.path, v, {p.key for p in v.props})):
                stack.append((project.resolve(where.path, a.value, a.func), keypath + (key,), a.span, where.path,
                              depth + 1, a.value))
            for p in reversed(v.props):
                if p.spread:
                    inner = p.value.inner if isinstance(p.value, Spread) else None
                    if inner is None:
                        continue
                    r = project.resolve(where.path, inner, where.scope)
                    if isinstance(r.value, (Obj, ModObj)):
                        stack.append((r, keypath, p.span, where.path, depth + 1, None))
                    else:
                        out.append(ExposedMember(exposure, keypath, r, p.span, True, where.path))
                    continue
                key = p.key if p.key is not None else "?"
                r = project.resolve(where.path, p.value, where.scope)
                stack.append((r, keypath + (key,), p.span, where.path, depth + 1, p.value))
            continue
        if type(v) is Fn and depth < MAX_MEMBER_DEPTH:
            made = _handed_object(project, where.path, v.fid)
            if made is not None:  # `getApi: () => api`: the page calls it and gets the object's members
                # (the exposed value itself may be that function: `exposeInMainWorld('api', () => api)`)
                called = keypath[:-1] + (keypath[-1] + "()",) if keypath else ("()",)
                stack.append((made, called, span, at, depth + 1, None))
                continue
        if type(v) is NewExpr and depth < MAX_MEMBER_DEPTH:
            # `methodChannel: new Channel('ns')`: the bridge copies the instance's own fields (its
            # arrow-function fields), not the methods of its prototype
            fields = _instance_fields(project, where, v)
            if fields:
                stack.extend((f, keypath + (name,), span, f.path, depth + 1, None) for name, f in reversed(fields))
                continue
        if isinstance(v, CallExpr) and depth < MAX_MEMBER_DEPTH:  # `exposeInMainWorld('api', createApi())`
            made = _made_object(project, where, v)
            if made is not None:
                stack.append((made, keypath, span, at, depth + 1, None))
                continue
        out.append(ExposedMember(exposure, keypath, where, span, False, at, raw))
    out.sort(key=lambda m: (m.at != exposure.path, m.at, m.span.line, m.span.column, m.keypath))
    return out


def _instance_fields(project: Project, where: Where, v: NewExpr) -> list[tuple[str, Where]]:
    """The function-valued own fields of an instance of a project class (`send = (ch) => ...`),
    by name, in source order; what contextBridge copies of an instance."""
    r = project.resolve(where.path, v.callee, where.scope)
    if type(r.value) is not ClassV or r.value.name is None or r.path not in project.files:
        return []
    f = project.files[r.path]
    return sorted(((name, Where(r.path, Fn(span=f.functions[fid].span, text=name, fid=fid), None))
                   for name, fid in f.class_methods.get(r.value.name, {}).items()
                   if f.functions[fid].kind != "method"), key=lambda x: x[1].value.span)


def _written_props(project: Project, path: str, obj: Obj, keys: set[str | None]) -> list[tuple[str, Assign]]:
    """The members `NAME.key = value` that the file's assignments add to the object literal bound to
    NAME (keys the literal does not have already), in source order. Also for a nested literal
    written as a member first (`NAME.sub = NAME.sub || {}; NAME.sub.key = value`)."""
    f = project.files.get(path)
    if f is None:
        return []
    homes: list[tuple[str, tuple[str, ...], object]] = []  # (root name, key chain, root binding)
    for a in f.assigns:
        if a.op == "=" and _is_literal(a.value, obj):
            chain = _member_chain(a.target)
            bound = binding_scope(f, a.func, chain[0]) if chain is not None and chain[1] else None
            if chain is not None and bound is not None:  # (`window.api = {}` members are exposures of their own)
                homes.append((chain[0], chain[1], bound))
    out: list[tuple[str, Assign]] = []
    for a in f.assigns:
        t = a.target
        if type(t) is not Member or t.prop in keys or a.op != "=":
            continue
        if type(t.obj) is Ref:
            hit = binding_scope(f, a.func, t.obj.name)
            if hit is not None and hit[1] is not None and _is_literal(hit[1], obj):
                out.append((t.prop, a))
                keys = keys | {t.prop}
                continue
        chain = _member_chain(t.obj)
        if chain is not None and chain[1] and any(
                (n, c) == chain and b == binding_scope(f, a.func, n) for n, c, b in homes):
            out.append((t.prop, a))
            keys = keys | {t.prop}
    return out


def _is_literal(v: AnyV, obj: Obj) -> bool:
    """Whether ``v`` is the object literal ``obj`` (by place), alone or as the fallback of `X || {}`."""
    if type(v) is Logic and v.op in ("||", "??"):
        v = v.right
    return type(v) is Obj and v.span == obj.span


def _member_chain(v: AnyV) -> tuple[str, tuple[str, ...]] | None:
    """`a.b.c` as ('a', ('b', 'c'))."""
    keys: list[str] = []
    while type(v) is Member and len(keys) < MAX_MEMBER_DEPTH:
        keys.append(v.prop)
        v = v.obj
    if type(v) is not Ref:
        return None
    return v.name, tuple(reversed(keys))


def _module_members(project: Project, path: str, keypath: tuple[str, ...], span: Span, depth: int) -> list[_Todo]:
    """The exports of a project module exposed as a namespace, each found at its own export."""
    f = project.files.get(path)
    if f is None:
        return []
    whole = f.exports.get("*")
    if isinstance(whole, Obj):  # `module.exports = { ... }`: its properties
        return [(project.resolve(path, whole, None), keypath, span, path, depth + 1, None)]
    return [(project.resolve(path, ex, None), keypath + (name,), ex.span, path, depth + 1, ex)
            for name, ex in sorted(f.exports.items()) if name not in ("*", "default")]


def bridge_target(project: Project, path: str, call: Call, exposures: dict[str, list[Exposure]]
                  ) -> tuple[Exposure, tuple[str, ...], Where] | None:
    """For a call like `window.api.file.save(x)` (or `api.save(x)` on the bare global, or through
    a local alias of `window.api`), the exposure it reaches and the resolved exposed value."""
    chain: list[str] = []
    v: AnyV = call.callee
    f = project.files[path]
    for _hop in range(4):
        while isinstance(v, Member) and len(chain) < MAX_MEMBER_DEPTH + 2:
            chain.append(v.prop)
            v = v.obj
        if isinstance(v, (Cond, Logic)) and chain:
            bare = without_fallback(v)  # `const { ipc } = window.api || {}`: the global beside the fallback
            if bare is not v:
                v = bare
                continue
        if not isinstance(v, Ref) or project.param_of(path, call.func, v.name) is not None:
            break
        bound = _binding(f, call.func, v.name)  # `const { onTick } = window.api`, `const t = window.api.onTick`
        if not isinstance(bound, (Member, CallExpr)):
            break
        v = bound
    chain.reverse()
    if isinstance(v, CallExpr):  # `getElectron().on(ch, cb)`, `const e = getElectron(); e.send(ch)`
        root: AnyV | None = _returned_global(project, path, v, call.func)
    elif isinstance(v, Ref):
        at = project.resolve(path, v, call.func)
        root = at.value
        bare = without_fallback(root)  # `const api = window.api ? window.api : makeStub()`
        if bare is not root:
            head: list[str] = []  # `const ipc = window.api?.ipc || stub`: the path below the global
            while isinstance(bare, Member) and len(head) < MAX_MEMBER_DEPTH:
                head.insert(0, bare.prop)
                bare = bare.obj
            chain = head + chain
            root = project.resolve(at.path, bare, at.scope).value
    elif isinstance(v, This) and len(chain) > 1:
        # `this.api.invoke(ch)` with the field `api = inject(MainApi)` that dependency injection
        # gives the exposed API (``Project._provided``): the path below the global
        at = project.resolve(path, Member(span=v.span, text=f"this.{chain[0]}", obj=v, prop=chain[0]), call.func)
        at = _constructed_with(project, at)
        bare = without_fallback(at.value)
        head = []
        while isinstance(bare, Member) and len(head) < MAX_MEMBER_DEPTH:
            head.insert(0, bare.prop)
            bare = bare.obj
        root = project.resolve(at.path, bare, at.scope).value if head or isinstance(bare, Global) else None
        chain = head + chain[1:]  # (`window.api` resolves to the global `api` itself)
    else:
        root = None
    if not isinstance(root, Global):
        return None
    name = root.name
    if name in GLOBAL_OBJECTS:
        if chain and chain[0] in FRAME_WINDOWS:
            chain = chain[1:]  # `window.parent.api.save(x)`: the embedding page's bridge
        if not chain:
            return None
        name, chain = chain[0], chain[1:]
    for exp in exposures.get(name, ()):
        reached = _follow(project, exp.value, chain)
        if reached is not None:
            return exp, tuple(chain), reached
    return None


def _constructed_with(project: Project, at: Where) -> Where:
    """A field the constructor sets from its parameter (`constructor(ipc) { this.ipc = ipc }`):
    what every `new C(window.api)` of the class passes it, when they all pass the same
    expression; anything else as it is."""
    v = at.value
    if type(v) is not ParamRef:
        return at
    f = project.files.get(at.path)
    fn = f.functions[v.fid] if f is not None and 0 <= v.fid < len(f.functions) else None
    if fn is None or fn.kind != "method" or not (fn.name or "").endswith(".constructor"):
        return at
    args = project.arguments_of(at.path, v.fid, v.name)
    if not args or len({w.value.text for w in args}) != 1:
        return at
    return args[0]


def _returned_global(project: Project, path: str, made_by: CallExpr, scope: int | None) -> Global | None:
    """The exposed global a project getter returns, for a call of it: `getElectron()` with
    `getElectron () { return window.Electron || {}; }` is `window.Electron` (an empty fallback for
    pages outside Electron aside; ``vutil.returned_global``)."""
    target = callee_target(project, path, made_by.callee, scope)  # (also `Common.getElectron` on a `new UtilCommon()`)
    if target is None:
        return None
    return returned_global(project, *target)


def _follow(project: Project, where: Where, chain: list[str]) -> Where | None:
    """The exposed value reached through the property names of ``chain``."""
    for prop in chain:
        nxt = project.member(where, prop)
        if nxt is None and type(where.value) is Obj:  # `const api = {...}; api.send = send`
            nxt = _added_members(project, where.path, where.value).get(prop)
        elif nxt is None and type(where.value) is NewExpr:  # `chan: new Channel()`: its own fields
            nxt = dict(_instance_fields(project, where, where.value)).get(prop)
        if nxt is None:
            return None
        where = project.resolve(nxt.path, nxt.value, nxt.scope)
    return where


def _added_members(project: Project, path: str, obj: Obj) -> dict[str, Where]:
    """The members the file adds to the object literal after it (``_written_props``), read once."""
    key = (path, obj.span)
    hit = project.memo.written_props.get(key)
    if hit is None:
        hit = project.memo.written_props[key] = {
            k: Where(path, a.value, a.func) for k, a in _written_props(project, path, obj, {p.key for p in obj.props})}
    return hit


def _binding(f: FileFacts, scope: int | None, name: str) -> AnyV | None:
    """The value a local name is bound to, looking outward from ``scope``."""
    for _ in range(64):
        v = f.bindings.get((scope, name))
        if v is not None or scope is None:
            return v
        scope = f.functions[scope].parent
    return None


def _handed_object(project: Project, path: str, fid: int) -> Where | None:
    """The object (literal or module namespace) a parameterless exposed function hands the page,
    when every value it returns is that object or nothing (`getApi: () => api`, or one that hands
    it out only once): contextBridge copies the result, functions included, into the page."""
    fn = project.files[path].functions[fid]
    if fn.params or not fn.returns:
        return None
    found: Where | None = None
    for ret in fn.returns:
        r = _global_set_here(project, project.resolve(path, ret, fid))
        if type(r.value) in (Undef, Null):
            continue
        if not isinstance(r.value, (Obj, ModObj)) or (found is not None and found.value is not r.value):
            return None
        found = r
    return found


def _global_set_here(project: Project, where: Where) -> Where:
    """A global the same file sets once (`globalThis.api = { ... }`, `window.api = api`) and then
    exposes (`exposeInMainWorld('api', globalThis.api)`, `() => window.api`): the value it set.
    Anything else as it is."""
    v = where.value
    f = project.files.get(where.path)
    if type(v) is not Global or v.name in GLOBAL_OBJECTS or f is None:
        return where
    sets = [a for a in f.assigns if type(a.target) is Member and a.target.prop == v.name
            and type(a.target.obj) is Ref and a.target.obj.name in GLOBAL_OBJECTS]
    if len(sets) != 1 or sets[0].op not in ("=", "??=", "||="):
        return where
    return project.resolve(where.path, sets[0].value, sets[0].func)


def _made_object(project: Project, where: Where, made_by: CallExpr) -> Where | None:
    """The object literal a project factory function returns, for a call of it (``made_by``, the
    value of ``where``); or the object it was handed, when it hands it back
    (`exposeInMainWorld('api', withTracing(api))` with `function withTracing(api) { if (!on)
    return api; ... }`: what the page gets by default)."""
    target = project.function_of(where.path, made_by.callee, where.scope)
    if target is None:
        return None
    path, fid = target
    fn = project.files[path].functions[fid]
    for ret in fn.returns:
        r = project.resolve(path, ret, fid)
        if isinstance(r.value, Obj):
            return r
    for ret in fn.returns:
        if not isinstance(ret, Ref):
            continue
        index = next((p.index for p in fn.params if p.name == ret.name and not p.path and not p.rest), None)
        if index is None or index >= len(made_by.args):
            continue
        own = project.resolve(path, ret, fid).value
        if not (isinstance(own, ParamRef) and own.fid == fid and own.name == ret.name):
            continue  # (a local of the same name)
        given = project.resolve(where.path, made_by.args[index], where.scope)
        if isinstance(given.value, (Obj, ModObj)):
            return given
    return None

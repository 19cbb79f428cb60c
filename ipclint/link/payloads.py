"""Structured-clone problems of IPC payloads (IPC008): which values cannot cross, and which
arguments of bridge functions and app wrappers travel on into an IPC payload."""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from ipclint.link.graph import Edge
from ipclint.link.modules import Where
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, root_name
from ipclint.model.facts import FileFacts, Param, binding_scope
from ipclint.model.values import (
    AnyV,
    Arr,
    Await,
    CallExpr,
    ClassV,
    Cond,
    Dyn,
    Electron,
    External,
    Fn,
    Global,
    Import,
    Iter,
    Logic,
    Member,
    NewExpr,
    Null,
    Obj,
    ParamRef,
    Ref,
    Spread,
    Str,
    This,
    Undef,
)

DOM_CALLS = frozenset({"querySelector", "querySelectorAll", "getElementById", "getElementsByClassName",
                       "getElementsByTagName", "createElement", "closest", "elementFromPoint"})
ELECTRON_OBJECTS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView", "webContents", "Menu",
                              "Tray", "Notification", "session"})
# Electron classes whose instances a declared type names (`win: BrowserWindow`): none clones.
ELECTRON_TYPED = frozenset({"BrowserWindow", "BrowserView", "WebContentsView", "WebContents", "WebFrameMain",
                            "Menu", "MenuItem", "Tray", "Notification", "Session", "IpcMainEvent",
                            "IpcMainInvokeEvent", "IpcRendererEvent"})
# Electron functions that return windows or webContents.
ELECTRON_GETTERS = frozenset({"BrowserWindow.getFocusedWindow", "BrowserWindow.fromWebContents",
                              "BrowserWindow.fromId", "BrowserWindow.getAllWindows", "BrowserWindow.fromBrowserView",
                              "webContents.fromId", "webContents.getFocusedWebContents",
                              "webContents.getAllWebContents", "webContents.fromFrame"})
# Properties of `document` that are elements.
DOCUMENT_NODES = frozenset({"body", "head", "documentElement", "activeElement", "scrollingElement",
                            "fullscreenElement", "pointerLockElement", "firstElementChild", "lastElementChild"})
# What resolution leaves unknown: not a value we can judge.
UNKNOWN = (Ref, Dyn, ParamRef, Global, External, Import, Iter)
MAX_DEPTH = 4


WELL_KNOWN_SYMBOLS = frozenset({"iterator", "asyncIterator", "hasInstance", "toPrimitive", "toStringTag",
                                "species", "isConcatSpreadable", "match", "matchAll", "replace", "search",
                                "split", "unscopables"})

Parts = dict[int, set[tuple[str, ...]]]  # argument position -> key paths forwarded (() = the whole value)
WHOLE: tuple[str, ...] = ()
MAX_PART_DEPTH = 8


def bridge_payloads(project: Project) -> Iterator[tuple[str, AnyV, str]]:
    """Renderer calls of bridge functions that send, and calls of app wrappers that send with the
    channel as an argument: their other arguments travel on to the IPC call (contextBridge proxies
    a function, the IPC call then cannot clone it). When the bridge function forwards only parts
    of an argument (`(o) => invoke(CH, { title: o.title })`), only those parts are judged."""
    done: set[tuple[str, int]] = set()
    for e in project.graph.edges:
        wrapper_send = bool(e.wrapper_funcs) and e.kind in ("send", "invoke", "push") \
            and e.channel_value is not None and e.span.line <= e.channel_value.span.line <= e.span.end_line
        if (e.receiver != "bridge" and not wrapper_send) or e.kind not in ("send", "invoke", "push") \
                or (e.path, e.call) in done:
            continue
        done.add((e.path, e.call))
        call = project.files[e.path].calls[e.call]
        if e.payload_args is not None:  # (a page helper's call: what the helper passes on)
            forwarded: Parts | None = {i: {WHOLE} for i in e.payload_args}
        else:
            forwarded = _forwarded_args(project, e) if e.receiver == "bridge" else \
                {i: {WHOLE} for i in _wrapper_payload(project, e)}
        for i, arg in enumerate(call.args):
            if e.channel_value is not None and arg.span == e.channel_value.span:
                continue
            paths = {WHOLE} if forwarded is None else forwarded.get(i, set())
            why = None
            for keys in sorted(paths):
                part = _part(project, Where(e.path, arg, call.func), keys)
                why = problem(project, part) if part is not None else None
                if why:
                    if keys:
                        why = f"{why} (in '{'.'.join(keys)}', which the bridge forwards)"
                    break
            if why:
                yield e.path, arg, why


def _part(project: Project, where: Where, keys: tuple[str, ...]) -> Where | None:
    """The part of a page's argument at a key path: an object literal's property (through
    constants), None when the argument is not a literal we can read."""
    for key in keys:
        r = project.resolve(where.path, where.value, where.scope, consts_only=True) \
            if isinstance(where.value, Ref) else where
        if not isinstance(r.value, Obj):
            return None
        prop = next((p for p in reversed(r.value.props) if p.key == key and not p.spread), None)
        if prop is None:
            return None
        where = Where(r.path, prop.value, r.scope)
    return where


def _wrapper_payload(project: Project, e: Edge) -> set[int]:
    """The argument positions an app wrapper passes into its IPC call's payload (`send(target,
    channel, ...args)` forwards `args`, not `target`)."""
    target = e.wrapper_funcs[0]
    out: set[int] = set()
    for w in project.wrappers.get(target, ()):
        site = project.files[w.site[0]].calls[w.site[1]]
        fn = project.files[target[0]].functions[target[1]]
        for a in site.args[w.op.channel_arg + 1:]:
            inner = a.inner if isinstance(a, Spread) and a.inner is not None else a
            for p in fn.params:
                if isinstance(inner, Ref) and inner.name == p.name and not p.path:
                    out.update(range(p.index, p.index + 16) if p.rest else (p.index,))
    return out


def _forwarded_args(project: Project, e: Edge) -> Parts | None:
    """For a fixed-channel bridge function, what of each argument it passes into its IPC call's
    payload: the whole value, or the key paths it reads (`o.title`, `({ url }) =>`); a callback it
    registers as a listener is not sent, nor a value it transforms (`String(o)`,
    `JSON.stringify(o)`). None when unknown."""
    if not e.bridged or e.bridge_site is None or e.bridge_fn is None:
        return None
    path, idx = e.bridge_site
    f = project.files[path]
    site = f.calls[idx]
    fn = f.functions[e.bridge_fn[1]] if e.bridge_fn[0] == path else None
    if fn is None:
        return None
    params = {p.name: p for p in fn.params}
    out: Parts = {}
    for a in site.args[1:]:
        for name, keys in _reads(f, a, site.func, params):
            p = params[name]
            positions = range(p.index, p.index + 16) if p.rest else (p.index,)
            for i in positions:
                out.setdefault(i, set()).add(p.path + keys)
    return out


def _reads(f: FileFacts, v: AnyV, scope: int | None, params: dict[str, Param]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(parameter, key path) for every place a parameter's value (or a part of it) lands in ``v``
    as it is: in a property, an element, a spread, directly; not through calls or templates."""
    stack: list[tuple[AnyV, tuple[str, ...], int]] = [(v, (), 0)]
    while stack:
        x, keys, depth = stack.pop()
        if depth > MAX_PART_DEPTH:
            continue
        match x:
            case Ref(name=name) if name in params and _is_param(f, scope, name, params):
                yield name, keys
            case Ref(name=name):
                b = f.lookup(scope, name)  # a local object built from the parameter
                if b is not None and b is not x and (scope, name) not in f.mutable:
                    stack.append((b, keys, depth + 1))
            case Member():
                chain: list[str] = []
                cur: AnyV = x
                while isinstance(cur, Member) and len(chain) < MAX_PART_DEPTH:
                    chain.append(cur.prop)
                    cur = cur.obj
                if isinstance(cur, Ref) and cur.name in params and _is_param(f, scope, cur.name, params):
                    yield cur.name, tuple(reversed(chain)) + keys
            case Obj(props=props):
                stack.extend((p.value, keys, depth + 1) for p in props)
            case Arr(items=items):
                stack.extend((i, keys, depth + 1) for i in items)
            case Spread(inner=inner) if inner is not None:
                stack.append((inner, keys, depth + 1))
            case Cond(alts=alts):
                stack.extend((a, keys, depth + 1) for a in alts)
            case Logic(left=left, right=right):
                stack.extend(((left, keys, depth + 1), (right, keys, depth + 1)))
            case Await(inner=inner) if inner is not None:
                stack.append((inner, keys, depth + 1))


def _is_param(f: FileFacts, scope: int | None, name: str, params: dict[str, Param]) -> bool:
    """``name`` seen from ``scope`` is the bridge function's parameter (no local shadows it)."""
    for _ in range(256):
        if scope is None:
            return False
        if (scope, name) in f.bindings:
            return False
        fn = f.functions[scope]
        if any(p.name == name for p in fn.params):
            return params.get(name) in fn.params
        scope = fn.parent
    return False


_COMMENT = re.compile(r"(^|\s)//[^\n]*")


def short(v: AnyV) -> str:
    """An argument as a message quotes it: on one line, comments dropped, at most 40 characters."""
    text = " ".join(_COMMENT.sub(" ", v.text).split())
    return text if len(text) <= 40 else text[:39] + "…"


def problem(project: Project, where: Where, depth: int = 0) -> str | None:
    """Why a value cannot be cloned, or None."""
    v = where.value
    if depth > MAX_DEPTH:
        return None
    match v:
        case Fn():
            return "a function"
        case This() if where.scope is not None:  # `send(CH, this)` in a method of a project class
            return _instance_of_own_class(project, where.path, where.scope)
        case ClassV():
            return f"a function (class {v.name})" if v.name else "a function (a class)"
        case Obj():
            return _contents(project, where, [p.value for p in v.props], depth)
        case Arr():
            return _contents(project, where, v.items, depth)
        case CallExpr() | NewExpr() if promise(project, where):
            return "a Promise (await it first)"
        case CallExpr():
            return _call_problem(project, where, v)
        case NewExpr():
            r = project.resolve(where.path, v.callee, where.scope)
            if isinstance(r.value, Electron) and r.value.api in ELECTRON_OBJECTS:
                return f"an Electron {r.value.api}"
            if isinstance(r.value, ClassV):
                return f"an instance of class {r.value.name} (its prototype is lost)"
        case Member():
            return _member_problem(project, where, v)
        case Ref():
            return _ref_problem(project, where, v, depth)
    return None


def _instance_of_own_class(project: Project, path: str, scope: int) -> str | None:
    fn = project.files[path].functions[scope]
    cls = (fn.name or "").rsplit(".", 1)[0] if fn.name and "." in fn.name and fn.kind == "method" else None
    return f"an instance of the project class {cls} (its prototype is lost)" if cls else None


def _call_problem(project: Project, where: Where, v: CallExpr) -> str | None:
    callee = v.callee
    name = callee_name(callee)
    r = project.resolve(where.path, callee, where.scope).value
    if isinstance(r, Electron) and r.api in ELECTRON_GETTERS:
        return f"an Electron object ({r.api}())"
    if name == "Symbol" or (isinstance(callee, Member) and callee.prop == "for"
                            and isinstance(callee.obj, Ref) and callee.obj.name == "Symbol"):
        return "a Symbol"
    if name == "bind" and isinstance(callee, Member):
        return "a bound function"
    if name in DOM_CALLS and root_name(callee) in ("document", "window", "el", "element", "root", "container"):
        return "a DOM node"
    return None


# Names of DOM events: `e`, `ev`, `evt`, `event`, `clickEvent`, `mouseEvt`
EVENT_NAME = re.compile(r"^(e|ev|evt|event|_?e|\w*(Event|Evt))$")


def _member_problem(project: Project, where: Where, v: Member) -> str | None:
    obj, prop = v.obj, v.prop
    if prop == "env" and isinstance(obj, Ref) and obj.name == "process":
        return "process.env"
    if isinstance(obj, Ref) and obj.name == "Symbol" and prop in WELL_KNOWN_SYMBOLS:
        return f"a Symbol (Symbol.{prop})"
    if prop in ("target", "currentTarget", "srcElement") and isinstance(obj, Ref) and (
            EVENT_NAME.match(obj.name) is not None or _dom_event(project, where, obj.name)):
        return "a DOM node (event.target)"  # (not `args.target` of a message: a field named so)
    if prop in ("webContents", "sender") and isinstance(obj, (Ref, Member)):
        return "an Electron WebContents"
    if prop in DOCUMENT_NODES and _is_document(project, where, obj):
        return f"a DOM node (document.{prop})"
    if isinstance(obj, This):
        r = project.resolve(where.path, v, where.scope).value
        return "a method reference" if isinstance(r, Fn) else None
    return _method_reference(project, where, v)


def _ref_problem(project: Project, where: Where, v: Ref, depth: int) -> str | None:
    if v.name in ("window", "document") and _global(project, where, v.name):
        return f"the {v.name} object"
    if _dom_event(project, where, v.name):
        return "a DOM Event"
    r = project.resolve(where.path, v, where.scope, consts_only=True)
    if isinstance(r.value, UNKNOWN):  # (a name that resolves to itself is a Ref, so unknown too)
        typed = project.electron_type(where.path, where.scope, v.name)  # `let win: BrowserWindow`
        if typed in ELECTRON_TYPED:
            return f"an Electron {typed}"
        made = _window_variable(project, where, v.name)  # `let win = null; ...; win = new BrowserWindow()`
        if made is not None:
            return f"an Electron {made}"
        # `const t = ev.target`, `const b = document.body`, `const go = c.go`: the member itself
        b = _const_binding(project, where)
        for _ in range(8):
            if b is None or not isinstance(b.value, Ref):
                break
            b = _const_binding(project, b)
        return problem(project, b, depth + 1) if b is not None and isinstance(b.value, Member) else None
    if isinstance(r.value, Fn):
        return "a function"
    return problem(project, r, depth + 1)


def _window_variable(project: Project, where: Where, name: str) -> str | None:
    """The Electron class of a variable first set to nothing (`let win`, `let win = null`) that
    every assignment of the file sets to a new instance of that class (`win = new
    BrowserWindow(...)`), or None."""
    f = project.files.get(where.path)
    hit = binding_scope(f, where.scope, name) if f is not None else None
    if f is None or hit is None or type(hit[1]) not in (Null, Undef) or (hit[0], name) not in f.mutable:
        return None
    made: set[str] = set()
    for a in itertools.islice(project.assignments_to(where.path, hit[0], name), 16):
        r = project.resolve(where.path, a.value.callee, a.func).value if type(a.value) is NewExpr else None
        if not isinstance(r, Electron) or r.api not in ELECTRON_OBJECTS:
            return None
        made.add(r.api)
    return made.pop() if len(made) == 1 else None


# Event names of emitters that only look like DOM event targets: the YouTube player API's
# `player.addEventListener('onStateChange', state => ...)` hands its listeners the new value (no
# DOM event type starts with `on` and a capital)
NOT_DOM_EVENT_TYPE = re.compile(r"^on[A-Z]")


def _dom_event(project: Project, where: Where, name: str) -> bool:
    """The first parameter of a listener given to `addEventListener` (a DOM Event object), unless
    the event type names no DOM event (``NOT_DOM_EVENT_TYPE``)."""
    hit = project.param_of(where.path, where.scope, name) if where.scope is not None else None
    if hit is None or hit[1].index != 0 or hit[1].path:
        return False
    fn = project.files[where.path].functions[hit[0]]
    if fn.arg_of is None:
        return False
    outer = project.files[where.path].calls[fn.arg_of]
    if callee_name(outer.callee) != "addEventListener" or fn.arg_index != 1:
        return False
    kind = outer.args[0] if outer.args else None
    return not (type(kind) is Str and NOT_DOM_EVENT_TYPE.match(kind.value))


def _contents(project: Project, where: Where, values: Iterable[AnyV], depth: int) -> str | None:
    """The first problem inside an object or array literal, spreads of local literals included
    (`{ ...base }`); a spread instance (`{ ...instance }`) copies its own data and is fine."""
    for value in values:
        at = Where(where.path, value, where.scope)
        if isinstance(value, Spread):
            if value.inner is None:
                continue
            at = project.resolve(where.path, value.inner, where.scope, consts_only=True)
            if not isinstance(at.value, (Obj, Arr)):
                continue
        why = problem(project, at, depth + 1)
        if why:
            return f"it contains {why}" if not why.startswith("it contains") else why
    return None


def _method_reference(project: Project, where: Where, v: Member) -> str | None:
    """`obj.m` of a local object literal's method, `c.go` of `const c = new Comp()` (a project
    class with a method go); fields and getters are values."""
    with project.no_missing():
        if isinstance(project.resolve(where.path, v, where.scope, consts_only=True).value, Fn):
            return "a method reference"
        owner = project.resolve(where.path, v.obj, where.scope, consts_only=True)
        if not isinstance(owner.value, NewExpr):
            return None
        cls = project.resolve(owner.path, owner.value.callee, owner.scope)
    if isinstance(cls.value, ClassV) and cls.value.name is not None and cls.path in project.files \
            and v.prop in project.files[cls.path].class_methods.get(cls.value.name, {}):
        return "a method reference"
    return None


def _is_document(project: Project, where: Where, v: AnyV) -> bool:
    """`document` or `window.document`, the globals (not a parameter or local so named)."""
    if isinstance(v, Ref):
        return v.name == "document" and _global(project, where, v.name)
    return isinstance(v, Member) and v.prop == "document" and isinstance(v.obj, Ref) \
        and v.obj.name in ("window", "globalThis") and _global(project, where, v.obj.name)


def _global(project: Project, where: Where, name: str) -> bool:
    """``name`` is the global where ``where`` uses it: no scope of the file binds it there
    (`fullscreen: (window, state) => send(CH, { window, state })` sends the caller's string)."""
    return where.path not in project.files or project.binding_at(where.path, where.scope, name) is None


def _const_binding(project: Project, where: Where) -> Where | None:
    """The value a `const` named by ``where`` is initialised with, one step (no further resolution)."""
    if not isinstance(where.value, Ref):  # only a name has a binding
        return None
    f = project.files.get(where.path)
    name, scope = where.value.name, where.scope
    for _ in range(256):
        if f is None:
            return None
        v = f.bindings.get((scope, name))
        if v is not None:
            return None if (scope, name) in f.mutable or v is where.value else Where(where.path, v, scope)
        if scope is None:
            return None
        fn = f.functions[scope]
        if any(p.name == name for p in fn.params):
            return None
        scope = fn.parent
    return None


def promise(project: Project, where: Where) -> bool:
    """`new Promise`, `Promise.all(...)`, `x.then(...)`, or a call of an async project function."""
    v = where.value
    if isinstance(v, NewExpr):
        return callee_name(v.callee) == "Promise"
    if isinstance(v, CallExpr):
        callee = v.callee
        if isinstance(callee, Member) and (callee.prop in ("then", "catch", "finally") or (
                isinstance(callee.obj, Ref) and callee.obj.name == "Promise")):
            return True
        if callee_name(callee) == "fetch":
            r = project.resolve(where.path, callee, where.scope).value
            if isinstance(r, Global) and r.name == "fetch":
                return True
        target = project.function_of(where.path, v.callee, where.scope)
        if target is not None:
            fn = project.files[target[0]].functions[target[1]]
            return fn.is_async
    return False

"""Structured-clone problems of IPC payloads (IPC008): which values cannot cross, and which
arguments of bridge functions and app wrappers travel on into an IPC payload."""
from __future__ import annotations

from typing import Iterator

from ipclint.extract.values import V
from ipclint.project import Project
from ipclint.resolve import Where
from ipclint.rules._base import Hit
from ipclint.vutil import callee_name, refs, root_name

DOM_CALLS = frozenset({"querySelector", "querySelectorAll", "getElementById", "getElementsByClassName",
                       "getElementsByTagName", "createElement", "closest", "elementFromPoint"})
ELECTRON_OBJECTS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView", "webContents", "Menu",
                              "Tray", "Notification", "session"})
# Electron functions that return windows or webContents.
ELECTRON_GETTERS = frozenset({"BrowserWindow.getFocusedWindow", "BrowserWindow.fromWebContents",
                              "BrowserWindow.fromId", "BrowserWindow.getAllWindows", "BrowserWindow.fromBrowserView",
                              "webContents.fromId", "webContents.getFocusedWebContents",
                              "webContents.getAllWebContents", "webContents.fromFrame"})
MAX_DEPTH = 4


def bridge_payloads(project: Project) -> Iterator[Hit]:
    """Renderer calls of bridge functions that send, and calls of app wrappers that send with the
    channel as an argument: their other arguments travel on to the IPC call (contextBridge proxies
    a function, the IPC call then cannot clone it)."""
    done: set[tuple[str, int]] = set()
    for e in project.graph.edges:
        wrapper_send = bool(e.wrapper_funcs) and e.kind in ("send", "invoke", "push") \
            and e.channel_value is not None and e.span.line <= e.channel_value.span.line <= e.span.end_line
        if (e.receiver != "bridge" and not wrapper_send) or e.kind not in ("send", "invoke", "push") \
                or (e.path, e.call) in done:
            continue
        done.add((e.path, e.call))
        call = project.files[e.path].calls[e.call]
        forwarded = _forwarded_args(project, e) if e.receiver == "bridge" else _wrapper_payload(project, e)
        for i, arg in enumerate(call.args):
            if e.channel_value is not None and arg.span == e.channel_value.span:
                continue
            if forwarded is not None and i not in forwarded:
                continue
            why = problem(project, Where(e.path, arg, call.func))
            if why:
                yield Hit(e.path, arg.span, f"payload '{short(arg)}' cannot be cloned over IPC: {why}",
                          key=f"bridge:{short(arg)}")


def _wrapper_payload(project: Project, e) -> set[int]:
    """The argument positions an app wrapper passes into its IPC call's payload (`send(target,
    channel, ...args)` forwards `args`, not `target`)."""
    target = e.wrapper_funcs[0]
    out: set[int] = set()
    for w in project.wrappers.get(target, ()):
        site = project.files[w.site[0]].calls[w.site[1]]
        fn = project.files[target[0]].functions[target[1]]
        for a in site.args[w.op.channel_arg + 1:]:
            inner = a.data if a.kind == "spread" and a.data is not None else a
            for p in fn.params:
                if inner.kind == "ref" and inner.data == p.name and not p.path:
                    out.update(range(p.index, p.index + 16) if p.rest else (p.index,))
    return out


def _forwarded_args(project: Project, e) -> set[int] | None:
    """For a fixed-channel bridge function, the argument positions it passes into its IPC call's
    payload (a callback it registers as a listener is not sent); None when unknown."""
    if not e.bridged or e.bridge_site is None or e.bridge_fn is None:
        return None
    path, idx = e.bridge_site
    f = project.files[path]
    site = f.calls[idx]
    fn = f.functions[e.bridge_fn[1]] if e.bridge_fn[0] == path else None
    if fn is None:
        return None
    out = set()
    for p in fn.params:
        if any(refs(a, frozenset({p.name})) for a in site.args[1:]):
            out.add(p.index)
    return out


def short(v: V) -> str:
    return v.text if len(v.text) <= 40 else v.text[:39] + "…"


def problem(project: Project, where: Where, depth: int = 0) -> str | None:
    """Why a value cannot be cloned, or None."""
    v = where.value
    if depth > MAX_DEPTH:
        return None
    k = v.kind
    if k == "fn":
        return "a function"
    if k in ("obj", "arr"):
        items = [p.value for p in v.data if not p.spread] if k == "obj" else [x for x in v.data if x.kind != "spread"]
        for item in items:
            why = problem(project, Where(where.path, item, where.scope), depth + 1)
            if why:
                return f"it contains {why}" if not why.startswith("it contains") else why
        return None
    if k in ("call", "new") and promise(project, where):
        return "a Promise (await it first)"
    if k == "call":
        callee, _args = v.data
        name = callee_name(callee)
        r = project.resolve(where.path, callee, where.scope).value
        if r.kind == "electron" and r.data in ELECTRON_GETTERS:
            return f"an Electron object ({r.data}())"
        if name == "Symbol":
            return "a Symbol"
        if name == "bind" and callee.kind == "member":
            return "a bound function"
        if name in DOM_CALLS and root_name(callee) in ("document", "window", "el", "element", "root", "container"):
            return "a DOM node"
        return None
    if k == "new":
        r = project.resolve(where.path, v.data[0], where.scope)
        if r.value.kind == "electron" and r.value.data in ELECTRON_OBJECTS:
            return f"an Electron {r.value.data}"
        if r.value.kind == "class":
            return f"an instance of class {r.value.data} (its prototype is lost)"
        return None
    if k == "member":
        obj, prop = v.data
        if prop == "env" and obj.kind == "ref" and obj.data == "process":
            return "process.env"
        if prop in ("target", "currentTarget", "srcElement") and obj.kind == "ref":
            return "a DOM node (event.target)"
        if prop in ("webContents", "sender") and obj.kind in ("ref", "member"):
            return "an Electron WebContents"
        if obj.kind == "this":
            r = project.resolve(where.path, v, where.scope).value
            if r.kind == "fn":
                return "a method reference"
        return None
    if k == "ref":
        if v.data in ("window", "document"):
            return f"the {v.data} object"
        r = project.resolve(where.path, v, where.scope, consts_only=True)
        if r.value.kind in ("ref", "dyn", "param", "global", "external", "import", "iter") or r.value is v:
            return None
        if r.value.kind == "fn":
            return "a function"
        return problem(project, r, depth + 1)
    return None


def promise(project: Project, where: Where) -> bool:
    """`new Promise`, `Promise.all(...)`, `x.then(...)`, or a call of an async project function."""
    v = where.value
    if v.kind == "new":
        return callee_name(v.data[0]) == "Promise"
    if v.kind == "call":
        callee = v.data[0]
        if callee.kind == "member" and (callee.data[1] in ("then", "catch", "finally") or (
                callee.data[0].kind == "ref" and callee.data[0].data == "Promise")):
            return True
        target = project.function_of(where.path, v.data[0], where.scope)
        if target is not None:
            fn = project.files[target[0]].functions[target[1]]
            return fn.is_async
    return False

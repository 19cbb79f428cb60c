"""What removes a renderer subscription (IPC004 b): the remover it returned, kept in a variable,
a field or an array; removeListener with the same function on the same channel; removeAllListeners
of the channel; an exposed off function that removes the preload's wrapper; Vue unmount hooks."""
from __future__ import annotations

from ipclint.link.bridge import bridge_target
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, subtree
from ipclint.model.facts import Call, FileFacts

SUBSCRIBE = frozenset({"on", "addListener", "prependListener"})


def ipc_ops(project: Project, path: str, scopes: set[int], methods: frozenset[str]) -> list[Call]:
    """ipcRenderer calls with one of ``methods`` inside the given functions of a file."""
    f = project.files[path]
    return [f.calls[i] for (p, i), op in project.ipc_ops.items()
            if p == path and f.calls[i].func in scopes and op.receiver == "ipcRenderer" and op.method in methods]


class Sub:
    """A renderer subscription: its channel, the page's callback, and whether that callback is the
    listener itself (so removing it works) or the preload registered a wrapper around it."""

    def __init__(self, project: Project, e, call: Call) -> None:
        self.call = call
        self.channel = e.channel
        self.handlers = [a for a in call.args if a.kind in ("ref", "member")]
        self.direct = True
        if e.bridge_fn is not None:
            bpath, _fid = e.bridge_fn
            site = e.bridge_site
            calls = [project.files[site[0]].calls[site[1]]] if site else [
                c for c in ipc_ops(project, bpath, subtree(project.files[bpath], _fid), SUBSCRIBE)]
            for c in calls:
                h = c.args[1] if len(c.args) > 1 else None
                if h is None or not (h.kind == "ref" and project.param_of(bpath, c.func, h.data)):
                    self.direct = False


def unmount_removes(project: Project, f: FileFacts, calls: list[Call], call: Call, sub: Sub, by_key) -> bool:
    """An onUnmounted/onBeforeUnmount among ``calls`` removes the subscription: `onUnmounted(off)`
    with what it returned, or a cleanup function that removes it."""
    fids = []
    for h in calls:
        if callee_name(h.callee) not in ("onUnmounted", "onBeforeUnmount"):
            continue
        for a in h.args[:1]:
            if is_result(project, f.path, a, h.func, call):
                return True
            w = project.resolve(f.path, a, h.func)
            if w.path == f.path and w.value.kind == "fn":
                fids.append(w.value.data)
    return cleanup_removes(project, f, fids, sub, by_key)


def in_script_setup(project: Project, path: str, line: int) -> bool:
    """Whether a line of a .vue file lies in its `<script setup>` block (run per instance)."""
    return any(first <= line <= last for first, last in project.files[path].script_setup)


def is_result(project: Project, path: str, v, scope, call: Call) -> bool:
    """``v`` is (a variable or field holding) what the subscribing call returned."""
    if v.kind == "call" and v.span == call.span:
        return True
    if v.kind not in ("ref", "member"):
        return False
    w = project.resolve(path, v, scope)
    return w.path == path and w.value.kind == "call" and w.value.span == call.span


MAX_CLEANUP_FUNCTIONS = 32


def cleanup_removes(project: Project, f: FileFacts, fids: list[int], sub: Sub, by_key) -> bool:
    """Whether the cleanup functions (and local functions they call) remove this subscription."""
    holders = _holders(f, sub.call)
    todo, seen = list(fids), set()
    while todo and len(seen) < MAX_CLEANUP_FUNCTIONS:
        fid = todo.pop()
        if fid in seen:
            continue
        seen.add(fid)
        scopes = subtree(f, fid)
        for c in f.calls:
            if c.func not in scopes:
                continue
            if is_result(project, f.path, c.callee, c.func, sub.call) or not _logs(c) and any(
                    is_result(project, f.path, a, c.func, sub.call) for a in c.args):
                return True  # `off()`, `this.off()`, `offs.forEach(call)`
            if c.callee.text in holders or (c.callee.kind == "member" and c.callee.data[0].text in holders
                                            and c.callee.data[1] in ("forEach", "map")):
                return True  # `off = api.onX(cb)` ... `off?.()`; `offs.push(api.onX(cb))` ... `offs.forEach(...)`
            for channel, handler, page_cb in _removals(project, f.path, c, by_key):
                if channel is not None and sub.channel is not None and channel != sub.channel:
                    continue
                if page_cb and not sub.direct:
                    continue  # removes the page's callback; the preload registered a wrapper
                if handler is None or any(same(project, f.path, handler, c.func, h, sub.call.func)
                                          for h in sub.handlers):
                    return True
            if c.callee.kind == "ref":
                w = project.resolve(f.path, c.callee, c.func)
                if w.path == f.path and w.value.kind == "fn":
                    todo.append(w.value.data)  # `return () => unsubscribe()`
    return False


def _holders(f: FileFacts, call: Call) -> set[str]:
    """Names that keep what the subscribing call returned: assigned later (`off = ...`,
    `offRef.current = ...`), or an array it was put in (`[api.onA(a), api.onB(b)]`, `offs.push(...)`)."""
    out: set[str] = set()
    for a in f.assigns:
        if a.value.span == call.span and a.target.text:
            out.add(a.target.text)
    for (_scope, name), v in f.bindings.items():
        if v.kind == "arr" and any(x is not None and x.span == call.span for x in v.data):
            out.add(name)
    for c in f.calls:
        if c.callee.kind == "member" and c.callee.data[1] == "push" and any(x.span == call.span for x in c.args):
            out.add(c.callee.data[0].text)
    return out


REMOVE = frozenset({"removeListener", "off", "removeAllListeners"})
LOGGING = frozenset({"log", "debug", "info", "warn", "error", "trace", "dir"})


def _logs(c: Call) -> bool:
    return callee_name(c.callee) in LOGGING


def _removals(project: Project, path: str, c: Call, by_key):
    """(channel or None for any, removed function or None for all, whether it is the page's
    callback) for each removal a renderer call performs."""
    op = project.ipc_ops.get((path, c.index))
    if op is not None and op.method in REMOVE:
        yield _direct(project, path, c, op.method)
        return
    hit = bridge_target(project, path, c, by_key) if by_key else None
    if hit is None:
        return
    _exp, _keypath, where = hit
    v = where.value
    method = None
    if v.kind == "electron" and v.data.startswith("ipcRenderer."):
        method = v.data.split(".", 1)[1]
    elif v.kind == "external" and isinstance(v.data, tuple) and v.data[1].startswith("electronAPI.ipcRenderer."):
        method = v.data[1].rsplit(".", 1)[1]
    if method is not None:
        if method in REMOVE:
            yield _direct(project, path, c, method)
        return
    if v.kind != "fn":
        return
    bf = project.files[where.path]
    fn = bf.functions[v.data]
    for rc in ipc_ops(project, where.path, subtree(bf, v.data), REMOVE):
        channel = _mapped(project, where.path, rc, 0, fn, path, c)
        if callee_name(rc.callee) == "removeAllListeners":
            yield (None if channel is _UNKNOWN else channel), None, False
            continue
        h = rc.args[1] if len(rc.args) > 1 else None
        if h is None:
            continue
        idx = _param_index(project, where.path, rc, h, fn)
        channel = None if channel is _UNKNOWN else channel
        if idx is None:
            yield channel, None, False  # a stored wrapper
        else:
            yield channel, (c.args[idx] if 0 <= idx < len(c.args) else None), True


_UNKNOWN = object()


def _direct(project: Project, path: str, c: Call, method: str):
    channel = project.channel(path, c.args[0], c.func) if c.args else None
    handler = c.args[1] if method != "removeAllListeners" and len(c.args) > 1 else None
    return channel, handler, False


def _param_index(project: Project, path: str, rc: Call, v, fn) -> int | None:
    """The index of the exposed function's parameter that ``v`` (or a spread of it) forwards."""
    if v.kind == "spread":
        v = v.data
        if v is None:
            return -1
    if v.kind != "ref":
        return None
    hit = project.param_of(path, rc.func, v.data)
    if hit is None:
        return None
    _scope, p = hit
    if p.path:
        return -1  # destructured from the arguments: page data, position unknown
    return p.index


def _mapped(project: Project, path: str, rc: Call, i: int, fn, rpath: str, c: Call):
    """The channel of argument ``i`` of a preload removal: fixed, or the renderer's argument."""
    if i >= len(rc.args):
        return _UNKNOWN
    a = rc.args[i]
    idx = _param_index(project, path, rc, a, fn)
    if idx is None:
        ch = project.channel(path, a, rc.func)
        return ch if ch is not None else _UNKNOWN
    if 0 <= idx < len(c.args):
        ch = project.channel(rpath, c.args[idx], c.func)
        return ch if ch is not None else _UNKNOWN
    return _UNKNOWN


def same(project: Project, path: str, a, a_scope, b, b_scope) -> bool:
    """Two expressions name the same function (the same binding, or the same text)."""
    if a.kind not in ("ref", "member") or b.kind not in ("ref", "member"):
        return False
    wa, wb = project.resolve(path, a, a_scope), project.resolve(path, b, b_scope)
    if wa.value.kind not in ("ref", "member", "unknown", "global") and wa.path == wb.path \
            and wa.value.span == wb.value.span:
        return True
    return bool(a.text) and a.text == b.text

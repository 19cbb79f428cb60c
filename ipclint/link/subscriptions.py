"""What removes a renderer subscription (IPC004 b): the remover it returned, kept in a variable,
a field or an array; removeListener with the same function on the same channel; removeAllListeners
of the channel; an exposed off function that removes the preload's wrapper; Vue unmount hooks."""
from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from ipclint.link.bridge import Exposure, bridge_target, raw_ipc_method
from ipclint.link.graph import Edge
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, subtree
from ipclint.model.facts import Call, FileFacts
from ipclint.model.values import AnyV, Arr, CallExpr, Fn, Global, Member, Ref, Spread

SUBSCRIBE = frozenset({"on", "addListener", "prependListener"})


def ipc_ops(project: Project, path: str, scopes: set[int], methods: frozenset[str]) -> list[Call]:
    """ipcRenderer calls with one of ``methods`` inside the given functions of a file."""
    f = project.files[path]
    return [f.calls[i] for (p, i), op in project.ipc_ops.items()
            if p == path and f.calls[i].func in scopes and op.receiver == "ipcRenderer" and op.method in methods]


class Sub:
    """A renderer subscription: its channel, the page's callback, and whether that callback is the
    listener itself (so removing it works) or the preload registered a wrapper around it."""

    def __init__(self, project: Project, e: Edge, call: Call) -> None:
        self.call = call
        self.channel = e.channel
        self.handlers: list[AnyV] = [a for a in call.args if isinstance(a, (Ref, Member))]
        self.direct = True
        if e.bridge_fn is not None:
            bpath, _fid = e.bridge_fn
            site = e.bridge_site
            calls = [project.files[site[0]].calls[site[1]]] if site else [
                c for c in ipc_ops(project, bpath, subtree(project.files[bpath], _fid), SUBSCRIBE)]
            for c in calls:
                h = c.args[1] if len(c.args) > 1 else None
                if h is None or not (isinstance(h, Ref) and project.param_of(bpath, c.func, h.name)):
                    self.direct = False


ByKey = dict[str, list[Exposure]]  # exposures by exposed key


def unmount_removes(project: Project, f: FileFacts, calls: list[Call], call: Call, sub: Sub, by_key: ByKey) -> bool:
    """An onUnmounted/onBeforeUnmount among ``calls`` removes the subscription: `onUnmounted(off)`
    with what it returned, or a cleanup function that removes it."""
    fids: list[int] = []
    for h in calls:
        if callee_name(h.callee) not in ("onUnmounted", "onBeforeUnmount"):
            continue
        for a in h.args[:1]:
            if is_result(project, f.path, a, h.func, call):
                return True
            w = project.resolve(f.path, a, h.func)
            if w.path == f.path and isinstance(w.value, Fn):
                fids.append(w.value.fid)
    return cleanup_removes(project, f, fids, sub, by_key)


def in_script_setup(project: Project, path: str, line: int) -> bool:
    """Whether a line of a .vue file lies in its `<script setup>` block (run per instance)."""
    return any(first <= line <= last for first, last in project.files[path].script_setup)


def is_result(project: Project, path: str, v: AnyV, scope: int | None, call: Call) -> bool:
    """``v`` is (a variable or field holding) what the subscribing call returned."""
    if isinstance(v, CallExpr) and v.span == call.span:
        return True
    if not isinstance(v, (Ref, Member)):
        return False
    w = project.resolve(path, v, scope)
    return w.path == path and isinstance(w.value, CallExpr) and w.value.span == call.span


MAX_CLEANUP_FUNCTIONS = 32


def cleanup_removes(project: Project, f: FileFacts, fids: list[int], sub: Sub, by_key: ByKey) -> bool:
    """Whether the cleanup functions (and local functions they call) remove this subscription."""
    holders = _holders(f, sub.call)
    todo = list(fids)
    seen: set[int] = set()
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
            if c.callee.text in holders or (isinstance(c.callee, Member) and c.callee.obj.text in holders
                                            and c.callee.prop in ("forEach", "map")):
                return True  # `off = api.onX(cb)` ... `off?.()`; `offs.push(api.onX(cb))` ... `offs.forEach(...)`
            for channel, handler, page_cb in _removals(project, f.path, c, by_key):
                if channel is not None and sub.channel is not None and channel != sub.channel:
                    continue
                if page_cb and not sub.direct:
                    continue  # removes the page's callback; the preload registered a wrapper
                if handler is None or any(same(project, f.path, handler, c.func, h, sub.call.func)
                                          for h in sub.handlers):
                    return True
            if isinstance(c.callee, Ref):
                w = project.resolve(f.path, c.callee, c.func)
                if w.path == f.path and isinstance(w.value, Fn):
                    todo.append(w.value.fid)  # `return () => unsubscribe()`
    return False


def _holders(f: FileFacts, call: Call) -> set[str]:
    """Names that keep what the subscribing call returned: assigned later (`off = ...`,
    `offRef.current = ...`), or an array it was put in (`[api.onA(a), api.onB(b)]`, `offs.push(...)`)."""
    out: set[str] = set()
    for a in f.assigns:
        if a.value.span == call.span and a.target.text:
            out.add(a.target.text)
    for (_scope, name), v in f.bindings.items():
        if isinstance(v, Arr) and any(x.span == call.span for x in v.items):
            out.add(name)
    for c in f.calls:
        if isinstance(c.callee, Member) and c.callee.prop == "push" and any(x.span == call.span for x in c.args):
            out.add(c.callee.obj.text)
    return out


REMOVE = frozenset({"removeListener", "off", "removeAllListeners"})
LOGGING = frozenset({"log", "debug", "info", "warn", "error", "trace", "dir"})


def _logs(c: Call) -> bool:
    return callee_name(c.callee) in LOGGING


class Removal(NamedTuple):
    """One removal a renderer call performs."""

    channel: str | None  # None: any channel
    handler: AnyV | None  # the removed function; None: every listener
    page_callback: bool  # the removed function is the page's callback (not a preload wrapper)


def _removals(project: Project, path: str, c: Call, by_key: ByKey) -> Iterator[Removal]:
    """The removals a renderer call performs: directly, or through an exposed function."""
    op = project.ipc_ops.get((path, c.index))
    if op is not None and op.method in REMOVE:
        yield _direct(project, path, c, op.method)
        return
    hit = bridge_target(project, path, c, by_key) if by_key else None
    if hit is None:
        return
    _exp, _keypath, where = hit
    v = where.value
    method = raw_ipc_method(v)
    if method is not None:
        if method in REMOVE:
            yield _direct(project, path, c, method)
        return
    if not isinstance(v, Fn):
        return
    bf = project.files[where.path]
    for rc in ipc_ops(project, where.path, subtree(bf, v.fid), REMOVE):
        channel = _mapped(project, where.path, rc, 0, path, c)
        if callee_name(rc.callee) == "removeAllListeners":
            yield Removal(channel, None, False)
            continue
        h = rc.args[1] if len(rc.args) > 1 else None
        if h is None:
            continue
        idx = _param_index(project, where.path, rc, h)
        if idx is None:
            yield Removal(channel, None, False)  # a stored wrapper
        else:
            yield Removal(channel, (c.args[idx] if 0 <= idx < len(c.args) else None), True)


def _direct(project: Project, path: str, c: Call, method: str) -> Removal:
    channel = project.channel(path, c.args[0], c.func) if c.args else None
    handler = c.args[1] if method != "removeAllListeners" and len(c.args) > 1 else None
    return Removal(channel, handler, False)


def _param_index(project: Project, path: str, rc: Call, v: AnyV) -> int | None:
    """The index of the exposed function's parameter that ``v`` (or a spread of it) forwards."""
    if isinstance(v, Spread):
        if v.inner is None:
            return -1
        v = v.inner
    if not isinstance(v, Ref):
        return None
    hit = project.param_of(path, rc.func, v.name)
    if hit is None:
        return None
    _scope, p = hit
    if p.path:
        return -1  # destructured from the arguments: page data, position unknown
    return p.index


def _mapped(project: Project, path: str, rc: Call, i: int, rpath: str, c: Call) -> str | None:
    """The channel of argument ``i`` of a preload removal: fixed, or the renderer's argument (None
    when not known)."""
    if i >= len(rc.args):
        return None
    a = rc.args[i]
    idx = _param_index(project, path, rc, a)
    if idx is None:
        return project.channel(path, a, rc.func)
    if 0 <= idx < len(c.args):
        return project.channel(rpath, c.args[idx], c.func)
    return None


def same(project: Project, path: str, a: AnyV, a_scope: int | None, b: AnyV, b_scope: int | None) -> bool:
    """Two expressions name the same function (the same binding, or the same text)."""
    if not isinstance(a, (Ref, Member)) or not isinstance(b, (Ref, Member)):
        return False
    wa, wb = project.resolve(path, a, a_scope), project.resolve(path, b, b_scope)
    if not isinstance(wa.value, (Ref, Member, Global)) and wa.path == wb.path \
            and wa.value.span == wb.value.span:
        return True
    return bool(a.text) and a.text == b.text

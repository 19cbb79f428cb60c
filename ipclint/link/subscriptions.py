"""What removes a renderer subscription (IPC004 b): the remover it returned, kept in a variable,
a field or an array; removeListener with the same function on the same channel; removeAllListeners
of the channel; an exposed off function that removes the preload's wrapper; Vue unmount hooks.
When a cleanup exists but removes nothing, ``cleanup_miss`` says why (another channel, another
function, a method ipcRenderer does not have)."""
from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ipclint.link.bridge import Exposure, bridge_target, raw_ipc_method
from ipclint.link.graph import Edge
from ipclint.link.modules import ReadJson
from ipclint.link.project import Project
from ipclint.link.senders import function_index
from ipclint.link.vutil import callee_name, subtree
from ipclint.model.facts import Call, FileFacts
from ipclint.model.values import AnyV, Arr, CallExpr, Fn, Global, Member, Ref, Spread

SUBSCRIBE = frozenset({"on", "addListener", "prependListener"})


def ipc_ops(project: Project, path: str, scopes: set[int], methods: frozenset[str]) -> list[Call]:
    """ipcRenderer calls with one of ``methods`` inside the given functions of a file."""
    calls, _checks, _exits, _local = function_index(project, path).of(sorted(s for s in scopes if s is not None))
    out = []
    for c in calls:
        op = project.ipc_ops.get((path, c.index))
        if op is not None and op.receiver == "ipcRenderer" and op.method in methods:
            out.append(c)
    return out


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


def _cleanup_calls(project: Project, f: FileFacts, fids: list[int]) -> Iterator[Call]:
    """The calls of the cleanup functions and of the local functions they call."""
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
            yield c
            if isinstance(c.callee, Ref):
                w = project.resolve(f.path, c.callee, c.func)
                if w.path == f.path and isinstance(w.value, Fn):
                    todo.append(w.value.fid)  # `return () => unsubscribe()`


def cleanup_removes(project: Project, f: FileFacts, fids: list[int], sub: Sub, by_key: ByKey) -> bool:
    """Whether the cleanup functions (and local functions they call) remove this subscription."""
    holders = _holders(f, sub.call)
    for c in _cleanup_calls(project, f, fids):
        if is_result(project, f.path, c.callee, c.func, sub.call) or not _logs(c) and any(
                is_result(project, f.path, a, c.func, sub.call) for a in c.args):
            return True  # `off()`, `this.off()`, `offs.forEach(call)`
        if c.callee.text in holders or (isinstance(c.callee, Member) and c.callee.obj.text in holders
                                        and c.callee.prop in ("forEach", "map")):
            return True  # `off = api.onX(cb)` ... `off?.()`; `offs.push(api.onX(cb))` ... `offs.forEach(...)`
        for r in _removals(project, f.path, c, by_key):
            if _miss(project, f.path, c, r, sub) is None:
                return True
    return False


def _miss(project: Project, path: str, c: Call, r: Removal, sub: Sub) -> tuple[int, str] | None:
    """None when removal ``r`` (made by call ``c``) removes the subscription; otherwise how near
    it comes (a rank, lower is nearer) and why it removes nothing."""
    same_fn = r.handler is None or any(same(project, path, r.handler, c.func, h, sub.call.func) for h in sub.handlers)
    if r.channel is not None and sub.channel is not None and r.channel != sub.channel:
        return (0 if same_fn else 3), f"removes '{r.channel}' but the listener is on '{sub.channel}'"
    if r.page_callback and not sub.direct:
        return 1, "removes the page's callback, but the preload registered a wrapper around it"
    if not same_fn:
        listener = next((h.text for h in sub.handlers if h.text), "another function")
        return 2, f"removes {r.handler.text if r.handler is not None else 'another function'}, not {listener}"
    return None


def cleanup_miss(project: Project, f: FileFacts, fids: list[int], sub: Sub, by_key: ByKey) -> str | None:
    """Why cleanup functions that do not remove the subscription come closest to it: a removal of
    the same function on another channel, of the page's callback, of another function on the same
    channel, or a method ipcRenderer does not have (`removeAllListener`). None: they remove nothing
    like it."""
    best: tuple[int, str] | None = None
    for c in _cleanup_calls(project, f, fids):
        if isinstance(c.callee, Member) and c.callee.prop not in IPC_RENDERER_METHODS \
                and project.electron_api(f.path, c.callee.obj, c.func) == "ipcRenderer":
            near = difflib.get_close_matches(c.callee.prop, sorted(IPC_RENDERER_METHODS), 1)
            return f"ipcRenderer.{c.callee.prop} is not a method" + (f" (did you mean {near[0]}?)" if near else "")
        for r in _removals(project, f.path, c, by_key):
            hit = _miss(project, f.path, c, r, sub)
            if hit is not None and (hit[0] < 3 or r.handler is None) and (best is None or hit[0] < best[0]):
                best = hit
    return best[1] if best else None


# What `ipcRenderer` has (its own methods and EventEmitter's): a call of anything else throws.
IPC_RENDERER_METHODS = frozenset({
    "on", "off", "once", "addListener", "removeListener", "removeAllListeners", "prependListener",
    "prependOnceListener", "send", "sendSync", "invoke", "sendTo", "sendToHost", "postMessage", "emit",
    "listeners", "rawListeners", "listenerCount", "eventNames", "setMaxListeners", "getMaxListeners"})


# ---- the Vue version of each file ------------------------------------------------------------

_MAJOR = re.compile(r"(\d+)")


def vue_majors(paths: Iterable[str], read_json: ReadJson) -> dict[str, int]:
    """Each file's Vue major version, from the nearest package.json above it that depends on vue
    (its hooks' names changed in Vue 3: beforeDestroy became beforeUnmount)."""
    cache: dict[str, int | None] = {}

    def major(folder: str) -> int | None:
        chain: list[str] = []
        found: int | None = None
        while folder not in cache:
            chain.append(folder)
            pkg = read_json(posixpath.join(folder, "package.json") if folder else "package.json")
            found = _vue_major(pkg)
            if found is not None or not folder:
                break
            folder = posixpath.dirname(folder)
        else:
            found = cache[folder]
        for d in chain:
            cache[d] = found
        return found

    out: dict[str, int] = {}
    for p in paths:
        m = major(posixpath.dirname(p))
        if m is not None:
            out[p] = m
    return out


def _vue_major(pkg: object) -> int | None:
    if not isinstance(pkg, dict):
        return None
    for sect in ("dependencies", "devDependencies", "peerDependencies"):
        deps = pkg.get(sect)
        spec = deps.get("vue") if isinstance(deps, dict) else None
        if isinstance(spec, str):
            m = _MAJOR.search(spec)
            if m and spec.lstrip("^~>=v ")[:1].isdigit():
                return int(m.group(1))
    return None


def _holders(f: FileFacts, call: Call) -> set[str]:
    """Names that keep what the subscribing call returned: assigned later (`off = ...`,
    `offRef.current = ...`), or an array it was put in (`[api.onA(a), api.onB(b)]`, `offs.push(...)`)."""
    out: set[str] = set()
    for a in f.assigns:
        if a.target.text and (a.value.span == call.span
                              or isinstance(a.value, Arr) and any(x.span == call.span for x in a.value.items)):
            out.add(a.target.text)  # `this.off = api.onX(cb)`, `this.removers = [api.onX(cb)]`
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

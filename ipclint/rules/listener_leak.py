from __future__ import annotations

import re
from typing import Iterator

from ipclint.bridge import bridge_target
from ipclint.exposure import members
from ipclint.extract.facts import Call, FileFacts
from ipclint.model import Role, Severity
from ipclint.project import Project
from ipclint.rules._base import Hit, rule
from ipclint.vutil import callee_name, subtree

SUBSCRIBE = frozenset({"on", "addListener", "prependListener"})
EFFECTS = frozenset({"useEffect", "useLayoutEffect"})
MOUNT_HOOKS = {"onMounted": ("onUnmounted", "onBeforeUnmount"), "onBeforeMount": ("onUnmounted", "onBeforeUnmount")}
LIFECYCLE = {"componentDidMount": ("componentWillUnmount",), "beforeMount": ("beforeUnmount", "beforeDestroy",
             "unmounted", "destroyed"), "mounted": ("beforeUnmount", "beforeDestroy",
             "unmounted", "destroyed"), "created": ("beforeUnmount", "beforeDestroy", "unmounted", "destroyed")}


@rule("IPC004", "listener-leak", Severity.WARNING, "IPC listener registered with no way to remove it",
      cwe=(401,), security_severity=3.0, tags=("security", "reliability"))
def listener_leak(project: Project, options) -> Iterator[Hit]:
    """## What it does
    Flags listeners that can never be removed. (a) A preload-exposed subscribe function that calls
    `ipcRenderer.on`/`addListener` with a wrapped callback and neither returns a remover nor comes
    with an exposed off/remove function that removes that same wrapper (`removeListener` with the
    stored wrapper, or `removeAllListeners(channel)`); removing the page's callback instead of the
    wrapper removes nothing. (b) Renderer code that subscribes (through an exposed on-function or
    `ipcRenderer.on`) in a React `useEffect`/`useLayoutEffect`, a Vue `onMounted` or Options API
    `mounted`/`created`, or a class `componentDidMount`, without removing it in the cleanup (the
    effect's returned function, `onUnmounted`/`onBeforeUnmount`, `beforeUnmount`/`unmounted`,
    `componentWillUnmount`), or in a component's render body. The cleanup must remove that
    subscription: call the remover it returned (also through a variable, `this.field` or a local
    function), `removeListener` it with the same function on the same channel, or
    `removeAllListeners(channel)`; a cleanup that only logs, removes another channel or another
    function, or calls an exposed off function that removes the page's callback while the preload
    registered a wrapper, removes nothing. Subscribing once at module top level is fine. Reported
    at the subscribing call.

    ## Why is this bad?
    Every remount adds another listener: handlers run several times per message, closures keep
    unmounted components alive, and Node warns about a possible EventEmitter memory leak.

    ## Example
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      onProgress: (cb) => ipcRenderer.on('download:progress', (_e, value) => cb(value)),
    })
    ```

    ## Use instead
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      onProgress: (cb) => {
        const listener = (_e, value) => cb(value)
        ipcRenderer.on('download:progress', listener)
        return () => ipcRenderer.removeListener('download:progress', listener)
      },
    })
    ```

    ## Options
    None.

    ## References
    - [Electron: ipcRenderer.removeListener](https://www.electronjs.org/docs/latest/api/ipc-renderer#ipcrendererremovelistenerchannel-listener)
    - [CWE-401: Missing Release of Memory after Effective Lifetime](https://cwe.mitre.org/data/definitions/401.html)
    """
    subscribers: set[tuple[str, int]] = set()
    for hit, target in _exposed_subscriptions(project):
        subscribers.add(target)
        if hit is not None:
            yield hit
    yield from _renderer_subscriptions(project, subscribers)


def _exposed_subscriptions(project: Project):
    """(hit or None, exposed function) for each exposed function that subscribes."""
    by_exposure: dict = {}
    for exp, m, _kind in members(project):
        fn = _function_made(project, m)
        if fn is not None:
            by_exposure.setdefault(id(exp), []).append((m, fn))
    for pairs in by_exposure.values():
        ms = [m for m, _ in pairs]
        for m, (path, fid) in pairs:
            f = project.files[path]
            scopes = subtree(f, fid)
            for call in _ops(project, path, scopes, SUBSCRIBE):
                handler = call.args[1] if len(call.args) > 1 else None
                if handler is None or (handler.kind == "ref" and project.param_of(path, call.func, handler.data)):
                    yield None, (path, fid)  # a page callback registered directly: IPC002's business
                    continue
                if _returns_remover(project, path, fid, call) or _removes_itself(project, path, fid, call) \
                        or _removed_elsewhere(project, ms, m, call, path):
                    yield None, (path, fid)
                    continue
                yield Hit(path, call.span, f"window.{'.'.join((m.exposure.key, *m.keypath))} subscribes with a "
                                           "wrapped callback but neither returns a remover nor exposes one that "
                                           "removes that wrapper", key=".".join(m.keypath)), (path, fid)


def _function_made(project: Project, m) -> tuple[str, int] | None:
    """The exposed function, or the one a factory call returns (`onTick: makeListener('tick')`)."""
    v = m.value.value
    if v.kind == "fn":
        return m.value.path, v.data
    if v.kind == "call":
        target = project.function_of(m.value.path, v.data[0], m.value.scope)
        if target is not None:
            for ret in project.files[target[0]].functions[target[1]].returns:
                if ret.kind == "fn":
                    return target[0], ret.data
    return None


def _ops(project: Project, path: str, scopes: set[int], methods: frozenset[str]) -> list[Call]:
    f = project.files[path]
    return [f.calls[i] for (p, i), op in project.ipc_ops.items()
            if p == path and f.calls[i].func in scopes and op.receiver == "ipcRenderer" and op.method in methods]


def _returns_remover(project: Project, path: str, fid: int, call: Call) -> bool:
    """The subscribe function returns a function that removes this listener: removeListener/off
    with the registered wrapper on the same channel, or removeAllListeners of the channel."""
    f = project.files[path]
    channel = project.channel(path, call.args[0], call.func) if call.args else None
    wrapper = call.args[1] if len(call.args) > 1 else None
    for r in f.functions[fid].returns:
        w = project.resolve(path, r, fid)
        if w.value.kind != "fn":
            continue
        if w.path != path:
            return True  # a remover from another module: trusted
        for rc in _ops(project, path, subtree(f, w.value.data), frozenset({"removeAllListeners", "removeListener",
                                                                              "off"})):
            rch = project.channel(path, rc.args[0], rc.func) if rc.args else None
            if rch is not None and channel is not None and rch != channel:
                continue
            if callee_name(rc.callee) == "removeAllListeners":
                return True
            h = rc.args[1] if len(rc.args) > 1 else None
            if h is not None and wrapper is not None and _same(project, path, h, rc.func, wrapper, call.func):
                return True
    return False


def _removes_itself(project: Project, path: str, fid: int, call: Call) -> bool:
    """The subscribing function removes the channel's listeners itself (a one-shot request:
    before subscribing, or inside the listener); a returned remover is judged elsewhere."""
    f = project.files[path]
    channel = project.channel(path, call.args[0], call.func) if call.args else None
    if channel is None:
        return False
    returned: set[int] = set()
    for r in f.functions[fid].returns:
        w = project.resolve(path, r, fid)
        if w.path == path and w.value.kind == "fn":
            returned |= subtree(f, w.value.data)
    for rc in _ops(project, path, subtree(f, fid) - returned, frozenset({"removeAllListeners", "removeListener", "off"})):
        if not rc.args or project.channel(path, rc.args[0], rc.func) != channel:
            continue
        h = rc.args[1] if len(rc.args) > 1 else None
        if h is not None and (h.kind == "spread" or h.kind == "ref" and project.param_of(path, rc.func, h.data)):
            continue  # removes the page's callback
        return True
    return False


def _removed_elsewhere(project: Project, siblings, m, call: Call, call_path: str) -> bool:
    """Another exposed function removes this subscription: removeAllListeners on the channel, or
    removeListener with something other than its own parameter (a stored wrapper)."""
    channel = project.channel(call_path, call.args[0], call.func) if call.args else None
    for other in siblings:
        made = _function_made(project, other) if other is not m else None
        if made is None:
            continue
        path, fid = made
        own = subtree(project.files[path], fid)
        for rc in _ops(project, path, own, frozenset({"removeAllListeners", "removeListener", "off"})):
            rch = project.channel(path, rc.args[0], rc.func) if rc.args else None
            if rch is not None and channel is not None and rch != channel:
                continue
            if callee_name(rc.callee) == "removeAllListeners":
                return True
            arg = rc.args[1] if len(rc.args) > 1 else None
            if arg is not None and arg.kind == "spread":
                continue  # forwards whatever the page passes: the page's callback, not the wrapper
            if arg is not None and arg.kind == "ref" and any((sc, arg.data) in project.files[path].bindings
                                                             for sc in own):
                continue  # that function's own listener (its returned remover), not this one
            if arg is not None and not (arg.kind == "ref" and project.param_of(path, rc.func, arg.data)):
                return True
    return False


def _renderer_subscriptions(project: Project, subscribers: set) -> Iterator[Hit]:
    by_key: dict = {}
    for exp in project.exposures:
        by_key.setdefault(exp.key, []).append(exp)
    for e in project.graph.edges:
        if e.kind != "on" or e.side != "renderer" or project.role(e.path) != Role.RENDERER:
            continue
        f = project.files[e.path]
        call = f.calls[e.call]
        why = _leaks(project, f, call, _Sub(project, e, call), by_key)
        if why:
            what = f"subscription to '{e.channel}'" if e.channel else "subscription"
            yield Hit(e.path, call.span, f"{what} {why}", key=f"{e.channel}:{why}")


class _Sub:
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
                c for c in _ops(project, bpath, subtree(project.files[bpath], _fid), SUBSCRIBE)]
            for c in calls:
                h = c.args[1] if len(c.args) > 1 else None
                if h is None or not (h.kind == "ref" and project.param_of(bpath, c.func, h.data)):
                    self.direct = False


def _leaks(project: Project, f: FileFacts, call: Call, sub: _Sub, by_key) -> str | None:
    """Why the subscription in the innermost function around ``call`` leaks, or None."""
    if call.func is None:
        if f.path.endswith(".vue") and _in_script_setup(project, f.path, call.span.line) \
                and not _unmount_removes(project, f, [c for c in f.calls if c.func is None], call, sub, by_key):
            return "at the top level of <script setup> runs for every component instance and is never removed"
        return None  # module top level: subscribes once
    fn = f.functions[call.func]
    if fn.arg_of is not None:
        outer = f.calls[fn.arg_of]
        name = _hook_name(project, f.path, outer)
        if name in COMPONENT_WRAPPERS and fn.arg_index == 0:  # `memo(function Row() { ... })`
            return f"in the render body of {fn.name or 'a ' + name + ' component'} runs on every render"
        if name in EFFECTS:
            if not fn.returns:
                return f"in {name} has no cleanup that removes it"
            fids = []
            for r in fn.returns:
                if _is_result(project, f.path, r, fn.id, call):
                    return None  # `() => window.api.onX(cb)`: the effect returns the remover
                w = project.resolve(f.path, r, fn.id)
                if w.path == f.path and w.value.kind == "fn":
                    fids.append(w.value.data)
            if _cleanup_removes(project, f, fids, sub, by_key):
                return None
            return f"in {name} is not removed by the effect's cleanup"
        if name in MOUNT_HOOKS:
            scope = [c for c in f.calls if c.func == outer.func or c.func in subtree(f, fn.id)]
            if not any(callee_name(c.callee) in MOUNT_HOOKS[name] for c in scope):
                return f"in {name} is never removed in {MOUNT_HOOKS[name][0]}"
            if _unmount_removes(project, f, scope, call, sub, by_key):
                return None
            return f"in {name} is not removed in {MOUNT_HOOKS[name][0]}"
        return None  # an event handler or another callback
    short = (fn.name or "").rsplit(".", 1)[-1]
    if short in LIFECYCLE:
        fids = _sibling_methods(f, fn, LIFECYCLE[short])
        if not fids:
            return f"in {short} is never removed in {LIFECYCLE[short][0]}"
        if _cleanup_removes(project, f, fids, sub, by_key):
            return None
        return f"in {short} is not removed in {LIFECYCLE[short][0]}"
    component = fn.parent is None and fn.name and fn.name[:1].isupper() and "." not in fn.name
    renders_jsx = f.path.endswith((".jsx", ".tsx")) or any(r.kind == "jsx" for r in fn.returns)
    if (component or short == "render") and renders_jsx:
        return f"in the render body of {fn.name} runs on every render"
    return None


COMPONENT_WRAPPERS = frozenset({"memo", "forwardRef", "observer"})


def _hook_name(project: Project, path: str, call: Call) -> str | None:
    """The React/Vue function a call names, through import aliases (`useEffect as effect`)."""
    name = callee_name(call.callee)
    if name in EFFECTS or name in MOUNT_HOOKS or name in COMPONENT_WRAPPERS or call.callee.kind != "ref":
        return name
    v = project.resolve(path, call.callee, call.func).value
    if v.kind == "external" and isinstance(v.data, tuple) and v.data[0] in ("react", "vue", "mobx-react",
                                                                             "mobx-react-lite"):
        return str(v.data[1]).rsplit(".", 1)[-1]
    return name


def _unmount_removes(project: Project, f: FileFacts, calls: list[Call], call: Call, sub: _Sub, by_key) -> bool:
    """An onUnmounted/onBeforeUnmount among ``calls`` removes the subscription: `onUnmounted(off)`
    with what it returned, or a cleanup function that removes it."""
    fids = []
    for h in calls:
        if callee_name(h.callee) not in ("onUnmounted", "onBeforeUnmount"):
            continue
        for a in h.args[:1]:
            if _is_result(project, f.path, a, h.func, call):
                return True
            w = project.resolve(f.path, a, h.func)
            if w.path == f.path and w.value.kind == "fn":
                fids.append(w.value.data)
    return _cleanup_removes(project, f, fids, sub, by_key)


_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


def _in_script_setup(project: Project, path: str, line: int) -> bool:
    """Whether a line of a .vue file lies in its `<script setup>` block (run per instance)."""
    data = project.sources.get(path) or b""
    for m in _SCRIPT.finditer(data):
        if re.search(rb"\bsetup\b", m.group(1)):
            first = data.count(b"\n", 0, m.start(2)) + 1
            last = data.count(b"\n", 0, m.end(2)) + 1
            if first <= line <= last:
                return True
    return False


def _is_result(project: Project, path: str, v, scope, call: Call) -> bool:
    """``v`` is (a variable or field holding) what the subscribing call returned."""
    if v.kind == "call" and v.span == call.span:
        return True
    if v.kind not in ("ref", "member"):
        return False
    w = project.resolve(path, v, scope)
    return w.path == path and w.value.kind == "call" and w.value.span == call.span


MAX_CLEANUP_FUNCTIONS = 32


def _cleanup_removes(project: Project, f: FileFacts, fids: list[int], sub: _Sub, by_key) -> bool:
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
            if _is_result(project, f.path, c.callee, c.func, sub.call) or not _logs(c) and any(
                    _is_result(project, f.path, a, c.func, sub.call) for a in c.args):
                return True  # `off()`, `this.off()`, `offs.forEach(call)`
            if c.callee.text in holders or (c.callee.kind == "member" and c.callee.data[0].text in holders
                                            and c.callee.data[1] in ("forEach", "map")):
                return True  # `off = api.onX(cb)` ... `off?.()`; `offs.push(api.onX(cb))` ... `offs.forEach(...)`
            for channel, handler, page_cb in _removals(project, f.path, c, by_key):
                if channel is not None and sub.channel is not None and channel != sub.channel:
                    continue
                if page_cb and not sub.direct:
                    continue  # removes the page's callback; the preload registered a wrapper
                if handler is None or any(_same(project, f.path, handler, c.func, h, sub.call.func)
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
    for rc in _ops(project, where.path, subtree(bf, v.data), REMOVE):
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


def _same(project: Project, path: str, a, a_scope, b, b_scope) -> bool:
    """Two expressions name the same function (the same binding, or the same text)."""
    if a.kind not in ("ref", "member") or b.kind not in ("ref", "member"):
        return False
    wa, wb = project.resolve(path, a, a_scope), project.resolve(path, b, b_scope)
    if wa.value.kind not in ("ref", "member", "unknown", "global") and wa.path == wb.path \
            and wa.value.span == wb.value.span:
        return True
    return bool(a.text) and a.text == b.text


def _sibling_methods(f: FileFacts, fn, names) -> list[int]:
    prefix = fn.name.rsplit(".", 1)[0] + "." if fn.name and "." in fn.name else None
    out = []
    for other in f.functions:
        short = (other.name or "").rsplit(".", 1)[-1]
        if short in names and (prefix is None or (other.name or "").startswith(prefix) or other.parent == fn.parent):
            out.append(other.id)
    return out

from __future__ import annotations

from typing import Iterator

from ipclint.exposure import members
from ipclint.extract.facts import Call, FileFacts
from ipclint.model import Role, Severity
from ipclint.project import Project
from ipclint.rules._base import Hit, rule
from ipclint.vutil import callee_name, subtree

SUBSCRIBE = frozenset({"on", "addListener", "prependListener"})
EFFECTS = frozenset({"useEffect", "useLayoutEffect"})
MOUNT_HOOKS = {"onMounted": ("onUnmounted", "onBeforeUnmount")}
LIFECYCLE = {"componentDidMount": ("componentWillUnmount",), "mounted": ("beforeUnmount", "beforeDestroy",
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
    `componentWillUnmount`), or in a component's render body. Subscribing once at module top level
    is fine. Reported at the subscribing call.

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
        if m.value.value.kind == "fn":
            by_exposure.setdefault(id(exp), []).append(m)
    for ms in by_exposure.values():
        for m in ms:
            path, fid = m.value.path, m.value.value.data
            f = project.files[path]
            scopes = subtree(f, fid)
            for call in _ops(project, path, scopes, SUBSCRIBE):
                handler = call.args[1] if len(call.args) > 1 else None
                if handler is None or (handler.kind == "ref" and project.param_of(path, call.func, handler.data)):
                    yield None, (path, fid)  # a page callback registered directly: IPC002's business
                    continue
                if _returns_function(f, fid) or _removes_itself(project, path, scopes, call) \
                        or _removed_elsewhere(project, ms, m, call):
                    yield None, (path, fid)
                    continue
                yield Hit(path, call.span, f"window.{'.'.join((m.exposure.key, *m.keypath))} subscribes with a "
                                           "wrapped callback but neither returns a remover nor exposes one that "
                                           "removes that wrapper", key=".".join(m.keypath)), (path, fid)


def _ops(project: Project, path: str, scopes: set[int], methods: frozenset[str]) -> list[Call]:
    f = project.files[path]
    return [f.calls[i] for (p, i), op in project.ipc_ops.items()
            if p == path and f.calls[i].func in scopes and op.receiver == "ipcRenderer" and op.method in methods]


def _returns_function(f: FileFacts, fid: int) -> bool:
    return any(r.kind == "fn" for r in f.functions[fid].returns)


def _removes_itself(project: Project, path: str, scopes: set[int], call: Call) -> bool:
    """The subscribing function removes the channel's listeners itself (a one-shot request)."""
    channel = project.channel(path, call.args[0], call.func) if call.args else None
    for rc in _ops(project, path, scopes, frozenset({"removeAllListeners", "removeListener", "off"})):
        if rc.args and project.channel(path, rc.args[0], rc.func) == channel and channel is not None:
            return True
    return False


def _removed_elsewhere(project: Project, siblings, m, call: Call) -> bool:
    """Another exposed function removes this subscription: removeAllListeners on the channel, or
    removeListener with something other than its own parameter (a stored wrapper)."""
    channel = project.channel(m.value.path, call.args[0], call.func) if call.args else None
    for other in siblings:
        if other is m:
            continue
        path, fid = other.value.path, other.value.value.data
        for rc in _ops(project, path, subtree(project.files[path], fid),
                       frozenset({"removeAllListeners", "removeListener", "off"})):
            rch = project.channel(path, rc.args[0], rc.func) if rc.args else None
            if rch is not None and channel is not None and rch != channel:
                continue
            if callee_name(rc.callee) == "removeAllListeners":
                return True
            arg = rc.args[1] if len(rc.args) > 1 else None
            if arg is not None and not (arg.kind == "ref" and project.param_of(path, rc.func, arg.data)):
                return True
    return False


def _renderer_subscriptions(project: Project, subscribers: set) -> Iterator[Hit]:
    for e in project.graph.edges:
        if e.kind != "on" or e.side != "renderer" or project.role(e.path) != Role.RENDERER:
            continue
        f = project.files[e.path]
        call = f.calls[e.call]
        why = _leaks(project, f, call)
        if why:
            yield Hit(e.path, call.span, f"subscription {why}", key=f"{e.channel}:{why}")


def _leaks(project: Project, f: FileFacts, call: Call) -> str | None:
    """Why the subscription in the innermost function around ``call`` leaks, or None."""
    if call.func is None:
        return None  # module top level: subscribes once
    fn = f.functions[call.func]
    if fn.arg_of is not None:
        outer = f.calls[fn.arg_of]
        name = callee_name(outer.callee)
        if name in EFFECTS:
            return None if fn.returns else f"in {name} has no cleanup that removes it"
        if name in MOUNT_HOOKS:
            if _has_sibling_call(f, outer, MOUNT_HOOKS[name]):
                return None
            return f"in {name} is never removed in {MOUNT_HOOKS[name][0]}"
        return None  # an event handler or another callback
    short = (fn.name or "").rsplit(".", 1)[-1]
    if short in LIFECYCLE:
        if _has_sibling_method(f, fn, LIFECYCLE[short]):
            return None
        return f"in {short} is never removed in {LIFECYCLE[short][0]}"
    component = fn.parent is None and fn.name and fn.name[:1].isupper() and "." not in fn.name
    renders_jsx = f.path.endswith((".jsx", ".tsx")) or any(r.kind == "jsx" for r in fn.returns)
    if (component or short == "render") and renders_jsx:
        return f"in the render body of {fn.name} runs on every render"
    return None


def _has_sibling_call(f: FileFacts, outer: Call, names) -> bool:
    return any(c.func == outer.func and callee_name(c.callee) in names for c in f.calls)


def _has_sibling_method(f: FileFacts, fn, names) -> bool:
    prefix = fn.name.rsplit(".", 1)[0] + "." if fn.name and "." in fn.name else None
    for other in f.functions:
        short = (other.name or "").rsplit(".", 1)[-1]
        if short in names and (prefix is None or (other.name or "").startswith(prefix) or other.parent == fn.parent):
            return True
    return False

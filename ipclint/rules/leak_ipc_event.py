from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.exposure import members
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, channel_words, subtree
from ipclint.model import Role, Severity
from ipclint.model.facts import FileFacts, Scope
from ipclint.model.values import AnyV, Arr, CallExpr, Fn, Member, NewExpr, Obj, Ref, Spread
from ipclint.rules._base import Hit, Options, rule

LISTEN = frozenset({"on", "once", "addListener", "prependListener", "prependOnceListener"})


@rule("IPC002", "leak-ipc-event", Severity.WARNING,
      "Preload hands the IpcRendererEvent (and with it ipcRenderer) to page code", cwe=(200,),
      security_severity=6.5,
      fix=("Call the page's callback with the message data only: ipcRenderer.on(channel, (_event, ...args) "
           "=> callback(...args))"))
def leak_ipc_event(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags a preload listener that gives the `IpcRendererEvent` to a page-supplied callback: the
    callback registered directly (`ipcRenderer.on(channel, callback)`, `.once`, `.addListener`), or
    a wrapper that forwards its first parameter (`(e, ...a) => cb(e, ...a)`, `cb(event)`,
    `(...args) => cb(...args)`). A preload's own listener that uses the event internally is fine,
    and so is a promise's `resolve` registered as a listener (`new Promise((resolve) =>
    ipcRenderer.once(channel, resolve))`) unless that promise is what the page gets back: it then
    resolves to the event.
    Reported at the `ipcRenderer.on`/`once`/`addListener` call.

    ## Why is this bad?
    `event.sender` is the `ipcRenderer` object itself. With the event in hand, page code can send
    to or invoke any channel, undoing every restriction the preload's API was meant to impose.

    ## Example
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      onUpdate: (callback) => ipcRenderer.on('update:available', callback),
    })
    ```

    ## Use instead
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      onUpdate: (callback) => {
        const listener = (_event, info) => callback(info)
        ipcRenderer.on('update:available', listener)
        return () => ipcRenderer.removeListener('update:available', listener)
      },
    })
    ```

    ## References
    - [Electron: exposing ipcRenderer.on through contextBridge leaks the event](https://www.electronjs.org/docs/latest/tutorial/ipc#pattern-3-main-to-renderer)
    - [CWE-200: Exposure of Sensitive Information to an Unauthorized Actor](https://cwe.mitre.org/data/definitions/200.html)
    """
    exposed = _exposed_functions(project)
    for (path, idx), op in sorted(project.ipc_ops.items()):
        if op.receiver != "ipcRenderer" or op.method not in LISTEN or op.handler_arg is None:
            continue
        f = project.files[path]
        call = f.calls[idx]
        if op.handler_arg >= len(call.args):
            continue
        handler = call.args[op.handler_arg]
        resolver = _promise_resolver(project, path, call.func, handler)
        if resolver is not None:  # `new Promise(resolve => ipcRenderer.once(CH, resolve))`
            if resolver in exposed:  # the promise is returned to the page: it resolves to the event
                yield Hit(path, call.span, f"the IpcRendererEvent on "
                                           f"{channel_words(project, path, call, op.channel_arg)} resolves a "
                                           "promise that is returned to page code: its sender is ipcRenderer",
                          key=f"resolve:{handler.text}")
            continue
        if _page_callback(project, path, call.func, handler, exposed):
            yield Hit(path, call.span, f"a page-supplied callback is registered directly on "
                                       f"{channel_words(project, path, call, op.channel_arg)}: it receives the "
                                       "IpcRendererEvent, whose sender is ipcRenderer", key=f"direct:{handler.text}")
            continue
        target = project.function_of(path, handler, call.func)
        if target is not None and target[0] == path and _forwards_event(project, path, target[1], exposed):
            yield Hit(path, call.span, f"the listener on {channel_words(project, path, call, op.channel_arg)} "
                                       "forwards the IpcRendererEvent to a page-supplied callback",
                      key=f"forward:{handler.text}")


def _exposed_functions(project: Project) -> set[tuple[str, int]]:
    """Functions reachable from exposed members, with the functions nested in them."""
    out: set[tuple[str, int]] = set()
    for _exp, m, _kind in members(project):
        v = m.value.value
        if isinstance(v, Fn):
            out.update((m.value.path, fid) for fid in subtree(project.files[m.value.path], v.fid))
        elif isinstance(v, CallExpr):  # made by a factory: `onProgress: frontendListenerSlot('progress')`
            target = project.function_of(m.value.path, v.callee, m.value.scope)
            if target is not None:
                f = project.files[target[0]]
                for ret in f.functions[target[1]].returns:
                    if isinstance(ret, Fn):
                        out.update((target[0], fid) for fid in subtree(f, ret.fid))
    # Generic listen paths exposed by wrappers (`on: (ch, cb) => subscribe(ch, cb)`) reach their callee.
    for (path, fid), ops in project.wrappers.items():
        if project.role(path) == Role.PRELOAD and any(w.handler_param is not None for w in ops):
            out.update((path, x) for x in subtree(project.files[path], fid))
    return out


def _page_callback(project: Project, path: str, scope: Scope, v: AnyV, exposed: set[tuple[str, int]]) -> bool:
    """A parameter of an exposed function (or of a function nested in one), destructured or taken
    from its rest parameter (`const [listener] = args`), possibly bound (`cb.bind(null)`)."""
    for _ in range(4):
        match v:
            case CallExpr(callee=Member(prop="bind", obj=bound_fn)):
                v = bound_fn  # `cb.bind(null)` calls cb with the same arguments
                continue
            case Member(obj=Ref() as whole):
                v = whole  # `args[0]`: part of a page-supplied argument
                continue
            case Ref(name=name):
                pass
            case _:
                return False
        hit = project.param_of(path, scope, name)
        if hit is not None:
            return (path, hit[0]) in exposed
        f = project.files[path]
        bound = _local_binding(f, scope, name)
        if bound is None:
            return False
        v, scope = bound
    return False


def _promise_resolver(project: Project, path: str, scope: Scope, v: AnyV) -> tuple[str, int] | None:
    """For the `resolve` parameter of a `new Promise(executor)`: the function that makes the
    promise when it returns it (as its own result, so the page that calls it gets the event), else
    ("", -1). None for anything else. A resolver is the preload's own function, not the page's."""
    if not isinstance(v, Ref):
        return None
    hit = project.param_of(path, scope, v.name)
    if hit is None or hit[1].index != 0 or hit[1].path:
        return None
    f = project.files[path]
    executor = hit[0]
    parent = f.functions[executor].parent
    for c in project.calls_in(path, parent):
        if (c.new and callee_name(c.callee) == "Promise" and c.args and isinstance(c.args[0], Fn)
                and c.args[0].fid == executor):
            break
    else:
        return None
    if parent is not None:
        for ret in f.functions[parent].returns:
            if (isinstance(ret, NewExpr) and callee_name(ret.callee) == "Promise" and ret.args
                    and isinstance(ret.args[0], Fn) and ret.args[0].fid == executor):
                return path, parent
    return "", -1


def _local_binding(f: FileFacts, scope: Scope, name: str) -> tuple[AnyV, Scope] | None:
    steps = 0
    while steps < 64:
        v = f.bindings.get((scope, name))
        if v is not None:
            return v, scope
        if scope is None:
            return None
        scope = f.functions[scope].parent
        steps += 1
    return None


def _forwards_event(project: Project, path: str, fid: int, exposed: set[tuple[str, int]]) -> bool:
    f = project.files[path]
    fn = f.functions[fid]
    first = next((p for p in fn.params if p.index == 0), None)
    if first is None or first.path:
        return False
    for c in project.calls_in(path, fid):  # (not every call of the file, for each exposed function)
        if not isinstance(c.callee, Ref):
            continue
        if not _page_callback(project, path, fid, c.callee, exposed):
            continue
        for a in c.args:
            if _carries(a, first.name):
                return True
    return False


def _carries(a: AnyV, event: str) -> bool:
    """The argument is the event, its sender (ipcRenderer itself), or an object or array holding one."""
    stack, steps = [a], 0
    while stack and steps < 64:
        v = stack.pop()
        steps += 1
        if isinstance(v, Spread) and v.inner is not None:
            v = v.inner
        match v:
            case Ref(name=name) if name == event:
                return True
            case Member(obj=Ref(name=name), prop="sender") if name == event:
                return True
            case Obj(props=props):
                stack.extend(p.value for p in props)
            case Arr(items=items):
                stack.extend(items)
    return False

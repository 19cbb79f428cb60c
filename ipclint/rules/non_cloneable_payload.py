from __future__ import annotations

from typing import Iterator

from ipclint.extract.values import V
from ipclint.model import Severity
from ipclint.project import Project
from ipclint.resolve import Where
from ipclint.rules._base import Hit, rule
from ipclint.vutil import callee_name, root_name

DOM_CALLS = frozenset({"querySelector", "querySelectorAll", "getElementById", "getElementsByClassName",
                       "getElementsByTagName", "createElement", "closest", "elementFromPoint"})
ELECTRON_OBJECTS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView", "webContents", "Menu",
                              "Tray", "Notification", "session"})
MAX_DEPTH = 4


@rule("IPC008", "non-cloneable-payload", Severity.ERROR,
      "IPC payload that the structured clone algorithm rejects or silently mangles", cwe=(704,),
      security_severity=3.0, tags=("security", "correctness"))
def non_cloneable_payload(project: Project, options) -> Iterator[Hit]:
    """## What it does
    Flags values sent over IPC that the structured clone algorithm rejects or mangles: functions
    (arrows, function expressions, method references such as `this.method`, bound functions),
    object or array literals containing one (reported at the literal), Symbols, Promises (an
    un-awaited call of an async function, `new Promise`), DOM nodes and `window`/`document`
    (`document.querySelector(...)`, `event.target`), Electron objects (BrowserWindow,
    WebContents), `process.env`, and instances of classes declared in the project (their
    prototype is lost). Payloads are the arguments of ipcRenderer `send`/`invoke`/`sendSync`/
    `postMessage`, `webContents.send`, `event.reply`, `event.sender.send`, and values returned
    from `ipcMain.handle` handlers. Values are followed through local constants. Date, RegExp,
    Map, Set, ArrayBuffer, typed arrays, Error and Blob are cloneable; a promise returned directly
    from a handler is awaited by Electron; a MessagePort in `postMessage`'s transfer list is fine.

    ## Why is this bad?
    `send` throws "An object could not be cloned", `invoke` rejects, and class instances arrive as
    plain objects without their methods, so the receiving side fails later, far from the cause.

    ## Example
    ```js
    // file: renderer.js
    const { ipcRenderer } = require('electron')
    ipcRenderer.send('dialog:open', { title: 'Pick', onDone: () => console.log('done') })
    ```

    ## Use instead
    ```js
    // file: renderer.js
    const { ipcRenderer } = require('electron')
    ipcRenderer.invoke('dialog:open', { title: 'Pick' }).then(() => console.log('done'))
    ```

    ## Options
    None.

    ## References
    - [Electron: objects sent over IPC are serialized with the structured clone algorithm](https://www.electronjs.org/docs/latest/tutorial/ipc#object-serialization)
    - [CWE-704: Incorrect Type Conversion or Cast](https://cwe.mitre.org/data/definitions/704.html)
    """
    for (path, idx), op in sorted(project.ipc_ops.items()):
        if op.kind not in ("send", "invoke", "push"):
            continue
        call = project.files[path].calls[idx]
        payload = call.args[op.channel_arg + 1:]
        if op.method == "postMessage":
            payload = payload[:1]  # the rest is the transfer list
        for arg in payload:
            why = problem(project, Where(path, arg, call.func))
            if why:
                yield Hit(path, arg.span, f"payload '{_short(arg)}' cannot be cloned over IPC: {why}",
                          key=f"{op.method}:{_short(arg)}")
    yield from _bridge_payloads(project)
    seen: set[tuple[str, int]] = set()
    for e in project.graph.edges:
        if e.kind != "handle" or e.handler is None or e.handler in seen:
            continue
        seen.add(e.handler)
        hpath, fid = e.handler
        fn = project.files[hpath].functions[fid]
        for ret in fn.returns:
            if ret.kind in ("new", "call") and _promise(project, Where(hpath, ret, fid)):
                continue  # Electron awaits a promise returned by the handler
            why = problem(project, Where(hpath, ret, fid))
            if why:
                yield Hit(hpath, ret.span, f"returned value '{_short(ret)}' cannot be cloned over IPC: {why}",
                          key=f"return:{_short(ret)}")


def _bridge_payloads(project: Project) -> Iterator[Hit]:
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
                yield Hit(e.path, arg.span, f"payload '{_short(arg)}' cannot be cloned over IPC: {why}",
                          key=f"bridge:{_short(arg)}")


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
    from ipclint.vutil import refs
    out = set()
    for p in fn.params:
        if any(refs(a, frozenset({p.name})) for a in site.args[1:]):
            out.add(p.index)
    return out


def _short(v: V) -> str:
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
            if item.kind in ("call", "new") and _promise(project, Where(where.path, item, where.scope)):
                return "it contains a Promise"
        return None
    if k == "call":
        callee, _args = v.data
        name = callee_name(callee)
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


def _promise(project: Project, where: Where) -> bool:
    v = where.value
    if v.kind == "new":
        return callee_name(v.data[0]) == "Promise"
    if v.kind == "call":
        target = project.function_of(where.path, v.data[0], where.scope)
        if target is not None:
            fn = project.files[target[0]].functions[target[1]]
            return fn.is_async
    return False

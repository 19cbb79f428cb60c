from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.project import Project
from ipclint.link.vutil import channel_words
from ipclint.model import Severity
from ipclint.model.values import Member, Ref
from ipclint.rules._base import Hit, Options, rule


@rule("IPC009", "sync-ipc", Severity.WARNING,
      "Synchronous IPC blocks the renderer until the main process answers",
      cwe=(400,), security_severity=3.0, tags=("security", "performance"),
      fix=("Use ipcRenderer.invoke with ipcMain.handle and await the answer instead of sendSync and "
           "event.returnValue"))
def sync_ipc(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags `ipcRenderer.sendSync` calls and main-process listeners that answer them by setting
    `event.returnValue` (in `ipcMain.on`/`once` or `webContents.ipc.on` handlers: one finding
    per handler, at its first assignment). An app wrapper whose own listener sets `returnValue`
    for the handlers registered through it (`handleSync(ch, fn)` around `ipcMain.on(ch, (e, ...a)
    => { e.returnValue = fn(...a) })`) is reported once, there, with the channels it answers. The
    finding is at the `sendSync` call itself (usually in a preload), not again at each renderer
    call of a bridge function that wraps it.

    ## Why is this bad?
    `sendSync` freezes the whole renderer (rendering, input, timers) until the main process
    replies. A slow or busy main process, or a handler that never sets `returnValue`, hangs the
    page. Electron's documentation recommends `invoke`/`handle` instead.

    ## Example
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      getConfig: () => ipcRenderer.sendSync('config:get'),
    })
    // file: main.js
    const { ipcMain } = require('electron')
    ipcMain.on('config:get', (event) => { event.returnValue = loadConfig() })
    ```

    ## Use instead
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      getConfig: () => ipcRenderer.invoke('config:get'),
    })
    // file: main.js
    const { ipcMain } = require('electron')
    ipcMain.handle('config:get', () => loadConfig())
    ```

    ## References
    - [Electron: ipcRenderer.sendSync](https://www.electronjs.org/docs/latest/api/ipc-renderer#ipcrenderersendsyncchannel-args)
    - [CWE-400: Uncontrolled Resource Consumption](https://cwe.mitre.org/data/definitions/400.html)
    """
    for (path, idx), op in sorted(project.ipc_ops.items()):
        if op.method == "sendSync" and op.receiver == "ipcRenderer":
            call = project.files[path].calls[idx]
            yield Hit(path, call.span, f"ipcRenderer.sendSync to {channel_words(project, path, call, op.channel_arg)} "
                                       "blocks the renderer until main answers; use invoke/handle", key="sendSync")
    for e in project.graph.edges:
        # `sendSync: ipcRenderer.sendSync` exposed by reference: the page's call is the only call;
        # a preload function that wraps sendSync was reported at its own call above
        if e.method == "sendSync" and e.receiver == "bridge" and not e.bridged and e.bridge_fn is None:
            what = f"'{e.channel}'" if e.channel else "a computed channel"
            yield Hit(e.path, e.span, f"sendSync to {what} blocks the renderer until main answers; use invoke/handle",
                      key="sendSync")
    channels: dict[tuple[str, int], list[str | None]] = {}
    inner: dict[tuple[str, int], list[tuple[str, int]]] = {}  # wrapper -> its own listeners (made once each)
    for e in project.graph.edges:
        if e.kind != "on" or e.side != "main":
            continue
        handlers = [e.handler] if e.handler is not None else []
        if e.wrapper_funcs:  # the wrapper's own listener answers for every handler registered through it
            w = e.wrapper_funcs[-1]
            if w not in inner:
                inner[w] = _wrapper_listeners(project, w)
            handlers += inner[w]
        for h in handlers:
            seen = channels.setdefault(h, [])
            if e.channel not in seen:
                seen.append(e.channel)
    for handler, names in channels.items():
        # one handler registered for every channel of a table: the first, and how many more
        on = f" on '{names[0]}'" if names[0] else ""
        if names[0] and len(names) > 1:
            on += f" and {len(names) - 1} more channel{'s' if len(names) > 2 else ''}"
        yield from _return_value_hits(project, handler, on)


def _wrapper_listeners(project: Project, wrapper: tuple[str, int]) -> list[tuple[str, int]]:
    """The functions that an app wrapper itself registers with `ipcMain.on/once` (`function
    handleSync(ch, cb) { ipcMain.on(ch, (e, ...a) => { e.returnValue = cb(...a) }) }`): the
    listener Electron calls for each handler registered through it."""
    path, fid = wrapper
    f = project.files.get(path)
    if f is None:
        return []
    out: list[tuple[str, int]] = []
    for c in project.calls_within(path, f.subtree(fid)):
        op = project.ipc_ops.get((path, c.index))
        if op is None or op.kind != "on" or op.receiver != "ipcMain" or op.handler_arg is None \
                or op.handler_arg >= len(c.args):
            continue
        target = project.function_of(path, c.args[op.handler_arg], c.func)
        if target is not None and target[0] == path and target[1] in f.subtree(fid) and target not in out:
            out.append(target)
    return out


def _return_value_hits(project: Project, handler: tuple[str, int], on: str) -> Iterator[Hit]:
    """One finding per handler, at its first `event.returnValue` assignment (SPEC 2nd ed.)."""
    path, fid = handler
    sets = []
    for a in project.assigns_within(path, project.files[path].subtree(fid)):  # (not every assignment of the file)
        t = a.target
        if not (isinstance(t, Member) and t.prop == "returnValue" and isinstance(t.obj, Ref)):
            continue
        hit = project.param_of(path, a.func, t.obj.name)
        if hit is not None and hit[0] == fid and hit[1].index == 0 and not hit[1].path:
            sets.append(a.span)
    if sets:
        first = min(sets, key=lambda sp: (sp.line, sp.column))
        more = f" (set in {len(sets)} places)" if len(sets) > 1 else ""
        yield Hit(path, first, f"event.returnValue answers a synchronous IPC message{on}{more}; "
                               "use ipcMain.handle with invoke", key="returnValue")

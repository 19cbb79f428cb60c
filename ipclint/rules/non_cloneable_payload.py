from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.bridge import exposed_members
from ipclint.link.modules import Where
from ipclint.link.payloads import bridge_payloads, problem, promise, short
from ipclint.link.project import Project
from ipclint.model import Severity
from ipclint.model.values import AnyV, CallExpr, Fn, NewExpr, Ref
from ipclint.rules._base import Hit, Options, rule


@rule("IPC008", "non-cloneable-payload", Severity.ERROR,
      "IPC payload that the structured clone algorithm rejects or silently mangles", cwe=(704,),
      security_severity=3.0, tags=("security", "correctness"),
      fix=("Send plain data only (strings, numbers, plain objects and arrays, Date, Map, Set, typed arrays):"
           " copy the fields you need from DOM nodes and class instances, and await promises first"))
def non_cloneable_payload(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags values sent over IPC that the structured clone algorithm rejects or mangles: functions
    (arrows, function expressions, method references such as `this.method`, `obj.method` of a
    local object or `c.method` of a project-class instance, bound functions, a class itself),
    object or array literals containing one, also through a spread of a local literal (reported
    at the literal), Symbols (also `Symbol.iterator`, `Symbol.for(...)`), Promises (an un-awaited
    call of an async function or `fetch`, `new Promise`, `.then` chains), DOM nodes and
    `window`/`document` (`document.querySelector(...)`, `document.body`, `event.target`), DOM
    Events sent whole (the first parameter of an `addEventListener` listener; not for event names
    of the `onStateChange` form, which no DOM event has: such emitters pass values), Electron
    objects (BrowserWindow, WebContents; also a variable or parameter declared as one: `let win:
    BrowserWindow | null`, but not a parameter of an exposed bridge function, which holds whatever
    the page passes; or a variable first set to nothing that every assignment sets to a new one:
    `let win = null` then `win = new BrowserWindow(...)`), `process.env`, and
    instances of classes declared in the project, `this` in their methods included (their
    prototype is lost). Payloads are the arguments of ipcRenderer `send`/`invoke`/`sendSync`/
    `postMessage`, `webContents.send`, `event.reply`, `event.sender.send`, and values returned
    from `ipcMain.handle` handlers; with electron-better-ipc, the data of `callMain`,
    `callRenderer`, `callFocusedRenderer` and `sendToRenderers`, and values returned from
    `answerRenderer` handlers (the library sends them back). Values are followed through local
    constants. Date, RegExp, Map, Set, ArrayBuffer, typed arrays, Error and Blob are cloneable; a
    promise returned directly from a handler is awaited by Electron; a MessagePort in
    `postMessage`'s transfer list is fine.
    A page's argument to a bridge function is judged by what that function forwards: the whole
    value, or only the parts it reads (`save: (o) => invoke(CH, { title: o.title })` sends the
    title, whatever else the page passes); a rest parameter forwards every argument. A call of a
    page helper over a generic bridge is judged by what the helper passes on (`poll(ch, id, params,
    options)` that invokes with `params` sends `params`; `options` stays in the page).

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

    ## References
    - [Electron: objects sent over IPC are serialized with the structured clone algorithm](https://www.electronjs.org/docs/latest/tutorial/ipc#object-serialization)
    - [CWE-704: Incorrect Type Conversion or Cast](https://cwe.mitre.org/data/definitions/704.html)
    """
    bridged = _bridge_functions(project)
    for (path, idx), op in sorted(project.ipc_ops.items()):
        if op.kind not in ("send", "invoke", "push"):
            continue
        call = project.files[path].calls[idx]
        payload = call.args[op.channel_arg + 1:]
        if op.method == "postMessage":
            payload = payload[:1]  # the rest is the transfer list
        for arg in payload:
            if isinstance(arg, Ref) and (hit := project.param_of(path, call.func, arg.name)) is not None \
                    and (path, hit[0]) in bridged:
                continue  # (what the page passes is judged at its calls, below; not by a declared type)
            why = problem(project, Where(path, arg, call.func))
            if why:
                yield Hit(path, arg.span, f"payload '{short(arg)}' cannot be cloned over IPC: {why}",
                          key=f"{op.method}:{short(arg)}")
    for path, sent, why in bridge_payloads(project):
        yield Hit(path, sent.span, f"payload '{short(sent)}' cannot be cloned over IPC: {why}",
                  key=f"bridge:{short(sent)}")
    seen: set[tuple[str, int]] = set()
    for e in project.graph.edges:
        if e.kind != "handle" or e.handler is None or e.handler in seen:
            continue
        seen.add(e.handler)
        hpath, fid = e.handler
        fn = project.files[hpath].functions[fid]
        for ret in fn.returns:
            direct: AnyV = ret
            if not isinstance(ret, (NewExpr, CallExpr)):
                direct = project.resolve(hpath, ret, fid, consts_only=True).value
            if isinstance(direct, (NewExpr, CallExpr)) and promise(project, Where(hpath, direct, fid)):
                continue  # Electron awaits a promise returned by the handler
            why = problem(project, Where(hpath, ret, fid))
            if why:
                yield Hit(hpath, ret.span, f"returned value '{short(ret)}' cannot be cloned over IPC: {why}",
                          key=f"return:{short(ret)}")




def _bridge_functions(project: Project) -> set[tuple[str, int]]:
    """The preload functions exposed to the page (contextBridge, or `window.x =` without isolation):
    the page calls them, so their parameters hold page values (a declared `e?: IpcMainInvokeEvent`
    is only what the author hoped)."""
    out: set[tuple[str, int]] = set()
    for exposure in project.exposures:
        if exposure.mode != "toolkit":
            out.update((m.value.path, m.value.value.fid) for m in exposed_members(project, exposure)
                       if isinstance(m.value.value, Fn))
    return out

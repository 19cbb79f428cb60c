from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.filedata import FileData, payload_args
from ipclint.link.handlers import handlers
from ipclint.link.project import Project
from ipclint.link.replies import return_value_sets
from ipclint.model import Severity
from ipclint.model.values import AnyV
from ipclint.rules._base import Hit, Options, rule


@rule("IPC020", "large-payload", Severity.NOTE,
      "A whole file or an unbounded buffer sent over IPC", cwe=(400,), security_severity=2.0,
      tags=("security", "performance"),
      fix=("Pass the file's path and let the other side read it, or stream it in bounded chunks through a "
           "MessagePort (MessageChannelMain)"))
def large_payload(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags IPC payloads that carry a whole file or an unbounded buffer: the result of
    `fs.readFile`, `fs.readFileSync` or `fs.promises.readFile` (as a Buffer or as text), a Buffer,
    ArrayBuffer, typed array or Blob made from it (`contents.buffer`, `new Uint8Array(data)`,
    `Buffer.from(...)`, an object literal holding it), or a fetch/net response's `arrayBuffer()` or
    `buffer()`, sent with `ipcRenderer.send`/`invoke`, `webContents.send`, `event.reply` or
    `event.sender.send`, returned from an `ipcMain.handle` handler, or set as `event.returnValue`
    (the answer to a `sendSync`, which blocks the page too); with electron-better-ipc, sent with
    `callMain`, `callRenderer`, `callFocusedRenderer` or `sendToRenderers`, or returned from an
    `answerRenderer` handler. Values are followed through
    locals, the data parameter of an `fs.readFile` callback, and project functions that return them.

    Not flagged: reads bounded in the code (`fs.read(fd, buf, 0, 4096)`, `handle.read` into a
    fixed-size buffer, a slice of a fixed number of bytes), a size check against a constant
    before sending (`if (size > MAX_BYTES) return`), values computed from a file (a hash, a
    length, a parsed title), and JSON or text config files named by a constant
    (`path.join(app.getPath('userData'), 'settings.json')`).

    ## Why is this bad?
    An IPC message is serialised, copied and deserialised in one piece: a large one blocks the
    main process (every window's IPC and the app's menus) and the renderer while it is copied, and
    holds the whole file in memory on both sides. A renderer that can choose the file can use
    this to stall the app.

    ## Example
    ```js
    // file: main.js
    const { ipcMain } = require('electron')
    const fs = require('fs/promises')
    ipcMain.handle('video:load', async (_event, id) => fs.readFile(`/videos/${Number(id)}.mp4`))
    ```

    ## Use instead
    ```js
    // file: main.js
    const { ipcMain } = require('electron')
    ipcMain.handle('video:path', (_event, id) => `/videos/${Number(id)}.mp4`)
    ```

    ## References
    - [Electron IPC: MessagePorts](https://www.electronjs.org/docs/latest/tutorial/message-ports)
    - [Electron performance: don't block the main process](https://www.electronjs.org/docs/latest/tutorial/performance#3-blocking-the-main-process)
    - [CWE-400: Uncontrolled Resource Consumption](https://cwe.mitre.org/data/definitions/400.html)
    """
    data = FileData(project)
    seen: set[tuple[str, int]] = set()
    for (path, idx), op in sorted(project.ipc_ops.items()):
        if op.kind not in ("send", "invoke", "push"):
            continue
        call = project.files[path].calls[idx]
        for arg in payload_args(call, op.channel_arg, op.method):
            yield from _judge(project, data, path, arg, call.func, _channel(project, path, call.args, op.channel_arg,
                                                                              call.func), call.conds)
        seen.add((path, idx))
    for e in project.graph.edges:  # sends through app wrappers: the wrapper call's own arguments
        if not e.wrapper_funcs or e.kind not in ("send", "invoke", "push") or (e.path, e.call) in seen:
            continue
        seen.add((e.path, e.call))
        call = project.files[e.path].calls[e.call]
        ch = e.channel_value.span if e.channel_value is not None else None
        past = False
        for arg in call.args:
            if arg.span == ch:
                past = True
            elif past:
                yield from _judge(project, data, e.path, arg, call.func, _words(e.channel), call.conds)
    for h in handlers(project):  # `event.returnValue = ...`: the answer to a sendSync
        if h.edge.kind == "on":
            for a in return_value_sets(project, h):
                yield from _judge(project, data, h.path, a.value, a.func, _words(h.edge.channel), (),
                                  how="returned (event.returnValue) for")
    done: set[tuple[str, int]] = set()
    for e in project.graph.edges:
        if e.kind != "handle" or e.handler is None or e.handler in done:
            continue
        done.add(e.handler)
        hpath, fid = e.handler
        for ret in project.files[hpath].functions[fid].returns:
            yield from _judge(project, data, hpath, ret, fid, _words(e.channel), (),
                              how="returned from the handler for")


def _judge(project: Project, data: FileData, path: str, v: AnyV, scope: int | None, channel: str,
           conds: tuple[AnyV, ...], how: str = "sent on") -> Iterator[Hit]:
    hit = data.whole(path, v, scope)
    if hit is None or data.size_checked(path, scope, v.span, conds):
        return
    yield Hit(path, v.span,
              f"'{short(v)}' is {hit.what} {how} {channel}: the message is copied in one piece and blocks "
              "both processes while it is serialised; pass a path or stream it through a MessagePort",
              key=f"{channel}:{short(v)}")


def short(v: AnyV) -> str:
    text = " ".join(v.text.split())
    return text if len(text) <= 40 else text[:39] + "…"


def _channel(project: Project, path: str, args: tuple[AnyV, ...], index: int, scope: int | None) -> str:
    return _words(project.channel(path, args[index], scope) if index < len(args) else None)


def _words(channel: str | None) -> str:
    return f"'{channel}'" if channel is not None else "a computed channel"

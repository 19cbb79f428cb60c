from __future__ import annotations

from collections.abc import Iterator, Sequence

from ipclint.link.calls import closest, mentioned_strings, page_code_paths, quoted_in_page_code
from ipclint.link.ends import ChannelEnds
from ipclint.link.graph import Edge
from ipclint.link.ipcops import BETTER_MAIN, BETTER_RENDERER
from ipclint.link.ports import reads_ports
from ipclint.link.project import Project
from ipclint.model import Location, Role, Severity
from ipclint.model.graph import ViaKind
from ipclint.rules._base import ChannelOptions, Hit, ignored_channel, rule

PAGE = frozenset({"preload", "renderer"})
# electron-better-ipc's page requests and the main-side answers that alone receive them
BETTER_REQUESTS = frozenset(m for m, kind in BETTER_RENDERER.items() if kind == "invoke")
BETTER_ANSWERS = frozenset(m for m, kind in BETTER_MAIN.items() if kind == "handle")
GUEST = frozenset({"preload"})


@rule("IPC010", "unhandled-channel", Severity.ERROR,
      "Message sent to a channel that nothing handles", cwe=(440,), security_severity=4.0,
      tags=("security", "correctness"), options=ChannelOptions,
      fix=("Fix the channel name (a shared constant prevents typos) or register the missing handler: "
           "ipcMain.handle for invoke, ipcMain.on for send, ipcRenderer.on in the preload for a push"))
def unhandled_channel(project: Project, options: ChannelOptions) -> Iterator[Hit]:
    """## What it does
    Flags messages to a channel that nothing handles: `send`/`sendSync`/`postMessage` to a
    channel with no `ipcMain.on`/`once`; `invoke` to a channel with no `ipcMain.handle`/`handleOnce`
    (including the mismatch where only `ipcMain.on` exists: `on` never answers an `invoke`);
    `webContents.send` to a channel that no preload or renderer listens on (sends are all received
    when main overrides `ipcMain.emit` to relay them). A main-process
    `webContents.on('ipc-message', fn)` receives the page's `send`s (`'ipc-message-sync'` its
    `sendSync`s) on the channels `fn` compares its channel parameter with (`channel === 'x'`,
    `switch (channel) { case 'x': }`); one that never compares it with a constant (a relay)
    receives every message of the app. RxJS `fromEvent(webContents, 'ipc-message', selector)` is
    such a listener: it receives the channels a `filter` piped on it compares the selected channel
    with (`.pipe(filter((ch) => ch === 'x'))`), or every message when it compares it with
    something else or has no such filter. A `<webview>` guest's
    `ipcRenderer.sendToHost` goes to the host page's `ipc-message` listeners (not to `ipcMain`), and
    the host's `webview.send` to the guest's `ipcRenderer.on`. A `postMessage` that transfers a
    MessagePort needs a listener that reads `event.ports`. Handlers and listeners in test code
    count, and so do those that a library registers when the main process loads it (electron-log
    answers `'__ELECTRON_LOG__'` once main imports `electron-log` or `electron-log/main`). Each app
    of a repository is judged alone. Only channels whose value is known count. A handler whose
    channel is known only by its start (`ipcMain.handle('svc::' + name)`, or an app wrapper
    called as `mount(`svc::${ns}`)` that registers `${base}::${action}`) handles every channel
    in that namespace, and no other; so does one whose channel a project function builds with a
    fixed start (`names.sync` with `const names = channelNames(id)` returning `{ sync:
    channelName(id, 'sync') }` and `channelName = (n, a) => `state-${n}-${a}``). When an existing
    channel is within a small edit distance, the message names it as the likely intended one.
    A push through an app wrapper is judged only where main code calls the wrapper: called
    from shared or page code, the helper may run in the renderer, where it sends to main instead
    (`broadcast(ch)` that invokes a relay channel when `ipcRenderer` exists and calls
    `view.send(ch)` for every webContents otherwise).
    electron-better-ipc's calls are these operations: the page's `ipcRenderer.callMain` is an
    `invoke` that main's `ipcMain.answerRenderer` answers (like `handle`; only it: the library
    sends on a channel of its own, so a plain `ipcMain.handle` never answers `callMain`, nor
    `answerRenderer` a plain `invoke`), and main's
    `callRenderer`/`callFocusedRenderer`/`sendToRenderers` are pushes that the page's
    `ipcRenderer.answerMain` answers; the library's objects keep Electron's own methods
    (`ipc.on`, `ipc.send`).

    ## Why is this bad?
    The message is dropped silently (or, for `invoke`, the promise rejects with "No handler
    registered"). It is almost always a typo, a rename done on one side only, or a handler that
    was removed while its callers were not.

    ## Example
    ```js
    // file: main.js
    const { ipcMain } = require('electron')
    ipcMain.handle('settings:save', (_e, v) => save(v))
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      save: (v) => ipcRenderer.invoke('settings:sav', v),
    })
    ```

    ## Use instead
    ```js
    // file: main.js
    const { ipcMain } = require('electron')
    ipcMain.handle('settings:save', (_e, v) => save(v))
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      save: (v) => ipcRenderer.invoke('settings:save', v),
    })
    ```

    ## References
    - [Electron: Inter-Process Communication](https://www.electronjs.org/docs/latest/tutorial/ipc)
    - [CWE-440: Expected Behavior Violation](https://cwe.mitre.org/data/definitions/440.html)
    """
    g = project.graph
    ends = ChannelEnds(project)
    for e in g.edges:
        ends.add(e)
    for loc in g.generic_listen:
        ends.dynamic["listen"].add(project.apps.get(loc.path, ""))
    for e in g.contents_on:  # webContents.on('ipc-message'): what its listener compares the channel with
        ends.add(e)
    for loc in g.catch_all:  # main overrides ipcMain.emit, or relays 'ipc-message': it receives every message
        ends.dynamic["on"].add(project.apps.get(loc.path, ""))
    searched: dict[tuple[str, frozenset[str]], list[str]] = {}  # (app, roles) -> its page code (IPC011 alike)
    for e in g.edges:
        if e.channel is None or e.bridged or ignored_channel(e.channel, options):
            continue
        hit = _judge(project, ends, e, e.channel, searched)
        if hit is not None:
            yield hit


def _judge(project: Project, ends: ChannelEnds, e: Edge, ch: str,
           searched: dict[tuple[str, frozenset[str]], list[str]]) -> Hit | None:
    """A finding for edge ``e`` on channel ``ch``, or None. ``searched``: the files
    ``quoted_in_page_code`` searched for each app and roles, listed once for all the channels."""
    if e.kind in ("invoke", "send") and e.side == "renderer" and e.method != "sendToHost" and ends.by_library(e, ch):
        return None
    if e.kind == "invoke" and e.side == "renderer":
        if not ends.opened(ends.mains, e) or ends.opened(ends.dynamic["handle"], e):
            return None
        handles = ends.found("handle", e, ch)
        request = e.method in BETTER_REQUESTS
        answering = [o for o in handles if (o.method in BETTER_ANSWERS) == request]
        if answering:
            return None
        if handles:  # electron-better-ipc's callMain and answerRenderer talk on a channel of their own
            return _hit(e, f"{e.method} of '{ch}' is never answered: "
                           + ("electron-better-ipc delivers callMain to ipcMain.answerRenderer handlers only, "
                              f"and '{ch}' has only ipcMain.handle" if request else
                              f"'{ch}' has only electron-better-ipc's answerRenderer, which answers callMain only"),
                        handles)
        ons = ends.found("on", e, ch)
        if ons:
            return _hit(e, f"invoke of '{ch}' is never answered: it has only ipcMain.on listeners, "
                           f"and on never answers an invoke; register it with ipcMain.handle", ons)
        return _hinted(e, f"invoke of '{ch}' is never handled: no ipcMain.handle for '{ch}'", ends.names("handle", e))
    if e.kind == "send" and e.method == "sendToHost":
        if ends.opened(ends.dynamic["host"], e) or ends.found("host", e, ch):
            return None
        return _hinted(e, f"sendToHost of '{ch}' is never received: no host page listens for it with "
                          f"webview.addEventListener('ipc-message')", ends.names("host", e))
    if e.kind == "send" and e.side == "renderer":
        if not ends.opened(ends.mains, e) or ends.opened(ends.dynamic["on"], e):
            return None
        ons = [o for o in ends.found("on", e, ch) if _receives(o, e)]
        if ons:
            return _port_hit(project, e, ch, ons, "ipcMain.on listener")
        handles = ends.found("handle", e, ch)
        if handles:
            return _hit(e, f"{e.method} to '{ch}' is never received: it has only an ipcMain.handle "
                           f"handler, which answers invoke only; use invoke or ipcMain.on", handles)
        return _hinted(e, f"{e.method} to '{ch}' is never handled: no ipcMain.on for '{ch}'", ends.names("on", e))
    if e.kind == "push":
        if not ends.opened(ends.preloads, e) or ends.opened(ends.dynamic["listen"], e):
            return None
        if e.role is not Role.MAIN and any(v.kind is ViaKind.WRAPPER for v in e.via):
            return None  # a helper called from code that may run in the page (where it sends to main)
        listens = ends.found("listen", e, ch)
        if listens:
            return _port_hit(project, e, ch, listens, "listener")
        app = project.apps.get(e.path, "")
        page = GUEST if e.receiver == "webview" else PAGE  # a webview's guest listens in its preload
        # a host page that is a preload itself writes the channel in its own webview.send: no
        # mention by a listener, so its file is not searched
        own = e.path if e.receiver == "webview" and project.role(e.path).value in page else None
        if _allowed(ch, project.graph.allowed(app, listen=True)) or ch in mentioned_strings(project, page, app, own):
            return None
        paths = searched.get((app, page))
        if paths is None:
            paths = searched[(app, page)] = page_code_paths(project, app, page)
        if quoted_in_page_code(project, ch, app, page, [p for p in paths if p != own] if own else paths):
            return None
        where = "the guest page: no guest preload" if e.receiver == "webview" \
            else "the renderer: no preload or renderer"
        return _hinted(e, f"{e.method} of '{ch}' to {where} listens on it", ends.names("listen", e))
    return None


def _receives(o: Edge, e: Edge) -> bool:
    """Whether listener ``o`` gets send ``e``: a webContents 'ipc-message' listener gets `send`,
    an 'ipc-message-sync' one `sendSync` (a `postMessage` emits neither)."""
    if o.receiver != "webContents" or not o.method.startswith("ipc-message"):
        return True
    return e.method == ("sendSync" if o.method == "ipc-message-sync" else "send")


def _port_hit(project: Project, e: Edge, ch: str, ends: list[Edge], what: str) -> Hit | None:
    """A message that transfers MessagePorts reaches only the listeners that read `event.ports`."""
    if not e.ports or any(reads_ports(project, o) for o in ends):
        return None
    return _hit(e, f"{e.method} of '{ch}' transfers a MessagePort, but no {what} for '{ch}' reads "
                   f"event.ports: the port is lost", ends)


def _allowed(ch: str, allowlist: set[str]) -> bool:
    """A guarded generic listen path lets the page listen on its allowlisted channels."""
    return ch in allowlist or any(a.endswith("*") and ch.startswith(a[:-1]) for a in allowlist)


def _hinted(e: Edge, message: str, table: dict[str, list[Edge]]) -> Hit:
    """A finding that names the closest existing channel, when one is a likely typo."""
    hint = closest(e.channel or "", list(table))
    return _hit(e, message, (), hint, table)


def _hit(e: Edge, message: str, others: Sequence[Edge] = (), hint: str | None = None,
         table: dict[str, list[Edge]] | None = None) -> Hit:
    related = tuple(Location(o.path, o.span, f"registered at {o.path}:{o.span.line}") for o in others[:3])
    if hint:
        message += f" (did you mean '{hint}'?)"
        related += tuple(Location(o.path, o.span, f"'{hint}' is registered at {o.path}:{o.span.line}")
                         for o in (table or {}).get(hint, [])[:3])
    return Hit(e.path, e.span, message, key=f"{e.kind}:{e.channel}", related=related)

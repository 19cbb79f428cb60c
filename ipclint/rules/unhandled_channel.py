from __future__ import annotations

from collections.abc import Iterator, Sequence

from ipclint.link.calls import closest, mentioned_strings, quoted_in_page_code
from ipclint.link.graph import Edge
from ipclint.link.project import Project
from ipclint.model import Location, Severity
from ipclint.rules._base import ChannelOptions, Hit, ignored_channel, rule


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
    `webContents.send` to a channel that no preload or renderer listens on. Only channels whose
    value is known count. When an existing channel is within a small edit distance, the message
    names it as the likely intended one.

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
    handles: dict[str, list[Edge]] = {}
    ons: dict[str, list[Edge]] = {}
    listens: dict[str, list[Edge]] = {}
    dynamic = {"handle": False, "on": False, "listen": bool(g.generic_listen)}
    for e in g.edges:
        if e.kind == "handle" and e.side == "main":
            _add(handles, e, dynamic, "handle")
        elif e.kind == "on" and e.side == "main":
            _add(ons, e, dynamic, "on")
        elif e.kind == "on" and e.side == "renderer":
            _add(listens, e, dynamic, "listen")
    has_main = bool(handles or ons) or dynamic["handle"] or dynamic["on"] or any(
        i.role.value == "main" for i in project.roles.values())
    has_listeners = bool(listens) or dynamic["listen"] or any(
        i.role.value == "preload" for i in project.roles.values())
    for e in g.edges:
        if e.channel is None or e.bridged or ignored_channel(e.channel, options):
            continue
        ch = e.channel
        if e.kind == "invoke" and e.side == "renderer" and has_main and not dynamic["handle"]:
            if _in_app(project, e, handles.get(ch)):
                continue
            if _in_app(project, e, ons.get(ch)):
                yield _hit(e, f"invoke of '{ch}' is never answered: it has only ipcMain.on listeners, "
                              f"and on never answers an invoke; register it with ipcMain.handle", ons[ch])
            else:
                yield _hit(e, _msg("invoke of", ch, "ipcMain.handle", handles), (), closest(ch, list(handles)), handles)
        elif e.kind == "send" and e.side == "renderer" and e.method != "sendToHost" and has_main \
                and not dynamic["on"]:
            if _in_app(project, e, ons.get(ch)):
                continue
            if _in_app(project, e, handles.get(ch)):
                yield _hit(e, f"{e.method} to '{ch}' is never received: it has only an ipcMain.handle "
                              f"handler, which answers invoke only; use invoke or ipcMain.on", handles[ch])
            else:
                yield _hit(e, _msg(f"{e.method} to", ch, "ipcMain.on", ons), (), closest(ch, list(ons)), ons)
        elif e.kind == "push" and has_listeners and not dynamic["listen"] and not _in_app(project, e, listens.get(ch)) \
                and not _allowed(ch, g.allowlisted_listen) \
                and ch not in mentioned_strings(project, frozenset({"preload", "renderer"})) \
                and not quoted_in_page_code(project, ch):
            yield _hit(e, f"{e.method} of '{ch}' to the renderer: no preload or renderer listens on it",
                       (), closest(ch, list(listens)), listens)


def _in_app(project: Project, e: Edge, others: list[Edge] | None) -> bool:
    """Some of ``others`` (the other end of the channel) is in the same app as ``e``."""
    return others is not None and any(project.same_app(o.path, e.path) for o in others)


def _allowed(ch: str, allowlist: set[str]) -> bool:
    """A guarded generic listen path lets the page listen on its allowlisted channels."""
    return ch in allowlist or any(a.endswith("*") and ch.startswith(a[:-1]) for a in allowlist)


def _add(table: dict[str, list[Edge]], e: Edge, dynamic: dict[str, bool], kind: str) -> None:
    if e.channel is None:
        dynamic[kind] = True
    else:
        table.setdefault(e.channel, []).append(e)


def _msg(what: str, ch: str, needed: str, table: dict[str, list[Edge]]) -> str:
    return f"{what} '{ch}' is never handled: no {needed} for '{ch}'"


def _hit(e: Edge, message: str, others: Sequence[Edge] = (), hint: str | None = None,
         table: dict[str, list[Edge]] | None = None) -> Hit:
    related = tuple(Location(o.path, o.span, f"registered at {o.path}:{o.span.line}") for o in others[:3])
    if hint:
        message += f" (did you mean '{hint}'?)"
        related += tuple(Location(o.path, o.span, f"'{hint}' is registered at {o.path}:{o.span.line}")
                         for o in (table or {}).get(hint, [])[:3])
    span = e.span
    return Hit(e.path, span, message, key=f"{e.kind}:{e.channel}", related=related)

"""The channel graph: channels resolved across files, wrappers, bridges, roles; graph outputs."""
from __future__ import annotations

import io
import json
from pathlib import Path

from ipclint.engine import check
from ipclint.output.graph import graph_dict, write_dot, write_mermaid
from tests.helpers import write_project


def _graph(root: Path):
    return check([str(root)], use_cache=False, jobs=1, select=[], need_project=True).extra["project"]


def _view(root: Path):
    """The run result's graph view, which the graph formatters read (never the live project)."""
    return check([str(root)], use_cache=False, jobs=1, select=[]).graph


def _edges(project) -> set[tuple]:
    return {(e.kind, e.channel, e.path, e.span.line, e.role.value) for e in project.graph.edges}


def test_channels_resolve_across_files(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "tsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": { "@shared/*": ["src/shared/*"] } } }',
        "src/shared/enums.ts": "export enum Ch { Save = 'file:save', Load = 'file:load' }\n",
        "src/shared/consts.ts": "export const CH = { OPEN: 'win:open', CLOSE: `win:close` } as const\n"
                                "export const PREFIX = 'app'\n",
        "src/shared/index.ts": "export * from './enums'\nexport { CH as WIN } from './consts'\n",
        "src/shared/legacy.js": "module.exports = { PING: 'legacy:ping' }\nexports.PONG = 'legacy:pong'\n",
        "src/shared/frozen.ts": "export default Object.freeze({ QUIT: 'app:quit' })\n",
        "src/main/index.ts": """
            import { ipcMain } from 'electron'
            import { Ch, WIN } from '../shared'
            import * as consts from '../shared/consts.js'
            import FROZEN from '@shared/frozen'
            const { PING, PONG } = require('../shared/legacy')
            ipcMain.handle(Ch.Save, () => 1)
            ipcMain.handle(WIN.OPEN, () => 1)
            ipcMain.on(WIN.CLOSE, () => 1)
            ipcMain.on(`${consts.PREFIX}:ready`, () => 1)
            ipcMain.on(consts.PREFIX + ':gone', () => 1)
            ipcMain.handle(PING, () => 1)
            ipcMain.handle(PONG, () => 1)
            ipcMain.handle(FROZEN.QUIT, () => 1)
            let dyn = 'x'
            ipcMain.handle(dyn, () => 1)
            """,
    })
    p = _graph(root)
    got = {(e.channel, e.span.line) for e in p.graph.edges}
    assert got == {("file:save", 6), ("win:open", 7), ("win:close", 8), ("app:ready", 9), ("app:gone", 10),
                   ("legacy:ping", 11), ("legacy:pong", 12), ("app:quit", 13), (None, 15)}


def test_app_wrappers_and_bridge_attribution(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "src/main/ipc.ts": """
            import { ipcMain } from 'electron'
            export function addHandler(channel: string, fn: (...a: any[]) => any) {
              ipcMain.handle(channel, fn)
            }
            """,
        "src/main/ipc-main.ts": """
            import { ipcMain } from 'electron'
            export function on(channel: string, listener: (...a: any[]) => void) {
              ipcMain.on(channel, (event, ...args) => listener(event, ...args))
            }
            """,
        "src/main/index.ts": """
            import { app, BrowserWindow } from 'electron'
            import path from 'node:path'
            import { addHandler } from './ipc'
            import * as ipcMain from './ipc-main'
            addHandler('file:save', async (_e, data) => data)
            ipcMain.on('log', (_e, line) => console.log(line))
            app.whenReady().then(() => new BrowserWindow({ webPreferences: { preload: path.join(__dirname, '../preload/index.js') } }))
            """,
        "src/preload/index.ts": """
            import { contextBridge, ipcRenderer } from 'electron'
            const makeInvoker = (channel: string) => (...args: unknown[]) => ipcRenderer.invoke(channel, ...args)
            contextBridge.exposeInMainWorld('api', {
              save: makeInvoker('file:save'),
              log: (line: string) => ipcRenderer.send('log', line),
            })
            """,
        "src/renderer/app.ts": "window.api.log('hello')\nexport const x = 1\n",
    })
    p = _graph(root)
    edges = _edges(p)
    assert ("handle", "file:save", "src/main/index.ts", 5, "main") in edges
    assert ("on", "log", "src/main/index.ts", 6, "main") in edges
    assert ("invoke", "file:save", "src/preload/index.ts", 4, "preload") in edges
    assert ("send", "log", "src/preload/index.ts", 5, "preload") in edges
    assert ("send", "log", "src/renderer/app.ts", 1, "renderer") in edges
    handlers = [e for e in p.graph.edges if e.kind == "handle"]
    assert [e.wrapper_funcs != () for e in handlers] == [True]
    assert handlers[0].handler is not None
    assert not [e for e in p.graph.edges if e.path in ("src/main/ipc.ts", "src/main/ipc-main.ts")]
    roles = {path: info.role.value for path, info in p.roles.items()}
    assert roles["src/preload/index.ts"] == "preload"
    assert roles["src/renderer/app.ts"] == "renderer"
    assert roles["src/main/ipc.ts"] == "main"
    assert "preload" in p.roles["src/preload/index.ts"].reason


def test_toolkit_loops_relays_and_pushes(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "src/main/index.js": """
            const { ipcMain, BrowserWindow } = require('electron')
            const { EventEmitter } = require('events')
            const EVENTS = ['a:one', 'a:two']
            for (const ch of EVENTS) ipcMain.handle(ch, () => ch)
            class Relay extends EventEmitter {
              constructor() {
                super()
                ;['r:x', 'r:y'].forEach((name) => ipcMain.on(name, (e, ...a) => this.emit(name, e, ...a)))
              }
            }
            const relay = new Relay()
            relay.on('r:x', (e) => e.reply('r:done'))
            function push(win) { win.webContents.send('tick', 1) }
            module.exports = { push }
            """,
        "src/preload/index.js": """
            const { contextBridge } = require('electron')
            const { electronAPI } = require('@electron-toolkit/preload')
            contextBridge.exposeInMainWorld('electron', electronAPI)
            """,
        "src/renderer/main.js": "window.electron.ipcRenderer.invoke('a:one')\n",
    })
    p = _graph(root)
    edges = _edges(p)
    assert {("handle", "a:one", "src/main/index.js", 4, "main"), ("handle", "a:two", "src/main/index.js", 4, "main"),
            ("on", "r:x", "src/main/index.js", 8, "main"), ("on", "r:y", "src/main/index.js", 8, "main"),
            ("on", "r:x", "src/main/index.js", 12, "main"), ("push", "r:done", "src/main/index.js", 12, "main"),
            ("push", "tick", "src/main/index.js", 13, "main"),
            ("invoke", "a:one", "src/renderer/main.js", 1, "renderer")} <= edges
    assert p.graph.generic_send and p.graph.generic_listen


def test_graph_outputs(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "main.js": "const { ipcMain } = require('electron')\nipcMain.handle('a\"b', () => 1)\nipcMain.on(x, f)\n",
        "renderer.js": "const { ipcRenderer } = require('electron')\nipcRenderer.invoke('a\"b')\n",
    })
    p = _view(root)
    d = graph_dict(p)
    assert [c["channel"] for c in d["channels"]] == ['a"b']
    ch = d["channels"][0]
    assert [(s["path"], s["line"], s["kind"], s["role"]) for s in ch["senders"]] == [("renderer.js", 2, "invoke", "renderer")]
    assert [(s["path"], s["line"], s["kind"], s["role"]) for s in ch["handlers"]] == [("main.js", 2, "handle", "main")]
    assert [(x["path"], x["line"], x["expression"]) for x in d["dynamic"]] == [("main.js", 3, "x")]
    json.dumps(d)
    out = io.StringIO()
    write_mermaid(p, out)
    text = out.getvalue()
    assert text.startswith("flowchart LR\n") and "a#quot;b" in text and "invoke: a#quot;b" in text
    out = io.StringIO()
    write_dot(p, out)
    assert out.getvalue().startswith("digraph ipc {") and 'label="invoke: a\\"b"' in out.getvalue()


EXAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "example-app"


def test_example_app_graph() -> None:
    d = graph_dict(_view(EXAMPLE))
    got = {c["channel"]: {k: sorted((x["path"], x["line"], x["kind"], x["role"]) for x in c[k])
                          for k in ("senders", "handlers", "pushes", "listeners")} for c in d["channels"]}
    pre, app, main = "src/preload/index.ts", "src/renderer/App.tsx", "src/main/ipc.ts"
    assert got == {
        "app:version": {"senders": [(pre, 9, "send", "preload"), (app, 22, "send", "renderer")],
                        "handlers": [(main, 33, "on", "main")], "pushes": [], "listeners": []},
        "link:open": {"senders": [(pre, 8, "invoke", "preload"), (app, 14, "invoke", "renderer")],
                      "handlers": [(main, 29, "handle", "main")], "pushes": [], "listeners": []},
        "note:changed": {"senders": [], "handlers": [], "pushes": [(main, 21, "push", "main")],
                         "listeners": [(pre, 14, "on", "preload"), (app, 11, "on", "renderer")]},
        "note:load": {"senders": [(pre, 5, "invoke", "preload"), (app, 11, "invoke", "renderer")],
                      "handlers": [(main, 11, "handle", "main")], "pushes": [], "listeners": []},
        "note:sav": {"senders": [(pre, 6, "invoke", "preload"), (app, 13, "invoke", "renderer")],
                     "handlers": [], "pushes": [], "listeners": []},
        "note:save": {"senders": [], "handlers": [(main, 17, "handle", "main")], "pushes": [], "listeners": []},
        "notes:export-all": {"senders": [], "handlers": [(main, 37, "handle", "main")], "pushes": [],
                             "listeners": []},
        "settings:set": {"senders": [(pre, 7, "invoke", "preload"), ("src/renderer/settings.js", 7, "invoke", "renderer")],
                         "handlers": [(main, 25, "handle", "main")], "pushes": [], "listeners": []},
        "sync:progress": {"senders": [], "handlers": [], "pushes": [],
                          "listeners": [(pre, 11, "on", "preload"), (app, 8, "on", "renderer")]},
    }
    assert d["dynamic"] == []
    kinds = {e["key"]: e["kind"] for e in d["exposures"]}
    assert kinds["notes.listen"] == "raw-method" and kinds["notes.load"] == "fixed"
    assert [g["member"] for g in d["generic_paths"]] == ["notes/listen"]
    roles = {f["path"]: f["role"] for f in d["files"]}
    assert roles == {"src/main/index.ts": "main", "src/main/ipc.ts": "main", "src/main/security.ts": "main",
                     "src/preload/index.ts": "preload", "src/renderer/App.tsx": "renderer",
                     "src/renderer/settings.js": "renderer", "src/shared/channels.ts": "shared"}


def test_port_and_webview_edges_in_the_graph(tmp_path: Path) -> None:
    """SPEC section 1, "MessagePorts and webviews": port transfers and port handlers are edges of
    kind port; a guest's sendToHost goes to the host page's 'ipc-message' listener and the host's
    webview.send to the guest's listener (kind webview); `ipclint graph` shows both."""
    root = write_project(tmp_path, {
        "package.json": '{"main": "main.js", "devDependencies": {"electron": "^31.0.0"}}',
        "main.js": """
            const { app, BrowserWindow, ipcMain, MessageChannelMain } = require('electron')
            ipcMain.on('search:port', (event) => {
              const [port] = event.ports
              port.on('message', ({ data }) => port.postMessage(String(data)))
            })
            app.whenReady().then(() => {
              const win = new BrowserWindow({ webPreferences: { preload: __dirname + '/preload.js' } })
              const { port1, port2 } = new MessageChannelMain()
              win.webContents.postMessage('clock:port', null, [port1])
              port2.on('message', (e) => console.log(e.data))
            })
            """,
        "preload.js": """
            const { ipcRenderer } = require('electron')
            const { port1, port2 } = new MessageChannel()
            ipcRenderer.postMessage('search:port', null, [port2])
            ipcRenderer.on('clock:port', (event) => window.postMessage('clock', '*', event.ports))
            """,
        "guest-preload.js": """
            const { ipcRenderer } = require('electron')
            ipcRenderer.sendToHost('guest:ready')
            ipcRenderer.on('host:theme', (_e, theme) => { document.body.className = theme })
            """,
        "host.js": """
            const webview = document.querySelector('webview')
            webview.addEventListener('ipc-message', (e) => {
              if (e.channel === 'guest:ready') webview.send('host:theme', 'dark')
            })
            """,
    })
    p = _graph(root)
    edges = _edges(p)
    assert ("port", "search:port", "main.js", 4, "main") in edges  # event.ports of the search:port handler
    assert ("port", "clock:port", "main.js", 10, "main") in edges  # the twin of the port posted on clock:port
    assert ("host", "guest:ready", "host.js", 2, "renderer") in edges
    assert ("push", "host:theme", "host.js", 3, "renderer") in edges
    transfers = {(e.channel, e.kind) for e in p.graph.edges if e.ports}
    assert transfers == {("search:port", "send"), ("clock:port", "push")}
    view = graph_dict(_view(root))
    kinds = {(c["channel"], part, x["kind"], x["direction"]) for c in view["channels"]
             for part in ("senders", "handlers", "pushes", "listeners") for x in c[part]}
    assert ("search:port", "senders", "port", "renderer-to-main") in kinds
    assert ("search:port", "handlers", "port", "renderer-to-main") in kinds
    assert ("clock:port", "pushes", "port", "main-to-renderer") in kinds
    assert ("guest:ready", "senders", "webview", "guest-to-host") in kinds
    assert ("guest:ready", "listeners", "webview", "guest-to-host") in kinds
    assert ("host:theme", "pushes", "webview", "host-to-guest") in kinds
    assert not any(x.get("unhandled") or x.get("unused") for c in view["channels"]
                   for part in ("senders", "handlers", "pushes") for x in c[part])
    out = io.StringIO()
    write_mermaid(_view(root), out)
    assert "webview: guest:ready" in out.getvalue() and "port: search:port" in out.getvalue()

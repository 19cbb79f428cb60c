"""A page that declares the exposed API's type with `declare global { const api: Api }` or
`declare const api: Api` and then calls it as a bare global is page code: the ambient
declaration says the name exists elsewhere (the preload put it there), it binds nothing."""
from __future__ import annotations

from pathlib import Path

from ipclint.engine import check
from tests.helpers import write_project

APP: dict[str, str | bytes] = {
    "src/main.js": """
        const { app, BrowserWindow, ipcMain } = require('electron')
        const path = require('path')
        app.whenReady().then(() => {
          new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'bridge.js') } })
        })
        ipcMain.on('notes:touch', () => {})
        """,
    "src/bridge.js": """
        const { contextBridge, ipcRenderer } = require('electron')
        contextBridge.exposeInMainWorld('notesBridge', { touch: () => ipcRenderer.send('notes:touch') })
        contextBridge.exposeInMainWorld('shelfBridge', { touch: () => ipcRenderer.send('notes:touch') })
        """,
    "src/ui/in-global-block.ts": """
        declare global {
          const notesBridge: { touch(): void }
        }
        export function poke(): void {
          notesBridge.touch()
        }
        """,
    "src/ui/declared-const.ts": """
        declare const shelfBridge: { touch(): void }
        export const poke2 = (): void => shelfBridge.touch()
        """,
}


def test_an_ambient_declaration_of_the_exposed_global_does_not_hide_it(tmp_path: Path) -> None:
    root = write_project(tmp_path, APP, main="src/main.js")
    r = check([str(root)], use_cache=False, jobs=1)
    roles = {p.path: (p.role.value, p.reason) for p in r.roles}
    assert roles["src/ui/in-global-block.ts"] == ("renderer", "uses the exposed API notesBridge as a global")
    assert roles["src/ui/declared-const.ts"] == ("renderer", "uses the exposed API shelfBridge as a global")
    senders = {e.path for e in r.extra["project"].graph.edges if e.channel == "notes:touch" and e.kind == "send"}
    assert {"src/ui/in-global-block.ts", "src/ui/declared-const.ts"} <= senders


NESTED: dict[str, str | bytes] = {
    "src/main.js": """
        const { app, BrowserWindow, ipcMain } = require('electron')
        const path = require('path')
        app.whenReady().then(() => {
          new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'bridge.js') } })
        })
        ipcMain.on('win:focus', () => {})
        """,
    "src/bridge.js": """
        const { contextBridge, ipcRenderer } = require('electron')
        contextBridge.exposeInMainWorld('DeskNative', { win: { focus: () => ipcRenderer.send('win:focus') } })
        contextBridge.exposeInMainWorld('process', { platform: process.platform })
        """,
    "src/ui/focus.ts": """
        export function focusWindow(): void {
          DeskNative.win.focus()
        }
        """,
    # a concatenated main script: the Electron module is a global of the bundle
    "main/views.js": """
        function focusView(id) {
          electron.webContents.fromId(id).focus()
        }
        """,
    # Node's process, though a preload exposes a 'process' too
    "lib/paths.js": """
        export function searchPath() {
          return process.env.PATH.split(':')
        }
        """,
}


def test_a_namespace_of_the_exposed_global_is_page_evidence(tmp_path: Path) -> None:
    """Vesktop's page calls `VesktopNative.win.focus()`: a method of an object nested in the exposed
    API, called through the bare global (declared in a .d.ts), makes the file page code."""
    root = write_project(tmp_path, NESTED, main="src/main.js")
    r = check([str(root)], use_cache=False, jobs=1)
    roles = {p.path: (p.role.value, p.reason) for p in r.roles}
    assert roles["src/ui/focus.ts"] == ("renderer", "uses the exposed API DeskNative as a global")
    assert roles["main/views.js"][0] == "shared"  # runtime globals: the Electron module, Node's process
    assert roles["lib/paths.js"][0] == "shared"

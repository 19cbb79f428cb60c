"""A legacy page whose .html document makes ipcRenderer a global in an inline classic `<script>`
(`const { ipcRenderer } = require('electron')`, `window.ipc = require('electron').ipcRenderer`):
the page's other code calls that global with no import, and is renderer code whose IPC calls
count. A module script's top-level bindings are its own; a name a file binds itself is not the
global; a page of another app makes nothing global for this one."""
from __future__ import annotations

from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.link.project import _inline_ipc_globals
from tests.helpers import count_calls, write_project

APP: dict[str, str | bytes] = {
    "package.json": '{"name": "outer", "main": "main.js", "devDependencies": {"electron": "31.0.0"}}',
    "main.js": """
        const { app, BrowserWindow } = require('electron')
        let win
        app.whenReady().then(() => {
          win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } })
          win.loadFile('index.html')
          win.on('close', () => win.webContents.send('board:closing'))
        })
        """,
    "index.html": """<!doctype html>
<html><body>
<script>
  const { ipcRenderer, shell } = require('electron')
  window.bus = require('electron').ipcRenderer
  function later() { var inner = require('electron').ipcRenderer }
</script>
<script type="module">
  const tray = require('electron').ipcRenderer
</script>
</body></html>
""",
    "src/board.js": """
        export default {
          mounted() {
            ipcRenderer.on('board:closing', () => this.save())
          },
          methods: { save() {} },
        }
        """,
    "src/bus.js": """
        export function ping() {
          bus.on('board:closing', () => {})
        }
        """,
    "src/tray.js": """
        export function poke() {
          tray.on('board:closing', () => {})
          inner.on('board:closing', () => {})
        }
        """,
    "src/shadow.js": """
        export function hook(ipcRenderer) {
          ipcRenderer.on('board:closing', () => {})
        }
        """,
    "other/package.json": '{"name": "other", "devDependencies": {"electron": "31.0.0"}}',
    "other/page.js": """
        export function watch() {
          ipcRenderer.on('board:closing', () => {})
        }
        """,
}


def test_inline_classic_scripts_make_their_top_level_ipc_bindings_globals() -> None:
    assert _inline_ipc_globals(APP["index.html"].encode()) == {"ipcRenderer", "bus"}  # type: ignore[union-attr]
    assert _inline_ipc_globals(b"<script src='a.js'>const ipc = require('electron').ipcRenderer</script>") == set()
    assert _inline_ipc_globals(b"<script>var ipc = require('electron').ipcRenderer.send</script>") == set()
    assert _inline_ipc_globals(b"<script type='text/javascript'>let { ipcRenderer: ipc } = "
                               b"require(\"electron\")</script>") == {"ipc"}


def test_page_code_calling_a_documents_ipc_global_is_a_legacy_renderer(tmp_path: Path) -> None:
    root = write_project(tmp_path, APP)
    r = check([str(root)], use_cache=False, jobs=1)
    roles = {p.path: p.role.value for p in r.roles}
    assert roles["src/board.js"] == "renderer" and roles["src/bus.js"] == "renderer"
    # a module script's binding, a function's, a parameter and another app's page: no global
    assert roles["src/tray.js"] == "shared" and roles["src/shadow.js"] == "shared" and roles["other/page.js"] == "shared"
    found = sorted((f.rule, f.path, f.span.line) for f in r.findings if f.rule in ("IPC003", "IPC004"))
    assert found == [("IPC003", "main.js", 6), ("IPC003", "src/board.js", 3), ("IPC003", "src/bus.js", 2),
                     ("IPC004", "src/board.js", 3)]


def test_a_documents_globals_are_read_once_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The names a page document makes global come from its bytes alone (``FileMemo.page_globals``):
    its inline scripts are searched once a run, however many rounds link (src/bus.js is parsed
    only in a later round, asked for as a user of the page's `bus`)."""
    import ipclint.link
    import ipclint.link.project as project_module
    rounds = count_calls(monkeypatch, ipclint.link, "link")
    searched = count_calls(monkeypatch, project_module, "_inline_ipc_globals")
    r = check([str(write_project(tmp_path, APP))], use_cache=False, jobs=1)
    assert {p.path: p.role.value for p in r.roles}["src/bus.js"] == "renderer"
    assert rounds[0] >= 2 and searched == [1]

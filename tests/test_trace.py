"""An IPC006 finding's trace names the renderer, preload and main locations, in that order."""
from __future__ import annotations

from pathlib import Path

from ipclint.engine import check
from ipclint.model import Role, StepKind
from tests.helpers import write_project

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "IPC006" / "bad-open-external-through-bridge"


def test_tainted_sink_trace_crosses_the_three_processes() -> None:
    r = check([str(FIXTURE)], select=["IPC006"], use_cache=False, jobs=1)
    [f] = r.findings
    steps = [(t.path, t.span.line) for t in f.trace]
    assert steps == [
        ("src/renderer/links.ts", 2),   # window.api.openLink(href)
        ("src/preload/index.ts", 5),    # ipcRenderer.invoke(CH.OPEN_LINK, url)
        ("src/main/index.ts", 5),       # the handler parameter `url`
        ("src/main/index.ts", 6),       # shell.openExternal(url)
    ]
    assert [s.kind for s in f.trace] == [StepKind.BRIDGE_CALL, StepKind.PRELOAD_SEND, StepKind.HANDLER_PARAMETER,
                                         StepKind.SINK]
    assert [s.role for s in f.trace] == [Role.RENDERER, Role.PRELOAD, Role.MAIN, Role.MAIN]
    assert f.trace[2].name == "url" and f.trace[3].name == "shell.openExternal"


def test_a_trace_through_a_factory_made_bridge_keeps_its_preload_step(tmp_path: Path) -> None:
    """The preload step is found by its kind, not by the words of a label: a bridge function made
    by a factory (`make = ch => (...a) => ipcRenderer.invoke(ch, ...a)`) has one too."""
    root = write_project(tmp_path / "app", {
        "src/main/index.js": """
            const { app, ipcMain, shell, BrowserWindow } = require('electron')
            const path = require('path')
            ipcMain.handle('link:open', (_e, url) => shell.openExternal(url))
            app.whenReady().then(() => new BrowserWindow({ webPreferences: { preload: path.join(__dirname, '../preload/index.js') } }))
            """,
        "src/preload/index.js": """
            const { contextBridge, ipcRenderer } = require('electron')
            const make = (ch) => (...args) => ipcRenderer.invoke(ch, ...args)
            contextBridge.exposeInMainWorld('api', { open: make('link:open') })
            """,
        "src/renderer/app.js": "export function go(u) { return window.api.open(u) }\n",
    })
    r = check([str(root)], select=["IPC006"], use_cache=False, jobs=1)
    (f,) = r.findings
    assert [(s.kind, s.role, s.path) for s in f.trace] == [
        (StepKind.BRIDGE_CALL, Role.RENDERER, "src/renderer/app.js"),
        (StepKind.PRELOAD_SEND, Role.PRELOAD, "src/preload/index.js"),
        (StepKind.HANDLER_PARAMETER, Role.MAIN, "src/main/index.js"),
        (StepKind.SINK, Role.MAIN, "src/main/index.js")]
    assert f.trace[1].span.line == 2  # the ipcRenderer.invoke inside the function the factory makes

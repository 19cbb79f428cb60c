"""Pathological files for the link stage and the rules (SPEC §7): shapes real code could have in
one file, at sizes the extraction budget lets through, whose later work must grow linearly too
(counted as the lines link() and run_rules() run, never timed; see test_pathological.py)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .test_pathological import _link_and_rule_work

RENDERER = "const { ipcRenderer } = window.require('electron')\n"


def vue_setup(n: int) -> dict[str, str]:
    """One Vue setup with n onMounted subscriptions, each removed in its own onUnmounted."""
    return {"renderer.js": "import { onMounted, onUnmounted } from 'vue'\n" + RENDERER
            + "export default { setup() {\n" + "".join(
                f"  const h{i} = (e, v) => f(v)\n  onMounted(() => ipcRenderer.on('ev:{i}', h{i}))\n"
                f"  onUnmounted(() => ipcRenderer.removeListener('ev:{i}', h{i}))\n" for i in range(n)) + "} }\n"}


def class_component(n: int) -> dict[str, str]:
    """A class component subscribing n channels in componentDidMount, removing them in
    componentWillUnmount."""
    return {"renderer.js": "import React from 'react'\n" + RENDERER + "export class C extends React.Component {\n"
            + "  componentDidMount() {\n" + "".join(f"    ipcRenderer.on('ev:{i}', this.h{i})\n" for i in range(n))
            + "  }\n  componentWillUnmount() {\n"
            + "".join(f"    ipcRenderer.removeListener('ev:{i}', this.h{i})\n" for i in range(n)) + "  }\n}\n"}


def class_component_misses(n: int) -> dict[str, str]:
    """The same, but the cleanup removes other channels: every subscription says why it leaks."""
    return {"renderer.js": "import React from 'react'\n" + RENDERER + "export class C extends React.Component {\n"
            + "  componentDidMount() {\n" + "".join(f"    ipcRenderer.on('ev:{i}', this.h{i})\n" for i in range(n))
            + "  }\n  componentWillUnmount() {\n"
            + "".join(f"    ipcRenderer.removeListener('other:{i}', this.h{i})\n" for i in range(n)) + "  }\n}\n"}


def react_effects(n: int) -> dict[str, str]:
    """One function component with n effects, each returning its cleanup."""
    return {"renderer.jsx": "import { useEffect } from 'react'\n" + RENDERER + "export function C() {\n" + "".join(
        f"  useEffect(() => {{ const h = (e, v) => f(v); ipcRenderer.on('ev:{i}', h);"
        f" return () => ipcRenderer.removeListener('ev:{i}', h) }}, [])\n" for i in range(n)) + "  return null\n}\n"}


MAIN = "const { app, BrowserWindow, ipcMain, shell } = require('electron')\n"


def window_teardown(n: int) -> dict[str, str]:
    """A createWindow that registers n handlers, removed when the window closes (IPC012's gate)."""
    return {"main.js": MAIN + "let win = null\nfunction createWindow() {\n  win = new BrowserWindow({})\n"
            + "".join(f"  ipcMain.handle('ch:{i}', (e, a) => a)\n" for i in range(n)) + "  win.on('closed', () => {\n"
            + "".join(f"    ipcMain.removeHandler('ch:{i}')\n" for i in range(n)) + "    win = null\n  })\n}\n"
            + "app.on('activate', () => { if (win === null) createWindow() })\napp.whenReady().then(createWindow)\n"}


def picked_windows(n: int) -> dict[str, str]:
    """n handlers acting on a window the renderer picks by id (IPC017's holders and actions)."""
    return {"main.js": MAIN + "".join(f"ipcMain.on('ch:{i}', (e, id) => {{ const w = BrowserWindow.fromId(id);"
                                      f" w.setTitle('x'); w.close() }})\n" for i in range(n))}


def new_window_listeners(n: int) -> dict[str, str]:
    """n windows with a legacy 'new-window' listener each (whether it prevents the default)."""
    return {"main.js": MAIN + "".join(
        f"const w{i} = new BrowserWindow({{}})\nw{i}.webContents.on('new-window', (e, url) => {{ e.preventDefault();"
        f" shell.openExternal(url) }})\n" for i in range(n))}


def remote_preload(n: int) -> dict[str, str]:
    """A remote page's preload exposing n functions, each invoking a handler that passes page data
    to a sink (IPC014: the channels each exposed function sends on)."""
    return {"preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
            + "contextBridge.exposeInMainWorld('api', {\n"
            + "".join(f"  f{i}: (a) => ipcRenderer.invoke('ch:{i}', a),\n" for i in range(n)) + "})\n",
            "main.js": MAIN + "const path = require('path')\n"
            + "const w = new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'preload.js') } })\n"
            + "w.loadURL('https://example.com/')\n"
            + "".join(f"ipcMain.handle('ch:{i}', (e, a) => shell.openExternal(a))\n" for i in range(n))}


def exposed_on_off(n: int) -> dict[str, str]:
    """A preload exposing n pairs: a subscribe function with a wrapped callback and an off function
    removing its channel's listeners (IPC004 a: is each subscription removed by another function)."""
    return {"preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
            + "contextBridge.exposeInMainWorld('api', {\n" + "".join(
                f"  onE{i}: (cb) => {{ ipcRenderer.on('e{i}', (e, v) => cb(v)) }},\n"
                f"  offE{i}: () => ipcRenderer.removeAllListeners('e{i}'),\n" for i in range(n)) + "})\n",
            "main.js": MAIN + "new BrowserWindow({ webPreferences: { preload: require('path').join(__dirname, 'preload.js') } })\n"}


def channel_table(n: int) -> dict[str, str]:
    """A table of n channel names and a handler for each (`ipcMain.handle(CH.K1, ...)`): each
    lookup of a key in the object literal."""
    return {"main.js": MAIN + "const CH = {\n" + "".join(f"  K{i}: 'ch:{i}',\n" for i in range(n)) + "}\n"
            + "".join(f"ipcMain.handle(CH.K{i}, (e, a) => a)\n" for i in range(n))}


def window_maps(n: int) -> dict[str, str]:
    """n Maps of windows, each with a handler closing the window the renderer picks from it
    (IPC016: whether a collection holds the app's windows, what is stored into it)."""
    return {"main.js": MAIN + "".join(f"const m{i} = new Map()\nm{i}.set(1, new BrowserWindow({{}}))\n"
                                      f"ipcMain.on('ch:{i}', (e, id) => {{ m{i}.get(id).close() }})\n" for i in range(n))}


SHAPES: dict[str, tuple[Callable[[int], dict[str, str]], int]] = {
    "vue_setup": (vue_setup, 60), "class_component": (class_component, 100),
    "class_component_misses": (class_component_misses, 100), "react_effects": (react_effects, 100),
    "window_teardown": (window_teardown, 100), "picked_windows": (picked_windows, 100),
    "new_window_listeners": (new_window_listeners, 100), "remote_preload": (remote_preload, 300),
    "exposed_on_off": (exposed_on_off, 100), "channel_table": (channel_table, 400),
    "window_maps": (window_maps, 100)}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_link_and_rules_work_grows_linearly(shape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make, n = SHAPES[shape]
    small, large = (_link_and_rule_work(tmp_path / str(k), monkeypatch, make(k)) for k in (n, 2 * n))
    assert small > 0
    assert large <= 2.2 * small, (small, large)

"""Members written into an exposed object after it is made are counted once each."""
from __future__ import annotations

from pathlib import Path

from ipclint.engine import check
from tests.helpers import write_project

MAIN = ("const { BrowserWindow } = require('electron')\nconst path = require('path')\n"
        "const w = new BrowserWindow({ webPreferences: { contextIsolation: false,"
        " preload: path.join(__dirname, 'preload.js') } })\n"
        "w.loadURL('https://remote.example.com/')\n")


def test_members_written_onto_a_window_object_are_not_counted_twice(tmp_path: Path) -> None:
    preload = ("const { ipcRenderer } = require('electron')\n"
               "window.bridge = {}\n"
               "window.bridge.send = (ch, a) => ipcRenderer.send(ch, a)\n"
               "window.bridge.on = (ch, fn) => ipcRenderer.on(ch, fn)\n"
               "window.bridge.invoke = (ch, a) => ipcRenderer.invoke(ch, a)\n")
    r = check([str(write_project(tmp_path / "app", {"main.js": MAIN, "preload.js": preload}))],
              use_cache=False, jobs=1, select=["IPC019"])
    messages = [f.message for f in r.findings]
    assert len(messages) == 1 and messages[0].endswith("(and 2 more)"), messages

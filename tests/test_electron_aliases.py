"""Electron objects reached through a `let` set later and through parameters that callers in
other files fill (SPEC section 1, Electron bindings): the roles and the graph edges they give."""
from __future__ import annotations

from pathlib import Path

from ipclint.engine import check
from ipclint.link.project import Project
from tests.helpers import write_project


def _linked(root: Path) -> Project:
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error, r.errors
    project = r.extra["project"]
    assert isinstance(project, Project)
    return project


def _edges(project: Project) -> set[tuple[str, str | None, str, str]]:
    return {(e.kind, e.channel, e.path, e.role.value) for e in project.graph.edges}


def test_a_let_set_later_to_ipcrenderer_makes_a_legacy_renderer(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", {
        "main.js": "const { ipcMain } = require('electron')\nrequire('./logger')\n"
                   "ipcMain.on('log', (e) => { e.returnValue = 1 })\n",
        "logger.js": "let ipc = null\nif (process.type === 'renderer') { ipc = require('electron').ipcRenderer }\n"
                     "module.exports.log = (m) => ipc.sendSync('log', m)\n",
        "twice.js": "let ipc\nif (process.env.X) { ipc = require('./fake') } else { ipc = require('electron').ipcRenderer }\n"
                    "module.exports.log = (m) => ipc.sendSync('other', m)\n",
        "fake.js": "module.exports = { sendSync: () => null }\n",
    }, main="main.js")
    project = _linked(root)
    assert project.role("logger.js").value == "renderer"
    assert project.role("twice.js").value != "renderer"
    edges = _edges(project)
    assert ("send", "log", "logger.js", "renderer") in edges
    assert not any(e[1] == "other" for e in edges)

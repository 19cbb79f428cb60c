"""Channel names read from JSON modules (link/project.py ``json_value``)."""
from __future__ import annotations

import json
from pathlib import Path

from ipclint.engine import check
from tests.helpers import write_project


def _app(tmp_path: Path, channels: dict[str, object]) -> Path:
    return write_project(tmp_path / "app", {
        "src/ipc.json": json.dumps(channels),
        "src/main.js": "const { ipcMain } = require('electron')\nconst C = require('./ipc.json')\n"
                       "ipcMain.handle(C.OPEN, () => 1)\n",
        "src/page.js": "import C from './ipc.json'\nconst { ipcRenderer } = require('electron')\n"
                       "ipcRenderer.invoke(C.OPN)\n",
    }, main="src/main.js")


def test_a_json_module_names_channels(tmp_path: Path) -> None:
    r = check([str(_app(tmp_path, {"OPEN": "open-it", "OPN": "opn-it"}))], use_cache=False, jobs=1)
    assert sorted((f.rule, f.path, f.span.line) for f in r.findings if f.rule in ("IPC010", "IPC011")) == [
        ("IPC010", "src/page.js", 3), ("IPC011", "src/main.js", 3)]


def test_a_huge_json_module_is_unknown_not_slow(tmp_path: Path) -> None:
    big: dict[str, object] = {f"K{i}": f"ch-{i}" for i in range(60_000)}
    big.update(OPEN="open-it", OPN="opn-it")
    r = check([str(_app(tmp_path, big))], use_cache=False, jobs=1)
    assert not r.internal_error
    assert not [f for f in r.findings if f.rule in ("IPC010", "IPC011")]  # (dynamic channels: no graph finding)

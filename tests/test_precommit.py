"""The pre-commit hook, run by the real pre-commit tool (`pre-commit try-repo` on this repository)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

CHANNELS = "module.exports = { CH: { VERSION: 'app:version' } }\n"
MAIN = """const { app, ipcMain } = require('electron')
const { CH } = require('./channels')

ipcMain.handle(CH.VERSION, (event) => {
  if (new URL(event.senderFrame.url).origin !== 'app://local') return null
  return app.getVersion()
})
"""
BAD_PRELOAD = """const { contextBridge, ipcRenderer } = require('electron')

contextBridge.exposeInMainWorld('ipc', ipcRenderer)
"""
GOOD_PRELOAD = """const { contextBridge, ipcRenderer } = require('electron')
const { CH } = require('./channels')

contextBridge.exposeInMainWorld('api', { version: () => ipcRenderer.invoke(CH.VERSION) })
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_hook_blocks_a_vulnerable_app_and_passes_once_fixed(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text('{"name": "app", "main": "main.js", "devDependencies": {"electron": "31.0.0"}}')
    (app / "channels.js").write_text(CHANNELS)
    (app / "main.js").write_text(MAIN)
    (app / "preload.js").write_text(BAD_PRELOAD)
    _git(app, "init", "-q")
    _git(app, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "ipclint", "--all-files", "--verbose"]
    bad = subprocess.run(cmd, cwd=app, env=env, capture_output=True, text=True, timeout=900)
    out = bad.stdout + bad.stderr
    assert bad.returncode == 1, out
    assert "IPC001" in out and "preload.js" in out
    (app / "preload.js").write_text(GOOD_PRELOAD)
    _git(app, "add", ".")
    good = subprocess.run(cmd, cwd=app, env=env, capture_output=True, text=True, timeout=900)
    assert good.returncode == 0, good.stdout + good.stderr


def test_hook_triggers_on_every_file_that_changes_results() -> None:
    """The hook's `files` pattern (the same in the README's snippet): sources, page documents and
    every JSON file (package.json, tsconfig paths, JSON modules of channel names), the config;
    not the rest of a repository."""
    import re
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text()
    pattern = re.search(r"^  files: '(.*)'$", hooks, re.M)
    assert pattern is not None and f"files: '{pattern.group(1)}'" in (REPO / "README.md").read_text()
    files = re.compile(pattern.group(1))
    for name in ("src/main.ts", "src/a.cts", "src/App.vue", "index.html", "src/Page.svelte", "package.json",
                 "tsconfig.node.json", "src/ipc/channels.json", ".ipclint.toml", "ipclint.toml"):
        assert files.search(name), name
    for name in ("README.md", "src/logo.png", "docs/notes.txt", "Cargo.toml"):
        assert not files.search(name), name

"""Write small projects for tests."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any


def write_project(root: Path, files: dict[str, str | bytes], electron: str = "31.0.0",
                  main: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    pkg = {"name": "t", "version": "1.0.0", "devDependencies": {"electron": electron}}
    if main:
        pkg["main"] = main
    if "package.json" not in files:
        (root / "package.json").write_text(json.dumps(pkg))
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


# Two rounds: the first links the files that mention Electron; it finds the validator behind a
# tsconfig alias (src/lib/check.ts) and a caller of the app's IPC wrapper (src/main/tasks.ts)
# missing, and the second links them too.
ROUNDS_APP: dict[str, str | bytes] = {
    "tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@lib/*": ["src/lib/*"]}}}',
    "src/main/index.ts": """
        import { app, BrowserWindow, ipcMain } from 'electron'
        import { isSafe } from '@lib/check'
        import { onMessage } from './wrap'
        ipcMain.handle('file:open', (_e, p) => { if (!isSafe(p)) return; return require('fs').readFileSync(p) })
        app.whenReady().then(() => { new BrowserWindow({ webPreferences: { preload: 'preload.js' } }) })
        onMessage('ping', () => 1)
        """,
    "src/main/wrap.ts": """
        import { ipcMain } from 'electron'
        export function onMessage(channel: string, fn: (...a: unknown[]) => unknown) { ipcMain.on(channel, fn) }
        """,
    "src/main/tasks.ts": """
        import { onMessage as listen } from './wrap'
        listen('task:run', (_e, cmd) => { require('child_process').exec(cmd) })
        """,
    "src/lib/check.ts": "export function isSafe(p: string): boolean { return p.startsWith('/safe/') }\n",
    "src/lib/other.ts": "export function isShort(p: string): boolean { return p.length < 64 }\n",
}


def count_calls(monkeypatch: Any, owner: Any, name: str) -> list[int]:
    """Calls of ``owner.name`` from now on (patched with ``monkeypatch``), counted in the returned
    one-item list: the work tests' counter."""
    seen = [0]
    fn = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        seen[0] += 1
        return fn(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return seen

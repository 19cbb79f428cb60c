"""Choose, with byte searches only, the files that can matter; the rest are never parsed.

A file matters when it mentions Electron or IPC (phase 1), when it uses a key a preload exposes
(`window.api`), when it imports a phase-1 file (app wrappers are called from there), or when a
chosen file imports it (channel constants live there), following re-export chains a few steps.
"""
from __future__ import annotations

import re
from pathlib import Path

from ipclint.discover import SourceFile
from ipclint.resolve import ModuleResolver, read_json_file

KEYWORDS = (b"electron", b"ipcRenderer", b"ipcMain", b"contextBridge", b"webContents", b".ipc.",
            b"IpcRenderer", b"IpcMain")
EXPOSE_RE = re.compile(rb"exposeIn(?:Main|Isolated)World\s*\(\s*(?:[^,()]{0,40},\s*)?['\"`]([\w$]+)['\"`]")
IMPORT_RE = re.compile(rb"""(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"\n]{1,200})['"]""")
FORWARD_DEPTH = 3


def _specifiers(data: bytes) -> list[str]:
    if b"import" not in data and b"require" not in data and b"from" not in data:
        return []
    return [m.group(1).decode("utf-8", "replace") for m in IMPORT_RE.finditer(data)]


def select_files(files: list[SourceFile], root: Path | None = None) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    by_path = {f.path: f for f in files}
    modules = ModuleResolver(set(by_path), read_json_file(root) if root else (lambda _p: None))
    phase1 = {p for p, f in by_path.items() if any(k in f.data for k in KEYWORDS)}
    chosen = set(phase1)
    keys = {m.group(1) for p in phase1 for m in EXPOSE_RE.finditer(by_path[p].data)} | {b"electron"}
    needles = [n for k in keys for n in (b"window." + k, b"globalThis." + k)]
    specs: dict[str, list[str]] = {}
    for p, f in by_path.items():
        if p in chosen:
            continue
        data = f.data
        if needles and any(n in data for n in needles):
            chosen.add(p)
            continue
        sp = specs.setdefault(p, _specifiers(data))
        if any(modules.resolve(p, s) in phase1 for s in sp if s.startswith(".") or "/" in s or "@" in s):
            chosen.add(p)
    frontier = set(chosen)
    for _ in range(FORWARD_DEPTH):
        nxt = set()
        for p in frontier:
            sp = specs.get(p)
            if sp is None:
                sp = specs[p] = _specifiers(by_path[p].data)
            for s in sp:
                t = modules.resolve(p, s)
                if t is not None and t not in chosen:
                    nxt.add(t)
        chosen |= nxt
        frontier = nxt
        if not frontier:
            break
    picked = [f for f in files if f.path in chosen]
    skipped = [(f.path, "no IPC, Electron or imported constant") for f in files if f.path not in chosen]
    return picked, skipped

"""Choose, with byte searches only, the files that can matter; the rest are never parsed.

A file matters when it mentions Electron or IPC (phase 1), when it uses a key a preload exposes
(`window.api`), when it imports a phase-1 file (app wrappers are called from there), or when a
chosen file imports it (channel constants live there), following re-export chains a few steps.
What each file contributes is computed once (``byte_facts``) and cached with its stat.
"""
from __future__ import annotations

import re
from pathlib import Path

from ipclint.discover import ByteFacts, SourceFile
from ipclint.resolve import ModuleResolver, read_json_file

KEYWORDS = (b"electron", b"ipcRenderer", b"ipcMain", b"contextBridge", b"webContents", b".ipc.",
            b"IpcRenderer", b"IpcMain")
EXPOSE_RE = re.compile(rb"exposeIn(?:Main|Isolated)World\s*\(\s*(?:[^,()]{0,40},\s*)?['\"`]([\w$]+)['\"`]")
IMPORT_RE = re.compile(rb"""(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"\n]{1,200})['"]""")
GLOBAL_RE = re.compile(rb"\b(?:window|globalThis)\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)")
FORWARD_DEPTH = 3


def byte_facts(data: bytes) -> ByteFacts:
    keyword = any(k in data for k in KEYWORDS)
    expose = tuple(m.group(1) for m in EXPOSE_RE.finditer(data)) if keyword and b"expose" in data else ()
    specs = ()
    if b"import" in data or b"require" in data or b"from" in data:
        specs = tuple(m.group(1).decode("utf-8", "replace") for m in IMPORT_RE.finditer(data))
    props = frozenset(m.group(1) for m in GLOBAL_RE.finditer(data)) if b"window" in data or b"globalThis" in data \
        else frozenset()
    return ByteFacts(keyword, expose, specs, props)


def _local(spec: str) -> bool:
    return spec.startswith(".") or "/" in spec or spec.startswith("@")


def select_files(files: list[SourceFile], root: Path | None = None) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    by_path = {f.path: f for f in files}
    modules = ModuleResolver(set(by_path), read_json_file(root) if root else (lambda _p: None))
    phase1 = {p for p, f in by_path.items() if f.bytefacts.keyword}
    chosen = set(phase1)
    keys = {k for p in phase1 for k in by_path[p].bytefacts.expose_keys} | {b"electron"}
    for p, f in by_path.items():
        if p in chosen:
            continue
        bf = f.bytefacts
        if bf.global_props & keys or any(modules.resolve(p, s) in phase1 for s in bf.specifiers if _local(s)):
            chosen.add(p)
    frontier = set(chosen)
    for _ in range(FORWARD_DEPTH):
        nxt = set()
        for p in frontier:
            for s in by_path[p].bytefacts.specifiers:
                t = modules.resolve(p, s) if _local(s) else None
                if t is not None and t not in chosen:
                    nxt.add(t)
        chosen |= nxt
        frontier = nxt
        if not frontier:
            break
    picked = [f for f in files if f.path in chosen]
    skipped = [(f.path, "no IPC, Electron or imported constant") for f in files if f.path not in chosen]
    return picked, skipped

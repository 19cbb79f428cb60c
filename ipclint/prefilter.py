"""Choose, with byte searches only, the files that can matter; the rest are never parsed.

A file matters when it mentions Electron or IPC (phase 1), when it uses a key a preload exposes
(`window.api`), when it imports a parsed file that defines an app wrapper or re-exports an Electron
binding (`export const ipc = ipcRenderer`), or when a chosen file imports it (channel constants live
there), following re-export chains a few steps.
What each file contributes is computed once (``byte_facts``) and cached with its stat.
"""
from __future__ import annotations

import re
from pathlib import Path

from ipclint.discover import ByteFacts, SourceFile
from ipclint.resolve import ModuleResolver
from ipclint.safefs import read_in_root

KEYWORDS = (b"electron", b"ipcRenderer", b"ipcMain", b"contextBridge", b"webContents", b".ipc.",
            b"IpcRenderer", b"IpcMain", b"<webview")
EXPOSE_RE = re.compile(rb"exposeIn(?:Main|Isolated)World\s*\(\s*(?:[^,()]{0,40},\s*)?['\"`]([\w$]+)['\"`]")


SPEC_AT = re.compile(rb"""(?:from\s*|require\s*\(\s*|import\s*\(\s*|import\s+)['"]([^'"\n]{1,200})['"]""")
GLOBAL_AT = re.compile(rb"(?:window|globalThis)\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)")


def _scan(data: bytes, needles: tuple[bytes, ...], pattern: re.Pattern) -> list[bytes]:
    """Matches of ``pattern`` anchored where a needle occurs: `bytes.find` runs in C at memory
    speed, while a regex with a leading alternation tests every position in Python's engine."""
    out = []
    for needle in needles:
        i = data.find(needle)
        while i >= 0:
            m = pattern.match(data, i)
            if m:
                out.append(m.group(1))
            i = data.find(needle, i + 1)
    return out


def byte_facts(data: bytes) -> ByteFacts:
    keyword = any(k in data for k in KEYWORDS)
    expose = tuple(m.group(1) for m in EXPOSE_RE.finditer(data)) if keyword and b"expose" in data else ()
    specs = tuple(dict.fromkeys(s.decode("utf-8", "replace")
                                for s in _scan(data, (b"from", b"require", b"import"), SPEC_AT)))
    props = frozenset(_scan(data, (b"window", b"globalThis"), GLOBAL_AT))
    return ByteFacts(keyword, expose, specs, props)


def _local(spec: str) -> bool:
    return spec.startswith(".") or "/" in spec or spec.startswith("@")


def select_files(files: list[SourceFile], root: Path | None = None) -> list[SourceFile]:
    """The first round: files that mention Electron or IPC, and files that read a key a preload
    exposes. Later rounds add what linking finds missing (see wrapper_callers and Project.missing)."""
    phase1 = {f.path for f in files if f.bytefacts.keyword} | _main_entries(files, root)
    keys = {k for f in files if f.path in phase1 for k in f.bytefacts.expose_keys} | {b"electron"}
    return [f for f in files if f.path in phase1 or f.bytefacts.global_props & keys]


def _main_entries(files: list[SourceFile], root: Path | None) -> set[str]:
    """package.json `main` entries: they run first and set the order in which modules load."""
    if root is None:
        return set()
    import json
    import posixpath
    paths = {f.path for f in files}
    folders = {""} | {posixpath.dirname(p) for p in paths}
    out = set()
    resolver = ModuleResolver(paths, lambda _p: None)
    for folder in folders:
        raw = read_in_root(root, f"{folder}/package.json" if folder else "package.json")
        try:
            pkg = json.loads(raw.decode("utf-8-sig")) if raw is not None else None
        except (ValueError, RecursionError):
            continue
        main = pkg.get("main") if isinstance(pkg, dict) else None
        if isinstance(main, str):
            hit = resolver._file(posixpath.normpath(posixpath.join(folder, main)))
            if hit:
                out.add(hit)
    return out


def wrapper_callers(project, by_path: dict[str, SourceFile]) -> set[str]:
    """Unparsed files that import a file defining an app IPC wrapper (they may call it) or one
    that re-exports an Electron binding (`export const ipc = ipcRenderer`: they may use it)."""
    defining = {path for path, _fid in project.wrappers} | {e.path for e in project.exposures}
    graph = project.graph
    defining |= electron_exporters(project) | graph.bridge_modules | {p for p, _fid in graph.bridge_wrappers}
    if not defining:
        return set()
    out = set()
    for path, sf in by_path.items():
        if path in project.files:
            continue
        for spec in sf.bytefacts.specifiers:
            if _local(spec) and project.modules.resolve(path, spec) in defining:
                out.add(path)
                break
    return out


def bare_global_users(project, by_path: dict[str, SourceFile]) -> set[str]:
    """Unparsed files that use an exposed key as a bare global (`api.save()` without `window.`)."""
    keys = {e.key.encode() for e in project.exposures if e.key.isidentifier()}
    # An app that reaches a key as `window.key` somewhere does so everywhere: search only for the
    # keys never used that way, so that the common case reads no file again.
    keys -= {k for sf in by_path.values() for k in sf.bytefacts.global_props}
    if not keys:
        return set()
    out = set()
    for path, sf in by_path.items():
        if path in project.files:
            continue
        data = sf.load()
        for key in keys:
            needle = key + b"."
            i = data.find(needle)
            while i >= 0:
                before = data[i - 1:i] if i else b" "
                if not (before.isalnum() or before in (b"_", b"$", b".")):
                    out.add(path)
                    break
                i = data.find(needle, i + 1)
            if path in out:
                break
    return out


def bridge_exporters(project) -> set[str]:
    """Parsed page modules that export the exposed API (`export const api = window.electronAPI`):
    their importers call the bridge without naming window."""
    keys = {e.key for e in project.exposures}
    if not keys:
        return set()
    out = set()
    for path, f in project.files.items():
        for v in f.exports.values():
            if v.kind == "ref" and (None, v.data) in f.bindings:
                v = f.bindings[(None, v.data)]  # `export const api = window.api` exports the binding
            steps = 0
            while v.kind == "member" and steps < 8:
                if v.data[0].kind == "ref" and v.data[0].data in ("window", "globalThis", "self") \
                        and v.data[1] in keys:
                    out.add(path)
                    break
                v = v.data[0]
                steps += 1
            if v.kind == "ref" and v.data in keys:
                out.add(path)
            if path in out:
                break
    return out


def electron_exporters(project) -> set[str]:
    """Parsed modules with an export that resolves to an Electron object (`export const m = ipcMain`,
    `module.exports = { ipc: ipcRenderer }`, `export { m } from './ipc'`, `export * from './ipc'`).
    Importers of these use Electron without naming it, so the keyword search misses them."""
    out: set[str] = set()
    star: dict[str, list[str]] = {}
    with project.no_missing():
        for path, f in project.files.items():
            if f.star_exports:
                star[path] = f.star_exports
            for name, v in f.exports.items():
                if v.kind in _SELF_DENOTING:
                    continue
                values = [v]
                if name == "*" and v.kind == "obj":
                    values = [p.value for p in v.data if p.value is not None and not p.spread]
                if any(project.resolve(path, x).value.kind == "electron" for x in values):
                    out.add(path)
                    break
    # `export * from` chains: a module re-exporting everything of an exporter is one too.
    grew = bool(out)
    while grew and star:
        grew = False
        for path, srcs in list(star.items()):
            if path not in out and any(project.modules.resolve(path, s) in out for s in srcs):
                out.add(path)
                del star[path]
                grew = True
    return out


# Values that denote themselves: they never resolve to an Electron object.
_SELF_DENOTING = frozenset({"str", "tpl", "concat", "num", "bool", "null", "undef", "regex", "fn", "class",
                            "arr", "jsx"})

"""What linking asks the engine to parse next: files not parsed yet that can change the model."""
from __future__ import annotations

from ipclint.discover import SourceFile
from ipclint.discover.select import is_local_specifier
from ipclint.link.project import Project


def wrapper_callers(project: Project, by_path: dict[str, SourceFile]) -> set[str]:
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
            if is_local_specifier(spec) and project.modules.resolve(path, spec) in defining:
                out.add(path)
                break
    return out


def bare_global_users(project: Project, by_path: dict[str, SourceFile]) -> set[str]:
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


def bridge_exporters(project: Project) -> set[str]:
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


def electron_exporters(project: Project) -> set[str]:
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

"""What linking asks the engine to parse next: files not parsed yet that can change the model."""
from __future__ import annotations

import posixpath
import re

from ipclint.discover import SourceFile
from ipclint.discover.select import is_local_specifier
from ipclint.link.project import GLOBAL_OBJECTS, Project
from ipclint.link.vutil import returned_global, without_fallback
from ipclint.model.facts import FileFacts
from ipclint.model.values import (
    AnyV,
    Arr,
    Bool,
    CallExpr,
    ClassV,
    Concat,
    Electron,
    Fn,
    Import,
    Jsx,
    Member,
    NewExpr,
    Null,
    Num,
    Obj,
    Ref,
    Regex,
    Str,
    Tpl,
    Undef,
)


class ByteImports:
    """What the import specifiers of the files not parsed yet name (found by byte search:
    ``roles.specifier_targets``), indexed by the file named, for every round of a run: a file's
    specifiers and module resolution are the same in each, and rounds only add files, so a file
    not parsed in a later round was not parsed when the index was built. ``wrapper_callers`` then
    visits only the importers of the files it looks for, not every unparsed file each round
    (joplin: 2,190 files a round)."""

    def __init__(self, by_path: dict[str, SourceFile]) -> None:
        self.by_path = by_path
        self.targets: dict[str, tuple[str, ...]] = {}  # unparsed path -> the files its specifiers name
        self.importers: dict[str, list[str]] | None = None  # file -> the unparsed files that name it

    def of(self, project: Project, wanted: set[str]) -> list[str]:
        """The files not parsed in ``project`` whose specifiers name one of ``wanted``, sorted."""
        if self.importers is None:
            self.importers = self._index(project)
        return sorted({p for t in wanted for p in self.importers.get(t, ()) if p not in project.files})

    def _index(self, project: Project) -> dict[str, list[str]]:
        from ipclint.link.roles import specifier_targets
        out: dict[str, list[str]] = {}
        for path, sf in self.by_path.items():
            if path in project.files:
                continue
            # (the files its specifiers name, resolved once a run: roles.specifier_targets)
            specs = project.specifiers.get(path)
            if specs is sf.bytefacts.specifiers:
                named = specifier_targets(project, path)
            else:
                named = tuple(t for spec in sf.bytefacts.specifiers
                              if is_local_specifier(spec) or project.modules.names_package(spec)
                              or project.modules.names_alias(path, spec)
                              for t in [project.modules.resolve(path, spec)] if t is not None)
            self.targets[path] = named
            for t in named:
                out.setdefault(t, []).append(path)
        return out


def wrapper_callers(project: Project, imports: ByteImports) -> set[str]:
    """Unparsed files that import a file defining an app IPC wrapper (they may call it) or one
    that re-exports an Electron binding (`export const ipc = ipcRenderer`: they may use it), or
    a function that registers main-process handlers (a second call of it registers them again;
    not asked of test code, whose calls do not count: IPC012)."""
    defining = {path for path, _fid in project.wrappers} | {e.path for e in project.exposures}
    graph = project.graph
    exporting = electron_exporters(project) | graph.bridge_modules
    defining |= exporting | {p for p, _fid in graph.bridge_wrappers}
    via = reexporters(project, defining)  # (index files: not in ``defining``)
    registering = defining | {e.path for e in graph.edges if e.scope is not None and e.kind in ("handle", "on")
                              and e.receiver == "ipcMain"}
    via_only = via - registering
    defining |= via
    registering |= via
    if not registering:
        return set()
    # An index file re-exports much more than the wrappers (`import { U, C } from 'Lib'` in every
    # component): a file that reaches them only through it must name one of them.
    mentions = _mentions(project, exporting) if via_only else None
    out = set()
    for path in imports.of(project, registering):  # (``defining`` is a part of ``registering``)
        wanted = defining if project.is_test(path) else registering
        hits = {t for t in imports.targets[path] if t in wanted}
        if hits and (hits - via_only or mentions is None or mentions.search(imports.by_path[path].load())):
            out.add(path)
    return out


def _mentions(project: Project, exporting: set[str]) -> re.Pattern[bytes] | None:
    """What a caller of a wrapper, a bridge function or a bridge getter, or a user of an exported
    Electron binding or bridge, writes: a function's name as a whole word, a method's after a dot
    (`Renderer.send(...)`, `U.Common.getElectron()`, `import { ipc } from 'Lib'`). None when one of
    them has no name of its own that a caller must write (an anonymous or default-exported
    function, a default export: the importer names it)."""
    getter_paths, getters = bridge_getters(project)
    words: set[str] = set()
    methods = set(getters)
    for path, fid in {*project.wrappers, *project.graph.bridge_wrappers}:
        f = project.files[path]
        fn = f.functions[fid]
        default = [v for k in ("default", "*") if (v := f.exports.get(k)) is not None]
        if not fn.name or any((type(v) is Fn and v.fid == fid) or (type(v) is Ref and v.name == fn.name)
                              for v in default):
            return None
        owner, dot, name = fn.name.rpartition(".")
        (methods if dot else words).add(name)
    for path in exporting - getter_paths:
        ef = project.files.get(path)
        if ef is None or "default" in ef.exports or "*" in ef.exports:
            return None
        words.update(ef.exports)
    words.update(e.key for e in project.exposures)
    alts = [rb"(?<![\w$])" + re.escape(n.encode()) for n in sorted(words)]
    alts += [rb"\." + re.escape(n.encode()) for n in sorted(methods - words)]
    return re.compile(b"(?:" + b"|".join(alts) + rb")(?![\w$])") if alts else None


def reexporters(project: Project, targets: set[str]) -> set[str]:
    """Parsed modules that re-export one of ``targets``, directly or through each other: an index
    file (`import Renderer from './renderer'; export { Renderer }`, `export * from './ipc'`) whose
    importers reach a wrapper without naming its module; also a module that exports an instance of
    an imported class (`export const transport = new ElectronTransport()`, or the result of a local
    factory that makes one: `export const api = createApi()`), whose importers call its methods."""
    found: set[str] = set()
    sources: dict[str, list[str]] = {}
    for path, f in project.files.items():
        srcs = list(f.star_exports)
        for v in f.exports.values():
            imp = f.imports.get(v.name) if isinstance(v, Ref) else v  # (`import R from ...; export { R }`)
            if isinstance(imp, Import):
                srcs.append(imp.src)
            else:
                srcs.extend(_instance_sources(f, v))
        if srcs and path not in targets:
            sources[path] = srcs
    grew = True
    while grew:
        grew = False
        for path, srcs in list(sources.items()):
            if any(t in targets or t in found for s in srcs for t in [project.modules.resolve(path, s)] if t):
                found.add(path)
                del sources[path]
                grew = True
    return found


def _instance_sources(f: FileFacts, v: AnyV) -> list[str]:
    """The modules whose imported class (or factory) makes the exported value ``v`` of ``f``: `new C()`
    or `make()` with `C`/`make` imported, directly or as what a local factory returns."""
    if isinstance(v, Ref) and (None, v.name) in f.bindings:
        v = f.bindings[(None, v.name)]  # (`export const x = ...` exports the binding)
    made: list[AnyV] = [v]
    if isinstance(v, CallExpr) and isinstance(v.callee, Ref):
        local = f.bindings.get((None, v.callee.name))
        if isinstance(local, Fn) and 0 <= local.fid < len(f.functions):
            made = [v, *f.functions[local.fid].returns[:8]]  # (`createTransport()`: what it returns)
    out = []
    for m in made:
        if isinstance(m, (NewExpr, CallExpr)) and isinstance(m.callee, Ref):
            imp = f.imports.get(m.callee.name)
            if isinstance(imp, Import):
                out.append(imp.src)
    return out


def bare_global_users(project: Project, by_path: dict[str, SourceFile]) -> set[str]:
    """Unparsed files that use an exposed key as a bare global (`api.save()` without `window.`), or
    a name a page document makes ipcRenderer (`ipc.send(...)` below index.html, whose inline script
    binds `ipc`: ``Project.page_global``)."""
    keys = {e.key.encode() for e in project.exposures if e.key.isidentifier()}
    # An app that reaches a key as `window.key` somewhere does so everywhere: search only for the
    # keys never used that way, so that the common case reads no file again. The preload that
    # writes `window.ipc = ipcRenderer` (isolation off) does not read it, and test code says
    # nothing of how the app's pages write.
    writers = {e.path for e in project.exposures}
    keys -= {k for path, sf in by_path.items() if path not in writers and not project.is_test(path)
             for k in sf.bytefacts.global_props}
    page = {n.encode() for n in project.page_globals()}
    # (ipcRenderer that a page module keeps in a global of its window: Project.written_global)
    written = {n.encode() for n in project.written_global_names() if n.isidentifier()}
    scripts = _ipc_script_globals(project)
    if not keys and not page and not written and not scripts:
        return set()
    out = set()
    for path, sf in by_path.items():
        if path in project.files:
            continue
        data = sf.load()
        # (a page's global only in that page's code)
        for key in keys | {n for n in page if project.page_global(path, n.decode())} \
                | {n for n in written if n + b"." in data and project.written_global(path, n.decode())} \
                | {n for n, binders in scripts.items() if n + b"." in data and any(
                    project.same_app(b, path) and path.startswith(posixpath.dirname(b) + "/" if "/" in b else "")
                    for b in binders)}:
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


def _ipc_script_globals(project: Project) -> dict[bytes, list[str]]:
    """Name -> the classic scripts that bind it at their top level to ipcMain or ipcRenderer
    (`const { ipcMain: ipc } = electron`): the scripts a build concatenates with them, or that one
    page loads, call `ipc.handle(...)` with no binding of their own (``Project._script_global``)."""
    out: dict[bytes, list[str]] = {}
    for n, binders in project.script_global_names().items():
        for p in binders:
            v = project.files[p].bindings.get((None, n))
            if type(v) is not Member or v.prop not in ("ipcMain", "ipcRenderer") or not n.isidentifier():
                continue
            r = project.resolve(p, v, None)
            if isinstance(r.value, Electron) and r.value.api in ("ipcMain", "ipcRenderer"):
                out.setdefault(n.encode(), []).append(p)
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
            if isinstance(v, Ref) and (None, v.name) in f.bindings:
                v = f.bindings[(None, v.name)]  # `export const api = window.api` exports the binding
            v = without_fallback(v)  # (`window.api ? window.api : makeStub()` outside Electron)
            steps = 0
            while isinstance(v, Member) and steps < 8:
                if isinstance(v.obj, Ref) and v.obj.name in GLOBAL_OBJECTS and v.prop in keys:
                    out.add(path)
                    break
                v = v.obj
                steps += 1
            if isinstance(v, Ref) and v.name in keys:
                out.add(path)
            if path in out:
                break
    return out


def provided_bridges(project: Project) -> set[str]:
    """The modules of the dependency-injection tokens whose provider gives the exposed API
    (``Project.providers``): their importers (`inject(MainApi)`) call the bridge through them."""
    keys = {e.key for e in project.exposures}
    if not keys:
        return set()
    return {path for (path, _name), given in project.providers().items()
            if any(_exposed_key(w.value, keys) for w in given)}


def bridge_getters(project: Project) -> tuple[set[str], frozenset[str]]:
    """Parsed page modules with a function that returns an exposed key (`getElectron () { return
    window.Electron || {}; }`), and those functions' names: a call of one is the exposed API
    (`U.Common.getElectron().on(ch, cb)`), and the module's importers may make such calls.
    In a module that names an exposed key, the returns are also resolved (a getter that keeps
    the global in a local or a cached copy first: ``vutil.returned_global``)."""
    keys = {e.key for e in project.exposures}
    paths: set[str] = set()
    names: set[str] = set()
    if not keys:
        return paths, frozenset()
    for path, f in project.files.items():
        names_keys = not f.globals_used.isdisjoint(keys)
        for fid, fn in enumerate(f.functions):
            if not fn.name or not fn.returns:
                continue
            if all(_exposed_key(r, keys) for r in fn.returns) or (
                    names_keys and _returns_key(project, path, fid, keys)):
                paths.add(path)
                names.add(fn.name.rsplit(".", 1)[-1])  # (a method: `Class.name`)
    return paths, frozenset(names)


def _returns_key(project: Project, path: str, fid: int, keys: set[str]) -> bool:
    got = returned_global(project, path, fid)
    return got is not None and got.name in keys


def _exposed_key(v: AnyV, keys: set[str]) -> bool:
    """`window.KEY`, `globalThis.KEY`, or either with an empty fallback (`|| {}`, `?? null`)."""
    v = without_fallback(v)
    return isinstance(v, Member) and isinstance(v.obj, Ref) and v.obj.name in GLOBAL_OBJECTS and v.prop in keys


def electron_exporters(project: Project) -> set[str]:
    """Parsed modules with an export that resolves to an Electron object (`export const m = ipcMain`,
    `module.exports = { ipc: ipcRenderer }`, `export { m } from './ipc'`, `export * from './ipc'`).
    Importers of these use Electron without naming it, so the keyword search misses them."""
    out: set[str] = set()
    star: dict[str, tuple[str, ...]] = {}
    with project.no_missing():
        for path, f in project.files.items():
            if f.star_exports:
                star[path] = f.star_exports
            for name, v in f.exports.items():
                if isinstance(v, _SELF_DENOTING):
                    continue
                values = [p.value for p in v.props if not p.spread] if name == "*" and isinstance(v, Obj) else [v]
                if any(isinstance(project.resolve(path, x).value, Electron) for x in values):
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
_SELF_DENOTING = (Str, Tpl, Concat, Num, Bool, Null, Undef, Regex, Fn, ClassV, Arr, Jsx)

"""Roles (main, preload, renderer, shared) with the reason for each, and Electron versions."""
from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path

from ipclint.discover import file_for_stem
from ipclint.discover.select import is_local_specifier
from ipclint.link.bridge import EXPOSE_NAMES
from ipclint.link.ipcops import IPC_METHOD_NAMES
from ipclint.link.modules import ELECTRON_MODULES, JsonObject, ReadJson
from ipclint.link.project import (
    GLOBAL_OBJECTS,
    INJECTED_IPC,
    FileMemo,
    ImportGraph,
    LinkConfig,
    OpenName,
    OptionValues,
    Project,
)
from ipclint.model import FileInfo, Role, Span
from ipclint.model.facts import Call, FileFacts
from ipclint.model.values import (
    AnyV,
    Arr,
    Await,
    CallExpr,
    Concat,
    Cond,
    Dyn,
    Electron,
    External,
    Global,
    Import,
    Iter,
    Logic,
    Member,
    Module,
    NewExpr,
    Null,
    Obj,
    Ref,
    Spread,
    Str,
    This,
    Tpl,
    Undef,
    V,
    walk,
)
from ipclint.safefs import read_in_root

MAIN_APIS = ("ipcMain", "BrowserWindow", "app", "webContents", "utilityProcess", "session",
             "BrowserView", "WebContentsView")
WINDOW_CTORS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView"})
MAX_V_NODES = 400
MAX_NAMESPACE_DEPTH = 4  # objects nested in an exposed API that a page call goes through (`api.a.b.f()`)
ASSUMED_KEYS = frozenset({"electron"})  # a key taken as exposed without a preload exposing it
# Globals of Node and Electron's main process that a preload may also expose under the same name
# (`exposeInMainWorld('process', {...})`): `process.env.PATH.split(...)` in main code is no page call
RUNTIME_GLOBALS = frozenset({"electron", "process", "Buffer", "global", "globalThis", "console", "require",
                             "module", "exports"})
# Sets of exact value types rather than isinstance tuples: roles look at every binding, call and
# option value of every file, and failing isinstance tests on msgspec values are slow (their
# metaclass). Values whose insides can hold a window's options object: calls are entered
# (`new BrowserWindow(merge({...}))`), members, comparisons and the like are not.
OPTION_HOLDERS: frozenset[type[V]] = frozenset({Obj, CallExpr, NewExpr, Arr, Cond, Tpl, Spread, Await, Concat})
_BINDING_TYPES = frozenset({Import, Member, Module})  # the bindings that can name an Electron API


def _may_name(v: AnyV) -> bool:
    """Whether a binding's value can name an Electron API: one of ``_BINDING_TYPES``, a call given
    an Electron module name (a project loader of modules, `const electron = load('electron')`), or a choice
    one of whose alternatives is (`IS_ELECTRON ? electron.ipcRenderer : null`, `isMain && ipcMain`;
    resolution picks the Electron object out of it, ``Project._electron_choice``)."""
    if type(v) in _BINDING_TYPES:
        return True
    if type(v) is CallExpr:  # `const electron = loader('electron')` (Project._required)
        return bool(v.args) and type(v.args[0]) is Str and v.args[0].value in ELECTRON_MODULES
    if type(v) is Cond:
        return any(type(a) in _BINDING_TYPES for a in v.alts)
    if type(v) is Logic:
        return type(v.left) in _BINDING_TYPES or type(v.right) in _BINDING_TYPES
    return False


TEST_UNPARSED = "not parsed: test code that does no IPC, directly or through the app's wrappers or exposed API"
_SOURCE_SUFFIX = re.compile(r"\.(c|m)?[jt]sx?$")  # a script's name suffix (`.ts`, `.mjs`, `.jsx`, ...)
_SEPARATORS = re.compile(r"[-_.]")

def electron_names(project: Project, path: str) -> set[str]:
    """Electron APIs the file refers to. Resolving every import binding here must not ask for the
    imported modules to be parsed: only uses that matter to IPC do (Project.missing).

    Kept for the next round per candidate value, with the unparsed files its resolution reached:
    a candidate's answer holds while none of them has been parsed (rounds only add files; see
    ``Resolution.carried``), so a later round resolves again only the candidates that reached a
    file parsed since, not the whole file."""
    memo = project.file_memo.electron_names
    hit = memo.get(path)
    opened: list[OpenName] = []  # (scope, value, the unparsed files its resolution reached, its name)
    if hit is None:
        settled: set[str] = set()
        pending = _candidates(project, path)
    else:
        settled = set(hit[0])
        parsed = project.files.keys()
        pending = []
        for e in hit[1]:
            if parsed.isdisjoint(e[2]):
                opened.append(e)
            else:
                pending.append((e[0], e[1]))
        if not pending:
            return settled | {e[3] for e in opened if e[3] is not None}
    before, watched = project.missing, project.watched
    try:
        # (what these resolutions reach and is not parsed: nothing asked for; fresh sets only
        # after a resolution that recorded something, most record nothing)
        project.missing, project.watched = set(), set()
        for scope, v in pending:
            name = _electron_name(project, path, v, scope)
            if project.missing or project.watched:
                opened.append((scope, v, frozenset(project.missing | project.watched), name))
                project.missing, project.watched = set(), set()
            elif name is not None:
                settled.add(name)
    finally:
        project.missing, project.watched = before, watched
    memo[path] = (frozenset(settled), tuple(opened))
    return settled | {e[3] for e in opened if e[3] is not None}


def _electron_name(project: Project, path: str, v: AnyV, scope: int | None) -> str | None:
    r = project.resolve(path, v, scope).value
    if type(r) is Electron:  # (exact types: every candidate of every file)
        return r.api.split(".", 1)[0]
    if type(r) is External and r.src == "@electron-toolkit/preload":
        return "toolkit"
    return None


def _candidates(project: Project, path: str) -> list[tuple[int | None, AnyV]]:
    """The values of a file that can name an Electron API: its import bindings, and its callees
    on a module or on one of those bindings."""
    f = project.files[path]
    cands: list[tuple[int | None, AnyV]] = []
    bound: set[str] = set()
    for (s, name), v in f.bindings.items():  # (one test of each binding for both)
        if _may_name(v):
            cands.append((s, v))
            bound.add(name)
        elif name in INJECTED_IPC and type(v) is CallExpr:  # `const ipcRenderer = di.inject(token)`
            cands.append((s, Ref(span=v.span, text=name, name=name)))
    # `let ipc = null` that the file sets to an Electron object later (Project._assigned)
    late = sorted(f.mutable, key=lambda k: (-1 if k[0] is None else k[0], k[1]))
    cands += [(s, Ref(span=v.span, text=name, name=name)) for (s, name) in late
              for v in [f.bindings.get((s, name))] if type(v) is Null or type(v) is Undef]
    # Callees written the same way on the same binding (`ipcMain.handle` a thousand times, in a
    # thousand functions) name the same API: each chain of properties of one binding is resolved once.
    chains: set[tuple[int | None, str, tuple[str, ...]]] = set()
    # (free names a page document makes ipcRenderer: Project.page_global; or another module of the
    # page, through its window: Project.written_global)
    page = project.page_globals()
    written = project.written_global_names()
    # (or another classic script of the page: `const ipc = require('electron').ipcRenderer` in
    # app.js, `ipc.sendSync(...)` here; Project._script_global decides, for names some script binds)
    scripts = project.script_global_names()
    for c in f.calls:
        if type(c.callee) is not Member:
            continue
        root: AnyV = c.callee
        props: list[str] = []
        while type(root) is Member:
            props.append(root.prop)
            root = root.obj
        if type(root) is Module or type(root) is CallExpr and _may_name(root):  # (`load('electron').x`)
            cands.append((c.func, c.callee))
        elif type(root) is This and len(props) == 2 and props[0] in IPC_METHOD_NAMES:
            # `this.ipc.send(...)` in a class whose field holds ipcRenderer that no binding of the
            # file names (`ipc = window.require('electron').ipcRenderer`, or set from a loader
            # function's return): the IPC call is evidence like one on a binding. Once per function
            # and field: ``Project._this_field`` answers per class, from the file's assignments.
            chain = (c.func, "this", tuple(props))
            if chain not in chains:
                chains.add(chain)
                cands.append((c.func, c.callee))
        elif type(root) is Ref and (root.name in bound or root.name in page
                                    or root.name in written and project.written_global(path, root.name)
                                    or root.name in scripts and path not in scripts[root.name]):
            name = root.name
            # (where the name is bound seen from the call's function, as resolution looks it up:
            # once a run per (function, name), ``Project.binding_at``; -1 for a global)
            hit = project.binding_at(path, c.func, name)
            chain = (-1 if hit is None else hit[0], name, tuple(props))
            if chain not in chains:
                chains.add(chain)
                cands.append((c.func, c.callee))
    return cands


def _walk_values(roots: list[AnyV]) -> Iterator[AnyV]:
    """Every value below the roots that can hold options (``OPTION_HOLDERS``), iteratively, with a
    node budget per root."""
    for root in roots:
        yield from walk(root, into_calls=True, limit=MAX_V_NODES, enter=OPTION_HOLDERS)


def preload_hints(project: Project, path: str) -> list[str]:
    """Strings naming preload scripts in `webPreferences.preload` values of this file."""
    out: list[str] = []
    for v, scope in option_values(project, path)[0]:
        out.extend(_path_strings(project, path, v, scope))
        r = project.resolve(path, v, scope)  # (`isTest ? join(...) : MAIN_WINDOW_PRELOAD_WEBPACK_ENTRY`)
        for alt in (r.value.alts if type(r.value) is Cond else (v,)):
            out.extend(_forge_preload(project, r.path if alt is not v else path, alt,
                                      r.scope if alt is not v else scope))
    return out


# Electron Forge's webpack plugin defines `<ENTRY>_PRELOAD_WEBPACK_ENTRY` for each entry point of
# its configuration (`{ name: 'main_window', preload: { js: './src/preload.ts' } }`)
_FORGE_ENTRY = re.compile(r"^([A-Z0-9_]+)_PRELOAD_WEBPACK_ENTRY$")
FORGE_CONFIGS = ("forge.config.ts", "forge.config.js", "forge.config.cjs", "forge.config.mjs")


def _forge_preload(project: Project, path: str, v: AnyV, scope: int | None) -> list[str]:
    """The preload source that Electron Forge's configuration names for the entry point whose
    `MAIN_WINDOW_PRELOAD_WEBPACK_ENTRY` (a global the plugin defines) a window's options give:
    read from the nearest `forge.config.*` above the file (parsed as data, asked for when it is not
    parsed yet)."""
    m = _FORGE_ENTRY.match(v.text) if type(v) is Ref else None
    if m is None:  # `const preload = MAIN_WINDOW_PRELOAD_WEBPACK_ENTRY`
        r = project.resolve(path, v, scope).value
        m = _FORGE_ENTRY.match(r.text) if type(r) in (Ref, Global, Dyn) else None
    if m is None:
        return []
    entry = m.group(1).lower()
    folder = posixpath.dirname(path)
    for _ in range(32):
        for name in FORGE_CONFIGS:
            config = posixpath.join(folder, name) if folder else name
            if config not in project.all_paths:
                continue
            f = project.files.get(config)
            if f is None:
                project._need(config)
                return []
            roots = [*f.exports.values(), *f.bindings.values(), *(a for c in f.calls for a in c.args)]
            for x in _walk_all(roots):
                js = _forge_entry_preload(x, entry)
                if js is not None:  # `'./src/preload.ts'`, `path.join(root, 'src/preload.ts')`
                    return [posixpath.normpath(posixpath.join(folder, h)) for h in _path_strings(project, config, js)]
            return []
        if not folder:
            return []
        folder = posixpath.dirname(folder)
    return []


def _walk_all(roots: list[AnyV]) -> Iterator[AnyV]:
    """Every value below the roots, calls and `new` included, with a node budget per root."""
    for root in roots:
        yield from walk(root, into_calls=True, limit=MAX_V_NODES)


def _forge_entry_preload(x: AnyV, entry: str) -> AnyV | None:
    """`{ name: 'main_window', preload: { js: './src/preload.ts' } }`: the preload's js value."""
    if type(x) is not Obj:
        return None
    props = {p.key: p.value for p in x.props if not p.spread}
    name, preload = props.get("name"), props.get("preload")
    if type(name) is not Str or name.value.lower() != entry or type(preload) is not Obj:
        return None
    return next((p.value for p in preload.props if p.key == "js" and not p.spread), None)


def option_values(project: Project, path: str) -> OptionValues:
    """The `preload` values of the file's option objects and assignments, with their scope; and
    the `webPreferences` values of the objects its calls' arguments and bindings hold, with the
    object's span and their scope (IPC013's loose options). From the facts alone: found by one walk
    once per file for all the rounds of a run, which the rules then read instead of walking every
    file again."""
    memo = project.file_memo.option_values
    hit = memo.get(path)
    if hit is not None:
        return hit
    f = project.files[path]
    # each object with its scope, so that `preload: preloadPath` finds a const declared in the
    # function that creates the window
    # (exact types: this looks at every argument and option value of every file, and failing
    # isinstance tests on msgspec values are slow; these value classes have no subclasses)
    by_scope: dict[int | None, list[AnyV]] = {}
    for c in f.calls:
        objs = by_scope.get(c.func)
        if objs is None:
            objs = by_scope[c.func] = []
        for arg in c.args:
            if type(arg) is Obj:
                objs.append(arg)
    for (scope, _name), v in f.bindings.items():
        if type(v) is Obj:
            by_scope.setdefault(scope, []).append(v)
    out: list[tuple[AnyV, int | None]] = []
    prefs: list[tuple[Span, AnyV, int | None]] = []
    for c in f.calls:  # session preloads: `ses.registerPreloadScript({ filePath })`, `ses.setPreloads([p])`
        callee = c.callee
        if type(callee) is not Member or callee.prop not in ("registerPreloadScript", "setPreloads"):
            continue
        for arg in c.args:
            if type(arg) is Obj:
                out.extend((q.value, c.func) for q in arg.props if q.key == "filePath" and not q.spread)
            elif type(arg) is Arr:
                out.extend((item, c.func) for item in arg.items)
    for scope, roots in by_scope.items():
        if not roots:
            continue
        for v in _walk_values(roots):
            if type(v) is not Obj:
                continue
            for p in v.props:
                if p.spread:
                    continue
                if p.key == "preload":
                    out.append((p.value, scope))
                elif p.key == "webPreferences":
                    prefs.append((v.span, p.value, scope))
    for a in f.assigns:
        t = a.target
        if type(t) is Member and t.prop == "preload":
            out.append((a.value, a.func))
        elif type(a.value) is Obj and type(t) is Member:
            # window options kept in a class field or on an object (`private options = {
            # webPreferences: { preload } }`, `this.opts = {...}`): only their preload here
            out.extend((pre, a.func) for pre in _preloads_in(a.value))
    for fid, fn in enumerate(f.functions):  # options a function builds and returns
        for r in fn.returns:
            if type(r) is Obj:
                out.extend((pre, fid) for pre in _preloads_in(r))
    hit = memo[path] = (out, prefs)
    return hit


def _preloads_in(root: Obj) -> list[AnyV]:
    """The `preload` values of the option objects below ``root``."""
    return [p.value for v in _walk_values([root]) if type(v) is Obj
            for p in v.props if p.key == "preload" and not p.spread]


def _path_strings(project: Project, path: str, v: AnyV, scope: int | None = None) -> list[str]:
    """The path a preload expression builds (`join(dir, 'index.js')` with `dir` a constant
    built the same way), as one slash-joined string."""
    parts: list[str] = []
    stack: list[tuple[str, AnyV, int | None, int]] = [(path, v, scope, 0)]
    while stack and len(parts) < 32:
        p, x, sc, depth = stack.pop()
        if depth > 8:
            continue
        r = project.resolve(p, x, sc)
        match r.value:
            case Cond(alts=alts) if depth == 0:  # `app.isPackaged ? join(__dirname, 'preload.js') : ...`
                return [s for alt in alts for s in _path_strings(project, r.path, alt, r.scope)]
            case Str(value=s):
                parts.append(s)
            case Tpl(parts=pieces, span=span):
                for piece in reversed(pieces):
                    y = Str(span=span, value=piece) if isinstance(piece, str) else piece
                    stack.append((r.path, y, r.scope, depth + 1))
            case Concat(left=left, right=right):
                stack.extend((r.path, q, r.scope, depth + 1) for q in (right, left))
            case CallExpr(args=args):
                stack.extend((r.path, a, r.scope, depth + 1) for a in reversed(args))
            case NewExpr(args=(first, *_)):  # new URL('./preload.js', import.meta.url)
                stack.append((r.path, first, r.scope, depth + 1))
    joined = "/".join(s.strip("/") for s in parts if s and s.strip("/"))
    return [joined] if _SOURCE_SUFFIX.search(joined) or "preload" in joined.lower() else []



def _match_preload(hint: str, paths: list[str], importer: str,
                   stems: list[Stem] | None = None) -> list[str]:
    """``stems``: each path with its stem (``_stems(paths)``), when the caller matches many hints."""
    hint = hint.replace("\\", "/")
    stem = _SOURCE_SUFFIX.sub("", hint)
    parts = [p for p in stem.split("/") if p not in ("", ".", "..", "dist", "build", "out", "__dirname")]
    if not parts or parts == ["index"]:
        return []
    if stems is None:
        stems = _stems(paths)
    best: list[str] = []
    for n in range(len(parts), 0, -1):
        if n == 1 and parts[-1] == "index":  # `page/index.js` names page's index, not every index
            break
        tail = "/".join(parts[-n:])
        end = "/" + tail
        if n == 1 and len(parts) > 1:
            # `../preload/splash.mjs` built from `src/preload/splash-preload.ts` (electron-vite's
            # named inputs): a source named after the output in a folder of the output's folder
            # name comes before a namesake elsewhere (`src/shared/splash.ts`)
            best = [p for p, s, _ in stems if _named_after(s, parts[-2], parts[-1])]
            if best:
                break
        best = [p for p, s, index_dir in stems if s.endswith(end) or s == tail
                or (n == 1 and index_dir is not None and index_dir.endswith(end))]
        if best:
            break
    return best


def _closeness(importer: str, hit: str) -> int:
    """How many leading folders ``hit`` shares with ``importer``."""
    n = 0
    for a, b in zip(importer.split("/")[:-1], hit.split("/")[:-1], strict=False):
        if a != b:
            break
        n += 1
    return n


def _named_after(stem: str, folder: str, name: str) -> bool:
    """``stem`` is in a folder named ``folder`` and is named ``name`` or ``name`` with a
    `preload` suffix, in any case and separators (`splash-preload`, `pluginSettings` for
    `plugin-settings-preload`)."""
    head, _, base = stem.rpartition("/")
    if posixpath.basename(head) != folder:
        return False
    key = _SEPARATORS.sub("", base).lower()
    want = _SEPARATORS.sub("", name).lower()
    return key in (want, want + "preload")


Stem = tuple[str, str, str | None]  # a path, its stem, its folder when it is an index file


def _stems(paths: list[str], memo: dict[str, Stem] | None = None) -> list[Stem]:
    """Each path with its name's source suffix (`.ts`, `.mjs`, ...) taken off, and its folder when
    it is an index file (`index.ts`; `index.test.ts` is not): once per path, not per hint. ``memo``: what a path gives,
    kept by the caller (``FileMemo.stems``: it depends on the path alone)."""
    if memo is None:
        memo = {}
    out = []
    for p in paths:
        hit = memo.get(p)
        if hit is None:
            stem = _SOURCE_SUFFIX.sub("", p)  # (`index.ts`, not `index.test.ts` nor `index.helpers.ts`)
            hit = memo[p] = (p, stem, posixpath.dirname(p) if posixpath.basename(stem) == "index" else None)
        out.append(hit)
    return out


def assign_roles(project: Project, read_json: ReadJson) -> dict[str, FileInfo]:
    paths = sorted(project.files)
    names = {p: electron_names(project, p) for p in paths}
    referenced: dict[str, str] = {}
    closest: dict[str, int] = {}  # preload -> how many folders it shares with the file named in ``referenced``
    stems: list[Stem] | None = None
    unparsed: list[Stem] | None = None
    for p in paths:
        for hint in preload_hints(project, p):
            if stems is None:
                stems = _stems(paths, project.file_memo.stems)
            hits = _match_preload(hint, paths, p, stems)
            for hit in hits:
                # (webPreferences.preload, or a session's preload scripts) named after the file that
                # names it most closely: two apps' `join(__dirname, 'preload.js')` both match both
                # preload.ts by name, and each is its own app's
                near = _closeness(p, hit)
                if hit not in referenced or near > closest[hit]:
                    referenced[hit] = f"referenced as a preload script in {p}"
                    closest[hit] = near
            if not hits:  # a preload that names nothing Electron (`import init from './bridge'; init()`)
                if unparsed is None:  # is not parsed: ask for it (its imports are preload code)
                    rest = sorted(q for q in project.all_paths - project.files.keys() if not project.is_test(q))
                    unparsed = _stems(rest, project.file_memo.stems)
                for hit in _match_preload(hint, [], p, unparsed):
                    project._need(hit)
    exposing = {p for p in paths if _calls_expose(project, p)}
    exposed_keys = {k for p in exposing for k in _exposed_keys(project, p)} | ASSUMED_KEYS
    exposed_keys |= {k for p in referenced for k in _window_keys(project, p)}
    main_entries = _main_entries(project, read_json)
    globs = _config_globs(project.config)
    out: dict[str, FileInfo] = {}
    for p in paths:
        n = names[p]
        info = None
        for role, patterns in globs:
            if any(fnmatch.fnmatch(p, g) for g in patterns):
                info = FileInfo(p, role, "config [roles]")
                break
        if info is None:
            info = _infer(p, n, referenced, exposing, main_entries, exposed_keys, project.files[p],
                          project.file_memo)
        out[p] = info
    _propagate(project, out)
    return out


def imported_files(project: Project, path: str) -> list[str]:
    """The parsed files that ``path`` (a parsed file) imports or requires, in order."""
    return [t for t in _import_targets(project, path) if t in project.files]


def _import_targets(project: Project, path: str) -> tuple[str, ...]:
    """The discovered files that the imports and requires of ``path`` (parsed) name, in order,
    then those it requires through a loop over a table of its own (``_loop_specifiers``):
    from its facts alone, so found once per file for all the rounds of a run."""
    memo = project.file_memo.import_targets
    hit = memo.get(path)
    if hit is not None:
        return hit
    out = []
    for s in project.loaded_specifiers(path) + _loop_specifiers(project, path):
        t = project.modules.resolve(path, s)
        if t is not None:
            out.append(t)
    memo[path] = hit = tuple(out)
    return hit


def _loop_specifiers(project: Project, path: str) -> list[str]:
    """The modules a file `require`s through a loop over a constant table of its own: `for (const
    m of MODULES) require(m.path)` (or `for (const { path } of MODULES) require(path)`) with
    `MODULES` an array of object literals whose every entry names a literal `path` loads each,
    as one `require('./tools/a')` per entry would. From the file's facts alone, like its other
    imports (resolution can stop short inside a question it is asked in; this list may not)."""
    return [s for _call, specs in loop_requires(project, path) for s in specs]


def loop_requires(project: Project, path: str) -> list[tuple[Call, list[str]]]:
    """``_loop_specifiers``, per `require` call of the loop (from the file's facts alone: once a run)."""
    hit = project.file_memo.loop_requires.get(path)
    if hit is None:
        hit = project.file_memo.loop_requires[path] = _loop_requires(project, path)
    return hit


def _loop_requires(project: Project, path: str) -> list[tuple[Call, list[str]]]:
    f = project.files[path]
    out: list[tuple[Call, list[str]]] = []
    for c in project.calls_named(path, ("require",)):
        if type(c.callee) is not Ref or c.callee.name != "require" or len(c.args) != 1:
            continue
        arg, prop = c.args[0], None
        if isinstance(arg, Member):  # require(m.path)
            prop = arg.prop
            arg = arg.obj
        if not isinstance(arg, Ref):
            continue
        hit = project.binding_at(path, c.func, arg.name)
        bound = hit[1] if hit is not None else None
        for loop, each in f.loops.get((hit[0], arg.name), ()) if hit is not None else ():
            if (loop.line, loop.column) <= (c.span.line, c.span.column) \
                    and (c.span.end_line, c.span.end_column) <= (loop.end_line, loop.end_column):
                bound = each  # (of two loops binding the name in one function, the one around the call)
        if prop is None and isinstance(bound, Member):  # `for (const { path } of MODULES)`
            prop = bound.prop
            bound = bound.obj
        if not isinstance(bound, Iter) or bound.how != "of" or prop is None or type(bound.source) is not Ref:
            continue
        table = project.binding_at(path, hit[0] if hit is not None else None, bound.source.name)
        items = table[1].items if table is not None and isinstance(table[1], Arr) else ()
        names = [p.value.value for item in items if type(item) is Obj
                 for p in item.props if p.key == prop and not p.spread and type(p.value) is Str]
        if names and len(names) == len(items):
            out.append((c, names))
    return out


LEGACY_RENDERER = "uses ipcRenderer directly (legacy renderer)"


def _propagate(project: Project, roles: dict[str, FileInfo]) -> None:
    """A shared file whose every importer is one role's code belongs to that role.

    Decided on the import graph of every discovered file (unparsed files' imports come from
    discovery) without its cycles: modules that import each other (a strongly connected
    component) are judged together, by the importers outside the component, so a cycle that also
    reaches a module from main code cannot make a module that page code imports "main". Files
    with evidence of their own keep their role; test files import nothing that counts; a legacy
    renderer (it uses ipcRenderer itself) imported only by preload code is part of the preload."""
    importers = _importers(project)
    open_ = {p for p, i in roles.items() if (i.role is Role.SHARED or i.reason == LEGACY_RENDERER)
             and i.reason != "config [roles]"}
    unparsed = project.all_paths - set(roles)
    # (only the components an open file is in need judging: searched from those files alone, among
    # the files they import)
    judged = _imported_by(open_, open_ | unparsed, importers)
    _judge(_components(sorted(open_), judged, importers), importers, roles)


def _imported_by(roots: set[str], node_set: set[str], importers: dict[str, set[str]]) -> set[str]:
    """``roots`` and the files of ``node_set`` they import, directly or through one another. A
    component that holds a root holds no other file: each of its files imports a root and is
    imported by one, through files of the component. The search from the roots up the importers
    otherwise goes through every file above them that imports nothing open (joplin: about 1,000
    files each round, for components of a few)."""
    imports: dict[str, list[str]] = {}
    for target, srcs in importers.items():
        if target in node_set:
            for src in srcs:
                if src in node_set:
                    imports.setdefault(src, []).append(target)
    found = set(roots)
    stack = list(roots)
    while stack:
        for t in imports.get(stack.pop(), ()):
            if t not in found:
                found.add(t)
                stack.append(t)
    return found


def _judge(components: list[list[str]], importers: dict[str, set[str]], roles: dict[str, FileInfo]) -> None:
    """Each component (importers' components first) that one role's code alone imports from
    outside takes that role (_propagate)."""
    for comp in components:
        outside = sorted({src for member in comp for src in importers.get(member, ()) if src not in comp})
        if not outside:
            continue
        found = {src: roles[src].role if src in roles else Role.SHARED for src in outside}
        kinds = set(found.values())
        if len(kinds) != 1 or Role.SHARED in kinds:
            continue
        role = kinds.pop()
        via = outside[0]
        for member in comp:
            info = roles.get(member)
            if info is None or (info.reason == LEGACY_RENDERER and role is not Role.PRELOAD):
                continue
            roles[member] = FileInfo(member, role, f"imported only by {role.value} code ({via})")


def importers(project: Project) -> dict[str, set[str]]:
    """File -> the non-test files that import it, parsed or not (``_importers``)."""
    return _importers(project)


def _importers(project: Project) -> dict[str, set[str]]:
    """File -> the non-test files that import it: parsed files from their facts, the others from
    the specifiers discovery found by byte search. Built once a run and brought up to date in each
    later round for the files parsed since (``FileMemo.importers``)."""
    graph = project.file_memo.importers
    if graph is None or not graph.parsed <= project.files.keys():
        graph = project.file_memo.importers = ImportGraph(set(), {}, {})
        for path in sorted(project.all_paths):
            if path not in project.files and not project.is_test(path):
                for t in specifier_targets(project, path):
                    if t != path:
                        graph.of.setdefault(t, set()).add(path)
    new = sorted(project.files.keys() - graph.parsed)
    if not new:
        return graph.of
    graph.parsed.update(new)
    own = [p for p in new if not project.is_test(p)]
    for path in own:  # its byte-searched specifiers counted while it was not parsed: its facts now
        for t in specifier_targets(project, path):
            if t != path and t in graph.of:
                graph.of[t].discard(path)
        for t in _import_targets(project, path):
            if t != path:
                graph.named_by.setdefault(t, set()).add(path)
                if t in project.files:
                    graph.of.setdefault(t, set()).add(path)
    for path in new:  # parsed now: the parsed files that import it are its importers
        for src in graph.named_by.get(path, ()):
            if src != path:
                graph.of.setdefault(path, set()).add(src)
    return graph.of


def specifier_targets(project: Project, path: str) -> tuple[str, ...]:
    """The files the import specifiers of an unparsed file (found by byte search) name."""
    memo = project.file_memo.specifier_targets
    hit = memo.get(path)
    if hit is None:
        named = project.modules.names_package  # (a bare specifier naming a package of the project,
        aliased = project.modules.names_alias  # or a tsconfig `paths` alias: `Lib`, `Component/*`)
        hit = memo[path] = tuple(t for s in project.specifiers.get(path, ())
                                 if is_local_specifier(s) or named(s) or aliased(path, s)
                                 for t in [project.modules.resolve(path, s)] if t is not None)
    return hit


def _components(roots: list[str], node_set: set[str], importers: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of the import graph among ``node_set`` that are reached
    from ``roots`` (iterative Tarjan), importers before what they import, so that every component
    is judged after its importers (the components reached from a component are emitted before it,
    whichever roots the search starts from)."""
    graph: dict[str, list[str]] = {}

    def successors(n: str) -> list[str]:
        succ = graph.get(n)
        if succ is None:
            succ = graph[n] = sorted(src for src in importers.get(n, ()) if src in node_set)
        return succ

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    for root in roots:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            succ = successors(node)
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work and work[-1][0] != node:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    comp.append(x)
                    if x == node:
                        break
                out.append(sorted(comp))
    # Edges point from a module to its importers, so Tarjan finishes importers first.
    return out


def _infer(p: str, n: set[str], referenced: dict[str, str], exposing: set[str], main_entries: set[str],
           exposed_keys: set[str], facts: FileFacts, memo: FileMemo) -> FileInfo:
    if p in referenced:
        return FileInfo(p, Role.PRELOAD, referenced[p])
    if p in exposing:
        return FileInfo(p, Role.PRELOAD, "calls contextBridge.exposeInMainWorld")
    if p in main_entries:
        return FileInfo(p, Role.MAIN, _MAIN_ENTRY)
    main_apis = [a for a in MAIN_APIS if a in n]
    if main_apis and "ipcRenderer" in n:
        # `import { ipcMain, ipcRenderer } from 'electron'` in page code that only ever uses
        # ipcRenderer: an import that nothing refers to is no evidence of main-process code
        main_apis = [a for a in main_apis if a not in _unreferenced_imports(facts)]
    if main_apis:
        return FileInfo(p, Role.MAIN, f"imports {main_apis[0]} from electron")
    if "ipcRenderer" in n and "preload" in p.lower():
        return FileInfo(p, Role.PRELOAD, "uses ipcRenderer and has 'preload' in its path")
    if "ipcRenderer" in n:
        return FileInfo(p, Role.RENDERER, LEGACY_RENDERER)
    used = facts.globals_used & exposed_keys
    if used:
        return FileInfo(p, Role.RENDERER, f"uses the exposed API window.{sorted(used)[0]}")
    hosts, receivers, nested = _page_evidence(p, facts, memo)
    if hosts:
        return FileInfo(p, Role.RENDERER, "hosts a <webview> (listens for its 'ipc-message')")
    # a namespace of an API a preload exposes (`VesktopNative.win.focus()`); not of a runtime
    # global: concatenated main scripts call the Electron module as a global
    # (`electron.webContents.fromId(id)`), main code reads `process.env.PATH.split(...)`
    bare = sorted(receivers & exposed_keys | nested & (exposed_keys - RUNTIME_GLOBALS))
    if bare:
        return FileInfo(p, Role.RENDERER, f"uses the exposed API {bare[0]} as a global")
    return FileInfo(p, Role.SHARED, "no main, preload or renderer evidence")


def _unreferenced_imports(facts: FileFacts) -> frozenset[str]:
    """The Electron APIs that the file imports straight from 'electron' (`import { ipcMain }`,
    `const { ipcMain: m } = require('electron')`) and names nowhere else: no value of its calls,
    assignments, bindings, checks or returns refers to the local name, and no member chain spells
    the API out again (`require('electron').ipcMain.on(...)`, `electron.ipcMain`)."""
    direct: dict[str, str] = {}  # local name -> API
    own: set[int] = set()
    for (scope, name), v in facts.bindings.items():
        if scope is not None:
            continue
        if isinstance(v, Import) and v.src in ELECTRON_MODULES and v.name in MAIN_APIS:
            direct[name] = v.name
            own.add(id(v))
        elif isinstance(v, Member) and isinstance(v.obj, Module) \
                and v.obj.src in ELECTRON_MODULES and v.prop in MAIN_APIS:
            direct[name] = v.prop
            own.add(id(v))
    if not direct:
        return frozenset()
    roots: list[AnyV | None] = []
    for c in facts.calls:
        roots.append(c.callee)
        roots.extend(c.args)
        roots.extend(c.conds)
    for a in facts.assigns:
        roots.extend((a.target, a.value))
    roots.extend(v for v in facts.bindings.values() if id(v) not in own)
    roots.extend(x for ch in facts.checks for x in (ch.left, ch.right))
    roots.extend(e.cond for e in facts.exits)
    roots.extend(o.value for o in facts.outcomes)
    roots.extend(facts.exports.values())
    roots.extend(a.value for el in facts.jsx for a in el.attrs)
    named: set[str] = set()
    for r in roots:
        for x in walk(r, into_calls=True):
            if isinstance(x, Ref | Import):
                named.add(x.name)
            elif isinstance(x, Member):
                named.add(x.prop)
    return frozenset(api for local, api in direct.items() if local not in named and api not in named)


def _page_evidence(path: str, facts: FileFacts, memo: FileMemo) -> tuple[bool, frozenset[str], frozenset[str]]:
    """Whether the file listens for a <webview>'s 'ipc-message', the names its calls take a
    method of that no binding of its top level makes (`api.send(...)`: maybe an exposed API as a
    global), and those it takes a method of a nested object of (`api.win.focus()`). From the facts
    alone, so found once per file for all the rounds of a run."""
    hit = memo.page_evidence.get(path)
    if hit is None:
        hosts = False
        receivers: set[str] = set()
        nested: set[str] = set()
        local: set[str] | None = None  # every name the file binds, in any scope (parameters too)
        for c in facts.calls:  # (exact types: these value classes have no subclasses)
            callee = c.callee
            if type(callee) is not Member:
                continue
            if callee.prop == "addEventListener" and c.args and type(c.args[0]) is Str \
                    and c.args[0].value == "ipc-message":
                hosts = True
            obj = callee.obj
            depth = 0
            while type(obj) is Member and depth < MAX_NAMESPACE_DEPTH:
                obj, depth = obj.obj, depth + 1
            if type(obj) is not Ref or (None, obj.name) in facts.bindings:
                continue
            if not depth:
                receivers.add(obj.name)
                continue
            if local is None:
                local = {n for _s, n in facts.bindings} | {p.name for fn in facts.functions for p in fn.params}
            if obj.name not in local:  # (`config.files.forEach(...)` of a local `config` is no global)
                nested.add(obj.name)
        hit = memo.page_evidence[path] = (hosts, frozenset(receivers), frozenset(nested))
    return hit


def _calls_expose(project: Project, path: str) -> bool:
    for c in project.calls_named(path, EXPOSE_NAMES):
        if isinstance(c.callee, Member) and c.callee.prop in ("exposeInMainWorld", "exposeInIsolatedWorld"):
            api = project.electron_api(path, c.callee, c.func)
            if api and api.startswith("contextBridge."):
                return True
        elif isinstance(c.callee, Ref) and c.callee.name == "exposeElectronAPI":
            return True
    return False


def _exposed_keys(project: Project, path: str) -> set[str]:
    out = set()
    for c in project.calls_named(path, EXPOSE_NAMES):
        if isinstance(c.callee, Member) and c.callee.prop in ("exposeInMainWorld", "exposeInIsolatedWorld"):
            args = c.args[1:] if c.callee.prop == "exposeInIsolatedWorld" else c.args
            if args:
                k = project.channel(path, args[0], c.func)
                if k:
                    out.add(k)
    return out


def _window_keys(project: Project, path: str) -> set[str]:
    """`window.api = ...` in a preload (isolation off): the page reaches it as window.api."""
    out = set()
    for a in project.files[path].assigns:
        t = a.target
        if isinstance(t, Member) and isinstance(t.obj, Ref) and t.obj.name in GLOBAL_OBJECTS \
                and not re.match(r"^on[a-z]+$", t.prop):
            out.add(t.prop)
    return out


def _main_entries(project: Project, read_json: ReadJson) -> set[str]:
    """The `main` entries of the project's Electron apps' package.json files."""
    out = set()
    folders = {posixpath.dirname(p) for p in project.files}
    pkg_dirs = set()
    for d in folders:
        while True:
            pkg_dirs.add(d)
            if not d or posixpath.dirname(d) == d:
                break
            d = posixpath.dirname(d)
    for d in pkg_dirs:
        pkg = read_json(posixpath.join(d, "package.json") if d else "package.json")
        # only an Electron app names its main process (a types package's `main` is not one)
        if not pkg or not isinstance(pkg.get("main"), str) or not declares_electron(pkg):
            continue
        hit = _entry_source(project, d, pkg["main"])
        if hit:
            out.add(hit)
    return out


BUILD_DIRS = re.compile(r"^(dist|build|out|lib|app/dist|dist-electron|\.webpack|\.vite/build)/")
SOURCE_DIRS = ("", "src/", "src/main/", "app/", "app/src/", "main/", "electron/")


def _entry_source(project: Project, folder: str, main: str) -> str | None:
    """The source file of a package's `main`: the file itself, or, for build output
    (`dist/index.js`), the same name in the package's usual source folders. Nothing is guessed
    beyond the package's own folder."""
    rel = posixpath.normpath(main).removeprefix("./")
    hit = file_for_stem(project.modules.paths, posixpath.normpath(posixpath.join(folder, rel)))
    if hit is not None and hit in project.files:
        return hit
    stem = BUILD_DIRS.sub("", re.sub(r"\.(c|m)?js$", "", rel))
    for src in SOURCE_DIRS:
        hit = file_for_stem(project.modules.paths, posixpath.normpath(posixpath.join(folder, src + stem)))
        if hit is not None and hit in project.files:
            return hit
    return None


def every_role(project: Project) -> dict[str, FileInfo]:
    """Roles of every discovered file: parsed files as linked, the others by config globs or as
    shared code that was not parsed (it mentions no Electron, IPC or exposed API; test code: no IPC
    or exposed API, discover/select.py)."""
    out = dict(project.roles)
    globs = _config_globs(project.config)
    for p in sorted(project.all_paths - set(out)):
        info = None
        for role, patterns in globs:
            if any(fnmatch.fnmatch(p, g) for g in patterns):
                info = FileInfo(p, role, "config [roles] (not parsed: no Electron or IPC use)")
                break
        out[p] = info or FileInfo(p, Role.SHARED, TEST_UNPARSED if project.is_test(p)
                                  else "not parsed: mentions no Electron, IPC or exposed API")
    return dict(sorted(out.items()))


def _config_globs(config: LinkConfig | None) -> list[tuple[Role, list[str]]]:
    roles = config.roles if config is not None else {}
    out = []
    for name in ("preload", "main", "renderer", "shared"):
        globs = roles.get(name)
        if globs:
            out.append((Role(name), list(globs)))
    return out


def declares_electron(pkg: JsonObject | None) -> bool:
    """A package.json of an Electron app: it depends on electron (SPEC section 1, "Apps")."""
    deps = [pkg.get(k) for k in ("devDependencies", "dependencies")] if isinstance(pkg, dict) else []
    return any(isinstance(d, dict) and "electron" in d for d in deps)


def entry_apps(project: Project, read_json: ReadJson) -> set[str]:
    """Folders whose package.json names as `main` a main-process file without declaring electron
    (SPEC section 1, "Apps in one repository": such a folder is an app too)."""
    out: set[str] = set()
    folders = {posixpath.dirname(p) for p in project.files}
    for d in sorted(folders):
        while True:
            pkg = read_json(posixpath.join(d, "package.json") if d else "package.json")
            if pkg and isinstance(pkg.get("main"), str) and not declares_electron(pkg) and d:
                hit = _entry_source(project, d, pkg["main"])
                if hit is not None and project.role(hit) is Role.MAIN and project.apps.get(hit, "") != d:
                    out.add(d)
            if not d:
                break
            d = posixpath.dirname(d)
    return out


_MAIN_ENTRY = "the main entry of package.json"


def library_apps(project: Project, read_json: ReadJson) -> dict[str, str]:
    """App folders without a main-process file (a workspace package that declares electron for its
    types: the preload API or the pages of an app) that exactly one app with main code depends on,
    directly or through other packages of the repository: folder -> that app. They are parts of that
    app (SPEC section 1, "Apps in one repository"), not apps of their own."""
    apps = {a for a in project.apps.values() if a}
    mains, evidence = set(), set()  # (a library's package.json `main` names its index: no evidence)
    for p, i in project.roles.items():
        if i.role is Role.MAIN and not project.is_test(p):
            mains.add(project.apps.get(p, ""))
            if i.reason != _MAIN_ENTRY:
                evidence.add(project.apps.get(p, ""))
    libs = apps - evidence
    if not libs:
        return {}
    packages = project.modules.packages()

    def deps(folder: str) -> set[str]:
        pkg = read_json(posixpath.join(folder, "package.json") if folder else "package.json") or {}
        sections = [pkg.get(k) for k in ("dependencies", "devDependencies")]
        return {packages[n] for d in sections if isinstance(d, dict) for n in d if n in packages}

    users: dict[str, set[str]] = {}
    for app in sorted(mains):
        seen, todo = {app}, [app]
        while todo:
            for d in deps(todo.pop()) - seen:
                seen.add(d)
                todo.append(d)
        for lib in (seen & libs) - {app}:
            users.setdefault(lib, set()).add(app)
    return {lib: next(iter(u)) for lib, u in sorted(users.items()) if len(u) == 1}


def electron_apps(files: dict[str, FileFacts], read_json: ReadJson, more: set[str] | frozenset[str] = frozenset(),
                  ) -> dict[str, str]:
    """Each file's app: the nearest folder below the root whose package.json depends on electron,
    or one of ``more`` (monorepos hold several apps, each with its own channels); "" for the root
    or none."""
    cache: dict[str, str] = {"": ""}

    def app_of(folder: str) -> str:
        chain: list[str] = []
        while folder not in cache:
            if folder in more or declares_electron(read_json(posixpath.join(folder, "package.json"))):
                cache[folder] = folder
                break
            chain.append(folder)
            parent = posixpath.dirname(folder)
            folder = parent if parent != folder else ""
        for f in chain:
            cache[f] = cache[folder]
        return cache[folder]

    return {p: app_of(posixpath.dirname(p)) for p in files}


def electron_versions(root: Path, files: dict[str, FileFacts], read_json: ReadJson,
                      memo: tuple[dict[str, str | None], dict[str, str | None]] | None = None
                      ) -> dict[str, str | None]:
    """Each file's Electron version. ``memo``: (folder -> version, lock file -> text), kept by the
    caller for the rounds of a run (they depend on the project files alone, read once a run)."""
    cache, texts = memo if memo is not None else ({}, {})  # texts: the lock files read so far

    def version_for(folder: str) -> str | None:
        if folder in cache:
            return cache[folder]
        pkg = read_json(posixpath.join(folder, "package.json") if folder else "package.json")
        ver = None
        if pkg:
            for sect in ("devDependencies", "dependencies"):
                deps = pkg.get(sect) or {}
                if isinstance(deps, dict) and isinstance(deps.get("electron"), str):
                    ver = deps["electron"]
                    break
            if ver is not None:
                ver = _locked_version(root, folder, ver, read_json, texts) or ver
                ver = re.sub(r"^[\^~>=<v\s]+", "", ver).strip() or None
                if ver is not None and not ver[:1].isdigit():
                    ver = None  # "latest", "workspace:*", a git URL: not a version we can compare
        if ver is None and folder and posixpath.dirname(folder) != folder:
            ver = version_for(posixpath.dirname(folder))
        cache[folder] = ver
        return ver

    return {p: version_for(posixpath.dirname(p)) for p in files}


_YARN = re.compile(r'^"?electron@[^\n]*:\s*\n(?:[ \t]+[^\n]*\n)*?[ \t]+version:? "?([0-9][^"\s]*)', re.M)
_PNPM = re.compile(r"^\s+/?electron[@/]([0-9][^:(\s]*)(?:\([^\n]*\))?:\s*$", re.M)


def _locked_version(root: Path, folder: str, declared: str, read_json: ReadJson,
                    texts: dict[str, str | None]) -> str | None:
    """The installed version from the nearest lock file at or above the package.json (npm, yarn
    classic and berry, pnpm): with several electrons locked, the one whose major the range names."""
    want = re.match(r"^[\^~>=<v\s]*(\d+)", declared)
    cur = folder
    while True:
        found: list[str] = []
        for name in ("package-lock.json", "npm-shrinkwrap.json"):
            lock = read_json(posixpath.join(cur, name) if cur else name) or {}
            found += _npm_locked(lock, posixpath.relpath(folder, cur) if folder != cur else "")
        for name, pattern in (("yarn.lock", _YARN), ("pnpm-lock.yaml", _PNPM)):
            rel = posixpath.join(cur, name)
            if rel not in texts:
                raw = read_in_root(root, rel)
                texts[rel] = raw.decode("utf-8", "replace") if raw is not None else None
            text = texts[rel]
            if text is None:
                continue
            found += pattern.findall(text)
        if found:
            for v in found:
                if want is None or v.split(".", 1)[0] == want.group(1):
                    return v
            return None
        parent = posixpath.dirname(cur)
        if not cur or parent == cur:
            return None
        cur = parent


def _npm_locked(lock: JsonObject, rel: str) -> list[str]:
    """The electron versions of an npm lock file: its `packages` entries for the package.json's own
    node_modules (``rel`` is that folder below the lock file's) and the lock file's, then the old
    format's `dependencies` entry."""
    pkgs = lock.get("packages")
    pkgs = pkgs if isinstance(pkgs, dict) else {}
    keys = (posixpath.join(rel, "node_modules/electron") if rel else "", "node_modules/electron")
    entries = [pkgs.get(key) for key in keys if key]
    deps = lock.get("dependencies")
    entries.append(deps.get("electron") if isinstance(deps, dict) else None)
    return [e["version"] for e in entries if isinstance(e, dict) and isinstance(e.get("version"), str)]

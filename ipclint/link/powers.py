"""Node and Electron powers that an exposed bridge member hands the page (IPC014's judgement, also
read by IPC019): `require`, `process`, power modules, Electron's `shell`, functions that forward
their arguments to sinks, process powers, file-backed stores and databases, or hand out
`@electron/remote` objects."""
from __future__ import annotations

import msgspec

from ipclint.link.bridge import ExposedMember
from ipclint.link.project import Project
from ipclint.link.sinks import FS_MODULES, REMOTE_MODULES, sink_of
from ipclint.link.vutil import binds, refs, subtree
from ipclint.model.facts import Call, FileFacts
from ipclint.model.values import (
    AnyV,
    Await,
    CallExpr,
    Case,
    Cmp,
    Electron,
    External,
    Fn,
    Global,
    Logic,
    Member,
    NewExpr,
    Not,
    Obj,
    Ref,
    Spread,
)

REMOTE = REMOTE_MODULES
POWER_MODULES = frozenset({"fs", "node:fs", "fs/promises", "node:fs/promises", "fs-extra", "original-fs",
                           "graceful-fs", "child_process", "node:child_process", "os", "node:os", "vm", "node:vm",
                           "module", "node:module", "worker_threads",
                           # sockets and HTTP clients and servers outside the page's CORS and CSP
                           "net", "node:net", "tls", "node:tls", "dgram", "node:dgram", "http", "node:http",
                           "https", "node:https", "http2", "node:http2",
                           # npm HTTP clients built on Node's http (not on the page's fetch or XHR)
                           "got", "node-fetch", "undici", "request", "needle"}) | REMOTE
WHOLE_ONLY = frozenset({"os", "node:os"})  # os.homedir(), os.EOL are values
POWER_ELECTRON = frozenset({"shell", "remote", "*"})
PROCESS_POWERS = frozenset({"exit", "kill", "abort", "dlopen", "binding", "chdir", "setuid", "setgid", "reallyExit"})
REMOTE_OBJECTS = frozenset({"getCurrentWindow", "getCurrentWebContents", "getGlobal", "require", "getBuiltin"})
# `remote.BrowserWindow.fromId(id)`, `remote.webContents.getAllWebContents()`: any window or page of the app
LOOKUP_OWNERS = frozenset({"BrowserWindow", "webContents", "BrowserView"})
REMOTE_LOOKUPS = frozenset({"fromId", "fromWebContents", "fromBrowserView", "fromFrame", "fromDevToolsTargetId",
                            "getAllWindows", "getFocusedWindow", "getAllWebContents", "getFocusedWebContents"})
# Properties of Electron modules that hold a boolean, number or string: read through
# @electron/remote at expose time, the page gets that value (like `process.platform`), no power.
REMOTE_VALUES = frozenset({
    "app.isPackaged", "app.name", "app.userAgentFallback", "app.accessibilitySupportEnabled", "app.badgeCount",
    "app.runningUnderARM64Translation", "app.runningUnderRosettaTranslation",
    "nativeTheme.shouldUseDarkColors", "nativeTheme.themeSource", "nativeTheme.shouldUseHighContrastColors",
    "nativeTheme.shouldUseInvertedColorScheme", "nativeTheme.inForcedColorsMode",
    "nativeTheme.prefersReducedTransparency"})
MAX_HELPERS = 8
FS_PROBES = frozenset({"stat", "lstat", "access", "exists", "readlink", "realpath", "opendir", "statfs", "watch",
                       "watchFile"})

# File-backed stores and databases: module -> the name opened ("" for the module's own export, the
# class) -> the arguments that name the file. What the page passes there picks the file written.
_LOWDB: dict[str, tuple[int, ...]] = {
    name: (0,) for name in ("JSONFile", "JSONFileSync", "TextFile", "TextFileSync", "DataFile", "DataFileSync",
                            "JSONFilePreset", "JSONFileSyncPreset")}
STORE_OPENERS: dict[str, dict[str, tuple[int, ...]]] = {
    "electron-store": {"": (0,)}, "conf": {"": (0,)},
    "better-sqlite3": {"": (0, 1)}, "sqlite3": {"Database": (0,), "cached.Database": (0,)},
    "nedb": {"": (0,)}, "@seald-io/nedb": {"": (0,)}, "nedb-promises": {"": (0,), "create": (0,)},
    "lowdb": _LOWDB, "lowdb/node": _LOWDB, "lowdb/adapters/FileSync": {"": (0,)},
    "lowdb/adapters/FileAsync": {"": (0,)},
}
# Keys of an options object that choose the file (or, for better-sqlite3, the native module loaded).
FILE_KEYS = frozenset({"name", "cwd", "projectName", "projectSuffix", "configName", "fileExtension", "filename",
                       "path", "file", "dir", "directory", "nativeBinding"})


def node_power(project: Project, m: ExposedMember) -> str | None:
    """What power an exposed member hands the page, in words, or None."""
    v, path = m.value.value, m.value.path
    if isinstance(v, Spread) and v.inner is not None:
        v = project.resolve(m.value.path, v.inner, m.value.scope).value
    scope = m.value.scope
    if binds(v):  # `fs.readFile.bind(fs)`, `shell.openExternal.bind(shell)`: what it binds
        r = project.unbound(path, v, scope)
        if r is not None:
            v, path, scope = r.value, r.path, r.scope
    match v:
        case Ref(name="require" | "process" as name) if project.param_of(m.value.path, m.value.scope, name) is None:
            return f"Node's {name}"
        case Global(name="require" | "process" as name):
            return f"Node's {name}"
        case Electron(api=api) if (root := api.split(".", 1)[0]) in POWER_ELECTRON:
            return "the electron module" if root == "*" else f"Electron's {api}"
        case External(src=mod, name=name) if mod in POWER_MODULES and (name in ("*", "default")
                                                                       or mod not in WHOLE_ONLY) \
                and not (mod in REMOTE and name in REMOTE_VALUES):
            return f"the {mod} module" if name in ("*", "default") else f"{mod}.{name}"
    power = _process_power(m.raw)
    if power is not None and project.param_of(m.at or m.exposure.path, None, "process") is None:
        return f"process.{power}"
    if isinstance(v, Fn):
        return _forwards_to_sink(project, path, v.fid)
    return None


def _process_power(v: AnyV | None) -> str | None:
    """The method of `process.exit` and the other process powers."""
    match v:
        case Member(obj=Ref(name="process"), prop=prop) if prop in PROCESS_POWERS:
            return prop
    return None


def _forwards_to_sink(project: Project, path: str, fid: int) -> str | None:
    """The exposed function passes its arguments to a sink, a process power, a store or database
    opener, or a project helper that does (two helpers deep), or hands out @electron/remote objects."""
    f = project.files[path]
    if any(isinstance(r, CallExpr) and _remote_call(project, path, r, fid) for r in f.functions[fid].returns):
        return "a function that hands out @electron/remote objects"
    todo = [(fid, frozenset(p.name for p in f.functions[fid].params), 0)]
    seen: set[int] = set()
    while todo and len(seen) < MAX_HELPERS:
        cur, names, depth = todo.pop()
        if cur in seen or not names:
            continue
        seen.add(cur)
        scopes = subtree(f, cur)
        names = _with_locals(project, path, scopes, names)
        for c in project.calls_within(path, scopes):  # (not every call of the file, for each exposed function)
            why = _call_power(project, path, f, c, names, scopes)
            if why is not None:
                return f"a function that forwards its arguments to {why}"
            if depth < 2 and isinstance(c.callee, Ref):  # `read: (p) => readAny(p)`
                target = project.function_of(path, c.callee, c.func)
                if target is not None and target[0] == path:
                    fn = f.functions[target[1]]
                    forwarded = frozenset(p.name for p in fn.params
                                          if p.index < len(c.args) and refs(c.args[p.index], names))
                    if forwarded:
                        todo.append((target[1], forwarded, depth + 1))
    return None


def _with_locals(project: Project, path: str, scopes: set[int], names: frozenset[str]) -> frozenset[str]:
    """The tracked names and the locals made from them (`const full = path.join(dir, '.rc')`,
    `const f = p`), a few assignments deep; not the result of a project function that returns its
    argument only once a check of it passed (`const safe = normalizeUrl(url)` with `if (!ALLOWED.has(
    new URL(raw).protocol)) return null` inside: IPC006's ``returns_argument``)."""
    bindings = project.bindings_within(path, scopes)
    for _ in range(4):
        more = {name for name, v in bindings if name not in names and refs(v, names)
                and not _checked_result(project, path, v, names)}
        if not more:
            break
        names = names | more
    return names


def _checked_result(project: Project, path: str, v: AnyV, names: frozenset[str]) -> bool:
    """``v`` is a call of a project function (`await` or not) that takes the tracked names only
    as arguments its result does not carry unvalidated."""
    from ipclint.link.handlers import shared_judge
    from ipclint.link.taint import returns_argument
    from ipclint.link.wrappers import callee_function
    if isinstance(v, Await) and v.inner is not None:
        v = v.inner
    if not isinstance(v, CallExpr) or refs(v.callee, names):
        return False
    call = project.call_at(path, v.span)
    if call is None or callee_function(project, path, call) is None:
        return False
    judge = shared_judge(project)
    return not any(refs(a, names) and returns_argument(project, judge, path, call, i) is not None
                   for i, a in enumerate(call.args))


def _call_power(project: Project, path: str, f: FileFacts, c: Call, names: frozenset[str],
                scopes: set[int]) -> str | None:
    """What the call does with the tracked names that is a power, in words."""
    power = _process_power(c.callee)
    if power is not None and any(refs(a, names) for a in c.args):
        return f"process.{power}"
    store = store_opener(project, path, c)
    if store is not None:
        desc, positions = store
        carried: list[AnyV] = [r for i in positions if i < len(c.args) for r in _file_refs(c.args[i], names)]
        if carried and not _allowlisted(project, path, f, c, carried, names, scopes):
            return f"{desc} (the page picks the file)"
        return None
    sink = sink_of(project, path, c) or _fs_probe(project, path, c)
    if sink is None or sink[0].startswith("."):
        return None
    desc, positions = sink
    passed = [a for i in positions if i < len(c.args) for a in [c.args[i]]
              if refs(a, names) and not _checked_result(project, path, a, names)]
    return desc if passed and not _allowlisted(project, path, f, c, passed, names, scopes) else None


def _fs_probe(project: Project, path: str, c: Call) -> tuple[str, tuple[int, ...]] | None:
    """An fs call that reads what is at a path without reading the file (`fs.statSync(p)`,
    `fs.existsSync(p)`): not an IPC006 sink, but a preload function that forwards the page's path
    to one lets the page map the file system (which files exist, their sizes and times)."""
    r = project.resolve(path, c.callee, c.func).value
    if not isinstance(r, External) or r.src not in FS_MODULES:
        return None
    last = r.name.rsplit(".", 1)[-1]
    return (f"{r.src}.{last}", (0,)) if last.removesuffix("Sync") in FS_PROBES else None


def store_opener(project: Project, path: str, c: Call) -> tuple[str, tuple[int, ...]] | None:
    """(words, file arguments) when the call opens a file-backed store or database:
    `new Store(options)`, `new Database(file)`, `new sqlite3.Database(file)`, `new JSONFile(file)`,
    `Datastore.create(options)`."""
    callee = c.callee
    if isinstance(callee, Member):
        base = project.resolve(path, callee.obj, c.func)
        # `require('sqlite3').verbose()` is the module again
        if isinstance(base.value, CallExpr) and isinstance(base.value.callee, Member) \
                and base.value.callee.prop == "verbose":
            base = project.resolve(base.path, base.value.callee.obj, base.scope)
        hit = project.member(base, callee.prop)
        r = hit.value if hit is not None else None
    else:
        r = project.resolve(path, callee, c.func).value
    if not isinstance(r, External):
        return None
    names = STORE_OPENERS.get(r.src)
    if names is None:
        return None
    name = "" if r.name in ("*", "default") else r.name.removeprefix("default.")
    positions = names.get(name)
    if positions is None:
        return None
    shown = callee.text or name or r.src
    return f"{'new ' if c.new else ''}{shown} ({r.src})", positions


def _file_refs(arg: AnyV, names: frozenset[str]) -> list[Ref]:
    """The tracked names an argument carries where they pick the file: the argument itself, or an
    options object's file keys (`{ filename }`, `{ name, cwd }`) and spreads."""
    if isinstance(arg, Obj):
        return [r for p in arg.props if p.spread or p.key in FILE_KEYS for r in refs(p.value, names)]
    return refs(arg, names)


def _allowlisted(project: Project, path: str, f: FileFacts, c: Call, passed: list[AnyV], names: frozenset[str],
                 scopes: set[int]) -> bool:
    """Every argument that reaches the sink is a parameter checked against a fixed list first
    (`if (!SAFE.includes(name)) throw ...; return require(name)`)."""
    from ipclint.link.exposure import _allows, _allows_unless
    for a in passed:
        if not isinstance(a, Ref) or a.name not in names:
            return False
        parsed = _url_aliases(project, path, scopes, a.name)
        parsed |= _url_part_locals(project, path, scopes, a.name, parsed)
        ok = False
        for cond in c.conds:
            hit = _allows(project, path, _url_parts_as(cond, parsed, a), a.name, c.func)
            ok = ok or (hit is not None and not all(x.endswith("*") for x in hit))
        for ex in f.exits:
            if ex.func in scopes and ex.span < c.span:
                hit = _allows_unless(project, path, _url_parts_as(ex.cond, parsed, a), a.name, ex.func)
                ok = ok or (hit is not None and not all(x.endswith("*") for x in hit))
        if not ok:
            return False
    return True


URL_PARTS = frozenset({"protocol", "host", "hostname", "origin"})


def _url_aliases(project: Project, path: str, scopes: set[int], name: str) -> frozenset[str]:
    """The locals that hold the parsed URL ``name`` (`const u = new URL(name)`, `url.parse(name)`)."""
    return frozenset(local for local, v in project.bindings_within(path, scopes)
                     if _parses(project, path, v, name))


def _url_part_locals(project: Project, path: str, scopes: set[int], name: str,
                     parsed: frozenset[str]) -> frozenset[str]:
    """The locals that hold the scheme, host or origin of the URL ``name`` (`const { protocol } =
    new URL(name)`, `const host = u.host` with ``u`` among ``parsed``): read as the URL itself."""
    out: set[str] = set()
    for local, v in project.bindings_within(path, scopes):
        if isinstance(v, Member) and v.prop in URL_PARTS and (
                _parses(project, path, v.obj, name) or (isinstance(v.obj, Ref) and v.obj.name in parsed)):
            out.add(local)
    return frozenset(out)


def _parses(project: Project, path: str, v: AnyV, name: str) -> bool:
    match v:
        case NewExpr(callee=Ref(name="URL"), args=(Ref(name=arg), *_)) if arg == name:
            return True
        case CallExpr(callee=Member(obj=Ref() as mod, prop="parse"), args=(Ref(name=arg), *_)) if arg == name:
            r = project.resolve(path, mod, None).value
            return isinstance(r, External) and r.src in ("url", "node:url")
        # `const { parse } = require('url'); parse(name)`
        case CallExpr(callee=Ref() as fn, args=(Ref(name=arg), *_)) if arg == name:
            r = project.resolve(path, fn, None).value
            return isinstance(r, External) and r.src in ("url", "node:url") and r.name.endswith("parse")
    return False


def _url_parts_as(cond: AnyV, parsed: frozenset[str], arg: Ref) -> AnyV:
    """``cond`` with the scheme, host or origin of the parsed argument read as the argument itself:
    an allowlist of hosts or schemes (`HOSTS.includes(new URL(u).hostname)`) restricts the URL
    that reaches the sink like an allowlist of whole URLs does."""
    def walk(v: AnyV, depth: int) -> AnyV:
        if depth > 16:
            return v
        match v:
            case Member(obj=Ref(name=n), prop=prop) if prop in URL_PARTS and n in parsed:
                return Ref(span=v.span, text=arg.text, name=arg.name)
            case Ref(name=n) if n in parsed and n != arg.name:  # a local holding the scheme or host
                return Ref(span=v.span, text=arg.text, name=arg.name)
            case Member(obj=NewExpr(callee=Ref(name="URL"), args=(Ref(name=n), *_)), prop=prop) \
                    if prop in URL_PARTS and n == arg.name:
                return Ref(span=v.span, text=arg.text, name=arg.name)
            case Not(inner=inner):
                return msgspec.structs.replace(v, inner=walk(inner, depth + 1))
            case Cmp() | Logic():
                return msgspec.structs.replace(v, left=walk(v.left, depth + 1), right=walk(v.right, depth + 1))
            case CallExpr(callee=callee, args=args):
                return msgspec.structs.replace(v, callee=walk(callee, depth + 1),
                                               args=tuple(walk(x, depth + 1) for x in args))
            case Case(subject=subject):  # `switch (new URL(u).protocol) { case 'https:': ... }`
                return msgspec.structs.replace(v, subject=walk(subject, depth + 1))
        return v
    return walk(cond, 0)


def _remote_call(project: Project, path: str, v: CallExpr, scope: int) -> bool:
    """`remote.getCurrentWindow()` and friends, and remote's lookups of windows and webContents
    (`remote.BrowserWindow.fromId(id)`, `electron.remote.webContents.getAllWebContents()`): a call
    that returns a live main-process object."""
    callee = v.callee
    if isinstance(callee, Ref):  # `const { getCurrentWindow } = require('@electron/remote')`
        r = project.resolve(path, callee, scope).value
        return isinstance(r, External) and r.src in REMOTE and r.name.rsplit(".", 1)[-1] in REMOTE_OBJECTS
    if not isinstance(callee, Member) or callee.prop not in REMOTE_OBJECTS | REMOTE_LOOKUPS:
        return False
    chain: list[str] = []  # the properties between the base name and the method, outermost last
    base = callee.obj
    while isinstance(base, Member):
        chain.insert(0, base.prop)
        base = base.obj
    if not isinstance(base, Ref):
        return False
    r = project.resolve(path, base, scope).value
    if isinstance(r, External) and r.src in REMOTE:
        named = r.name.removeprefix("default").lstrip(".")
        rest = ([named] if named not in ("", "*") else []) + chain
    elif isinstance(r, Electron) and r.api != "*":
        rest = r.api.split(".") + chain
    elif isinstance(r, Electron) and chain:  # the whole module: `electron.remote.getCurrentWindow()`
        rest = chain
    else:
        return False
    if isinstance(r, Electron):
        if rest[0] != "remote":
            return False
        rest = rest[1:]
    if callee.prop in REMOTE_OBJECTS:
        return True
    return len(rest) == 1 and rest[0] in LOOKUP_OWNERS

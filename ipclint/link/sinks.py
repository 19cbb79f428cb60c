"""Dangerous main-process sinks (IPC006, IPC014): which call is one, and which arguments matter."""
from __future__ import annotations

from ipclint.link.modules import Where
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name
from ipclint.model.facts import Assign, Call
from ipclint.model.values import AnyV, CallExpr, ClassV, Cond, Dyn, Electron, External, Fn, Member, NewExpr, Ref

FS_MODULES = frozenset({"fs", "fs/promises", "node:fs", "node:fs/promises", "fs-extra", "graceful-fs",
                        "original-fs", "fs-extra/esm", "mz/fs"})
FS_PATH_FUNCS = {"readFile": (0,), "writeFile": (0,), "appendFile": (0,), "rm": (0,), "unlink": (0,),
                 "rmdir": (0,), "mkdir": (0,), "copyFile": (0, 1), "rename": (0, 1), "createReadStream": (0,),
                 "createWriteStream": (0,), "readdir": (0,), "open": (0,), "remove": (0,), "outputFile": (0,),
                 "copy": (0, 1), "move": (0, 1), "readJson": (0,), "writeJson": (0,), "outputJson": (0,),
                 "emptyDir": (0,), "ensureDir": (0,), "cp": (0, 1), "symlink": (0, 1), "truncate": (0,),
                 "chmod": (0,), "readJSON": (0,), "writeJSON": (0,)}
CP_MODULES = frozenset({"child_process", "node:child_process", "execa", "cross-spawn"})
CP_FUNCS = {"exec": (0,), "execSync": (0,), "execFile": (0, 1), "execFileSync": (0, 1), "spawn": (0, 1),
            "spawnSync": (0, 1), "fork": (0, 1), "execa": (0, 1), "execaSync": (0, 1), "execaCommand": (0,)}
# The MCP SDK's stdio transport spawns `options.command` with `options.args` and `options.env`.
MCP_STDIO_MODULES = frozenset({"@modelcontextprotocol/sdk/client/stdio.js", "@modelcontextprotocol/sdk/client/stdio"})
MCP_STDIO = "new StdioClientTransport (MCP SDK: it spawns options.command)"
MCP_STDIO_KEYS = frozenset({"command", "args", "env", "cwd", "..."})  # the options that choose what runs
# Packages that delete the paths (or globs) they are given, like `fs.rm` / `shell.trashItem`:
# `trash(p)`, `rimraf(p)` / `rimraf.sync(p)` / `rimrafSync(p)`, `del(p)` / `deleteAsync(p)`.
DELETE_MODULES = {"trash": frozenset(), "rimraf": frozenset({"sync", "rimraf", "rimrafSync", "native", "nativeSync",
                                                             "manual", "manualSync", "windows", "windowsSync",
                                                             "posix", "posixSync", "moveRemove", "moveRemoveSync"}),
                  "del": frozenset({"deleteAsync", "deleteSync", "sync"})}
# Static file servers: every file under the folder they are given is served to whoever connects
# (`express.static(root)`, `serve-static(root)`): the root is a path sink like `fs.readdir`.
STATIC_SERVERS = {"express": frozenset({"static"}), "serve-static": frozenset()}
# Run a shell command as administrator (child_process.exec behind an elevation prompt).
SUDO_MODULES = frozenset({"sudo-prompt", "@vscode/sudo-prompt"})
VM_FUNCS = frozenset({"runInNewContext", "runInThisContext", "runInContext", "compileFunction", "Script"})
ELECTRON_SINKS = {"shell.openExternal": (0,), "shell.openPath": (0,), "shell.showItemInFolder": (0,),
                  "shell.trashItem": (0,), "app.setAsDefaultProtocolClient": (0,)}
MEMBER_SINKS = {"loadURL": (0,), "loadFile": (0,), "executeJavaScript": (0,), "insertCSS": (0,),
                "setProxy": (0,), "setAsDefaultProtocolClient": (0,), "openExternal": (0,), "openPath": (0,),
                "trashItem": (0,)}
DEBUGGER_SINKS = {"attach": (0,), "sendCommand": (0, 1)}  # webContents.debugger: the DevTools protocol
# Persistent settings stores: a renderer-chosen key (or a whole renderer object) rewrites any
# setting, including ones that later become paths, URLs or security switches.
STORE_LIBS = frozenset({"electron-store", "conf", "electron-settings"})
STORE_WRITES = frozenset({"set", "setSync"})
STORE_KEY = "the settings key of"
MAX_BASES = 8  # project classes between a store instance's class and the library's
WINDOW_CTORS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView"})
# `@electron/remote` (the renderer's module) also by its files: `@electron/remote/renderer/index.js`
REMOTE_MODULES = frozenset({"@electron/remote", "electron/remote", "@electron/remote/renderer",
                            "@electron/remote/renderer/index", "@electron/remote/renderer/index.js"})


def sink_of(project: Project, path: str, call: Call, extra: frozenset[str] = frozenset(),
            main_only: bool = False) -> tuple[str, tuple[int, ...]] | None:
    """(description, indexes of the arguments that are sinks) or None. ``main_only``: also the
    sinks that matter for renderer data in main (IPC006), not as powers a preload exposes
    (IPC014): settings stores written with a renderer-chosen key, `webContents.debugger`."""
    callee = call.callee
    if isinstance(callee, Ref) and not call.new:
        if callee.name in ("eval", "require", "import") and project.param_of(path, call.func, callee.name) is None:
            return callee.name, (0,)
    if isinstance(callee, Ref) and call.new and callee.name == "Function":
        return "new Function", tuple(range(len(call.args)))
    where = project.resolve(path, callee, call.func)
    r = where.value
    if isinstance(r, CallExpr) and r.args and callee_name(r.callee) == "promisify":  # promisify(exec)(cmd)
        r = project.resolve(where.path, r.args[0], where.scope).value
    hit = _api_sink(r, call.new)
    if hit is None and type(r) is Cond and r.alts:
        # `const write = raw ? require('original-fs').writeFileSync : fs.writeFileSync`: a sink either way
        sides = [_api_sink(project.resolve(where.path, alt, where.scope).value, call.new) for alt in r.alts]
        if all(side is not None for side in sides) and len({side[1] for side in sides if side}) == 1:
            hit = sides[0]
    if hit is not None:
        return hit
    text = callee.text
    if text in extra or (isinstance(callee, Member) and callee.prop in extra):
        return text, tuple(range(len(call.args)))
    if isinstance(callee, Member) and not call.new:
        method = callee.prop
        # (a method that resolves to a function of the project, `shell.openPath(p)` with
        # `const shell = require('./shell')`, is a helper: the sink is in its body, if anywhere)
        if method in MEMBER_SINKS and not isinstance(r, (External, Fn)):
            return f".{method}", MEMBER_SINKS[method]
        if main_only and method in DEBUGGER_SINKS and _is_debugger(project, path, callee.obj, call.func):
            return f"webContents.debugger.{method}", DEBUGGER_SINKS[method]
        if main_only and method in STORE_WRITES:
            lib = settings_store(project, path, callee.obj, call.func)
            if lib is not None:
                return f"{STORE_KEY} {lib} {method}()", (0,)
    return None


def _is_debugger(project: Project, path: str, obj: AnyV, scope: int | None) -> bool:
    """`win.webContents.debugger`, `event.sender.debugger`, or a variable holding one (also of a
    parameter typed `WebContents`: then it resolves to Electron's `webContents.debugger`)."""
    if isinstance(obj, Member) and obj.prop == "debugger":
        return True
    r = project.resolve(path, obj, scope).value
    if isinstance(r, Member):
        return r.prop == "debugger"
    if isinstance(r, Electron):
        return r.api.endswith(".debugger")
    return isinstance(r, Dyn) and (r.why or "").endswith(".debugger")


def settings_store(project: Project, path: str, obj: AnyV, scope: int | None) -> str | None:
    """The settings library of a store instance (`new Store()` of electron-store, `new Conf()`, or
    of a project class that extends one; the electron-settings module itself), or None."""
    r = project.resolve(path, obj, scope)
    v = r.value
    if isinstance(v, NewExpr):
        return _store_class(project, project.resolve(r.path, v.callee, r.scope))
    if isinstance(v, External) and v.src == "electron-settings":
        return v.src
    return None


def _store_class(project: Project, cls: Where) -> str | None:
    """The settings library a class is, or extends through project classes (`class
    PersistentStore extends ElectronStore {}`, `class Named extends PersistentStore`): an instance
    of such a subclass is that library's store, with its `set` and `store`."""
    for _ in range(MAX_BASES):
        v = cls.value
        if isinstance(v, External):
            return v.src if v.src in STORE_LIBS else None
        if type(v) is not ClassV or v.name is None or cls.path not in project.files:
            return None
        base = project.files[cls.path].class_bases.get(v.name)
        if base is None:
            return None
        cls = project.resolve(cls.path, Ref(span=v.span, text=base, name=base), None)
    return None


def assignment_sink(project: Project, path: str, assign: Assign) -> str | None:
    """`store.store = obj` on a settings store: every setting replaced at once."""
    target = assign.target
    if isinstance(target, Member) and target.prop == "store":
        lib = settings_store(project, path, target.obj, assign.func)
        if lib is not None:
            return f"the whole settings of {lib} (store.store =)"
    return None


def _api_sink(r: AnyV, new: bool) -> tuple[str, tuple[int, ...]] | None:
    """A sink of Electron or of a Node module, by the resolved callee. Main's modules reached
    through `@electron/remote` (`remote.shell.openExternal`, `new remote.BrowserWindow(o)`) are
    those modules: a preload function that forwards to one runs it in main."""
    if isinstance(r, External) and r.src in REMOTE_MODULES and r.name not in ("*", "default"):
        r = Electron(span=r.span, text=r.text, api=r.name.removeprefix("default."))
    if isinstance(r, Electron):
        name = r.api.removeprefix("remote.")
        if new and name in WINDOW_CTORS:
            return f"new {name}", (0,)
        if name in ELECTRON_SINKS:
            return name, ELECTRON_SINKS[name]
        if name.endswith(".setProxy"):
            return name, (0,)
    if isinstance(r, External):
        mod, name = r.src, r.name
        last = name.rsplit(".", 1)[-1]
        if mod in FS_MODULES and last in (FS_PATH_FUNCS.keys() | {f + "Sync" for f in FS_PATH_FUNCS}):
            return f"{mod}.{last}", FS_PATH_FUNCS.get(last.removesuffix("Sync"), (0,))
        if mod in CP_MODULES and (last in CP_FUNCS or (name in ("*", "default") and mod == "execa")):
            return f"{mod}.{last}", CP_FUNCS.get(last, (0, 1))
        if new and mod in MCP_STDIO_MODULES and last == "StdioClientTransport":
            return MCP_STDIO, (0,)
        if mod in DELETE_MODULES and (name in ("*", "default") or last in DELETE_MODULES[mod]):
            return (mod if name in ("*", "default") else f"{mod}.{last}"), (0,)
        if mod in STATIC_SERVERS and ((name in ("*", "default") and not STATIC_SERVERS[mod])
                                      or last in STATIC_SERVERS[mod]):
            return (f"{mod}.{last}" if STATIC_SERVERS[mod] else mod), (0,)
        if mod in SUDO_MODULES and last == "exec":
            return f"{mod}.exec", (0,)
        if mod in ("vm", "node:vm") and last in VM_FUNCS:
            return f"vm.{last}", (0,)
    return None

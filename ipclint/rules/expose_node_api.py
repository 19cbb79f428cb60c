from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.bridge import ExposedMember
from ipclint.link.exposure import members
from ipclint.link.project import Project
from ipclint.link.sinks import sink_of
from ipclint.link.vutil import refs, subtree
from ipclint.model import Severity
from ipclint.model.facts import Call, FileFacts
from ipclint.model.values import AnyV, CallExpr, Electron, External, Fn, Global, Member, Ref, Spread
from ipclint.rules._base import Hit, Options, rule

POWER_MODULES = frozenset({"fs", "node:fs", "fs/promises", "node:fs/promises", "fs-extra", "original-fs",
                           "graceful-fs", "child_process", "node:child_process", "os", "node:os", "@electron/remote",
                           "electron/remote", "vm", "node:vm", "module", "node:module", "worker_threads"})
WHOLE_ONLY = frozenset({"os", "node:os"})  # os.homedir(), os.EOL are values
POWER_ELECTRON = frozenset({"shell", "remote", "*"})


@rule("IPC014", "expose-node-api", Severity.ERROR, "Preload exposes Node or Electron powers to the page",
      cwe=(749,), security_severity=9.0,
      fix=("Expose narrow functions that ask main to do one fixed thing over IPC (openLog: () => "
           "ipcRenderer.invoke('log:open')), never require, process, fs, shell or child_process themselves"))
def expose_node_api(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags a preload that exposes Node or Electron powers through `contextBridge`: `require`,
    `process`, modules such as `fs`, `child_process`, `os` and `@electron/remote`, Electron's
    `shell`, or functions that forward caller-supplied arguments to `shell.openExternal`/`openPath`,
    `child_process`, `fs` paths, `require`, `eval` or `process.kill`/`exit` (directly or through
    project helpers, two calls deep); `process.exit` and friends by reference; and functions that
    return live `@electron/remote` objects (`remote.getCurrentWindow()`). Values are fine: `process.platform`,
    `process.versions`, `os.EOL`, `os.homedir()`, `require('../package.json').version`; so are
    `path`, calls of fs or shell with fixed arguments, and anything that forwards to
    `ipcRenderer.invoke` (the main process decides). Reported at the exposed property.

    ## Why is this bad?
    The page, and anything injected into it, gets the preload's Node privileges directly: read
    and write any file, run programs, open arbitrary URLs and paths. Context isolation is only as
    strong as what the preload hands over.

    ## Example
    ```js
    // file: preload.js
    const { contextBridge, shell } = require('electron')
    const fs = require('fs')
    contextBridge.exposeInMainWorld('native', {
      fs,
      openLink: (url) => shell.openExternal(url),
    })
    ```

    ## Use instead
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('native', {
      platform: process.platform,
      openLink: (url) => ipcRenderer.invoke('link:open', url),
    })
    ```

    ## References
    - [Electron security: do not expose Node.js primitives](https://www.electronjs.org/docs/latest/tutorial/context-isolation#security-considerations)
    - [CWE-749: Exposed Dangerous Method or Function](https://cwe.mitre.org/data/definitions/749.html)
    """
    for exp, m, _kind in members(project):
        why = _power(project, m)
        if why:
            name = ".".join((exp.key, *m.keypath))
            at, span = m.where
            yield Hit(at, span, f"window.{name} exposes {why} to the page", key=name)


def _power(project: Project, m: ExposedMember) -> str | None:
    v = m.value.value
    if isinstance(v, Spread) and v.inner is not None:
        v = project.resolve(m.value.path, v.inner, m.value.scope).value
    match v:
        case Ref(name="require" | "process" as name) if project.param_of(m.value.path, m.value.scope, name) is None:
            return f"Node's {name}"
        case Global(name="require" | "process" as name):
            return f"Node's {name}"
        case Electron(api=api) if (root := api.split(".", 1)[0]) in POWER_ELECTRON:
            return "the electron module" if root == "*" else f"Electron's {api}"
        case External(src=mod, name=name) if mod in POWER_MODULES and (name in ("*", "default")
                                                                       or mod not in WHOLE_ONLY):
            return f"the {mod} module" if name in ("*", "default") else f"{mod}.{name}"
    power = _process_power(m.raw)
    if power is not None and project.param_of(m.at or m.exposure.path, None, "process") is None:
        return f"process.{power}"
    if isinstance(v, Fn):
        return _forwards_to_sink(project, m.value.path, v.fid)
    return None


PROCESS_POWERS = frozenset({"exit", "kill", "abort", "dlopen", "binding", "chdir", "setuid", "setgid", "reallyExit"})
REMOTE = frozenset({"@electron/remote", "electron/remote"})
MAX_HELPERS = 8


def _process_power(v: AnyV | None) -> str | None:
    """The method of `process.exit` and the other process powers."""
    match v:
        case Member(obj=Ref(name="process"), prop=prop) if prop in PROCESS_POWERS:
            return prop
    return None


def _forwards_to_sink(project: Project, path: str, fid: int) -> str | None:
    """The exposed function passes its arguments to a sink, a process power, or a project helper
    that does (two helpers deep), or hands out @electron/remote objects."""
    f = project.files[path]
    if any(isinstance(r, CallExpr) and _remote_call(project, path, r, fid) for r in f.functions[fid].returns):
        return "a function that hands out @electron/remote objects"
    todo = [(fid, frozenset(p.name for p in f.functions[fid].params), 0)]
    seen: set[int] = set()
    while todo and len(seen) < MAX_HELPERS:
        cur, names, depth = todo.pop()
        if cur in seen:
            continue
        seen.add(cur)
        scopes = subtree(f, cur)
        for c in f.calls:
            if c.func not in scopes:
                continue
            if not names:
                continue
            power = _process_power(c.callee)
            if power is not None and any(refs(a, names) for a in c.args):
                return f"a function that forwards its arguments to process.{power}"
            sink = sink_of(project, path, c)
            if sink is not None and not sink[0].startswith("."):
                desc, positions = sink
                passed = [a for i in positions if i < len(c.args) for a in [c.args[i]] if refs(a, names)]
                if passed and not _allowlisted(project, path, f, c, passed, names, scopes):
                    return f"a function that forwards its arguments to {desc}"
                continue
            if depth < 2 and isinstance(c.callee, Ref):  # `read: (p) => readAny(p)`
                target = project.function_of(path, c.callee, c.func)
                if target is not None and target[0] == path:
                    fn = f.functions[target[1]]
                    forwarded = frozenset(p.name for p in fn.params
                                          if p.index < len(c.args) and refs(c.args[p.index], names))
                    if forwarded:
                        todo.append((target[1], forwarded, depth + 1))
    return None


REMOTE_OBJECTS = frozenset({"getCurrentWindow", "getCurrentWebContents", "getGlobal", "require", "getBuiltin"})


def _allowlisted(project: Project, path: str, f: FileFacts, c: Call, passed: list[AnyV], names: frozenset[str],
                 scopes: set[int]) -> bool:
    """Every argument that reaches the sink is a parameter checked against a fixed list first
    (`if (!SAFE.includes(name)) throw ...; return require(name)`)."""
    from ipclint.link.exposure import _allows, _allows_unless
    for a in passed:
        if not isinstance(a, Ref) or a.name not in names:
            return False
        ok = False
        for cond in c.conds:
            hit = _allows(project, path, cond, a.name, c.func)
            ok = ok or (hit is not None and not all(x.endswith("*") for x in hit))
        for ex in f.exits:
            if ex.func in scopes and ex.span < c.span:
                hit = _allows_unless(project, path, ex.cond, a.name, ex.func)
                ok = ok or (hit is not None and not all(x.endswith("*") for x in hit))
        if not ok:
            return False
    return True


def _remote_call(project: Project, path: str, v: CallExpr, scope: int) -> bool:
    """`remote.getCurrentWindow()` and friends: a call that returns a live main-process object."""
    callee = v.callee
    if not isinstance(callee, Member) or callee.prop not in REMOTE_OBJECTS:
        return False
    base = callee.obj
    while isinstance(base, Member):
        base = base.obj
    if not isinstance(base, Ref):
        return False
    r = project.resolve(path, base, scope).value
    return (isinstance(r, External) and r.src in REMOTE) or (isinstance(r, Electron) and r.api.startswith("remote"))

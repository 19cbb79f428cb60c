from __future__ import annotations

from typing import Iterator

from ipclint.bridge import ExposedMember
from ipclint.exposure import members
from ipclint.model import Severity
from ipclint.project import Project
from ipclint.rules._base import Hit, rule
from ipclint.rules._sinks import sink_of
from ipclint.vutil import refs, subtree

POWER_MODULES = frozenset({"fs", "node:fs", "fs/promises", "node:fs/promises", "fs-extra", "original-fs",
                           "graceful-fs", "child_process", "node:child_process", "os", "node:os", "@electron/remote",
                           "electron/remote", "vm", "node:vm", "module", "node:module", "worker_threads"})
WHOLE_ONLY = frozenset({"os", "node:os"})  # os.homedir(), os.EOL are values
POWER_ELECTRON = frozenset({"shell", "remote", "*"})


@rule("IPC014", "expose-node-api", Severity.ERROR, "Preload exposes Node or Electron powers to the page",
      cwe=(749,), security_severity=9.0)
def expose_node_api(project: Project, options) -> Iterator[Hit]:
    """## What it does
    Flags a preload that exposes Node or Electron powers through `contextBridge`: `require`,
    `process`, modules such as `fs`, `child_process`, `os` and `@electron/remote`, Electron's
    `shell`, or functions that forward caller-supplied arguments to `shell.openExternal`/`openPath`,
    `child_process`, `fs` paths, `require` or `eval`. Values are fine: `process.platform`,
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

    ## Options
    None.

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
    if v.kind == "spread" and v.data is not None:
        v = project.resolve(m.value.path, v.data, m.value.scope).value
    if v.kind == "ref" and v.data in ("require", "process") and \
            project.param_of(m.value.path, m.value.scope, v.data) is None:
        return f"Node's {v.data}"
    if v.kind == "global" and v.data in ("require", "process"):
        return f"Node's {v.data}"
    if v.kind == "electron":
        root = v.data.split(".", 1)[0]
        if root in POWER_ELECTRON:
            return "the electron module" if root == "*" else f"Electron's {v.data}"
    if v.kind == "external":
        mod, name = v.data
        if mod in POWER_MODULES and (name in ("*", "default") or mod not in WHOLE_ONLY):
            return f"the {mod} module" if name in ("*", "default") else f"{mod}.{name}"
    if v.kind == "fn":
        return _forwards_to_sink(project, m.value.path, v.data)
    return None


def _forwards_to_sink(project: Project, path: str, fid: int) -> str | None:
    f = project.files[path]
    fn = f.functions[fid]
    names = frozenset(p.name for p in fn.params)
    if not names:
        return None
    scopes = subtree(f, fid)
    for c in f.calls:
        if c.func not in scopes:
            continue
        sink = sink_of(project, path, c)
        if sink is None or sink[0].startswith("."):
            continue
        desc, positions = sink
        if any(i < len(c.args) and refs(c.args[i], names) for i in positions):
            return f"a function that forwards its arguments to {desc}"
    return None

from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.exposure import members
from ipclint.link.powers import node_power
from ipclint.link.project import Project
from ipclint.model import Severity
from ipclint.rules._base import Hit, Options, rule


@rule("IPC014", "expose-node-api", Severity.ERROR, "Preload exposes Node or Electron powers to the page",
      cwe=(749,), security_severity=9.0,
      fix=("Expose narrow functions that ask main to do one fixed thing over IPC (openLog: () => "
           "ipcRenderer.invoke('log:open')), never require, process, fs, shell or child_process themselves"))
def expose_node_api(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags a preload that exposes Node or Electron powers through `contextBridge` (a getter
    exposes what it returns: `get files() { return fs }`): `require`,
    `process`, modules such as `fs`, `child_process`, `os`, `vm`, `@electron/remote` and the
    network modules (`net`, `tls`, `dgram`, `http`, `https`, `http2`, and the npm HTTP clients built
    on them: `got`, `node-fetch`, `undici`, `request`, `needle`: sockets and requests to any host,
    outside the page's CORS and CSP), Electron's
    `shell`, or functions that forward caller-supplied arguments to `shell.openExternal`/`openPath`
    (also main's modules reached through `@electron/remote`: `remote.shell.openExternal(u)`,
    `new remote.BrowserWindow(options)`),
    `child_process`, `fs` paths (also `fs.stat`/`lstat`/`exists`/`access`, with which the page maps
    the file system; and the deleting packages `trash`, `rimraf`, `del`), `require`, `eval` or
    `process.kill`/`exit` (directly or through project helpers, two calls deep); `process.exit` and
    friends by reference; functions that return live `@electron/remote` objects
    (`remote.getCurrentWindow()`, or `getCurrentWindow()` destructured from it, also
    `electron.remote.getCurrentWindow()`; and remote's lookups of any window or page,
    `remote.BrowserWindow.fromId(id)`, `remote.webContents.getAllWebContents()`); and functions that
    pass caller-supplied arguments to the constructor or opener of a file-backed store or database
    (`electron-store`, `conf`, `lowdb`, `nedb`, `better-sqlite3`, `sqlite3`: `storeNew: (name,
    options) => new Store(options)` lets the page pick the file). Values are fine: `process.platform`,
    `process.versions`, `os.EOL`, `os.homedir()`, `require('../package.json').version`, and
    properties read through `@electron/remote` that hold a value (`remote.app.isPackaged`,
    `nativeTheme.shouldUseDarkColors`); so are
    `path`, calls of fs or shell with fixed arguments, stores and databases opened with fixed
    names (page data passed to their `get`/`query` only), arguments checked against a fixed
    allowlist before the call (for a URL also its parsed scheme, host or origin:
    `if (!HOSTS.includes(new URL(u).hostname)) return`, `const { protocol } = new URL(u)`, or a
    `switch` over it whose matching cases make the call), the result of a project function that
    gives the argument back only once a check of it passed (`shell.openExternal(toSafeUrl(u))`,
    with `if (!SCHEMES.has(new URL(raw).protocol)) return null` inside: helpers are judged as
    IPC006 judges them), and anything that forwards to
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
    for _exp, m, _kind in members(project):
        why = node_power(project, m)
        if why:
            name = m.name
            at, span = m.where
            yield Hit(at, span, f"window.{name} exposes {why} to the page", key=name)

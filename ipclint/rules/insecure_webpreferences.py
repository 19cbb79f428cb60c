from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.project import Project
from ipclint.link.webprefs import (
    InsecureSetting,
    assignments,
    created_webviews,
    loose_options,
    remote_enabled,
    webviews,
    window_settings,
)
from ipclint.model import Severity
from ipclint.rules._base import Hit, Options, rule


@rule("IPC013", "insecure-webpreferences", Severity.ERROR,
      "Window options that remove the boundary between page and Node", cwe=(1188, 94), security_severity=8.0,
      fix=("Keep the safe values (contextIsolation: true, sandbox: true, nodeIntegration: false, "
           "webSecurity: true) and give the page what it needs through narrow preload functions"))
def insecure_webpreferences(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags `BrowserWindow`, `BrowserView` and `WebContentsView` options, `webPreferences`
    assignments and `<webview>` attributes that remove the IPC boundary: `nodeIntegration: true`,
    `nodeIntegrationInWorker: true`, `nodeIntegrationInSubFrames: true`, `contextIsolation:
    false`, `sandbox: false`, `webSecurity: false`, `allowRunningInsecureContent: true`, and
    `enableRemoteModule: true` on Electron before 14 (later versions ignore it). Options are
    followed through every part they are made of: objects in variables or imported from other
    modules (`Object.freeze`d, default exports), spreads, `Object.assign({}, base, extra)`,
    functions that build them, the alternatives of a condition, every entry of a table picked
    by a run-time key (`webPreferences: PREFS[mode]`), and what the callers of a window helper
    pass to its parameter, or to a member of it (`webPreferences: { ...options.webPreferences }`
    in `createWindow(name, options)`); a later part that sets a
    key overrides an earlier one, and an insecure option in a shared object is reported once, at
    its property. An assignment such as `webPreferences.sandbox = false` or
    `webPreferences['nodeIntegration'] = true` (typically in a 'will-attach-webview' handler), or
    lodash's path assignment `_.set(opts, ['webPreferences', 'contextIsolation'], false)`, is
    reported at the assignment; `Object.assign(webPreferences, {...})` and
    `opts.webPreferences = {...}` at the property; `<webview nodeintegration>`
    at the attribute (or at `setAttribute('nodeintegration', ...)` on a created webview, or at the
    property of an object spread into the element: `<webview {...props} />`). A `<webview
    webpreferences="...">` string is read as Electron reads it: a name by itself is true
    (`contextIsolation,sandbox` turns both on; `nodeIntegration` alone turns Node on), and
    `no`/`false`/`0` are false; in a template literal (`` `devTools=${dev}, contextIsolation=0` ``)
    the fixed settings count and one whose name or value is substituted is not judged.
    `require('@electron/remote/main').enable(webContents)`, under any alias (a renamed import,
    a namespace, `remoteMain.enable(...)`), is reported at the call: that page gets every
    main-process module. When the app's Electron version is older than the release that made the
    safe value the default (nodeIntegration 5, contextIsolation 12, sandbox 20), a missing option
    is reported at the constructor; `app.enableSandbox()` in the app's main process counts as
    sandbox on. When no Electron version can be found, a current Electron is assumed: no
    missing-option and no `enableRemoteModule` findings, while explicit insecure values count.

    ## Why is this bad?
    With Node integration in the page, or without context isolation, any script in the page (an
    XSS, a compromised dependency, a remote page) runs with the app's Node privileges or can reach
    the preload's internals. Without the sandbox, a renderer exploit is a system compromise.

    ## Example
    ```js
    // file: main.js
    const { app, BrowserWindow } = require('electron')
    app.whenReady().then(() => {
      const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } })
      win.loadFile('index.html')
    })
    ```

    ## Use instead
    ```js
    // file: main.js
    const { app, BrowserWindow } = require('electron')
    const path = require('path')
    app.whenReady().then(() => {
      const win = new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'preload.js') } })
      win.loadFile('index.html')
    })
    ```

    ## References
    - [Electron security checklist: items 2, 3, 4, 5, 6](https://www.electronjs.org/docs/latest/tutorial/security#checklist-security-recommendations)
    - [CWE-1188: Insecure Default Initialization of Resource](https://cwe.mitre.org/data/definitions/1188.html)
    """
    seen: set[tuple[str, int, int]] = set()
    yield from map(_hit, window_settings(project, seen))
    yield from map(_hit, loose_options(project, seen))
    yield from map(_hit, assignments(project, seen))
    yield from map(_hit, webviews(project))
    yield from map(_hit, created_webviews(project))
    yield from map(_hit, remote_enabled(project))


def _hit(s: InsecureSetting) -> Hit:
    match s.form:
        case "option":
            return Hit(s.path, s.span, f"{s.name}: {s.value} removes the IPC boundary", key=s.name)
        case "assignment":
            return Hit(s.path, s.span, f"{s.name} = {s.value} removes the IPC boundary", key=f"assign:{s.name}")
        case "webview-attr":
            return Hit(s.path, s.span, f"<webview {s.name}> removes the IPC boundary", key=f"webview:{s.name}")
        case "remote":
            return Hit(s.path, s.span, f"@electron/remote is enabled for {s.value or 'a webContents'}: its page can "
                                       "reach every main-process module", key="remote:enable")
        case "webview-pref":
            shown = f"{s.name}={s.value}" if s.value else f"{s.name} (a name alone is true)"
            return Hit(s.path, s.span, f"<webview webpreferences> sets {shown}", key=f"webview:{s.name}")
        case _:
            return Hit(s.path, s.span, f"{s.name} is not set and defaults to the insecure value before Electron "
                                       f"{s.since} (this app uses {s.version})", key=f"missing:{s.name}")


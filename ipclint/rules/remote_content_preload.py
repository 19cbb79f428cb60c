from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.pages import Preload
from ipclint.link.project import Project
from ipclint.link.remote import Privilege, Remote, window_open_urls
from ipclint.link.windows import Window, windows
from ipclint.model import Location, Role, Severity, Span
from ipclint.rules._base import Hit, Options, rule

MAX_RELATED = 6


@rule("IPC019", "remote-content-preload", Severity.ERROR,
      "A window that shows remote content has a preload that hands it privileges", cwe=(749, 829),
      security_severity=9.3,
      fix=("Give windows that show remote pages no preload, or one that exposes only narrow fixed-channel "
           "functions whose handlers validate their input; deny window.open (setWindowOpenHandler) or "
           "give allowed children their own preload"))
def remote_content_preload(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags a window, view (`BrowserView`, `WebContentsView`) or `<webview>` that shows remote
    content while its preload hands the page privileges. Remote content: an `http(s)` URL (other
    than a localhost development server chosen by an environment check such as `is.dev`,
    `!app.isPackaged` or `process.env.ELECTRON_RENDERER_URL`), a URL built from renderer data
    (a handler parameter) or from network data (`fetch`, `net.fetch`, axios), a `<webview>`
    source that page code builds, and the child windows a page opens: a child allowed by
    `setWindowOpenHandler` (or opened with no handler at all) inherits the opener's preload
    (not a child allowed only at `about:blank` or with no URL: the opener's own code fills it, nor
    one allowed only when the requested URL equals a local page, `url === this.appUrl`; the
    handler's answer is followed into the project functions it returns the result of, and the
    window into a variable given later what a factory or a manager's method returns, `win = await
    manager.createWindow()`);
    a legacy 'new-window' listener allows the child unless it prevents the default, and also
    when it then hands Electron a window of its own (`event.newGuest = new BrowserWindow(...)`),
    which inherits the opener's preload when its options come from the listener's `options`
    (spread, or `webContents: options.webContents`). A child given a preload of its own
    (`overrideBrowserWindowOptions`, the guest's options) is judged by that preload, also when
    the opener has none. Privileges: a generic IPC path (as IPC001 judges it), a Node power (as
    IPC014 does), or a bridge function whose channel reaches a tainted sink (as IPC006 does). A
    `<webview>` gets its preload from its `preload` attribute or from a 'will-attach-webview'
    listener (`webPreferences.preload`; `delete webPreferences.preload` removes it). Reported at the
    loadURL call or the `<webview>` element, at the `setWindowOpenHandler` call (or 'new-window'
    listener) that allows children, or at the opener's creation when it has no handler and page code
    calls `window.open`, with the preload and the privileged members as related locations.

    ## Why is this bad?
    Remote pages are the code an attacker controls first: a compromised or spoofed site, an
    injected ad or script, a redirect. Whatever the preload exposes to them is exposed to the
    internet: any channel, the file system, programs, or a handler that trusts its input.

    ## Example
    ```js
    // file: main.js
    const { app, BrowserWindow } = require('electron')
    const path = require('path')
    app.whenReady().then(() => {
      const win = new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'preload.js') } })
      win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
      win.loadURL('https://music.example.com')
    })
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('ipc', {
      send: (channel, ...args) => ipcRenderer.send(channel, ...args),
    })
    ```

    ## Use instead
    ```js
    // file: main.js
    const { app, BrowserWindow } = require('electron')
    const path = require('path')
    app.whenReady().then(() => {
      const win = new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'preload.js') } })
      win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
      win.loadURL('https://music.example.com')
    })
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('player', {
      reload: () => ipcRenderer.send('player:reload'),
    })
    ```

    ## References
    - [Electron security: do not enable Node.js integration for remote content](https://www.electronjs.org/docs/latest/tutorial/security#2-do-not-enable-nodejs-integration-for-remote-content)
    - [Electron security: disable or limit creation of new windows](https://www.electronjs.org/docs/latest/tutorial/security#14-disable-or-limit-creation-of-new-windows)
    - [Electron security: verify webview options before creation](https://www.electronjs.org/docs/latest/tutorial/security#12-verify-webview-options-before-creation)
    - [CWE-829: Inclusion of Functionality from Untrusted Control Sphere](https://cwe.mitre.org/data/definitions/829.html)
    """
    remote = Remote(project)
    done: set[tuple[str, Span]] = set()
    opening = _opening_apps(project)
    for w in windows(project):
        if not w.preloads and not any(h.allows and h.override for h in w.handlers):
            continue  # (a page without a preload can still give the children it opens one)
        for load in w.loads:
            why = remote.remote(load)
            if why is not None and (load.path, load.span) not in done:
                found = _privileged(remote, w.preloads)
                if found:
                    done.add((load.path, load.span))
                    what = "<webview> shows" if w.kind == "webview" else f"{w.kind} loads"
                    at = w.span if w.kind == "webview" else load.span  # the element, or the loadURL call
                    yield _hit(load.path, at, f"{what} remote content ({why}) with preload", found, f"load:{why}")
        if w.kind == "webview":
            continue
        for h in w.handlers:
            if h.allows and not remote.local_pages(h.pages) and (h.path, h.span) not in done:
                found = _privileged(remote, list(h.override) if h.override is not None else w.preloads)
                if found:
                    done.add((h.path, h.span))
                    how = "that inherit its preload" if h.override is None else "and gives them the preload"
                    yield _hit(h.path, h.span, f"this handler lets the {w.kind}'s page open child windows {how}",
                               found, "window-open")
        if not w.handlers and _opens_windows(project, w, opening) and (w.path, w.span) not in done:
            found = _privileged(remote, w.preloads)
            if found:
                done.add((w.path, w.span))
                yield _hit(w.path, w.span, f"this {w.kind} has no setWindowOpenHandler, so the windows its page "
                                           "opens inherit its preload", found, "no-window-open-handler")


def _privileged(remote: Remote, preloads: list[Preload]) -> list[tuple[Preload, Privilege]]:
    return [(p, g) for p in preloads for g in remote.privileges(p.file)]


def _hit(path: str, span: Span, what: str, found: list[tuple[Preload, Privilege]], key: str) -> Hit:
    preload, first = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    message = f"{what} {preload.file}; it exposes window.{first.name}, which {first.why}{more}"
    related = [Location(first.exposure[0], first.exposure[1], f"the preload {preload.file} exposes its API here")]
    related += [Location(g.path, g.span, f"window.{g.name} {g.why}") for _p, g in found[:MAX_RELATED]]
    return Hit(path, span, message, key=f"{key}:{preload.file}:{first.name}", related=tuple(related))


def _opening_apps(project: Project) -> set[str]:
    """Page files that call `window.open` with a URL that is not a local page."""
    return {path for path in sorted(project.files) if project.role(path) != Role.MAIN
            and any(not local for _c, local in window_open_urls(project, path))}


def _opens_windows(project: Project, w: Window, opening: set[str]) -> bool:
    return any(project.same_app(path, w.path) for path in opening)

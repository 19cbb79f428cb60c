from __future__ import annotations

from typing import Iterator

from ipclint.model import Severity
from ipclint.project import Project
from ipclint.rules._base import Hit, rule
from ipclint.rules._handlers import checks_sender, handlers
from ipclint.rules._vutil import subtree


@rule("IPC007", "unchecked-sender", Severity.WARNING,
      "Main-process handler never checks which frame sent the message", cwe=(346,), security_severity=5.5)
def unchecked_sender(project: Project, options) -> Iterator[Hit]:
    """## What it does
    Flags a main-process handler that never checks who sent the message: it reads neither
    `event.senderFrame` (its `url` or `origin`), `event.sender.getURL()` nor `event.sender.id`,
    does not compare `event.sender` with a known window's webContents, and does not pass the event
    (or its sender/senderFrame) to a function whose name contains valid, verify, check, assert,
    trusted or allowed. A handler with no parameters is still reported. An app wrapper that checks
    the sender before calling the handler counts for every handler registered through it.
    `BrowserWindow.fromWebContents(event.sender)` alone is not a check: every frame of that
    window, iframes included, passes it.

    ## Why is this bad?
    IPC messages arrive from every frame of every window: third-party iframes, a `<webview>`, a
    page that navigated somewhere unexpected. Without a sender check, any of them can call
    privileged handlers.

    ## Example
    ```js
    // file: main.js
    const { ipcMain, shell } = require('electron')
    ipcMain.handle('app:open-docs', () => shell.openExternal('https://example.com/docs'))
    ```

    ## Use instead
    ```js
    // file: main.js
    const { ipcMain, shell } = require('electron')
    function isTrustedFrame(frame) {
      return new URL(frame.url).origin === 'app://local'
    }
    ipcMain.handle('app:open-docs', (event) => {
      if (!isTrustedFrame(event.senderFrame)) return
      return shell.openExternal('https://example.com/docs')
    })
    ```

    ## Options
    None.

    ## References
    - [Electron security: validate the sender of all IPC messages](https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages)
    - [CWE-346: Origin Validation Error](https://cwe.mitre.org/data/definitions/346.html)
    """
    for h in handlers(project):
        if checks_sender(project, h.path, h.scopes, h.event) if h.event else False:
            continue
        if any(_wrapper_checks(project, w) for w in h.edge.wrapper_funcs):
            continue
        what = f"'{h.edge.channel}'" if h.edge.channel else "this channel"
        yield Hit(h.edge.path, h.edge.span, f"handler for {what} never checks the sender "
                                            f"(event.senderFrame or event.sender)", key=f"{h.edge.channel}")


def _wrapper_checks(project: Project, target: tuple[str, int]) -> bool:
    path, fid = target
    f = project.files.get(path)
    return f is not None and checks_sender(project, path, subtree(f, fid), None)

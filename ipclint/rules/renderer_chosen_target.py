from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.link.handlers import shared_judge
from ipclint.link.project import Project
from ipclint.link.targets import action_words, quote, renderer_targets
from ipclint.model import Location, Severity
from ipclint.rules._base import Hit, option, rule


@dataclass(frozen=True, slots=True)
class Options:
    """What the configuration can add to IPC016's knowledge of the app."""

    validators: tuple[str, ...] = option((), "more functions that check a window id or a channel name against "
                                             "the app's own (`validators = [\"isOwnWindow\"]`).")


@rule("IPC016", "renderer-chosen-target", Severity.ERROR,
      "Renderer data chooses which window, webContents or frame main acts on, or the channel main sends on",
      cwe=(639, 441), security_severity=7.5, options=Options,
      fix=("Let main choose the target (the sender's own window, a window main keeps): compare a renderer id "
           "with the app's known ids or tie the target to event.sender, and allow only known channels"))
def renderer_chosen_target(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags main-process handlers (and `webContents.on('ipc-message')` listeners, whose channel
    parameter the page names too) in which renderer-supplied data chooses *where* a message or an
    action goes:
    - the value picks a window, webContents or frame — `BrowserWindow.fromId(x)`,
      `webContents.fromId(x)`, `webContents.fromFrame(x)`, `webContents.fromDevToolsTargetId(x)`,
      `webFrameMain.fromId(...)`, a search of every window or webContents whose callback tests the
      value (`BrowserWindow.getAllWindows().find((w) => w.webContents.id === x)`,
      `webContents.getAllWebContents().find(...)`), or a lookup `windows.get(x)` / `windows[x]` in a
      collection the app fills with its own windows — on which main then acts (sends to it, loads a URL, runs
      JavaScript, attaches the debugger, sets its window-open handler, closes it, enables
      `@electron/remote` for it, makes it the `parent` of a new window, ...; also through
      `BrowserWindow.fromWebContents` of a picked webContents), reported
      at the call that picks the target;
    - the value names the channel of a message main sends (`target.webContents.send(x, ...)`,
      `event.sender.send(x, ...)`, `event.reply(x, ...)`), reported at the send; through an app
      wrapper that takes the channel as an argument (`send(contents, channel, ...args)` over
      `contents.send(channel, ...args)`), at the handler's call of the wrapper, one finding per
      call (a check inside the wrapper restricts the channel all the same).

    The relay `BrowserWindow.fromId(targetId)?.webContents.send(channel, ...args)` with both from
    the renderer is two findings. Renderer data is followed through locals and into project helpers,
    also helpers that return the picked target on one branch only (`return key ? windows.get(key) :
    BrowserWindow.fromWebContents(event.sender)`). What validates: comparing the id with known ids
    (`x === win.id`), an allowlist `has`/`includes` of the app's ids, a channel allowlist
    (`includes`, `has`, a switch over constants, a fixed prefix), a project validator, or a check
    that ties the picked target to the sender (`target === event.sender`, `win.webContents !==
    event.sender` before returning), on the paths where the check passed. `typeof` and
    `Number.isInteger` checks do not restrict which window is picked; a lookup in the app's own
    windows followed by an action is a pick, not an allowlist; a null check on the result says only
    that some window has that id.

    ## Why is this bad?
    This is the relay pattern: any page — an iframe, a `<webview>` guest, a window showing remote
    content — can then drive any other window of the app: attach the debugger to it, navigate it,
    run script in it, close it, or deliver a message on a channel meant for a privileged window,
    whose listeners trust it because it comes from main.

    ## Example
    ```js
    // file: main.js
    const { ipcMain, BrowserWindow } = require('electron')
    ipcMain.on('relay', (_event, targetId, channel, payload) => {
      BrowserWindow.fromId(targetId)?.webContents.send(channel, payload)
    })
    ```

    ## Use instead
    ```js
    // file: main.js
    const { app, ipcMain, BrowserWindow } = require('electron')
    const RELAYABLE = new Set(['selection:changed'])
    let inspector = null
    ipcMain.on('relay', (_event, channel, payload) => {
      if (!RELAYABLE.has(channel)) return
      inspector?.webContents.send(channel, payload)
    })
    app.whenReady().then(() => { inspector = new BrowserWindow() })
    ```

    ## References
    - [Electron security: validate the sender of all IPC messages](https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages)
    - [Electron IPC: renderer to renderer](https://www.electronjs.org/docs/latest/tutorial/ipc#pattern-4-renderer-to-renderer)
    - [CWE-639: Authorization Bypass Through User-Controlled Key](https://cwe.mitre.org/data/definitions/639.html),
      [CWE-441: Unintended Proxy or Intermediary](https://cwe.mitre.org/data/definitions/441.html)
    """
    picks, named = renderer_targets(project, shared_judge(project, frozenset(options.validators)))
    for p in picks:
        ch = p.handler.edge.channel
        act = p.actions[0]
        what = action_words(act)
        yield Hit(p.path, p.span,
                  f"renderer-supplied '{p.value}' chooses the {p.kind} ({p.what}) that main then acts on "
                  f"({what}): any page can drive any {p.kind}; compare it with the app's own ids or tie the "
                  "target to event.sender",
                  key=f"target:{ch}:{p.value}",
                  related=(Location(p.action_path or p.path, act.span, "acts on it"),
                           Location(p.handler.edge.path, p.handler.edge.span,
                                    f"handler for '{ch}'" if ch else "handler")),
                  trace=p.trace)
    for n in named:
        ch = n.handler.edge.channel
        yield Hit(n.path, n.call.span,
                  f"renderer-supplied '{n.value}' names the channel main sends on ({quote(n.call.callee)}): "
                  "any page can make main deliver a message on a channel meant for another; allow only "
                  "known channels",
                  key=f"channel:{ch}:{n.value}",
                  related=(Location(n.handler.edge.path, n.handler.edge.span,
                                    f"handler for '{ch}'" if ch else "handler"),),
                  trace=n.trace)

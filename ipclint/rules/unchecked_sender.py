from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.link.handlers import Handler, handlers
from ipclint.link.ipcops import EVENTLESS_HANDLES, RELAYED
from ipclint.link.project import Project
from ipclint.link.senders import checks_sender, checks_window
from ipclint.link.vutil import callee_name, subtree
from ipclint.model import Severity, Span
from ipclint.model.graph import ViaKind
from ipclint.model.result import Location
from ipclint.rules._base import Hit, option, rule


@dataclass(frozen=True, slots=True)
class Options:
    """What the configuration can add to IPC007's knowledge of the app."""

    sender_checks: tuple[str, ...] = option((), "more functions that check the sender when given the event "
                                                "(`sender-checks = [\"isTrustedFrame\"]`).")
    trusted_wrappers: tuple[str, ...] = option((), "app functions that register handlers and check the sender "
                                                   "themselves: handlers registered through them are not reported.")


@rule("IPC007", "unchecked-sender", Severity.WARNING,
      "Main-process handler never checks which frame sent the message", cwe=(346,), security_severity=5.5,
      options=Options,
      fix=("Check the sender at the start of the handler: compare new URL(event.senderFrame.url).origin "
           "exactly with your app's origin and return when it differs (or register through a wrapper that "
           "does)"))
def unchecked_sender(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags a main-process handler that never checks who sent the message: it reads neither
    `event.senderFrame` (its `url` or `origin`), `event.sender.getURL()` nor `event.sender.id`,
    does not compare `event.sender` with a known window's webContents (or `event.senderFrame` with
    its `mainFrame`), and does not pass the event
    (or its sender/senderFrame) to a function whose name contains valid, verify, check, assert,
    trusted or allowed. Sending to `event.senderFrame` or logging it is not a check, nor is
    comparing `event.sender` with renderer data. A handler with no parameters is still reported.
    An app wrapper that checks the sender before calling the handler counts for every handler
    registered through it, so does a guard the handler is wrapped in (`ipcMain.handle(CH,
    checked(fn))` with `checked` returning `(event, ...args) => { check(event); return
    fn(...args) }`), and so does a project function given the event, its sender or its
    frame that checks it, whatever it is called. When two or more handlers registered through one
    wrapper check nothing and the wrapper does not either, the finding is reported once, at the
    wrapper's own registration call (where one check fixes them all), with the count and each
    handler as a related location; one function registered for a table of channels by one call
    is one finding. A weak check (IPC017) still counts as a check here.
    `BrowserWindow.fromWebContents(event.sender)` alone is not a check: every frame of that
    window, iframes included, passes it; compared with a window the app holds (`=== mainWindow`)
    it is one, like `event.sender === mainWindow.webContents`.
    electron-better-ipc's `ipcMain.answerRenderer(channel, (data, browserWindow) => ...)` is a
    handler too, and it answers every window and frame: the library hides the event, so the one
    check its handler can make is of the `browserWindow` it gets second, compared with a window the
    app holds (`if (browserWindow !== mainWindow) return`). Registered for one window,
    `answerRenderer(win, channel, handler)`, it is not reported: the library answers only that
    window's messages, the check `BrowserWindow.fromWebContents(event.sender) === win`.
    A class that relays the page's messages to an EventEmitter under a name the message carries
    (`ipcMain.on(uid, (e, { ev, data }) => this.emitter.emit(ev, data))`) is judged at that one
    `ipcMain.on`, where the event is: its listeners (`rpc.on('open external', fn)`) never see it.

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

    ## References
    - [Electron security: validate the sender of all IPC messages](https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages)
    - [CWE-346: Origin Validation Error](https://cwe.mitre.org/data/definitions/346.html)
    """
    extra = frozenset(options.sender_checks)
    trusted = frozenset(options.trusted_wrappers)
    by_site: dict[tuple[str, Span], list[Handler]] = {}
    for h in handlers(project):
        if h.edge.kind == "port":
            continue  # a MessagePort has no sender to check
        if project.is_test(h.edge.path):
            continue  # test code is never reported, nor counted in a wrapper's finding
        if h.edge.method in EVENTLESS_HANDLES:
            if _better_ipc_unchecked(project, h):
                yield Hit(h.edge.path, h.edge.span, f"handler for {_channel(h)} never checks the sender: "
                                                    "electron-better-ipc's answerRenderer answers every window "
                                                    "and frame (compare its browserWindow parameter with your "
                                                    "window, or pass the window first)", key=f"{h.edge.channel}")
            continue
        if unchecked(project, h, extra, trusted):
            site = _wrapper_site(h)
            by_site.setdefault(site or (h.edge.path, h.edge.span), []).append(h)
    for (path, span), hs in sorted(by_site.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if len(hs) == 1 or (path, span) == (hs[0].edge.path, hs[0].edge.span):
            # one function registered for several channels by one call (a loop over a table) is one handler
            by_fn: dict[tuple[str, int] | None, list[Handler]] = {}
            for h in hs:
                by_fn.setdefault(h.edge.handler, []).append(h)
            for same in by_fn.values():
                h = same[0]
                # (one channel under several methods, `['on', 'handle'].forEach(...)`, is one channel)
                distinct = list(dict.fromkeys(_channel(x) for x in same))
                names = ", ".join(distinct[:3]) + (", ..." if len(distinct) > 3 else "")
                what = distinct[0] if len(distinct) == 1 else f"{len(distinct)} channels ({names})"
                yield Hit(h.edge.path, h.edge.span, f"handler for {what} never checks the sender "
                                                    f"(event.senderFrame or event.sender)",
                          key=f"{h.edge.channel}" if len(distinct) == 1 else f"loop:{h.edge.channel}")
            continue
        # SPEC 2nd ed.: handlers registered through one wrapper that checks nothing: one finding,
        # at the wrapper's registration, where one check covers them all.
        hs.sort(key=lambda h: (h.edge.path, h.edge.span))
        name, key = _wrapper_name(project, hs[0], spoken=True), _wrapper_name(project, hs[0])
        where = f" (the function {hs[0].edge.wrapper_funcs[-1][0]} exports)" if name != key else ""
        related = tuple(Location(h.edge.path, h.edge.span, f"handler for {_channel(h)} registered here")
                        for h in hs)
        yield Hit(path, span, f"{len(hs)} handlers registered through {name}{where} never check the sender, and {name} "
                              "does not either: check event.senderFrame here once for all of them",
                  key=f"wrapper:{key}", related=related)


def unchecked(project: Project, h: Handler, extra: frozenset[str], trusted: frozenset[str]) -> bool:
    """No check of the sender in the handler, in the wrappers it is registered through, or a
    trusted wrapper named in config."""
    if (h.event or h.event_parts) and checks_sender(project, h.path, h.scopes, h.event, extra, h.event_parts,
                                                    frozenset(p.name for p in h.params)):
        return False
    if trusted and _registered_through(project, h, trusted):
        return False
    if h.edge.handler_guard is not None and _wrapper_checks(project, h.edge.handler_guard, extra):
        return False  # `ipcMain.handle(CH, checked(fn))`: the guard's listener checks the event first
    return not any(_wrapper_checks(project, w, extra) for w in h.edge.wrapper_funcs)


def _better_ipc_unchecked(project: Project, h: Handler) -> bool:
    """An electron-better-ipc `answerRenderer(ch, (data, browserWindow) => ...)` that answers every
    window. Its handler never sees the event: the one check it can make is of the window the
    library passes second. `answerRenderer(win, ch, fn)` answers that window's messages only (the
    library compares the sender's window with it, a check like `event.sender ===
    win.webContents`)."""
    if h.edge.receiver == "window" or h.edge.method == RELAYED:
        return False  # (a relayed message: its one registration with ipcMain is judged)
    window = next((p.name for p in h.func.params if p.index == 1 and not p.path and not p.rest), None)
    return window is None or not checks_window(project, h.path, h.scopes, window,
                                               frozenset(p.name for p in h.params))


def _channel(h: Handler) -> str:
    return f"'{h.edge.channel}'" if h.edge.channel else "this channel"


def _wrapper_site(h: Handler) -> tuple[str, Span] | None:
    """The wrapper's own IPC registration call that this handler goes through."""
    if not h.edge.wrapper_funcs:
        return None
    return next(((v.path, v.span) for v in h.edge.via if v.kind == ViaKind.WRAPPER), None)


_EXPORT_NAMES = frozenset({"exports", "module.exports", "default", "export default"})


def _wrapper_name(project: Project, h: Handler, *, spoken: bool = False) -> str:
    """The wrapper function that holds the registration (the innermost of a chain of wrappers). With
    `spoken`, an anonymous exported function (`module.exports = function (...)`, `export default
    function (...)`) is named as its callers call it (`createToggler()`), not `exports()`."""
    path, fid = h.edge.wrapper_funcs[-1]
    fn = project.files[path].functions[fid]
    if spoken and (not fn.name or fn.name in _EXPORT_NAMES) and len(h.edge.wrapper_funcs) == 1:
        f = project.files.get(h.edge.path)
        call = f.calls[h.edge.call] if f is not None and 0 <= h.edge.call < len(f.calls) else None
        called = callee_name(call.callee) if call is not None else None
        if called and called.isidentifier():
            return f"{called}()"
    return f"{fn.name}()" if fn.name else "the wrapper"


def _wrapper_checks(project: Project, target: tuple[str, int], extra: frozenset[str]) -> bool:
    path, fid = target
    f = project.files.get(path)
    return f is not None and checks_sender(project, path, subtree(f, fid), None, extra)


def _registered_through(project: Project, h: Handler, names: frozenset[str]) -> bool:
    call = project.files[h.edge.path].calls[h.edge.call]
    if callee_name(call.callee) in names:
        return True
    return any((project.files[p].functions[fid].name or "").rsplit(".", 1)[-1] in names
               for p, fid in h.edge.wrapper_funcs)

from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.exposure import members
from ipclint.link.project import Project
from ipclint.link.windows import isolation_off
from ipclint.model import Severity, Span
from ipclint.rules._base import Hit, Options, rule

RAW = frozenset({"raw", "raw-method"})


@rule("IPC001", "expose-raw-ipc", Severity.ERROR, "Preload exposes ipcRenderer, or any channel, to the page",
      cwe=(749, 284), security_severity=9.0,
      fix=("Expose one function per action with a fixed channel (save: (x) => "
           "ipcRenderer.invoke('file:save', x)), or check the channel against an allowlist and throw before "
           "the call; a TypeScript type is not a run-time check"))
def expose_raw_ipc(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags a preload that exposes `ipcRenderer` to page code through `contextBridge`: the object
    itself under any alias, a spread of it or `Object.assign` from it, any of its methods by
    reference (`ipcRenderer.send`, `ipcRenderer.invoke.bind(ipcRenderer)`), a function that passes
    a caller-supplied channel to any ipcRenderer method without an allowlist guard before the call
    (`emit` too when the preload registers listeners of its own: it runs them with the page's
    arguments, as if main had sent them),
    `@electron-toolkit/preload`'s `electronAPI` or `exposeElectronAPI()`, and, with context
    isolation off, `window.x = ipcRenderer` (also `global.x`, Node's name for the page's window;
    or such an API). Guards that count leave the function
    (throw or return) before the call when the check fails, or enclose the call:
    `LIST.includes(ch)`, `SET.has(ch)`, `ch in MAP`, `Object.values(X).includes(ch)`, comparisons
    and switch cases over constant channels (the switch's default must throw),
    `ch.startsWith('<namespace>')` (as is a channel the caller only completes after a fixed
    prefix: `` ipcRenderer.on(`upload-done-${id}`, fn) ``), and project helpers that do so (`if (!isAllowedChannel(ch))
    throw ...`, or `assertChannel(ch)` when it can throw). A guard counts only for calls on the
    side where it passed (also inside a remover the guarded branch returns, or through a guard
    variable: `const ok = LIST.includes(ch); if (!ok) return`). A check that only logs is not a
    guard, nor a weak allowlist (IPC018: `LIST.indexOf(ch)` as a truth value, `'a b'.includes(ch)`,
    `ch in {...}`, an unanchored regular expression), and a TypeScript type (`channel: Channels`)
    does not exist at run time. A getter's value is what it returns (`get ipc() { return
    ipcRenderer }`: `exposeInMainWorld` reads it and copies the result), and so is a function that
    hands out one object (`exposeInMainWorld('getApi', () => api)`: reported as `getApi().send`);
    an object the preload first keeps on a global of its own world (`globalThis.api = {...}`,
    then `exposeInMainWorld('api', globalThis.api)`) is followed there, and an instance of a
    project class (`channel: new Channel()`) exposes its own function fields (`send = (ch) => ...`),
    which the bridge copies, not the methods of its prototype, which it does not. Reported at
    the innermost exposed property, at a spread element, or at the `exposeInMainWorld` call when
    the whole value is raw. From Electron 29 on, the bridge no longer copies the ipcRenderer
    object's methods; exposing it is still reported (it is broken code that will be "fixed" by
    exposing its methods), and the message says so.

    ## Why is this bad?
    The page (including any script injected into it) can then send to, invoke and listen on every
    channel, including handlers meant only for internal use, and receive every message pushed to
    the window. The preload stops being a boundary.

    ## Example
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('electron', {
      invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args),
    })
    ```

    ## Use instead
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    const ALLOWED = ['settings:get', 'settings:set']
    contextBridge.exposeInMainWorld('electron', {
      invoke: (channel, ...args) => {
        if (!ALLOWED.includes(channel)) throw new Error(`channel ${channel} is not allowed`)
        return ipcRenderer.invoke(channel, ...args)
      },
    })
    ```

    ## References
    - [Electron security: do not expose Electron APIs to untrusted web content](https://www.electronjs.org/docs/latest/tutorial/context-isolation#security-considerations)
    - [CWE-749: Exposed Dangerous Method or Function](https://cwe.mitre.org/data/definitions/749.html)
    """
    window_ok = None
    seen: set[tuple[str, Span]] = set()
    for exp, m, kind in members(project):
        if exp.mode == "window":
            if window_ok is None:
                window_ok = not isolation_off(project)
            if window_ok:
                continue
        if kind.kind in RAW:
            what = kind.detail or "ipcRenderer"
        elif kind.kind == "generic" and not kind.guarded:
            what = "a function that passes any caller-supplied channel to ipcRenderer"
        else:
            continue
        at, span = m.where
        if (at, span) in seen:
            continue
        seen.add((at, span))
        name = m.name
        note = ""
        if kind.kind == "raw" and kind.detail in ("ipcRenderer", "Object.assign from ipcRenderer") \
                and exp.mode != "window" \
                and _major(project.electron_version(exp.path)) >= 29:
            note = " (since Electron 29 the bridge drops its methods, so the page gets an empty object)"
        yield Hit(at, span, f"window.{name} exposes {what} to the page{note}", key=name)


def _major(version: str | None) -> int:
    head = (version or "").split(".", 1)[0]
    return int(head) if head.isdigit() else 0

from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.calls import mentioned_strings, page_code_paths, quoted_in_page_code, talk
from ipclint.link.ends import library_scopes
from ipclint.link.graph import Edge
from ipclint.link.ipcops import BETTER_MAIN, BETTER_RENDERER, RELAYED
from ipclint.link.project import Project
from ipclint.model import Role, Severity
from ipclint.model.values import AnyV, Concat, Cond, Tpl
from ipclint.rules._base import ChannelOptions, Hit, ignored_channel, rule

SENDER_KINDS = frozenset({"send", "invoke"})
# electron-better-ipc's page requests (`callMain(ch, data)`), which the library sends on its own
# channel (`%better-ipc-send-channel-<ch>`): only its main-side answers (`answerRenderer`) get them
BETTER_REQUESTS = frozenset(m for m, kind in BETTER_RENDERER.items() if kind == "invoke")
BETTER_ANSWERS = frozenset(m for m, kind in BETTER_MAIN.items() if kind == "handle")
MIN_PREFIX = 3  # `storage-${op}` names a family of channels; `${a}${b}` or `a${b}` names nothing
MAX_DEPTH = 4


@rule("IPC011", "unused-handler", Severity.WARNING,
      "Main-process handler for a channel that no preload or renderer code uses",
      cwe=(561,), security_severity=3.0, tags=("security", "attack-surface"), options=ChannelOptions,
      fix=("Remove the handler if nothing calls it any more, or expose it through the preload; list channels"
           " that other code sends in the rule's ignore-channels option"))
def unused_handler(project: Project, options: ChannelOptions) -> Iterator[Hit]:
    """## What it does
    Flags a main-process handler (`ipcMain.handle`/`handleOnce`/`on`/`once`, `webContents.ipc`,
    `frame.ipc`, or an app wrapper that registers one) for a channel that no preload or renderer
    code sends or invokes. `ipcMain.emit(channel)` in main counts as a use, and so does main calling
    the channel's listeners itself (`ipcMain.listeners(channel).forEach((fn) => fn(event, ...args))`),
    and the channel name written as a string in preload or renderer code (it may reach a send through
    a variable), but not in commented-out code (`// ipcRenderer.send('hide')` sends nothing).
    electron-better-ipc's `ipcRenderer.callMain(channel, data)` reaches only
    `ipcMain.answerRenderer(channel, ...)` handlers (the library sends it on a channel of its own,
    `%better-ipc-send-channel-<channel>`): an `ipcMain.on`/`once`/`handle` for a channel that the
    page calls only that way never runs, also when the page writes the name. The names a relaying
    class's listeners take (`rpc.on('maximize', fn)` over one
    `ipcMain.on(uid, ...)` that emits the name the message carries) are not channels and are not
    judged. Channels that an allowlist-guarded generic bridge allows count as used, and so do
    the channels a page send (or such a use in main) with a computed channel may name: each
    constant branch of `cond ? A : B`, and every channel that starts with the constant head of a
    template (`storage-${op}`). A loop over a constant
    table registers (or sends on) each of its entries, so each entry is judged; so does a loop
    over a table that a function receives, with the tables each of its callers passes. A `<webview>`
    guest's `sendToHost` goes to its host page, not to main: it uses no handler. Not reported when
    a preload of the same app exposes a raw or unguarded generic channel path (see IPC001), since
    any channel could arrive through it, nor when page code of the app has a function that sends
    on a channel its caller names and that no code of the project calls (a callback handed to a
    library component: the library names the channels), nor for a channel named in the npm scope of a
    package from outside the project that the app's main process loads
    (`@ghostery/adblocker/inject-cosmetic-filters` beside `require('@ghostery/adblocker-electron')`:
    the library's own preload, in node_modules, sends it); each app of a repository is judged alone.
    electron-better-ipc's `ipcMain.answerRenderer` is a handler that the page's
    `ipcRenderer.callMain` uses.

    ## Why is this bad?
    Every handler is attack surface: any frame that can reach IPC can call it, whether or not
    the app's own pages do. A handler nobody calls is dead privileged code, often left behind by
    a refactor, and typically unreviewed.

    ## Example
    ```js
    // file: main.js
    const { ipcMain } = require('electron')
    ipcMain.handle('app:legacy-export', (_e, file) => exportTo(file))
    ```

    ## Use instead
    ```js
    // file: main.js
    const { ipcMain } = require('electron')
    ipcMain.handle('app:export', (_e, file) => exportTo(file))
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', { exportTo: (f) => ipcRenderer.invoke('app:export', f) })
    ```

    ## References
    - [Electron security: limit the attack surface](https://www.electronjs.org/docs/latest/tutorial/security)
    - [CWE-561: Dead Code](https://cwe.mitre.org/data/definitions/561.html)
    """
    g = project.graph
    senders: dict[str, list[str]] = {}
    requests: dict[str, list[str]] = {}  # channel -> files of electron-better-ipc's `callMain` on it
    for e in g.edges:
        if e.channel is not None and ((e.kind in SENDER_KINDS and e.side == "renderer" and e.method != "sendToHost")
                                      or e.kind == "emit"):
            (requests if e.method in BETTER_REQUESTS else senders).setdefault(e.channel, []).append(e.path)
    maybe = _maybe_sent(project, g.edges)
    outside_callers = _sent_for_outside_callers(project)
    page = frozenset({"preload", "renderer"})
    per_app: dict[str, tuple[bool, set[str], tuple[str, ...]]] = {}  # (what depends on the app alone, once per app)
    searched: dict[str, list[str]] = {}  # app -> the files its channels are searched for in (made when first asked)
    scopes: dict[str, set[str]] | None = None  # app -> the library scopes its main loads (made when first asked)
    for e in g.edges:
        if e.kind not in ("handle", "on") or e.side != "main" or e.channel is None or e.method == RELAYED:
            continue  # (a relayed name is a field of one channel's messages, not a channel)
        app = project.apps.get(e.path, "")
        known = per_app.get(app)
        if known is None:
            generic = any(talk(project.apps.get(loc.path, ""), app) for loc in g.generic_send) \
                or any(talk(project.apps.get(p, ""), app) for p in outside_callers)
            allowed_in = g.allowed(app)
            known = per_app[app] = (generic, allowed_in, tuple(c[:-1] for c in allowed_in if c.endswith("*")))
        generic, allowed, prefixes = known
        if generic:
            continue  # a generic path in this app: any channel can arrive
        requested = any(project.same_app(p, e.path) for p in requests.get(e.channel, ()))
        if requested and e.method in BETTER_ANSWERS:
            continue
        if e.channel in allowed or any(project.same_app(p, e.path) for p in senders.get(e.channel, ())) \
                or (prefixes and e.channel.startswith(prefixes)) \
                or any(project.same_app(p, e.path) and (e.channel in exact or e.channel.startswith(starts))
                       for p, exact, starts in maybe):
            continue
        if ignored_channel(e.channel, options):
            continue
        if requested:  # (the page names the channel in its callMain calls: no sign of another send)
            yield Hit(e.path, e.span, f"{_kind(e)} for '{e.channel}' is never used: the page sends '{e.channel}' "
                                      f"only with electron-better-ipc's callMain, which the library delivers on "
                                      f"its own channel ('%better-ipc-send-channel-{e.channel}') to "
                                      f"ipcMain.answerRenderer handlers only", key=f"{e.kind}:{e.channel}")
            continue
        if e.channel in mentioned_strings(project, page, app):
            continue
        if e.channel.startswith("@") and "/" in e.channel:
            if scopes is None:
                scopes = library_scopes(project)
            if e.channel.split("/", 1)[0] in scopes.get(app, ()):
                continue  # a library's channel: its own page side sends it
        paths = searched.get(app)
        if paths is None:
            paths = searched[app] = page_code_paths(project, app, page)
        if quoted_in_page_code(project, e.channel, app, page, paths):
            continue
        yield Hit(e.path, e.span, f"{_kind(e)} for '{e.channel}' is never used: no preload or renderer code "
                                  f"sends or invokes '{e.channel}'", key=f"{e.kind}:{e.channel}")


def _kind(e: Edge) -> str:
    return "handler" if e.kind == "handle" else "listener"


def _sent_for_outside_callers(project: Project) -> list[str]:
    """The files of page functions that send on a channel their caller names and that no code of
    the project calls by name (`handleEvent(name, data) { ipcRenderer.send(name, data) }` handed
    to a library component as a callback prop): the library picks the channels, so any may arrive."""
    out: list[str] = []
    for (path, fid), wops in sorted(project.wrappers.items()):
        fn = project.func(path, fid)
        if fn is None or not fn.name or fn.arg_of is not None or project.role(path) is not Role.RENDERER:
            continue
        if not any(w.op.kind in SENDER_KINDS and w.op.receiver == "ipcRenderer" and w.channel_param is not None
                   and not w.channel_derived and not w.chain for w in wops):
            continue
        if next(project.iter_calls_named((fn.name.rsplit(".", 1)[-1],)), None) is None:
            out.append(path)
    return out


def _maybe_sent(project: Project, edges: list[Edge]) -> list[tuple[str, frozenset[str], tuple[str, ...]]]:
    """The channels a page send (or main's `ipcMain.emit`) with a dynamic channel may name: each
    constant branch of `cond ? A : B`, and the family a template or concatenation with a constant
    head names (`storage-${operation}` sends on every `storage-...` channel). Per send: its path,
    the exact channels, the prefixes."""
    out: list[tuple[str, frozenset[str], tuple[str, ...]]] = []
    for e in edges:
        if e.channel is not None or e.channel_value is None:
            continue
        if e.kind != "emit" and (e.kind not in SENDER_KINDS or e.side != "renderer" or e.method == "sendToHost"):
            continue
        exact: set[str] = set()
        starts: set[str] = set()
        _alternatives(project, e.path, e.channel_value, e.scope, exact, starts, 0)
        if exact or starts:
            out.append((e.path, frozenset(exact), tuple(sorted(starts))))
    return out


def _alternatives(project: Project, path: str, value: AnyV, scope: int | None,
                  exact: set[str], starts: set[str], depth: int) -> None:
    single = project.channel(path, value, scope)
    if single is not None:
        exact.add(single)
        return
    if depth >= MAX_DEPTH:
        return
    r = project.resolve(path, value, scope)
    if isinstance(r.value, Cond):
        for alt in r.value.alts:
            _alternatives(project, r.path, alt, r.scope, exact, starts, depth + 1)
    elif isinstance(r.value, (Tpl, Concat)):
        head = project.channel_prefix(r.path, r.value, r.scope)  # (the fixed start the rest completes)
        if head is not None and len(head) >= MIN_PREFIX:
            starts.add(head)

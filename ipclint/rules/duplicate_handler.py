from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.calls import ITERATION_REASONS, repeatable, together
from ipclint.link.graph import Edge
from ipclint.link.ipcops import EVENTLESS_HANDLES
from ipclint.link.project import Project
from ipclint.link.runorder import RunOrder
from ipclint.link.tables import loop_entries
from ipclint.link.teardown import gate, removals_for
from ipclint.link.wrappers import callee_function
from ipclint.model import Location, Severity
from ipclint.model.facts import Call, FileFacts, binding_scope
from ipclint.model.graph import ViaKind
from ipclint.model.values import AnyV, Index, Member, Ref, This
from ipclint.rules._base import Hit, Options, rule

REPEAT_LISTENERS = frozenset({"on", "addListener", "prependListener"})


@rule("IPC012", "duplicate-handler", Severity.ERROR,
      "Handler registered twice, or in code that can run more than once", cwe=(675,),
      security_severity=4.0, tags=("security", "correctness"),
      fix=("Register each handler once at startup (in app.whenReady), or call ipcMain.removeHandler(channel)"
           " (removeAllListeners for on) before registering it again"))
def duplicate_handler(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags `ipcMain.handle`/`handleOnce` registered for the same channel more than once in the
    project, and `ipcMain.handle`/`on` registered inside code that can run more than once (a
    function called from several places or from an event callback such as 'activate',
    'second-instance', 'ready-to-show' or 'did-finish-load', or a loop) with no `removeHandler`
    (`removeAllListeners` for `on`) for the channel before it, written there or in a project
    function called first (`if (blocker) disableBlocker()` before registering again). A function
    passed by name to such an event (`app.on('activate', createWindow)`) counts like a call from
    it, and a class constructor (with the methods it calls on `this`) is called from each `new
    Class(...)`. "Second" follows the
    order in which the main entry runs code: ESM imports first, a `require` where it is written,
    callbacks after startup. Registrations in `app.whenReady().then(...)`, `app.on('ready')`, or a
    function called only from there run once; a loop over a table of channels registers each once;
    apps of a monorepo each have their own `ipcMain`. Per-window `webContents.ipc` handlers are
    fine, and so is electron-better-ipc's `answerRenderer(win, channel, fn)` for one window; its
    `answerRenderer(channel, fn)` listens with `ipcMain.on` (a second one does not throw: its
    listeners pile up when it runs more than once). Calls in mutually exclusive branches
    (`if (isMac) setup(a) else setup(b)`, switch cases
    that end in `break`, also inside callbacks handed over in those branches) count as one, and so
    do two registrations of a channel in different arms (`if (supported) handle(ch, show) else
    handle(ch, noop)`; a statement after an `if` that always returns or throws is its `else`:
    a wrapper doing `if (once) return ipcMain.handleOnce(ch, fn); return ipcMain.handle(ch, fn)`
    registers once per call); a dynamic channel made from a local of the registering function (`const ch
    = randomUUID()`), or in a class constructor from a field of the new instance (`` `url-${this.id}`
    ``), is another channel on each run; calls in test code or in code main's entry
    never loads (a CLI's own entry point), or in an `app.on('ready')` listener registered inside a 'ready' or
    `app.whenReady().then` callback (it never runs: 'ready' is emitted once), do not count; nor does
    a call right after `removeHandler` (`removeAllListeners`) for the channel in the caller's own
    function, nor a call of an app wrapper that removes its channel itself before registering it
    (`if (handlers[ch]) ipcMain.removeHandler(ch)` then `ipcMain.handle(ch, fn)`). A listener that
    the code removes again by reference (`ipcMain.off(ch, onFocus)` in the window's 'closed'
    callback, `ipcMain.off(ch, this.onX)` in a method of the class) exists once per live window
    and is not reported. A `removeHandler` (`removeAllListeners`) in the window's
    'closed'/'close' callback or the app's 'window-all-closed' callback, written there or in a
    project function it calls (`app.on('window-all-closed', () => clearIpc())`, a few calls deep,
    also in another module), counts as removal when the registering code can run again only after
    it: every way back in first tests a state that the
    registering code sets and only that teardown resets (`if (hasActiveWindow) return`,
    `if (!win) createWindow()`), or that no window exists (`if (BrowserWindow.getAllWindows()
    .length === 0) createWindow()`), after 'window-all-closed' or after the 'closed'/'close'
    callback of a window the registering code attaches itself; or when the registering function
    goes on only where a window it got from a project factory exists (`const about =
    initWindow('about', parent); if (!about) return`), the factory gives none while one of the
    app's windows of that kind is open (`return undefined` in a loop over `getChildWindows()` or
    `getAllWindows()`), and the function attaches the removing callback to that window. A lazy
    singleton (`if (!service) service = new Service()`, `Service.instance ??= new Service()`)
    constructs once, however often the code around it runs, and so does a call made only while a
    variable or `this` field that the called code sets is unset, when nothing in the file sets it
    back (`if (!this.palette) this.openPalette()`; set to a new object, `true`, or the window a
    project factory always gives: `main = await openWindow()` with `openWindow` declared to return
    a `BrowserWindow`, not `BrowserWindow | null`, or returning `new BrowserWindow(...)`). A
    registration made only while a registry lacks the channel, which the same block then records
    (`if (!registered.has(ch)) { ipcMain.handle(ch, fn); registered.add(ch) }`, `Map.set`), runs
    once per channel.

    ## Why is this bad?
    Electron throws "Attempted to register a second handler for '…'" on the second `handle`,
    typically when the user reopens a window on macOS ('activate'). A repeated `ipcMain.on`
    does not throw: listeners pile up, every message is processed several times, and memory
    leaks.

    ## Example
    ```js
    // file: main.js
    const { app, BrowserWindow, ipcMain } = require('electron')
    function createWindow() {
      const win = new BrowserWindow()
      ipcMain.handle('win:title', () => win.getTitle())
    }
    app.whenReady().then(createWindow)
    app.on('activate', () => createWindow())
    ```

    ## Use instead
    ```js
    // file: main.js
    const { app, BrowserWindow, ipcMain } = require('electron')
    function createWindow() {
      return new BrowserWindow()
    }
    app.whenReady().then(() => {
      ipcMain.handle('win:title', (e) => BrowserWindow.fromWebContents(e.sender)?.getTitle())
      createWindow()
    })
    app.on('activate', () => createWindow())
    ```

    ## References
    - [Electron: ipcMain.handle](https://www.electronjs.org/docs/latest/api/ipc-main#ipcmainhandlechannel-listener)
    - [CWE-675: Multiple Operations on Resource in Single-Operation Context](https://cwe.mitre.org/data/definitions/675.html)
    """
    g = project.graph
    edges = _registrations(project, g.edges)
    removals = [e for e in g.edges if e.kind == "remove" and e.receiver == "ipcMain"]
    order = RunOrder(project)
    # (an event-less handle is an ipcMain.on listener underneath: a second one does not throw)
    handles = sorted((e for e in edges if e.kind == "handle" and e.receiver == "ipcMain" and e.channel
                      and e.method not in EVENTLESS_HANDLES),
                     key=lambda e: order.key(e.path, project.files[e.path].calls[e.call]))
    first: dict[tuple[str, str | None], Edge] = {}  # (app, channel): each app of a monorepo has its own ipcMain
    reported: set[tuple[str, int]] = set()
    for e in handles:
        slot = (project.apps.get(e.path, ""), e.channel)
        prior = first.get(slot)
        if prior is None:
            first[slot] = e
            continue
        if _removed_before(project, e, removals) or _exclusive(project, prior, e):
            continue
        reported.add((e.path, e.call))
        yield Hit(e.path, e.span, f"second ipcMain.{e.method} for '{e.channel}': Electron throws "
                                  f"'Attempted to register a second handler'",
                  key=f"dup:{e.channel}",
                  related=(Location(prior.path, prior.span, f"first registered at {prior.path}:{prior.span.line}"),))
    per_site: dict[tuple[str, int], set[str | None]] = {}
    for e in edges:
        per_site.setdefault((e.path, e.call), set()).add(e.channel)
    for e in edges:
        if e.receiver != "ipcMain" or e.kind not in ("handle", "on") or (e.path, e.call) in reported:
            continue
        if e.kind == "on" and e.method not in REPEAT_LISTENERS:
            continue  # a `once` listener removes itself: repeated ones do not pile up
        call = project.files[e.path].calls[e.call]
        why = repeatable(project, e.path, call)
        if why is not None:  # unless it runs again only after a teardown, or never again
            why = repeatable(project, e.path, call, gate(project, e, removals))
        # a loop over a table of channels registers each channel once
        if why is None or why in ITERATION_REASONS and (e.channel is None or len(per_site[(e.path, e.call)]) > 1
                                                         or _over_table(project, e)) \
                or _removed_before(project, e, removals) or _removed_by_reference(project, e, removals) \
                or _fresh_channel(project, e, call):
            continue
        what = f"ipcMain.{e.method}" + (f" for '{e.channel}'" if e.channel else "")
        consequence = "the second registration throws" if e.kind == "handle" and e.method not in EVENTLESS_HANDLES \
            else "listeners pile up"
        yield Hit(e.path, e.span, f"{what} is registered in code that can run more than once ({why}); "
                                  f"{consequence}", key=f"repeat:{e.channel or e.method}")


def _over_table(project: Project, e: Edge) -> bool:
    """Each pass of the loop registers another entry of the constant table it goes over: the
    channel is an entry (`for (const [ch, fn] of Object.entries(HANDLERS))`, also a table of one),
    or the method is (`['on', 'handle'].forEach((m) => ipcMain[m](CH, fn))`)."""
    callee = project.files[e.path].calls[e.call].callee
    return any(v is not None and loop_entries(project, e.path, e.scope, v, None) is not None
               for v in (e.channel_value, callee.index if type(callee) is Index else None))


def _exclusive(project: Project, a: Edge, b: Edge) -> bool:
    """Registrations in different arms of one `if`, ternary or `switch` of one function (`if
    (supported) handle(ch, show) else handle(ch, noop)`): never both run in one pass."""
    if a.path != b.path or a.scope != b.scope:
        return False
    calls = project.files[a.path].calls
    if a.call == b.call:  # one wrapper call: its IPC calls inside the wrapper decide
        inner = [_wrapper_site(project, e) for e in (a, b)]
        return None not in inner and inner[0] != inner[1] \
            and together([x for x in inner if x is not None]) < 2
    return together([(a.path, calls[a.call]), (b.path, calls[b.call])]) < 2


def _wrapper_site(project: Project, e: Edge) -> tuple[str, Call] | None:
    """The IPC call inside the app wrapper that a wrapper call's registration goes through
    (`if (once) return ipcMain.handleOnce(ch, fn); return ipcMain.handle(ch, fn)`: one of two)."""
    site = next((v for v in e.via if v.kind is ViaKind.WRAPPER), None)
    f = project.files.get(site.path) if site is not None else None
    if site is None or f is None:
        return None
    return next(((site.path, c) for c in f.calls if c.span == site.span), None)


def _registrations(project: Project, edges: list[Edge]) -> list[Edge]:
    """The edges that are registrations where they run: not the call of an inner wrapper made
    inside an outer one (`function outer(c, l) { inner(c, l) }`), which is judged at the calls of
    the outer wrapper, nor one whose channel is still the outer wrapper's parameter."""
    from ipclint.link.wrappers import _param_index
    chains = {(*e.wrapper_funcs[0], e.wrapper_funcs[1:], e.via) for e in edges if len(e.wrapper_funcs) > 1}
    out = []
    for e in edges:
        if e.wrapper_funcs and e.receiver == "ipcMain":
            call = project.files[e.path].calls[e.call]
            if e.channel_value is not None and e.channel is None \
                    and _param_index(project, e.path, call, e.channel_value) is not None:
                continue
            if any((e.path, fid, e.wrapper_funcs, e.via) in chains for fid in _enclosing(project, e) - {None}):
                continue
        out.append(e)
    return out


def _fresh_channel(project: Project, e: Edge, call: Call) -> bool:
    """A dynamic channel made from a local of the registering function (`const ch = randomUUID()`,
    `` `dialog:answer:${id}` `` with a local `id`): it is computed again on each run, so a run
    after the first registers another channel, not the same one twice. In a class constructor,
    a field of the new instance (`` `get-url-${this.id}` ``) is such a value too. Through an app
    wrapper the channel is the one the wrapper builds: fresh when it is made from a local of a
    function around the wrapper (`on: (name, cb) => ipcMain.on(`${name}-${view.webContents.id}`, cb)`
    inside the function that made `view`), not from the wrapper's parameters alone."""
    if e.channel is not None or e.channel_value is None:
        return False
    inner = _wrapper_ipc_call(project, e)
    path, func = (inner[0], inner[1].func) if inner is not None else (e.path, call.func)
    f = project.files[path]
    in_constructor = _in_constructor(f, func)
    todo: list[AnyV] = [e.channel_value]
    for _ in range(64):
        if not todo:
            return False
        v = todo.pop()
        if type(v) is Ref:
            bound = binding_scope(f, func, v.name)
            if bound is not None and bound[0] is not None and bound[1] is not None:
                if inner is None or bound[0] != func:
                    return True
                todo.append(bound[1])  # (a local of the wrapper itself: what it is made of decides)
        elif type(v) is Member and type(v.obj) is This and in_constructor:
            return True
        elif not v.opaque:
            todo.extend(v.children())
    return False


def _wrapper_ipc_call(project: Project, e: Edge) -> tuple[str, Call] | None:
    """The IPC call inside the app wrapper an edge registers through (its innermost wrapper site)."""
    sites = [v for v in e.via if v.kind == ViaKind.WRAPPER]
    if not sites or sites[-1].path not in project.files:
        return None
    hit = project.call_at(sites[-1].path, sites[-1].span)
    return (sites[-1].path, hit) if hit is not None else None


def _in_constructor(f: FileFacts, fid: int | None) -> bool:
    """Whether code of function ``fid`` runs with `this` bound to a new instance: a class
    constructor, or an arrow function inside one."""
    steps = 0
    while fid is not None and f.functions[fid].kind == "arrow" and steps < 64:
        fid, steps = f.functions[fid].parent, steps + 1
    return fid is not None and any(m.get("constructor") == fid for m in f.class_methods.values())


def _enclosing(project: Project, e: Edge) -> set[int | None]:
    """The registration's function and the functions around it (`removeHandler(ch)` then
    `new Promise((resolve) => ipcMain.handleOnce(ch, ...))`)."""
    f = project.files[e.path]
    out, scope, steps = {e.scope}, e.scope, 0
    while scope is not None and steps < 64:
        scope = f.functions[scope].parent
        out.add(scope)
        steps += 1
    return out


def _removed_before(project: Project, e: Edge, removals: list[Edge]) -> bool:
    """A removal for the channel in the same function: before a `handle`, or anywhere for a
    listener (registered and removed again in one run, like a request/response helper)."""
    scopes = _enclosing(project, e)
    if e.kind == "on" and e.handler is not None and e.handler[0] == e.path:
        from ipclint.link.vutil import subtree
        scopes |= subtree(project.files[e.path], e.handler[1])  # a listener that removes itself
    mine = [r for r in removals_for(project, removals, e.channel) if _removes(e, r)]
    for r in mine:
        if r.path == e.path and r.scope in scopes and (r.span < e.span or e.kind == "on"):
            return True
        # an app wrapper that takes its channel's earlier registration away itself (`if (old)
        # ipcMain.removeHandler(ch)` then `ipcMain.handle(ch, fn)`): the removal is summarised at
        # the same wrapper call as the registration
        if e.wrapper_funcs and r.path == e.path and r.call == e.call \
                and r.wrapper_funcs[:1] == e.wrapper_funcs[:1]:
            return True
    # a project function called first that removes it (`if (blocker) disableBlocker()` before
    # registering again): its own code or what it nests
    helpers = {(r.path, r.scope) for r in mine if r.scope is not None}
    if not helpers:
        return False
    for scope in scopes:
        for c in project.calls_in(e.path, scope):
            if c.span >= e.span:
                break
            target = callee_function(project, e.path, c)
            if target is not None and target[0] in {p for p, _s in helpers} \
                    and any((target[0], s) in helpers for s in project.files[target[0]].subtree(target[1])):
                return True
    return False


def _removes(e: Edge, r: Edge) -> bool:
    """The removal takes registration ``e`` away: `removeHandler` for a handler, `removeAllListeners`
    (or `off`) for a listener, of its channel (or of every channel)."""
    every = r.channel is None and r.method == "removeAllListeners" and r.channel_value is None
    if not (r.channel == e.channel or every):
        return False
    return r.method == "removeHandler" if e.kind == "handle" else r.method != "removeHandler"


def _removed_by_reference(project: Project, e: Edge, removals: list[Edge]) -> bool:
    """A listener that its own code removes again by reference (`ipcMain.off(ch, onFocus)` in the
    window's 'closed' callback, `ipcMain.off(ch, this.onX)` in another method of the class): there
    is one per live window or instance, they do not pile up. The channel of the removal is the
    listener's, or one we cannot tell (the same listener is removed)."""
    if e.kind != "on" or e.handler_value is None:
        return False
    f = project.files[e.path]
    mine = _listener_identity(f, e.scope, e.handler_value)
    if mine is None:
        return False
    for r in removals_for(project, removals, e.channel):
        # (a channel made per instance, `ipcMain.on(uid, this.onMessage)`, is removed as `this.id`)
        if r.path == e.path and (r.channel == e.channel or r.channel is None) and r.method in ("off", "removeListener"):
            args = f.calls[r.call].args
            if len(args) > 1 and _listener_identity(f, r.scope, args[1]) == mine:
                return True
    return False


def _listener_identity(f: FileFacts, scope: int | None, v: AnyV) -> tuple[str, int | str | None, str] | None:
    """What a listener argument names: a variable (by the scope that binds it) or a property of
    `this` (by the class whose code it is written in)."""
    if type(v) is Ref:
        hit = binding_scope(f, scope, v.name)
        return ("var", hit[0], v.name) if hit is not None else None
    if type(v) is Member and type(v.obj) is This:
        steps = 0
        while scope is not None and steps < 64:
            fn = f.functions[scope]
            owner = (fn.name or "").split(".", 1)[0]
            if "." in (fn.name or "") and owner in f.classes:
                return "this", owner, v.prop
            scope, steps = fn.parent, steps + 1
    return None

"""Questions several graph rules ask: code that can run repeatedly, who calls a function."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ipclint.link.modules import ELECTRON_MODULES
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name
from ipclint.link.wrappers import callee_function, class_constructor
from ipclint.model.facts import Arm, Call, FileFacts, binding_scope
from ipclint.model.values import AnyV, Arr, Await, CallExpr, ClassV, Fn, Import, Member, Module, Obj, Ref, Spread, Str

# Events whose callbacks run more than once.
REPEAT_EVENTS = frozenset({"activate", "second-instance", "open-url", "open-file", "ready-to-show",
                           "did-finish-load", "dom-ready", "did-navigate", "did-frame-finish-load",
                           "browser-window-created", "web-contents-created", "did-create-window",
                           "show", "focus", "restore", "new-window-for-tab", "will-attach-webview",
                           "did-attach-webview", "render-process-gone", "child-process-gone",
                           "resume", "unlock-screen", "did-start-loading", "did-stop-loading",
                           "page-title-updated", "certificate-error", "login",
                           # Tray and TouchBar items, notifications
                           "click", "double-click", "right-click", "middle-click", "action"})
REPEAT_CALLS = frozenset({"setInterval", "forEach", "map", "flatMap", "filter", "reduce", "every", "some"})
LISTEN_METHODS = frozenset({"on", "addListener", "prependListener", "handle", "addEventListener"})
REMOVE_METHODS = frozenset({"off", "removeListener", "removeAllListeners", "removeHandler",
                            "removeEventListener", "clearInterval", "clearTimeout"})
MAX_VISITS = 200
MAX_ARMS = 64


IN_LOOP = "it runs in a loop"


def _callback_reason(method: str) -> str:
    return f"it runs in a {method} callback"


# Reasons that come from iterating (a loop, forEach/map...): each pass may register another channel.
ITERATION_REASONS = frozenset({IN_LOOP} | {_callback_reason(m) for m in REPEAT_CALLS if m != "setInterval"})


# Whether a call runs again only after a teardown (link/teardown.py): (path, call, the project
# function (path, id) it calls, or None for the registration's own chain).
Gate = Callable[[str, Call, tuple[str, int] | None], bool]


def repeatable(project: Project, path: str, call: Call, gated: Gate | None = None) -> str | None:
    """Why the code containing ``call`` can run more than once, or None when it runs once (or we
    cannot tell: never guess towards a finding). With ``gated``, calls that can run again only
    after a teardown do not count."""
    if call.once_guarded:
        return None
    todo: list[tuple[str, int | None, bool, Call]] = [(path, call.func, call.in_loop, call)]
    seen: set[tuple[str, int | None]] = set()
    while todo and len(seen) < MAX_VISITS:
        p, fid, in_loop, came = todo.pop()
        if gated is not None and gated(p, came, None):
            continue
        if in_loop:
            return IN_LOOP
        if (p, fid) in seen or fid is None:
            continue
        seen.add((p, fid))
        f = project.files[p]
        fn = f.functions[fid]
        if fn.once_guarded:
            continue
        if fn.in_loop:
            return IN_LOOP
        if (fn.name or "").rsplit(".", 1)[-1] == "click" and fn.arg_of is None:
            return "it runs on every click of a menu item"  # `{ label: 'Settings', click: () => ... }`
        if fn.arg_of is not None:
            verdict = _callback_verdict(project, p, f.calls[fn.arg_of], fn.arg_index)
            if verdict is not None and verdict != "once":
                return verdict
            # a `once` listener, `then` callback or timer runs once each time the code that hands
            # it over runs (`win.once('ready-to-show', ...)` in a window factory runs per window)
            outer = f.calls[fn.arg_of]
            if not outer.once_guarded:
                todo.append((p, outer.func, outer.in_loop, outer))
            continue
        # `app.on('activate', createWindow)` counts like `app.on('activate', () => createWindow())`
        sites = [(sp, sc) for sp, sc in callers(project, p, fid)
                 if (gated is None or not gated(sp, sc, (p, fid))) and not _never_runs(project, sp, sc.func)]
        once = 0  # passed to `then`, `setTimeout`, `app.on('ready')`: a place that runs it once
        handed: list[tuple[str, Call]] = []  # ... once each time the call that hands it over runs
        for sp, sc, index in callback_refs(project, p, fid):
            if _never_runs(project, sp, sc.func, _app_ready_listener(project, sp, sc)):
                continue
            verdict = _callback_verdict(project, sp, sc, index)
            if verdict is None:
                sites.append((sp, sc))  # runs it when the call around it runs
            elif verdict == "once":
                once += 1
                handed.append((sp, sc))
            else:
                return verdict
        if together(sites, project) + once > 1:
            return _event_reason(project, sites) or \
                f"{fn.name or 'its function'} is called from {len(sites) + once} places"
        for sp, sc in sites + handed:
            if not sc.once_guarded:
                todo.append((sp, sc.func, sc.in_loop, sc))
    return None


def _never_runs(project: Project, path: str, fid: int | None, listener: bool = False) -> bool:
    """Code in an `app.on('ready')` listener that is registered inside a 'ready' listener or an
    `app.whenReady().then` callback: 'ready' was emitted already and is not emitted again, so the
    inner listener never runs. ``listener``: the code is such a listener itself."""
    f = project.files[path]
    steps = 0
    while fid is not None and steps < MAX_ARMS:
        fn = f.functions[fid]
        if fn.arg_of is not None:
            outer = f.calls[fn.arg_of]
            if _app_ready_listener(project, path, outer):
                if listener:
                    return True
                listener = True
            elif listener and _when_ready_then(project, path, outer):
                return True
        fid, steps = fn.parent, steps + 1
    return False


def _app_ready_listener(project: Project, path: str, call: Call) -> bool:
    """`app.on('ready', ...)` (`once`, `addListener`, `prependListener`)."""
    callee = call.callee
    return type(callee) is Member and callee.prop in ("on", "once", "addListener", "prependListener") \
        and bool(call.args) and project.channel(path, call.args[0], call.func) == "ready" \
        and project.electron_api(path, callee.obj, call.func) == "app"


def _when_ready_then(project: Project, path: str, call: Call) -> bool:
    """`app.whenReady().then(...)`."""
    callee = call.callee
    if type(callee) is not Member or callee.prop != "then" or type(callee.obj) is not CallExpr:
        return False
    inner = callee.obj.callee
    return type(inner) is Member and inner.prop == "whenReady" \
        and project.electron_api(path, inner.obj, call.func) == "app"


def together(sites: list[tuple[str, Call]], project: Project | None = None) -> int:
    """How many of the call sites can run in one pass: calls in different arms of one `if`,
    ternary or `switch` (`if (isMac) setup(a) else setup(b)`) count as one. With ``project``, a
    call inside a callback is placed where the callback is handed over, so calls in callbacks
    registered in different arms (`if (drm) app.on('drm-ready', () => start()) else
    app.on('ready', () => start())`) count as one too."""
    by_scope: dict[tuple[str, int | None], list[tuple[Arm, ...]]] = {}
    for sp, sc in sites:
        scope, arms = sc.func, sc.arms
        if project is not None:
            f, steps = project.files[sp], 0
            while scope is not None and steps < MAX_ARMS:
                fn = f.functions[scope]
                if fn.arg_of is None:
                    break
                outer = f.calls[fn.arg_of]
                scope, arms, steps = outer.func, outer.arms + arms, steps + 1
        by_scope.setdefault((sp, scope), []).append(arms)
    return sum(_most_in_one_pass(arms, 0) for arms in by_scope.values())


def _most_in_one_pass(arms: list[tuple[Arm, ...]], depth: int) -> int:
    """Sites outside any branch at this depth all run; of a branching statement's arms, only one."""
    n = 0
    groups: dict[int, dict[int, list[tuple[Arm, ...]]]] = {}
    for a in arms:
        if len(a) <= depth or depth > MAX_ARMS:
            n += 1
        else:
            groups.setdefault(a[depth].at, {}).setdefault(a[depth].arm, []).append(a)
    for by_arm in groups.values():
        n += max(_most_in_one_pass(sub, depth + 1) for sub in by_arm.values())
    return n


def _event_reason(project: Project, sites: list[tuple[str, Call]]) -> str | None:
    """The event whose callback makes one of the calls (`app.on('activate', () => createWindow())`):
    a better reason than the number of calls."""
    for sp, sc in sites:
        fn = project.func(sp, sc.func)
        if fn is not None and fn.arg_of is not None and not sc.in_loop:
            verdict = _callback_verdict(project, sp, project.files[sp].calls[fn.arg_of], fn.arg_index)
            if verdict is not None and verdict.endswith(" event"):
                return verdict
    return None


def _callback_verdict(project: Project, path: str, call: Call, arg_index: int) -> str | None:
    callee = call.callee
    method = callee_name(callee)
    if method in REPEAT_CALLS:
        return _callback_reason(method)
    if method in ("then", "once", "setTimeout", "queueMicrotask", "handleOnce", "nextTick", "finally", "catch"):
        return "once"
    if method == "register" and isinstance(callee, Member) \
            and project.electron_api(path, callee.obj, call.func) == "globalShortcut":
        return "it runs on every press of a global shortcut"
    if method in LISTEN_METHODS and call.args:
        event = project.channel(path, call.args[0], call.func)
        if event in REPEAT_EVENTS:
            return f"it runs on every '{event}' event"
        if event in ("ready", "will-finish-launching"):
            return "once"
        api = project.electron_api(path, callee.obj, call.func) if isinstance(callee, Member) else None
        if api in ("ipcMain",) or (isinstance(callee, Member) and isinstance(callee.obj, Member)
                                   and callee.obj.prop == "ipc"):
            return "it runs on every IPC message"
    return None


def callers(project: Project, path: str, fid: int) -> list[tuple[str, Call]]:
    """The calls of a project function: by name, through imports and methods, and IIFEs; the
    `new Win(...)` calls of a class constructor."""
    return _sites(project, path, fid)[0]


def callback_refs(project: Project, path: str, fid: int) -> list[tuple[str, Call, int]]:
    """The calls that receive a project function by reference as an argument (`app.on('activate',
    createWindow)`, `then(init)`, `list.forEach(register)`), with the argument's index; not the
    calls that remove it again (`app.off('activate', createWindow)`)."""
    return _sites(project, path, fid)[1]


CallIndex = tuple[dict[tuple[str, int], list[tuple[str, Call]]], dict[tuple[str, int], list[tuple[str, Call, int]]]]
Sites = tuple[list[tuple[str, Call]], list[tuple[str, Call, int]]]

# The mode of a value met by ``_walk_escapes`` that is not written under a name but read for its
# members (`tools` of `tools.start`, what an object spreads): its entries keep their names
READ = "\0read"


# The names a value is written under (``Escapes``): None for a place that names it by none
Under = set[str | None]
MAX_CARRIERS = 32  # names a function is reached by (``_carriers``): more, and every call is resolved


@dataclass
class Escapes:
    """Where the project writes a name, a function or a class as a value under another name
    (``_escapes``): by the names it is written under."""

    names: dict[str, Under] = field(default_factory=dict)
    functions: dict[tuple[str, int], Under] = field(default_factory=dict)
    classes: dict[tuple[str, str], Under] = field(default_factory=dict)  # (path, class)
    aliases: dict[str, set[str]] = field(default_factory=dict)  # imported name -> local names of aliased imports


@dataclass
class CallersMemo:
    """The callers of the project functions the rules asked about (``callers``, ``callback_refs``),
    found per function; the whole index (``call_index``) only once a function escapes its name."""

    running: set[str]  # the files whose calls count (``call_index``)
    escapes: Escapes
    names: set[str]  # the last name of every project function (``_may_name_function``)
    found: dict[tuple[str, int], Sites] = field(default_factory=dict)
    args: dict[str, list[tuple[str, Call, int]]] | None = None  # name -> the arguments written by it
    full: CallIndex | None = None
    # (path, call index) -> the project function the call runs, for the calls ``_named_sites`` met
    # (None: none, or a call that does not count): functions share names, so calls are met again
    targets: dict[tuple[str, int], tuple[str, int] | None] = field(default_factory=dict)


def _memo(project: Project) -> CallersMemo:
    from ipclint.link.runorder import reachable_files
    memo = project.memo.callers
    if memo is None:
        names = {fn.name.rsplit(".", 1)[-1] for f in project.files.values() for fn in f.functions if fn.name}
        memo = project.memo.callers = CallersMemo(reachable_files(project), _escapes(project), names)
    return memo


def _sites(project: Project, path: str, fid: int) -> Sites:
    """``callers`` and ``callback_refs`` of one function. The rules ask about a few dozen functions
    (those around registrations, `require` calls and removals, and their callers), while
    ``call_index`` resolves the callee of every call of the running files (about 3,000 on
    mattermost): so only the calls and arguments written with one of the names the function can
    be reached by are resolved here, unless it escapes its names (``_escapes``)."""
    memo = _memo(project)
    hit = memo.found.get((path, fid))
    if hit is not None:
        return hit
    carriers = _carriers(project, memo.escapes, path, fid)
    if carriers is None:
        if memo.full is None:
            memo.full = call_index(project, memo=memo)
        hit = (memo.full[0].get((path, fid), []), memo.full[1].get((path, fid), []))
    else:
        with project.no_missing():
            hit = _named_sites(project, memo, path, fid, carriers)
    memo.found[(path, fid)] = hit
    return hit


def _carriers(project: Project, escapes: Escapes, path: str, fid: int) -> frozenset[str] | None:
    """The names a call or argument can reach function ``fid`` of ``path`` by: its own (the
    class's, for a constructor, which `new Class()` runs), the names it is written under
    (`export default createWindow`, `{ open: createWindow }`, `const go = createWindow`), and so
    on for those names (`{ run: go }`) and the local names of their aliased imports; None when one
    of them is written where it has no name (an array's item, a ternary's arm), or there are more
    than ``MAX_CARRIERS``. Names, not bindings: a name written elsewhere for another value counts
    too (more calls resolved, none missed)."""
    f = project.files[path]
    under = set(escapes.functions.get((path, fid), ()))
    own = _last_name(f, fid)
    if own:
        under.add(own)
    if own == "constructor":
        cls = next((c for c, methods in f.class_methods.items() if methods.get("constructor") == fid), None)
        if cls is None:
            return None
        under |= {cls, *escapes.classes.get((path, cls), ())}
    names: set[str] = set()
    todo = list(under)
    while todo:
        name = todo.pop()
        if name is None or len(names) >= MAX_CARRIERS:
            return None
        if name in names:
            continue
        names.add(name)
        todo.extend(escapes.names.get(name, ()))
        todo.extend(escapes.aliases.get(name, ()))
    return frozenset(names)


def _named_sites(project: Project, memo: CallersMemo, path: str, fid: int, names: frozenset[str]) -> Sites:
    """What ``call_index`` finds for one function, from the calls and arguments written with one
    of ``names`` (and the IIFEs of its own file)."""
    target = (path, fid)
    sites: list[tuple[str, Call]] = []
    if path in memo.running and not project.is_test(path):
        test_funcs = project.test_funcs.get(path) or ()
        sites += [(path, c) for c in project.files[path].calls
                  if type(c.callee) is Fn and c.callee.fid == fid and (c.func is None or c.func not in test_funcs)]
    targets = memo.targets
    for p, c in project.iter_calls_named(names):
        t = targets.get((p, c.index), _UNSEEN)
        if t is _UNSEEN:
            t = targets[(p, c.index)] = _counted_target(project, memo, p, c)
        if t == target:
            sites.append((p, c))
    sites.sort(key=lambda s: (s[0], s[1].index))
    args = _named_args(project, memo)
    # (an argument by an aliased import is indexed under both names: once here)
    candidates = {(p, c.index, i): (p, c, i) for name in names for p, c, i in args.get(name, ())}
    refs = []
    for k in sorted(candidates):
        p, c, i = candidates[k]
        if _may_name_function(project, p, c.args[i], memo.names) \
                and project.function_of(p, c.args[i], c.func) == target:
            refs.append((p, c, i))
    return sites, refs


_UNSEEN = ("", -1)  # (a call ``_named_sites`` has not met yet)


def _counted_target(project: Project, memo: CallersMemo, path: str, call: Call) -> tuple[str, int] | None:
    """The project function a call of the running code runs (``_callee_target``), when it is a
    call ``call_index`` counts: not in test code, not an IIFE (found apart), not ruled out by
    ``may_call_project_function``."""
    if path not in memo.running or project.is_test(path) or type(call.callee) is Fn:
        return None
    if call.func is not None and call.func in (project.test_funcs.get(path) or ()):
        return None
    return _callee_target(project, path, call) if may_call_project_function(project, path, call) else None


def _callee_target(project: Project, path: str, call: Call) -> tuple[str, int] | None:
    """The project function a call runs (``callee_function``), or the constructor a `new` runs."""
    t = callee_function(project, path, call)
    if t is None and call.new:  # `new Win()` runs Win's constructor (resolved already: memoised)
        t = class_constructor(project, path, call)
    return t


def _named_args(project: Project, memo: CallersMemo) -> dict[str, list[tuple[str, Call, int]]]:
    """The arguments that ``call_index`` may resolve as callback references, by the name they are
    written with (`init`, `this.init`, `init.bind(this)`; an aliased import also by its imported
    name), once a project (``_may_name_function`` is asked of those a function's names pick)."""
    if memo.args is not None:
        return memo.args
    out: dict[str, list[tuple[str, Call, int]]] = {}
    for p in sorted(project.files):
        if p not in memo.running or project.is_test(p):
            continue
        f = project.files[p]
        test_funcs = project.test_funcs.get(p) or ()
        for c in f.calls:
            if not c.args or type(c.callee) is Fn or (c.func is not None and c.func in test_funcs) \
                    or callee_name(c.callee) in REMOVE_METHODS:
                continue
            for i, v in enumerate(c.args):
                if type(v) is CallExpr:
                    if type(v.callee) is not Member or v.callee.prop != "bind":
                        continue
                    v = v.callee.obj
                if type(v) is Member:
                    out.setdefault(v.prop, []).append((p, c, i))
                elif type(v) is Ref:
                    out.setdefault(v.name, []).append((p, c, i))
                    imp = f.imports.get(v.name)
                    if type(imp) is Import and imp.name != v.name:
                        out.setdefault(imp.name, []).append((p, c, i))
    memo.args = out
    return out


def _last_name(f: FileFacts, fid: int) -> str:
    return (f.functions[fid].name or "").rsplit(".", 1)[-1]


def _escapes(project: Project) -> Escapes:
    """The names, functions and classes that a value of the project writes under another name, so
    that a call by that other name can reach the function: bound (`const go = createWindow`),
    assigned (`this.open = this.openWindow`, `module.exports = createWindow`), exported (`export
    { a as b }`; a module's default export or whole `module.exports` under the names its importers
    bind it to), an object's entry (`{ open: createWindow }`), imported as another name, a
    getter's return. Resolution gives a project function only through these: a parameter
    resolves only to the Electron object every call passes it, a call's result only to a module,
    an Electron object or an instance (whose methods keep their names), so call arguments and
    other returns do not count. A name written as the same name (`const { open } = tools`,
    `export { open }`, `{ open }`) keeps it."""
    out = Escapes()
    paths = _read_files(project)
    # module -> the names its default export or its whole `module.exports` is bound to (`import
    # Win from './win'`, `const Win = require('./win')`); None: written where it has no name
    bound: dict[str, Under] = {}
    for path in paths:
        f = project.files[path]
        todo: list[tuple[AnyV, str | None]] = [(v, name) for (_scope, name), v in f.bindings.items()]
        todo += [(v, name) for (_scope, name), found in f.loops.items() for _span, v in found]
        todo += [(v, name) for name, v in f.exports.items() if name != "default" and name != "*"]
        todo += [(a.value, a.target.name if type(a.target) is Ref else a.target.prop if type(a.target) is Member
                  else None) for a in f.assigns]
        todo += [(v, name) for statics in f.class_statics.values() for name, v in statics.items()]
        for getters in f.class_getters.values():  # (`this.x` is what the getter `x` returns)
            todo += [(r, name) for name, getter in getters.items() for r in f.functions[getter].returns]
        for methods in f.class_methods.values():
            for name, fid in methods.items():
                if _last_name(f, fid) != name:
                    out.functions.setdefault((path, fid), set()).add(name)
        for (_scope, name), fid in f.func_names.items():
            if _last_name(f, fid) != name:
                out.functions.setdefault((path, fid), set()).add(name)
        for local, v in f.imports.items():  # (a call by the local name is indexed by the imported one: calls_named)
            if type(v) is Import and v.name != local and v.name != "default" and v.name != "*":
                out.aliases.setdefault(v.name, set()).add(local)
        _walk_escapes(project, path, todo, out, bound)
    # `export * from './win'`: the module's importers reach win's exports (its default too, as
    # resolution reads them) through it
    starred: dict[str, set[str]] = {}
    for path in paths:
        for src in project.files[path].star_exports:
            t = project.modules.resolve(path, src)
            if t is not None and t != path:
                starred.setdefault(t, set()).add(path)
    for path in paths:
        f = project.files[path]
        whole = [v for name, v in f.exports.items() if name == "default" or name == "*"]
        if not whole:
            continue
        names: Under = {"default", "*"}
        seen, todo_paths = {path}, [path]
        while todo_paths:
            p = todo_paths.pop()
            names |= bound.get(p, set())
            for r in starred.get(p, ()):
                if r not in seen:
                    seen.add(r)
                    todo_paths.append(r)
        _walk_escapes(project, path, [(v, name) for v in whole for name in names], out, bound)
    return out


def _read_files(project: Project) -> list[str]:
    """The parsed files whose values resolution can read from code whose calls count: all but the
    test code that only test code loads. Resolution goes from file to file by imports, `require`
    and `import()` (and TypeScript's type imports), and to any file by a classic script's globals
    and by the one class implementing an interface; a test spec that nothing loads writes names
    (`const notificationManager = refs.NotificationManager`) that no call of the app can reach."""
    from ipclint.link.project import _is_module
    from ipclint.link.runorder import _loads
    out = {p for p, f in project.files.items() if not project.is_test(p) or not _is_module(f) or f.class_implements}
    todo = list(out)
    while todo:
        p = todo.pop()
        f = project.files[p]
        targets = _loads(project, p)
        if f.types is not None:
            targets += [t for src, _name in f.types.type_imports.values()
                        for t in [project.modules.resolve(p, src)] if t is not None]
        for t in targets:
            if t in project.files and t not in out:
                out.add(t)
                todo.append(t)
    return sorted(out)


def _walk_escapes(project: Project, path: str, todo: list[tuple[AnyV, str | None]], out: Escapes,
                  bound: dict[str, Under]) -> None:
    """Add to ``out`` what the values of ``todo`` write under another name than their own: each
    value with the name it is written under (None: none, READ: the object of a member read, whose
    members resolution reads); to ``bound`` the names modules are bound to. Only what resolution
    steps into is walked: not a call's callee or arguments (but the `x` of `Object.freeze(x)`,
    `Object.assign(x, ...)`, `x.bind(this)`, `_.bind(x, this)`: x itself), a ternary's arms or
    `a || b` (resolution takes one Electron object from them, nothing else), a template, an index."""
    f = project.files[path]
    while todo:
        v, key = todo.pop()
        if type(v) is Ref:
            if key is not READ and v.name != key:
                out.names.setdefault(v.name, set()).add(key)
        elif type(v) is Member:
            if key is not READ and v.prop != key:
                out.names.setdefault(v.prop, set()).add(key)
            todo.append((v.obj, READ))
        elif type(v) is Obj:
            for p in v.props:
                if p.spread:  # (`{ ...tools }` keeps the names of what it spreads)
                    todo.append((p.value.inner if type(p.value) is Spread and p.value.inner is not None
                                 else p.value, READ))
                else:
                    todo.append((p.value, p.key))
        elif type(v) is Fn:
            if key is not READ and _last_name(f, v.fid) != key:
                out.functions.setdefault((path, v.fid), set()).add(key)
        elif type(v) is Module or (type(v) is Import and v.name == "default"):
            if key is not READ:  # (the module's default export or whole `module.exports`, by this name)
                target = project.modules.resolve(path, v.src)
                if target is not None:
                    bound.setdefault(target, set()).add(key)
        elif type(v) is Import:
            if key is not READ and v.name != key and v.name != "*" \
                    and not (key is not None and f.imports.get(key) == v):  # (aliases: ``Escapes.aliases``)
                out.names.setdefault(v.name, set()).add(key)
        elif type(v) is ClassV:
            if key is not READ and v.name is not None and v.name != key:
                out.classes.setdefault((path, v.name), set()).add(key)
        elif type(v) is CallExpr:
            callee = v.callee
            if type(callee) is Member and callee.prop in ("freeze", "assign", "bind"):
                todo.append((callee.obj, key))
                if v.args:
                    todo.append((v.args[0], key))
        elif type(v) is Await and v.inner is not None:  # `await import('./win')`: the module
            todo.append((v.inner, key))
        elif type(v) is Arr:  # (`const [a, b] = [open, close]`: b is the entry '1')
            todo.extend((x, str(i)) for i, x in enumerate(v.items))


def call_index(project: Project, *, prefilter: bool = True, memo: CallersMemo | None = None) -> CallIndex:
    """The calls of each project function and the calls that take one as argument, from the files
    main's entry reaches. With ``prefilter``, calls that ``may_call_project_function`` rules out
    are not resolved (the index is the same: tests/test_rule_prefilters.py builds it both ways)."""
    from ipclint.link.runorder import reachable_files
    calls: dict[tuple[str, int], list[tuple[str, Call]]] = {}
    refs: dict[tuple[str, int], list[tuple[str, Call, int]]] = {}
    names = memo.names if memo is not None else \
        {fn.name.rsplit(".", 1)[-1] for f in project.files.values() for fn in f.functions if fn.name}
    # Callers in test code, or in code main's entry never loads (a CLI's own entry point), do not
    # make the app's code run again.
    running = reachable_files(project)
    with project.no_missing():  # a caller matters only if the function it calls is parsed
        for p in sorted(project.files):
            if p not in running or project.is_test(p):
                continue
            test_funcs = project.test_funcs.get(p) or ()  # (`in_test_code`, asked once per file)
            for c in project.files[p].calls:
                if c.func is not None and c.func in test_funcs:
                    continue
                callee = c.callee
                if type(callee) is Fn:  # `(function () { ... })()`
                    calls.setdefault((p, callee.fid), []).append((p, c))
                    continue
                if (type(callee) is Ref or type(callee) is Member) \
                        and (not prefilter or may_call_project_function(project, p, c)):
                    t = _callee_target(project, p, c)
                    if t is not None:
                        calls.setdefault(t, []).append((p, c))
                if callee_name(callee) in REMOVE_METHODS:
                    continue
                for i, a in enumerate(c.args):
                    if _may_name_function(project, p, a, names):
                        t = project.function_of(p, a, c.func)
                        if t is not None:
                            refs.setdefault(t, []).append((p, c, i))
    return calls, refs


def may_call_project_function(project: Project, path: str, call: Call) -> bool:
    """A cheap test before ``callee_function``: False when the call's callee chain starts at a
    name (`console` of `console.log`, `ipcMain` of `ipcMain.handle`, `cb` of `cb()`) that is a
    global, a parameter, or an import or `require` of a module that is not a parsed file
    (``root_binding``). Such a chain resolves to a global or unknown value, an Electron API or an
    external value (a parameter resolves only to the Electron object every call passes it), never
    to a project function, a class or an instance made with `new`."""
    how, bound, _scope = root_binding(project, path, call.callee, call.func)
    if how != BOUND:
        return how == UNKNOWN
    if type(bound) is not Import and type(bound) is not Module:
        return True
    return outside_module(project, path, bound) is None


# What the name a callee chain starts at is bound to (``root_binding``)
BOUND, GLOBAL, PARAM, UNKNOWN = "bound", "global", "param", "unknown"


def root_binding(project: Project, path: str, callee: AnyV,
                 scope: int | None) -> tuple[str, AnyV | None, int | None]:
    """What the name a chain of members starts at (`a` of `a.b.c`) is bound to, looked up as
    resolution looks it up (``Project._lookup_ref``: the innermost scope's binding, then that
    function's parameters, then the enclosing scope, then module level): (BOUND, the value, the
    scope that binds it), PARAM, GLOBAL when no scope binds it, UNKNOWN when the chain does not
    start at a name."""
    root = callee
    while type(root) is Member:
        root = root.obj
    if type(root) is not Ref:
        return UNKNOWN, None, None
    name = root.name
    hit = binding_scope(project.files[path], scope, name) if name in project.bound_names(path) else None
    if hit is None:
        return GLOBAL, None, None
    if hit[1] is None:
        return PARAM, None, None
    return BOUND, hit[1], hit[0]


def outside_module(project: Project, path: str, imported: Import | Module) -> str | None:
    """The module an import or `require` names when resolution leaves the parsed files there
    (``Project._import``, ``_module``): Electron's or a package's (resolving to an Electron or
    external value), None when it is a parsed file."""
    if imported.src in ELECTRON_MODULES:
        return imported.src
    target = project.modules.resolve(path, imported.src)
    return None if target is not None and target in project.files else imported.src


def _may_name_function(project: Project, path: str, v: AnyV, names: set[str]) -> bool:
    """A cheap test before resolving: the argument is written with the name of a project function
    (`init`, `this.init`, `init.bind(this)`) or is an imported name."""
    if isinstance(v, CallExpr) and isinstance(v.callee, Member) and v.callee.prop == "bind":
        v = v.callee.obj
    if isinstance(v, Member):
        return v.prop in names
    return isinstance(v, Ref) and (v.name in names or v.name in project.files[path].imports)


def closest(name: str, candidates: list[str]) -> str | None:
    """The candidate within a small edit distance of ``name`` (a likely typo)."""
    best, best_d = None, None
    limit = max(1, min(3, len(name) // 4))
    for c in sorted(candidates):
        if c == name or abs(len(c) - len(name)) > limit:
            continue
        d = _distance(name, c, limit)
        if d <= limit and (best_d is None or d < best_d):
            best, best_d = c, d
    return best


def _distance(a: str, b: str, cap: int) -> int:
    """Edit distance where swapping two neighbouring letters is one edit, like an insertion, a
    deletion or a substitution (`pnig` for `ping`: the commonest typo), capped above ``cap``."""
    before: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and ca != cb:
                d = min(d, before[j - 2] + 1)
            cur[j] = d
        if min(cur) > cap and min(prev) >= cap:  # no later row (nor a swap across this one) comes back
            return cap + 1
        before, prev = prev, cur
    return prev[-1]


def app_folders(project: Project) -> list[str]:
    """The app folders of the project, deepest first."""
    return sorted({a for a in project.apps.values() if a}, key=lambda a: (-len(a), a))


def app_of(project: Project, path: str, folders: list[str] | None = None) -> str:
    """The app folder of any discovered file (parsed or not): the nearest app folder above it."""
    hit = project.apps.get(path)
    if hit is not None:
        return hit
    for folder in folders if folders is not None else app_folders(project):
        if path.startswith(folder + "/"):
            return folder
    return ""


def talk(a: str, b: str) -> bool:
    """Files of two apps can talk over IPC: the same app, or either outside every app."""
    return a == b or not a or not b


def mentioned_strings(project: Project, roles: frozenset[str], app: str | None = None,
                      exclude: str | None = None) -> set[str]:
    """String constants written anywhere in the non-test files of the given roles (of the apps that
    can talk with ``app``, when given), and the values of other modules' constants they name
    (`Constants.SAVE`). A channel name that appears there may reach a send or listener through a
    variable (a prop, a parameter, code built as a string). ``exclude``: a file not searched (the
    sender's own, when it has one of the roles)."""
    cache = project.memo.mentioned
    key = (*sorted(roles), "\0app", app or "", "\0exclude", exclude or "")
    if key in cache:
        return cache[key]
    out: set[str] = set()
    for path, f in project.files.items():
        if project.role(path).value not in roles or project.is_test(path) or path == exclude:
            continue
        if app is not None and not talk(project.apps.get(path, ""), app):
            continue
        strings, members = _written_strings(project, path, f)
        out |= strings
        for v in members:  # `Constants.SAVE` of another module
            value = project.channel(path, v, None)
            if value:
                out.add(value)
    cache[key] = out
    return out


def _written_strings(project: Project, path: str, f: FileFacts) -> tuple[frozenset[str], tuple[Member, ...]]:
    """The string constants written in a file's arguments, bindings, assignments and JSX
    attributes, and its members of imported names (``mentioned_strings``): from its facts alone,
    so found by one walk of the file (``FileMemo.written_strings``), not one for each set of roles
    and app asked about (mattermost: 5)."""
    from ipclint.link.roles import _walk_values
    hit = project.file_memo.written_strings.get(path)
    if hit is not None:
        return hit
    strings: set[str] = set()
    members: list[Member] = []
    roots: list[AnyV] = [*(a for c in f.calls for a in c.args), *f.bindings.values(), *(a.value for a in f.assigns)]
    roots += [a.value for el in f.jsx for a in el.attrs if a.value is not None]
    for v in _walk_values(roots):
        if isinstance(v, Str) and v.value:
            strings.add(v.value)
        elif isinstance(v, Member) and _imported_root(f, v):
            members.append(v)
    hit = project.file_memo.written_strings[path] = (frozenset(strings), tuple(members))
    return hit


def _imported_root(f: FileFacts, v: Member) -> bool:
    root: AnyV = v
    while isinstance(root, Member):
        root = root.obj
    return isinstance(root, Ref) and root.name in f.imports


def quoted_in_page_code(project: Project, channel: str, app: str | None = None,
                        roles: frozenset[str] = frozenset({"preload", "renderer"}),
                        paths: list[str] | None = None) -> bool:
    """Whether the channel name is written as a string literal in page-side code (preload, renderer,
    or a file not parsed because it mentions no IPC; only ``roles`` of the parsed files) of the apps
    that can talk with ``app``, not in main, shared modules or tests (a JSX prop, a config object):
    a byte search, run only for the channels a graph rule is about to report. ``paths``: those
    files (``page_code_paths`` of the same app and roles), when the caller asks for many channels."""
    name = channel.encode("utf-8", "replace")
    needles = [q + name + q for q in (b"'", b'"', b"`")]
    for path in paths if paths is not None else page_code_paths(project, app, roles):
        data = project.sources.get(path) or b""
        # (the name alone first: one search of a file that does not write it, not one per quote)
        if name in data and any(_written_in_code(data, n) for n in needles):
            return True
    return False


# How a line of commented-out code starts (`// ipcRenderer.send('hide')`, a block comment's `*`)
_COMMENT_STARTS = (b"//", b"/*", b"*", b"<!--")


def _written_in_code(data: bytes, needle: bytes) -> bool:
    """Whether ``needle`` occurs in ``data`` on a line that is not a comment: a channel named only
    in commented-out code (`// ipcRenderer.send('hideWindow')`) is sent by nothing."""
    at = data.find(needle)
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        if not data[start:at].lstrip().startswith(_COMMENT_STARTS):
            return True
        at = data.find(needle, at + len(needle))
    return False


def page_code_paths(project: Project, app: str | None = None,
                    roles: frozenset[str] = frozenset({"preload", "renderer"})) -> list[str]:
    """The files ``quoted_in_page_code`` searches, in order (their bytes are read as it searches):
    also the page documents (an HTML page's inline scripts, a Svelte component), never parsed."""
    folders = app_folders(project)
    out = []
    for path in sorted(project.all_paths | project.documents):
        if project.is_test(path) or (path in project.files and project.role(path).value not in roles):
            continue  # main code, and the shared modules that define channel constants
        if app is not None and not talk(app_of(project, path, folders), app):
            continue
        out.append(path)
    return out

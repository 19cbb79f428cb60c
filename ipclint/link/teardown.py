"""Teardowns (SPEC section 2, IPC012 second edition): a `removeHandler(ch)` / `removeAllListeners`
in a window's 'closed'/'close' callback or in the app's 'window-all-closed' callback counts as a
removal before the channel is registered again, when the registering code can run again only
after that teardown. The removal may sit in a project function that the callback calls, a few
calls deep and across modules (`app.on('window-all-closed', () => clearIpc())`); that function's
code runs on teardown like the callback's own (a state it resets counts).

"Only after" is read from a state the teardown resets: a variable that the registering code sets
(`hasActiveWindow = true`, `win = new BrowserWindow()`), that only teardowns removing the channel
set back to a falsy value, and that every way back into the registering code tests first
(`if (hasActiveWindow) return`, `if (!win) createWindow()`, `win === null`). With a
'window-all-closed' teardown, a test that no window exists (`BrowserWindow.getAllWindows().length
=== 0`) is such a gate too.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ipclint.link.calls import Gate, callback_refs, callers
from ipclint.link.graph import Edge
from ipclint.link.project import Project
from ipclint.model.facts import Call, Exit, FileFacts
from ipclint.model.types import TRef
from ipclint.model.values import (
    AnyV,
    Await,
    Bool,
    CallExpr,
    Cmp,
    Iter,
    Logic,
    Member,
    NewExpr,
    Not,
    Null,
    Num,
    Ref,
    This,
    Undef,
    walk,
)

WINDOW_TEARDOWN = frozenset({"closed", "close"})
APP_TEARDOWN = "window-all-closed"
MAX_UP = 32
MAX_HELPER_CALLS = 4  # how many project-function calls deep a teardown's removal may sit
MAX_VISITS = 200
MAX_RETURNS = 8  # the returns of a window factory read to know it always gives a window
WINDOW_CLASSES = frozenset({"BrowserWindow", "BaseWindow"})
WINDOW_LISTS = frozenset({"getChildWindows", "getAllWindows"})  # the app's windows, one list


@dataclass(frozen=True, slots=True)
class Teardown:
    path: str
    fid: int  # the callback
    event: str
    # the project functions it calls on the way to the removal (`clearIpc` of `() => clearIpc()`):
    # their code runs on teardown too
    helpers: tuple[tuple[str, int], ...] = ()
    # where the callback is attached (the function of its `win.on('closed', ...)` call): a window
    # teardown attached by the registering code itself runs before no window exists
    at: tuple[str, int | None] | None = None
    on: AnyV | None = None  # the object it is attached to (`win` of `win.on('closed', ...)`)


def removes(r: Edge, e: Edge) -> bool:
    """Whether removal ``r`` undoes registration ``e``: removeHandler for handle; for a listener,
    removeAllListeners of its channel or of every channel."""
    if r.receiver != "ipcMain" or r.kind != "remove":
        return False
    if e.kind == "handle":
        return r.method == "removeHandler" and r.channel == e.channel
    return r.method == "removeAllListeners" and (
        r.channel == e.channel or r.channel is None and r.channel_value is None)


@dataclass
class TeardownMemo:
    """What the teardown questions read of a file or of the run's removals, read once per run
    (they are asked for every registration in code that can run again: thousands of handlers
    in one createWindow would otherwise each read the whole file)."""

    removals: list[Edge] | None = None  # the list ``by_channel`` indexes
    by_channel: dict[str | None, list[int]] = field(default_factory=dict)  # channel -> positions in it
    never_reset: dict[str, set[str]] = field(default_factory=dict)  # path -> ``_never_reset``
    states: dict[tuple[str, tuple[int, ...]], set[str]] = field(default_factory=dict)  # ``_states``
    truthy: dict[str, dict[str, list[int | None]]] = field(default_factory=dict)  # path -> name -> functions
    exits: dict[str, dict[int | None, list[Exit]]] = field(default_factory=dict)  # path -> function -> exits
    teardowns: dict[tuple[str, int | None], tuple[Teardown, ...]] = field(default_factory=dict)  # ``_teardowns_of``


def _memo(project: Project) -> TeardownMemo:
    if project.memo.teardown is None:
        project.memo.teardown = TeardownMemo()
    return project.memo.teardown


def removals_for(project: Project, removals: list[Edge], channel: str | None) -> list[Edge]:
    """Those of ``removals`` that can undo a registration on ``channel``: of that channel, or of no
    known channel; in their order (indexed once per list, not a pass over it per registration)."""
    memo = _memo(project)
    if memo.removals is not removals:
        memo.removals, memo.by_channel = removals, {}
        for i, r in enumerate(removals):
            memo.by_channel.setdefault(r.channel, []).append(i)
    at = memo.by_channel.get(channel, [])
    if channel is not None:
        at = sorted(at + memo.by_channel.get(None, []))
    return [removals[i] for i in at]


def teardowns(project: Project, e: Edge, removals: list[Edge]) -> list[Teardown]:
    """The teardown callbacks that remove ``e``'s registration (of a known channel)."""
    out: list[Teardown] = []
    if e.channel is None:
        return out
    for r in removals_for(project, removals, e.channel):
        if removes(r, e) and project.same_app(r.path, e.path):
            for t in _teardowns_of(project, r.path, r.scope):
                if t not in out:
                    out.append(t)
    return out


def _teardowns_of(project: Project, path: str, scope: int | None) -> tuple[Teardown, ...]:
    """The teardown callbacks that run the code of function ``scope``: written in one (climbing
    out of nested functions), or in a project function that one calls, up to ``MAX_HELPER_CALLS``
    calls deep, across modules (`app.on('window-all-closed', () => clearIpc())`). Memoised per
    function: every registration of a channel asks for each removal of it."""
    memo = _memo(project)
    hit = memo.teardowns.get((path, scope))
    if hit is not None:
        return hit
    out: list[Teardown] = []
    todo: list[tuple[str, int | None, tuple[tuple[str, int], ...]]] = [(path, scope, ())]
    seen: set[tuple[str, int]] = set()
    while todo and len(seen) < MAX_VISITS:
        p, fid, helpers = todo.pop()
        f = project.files[p]
        for _ in range(MAX_UP):
            if fid is None or (p, fid) in seen:
                break
            seen.add((p, fid))
            t = _teardown_at(project, p, fid, helpers)
            if t is not None:
                if t not in out:
                    out.append(t)
                break
            if len(helpers) < MAX_HELPER_CALLS:  # a helper that a teardown calls, by name or method
                todo.extend((cp, call.func, ((p, fid), *helpers)) for cp, call in callers(project, p, fid))
            fid = f.functions[fid].parent
    memo.teardowns[(path, scope)] = found = tuple(out)
    return found


def _teardown_at(project: Project, path: str, fid: int, helpers: tuple[tuple[str, int], ...]) -> Teardown | None:
    """Function ``fid`` as a teardown callback: passed to `win.on('closed', ...)` or
    `app.on('window-all-closed', ...)`, written there or by name."""
    fn = project.files[path].functions[fid]
    if fn.arg_of is not None:
        call = project.files[path].calls[fn.arg_of]
        event = _teardown_event(project, path, call)
        if event is not None:
            return Teardown(path, fid, event, helpers, (path, call.func), _attached_to(call))
    for rp, rc, _i in callback_refs(project, path, fid):  # `win.on('closed', teardown)`
        event = _teardown_event(project, rp, rc)
        if event is not None:
            return Teardown(path, fid, event, helpers, (rp, rc.func), _attached_to(rc))
    return None


def _attached_to(call: Call) -> AnyV | None:
    return call.callee.obj if isinstance(call.callee, Member) else None


def _teardown_event(project: Project, path: str, call: Call) -> str | None:
    callee = call.callee
    if not isinstance(callee, Member) or callee.prop not in ("on", "once", "addListener") or not call.args:
        return None
    event = project.channel(path, call.args[0], call.func)
    if event in WINDOW_TEARDOWN:
        return event
    if event == APP_TEARDOWN and project.electron_api(path, callee.obj, call.func) == "app":
        return event
    return None


def gate(project: Project, e: Edge, removals: list[Edge]) -> Gate:
    """A test for ``calls.repeatable``: whether a call runs again only after a teardown that
    removes ``e`` (or right after its own function removes it), or never again (a state the code
    sets and nothing resets: `if (win === null) createWindow()` where `win` is never set back)."""
    found = teardowns(project, e, removals)
    by_file: dict[str, list[int]] = {}  # the code that runs on teardown, by file
    for t in found:
        for p, fid in ((t.path, t.fid), *t.helpers):
            if fid not in by_file.setdefault(p, []):
                by_file[p].append(fid)
    memo = _memo(project)
    states = {p: _states(memo, project.files[p], fids) for p, fids in by_file.items()}
    no_window = any(t.event == APP_TEARDOWN for t in found)
    chain = _ancestors(project.files[e.path], e.scope)
    closing = [t.at for t in found if t.event in WINDOW_TEARDOWN and t.at is not None]
    # `ipcMain.removeHandler(ch); developerMode = new DeveloperMode()`: the caller removes the
    # channel before it runs the registering code again
    first: dict[tuple[str, int | None], list[Edge]] = {}
    if e.channel is not None:
        for r in removals_for(project, removals, e.channel):
            if removes(r, e):
                first.setdefault((r.path, r.scope), []).append(r)

    # `const about = openSingle('about'); if (!about) return; ipcMain.handle(...); about.once('closed',
    # () => ipcMain.removeHandler(...))`, where the factory refuses while a window of its kind is open
    fresh = _fresh_windows(project, e, found)

    def gated(path: str, call: Call, target: tuple[str, int] | None) -> bool:
        if any(r.span < call.span for r in first.get((path, call.func), ())):
            return True
        if target is None and path == e.path and fresh.get(call.func) \
                and _tested_first(project, memo, path, call, fresh[call.func], False, made=True):
            return True
        f = project.files[path]
        never = memo.never_reset.get(path)
        if never is None:
            never = memo.never_reset[path] = _never_reset(project, f)
        names = states.get(path, set()) | never
        if names:  # the state must be set by the code the call leads into, in the state's file
            if target is not None:
                names = {n for n in names if target[0] == path and _sets_truthy_under(project, memo, f, n, target[1])}
            else:
                names = {n for n in names if path == e.path and _sets_truthy(project, memo, f, n, chain)}
        # `if (BrowserWindow.getAllWindows().length === 0) createWindow()` where createWindow
        # attaches the removing 'closed' callback to its window: with no window left, that one ran
        none = no_window or any(_attached_by(project, at, e.path, chain, target) for at in closing)
        return (bool(names) or none) and _tested_first(project, memo, path, call, names, none)

    return gated


def _fresh_windows(project: Project, e: Edge, found: list[Teardown]) -> dict[int | None, set[str]]:
    """By function: the locals that hold a window the function got from a factory that gives none
    while a window of that kind is open (``_refuses_while_open``), and to which the function itself
    attaches a teardown removing ``e``'s channel. Past a test that the local holds a window, the
    code runs again only after that window closed and its teardown ran."""
    out: dict[int | None, set[str]] = {}
    for t in found:
        if t.event not in WINDOW_TEARDOWN or t.at is None or t.at[0] != e.path or not isinstance(t.on, Ref):
            continue
        r = project.resolve(e.path, t.on, t.at[1])
        if r.path != e.path or not isinstance(r.value, CallExpr):
            continue
        factory = project.function_of(r.path, r.value.callee, r.scope)
        if factory is not None and _refuses_while_open(project, *factory):
            out.setdefault(t.at[1], set()).add(t.on.name)
    return out


def _refuses_while_open(project: Project, path: str, fid: int) -> bool:
    """A window factory that returns nothing (`undefined`, `null`) when one of the app's windows
    passes a test, in a loop over them (`for (const w of parent.getChildWindows()) if (w.title ===
    name) return undefined`)."""
    f = project.files.get(path)
    if f is None:
        return False
    for o in f.outcomes:
        if o.func != fid or o.throws or o.caught or not (o.value is None or isinstance(o.value, (Undef, Null))):
            continue
        for c in o.conds:
            for v in walk(c):
                if not isinstance(v, Ref):
                    continue
                it = project.resolve(path, v, fid).value
                if isinstance(it, Iter) and isinstance(it.source, CallExpr) and isinstance(it.source.callee, Member) \
                        and it.source.callee.prop in WINDOW_LISTS:
                    return True
    return False


def _attached_by(project: Project, at: tuple[str, int | None], path: str, chain: set[int],
                 target: tuple[str, int] | None) -> bool:
    """A teardown attached at ``at`` is attached each time the registering code runs: in the
    registering function or one that encloses it, or under the function the gated call enters."""
    p, fid = at
    if p == path and fid in chain:
        return True
    if target is None or p != target[0]:
        return False
    f = project.files[p]
    for _ in range(MAX_UP):
        if fid is None:
            return False
        if fid == target[1]:
            return True
        fid = f.functions[fid].parent
    return False


def _state_name(v: AnyV) -> str | None:
    """The name a state is known by: a variable (`win`) or a field of the class (`this.win`)."""
    if isinstance(v, Ref):
        return v.name
    if isinstance(v, Member) and isinstance(v.obj, This):
        return "this." + v.prop
    return None


def _never_reset(project: Project, f: FileFacts) -> set[str]:
    """Module variables and fields of `this` that are set (to a window, `true`) and never set back
    to a falsy value in the file."""
    set_to: dict[str, bool] = {}
    for a in f.assigns:
        name = _state_name(a.target)
        if name is not None and a.op == "=" and (name.startswith("this.") or (None, name) in f.mutable):
            if _falsy(a.value):
                set_to[name] = False
            elif _truthy(project, f.path, a.value, a.func):
                set_to.setdefault(name, True)
    return {n for n, only_truthy in set_to.items() if only_truthy}


def _ancestors(f: FileFacts, scope: int | None) -> set[int]:
    out: set[int] = set()
    for _ in range(MAX_UP):
        if scope is None:
            break
        out.add(scope)
        scope = f.functions[scope].parent
    return out


def _states(memo: TeardownMemo, f: FileFacts, fids: list[int]) -> set[str]:
    """Variables that teardowns (the functions ``fids`` that run on one) reset
    (`x = null/false/undefined`) and nothing else does."""
    key = (f.path, tuple(sorted(fids)))
    hit = memo.states.get(key)
    if hit is None:
        hit = memo.states[key] = _reset_only_by(f, fids)
    return hit


def _reset_only_by(f: FileFacts, fids: list[int]) -> set[str]:
    inside = set().union(*(f.subtree(fid) for fid in fids))
    local = {name for (scope, name) in f.bindings if scope in inside}
    reset: dict[str, bool] = {}
    for a in f.assigns:
        if isinstance(a.target, Ref) and a.op == "=" and _falsy(a.value) and a.target.name not in local:
            only = a.func in inside and reset.get(a.target.name, True)
            reset[a.target.name] = only
    return {n for n, only in reset.items() if only}


def _truthy_sets(project: Project, memo: TeardownMemo, f: FileFacts, name: str) -> list[int | None]:
    """The functions that set ``name`` to a truthy value (indexed once per file)."""
    index = memo.truthy.get(f.path)
    if index is None:
        index = memo.truthy[f.path] = {}
        for a in f.assigns:
            state = _state_name(a.target)
            if state is not None and _truthy(project, f.path, a.value, a.func):
                index.setdefault(state, []).append(a.func)
    return index.get(name, [])


def _sets_truthy(project: Project, memo: TeardownMemo, f: FileFacts, name: str, scopes: set[int]) -> bool:
    return any(fid in scopes for fid in _truthy_sets(project, memo, f, name))


def _sets_truthy_under(project: Project, memo: TeardownMemo, f: FileFacts, name: str, top: int) -> bool:
    """``_sets_truthy`` in function ``top`` and the functions nested in it (found by climbing from
    each setting function: the nested functions of a large createWindow are not listed each time)."""
    for fid in _truthy_sets(project, memo, f, name):
        while fid is not None:
            if fid == top:
                return True
            fid = f.functions[fid].parent
    return False


def _falsy(v: AnyV) -> bool:
    return isinstance(v, (Null, Undef)) or isinstance(v, Bool) and not v.value or isinstance(v, Num) and v.value == "0"


def _truthy(project: Project, path: str, v: AnyV, scope: int | None) -> bool:
    """`new BrowserWindow()`, `true`, or a window a project factory makes (``_made_window``)."""
    return isinstance(v, NewExpr) or isinstance(v, Bool) and v.value or _made_window(project, path, v, scope)


def _made_window(project: Project, path: str, v: AnyV, scope: int | None) -> bool:
    """`main = await openWindow()`, `spare = makeWindow()`: the result of a project function that
    always gives a window: declared to return one (`BrowserWindow`, `Promise<BrowserWindow>`;
    not `BrowserWindow | null`), or, undeclared, each of its returns is a `new ...` object
    (`const win = new BrowserWindow(...); ...; return win`)."""
    call = v.inner if isinstance(v, Await) else v
    if not isinstance(call, CallExpr):
        return False
    target = project.function_of(path, call.callee, scope)
    if target is None or target[0] not in project.files:
        return False
    tp, fid = target
    tf = project.files[tp]
    sig = tf.types.funcs.get(fid) if tf.types is not None else None
    if sig is not None and sig.ret is not None:
        t = sig.ret
        if type(t) is TRef and t.name == "Promise" and len(t.args) == 1:
            t = t.args[0]
        return project.electron_class(tp, t) in WINDOW_CLASSES
    returns = tf.functions[fid].returns
    return 0 < len(returns) <= MAX_RETURNS and all(
        isinstance(project.resolve(tp, r, fid).value, NewExpr) for r in returns)


def _tested_first(project: Project, memo: TeardownMemo, path: str, call: Call, names: set[str],
                  no_window: bool, made: bool = False) -> bool:
    """The call runs only when the state is reset: it sits on the side of a test where the state
    is falsy, or after an early exit taken when it is truthy, in its own function. ``made``: the
    other way round, the names hold a window made only when none was open: the call runs where
    they are truthy."""
    for arm in call.arms:
        if arm.cond is None:
            continue
        if arm.arm == 0 and _implies(arm.cond, names, no_window, falsy=not made):
            return True
        if arm.arm == 1 and _implies(arm.cond, names, no_window, falsy=made):
            return True
    exits = memo.exits.get(path)
    if exits is None:
        exits = memo.exits[path] = {}
        for ex in project.files[path].exits:
            exits.setdefault(ex.func, []).append(ex)
    for ex in exits.get(call.func, ()):
        if ex.span < call.span and _implies(ex.cond, names, no_window, falsy=made):
            return True
    return False


def _implies(cond: AnyV, names: set[str], no_window: bool, *, falsy: bool) -> bool:
    """Whether ``cond`` holding means the state is falsy (``falsy``), or the state being truthy
    makes ``cond`` hold (not ``falsy``: the test fails only when the state is reset)."""
    for _ in range(16):
        match cond:
            case Not(inner=inner):
                cond, falsy = inner, not falsy
                continue
            case Logic(op="&&", left=left, right=right) if falsy:
                return any(_implies(x, names, no_window, falsy=True) for x in (left, right))
            case Logic(op="||", left=left, right=right) if not falsy:
                return any(_implies(x, names, no_window, falsy=False) for x in (left, right))
            case Ref(name=name):
                return name in names and not falsy
            case Member(obj=This(), prop=prop):  # `if (!this.win) this.createWindow()`
                return "this." + prop in names and not falsy
            case Member() if _window_count(cond):  # `BrowserWindow.getAllWindows().length`
                return no_window and not falsy
            case Cmp(op=op, left=left, right=right):
                return _cmp_implies(op, left, right, names, no_window, falsy)
        return False
    return False


def _cmp_implies(op: str, left: AnyV, right: AnyV, names: set[str], no_window: bool, falsy: bool) -> bool:
    if _window_count(left) and no_window:  # getAllWindows().length === 0 / < 1 / !== 0 / > 0
        zero = isinstance(right, Num) and right.value == "0"
        one = isinstance(right, Num) and right.value == "1"
        if falsy:
            return op in ("===", "==") and zero or op == "<" and one or op == "<=" and zero
        return op in ("!==", "!=", ">") and zero or op == ">=" and one
    if _state_name(left) not in names:
        left, right = right, left
    if _state_name(left) not in names:
        return False
    nullish = isinstance(right, (Null, Undef)) or isinstance(right, Bool) and not right.value
    if falsy:
        return op in ("===", "==") and nullish
    return op in ("!==", "!=") and nullish


def _window_count(v: AnyV) -> bool:
    """`BrowserWindow.getAllWindows().length`."""
    return isinstance(v, Member) and v.prop == "length" and isinstance(v.obj, CallExpr) \
        and isinstance(v.obj.callee, Member) and v.obj.callee.prop == "getAllWindows"

"""Renderer data into dangerous calls (IPC006): the per-function flow from extract/handlerflow.py,
followed from a handler's parameters through local aliases into sink calls, and into project
helper functions (up to two calls deep), with the trace from the renderer to the sink.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import msgspec

from ipclint.link.handlers import Handler, Judge, call_at, derived, related_names
from ipclint.link.project import Project
from ipclint.link.sinks import MCP_STDIO, MCP_STDIO_KEYS, STORE_KEY, assignment_sink, sink_of
from ipclint.link.tables import loop_values, module_entries
from ipclint.link.vutil import mentions, walk
from ipclint.link.wrappers import applied_function, callee_function, forwarded_function
from ipclint.model import Role, StepKind, TraceStep
from ipclint.model.facts import Call, Carry, Flow, Occ
from ipclint.model.graph import ViaKind
from ipclint.model.values import (
    AnyV,
    CallExpr,
    ClassV,
    Concat,
    External,
    Index,
    Member,
    ModObj,
    Obj,
    Ref,
    Spread,
    Str,
    Tpl,
    concat_parts,
)

MAX_HELPER_DEPTH = 2
MAX_MODULE_METHODS = 256  # the exported functions a computed call on a module namespace may pick
# Window options through which renderer data changes what the new window's page can do.
SECURITY_PREFS = frozenset({"preload", "nodeIntegration", "nodeIntegrationInWorker", "nodeIntegrationInSubFrames",
                            "contextIsolation", "sandbox", "webSecurity", "allowRunningInsecureContent",
                            "enableRemoteModule", "webviewTag", "experimentalFeatures", "additionalArguments",
                            "enableBlinkFeatures", "javascript", "..."})


class Given(NamedTuple):
    """A function to follow, the handler parameter each of its tracked names carries, and the
    steps (helper calls and parameters) that led to it. ``under``: for a parameter given an object
    that holds the renderer data only at some keys (`open({ deep: { page: x } })`, `save({ dir:
    CONFIG_DIR, name })`), those keys; a parameter not in it holds renderer data as a whole.
    ``checked``: for a parameter given an object whose caller validated only some of its properties
    (`if (isFormat(file.ext)) save(file)`), those properties: its other ones are still unchecked."""

    path: str
    fid: int
    names: dict[str, str]
    steps: tuple[TraceStep, ...]
    under: dict[str, tuple[str, ...]]
    checked: Mapping[str, frozenset[str]] = MappingProxyType({})  # (read-only: a shared default)


@dataclass(frozen=True, slots=True)
class Reach:
    path: str
    sink: Call
    desc: str
    param: str  # the handler's parameter whose data arrives
    steps: tuple[TraceStep, ...]  # helper calls and parameters on the way


def reaches(project: Project, h: Handler, judge: Judge, extra: frozenset[str]) -> Iterator[Reach]:
    roots = {p.name: p.name for p in h.params}
    stack: list[tuple[Given, int]] = [(Given(h.path, h.fid, roots, (), {}), 0)]
    seen: set[tuple[str, int, frozenset[str], frozenset[tuple[str, tuple[str, ...]]],
                    frozenset[tuple[str, frozenset[str]]]]] = set()
    while stack:
        (path, fid, given, steps, under, checked), depth = stack.pop()
        flow: Flow | None = project.flow(path, fid)
        key = (path, fid, frozenset(given), frozenset(under.items()), frozenset(checked.items()))
        if flow is None or key in seen or len(seen) > 256:
            continue
        seen.add(key)
        if under:  # a parameter the function writes to may hold more than it was given
            under = {n: k for n, k in under.items() if not any(
                a.func == fid and _rooted_at(a.target, n) for a in project.files[path].assigns)}
        renderer = derived(flow, given)
        through: dict[str, tuple[TraceStep, ...]] = {}
        only = {n: k[0] for n, k in under.items()}  # (grows by the locals holding one whole: _tainted)
        taint = _tainted(project, judge, path, fid, flow, given, renderer, through=through, only=only,
                         checked=checked)
        for occ, more in _reads(project, judge, path, fid, flow, taint, renderer, only):
            if occ.name not in taint or occ.into is None or occ.role not in ("arg", "url", "set") \
                    or _elsewhere(occ, only) or (occ.path and occ.path[0] in checked.get(occ.name, ())):
                continue
            here = steps + through.get(occ.name, ()) + more
            partly: frozenset[str] | None = frozenset()
            if judge.validated(path, fid, flow, occ, taint=True, renderer=renderer):
                partly = _tested_parts(judge, path, fid, flow, occ, renderer) if not more else None
                if not partly:
                    continue
            if occ.role == "set":
                assign = project.assign_at(path, occ.into)
                desc = assignment_sink(project, path, assign) if assign is not None else None
                if assign is not None and desc is not None and (not occ.keys or occ.keys[0] == "..."):
                    yield Reach(path, Call(-1, assign.target, (), assign.span, assign.func), desc,
                                taint[occ.name], here)
                continue
            call = call_at(project, path, occ.into)
            if call is None:
                continue
            if not more and occ.name in under:
                lands = _landing(call, occ, under[occ.name])
                if lands is None:
                    continue  # a part of the parameter that the renderer data is not in
                occ = msgspec.structs.replace(occ, keys=lands)
            # (a project function that validates what it is given can still hand it, or the parts
            # it did not test, to a sink itself: `if (!TOOLS.includes(r.tool)) return; spawn(r.tool, r.argv)`)
            sink = None if occ.role == "arg" and judge.site(path, fid, flow, occ.site) else \
                sink_of(project, path, call, extra, main_only=True)
            if sink is not None:
                if not partly and _arrives(project, path, call, occ, sink, taint):
                    yield Reach(path, call, sink[0], taint[occ.name], here)
            elif depth < MAX_HELPER_DEPTH:
                held = only.get(occ.name) if not occ.path else None
                for helper in _helpers(project, path, call, occ, taint[occ.name], here, held):
                    if partly:  # (the helper's own parameter that takes the object whole)
                        helper = helper._replace(checked={n: partly for n in helper.names if n not in helper.under})
                    stack.append((helper, depth + 1))


def _tested_parts(judge: Judge, path: str, fid: int, flow: Flow, occ: Occ, renderer: set[str]) -> frozenset[str] | None:
    """For an object handed whole to a function after checks that each tested only properties of
    it (`if (isFormat(file.ext)) save(file)`), those properties: the function may use the others,
    which no check has seen. None when a check tested the value itself, or the value is a parsed
    URL (a test of `u.protocol` says what `u` is)."""
    if occ.role != "arg" or occ.path or occ.keys:
        return None
    related = related_names(flow, occ.name)
    if any(o.role == "url" and o.name in related for o in flow.occs):
        return None
    parts: set[str] = set()
    for i in judge.validating(path, fid, flow, occ, taint=True, renderer=renderer):
        reads = [o for o in flow.occs if o.site == i and o.name in related]
        if not reads or any(o.name != occ.name or not o.path for o in reads):
            return None
        parts.update(o.path[0] for o in reads)
    return frozenset(parts) or None


def _elsewhere(occ: Occ, only: dict[str, str]) -> bool:
    """``occ`` reads another property of an object whose renderer data is in one property only."""
    prop = only.get(occ.name)
    return prop is not None and bool(occ.path) and occ.path[0] != prop


def _tainted(project: Project, judge: Judge, path: str, fid: int, flow: Flow, given: dict[str, str],
             renderer: set[str], depth: int = 0,
             through: dict[str, tuple[TraceStep, ...]] | None = None, returning: bool = False,
             only: dict[str, str] | None = None, checked: Mapping[str, frozenset[str]] | None = None
             ) -> dict[str, str]:
    """Tracked name -> handler parameter, for the names that carry unvalidated renderer data:
    locals made from them, and locals that keep the result of a project function returning them
    (`const full = toFull(p)`). ``through``: for such locals (and those made from them), the
    steps of the functions whose results they hold. ``returning``: for what a function returns,
    not through locals rewritten with `replace`/`replaceAll` (often the function's sanitizing).
    ``only``: the objects with renderer data in one property (the first of Given.under); a local taken from
    another property of one is clean, a local holding the whole object is such an object too
    (added to ``only``). ``checked``: properties of parameters that the caller validated (Given.checked);
    a local taken from one of them is clean."""
    taint = dict(given)
    only = only if only is not None else {}
    for _ in range(4):
        grown = False
        for a in flow.aliases:
            if a.source in taint and a.name not in taint and not (returning and a.rewritten) and not a.numeric \
                    and not judge.validated(path, fid, flow, flow.occs[a.occ], taint=True, renderer=renderer):
                prop = only.get(a.source)
                if prop is not None and a.key and a.key[0] not in ("*", prop):
                    continue  # `const { dir } = opts` where only `opts.name` is renderer data
                if checked and a.key and a.key[0] in checked.get(a.source, ()):
                    continue  # `const { ext } = file` where the caller validated `file.ext`
                if prop is not None and not a.key:
                    only[a.name] = prop
                taint[a.name] = taint[a.source]
                if through is not None and a.source in through:
                    through[a.name] = through[a.source]
                grown = True
        for c in flow.carries:
            if not c.names or all(n in taint for n in c.names) or _elsewhere(flow.occs[c.via], only):
                continue
            steps = _carried(project, judge, path, fid, flow, c, taint, renderer, depth)
            if steps is not None:
                via = flow.occs[c.via]
                for n in c.names:
                    if n not in taint:
                        taint[n] = taint[via.name]
                        if through is not None:
                            through[n] = through.get(via.name, ()) + steps
                grown = True
        if not grown or not flow.carries:
            break
    return taint


def _reads(project: Project, judge: Judge, path: str, fid: int, flow: Flow, taint: dict[str, str],
           renderer: set[str], only: dict[str, str]) -> Iterator[tuple[Occ, tuple[TraceStep, ...]]]:
    """The reads of the function, then where the results of project functions that return
    renderer data go (`shell.openPath(toFull(p))`), with the step that says so."""
    for occ in flow.occs:
        yield occ, ()
    for c in flow.carries:
        if c.names or c.occ.role not in ("arg", "set") or _elsewhere(flow.occs[c.via], only):
            continue
        steps = _carried(project, judge, path, fid, flow, c, taint, renderer, 0)
        if steps is not None:
            yield c.occ, steps


def _carried(project: Project, judge: Judge, path: str, fid: int, flow: Flow, c: Carry, taint: dict[str, str],
             renderer: set[str], depth: int) -> tuple[TraceStep, ...] | None:
    """The steps of the functions whose results ``c`` follows, when that result carries the
    renderer data of its argument: the argument is tainted and unvalidated, the call is no
    validator, and the function returns that argument's data: the argument itself, or, when it is
    put in one property of an object (`script({ command: cmd })`), what the function returns of
    that property; not an object built around it deeper (`format({ query: { p } })`); and each
    call of ``c.chain`` that its result passes through returns it too (a step for each). None
    otherwise."""
    via = flow.occs[c.via]
    if via.name not in taint or via.into is None or via.role != "arg" or len(via.keys) > 1 \
            or via.keys[:1] in (("...",), ("?",)) \
            or judge.validated(path, fid, flow, via, taint=True, renderer=renderer) \
            or judge.validated(path, fid, flow, c.occ, taint=True, renderer=renderer) \
            or judge.site(path, fid, flow, via.site):
        return None
    call = call_at(project, path, via.into)
    if call is None:
        return None
    name = returns_argument(project, judge, path, call, via.arg, depth, via.keys[0] if via.keys else "")
    if name is None:
        return None
    steps = [TraceStep(StepKind.HELPER_RESULT, path, via.into, Role.MAIN, name)]
    for span, arg in c.chain:  # (`open(trim(toFull(p)))`: trim returns it too)
        outer = call_at(project, path, span)
        more = returns_argument(project, judge, path, outer, arg, depth) if outer is not None else None
        if more is None:
            return None
        steps.append(TraceStep(StepKind.HELPER_RESULT, path, span, Role.MAIN, more))
    return tuple(steps)


RETURNING = frozenset({"join", "resolve", "normalize", "dirname", "toNamespacedPath", "fileURLToPath"})
PATH_MODULES = frozenset({"path", "node:path", "path/posix", "path/win32", "upath", "pathe", "url", "node:url"})
MAX_RETURN_DEPTH = 3


def returns_argument(project: Project, judge: Judge, path: str, call: Call, arg: int, depth: int = 0,
                     prop: str = "") -> str | None:
    """The name of the function ``call`` invokes when its result carries argument ``arg`` unvalidated:
    a project function whose returned value is made of that parameter (directly, through locals,
    templates, string methods, `path.join`/`resolve`, or another such function, a bounded number of
    calls deep) on a path where no check of it passed; or `path.resolve` and the like imported
    under another name (`import { resolve as pathResolve } from 'path'`). ``prop``: the data is in
    that property of the argument only (a project function's result then). Memoised per function."""
    target = forwarded_function(project, path, call) or callee_function(project, path, call)
    if target is None and prop:
        return None
    if target is None:
        r = project.resolve(path, call.callee, call.func).value
        if isinstance(r, External) and r.src in PATH_MODULES and r.name.rsplit(".", 1)[-1] in RETURNING:
            return r.name.rsplit(".", 1)[-1]
        return None
    tpath, tfid = target
    fn = project.files[tpath].functions[tfid]
    key = (tpath, tfid, arg, prop)
    memo = judge.state.returns
    hit = memo.get(key)
    if hit is None:
        if depth >= MAX_RETURN_DEPTH or key in judge.returning:
            return None
        judge.returning.add(key)
        try:
            hit = memo[key] = _returns(project, judge, tpath, tfid, arg, depth, prop)
        finally:
            judge.returning.discard(key)
    return (fn.name or "a helper") if hit else None


def _returns(project: Project, judge: Judge, path: str, fid: int, arg: int, depth: int, prop: str) -> bool:
    fn = project.files[path].functions[fid]
    flow = project.flow(path, fid)
    if prop:
        given = {p.name: p.name for p in fn.params if p.index == arg and (not p.path or p.path[0] == prop)}
        only = {p.name: prop for p in fn.params if p.index == arg and not p.path}
    else:
        given = {p.name: p.name for p in fn.params if p.index == arg or (p.rest and p.index <= arg)}
        only = {}
    if flow is None or not given:
        return False
    renderer = derived(flow, given)
    taint = _tainted(project, judge, path, fid, flow, given, renderer, depth + 1, returning=True, only=only)
    # (the object itself returned, with the data in one property, is not the data)
    if any(o.role == "ret" and o.name in taint and not o.keys and not _elsewhere(o, only)
           and not (o.name in only and not o.path)
           and not judge.validated(path, fid, flow, o, taint=True, renderer=renderer) for o in flow.occs):
        return True
    return any(c.occ.role == "ret" and not c.occ.keys and not c.names
               and _carried(project, judge, path, fid, flow, c, taint, renderer, depth + 1) is not None
               for c in flow.carries)


def _arrives(project: Project, path: str, call: Call, occ: Occ, sink: tuple[str, tuple[int, ...]],
             taint: dict[str, str]) -> bool:
    desc, positions = sink
    if occ.arg not in positions or occ.arg >= len(call.args):
        return False
    if desc == MCP_STDIO:  # the program, its arguments and environment; not `stderr: 'pipe'`
        return not occ.keys or occ.keys[0] in MCP_STDIO_KEYS
    if desc.startswith("new "):  # whole options, or webPreferences that decide what the page can do
        keys = occ.keys
        if not keys:
            return _options_open(project, path, call, occ.arg, taint)
        return keys[0] == "..." or (keys[0] == "webPreferences" and (len(keys) == 1 or keys[1] in SECURITY_PREFS))
    if desc.startswith(STORE_KEY):  # `store.set(key, v)`, `store.set(obj)`; not `store.set('k', v)`
        if occ.keys and occ.keys[0] != "...":
            return False
        # `store.set(`servers.${name}`, { enabled: false })`: the page picks an entry inside a fixed
        # namespace and main picks the value; it cannot reach another setting nor choose what it holds
        return not (occ.arg == 0 and len(call.args) > 1 and _fixed_namespace(project, path, call.args[0], call.func)
                    and not mentions(call.args[1], taint.keys()))
    if desc.endswith(("loadURL", "openExternal")):
        arg = call.args[occ.arg]
        return not (_fixed_origin(project, path, arg, call.func) or _query_only(project, path, arg, call.func, taint))
    return True


def _options_open(project: Project, path: str, call: Call, arg: int, taint: dict[str, str]) -> bool:
    """Whether window options held in a local (`const opts = Object.assign({}, base, { title: m.title })`)
    take renderer data whole (the object itself, a spread, an `Object.assign` source) or in
    webPreferences, as the options written at the constructor are judged by their keys; a title or
    a size from the page chooses nothing that matters. Options changed after they were built, or
    built elsewhere, are taken whole."""
    def carries(x: AnyV) -> bool:
        return any(isinstance(r, Ref) and r.name in taint for r in walk(x, into_calls=True))

    v = call.args[arg]
    if not isinstance(v, Ref) or any(_rooted_at(a.target, v.name) and carries(a.value)
                                     for a in project.files[path].assigns if a.func == call.func):
        return True
    w = project.resolve(path, v, call.func)
    built = isinstance(w.value, Obj) or (isinstance(w.value, CallExpr) and w.value.callee.text == "Object.assign")
    if w.path != path or not built:
        return True

    def opened(x: AnyV, depth: int) -> bool:
        r = project.resolve(path, x, call.func).value if isinstance(x, Ref) and depth else x
        if isinstance(r, Obj):
            for p in r.props:
                if p.spread or p.computed or p.key is None:
                    if carries(p.value) or (depth < 4 and opened(p.value, depth + 1)):
                        return True
                elif p.key == "webPreferences":
                    prefs = p.value
                    if not isinstance(prefs, Obj):
                        if carries(prefs):
                            return True
                    elif any((q.spread or q.computed or q.key in SECURITY_PREFS) and carries(q.value)
                             for q in prefs.props):
                        return True
            return False
        if isinstance(r, CallExpr) and isinstance(r.callee, Member) and isinstance(r.callee.obj, Ref) \
                and r.callee.obj.name == "Object" and r.callee.prop == "assign" and depth < 4:
            return any(opened(a, depth + 1) for a in r.args)
        return carries(x)  # (a local: tainted as the flow tracked it)

    return opened(w.value, 0)


def _rooted_at(target: AnyV, name: str) -> bool:
    while isinstance(target, (Member, Index)):
        target = target.obj
    return isinstance(target, Ref) and target.name == name


def _helpers(project: Project, path: str, call: Call, occ: Occ, param: str,
             steps: tuple[TraceStep, ...], held: str | None) -> list[Given]:
    """The project functions called with renderer data: the callee, or, when the callee is the
    variable of a loop over a constant table of functions (`Object.entries(HANDLERS).forEach(([ch,
    fn]) => ipcMain.handle(ch, (e, a) => fn(a)))`), each function of the table."""
    target = forwarded_function(project, path, call) or callee_function(project, path, call)
    targets = [target] if target is not None else []
    if target is None and isinstance(call.callee, Ref):
        for w in loop_values(project, path, call.func, call.callee) or ():
            t = project.function_of(w.path, w.value, w.scope)
            if t is not None and t not in targets:
                targets.append(t)
    if target is None and isinstance(call.callee, Index):  # `api[method](...args)`: any of its methods
        targets.extend(t for t in object_methods(project, path, call.callee.obj, call.func) if t not in targets)
    elif target is None and isinstance(call.callee, Ref):  # `const fn = api[method]; fn(...args)` the same
        picked = project.resolve(path, call.callee, call.func, consts_only=True)
        if isinstance(picked.value, Index):
            targets.extend(t for t in object_methods(project, picked.path, picked.value.obj, picked.scope)
                           if t not in targets)
    out = []
    for t in targets:
        g = _helper(project, path, call, occ, param, steps, t, held)
        if g is not None:
            out.append(g)
    applied = applied_function(project, path, call)  # `enqueue(task, a, b)`: runs `task(a, b)`
    if applied is not None and occ.arg >= applied[1]:
        g = _helper(project, path, call, occ, param, steps, applied[0], held, applied[1])
        if g is not None:
            out.append(g)
    return out


def _helper(project: Project, path: str, call: Call, occ: Occ, param: str,
            steps: tuple[TraceStep, ...], target: tuple[str, int], held: str | None,
            offset: int = 0) -> Given | None:
    """The project function called with renderer data, and which of its parameters receive it:
    when the data sits at some keys of an object (`f({ dir: DIR, name })`, `f({ deep: { page: x }
    })`, or a tracked object with data in one property passed whole: ``held``), a parameter that
    destructures other properties receives none, and one that takes the object has it at those
    keys only (Given.under). ``offset``: how many of the call's arguments come before the
    function's first one (an applying function's call, ``wrappers.applied_function``)."""
    fn = project.files[target[0]].functions[target[1]]
    given: dict[str, str] = {}
    under: dict[str, tuple[str, ...]] = {}
    keys = occ.keys if occ.keys else (held,) if held is not None else ()
    # `f(a, ...args)`: the spread list fills every parameter from its place on
    spread = 0 <= occ.arg < len(call.args) and isinstance(call.args[occ.arg], Spread)
    arg = occ.arg - offset
    for p in fn.params:
        if p.index == arg or (spread and p.index > arg) or (p.rest and p.index <= arg):
            if not p.path or not keys or p.path[0] == keys[0]:
                given[p.name] = param
                # `f({ deep: { page: x } })` to `function f(opts)`: x is `opts.deep.page`, not all of opts
                inner = keys[len(p.path):] if keys[:len(p.path)] == p.path else ()
                if inner and inner[0] != "..." and not spread and not p.rest:
                    under[p.name] = inner
    if not given:
        return None
    first = next(p for p in fn.params if p.name in given)
    more = (TraceStep(StepKind.HELPER_CALL, path, call.span, Role.MAIN, fn.name or ""),
            TraceStep(StepKind.HELPER_PARAMETER, target[0], first.span, Role.MAIN, first.name))
    return Given(target[0], target[1], given, steps + more, under)


def _landing(call: Call, occ: Occ, under: tuple[str, ...]) -> tuple[str, ...] | None:
    """Where in argument ``occ.arg`` of ``call`` the renderer data of a parameter that holds it
    only at keys ``under`` lands, as object-literal keys: the parameter itself (`{ ...opts }`
    puts `opts.deep.page` at `deep.page`) or a member of it on the way to the data
    (`opts.deep`); None for a member beside it (`opts.preloadPath`: the renderer filled none of
    it). A read that is not a plain one of the parameter (a call on it, a template) lands where
    the parameter is written, as if it held the data whole."""
    expr = _written_at(call, occ)
    members: list[str] = []
    while isinstance(expr, Member):
        members.append(expr.prop)
        expr = expr.obj
    if not isinstance(expr, Ref) or expr.name != occ.name:
        return occ.keys
    held = under
    for m in reversed(members):
        if not held or held[0] == "...":
            return occ.keys  # the data is this whole value, or spread into it: any member may be it
        if held[0] != m:
            return None
        held = held[1:]
    if not held:
        return occ.keys
    return (occ.keys[:-1] if occ.keys and occ.keys[-1] == "..." else occ.keys) + held


def _written_at(call: Call, occ: Occ) -> AnyV | None:
    """The expression at ``occ.keys`` inside argument ``occ.arg`` of ``call`` (a spread key picks
    the one spread entry that reads ``occ.name``), None when there is not exactly one."""
    if not 0 <= occ.arg < len(call.args):
        return None
    v: AnyV | None = call.args[occ.arg]
    for k in occ.keys:
        if not isinstance(v, Obj):
            return None
        if k == "...":
            found = [p.value for p in v.props if p.spread and mentions(p.value, {occ.name})]
        else:
            found = [p.value for p in v.props if not p.spread and not p.computed and p.key == k]
        if len(found) != 1:
            return None
        v = found[0]
        if isinstance(v, Spread):
            v = v.inner
    return v


def object_methods(project: Project, path: str, v: AnyV, scope: int | None) -> list[tuple[str, int]]:
    """The functions of a project object that a computed key can pick: the function entries of an
    object literal, the methods of an instance of a class the project declares, or the exported
    functions of a project module (`const fns = require('./fns'); fns[name](...args)`, an ES
    namespace import the same)."""
    mod = project.resolve(path, v, scope)
    if isinstance(mod.value, ModObj):
        out_m: list[tuple[str, int]] = []
        for _key, at in module_entries(project, mod.value.path)[:MAX_MODULE_METHODS]:
            t = project.function_of(at.path, at.value, at.scope)
            if t is not None and t not in out_m:
                out_m.append(t)
        return out_m
    found = project.project_object(path, v, scope)
    if found is None:
        return []
    w, c = found
    out: list[tuple[str, int]] = []
    if c is None:
        assert isinstance(w.value, Obj)
        for p in w.value.props:
            t = project.function_of(w.path, p.value, w.scope) if not p.spread else None
            if t is not None and t not in out:
                out.append(t)
    elif isinstance(c.value, ClassV) and c.value.name and c.path in project.files:
        methods = project.files[c.path].class_methods.get(c.value.name, {})
        out = [(c.path, fid) for name, fid in methods.items() if name != "constructor"]
    return out


_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#\s]+[/?#]", re.I)


def _fixed_namespace(project: Project, path: str, arg: AnyV, scope: int | None) -> bool:
    """A settings key that starts with a literal namespace: a name and a separator (`servers.${x}`,
    `'a.b.' + x`, `supportedVersions:${url}`), also when a helper builds it (`cacheKey(x)`)."""
    first = _first_literal(project, path, arg, scope)
    return bool(first and len(first) > 1 and first[-1] in NAMESPACE_ENDS and first[0] not in NAMESPACE_ENDS)


def _fixed_origin(project: Project, path: str, arg: AnyV, scope: int | None) -> bool:
    """`https://host/path?q=${x}`: the renderer chooses only the path or query of a fixed origin."""
    first = _first_literal(project, path, arg, scope)
    return bool(first and _ORIGIN.match(first))


# What ends the fixed part of a settings key: a dotted path's step, a `name:` or `name/` prefix
NAMESPACE_ENDS = frozenset(".:/")


def _first_literal(project: Project, path: str, arg: AnyV, scope: int | None, depth: int = 0) -> str | None:
    """The literal text a template or `+` chain starts with, if any; for a call of a project
    function, the text that each of its returned values starts with (`const key = (u) =>
    `cache:${u}``), when they all start with the same."""
    r = project.resolve(path, arg, scope)
    v = r.value
    first = None
    if isinstance(v, Tpl) and v.parts and isinstance(v.parts[0], str):
        first = v.parts[0]
    elif isinstance(v, Concat):
        left = v.left
        for _ in range(8):
            if not isinstance(left, Concat):
                break
            left = left.left
        first = project.channel(r.path, left, r.scope)
    elif isinstance(v, CallExpr) and depth < 2:
        starts = {_first_literal(project, w.path, w.value, w.scope, depth + 1)
                  for w in project.returns_of(r.path, v.callee, r.scope)}
        first = starts.pop() if len(starts) == 1 else None
    return first


def _query_only(project: Project, path: str, arg: AnyV, scope: int | None, taint: dict[str, str]) -> bool:
    """Renderer data only after a literal `?` or `#`: it picks a query or fragment, not the target."""
    r = project.resolve(path, arg, scope)
    seen_marker = False
    for part in concat_parts(r.value):
        if isinstance(part, (str, Str)):
            text = part if isinstance(part, str) else part.value
            seen_marker = seen_marker or "?" in text or "#" in text
            continue
        carries = any(isinstance(x, Ref) and x.name in taint for x in walk(part, into_calls=True))
        if carries and not seen_marker:
            return False
    return seen_marker


def trace(project: Project, h: Handler, reach: Reach) -> tuple[TraceStep, ...]:
    """The renderer (and preload) call that sends the message, the handler parameter, the helper
    calls, the sink."""
    steps: list[TraceStep] = []
    ch = h.edge.channel
    if ch is not None:
        senders = [e for e in project.edges_of(ch) if e.kind in ("send", "invoke")
                   and e.side == "renderer"]
        bridged = [e for e in senders if e.bridged]
        direct = [e for e in senders if not e.bridged]
        if bridged:
            b = bridged[0]
            steps.append(TraceStep(StepKind.BRIDGE_CALL, b.path, b.span, b.role, ch, b.method))
            pre = next((v for v in reversed(b.via) if v.kind is ViaKind.PRELOAD_CALL), None)
            if pre is not None:
                steps.append(TraceStep(StepKind.PRELOAD_SEND, pre.path, pre.span, Role.PRELOAD, ch, b.method))
        elif direct:
            d = direct[0]
            steps.append(TraceStep(StepKind.SEND, d.path, d.span, d.role, ch, d.method))
    p = next((p for p in h.params if p.name == reach.param), None)
    if p is not None:
        steps.append(TraceStep(StepKind.HANDLER_PARAMETER, h.path, p.span, Role.MAIN, reach.param))
    steps.extend(reach.steps)
    steps.append(TraceStep(StepKind.SINK, reach.path, reach.sink.span, Role.MAIN, reach.desc))
    return tuple(steps)

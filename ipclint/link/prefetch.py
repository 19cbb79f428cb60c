"""Asking, during linking, for every module the rules' questions can reach.

Rules run once, on a frozen project, and never make the engine parse more. So linking itself
resolves what the rules will look at, and each resolution that reaches a module not parsed yet
records it (``Project.missing``): the engine parses those and links again until nothing new is
needed. What is resolved here: the functions that handlers (and the helpers they hand renderer
data to, two calls deep) call, including validators and schema objects; the values sent over IPC
and returned by handlers, with the classes and objects they are made of; window options.
"""
from __future__ import annotations

from ipclint.link.handlers import handlers
from ipclint.link.modules import Where
from ipclint.link.project import Project
from ipclint.link.roles import electron_names
from ipclint.link.trust import contexts
from ipclint.link.windows import windows
from ipclint.link.wrappers import applied_function, callee_function, forwarded_function
from ipclint.model.values import Arr, CallExpr, Fn, Import, Member, Module, NewExpr, Obj, Ref, walk

HANDED = frozenset({"ipcMain", "ipcRenderer"})
HANDED_OR_MODULE = HANDED | {"*"}  # (`electron`, whose `.ipcMain` is handed over)
_BINDINGS = frozenset({Import, Member, Module})  # the bindings that can be an Electron object
MAX_HELPER_DEPTH = 2
MAX_VALUE_DEPTH = 3
PAYLOAD_KINDS = frozenset({"send", "invoke", "push"})
# What a name in a payload can stand for that is made of further names
_COMPOUND = (Obj, Arr, NewExpr, CallExpr, Ref, Member)


def prefetch(project: Project) -> None:
    if _unparsed(project):  # (these resolutions only ask for modules: the rules resolve what they need)
        _handler_calls(project)
        _payloads(project)
        _ipc_handed_over(project)
        _exposed_calls(project)
    _windows(project)
    contexts(project)  # trust checks (IPC017, IPC007): the helpers the sender, URL or origin is handed to


def _exposed_calls(project: Project) -> None:
    """The functions that exposed functions hand the page's arguments to (`const safe =
    toOpenableLink(url)`): IPC014 asks whether what they return still carries the argument."""
    from ipclint.link.bridge import exposed_members
    for exp in project.exposures:
        for m in exposed_members(project, exp):
            path, v = m.value.path, m.value.value
            if type(v) is not Fn or path not in project.files:
                continue
            params = {p.name for p in project.files[path].functions[v.fid].params}
            for c in project.calls_under(path, v.fid):
                if type(c.callee) is Ref and any(type(a) is Ref and a.name in params for a in c.args):
                    project.resolve(path, c.callee, c.func)


def _unparsed(project: Project) -> bool:
    """Whether some discovered file (or declaration file) is not parsed: resolution can ask only
    for those (``Project._need``), so when there is none, there is nothing to ask for."""
    return not (project.all_paths <= project.files.keys()
                and project.declaration_paths <= project.declarations.keys())


def _handler_calls(project: Project) -> None:
    todo: list[tuple[str, int, int]] = []
    wrappers: set[tuple[str, int]] = set()  # (once per wrapper, however many handlers it registers)
    for h in handlers(project):
        todo.append((h.path, h.fid, 0))
        for wpath, wfid in h.edge.wrapper_funcs:
            if (wpath, wfid) in wrappers or wpath not in project.files:
                continue
            wrappers.add((wpath, wfid))
            for c in project.calls_under(wpath, wfid):
                project.resolve(wpath, c.callee, c.func)
    seen: set[tuple[str, int]] = set()
    while todo:
        path, fid, depth = todo.pop()
        if (path, fid) in seen or len(seen) > 2048:
            continue
        seen.add((path, fid))
        f = project.files.get(path)
        flow = project.flow(path, fid) if f is not None else None
        if flow is None:
            continue
        spans = {o.into for o in flow.occs if o.into is not None}
        spans |= {c.occ.into for c in flow.carries if c.occ.into is not None}  # where helpers' results go
        spans |= {span for c in flow.carries for span, _arg in c.chain}
        spans |= {s.span for s in flow.sites if s.kind in ("call", "url")}
        for span in sorted(spans):
            call = project.call_at(path, span)
            if call is None:
                continue
            r = project.resolve(path, call.callee, call.func).value
            if isinstance(r, CallExpr) and isinstance(r.callee, Member):  # `const v = ajv.compile(s)`: ajv itself
                project.resolve(path, r.callee.obj, call.func)
            target = forwarded_function(project, path, call) or callee_function(project, path, call)
            if target is not None and depth < MAX_HELPER_DEPTH:
                todo.append((target[0], target[1], depth + 1))
            applied = applied_function(project, path, call) if depth < MAX_HELPER_DEPTH else None
            if applied is not None:
                todo.append((applied[0][0], applied[0][1], depth + 1))


def _payloads(project: Project) -> None:
    graph = project.graph
    calls_done: set[tuple[str, int]] = set()  # (path, call index): a call's arguments touched
    handlers_done: set[tuple[str, int]] = set()  # (path, function id): a handler's returns touched
    for e in graph.edges:
        if e.kind in PAYLOAD_KINDS and (e.path, e.call) not in calls_done:
            calls_done.add((e.path, e.call))
            call = project.files[e.path].calls[e.call]
            for arg in call.args:
                _touch(project, Where(e.path, arg, call.func))
        if e.kind == "handle" and e.handler is not None and e.handler not in handlers_done:
            handlers_done.add(e.handler)
            hpath, fid = e.handler
            for ret in project.files[hpath].functions[fid].returns:
                _touch(project, Where(hpath, ret, fid))


def _touch(project: Project, where: Where, depth: int = 0) -> None:
    """Resolve the names a value is made of, and what they stand for, a few steps deep."""
    if depth > MAX_VALUE_DEPTH:
        return
    for v in walk(where.value):
        if isinstance(v, (Ref, Member)):
            r = project.resolve(where.path, v, where.scope)
            if r.value is not v and isinstance(r.value, _COMPOUND):
                _touch(project, r, depth + 1)
        elif isinstance(v, (NewExpr, CallExpr)):
            project.resolve(where.path, v.callee, where.scope)


def _ipc_handed_over(project: Project) -> None:
    """The functions that parsed code hands ipcMain or ipcRenderer to (`serve(ipcMain)` with
    `serve` from './server'): their modules are asked for, whether or not they name Electron,
    since their parameter is that object (``Project._param_argument``) and their IPC calls count."""
    for path, f in project.files.items():
        if project.is_test(path) or HANDED.isdisjoint(electron_names(project, path)):
            continue
        with project.no_missing():  # (the modules its bindings import are not asked for: roles.electron_names)
            names = {name for (scope, name), v in f.bindings.items() if type(v) in _BINDINGS
                     and project.electron_api(path, v, scope) in HANDED_OR_MODULE}
        if not names:
            continue
        for c in f.calls:
            for a in c.args:
                root = a.obj if type(a) is Member else a
                if type(root) is Ref and root.name in names \
                        and project.electron_api(path, a, c.func) in HANDED:
                    project.resolve(path, c.callee, c.func)
                    break


def _windows(project: Project) -> None:
    """Window options (merged, imported, built by functions), preloads and loaded URLs: the
    windows model resolves them all (ipclint.link.windows)."""
    windows(project)

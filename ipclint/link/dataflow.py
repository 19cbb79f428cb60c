"""Where renderer data lives in main-process and preload code: the API the data-flow rules share.

Renderer data is a main-process handler's parameters after the event (``handlers.Handler``), and
a preload-exposed function's parameters (the page chooses them). It is followed into the project
helpers it is handed to, two calls deep. For each function reached, ``DataFunction`` names the
local names that carry the data (aliases and values made from it included) and the parameter
each came from; every read of them is an ``Occ`` of the function's flow.

The question a rule asks about one read is ``Judge.validated(df.path, df.fid, df.flow, occ,
renderer=df.renderer)`` (link/handlers.py): whether the read sits on the passing side of a check
that validates it. It is path-sensitive (a check validates only where it passed: `if (!ok(x))
return; use(x)` and `if (ok(x)) use(x)` are validated, a use on the failing side or after a test
whose result is ignored is not), and weak allowlists (link/allowlists.py) validate nothing.

    judge = Judge(project)
    for h in handlers(project):
        for df, occ in renderer_reads(project, h):
            if occ.into is not None and not judge.validated(df.path, df.fid, df.flow, occ, renderer=df.renderer):
                ...  # the call at occ.into (call_at(project, df.path, occ.into)) gets unvalidated renderer data
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.link.handlers import Handler, derived, receiving_params
from ipclint.link.project import Project
from ipclint.link.wrappers import callee_function
from ipclint.model.facts import Flow, Occ
from ipclint.model.values import Fn

MAX_HELPER_DEPTH = 2
MAX_FUNCTIONS = 256


@dataclass(frozen=True, slots=True)
class DataFunction:
    """A function holding renderer data: a handler, a preload-exposed function, or a project
    helper that one of them hands the data to (``depth`` calls down)."""

    path: str
    fid: int
    flow: Flow
    names: dict[str, str]  # tracked name -> the handler (or bridge) parameter whose data it carries
    depth: int = 0

    @property
    def renderer(self) -> set[str]:
        """The names carrying renderer data (for ``Judge``: a comparison between two of them
        validates neither)."""
        return set(self.names)


def renderer_functions(project: Project, h: Handler) -> Iterator[DataFunction]:
    """The handler's function and the helpers it hands renderer data to."""
    yield from _follow(project, h.path, h.fid, {p.name: p.name for p in h.params})


def page_functions(project: Project) -> Iterator[DataFunction]:
    """Preload-exposed functions (every parameter is page data) and the helpers they hand it to."""
    from ipclint.link.bridge import exposed_members
    seen: set[tuple[str, int]] = set()
    for exp in project.exposures:
        for m in exposed_members(project, exp):
            v = m.value.value
            if not isinstance(v, Fn) or (m.value.path, v.fid) in seen:
                continue
            seen.add((m.value.path, v.fid))
            fn = project.files[m.value.path].functions[v.fid]
            yield from _follow(project, m.value.path, v.fid, {p.name: p.name for p in fn.params})


def renderer_reads(project: Project, h: Handler) -> Iterator[tuple[DataFunction, Occ]]:
    """Every read of renderer data in the handler and its helpers, in source order per function."""
    for df in renderer_functions(project, h):
        for occ in df.flow.occs:
            if occ.name in df.names:
                yield df, occ


def _follow(project: Project, path: str, fid: int, given: dict[str, str]) -> Iterator[DataFunction]:
    stack = [(path, fid, given, 0)]
    seen: set[tuple[str, int, frozenset[str]]] = set()
    while stack and len(seen) < MAX_FUNCTIONS:
        path, fid, names, depth = stack.pop()
        flow = project.flow(path, fid)
        key = (path, fid, frozenset(names))
        if flow is None or key in seen or not names:
            continue
        seen.add(key)
        carried = _carried(flow, names)
        yield DataFunction(path, fid, flow, carried, depth)
        if depth >= MAX_HELPER_DEPTH:
            continue
        for occ in flow.occs:
            if occ.name not in carried or occ.role != "arg" or occ.into is None:
                continue
            call = project.call_at(path, occ.into)
            target = callee_function(project, path, call) if call is not None else None
            if target is None:
                continue
            inner = {p.name: carried[occ.name]
                     for p in receiving_params(project.files[target[0]].functions[target[1]], call, occ)}
            if inner:
                stack.append((target[0], target[1], inner, depth + 1))


def _carried(flow: Flow, given: dict[str, str]) -> dict[str, str]:
    """The given names and every local made from them, each with the parameter it came from."""
    out = dict(given)
    for name in derived(flow, given):
        if name in out:
            continue
        cur = name
        for _ in range(8):
            src = next((a.source for a in flow.aliases if a.name == cur), None)
            if src is None:
                break
            if src in out:
                out[name] = out[src]
                break
            cur = src
    return out

"""Renderer data into dangerous calls (IPC006): the per-function flow from extract/handlerflow.py,
followed from a handler's parameters through local aliases into sink calls, and into project
helper functions (up to two calls deep), with the trace from the renderer to the sink.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from ipclint.link.handlers import Handler, Judge, call_at, derived
from ipclint.link.project import Project
from ipclint.link.sinks import STORE_KEY, assignment_sink, sink_of
from ipclint.link.vutil import walk
from ipclint.link.wrappers import callee_function
from ipclint.model import Role, StepKind, TraceStep
from ipclint.model.facts import Call, Flow, Occ
from ipclint.model.graph import ViaKind
from ipclint.model.values import AnyV, Concat, Ref, Str, Tpl

MAX_HELPER_DEPTH = 2
# Window options through which renderer data changes what the new window's page can do.
SECURITY_PREFS = frozenset({"preload", "nodeIntegration", "nodeIntegrationInWorker", "nodeIntegrationInSubFrames",
                            "contextIsolation", "sandbox", "webSecurity", "allowRunningInsecureContent",
                            "enableRemoteModule", "webviewTag", "experimentalFeatures", "additionalArguments",
                            "enableBlinkFeatures", "javascript", "..."})


class Given(NamedTuple):
    """A function to follow, the handler parameter each of its tracked names carries, and the
    steps (helper calls and parameters) that led to it."""

    path: str
    fid: int
    names: dict[str, str]
    steps: tuple[TraceStep, ...]


@dataclass(frozen=True, slots=True)
class Reach:
    path: str
    sink: Call
    desc: str
    param: str  # the handler's parameter whose data arrives
    steps: tuple[TraceStep, ...]  # helper calls and parameters on the way


def reaches(project: Project, h: Handler, judge: Judge, extra: frozenset[str]) -> Iterator[Reach]:
    roots = {p.name: p.name for p in h.params}
    stack: list[tuple[Given, int]] = [(Given(h.path, h.fid, roots, ()), 0)]
    seen: set[tuple[str, int, frozenset[str]]] = set()
    while stack:
        (path, fid, given, steps), depth = stack.pop()
        flow: Flow | None = project.files[path].functions[fid].flow
        key = (path, fid, frozenset(given))
        if flow is None or key in seen or len(seen) > 256:
            continue
        seen.add(key)
        renderer = derived(flow, given)
        taint = _tainted(judge, path, fid, flow, given, renderer)
        for occ in flow.occs:
            if occ.name not in taint or occ.into is None or occ.role not in ("arg", "url", "set"):
                continue
            if judge.validated(path, fid, flow, occ, taint=True, renderer=renderer):
                continue
            if occ.role == "set":
                assign = project.assign_at(path, occ.into)
                desc = assignment_sink(project, path, assign) if assign is not None else None
                if assign is not None and desc is not None and (not occ.keys or occ.keys[0] == "..."):
                    yield Reach(path, Call(-1, assign.target, (), assign.span, assign.func), desc,
                                taint[occ.name], steps)
                continue
            call = call_at(project, path, occ.into)
            if call is None or (occ.role == "arg" and judge.site(path, fid, flow, occ.site)):
                continue
            sink = sink_of(project, path, call, extra, main_only=True)
            if sink is not None:
                if _arrives(project, path, call, occ, sink, taint):
                    yield Reach(path, call, sink[0], taint[occ.name], steps)
            elif depth < MAX_HELPER_DEPTH:
                helper = _helper(project, path, call, occ, taint[occ.name], steps)
                if helper is not None:
                    stack.append((helper, depth + 1))


def _tainted(judge: Judge, path: str, fid: int, flow: Flow, given: dict[str, str],
             renderer: set[str]) -> dict[str, str]:
    """Tracked name -> handler parameter, for the names that carry unvalidated renderer data."""
    taint = dict(given)
    for a in flow.aliases:
        if a.source in taint and a.name not in taint \
                and not judge.validated(path, fid, flow, flow.occs[a.occ], taint=True, renderer=renderer):
            taint[a.name] = taint[a.source]
    return taint


def _arrives(project: Project, path: str, call: Call, occ: Occ, sink: tuple[str, tuple[int, ...]],
             taint: dict[str, str]) -> bool:
    desc, positions = sink
    if occ.arg not in positions or occ.arg >= len(call.args):
        return False
    if desc.startswith("new "):  # whole options, or webPreferences that decide what the page can do
        keys = occ.keys
        return not keys or keys[0] == "..." or (keys[0] == "webPreferences" and (
            len(keys) == 1 or keys[1] in SECURITY_PREFS))
    if desc.startswith(STORE_KEY):  # `store.set(key, v)`, `store.set(obj)`; not `store.set('k', v)`
        return not occ.keys or occ.keys[0] == "..."
    if desc.endswith(("loadURL", "openExternal")):
        arg = call.args[occ.arg]
        return not (_fixed_origin(project, path, arg, call.func) or _query_only(project, path, arg, call.func, taint))
    return True


def _helper(project: Project, path: str, call: Call, occ: Occ, param: str,
            steps: tuple[TraceStep, ...]) -> Given | None:
    """The project function called with renderer data, and which of its parameters receive it."""
    target = callee_function(project, path, call)
    if target is None:
        return None
    fn = project.files[target[0]].functions[target[1]]
    given: dict[str, str] = {}
    for p in fn.params:
        if p.index == occ.arg or (p.rest and p.index <= occ.arg):
            if not p.path or not occ.keys or p.path[0] == occ.keys[0]:
                given[p.name] = param
    if not given:
        return None
    first = next(p for p in fn.params if p.name in given)
    more = (TraceStep(StepKind.HELPER_CALL, path, call.span, Role.MAIN, fn.name or ""),
            TraceStep(StepKind.HELPER_PARAMETER, target[0], first.span, Role.MAIN, first.name))
    return Given(target[0], target[1], given, steps + more)


_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#\s]+[/?#]", re.I)


def _fixed_origin(project: Project, path: str, arg: AnyV, scope: int | None) -> bool:
    """`https://host/path?q=${x}`: the renderer chooses only the path or query of a fixed origin."""
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
    return bool(first and _ORIGIN.match(first))


def _parts(v: AnyV) -> list[str | AnyV]:
    """The pieces of a concatenation or template, left to right."""
    out: list[str | AnyV] = []
    stack: list[str | AnyV] = [v]
    while stack and len(out) < 64:
        x = stack.pop()
        if isinstance(x, Concat):
            stack.extend((x.right, x.left))
        elif isinstance(x, Tpl):
            stack.extend(reversed(x.parts))
        else:
            out.append(x)
    return out


def _query_only(project: Project, path: str, arg: AnyV, scope: int | None, taint: dict[str, str]) -> bool:
    """Renderer data only after a literal `?` or `#`: it picks a query or fragment, not the target."""
    r = project.resolve(path, arg, scope)
    seen_marker = False
    for part in _parts(r.value):
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

"""Contents listeners made with RxJS (SPEC section 1, "MessagePorts and webviews", the main
process's `ipc-message` listeners): `fromEvent(webContents, 'ipc-message', selector)` subscribes
to every `ipcRenderer.send` of that page like `webContents.on('ipc-message', fn)` does. The
channels it takes are those a `filter(pred)` of the `.pipe(...)` chained on it compares the
selected channel with (`(_e, channel) => channel` then `filter((ch) => ch === 'print')`, or
`(e, channel, props) => ({ channel, props })` then `filter(({ channel }) => channel === 'print')`).
An observable whose channels cannot be read that way (no selector, a filter that compares the
channel with a parameter, no filter) takes every channel: a catch-all site.
"""
from __future__ import annotations

from dataclasses import replace

from ipclint.link.graph import Edge, GenericSite
from ipclint.link.ports import CONTENTS_EVENTS, tested_channels
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name
from ipclint.model import Role, Span
from ipclint.model.facts import Call
from ipclint.model.values import CallExpr, External, Member, Obj, Ref

_CALLS = ("fromEvent", "pipe")


def observed_listeners(project: Project) -> tuple[list[Edge], list[GenericSite]]:
    """In main (or shared) code, each RxJS `fromEvent(<webContents>, 'ipc-message' |
    'ipc-message-sync', ...)`: one edge per channel its piped filters compare the channel with,
    or a catch-all site."""
    edges: list[Edge] = []
    sites: list[GenericSite] = []
    for path in sorted(project.files):
        if project.role(path) not in (Role.MAIN, Role.SHARED):
            continue
        calls = project.calls_named(path, _CALLS)
        pipes: dict[Span, Call] = {c.callee.obj.span: c for c in calls if type(c.callee) is Member
                                   and c.callee.prop == "pipe" and type(c.callee.obj) is CallExpr}
        for c in calls:
            if type(c.callee) is not Ref or len(c.args) < 2 or not _from_event(project, path, c):
                continue
            event = project.channel(path, c.args[1], c.func)
            if event not in CONTENTS_EVENTS:  # (in Node code, only a webContents emits these, whatever its name)
                continue
            pipe = pipes.get(c.span)
            channels = _filtered_channels(project, path, c, pipe) if pipe is not None else None
            if not channels:
                sites.append(GenericSite(path, c.span, f"fromEvent(webContents, '{event}')"))
                continue
            base = Edge(kind="on", method=event, receiver="webContents", channel=None, path=path, span=c.span,
                        channel_span=None, role=Role.MAIN, call=c.index, scope=c.func)
            edges += [replace(base, channel=ch) for ch in channels]
    return edges, sites


def _from_event(project: Project, path: str, c: Call) -> bool:
    v = project.resolve(path, c.callee, c.func).value
    return isinstance(v, External) and v.src.split("/")[0] == "rxjs" and v.name == "fromEvent"


def _filtered_channels(project: Project, path: str, c: Call, pipe: Call) -> list[str] | None:
    """The channels the `filter`s of ``pipe`` compare the channel that ``c``'s selector emits
    with; None when they compare it with something unknown or the selector emits something else."""
    selector = project.function_of(path, c.args[2], c.func) if len(c.args) > 2 else None
    if selector is None:
        return None
    sf = project.files[selector[0]].functions[selector[1]]
    chan = next((p.name for p in sf.params if p.index == 1 and not p.path), None)
    if chan is None or len(sf.returns) != 1:
        return None
    ret = sf.returns[0]
    if type(ret) is Ref and ret.name == chan:
        whole = True  # the observable emits the channel itself
    elif type(ret) is Obj and any(p.key == "channel" and type(p.value) is Ref and p.value.name == chan
                                  for p in ret.props):
        whole = False  # an object with the channel in its `channel` field
    else:
        return None
    found: list[str] = []
    for a in pipe.args:
        if type(a) is not CallExpr or callee_name(a.callee) != "filter" or not a.args:
            continue
        pred = project.function_of(path, a.args[0], pipe.func)
        if pred is None:
            return None
        first = [p for p in project.files[pred[0]].functions[pred[1]].params if p.index == 0]
        if whole:
            names: set[str] = set()
            local = {p.name for p in first if not p.path}
        else:
            names = {p.name for p in first if not p.path}
            local = {p.name for p in first if p.path == ("channel",)}
        tested = tested_channels(project, pred, names, local, cases=True)
        if tested is None:
            return None
        found += tested
    return list(dict.fromkeys(found)) or None

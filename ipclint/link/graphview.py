"""Building the graph view (``model.graph``) from the linked project: the only place that reads
the project for the graph formatters, the HTML report and the language server."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from msgspec.structs import replace

from ipclint.link.testcode import in_test_code
from ipclint.model import Role
from ipclint.model.graph import (
    EMPTY,
    Direction,
    EdgeKind,
    ExposedMember,
    GenericPath,
    GraphEdge,
    GraphFile,
    GraphView,
    Part,
    Via,
)

if TYPE_CHECKING:  # pragma: no cover
    from ipclint.link.graph import ChannelGraph
    from ipclint.link.project import Project

__all__ = ["EMPTY", "GraphView", "build_graph_view", "merge_views"]


_RENDERER_SIDE = frozenset({"ipcRenderer", "bridge", "toolkit"})


def _part(kind: str, receiver: str, method: str) -> tuple[EdgeKind, Part, Direction]:
    renderer_side = receiver in _RENDERER_SIDE
    if kind == "host":  # a host page's 'ipc-message' listener
        return EdgeKind.WEBVIEW, Part.LISTENER, Direction.TO_HOST
    if kind == "port":  # a main-process MessagePort handler
        return EdgeKind.PORT, Part.HANDLER, Direction.TO_MAIN
    edge_kind = EdgeKind(kind) if kind in EdgeKind._value2member_map_ else EdgeKind.SEND
    if kind in ("send", "invoke"):
        if method == "sendToHost":
            return EdgeKind.WEBVIEW, Part.SENDER, Direction.TO_HOST
        return edge_kind, Part.SENDER, Direction.TO_MAIN
    if kind == "push":
        if receiver == "webview":
            return EdgeKind.WEBVIEW, Part.PUSHER, Direction.TO_GUEST
        return edge_kind, Part.PUSHER, Direction.TO_RENDERER
    if kind in ("handle", "on"):
        return (edge_kind, Part.LISTENER, Direction.TO_RENDERER) if renderer_side \
            else (edge_kind, Part.HANDLER, Direction.TO_MAIN)
    if kind == "emit":
        return edge_kind, Part.EMITTER, Direction.NONE
    return edge_kind, Part.REMOVER, Direction.NONE


def _app_of(path: str, apps: dict[str, str], folders: list[str]) -> str:
    if path in apps:
        return apps[path]
    return next((f for f in folders if path.startswith(f + "/")), "")


def build_graph_view(project: Project) -> GraphView:
    """The view of a linked project: every file with its role, every edge, the marks."""
    from ipclint.link.roles import every_role
    graph: ChannelGraph | None = project.graph
    if graph is None:
        return GraphView(root=str(project.root))
    folders = sorted({a for a in project.apps.values() if a}, key=lambda a: (-len(a), a))
    files = tuple(GraphFile(p, i.role, i.reason, _app_of(p, project.apps, folders), project.is_test(p))
                  for p, i in every_role(project).items())
    app = {f.path: f.app for f in files}
    rows: list[_Row] = []
    for e in graph.edges:
        kind, part, direction = _part(e.kind, e.receiver, e.method)
        where = app[e.path] if e.path in app else _app_of(e.path, project.apps, folders)
        rows.append(_Row(
            EdgeKind.PORT if e.ports else kind, e.method, e.receiver, part, direction, e.channel,
            e.path, e.span.line, e.span.column, e.role, where, in_test_code(project, e.path, e.scope),
            tuple(Via(v.kind, v.path, v.span.line, v.span.column) for v in e.via),
            e.channel_value.text if e.channel is None and e.channel_value is not None else "",
            e.handler[0] if e.handler else None))
    generic = tuple(sorted({GenericPath(loc.path, loc.span.line, loc.member, listen, app.get(loc.path, ""))
                            for listen, locs in ((False, graph.generic_send), (True, graph.generic_listen))
                            for loc in locs}, key=lambda g: (g.path, g.line, g.member, g.listen)))
    flags = _flags(rows, generic, {a: frozenset(chs) for a, chs in graph.allowlisted_in.items()})
    # (each edge made once, marked: a dataclass ``replace`` per marked edge cost more than the rest)
    marked = [GraphEdge(*row, *flag) for row, flag in zip(rows, flags, strict=True)]
    return GraphView(root=str(project.root), files=files, edges=tuple(marked), exposures=_exposures(project),
                     generic_paths=generic, apps=tuple(sorted({f.app for f in files})))


def _exposures(project: Project) -> tuple[ExposedMember, ...]:
    from ipclint.link.exposure import exposure_model
    return tuple(ExposedMember(key=x["key"], path=x["path"], line=x["line"], column=x["column"], kind=x["kind"],
                               channels=tuple(x["channels"]), guarded=x["guarded"], allowlist=tuple(x["allowlist"]),
                               detail=x["detail"], mode=x["mode"]) for x in exposure_model(project))


def _talk(a: str, b: str) -> bool:
    """Two files of one repository can talk over IPC: the same app, or either outside every app."""
    return a == b or not a or not b


class _Row(NamedTuple):
    """A graph edge's fields before its marks (the leading fields of ``GraphEdge``, in order)."""

    kind: EdgeKind
    method: str
    receiver: str
    part: Part
    direction: Direction
    channel: str | None
    path: str
    line: int
    column: int
    role: Role
    app: str
    is_test: bool
    via: tuple[Via, ...]
    expression: str
    handler_path: str | None


def _flags(edges: Sequence[_Row], generic: tuple[GenericPath, ...],
           allowlisted: dict[str, frozenset[str]] | frozenset[str]) -> list[tuple[bool, bool]]:
    """(unhandled, unused) of each edge: sends and pushes that nothing handles or listens to, and
    handlers that nothing sends to. The same judgement as IPC010/IPC011 on the graph alone (per app,
    generic paths switch it off; ``allowlisted``: the channels guarded generic bridges allow, per app
    folder): a drawing aid, not a finding."""
    # channel -> app -> what its edges there are (``_traits_of``): an edge's peers are the edges of its
    # channel in an app it can talk to (``_talk``), asked as one union per edge, not a pass over
    # every edge of the channel (a thousand sends of one channel asked a million questions)
    traits: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for e in edges:
        if e.channel is not None:
            traits[e.channel][e.app].update(_traits_of(e))
    send_any = {g.app for g in generic if not g.listen}
    listen_any = {g.app for g in generic if g.listen}
    host_any = {e.app for e in edges if e.channel is None and e.direction is Direction.TO_HOST
                and e.part is Part.LISTENER}
    allowed = allowlisted if isinstance(allowlisted, dict) else {"": allowlisted}

    def opened(apps: set[str], app: str) -> bool:
        return any(_talk(a, app) for a in apps)

    def peers(channel: str, app: str) -> set[str]:
        by_app = traits[channel]
        if not app:
            return set().union(*by_app.values())
        return by_app.get(app, set()) | by_app.get("", set())

    out: list[tuple[bool, bool]] = []
    none = (False, False)
    for e in edges:
        if e.channel is None:
            out.append(none)
            continue
        there = peers(e.channel, e.app)
        flag = none
        if e.part is Part.SENDER and e.direction is Direction.TO_HOST:
            if not opened(host_any, e.app) and "host-listener" not in there:
                flag = (True, False)
        elif e.part is Part.SENDER:
            if ("handle" if e.kind is EdgeKind.INVOKE else "on-handler") not in there:
                flag = (True, False)
        elif e.part is Part.PUSHER and not opened(listen_any, e.app):
            if "listener" not in there:
                flag = (True, False)
        elif e.part is Part.HANDLER and e.kind is not EdgeKind.PORT and not opened(send_any, e.app) \
                and not any(e.channel in chs for a, chs in allowed.items() if _talk(a, e.app)):
            if "sender" not in there:
                flag = (False, True)
        out.append(flag)
    return out


def _traits_of(e: _Row) -> list[str]:
    """What ``_flags`` asks of an edge's peers: a host listener, a handler of `handle` or of `on`,
    a listener of pushes, a sender or emitter (not to a host)."""
    out = []
    if e.part is Part.LISTENER:
        out.append("host-listener" if e.direction is Direction.TO_HOST else "listener")
    elif e.part is Part.HANDLER and e.kind is EdgeKind.HANDLE:
        out.append("handle")
    elif e.part is Part.HANDLER and e.kind is EdgeKind.ON:
        out.append("on-handler")
    elif e.part in (Part.SENDER, Part.EMITTER) and e.direction is not Direction.TO_HOST:
        out.append("sender")
    return out


def merge_views(parts: list[tuple[str, GraphView]], root: str) -> GraphView:
    """Several projects reported together: each view's paths prefixed with its folder."""
    def moved(prefix: str, path: str) -> str:
        return f"{prefix}/{path}" if prefix and prefix != "." else path

    files: list[GraphFile] = []
    edges: list[GraphEdge] = []
    exposures: list[ExposedMember] = []
    generic: list[GenericPath] = []
    for prefix, v in parts:
        def app(a: str, prefix: str = prefix) -> str:
            return moved(prefix, a) if a else (prefix if prefix != "." else "")

        files += [replace(f, path=moved(prefix, f.path), app=app(f.app)) for f in v.files]
        edges += [replace(e, path=moved(prefix, e.path), app=app(e.app),
                          handler_path=moved(prefix, e.handler_path) if e.handler_path else None,
                          via=tuple(replace(x, path=moved(prefix, x.path)) for x in e.via)) for e in v.edges]
        exposures += [replace(x, path=moved(prefix, x.path)) for x in v.exposures]
        generic += [replace(g, path=moved(prefix, g.path), app=app(g.app)) for g in v.generic_paths]
    return GraphView(root=root, files=tuple(sorted(files, key=lambda f: f.path)),
                     edges=tuple(sorted(edges, key=lambda e: (e.path, e.line, e.column, e.kind.value,
                                                              e.channel or ""))),
                     exposures=tuple(exposures), generic_paths=tuple(generic),
                     apps=tuple(sorted({f.app for f in files})))

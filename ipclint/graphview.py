"""The channel graph as a run result carries it: typed, frozen, serialisable records.

`build_graph_view(project)` is the only place that reads the linked project; the engine calls it
once per run and stores the view on RunResult.graph. Formatters (graph, html) and the language
server read only the view, so none of them needs the live project. Display text is made in output/.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

from ipclint.discover import is_test_path
from ipclint.model import Role

if TYPE_CHECKING:  # pragma: no cover
    from ipclint.project import Project

VIEW_VERSION = 1


class EdgeKind(str, Enum):
    SEND = "send"
    INVOKE = "invoke"
    HANDLE = "handle"
    ON = "on"
    PUSH = "push"
    REMOVE = "remove"
    EMIT = "emit"


class Part(str, Enum):
    """What an edge is to its channel."""

    SENDER = "sender"  # renderer-side send/invoke
    HANDLER = "handler"  # main-side handle/on
    PUSHER = "pusher"  # main-side webContents.send, event.reply
    LISTENER = "listener"  # renderer-side on
    EMITTER = "emitter"  # ipcMain.emit in main: a use of a handler, not IPC
    REMOVER = "remover"


class Direction(str, Enum):
    TO_MAIN = "renderer-to-main"
    TO_RENDERER = "main-to-renderer"
    NONE = "none"  # removals, emits


class ViaKind(str, Enum):
    BRIDGE = "bridge"  # the exposeInMainWorld member the page calls
    PRELOAD_CALL = "preload-call"  # the preload's own ipcRenderer call behind a bridge function
    WRAPPER = "wrapper"  # an app wrapper's IPC call
    HELPER = "helper"  # a page helper over a generic bridge
    RELAY = "relay"  # an EventEmitter relaying ipcMain messages
    STEP = "step"


@dataclass(frozen=True, slots=True)
class Via:
    kind: ViaKind
    path: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class GraphFile:
    path: str
    role: Role
    reason: str
    app: str  # folder of the file's Electron app, "" for the repository root
    is_test: bool


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """One IPC operation at one call site. ``channel`` None means dynamic (``expression`` then
    holds the channel argument's source text)."""

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
    via: tuple[Via, ...] = ()
    expression: str = ""
    handler_path: str | None = None
    unhandled: bool = False  # a send, invoke or push whose channel nothing handles or listens on
    unused: bool = False  # a handler for a channel that nothing sends

    @property
    def preload(self) -> str | None:
        """The preload file behind a page's call of a bridge function: where its IPC call is, else
        where the wrapper it goes through is, else where the function is exposed."""
        for kind in (ViaKind.PRELOAD_CALL, ViaKind.WRAPPER, ViaKind.BRIDGE):
            hit = next((v.path for v in self.via if v.kind is kind), None)
            if hit is not None and self.role is Role.RENDERER:
                return hit
        return None


@dataclass(frozen=True, slots=True)
class ExposedMember:
    key: str
    path: str
    line: int
    column: int
    kind: str
    channels: tuple[str, ...]
    guarded: bool
    allowlist: tuple[str, ...]
    detail: str
    mode: str


@dataclass(frozen=True, slots=True)
class GenericPath:
    """An exposed member through which a page can use any channel (switches graph marks off)."""

    path: str
    line: int
    member: str
    listen: bool  # a generic listen path (else a generic send path)
    app: str


@dataclass(frozen=True, slots=True)
class GraphView:
    root: str
    files: tuple[GraphFile, ...] = ()
    edges: tuple[GraphEdge, ...] = ()
    exposures: tuple[ExposedMember, ...] = ()
    generic_paths: tuple[GenericPath, ...] = ()
    apps: tuple[str, ...] = ()
    version: int = field(default=VIEW_VERSION)

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(sorted({e.channel for e in self.edges if e.channel is not None}))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GraphView:
        def via(v: dict) -> Via:
            return Via(ViaKind(v["kind"]), v["path"], v["line"], v["column"])

        def edge(e: dict) -> GraphEdge:
            return GraphEdge(**{**e, "kind": EdgeKind(e["kind"]), "part": Part(e["part"]),
                                "direction": Direction(e["direction"]), "role": Role(e["role"]),
                                "via": tuple(via(v) for v in e["via"])})

        return cls(root=d["root"],
                   files=tuple(GraphFile(**{**f, "role": Role(f["role"])}) for f in d["files"]),
                   edges=tuple(edge(e) for e in d["edges"]),
                   exposures=tuple(ExposedMember(**{**x, "channels": tuple(x["channels"]),
                                                    "allowlist": tuple(x["allowlist"])}) for x in d["exposures"]),
                   generic_paths=tuple(GenericPath(**g) for g in d["generic_paths"]),
                   apps=tuple(d["apps"]), version=d.get("version", VIEW_VERSION))


EMPTY = GraphView(root="")

# The graph stage names its via steps in prose; until it carries a kind of its own (the link
# stage will), the opening words say which step each is.
_VIA_WORDS = (("exposed as window.", ViaKind.BRIDGE), ("preload IPC call", ViaKind.PRELOAD_CALL),
              ("through the wrapper", ViaKind.WRAPPER), ("through the page's bridge helper", ViaKind.HELPER),
              ("an EventEmitter that relays", ViaKind.RELAY))
_RENDERER_SIDE = frozenset({"ipcRenderer", "bridge", "toolkit"})


def _via_kind(message: str) -> ViaKind:
    return next((k for words, k in _VIA_WORDS if message.startswith(words)), ViaKind.STEP)


def _part(kind: str, receiver: str) -> tuple[Part, Direction]:
    renderer_side = receiver in _RENDERER_SIDE
    if kind in ("send", "invoke"):
        return Part.SENDER, Direction.TO_MAIN
    if kind == "push":
        return Part.PUSHER, Direction.TO_RENDERER
    if kind in ("handle", "on"):
        return (Part.LISTENER, Direction.TO_RENDERER) if renderer_side else (Part.HANDLER, Direction.TO_MAIN)
    if kind == "emit":
        return Part.EMITTER, Direction.NONE
    return Part.REMOVER, Direction.NONE


def _app_of(path: str, apps: dict[str, str], folders: list[str]) -> str:
    if path in apps:
        return apps[path]
    return next((f for f in folders if path.startswith(f + "/")), "")


def build_graph_view(project: Project) -> GraphView:
    """The view of a linked project: every file with its role, every edge, the marks."""
    from ipclint.roles import every_role
    graph = project.graph
    if graph is None:
        return GraphView(root=str(project.root))
    folders = sorted({a for a in project.apps.values() if a}, key=lambda a: (-len(a), a))
    files = tuple(GraphFile(p, i.role, i.reason, _app_of(p, project.apps, folders), is_test_path(p))
                  for p, i in every_role(project).items())
    app = {f.path: f.app for f in files}
    edges = []
    for e in graph.edges:
        part, direction = _part(e.kind, e.receiver)
        where = app[e.path] if e.path in app else _app_of(e.path, project.apps, folders)
        edges.append(GraphEdge(
            kind=EdgeKind(e.kind) if e.kind in EdgeKind._value2member_map_ else EdgeKind.SEND,
            method=e.method, receiver=e.receiver, part=part, direction=direction, channel=e.channel,
            path=e.path, line=e.span.line, column=e.span.column, role=e.role, app=where,
            is_test=is_test_path(e.path),
            via=tuple(Via(_via_kind(v.message), v.path, v.span.line, v.span.column) for v in e.via),
            expression=e.channel_value.text if e.channel is None and e.channel_value is not None else "",
            handler_path=e.handler[0] if e.handler else None))
    generic = tuple(sorted({GenericPath(loc.path, loc.span.line, loc.message, listen, app.get(loc.path, ""))
                            for listen, locs in ((False, graph.generic_send), (True, graph.generic_listen))
                            for loc in locs}, key=lambda g: (g.path, g.line, g.member, g.listen)))
    marked = mark(edges, generic, frozenset(graph.allowlisted))
    return GraphView(root=str(project.root), files=files, edges=tuple(marked), exposures=_exposures(project),
                     generic_paths=generic, apps=tuple(sorted({f.app for f in files})))


def _exposures(project: Project) -> tuple[ExposedMember, ...]:
    from ipclint.exposure import exposure_model
    out = []
    for x in exposure_model(project):
        out.append(ExposedMember(key=x["key"], path=x["path"], line=x["line"], column=x["column"], kind=x["kind"],
                                 channels=tuple(x["channels"]), guarded=bool(x["guarded"]),
                                 allowlist=tuple(x["allowlist"]), detail=str(x["detail"]), mode=str(x["mode"])))
    return tuple(out)


def _talk(a: str, b: str) -> bool:
    """Two files of one repository can talk over IPC: the same app, or either outside every app."""
    return a == b or not a or not b


def mark(edges: list[GraphEdge], generic: tuple[GenericPath, ...], allowlisted: frozenset[str]) -> list[GraphEdge]:
    """Mark sends and pushes that nothing handles or listens to, and handlers that nothing sends to.
    The same judgement as IPC010/IPC011 on the graph alone (per app, generic paths switch it off):
    a drawing aid, not a finding."""
    by_channel: dict[str, list[GraphEdge]] = defaultdict(list)
    for e in edges:
        if e.channel is not None:
            by_channel[e.channel].append(e)
    send_any = {g.app for g in generic if not g.listen}
    listen_any = {g.app for g in generic if g.listen}

    def opened(apps: set[str], app: str) -> bool:
        return any(_talk(a, app) for a in apps)

    out = []
    for e in edges:
        if e.channel is None:
            out.append(e)
            continue
        peers = [p for p in by_channel[e.channel] if _talk(p.app, e.app)]
        if e.part is Part.SENDER and e.method != "sendToHost":
            want = EdgeKind.HANDLE if e.kind is EdgeKind.INVOKE else EdgeKind.ON
            if not any(p.part is Part.HANDLER and p.kind is want for p in peers):
                e = replace(e, unhandled=True)
        elif e.part is Part.PUSHER and not opened(listen_any, e.app):
            if not any(p.part is Part.LISTENER for p in peers):
                e = replace(e, unhandled=True)
        elif e.part is Part.HANDLER and not opened(send_any, e.app) and e.channel not in allowlisted:
            if not any(p.part in (Part.SENDER, Part.EMITTER) for p in peers):
                e = replace(e, unused=True)
        out.append(e)
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
        def app(a: str) -> str:
            return moved(prefix, a) if a else (prefix if prefix != "." else "")

        files += [replace(f, path=moved(prefix, f.path), app=app(f.app)) for f in v.files]
        edges += [replace(e, path=moved(prefix, e.path), app=app(e.app),
                          handler_path=moved(prefix, e.handler_path) if e.handler_path else None,
                          via=tuple(replace(x, path=moved(prefix, x.path)) for x in e.via)) for e in v.edges]
        exposures += [replace(x, path=moved(prefix, x.path)) for x in v.exposures]
        generic += [replace(g, path=moved(prefix, g.path), app=app(g.app)) for g in v.generic_paths]
    return GraphView(root=root, files=tuple(sorted(files, key=lambda f: f.path)),
                     edges=tuple(sorted(edges, key=lambda e: (e.path, e.line, e.column, e.kind.value, e.channel or ""))),
                     exposures=tuple(exposures), generic_paths=tuple(generic),
                     apps=tuple(sorted({f.app for f in files})))

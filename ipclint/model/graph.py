"""The channel graph as a run result carries it: typed, frozen, serialisable records (msgspec
Structs: made in C, where a frozen dataclass costs about a millisecond to create at import).

Built once per run from the linked project (``graphview.build_graph_view``) and stored on
RunResult.graph. Formatters (graph, html) and the language server read only these records, so
none of them needs the live project. Display text is made in output/.
"""
from __future__ import annotations

from enum import Enum
from typing import Any

import msgspec

from ipclint.model.kinds import Role

VIEW_VERSION = 1


class EdgeKind(str, Enum):
    SEND = "send"
    INVOKE = "invoke"
    HANDLE = "handle"
    ON = "on"
    PUSH = "push"
    REMOVE = "remove"
    EMIT = "emit"
    PORT = "port"  # a postMessage that transfers MessagePorts, and a main-process port handler
    WEBVIEW = "webview"  # a guest's sendToHost, the host's `ipc-message` listener, the host's webview.send


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
    TO_HOST = "guest-to-host"  # a <webview> guest's sendToHost to its host page
    TO_GUEST = "host-to-guest"  # the host page's webview.send to the guest
    NONE = "none"  # removals, emits


class ViaKind(str, Enum):
    BRIDGE = "bridge"  # the exposeInMainWorld member the page calls
    PRELOAD_CALL = "preload-call"  # the preload's own ipcRenderer call behind a bridge function
    WRAPPER = "wrapper"  # an app wrapper's IPC call
    HELPER = "helper"  # a page helper over a generic bridge
    RELAY = "relay"  # an EventEmitter relaying ipcMain messages
    STEP = "step"


class Via(msgspec.Struct, frozen=True):
    kind: ViaKind
    path: str
    line: int
    column: int


class GraphFile(msgspec.Struct, frozen=True):
    path: str
    role: Role
    reason: str
    app: str  # folder of the file's Electron app, "" for the repository root
    is_test: bool


class GraphEdge(msgspec.Struct, frozen=True):
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


class ExposedMember(msgspec.Struct, frozen=True):
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


class GenericPath(msgspec.Struct, frozen=True):
    """An exposed member through which a page can use any channel (switches graph marks off)."""

    path: str
    line: int
    member: str
    listen: bool  # a generic listen path (else a generic send path)
    app: str


class GraphView(msgspec.Struct, frozen=True):
    root: str
    files: tuple[GraphFile, ...] = ()
    edges: tuple[GraphEdge, ...] = ()
    exposures: tuple[ExposedMember, ...] = ()
    generic_paths: tuple[GenericPath, ...] = ()
    apps: tuple[str, ...] = ()
    version: int = VIEW_VERSION

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(sorted({e.channel for e in self.edges if e.channel is not None}))

    def to_dict(self) -> dict[str, Any]:
        """Plain data: dicts, lists, strings and numbers (an enum as its value)."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GraphView:
        def via(v: dict[str, Any]) -> Via:
            return Via(ViaKind(v["kind"]), v["path"], v["line"], v["column"])

        def edge(e: dict[str, Any]) -> GraphEdge:
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

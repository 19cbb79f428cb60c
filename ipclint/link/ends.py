"""The receiving ends of every channel, per app (IPC010): handlers, listeners and `<webview>`
host listeners, and the apps where some end takes any channel (a dynamic channel, a generic listen
path, an `ipcMain.emit` relay)."""
from __future__ import annotations

from ipclint.link.calls import talk
from ipclint.link.graph import Edge
from ipclint.link.ipcops import RELAYED
from ipclint.link.project import Project

# Libraries whose main-process module registers IPC handlers when it is loaded: channel -> the
# modules (and their subpaths) that register it. electron-log answers its renderer side's
# `ipcRenderer.send/invoke('__ELECTRON_LOG__', ...)` with ipcMain.on and ipcMain.handle.
LIBRARY_CHANNELS = {"__ELECTRON_LOG__": "electron-log"}

KIND_OF_END = {("handle", "main"): "handle", ("on", "main"): "on", ("on", "renderer"): "listen",
               ("host", "renderer"): "host"}


class ChannelEnds:
    """The receiving ends of every channel, and the apps where some end takes any channel."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.tables: dict[str, dict[str, list[Edge]]] = {k: {} for k in ("handle", "on", "listen", "host")}
        self.dynamic: dict[str, set[str]] = {k: set() for k in ("handle", "on", "listen", "host")}
        # ends whose channel is a constant start and a dynamic rest: they take the channels that start so
        self.prefixed: dict[str, list[tuple[str, Edge]]] = {k: [] for k in ("handle", "on", "listen", "host")}
        roles = project.roles.items()
        self.mains = {project.apps.get(p, "") for p, i in roles if i.role.value == "main"}
        self.preloads = {project.apps.get(p, "") for p, i in roles if i.role.value == "preload"}
        loaded: dict[str, set[str]] = {}  # app -> the modules its main-process files load
        for p, i in roles:
            if i.role.value == "main":
                loaded.setdefault(project.apps.get(p, ""), set()).update(_modules(project, p))
        # channel -> the apps whose main process loads a library that handles it (with on and handle)
        self.library: dict[str, set[str]] = {
            ch: {app for app, mods in loaded.items()
                 if any(m == lib or m.startswith(lib + "/") for m in mods)} for ch, lib in LIBRARY_CHANNELS.items()}

    def add(self, e: Edge) -> None:
        kind = KIND_OF_END.get((e.kind, e.side))
        if kind is None or e.method == RELAYED:  # (a relayed name is not a channel: link/wrappers.py)
            return
        app = self.project.apps.get(e.path, "")
        if e.channel is None:
            head = (self.project.channel_prefix(e.path, e.channel_value, e.scope)
                    if e.channel_value is not None else None) or e.channel_head
            if head is not None:  # `ipcMain.on('popup-msg-' + id)`: every channel in that namespace
                self.prefixed[kind].append((head, e))
            elif not e.unseen_callers:
                self.dynamic[kind].add(app)
        else:
            self.tables[kind].setdefault(e.channel, []).append(e)
        if kind != "host":
            (self.mains if kind in ("handle", "on") else self.preloads).add(app)

    def opened(self, apps: set[str], e: Edge) -> bool:
        """Some of ``apps`` can talk with ``e``'s app: the same app, or either is the repository root."""
        app = self.project.apps.get(e.path, "")
        return any(talk(a, app) for a in apps)

    def by_library(self, e: Edge, ch: str) -> bool:
        """A library loaded in the main process of ``e``'s app handles ``ch`` (send and invoke)."""
        return self.opened(self.library.get(ch, set()), e)

    def found(self, kind: str, e: Edge, ch: str) -> list[Edge]:
        """The ends of ``kind`` for ``ch`` in apps that can talk with ``e``'s."""
        exact = [o for o in self.tables[kind].get(ch, ()) if self.project.same_app(o.path, e.path)]
        return exact + [o for head, o in self.prefixed[kind]
                        if ch.startswith(head) and self.project.same_app(o.path, e.path)]

    def names(self, kind: str, e: Edge) -> dict[str, list[Edge]]:
        """The channels of ``kind`` that ``e``'s app has, for a likely-typo hint."""
        return {c: os for c, os in self.tables[kind].items() if any(self.project.same_app(o.path, e.path) for o in os)}


def _modules(project: Project, path: str) -> set[str]:
    """The module names that ``path`` imports or requires (`import log from 'electron-log/main'`)."""
    return set(project.loaded_specifiers(path)) if path in project.files else set()


def library_scopes(project: Project) -> dict[str, set[str]]:
    """App -> the npm scopes (`@ghostery`) of the packages from outside the project that its
    main-process files load (`require('@ghostery/adblocker-electron')`): a channel named in such a
    scope (`@ghostery/adblocker/inject-cosmetic-filters`) is the library's, sent by its own page
    side (a preload in node_modules that the app registers, which the project's sources do not
    show). A scope of the project's own packages (a workspace's `@app/shared`) is not a library's."""
    out: dict[str, set[str]] = {}
    for p, info in project.roles.items():
        if info.role.value != "main" or p not in project.files:
            continue
        for spec in project.loaded_specifiers(p):
            if not spec.startswith("@") or "/" not in spec or project.modules.names_package(spec) \
                    or project.modules.resolve(p, spec) is not None:
                continue
            out.setdefault(project.apps.get(p, ""), set()).add(spec.split("/", 1)[0])
    return out

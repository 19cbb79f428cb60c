"""Remote content and privileged preloads (IPC019): whether a window's page comes from the network
(an http(s) URL that is not a development server chosen by an environment check, a URL built from
renderer or network data, a `<webview>` source chosen by page code), and what a preload hands
such a page (a generic IPC path as IPC001 judges it, a Node power as IPC014 does, a bridge
function whose channel reaches a tainted sink as IPC006 does)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ipclint.link.bridge import ExposedMember, Exposure
from ipclint.link.exposure import MemberKind, members
from ipclint.link.handlers import Judge, handlers
from ipclint.link.modules import Where
from ipclint.link.pages import url_alternatives, url_prefix
from ipclint.link.powers import node_power
from ipclint.link.project import GLOBAL_OBJECTS, Project
from ipclint.link.taint import reaches
from ipclint.link.vutil import subtree
from ipclint.link.windows import Load, isolation_off
from ipclint.model import Role, Span
from ipclint.model.facts import Call, Flow
from ipclint.model.values import (
    AnyV,
    CallExpr,
    Electron,
    External,
    Fn,
    Global,
    Member,
    NewExpr,
    Ref,
    Str,
    walk,
)

NET_MODULES = frozenset({"axios", "node-fetch", "got", "undici", "cross-fetch", "ky", "superagent", "request",
                         "needle", "electron-fetch"})
LOOPBACK = re.compile(r"^https?://(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|[^/:?#]*\.localhost)([:/?#]|$)",
                      re.I)
REMOTE = re.compile(r"^(https?:)?//[^/?#\s]", re.I)
LOCAL = re.compile(r"^(file:|app:|data:|about:|chrome:|devtools:|blob:|[a-z][a-z0-9+.-]*://|\.{0,2}/|[\w.-]+\.html?\b)",
                   re.I)
ENV_WORDS = re.compile(r"dev|env|packaged|debug|prod|test|serve|vite|webpack|renderer_url|hot|local", re.I)
MAX_NET_STEPS = 64


@dataclass(frozen=True, slots=True)
class Privilege:
    """What an exposed member hands the page: ``name`` its key path, where it is exposed, why."""

    name: str
    path: str
    span: Span
    why: str
    exposure: tuple[str, Span]  # the exposing call
    # a fixed channel whose handler in main reaches a sink, not a power of the member itself
    via_handler: bool = False


class Remote:
    """The questions of IPC019 about one project, with what they share computed once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        # channel -> (handler file, the sink it reaches) for handlers that pass renderer data on
        self._tainted: dict[str, list[tuple[str, str]]] | None = None
        self._renderer_urls: set[tuple[str, Span]] = set()
        self._privileges: dict[str, list[Privilege]] = {}
        self._members: list[tuple[Exposure, ExposedMember, MemberKind]] | None = None
        self._sent: dict[tuple[str, int | None], set[str]] | None = None  # see ``_sent_in``

    # ---- pages ----------------------------------------------------------------------------
    def remote(self, load: Load) -> str | None:
        """Why the page a load shows is remote content, in words; None for local pages."""
        if load.method == "loadFile" or load.url is None:
            return None
        self._taint()
        if (load.path, load.span) in self._renderer_urls:
            return "a URL from the renderer"
        if load.method == "src":
            return self._webview_src(load.url)
        return self._url(load.url, load.call)

    def local_pages(self, pages: tuple[Where, ...] | None) -> bool:
        """Whether a window-open handler allows children only at these pages (not None), none of
        them remote content."""
        return pages is not None and all(self._url(page, None) is None for page in pages)

    def _url(self, where: Where, call: Call | None) -> str | None:
        project = self.project
        for alt, alone in url_alternatives(project, where):
            text = url_prefix(project, alt)
            if text is not None:
                if LOOPBACK.match(text):
                    if alone and not _env_chosen(project, where.path, call):
                        return _quoted(text)
                elif REMOTE.match(text):
                    return _quoted(text)
        return "a URL from network data" if self._network(where) else None

    def _webview_src(self, where: Where) -> str | None:
        """A `<webview>` source: a remote URL, or one page code builds (not a constant local path)."""
        project = self.project
        for alt, _alone in url_alternatives(project, where):
            text = url_prefix(project, alt)
            if text is None:
                return "a URL chosen by page code"
            if REMOTE.match(text) and not LOOPBACK.match(text):
                return _quoted(text)
        return None

    def _network(self, where: Where) -> bool:
        """The value comes from a network response (`fetch`, `net.fetch`, axios, got, ...)."""
        project = self.project
        f = project.files.get(where.path)
        if f is None:
            return False
        todo: list[tuple[AnyV, int]] = [(where.value, 0)]
        steps = 0
        while todo and steps < MAX_NET_STEPS:
            v, depth = todo.pop()
            for x in walk(v, into_calls=True, limit=64):
                steps += 1
                if isinstance(x, (CallExpr, NewExpr)) and _network_call(project, where.path, x.callee, where.scope):
                    return True
                if isinstance(x, Ref) and depth < 4:
                    bound = f.lookup(where.scope, x.name)
                    if bound is not None and bound is not x:
                        todo.append((bound, depth + 1))
        return False

    def _taint(self) -> None:
        """Channels whose handlers pass renderer data to a sink (IPC006's judgement, validation
        counts), and the loadURL calls renderer data reaches, checked or not: a page that passes a
        scheme or host test is still a page the renderer chose."""
        if self._tainted is not None:
            return
        self._tainted = {}
        project = self.project
        judge, unchecked = Judge(project), _Unchecked(project)
        for h in handlers(project):
            if h.wrapper_validates or not h.params:
                continue
            for r in reaches(project, h, judge, frozenset()):
                if h.edge.channel is not None:
                    self._tainted.setdefault(h.edge.channel, []).append((h.path, r.desc))
            for r in reaches(project, h, unchecked, frozenset()):
                if r.desc.endswith("loadURL"):
                    self._renderer_urls.add((r.path, r.sink.span))

    # ---- preloads -------------------------------------------------------------------------
    def privileges(self, preload: str) -> list[Privilege]:
        """The privileged members a preload file (and the modules it imports) exposes."""
        if preload in self._privileges:
            return self._privileges[preload]
        project = self.project
        self._taint()
        files = _imported(project, preload)
        out: list[Privilege] = []
        shared_window: bool | None = None
        if self._members is None:
            self._members = list(members(project))
        for exp, m, kind in self._members:
            if exp.path not in files:
                continue
            if exp.mode == "window":
                if shared_window is None:
                    shared_window = isolation_off(project)
                if not shared_window:
                    continue
            name = m.name
            why = None
            if kind.kind in ("raw", "raw-method"):
                why = f"is {kind.detail or 'ipcRenderer'}"
            elif kind.kind == "generic" and not kind.guarded:
                why = "passes any caller-supplied channel to ipcRenderer"
            if why is None:
                power = node_power(project, m)
                why = f"is {power}" if power else None
            via_handler = False
            if why is None and kind.kind in ("fixed", "generic", "function"):
                why = self._tainted_channel(m.value, kind.allowlist, preload)
                via_handler = True
            if why is not None:
                at, span = m.where
                out.append(Privilege(name, at, span, why, (exp.path, exp.span), via_handler))
        # (the member that hands the page a power itself comes first, wherever it is exposed: it
        # is the one the finding names)
        out.sort(key=lambda g: g.via_handler)
        self._privileges[preload] = out
        return out

    def _tainted_channel(self, value: Where, allowlist: frozenset[str], preload: str) -> str | None:
        project = self.project
        assert self._tainted is not None
        channels = set(c for c in allowlist if "*" not in c)
        v = value.value
        if isinstance(v, Fn) and value.path in project.files:
            for scope in subtree(project.files[value.path], v.fid):
                channels |= self._sent_in(value.path, scope)
        for ch in sorted(channels):
            for hpath, sink in self._tainted.get(ch, ()):
                if project.same_app(hpath, preload):
                    return f"sends on '{ch}', whose handler passes page data to {sink}"
        return None


    def _sent_in(self, path: str, scope: int | None) -> set[str]:
        """The channels the renderer sends or invokes on from function ``scope`` of ``path``
        (the graph indexed once: not a pass over every edge for each exposed function)."""
        if self._sent is None:
            self._sent = {}
            for e in self.project.graph.edges:
                if e.kind in ("send", "invoke") and e.side == "renderer" and e.channel is not None:
                    self._sent.setdefault((e.path, e.scope), set()).add(e.channel)
        return self._sent.get((path, scope), set())


class _Unchecked(Judge):
    """A judge for which nothing validates: where renderer data can go at all."""

    def site(self, path: str, fid: int, flow: Flow, i: int, taint: bool = False,
             renderer: set[str] | None = None, held: bool = False, args: frozenset[int] | None = None) -> bool:
        return False


def _imported(project: Project, preload: str) -> set[str]:
    """The preload file and the project modules it imports (a few levels), where it may expose."""
    from ipclint.link.roles import imported_files
    out = {preload}
    todo = [(preload, 0)]
    while todo and len(out) < 64:
        path, depth = todo.pop()
        if depth >= 3:
            continue
        for dep in imported_files(project, path):
            if dep not in out and project.role(dep) in (Role.PRELOAD, Role.SHARED):
                out.add(dep)
                todo.append((dep, depth + 1))
    return out


def _quoted(url: str) -> str:
    return f"'{url}'" if len(url) <= 60 else f"'{url[:57]}...'"


def _env_chosen(project: Project, path: str, call: Call | None) -> bool:
    """The load runs under a test of the environment (`is.dev`, `!app.isPackaged`,
    `process.env.X`, `NODE_ENV === 'development'`): enclosing conditions or an earlier exit."""
    if call is None:
        return False
    f = project.files[path]
    conds = [*call.conds, *(ex.cond for ex in f.exits if ex.func == call.func and ex.span < call.span)]
    for cond in conds:
        for x in walk(cond, into_calls=True, limit=64):
            name = x.name if isinstance(x, Ref) else x.prop if isinstance(x, Member) else \
                x.value if isinstance(x, Str) else ""
            if name and ENV_WORDS.search(name):
                return True
    return False


def _network_call(project: Project, path: str, callee: AnyV, scope: int | None) -> bool:
    r = project.resolve(path, callee, scope).value
    match r:
        case Global(name="fetch"):
            return True
        case Electron(api=api):
            return api in ("net.fetch", "net.request")
        case External(src=src):
            return src in NET_MODULES
    return False


def local_url(project: Project, where: Where) -> bool:
    """A URL that names a local page (a file, the app's own scheme, a relative path)."""
    text = url_prefix(project, where)
    return text is not None and not REMOTE.match(text) and bool(LOCAL.match(text) or "/" not in text)


def window_open_urls(project: Project, path: str) -> list[tuple[Call, bool]]:
    """`window.open(url)` calls of page code in ``path``, each with whether its URL is local."""
    out: list[tuple[Call, bool]] = []
    for c in project.calls_named(path, ("open",)):
        callee = c.callee
        is_open = (isinstance(callee, Member) and callee.prop == "open" and isinstance(callee.obj, Ref)
                   and callee.obj.name in GLOBAL_OBJECTS) or (isinstance(callee, Ref) and callee.name == "open")
        if not is_open:
            continue
        r = project.resolve(path, callee, c.func).value
        if not isinstance(r, Global):
            continue
        local = not c.args or local_url(project, Where(path, c.args[0], c.func))
        out.append((c, local))
    return out


"""MessagePorts and webviews in the channel graph (SPEC section 1, "MessagePorts and webviews").

- A port handler is a main-process `port.on('message', fn)` (`once`, `addListener`, or
  `port.onmessage = fn`) on a port that came from a renderer (`event.ports` of an IPC handler's
  event) or whose twin (`new MessageChannelMain()`'s other port) main sent to a renderer with
  `postMessage(channel, message, [port])`. Its edge (kind "port") is on the IPC channel the port
  travelled on; `event.data` of its function is renderer data (link/handlers.py).
- A host listener is a page's `webview.addEventListener('ipc-message', fn)`: the other end of a
  guest preload's `ipcRenderer.sendToHost(channel)`. Its edge (kind "host") names the channels the
  listener compares `event.channel` with, or is dynamic when it hands the channel on.
- A contents listener is a main-process `webContents.on('ipc-message' | 'ipc-message-sync', fn)`
  (`once`, `addListener`): Electron emits it for every `ipcRenderer.send` (`sendSync`) of that
  page. Its edges (kind "on", receiver "webContents", method the event's name) name the channels
  ``fn`` compares its channel parameter (the second) with; a listener that never compares it with
  a constant (a relay, a logger) takes every channel, and is a catch-all site instead.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from ipclint.link.graph import Edge, GenericSite
from ipclint.link.ipcops import WEBCONTENTS_NAMES, _api, _last_name
from ipclint.link.project import Project
from ipclint.link.vutil import subtree
from ipclint.model import Role, Span
from ipclint.model.facts import Call, FileFacts
from ipclint.model.values import (
    AnyV,
    Arr,
    Await,
    CallExpr,
    Case,
    Cmp,
    Index,
    Iter,
    Logic,
    Member,
    NewExpr,
    Ref,
    Spread,
    Str,
    walk,
)

MESSAGE_LISTEN = frozenset({"on", "once", "addListener", "addEventListener"})
CONTENTS_LISTEN = frozenset({"on", "once", "addListener"})
CONTENTS_EVENTS = frozenset({"ipc-message", "ipc-message-sync"})
_HOST_CALLS = ("send", "addEventListener")  # the calls ``host_edges`` looks at
MAX_STEPS = 8


def port_edges(project: Project, edges: list[Edge]) -> list[Edge]:
    """Port handlers of the main process, one edge per channel their port travelled on."""
    by_handler: dict[tuple[str, int], list[str]] = {}
    for e in edges:
        if e.kind in ("on", "handle") and e.side == "main" and e.handler is not None and e.channel is not None:
            by_handler.setdefault(e.handler, []).append(e.channel)
    transfers = [e for e in edges if e.ports and e.side == "main" and e.channel is not None]
    out: list[Edge] = []
    for path in sorted(project.files):
        if project.role(path) is not Role.MAIN:
            continue
        f = project.files[path]
        sites: list[tuple[AnyV, AnyV, Span, int, int | None, str]] = []
        for c in project.calls_named(path, MESSAGE_LISTEN):
            callee = c.callee
            if isinstance(callee, Member) and callee.prop in MESSAGE_LISTEN and len(c.args) >= 2 \
                    and project.channel(path, c.args[0], c.func) == "message":
                sites.append((callee.obj, c.args[1], c.span, c.index, c.func, callee.prop))
        for a in f.assigns:
            if isinstance(a.target, Member) and a.target.prop == "onmessage":
                sites.append((a.target.obj, a.value, a.span, -1, a.func, "onmessage"))
        sent: dict[tuple[Span, str], list[str]] | None = None  # (made once, when a site asks)
        for port, fn, span, index, scope, method in sites:
            if sent is None:
                sent = _sent_ports(f, [e for e in transfers if e.path == path and e.channel is not None])
            channels = _port_channels(project, path, f, port, scope, by_handler, sent)
            handler = project.function_of(path, fn, scope)
            for ch in dict.fromkeys(channels):
                out.append(Edge(kind="port", method=method, receiver="port", channel=ch, path=path, span=span,
                                channel_span=None, role=Role.MAIN, call=index, scope=scope, handler=handler,
                                handler_value=fn))
    return out


def _port_channels(project: Project, path: str, f: FileFacts, port: AnyV, scope: int | None,
                   by_handler: dict[tuple[str, int], list[str]], sent: dict[tuple[Span, str], list[str]]) -> list[str]:
    """The IPC channels a port came from a renderer on, or its twin went to one on."""
    v, at = _local(f, port, scope)
    match v:
        case Member(obj=Member(obj=event, prop="ports")) | Index(obj=Member(obj=event, prop="ports")):
            return _event_channels(project, path, f, event, at, by_handler)
        case Member(obj=Ref(name=name), prop=_) if _destructured_ports(project, path, at, name):
            return _event_channels(project, path, f, Ref(span=v.span, name=name), at, by_handler)
        case Member(obj=chan, prop="port1" | "port2" as which):
            made, made_at = _local(f, chan, at)
            if not isinstance(made, NewExpr) \
                    or project.electron_api(path, made.callee, made_at) != "MessageChannelMain":
                return []
            twin = "port2" if which == "port1" else "port1"
            return sent.get((made.span, twin), [])
    return []


def _local(f: FileFacts, v: AnyV, scope: int | None) -> tuple[AnyV, int | None]:
    """Follow local names of the file (`const [port] = event.ports`, `const ch = new ...()`)."""
    for _ in range(MAX_STEPS):
        if not isinstance(v, Ref):
            break
        found = None
        s = scope
        for _i in range(256):
            if (s, v.name) in f.bindings:
                found = (f.bindings[(s, v.name)], s)
                break
            if s is None:
                break
            s = f.functions[s].parent
        if found is None:
            break
        v, scope = found
    return v, scope


def _destructured_ports(project: Project, path: str, scope: int | None, name: str) -> bool:
    """`({ ports }) => ...`: the name is the `ports` of an event parameter."""
    hit = project.param_of(path, scope, name)
    return hit is not None and hit[1].index == 0 and hit[1].path == ("ports",)


def _event_channels(project: Project, path: str, f: FileFacts, event: AnyV, scope: int | None,
                    by_handler: dict[tuple[str, int], list[str]]) -> list[str]:
    """The channels of the IPC handlers whose event parameter ``event`` is."""
    if not isinstance(event, Ref):
        return []
    hit = project.param_of(path, scope, event.name)
    if hit is None or hit[1].index != 0 or (hit[1].path and hit[1].path != ("ports",)):
        return []
    return by_handler.get((path, hit[0]), [])


def _sent_ports(f: FileFacts, transfers: list[Edge]) -> dict[tuple[Span, str], list[str]]:
    """(where a `new MessageChannelMain()` is, `port1` or `port2`) -> the channels of the file's
    transfers (``postMessage(channel, message, [port])``) that send that port, in the transfers'
    order. Each transfer is read once for the file, not once per port listener (a file with a
    thousand port pairs asked a million questions)."""
    out: dict[tuple[Span, str], list[str]] = {}
    for e in transfers:
        assert e.channel is not None
        for key in dict.fromkeys(_ports_sent(f, e)):
            out.setdefault(key, []).append(e.channel)
    return out


def _ports_sent(f: FileFacts, e: Edge) -> list[tuple[Span, str]]:
    """The ports transfer ``e`` sends, each as (where its channel object was made, which port)."""
    call = f.calls[e.call]
    if len(call.args) < 3:
        return []
    transfer, at = _local(f, call.args[2], call.func)
    items = transfer.items if isinstance(transfer, Arr) else ()
    out: list[tuple[Span, str]] = []
    for item in items:
        inner = item.inner if isinstance(item, Spread) and item.inner is not None else item
        v, vat = _local(f, inner, at)
        if isinstance(v, Member) and v.prop in ("port1", "port2"):
            chan, _ = _local(f, v.obj, vat)
            if isinstance(chan, NewExpr):
                out.append((chan.span, v.prop))
    return out


def reads_ports(project: Project, e: Edge) -> bool:
    """Whether a listener can take a transferred port: its function reads `event.ports`, hands the
    event on, or is not known (an unknown listener may)."""
    if e.handler is None:
        return True
    path, fid = e.handler
    f = project.files[path]
    fn = f.functions[fid]
    first = [p for p in fn.params if p.index == 0]
    if not first:
        return False
    if any(p.path and p.path[0] == "ports" for p in first):
        return True
    names = {p.name for p in first if not p.path}
    if not names:
        return False
    scopes = subtree(f, fid)
    roots: list[AnyV] = [a for c in f.calls if c.func in scopes for a in (c.callee, *c.args)]
    roots += [v for (s, _n), v in f.bindings.items() if s in scopes]
    roots += [a.value for a in f.assigns if a.func in scopes]
    for fid2 in scopes:
        roots += list(f.functions[fid2].returns)
    for r in roots:
        for x in walk(r):
            if isinstance(x, Member) and x.prop == "ports" and isinstance(x.obj, Ref) and x.obj.name in names:
                return True
        if isinstance(r, Ref) and r.name in names:
            return True  # the event itself handed on
    return False


def host_edges(project: Project) -> list[Edge]:
    """In page code: `webview.addEventListener('ipc-message', fn)`, with the channels ``fn`` tests
    `event.channel` against, or one dynamic edge when it hands the channel (or event) on; and
    `webview.send(channel, ...)`, a push to the guest's `ipcRenderer.on(channel)`."""
    out: list[Edge] = []
    for path in sorted(project.files):
        if project.role(path) is Role.MAIN:
            continue
        calls = project.calls_named(path, _HOST_CALLS)
        # receivers this file listens on for 'ipc-message': <webview> elements whatever their name
        hosts = {c.callee.obj.text for c in calls if isinstance(c.callee, Member)
                 and c.callee.prop == "addEventListener" and c.args
                 and project.channel(path, c.args[0], c.func) == "ipc-message"}
        for c in calls:
            callee = c.callee
            if isinstance(callee, Member) and callee.prop == "send" and c.args and (
                    _webview(callee.obj) or callee.obj.text in hosts
                    or _queried_webview(project, path, callee.obj, c.func)):
                # not an Electron IPC call site of IPC003's list: its channel expression is not kept
                ch = c.args[0]
                out.append(Edge(kind="push", method="send", receiver="webview", path=path, span=c.span,
                                channel=project.channel(path, ch, c.func), channel_span=ch.span,
                                role=project.role(path), call=c.index, scope=c.func))
                continue
            if not (isinstance(callee, Member) and callee.prop == "addEventListener" and len(c.args) >= 2
                    and project.channel(path, c.args[0], c.func) == "ipc-message"):
                continue
            target = project.function_of(path, c.args[1], c.func)
            channels = tested_channels(project, target) if target is not None else None
            base = Edge(kind="host", method="addEventListener", receiver="webview", channel=None, path=path,
                        span=c.span, channel_span=None, role=project.role(path), call=c.index, scope=c.func,
                        handler=target, handler_value=c.args[1])
            out += [base] if channels is None else [replace(base, channel=ch) for ch in channels]
    return out


def contents_listener_calls(project: Project) -> Iterator[tuple[str, Call, str, tuple[str, int] | None]]:
    """In main (or shared) code, each `<webContents>.on('ipc-message' | 'ipc-message-sync', fn)`:
    its file, call, event name and listener function (when known)."""
    for path in sorted(project.files):
        if project.role(path) not in (Role.MAIN, Role.SHARED):  # (min's main files are concatenated: shared)
            continue
        for c in project.calls_named(path, CONTENTS_LISTEN):
            callee = c.callee
            if not (isinstance(callee, Member) and callee.prop in CONTENTS_LISTEN and len(c.args) >= 2):
                continue
            event = project.channel(path, c.args[0], c.func)
            if event not in CONTENTS_EVENTS or not contents_target(project, path, callee.obj, c.func):
                continue
            yield path, c, event, project.function_of(path, c.args[1], c.func)


def contents_listeners(project: Project) -> tuple[list[Edge], list[GenericSite]]:
    """In main (or shared) code: `<webContents>.on('ipc-message' | 'ipc-message-sync', fn)`. One edge per
    channel ``fn`` compares its channel parameter with (`channel === X`, `switch (channel) { case
    X: }`, `if (channel !== X) return`), when that is all it does with it; otherwise (it hands the
    channel on, or never compares it) a catch-all site: it receives every message the page sends."""
    edges: list[Edge] = []
    sites: list[GenericSite] = []
    for path, c, event, target in contents_listener_calls(project):
        callee = c.callee
        assert isinstance(callee, Member)
        channels = None
        if target is not None:
            params = project.files[target[0]].functions[target[1]].params
            local = {p.name for p in params if p.index == 1 and not p.path}
            channels = tested_channels(project, target, set(), local, cases=True) if local else None
        if not channels:
            sites.append(GenericSite(path, c.span, f"webContents.{callee.prop}('{event}')"))
            continue
        base = Edge(kind="on", method=event, receiver="webContents", channel=None, path=path, span=c.span,
                    channel_span=None, role=Role.MAIN, call=c.index, scope=c.func, handler=target,
                    handler_value=c.args[1])
        edges += [replace(base, channel=ch) for ch in channels]
    return edges, sites


def contents_target(project: Project, path: str, obj: AnyV, scope: int | None) -> bool:
    """A webContents, as ``ipcops.classify`` recognises the receiver of a push: Electron's
    (`win.webContents`, a `WebContents` parameter) or by its name (`contents`, `wc`)."""
    api = _api(project, path, obj, scope)
    if api is not None:
        return api.endswith("webContents")
    return _last_name(obj) in WEBCONTENTS_NAMES


def tested_channels(project: Project, target: tuple[str, int], names: set[str] | None = None,
                     local: set[str] | None = None, cases: bool = False) -> list[str] | None:
    """The channels a host listener compares `event.channel` with (`if (e.channel === X)`), when
    that is all it does with the channel; None when it hands it on (a dispatcher, a switch).
    ``names`` and ``local`` name the event and the channel (by default a host listener's: its
    first parameter and its `channel` field); with ``cases`` a switch's constant cases count as
    comparisons."""
    path, fid = target
    f = project.files[path]
    fn = f.functions[fid]
    if names is None:
        names = {p.name for p in fn.params if p.index == 0 and not p.path}
    if local is None:
        local = {p.name for p in fn.params if p.index == 0 and p.path == ("channel",)}
    if not names and not local:
        return []
    scopes = subtree(f, fid)

    def is_channel(v: AnyV) -> bool:
        return isinstance(v, Member) and v.prop == "channel" and isinstance(v.obj, Ref) and v.obj.name in names \
            or isinstance(v, Ref) and v.name in local

    found: list[str] = []
    compared: set[int] = set()
    for chk in f.checks:
        if chk.func not in scopes or chk.op not in ("===", "=="):
            continue
        for mine, other in ((chk.left, chk.right), (chk.right, chk.left)):
            if is_channel(mine):
                ch = project.channel(path, other, chk.func)
                if ch is None:
                    return None
                found.append(ch)
                compared.add(id(mine))
    # `if (channel !== X) return`: the listener goes on for X only (`&&` of such tests: for each)
    for ex in f.exits:
        if ex.func not in scopes:
            continue
        tests: list[AnyV] = [ex.cond]
        parts: list[Cmp] = []
        while tests and len(parts) < 32:
            t = tests.pop()
            if isinstance(t, Logic) and t.op == "&&":
                tests += [t.left, t.right]
            elif isinstance(t, Cmp) and t.op in ("!==", "!="):
                parts.append(t)
            else:
                parts = []
                break
        for t in parts:
            for mine, other in ((t.left, t.right), (t.right, t.left)):
                if is_channel(mine):
                    ch = project.channel(path, other, ex.func)
                    if ch is None:
                        return None
                    found.append(ch)
    # any other read of the channel (a switch, a dispatcher given the channel or the whole event)
    # makes the listener generic
    for c in f.calls:
        if c.func in scopes and any(_hands_on(a, names, local) for a in (c.callee, *c.args)):
            return None
    conds = [(x, c.func) for c in f.calls if c.func in scopes for x in c.conds] \
        + [(x.cond, x.func) for x in f.exits if x.func in scopes]
    for cond, at in conds:
        for x in walk(cond):
            if not (isinstance(x, Case) and is_channel(x.subject)):
                continue
            if not cases:
                return None  # `switch (e.channel)`
            for v in x.values:
                ch = project.channel(path, v, at)
                if ch is None:
                    return None
                found.append(ch)
    return list(dict.fromkeys(found)) if found else None


def _hands_on(v: AnyV, names: set[str], local: set[str]) -> bool:
    """Whether ``v`` contains the event itself (not one of its fields other than `channel`) or the
    channel."""
    stack: list[tuple[AnyV, bool]] = [(v, False)]
    seen = 0
    while stack and seen < 400:
        x, under_member = stack.pop()
        seen += 1
        if isinstance(x, Ref):
            if x.name in local or x.name in names and not under_member:
                return True
            continue
        if isinstance(x, Member):
            if x.prop == "channel" and isinstance(x.obj, Ref) and x.obj.name in names:
                return True
            stack.append((x.obj, True))
            continue
        if x.opaque and x is not v:
            continue
        stack.extend((c, False) for c in x.children())
    return False


# a CSS selector whose subject names the `webview` tag (`#pages > webview[dom-ready]`, `webview.current`)
_WEBVIEW_SELECTOR = re.compile(r"(?:^|[\s>+~,(])webview(?![\w-])[^\s>+~,]*\s*$")
_QUERIES = frozenset({"querySelector", "querySelectorAll"})
_BY_TAG = frozenset({"getElementsByTagName", "createElement"})  # (`createElement('webview')`: one made)
_PICKS = frozenset({"find", "findLast", "at", "filter", "item"})  # an element (or elements) of a list
_MAX_STEPS = 24


def _queried_webview(project: Project, path: str, obj: AnyV, scope: int | None) -> bool:
    """``obj`` is a `<webview>` element that page code picks by its tag: the result of a query whose
    selector names the `webview` tag (`document.querySelector('#pages webview.current')`,
    `getElementsByTagName('webview')`) or that makes one (`createElement('webview')`), an element
    of such a list (a `for ... of` variable, `[i]`, `.find(...)`, a spread into an array), or the
    return of a project function that gives one (`const currentPage = () =>
    document.querySelector('webview.current')`)."""
    todo: list[tuple[str, AnyV, int | None]] = [(path, obj, scope)]
    seen: set[tuple[str, int]] = set()
    steps = 0
    while todo and steps < _MAX_STEPS:
        steps += 1
        p, v, sc = todo.pop()
        r = project.resolve(p, v, sc)
        val = r.value
        key = (r.path, id(val))
        if key in seen:
            continue
        seen.add(key)
        match val:
            case Iter(how="of", source=source):
                todo.append((r.path, source, r.scope))
            case Index(obj=inner) | Await(inner=inner) | Spread(inner=inner) if inner is not None:
                todo.append((r.path, inner, r.scope))
            case Logic(op="??" | "||", left=left):
                todo.append((r.path, left, r.scope))
            case Arr(items=items):
                todo.extend((r.path, i, r.scope) for i in items if type(i) is Spread)
            case CallExpr(callee=Member(prop=prop, obj=base), args=args):
                if prop in _QUERIES or prop in _BY_TAG:
                    arg = project.resolve(r.path, args[0], r.scope).value if args else None
                    if type(arg) is Str and (arg.value.strip().lower() == "webview" if prop in _BY_TAG
                                             else _WEBVIEW_SELECTOR.search(arg.value) is not None):
                        return True
                elif prop in _PICKS or prop == "from" and type(base) is Ref and base.name == "Array" and args:
                    todo.append((r.path, args[0] if prop == "from" else base, r.scope))
                else:
                    todo.extend((w.path, w.value, w.scope) for w in project.returns_of(r.path, val.callee, r.scope))
            case CallExpr(callee=callee):
                todo.extend((w.path, w.value, w.scope) for w in project.returns_of(r.path, callee, r.scope))
    return False


def _webview(obj: AnyV) -> bool:
    """`webview.send`, `this.webview.send`, `webviewRef.current.send`: a `<webview>` element."""
    names = [obj.prop if isinstance(obj, Member) else obj.name if isinstance(obj, Ref) else None, obj.text]
    return any(n is not None and "webview" in n.lower() for n in names)


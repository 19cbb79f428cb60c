"""The channel graph: who sends, invokes, handles, pushes and listens on which channel."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from ipclint.link.bridge import Exposure, bridge_target, exposed_members, find_exposures, raw_ipc_method
from ipclint.link.ipcops import RENDERER_METHODS, IpcOp, ipc_op
from ipclint.link.modules import Where
from ipclint.link.project import GLOBAL_OBJECTS, CalleeRoots, Project
from ipclint.link.tables import loop_entries, open_loop
from ipclint.link.vutil import subtree, without_fallback
from ipclint.link.wrappers import (
    RELAY_METHODS,
    Relays,
    WrapperOp,
    callee_function,
    calls_by_names,
    derived_channel,
    derived_prefix,
    direct_ops,
    made_forwarder,
    made_guard,
    param_names,
    relay_classes,
    relay_target,
    summarise,
    wrapper_callee,
    wrapper_names,
)
from ipclint.model import Location, Role, Span
from ipclint.model.facts import Call, binding_scope
from ipclint.model.graph import ViaKind
from ipclint.model.values import AnyV, CallExpr, Cond, Fn, Import, Logic, Member, Null, Ref, Spread, This, Undef

SENDER_KINDS = frozenset({"send", "invoke"})
MAX_BRIDGE_HELPER_DEPTH = 3  # page helpers over page helpers over a generic bridge
Wrappers = dict[tuple[str, int], list[WrapperOp]]
FixedOps = dict[tuple[str, int], list[tuple[Call, IpcOp]]]  # exposed function -> ``_fixed_ops_inside``


@dataclass(frozen=True, slots=True)
class ViaSite:
    """A call an edge goes through: the exposed bridge member (``name`` its key), the preload's
    IPC call behind a bridge function (``name`` "factory" when a factory made the function), an
    app wrapper's IPC call, a page helper over a generic bridge, or a relaying EventEmitter."""

    kind: ViaKind
    path: str
    span: Span
    name: str = ""


@dataclass(frozen=True, slots=True)
class GenericSite:
    """An exposed member through which a page can use any channel: ``member`` is its key path."""

    path: str
    span: Span
    member: str


@dataclass(frozen=True, slots=True)
class Edge:
    """One IPC operation at one call site. ``channel`` None means dynamic."""

    kind: str  # send, invoke, handle, on, push, remove, emit
    method: str
    receiver: str  # ipcMain, ipcRenderer, webContents, webContents.ipc, frame.ipc, event, bridge, window
    channel: str | None
    path: str
    span: Span  # the call
    channel_span: Span | None
    role: Role
    call: int  # call index in the file
    scope: int | None  # enclosing function of the call
    channel_value: AnyV | None = None
    handler: tuple[str, int] | None = None  # (path, function id)
    handler_value: AnyV | None = None
    via: tuple[ViaSite, ...] = ()  # the wrapper or bridge call sites this goes through
    wrapper_funcs: tuple[tuple[str, int], ...] = ()  # wrapper functions it is registered through
    inline_literal: bool = False
    bridged: bool = False  # attributed to a renderer call through a fixed-channel bridge function
    bridge_site: tuple[str, int] | None = None  # for bridged edges: the preload IPC call (path, call index)
    bridge_fn: tuple[str, int] | None = None  # for bridge edges: the exposed preload function
    ports: bool = False  # a postMessage with a transfer list: the channel carries MessagePorts
    # the listener a higher-order guard made around the handler (`ipcMain.handle(CH, checked(fn))`):
    # its code runs before the handler (a sender check there counts); and whether it drops the event
    handler_guard: tuple[str, int] | None = None
    guard_drops_event: bool = False
    # the registration inside a wrapper whose call sites the model does not see (its channels
    # come from those call sites): judged as a handler, but no evidence that any channel is handled
    unseen_callers: bool = False
    # a dynamic channel's known start when a wrapper builds it from its argument
    # (`setup(`svc::${ns}`)` with `ipcMain.handle(`${pre}::${name}`)` inside): the namespace it takes
    channel_head: str | None = None
    # for a call of a page helper over a generic bridge: the argument positions the helper passes
    # on into the bridge call's payload (`poll(ch, id, params, opts) { invoke(ch, params) }`: 2);
    # None for every argument after the channel
    payload_args: frozenset[int] | None = None

    @property
    def side(self) -> str:
        """"main" for ipcMain-style registrations and pushes, "renderer" for ipcRenderer-side
        (and a page's webview calls)."""
        if self.receiver in ("ipcRenderer", "bridge", "toolkit", "webview"):
            return "renderer"
        return "main"

    @property
    def location(self) -> Location:
        return Location(self.path, self.span)


@dataclass
class ChannelGraph:
    edges: list[Edge] = field(default_factory=list)
    exposures: list[Exposure] = field(default_factory=list)
    generic_send: list[GenericSite] = field(default_factory=list)  # unguarded paths for any channel
    # inline channel literals at wrapper calls inside other wrappers (their edges are at the callers)
    nested_literals: list[tuple[str, AnyV]] = field(default_factory=list)
    # page functions that pass their channel parameter to a generic bridge (`invoke(ch, ...a)`)
    bridge_wrappers: set[tuple[str, int]] = field(default_factory=set)
    # page modules that export the exposed API under another name (`export const api = window.api`)
    bridge_modules: set[str] = field(default_factory=set)
    generic_listen: list[GenericSite] = field(default_factory=list)
    allowlisted: set[str] = field(default_factory=set)  # channels a guarded generic bridge allows
    allowlisted_listen: set[str] = field(default_factory=set)  # ... through a guarded listen path
    # main code that receives every message sent (`ipcMain.emit = (name, event, ...args) => ...`)
    catch_all: list[GenericSite] = field(default_factory=list)
    # main's `webContents.on('ipc-message', fn)` for the channels ``fn`` compares its channel with
    # (kind "on"): ends of sends for IPC010 only, not handlers the other rules judge
    contents_on: list[Edge] = field(default_factory=list)
    # the same per app folder of the bridge ("" the repository root): each app is judged alone
    allowlisted_in: dict[str, set[str]] = field(default_factory=dict)
    allowlisted_listen_in: dict[str, set[str]] = field(default_factory=dict)

    def allowed(self, app: str, listen: bool = False) -> set[str]:
        """The channels an allowlist-guarded generic bridge of an app that can talk with ``app`` allows."""
        table = self.allowlisted_listen_in if listen else self.allowlisted_in
        return set().union(*(chs for a, chs in table.items() if a == app or not a or not app))

    def by_channel(self) -> dict[str | None, list[Edge]]:
        out: dict[str | None, list[Edge]] = defaultdict(list)
        for e in self.edges:
            out[e.channel].append(e)
        return out

    def channels(self) -> list[str]:
        return sorted({e.channel for e in self.edges if e.channel is not None})


def build_graph(project: Project) -> ChannelGraph:
    """The channel graph."""
    ops = direct_ops(project)
    project.ipc_ops = ops
    wrappers = summarise(project, ops)
    project.wrappers = wrappers
    graph = ChannelGraph()
    graph.exposures = find_exposures(project)
    project.exposures = graph.exposures
    consumed = _call_site_edges(project, graph, wrappers, relay_classes(project, ops))
    for (path, idx), op in sorted(ops.items()):
        call = project.files[path].calls[idx]
        param_channel = _channel_is_param(project, path, call, op)
        if _is_parametric(project, path, call, op, (path, idx) in consumed, param_channel):
            continue
        edge = _edge(project, path, call, op)
        if param_channel:  # (kept for its handler: a wrapper only handed on, `_is_parametric`)
            edge = replace(edge, unseen_callers=True)
        graph.edges.extend(_per_entry(project, path, call, edge))
        for method in op.also:  # (the same call under each other method of its list)
            other = ipc_op(op.receiver, method)
            if other is not None:
                graph.edges.extend(_per_entry(project, path, call, _edge(project, path, call, other)))
    _bridge_wrapper_edges(project, graph)
    from ipclint.link.ports import contents_listeners, host_edges, port_edges  # they build edges of this module
    graph.edges += port_edges(project, graph.edges) + host_edges(project)
    graph.contents_on, relays = contents_listeners(project)
    from ipclint.link.observables import observed_listeners
    observed, catch_all = observed_listeners(project)
    graph.contents_on += observed
    graph.catch_all = _emit_overrides(project) + relays + catch_all
    _mark_generic(project, graph, wrappers)
    unique = {(e.kind, e.method, e.channel, e.path, e.span, e.receiver): e for e in reversed(graph.edges)}
    graph.edges = sorted(unique.values(), key=lambda e: (e.path, e.span.line, e.span.column, e.kind, e.channel or ""))
    return graph


def shared_to_renderer(graph: ChannelGraph, paths: set[str]) -> None:
    """The graph as ``build_graph`` makes it again once ``paths`` changed role from shared to
    renderer: only those files' edges change, in their ``role``. Building asks a file's role only
    to tell main (emit overrides, host edges) and preload code (exposures) from the rest, and
    looks for bridge calls in renderer and shared files alike; resolution does not depend on roles."""
    graph.edges = [replace(e, role=Role.RENDERER) if e.path in paths else e for e in graph.edges]


def _call_site_edges(project: Project, graph: ChannelGraph, wrappers: Wrappers,
                     relays: Relays) -> set[tuple[str, int]]:
    """Calls of app wrappers, of relaying EventEmitters and of bridge functions, at their call
    sites; returns the wrappers' IPC calls (path, call index) that such edges stand for."""
    by_key: dict[str, list[Exposure]] = defaultdict(list)
    for exp in graph.exposures:
        by_key[exp.key].append(exp)
    consumed: set[tuple[str, int]] = set()
    names = wrapper_names(project, wrappers) | param_names(project)
    relay_names = RELAY_METHODS if relays else frozenset()
    bridge_roots = frozenset(by_key) | GLOBAL_OBJECTS
    from ipclint.link.needs import bridge_exporters, bridge_getters, provided_bridges
    getter_paths, getters = bridge_getters(project) if by_key else (set(), frozenset())
    graph.bridge_modules = bridge_modules = (bridge_exporters(project) | getter_paths | provided_bridges(project)) \
        if by_key else set()
    # the calls that may call a wrapper or relay, from the index of calls by name (not a test of
    # every call), by file: outside page code only these calls can make an edge here
    wrapper_calls: dict[str, set[int]] = {}
    for p, c in calls_by_names(project, names) if names else ():
        wrapper_calls.setdefault(p, set()).add(c.index)
    relay_calls: dict[str, list[int]] = {}
    for p, c in project.iter_calls_named(relay_names) if relay_names else ():
        relay_calls.setdefault(p, []).append(c.index)
    # an exposed function's own IPC calls with fixed channels, for each page call of it: found once
    # per function (zettlr: 343 page calls of 8 functions), not per call (``_fixed_bridge_edges``)
    fixed: FixedOps = {}
    for path in sorted(project.files):  # (Project.iter_calls order)
        # page code only: the bridge's callers (the role is the file's, asked once per file)
        bridging = bool(by_key) and project.role(path) in (Role.RENDERER, Role.SHARED)
        may_bridge = _may_bridge(project, path, bridge_roots, bridge_modules, getters) if bridging else set()
        wrapped = wrapper_calls.get(path, set())
        if not (may_bridge or wrapped or path in relay_calls):
            continue
        every = project.files[path].calls
        for i in sorted(may_bridge.union(wrapped, relay_calls.get(path, ()))):
            call = every[i]
            callee = call.callee
            target = wrapper_callee(project, path, call) if i in wrapped else None
            if target is not None and target in wrappers:
                for wop in wrappers[target]:
                    edge = _wrapper_edge(project, path, call, wop, target)
                    if edge is None:
                        continue
                    if _inside_wrapper(project, path, call, wop, wrappers):
                        v = edge.channel_value
                        # (a literal among this call's arguments: not the inner wrapper's own
                        # channel, which lies in the wrapper's file and is reported there)
                        if v is not None and v.is_inline_literal and edge.channel_span == v.span \
                                and any(a.span == v.span for a in call.args):
                            graph.nested_literals.append((path, v))
                        continue
                    graph.edges.extend(_per_entry(project, path, call, edge))
                    consumed.add(wop.site)
            relayed = relay_target(project, path, call, relays) if type(callee) is Member \
                and callee.prop in relay_names else None
            if relayed is not None:
                graph.edges.append(_edge(project, path, call, relayed, via=(
                    ViaSite(ViaKind.RELAY, path, call.span),)))
            if i in may_bridge:
                graph.edges.extend(_bridge_edges(project, path, call, by_key, wrappers, fixed))
    return consumed


def _emit_overrides(project: Project) -> list[GenericSite]:
    """`ipcMain.emit = (channel, event, ...args) => ...`: every message sent to main goes through
    this function first (a relay between windows), whatever its channel."""
    out: list[GenericSite] = []
    for path in sorted(project.files):
        if project.role(path) is not Role.MAIN:
            continue
        for a in project.files[path].assigns:
            t = a.target
            if isinstance(t, Member) and t.prop == "emit" and isinstance(a.value, Fn) \
                    and project.electron_api(path, t.obj, a.func) == "ipcMain":
                out.append(GenericSite(path, a.span, "ipcMain.emit"))
    return out


def _per_entry(project: Project, path: str, call: Call, edge: Edge) -> list[Edge]:
    """A call in a loop over a constant table, with its channel (and maybe its handler) taken from
    the loop: one edge per entry (SPEC "Tables of channels and handlers"). Other edges as they are."""
    if edge.channel is not None or edge.channel_value is None:
        return [edge]
    entries = loop_entries(project, path, call.func, edge.channel_value, edge.handler_value)
    if entries:
        out = []
        for ch, fn in entries:
            handler = project.function_of(fn.path, fn.value, fn.scope) if fn is not None else edge.handler
            out.append(replace(edge, channel=ch, handler=handler,
                               handler_value=fn.value if fn is not None else edge.handler_value))
        if open_loop(project, path, call.func, edge.channel_value):
            out.append(edge)  # a CommonJS exports table: other modules may add entries
        return list({(e.channel, e.handler): e for e in out}.values())
    values = project.channel_values(path, edge.channel_value, call.func)
    return [replace(edge, channel=v) for v in dict.fromkeys(values)] if values else [edge]


def _bridge_wrapper_edges(project: Project, graph: ChannelGraph) -> None:
    """Page helpers over a generic bridge (`const invoke = (ch, ...a) => window.api.invoke(ch, ...a)`)
    are app wrappers too: each call of one is that bridge call with the caller's channel. So are
    helpers over such helpers (`sendToMain(ch, ...a) { ipc.send(ch, ...a) }` over a module `ipc`
    of them), up to ``MAX_BRIDGE_HELPER_DEPTH`` levels."""
    from ipclint.link.wrappers import _param_index
    pending = [e for e in graph.edges if e.receiver == "bridge"]
    seen: set[tuple[str, int]] = set()
    for _level in range(MAX_BRIDGE_HELPER_DEPTH):
        templates: dict[tuple[str, int], list[tuple[int, Edge]]] = defaultdict(list)
        for e in pending:
            if e.channel is not None or e.channel_value is None or e.scope is None:
                continue
            hit = _param_index(project, e.path, project.files[e.path].calls[e.call], e.channel_value)
            if hit is not None and not hit[2] and (e.path, hit[0]) not in seen:
                templates[(e.path, hit[0])].append((hit[1], e))
        if not templates:
            break
        seen.update(templates)
        names = wrapper_names(project, templates)  # (also what a default export is imported as)
        used: set[int] = set()
        made: list[Edge] = []
        for path, call in calls_by_names(project, names):
            target = callee_function(project, path, call)
            if target is None:
                continue
            for index, t in templates.get(target, ()):
                if index >= len(call.args) or isinstance(call.args[index], Spread):
                    continue
                ch = call.args[index]
                used.add(id(t))
                made.append(replace(
                    t, path=path, span=call.span, call=call.index, scope=call.func, role=project.role(path),
                    channel=project.channel(path, ch, call.func), channel_value=ch, channel_span=ch.span,
                    inline_literal=ch.is_inline_literal, handler=None, handler_value=None,
                    via=t.via + (ViaSite(ViaKind.HELPER, t.path, t.span),),
                    payload_args=_helper_payload(project, t, target)))
        # the helper's own call is parametric
        graph.edges = [e for e in graph.edges if id(e) not in used] + made
        pending = made
    if seen:
        graph.bridge_wrappers = seen


def _helper_payload(project: Project, t: Edge, helper: tuple[str, int]) -> frozenset[int]:
    """The argument positions of a call of page helper ``helper`` that reach the payload of its
    bridge call ``t`` (itself a bridge call, or a call of an inner helper): the helper's parameters
    that ``t``'s payload arguments are (a rest parameter spread gives every position from its own)."""
    site = project.files[t.path].calls[t.call]
    params = project.files[helper[0]].functions[helper[1]].params
    start = next((i + 1 for i, a in enumerate(site.args) if t.channel_value is not None
                  and a.span == t.channel_value.span), 1)
    out: set[int] = set()
    for i, a in enumerate(site.args):
        if i < start or (t.payload_args is not None and i not in t.payload_args):
            continue
        inner = a.inner if type(a) is Spread and a.inner is not None else a
        for p in params:
            if type(inner) is Ref and inner.name == p.name and not p.path:
                out.update(range(p.index, p.index + 16) if p.rest else (p.index,))
    return frozenset(out)


def _inside_wrapper(project: Project, path: str, call: Call, wop: WrapperOp, wrappers: Wrappers) -> bool:
    """A wrapper call inside another wrapper that passes that wrapper's own parameter as the
    channel or handler (`function outer(l) { inner('x', l) }`): the edges are at outer's callers."""
    from ipclint.link.wrappers import _derived_param, _param_index
    for i in (wop.channel_param, wop.handler_param):
        if i is None or i >= len(call.args):
            continue
        hit = _param_index(project, path, call, call.args[i])
        if hit is None and i == wop.channel_param:  # (`inner(`${kind}:created`)` in `outer(kind)`)
            hit = _derived_param(project, path, call, call.args[i])
        if hit is not None and (path, hit[0]) in wrappers:
            return True
    return False


def _may_bridge(project: Project, path: str, roots: frozenset[str],
                modules: set[str] | frozenset[str] = frozenset(), getters: frozenset[str] = frozenset()) -> set[int]:
    """The indexes of the calls of ``path`` that pass a cheap test before resolving: the callee
    chain starts at window/globalThis, an exposed key, a local alias of one, or a call of a
    function named like one that returns an exposed key (``needs.bridge_getters``)."""
    always, by_name, imported, called = _callee_roots(project, path)
    out = set(always)
    for name in by_name.keys() & roots:
        out.update(by_name[name])
    if modules:  # `import { api } from './bridge'`
        out.update(i for i, src in imported if project.modules.resolve(path, src) in modules)
    if getters:  # `U.Common.getElectron().on(ch, cb)`, `const e = getElectron(); e.send(ch)`
        out.update(i for i, name in called if name in getters)
    return out


def _callee_roots(project: Project, path: str) -> CalleeRoots:
    """Where the callee chains of the file's calls start, as ``_may_bridge`` tests them: the
    calls whose chain starts at a name bound to a member (`const { onTick } = window.api;
    onTick(cb)`), or takes members of a name bound to a name (always candidates); the calls that
    take members of a name, by that name (candidates when it is an exposed key); the calls whose
    chain starts at an imported name, with the import's source (candidates when it names a bridge
    module). From the facts alone, so found once per file for all the rounds of a run
    (``FileMemo.callee_roots``)."""
    hit = project.file_memo.callee_roots.get(path)
    if hit is not None:
        return hit
    f = project.files[path]
    always: list[int] = []
    by_name: dict[str, list[int]] = {}
    imported: list[tuple[int, str]] = []
    called: list[tuple[int, str]] = []
    for call in f.calls:
        v: AnyV = call.callee
        steps = 0
        # (exact types: this runs for every call of page code, and failing isinstance tests on
        # msgspec values are slow; these value classes have no subclasses)
        while type(v) is Member and steps < 12:
            v = v.obj
            steps += 1
        if type(v) is CallExpr and steps:  # `getApi().save(x)`: by the name of the function called
            name = _called_name(v)
            if name is not None:
                called.append((call.index, name))
            continue
        if type(v) is not Ref:
            continue
        if steps:
            by_name.setdefault(v.name, []).append(call.index)
        b = f.lookup(call.func, v.name)
        if steps and (type(b) is Cond or type(b) is Logic):
            # `const ipc = isElectron() ? window.api.ipc : null`, `window.api?.ipc || stub`: the
            # global beside a fallback for pages outside Electron (``bridge_target`` unwraps it)
            b = without_fallback(b)
        if type(b) is Import:
            imported.append((call.index, b.src))
        elif type(b) is Member or steps > 0 and type(b) is Ref:
            always.append(call.index)
        elif steps > 0 and type(b) is CallExpr:  # `const e = getApi(); e.save(x)`
            name = _called_name(b)
            if name is not None:
                called.append((call.index, name))
    # `this.api.invoke(...)` with the field `api = inject(Token)`: dependency injection may give
    # the exposed API (``Project._provided``)
    injected = {a.target.prop for a in f.assigns if type(a.target) is Member and type(a.target.obj) is This
                and type(a.value) is CallExpr and type(a.value.callee) is Ref and a.value.callee.name == "inject"}
    # `this.ipc.invoke(...)` with `constructor(ipc) { this.ipc = ipc }`: `new C(window.api)` may
    # hand the constructor the exposed API (``bridge._constructed_with``)
    for a in f.assigns:
        if type(a.target) is Member and type(a.target.obj) is This and type(a.value) is Ref and a.func is not None:
            fn = f.functions[a.func]
            if (fn.name or "").endswith(".constructor") and any(p.name == a.value.name for p in fn.params):
                injected.add(a.target.prop)
    if injected:
        for call in f.calls:
            v = call.callee
            if type(v) is Member and type(v.obj) is Member and type(v.obj.obj) is This and v.obj.prop in injected:
                always.append(call.index)
    hit = project.file_memo.callee_roots[path] = (always, by_name, imported, called)
    return hit


def _called_name(v: CallExpr) -> str | None:
    callee = v.callee
    return callee.prop if type(callee) is Member else callee.name if type(callee) is Ref else None


MAIN_RECEIVERS = frozenset({"ipcMain", "webContents.ipc", "frame.ipc", "window"})  # (window: link/ipcops.py)


def _channel_is_param(project: Project, path: str, call: Call, op: IpcOp) -> bool:
    """The IPC call's channel is a parameter of the function around it (a wrapper's)."""
    from ipclint.link.wrappers import _param_index
    return op.channel_arg < len(call.args) and _param_index(project, path, call, call.args[op.channel_arg]) is not None


def _is_parametric(project: Project, path: str, call: Call, op: IpcOp, consumed: bool,
                   param_channel: bool | None = None) -> bool:
    """An IPC call inside a wrapper whose channel (or, once the wrapper is used, handler) is a
    parameter: its edges are at the wrapper's call sites. A wrapper with a handler of its own
    that is never called where the model sees it (only handed on as a value:
    `new Bus(this.on.bind(this))`) keeps its own main-process registration, with a dynamic
    channel, so that the handler it registers is still judged (a preload's bridge function is
    called from pages: its edges are the bridge's)."""
    from ipclint.link.wrappers import _param_index
    if consumed:
        return True
    if param_channel is None:
        param_channel = _channel_is_param(project, path, call, op)
    if param_channel:
        h = op.handler_arg
        return op.receiver not in MAIN_RECEIVERS or op.kind not in ("handle", "on") \
            or h is None or h >= len(call.args) or not isinstance(call.args[h], Fn) \
            or _param_index(project, path, call, call.args[h]) is not None \
            or not _handed_on(project, path, call.func)
    return False


def _handed_on(project: Project, path: str, fid: int | None) -> bool:
    """Whether the function is referenced as a value somewhere the model sees (`this.on.bind(this)`
    given to a constructor, an exported function imported elsewhere): a wrapper that nothing
    names is dead code, and its registration registers nothing."""
    if fid is None:
        return True
    fn = project.files[path].functions[fid]
    name = (fn.name or "").rsplit(".", 1)[-1]
    if not name or not (fn.kind == "declaration" or (fn.kind == "method" and "." in (fn.name or ""))):
        # a function written as a value (`ipc: { handle: (ch, fn) => ... }`, an object literal's
        # method): it goes where its object goes; only declarations and class methods are named
        return True
    return _referenced(project, path, fid)


def _referenced(project: Project, path: str, fid: int, imports: bool = True) -> bool:
    """Whether the function's name is used as a value (an argument, a bound or assigned value: not
    only called) in its file, or (``imports``) imported by another file."""
    name = (project.files[path].functions[fid].name or "").rsplit(".", 1)[-1]
    if not name:
        return False
    if name in value_names(project, path):
        return True
    return imports and any(type(b) is Import and b.name == name
                           for p, other in project.files.items() if p != path for b in other.imports.values())


def value_names(project: Project, path: str) -> frozenset[str]:
    """The names (`x`, `.x`) the file's code uses as values: in call arguments, bound and assigned
    values, the callee of a call not counted (its arguments are; `this.on.bind(this)`: `on`). From
    the facts alone, so kept for the run's later rounds."""
    memo = project.file_memo.value_names
    hit = memo.get(path)
    if hit is not None:
        return hit
    f = project.files[path]
    todo: list[AnyV] = [a for c in f.calls for a in c.args]
    todo += [*f.bindings.values(), *(a.value for a in f.assigns)]
    names: set[str] = set()
    seen = 0
    while todo and seen < 100_000:
        v = todo.pop()
        seen += 1
        if type(v) is Ref:
            names.add(v.name)
        elif type(v) is Member:
            names.add(v.prop)
        if type(v) is CallExpr:
            todo.extend(v.args)  # (a call of it is no use as a value: its arguments may be)
            if type(v.callee) is Member:
                todo.append(v.callee.obj)  # (`this.on.bind(this)`: the object of a method call)
        elif not v.opaque:
            todo.extend(v.children())
    memo[path] = hit = frozenset(names)
    return hit


def _edge(project: Project, path: str, call: Call, op: IpcOp, *, channel_value: AnyV | None = None,
          handler_value: AnyV | None = None, via: tuple[ViaSite, ...] = (),
          wrapper_funcs: tuple[tuple[str, int], ...] = (), receiver: str | None = None,
          bridged: bool = False) -> Edge:
    if channel_value is None and op.channel_arg < len(call.args):
        channel_value = call.args[op.channel_arg]
    if handler_value is None and op.handler_arg is not None and op.handler_arg < len(call.args):
        handler_value = call.args[op.handler_arg]
    channel = project.channel(path, channel_value, call.func) if channel_value is not None else None
    handler, guard, drops = _handler_of(project, path, handler_value, call.func) if handler_value is not None \
        else (None, None, False)
    return Edge(kind=op.kind, method=op.method, receiver=receiver or op.receiver, channel=channel, path=path,
                span=call.span, channel_span=channel_value.span if channel_value is not None else None,
                role=project.role(path), call=call.index, scope=call.func, channel_value=channel_value,
                handler=handler, handler_value=handler_value, via=via, wrapper_funcs=wrapper_funcs,
                inline_literal=bool(channel_value is not None and channel_value.is_inline_literal),
                bridged=bridged, ports=op.method == "postMessage" and len(call.args) >= 3,
                handler_guard=guard, guard_drops_event=drops)


def handler_function(project: Project, path: str, value: AnyV, scope: int | None) -> tuple[str, int] | None:
    """The (path, function id) of a handler argument: the function it denotes, or, for a call of a
    project function (`ipcMain.on(CH, makeHandler())`, also through a local), the function that
    function returns (a returned function expression, or a local holding one); for a pass-through
    wrapper given the handler (`safely(onSave)`, returning `(...args) => onSave(...args)`), that
    handler, and so for a guard that checks the event first (``made_guard``: `checked(onSave)`)."""
    return _handler_of(project, path, value, scope)[0]


def _handler_of(project: Project, path: str, value: AnyV,
                scope: int | None) -> tuple[tuple[str, int] | None, tuple[str, int] | None, bool]:
    """``handler_function``, with the guard's listener around it and whether that drops the event."""
    hit = project.function_of(path, value, scope)
    if hit is not None or type(value) is Fn:
        return hit, None, False
    if type(value) is Ref:
        late = _assigned_function(project, path, value.name, scope)
        if late is not None:
            return late, None, False
    r = project.resolve(path, value, scope)
    if type(r.value) is not CallExpr:
        return None, None, False
    maker = project.function_of(r.path, r.value.callee, r.scope)
    if maker is None:
        return None, None, False
    forwarded = made_forwarder(project, r.path, r.value, r.scope)
    if forwarded is not None:  # `ipcMain.handle(CH, safely(onSave))`: safely's result runs onSave as is
        return forwarded, None, False
    guarded = made_guard(project, r.path, r.value, r.scope)
    if guarded is not None:  # `ipcMain.handle(CH, checked(onSave))`: checks the event, then runs onSave
        return guarded
    if any(project.function_of(r.path, a, r.scope) is not None or type(a) is Fn or (
            type(a) is CallExpr and project.function_of(r.path, a.callee, r.scope) is not None) for a in r.value.args):
        # `ipcValidate(this.handleResize, schemas)`: a factory that wraps a handler it is given.
        # What it returns runs that handler (whose own checks count), so neither function alone
        # is the handler: left unknown, as before.
        return None, None, False
    for ret in project.files[maker[0]].functions[maker[1]].returns:
        if type(ret) is Fn or type(ret) is Ref:
            made = project.function_of(maker[0], ret, maker[1])
            if made is not None and made != maker:
                return made, None, False
    return None, None, False


def _assigned_function(project: Project, path: str, name: str, scope: int | None) -> tuple[str, int] | None:
    """`let handler = null; ... handler = (e, id) => {...}; ipcMain.on(CH, handler)`: a `let` first
    set to null or undefined (or to nothing) and then assigned one function, in the same scope."""
    f = project.files[path]
    hit = binding_scope(f, scope, name)
    if hit is None or hit[1] is None or (hit[0], name) not in f.mutable or type(hit[1]) not in (Null, Undef):
        return None
    made = [a for a in project.assignments_to(path, hit[0], name) if a.op == "="]
    if len(made) != 1 or type(made[0].value) is not Fn:
        return None
    return project.function_of(path, made[0].value, made[0].func)


def _wrapper_edge(project: Project, path: str, call: Call, wop: WrapperOp, target: tuple[str, int]) -> Edge | None:
    ch: AnyV | None
    site = project.files[wop.site[0]].calls[wop.site[1]]
    if wop.channel_param is not None and not wop.channel_derived:
        if wop.channel_param >= len(call.args):
            return None
        ch = call.args[wop.channel_param]
        if isinstance(ch, Spread):
            return None
        site_path = path
    else:
        # a channel made from the wrapper's parameter (`toggle_${key}`) is the IPC call's own expression
        ch = site.args[wop.op.channel_arg] if wop.channel_derived and wop.op.channel_arg < len(site.args) \
            else wop.channel
        site_path = wop.site[0]
    hv = call.args[wop.handler_param] if wop.handler_param is not None and wop.handler_param < len(call.args) else None
    via = (ViaSite(ViaKind.WRAPPER, wop.site[0], site.span),)
    edge = _edge(project, path, call, wop.op, channel_value=ch if site_path == path else None,
                 handler_value=hv, via=via, wrapper_funcs=(target, *wop.chain))
    if site_path != path and ch is not None:
        channel = project.channel(site_path, ch, site.func)
        # (the start the wrapper's own channel has whatever it is passed: `channelName(store, 'reset')`)
        head = project.channel_prefix(site_path, ch, site.func) if channel is None else None
        edge = replace(edge, channel=channel, channel_value=ch, channel_span=ch.span, inline_literal=False,
                       channel_head=head)
    if wop.channel_derived and edge.channel is None and not (
            wop.channel_expr is not None
            and _referenced(project, wop.channel_expr[0], wop.channel_expr[3], imports=False)):
        # (a wrapper also handed on as a value, `_.partial(log, 'warn')`, has callers the model
        # does not see: its channels stay dynamic)
        filled = derived_channel(project, path, call, wop)
        if filled is not None:  # `events('note')` with `listenerFor(`${kind}:created`)` inside
            edge = replace(edge, channel=filled)
        else:
            edge = replace(edge, channel_head=derived_prefix(project, path, call, wop))
    if wop.channel_derived and wop.handler_param is None:
        # the handler is the wrapper's own, not an argument of this call
        h = wop.op.handler_arg
        edge = replace(edge, handler_value=None, handler=handler_function(
            project, wop.site[0], site.args[h], site.func) if h is not None and h < len(site.args) else None)
    return edge


def _bridge_edges(project: Project, path: str, call: Call, by_key: dict[str, list[Exposure]],
                  wrappers: Wrappers, fixed: FixedOps) -> list[Edge]:
    """``fixed``: ``_fixed_ops_inside`` of the exposed functions met so far (``_fixed_bridge_edges``)."""
    hit = bridge_target(project, path, call, by_key)
    if hit is None:
        return []
    exp, keypath, where = hit
    v = where.value
    via = (ViaSite(ViaKind.BRIDGE, exp.path, exp.span, exp.key),)
    method = raw_ipc_method(v)
    if method is not None:
        kind = RENDERER_METHODS.get(method)
        if kind is None:
            return []
        op = IpcOp(kind, method, "bridge", 0, 1 if kind == "on" else None)
        return [_edge(project, path, call, op, via=via)]
    if isinstance(v, CallExpr):
        return _factory_bridge_edges(project, path, call, where, v, via)
    if not isinstance(v, Fn):
        return []
    target = (where.path, v.fid)
    edges: list[Edge] = []
    for wop in wrappers.get(target, ()):
        e = _wrapper_edge(project, path, call, wop, target)
        if e is not None and wop.op.receiver == "ipcRenderer":
            edges.append(replace(e, receiver="bridge", via=via + e.via, bridge_fn=target))
    return edges + _fixed_bridge_edges(project, path, call, target, via, fixed)


def _fixed_bridge_edges(project: Project, path: str, call: Call, target: tuple[str, int],
                        via: tuple[ViaSite, ...], fixed: FixedOps) -> list[Edge]:
    """A page call of an exposed function: the preload's own IPC calls with fixed channels.
    ``fixed``: ``_fixed_ops_inside`` of the functions met so far, kept by the caller for the
    round (what it reads, the ops, resolution and the graph's inputs, does not change in a round)."""
    fpath, fid = target
    edges: list[Edge] = []
    ops = fixed.get(target)
    if ops is None:
        ops = fixed[target] = _fixed_ops_inside(project, fpath, fid)
    for site_call, op in ops:
        if op.kind not in SENDER_KINDS and op.kind != "on":
            continue
        ch = site_call.args[op.channel_arg] if op.channel_arg < len(site_call.args) else None
        channel = project.channel(fpath, ch, site_call.func) if ch is not None else None
        if channel is None:
            continue  # the preload's own call is the dynamic edge; repeating it per caller adds nothing
        edges.append(Edge(kind=op.kind, method=op.method, receiver="bridge", channel=channel, path=path,
                          span=call.span, channel_span=None, role=project.role(path), call=call.index,
                          scope=call.func, channel_value=None,
                          via=via + (ViaSite(ViaKind.PRELOAD_CALL, fpath, site_call.span),),
                          bridged=True, bridge_site=(fpath, site_call.index), bridge_fn=target))
    return edges


def _factory_bridge_edges(project: Project, path: str, call: Call, where: Where, made_by: CallExpr,
                          via: tuple[ViaSite, ...]) -> list[Edge]:
    """A page call of a bridge member made by a factory (`onGoto: listenerSlot('goto')`): the IPC
    calls of the function the factory returns, with the channel the factory was given (``made_by``
    is the factory call, the value of ``where``)."""
    made = project.function_of(where.path, made_by.callee, where.scope)
    if made is None:
        return []
    fpath, ffid = made
    ff = project.files[fpath]
    inner = next((r.fid for r in ff.functions[ffid].returns if isinstance(r, Fn)), None)
    if inner is None:
        return []
    scopes = subtree(ff, inner)
    factory_args = made_by.args
    edges: list[Edge] = []
    for (p, idx), op in project.ipc_ops.items():
        site = ff.calls[idx] if p == fpath else None
        if site is None or site.func not in scopes or op.receiver != "ipcRenderer" or op.channel_arg >= len(site.args):
            continue
        if op.kind not in SENDER_KINDS and op.kind != "on":
            continue
        ch = site.args[op.channel_arg]
        hit = project.param_of(fpath, site.func, ch.name) if isinstance(ch, Ref) else None
        if hit is not None and hit[0] == ffid and not hit[1].path:
            arg = factory_args[hit[1].index] if hit[1].index < len(factory_args) else None
            channel = project.channel(where.path, arg, where.scope) if arg is not None else None
        else:
            channel = project.channel(fpath, ch, site.func)
        if channel is None:
            continue
        edges.append(Edge(kind=op.kind, method=op.method, receiver="bridge", channel=channel, path=path,
                          span=call.span, channel_span=None, role=project.role(path), call=call.index,
                          scope=call.func, channel_value=None,
                          via=via + (ViaSite(ViaKind.PRELOAD_CALL, fpath, site.span, "factory"),),
                          bridged=True, bridge_site=(fpath, site.index), bridge_fn=(fpath, inner)))
    return edges


def _fixed_ops_inside(project: Project, path: str, fid: int) -> list[tuple[Call, IpcOp]]:
    from ipclint.link.ipcops import classify
    out: list[tuple[Call, IpcOp]] = []
    for c in project.calls_under(path, fid):  # (the function's and its nested functions' calls only)
        op = classify(project, path, c)
        if op is not None and op.receiver == "ipcRenderer" and not _is_parametric(project, path, c, op, False):
            out.append((c, op))
    return out


def _mark_generic(project: Project, graph: ChannelGraph, wrappers: Wrappers) -> None:
    """Exposed paths through which a page can use any channel switch graph findings off."""
    from ipclint.link.exposure import classify_member
    from ipclint.link.windows import isolation_off
    shared_window: bool | None = None
    for exp in graph.exposures:
        if exp.mode == "window":  # `window.ipc = ipcRenderer` reaches the page only with isolation off
            if shared_window is None:
                shared_window = isolation_off(project)
            if not shared_window:
                continue
        for m in exposed_members(project, exp):
            kind = classify_member(project, m, wrappers)
            loc = GenericSite(*m.where, "/".join((exp.key, *m.keypath)))
            if kind.generic_send and (not kind.guarded or "*unknown*" in kind.allowlist):
                graph.generic_send.append(loc)
            if kind.generic_listen and (not kind.guarded or "*unknown*" in kind.allowlist):
                graph.generic_listen.append(loc)
            graph.allowlisted.update(kind.allowlist)
            app = project.apps.get(exp.path, "")
            graph.allowlisted_in.setdefault(app, set()).update(kind.allowlist)
            if kind.generic_listen:
                graph.allowlisted_listen.update(kind.allowlist)
                graph.allowlisted_listen_in.setdefault(app, set()).update(kind.allowlist)

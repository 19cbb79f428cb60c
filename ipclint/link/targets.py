"""Renderer data that chooses *where* main acts (IPC016): a window, webContents or frame picked by a
renderer-supplied key (`BrowserWindow.fromId(x)`, `webContents.fromId(x)`, a lookup `wins.get(x)` /
`wins[x]` in the app's own windows) on which main then acts, and a renderer-supplied name of the
channel main sends on (`target.webContents.send(x, ...)`, `event.sender.send(x, ...)`).

Built on the handler flow (link/handlers.py): renderer values are a handler's parameters and their
aliases, followed into project helpers. A read is restricted by the validation sites that dominate
it (``Occ.dom``, path-sensitive where the flow is), judged by what restricts a target: a comparison
with known values, an allowlist `has`/`includes`, a switch over constants, a project validator —
not `typeof` or `Number.isInteger`, which let any id through. An action on a picked target is
validated by a check that ties the target to the sender (`target === event.sender`,
`win.webContents !== event.sender` before a return) on the paths where it holds.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from ipclint.link.handlers import Handler, Judge, call_at, contents_handlers, derived, handlers, wrapper_handlers
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, root_name, subtree, walk
from ipclint.link.webprefs import remote_enable
from ipclint.link.wrappers import callee_function
from ipclint.model import Role, Span, StepKind, TraceStep
from ipclint.model.facts import Call, Check, Exit, Flow, Occ
from ipclint.model.values import (
    AnyV,
    Arr,
    Await,
    CallExpr,
    Cmp,
    Cond,
    Electron,
    Fn,
    Index,
    Logic,
    Member,
    NewExpr,
    Not,
    Obj,
    Ref,
    Spread,
    TypeOf,
)

# Electron functions that pick a window, webContents or frame by a key, and which arguments are keys.
PICKERS: dict[str, tuple[str, tuple[int, ...]]] = {
    "BrowserWindow.fromId": ("window", (0,)),
    "BaseWindow.fromId": ("window", (0,)),
    "BrowserView.fromId": ("view", (0,)),
    "webContents.fromId": ("webContents", (0,)),
    "webContents.fromFrame": ("webContents", (0,)),
    "webContents.fromDevToolsTargetId": ("webContents", (0,)),
    "webFrameMain.fromId": ("frame", (0, 1)),
    "webFrameMain.fromFrameToken": ("frame", (0, 1)),
}
WINDOW_CTORS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView", "BaseWindow"})
WINDOW_GETTERS = frozenset({"BrowserWindow.getFocusedWindow", "BrowserWindow.fromWebContents",
                            "BrowserWindow.fromBrowserView", "webContents.getFocusedWebContents"} | set(PICKERS))
# The window of a webContents or view: the same pick as its argument.
WINDOW_OF = frozenset({"BrowserWindow.fromWebContents", "BrowserWindow.fromBrowserView"})
# A local holding one of these is a window or webContents (when nothing else says what it holds).
WINDOWISH = re.compile(r"^(win|window|wc|view|webContents|browserWindow|browserView|guest)$"
                       r"|[a-z0-9](Window|Win|WebContents|BrowserView|ContentsView|Wc)$")
STORE_METHODS = {"set": 1, "push": 0, "add": 0, "unshift": 0}
# Method calls on a target that only read it: not actions.
READS = re.compile(r"^((get|is|has|can)([A-Z_]|$)|toString$|valueOf$|then$|catch$|finally$)")
ALLOWLIST_CALLS = frozenset({"includes", "has", "hasOwn", "hasOwnProperty", "indexOf", "some", "find"})
NAMESPACE_CALLS = frozenset({"startsWith", "test", "match"})  # a channel namespace (`ch.startsWith('app:')`)
EQUALITY = frozenset({"===", "==", "!==", "!=", "in"})
CONVERSIONS = frozenset({"Number", "parseInt", "parseFloat", "String", "BigInt", "Math.trunc", "Math.floor"})
# Every window or webContents of the app: a `find` over one whose callback tests the renderer's value
# (`BrowserWindow.getAllWindows().find((w) => w.webContents.id === id)`) picks like `fromId(id)`.
ALL_TARGETS = {"BrowserWindow.getAllWindows": "window", "BaseWindow.getAllWindows": "window",
               "webContents.getAllWebContents": "webContents"}
FINDERS = frozenset({"find", "findLast"})
MAX_HELPER_DEPTH = 3


class _Held(NamedTuple):
    """What holds a picked target in one function: its locals (``names``), and the calls there
    that give the window of their argument (``views``: `BrowserWindow.fromWebContents(x)`, under
    whatever name Electron's BrowserWindow was imported), which hold the pick when ``x`` does."""
    names: set[str]
    views: frozenset[Span]


@dataclass(frozen=True, slots=True)
class Pick:
    """A target picked by renderer data, and the actions on it that no sender tie validates."""

    path: str
    span: Span
    what: str  # the Electron function, or "a lookup in 'wins'"
    kind: str  # window, webContents, frame, view
    value: str  # the renderer-supplied expression
    actions: tuple[Call, ...]
    handler: Handler
    trace: tuple[TraceStep, ...]
    action_path: str = ""  # the file of the actions (a caller's, when a helper returns the target)


@dataclass(frozen=True, slots=True)
class NamedChannel:
    """A push whose channel the renderer names."""

    path: str
    call: Call
    value: str
    handler: Handler
    trace: tuple[TraceStep, ...]


class _Namespaced:
    """A renderer-named channel that a wrapper call keeps under a fixed prefix (not reported)."""


_NAMESPACED = _Namespaced()


@dataclass(frozen=True, slots=True)
class _Frame:
    """A function being followed: the names in it that carry renderer data (-> the handler
    parameter), how the data got there, and the helper calls on the way (caller, call span)."""

    handler: Handler
    path: str
    fid: int
    given: dict[str, str]
    steps: tuple[TraceStep, ...] = ()
    callers: tuple[tuple[str, int, Span], ...] = ()

    @property
    def depth(self) -> int:
        return len(self.callers)


@dataclass
class _Memo:
    """What one run of the analysis looks up more than once, per file."""

    checks: dict[str, dict[Span, Check]] = field(default_factory=dict)
    typeofs: dict[str, set[Span]] = field(default_factory=dict)
    exits: dict[str, dict[int | None, list[Exit]]] = field(default_factory=dict)
    indexes: dict[str, dict[Span, Index]] = field(default_factory=dict)
    outer: dict[str, dict[Span, tuple[Call, int]]] = field(default_factory=dict)
    holds: dict[tuple[str, Span], bool] = field(default_factory=dict)
    # path -> root name -> its store calls (`m.set(k, v)`, by index) and its element assignments
    stores: dict[str, tuple[dict[str, list[int]], dict[str, list[int]]]] = field(default_factory=dict)
    wrapper_pushes: dict[tuple[str, int], Span] | None = None


def renderer_targets(project: Project, judge: Judge) -> tuple[list[Pick], list[NamedChannel]]:
    """Every pick and every renderer-named channel, once each, over all main-process handlers."""
    an = _Analysis(project, judge)
    picks: dict[tuple[str, Span], Pick] = {}
    named: dict[tuple[str, int], NamedChannel] = {}
    # (a wrapper's own listener too; and a webContents 'ipc-message' listener, whose channel the page names)
    for h in [*handlers(project), *wrapper_handlers(project), *contents_handlers(project, first=1)]:
        if not h.params:
            continue
        for found in an.handler(h):
            if isinstance(found, Pick):
                picks.setdefault((found.path, found.span), found)
            else:
                named.setdefault((found.path, found.call.index), found)
    return list(picks.values()), list(named.values())


class _Analysis:
    def __init__(self, project: Project, judge: Judge) -> None:
        self.project = project
        self.judge = judge
        self.memo = _Memo()

    # ---- following renderer data ------------------------------------------------------------
    def handler(self, h: Handler) -> Iterator[Pick | NamedChannel]:
        stack = [_Frame(h, h.path, h.fid, {p.name: p.name for p in h.params})]
        seen: set[tuple[str, int, frozenset[str], tuple[tuple[str, int, Span], ...]]] = set()
        while stack:
            fr = stack.pop()
            flow = self.project.flow(fr.path, fr.fid)
            key = (fr.path, fr.fid, frozenset(fr.given), fr.callers)  # (each call of a helper: its own finding)
            if flow is None or key in seen or len(seen) > 128:
                continue
            seen.add(key)
            renderer = derived(flow, fr.given)
            taint = self._tainted(fr.path, fr.fid, flow, fr.given, renderer)
            for occ in flow.occs:
                if occ.name not in taint or self._restricted(fr.path, fr.fid, flow, occ, renderer, channel=False):
                    continue
                found = self._at(fr, flow, occ, renderer, taint[occ.name])
                if found is not None:
                    yield found
                elif occ.role == "arg" and occ.into is not None and fr.depth < MAX_HELPER_DEPTH:
                    nxt = self._helper(fr, occ, taint[occ.name])
                    if nxt is not None:
                        stack.append(nxt)

    def _tainted(self, path: str, fid: int, flow: Flow, given: dict[str, str],
                 renderer: set[str]) -> dict[str, str]:
        taint = dict(given)
        for a in flow.aliases:
            if a.source in taint and a.name not in taint \
                    and not self._restricted(path, fid, flow, flow.occs[a.occ], renderer, channel=False):
                taint[a.name] = taint[a.source]
        return taint

    def _at(self, fr: _Frame, flow: Flow, occ: Occ, renderer: set[str], param: str) -> Pick | NamedChannel | None:
        """The pick or the renderer-named push this read lands in, if any."""
        path = fr.path
        lookup_call = occ.role == "check" and occ.into is not None and 0 <= occ.site < len(flow.sites) \
            and flow.sites[occ.site].kind == "lookup"
        found = self._found(fr, occ)
        if found is not None:
            finder, kind = found
            return self._pick(fr, finder.span, f"{quote(finder.callee)}()", kind, occ.name, param, renderer)
        if occ.role in ("check", "use") and not lookup_call:  # `wins[x]`: a lookup, tested or used at once
            idx = self._index_at(path, occ.span)
            if idx is not None and occ.role == "check" and self._allowed_before(fr, idx.span, idx.index, renderer):
                return None  # a check read records no dominating sites: look for a guard before it
            if idx is not None and self._holds_windows(path, idx.obj, fr.fid):
                return self._pick(fr, idx.span, f"a lookup in '{quote(idx.obj)}'", "window", quote(idx.index),
                                  param, renderer)
            return None
        # `wins.get(x)`: a lookup in the app's own windows selects, it does not allow (SPEC IPC016)
        if (occ.role != "arg" and not lookup_call) or occ.into is None:
            return None
        call = call_at(self.project, path, occ.into)
        if call is None:
            return None
        arg = occ.arg
        if callee_name(call.callee) in CONVERSIONS or (
                isinstance(call.callee, Member) and call.callee.text in CONVERSIONS):
            hit = self._outer(path, call)  # `fromId(Number(id))`: the id all the same
            if hit is None:
                return None
            call, arg = hit
        value = quote(call.args[arg]) if arg < len(call.args) else occ.name
        api = self.project.electron_api(path, call.callee, call.func)
        if api in PICKERS and arg in PICKERS[api][1]:
            return self._pick(fr, call.span, api, PICKERS[api][0], value, param, renderer)
        callee = call.callee
        if isinstance(callee, Member) and callee.prop == "get" and arg == 0 \
                and self._holds_windows(path, callee.obj, call.func):
            return self._pick(fr, call.span, f"a lookup in '{quote(callee.obj)}'", "window", value, param, renderer)
        if arg == self._channel_arg(path, call) and not occ.keys and not self._fixed_prefix(path, call, arg) \
                and not self._restricted(path, fr.fid, flow, occ, renderer, channel=True):
            outer = self._at_wrapper_call(fr, call, param)
            if isinstance(outer, _Namespaced):
                return None
            return outer or NamedChannel(path, call, value, fr.handler,
                                         self._trace(fr, param, call.span, quote(callee)))
        return None

    def _found(self, fr: _Frame, occ: Occ) -> tuple[Call, str] | None:
        """The `find` over all the app's windows (or webContents) whose callback reads the value
        (`BrowserWindow.getAllWindows().find((w) => w.webContents.id === id)`), and what it picks."""
        path = fr.path
        call = call_at(self.project, path, occ.into) if occ.into is not None else None
        if call is None:  # a read in the callback itself: the call the callback is passed to
            f = self.project.files[path]
            inner = self._chain(path, fr.fid, occ.span)[0]
            fn = f.functions[inner] if inner is not None and inner != fr.fid else None
            if fn is None or fn.arg_of is None or fn.arg_index != 0 or fn.arg_of >= len(f.calls):
                return None
            call = f.calls[fn.arg_of]
        elif occ.arg != 0:
            return None
        callee = call.callee
        if not isinstance(callee, Member) or callee.prop not in FINDERS or not call.args:
            return None
        where = self.project.resolve(path, callee.obj, call.func)
        made = where.value
        if not isinstance(made, CallExpr):
            return None
        kind = ALL_TARGETS.get(self.project.electron_api(where.path, made.callee, where.scope) or "")
        return (call, kind) if kind is not None else None

    def _at_wrapper_call(self, fr: _Frame, push: Call, param: str) -> NamedChannel | _Namespaced | None:
        """A push inside an app wrapper that takes the channel as an argument (`send(wc, ch, ...a)`
        over `contents.send(channel, ...a)`): the finding belongs at the wrapper's call that the
        handler's data reached it through, the outermost one (SPEC "Wrappers and bridges"), so that
        each caller is a finding of its own. _NAMESPACED when a wrapper call on the way puts the
        renderer's data after a fixed prefix (`sendToAll(`on-done-${id}`)`): the channel stays in
        that namespace; also when that call names the channel with a constant (`post(wc, 'done', id)`
        over `post = (wc, ...a) => wc.send(...a)`: the data filled a later element of the rest)."""
        site = (fr.path, push.index)
        found: NamedChannel | None = None
        for i, (cpath, cfid, cspan) in enumerate(fr.callers):
            call = self.project.call_at(cpath, cspan)
            target = callee_function(self.project, cpath, call) if call is not None else None
            if call is None or target is None:
                continue
            arg = next((w.channel_param for w in self.project.wrappers.get(target, ())
                        if w.site == site and w.channel_param is not None and w.op.kind == "push"), None)
            if arg is None or arg >= len(call.args):
                continue
            if self.project.channel_prefix(cpath, call.args[arg], call.func) is not None \
                    or self.project.channel(cpath, call.args[arg], call.func) is not None:
                return _NAMESPACED  # (a constant: the renderer's data rode in a rest argument after it)
            if found is None:
                at = _Frame(fr.handler, cpath, cfid, {}, fr.steps[:2 * i], fr.callers[:i])
                found = NamedChannel(cpath, call, quote(call.args[arg]), fr.handler,
                                     self._trace(at, param, call.span, quote(call.callee)))
        return found

    def _helper(self, fr: _Frame, occ: Occ, param: str) -> _Frame | None:
        call = call_at(self.project, fr.path, occ.into) if occ.into is not None else None
        target = callee_function(self.project, fr.path, call) if call is not None else None
        if call is None or target is None:
            return None
        fn = self.project.files[target[0]].functions[target[1]]
        given = {p.name: param for p in fn.params if (p.index == occ.arg or (p.rest and p.index <= occ.arg))
                 and (not p.path or not occ.keys or p.path[0] == occ.keys[0])}
        if not given:
            return None
        first = next(p for p in fn.params if p.name in given)
        more = (TraceStep(StepKind.HELPER_CALL, fr.path, call.span, Role.MAIN, fn.name or ""),
                TraceStep(StepKind.HELPER_PARAMETER, target[0], first.span, Role.MAIN, first.name))
        return _Frame(fr.handler, target[0], target[1], given, fr.steps + more,
                      fr.callers + ((fr.path, fr.fid, call.span),))

    # ---- what restricts renderer data -------------------------------------------------------
    def _restricted(self, path: str, fid: int, flow: Flow, occ: Occ, renderer: set[str], channel: bool) -> bool:
        return any(self._restricts(path, fid, flow, i, renderer, channel) for i in occ.dom)

    def _restricts(self, path: str, fid: int, flow: Flow, i: int, renderer: set[str], channel: bool) -> bool:
        """Whether validation site ``i`` limits the value to known targets or channels."""
        s = flow.sites[i]
        if s.kind == "pair":  # `id === event.sender.id`, `ids.includes(id)` with a tracked list
            return self.judge.site(path, fid, flow, i, renderer=renderer)
        if s.kind == "call":  # a project validator or a schema
            return self.judge.site(path, fid, flow, i)
        if s.kind != "check":  # `new URL(x)`, a presence test
            return False
        call = self.project.call_at(path, s.span)
        if call is not None:
            name = callee_name(call.callee)
            return name in ALLOWLIST_CALLS or (channel and name in NAMESPACE_CALLS)
        check = self._checks(path).get(s.span)
        if check is not None:
            return check.op in EQUALITY
        # `typeof x` says nothing about which target; a switch over constants or a tested lookup
        # in a table (`if (!TABLE[x]) return`) is an allowlist.
        return s.span not in self._typeofs(path)

    def _allowed_before(self, fr: _Frame, at: Span, key: AnyV, renderer: set[str]) -> bool:
        """An `if (...) return` before ``at`` that leaves unless ``key`` is a known value
        (`if (!ALLOWED.has(id)) return`, `if (id !== main.id) return`)."""
        names = {x.name for x in walk(key) if isinstance(x, Ref)}
        exits = self._exits(fr.path)
        for func in self._chain(fr.path, fr.fid, at):
            for e in exits.get(func, ()):
                if (e.span.end_line, e.span.end_column) <= (at.line, at.column) \
                        and any(_allows(v, names, renderer) for v in _held(e.cond, False)):
                    return True
        return False

    def _chain(self, path: str, fid: int, at: Span) -> list[int | None]:
        """The functions from the innermost one around ``at`` (within ``fid``) out to ``fid``."""
        f = self.project.files[path]
        inner = fid
        for child in f.subtree(fid):
            sp = f.functions[child].span
            if (sp.line, sp.column) <= (at.line, at.column) and (at.end_line, at.end_column) <= (
                    sp.end_line, sp.end_column) and sp > f.functions[inner].span:
                inner = child
        out: list[int | None] = []
        cur: int | None = inner
        for _ in range(64):
            out.append(cur)
            if cur is None or cur == fid:
                break
            cur = f.functions[cur].parent
        return out

    def _checks(self, path: str) -> dict[Span, Check]:
        hit = self.memo.checks.get(path)
        if hit is None:
            hit = self.memo.checks[path] = {c.span: c for c in self.project.files[path].checks}
        return hit

    def _typeofs(self, path: str) -> set[Span]:
        hit = self.memo.typeofs.get(path)
        if hit is None:
            hit = self.memo.typeofs[path] = {
                side.span for c in self.project.files[path].checks for side in (c.left, c.right)
                if isinstance(side, TypeOf)}
        return hit

    # ---- picks and the actions on them ------------------------------------------------------
    def _pick(self, fr: _Frame, span: Span, what: str, kind: str, value: str, param: str,
              renderer: set[str]) -> Pick | None:
        """A pick, when main acts on what it picked: here, or in the callers a helper returns it to
        (`function windowOf(id) { return BrowserWindow.fromId(id) }` ... `windowOf(id).close()`)."""
        path, fid, at = fr.path, fr.fid, span
        actions = self._actions(path, fid, at, renderer)
        for cpath, cfid, cspan in reversed(fr.callers):
            if actions or not self._returned(path, fid, at):
                break
            path, fid, at = cpath, cfid, cspan
            actions = self._actions(path, fid, at, set())
        if not actions:
            return None
        return Pick(fr.path, span, what, kind, value, tuple(actions), fr.handler, self._trace(fr, param, span, what),
                    path)

    def _holders(self, path: str, fid: int, span: Span) -> _Held:
        """The locals of the function that hold the picked target (or a part of it)."""
        scopes = subtree(self.project.files[path], fid)
        # the function's own bindings and assignments (indexed: not the whole file's, per pick)
        bindings = self.project.bindings_within(path, scopes)
        assigns = self.project.assigns_within(path, scopes)
        held = _Held(set(), frozenset(
            c.span for c in self.project.calls_within(path, scopes)
            if isinstance(c.callee, Member) and c.callee.prop in ("fromWebContents", "fromBrowserView")
            and self.project.electron_api(path, c.callee, c.func) in WINDOW_OF))
        names = held.names
        for _ in range(4):
            grown = {name for name, v in bindings if name not in names and _rooted(v, span, held)}
            grown |= {a.target.name for a in assigns if isinstance(a.target, Ref)
                      and a.target.name not in names and _rooted(a.value, span, held)}
            if not grown:
                break
            names |= grown
        return held

    def _returned(self, path: str, fid: int, span: Span) -> bool:
        held = self._holders(path, fid, span)
        return any(_rooted(r, span, held) for r in self.project.files[path].functions[fid].returns)

    def _actions(self, path: str, fid: int, span: Span, renderer: set[str]) -> list[Call]:
        """The calls on the picked target (directly, or through locals that hold it or a part of
        it) that no sender tie validates."""
        scopes = subtree(self.project.files[path], fid)
        held = self._holders(path, fid, span)
        out: list[Call] = []
        for c in self.project.calls_within(path, scopes):  # (indexed: not every call of the file, per pick)
            if c.span == span:
                continue
            callee = c.callee
            if isinstance(callee, Member) and _rooted(callee.obj, span, held):
                if READS.match(callee.prop):
                    continue
            elif isinstance(callee, Index) and _rooted(callee.obj, span, held):
                pass  # `wc[method](...args)`: a computed method, any method at all (browser-base)
            elif not any(_passed(a, span, held) for a in c.args) or not self._acts_with(path, c):
                continue
            if not self._tied(path, fid, c, span, held, renderer):
                out.append(c)
        return out

    def _acts_with(self, path: str, c: Call) -> bool:
        """A call that takes the target as an argument acts on it when it is Electron's (a dialog
        or menu shown on the window), `@electron/remote/main`'s `enable` (the page it shows gets
        every main-process module), or the project's."""
        if isinstance(c.callee, Index):  # `api[cmd](win, ...args)`: any method of the project's object
            return self.project.project_object(path, c.callee.obj, c.func) is not None
        r = self.project.resolve(path, c.callee, c.func).value
        if isinstance(r, Electron):
            return r.api not in WINDOW_GETTERS
        if remote_enable(r):
            return True
        return isinstance(r, Fn) or callee_function(self.project, path, c) is not None

    def _tied(self, path: str, fid: int, c: Call, span: Span, held: _Held, renderer: set[str]) -> bool:
        """A check before the action made sure the target is the sender (or hosts it, or is its
        window) or one of the app's own windows."""
        if any(_ties(a, span, held, renderer) for cond in c.conds for a in _holding(cond, True)):
            return True
        f = self.project.files[path]
        exits = self._exits(path)
        scope: int | None = c.func
        for _ in range(64):
            for e in exits.get(scope, ()):
                if (e.span.end_line, e.span.end_column) <= (c.span.line, c.span.column) \
                        and any(_ties(a, span, held, renderer) for a in _holding(e.cond, False)):
                    return True
            if scope is None or scope == fid:
                break
            scope = f.functions[scope].parent
        return False

    def _exits(self, path: str) -> dict[int | None, list[Exit]]:
        hit = self.memo.exits.get(path)
        if hit is None:
            hit = self.memo.exits[path] = {}
            for e in self.project.files[path].exits:
                hit.setdefault(e.func, []).append(e)
        return hit

    # ---- the app's own windows --------------------------------------------------------------
    def _holds_windows(self, path: str, coll: AnyV, scope: int | None) -> bool:
        """Whether ``coll`` is a Map, Set, object or array that the app fills with its windows."""
        name = root_name(coll)
        r = self.project.resolve(path, coll, scope)
        if name is None or not isinstance(r.value, (NewExpr, Obj, Arr)):
            return False
        key = (r.path, r.value.span)
        hit = self.memo.holds.get(key)
        if hit is None:
            self.memo.holds[key] = False  # a cycle through the stored values is not evidence
            hit = self.memo.holds[key] = any(self._window_like(p, v, s)
                                             for p, v, s in self._stored(key, r.value, name, path))
        return hit

    def _stored(self, key: tuple[str, Span], made: AnyV, name: str, path: str
                ) -> Iterator[tuple[str, AnyV, int | None]]:
        """The values put into the collection: by set/push/add, by assignment, or when made."""
        for p in dict.fromkeys((key[0], path)):
            f = self.project.files[p]
            calls, assigns = self._stores(p)
            for i in calls.get(name, ()):
                c = f.calls[i]
                callee = c.callee
                assert isinstance(callee, Member)
                if self._same(p, callee.obj, c.func, key):
                    yield p, c.args[STORE_METHODS[callee.prop]], c.func
            for i in assigns.get(name, ()):
                a = f.assigns[i]
                t = a.target
                assert isinstance(t, (Index, Member))
                if self._same(p, t.obj, a.func, key):
                    yield p, a.value, a.func
        if isinstance(made, Obj):
            yield from ((key[0], prop.value, None) for prop in made.props)
        elif isinstance(made, Arr):
            yield from ((key[0], item, None) for item in made.items)

    def _stores(self, path: str) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """The file's store calls and element assignments by the root name of what they store
        into, in file order (indexed once: not a pass over the file for each collection)."""
        hit = self.memo.stores.get(path)
        if hit is None:
            calls: dict[str, list[int]] = {}
            assigns: dict[str, list[int]] = {}
            f = self.project.files[path]
            for i, c in enumerate(f.calls):
                callee = c.callee
                if isinstance(callee, Member) and callee.prop in STORE_METHODS \
                        and len(c.args) > STORE_METHODS[callee.prop]:
                    name = root_name(callee.obj)
                    if name is not None:
                        calls.setdefault(name, []).append(i)
            for i, a in enumerate(f.assigns):
                t = a.target
                if isinstance(t, (Index, Member)):
                    name = root_name(t.obj)
                    if name is not None:
                        assigns.setdefault(name, []).append(i)
            hit = self.memo.stores[path] = (calls, assigns)
        return hit

    def _same(self, path: str, v: AnyV, scope: int | None, key: tuple[str, Span]) -> bool:
        r = self.project.resolve(path, v, scope)
        return (r.path, r.value.span) == key

    def _window_like(self, path: str, v: AnyV, scope: int | None, depth: int = 0) -> bool:
        if isinstance(v, Member) and v.prop in ("webContents", "sender", "contentView"):
            return True
        r = self.project.resolve(path, v, scope)
        value = r.value
        if isinstance(value, Await) and value.inner is not None:
            value = value.inner
        if isinstance(value, NewExpr):
            return self.project.electron_api(r.path, value.callee, r.scope) in WINDOW_CTORS
        if isinstance(value, CallExpr):
            if self.project.electron_api(r.path, value.callee, r.scope) in WINDOW_GETTERS:
                return True
            target = self.project.function_of(r.path, value.callee, r.scope)
            if target is not None and depth < 2:
                fn = self.project.files[target[0]].functions[target[1]]
                return any(self._window_like(target[0], ret, target[1], depth + 1) for ret in fn.returns)
            return False
        last = v.prop if isinstance(v, Member) else v.name if isinstance(v, Ref) else None
        return last is not None and bool(WINDOWISH.search(last))

    # ---- syntax helpers ---------------------------------------------------------------------
    def _index_at(self, path: str, key: Span) -> Index | None:
        """The lookup `obj[key]` whose key is the name read at ``key``."""
        hit = self.memo.indexes.get(path)
        if hit is None:
            hit = self.memo.indexes[path] = {}
            f = self.project.files[path]
            roots: list[AnyV] = list(f.bindings.values())
            roots += [x for c in f.calls for x in (c.callee, *c.args)]
            roots += [a.value for a in f.assigns] + [r for fn in f.functions for r in fn.returns]
            for root in roots:
                for x in walk(root):
                    if isinstance(x, Index):
                        key_root = x.index
                        while isinstance(key_root, Member):
                            key_root = key_root.obj
                        if isinstance(key_root, Ref):
                            hit.setdefault(key_root.span, x)
        return hit.get(key)

    def _outer(self, path: str, call: Call) -> tuple[Call, int] | None:
        """The call whose argument ``call`` is (`fromId(Number(id))`)."""
        hit = self.memo.outer.get(path)
        if hit is None:
            hit = self.memo.outer[path] = {}
            for c in self.project.files[path].calls:
                for i, a in enumerate(c.args):
                    inner = a.inner if isinstance(a, Await) and a.inner is not None else a
                    if isinstance(inner, CallExpr):
                        hit.setdefault(inner.span, (c, i))
        return hit.get(call.span)

    def _channel_arg(self, path: str, call: Call) -> int | None:
        """The channel argument of a message main sends to a renderer: of Electron's call, or of
        an app wrapper's call (where a finding about its channel belongs, SPEC "Wrappers")."""
        op = self.project.ipc_ops.get((path, call.index))
        if op is not None:
            return op.channel_arg if op.kind == "push" else None
        wrapped = self._wrapper_pushes().get((path, call.index))
        if wrapped is not None:
            return next((i for i, a in enumerate(call.args) if a.span == wrapped), None)
        callee = call.callee
        if isinstance(callee, Member) and callee.prop in ("send", "postMessage", "sendToFrame") \
                and self._picked(path, callee.obj, call.func):
            return 1 if callee.prop == "sendToFrame" else 0
        return None

    def _wrapper_pushes(self) -> dict[tuple[str, int], Span]:
        """Calls of app wrappers that push to a renderer, with the span of their channel argument."""
        if self.memo.wrapper_pushes is None:
            self.memo.wrapper_pushes = {
                (e.path, e.call): e.channel_value.span for e in self.project.graph.edges
                if e.kind == "push" and e.wrapper_funcs and e.channel_value is not None}
        return self.memo.wrapper_pushes

    def _picked(self, path: str, obj: AnyV, scope: int | None) -> bool:
        """`webContents.fromId(x)` (or a local holding it): a webContents, so `.send` is a push."""
        r = self.project.resolve(path, obj, scope)
        v = r.value
        return isinstance(v, CallExpr) and self.project.electron_api(r.path, v.callee, r.scope) in WINDOW_GETTERS

    def _fixed_prefix(self, path: str, call: Call, arg: int) -> bool:
        """`${PREFIX}${name}`, `'reply:' + id`: the renderer picks a channel only within a fixed
        namespace."""
        return self.project.channel_prefix(path, call.args[arg], call.func) is not None

    def _trace(self, fr: _Frame, param: str, span: Span, what: str) -> tuple[TraceStep, ...]:
        out: list[TraceStep] = []
        h = fr.handler
        ch = h.edge.channel
        if ch is not None:
            sender = next((e for e in self.project.edges_of(ch) if e.kind in ("send", "invoke")  # (indexed)
                           and e.side == "renderer"), None)
            if sender is not None:
                out.append(TraceStep(StepKind.SEND, sender.path, sender.span, sender.role, ch, sender.method))
        p = next((p for p in h.params if p.name == param), None)
        if p is not None:
            out.append(TraceStep(StepKind.HANDLER_PARAMETER, h.path, p.span, Role.MAIN, param))
        out.extend(fr.steps)
        out.append(TraceStep(StepKind.SINK, fr.path, span, Role.MAIN, what))
        return tuple(out)


def _passed(v: AnyV, span: Span, held: _Held) -> bool:
    """An argument that passes the picked target: the target itself (``_rooted``), or a list
    that holds it, spread into the call (`m.apply(obj, [win, ...args])`, `[win].concat(args)`)."""
    if isinstance(v, Spread) and v.inner is not None:
        v = v.inner
    if isinstance(v, CallExpr) and isinstance(v.callee, Member) and v.callee.prop == "concat":
        return any(_passed(x, span, held) for x in (v.callee.obj, *v.args))
    if isinstance(v, Arr):
        return any(_passed(x, span, held) for x in v.items)
    if isinstance(v, Obj):  # `new BrowserWindow({ parent: win, modal: true })`: a child attached to it
        return any(p.key == "parent" and _rooted(p.value, span, held) for p in v.props)
    return _rooted(v, span, held)


def _rooted(v: AnyV, span: Span, held: _Held) -> bool:
    """``v`` is the picked target (the value at ``span``), a local holding it, or a part of it;
    also one of the values it can be (`key ? windows.get(key) : main`, `byId(id) ?? main`)."""
    todo, steps = [v], 0
    while todo and steps < 64:
        v, steps = todo.pop(), steps + 1
        match v:
            case CallExpr() | Index() if v.span == span:
                return True
            case CallExpr(args=args) if args and v.span in held.views:
                todo.append(args[0])  # the window of the picked webContents: the same pick
            case Member(obj=obj) | Await(inner=obj) if obj is not None:
                todo.append(obj)
            case Ref(name=name) if name in held.names:
                return True
            case Cond(alts=alts):
                todo.extend(alts)
            case Logic(op=op, left=left, right=right):
                todo.extend((left, right) if op != "&&" else (right,))
    return False


def quote(v: AnyV) -> str:
    """How a message quotes a value: its source text, or a dotted path made from it."""
    parts: list[str] = []
    for _ in range(16):
        if v.text and "\n" not in v.text and len(v.text) <= 60:
            parts.append(v.text)
            break
        match v:
            case Member(obj=obj, prop=prop):
                parts.append(prop)
                v = obj
            case Ref(name=name):
                parts.append(name)
                break
            case CallExpr(callee=callee):
                parts.append(quote(callee) + "(...)")
                break
            case _:
                parts.append("…")
                break
    return ".".join(reversed(parts))


def action_words(c: Call) -> str:
    """`session.clearCache` of `webContents.fromId(id)?.session.clearCache()`, `dbg.attach`."""
    props: list[str] = []
    v: AnyV = c.callee
    for _ in range(16):
        match v:
            case Member(obj=obj, prop=prop):
                props.append(prop)
                v = obj
            case Await(inner=obj) if obj is not None:
                v = obj
            case Ref(name=name):
                props.append(name)
                break
            case _:
                break
    return ".".join(reversed(props)) or quote(c.callee)


def _holding(cond: AnyV, positive: bool) -> Iterator[Cmp]:
    """The equalities that hold where ``cond`` is ``positive``: `a === b` of `a === b && c`,
    `a !== b` of a failed `!x || a !== b`."""
    for v in _held(cond, positive):
        if isinstance(v, Cmp):
            yield v


def _held(cond: AnyV, positive: bool) -> Iterator[AnyV]:
    """The equalities and the calls (`ids.has(x)`) that hold where ``cond`` is ``positive``."""
    stack: list[tuple[AnyV, bool]] = [(cond, positive)]
    for _ in range(64):
        if not stack:
            return
        v, pos = stack.pop()
        match v:
            case Not(inner=inner):
                stack.append((inner, not pos))
            case Logic(op="&&", left=left, right=right) if pos:
                stack.extend(((left, pos), (right, pos)))
            case Logic(op="||", left=left, right=right) if not pos:
                stack.extend(((left, pos), (right, pos)))
            case Cmp(op="===" | "==") if pos:
                yield v
            case Cmp(op="!==" | "!=") if not pos:
                yield v
            case CallExpr() if pos:
                yield v


def _allows(v: AnyV, names: set[str], renderer: set[str]) -> bool:
    """`ids.has(x)` or `x === known` for one of ``names``."""
    def mentions(w: AnyV, which: set[str]) -> bool:
        return any(isinstance(x, Ref) and x.name in which for x in walk(w))

    if isinstance(v, CallExpr):
        return callee_name(v.callee) in ALLOWLIST_CALLS and any(mentions(a, names) for a in v.args)
    if isinstance(v, Cmp):
        return (mentions(v.left, names) and not mentions(v.right, renderer)) or (
            mentions(v.right, names) and not mentions(v.left, renderer))
    return False


def _ties(c: Cmp, span: Span, held: _Held, renderer: set[str]) -> bool:
    """`target === event.sender`, `win.webContents === event.sender`, `guest.hostWebContents ===
    sender`, `win === mainWindow`: the picked target is the sender (or hosts it, or is its window),
    or a window the app knows; not when the other side is the renderer's data again."""
    return (_rooted(c.left, span, held) and _known(c.right, span, held, renderer)) or (
        _rooted(c.right, span, held) and _known(c.left, span, held, renderer))


def _known(v: AnyV, span: Span, held: _Held, renderer: set[str]) -> bool:
    if _is_sender(v):
        return True
    return isinstance(v, (Ref, Member)) and not _rooted(v, span, held) and not any(
        isinstance(x, Ref) and x.name in renderer for x in walk(v, into_calls=True))


def _is_sender(v: AnyV) -> bool:
    return any((isinstance(x, Member) and x.prop in ("sender", "senderFrame"))
               or (isinstance(x, Ref) and x.name in ("sender", "senderFrame"))
               for x in walk(v, into_calls=True))


"""Sender checks (IPC007): does a handler (or the app wrapper around it) find out which frame sent
the message before acting on it?

A check is a read of the sender's identity (`event.senderFrame.url`/`.origin`,
`event.sender.getURL()`, `event.sender.id`), a comparison of `event.sender` (or its id) with a
known webContents, or the event (or its sender/senderFrame) handed to a function named like a
check. Merely touching `event.senderFrame` (sending to it, logging it) identifies nobody, and
comparing `event.sender` with renderer-supplied data or a literal compares with nothing known.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, subtree, walk
from ipclint.link.wrappers import callee_function
from ipclint.model.facts import Call, Check, Exit, Outcome
from ipclint.model.span import Span
from ipclint.model.values import (
    AnyV,
    Arr,
    Bool,
    CallExpr,
    Concat,
    Fn,
    Index,
    Member,
    Not,
    Null,
    Num,
    Obj,
    Ref,
    Regex,
    Str,
    Tpl,
    Undef,
)

SENDER_CHECK_NAME = re.compile(r"valid|verify|check|assert|trusted|allowed", re.I)
FRAME_IDENTITY = frozenset({"url", "origin"})
SENDER_IDENTITY = frozenset({"getURL", "id", "getOrigin"})
NOT_WEBCONTENTS = (Str, Tpl, Num, Bool, Null, Undef, Regex, Concat, Obj, Arr, Fn)
MAX_FRAME_HOPS = 3  # `event.senderFrame.top.url`, `.parent.url`
MAX_HELPER_DEPTH = 2


@dataclass
class FunctionIndex:
    """A file's calls, comparisons, early exits, local bindings and outcomes by enclosing function, so that
    questions about one function read only its own records."""

    calls: dict[int | None, list[Call]] = field(default_factory=dict)
    checks: dict[int | None, list[Check]] = field(default_factory=dict)
    exits: dict[int | None, list[Exit]] = field(default_factory=dict)
    bindings: dict[int | None, list[tuple[str, AnyV]]] = field(default_factory=dict)
    outcomes: dict[int | None, list[Outcome]] = field(default_factory=dict)  # returns and throws (IPC017)

    def of(self, scopes: Iterable[int]) -> tuple[list[Call], list[Check], list[Exit], list[tuple[str, AnyV]]]:
        """The records of the given functions (calls in file order)."""
        calls: list[Call] = []
        checks: list[Check] = []
        exits: list[Exit] = []
        local: list[tuple[str, AnyV]] = []
        for fid in scopes:
            calls.extend(self.calls.get(fid, ()))
            checks.extend(self.checks.get(fid, ()))
            exits.extend(self.exits.get(fid, ()))
            local.extend(self.bindings.get(fid, ()))
        calls.sort(key=lambda c: c.index)
        return calls, checks, exits, local


def function_index(project: Project, path: str) -> FunctionIndex:
    index = project.file_memo.by_function.get(path)
    if index is None:
        f = project.files[path]
        index = project.file_memo.by_function[path] = FunctionIndex()
        for c in f.calls:
            index.calls.setdefault(c.func, []).append(c)
        for chk in f.checks:
            index.checks.setdefault(chk.func, []).append(chk)
        for e in f.exits:
            index.exits.setdefault(e.func, []).append(e)
        for (scope, n), v in f.bindings.items():
            index.bindings.setdefault(scope, []).append((n, v))
        for o in f.outcomes:
            index.outcomes.setdefault(o.func, []).append(o)
    return index


def checks_sender(project: Project, path: str, scopes: set[int], event: str | None,
                  extra: frozenset[str] = frozenset(), parts: dict[str, str] | None = None,
                  params: frozenset[str] = frozenset(), depth: int = 0) -> bool:
    """``event`` None inside an app wrapper: any such read counts. ``parts``: a destructured
    event's fields. ``params``: the renderer-supplied parameters (never a known webContents).
    The event (or its sender or frame) handed to a project function that checks it counts too."""
    index = function_index(project, path)
    calls, checks, exits, local = index.of(sorted(scopes))
    ev = _Event(event, parts or {})
    ev.add_aliases(local)
    # Renderer data, and the event itself: `e.sender === fromWebContents(e.sender).webContents` is no check.
    renderer = _derived_names(local, set(params) | set(ev.parts) | ({event} if event else set()))
    values: list[AnyV] = []
    for c in calls:
        name = callee_name(c.callee) or ""
        if (SENDER_CHECK_NAME.search(name) or name in extra) and any(ev.mentioned(a) for a in c.args):
            return True
        if depth < MAX_HELPER_DEPTH and _helper_checks(project, path, c, ev, extra, depth):
            return True
        if not _logs(c.callee):  # logging the sender's URL identifies nobody
            values.append(c.callee)
            values.extend(c.args)
    unknown: set[Span] = set()  # spans of `event.sender.id` compared with renderer data or a literal
    for chk in checks:
        for side, other in ((chk.left, chk.right), (chk.right, chk.left)):
            if ev.is_sender(side):
                if _known(other, renderer):
                    return True
                unknown.add(side.span)
        values.extend((chk.left, chk.right))
    values.extend(v for _n, v in local)
    values.extend(e.cond for e in exits)
    if any(isinstance(x, Member) and x.span not in unknown and ev.reads_identity(x)
           for v in values for x in walk(v, into_calls=True)):
        return True
    # what the handler stores or answers, looked up by the sender (`event.returnValue =
    # infos[event.sender.id]`, `return byId[sender.id]`); copying the id into data (`data.from =
    # event.sender.id`) identifies nobody
    files = project.files[path]
    stored: list[AnyV] = [x for a in project.assigns_within(path, scopes) for x in (a.target, a.value)]
    for fid in scopes:
        stored.extend(files.functions[fid].returns)
    return any(isinstance(k, Index) and any(isinstance(x, Member) and ev.reads_identity(x) for x in walk(k.index))
               for v in stored for k in walk(v, into_calls=True))


def _helper_checks(project: Project, path: str, c: Call, ev: _Event, extra: frozenset[str], depth: int) -> bool:
    """`isAppFrame(event.senderFrame)`, `verify(event)`: a project function given the event, its
    sender or its frame, that checks it (whatever it is called)."""
    handed: dict[int, str | None] = {}  # parameter index -> None for the event itself, or its field
    for i, a in enumerate(c.args):
        if isinstance(a, Ref) and not ev.destructured and (
                a.name == ev.name if ev.name is not None else _first_param(project, path, c, a.name)):
            handed[i] = None
        else:
            fld = next((x for x in ("senderFrame", "sender") if ev.field(a, x)), None)
            if fld is not None:
                handed[i] = fld
    if not handed:
        return False
    target = callee_function(project, path, c)
    if target is None:
        return False
    tpath, fid = target
    fn = project.files[tpath].functions[fid]
    scopes = subtree(project.files[tpath], fid)
    for p in fn.params:
        if p.index in handed and not p.path and not p.rest:
            fld = handed[p.index]
            if fld is None and checks_sender(project, tpath, scopes, p.name, extra, depth=depth + 1):
                return True
            if fld is not None and checks_sender(project, tpath, scopes, None, extra, {p.name: fld}, depth=depth + 1):
                return True
    return False


LOGGING = frozenset({"log", "debug", "info", "warn", "error", "trace", "verbose", "silly"})
LOGGERS = re.compile(r"^(console|log|logger|logging|_?log\w*)$", re.I)


def _logs(callee: AnyV) -> bool:
    """`console.log(...)`, `log.info(...)`, `logger.warn(...)`."""
    return isinstance(callee, Member) and callee.prop in LOGGING and isinstance(callee.obj, Ref) \
        and LOGGERS.match(callee.obj.name) is not None


def _first_param(project: Project, path: str, c: Call, name: str) -> bool:
    """Inside an app wrapper: ``name`` is the first parameter of its handler function (the event)."""
    hit = project.param_of(path, c.func, name)
    return hit is not None and hit[1].index == 0 and not hit[1].path


def checks_window(project: Project, path: str, scopes: set[int], window: str, params: frozenset[str]) -> bool:
    """An electron-better-ipc `answerRenderer` handler's BrowserWindow parameter (``window``, the
    sending frame's window: the library hides the event) compared with a window the app holds
    (`win === mainWindow`, `win.id !== prefsWindow.id`): as `event.sender === mainWindow.webContents`."""
    _calls, checks, _exits, local = function_index(project, path).of(sorted(scopes))
    windows = _derived_names(local, {window})
    renderer = _derived_names(local, set(params))
    for chk in checks:
        for side, other in ((chk.left, chk.right), (chk.right, chk.left)):
            if any(isinstance(x, Ref) and x.name in windows for x in walk(side)) \
                    and not any(isinstance(x, Ref) and x.name in windows for x in walk(other)) \
                    and _known(other, renderer):
                return True
    return False


def _derived_names(local: list[tuple[str, AnyV]], names: set[str]) -> set[str]:
    """The names and the locals made from them."""
    out = set(names)
    for _ in range(3):
        more = {n for n, v in local if n not in out
                and any(isinstance(x, Ref) and x.name in out for x in walk(v, into_calls=True))}
        if not more:
            break
        out |= more
    return out


def _known(v: AnyV, renderer: set[str]) -> bool:
    """Could ``v`` be a webContents the app holds (`mainWindow.webContents`, `view.webContents.id`)?
    Not a literal, not renderer data, and not made from the event."""
    if isinstance(v, NOT_WEBCONTENTS):
        return False
    return not any(isinstance(x, Ref) and x.name in renderer for x in walk(v, into_calls=True))


class _Event:
    """How the event appears in a handler: its parameter name, destructured fields, and locals
    holding `event.sender`/`event.senderFrame`."""

    def __init__(self, name: str | None, parts: dict[str, str]) -> None:
        self.name = name
        self.destructured = bool(parts)
        self.parts = dict(parts)  # local name -> event field
        self.windows: set[str] = set()  # locals holding the sender's window (compared like the sender)
        self.derived: set[str] = set()  # locals made from the event (`const e = toAppEvent(event)`)

    def add_aliases(self, local: list[tuple[str, AnyV]]) -> None:
        """`const frame = event.senderFrame`, `const { sender } = event`."""
        for n, v in local:
            if n in self.parts:
                continue
            for fld in ("senderFrame", "sender"):
                if self.field(v, fld):
                    self.parts[n] = fld
                    break
            else:
                if self.sender_window(v):  # `const win = BrowserWindow.fromWebContents(event.sender)`
                    self.windows.add(n)
                elif isinstance(v, CallExpr) and (self.name is not None or self.destructured) \
                        and any(self.mentioned(a) for a in v.args):
                    self.derived.add(n)  # handed on to a checking function, it carries the event's sender

    def sender_window(self, v: AnyV) -> bool:
        """`BrowserWindow.fromWebContents(event.sender)` (or a local holding it): the sender's window."""
        if isinstance(v, Ref):
            return v.name in self.windows
        return isinstance(v, CallExpr) and (callee_name(v.callee) or "").endswith("fromWebContents") \
            and len(v.args) == 1 and self.field(v.args[0], "sender")

    def field(self, v: AnyV, field: str) -> bool:
        """`v` is `event.<field>` (or a local holding it)."""
        if isinstance(v, Ref):
            return self.parts.get(v.name) == field
        if not isinstance(v, Member) or v.prop != field:
            return False
        base = v.obj
        return isinstance(base, Ref) and (self.name is None or base.name == self.name) and not self.destructured

    def mentioned(self, v: AnyV) -> bool:
        if self.name is None and not self.destructured:
            return isinstance(v, (Ref, Member))
        names = set(self.parts) | self.derived | ({self.name} if self.name else set())
        return any(isinstance(x, Ref) and x.name in names for x in walk(v, into_calls=True))

    def is_sender(self, v: AnyV) -> bool:
        """`event.sender`, `event.sender.id`, or `event.senderFrame` (compared with a known frame,
        `win.webContents.mainFrame`)."""
        if isinstance(v, Member) and v.prop in ("id", "routingId", "processId"):
            v = v.obj
        return self.field(v, "sender") or self.field(v, "senderFrame") or self.sender_window(v)

    def reads_identity(self, v: Member) -> bool:
        """`event.senderFrame.url`/`.origin` (also of its top or parent frame), `event.sender.getURL`,
        `event.sender.id`."""
        obj, prop = v.obj, v.prop
        if isinstance(obj, Not):  # `!event.senderFrame!.url`, read by tree-sitter-typescript as `(!e.senderFrame)!.url`
            obj = obj.inner
        if prop in SENDER_IDENTITY and self.field(obj, "sender"):
            return True
        if prop not in FRAME_IDENTITY:
            return False
        for _ in range(MAX_FRAME_HOPS):
            if self.field(obj, "senderFrame"):
                return True
            if not isinstance(obj, Member):
                return False
            obj = obj.obj
        return False

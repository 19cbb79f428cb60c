"""Answers to the sender of a message (IPC015): where an `on` handler replies with `event.reply`,
`event.sender.send` or `event.senderFrame.send` (also through locals and destructuring, and in
project helpers the event is handed to), and whether each answer goes out once per message or from
a callback that can fire many times (an emitter's `.on`, an interval, a stream, a loop): a
subscription, not a response. An answer after `await`, in a promise's `then`, in a `setTimeout` or
in a node-style callback is still one answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ipclint.link.handlers import Handler
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, subtree
from ipclint.link.wrappers import callee_function
from ipclint.model.facts import Assign, Call, FileFacts
from ipclint.model.values import AnyV, Fn, Member, Ref

SENDER_FIELDS = frozenset({"sender", "senderFrame"})
# Callbacks that run once for the call that receives them.
ONCE = frozenset({"then", "catch", "finally", "once", "prependOnceListener", "setTimeout", "setImmediate",
                  "nextTick", "queueMicrotask", "Promise", "resolve", "race", "all", "allSettled", "any"})
# Callbacks that can run many times: subscriptions, timers, streams, iteration.
MANY = frozenset({"on", "addListener", "prependListener", "addEventListener", "setInterval", "subscribe",
                  "watch", "watchFile", "register", "observe", "listen", "forEach", "map", "flatMap", "filter",
                  "some", "every", "reduce", "each", "pipe", "handle", "tap", "schedule", "scheduleJob"})
SUBSCRIBE_NAME = re.compile(r"^on[A-Z]")
MAX_HELPER_DEPTH = 2


@dataclass(frozen=True, slots=True)
class Answer:
    path: str
    call: Call
    channel: str | None  # None: dynamic
    once: bool  # once per message, not from a callback that can fire many times
    how: str  # "event.reply", "event.sender.send", "event.senderFrame.send"


def answers(project: Project, h: Handler) -> list[Answer]:
    """Every answer the handler (or a helper it hands the event to) sends to the sender."""
    events: dict[str, str] = {}
    if h.event:
        events[h.event] = ""
    events.update({k: v for k, v in h.event_parts.items() if v in SENDER_FIELDS})
    stack: list[tuple[str, int, dict[str, str], bool, int]] = [(h.path, h.fid, events, False, 0)] if events else []
    stack.extend((path, fid, {name: ""}, False, 0) for path, fid, name in _wrapper_listeners(project, h))
    out: list[Answer] = []
    seen: set[tuple[str, int]] = set()
    while stack:
        path, fid, names, many, depth = stack.pop()
        if (path, fid) in seen or len(seen) > 64:
            continue
        seen.add((path, fid))
        f = project.files[path]
        scopes = subtree(f, fid)
        names = _with_locals(project, path, scopes, names)
        for c in project.calls_within(path, scopes):  # (not every call of the file, for each handler)
            repeated = many or _repeats(f, c, fid)
            how = _answer(c.callee, names)
            if how is not None:
                ch = project.channel(path, c.args[0], c.func) if c.args else None
                out.append(Answer(path, c, ch, not repeated, how))
                continue
            given = _handed(c, names)
            if given and depth < MAX_HELPER_DEPTH:
                target = callee_function(project, path, c)
                if target is not None:
                    fn = project.files[target[0]].functions[target[1]]
                    inner = {p.name: given[p.index] for p in fn.params
                             if p.index in given and not p.path and not p.rest}
                    if inner:
                        stack.append((target[0], target[1], inner, repeated, depth + 1))
    return out


def _wrapper_listeners(project: Project, h: Handler) -> list[tuple[str, int, str]]:
    """The listener an app wrapper registers around the handler (`ipcMain.on(ch, async (event, ...a)
    => event.reply(...))`): its answers are the handler's (path, function id, event name)."""
    out: list[tuple[str, int, str]] = []
    for wf in h.edge.wrapper_funcs[:1]:
        for wop in project.wrappers.get(wf, ()):
            if not wop.handler_wrapped or wop.op.kind != "on" or wop.op.handler_arg is None:
                continue
            site = project.files[wop.site[0]].calls[wop.site[1]]
            fn = site.args[wop.op.handler_arg] if wop.op.handler_arg < len(site.args) else None
            if isinstance(fn, Fn):
                first = next((p for p in project.files[wop.site[0]].functions[fn.fid].params if p.index == 0), None)
                if first is not None and not first.path and not first.rest:
                    out.append((wop.site[0], fn.fid, first.name))
    return out


def sets_return_value(project: Project, h: Handler) -> bool:
    """The handler answers synchronously (`event.returnValue = ...`, IPC009's business)."""
    return bool(return_value_sets(project, h))


def return_value_sets(project: Project, h: Handler) -> list[Assign]:
    """The handler's `event.returnValue = ...` assignments (of its own functions' assignments), in
    file order; none when its event parameter is not known."""
    if not h.event:
        return []
    return [a for a in project.assigns_within(h.path, h.scopes)
            if isinstance(a.target, Member) and a.target.prop == "returnValue"
            and isinstance(a.target.obj, Ref) and a.target.obj.name == h.event]


def _with_locals(project: Project, path: str, scopes: set[int], names: dict[str, str]) -> dict[str, str]:
    """`const { sender } = event`, `const frame = event.senderFrame`: the sender under a local name
    (of the bindings of those functions, not of every binding of the file)."""
    out = dict(names)
    for name, v in project.bindings_within(path, scopes):
        if name not in out and isinstance(v, Member) and v.prop in SENDER_FIELDS \
                and isinstance(v.obj, Ref) and out.get(v.obj.name) == "":
            out[name] = v.prop
    return out


def _answer(callee: AnyV, names: dict[str, str]) -> str | None:
    if not isinstance(callee, Member):
        return None
    obj = callee.obj
    if callee.prop == "reply" and isinstance(obj, Ref) and names.get(obj.name) == "":
        return "event.reply"
    if callee.prop != "send":
        return None
    if isinstance(obj, Member) and obj.prop in SENDER_FIELDS and isinstance(obj.obj, Ref) \
            and names.get(obj.obj.name) == "":
        return f"event.{obj.prop}.send"
    if isinstance(obj, Ref) and names.get(obj.name) in SENDER_FIELDS:
        return f"event.{names[obj.name]}.send"
    return None


def _handed(c: Call, names: dict[str, str]) -> dict[int, str]:
    """The arguments of ``c`` that are the event (or its sender): index -> field ("" for the event)."""
    out: dict[int, str] = {}
    for i, a in enumerate(c.args):
        if isinstance(a, Ref) and a.name in names:
            out[i] = names[a.name]
        elif isinstance(a, Member) and a.prop in SENDER_FIELDS and isinstance(a.obj, Ref) \
                and names.get(a.obj.name) == "":
            out[i] = a.prop
    return out


def _repeats(f: FileFacts, c: Call, top: int) -> bool:
    """Whether ``c`` can run more than once per call of function ``top``: in a loop, or inside a
    callback that can fire many times (or whose caller is unknown) between it and ``top``."""
    if c.in_loop:
        return True
    scope = c.func
    for _ in range(64):
        if scope is None or scope == top:
            return False
        fn = f.functions[scope]
        if fn.in_loop or fn.arg_of is None:
            return True  # registered once per item, or called from who knows where
        outer = f.calls[fn.arg_of]
        name = callee_name(outer.callee)
        if not (outer.new and name == "Promise") and name not in ONCE and (
                name in MANY or (name is not None and SUBSCRIBE_NAME.match(name) is not None)):
            return True
        if outer.in_loop:
            return True
        scope = fn.parent
    return True

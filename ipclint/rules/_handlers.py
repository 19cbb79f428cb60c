"""Handler analysis shared by IPC005/IPC006/IPC007: a main-process handler's renderer-supplied
parameters, where each is used and validated, how its data flows, and whether the sender is checked.

Everything is computed from facts (calls, comparisons, bindings, assignments, returns) of the
handler's function and the functions nested in it; positions order events ("validated before use").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ipclint.extract.facts import Call, Func
from ipclint.extract.values import V
from ipclint.graph import Edge
from ipclint.model import Span
from ipclint.project import Project
from ipclint.vutil import callee_name, refs, root_name, subtree, walk

VALIDATOR_PREFIX = re.compile(r"^(validate|assert|check|is|ensure|sanitize|parse)[A-Z_]?", re.I)
SCHEMA_METHODS = frozenset({"parse", "safeParse", "parseAsync", "safeParseAsync", "validate", "validateSync",
                            "validateAsync", "assert", "is", "create", "mask", "decode"})
NOT_SCHEMAS = frozenset({"JSON", "path", "Date", "URL", "querystring", "qs", "url", "Number", "parseInt"})
BUILTIN_CHECKS = frozenset({"isArray", "isInteger", "isFinite", "isSafeInteger", "isNaN", "includes", "has",
                            "hasOwnProperty", "hasOwn", "startsWith", "endsWith", "test", "match"})
LOG_ROOTS = re.compile(r"^(console|log|logger|_log|logging|debug|Sentry)$|log", re.I)
LOG_METHODS = frozenset({"log", "info", "warn", "error", "debug", "trace", "verbose", "silly", "fatal"})
SENDER_CHECK_NAME = re.compile(r"valid|verify|check|assert|trusted|allowed", re.I)


@dataclass
class Event:
    name: str
    span: Span
    kind: str  # use, validate


@dataclass
class Handler:
    edge: Edge
    path: str
    func: Func
    params: list  # renderer-supplied Param bindings (after the event)
    event: str | None
    scopes: set[int]
    events: list[Event] = field(default_factory=list)
    wrapper_validates: bool = False


def handlers(project: Project) -> list[Handler]:
    """Main-process handler registrations whose handler function is known, one per edge."""
    out = []
    for e in project.graph.edges:
        if e.kind not in ("handle", "on") or e.side != "main" or e.handler is None:
            continue
        path, fid = e.handler
        fn = project.files[path].functions[fid]
        ev = next((p.name for p in fn.params if p.index == 0 and not p.path), None)
        params = [p for p in fn.params if p.index >= 1]
        h = Handler(e, path, fn, params, ev, subtree(project.files[path], fid))
        h.events = _events(project, h, {p.name for p in params})
        h.wrapper_validates = any(_function_validates(project, w) for w in e.wrapper_funcs)
        out.append(h)
    return out


def is_logging(v: V) -> bool:
    root = root_name(v)
    name = callee_name(v)
    return bool(root and LOG_ROOTS.search(root)) and (v.kind == "ref" or name in LOG_METHODS or root == "console")


def validator_call(project: Project, path: str, call: Call, config_validators: frozenset[str] = frozenset()) -> bool:
    """Whether a call validates its arguments: schema libraries, allowlist lookups, type checks,
    `new URL`, and project functions named validate*/assert*/check*/is*/ensure*/sanitize*/parse*."""
    callee = call.callee
    name = callee_name(callee)
    if name is None:
        return False
    if name in config_validators or (callee.kind == "member" and callee.text in config_validators):
        return True
    if call.new:
        return name == "URL"
    if callee.kind == "member":
        obj_root = root_name(callee.data[0])
        if name in BUILTIN_CHECKS:
            return True
        if name in SCHEMA_METHODS and obj_root not in NOT_SCHEMAS:
            return True
    if VALIDATOR_PREFIX.match(name):
        target = project.function_of(path, callee, call.func)
        if target is not None:
            return True
        r = project.resolve(path, callee, call.func).value
        if r.kind in ("call", "new"):  # const validate = ajv.compile(schema)
            return True
    return False


def _events(project: Project, h: Handler, names: set[str]) -> list[Event]:
    f = project.files[h.path]
    opts = getattr(getattr(project, "config", None), "rules", {}) or {}
    extra = frozenset((opts.get("unvalidated-handler") or {}).get("validators", ()))
    events: list[Event] = []
    if not names:
        return events
    names_f = frozenset(names)
    for c in f.calls:
        if c.func not in h.scopes:
            continue
        if is_logging(c.callee):
            continue
        kind = "validate" if validator_call(project, h.path, c, extra) else "use"
        for v in (c.callee, *c.args):
            for r in refs(v, names_f):
                events.append(Event(r.data, r.span, kind))
    for chk in f.checks:
        if chk.func in h.scopes:
            for v in (chk.left, chk.right):
                for r in refs(v, names_f):
                    events.append(Event(r.data, r.span, "validate"))
    for (scope, _name), v in f.bindings.items():
        if scope in h.scopes:
            for r in refs(v, names_f):
                events.append(Event(r.data, r.span, "use"))
    for a in f.assigns:
        if a.func in h.scopes:
            for v in (a.target, a.value):
                for r in refs(v, names_f):
                    events.append(Event(r.data, r.span, "use"))
    for fid in h.scopes:
        for v in f.functions[fid].returns:
            for r in refs(v, names_f):
                events.append(Event(r.data, r.span, "use"))
    # A comparison is validation even where the same reference was also seen as a use.
    events.sort(key=lambda e: (e.span.line, e.span.column, e.kind != "validate"))
    return events


def first_unvalidated_uses(h: Handler) -> list[Event]:
    first: dict[str, Event] = {}
    for ev in h.events:
        first.setdefault(ev.name, ev)
    return [ev for ev in first.values() if ev.kind == "use"]


def validated_before(h: Handler, names: set[str], span: Span) -> bool:
    return any(ev.kind == "validate" and ev.name in names and (ev.span.line, ev.span.column) < (span.line, span.column)
               for ev in h.events)


def _function_validates(project: Project, target: tuple[str, int]) -> bool:
    path, fid = target
    f = project.files.get(path)
    if f is None:
        return False
    scopes = subtree(f, fid)
    return any(c.func in scopes and validator_call(project, path, c) and c.callee.kind == "member"
               and callee_name(c.callee) in SCHEMA_METHODS for c in f.calls)


# ---- sender checks (IPC007) -----------------------------------------------------------------

def checks_sender(project: Project, path: str, scopes: set[int], event: str | None,
                  extra: frozenset[str] = frozenset()) -> bool:
    f = project.files[path]
    values: list[V] = []
    for c in f.calls:
        if c.func in scopes:
            name = callee_name(c.callee) or ""
            if (SENDER_CHECK_NAME.search(name) or name in extra) and any(_mentions_event(a, event) for a in c.args):
                return True
            values.append(c.callee)
            values.extend(c.args)
    for chk in f.checks:
        if chk.func in scopes:
            if any(_is_sender(v, event) for v in (chk.left, chk.right)):
                return True
            values.extend((chk.left, chk.right))
    for (scope, _n), v in f.bindings.items():
        if scope in scopes:
            values.append(v)
    for e in f.exits:
        if e.func in scopes:
            values.append(e.cond)
    for v in values:
        for x in walk(v, into_calls=True):
            if x.kind == "member" and _reads_sender_identity(x, event):
                return True
    return False


def _event_root(v: V, event: str | None) -> bool:
    r = root_name(v)
    return r is not None and (event is None or r == event)


def _mentions_event(v: V, event: str | None) -> bool:
    if event is None:  # inside an app wrapper: any value handed to a sender-check function
        return v.kind in ("ref", "member")
    return any(x.kind == "ref" and x.data == event for x in walk(v, into_calls=True))


def _is_sender(v: V, event: str | None) -> bool:
    """`event.sender` or `event.sender.id` (compared with a known webContents)."""
    if v.kind != "member":
        return False
    obj, prop = v.data
    if prop == "sender":
        return _event_root(obj, event) and obj.kind == "ref"
    if prop == "id" and obj.kind == "member" and obj.data[1] == "sender":
        return _event_root(obj.data[0], event) and obj.data[0].kind == "ref"
    return False


def _reads_sender_identity(v: V, event: str | None) -> bool:
    """`event.senderFrame(.url|.origin)`, `event.sender.getURL`, `event.sender.id`."""
    obj, prop = v.data
    if prop == "senderFrame" and obj.kind == "ref" and (event is None or obj.data == event):
        return True
    if prop in ("getURL", "id", "getOrigin") and obj.kind == "member" and obj.data[1] == "sender":
        base = obj.data[0]
        return base.kind == "ref" and (event is None or base.data == event)
    return False

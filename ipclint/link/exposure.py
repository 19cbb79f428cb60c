"""The exposure model: what each exposed bridge member is, shared by the graph and the rules.

Every leaf of a value given to `contextBridge.exposeInMainWorld` (or assigned onto `window` in a
preload) is one of: raw (the ipcRenderer object, `electronAPI`), raw-method (`ipcRenderer.send`,
bound or not), generic (a function that passes a caller-supplied channel to ipcRenderer, with or
without an allowlist guard), fixed (a function with fixed channels), power (Node or Electron
powers), function or value.
"""
from __future__ import annotations

from dataclasses import dataclass

from ipclint.link.bridge import TOOLKIT, ExposedMember, exposed_members
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, subtree
from ipclint.model.facts import Call
from ipclint.model.values import Cmp, V

RAW_SEND = frozenset({"send", "sendSync", "invoke", "sendToHost", "postMessage"})
RAW_LISTEN = frozenset({"on", "once", "addListener", "prependListener", "prependOnceListener"})
RAW_REMOVE = frozenset({"off", "removeListener", "removeAllListeners"})


@dataclass(frozen=True, slots=True)
class MemberKind:
    kind: str
    generic_send: bool = False
    generic_listen: bool = False
    guarded: bool = False
    allowlist: frozenset[str] = frozenset()  # channels (and "prefix*" namespaces) a guard allows
    detail: str = ""


def classify_member(project: Project, member: ExposedMember, wrappers: dict) -> MemberKind:
    where = member.value
    v = where.value
    if v.kind == "spread" and v.data is not None:
        where = project.resolve(where.path, v.data, where.scope)
        v = where.value
    raw = _raw(project, where.path, v, where.scope)
    if raw is not None:
        return raw
    if v.kind == "fn":
        ops = [w for w in wrappers.get((where.path, v.data), ()) if w.op.receiver == "ipcRenderer"
               and w.channel_param is not None]
        if ops:
            guards = [_guard(project, where.path, v.data, w) for w in ops]
            allow = frozenset(c for g in guards if g is not None for c in g)
            return MemberKind("generic", any(w.op.kind in ("send", "invoke") for w in ops),
                              any(w.op.kind == "on" for w in ops),  # removing listens to nothing
                              guarded=all(g is not None for g in guards), allowlist=allow)
        f = project.files[where.path]
        scopes = subtree(f, v.data)
        loose = _loose_channel(project, where.path, f, scopes)
        if loose is not None:
            return loose
        if any(p == where.path and f.calls[i].func in scopes for (p, i) in project.ipc_ops):
            return MemberKind("fixed")
        return MemberKind("function")
    return MemberKind("value")


def _raw(project: Project, path: str, v: V, scope) -> MemberKind | None:
    if v.kind == "electron":
        if v.data == "*":  # `exposeInMainWorld('electron', require('electron'))`
            return MemberKind("raw", True, True, detail="the whole electron module, ipcRenderer included,")
        if v.data == "ipcRenderer":
            return MemberKind("raw", True, True, detail="ipcRenderer")
        if v.data.startswith("ipcRenderer."):
            method = v.data.split(".", 1)[1]
            return MemberKind("raw-method", method in RAW_SEND, method in RAW_LISTEN, detail=v.data)
        return MemberKind("power", detail=f"electron.{v.data}")
    if v.kind == "external" and v.data[0] == TOOLKIT and v.data[1].startswith("electronAPI"):
        return MemberKind("raw", True, True, detail="electronAPI")
    if v.kind == "call":
        callee, args = v.data
        name = callee_name(callee)
        if name == "bind" and callee.kind == "member":
            inner = project.resolve(path, callee.data[0], scope).value
            return _raw(project, path, inner, scope) if inner.kind == "electron" else None
        if name == "assign" and callee.kind == "member" and callee.data[0].kind == "ref" \
                and callee.data[0].data == "Object":
            for a in args:
                inner = project.resolve(path, a, scope).value
                if inner.kind == "electron" and inner.data == "ipcRenderer":
                    return MemberKind("raw", True, True, detail="Object.assign from ipcRenderer")
    return None


STRING_METHODS = frozenset({"toString", "trim", "toLowerCase", "toUpperCase", "valueOf", "normalize"})


def _loose_channel(project: Project, path: str, f, scopes: set[int]) -> MemberKind | None:
    """Channels the page chooses in forms the wrapper summaries do not follow: a property of a
    parameter (`opts.channel`), a string conversion of one (`ch.toString()`, `String(ch)`), or
    `ipcRenderer.send.apply(ipcRenderer, arguments)`."""
    from ipclint.link.ipcops import RENDERER_METHODS
    for c in f.calls:
        if c.func not in scopes:
            continue
        op = project.ipc_ops.get((path, c.index))
        if op is not None and op.receiver == "ipcRenderer" and op.channel_arg < len(c.args):
            if _from_param(project, path, c, c.args[op.channel_arg], scopes) and not c.conds \
                    and not any(ex.func in scopes and ex.span < c.span for ex in f.exits):
                return MemberKind("generic", op.kind in ("send", "invoke"), op.kind == "on")
            continue
        callee = c.callee
        if callee.kind == "member" and callee.data[1] in ("apply", "call") and callee.data[0].kind == "member" \
                and callee.data[0].data[1] in RENDERER_METHODS:
            base = project.resolve(path, callee.data[0].data[0], c.func).value
            if base.kind == "electron" and base.data == "ipcRenderer" and any(
                    a.kind == "ref" and a.data == "arguments" or a.kind == "spread" for a in c.args[1:]) \
                    and not c.conds:
                method = callee.data[0].data[1]
                listen = RENDERER_METHODS[method] == "on"
                return MemberKind("generic", not listen, listen)
    return None


def _from_param(project: Project, path: str, c: Call, v: V, scopes: set[int]) -> bool:
    """A property or string conversion of a parameter of the exposed function itself."""
    converted = False
    for _ in range(4):
        if v.kind == "call":
            callee, args = v.data
            if callee.kind == "member" and callee.data[1] in STRING_METHODS:
                v, converted = callee.data[0], True
                continue
            if callee.kind == "ref" and callee.data == "String" and args:
                v, converted = args[0], True
                continue
            return False
        if v.kind == "member" and v.data[0].kind == "ref":
            hit = project.param_of(path, c.func, v.data[0].data)
            return hit is not None and hit[0] in scopes
        if v.kind == "ref":  # converted, or destructured: `({ channel, data }) => ...`
            hit = project.param_of(path, c.func, v.data)
            return hit is not None and hit[0] in scopes and (converted or bool(hit[1].path))
        return False
    return False


# ---- guards ---------------------------------------------------------------------------------

def _guard(project: Project, path: str, fid: int, w) -> frozenset[str] | None:
    """The channels an allowlist guard lets through before the wrapper's ipcRenderer call, or None
    when nothing stops a caller-supplied channel."""
    site_path, idx = w.site
    if site_path != path:
        return None
    f = project.files[path]
    call = f.calls[idx]
    param = _param_name(project, path, fid, w.channel_param)
    if param is None:
        return None
    for cond in call.conds:
        hit = _allows(project, path, cond, param, call.func)
        if hit is not None:
            return hit
    scopes = subtree(f, fid)
    for ex in f.exits:
        if ex.func in scopes and (ex.span.line, ex.span.column) < (call.span.line, call.span.column):
            hit = _allows_unless(project, path, ex.cond, param, ex.func)
            if hit is not None:
                return hit
    # `assertChannel(ch)` before the call: a project function that throws on other channels
    for c in f.calls:
        if c.func in scopes and c.span < call.span and _guard_helper(project, path, c, param, throws=True):
            return frozenset({"*unknown*"})
    return None


GUARD_PREFIXES = ("is", "assert", "check", "validate", "ensure", "verify", "allow", "can")


def _guard_helper(project: Project, path: str, c: Call, param: str, throws: bool) -> bool:
    """A call of a project function named like a check (`isAllowedChannel(ch)`, `assertChannel(ch)`)
    that takes the channel; asserting ones (throws=True) must throw somewhere in their body."""
    name = callee_name(c.callee) or ""
    if not name.startswith(("assert", "ensure", "validate", "check", "verify") if throws else GUARD_PREFIXES):
        return False
    if not any(_is(a, param) for a in c.args):
        return False
    target = project.function_of(path, c.callee, c.func)
    if target is None:
        return False
    if not throws:
        return True
    tf = project.files[target[0]]
    return any(ex.func in subtree(tf, target[1]) for ex in tf.exits)  # leaves early on some input


def _allows_unless(project: Project, path: str, cond: V, param: str, scope) -> frozenset[str] | None:
    """For an exit taken when ``cond`` holds: the channels that get past it (cond false)."""
    k = cond.kind
    if k == "not":
        return _allows(project, path, cond.data, param, scope)
    if k == "cmp" and cond.data[0] in ("!==", "!="):
        return _allows(project, path, Cmp(span=cond.span, op="===", left=cond.left, right=cond.right), param, scope)
    if k == "logic" and cond.data[0] == "&&":  # `ch !== 'a' && ch !== 'b'`: false when any side is
        sides = [_allows_unless(project, path, side, param, scope) for side in cond.data[1:]]
        return frozenset().union(*sides) if all(x is not None for x in sides) else None
    if k == "logic" and cond.data[0] == "||":  # `!ok(ch) || other`: false only when every side is
        for side in cond.data[1:]:
            hit = _allows_unless(project, path, side, param, scope)
            if hit is not None:
                return hit
    return None


def _param_name(project: Project, path: str, fid: int, index: int) -> str | None:
    fn = project.files[path].functions[fid]
    return next((p.name for p in fn.params if p.index == index and not p.path), None)


def _is(v: V, name: str) -> bool:
    return v.kind == "ref" and v.data == name


def _allows(project: Project, path: str, cond: V, param: str, scope) -> frozenset[str] | None:
    """If ``cond`` holding means the channel ``param`` is allowlisted, the allowed channels."""
    k = cond.kind
    if k == "not":  # `else` of a check, `!bad(ch) ? call : ...`
        return _allows_unless(project, path, cond.data, param, scope)
    if k == "logic" and cond.data[0] == "||":
        sides = [_allows(project, path, side, param, scope) for side in cond.data[1:]]
        return frozenset().union(*sides) if all(x is not None for x in sides) else None
    if k == "logic" and cond.data[0] == "&&":
        for side in cond.data[1:]:
            hit = _allows(project, path, side, param, scope)
            if hit is not None:
                return hit
        return None
    if k == "call" and _guard_helper(project, path, _as_call(cond, scope), param, throws=False):
        return frozenset({"*unknown*"})  # `if (!isAllowedChannel(ch)) throw ...`
    if k == "call":
        callee, args = cond.data
        name = callee_name(callee)
        if name in ("includes", "has") and callee.kind == "member" and args and _is(args[0], param):
            return _collection(project, path, callee.data[0], scope) or frozenset({"*unknown*"})
        if name == "startsWith" and callee.kind == "member" and _is(callee.data[0], param) and args:
            prefix = project.channel(path, args[0], scope)
            return frozenset({prefix + "*"}) if prefix else None
        if name in ("test", "match") and callee.kind == "member" and args and _is(args[0], param):
            return frozenset({"*unknown*"})
    if k == "cmp":
        op, left, right = cond.data
        if op == "in" and _is(left, param):
            r = project.resolve(path, right, scope).value
            keys = frozenset(p.key for p in r.data if p.key) if r.kind == "obj" else frozenset()
            return keys or frozenset({"*unknown*"})
        if op in ("===", "=="):
            other = right if _is(left, param) else left if _is(right, param) else None
            value = project.channel(path, other, scope) if other is not None else None
            return frozenset({value}) if value is not None else None
    if k == "case" and _is(cond.data[0], param):
        values = [project.channel(path, c, scope) for c in cond.data[1]]
        return frozenset(x for x in values if x is not None) or frozenset({"*unknown*"})
    return None


def _as_call(v: V, scope) -> Call:
    return Call(-1, v.data[0], tuple(v.data[1]), v.span, scope)


def _collection(project: Project, path: str, v: V, scope) -> frozenset[str] | None:
    r = project.resolve(path, v, scope)
    x = r.value
    if x.kind == "call" and callee_name(x.data[0]) in ("values", "keys") and x.data[1]:
        how = callee_name(x.data[0])
        inner = project.resolve(r.path, x.data[1][0], r.scope)
        if inner.value.kind == "obj":
            return frozenset(p.key for p in inner.value.data if p.key) if how == "keys" else frozenset(
                s for p in inner.value.data for s in [project.channel(inner.path, p.value, inner.scope)] if s)
    if x.kind == "new" and callee_name(x.data[0]) == "Set" and x.data[1]:
        return _collection(project, r.path, x.data[1][0], r.scope)
    if x.kind == "arr":
        out = [project.channel(r.path, item, r.scope) for item in x.data]
        return frozenset(s for s in out if s is not None)
    return None


# ---- the model as data ----------------------------------------------------------------------

def members(project: Project):
    """(exposure, member, kind) for every exposed leaf, in source order."""
    for exp in project.exposures:
        for m in exposed_members(project, exp):
            yield exp, m, classify_member(project, m, project.wrappers)


def member_calls(project: Project, m: ExposedMember) -> list[Call]:
    """IPC calls inside an exposed function (and the functions nested in it)."""
    v = m.value.value
    if v.kind != "fn":
        return []
    f = project.files[m.value.path]
    scopes = subtree(f, v.data)
    return [f.calls[i] for (p, i) in project.ipc_ops if p == m.value.path and f.calls[i].func in scopes]


def exposure_model(project: Project) -> list[dict]:
    out = []
    for exp, m, kind in members(project):
        channels = sorted({e.channel for e in project.graph.edges
                           if e.channel and e.path == m.value.path and any(
                               c.index == e.call for c in member_calls(project, m))})
        out.append({"key": ".".join((exp.key, *m.keypath)), "path": m.where[0], "line": m.where[1].line,
                    "column": m.where[1].column, "kind": kind.kind, "channels": channels,
                    "guarded": kind.guarded, "allowlist": sorted(kind.allowlist),
                    "detail": kind.detail, "mode": exp.mode})
    return out

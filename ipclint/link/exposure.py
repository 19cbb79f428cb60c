"""The exposure model: what each exposed bridge member is, shared by the graph and the rules.

Every leaf of a value given to `contextBridge.exposeInMainWorld` (or assigned onto `window` in a
preload) is one of: raw (the ipcRenderer object, `electronAPI`), raw-method (`ipcRenderer.send`,
bound or not), generic (a function that passes a caller-supplied channel to ipcRenderer, with or
without an allowlist guard), fixed (a function with fixed channels), power (Node or Electron
powers), function or value.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypedDict

from ipclint.link.allowlists import is_string, plain_object, weak_check, weak_regex
from ipclint.link.bridge import TOOLKIT, ExposedMember, Exposure, exposed_members
from ipclint.link.handlers import derived, pure_family
from ipclint.link.project import Project
from ipclint.link.vutil import binds, callee_name, subtree
from ipclint.link.wrappers import WrapperOp, wrapper_callee
from ipclint.model.facts import Call, FileFacts, Flow
from ipclint.model.values import (
    AnyV,
    Arr,
    CallExpr,
    Case,
    Cmp,
    Electron,
    External,
    Fn,
    Index,
    Logic,
    Member,
    NewExpr,
    Not,
    Obj,
    Ref,
    Spread,
)

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


Wrappers = dict[tuple[str, int], list[WrapperOp]]


def classify_member(project: Project, member: ExposedMember, wrappers: Wrappers) -> MemberKind:
    where = member.value
    v = where.value
    if isinstance(v, Spread) and v.inner is not None:
        where = project.resolve(where.path, v.inner, where.scope)
        v = where.value
    raw = _raw(project, where.path, v, where.scope)
    if raw is not None:
        return raw
    path, bound = where.path, 0
    if isinstance(v, Fn):
        fid = v.fid
    else:  # `send: this.send.bind(this)`, `invoke: invoke.bind(null)`: the function it binds
        target = project.function_of(path, v, where.scope) if binds(v) else None
        if target is None:
            return MemberKind("value")
        (path, fid), bound = target, project.bound_arguments(path, v, where.scope)
    # (a channel that `.bind` fixes, `send.bind(null, CH)`, is not the caller's)
    ops = [w for w in wrappers.get((path, fid), ()) if w.op.receiver == "ipcRenderer"
           and w.channel_param is not None and w.channel_param >= bound]
    if ops:
        guards = [_namespace(w) or _guard(project, path, fid, w) for w in ops]
        allow = frozenset(c for g in guards if g is not None for c in g)
        return MemberKind("generic", any(w.op.kind in ("send", "invoke") for w in ops),
                          any(w.op.kind == "on" for w in ops),  # removing listens to nothing
                          guarded=all(g is not None for g in guards), allowlist=allow)
    f = project.files[path]
    scopes = subtree(f, fid)
    loose = _loose_channel(project, path, f, scopes) if not bound else None
    if loose is not None:
        return loose
    if not project.ipc_funcs(path).isdisjoint(scopes):
        return MemberKind("fixed")
    return MemberKind("function")


def _raw(project: Project, path: str, v: AnyV, scope: int | None) -> MemberKind | None:
    if isinstance(v, Electron):
        if v.api == "*":  # `exposeInMainWorld('electron', require('electron'))`
            return MemberKind("raw", True, True, detail="the whole electron module, ipcRenderer included,")
        if v.api == "ipcRenderer":
            return MemberKind("raw", True, True, detail="ipcRenderer")
        if v.api.startswith("ipcRenderer."):
            method = v.api.split(".", 1)[1]
            return MemberKind("raw-method", method in RAW_SEND, method in RAW_LISTEN, detail=v.api)
        return MemberKind("power", detail=f"electron.{v.api}")
    if isinstance(v, External) and v.src == TOOLKIT and v.name.startswith("electronAPI"):
        return MemberKind("raw", True, True, detail="electronAPI")
    match v:
        case CallExpr(callee=Member(obj=obj, prop="bind")):
            inner = project.resolve(path, obj, scope).value
            return _raw(project, path, inner, scope) if isinstance(inner, Electron) else None
        case CallExpr(callee=Member(obj=Ref(name="Object"), prop="assign"), args=args):
            for a in args:
                inner = project.resolve(path, a, scope).value
                if isinstance(inner, Electron) and inner.api == "ipcRenderer":
                    return MemberKind("raw", True, True, detail="Object.assign from ipcRenderer")
    return None


STRING_METHODS = frozenset({"toString", "trim", "toLowerCase", "toUpperCase", "valueOf", "normalize"})


def _loose_channel(project: Project, path: str, f: FileFacts, scopes: set[int]) -> MemberKind | None:
    """Channels the page chooses in forms the wrapper summaries do not follow: a property of a
    parameter (`opts.channel`), a string conversion of one (`ch.toString()`, `String(ch)`), or
    `ipcRenderer.send.apply(ipcRenderer, arguments)`."""
    for c in project.calls_within(path, scopes):  # (not every call of the file, for each member)
        op = project.ipc_ops.get((path, c.index))
        if op is not None and op.receiver == "ipcRenderer" and op.channel_arg < len(c.args):
            if _from_param(project, path, c, c.args[op.channel_arg], scopes, op.kind in ("on", "remove")) \
                    and not c.conds \
                    and not any(ex.func in scopes and ex.span < c.span for ex in f.exits):
                return MemberKind("generic", op.kind in ("send", "invoke"), op.kind == "on")
        # `emit: (ch, ...a) => ipcRenderer.emit(ch, ...a)`: the page fakes main's messages to the
        # preload's own listeners (no IPC, so no edge: neither a send nor a listen path); without
        # such a listener it only reaches callbacks the page registered itself
        if isinstance(c.callee, Member) and c.callee.prop == "emit" and c.args and not c.conds \
                and _own_listener(project, path) \
                and project.electron_api(path, c.callee.obj, c.func) == "ipcRenderer" \
                and isinstance(c.args[0], Ref) and (hit := project.param_of(path, c.func, c.args[0].name)) is not None \
                and hit[0] in scopes and not any(ex.func in scopes and ex.span < c.span for ex in f.exits):
            return MemberKind("generic", False, False)
    return None


def _own_listener(project: Project, path: str) -> bool:
    """The preload registers an ipcRenderer listener of its own when it loads (at top level)."""
    f = project.files[path]
    return any(p == path and op.kind == "on" and op.receiver == "ipcRenderer" and f.calls[i].func is None
               for (p, i), op in project.ipc_ops.items())


def _from_param(project: Project, path: str, c: Call, v: AnyV, scopes: set[int], keyed: bool = False) -> bool:
    """A property or string conversion of a parameter of the exposed function itself. ``keyed``:
    the channel is an event name of ipcRenderer's EventEmitter side (on, once, removeListener,
    removeAllListeners), which converts it to a property key: `removeAllListeners([ch])` is
    `removeAllListeners(ch)`."""
    converted = False
    for _ in range(4):
        match v:
            case Arr(items=(item,)) if keyed and type(item) is not Spread:
                v, converted = item, True
            case Spread(inner=Ref(name="arguments")):  # `send.apply(ipcRenderer, arguments)`: `send(...arguments)`
                return True
            case CallExpr(callee=Member(obj=obj, prop=prop)) if prop in STRING_METHODS:
                v, converted = obj, True
            case CallExpr(callee=Ref(name="String"), args=(first, *_)):
                v, converted = first, True
            case Member(obj=Ref(name=name)):
                hit = project.param_of(path, c.func, name)
                return hit is not None and hit[0] in scopes
            case Ref(name=name):  # converted, or destructured: `({ channel, data }) => ...`
                hit = project.param_of(path, c.func, name)
                return hit is not None and hit[0] in scopes and (converted or bool(hit[1].path))
            case _:
                return False
    return False


# ---- guards ---------------------------------------------------------------------------------

def _namespace(w: WrapperOp) -> frozenset[str] | None:
    """A channel the caller only completes (`` `on-upload-complete-${id}` ``, `'progress:' + id`,
    here or in a helper it passes the id to): a fixed prefix keeps it in a namespace, as a
    `ch.startsWith('progress:')` guard does."""
    return frozenset({w.channel_prefix + "*"}) if w.channel_derived and w.channel_prefix else None


def _guard(project: Project, path: str, fid: int, w: WrapperOp) -> frozenset[str] | None:
    """The channels an allowlist guard lets through before the wrapper's ipcRenderer call, or None
    when nothing stops a caller-supplied channel."""
    f = project.files[path]
    param = _param_name(project, path, fid, w.channel_param) if w.channel_param is not None else None
    if param is None:
        return None
    scopes = subtree(f, fid)
    site_path, idx = w.site
    if site_path == path and f.calls[idx].func in scopes:
        return _guard_at(project, path, fid, f, scopes, f.calls[idx], w.op.channel_arg, param)
    if not w.chain:
        return None
    # through another wrapper (`onMenu: (ch, cb) => { if (!ok(ch)) throw ...; return listen(ch, cb) }`):
    # the guard must come before each call of that wrapper that passes the channel on
    found: list[frozenset[str] | None] = []
    for c in project.calls_within(path, scopes):
        if wrapper_callee(project, path, c) != w.chain[0]:
            continue
        for i, a in enumerate(c.args):
            if isinstance(a, Ref) and a.name == param:
                found.append(_guard_at(project, path, fid, f, scopes, c, i, param))
    if not found or any(g is None for g in found):
        return None
    return frozenset(x for g in found if g is not None for x in g)


def _guard_at(project: Project, path: str, fid: int, f: FileFacts, scopes: set[int], call: Call,
              channel_arg: int, param: str) -> frozenset[str] | None:
    """``_guard`` for one call in the exposed function that takes the channel as argument
    ``channel_arg``: the ipcRenderer call itself, or a call of the wrapper that makes it."""
    flow = project.flow(path, fid)
    if flow is not None and call.func in scopes:
        found = _flow_guard(project, path, flow, call, channel_arg, param, fid)
        if not isinstance(found, _NotFound):
            return found
    for cond in call.conds:
        hit = _allows(project, path, cond, param, call.func)
        if hit is not None:
            return hit
    for ex in f.exits:
        if ex.func in scopes and (ex.span.line, ex.span.column) < (call.span.line, call.span.column):
            hit = _allows_unless(project, path, ex.cond, param, ex.func)
            if hit is not None:
                return hit
    # `assertChannel(ch)` before the call: a project function that throws on other channels
    for c in f.calls:
        if c.func in scopes and c.span < call.span and _guard_helper(project, path, c, param, throws=True):
            return _helper_allows(project, path, c, param)
    return None


class _NotFound:
    pass


_NOT_FOUND = _NotFound()


def _flow_guard(project: Project, path: str, flow: Flow, call: Call, channel_arg: int, param: str,
                fid: int) -> frozenset[str] | None | _NotFound:
    """The guard on the path to the call, from the function's parameter flow: the checks whose
    passing side the channel's read sits on (also from a nested function defined there, such as
    a returned remover), guard variables and asserting helpers. _NOT_FOUND when the flow did not
    record the read."""
    names = pure_family(flow, param)
    occs = [o for o in flow.occs if o.name in names and o.role == "arg" and o.into == call.span
            and o.arg == channel_arg]
    if not occs:
        return _NOT_FOUND
    found: list[frozenset[str] | None] = []
    for occ in occs:
        hit: frozenset[str] | None = None
        for i in occ.dom:
            hit = _site_allows(project, path, flow, i, names, fid)
            if hit is not None:
                break
        if hit is None:
            for cond in call.conds:  # the cases of a switch over the channel
                if isinstance(cond, Case):
                    hit = _allows(project, path, cond, param, call.func)
                    if hit is not None:
                        break
        if hit is None:
            for i in occ.held:  # `assertChannel(ch);` that throws on other channels
                c = project.call_at(path, flow.sites[i].span)
                if c is not None and _guard_helper(project, path, c, param, throws=True):
                    hit = _helper_allows(project, path, c, param)
                    break
        found.append(hit)
    if any(h is None for h in found):
        return None
    return frozenset(c for h in found if h is not None for c in h)


def _site_allows(project: Project, path: str, flow: Flow, i: int, names: set[str],
                 scope: int) -> frozenset[str] | None:
    """The channels a passed site lets through, or None when it restricts nothing."""
    s = flow.sites[i]
    if s.kind == "call":
        c = project.call_at(path, s.span)
        for n in names:
            if c is not None and _guard_helper(project, path, c, n, throws=False):
                return _helper_allows(project, path, c, n)
        return None
    if s.kind not in ("check", "lookup") or weak_check(project, path, scope, s, frozenset(names)) is not None:
        return None
    v = s.value
    if isinstance(v, Ref) and v.name in names:  # the subject of a switch the read passed
        for ex in project.files[path].exits:
            if isinstance(ex.cond, Not) and isinstance(ex.cond.inner, Case) and _is(ex.cond.inner.subject, v.name) \
                    and ex.span.line <= s.span.line <= ex.span.end_line:
                return _allows(project, path, ex.cond.inner, v.name, scope)
        return frozenset({"*unknown*"})
    for n in names:
        match s.atom, v:
            case Cmp(), CallExpr(callee=Member(obj=recv, prop="indexOf" | "lastIndexOf"), args=(key, *_)) \
                    if _is(key, n):  # `LIST.indexOf(ch) !== -1`: the site passed, so it was found
                return _collection(project, path, recv, scope) or frozenset({"*unknown*"})
            case _, Cmp(op="!==" | "!="):
                hit = _cmp_allows(project, path, Cmp(span=v.span, op="===", left=v.left, right=v.right), n, scope)
            case _, Cmp():
                hit = _cmp_allows(project, path, v, n, scope)
            case _, CallExpr():
                hit = _call_allows(project, path, v, n, scope)
            case _, Index(obj=obj, index=key) if _is(key, n):
                r = project.resolve(path, obj, scope).value
                hit = frozenset(p.key for p in r.props if p.key) if isinstance(r, Obj) else frozenset({"*unknown*"})
            case _:
                hit = None
        if hit is not None:
            return hit
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
    if target is None or _weak_helper(project, c, param, target):
        return False
    if not throws:
        return True
    tf = project.files[target[0]]
    return any(ex.func in subtree(tf, target[1]) for ex in tf.exits)  # leaves early on some input


def _helper_allows(project: Project, path: str, c: Call, param: str) -> frozenset[str]:
    """The channels a guard helper lets through (`assertChannel(ch)` that throws unless
    `ALLOWED.has(ch)`, `isAllowed(ch)` that returns `LIST.includes(ch)`), read from its own body:
    its early exits and its returned test of the parameter; `*unknown*` when they say nothing."""
    unknown = frozenset({"*unknown*"})
    target = project.function_of(path, c.callee, c.func)
    reading = project.memo.helpers_read  # (helpers that call helpers: two levels deep, then unknown)
    if target is None or len(reading) >= 2 or target in reading:
        return unknown
    tpath, tfid = target
    tf = project.files[tpath]
    indexes = [i for i, a in enumerate(c.args) if _is(a, param)]
    hparam = next((p.name for p in tf.functions[tfid].params if p.index in indexes and not p.path), None)
    if hparam is None:
        return unknown
    reading.append(target)
    try:
        inside = subtree(tf, tfid)
        found: set[str] = set()
        for ex in tf.exits:
            if ex.func in inside and ex.cond is not None:
                hit = _allows_unless(project, tpath, ex.cond, hparam, ex.func)
                if hit is not None:
                    found |= hit
        if not found:
            for r in tf.functions[tfid].returns[:8]:
                hit = _allows(project, tpath, r, hparam, tfid)
                if hit is not None:
                    found |= hit
        return frozenset(found) or unknown
    finally:
        reading.pop()


def _weak_helper(project: Project, c: Call, param: str, target: tuple[str, int]) -> bool:
    """The helper's every test of the channel is a weak allowlist (IPC018): no guard."""
    fn = project.files[target[0]].functions[target[1]]
    flow = project.flow(target[0], target[1])
    if flow is None:
        return False
    indexes = [i for i, a in enumerate(c.args) if _is(a, param)]
    params = [p.name for p in fn.params if p.index in indexes and not p.path]
    names = derived(flow, params)
    tests = [flow.sites[g.site] for g in flow.gates if names.intersection(flow.sites[g.site].names)]
    return bool(tests) and all(weak_check(project, target[0], target[1], t, frozenset(names)) is not None
                               for t in tests)


def _allows_unless(project: Project, path: str, cond: AnyV, param: str, scope: int | None) -> frozenset[str] | None:
    """For an exit taken when ``cond`` holds: the channels that get past it (cond false)."""
    match cond:
        case Not(inner=inner):
            return _allows(project, path, inner, param, scope)
        case Cmp(op="!==" | "!="):
            return _allows(project, path, Cmp(span=cond.span, op="===", left=cond.left, right=cond.right), param, scope)
        case Logic(op="&&"):  # `ch !== 'a' && ch !== 'b'`: false when any side is
            return _every_side([_allows_unless(project, path, side, param, scope) for side in (cond.left, cond.right)])
        case Logic(op="||"):  # `!ok(ch) || other`: false only when every side is
            for side in (cond.left, cond.right):
                hit = _allows_unless(project, path, side, param, scope)
                if hit is not None:
                    return hit
    return None


def _every_side(sides: list[frozenset[str] | None]) -> frozenset[str] | None:
    """Channels allowed through sides that each allow some: all of them; None when one allows any."""
    known = [s for s in sides if s is not None]
    return frozenset(c for s in known for c in s) if len(known) == len(sides) else None


def _param_name(project: Project, path: str, fid: int, index: int) -> str | None:
    fn = project.files[path].functions[fid]
    return next((p.name for p in fn.params if p.index == index and not p.path), None)


def _is(v: AnyV, name: str) -> bool:
    return isinstance(v, Ref) and v.name == name


def _allows(project: Project, path: str, cond: AnyV, param: str, scope: int | None) -> frozenset[str] | None:
    """If ``cond`` holding means the channel ``param`` is allowlisted, the allowed channels."""
    match cond:
        case Not(inner=inner):  # `else` of a check, `!bad(ch) ? call : ...`
            return _allows_unless(project, path, inner, param, scope)
        case Logic(op="||"):
            return _every_side([_allows(project, path, side, param, scope) for side in (cond.left, cond.right)])
        case Logic(op="&&"):
            for side in (cond.left, cond.right):
                hit = _allows(project, path, side, param, scope)
                if hit is not None:
                    return hit
        case CallExpr():
            return _call_allows(project, path, cond, param, scope)
        case Cmp():
            return _cmp_allows(project, path, cond, param, scope)
        case Case(subject=subject, values=values) if _is(subject, param):
            channels = [project.channel(path, c, scope) for c in values]
            return frozenset(x for x in channels if x is not None) or frozenset({"*unknown*"})
    return None


def _call_allows(project: Project, path: str, cond: CallExpr, param: str, scope: int | None) -> frozenset[str] | None:
    """`isAllowedChannel(ch)`, `ALLOWED.includes(ch)`, `ch.startsWith('app:')`, `/re/.test(ch)`."""
    c = _as_call(cond, scope)
    if _guard_helper(project, path, c, param, throws=False):
        return _helper_allows(project, path, c, param)  # `if (!isAllowedChannel(ch)) throw ...`
    callee, args = cond.callee, cond.args
    if not isinstance(callee, Member):
        return None
    if callee.prop in ("includes", "has") and args and _is(args[0], param):
        if is_string(project, path, callee.obj, scope):
            return None  # `'a b'.includes(ch)`: any part of the string passes (IPC018)
        return _collection(project, path, callee.obj, scope) or frozenset({"*unknown*"})
    if callee.prop == "startsWith" and _is(callee.obj, param) and args:
        prefix = project.channel(path, args[0], scope)
        return frozenset({prefix + "*"}) if prefix else None
    if callee.prop == "test" and args and _is(args[0], param):
        return None if weak_regex(project, path, callee.obj, scope) else frozenset({"*unknown*"})
    if callee.prop == "match" and args and _is(callee.obj, param):
        return None if weak_regex(project, path, args[0], scope) else frozenset({"*unknown*"})
    return None


def _cmp_allows(project: Project, path: str, cond: Cmp, param: str, scope: int | None) -> frozenset[str] | None:
    """`ch in MAP`, `ch === 'a'`."""
    op, left, right = cond.op, cond.left, cond.right
    if op == "in" and _is(left, param):
        if plain_object(project, path, right, scope):
            return None  # inherited keys pass (IPC018)
        r = project.resolve(path, right, scope).value
        keys = frozenset(p.key for p in r.props if p.key) if isinstance(r, Obj) else frozenset()
        return keys or frozenset({"*unknown*"})
    if op in ("===", "=="):
        other = right if _is(left, param) else left if _is(right, param) else None
        value = project.channel(path, other, scope) if other is not None else None
        return frozenset({value}) if value is not None else None
    return None


def _as_call(v: CallExpr, scope: int | None) -> Call:
    return Call(-1, v.callee, tuple(v.args), v.span, scope)


def _collection(project: Project, path: str, v: AnyV, scope: int | None, depth: int = 0) -> frozenset[str] | None:
    if depth > 8:
        return None
    r = project.resolve(path, v, scope)
    x = r.value
    if isinstance(x, CallExpr) and callee_name(x.callee) in ("values", "keys") and x.args:
        how = callee_name(x.callee)
        inner = project.resolve(r.path, x.args[0], r.scope)
        if isinstance(inner.value, Obj):
            props = inner.value.props
            return frozenset(p.key for p in props if p.key) if how == "keys" else frozenset(
                s for p in props for s in [project.channel(inner.path, p.value, inner.scope)] if s)
    if isinstance(x, NewExpr) and callee_name(x.callee) == "Set" and x.args:
        return _collection(project, r.path, x.args[0], r.scope, depth + 1)
    if isinstance(x, Arr):
        found: set[str] = set()
        for item in x.items:
            if isinstance(item, Spread) and item.inner is not None:  # `[...Object.values(C), ...EXTRA]`
                part = _collection(project, r.path, item.inner, r.scope, depth + 1)
                if part is None:
                    return None
                found |= part
            elif (ch := project.channel(r.path, item, r.scope)) is not None:
                found.add(ch)
        return frozenset(found)
    return None


# ---- the model as data ----------------------------------------------------------------------

def members(project: Project) -> Iterator[tuple[Exposure, ExposedMember, MemberKind]]:
    """(exposure, member, kind) for every exposed leaf, in source order. Once linking is done,
    read once for the run (five rules and the graph view ask; a preload exposing thousands of
    functions classified each of them five times)."""
    if not project.frozen:
        return _members(project)
    if project.memo.members is None:
        project.memo.members = list(_members(project))
    return iter(project.memo.members)


def _members(project: Project) -> Iterator[tuple[Exposure, ExposedMember, MemberKind]]:
    for exp in project.exposures:
        for m in exposed_members(project, exp):
            yield exp, m, classify_member(project, m, project.wrappers)


def member_calls(project: Project, m: ExposedMember) -> list[Call]:
    """IPC calls inside an exposed function (and the functions nested in it), in file order: of
    the calls of those functions (``Project.calls_under``), not of every IPC call of the file for
    each member."""
    v = m.value.value
    if not isinstance(v, Fn):
        return []
    path, ops = m.value.path, project.ipc_ops
    return [c for c in project.calls_under(path, v.fid) if (path, c.index) in ops]


class ExposureRecord(TypedDict):
    """One exposed leaf as the graph view shows it."""

    key: str
    path: str
    line: int
    column: int
    kind: str
    channels: list[str]
    guarded: bool
    allowlist: list[str]
    detail: str
    mode: str


def exposure_model(project: Project) -> list[ExposureRecord]:
    out: list[ExposureRecord] = []
    channels_at: dict[tuple[str, int], set[str]] = {}  # (path, call index) -> channels of its edges
    for e in project.graph.edges:
        if e.channel:
            channels_at.setdefault((e.path, e.call), set()).add(e.channel)
    for exp, m, kind in members(project):
        channels = sorted({ch for c in member_calls(project, m)
                           for ch in channels_at.get((m.value.path, c.index), ())})
        out.append({"key": m.name, "path": m.where[0], "line": m.where[1].line,
                    "column": m.where[1].column, "kind": kind.kind, "channels": channels,
                    "guarded": kind.guarded, "allowlist": sorted(kind.allowlist),
                    "detail": kind.detail, "mode": exp.mode})
    return out

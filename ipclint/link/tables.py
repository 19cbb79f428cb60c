"""Tables of channels and handlers (SPEC section 2, second edition): a loop over a constant table
registers or sends every entry.

`for (const [ch, fn] of Object.entries(HANDLERS)) ipcMain.handle(ch, fn)` registers each channel
with its own function; `for (const k of KEYS) api[k] = (...a) => ipcRenderer.invoke(C[k], ...a)`
sends on each value of `C`; `` LIST.forEach((op) => ipcMain.handle(`todo:${op}`, ...)) `` on each
name the template makes. The loop variable is found where the channel expression names it (a
`for...of`/`for...in` variable, destructured or not, or the first parameter of a `forEach`/`map`
callback), the table is resolved as a constant, and the expression is evaluated once per entry.
"""
from __future__ import annotations

from dataclasses import dataclass

from ipclint.link.modules import Where
from ipclint.link.project import Project
from ipclint.model.span import Span
from ipclint.model.values import (
    AnyV,
    Arr,
    CallExpr,
    Concat,
    Index,
    Iter,
    Member,
    ModObj,
    Num,
    Obj,
    ParamRef,
    Ref,
    Spread,
    Str,
    Tpl,
    walk,
)

MAX_ENTRIES = 2048
ITERATING = frozenset({"forEach", "map", "flatMap"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One element of a table: a key (`Object.keys`, `for...in`), a value (arrays,
    `Object.values`), or both (`Object.entries`: the element is the pair)."""

    key: str | None
    value: Where | None
    pair: bool = False


@dataclass(frozen=True, slots=True)
class LoopVar:
    loop: tuple[str, int, int]  # what identifies the loop: (path, line, column) of its source
    source: Where  # the table iterated
    how: str  # "of" (elements) or "in" (keys)
    path: tuple[str, ...]  # the part of the element the name is bound to (`[ch, fn]`: "0", "1")


Env = dict[str, LoopVar]


def loop_entries(project: Project, path: str, scope: int | None, channel: AnyV,
                 handler: AnyV | None) -> list[tuple[str, Where | None]] | None:
    """Each (channel, handler) a call makes when its channel expression depends on the variable
    of a loop over a constant table; the handler is None unless it depends on the loop too.
    None when the channel does not depend on such a loop or some entry cannot be evaluated."""
    env = _loop_vars(project, path, scope, channel)
    if not env:
        return None
    loops = {v.loop for v in env.values()}
    if len(loops) != 1:
        return None
    first = next(iter(env.values()))
    entries = _entries(project, first.source, first.how)
    if not entries:
        return None
    if handler is not None:
        env.update(_loop_vars(project, path, scope, handler, only=loops))
    uses_loop = handler is not None and any(isinstance(x, Ref) and x.name in env for x in walk(handler))
    out: list[tuple[str, Where | None]] = []
    for entry in entries:
        ch = _text(project, Where(path, channel, scope), env, entry)
        if ch is None:
            return None
        fn = _where(project, Where(path, handler, scope), env, entry) if uses_loop and handler is not None else None
        out.append((ch, fn))
    return out


def open_loop(project: Project, path: str, scope: int | None, channel: AnyV) -> bool:
    """The loop whose entries ``loop_entries`` gave walks a CommonJS module's exports object: its
    entries are known, but other modules can add more (`require('./handlers').extra = fn`), so
    the call also stays a dynamic edge (no IPC010 for a channel missing from the table)."""
    env = _loop_vars(project, path, scope, channel)
    if not env:
        return False
    source = next(iter(env.values())).source
    r = project.resolve(source.path, source.value, source.scope)
    v = r.value
    if isinstance(v, CallExpr) and isinstance(v.callee, Member) and isinstance(v.callee.obj, Ref) \
            and v.callee.obj.name == "Object" and v.callee.prop in ("keys", "values", "entries") and v.args:
        v = project.resolve(r.path, v.args[0], r.scope).value
    f = project.files.get(v.path) if isinstance(v, ModObj) else None
    return f is not None and "*" in f.exports


MAX_CALLED = 64


def loop_values(project: Project, path: str, scope: int | None, ref: Ref) -> list[Where] | None:
    """What a loop variable stands for in each entry of a loop over a constant table (`fn` in
    `Object.entries(HANDLERS).forEach(([ch, fn]) => ipcMain.handle(ch, (e, a) => fn(a)))`: each
    function of the table). None when the name is no such variable or some entry is unknown."""
    lv = _loop_var(project, path, scope, ref.name, ref.span)
    if lv is None:
        return None
    entries = _entries(project, lv.source, lv.how)
    if not entries or len(entries) > MAX_CALLED:
        return None
    out: list[Where] = []
    for entry in entries:
        hit = _element(project, lv, entry)
        if not isinstance(hit, Where):
            return None
        out.append(hit)
    return out


def _loop_vars(project: Project, path: str, scope: int | None, v: AnyV,
               only: set[tuple[str, int, int]] | None = None) -> Env:
    env: Env = {}
    for x in walk(v):
        if isinstance(x, Ref) and x.name not in env:
            lv = _loop_var(project, path, scope, x.name, x.span)
            if lv is not None and (only is None or lv.loop in only):
                env[x.name] = lv
    return env


def _loop_var(project: Project, path: str, scope: int | None, name: str,
              at: Span | None = None) -> LoopVar | None:
    """``at``: where the name is read (of two loops binding it in one function, the one around it)."""
    f = project.files[path]
    hit = project.param_of(path, scope, name)
    if hit is not None:
        fid, param = hit
        fn = f.functions[fid]
        if param.index != 0 or param.rest or fn.arg_of is None or fn.arg_index != 0:
            return None
        outer = f.calls[fn.arg_of]
        callee = outer.callee
        if not isinstance(callee, Member) or callee.prop not in ITERATING:
            return None
        src = Where(path, callee.obj, outer.func)
        return LoopVar((path, outer.span.line, outer.span.column), src, "of", param.path)
    v = f.lookup(scope, name)
    if f.loops and at is not None:
        for loop, bound in f.loops.get((_binding_scope(project, path, scope, name), name), ()):
            if (loop.line, loop.column) <= (at.line, at.column) \
                    and (at.end_line, at.end_column) <= (loop.end_line, loop.end_column):
                v = bound
                break
    keys: list[str] = []
    while isinstance(v, Member) and len(keys) < 8:
        keys.append(v.prop)
        v = v.obj
    if not isinstance(v, Iter):
        return None
    src_scope = _binding_scope(project, path, scope, name)
    return LoopVar((path, v.span.line, v.span.column), Where(path, v.source, src_scope), v.how, tuple(reversed(keys)))


def _binding_scope(project: Project, path: str, scope: int | None, name: str) -> int | None:
    f = project.files[path]
    for _ in range(256):
        if (scope, name) in f.bindings or scope is None:
            return scope
        scope = f.functions[scope].parent
    return None


def _entries(project: Project, source: Where, how: str) -> list[Entry] | None:
    """The elements a loop over ``source`` visits, when the table is a constant (or, for a table
    a function receives as a parameter, every table its callers pass)."""
    r = project.resolve(source.path, source.value, source.scope)
    v = r.value
    mode = "values" if how == "of" else "keys"
    tables = [r]
    if isinstance(v, CallExpr) and isinstance(v.callee, Member) and isinstance(v.callee.obj, Ref) \
            and v.callee.obj.name == "Object" and v.callee.prop in ("keys", "values", "entries") and v.args:
        mode = v.callee.prop
        r = project.resolve(r.path, v.args[0], r.scope)
        if isinstance(r.value, CallExpr):  # `const handlers = buildHandlers(deps)`
            r = _returned_table(project, r) or r
        tables = (_passed(project, r) or [r]) if isinstance(r.value, ParamRef) else [r]
    pairs: list[tuple[str, Where]] = []
    for r in tables:
        got = _pairs(project, r)
        if got is None:
            return None
        pairs += got
    if not 0 < len(pairs) <= MAX_ENTRIES:
        return None
    if mode == "keys":
        return [Entry(k, None) for k, _w in pairs]
    if mode == "entries":
        return [Entry(k, w, pair=True) for k, w in pairs]
    return [Entry(None, w) for _k, w in pairs]


def _pairs(project: Project, r: Where) -> list[tuple[str, Where]] | None:
    """The (key, element) pairs of one constant table; None when it is no such table."""
    v = r.value
    pairs: list[tuple[str, Where]] = []
    if isinstance(v, Arr):
        pairs = [(str(i), Where(r.path, item, r.scope)) for i, item in enumerate(v.items[:MAX_ENTRIES + 1])]
    elif isinstance(v, Obj):
        for p in v.props[:MAX_ENTRIES + 1]:
            key = p.key if p.key is not None else (
                project.channel(r.path, p.key_value, r.scope) if p.key_value is not None else None)
            if key is None or p.spread:
                return None
            pairs.append((key, Where(r.path, p.value, r.scope)))
    elif isinstance(v, ModObj):
        return _module_pairs(project, v.path)
    else:
        return None
    return pairs


def _module_pairs(project: Project, path: str) -> list[tuple[str, Where]] | None:
    """The entries of an ES module namespace (`import * as handlers from './handlers'`, then
    `Object.entries(handlers)`): its named exports; a namespace object is sealed, so they are
    all. A CommonJS module whose `module.exports` is an object literal (or a constant object)
    has that table's entries and the properties the file adds to it (`module.exports.x = ...`),
    though other modules may add more (``open_loop``); None for another CommonJS module and when
    a re-export (`export * from`) would add entries not known here."""
    f = project.files.get(path)
    if f is None or f.star_exports:
        return None
    whole = f.exports.get("*")
    if whole is not None:
        r = project.resolve(path, whole, None)
        pairs = _pairs(project, r) if isinstance(r.value, Obj) else None
        if pairs is None:
            return None
        known = {k for k, _w in pairs}
        pairs += [(name, Where(path, v, None)) for name, v in f.exports.items() if name != "*" and name not in known]
        return pairs[:MAX_ENTRIES + 1]
    types = f.types.decls if f.types is not None else {}
    # (an exported interface or type alias is no entry: it does not exist at run time)
    return [(name, Where(path, v, None)) for name, v in list(f.exports.items())[:MAX_ENTRIES + 1]
            if name not in types or (None, name) in f.bindings]


def module_entries(project: Project, path: str) -> list[tuple[str, Where]]:
    """The named entries of the project module ``path`` as an object (`const api =
    require('./api')`, `import * as api from './api'`): what ``_module_pairs`` finds, or none."""
    return _module_pairs(project, path) or []


def _passed(project: Project, at: Where) -> list[Where] | None:
    """The tables a function receives as a parameter (`function registerAll(handlers) {
    Object.entries(handlers).forEach(...) }`): what each of its calls passes, in its file by name
    or in the files that import it, a constant table or the one a project function returns
    (`registerAll(mainHandlers())`). None unless every call passes a table: a table left unknown
    would hide its channels."""
    param = at.value
    f = project.files.get(at.path)
    if not isinstance(param, ParamRef) or f is None or param.fid is None:
        return None
    if not f.functions[param.fid].name:
        return None
    passed = project.arguments_of(at.path, param.fid, param.name)
    if passed is None:
        return None
    out: list[Where] = []
    for w in passed:
        r = project.resolve(w.path, w.value, w.scope)
        if isinstance(r.value, CallExpr):
            r = _returned_table(project, r) or r
        if not isinstance(r.value, (Obj, Arr)):
            return None
        out.append(r)
    return out


def _returned_table(project: Project, call: Where) -> Where | None:
    """The one table literal a project function returns (`function handlers() { return {...} }`)."""
    assert isinstance(call.value, CallExpr)
    target = project.function_of(call.path, call.value.callee, call.scope)
    if target is None:
        return None
    fn = project.files[target[0]].functions[target[1]]
    if len(fn.returns) != 1:
        return None
    r = project.resolve(target[0], fn.returns[0], target[1])
    return r if isinstance(r.value, (Obj, Arr)) else None


def _element(project: Project, lv: LoopVar, entry: Entry) -> str | Where | None:
    """The part of an entry a loop variable is bound to."""
    cur: str | Where | None = entry.key if entry.value is None else entry.value
    keys = list(lv.path)
    if entry.pair:
        if not keys or keys[0] not in ("0", "1"):
            return None
        cur = entry.key if keys.pop(0) == "0" else entry.value
    for k in keys:
        if not isinstance(cur, Where):
            return None
        cur = _part(project, project.resolve(cur.path, cur.value, cur.scope), k)
    return cur


def _part(project: Project, cur: Where, key: str) -> Where | None:
    """A member of a table element; of an array literal by its index (`[ch, fn]` pairs)."""
    v = cur.value
    if type(v) is Arr:
        if not key.isdigit() or any(isinstance(x, Spread) for x in v.items[:int(key) + 1]):
            return None
        return Where(cur.path, v.items[int(key)], cur.scope) if int(key) < len(v.items) else None
    return project.member(cur, key)


def _where(project: Project, at: Where, env: Env, entry: Entry) -> Where | None:
    """The value an expression denotes for one entry (a table's function, `T[k]`)."""
    v = at.value
    if isinstance(v, Ref) and v.name in env:
        hit = _element(project, env[v.name], entry)
        return hit if isinstance(hit, Where) else None
    if isinstance(v, (Index, Member)) and _depends(v, env):
        obj = _where(project, Where(at.path, v.obj, at.scope), env, entry)
        key = _text(project, Where(at.path, v.index, at.scope), env, entry) if isinstance(v, Index) else v.prop
        if obj is None or key is None:
            return None
        return project.member(project.resolve(obj.path, obj.value, obj.scope), key)
    return at


def _text(project: Project, at: Where, env: Env, entry: Entry) -> str | None:
    """The string an expression has for one entry of the loop."""
    v = at.value
    if not _depends(v, env):
        return project.channel(at.path, v, at.scope)
    match v:
        case Ref(name=name) if name in env:
            hit = _element(project, env[name], entry)
            return hit if isinstance(hit, str) or hit is None else project.channel(hit.path, hit.value, hit.scope)
        case Tpl(parts=parts):
            out = []
            for part in parts:
                sub = part if isinstance(part, str) else _text(project, Where(at.path, part, at.scope), env, entry)
                if sub is None:
                    return None
                out.append(sub)
            return "".join(out)
        case Concat(left=left, right=right):
            a = _text(project, Where(at.path, left, at.scope), env, entry)
            b = _text(project, Where(at.path, right, at.scope), env, entry)
            return a + b if a is not None and b is not None else None
        case Index() | Member():
            w = _where(project, at, env, entry)
            return project.channel(w.path, w.value, w.scope) if w is not None else None
        case Str(value=s) | Num(value=s):
            return s
    return None


def _depends(v: AnyV, env: Env) -> bool:
    return any(isinstance(x, Ref) and x.name in env for x in walk(v))

"""Window option objects as Electron sees them: the entries of an options value in merge order,
followed through local and imported objects, `Object.freeze`, spreads, `Object.assign({}, base,
extra)` (and lodash-style merges), default exports, functions that build the options, and the
alternatives of a condition; a later entry that always applies overrides an earlier one."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.link.modules import Where
from ipclint.link.project import Project
from ipclint.model.span import Span
from ipclint.model.values import (
    AnyV,
    Bool,
    CallExpr,
    Cond,
    External,
    Index,
    Logic,
    Member,
    Null,
    Obj,
    ParamRef,
    Ref,
    Spread,
    Undef,
)

MAX_DEPTH = 8
MAX_ENTRIES = 512
MERGES = frozenset({"merge", "assign", "extend", "mergeWith", "deepmerge", "deepMerge", "defaultsDeep"})


@dataclass(frozen=True, slots=True)
class Setting:
    """One entry of an options object: its key, its value as written (with the place to resolve it),
    the file and span of the property, and whether it applies on every path (False for one
    alternative of a condition, `cond ? {...} : {...}`)."""

    key: str
    value: Where
    path: str
    span: Span
    sure: bool = True

    def resolved(self, project: Project) -> AnyV:
        return project.resolve(self.value.path, self.value.value, self.value.scope).value

    def flag(self, project: Project) -> bool | None:
        v = self.resolved(project)
        return v.value if isinstance(v, Bool) else None


@dataclass(frozen=True, slots=True)
class Options:
    """The effective entries of an options value, and whether every part of it is known (no spread
    or argument whose keys cannot be read): only then can an option be known to be missing."""

    settings: tuple[Setting, ...]
    known: bool
    parts: frozenset[tuple[str, Span]] = frozenset()  # the object literals it is made of

    def get(self, key: str) -> list[Setting]:
        return [s for s in self.settings if s.key == key]


_Item = tuple[Where, bool, int] | Setting


def entries(project: Project, where: Where, parts: set[tuple[str, Span]] | None = None
            ) -> tuple[list[Setting], bool]:
    """Every entry of an options value in merge order, and whether all its parts are known (the
    object literals it is made of are added to ``parts``)."""
    out: list[Setting] = []
    known = True
    stack: list[_Item] = [(where, True, 0)]
    while stack and len(out) < MAX_ENTRIES:
        item = stack.pop()
        if isinstance(item, Setting):
            out.append(item)
            continue
        cur, sure, depth = item
        if depth > MAX_DEPTH:
            known = False
            continue
        r = project.resolve(cur.path, cur.value, cur.scope)
        found = _parts(project, r, sure, depth)
        if found is None:
            found = _passed_member(project, cur, depth)
        if found is None:
            known = False
            continue
        if parts is not None and isinstance(r.value, Obj):
            parts.add((r.path, r.value.span))
        stack.extend(reversed(found))
    return out, known


def _parts(project: Project, r: Where, sure: bool, depth: int) -> list[_Item] | None:
    """What one resolved value contributes, in order; None when it is not known."""
    v = r.value
    match v:
        case Obj(props=props):
            items: list[_Item] = []
            for p in props:
                if p.spread:
                    if isinstance(p.value, Spread) and p.value.inner is not None:
                        items.append((Where(r.path, p.value.inner, r.scope), sure, depth + 1))
                elif p.key is not None:
                    items.append(Setting(p.key, Where(r.path, p.value, r.scope), r.path, p.span, sure))
            return items
        case Undef() | Null():
            return []
        case Cond(alts=alts):
            return [(Where(r.path, a, r.scope), False, depth + 1) for a in alts]
        case Logic(op="||" | "??", left=left, right=right):
            return [(Where(r.path, left, r.scope), False, depth + 1), (Where(r.path, right, r.scope), False, depth + 1)]
        case Logic(op="&&", right=right):
            return [(Where(r.path, right, r.scope), False, depth + 1)]
        case CallExpr(callee=callee, args=args):
            if _is_merge(project, r, callee):
                return [(Where(r.path, a, r.scope), sure, depth + 1) for a in args]
            return _built(project, r, callee, sure, depth)
        case ParamRef(fid=fid, name=name) if fid is not None:
            # `function make(prefs) { new BrowserWindow({ webPreferences: prefs }) }`: what each
            # call passes (an alternative each)
            passed = project.arguments_of(r.path, fid, name)
            if passed is not None:
                return [(w, False, depth + 1) for w in passed]
        case Index(obj=obj):
            # `PREFS_BY_MODE[mode]` with a key not known statically: any entry of the table
            # (an alternative each), or none (the key may be missing: not every part is known)
            table = project.resolve(r.path, obj, r.scope)
            if isinstance(table.value, Obj) and table.value.props \
                    and all(p.key is not None and not p.spread for p in table.value.props):
                return [(Where(table.path, p.value, table.scope), False, depth + 1) for p in table.value.props]
    return None


def _passed_member(project: Project, cur: Where, depth: int) -> list[_Item] | None:
    """`function make(name, options) { new BrowserWindow({ webPreferences: { ...options.webPreferences } }) }`:
    that member of what each call passes (an alternative each)."""
    v = cur.value
    if not isinstance(v, Member):
        return None
    param = project.resolve(cur.path, v.obj, cur.scope)
    if not isinstance(param.value, ParamRef) or param.value.fid is None:
        return None
    passed = project.arguments_of(param.path, param.value.fid, param.value.name)
    if passed is None:
        return None
    return [(Where(w.path, Member(span=v.span, text=v.text, obj=w.value, prop=v.prop), w.scope), False, depth + 1)
            for w in passed]


def _is_merge(project: Project, r: Where, callee: AnyV) -> bool:
    """`Object.assign(...)`, lodash `merge`/`assign`, `deepmerge(...)`."""
    match callee:
        case Member(obj=Ref(name="Object"), prop="assign"):
            return True
    target = project.resolve(r.path, callee, r.scope).value
    if isinstance(target, External):
        last = target.name.rsplit(".", 1)[-1]
        return last in MERGES or (last in ("*", "default") and target.src in ("deepmerge", "lodash.merge"))
    return False


def _built(project: Project, r: Where, callee: AnyV, sure: bool, depth: int) -> list[_Item] | None:
    """Options a project function returns: one return always applies, several are alternatives."""
    target = project.function_of(r.path, callee, r.scope)
    if target is None:
        return None
    path, fid = target
    returns = project.files[path].functions[fid].returns
    if not returns:
        return None
    one = sure and len(returns) == 1
    return [(Where(path, ret, fid), one, depth + 1) for ret in returns]


def effective(settings: list[Setting]) -> list[Setting]:
    """The entries not overridden: for each key, the last entry that always applies and any
    alternative after it."""
    last: dict[str, int] = {}
    for i, s in enumerate(settings):
        if s.sure:
            last[s.key] = i
    return [s for i, s in enumerate(settings) if i >= last.get(s.key, -1)]


def options(project: Project, where: Where) -> Options:
    parts: set[tuple[str, Span]] = set()
    found, known = entries(project, where, parts)
    return Options(tuple(effective(found)), known, frozenset(parts))


def webpreferences(project: Project, opts: Options) -> Options | None:
    """The effective webPreferences of window options (several alternatives merged), or None when
    the options set none."""
    values = opts.get("webPreferences")
    if not values:
        return None
    found: list[Setting] = []
    known = True
    parts: set[tuple[str, Span]] = set()
    for s in values:
        more, ok = entries(project, s.value, parts)
        known = known and ok
        found.extend(e if s.sure else Setting(e.key, e.value, e.path, e.span, False) for e in effective(more))
    return Options(tuple(effective(found)), known, frozenset(parts))


def props(project: Project, where: Where) -> Iterator[tuple[str, bool | None, str, Span]]:
    """(key, bool value or None, file, span) of the effective entries of an options object."""
    for s in options(project, where).settings:
        yield s.key, s.flag(project), s.path, s.span

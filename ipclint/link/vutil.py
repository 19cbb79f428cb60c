"""Walking static values and function subtrees: helpers shared by the data-flow rules."""
from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator

from ipclint.link.project import GLOBAL_OBJECTS, Project
from ipclint.model import values
from ipclint.model.facts import Call, FileFacts
from ipclint.model.values import AnyV, CallExpr, Cond, Global, Index, Iter, Logic, Member, Null, Obj, Ref, Undef, V

MAX_NODES = 2000
NOT_ENTERED: frozenset[type[V]] = frozenset({Iter})


def walk(v: AnyV | None, into_calls: bool = False) -> Iterator[AnyV]:
    """Every value below ``v`` (itself included), iteratively; calls and functions are not entered
    unless ``into_calls``. Unlike ``values.walk`` it does not enter what a loop variable iterates
    (``Iter.source``): the data-flow analyses built on it never did, and entering it would change
    what they find (the loop variable's list is not the variable)."""
    return values.walk(v, into_calls, MAX_NODES, skip=NOT_ENTERED)


def refs(v: AnyV | None, names: Collection[str]) -> list[Ref]:
    """References to any of ``names`` inside ``v`` (not inside nested calls or functions)."""
    return [x for x in walk(v) if isinstance(x, Ref) and x.name in names]


def mentions(v: AnyV | None, names: Collection[str]) -> bool:
    """Whether ``v`` refers to any of ``names`` anywhere below it, inside calls and functions too."""
    return any(isinstance(x, Ref) and x.name in names for x in walk(v, into_calls=True))


def binds(v: AnyV) -> bool:
    """`f.bind(...)` (also a utility library's `_.bind(f, ...)`)."""
    return isinstance(v, CallExpr) and isinstance(v.callee, Member) and v.callee.prop == "bind"


def root_name(v: AnyV) -> str | None:
    """`a` for `a.b.c`, `a[0].b`, `a`; None otherwise."""
    for _ in range(32):
        match v:
            case Ref(name=name):
                return name
            case Member(obj=obj) | Index(obj=obj):
                v = obj
            case _:
                return None
    return None


def plain_text(text: str) -> str:
    """A receiver's source text without optional chaining or non-null assertions (`win?.x`,
    `win!.x` -> `win.x`): how the texts an assignment targets and a call's receiver are compared."""
    return text.replace("?.", ".").replace("!.", ".")


def callee_name(v: AnyV) -> str | None:
    match v:
        case Ref(name=name):
            return name
        case Member(prop=prop):
            return prop
    return None


def channel_words(project: Project, path: str, call: Call, index: int = 0) -> str:
    """How a message names a call's channel: 'ch', or what kind of expression it is."""
    if index >= len(call.args):
        return "an unnamed channel"
    ch = project.channel(path, call.args[index], call.func)
    if ch is not None:
        return f"'{ch}'"
    v = call.args[index]
    if isinstance(v, Ref) and project.param_of(path, call.func, v.name) is not None:
        return f"the caller-supplied channel '{v.name}'"
    return "a computed channel"


def subtree(f: FileFacts, fid: int) -> set[int]:
    """``fid`` and every function nested in it."""
    return f.subtree(fid)


def without_fallback(v: AnyV) -> AnyV:
    """The value a fallback stands beside, for pages that also run outside Electron: an empty
    one (`window.api || {}`, `x ?? null`) gives the left side; beside an exposed global, any
    (`window.api || makeStub()`, `window.api ? window.api : makeStub()`) gives the global: in
    Electron the page calls the bridge, and the stub only stands in where there is none."""
    for _ in range(8):
        if type(v) is Logic and v.op in ("||", "??") and (
                (type(v.right) is Obj and not v.right.props) or type(v.right) is Null or type(v.right) is Undef
                or (_global_member(v.left) and not _global_member(v.right))):
            v = v.left
        elif type(v) is Cond and len(v.alts) == 2 and _global_member(v.alts[0]) != _global_member(v.alts[1]):
            v = v.alts[0] if _global_member(v.alts[0]) else v.alts[1]
        else:
            break
    return v


def returned_global(project: Project, path: str, fid: int) -> Global | None:
    """The exposed global a project getter returns, when every value it can return is that global
    or a fallback for pages outside Electron: `return window.api || {}`, and also through locals
    and a cached copy (`let api = null; function getApi() { if (api) return api; const w =
    typeof window !== 'undefined' ? window.api : undefined; api = w || globalThis.api; return api
    }`): each side of `||`/`??` and each branch of `?:` is followed, and the empty ones are
    fallbacks. None when any return gives anything else, or two different globals."""
    fn = project.files[path].functions[fid]
    todo: list[tuple[str, AnyV, int | None]] = [(path, without_fallback(r), fid) for r in fn.returns]
    found: Global | None = None
    budget = 32
    while todo:
        budget -= 1
        if budget < 0:
            return None
        p, v, scope = todo.pop()
        w = project.resolve(p, v, scope)
        got = w.value
        if type(got) is Logic and got.op in ("||", "??"):
            todo.append((w.path, got.left, w.scope))
            todo.append((w.path, got.right, w.scope))
        elif type(got) is Cond:
            todo.extend((w.path, a, w.scope) for a in got.alts)
        elif type(got) is Null or type(got) is Undef or (type(got) is Obj and not got.props):
            todo.extend(_set_later(project, p, v, scope))
        elif type(got) is Global and got.name not in GLOBAL_OBJECTS and (found is None or found.name == got.name):
            found = got
        else:
            return None
    return found


def _set_later(project: Project, path: str, v: AnyV, scope: int | None) -> list[tuple[str, AnyV, int | None]]:
    """What the file later assigns to a mutable binding first set to nothing (`let api = null`):
    the values a getter that caches the global returns."""
    if type(v) is not Ref:
        return []
    hit = project.binding_at(path, scope, v.name)
    if hit is None or (hit[0], v.name) not in project.files[path].mutable:
        return []
    return [(path, a.value, a.func) for a in itertools.islice(project.assignments_to(path, hit[0], v.name), 8)]


def _global_member(v: AnyV) -> bool:
    """`window.KEY`, `globalThis.KEY`, `self.KEY`, and what is below them (`window.KEY.ipc`)."""
    depth = 0
    while type(v) is Member and depth < 8:
        if type(v.obj) is Ref and v.obj.name in GLOBAL_OBJECTS:
            return True
        v, depth = v.obj, depth + 1
    return False

"""Walking static values and function subtrees: helpers shared by the data-flow rules."""
from __future__ import annotations

from collections.abc import Collection, Iterator

from ipclint.link.project import Project
from ipclint.model.facts import Call, FileFacts
from ipclint.model.values import AnyV, Ref, V

MAX_NODES = 2000
OPAQUE = frozenset({"call", "new", "fn"})  # their insides are separate records (calls, functions)


def walk(v: AnyV | None, into_calls: bool = False) -> Iterator[AnyV]:
    """Every V below ``v`` (itself included), iteratively; calls and functions are not entered
    unless ``into_calls``."""
    if v is None:
        return
    stack = [v]
    seen = 0
    while stack and seen < MAX_NODES:
        x = stack.pop()
        seen += 1
        yield x
        if not into_calls and x.kind in OPAQUE and x is not v:
            continue
        d = x.data
        k = x.kind
        if k == "obj":
            stack.extend(p.value for p in d)
        elif k in ("call", "new"):
            if into_calls or x is v:
                stack.append(d[0])
                stack.extend(d[1])
        elif k in ("arr", "cond", "tpl"):
            stack.extend(p for p in d if isinstance(p, V))
        elif k in ("member",):
            stack.append(d[0])
        elif k == "index":
            stack.extend(d)
        elif k in ("concat",):
            stack.extend(d)
        elif k in ("cmp", "logic"):
            stack.extend(d[1:])
        elif k in ("spread", "await", "not", "typeof") and isinstance(d, V):
            stack.append(d)
        elif k == "case":
            stack.append(d[0])
            stack.extend(d[1])


def refs(v: AnyV | None, names: Collection[str]) -> list[Ref]:
    """References to any of ``names`` inside ``v`` (not inside nested calls or functions)."""
    return [x for x in walk(v) if x.kind == "ref" and x.data in names]


def root_name(v: AnyV) -> str | None:
    """`a` for `a.b.c`, `a[0].b`, `a`; None otherwise."""
    for _ in range(32):
        if v.kind == "ref":
            return v.data
        if v.kind in ("member", "index"):
            v = v.data[0]
        else:
            return None
    return None


def callee_name(v: AnyV) -> str | None:
    if v.kind == "ref":
        return v.data
    if v.kind == "member":
        return v.data[1]
    return None


def channel_words(project: Project, path: str, call: Call, index: int = 0) -> str:
    """How a message names a call's channel: 'ch', or what kind of expression it is."""
    if index >= len(call.args):
        return "an unnamed channel"
    ch = project.channel(path, call.args[index], call.func)
    if ch is not None:
        return f"'{ch}'"
    v = call.args[index]
    if v.kind == "ref" and project.param_of(path, call.func, v.data) is not None:
        return f"the caller-supplied channel '{v.data}'"
    return "a computed channel"


def subtree(f: FileFacts, fid: int) -> set[int]:
    """``fid`` and every function nested in it."""
    return f.subtree(fid)


def before(a, b) -> bool:
    return (a.line, a.column) < (b.line, b.column)

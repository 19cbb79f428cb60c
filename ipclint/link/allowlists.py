"""Allowlist checks that do not restrict (IPC018), judged on the static values of a check.

Shared by the validation judgement (IPC005/IPC006: a weak allowlist validates nothing), the
preload guards (IPC001: it is no guard) and the weak-allowlist rule itself. A check is weak when
renderer data is its key and:
- `LIST.indexOf(x)` is used as a truth value (-1 is truthy, the first entry is falsy);
- membership is tested on a string (`'read write'.includes(x)`, `STR.indexOf(x) !== -1`);
- `x in OBJ` or a lookup `OBJ[x]` tested for a value, on a plain object literal (inherited keys
  such as `constructor`, `toString`, `__proto__` pass);
- a regular expression made of literal alternatives is not anchored at the start of every
  alternative (`/app:|file:/`), or has the `m` flag (anchors then match at any line).
`Map`/`Set`, arrays with `includes`, `Object.hasOwn`/`hasOwnProperty` and `Object.create(null)`
tables are fine; a start-anchored namespace (`/^app:/`) is like `startsWith` and fine.
"""
from __future__ import annotations

import re
from enum import Enum

from ipclint.link.project import Project
from ipclint.link.vutil import mentions
from ipclint.model.facts import Site
from ipclint.model.values import (
    AnyV,
    CallExpr,
    Cmp,
    Concat,
    Fn,
    Index,
    Member,
    NewExpr,
    Null,
    Obj,
    Ref,
    Regex,
    Str,
    Tpl,
)

FREEZERS = frozenset({"freeze", "seal", "preventExtensions"})
INDEX_OF = frozenset({"indexOf", "lastIndexOf"})
# What is left of a list-like pattern once groups, alternatives, anchors and escapes are removed.
_LITERAL = re.compile(r"^[\w:./@ -]*$")


class Weak(Enum):
    INDEX_TRUTH = "indexOf used as a truth value (-1, not found, is truthy; the first entry is falsy)"
    STRING = "membership tested on a string, so any part of it passes"
    IN_OBJECT = "`in` on a plain object, so inherited keys such as 'constructor' and '__proto__' pass"
    LOOKUP = "a lookup in a plain object, so inherited keys such as 'constructor' and 'toString' pass"
    REGEX = "a regular expression not anchored at the start (and end), so any text containing it passes"


def weak_check(project: Project, path: str, scope: int | None, site: Site,
               keys: frozenset[str] | None = None) -> Weak | None:
    """Why the allowlist check at ``site`` does not restrict its key, or None. ``keys``: the names
    that must be the key (default: the names the site reads)."""
    names = keys if keys is not None else frozenset(site.names)
    v = site.value
    if site.kind == "lookup":
        table = _lookup_table(project, path, v, scope)
        return Weak.LOOKUP if table is not None and plain_object(project, path, *table) else None
    match v:
        case CallExpr(callee=Member(obj=recv, prop=prop), args=(key, *_)) if prop in INDEX_OF or prop == "includes":
            if not mentions(key, names) or mentions(recv, names):
                return _value_regex(project, path, scope, v, names) if prop == "includes" else None
            if prop in INDEX_OF and site.truth and site.atom is None:
                return Weak.INDEX_TRUTH
            return Weak.STRING if is_string(project, path, recv, scope) else None
        case CallExpr(callee=Member(obj=recv, prop="test"), args=(key, *_)) if mentions(key, names):
            return Weak.REGEX if weak_regex(project, path, recv, scope) else None
        case CallExpr(callee=Member(obj=recv, prop="match" | "search")):
            return _value_regex(project, path, scope, v, names)
        case Cmp(op="in", left=key, right=obj) if mentions(key, names):
            return Weak.IN_OBJECT if plain_object(project, path, obj, scope) else None
    return None


def _value_regex(project: Project, path: str, scope: int | None, v: CallExpr, names: frozenset[str]) -> Weak | None:
    """`x.match(/a|b/)`: the renderer value tested against a list-like pattern."""
    if not isinstance(v.callee, Member) or v.callee.prop not in ("match", "search") or not v.args:
        return None
    if not mentions(v.callee.obj, names):
        return None
    return Weak.REGEX if weak_regex(project, path, v.args[0], scope) else None


def _lookup_table(project: Project, path: str, v: AnyV | None, scope: int | None) -> tuple[AnyV, int | None] | None:
    """The table a lookup reads, with the scope to resolve it in: `TABLE[x]`, also what a selector
    returns (`select(() => TABLE[x])`, the lookup kept through the call that runs the selector)."""
    match v:
        case Index(obj=obj):
            return obj, scope
        case CallExpr(callee=Ref(), args=(Fn(fid=fid),)) if 0 <= fid < len(project.files[path].functions):
            returns = project.files[path].functions[fid].returns
            if len(returns) == 1 and isinstance(returns[0], Index):
                return returns[0].obj, fid
    return None  # `MAP.get(x)`: a Map (or a store), whose lookups see no inherited keys


def is_string(project: Project, path: str, v: AnyV, scope: int | None) -> bool:
    r = project.resolve(path, v, scope)
    return isinstance(r.value, (Str, Tpl, Concat)) and project.channel(r.path, r.value, r.scope) is not None


def plain_object(project: Project, path: str, v: AnyV, scope: int | None) -> bool:
    """An object literal (also frozen, `as const`, or built by `Object.assign({}, ...)`): its
    lookups find inherited keys. `Object.create(null)` tables, Maps and unknown values are not."""
    cur = project.resolve(path, v, scope)
    for _ in range(6):
        x = cur.value
        match x:
            case Obj():
                return True
            case CallExpr(callee=Member(obj=Ref(name="Object"), prop=prop), args=(first, *_)) \
                    if prop in FREEZERS or prop == "assign":
                cur = project.resolve(cur.path, first, cur.scope)
                continue
        return False
    return False


def own_table(project: Project, path: str, v: AnyV, scope: int | None) -> bool:
    """`Object.create(null)` (possibly filled by `Object.assign` and frozen)."""
    cur = project.resolve(path, v, scope)
    for _ in range(6):
        match cur.value:
            case CallExpr(callee=Member(obj=Ref(name="Object"), prop="create"), args=(Null(), *_)):
                return True
            case CallExpr(callee=Member(obj=Ref(name="Object"), prop=prop), args=(first, *_)) \
                    if prop in FREEZERS or prop == "assign":
                cur = project.resolve(cur.path, first, cur.scope)
                continue
        return False
    return False


def weak_regex(project: Project, path: str, v: AnyV, scope: int | None) -> bool:
    """A list-like regular expression (literal alternatives) not anchored at the start."""
    r = project.resolve(path, v, scope).value
    if isinstance(r, Regex):
        text = r.text
        if not text.startswith("/") or text.rfind("/") <= 0:
            return False
        cut = text.rfind("/")
        return regex_weak(text[1:cut], text[cut + 1:])
    if isinstance(r, NewExpr) and isinstance(r.callee, Ref) and r.callee.name == "RegExp" and r.args:
        first = project.resolve(path, r.args[0], scope).value
        flags = project.resolve(path, r.args[1], scope).value if len(r.args) > 1 else None
        if isinstance(first, Str):
            return regex_weak(first.value, flags.value if isinstance(flags, Str) else "")
    return False


def regex_weak(pattern: str, flags: str) -> bool:
    """Whether a pattern used as an allowlist lets more through than its entries."""
    alts, balanced = split_alternatives(pattern)
    if not balanced:
        return False
    if "m" not in flags and all(a.startswith("^") for a in alts):
        return False  # anchored at the start: a namespace like `startsWith`, or a whole-value match
    body = pattern.lstrip("^(?:")
    if body.startswith("\\."):
        return False  # a file extension test (`/\.(png|jpe?g)$/`): a suffix by design
    if len(alts) == 1 and "|" not in pattern and pattern.endswith("$"):
        return False  # one end-anchored literal (`/code$/`): a suffix test, not a list
    bare = re.sub(r"\\[.\-/:]", "x", pattern)
    bare = re.sub(r"\(\?:|[()|^$]", "", bare)
    return bool(_LITERAL.match(bare)) and bool(bare.strip())


def split_alternatives(pattern: str) -> tuple[list[str], bool]:
    """The top-level alternatives of a pattern, and whether its groups are balanced (an unmatched
    `)` is passed over, an unclosed `(` keeps the rest in the last alternative)."""
    out: list[str] = []
    depth, in_class, start, i = 0, False, 0, 0
    balanced = True
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            balanced = balanced and depth > 0
            depth = max(0, depth - 1)
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out, balanced and depth == 0

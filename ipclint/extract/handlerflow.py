"""Where a function's parameters go: the syntax half of the handler analysis (IPC005/IPC006).

For every function with parameters, each read of a parameter (or of a local alias of one) is
classified: a use, a validation (`typeof`, a comparison, an allowlist lookup, `new URL`), an alias
(`const { path } = args`), or an argument of a call, followed through pass-through operations
(member reads, templates, `+`, `path.join`, string methods, object and array literals) to the call
it reaches. For each read, the validation sites that dominate it are recorded: conditions of the
enclosing `if`/`?:`/`&&`/`switch`, earlier statements that validate unconditionally, and earlier
`if (...) return/throw` guards. Whether a call validates, or is a sink, needs the project and the
configuration: such calls are recorded as candidates, by span, and decided at check time.

Reads are found by a byte search for the names inside the function, then located in the tree
(`descendant_for_byte_range`) and classified by climbing a bounded number of parents.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Any, NamedTuple

from ipclint.extract.flowread import (ASSERT_CALL, BUILTIN_CHECKS, MAX_UP, TRANSPARENT, VALUE_CHECKS, Read, Reader,
                                      is_binding, occurrences, operator_of)
from ipclint.extract.values import SOURCE, span_of, text_of
from ipclint.extract.walk import FUNCTION_TYPES, _bindings_of_pattern
from ipclint.model import Span

NAME = "flow"
MAX_READS = 600  # reads classified per function
MAX_ALIAS_ROUNDS = 3
BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default"})
EXITS = frozenset({"return_statement", "throw_statement", "continue_statement", "break_statement"})


class Site(NamedTuple):
    """A validation candidate. kind: "check" (typeof, comparison, allowlist: always validation),
    "url" (`new URL(x)`), "call" (a call taking the value: a validator or not, decided later),
    "empty" (`x === ''`, `x == null`: a presence test, not validation)."""

    kind: str
    span: Span
    names: tuple[str, ...]


class Occ(NamedTuple):
    """One read. role: "use", "arg" (argument of the call at ``into``: a use unless that call
    validates), "check"/"url" (part of site ``site``), "alias" (the value of a pure alias)."""

    name: str
    span: Span
    role: str
    site: int = -1
    dom: tuple[int, ...] = ()  # sites that dominate the read
    into: Span | None = None  # the call its value reaches
    arg: int = -1
    keys: tuple[str, ...] = ()  # object-literal keys between that argument and the value


class Alias(NamedTuple):
    name: str
    source: str
    pure: bool  # only member reads or destructuring: the same data under another name
    occ: int  # the read of ``source`` that defines it


class Flow(NamedTuple):
    sites: tuple[Site, ...]
    occs: tuple[Occ, ...]
    aliases: tuple[Alias, ...]


# Callbacks of these calls are never IPC handlers or helpers called by name: their own
# parameters need no analysis (reads of the enclosing function's parameters inside them are
# recorded by the enclosing function's analysis).
CALLBACK_OF = frozenset({"map", "filter", "forEach", "some", "every", "find", "findIndex", "findLast", "reduce",
                         "sort", "flatMap", "then", "catch", "finally", "setTimeout", "setInterval",
                         "setImmediate", "nextTick", "queueMicrotask", "useEffect", "useCallback", "useMemo",
                         "addEventListener", "requestAnimationFrame"})


def analyze(node: Any, ex: Any, fid: int) -> Flow | None:
    fn = ex.f.functions[fid]
    names = {p.name for p in fn.params}
    if not names or _inline_callback(node):
        return None
    return _Analysis(node, ex).run(names)


def _inline_callback(node: Any) -> bool:
    args = node.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if callee is None:
        return False
    name = callee.child_by_field_name("property") if callee.type == "member_expression" else callee
    return name is not None and text_of(name, 40) in CALLBACK_OF


class _Analysis(Reader):
    def __init__(self, fn_node: Any, ex: Any) -> None:
        self.fn = fn_node
        self.fn_id = fn_node.id
        self.ex = ex
        self.data: bytes = SOURCE[0]
        self.reads: list[Read] = []
        self.origin: dict[str, str] = {}
        self.aliases: list[tuple[str, str, bool, int]] = []
        self.writes: list[int] = []  # start bytes of writes to tracked names
        self.block_memo: dict[int, dict[int, tuple[Any, ...]]] = {}

    def run(self, params: set[str]) -> Flow | None:
        todo = {n: self.fn.start_byte for n in params}
        for _ in range(MAX_ALIAS_ROUNDS + 1):
            if not todo or len(self.reads) >= MAX_READS:
                break
            found = self._find(todo)
            todo = {}
            for name, ident in found:
                read = self._climb(name, ident)
                if read is None:
                    continue
                self.reads.append(read)
                for a in read.alias:
                    if a not in self.origin and a not in params and a != name and len(self.origin) < 64:
                        self.origin[a] = name
                        self.aliases.append((a, name, read.pure, len(self.reads) - 1))
                        todo[a] = read.node.end_byte
        if not self.reads:
            return None
        return self._finish()

    # ---- finding reads ---------------------------------------------------------------------
    def _find(self, todo: dict[str, int]) -> list[tuple[str, Any]]:
        out = []
        end = self.fn.end_byte
        for name in sorted(todo):
            for start in occurrences(self.data, name, todo[name], end):
                stop = start + len(name.encode())
                ident = self.fn.descendant_for_byte_range(start, stop)
                if ident is None or ident.type not in ("identifier", "shorthand_property_identifier"):
                    continue
                if ident.start_byte != start or ident.end_byte != stop or is_binding(ident) \
                        or self._shadowed_between(ident, name):
                    continue
                out.append((name, ident))
                if len(out) + len(self.reads) >= MAX_READS:
                    return out
        return out

    def _shadowed_between(self, ident: Any, name: str) -> bool:
        node = ident.parent
        fn_id = self.fn_id
        for _ in range(MAX_UP * 4):
            if node is None or node.id == fn_id:
                return False
            t = node.type
            if (t in FUNCTION_TYPES or t == "catch_clause") and self._shadowed(node, name):
                return True
            node = node.parent
        return False

    def _shadowed(self, node: Any, name: str) -> bool:
        """A nested function (or catch clause) between the read and the analysed function binds the name."""
        if node.type == "catch_clause":
            p = node.child_by_field_name("parameter")
            return p is not None and name in {b.name for b in _bindings_of_pattern(p, 0)}
        memo = getattr(self.ex, "_flow_params", None)
        if memo is None:
            memo = self.ex._flow_params = {}
        names = memo.get(node.id)
        if names is None:
            single = node.child_by_field_name("parameter")
            plist = node.child_by_field_name("parameters")
            pats = [single] if single is not None else list(plist.named_children) if plist is not None else []
            names = memo[node.id] = frozenset(b.name for p in pats for b in _bindings_of_pattern(
                p.child_by_field_name("pattern") or p, 0))
        return name in names

    # ---- dominance -------------------------------------------------------------------------
    def _finish(self) -> Flow:
        site_nodes: dict[int, Any] = {}
        site_names: dict[int, set[str]] = {}
        for r in self.reads:
            if r.site is not None:
                site_nodes.setdefault(r.site.id, r.site)
                site_names.setdefault(r.site.id, set()).add(r.name)
        order = sorted(site_nodes.values(), key=lambda n: (n.start_byte, -n.end_byte))
        self.index = {n.id: i for i, n in enumerate(order)}
        self.starts = [n.start_byte for n in order]
        self.site_list = order
        self.top = self._top_sites(order)
        sites = tuple(Site(_kind(n), span_of(n), tuple(sorted(site_names[n.id]))) for n in order)
        families = {}
        occs = []
        for r in sorted(self.reads, key=lambda r: r.node.start_byte):
            fam = families.get(r.name)
            if fam is None:
                fam = families[r.name] = self._family(r.name)
            dom = () if r.role == "check" else tuple(i for i in self._dominators(r.node)
                                                     if fam & set(sites[i].names))
            occs.append(Occ(r.name, span_of(r.node), r.role, self.index[r.site.id] if r.site is not None else -1,
                            dom, span_of(r.into) if r.into is not None else None, r.arg, r.keys))
        pos = {id(r): i for i, r in enumerate(sorted(self.reads, key=lambda r: r.node.start_byte))}
        aliases = tuple(Alias(a, src, pure, pos[id(self.reads[i])]) for a, src, pure, i in self.aliases)
        return Flow(sites, tuple(occs), aliases)

    def _family(self, name: str) -> set[str]:
        """The name, what it was taken from, and what was derived from it (a check of `new URL(p)`
        or of `path.join(base, p)` guards `p` too); not its siblings (checking `command` of
        `{ command, payload }` says nothing about `payload`)."""
        out = {name}
        cur = name
        while cur in self.origin and len(out) < 16:
            cur = self.origin[cur]
            out.add(cur)
        todo = [name]
        while todo and len(out) < 32:
            cur = todo.pop()
            for a, src, pure, _i in self.aliases:
                if src == cur and not pure and a not in out:
                    out.add(a)
                    todo.append(a)
        return out

    def _top_sites(self, order: list[Any]) -> dict[int, list[int]]:
        """Statement -> the sites it evaluates unconditionally (`validate(x);`, `const v = schema.parse(x)`,
        `assert(typeof x === 'string')`)."""
        out: dict[int, list[int]] = {}
        for i, n in enumerate(order):
            stmt = _statement_of(n)
            if stmt is not None:
                out.setdefault(stmt.id, []).append(i)
        return out

    def _sites_in(self, node: Any) -> list[int]:
        if node is None:
            return []
        lo = bisect_left(self.starts, node.start_byte)
        out = []
        for i in range(lo, len(self.starts)):
            if self.starts[i] >= node.end_byte:
                break
            if self.site_list[i].end_byte <= node.end_byte:
                out.append(i)
        return out

    def _dominators(self, read: Any) -> list[int]:
        out: list[int] = []
        child, node = read, read.parent
        for _ in range(MAX_UP * 4):
            if node is None:
                break
            t = node.type
            if t in ("if_statement", "ternary_expression"):
                cond = node.child_by_field_name("condition")
                if cond != child:
                    out.extend(self._sites_in(cond))
            elif t == "binary_expression" and operator_of(node) in ("&&", "||"):
                left = node.child_by_field_name("left")
                if left != child:
                    out.extend(self._sites_in(left))
            elif t in ("switch_case", "switch_default") and node.parent is not None and node.parent.parent is not None:
                out.extend(self._sites_in(node.parent.parent.child_by_field_name("value")))
            if t in BLOCKS:
                out.extend(self._before(node, child))
            if node.id == self.fn_id:
                break
            child, node = node, node.parent
        return out

    def _before(self, block: Any, child: Any) -> tuple[int, ...]:
        """Sites of the statements before ``child`` in ``block`` that guard everything after them."""
        memo = self.block_memo.get(block.id)
        if memo is None:
            memo = self.block_memo[block.id] = {}
            acc: list[int] = []
            skip = block.child_by_field_name("value") if block.type == "switch_case" else None
            for st in block.named_children:
                if st.type == "comment" or st == skip:
                    continue
                memo[st.id] = tuple(acc)
                acc.extend(self._guards(st))
        return memo.get(child.id, ())

    def _guards(self, st: Any) -> list[int]:
        out = list(self.top.get(st.id, ()))
        if st.type == "if_statement":
            cons = st.child_by_field_name("consequence")
            alt = st.child_by_field_name("alternative")
            if (cons is not None and _exits(cons)) or (alt is not None and _exits(alt)) or (
                    cons is not None and any(cons.start_byte <= w < cons.end_byte for w in self.writes)):
                out.extend(self._sites_in(st.child_by_field_name("condition")))
        elif st.type == "try_statement":
            body = st.child_by_field_name("body")
            handler = st.child_by_field_name("handler")
            hbody = handler.child_by_field_name("body") if handler is not None else None
            if body is not None and (hbody is None or _exits(hbody)):
                for inner in body.named_children:
                    out.extend(self.top.get(inner.id, ()))
        return out

def _kind(node: Any) -> str:
    if node.type == "new_expression":
        callee = node.child_by_field_name("constructor")
        return "url" if callee is not None and text_of(callee, 100).rsplit(".", 1)[-1] == "URL" else "call"
    if node.type == "call_expression":
        callee = node.child_by_field_name("function")
        last = text_of(callee, 100).rsplit(".", 1)[-1] if callee is not None else ""
        return "check" if last in BUILTIN_CHECKS or last in VALUE_CHECKS else "call"
    if node.type == "binary_expression":
        sides = (node.child_by_field_name("left"), node.child_by_field_name("right"))
        if any(x is not None and text_of(x, 12) in _EMPTY for x in sides):
            return "empty"  # `x === ''`, `x != null`: presence, like `if (!x)`, not validation
    return "check"


_EMPTY = frozenset({"''", '""', "``", "null", "undefined", "void 0"})


def _statement_of(node: Any) -> Any:
    """The statement that evaluates ``node`` unconditionally as (part of) its own expression."""
    child, cur = node, node.parent
    for _ in range(12):
        if cur is None:
            return None
        t = cur.type
        if t in TRANSPARENT:
            pass
        elif t == "variable_declarator" or t == "assignment_expression":
            if cur.child_by_field_name("value" if t == "variable_declarator" else "right") != child:
                return None
        elif t in ("expression_statement", "lexical_declaration", "variable_declaration"):
            return cur
        elif t == "arguments":  # assert(typeof x === 'string')
            call = cur.parent
            callee = call.child_by_field_name("function") if call is not None else None
            if callee is None or not ASSERT_CALL.match(text_of(callee, 60).rsplit(".", 1)[-1]):
                return None
            cur = call
        elif t == "member_expression" and child == cur.child_by_field_name("object"):
            pass  # schema.parse(x).data
        else:
            return None
        child, cur = cur, cur.parent
    return None


def _exits(node: Any) -> bool:
    """A branch that always leaves: it is, or ends with, return/throw/continue/break."""
    for _ in range(8):
        if node.type in EXITS:
            return True
        if node.type == "else_clause":
            inner = [c for c in node.named_children if c.type != "comment"]
            if not inner:
                return False
            node = inner[0]
            continue
        if node.type != "statement_block":
            return False
        stmts = [c for c in node.named_children if c.type != "comment"]
        if not stmts:
            return False
        node = stmts[-1]
    return False

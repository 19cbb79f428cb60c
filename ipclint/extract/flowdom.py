"""Which validation sites dominate a read (handlerflow): conditions of the enclosing
`if`/`?:`/`&&`/`switch`, earlier statements that validate unconditionally (`validate(x);`,
`assert(typeof x === 'string')`), earlier `if (...) return/throw` guards, and guard variables
(`const ok = typeof x === 'string'; if (!ok) return`)."""
from __future__ import annotations

from bisect import bisect_left

from ipclint.extract.flownames import occurrences
from ipclint.extract.flowread import ASSERT_CALL, BUILTIN_CHECKS, MAX_UP, TRANSPARENT, VALUE_CHECKS, operator_of
from ipclint.extract.guards import exits
from ipclint.extract.parse import Node
from ipclint.extract.values import text_of

BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default"})
EXITS = frozenset({"return_statement", "throw_statement", "continue_statement", "break_statement"})


class Dominance:
    """Mixed into the analysis: needs ``fn_id``, ``writes``, ``block_memo`` and, set by
    ``_index_sites``, the sorted site nodes."""

    fn_id: int
    data: bytes
    writes: list[int]
    block_memo: dict[int, dict[int, tuple[int, ...]]]

    def _index_sites(self, order: list[Node]) -> None:
        self.index = {n.id: i for i, n in enumerate(order)}
        self.starts = [n.start_byte for n in order]
        self.site_list = order
        self.top = self._top_sites(order)
        self.guard_vars: dict[str, list[int]] = {}
        for i, n in enumerate(order):
            name = _guard_variable(n)
            if name is not None and len(self.guard_vars) < 32:
                self.guard_vars.setdefault(name, []).append(i)

    def _top_sites(self, order: list[Node]) -> dict[int, list[int]]:
        """Statement -> the sites it evaluates unconditionally (`validate(x);`, `const v = schema.parse(x)`,
        `assert(typeof x === 'string')`)."""
        out: dict[int, list[int]] = {}
        for i, n in enumerate(order):
            stmt = _statement_of(n)
            if stmt is not None:
                out.setdefault(stmt.id, []).append(i)
        return out

    def _sites_in(self, node: Node | None) -> list[int]:
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

    def _cond_sites(self, cond: Node | None) -> list[int]:
        """Sites of a condition, and of the guard variables it reads (`if (!ok) return`)."""
        out = self._sites_in(cond)
        if cond is not None and self.guard_vars:
            for name, sites in self.guard_vars.items():
                if occurrences(self.data, name, cond.start_byte, cond.end_byte):
                    out.extend(i for i in sites if self.site_list[i].end_byte <= cond.start_byte)
        return out

    def _dominators(self, read: Node) -> list[int]:
        out: list[int] = []
        child, node = read, read.parent
        for _ in range(MAX_UP * 4):
            if node is None:
                break
            t = node.type
            if t in ("if_statement", "ternary_expression"):
                cond = node.child_by_field_name("condition")
                if cond != child:
                    out.extend(self._cond_sites(cond))
            elif t == "binary_expression" and operator_of(node) in ("&&", "||"):
                left = node.child_by_field_name("left")
                if left != child:
                    out.extend(self._cond_sites(left))
            elif t in ("switch_case", "switch_default") and node.parent is not None and node.parent.parent is not None:
                out.extend(self._cond_sites(node.parent.parent.child_by_field_name("value")))
            if t in BLOCKS:
                out.extend(self._before(node, child))
            if node.id == self.fn_id:
                break
            child, node = node, node.parent
        return out

    def _before(self, block: Node, child: Node) -> tuple[int, ...]:
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

    def _guards(self, st: Node) -> list[int]:
        out = list(self.top.get(st.id, ()))
        if st.type == "if_statement":
            cons = st.child_by_field_name("consequence")
            alt = st.child_by_field_name("alternative")
            if (cons is not None and _exits(cons)) or (alt is not None and _exits(alt)) or (
                    cons is not None and any(cons.start_byte <= w < cons.end_byte for w in self.writes)):
                out.extend(self._cond_sites(st.child_by_field_name("condition")))
        elif st.type == "try_statement":
            body = st.child_by_field_name("body")
            handler = st.child_by_field_name("handler")
            hbody = handler.child_by_field_name("body") if handler is not None else None
            if body is not None and (hbody is None or _exits(hbody)):
                for inner in body.named_children:
                    out.extend(self.top.get(inner.id, ()))
        return out


def site_kind(node: Node) -> str:
    """check (typeof, comparison, allowlist), url (`new URL`), call (a validator or not: decided
    at check time), empty (a presence test)."""
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


def _statement_of(node: Node) -> Node | None:
    """The statement that evaluates a validator call unconditionally as (part of) its own expression
    (`validate(x);`, `const v = schema.parse(x)`), or asserts a check (`assert(typeof x === 'string')`,
    `invariant(LIST.includes(x), 'msg')`). A check whose result is only stored is no validation."""
    child, cur = node, node.parent
    # A condition holds only when an assertion insists on it; a validator call throws by itself.
    cond = site_kind(node) not in ("call", "url")
    for _ in range(16):
        if cur is None:
            return None
        t = cur.type
        if t in TRANSPARENT:
            pass
        elif t == "binary_expression" or (t == "unary_expression" and operator_of(cur) == "!"):
            cond = True
        elif t == "variable_declarator" or t == "assignment_expression":
            if cond or cur.child_by_field_name("value" if t == "variable_declarator" else "right") != child:
                return None
        elif t in ("expression_statement", "lexical_declaration", "variable_declaration"):
            return None if cond else cur
        elif t == "arguments":
            call = cur.parent
            callee = call.child_by_field_name("function") if call is not None else None
            text = text_of(callee, 60) if callee is not None else ""
            if call is None or not ASSERT_CALL.match(text.rsplit(".", 1)[-1]) or text.startswith("console."):
                return None  # console.assert only logs
            cond = False
            cur = call
        elif t == "member_expression" and child == cur.child_by_field_name("object") and not cond:
            pass  # schema.parse(x).data
        else:
            return None
        child, cur = cur, cur.parent
    return None


def _guard_variable(node: Node) -> str | None:
    """`const ok = typeof x === 'string' && x.length < 9`: the variable holding a check's result."""
    child, cur = node, node.parent
    for _ in range(16):
        if cur is None:
            return None
        t = cur.type
        if t in TRANSPARENT or t == "binary_expression" or (t == "unary_expression" and operator_of(cur) == "!") \
                or (t == "member_expression" and child == cur.child_by_field_name("object")):
            child, cur = cur, cur.parent
            continue
        if t == "variable_declarator" and cur.child_by_field_name("value") == child:
            name = cur.child_by_field_name("name")
            return text_of(name, 80) if name is not None and name.type == "identifier" else None
        return None
    return None


def _exits(node: Node) -> bool:
    """A branch that always leaves: it is, or ends with, return/throw/continue/break."""
    return exits(node, EXITS)

"""Which validation sites a read sits on the passing side of (handlerflow), with polarity.

A check validates a value only on the paths where it passed. For each read, the sites whose
outcome decided the path to it are collected with that outcome: the enclosing `if`/`?:`/`&&`/
`||`/`switch` (consequence: the condition held; `else`: it failed), earlier `if (...) return/throw`
guards (the path after them is the one where the condition failed), assertions (`assert(...)`),
and guard variables (`const ok = typeof x === 'string'; if (!ok) return`). Negations, `&&`/`||`,
comparisons with `-1`/`null`/`false` and `!==` are composed into which outcome of each site the
path implies. Earlier statements that call a possible validator and ignore its result are
recorded apart ("held"): they validate only if the call throws.

The outcome a site must have to pass is fixed by its shape (`LIST.includes(x)`, `isOk(x)`,
`typeof x === 'string'`: true; `x !== 'a'`: false; relations such as `x.length < 9`: either).
Tests of the value's content (`p.includes('..')`, `/re/.test(p)`) and validator calls can also be
written as denials: when the branch they decide is a refusal (it throws, or, for content tests,
returns nothing or a constant), the other branch is where they passed.
"""
from __future__ import annotations

from bisect import bisect_left

from ipclint.extract.ancestry import Up
from ipclint.extract.flowgates import Decisions
from ipclint.extract.flowread import MAX_UP, operator_of
from ipclint.extract.flowtests import (
    SKIP,
    against_constant,
    default_exits,
    evaluation,
    exits_branch,
    guard_declaration,
    index_call,
    index_test,
    member_bases,
    own_polarity,
    polarity,
    refusal_of,
    unwrap_test,
)
from ipclint.extract.parse import Node
from ipclint.extract.values import text_of

BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default"})
MAX_DEPTH = 12

# How a site can be written as a denial: "content" (`p.includes('..')`, `/re/.test(p)`: a throw or
# an empty return refuses), "call" (a validator call: a throw refuses).
Ambiguity = str | None


class Dominance(Decisions):
    """Mixed into the analysis: needs ``fn``, ``fn_id``, ``data``, ``writes`` and ``block_memo``;
    ``_index_sites`` sets up the sorted site nodes."""

    fn: Node
    fn_id: int
    data: bytes
    up: Up
    writes: list[tuple[int, str]]
    block_memo: dict[int, dict[int, tuple[int, ...]]]
    site_kinds: dict[int, str]  # site node id -> flowtests.site_kind

    def _index_sites(self, order: list[Node], ambiguity: dict[int, Ambiguity], names: dict[int, set[str]],
                     lookups: set[int]) -> None:
        self.passed_memo: dict[tuple[int, bool], list[int]] = {}
        self.own_memo: dict[int, bool] = {}
        self.dom_memo: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self.index = {n.id: i for i, n in enumerate(order)}
        self.site_names = [names[n.id] for n in order]
        self.lookup_site = [n.id in lookups for n in order]
        self.starts = [n.start_byte for n in order]
        self.site_list = order
        self.ambiguity = [ambiguity.get(n.id) for n in order]
        self.guard_vars: dict[str, list[Node]] = {}  # name -> the values it was declared with
        self.held: dict[int, list[int]] = {}  # statement -> sites it evaluates, result untested
        self.asserted: dict[int, list[Node]] = {}  # statement -> the conditions it asserts
        # `x = sanitize(x);`: statement -> the call sites whose result replaces a name they read;
        # site -> (that name, where the statement ends). Later reads of the name read the call's
        # result: validated when the call validates, like reads of `const clean = sanitize(x)`.
        self.replacing: dict[int, list[int]] = {}
        self.replaced: dict[int, tuple[str, int]] = {}
        for i, n in enumerate(order):
            decl = guard_declaration(n, self.up)
            if decl is not None and len(self.guard_vars) < 32:
                name, value = decl
                values = self.guard_vars.setdefault(name, [])
                if all(v.id != value.id for v in values):
                    values.append(value)
            how = evaluation(n, self.up, self.site_kinds[n.id])
            if how is None:
                continue
            stmt, arg = how
            if arg is None:
                self.held.setdefault(stmt.id, []).append(i)
                target = self.site_kinds[n.id] == "call" and replaced_name(stmt, n)
                if target and target in names[n.id]:
                    self.replacing.setdefault(stmt.id, []).append(i)
                    self.replaced[i] = (target, stmt.end_byte)
            elif all(a.id != arg.id for a in self.asserted.get(stmt.id, ())):
                self.asserted.setdefault(stmt.id, []).append(arg)

    # ---- sites of a condition, by outcome --------------------------------------------------
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

    def _passed(self, cond: Node | None, outcome: bool, depth: int = 0) -> list[int]:
        """The sites known to have passed when ``cond`` evaluates to ``outcome``."""
        if depth == 0 and cond is not None:
            key = (cond.id, outcome)
            hit = self.passed_memo.get(key)
            if hit is None:
                hit = self.passed_memo[key] = self._passed(cond, outcome, 1)
            return list(hit)
        node = unwrap_test(cond)
        if node is None or depth > MAX_DEPTH:
            return []
        t = node.type
        if t == "unary_expression" and operator_of(node) == "!":
            return self._passed(node.child_by_field_name("argument"), not outcome, depth + 1)
        if t == "binary_expression" and operator_of(node) in ("&&", "||"):
            left = self._passed(node.child_by_field_name("left"), outcome, depth + 1)
            right = self._passed(node.child_by_field_name("right"), outcome, depth + 1)
            if (operator_of(node) == "&&") == outcome:  # both sides hold (or both failed)
                return left + [i for i in right if i not in left]
            out = self._either(left, right)
            # `if (p && !isValid(p)) return`: p is empty (null, undefined, '') or valid
            for side, other in ((node.child_by_field_name("left"), right), (node.child_by_field_name("right"), left)):
                name = self._empty_name(side, outcome)
                if name is not None:
                    out.extend(i for i in other if i not in out and name in self.site_names[i])
            return out
        if t == "identifier":
            return self._guard_var(node, outcome, depth)
        if t == "binary_expression":
            flipped = against_constant(node)
            if flipped is not None:  # `v === undefined`, `found !== false`
                inner, same = flipped
                var = unwrap_test(inner)
                if var is not None and var.type == "identifier" and text_of(var, 80) in self.guard_vars:
                    return self._passed(var, outcome if same else not outcome, depth + 1)
            indexed = index_test(node)
            if indexed is not None and self._holds_index(indexed[0]):  # `i === -1`, i = LIST.findIndex(...)
                return self._passed(indexed[0], outcome if indexed[1] else not outcome, depth + 1)
        out = []
        for i in self._sites_in(node):
            pol = polarity(self.site_list[i], node, self.up)
            if pol is not SKIP and (pol is None or pol == outcome):
                out.append(i)
        if not out and self.guard_vars:  # a guard variable read inside the test: `m?.length !== 3`
            own = own_polarity(node) if t == "binary_expression" else True
            if own is None or own == outcome:
                for ident in member_bases(node, self.guard_vars):
                    out.extend(i for i in self._guard_var(ident, True, depth) if i not in out)
        return out

    def _empty_name(self, side: Node | None, outcome: bool) -> str | None:
        """The name that ``side`` (a bare truthiness test, maybe negated) shows to be empty
        when it has ``outcome``: `p` false, `!p` true."""
        for _ in range(4):
            node = unwrap_test(side)
            if node is None:
                return None
            if node.type == "unary_expression" and operator_of(node) == "!":
                side, outcome = node.child_by_field_name("argument"), not outcome
                continue
            if node.type == "identifier" and not outcome:
                name = text_of(node, 80)
                return None if name in self.guard_vars else name
            return None
        return None

    def _either(self, left: list[int], right: list[int]) -> list[int]:
        """One side or the other passed (`x === A || x === B`, `v === undefined || typeof v ===
        's'`): the value both sides test passed one of them, which validates it; a value only one
        side tests is not known to have passed anything."""
        both = [i for i in left if i in right]
        if not left or not right:
            return both
        common = set().union(*(self.site_names[i] for i in left)) & set().union(
            *(self.site_names[i] for i in right))
        return both + [i for i in left + right if i not in both and self.site_names[i] & common]

    def _holds_index(self, ident: Node) -> bool:
        """``ident`` is a guard variable last declared with an index lookup (`LIST.findIndex(...)`,
        `LIST.indexOf(x)`): -1 says the value was not found."""
        values = [v for v in self.guard_vars.get(text_of(ident, 80), ()) if v.end_byte <= ident.start_byte]
        return bool(values) and index_call(values[-1])

    def _guard_var(self, ident: Node, outcome: bool, depth: int) -> list[int]:
        name = text_of(ident, 80)
        values = [v for v in self.guard_vars.get(name, ()) if v.end_byte <= ident.start_byte]
        if not values:
            return []
        return self._passed(values[-1], outcome, depth + 1)

    def _denials(self, cond: Node | None, refusal: str | None) -> list[int]:
        """Sites of ``cond`` that a refusing branch shows to be denials (`if (p.includes('..')) throw`)."""
        if refusal is None:
            return []
        return [i for i in self._sites_in(cond) if self.ambiguity[i] == "content"
                or (refusal == "throw" and self.ambiguity[i] == "call")]

    # ---- the sites deciding the path to a read ---------------------------------------------
    def _dominators(self, read: Node) -> tuple[list[int], list[int]]:
        """(sites passed on the path to ``read``, sites evaluated before it with their result
        untested). What the ancestors of a node contribute is memoised on that node: reads in one
        branch share it, and each parent step costs more the deeper the tree."""
        steps: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
        tail: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
        child, node = read, self.up(read)
        for _ in range(MAX_UP * 4):
            if node is None:
                break
            known = self.dom_memo.get(child.id)
            if known is not None:
                tail = known
                break
            passed, held = self._path_step(node, child)
            steps.append((child.id, passed, held))
            if node.id == self.fn_id:
                break
            child, node = node, self.up(node)
        acc_passed, acc_held = tail
        for cid, passed, held in reversed(steps):
            acc_passed, acc_held = passed + acc_passed, held + acc_held
            self.dom_memo[cid] = (acc_passed, acc_held)
        return list(acc_passed), list(acc_held)

    def _path_step(self, node: Node, child: Node) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """What ``node`` says about the path through ``child``."""
        passed: list[int] = []
        held: list[int] = []
        t = node.type
        if t in ("if_statement", "ternary_expression"):
            passed.extend(self._branch(node, child))
        elif t == "binary_expression" and operator_of(node) in ("&&", "||"):
            left = node.child_by_field_name("left")
            if left != child:
                passed.extend(self._passed(left, operator_of(node) == "&&"))
        elif t in ("while_statement", "for_statement") and node.child_by_field_name("body") == child:
            passed.extend(self._passed(node.child_by_field_name("condition"), True))
        elif t == "switch_case" and (body := self.up(node)) is not None and (sw := self.up(body)) is not None:
            passed.extend(self._sites_in(sw.child_by_field_name("value")))
        if t in BLOCKS:
            for i in self._before(node, child):
                (held if i < 0 else passed).append(~i if i < 0 else i)
        return tuple(passed), tuple(held)

    def _branch(self, node: Node, child: Node) -> list[int]:
        cond = node.child_by_field_name("condition")
        cons = node.child_by_field_name("consequence")
        alt = node.child_by_field_name("alternative")
        if child == cons:
            return self._passed(cond, True) + self._denials(cond, refusal_of(alt, cond))
        if child == alt:
            return self._passed(cond, False) + self._denials(cond, refusal_of(cons, cond))
        return []

    def _before(self, block: Node, child: Node) -> tuple[int, ...]:
        """Sites of the statements before ``child`` in ``block`` that guard everything after them;
        held ones (`validate(x);`) as ``~index``."""
        memo = self.block_memo.get(block.id)
        if memo is None:
            memo = self.block_memo[block.id] = {}
            acc: list[int] = []
            skip = block.child_by_field_name("value") if block.type == "switch_case" else None
            for st in block.named_children:
                if st.type == "comment" or st == skip:
                    continue
                memo[st.id] = tuple(acc)
                acc.extend(x for x in self._guards(st) if x not in acc)
        return memo.get(child.id, ())

    def _guards(self, st: Node) -> list[int]:
        out = self._top(st)
        if st.type == "if_statement":
            cond = st.child_by_field_name("condition")
            cons = st.child_by_field_name("consequence")
            alt = st.child_by_field_name("alternative")
            cons_exits = cons is not None and exits_branch(cons)
            alt_exits = alt is not None and exits_branch(alt)
            if cons_exits and not alt_exits:
                out.extend(self._passed(cond, False) + self._denials(cond, refusal_of(cons, cond)))
            elif alt_exits and not cons_exits:
                out.extend(self._passed(cond, True) + self._denials(cond, refusal_of(alt, cond)))
            elif cons is not None and self._resets(cons, cond):
                out.extend(self._passed(cond, False))  # `if (typeof x !== 'string') x = ''`
        elif st.type == "switch_statement":
            body = st.child_by_field_name("body")
            if body is not None and default_exits(body):
                out.extend(self._sites_in(st.child_by_field_name("value")))
        elif st.type == "try_statement":
            body = st.child_by_field_name("body")
            handler = st.child_by_field_name("handler")
            hbody = handler.child_by_field_name("body") if handler is not None else None
            if body is not None and (hbody is None or exits_branch(hbody)):
                # (past the statement, the body ran to its end: its guards, `if (bad) return` too, passed)
                for inner in body.named_children:
                    out.extend(self._guards(inner))
        return out

    def _resets(self, branch: Node, cond: Node | None) -> bool:
        """The branch writes a name the condition tests (`if (typeof x !== 'string') x = ''`): past
        the statement, that name holds a value that passed or the branch's own. A write of another
        name there (`if (typeof data !== 'string') cmd = data.cmd`) makes nothing of the data valid."""
        tested: set[str] = set()
        for i in self._sites_in(cond):
            tested |= self.site_names[i]
        return any(branch.start_byte <= w < branch.end_byte and name in tested for w, name in self.writes)

    def _top(self, st: Node) -> list[int]:
        """What a statement establishes on every path through it: asserted conditions, and held calls."""
        out: list[int] = []
        for arg in self.asserted.get(st.id, ()):
            out.extend(self._passed(arg, True))
        out.extend(~i for i in self.held.get(st.id, ()))
        out.extend(self.replacing.get(st.id, ()))
        return out


def replaced_name(stmt: Node, call: Node) -> str | None:
    """`x = f(...)` (also `x = await f(...)`): the name a statement assigns the call's result to."""
    if stmt.type != "expression_statement":
        return None
    expr = unwrap_test(next((c for c in stmt.named_children if c.type != "comment"), None))
    if expr is None or expr.type != "assignment_expression":
        return None
    left = expr.child_by_field_name("left")
    if left is None or left.type != "identifier" or unwrap_test(expr.child_by_field_name("right")) != call:
        return None
    return text_of(left, 80)

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

from ipclint.extract.flownames import occurrences
from ipclint.extract.flowread import ASSERT_CALL, BUILTIN_CHECKS, MAX_UP, TRANSPARENT, VALUE_CHECKS, operator_of
from ipclint.extract.guards import exits
from ipclint.extract.parse import Node
from ipclint.extract.values import text_of, unwrap

BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default"})
EXITS = frozenset({"return_statement", "throw_statement", "continue_statement", "break_statement"})
EQUALITY = frozenset({"===", "=="})
INEQUALITY = frozenset({"!==", "!="})
RELATIONS = frozenset({"<", ">", "<=", ">="})
INDEX_METHODS = frozenset({"indexOf", "lastIndexOf", "search", "findIndex", "findLastIndex"})
NOTHING = frozenset({"null", "undefined", "void 0"})
# Branch values that refuse: nothing, or a constant (`return false`, `cond ? null : use(x)`).
REFUSING_VALUES = frozenset({"null", "undefined", "false", "true", "number", "string", "array", "object",
                             "template_string", "unary_expression"})
MAX_DEPTH = 12

# How a site can be written as a denial: "content" (`p.includes('..')`, `/re/.test(p)`: a throw or
# an empty return refuses), "call" (a validator call: a throw refuses).
Ambiguity = str | None


class Dominance:
    """Mixed into the analysis: needs ``fn``, ``fn_id``, ``data``, ``writes`` and ``block_memo``;
    ``_index_sites`` sets up the sorted site nodes."""

    fn: Node
    fn_id: int
    data: bytes
    writes: list[int]
    block_memo: dict[int, dict[int, tuple[int, ...]]]

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
        for i, n in enumerate(order):
            decl = _guard_declaration(n)
            if decl is not None and len(self.guard_vars) < 32:
                name, value = decl
                values = self.guard_vars.setdefault(name, [])
                if all(v.id != value.id for v in values):
                    values.append(value)
            how = _evaluation(n)
            if how is None:
                continue
            stmt, arg = how
            if arg is None:
                self.held.setdefault(stmt.id, []).append(i)
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
        node = _unwrap(cond)
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
            return self._either(left, right)
        if t == "identifier":
            return self._guard_var(node, outcome, depth)
        if t == "binary_expression":
            flipped = _against_constant(node)
            if flipped is not None:  # `v === undefined`, `found !== false`
                inner, same = flipped
                var = _unwrap(inner)
                if var is not None and var.type == "identifier" and text_of(var, 80) in self.guard_vars:
                    return self._passed(var, outcome if same else not outcome, depth + 1)
        out = []
        for i in self._sites_in(node):
            pol = _polarity(self.site_list[i], node)
            if pol is not _SKIP and (pol is None or pol == outcome):
                out.append(i)
        if not out and self.guard_vars:  # a guard variable read inside the test: `m?.length !== 3`
            own = _own_polarity(node) if t == "binary_expression" else True
            if own is None or own == outcome:
                for ident in _identifiers(node, self.guard_vars):
                    out.extend(i for i in self._guard_var(ident, True, depth) if i not in out)
        return out

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
        child, node = read, read.parent
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
            child, node = node, node.parent
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
        elif t == "switch_case" and node.parent is not None and node.parent.parent is not None:
            passed.extend(self._sites_in(node.parent.parent.child_by_field_name("value")))
        if t in BLOCKS:
            for i in self._before(node, child):
                (held if i < 0 else passed).append(~i if i < 0 else i)
        return tuple(passed), tuple(held)

    def _branch(self, node: Node, child: Node) -> list[int]:
        cond = node.child_by_field_name("condition")
        cons = node.child_by_field_name("consequence")
        alt = node.child_by_field_name("alternative")
        if child == cons:
            return self._passed(cond, True) + self._denials(cond, _refusal(alt))
        if child == alt:
            return self._passed(cond, False) + self._denials(cond, _refusal(cons))
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
            cons_exits = cons is not None and _exits(cons)
            alt_exits = alt is not None and _exits(alt)
            if cons_exits and not alt_exits:
                out.extend(self._passed(cond, False) + self._denials(cond, _refusal(cons)))
            elif alt_exits and not cons_exits:
                out.extend(self._passed(cond, True) + self._denials(cond, _refusal(alt)))
            elif cons is not None and any(cons.start_byte <= w < cons.end_byte for w in self.writes):
                out.extend(self._passed(cond, False))  # `if (typeof x !== 'string') x = ''`
        elif st.type == "switch_statement":
            body = st.child_by_field_name("body")
            if body is not None and _default_exits(body):
                out.extend(self._sites_in(st.child_by_field_name("value")))
        elif st.type == "try_statement":
            body = st.child_by_field_name("body")
            handler = st.child_by_field_name("handler")
            hbody = handler.child_by_field_name("body") if handler is not None else None
            if body is not None and (hbody is None or _exits(hbody)):
                for inner in body.named_children:
                    out.extend(self._top(inner))
        return out

    def _top(self, st: Node) -> list[int]:
        """What a statement establishes on every path through it: asserted conditions, and held calls."""
        out: list[int] = []
        for arg in self.asserted.get(st.id, ()):
            out.extend(self._passed(arg, True))
        out.extend(~i for i in self.held.get(st.id, ()))
        return out

    # ---- what the function's result says about its data -------------------------------------
    def _decisions(self) -> list[tuple[int, str, bool]]:
        """(site, how, own) for the tests that decide whether a function goes on: an `if` one of
        whose branches throws or returns ("throw", "return"), and, in the function itself, a
        returned verdict ("result"), assertions ("throw") and calls whose result is ignored
        ("held"). ``own``: in the analysed function itself, not in a nested one."""
        out: list[tuple[int, str, bool]] = []
        done: set[int] = set()
        contexts = [c for c in (self._test_context(n) for n in self.site_list) if c is not None]
        contexts.extend(self._var_tests())
        for ctx in contexts:
            if ctx.id in done:
                continue
            done.add(ctx.id)
            own = self._inside_own(ctx)
            if ctx.type == "if_statement":
                cond = ctx.child_by_field_name("condition")
                cons = ctx.child_by_field_name("consequence")
                alt = ctx.child_by_field_name("alternative")
                leaves = [b is not None and _exits(b, leave_function=True) for b in (cons, alt)]
                for (branch, outcome), leaving, other in zip(((cons, False), (alt, True)), leaves, leaves[::-1],
                                                             strict=True):
                    if not leaving or branch is None:
                        continue
                    how = "throw" if _refusal(branch) == "throw" else "return"
                    if other and (how != "throw" or _refusal(alt if branch is cons else cons) == "throw"):
                        continue  # both branches end the function: a dispatch, unless one of them refuses
                    out.extend((i, how, own) for i in self._passed(cond, outcome) + self._denials(
                        cond, _refusal(branch)))
            elif own:  # a returned verdict; a returned lookup is the data looked up, not a verdict
                out.extend((i, "result", True) for i in self._passed(ctx, True) if not self.lookup_site[i])
        for st_id, args in self.asserted.items():
            own = self._own_statement(st_id)
            for arg in args:
                out.extend((i, "throw", own) for i in self._passed(arg, True))
        for st_id, held in self.held.items():
            if self._own_statement(st_id):
                out.extend((i, "held", True) for i in held)
        seen: set[tuple[int, str, bool]] = set()
        return [g for g in out if not (g in seen or seen.add(g))]  # type: ignore[func-returns-value]

    def _var_tests(self) -> list[Node]:
        """The `if` statements and returns that test a guard variable (`if (!handler) return`)."""
        out: list[Node] = []
        end = self.fn.end_byte
        for name, values in self.guard_vars.items():
            start = values[0].end_byte
            for pos in occurrences(self.data, name, start, end)[:16]:
                ident = self.fn.descendant_for_byte_range(pos, pos + len(name.encode()))
                if ident is None or ident.type != "identifier":
                    continue
                ctx = self._test_context(ident)
                if ctx is not None:
                    out.append(ctx)
        return out

    def _test_context(self, site: Node) -> Node | None:
        """The `if` whose condition holds the site, or the returned expression (`return ok(x)`, a
        concise body of the analysed function)."""
        child, node = site, site.parent
        for _ in range(MAX_UP):
            if node is None:
                return None
            t = node.type
            if t in TRANSPARENT or t == "unary_expression" or t == "binary_expression" \
                    or t == "parenthesized_expression" or (t in ("member_expression", "subscript_expression")
                                                           and node.child_by_field_name("object") == child):
                child, node = node, node.parent
                continue
            if t == "if_statement" and node.child_by_field_name("condition") == child:
                return node
            if t == "return_statement":
                return child
            if node.id == self.fn_id and node.child_by_field_name("body") == child:
                return child  # a concise arrow body
            return None
        return None

    def _inside_own(self, node: Node) -> bool:
        """No function boundary between ``node`` and the analysed function (memoised along the
        way: climbing parents is not free in deep trees)."""
        from ipclint.extract.walk import FUNCTION_TYPES
        memo = self.own_memo
        path: list[int] = []
        cur = node.parent
        result = False
        for _ in range(MAX_UP * 4):
            if cur is None:
                break
            known = memo.get(cur.id)
            if known is not None:
                result = known
                break
            if cur.id == self.fn_id:
                result = True
                break
            if cur.type in FUNCTION_TYPES:
                break
            path.append(cur.id)
            cur = cur.parent
        for i in path:
            memo[i] = result
        return result

    def _own_statement(self, st_id: int) -> bool:
        body = self.fn.child_by_field_name("body")
        return body is not None and any(c.id == st_id for c in body.named_children)


class _Skip:
    pass


_SKIP = _Skip()
Polarity = bool | None | _Skip


def _polarity(site: Node, leaf: Node) -> Polarity:
    """Which outcome of ``leaf`` means the site passed: True, False, None (either), or _SKIP (the
    site's result does not decide the leaf: `f(LIST.includes(x))`)."""
    pol: bool | None = _own_polarity(site)
    child, node = site, site.parent
    for _ in range(16):
        if child.id == leaf.id:
            return pol
        if node is None:
            return _SKIP
        t = node.type
        if t in TRANSPARENT or t == "parenthesized_expression":
            pass
        elif t == "unary_expression" and operator_of(node) == "!":
            pol = None if pol is None else not pol
        elif t == "binary_expression" and operator_of(node) in EQUALITY | INEQUALITY | RELATIONS:
            rel = _relation(node, child)
            if rel is _SKIP:
                return _SKIP
            pol = None if pol is None or rel is None else (pol if rel else not pol)
        else:
            return _SKIP
        child, node = node, node.parent
    return _SKIP


def _identifiers(node: Node, names: dict[str, list[Node]]) -> list[Node]:
    """Identifiers of ``names`` read as the base of a member chain in a small test expression
    (`m?.length !== 3`, `!res.ok`); a bare comparison (`kind === 'web'`) compares a value, it
    does not test whether the check that produced it passed."""
    out: list[Node] = []
    stack = [node]
    seen = 0
    while stack and seen < 64:
        n = stack.pop()
        seen += 1
        if n.type in ("member_expression", "subscript_expression"):
            obj = _unwrap(n.child_by_field_name("object"))
            if obj is not None and obj.type == "identifier":
                if text_of(obj, 80) in names:
                    out.append(obj)
            elif obj is not None:
                stack.append(obj)
        elif n.type in ("binary_expression", "parenthesized_expression", "unary_expression") \
                or n.type in TRANSPARENT:
            stack.extend(n.named_children)
    return out


def _own_polarity(site: Node) -> bool | None:
    if site.type == "binary_expression":
        op = operator_of(site)
        if op in INEQUALITY:
            return False
        if op in RELATIONS:
            return None
    return True


def _relation(cmp: Node, child: Node) -> bool | None | _Skip:
    """How a comparison of ``child`` (a site's result) with a constant relates to that result
    passing: True (the comparison holds when it passes), False (when it fails), None (either)."""
    left, right = cmp.child_by_field_name("left"), cmp.child_by_field_name("right")
    other = right if left == child else left
    if other is None:
        return _SKIP
    op = operator_of(cmp)
    if cmp.child_by_field_name("left") != child:  # `-1 !== i` reads as `i !== -1`
        op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
    text = text_of(other, 12)
    if _index_call(child):
        if text in ("-1", "- 1"):
            return op in ("!==", "!=", ">")
        if text == "0":
            return op in (">=", "===", "==") if op != "<" else False
        return None
    if child.type == "unary_expression" and operator_of(child) == "typeof":
        return None if op in RELATIONS else op in EQUALITY
    if text in NOTHING or text == "false":
        return op in INEQUALITY if op not in RELATIONS else None
    if text == "true":
        return op in EQUALITY if op not in RELATIONS else None
    return None if op in RELATIONS else _SKIP


def _index_call(node: Node) -> bool:
    n = _unwrap(node)
    if n is None or n.type != "call_expression":
        return False
    callee = n.child_by_field_name("function")
    return callee is not None and callee.type == "member_expression" and text_of(
        callee.child_by_field_name("property"), 40) in INDEX_METHODS  # type: ignore[arg-type]


def _against_constant(node: Node) -> tuple[Node, bool] | None:
    """`v === undefined` -> (v, False): the comparison holds when v is falsy-like; `v !== null`
    -> (v, True); `v === true` -> (v, True)."""
    op = operator_of(node)
    if op not in EQUALITY | INEQUALITY:
        return None
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    for const, other in ((right, left), (left, right)):
        if const is None or other is None:
            continue
        text = text_of(const, 12)
        if text in NOTHING or text == "false":
            return other, op in INEQUALITY
        if text == "true":
            return other, op in EQUALITY
    return None


def site_kind(node: Node) -> str:
    """check (typeof, comparison, allowlist), url (`new URL`), call (a validator or not: decided
    at check time), empty (a presence test), lookup (`TABLE[x]`)."""
    if node.type == "new_expression":
        callee = node.child_by_field_name("constructor")
        return "url" if callee is not None and text_of(callee, 100).rsplit(".", 1)[-1] == "URL" else "call"
    if node.type == "call_expression":
        callee = node.child_by_field_name("function")
        text = text_of(callee, 100) if callee is not None else ""
        last = text.rsplit(".", 1)[-1]
        if last in BUILTIN_CHECKS or last in VALUE_CHECKS or text.endswith("hasOwnProperty.call"):
            return "check"
        return "call"
    if node.type == "subscript_expression":
        return "lookup"
    if node.type == "binary_expression":
        sides = (node.child_by_field_name("left"), node.child_by_field_name("right"))
        if any(x is not None and text_of(x, 12) in _EMPTY for x in sides):
            return "empty"  # `x === ''`, `x != null`: presence, like `if (!x)`, not validation
    return "check"


_EMPTY = frozenset({"''", '""', "``", "null", "undefined", "void 0"})


def _evaluation(node: Node) -> tuple[Node, Node | None] | None:
    """Where a site is evaluated on every path through its statement, and how: (statement, None)
    for a call whose result nobody tests (`validate(x);`, `const v = schema.parse(x)`: it
    validates only by throwing), (statement, condition) for a condition an assertion insists on
    (`assert(typeof x === 'string')`, `invariant(LIST.includes(x), 'msg')`). A check whose result
    is only stored is neither."""
    child, cur = node, node.parent
    cond = site_kind(node) not in ("call", "url", "lookup")
    asserted: Node | None = None
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
            if asserted is not None:
                return cur, asserted
            return None if cond else (cur, None)
        elif t == "arguments":
            call = cur.parent
            callee = call.child_by_field_name("function") if call is not None else None
            text = text_of(callee, 60) if callee is not None else ""
            if call is None or asserted is not None or not ASSERT_CALL.match(text.rsplit(".", 1)[-1]) \
                    or text.startswith("console."):
                return None  # console.assert only logs
            asserted = child
            cond = False
            cur = call
        elif t == "member_expression" and child == cur.child_by_field_name("object") and not cond:
            pass  # schema.parse(x).data
        else:
            return None
        child, cur = cur, cur.parent
    return None


def _guard_declaration(node: Node) -> tuple[str, Node] | None:
    """`const ok = typeof x === 'string' && x.length < 9`: the variable holding a check's result,
    and the value it was declared with."""
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
            if name is None or name.type != "identifier":
                return None
            return text_of(name, 80), child
        return None
    return None


def _refusal(branch: Node | None) -> str | None:
    """How a branch refuses: "throw", "return" (nothing or a constant, also `continue`), or None
    when it does something (`return shell.openExternal(u)`)."""
    if branch is None:
        return None
    node = branch
    for _ in range(8):
        t = node.type
        if t == "throw_statement":
            return "throw"
        if t in ("continue_statement", "break_statement"):
            return "return"
        if t == "return_statement":
            inner = [c for c in node.named_children if c.type != "comment"]
            return "return" if not inner or _constant(inner[0]) else None
        if t in ("else_clause", "statement_block"):
            inner = [c for c in node.named_children if c.type != "comment"]
            if not inner:
                return None
            node = inner[-1]
            continue
        return "return" if _constant(node) else None  # a ternary's branch
    return None


def _constant(node: Node) -> bool:
    n = _unwrap(node)
    if n is None:
        return False
    if n.type == "template_string":
        return not any(c.type == "template_substitution" for c in n.named_children)
    if n.type in ("array", "object"):
        return not n.named_children
    if n.type == "unary_expression":
        return text_of(n, 12) in ("void 0", "-1")
    if n.type == "identifier":
        return text_of(n, 12) == "undefined"
    return n.type in REFUSING_VALUES


def _default_exits(body: Node) -> bool:
    for c in body.named_children:
        if c.type == "switch_default":
            stmts = [s for s in c.named_children if s.type != "comment"]
            return bool(stmts) and _exits(stmts[-1])
    return False


def _unwrap(node: Node | None) -> Node | None:
    """Skip parentheses, TypeScript wrappers and `await`."""
    for _ in range(16):
        node = unwrap(node)
        if node is None or node.type != "await_expression":
            return node
        inner = [c for c in node.named_children if c.type != "comment"]
        node = inner[0] if inner else None
    return node


def _exits(node: Node, leave_function: bool = False) -> bool:
    """A branch that always leaves: it is, or ends with, return/throw (and, within a loop,
    continue/break)."""
    return exits(node, frozenset({"return_statement", "throw_statement"}) if leave_function else EXITS)

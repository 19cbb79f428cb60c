"""What a function's result says about its data (flowdom, facts.Gate): the tests that decide
how it ends (an `if` one of whose branches throws or returns, a returned verdict, assertions,
calls whose result is ignored), so that a project function that throws or returns early on a
failed test of a parameter is a validator whatever its name."""
from __future__ import annotations

from ipclint.extract.ancestry import Up
from ipclint.extract.flownames import occurrences
from ipclint.extract.flowread import MAX_UP, TRANSPARENT
from ipclint.extract.flowtests import (
    evaluation,
    exits_branch,
    falsy_exit,
    falsy_value,
    refusal,
    refusal_of,
    truthy_return,
    truthy_value,
)
from ipclint.extract.parse import Node


class Decisions:
    """Mixed into the dominance analysis (it provides ``_passed``, ``_denials``, the sites and
    guard variables)."""

    fn: Node
    fn_id: int
    data: bytes
    up: Up
    site_list: list[Node]
    lookup_site: list[bool]
    guard_vars: dict[str, list[Node]]
    asserted: dict[int, list[Node]]
    held: dict[int, list[int]]
    own_memo: dict[int, bool]
    site_kinds: dict[int, str]  # site node id -> flowtests.site_kind

    def _passed(self, cond: Node | None, outcome: bool, depth: int = 0) -> list[int]:
        raise NotImplementedError

    def _denials(self, cond: Node | None, how: str | None) -> list[int]:
        raise NotImplementedError

    def _sites_in(self, node: Node | None) -> list[int]:
        raise NotImplementedError

    def _decisions(self) -> list[tuple[int, str, bool]]:
        """(site, how, own) for the tests that decide whether a function goes on: an `if` one of
        whose branches throws or returns ("throw", "return"), and, in the function itself, a
        returned verdict ("result"), a test whose passing returns a truthy value at once
        ("accept"), assertions ("throw") and calls whose result is ignored ("held"). ``own``: in
        the analysed function itself, not in a nested one."""
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
                leaves = [b is not None and exits_branch(b, leave_function=True) for b in (cons, alt)]
                if own and alt is None and cons is not None and truthy_return(cons):
                    # `if (TABLE[x]) return true`: the function answers yes as soon as the test
                    # passes, a verdict only its callers act on ("accept": no gate of its own)
                    out.extend((i, "accept", True) for i in self._passed(cond, True))
                for (branch, outcome), leaving, other in zip(((cons, False), (alt, True)), leaves, leaves[::-1],
                                                             strict=True):
                    if not leaving or branch is None:
                        continue
                    how = "throw" if refusal(branch) == "throw" else "return"
                    if other and (how != "throw" or refusal(alt if branch is cons else cons) == "throw"):
                        continue  # both branches end the function: a dispatch, unless one of them refuses
                    out.extend((i, how, own) for i in self._passed(cond, outcome) + self._denials(
                        cond, refusal_of(branch, cond)))
            elif ctx.type == "ternary_expression":
                if own:  # `return name ? name + '.json' : undefined`: the result is truthy when the test passed
                    cons, alt = ctx.child_by_field_name("consequence"), ctx.child_by_field_name("alternative")
                    cond = ctx.child_by_field_name("condition")
                    if falsy_value(alt) and truthy_value(cons):
                        out.extend((i, "result", True) for i in self._passed(cond, True))
                    elif falsy_value(cons) and truthy_value(alt):
                        out.extend((i, "result", True) for i in self._passed(cond, False))
            elif ctx.type == "switch_statement":
                if own and self._lookup_switch(ctx):  # `switch (x) { case 'a': return A; ... }` then nothing
                    out.extend((i, "result", True) for i in self._sites_in(ctx.child_by_field_name("value")))
            elif own:  # a returned verdict; a returned lookup is the data looked up, not a verdict
                out.extend((i, "result", True) for i in self._passed(ctx, True) if not self.lookup_site[i])
        asserted = self.asserted
        var_asserts = self._var_asserts()
        if var_asserts:
            asserted = {k: list(v) for k, v in asserted.items()}
            for st_id, arg in var_asserts:
                asserted.setdefault(st_id, []).append(arg)
        for st_id, args in asserted.items():
            own = self._own_statement(st_id)
            for arg in args:
                out.extend((i, "throw", own) for i in self._passed(arg, True))
        for st_id, held in self.held.items():
            if self._own_statement(st_id):
                out.extend((i, "held", True) for i in held)
            else:
                ending = self._caught_refusal(st_id)
                if ending is not None:  # (a parse's throw is its verdict; another call's is not)
                    out.extend((i, ending, True) for i in held if self.site_kinds[self.site_list[i].id] == "url")
        seen: set[tuple[int, str, bool]] = set()
        return [g for g in out if not (g in seen or seen.add(g))]  # type: ignore[func-returns-value]

    def _returned(self, node: Node) -> bool:
        """``node`` is what the analysed function returns (`return ...`, its concise body)."""
        child, up = node, self.up(node)
        for _ in range(8):
            if up is None:
                return False
            if up.type in TRANSPARENT or up.type == "parenthesized_expression":
                child, up = up, self.up(up)
                continue
            if up.type == "return_statement":
                return True
            return up.id == self.fn_id and up.child_by_field_name("body") == child
        return False

    def _lookup_switch(self, sw: Node) -> bool:
        """A switch that maps the value to a result: it is the function body's last statement, each
        case returns a truthy value, and no case matched (or a default that refuses) gives nothing,
        so the result is truthy exactly when the value is one of the cases (keeweb's
        `getNativeHostName(ext)`, `createManifest(browser, ext)`)."""
        body = self.fn.child_by_field_name("body")
        if body is None or self.up(sw) != body:
            return False
        last = [c for c in body.named_children if c.type != "comment"]
        cases = sw.child_by_field_name("body")
        if not last or last[-1] != sw or cases is None:
            return False
        seen = False
        for case in cases.named_children:
            if case.type == "comment":
                continue
            stmts = [c for c in case.named_children if c.type != "comment" and c != case.child_by_field_name("value")]
            if case.type == "switch_default":
                if not stmts or refusal(stmts[-1]) is None or not falsy_exit(stmts[-1]):
                    return False
                continue
            if not stmts:
                continue  # falls through into the next case
            if not exits_branch(stmts[-1], leave_function=True) or not truthy_return(stmts[-1]):
                return False
            seen = True
        return seen

    def _var_tests(self) -> list[Node]:
        """The `if` statements and returns that test a guard variable (`if (!handler) return`)."""
        return [ctx for ident in self._guard_var_reads() if (ctx := self._test_context(ident)) is not None]

    def _var_asserts(self) -> list[tuple[int, Node]]:
        """(statement, condition) of the assertions that insist on a guard variable
        (`const fn = API[m]; assert(fn, 'unknown method')`), like `if (!fn) throw`."""
        out: list[tuple[int, Node]] = []
        for ident in self._guard_var_reads():
            how = evaluation(ident, self.up, "lookup")
            if how is not None and how[1] is not None:
                out.append((how[0].id, how[1]))
        return out

    def _guard_var_reads(self) -> list[Node]:
        """The reads of each guard variable after its declaration (the first 16 of each)."""
        return [ident for name, values in self.guard_vars.items()
                for ident in self._names_in(self.fn, name, values[0].end_byte, self.fn.end_byte)]

    def _names_in(self, node: Node, name: str, start: int, end: int, limit: int = 16,
                  kinds: tuple[str, ...] = ("identifier",)) -> list[Node]:
        """The nodes of ``node`` between ``start`` and ``end`` that name ``name`` (found by byte
        search, the first ``limit`` occurrences; not properties `x.name`)."""
        size = len(name.encode())
        out = []
        for pos in occurrences(self.data, name, start, end)[:limit]:
            found = node.descendant_for_byte_range(pos, pos + size)
            if found is not None and found.type in kinds:
                out.append(found)
        return out

    def _test_context(self, site: Node) -> Node | None:
        """The `if` whose condition holds the site, or the returned expression (`return ok(x)`, a
        concise body of the analysed function)."""
        child, node = site, self.up(site)
        for _ in range(MAX_UP):
            if node is None:
                return None
            t = node.type
            if t in TRANSPARENT or t == "unary_expression" or t == "binary_expression" \
                    or t == "parenthesized_expression" or (t in ("member_expression", "subscript_expression")
                                                           and node.child_by_field_name("object") == child):
                child, node = node, self.up(node)
                continue
            if t == "if_statement" and node.child_by_field_name("condition") == child:
                return node
            if t == "switch_statement" and node.child_by_field_name("value") == child:
                return node
            if t == "ternary_expression" and node.child_by_field_name("condition") == child:
                return node if self._returned(node) else None
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
        cur = self.up(node)
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
            cur = self.up(cur)
        for i in path:
            memo[i] = result
        return result

    def _own_statement(self, st_id: int) -> bool:
        body = self.fn.child_by_field_name("body")
        return body is not None and any(c.id == st_id for c in body.named_children)

    def _caught_refusal(self, st_id: int) -> str | None:
        """How the function ends when a statement of a `try` block of its own body throws, for a
        `catch` that always leaves it (`let u; try { u = new URL(x) } catch { return }`: a failed
        parse returns early, as `if (!ok(x)) return` does): "throw" or "return"; None otherwise.
        Only URL parses count (``_decisions``): a library call that fails in such a try
        (`await http.get(url)`) has used the value, not judged it."""
        body = self.fn.child_by_field_name("body")
        if body is None:
            return None
        for stmt in body.named_children:
            if stmt.type != "try_statement":
                continue
            block = stmt.child_by_field_name("body")
            if block is None or not any(c.id == st_id for c in block.named_children):
                continue
            handler = stmt.child_by_field_name("handler")
            caught = handler.child_by_field_name("body") if handler is not None else None
            if caught is None or not exits_branch(caught, leave_function=True):
                return None
            return "throw" if refusal(caught) == "throw" else "return"
        return None



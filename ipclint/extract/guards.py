"""Once-guards: code that runs at most once however often it is reached.

`if (!attached) { ipcMain.handle(...); attached = true }` around a call, and
`if (done) return; done = true` at the top of a function. Found from the syntax tree during
extraction, walking a bounded number of parents or statements (never the whole tree).
"""
from __future__ import annotations

from collections.abc import Callable

from ipclint.extract.ancestry import Up
from ipclint.extract.parse import Node
from ipclint.extract.values import span_of, text_of, unwrap
from ipclint.model.facts import Arm
from ipclint.model.values import AnyV, Case, Not

MAX_PARENTS = 24
MAX_STATEMENTS = 4
FUNCTION_BOUNDARY = frozenset({"function_declaration", "function_expression", "function", "arrow_function",
                               "method_definition", "generator_function_declaration", "generator_function",
                               "program"})


def _flag_of(cond: Node | None, negated: bool) -> str | None:
    """The flag tested by `!flag` (negated=True) or `flag` (negated=False)."""
    c = unwrap(cond)
    if c is None:
        return None
    if negated:
        op = c.child_by_field_name("operator")
        if c.type != "unary_expression" or op is None or op.type != "!":
            return None
        c = unwrap(c.child_by_field_name("argument"))
    if c is not None and c.type in ("identifier", "member_expression"):
        return text_of(c, 200)
    return None


def _sets_true(block: Node, flag: str) -> bool:
    """Whether a statement directly in ``block`` assigns `flag = true`."""
    stmts = block.named_children if block.type == "statement_block" else [block]
    for st in stmts:
        if st.type != "expression_statement" or not st.named_children:
            continue
        e = st.named_children[0]
        if e.type == "assignment_expression":
            left, right = e.child_by_field_name("left"), e.child_by_field_name("right")
            if left is not None and right is not None and right.type == "true" and text_of(left, 200) == flag:
                return True
    return False


def call_is_once_guarded(call: Node, up: Up) -> bool:
    node: Node | None = up(call)
    child = call
    for _ in range(MAX_PARENTS):
        if node is None or node.type in FUNCTION_BOUNDARY:
            return False
        if node.type == "if_statement" and node.child_by_field_name("consequence") == child:
            cond = node.child_by_field_name("condition")
            if any(_sets_true(child, flag) for flag in _negated_flags(cond)) \
                    or any(_records(child, table, key) for table, key in _unrecorded(cond)):
                return True
        child, node = node, up(node)
    return False


def _unrecorded(cond: Node | None) -> list[tuple[str, str]]:
    """The (table, key) pairs a condition requires to be absent: `!subs.has(id)`, also as one
    operand of `&&` (`window.api && !subs.has(id)`)."""
    out: list[tuple[str, str]] = []
    for c in _conjuncts(cond):
        op = c.child_by_field_name("operator")
        if c.type != "unary_expression" or op is None or op.type != "!":
            continue
        test = _table_call(unwrap(c.child_by_field_name("argument")), ("has",))
        if test is not None:
            out.append(test)
    return out


def _conjuncts(cond: Node | None) -> list[Node]:
    """The operands a condition requires all to hold: ``cond`` itself, or the operands of its
    `&&` chain (parentheses unwrapped; eight steps at most)."""
    out: list[Node] = []
    todo = [cond]
    for _ in range(8):
        if not todo:
            break
        c = unwrap(todo.pop())
        if c is None:
            continue
        op = c.child_by_field_name("operator") if c.type == "binary_expression" else None
        if op is not None and op.type == "&&":
            todo += [c.child_by_field_name("left"), c.child_by_field_name("right")]
        else:
            out.append(c)
    return out


def _table_call(c: Node | None, methods: tuple[str, ...]) -> tuple[str, str] | None:
    """(table, first argument) of `table.method(key, ...)` for one of ``methods``."""
    if c is None or c.type != "call_expression":
        return None
    fn, args = c.child_by_field_name("function"), c.child_by_field_name("arguments")
    if fn is None or fn.type != "member_expression" or args is None or not args.named_children:
        return None
    obj, prop = fn.child_by_field_name("object"), fn.child_by_field_name("property")
    if obj is None or prop is None or text_of(prop, 20) not in methods:
        return None
    return text_of(obj, 200), text_of(args.named_children[0], 200)


def _records(block: Node, table: str, key: str) -> bool:
    """Whether a statement directly in ``block`` records ``key`` in ``table``
    (`subs.set(id, ...)`, `seen.add(id)`): the block runs once per key."""
    stmts = block.named_children if block.type == "statement_block" else [block]
    for st in stmts:
        if st.type == "expression_statement" and st.named_children \
                and _table_call(unwrap(st.named_children[0]), ("set", "add")) == (table, key):
            return True
    return False


def _negated_flags(cond: Node | None) -> list[str]:
    """The flags a condition requires to be false: `!flag`, also as one operand of `&&`
    (`!saved && settings.resume`: the branch still runs only while the flag is unset)."""
    return [flag for c in _conjuncts(cond) if (flag := _flag_of(c, True))]


_STORED_THROUGH = frozenset({"await_expression", "parenthesized_expression", "as_expression",
                             "satisfies_expression", "non_null_expression"})


def call_is_lazy_init(call: Node, up: Up) -> bool:
    """`if (!X) { X = new Service() }` (also `X ??= new Service()`, `X ||= create()`): a lazy
    singleton. The call's result is stored in the very variable or field whose absence it is
    guarded by, so the call runs once however often its function is reached."""
    child, node = call, up(call)
    for _ in range(8):
        if node is None or node.type not in _STORED_THROUGH:
            break
        child, node = node, up(node)
    if node is None or node.child_by_field_name("right") != child:
        return False
    if node.type == "augmented_assignment_expression":
        op = node.child_by_field_name("operator")
        return op is not None and op.type in ("??=", "||=")
    left = node.child_by_field_name("left")
    stmt = up(node)
    if node.type != "assignment_expression" or left is None or stmt is None or stmt.type != "expression_statement":
        return False
    cons, branch = stmt, up(stmt)
    if branch is not None and branch.type == "statement_block":
        cons, branch = branch, up(branch)
    return branch is not None and branch.type == "if_statement" \
        and branch.child_by_field_name("consequence") == cons \
        and _flag_of(branch.child_by_field_name("condition"), True) == text_of(left, 200)


def function_is_once_guarded(fn: Node) -> bool:
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return False
    stmts = [s for s in body.named_children if s.type != "comment"][:MAX_STATEMENTS]
    for i, st in enumerate(stmts):
        if st.type != "if_statement":
            continue
        cons = st.child_by_field_name("consequence")
        returns = cons is not None and (cons.type == "return_statement" or (
            cons.type == "statement_block" and any(c.type == "return_statement" for c in cons.named_children)))
        flag = _flag_of(st.child_by_field_name("condition"), False) if returns else None
        if flag and any(_sets_true(s, flag) for s in stmts[i + 1:]):
            return True
    return False


EXIT_TYPES = frozenset({"return_statement", "throw_statement"})


def exits(block: Node, leaving: frozenset[str] = EXIT_TYPES) -> bool:
    """Whether a branch always leaves: it is, or ends with, one of ``leaving`` (by default a
    return or throw, which leave the function)."""
    node = block
    for _ in range(8):
        if node.type in leaving:
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


def enclosing_conditions(call: Node, to_value: Callable[[Node], AnyV], up: Up,
                         memo: dict[int, dict[int, int]]) -> tuple[AnyV, ...]:
    """Conditions under which the call runs, within its function: `if (c) { call }` gives c,
    `else` gives Not(c); `switch (x) { case A: call }` gives Case(x, (A, ...)) unless the default
    can fall through into that case (a default that leaves the function, or one that ends its own
    arm, or comes after the case, or none at all: the call runs only for the case's values)."""
    out: list[AnyV] = []
    node: Node | None = up(call)
    child = call
    for _ in range(MAX_PARENTS):
        if node is None or node.type in FUNCTION_BOUNDARY:
            break
        if node.type in ("if_statement", "ternary_expression"):  # also `ok(ch) ? call : ...`
            cond = node.child_by_field_name("condition")
            if cond is not None and node.child_by_field_name("consequence") == child:
                out.append(to_value(cond))
            elif cond is not None and node.child_by_field_name("alternative") == child:
                v = to_value(cond)
                out.append(Not(span=v.span, text=v.text, inner=v))
        elif node.type == "binary_expression" and node.child_by_field_name("right") == child:
            op = node.child_by_field_name("operator")
            left = node.child_by_field_name("left")
            if op is not None and left is not None and op.type == "&&":  # `ok(ch) && call`
                out.append(to_value(left))
        elif node.type == "switch_case":
            block = up(node)
            sw = up(block) if block is not None else None
            if block is not None and sw is not None and sw.type == "switch_statement" \
                    and (_default_exits(block) or not _default_falls_into(block, node)):
                disc = sw.child_by_field_name("value")
                cases = _case_values(node, block, to_value, memo)
                if disc is not None and cases:
                    out.append(Case(span=span_of(node), subject=to_value(disc), values=tuple(cases)))
        child, node = node, up(node)
    return tuple(out)


def _default_falls_into(body: Node, case: Node) -> bool:
    """Whether the switch's default comes before ``case`` and can run on into the cases after it."""
    for c in body.named_children:
        if c.type == "switch_default":
            stmts = [s for s in c.named_children if s.type != "comment"]
            return c.start_byte < case.start_byte and not (stmts and stmts[-1].type in EXIT_TYPES | LEAVE_CASE)
    return False


def _default_exits(body: Node) -> bool:
    for c in body.named_children:
        if c.type == "switch_default":
            stmts = [s for s in c.named_children if s.type != "comment"]
            return bool(stmts) and stmts[-1].type in EXIT_TYPES
    return False


def _case_values(case: Node, body: Node, to_value: Callable[[Node], AnyV],
                 memo: dict[int, dict[int, int]]) -> list[AnyV]:
    """The values that reach this case: its own and those of empty cases falling through to it."""
    values: list[AnyV] = []
    siblings = body.named_children
    index = memo.get(body.id)
    if index is None:  # the position of each case, once per switch
        index = memo[body.id] = {c.id: i for i, c in enumerate(siblings)}
    at = index.get(case.id, 0)
    node: Node | None = case
    while node is not None and node.type == "switch_case":
        v = node.child_by_field_name("value")
        if v is not None:
            values.append(to_value(v))
        at -= 1
        prev = siblings[at] if at >= 0 else None
        if prev is None or prev.type != "switch_case" or any(
                c.type not in ("comment",) and c != prev.child_by_field_name("value") for c in prev.named_children):
            break
        node = prev
    return values


# The statements whose calls all run when the statement runs (in the branches around it); what a
# call inside a larger expression sits in is found by climbing to the first statement.
ARM_STATEMENTS = frozenset({"expression_statement", "lexical_declaration", "variable_declaration", "return_statement"})
STATEMENT_TYPES = ARM_STATEMENTS | frozenset({
    "if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement", "switch_statement",
    "try_statement", "statement_block", "throw_statement", "labeled_statement", "class_body", "program",
    "switch_case", "switch_default", "export_statement"})
LEAVE_CASE = frozenset({"break_statement", "return_statement", "throw_statement", "continue_statement"})


def enclosing_arms(call: Node, to_value: Callable[[Node], AnyV], up: Up,
                   memo: dict[int, dict[int, int]],
                   early: dict[int, list[tuple[int, Node]]] | None = None) -> tuple[Arm, ...]:
    """The branches a call sits in (`f()`, `await f()`, `c ? f() : g()`, `new Updater(f).run()`,
    `const u = make(f)`, `return f()`), within its function, outermost first; () for calls
    outside such a statement (a loop header, a class field)."""
    node: Node | None = up(call)
    for _ in range(MAX_PARENTS):
        if node is None or node.type in STATEMENT_TYPES or node.type in FUNCTION_BOUNDARY:
            break
        node = up(node)
    if node is None or node.type not in ARM_STATEMENTS:
        return ()
    out: list[Arm] = []
    child: Node = call
    node = up(call)
    for _ in range(MAX_PARENTS * 2):
        if node is None or node.type in FUNCTION_BOUNDARY:
            break
        if node.type in ("if_statement", "ternary_expression"):
            cond = node.child_by_field_name("condition")
            arm = 0 if node.child_by_field_name("consequence") == child else \
                1 if node.child_by_field_name("alternative") == child else -1
            if arm >= 0:
                out.append(Arm(_at(node), arm, to_value(cond) if cond is not None else None))
        elif node.type in ("switch_case", "switch_default") and (body := up(node)) is not None:
            out.append(Arm(_at(body), _case_group(node, body, memo)))
        elif node.type == "statement_block":
            out.extend(_after_early_exits(node, child, to_value, early if early is not None else {}))
        child, node = node, up(node)
    out.reverse()
    return tuple(out)


def _at(node: Node) -> int:
    """Where a branching statement starts, as one number: its line and column, not its byte offset,
    so that an edit of a comment on an earlier line (which keeps every span) keeps the facts."""
    row, col = node.start_point
    return (row << 32) | col


def _after_early_exits(block: Node, child: Node, to_value: Callable[[Node], AnyV],
                       memo: dict[int, list[tuple[int, Node]]]) -> list[Arm]:
    """`if (c) { ...; return a } return b`: a statement after an `if` without `else` whose
    consequence always leaves the function runs only when the consequence did not, as if it were
    the `else` (arm 1 of that `if`). Innermost (latest) first, as ``enclosing_arms`` collects.
    ``memo``: each block's early-exit ifs, found once."""
    found = memo.get(block.id)
    if found is None:
        found = memo[block.id] = []
        for s in block.named_children:
            if s.type != "if_statement" or s.child_by_field_name("alternative") is not None:
                continue
            cons = s.child_by_field_name("consequence")
            if cons is not None and exits(cons):
                found.append((_at(s), s))
    out: list[Arm] = []
    for start, s in reversed(found):
        if start < _at(child):
            cond = s.child_by_field_name("condition")
            out.append(Arm(start, 1, to_value(cond) if cond is not None else None))
    return out


def _case_group(case: Node, body: Node, memo: dict[int, dict[int, int]]) -> int:
    """Cases fall through into the next until one ends with break, return, throw or continue:
    the index of the group of cases that can run together (numbered once per switch)."""
    groups = memo.get(body.id)
    if groups is None:
        groups = memo[body.id] = {}
        group = 0
        for c in body.named_children:
            groups[c.id] = group
            if c.type not in ("switch_case", "switch_default"):
                continue
            stmts = [s for s in c.named_children if s.type != "comment" and s != c.child_by_field_name("value")]
            if stmts and (stmts[-1].type in LEAVE_CASE or exits(stmts[-1], LEAVE_CASE)):
                group += 1
        groups[-1] = group
    return groups.get(case.id, groups[-1])

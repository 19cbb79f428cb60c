"""What one test says about the path it decides (flowdom): which outcome of a site means it
passed (polarity through `!`, comparisons with -1/null/false and `!==`), how a branch refuses, how
a site is evaluated when no condition holds it (an assertion, a call whose result is ignored),
the guard variable holding a verdict, and the kind of a validation site."""
from __future__ import annotations

from ipclint.extract.ancestry import Up
from ipclint.extract.flowread import (
    ASSERT_CALL,
    BUILTIN_CHECKS,
    MAX_UP,
    TRANSPARENT,
    URL_PARSERS,
    VALUE_CHECKS,
    operator_of,
    predicate_method,
)
from ipclint.extract.guards import exits
from ipclint.extract.parse import Node
from ipclint.extract.values import text_of, unwrap

EXITS = frozenset({"return_statement", "throw_statement", "continue_statement", "break_statement"})
EQUALITY = frozenset({"===", "=="})
INEQUALITY = frozenset({"!==", "!="})
RELATIONS = frozenset({"<", ">", "<=", ">="})
INDEX_METHODS = frozenset({"indexOf", "lastIndexOf", "search", "findIndex", "findLastIndex"})
NOTHING = frozenset({"null", "undefined", "void 0"})
# Branch values that refuse: nothing, or a constant (`return false`, `cond ? null : use(x)`).
REFUSING_VALUES = frozenset({"null", "undefined", "false", "true", "number", "string", "array", "object",
                             "template_string", "unary_expression"})


# Fields of a validation result that carry its verdict (zod/valibot `safeParse`, joi `validate`):
# True when the field is truthy on success.
VERDICT_FIELDS = {"success": True, "error": False}


class Skip:
    pass


SKIP = Skip()
Polarity = bool | None | Skip


def polarity(site: Node, leaf: Node, up: Up) -> Polarity:
    """Which outcome of ``leaf`` means the site passed: True, False, None (either), or SKIP (the
    site's result does not decide the leaf: `f(LIST.includes(x))`)."""
    pol: bool | None = own_polarity(site)
    child, node = site, up(site)
    conjunct = False  # climbed out of `A && B`: decided only inside a predicate (below)
    for _ in range(16):
        if child.id == leaf.id:
            return SKIP if conjunct else pol
        if node is None:
            return SKIP
        t = node.type
        if t in TRANSPARENT or t == "parenthesized_expression":
            pass
        elif t == "binary_expression" and operator_of(node) == "&&":
            # `(e) => e.path && e.path === x`: the predicate passes only where the comparison does;
            # its failing says nothing about the comparison, so no other test survives a conjunction
            if pol is not True:
                return SKIP
            conjunct = True
        elif t == "unary_expression" and operator_of(node) == "!":
            pol = None if pol is None else not pol
        elif t == "binary_expression" and operator_of(node) in EQUALITY | INEQUALITY | RELATIONS:
            rel = relation(node, child)
            if rel is SKIP:
                return SKIP
            pol = None if pol is None or rel is None else (pol if rel else not pol)
        elif t == "member_expression" and pol is not None and _verdict_field(node, child) is not None:
            # `schema.safeParse(x).success`, `schema.validate(x).error`: the verdict of the result
            pol = pol if _verdict_field(node, child) else not pol
        elif t == "arrow_function" and node.child_by_field_name("body") == child:
            call = predicate_call(node, up)
            if call is None:
                return SKIP
            # `LIST.some((w) => w.id === x)`: the call is true when the predicate passed for an element
            child, node, conjunct = call, up(call), False
            continue
        else:
            return SKIP
        child, node = node, up(node)
    return SKIP


def _verdict_field(member: Node, child: Node) -> bool | None:
    """`call(...).success`: whether the field read off the call's result is truthy on success
    (None: no verdict field of that call)."""
    prop = member.child_by_field_name("property")
    if child.type != "call_expression" or prop is None or member.child_by_field_name("object") != child:
        return None
    return VERDICT_FIELDS.get(text_of(prop, 20))


PREDICATE_METHODS = frozenset({"some", "find", "findLast", "every"})


def predicate_call(fn: Node, up: Up) -> Node | None:
    """The `some`/`find`/`every` call an arrow function is the predicate of (its only argument)."""
    args = up(fn)
    call = up(args) if args is not None and args.type == "arguments" else None
    if args is None or call is None or call.type != "call_expression" or len(args.named_children) != 1:
        return None
    callee = call.child_by_field_name("function")
    prop = callee.child_by_field_name("property") if callee is not None and callee.type == "member_expression" \
        else None
    return call if prop is not None and text_of(prop, 20) in PREDICATE_METHODS else None


def member_bases(node: Node, names: dict[str, list[Node]]) -> list[Node]:
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
            obj = unwrap_test(n.child_by_field_name("object"))
            if obj is not None and obj.type == "identifier":
                if text_of(obj, 80) in names:
                    out.append(obj)
            elif obj is not None:
                stack.append(obj)
        elif n.type in ("binary_expression", "parenthesized_expression", "unary_expression") \
                or n.type in TRANSPARENT:
            stack.extend(n.named_children)
    return out


def own_polarity(site: Node) -> bool | None:
    if site.type == "binary_expression":
        op = operator_of(site)
        if op in INEQUALITY:
            return False
        if op in RELATIONS:
            return None
    return True


def relation(cmp: Node, child: Node) -> bool | None | Skip:
    """How a comparison of ``child`` (a site's result) with a constant relates to that result
    passing: True (the comparison holds when it passes), False (when it fails), None (either)."""
    left, right = cmp.child_by_field_name("left"), cmp.child_by_field_name("right")
    other = right if left == child else left
    if other is None:
        return SKIP
    op = operator_of(cmp)
    if cmp.child_by_field_name("left") != child:  # `-1 !== i` reads as `i !== -1`
        op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
    text = text_of(other, 12)
    if index_call(child):
        return index_relation(op, text)
    if child.type == "unary_expression" and operator_of(child) == "typeof":
        return None if op in RELATIONS else op in EQUALITY
    if text in NOTHING or text == "false":
        return op in INEQUALITY if op not in RELATIONS else None
    if text == "true":
        return op in EQUALITY if op not in RELATIONS else None
    return None if op in RELATIONS else SKIP


def index_relation(op: str, text: str) -> bool | None:
    """How `i OP text` (``i`` the result of `indexOf`/`findIndex`, on the left) relates to the
    value being found: True (holds when found: `i !== -1`, `i >= 0`), False (when not: `i ===
    -1`, `i < 0`), None (either)."""
    if text in ("-1", "- 1"):
        return op in ("!==", "!=", ">")
    if text == "0":
        return op in (">=", "===", "==") if op != "<" else False
    return None


def index_test(cmp: Node) -> tuple[Node, bool] | None:
    """`i === -1`, `i < 0`, `-1 !== i` -> (i, whether the comparison holds when found): a test of
    a variable that may hold an index (the caller knows whether it does)."""
    op = operator_of(cmp)
    if op not in EQUALITY | INEQUALITY | RELATIONS:
        return None
    left, right = unwrap_test(cmp.child_by_field_name("left")), unwrap_test(cmp.child_by_field_name("right"))
    for var, other, flip in ((left, right, False), (right, left, True)):
        if var is None or other is None or var.type != "identifier":
            continue
        rel = index_relation({"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op) if flip else op,
                             text_of(other, 12))
        if rel is not None:
            return var, rel
    return None


def index_call(node: Node) -> bool:
    n = unwrap_test(node)
    if n is None or n.type != "call_expression":
        return False
    callee = n.child_by_field_name("function")
    return callee is not None and callee.type == "member_expression" and text_of(
        callee.child_by_field_name("property"), 40) in INDEX_METHODS  # type: ignore[arg-type]


def against_constant(node: Node) -> tuple[Node, bool] | None:
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
        if text in URL_PARSERS:
            return "url"
        if last in BUILTIN_CHECKS or last in VALUE_CHECKS or text.endswith("hasOwnProperty.call"):
            return "check"
        return "call"
    if node.type == "subscript_expression":
        return "lookup"
    if node.type == "binary_expression":
        sides = (node.child_by_field_name("left"), node.child_by_field_name("right"))
        if any(x is not None and text_of(x, 12) in EMPTY for x in sides):
            return "empty"  # `x === ''`, `x != null`: presence, like `if (!x)`, not validation
        if _emptiness(node, sides):
            return "empty"  # `paths.length > 0`: whether there is anything, like `if (paths.length)`
    return "check"


def _emptiness(node: Node, sides: tuple[Node | None, Node | None]) -> bool:
    """`x.length > 0`, `x.length !== 0`, `x.length >= 1`, `0 < x.length`: a test of whether the
    value is empty, which says nothing about what it holds."""
    left, right = sides
    if left is None or right is None:
        return False
    op = operator_of(node)
    flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
    for side, other, o in ((left, right, op), (right, left, flipped.get(op, op))):
        size = unwrap_test(side)
        if size is None or size.type != "member_expression":
            continue
        prop = size.child_by_field_name("property")
        if prop is None or text_of(prop, 12) != "length":
            continue
        bound = text_of(other, 4)
        if bound == "0" and o in (">", "!==", "!=", "===", "==", "<="):
            return True
        if bound == "1" and o in (">=", "<"):
            return True
    return False


EMPTY = frozenset({"''", '""', "``", "null", "undefined", "void 0"})
FALSY = EMPTY | {"false", "0"}


def evaluation(node: Node, up: Up, kind: str | None = None) -> tuple[Node, Node | None] | None:
    """Where a site is evaluated on every path through its statement, and how: (statement, None)
    for a call whose result nobody tests (`validate(x);`, `const v = schema.parse(x)`: it
    validates only by throwing), (statement, condition) for a condition an assertion insists on
    (`assert(typeof x === 'string')`, `invariant(LIST.includes(x), 'msg')`). A check whose result
    is only stored is neither."""
    child, cur = node, up(node)
    cond = (kind or site_kind(node)) not in ("call", "url", "lookup")
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
            call = up(cur)
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
        child, cur = cur, up(cur)
    return None


def guard_declaration(node: Node, up: Up) -> tuple[str, Node] | None:
    """`const ok = typeof x === 'string' && x.length < 9`: the variable holding a check's result,
    and the value it was declared with."""
    child, cur = node, up(node)
    for _ in range(16):
        if cur is None:
            return None
        t = cur.type
        if t in TRANSPARENT or t == "binary_expression" or (t == "unary_expression" and operator_of(cur) == "!") \
                or (t == "member_expression" and child == cur.child_by_field_name("object")):
            child, cur = cur, up(cur)
            continue
        if t == "variable_declarator" and cur.child_by_field_name("value") == child:
            name = cur.child_by_field_name("name")
            if name is None or name.type != "identifier":
                return None
            return text_of(name, 80), child
        return None
    return None


def refusal(branch: Node | None) -> str | None:
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
            return "return" if not inner or constant(inner[0]) else None
        if t in ("else_clause", "statement_block"):
            inner = [c for c in node.named_children if c.type != "comment"]
            if not inner:
                return None
            node = inner[-1]
            continue
        return "return" if constant(node) else None  # a ternary's branch
    return None


def refusal_of(branch: Node | None, cond: Node | None) -> str | None:
    """How a branch decided by ``cond`` refuses (``refusal``); None also when it ends with a bare
    exit after acting on a tested value (`if (u.startsWith('http')) { shell.openExternal(u); return }`):
    that is a dispatch, and the value goes on untested on the other side."""
    how = refusal(branch)
    if how != "return" or branch is None or cond is None or branch.type == "return_statement":
        return how
    names = {text_of(n, 80) for n in _identifiers(cond) if not text_of(n, 1).isupper()}
    return None if names and _acts_on(branch, names) else how


def _identifiers(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack and len(out) < 64:
        n = stack.pop()
        if n.type == "identifier":
            out.append(n)
        stack.extend(n.named_children)
    return out


def _acts_on(branch: Node, names: set[str]) -> bool:
    """Some call in ``branch`` (other than logging or building an error) takes, or some assignment
    stores, one of ``names``."""
    stack: list[tuple[Node, bool]] = [(branch, False)]
    for _ in range(4096):
        if not stack:
            return False
        n, carried = stack.pop()
        t = n.type
        if t == "identifier":
            if carried and text_of(n, 80) in names:
                return True
            continue
        if t in ("call_expression", "new_expression"):
            callee = n.child_by_field_name("function" if t == "call_expression" else "constructor")
            text = text_of(callee, 100) if callee is not None else ""
            if text.rsplit(".", 1)[-1].endswith("Error") or _logs(text):
                continue
            args = n.child_by_field_name("arguments")
            stack.extend((c, carried) for c in n.named_children if c != args)
            if args is not None:
                stack.extend((c, True) for c in args.named_children)
            continue
        if t == "assignment_expression":
            right = n.child_by_field_name("right")
            stack.extend((c, carried or c == right) for c in n.named_children)
            continue
        stack.extend((c, carried) for c in n.named_children)
    return False


def _logs(callee: str) -> bool:
    root = callee.split(".", 1)[0]
    return root in ("console", "log", "logger", "_log", "_logger") or root.endswith(("Log", "Logger"))


TRUTHY_VALUES = frozenset({"object", "array", "true", "template_string", "new_expression", "arrow_function",
                           "function_expression"})


def _last_statement(st: Node) -> Node | None:
    """The statement a block ends with (through nested blocks); None for an empty block."""
    for _ in range(64):
        if st.type != "statement_block":
            return st
        inner = [c for c in st.named_children if c.type != "comment"]
        if not inner:
            return None
        st = inner[-1]
    return None


def _returned_node(st: Node) -> Node | None:
    inner = [c for c in st.named_children if c.type != "comment"]
    return inner[0] if inner else None


def truthy_return(st: Node) -> bool:
    """`return 'name'`, `return { ... }`, `return [a]`: a return of a value that is surely truthy."""
    last = _last_statement(st)
    return last is not None and last.type == "return_statement" and truthy_value(_returned_node(last))


def truthy_value(node: Node | None, depth: int = 0) -> bool:
    """A value that is surely truthy: an object, array, function, `new ...`, `true`, a non-empty
    string, a non-zero number, or a string concatenation with a non-empty literal (`name + '.json'`)."""
    n = unwrap_test(node)
    if n is None or depth > 4:
        return False
    if n.type in TRUTHY_VALUES:
        return n.type != "template_string" or n.end_byte - n.start_byte > 2
    if n.type == "string":
        return n.end_byte - n.start_byte > 2  # (more than its quotes)
    if n.type == "number":
        return text_of(n, 16).strip("0._xXbBoOn") != ""
    if n.type == "binary_expression" and operator_of(n) == "+":
        sides = [unwrap_test(n.child_by_field_name(k)) for k in ("left", "right")]
        return any(x is not None and x.type in ("string", "template_string") and truthy_value(x, depth + 1)
                   for x in sides)
    return False


def falsy_value(node: Node | None) -> bool:
    """`null`, `undefined`, `void 0`, `false`, `''`, `0`: surely falsy."""
    n = unwrap_test(node)
    if n is None:
        return False
    return n.type in ("null", "undefined", "false") or text_of(n, 12) in FALSY


def falsy_exit(st: Node) -> bool:
    """`throw ...`, `return`, `return null` / `undefined` / `false` / `''` / `0`: no result."""
    last = _last_statement(st)
    if last is None or last.type not in ("throw_statement", "return_statement"):
        return False
    value = _returned_node(last)
    return last.type == "throw_statement" or value is None or falsy_value(value)


def constant(node: Node) -> bool:
    n = unwrap_test(node)
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


def default_exits(body: Node) -> bool:
    for c in body.named_children:
        if c.type == "switch_default":
            stmts = [s for s in c.named_children if s.type != "comment"]
            return bool(stmts) and exits_branch(stmts[-1])
    return False


def unwrap_test(node: Node | None) -> Node | None:
    """Skip parentheses, TypeScript wrappers and `await`."""
    for _ in range(16):
        node = unwrap(node)
        if node is None or node.type != "await_expression":
            return node
        inner = [c for c in node.named_children if c.type != "comment"]
        node = inner[0] if inner else None
    return node


def denies(node: Node, up: Up) -> bool:
    """The test ``node`` is a denylist: the value goes on where it fails. Its result (not negated)
    is the whole condition of an `if` whose branch only refuses (`_only_refuses`; not `return
    true`, an answer, nor `{ open(u); return }`) while its `else`, if any, does not (`if
    (BLOCKED.test(x)) return`), or its negation is the verdict of a `filter` callback
    (`args.filter((a) => !a.match(/--flag/))` keeps what does not match). Through parentheses
    and `!` only: in `&&` or `||` the test is one part of a larger verdict."""
    child, cur, negated = node, up(node), False
    for _ in range(MAX_UP):
        if cur is None:
            return False
        t = cur.type
        if t == "unary_expression" and operator_of(cur) == "!":
            negated = not negated
        elif t == "if_statement":
            cons, alt = cur.child_by_field_name("consequence"), cur.child_by_field_name("alternative")
            return not negated and cur.child_by_field_name("condition") == child and _only_refuses(cons) \
                and (alt is None or refusal(alt) not in ("throw", "return"))
        elif t == "return_statement" or (t == "arrow_function" and cur.child_by_field_name("body") == child):
            return negated and predicate_method(cur, up) == "filter"
        elif t not in TRANSPARENT and t != "parenthesized_expression":
            return False
        child, cur = cur, up(cur)
    return False


def _only_refuses(branch: Node | None) -> bool:
    """The branch does nothing but refuse: one `throw`, `return` of nothing or a falsy value,
    `continue` or `break` (alone or as the only statement of its block), not `{ open(u); return }`."""
    node = branch
    for _ in range(4):
        if node is None or node.type not in ("statement_block", "else_clause"):
            break
        inner = [c for c in node.named_children if c.type != "comment"]
        node = inner[0] if len(inner) == 1 else None
    if node is None:
        return False
    if node.type in ("throw_statement", "continue_statement", "break_statement"):
        return True
    return node.type == "return_statement" and falsy_exit(node)


def exits_branch(node: Node, leave_function: bool = False) -> bool:
    """A branch that always leaves: it is, or ends with, return/throw (and, within a loop,
    continue/break)."""
    return exits(node, frozenset({"return_statement", "throw_statement"}) if leave_function else EXITS)

"""Classifying one read of a tracked name for handlerflow: climb from the identifier to whatever
consumes its value (a check, a call argument, an alias, a use), through pass-through operations."""
from __future__ import annotations

import re
from typing import Any, NamedTuple

from ipclint.extract.values import text_of
from ipclint.extract.walk import FUNCTION_TYPES, _bindings_of_pattern

MAX_UP = 48  # parents climbed from a read
TRANSPARENT = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                         "non_null_expression", "type_assertion", "await_expression", "sequence_expression"})
COMPARISONS = frozenset({"===", "!==", "==", "!=", "instanceof", "in", "<", ">", "<=", ">="})
# Calls whose result carries their argument's data (a renderer path joined to a folder is still
# renderer-chosen). `basename` is absent on purpose: it strips the directories.
PASS_CALLS = frozenset({"join", "resolve", "normalize", "dirname", "String", "decodeURIComponent", "decodeURI",
                        "fileURLToPath", "unescape", "concat"})
VALUE_METHODS = frozenset({"replace", "replaceAll", "slice", "substring", "substr", "trim", "trimStart", "trimEnd",
                           "toLowerCase", "toUpperCase", "toLocaleLowerCase", "split", "concat", "toString",
                           "padStart", "padEnd", "at", "normalize", "join", "flat", "valueOf"})
VALUE_CHECKS = frozenset({"startsWith", "endsWith", "includes", "match", "search", "localeCompare"})
BUILTIN_CHECKS = frozenset({"isArray", "isInteger", "isFinite", "isSafeInteger", "isNaN", "includes", "has",
                            "hasOwnProperty", "hasOwn", "test", "indexOf", "isBuffer", "isView", "isDate",
                            "isString", "isNumber", "isBoolean", "isPlainObject", "isObject"})
ASSERT_CALL = re.compile(r"^(assert\w*|invariant|ok|strictEqual|equal)$")
LOG_ROOT = re.compile(r"^(console|_?log|_?logger|logging|debug|Sentry|log[A-Z]\w*|\w+Log|\w+Logger)$")
LOG_METHODS = frozenset({"log", "info", "warn", "warning", "error", "debug", "trace", "verbose", "silly", "fatal",
                         "captureException", "captureMessage", "addBreadcrumb"})
class Read(NamedTuple):
    name: str
    node: Any
    role: str
    site: Any = None  # node
    into: Any = None  # call node
    arg: int = -1
    keys: tuple[str, ...] = ()
    alias: tuple[str, ...] = ()
    pure: bool = True



class Reader:
    """Mixed into the analysis: needs ``fn_id`` (the analysed function's node id), ``data`` (the
    source) and ``writes`` (start bytes of assignments that reset a tracked name)."""

    fn_id: int
    data: bytes
    writes: list[int]

    def _climb(self, name: str, ident: Any) -> Read | None:
        """Follow the value up the tree until something consumes it; None when nothing does
        (a truthiness test, a bare statement, a log call)."""
        st = _State()
        child, node = ident, ident.parent
        for _ in range(MAX_UP):
            if node is None or node.id == self.fn_id:
                break
            step = self._step(name, ident, node, child, st)
            if step is not _CONTINUE:
                return _with_url(step, st)
            if st.jump is not None:
                child, node, st.jump = st.jump, st.jump.parent, None
            else:
                child, node = node, node.parent
        return _with_url(Read(name, ident, "use"), st)

    def _step(self, name: str, ident: Any, node: Any, child: Any, st: "_State") -> Any:
        t = node.type
        if t in TRANSPARENT:
            return _CONTINUE
        if t in ("member_expression", "subscript_expression"):
            return self._member(name, ident, node, child, st)
        if t == "unary_expression":
            op = operator_of(node)
            if op == "typeof":
                return Read(name, ident, "check", site=node)
            return None if op in ("!", "void", "delete") else Read(name, ident, "use")
        if t == "binary_expression":
            op = operator_of(node)
            if op in COMPARISONS:
                return Read(name, ident, "check", site=node)
            if op == "&&" and node.child_by_field_name("left") == child:
                return None  # a truthiness test
            if op == "+":
                st.pure = False
            elif op not in ("&&", "||", "??"):
                return Read(name, ident, "use")
            return _CONTINUE
        if t == "ternary_expression":
            return None if node.child_by_field_name("condition") == child else _CONTINUE
        if t in ("template_substitution", "template_string", "array", "spread_element"):
            st.pure = False
            return _CONTINUE
        if t in ("pair", "object"):
            return self._object(name, ident, node, child, st)
        if t == "arguments":
            return self._argument(name, ident, node, child, st)
        if t == "variable_declarator":
            if node.child_by_field_name("value") != child:
                return None
            return self._alias(name, ident, node.child_by_field_name("name"), st)
        if t in ("assignment_expression", "augmented_assignment_expression"):
            return self._assign(name, ident, node, child, st)
        if t in ("if_statement", "while_statement", "do_statement", "for_statement", "expression_statement"):
            return None  # a condition (truthiness) or a bare expression statement
        if t == "switch_statement":
            return Read(name, ident, "check", site=child)
        if t in FUNCTION_TYPES or t == "catch_clause":
            if t == "arrow_function" and node.child_by_field_name("body") == child:
                return Read(name, ident, "use")  # a concise body: returned
            return None  # a parameter default or a declaration, not a read
        return Read(name, ident, "use")

    def _member(self, name: str, ident: Any, node: Any, child: Any, st: "_State") -> Any:
        if node.child_by_field_name("object") != child:
            return self._lookup(name, ident, node)
        call = node.parent
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != node:
            return _CONTINUE  # value.prop: the same data, deeper
        method = _prop(node)
        if method in VALUE_CHECKS:
            return Read(name, ident, "check", site=call)
        if method not in VALUE_METHODS:
            return Read(name, ident, "use")  # calling a method of renderer data
        st.pure = False
        st.jump = call
        return _CONTINUE

    def _lookup(self, name: str, ident: Any, node: Any) -> Read:
        """`MAP[value]`: reading a table by renderer key is an allowlist lookup (unknown keys give
        undefined); writing `obj[value] = x` is a use (`__proto__` pollutes)."""
        up = node.parent
        while up is not None and up.type in TRANSPARENT:
            node, up = up, up.parent
        if up is not None and up.type in ("assignment_expression", "augmented_assignment_expression") \
                and up.child_by_field_name("left") == node:
            return Read(name, ident, "use")
        if up is not None and up.type == "call_expression" and up.child_by_field_name("function") == node:
            return Read(name, ident, "use")  # handlers[value](): dispatch on a renderer-chosen key
        return Read(name, ident, "check", site=node)

    def _object(self, name: str, ident: Any, node: Any, child: Any, st: "_State") -> Any:
        st.pure = False
        if node.type == "pair":
            if node.child_by_field_name("value") != child:
                return Read(name, ident, "use")
            key = node.child_by_field_name("key")
            st.keys.append(text_of(key, 60).strip("'\"`[]") if key is not None else "?")
        elif child.type == "shorthand_property_identifier":
            st.keys.append(name)
        elif child.type == "spread_element":
            st.keys.append("...")
        return _CONTINUE

    def _argument(self, name: str, ident: Any, args: Any, child: Any, st: "_State") -> Any:
        call = args.parent
        if call is None or call.type not in ("call_expression", "new_expression"):
            return Read(name, ident, "use")
        new = call.type == "new_expression"
        callee = call.child_by_field_name("constructor" if new else "function")
        text = text_of(callee, 100) if callee is not None else ""
        last = text.rsplit(".", 1)[-1]
        if (not new and _is_logging(text)) or last.endswith("Error"):
            return None  # logged, or put in an error message
        if new and last == "URL" and st.url is None:
            st.url, st.pure, st.keys, st.jump = call, False, [], call  # validation of the string (IPC005)
            return _CONTINUE
        if not new and last in BUILTIN_CHECKS:
            return Read(name, ident, "check", site=call)
        if not new and last in PASS_CALLS:
            st.pure, st.keys, st.jump = False, [], call
            return _CONTINUE
        index = sum(1 for c in args.named_children if c.type != "comment" and c.start_byte < child.start_byte)
        return Read(name, ident, "arg", site=call, into=call, arg=index, keys=tuple(reversed(st.keys)),
                     pure=st.pure)

    def _alias(self, name: str, ident: Any, pat: Any, st: "_State") -> Read:
        names: tuple[str, ...] = ()
        if pat is not None:
            if pat.type == "identifier":
                names = (text_of(pat, 80),)
            else:
                names = tuple(b.name for b in _bindings_of_pattern(pat, 0))
        return Read(name, ident, "alias" if st.pure else "use", alias=names, pure=st.pure)

    def _assign(self, name: str, ident: Any, node: Any, child: Any, st: "_State") -> Any:
        left = node.child_by_field_name("left")
        if left == child:
            right = node.child_by_field_name("right")
            if node.type == "assignment_expression" and right is not None \
                    and not occurrences(self.data, name, right.start_byte, right.end_byte):
                self.writes.append(node.start_byte)  # replaced by a value not made from it: a reset
            return None
        if node.type == "assignment_expression" and left is not None and left.type in (
                "identifier", "object_pattern", "array_pattern"):
            return self._alias(name, ident, left, st)
        return Read(name, ident, "use")



class _State:
    __slots__ = ("pure", "keys", "url", "jump")

    def __init__(self) -> None:
        self.pure = True
        self.keys: list[str] = []
        self.url: Any = None  # the `new URL(...)` the value went through
        self.jump: Any = None  # continue climbing from this node (a call whose result carries the value)


_CONTINUE = object()


def _with_url(read: Read | None, st: _State) -> Read | None:
    """A value parsed by `new URL(...)`: validated as a string; a check on the URL stays a check."""
    if st.url is None:
        return read
    if read is None:
        return None
    if read.role == "check":
        return read
    return read._replace(role="url", site=st.url, pure=False)


def operator_of(node: Any) -> str:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


def _prop(member: Any) -> str:
    p = member.child_by_field_name("property") or member.child_by_field_name("index")
    return text_of(p, 60).strip("'\"`") if p is not None else ""


def _is_logging(text: str) -> bool:
    parts = [p for p in text.split(".") if p != "this"]
    if not parts:
        return False
    if parts[0] == "console":
        return True
    return bool(LOG_ROOT.match(parts[0])) and (len(parts) == 1 or parts[-1] in LOG_METHODS)


PATTERNS = frozenset({"formal_parameters", "required_parameter", "optional_parameter", "pair_pattern",
                      "object_pattern", "array_pattern", "rest_pattern", "catch_clause", "import_specifier",
                      "namespace_import", "import_clause", "labeled_statement", "class_declaration",
                      "function_declaration", "generator_function_declaration", "export_specifier"})


def is_binding(ident: Any) -> bool:
    """A declaration of the name (a parameter, a destructured or declared variable), not a read."""
    parent = ident.parent
    if parent is None:
        return False
    t = parent.type
    if t in PATTERNS:
        return True
    if t in ("assignment_pattern", "object_assignment_pattern"):
        return parent.child_by_field_name("left") == ident
    if t == "variable_declarator":
        return parent.child_by_field_name("name") == ident
    if t in FUNCTION_TYPES:
        return parent.child_by_field_name("body") != ident
    return False


_SHORT: dict[str, Any] = {}
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def occurrences(data: bytes, name: str, start: int, end: int) -> list[int]:
    """Start offsets of the name as a whole word, not after a dot (`x.name` is a property). Short
    names, which occur inside many words, go through a (cached) regex; others through find()."""
    raw = name.encode()
    if len(raw) <= 2:
        pat = _SHORT.get(name)
        if pat is None:
            pat = _SHORT[name] = re.compile(rb"(?<![\w$.])" + re.escape(raw) + rb"(?![\w$])")
        return [m.start() for m in pat.finditer(data, start, end)]
    out = []
    n = len(raw)
    pos = data.find(raw, start, end)
    while pos != -1:
        before = data[pos - 1] if pos > 0 else 32
        after = data[pos + n] if pos + n < len(data) else 32
        if before not in _WORD and before != 46 and after not in _WORD and after < 128:
            out.append(pos)
        pos = data.find(raw, pos + n, end)
    return out

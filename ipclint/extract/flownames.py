"""Finding a name's reads in a function's source for handlerflow: whole-word occurrences, and
whether an identifier declares the name rather than reads it."""
from __future__ import annotations

import functools
import re

from ipclint.extract.ancestry import Up
from ipclint.extract.parse import Node
from ipclint.extract.walk import FUNCTION_TYPES

PATTERNS = frozenset({"formal_parameters", "required_parameter", "optional_parameter", "pair_pattern",
                      "object_pattern", "array_pattern", "rest_pattern", "catch_clause", "import_specifier",
                      "namespace_import", "import_clause", "labeled_statement", "class_declaration",
                      "function_declaration", "generator_function_declaration", "export_specifier",
                      # (`(x): x is Route`, `asserts x`: a return type names the parameter, never reads it)
                      "type_predicate", "asserts"})


def is_binding(ident: Node, up: Up) -> bool:
    """A declaration of the name (a parameter, a destructured or declared variable), not a read."""
    parent = up(ident)
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


_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def occurrences(data: bytes, name: str, start: int, end: int) -> list[int]:
    """Start offsets of the name as a whole word, not after a dot (`x.name` is a property; `...name`
    is a spread, a read)."""
    out = []
    size = len(name.encode())
    pos = next_occurrence(data, name, start, end)
    while pos != -1:
        out.append(pos)
        pos = next_occurrence(data, name, pos + size, end)
    return out


@functools.cache  # (a pure function of at most two bytes: a bounded set of patterns)
def _short_pattern(raw: bytes) -> re.Pattern[bytes]:
    """A short name as a whole word (not a member name, but after a spread)."""
    return re.compile(rb"(?:(?<![\w$.])|(?<=\.\.\.))" + re.escape(raw) + rb"(?![\w$])")


def next_occurrence(data: bytes, name: str, start: int, end: int) -> int:
    """The first occurrence of the name as a whole word at or after ``start`` (-1 if none): a
    search can resume anywhere, also past a part that cannot hold reads. Short names, which occur
    inside many words, go through a regex (compiled once: the re module keeps its own cache);
    others through find()."""
    raw = name.encode()
    if len(raw) <= 2:
        m = _short_pattern(raw).search(data, start, end)
        return m.start() if m is not None else -1
    n = len(raw)
    pos = data.find(raw, start, end)
    while pos != -1:
        before = data[pos - 1] if pos > 0 else 32
        after = data[pos + n] if pos + n < len(data) else 32
        if before not in _WORD and (before != 46 or data[pos - 3:pos] == b"...") and after not in _WORD \
                and after < 128:
            return pos
        pos = data.find(raw, pos + n, end)
    return -1

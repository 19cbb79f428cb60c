"""Static values: what an expression is, as far as one file can tell, as plain picklable data.

A ``V`` is a small tree; references (``ref``), imports (``import``) and members are resolved
across files at link time. Conversion is depth-bounded (no unbounded recursion on tree depth).
"""
from __future__ import annotations

from typing import Any, NamedTuple

from ipclint.model import Span

MAX_DEPTH = 24


class V(NamedTuple):
    """kind: str tpl concat ref member index obj arr call new fn class import module param
    this num bool null undef regex await spread dyn jsx."""

    kind: str
    data: Any
    span: Span
    text: str = ""
    lit: str = ""  # for kind "str": "string" or "template" when written inline, "" otherwise

    @property
    def is_inline_literal(self) -> bool:
        return self.lit != "" or self.kind == "tpl"


class Prop(NamedTuple):
    """One entry of an object literal; key None for a spread or a computed key."""

    key: str | None
    value: V
    span: Span
    spread: bool = False
    computed: bool = False


_new_tuple = tuple.__new__


def span_of(node: Any) -> Span:
    (r1, c1), (r2, c2) = node.start_point, node.end_point
    return _new_tuple(Span, (r1 + 1, c1 + 1, r2 + 1, c2 + 1))


# The source of the file being extracted: text_of slices it instead of copying a node's whole text
# (a call's text would otherwise copy its callback bodies). Set by extract() for its file.
SOURCE: list[bytes] = [b""]


def text_of(node: Any, limit: int = 120) -> str:
    data = SOURCE[0]
    start = node.start_byte
    end = min(node.end_byte, start + limit * 4)
    raw = data[start:end] if data and end <= len(data) else (node.text or b"")[: limit * 4]
    s = raw.decode("utf-8", "replace")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def make_v(kind: str, data: Any, span: Span, text: str = "", lit: str = "") -> "V":
    """Build a V without the NamedTuple constructor's Python frame (hot path of extraction)."""
    return _new_tuple(V, (kind, data, span, text, lit))


def string_value(node: Any) -> str | None:
    """The value of a string literal or a template without substitutions."""
    if node.type == "string":
        return "".join(_frag(c) for c in node.named_children)
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        return "".join(_frag(c) for c in node.named_children)
    return None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "`": "`"}


def _frag(node: Any) -> str:
    raw = (node.text or b"").decode("utf-8", "replace")
    if node.type == "escape_sequence":
        return _ESCAPES.get(raw[1:2], raw[1:])
    return raw


def property_name(node: Any) -> str | None:
    t = node.type
    if t in ("property_identifier", "identifier", "shorthand_property_identifier",
             "private_property_identifier", "number"):
        return (node.text or b"").decode("utf-8", "replace")
    if t in ("string", "template_string"):
        return string_value(node)
    if t == "computed_property_name" and node.named_child_count:
        return string_value(node.named_children[0])
    return None


_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                       "non_null_expression", "type_assertion"})


def unwrap(node: Any) -> Any:
    """Skip parentheses and TypeScript-only wrappers (`x as const`, `x!`, `<T>x`)."""
    for _ in range(MAX_DEPTH):
        if node is None or node.type not in _WRAPPERS:
            return node
        named = [c for c in node.named_children if c.type != "comment"]
        if not named:
            return node
        node = named[-1] if node.type == "type_assertion" else named[0]
    return node

"""Reading syntax nodes: spans, texts, string values, property names.

The values themselves are ``ipclint.model.values``; the Extractor (walk.py) builds them.
Conversion is depth-bounded (no unbounded recursion on tree depth).
"""
from __future__ import annotations

from typing import overload

from ipclint.extract.parse import Node
from ipclint.model.span import Span

MAX_DEPTH = 24


def span_of(node: Node) -> Span:
    (r1, c1), (r2, c2) = node.start_point, node.end_point
    return _new_tuple(Span, (r1 + 1, c1 + 1, r2 + 1, c2 + 1))


_new_tuple = tuple.__new__


def text_in(data: bytes, node: Node, limit: int = 120) -> str:
    """The source text of ``node`` cut to ``limit`` characters, sliced from the file's bytes (a
    call's text would otherwise copy its callback bodies)."""
    start = node.start_byte
    raw = data[start:min(node.end_byte, start + limit * 4)]
    s = raw.decode("utf-8", "replace")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def text_of(node: Node, limit: int = 120) -> str:
    """The text of a small node (a name, a callee): its leaves in order, read with a byte budget, so
    that a long node costs no more than ``limit`` characters."""
    if node.end_byte - node.start_byte <= limit * 4:
        raw = node.text or b""
    else:
        parts: list[bytes] = []
        budget = limit * 4
        stack = [node]
        while stack and budget > 0:
            n = stack.pop()
            if n.child_count == 0 or n.type in ("string", "template_string"):
                piece = (n.text or b"")[:budget] if n.end_byte - n.start_byte <= budget else b""
                parts.append(piece)
                budget -= max(len(piece), 1)
            else:
                stack.extend(reversed(n.children))
        raw = b"".join(parts)
    s = raw.decode("utf-8", "replace")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def string_value(node: Node) -> str | None:
    """The value of a string literal or a template without substitutions."""
    if node.type == "string":
        return "".join(_frag(c) for c in node.named_children)
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        return "".join(_frag(c) for c in node.named_children)
    return None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "`": "`"}


def _frag(node: Node) -> str:
    raw = (node.text or b"").decode("utf-8", "replace")
    if node.type == "escape_sequence":
        return _ESCAPES.get(raw[1:2], raw[1:])
    return raw


def property_name(node: Node) -> str | None:
    t = node.type
    if t in ("property_identifier", "identifier", "shorthand_property_identifier",
             "private_property_identifier", "number"):
        return (node.text or b"").decode("utf-8", "replace")
    if t in ("string", "template_string"):
        return string_value(node)
    if t == "computed_property_name" and node.named_child_count:
        return string_value(node.named_children[0])
    return None


_WRAPPERS = UNWRAPPED = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                                   "non_null_expression", "type_assertion"})


@overload
def unwrap(node: Node) -> Node: ...
@overload
def unwrap(node: None) -> None: ...
def unwrap(node: Node | None) -> Node | None:
    """Skip parentheses and TypeScript-only wrappers (`x as const`, `x!`, `<T>x`)."""
    for _ in range(MAX_DEPTH):
        if node is None or node.type not in _WRAPPERS:
            return node
        named = [c for c in node.named_children if c.type != "comment"]
        if not named:
            return node
        node = named[-1] if node.type == "type_assertion" else named[0]
    return node

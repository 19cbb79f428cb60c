"""Stamp hits into findings: code, name, severity and a fingerprint without line numbers."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from ipclint.model import Finding, Severity, Span
from ipclint.rules._base import Hit, Rule


def fingerprint(code: str, path: str, key: str, occurrence: int) -> str:
    raw = f"{code}\0{path}\0{key}\0{occurrence}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def stamp_hits(rule: Rule[Any], severity: Severity, hits: Iterable[Hit]) -> list[Finding]:
    """One finding per distinct (path, span, message), in that order; the n-th finding of a file
    with one key gets occurrence n in its fingerprint. (100,000 hits: the distinct ones are sorted by
    their keys, which are unique, and each Finding is made with positional arguments.)"""
    unique: dict[tuple[str, Span, str], Hit] = {}
    for h in hits:
        unique.setdefault((h.path, h.span, h.message), h)
    seen: dict[tuple[str, str], int] = {}
    out: list[Finding] = []
    code, name, fix = rule.code, rule.name, rule.fix
    for where in sorted(unique):
        h = unique[where]
        key = h.key or h.message
        n = seen[(h.path, key)] = seen.get((h.path, key), 0) + 1
        out.append(Finding(code, name, severity, h.path, h.span, h.message, fingerprint(code, h.path, key, n),
                           h.related, h.trace, fix))
    return out

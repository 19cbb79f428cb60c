"""Stamp hits into findings: code, name, severity and a fingerprint without line numbers."""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ipclint.model import Finding, Severity, Span
from ipclint.rules._base import Hit, Rule


def fingerprint(code: str, path: str, key: str, occurrence: int) -> str:
    raw = f"{code}\0{path}\0{key}\0{occurrence}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def stamp_hits(rule: Rule[Any], severity: Severity, hits: Iterable[Hit]) -> list[Finding]:
    seen: Counter[tuple[str, str]] = Counter()
    out: list[Finding] = []
    unique: dict[tuple[str, Span, str], Hit] = {}
    for h in hits:
        unique.setdefault((h.path, h.span, h.message), h)
    for h in sorted(unique.values(), key=lambda h: (h.path, h.span, h.message)):
        key = h.key or h.message
        seen[(h.path, key)] += 1
        out.append(Finding(rule=rule.code, name=rule.name, severity=severity, path=h.path, span=h.span,
                           message=h.message, fingerprint=fingerprint(rule.code, h.path, key, seen[(h.path, key)]),
                           related=h.related, trace=h.trace, help=rule.fix))
    return out

"""Which rules run: flake8's decision engine for codes, prefixes and names.

Each rule is matched against every select and ignore entry (a code such as IPC010, a prefix such as
IPC01 or IPC, or a kebab-case name). The longest matching entry wins; a tie goes to ignore. With no
select list every rule is selected.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ipclint.rules._base import Rule


def specificity(code: str, name: str, entry: str) -> int:
    """How specifically ``entry`` names the rule (code, name): 0 when it does not name it at all,
    else the prefix length; a full name counts as much as any code."""
    e = entry.strip()
    if not e:
        return 0
    if e.lower() == name:
        return 100
    up = e.upper()
    return len(up) if code.startswith(up) else 0


def _match_len(rule: Rule[Any], entry: str) -> int:
    return specificity(rule.code, rule.name, entry)


def validate(all_rules: Sequence[Rule[Any]], entries: Iterable[str]) -> None:
    for e in entries:
        if not e.strip():
            continue
        if not any(_match_len(r, e) for r in all_rules):
            raise ValueError(f"unknown rule code, prefix or name: {e.strip()!r}")


def selected_rules(all_rules: Sequence[Rule[Any]], select: Sequence[str] | None,
                   ignore: Sequence[str] | None) -> tuple[Rule[Any], ...]:
    select = [s for s in (select or []) if s.strip()]
    ignore = [s for s in (ignore or []) if s.strip()]
    validate(all_rules, select + ignore)
    out = []
    for rule in all_rules:
        sel = max((_match_len(rule, s) for s in select), default=0) if select else 1
        ign = max((_match_len(rule, s) for s in ignore), default=0)
        if sel > 0 and sel > ign:
            out.append(rule)
    return tuple(sorted(out, key=lambda r: r.code))

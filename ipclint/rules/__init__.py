"""The explicit rule registry, sorted by code."""
from __future__ import annotations

from ipclint.rules._base import Rule

ALL_RULES: tuple[Rule, ...] = ()

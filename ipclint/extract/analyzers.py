"""Per-function analyses that need the syntax tree, run once during extraction.

Each analyzer is ``fn(node, extractor, fid) -> picklable data`` and its result is stored in
``FileFacts.functions[fid].extra[name]``. The analyzer may call ``extractor.value(node, fid)`` to turn
sub-expressions into static values. It must walk iteratively and must not depend on configuration.
Register analyzers in ANALYZERS below (name, function); bump facts.FACTS_VERSION when one changes.
"""
from __future__ import annotations

from typing import Any, Callable

from ipclint.extract import handlerflow

Analyzer = Callable[[Any, Any, int], Any]

ANALYZERS: list[tuple[str, Analyzer]] = [(handlerflow.NAME, handlerflow.analyze)]

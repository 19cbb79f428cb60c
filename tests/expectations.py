"""Inline expectations of fixture projects: `// expect: IPC010 "text"` comments."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SOURCE_SUFFIXES = {".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".vue"}
_EXPECT = re.compile(r"(?://|/\*)\s*expect:\s*(.*?)\s*(?:\*/\s*\}?)?\s*$")
_ITEM = re.compile(r'(IPC\d{3})(?:\s+"([^"]*)")?')
_COMMENT_ONLY = re.compile(r"^\s*(?://|/\*|\{/\*|\*)")


@dataclass(frozen=True)
class Expected:
    rule: str
    path: str
    line: int
    text: str | None


def read_expectations(root: Path) -> list[Expected]:
    out: list[Expected] = []
    for f in sorted(root.rglob("*")):
        if f.suffix not in SOURCE_SUFFIXES or "node_modules" in f.parts or f.name.endswith(".d.ts"):
            continue
        rel = f.relative_to(root).as_posix()
        lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
        pending: list[tuple[str, str | None]] = []
        for no, line in enumerate(lines, 1):
            m = _EXPECT.search(line)
            items = [(c, t) for c, t in _ITEM.findall(m.group(1))] if m else []
            items = [(c, t or None) for c, t in items]
            before = line[: m.start()] if m else line
            standalone = m is not None and (not before.strip() or before.strip() in ("{",))
            if m and standalone:
                pending.extend(items)
                continue
            if not line.strip() or (_COMMENT_ONLY.match(line) and not m):
                continue
            for c, t in pending + items:
                out.append(Expected(c, rel, no, t))
            pending = []
    return out

"""The rule catalogue: one markdown page per rule from its docstring, and an index.

    python -m ipclint.output.catalogue rules/     # regenerate the top-level rules/ folder
"""
from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ipclint.rules._base import Rule

_SECTION = re.compile(r"^## (.+?)\s*$", re.M)
_BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
_FILE = re.compile(r"^\s*// file: (\S+)\s*$", re.M)


def doc_sections(doc: str) -> dict[str, str]:
    parts = _SECTION.split(doc)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def example_files(section: str) -> dict[str, str]:
    """The files of a section's code block, split on `// file: <path>` lines."""
    m = _BLOCK.search(section)
    if not m:
        return {}
    lang, code = m.group(1), m.group(2)
    pieces = _FILE.split(code)
    if len(pieces) == 1:
        return {f"src/example.{lang or 'js'}": code}
    return {pieces[i]: pieces[i + 1].lstrip("\n") for i in range(1, len(pieces) - 1, 2)}


def render_rule_page(rule: Rule[Any]) -> str:
    cwe = ", ".join(f"[CWE-{c}](https://cwe.mitre.org/data/definitions/{c}.html)" for c in rule.cwe)
    head = [f"# {rule.code} {rule.name}", "",
            f"Severity: **{rule.severity.value}** · security-severity {rule.security_severity:.1f}"
            + (f" · {cwe}" if cwe else ""), "", f"*{rule.summary}.*", ""]
    return "\n".join(head) + "\n" + rule.doc.strip() + "\n"


def render_index(rules: Sequence[Rule[Any]]) -> str:
    lines = ["# ipclint rules", "", "Generated from the rule docstrings by "
             "`python -m ipclint.output.catalogue rules/`; do not edit by hand.", "",
             "| code | name | severity | what it flags |", "|---|---|---|---|"]
    for r in rules:
        lines.append(f"| [{r.code}]({page_name(r)}) | {r.name} | {r.severity.value} | {r.summary} |")
    return "\n".join(lines) + "\n"


def page_name(rule: Rule[Any]) -> str:
    return f"{rule.code}-{rule.name}.md"


def catalogue(rules: Sequence[Rule[Any]]) -> dict[str, str]:
    pages = {page_name(r): render_rule_page(r) for r in rules}
    pages["README.md"] = render_index(rules)
    return pages


def write_catalogue(folder: Path) -> None:
    from ipclint.rules import ALL_RULES
    folder.mkdir(parents=True, exist_ok=True)
    pages = catalogue(ALL_RULES)
    for old in folder.glob("IPC*.md"):
        if old.name not in pages:
            old.unlink()
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_catalogue(Path(sys.argv[1] if len(sys.argv) > 1 else "rules"))

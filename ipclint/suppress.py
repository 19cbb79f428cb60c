"""Suppressions in source, ESLint-shaped (SPEC §5):

    // ipclint-disable-next-line IPC003 -- reason
    foo()  // ipclint-disable-line IPC003, magic-channel
    /* ipclint-disable IPC003 -- reason */      (before the first code line: the whole file)

Codes or names, no blanket form. Bad directives are reported, never ignored. Lines are counted on
"\\n" only, as tree-sitter counts them (a form feed or U+2028 in a comment must not shift them). In a
.vue file only the `<script>` blocks are code, so a file-level directive may open the script block.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ipclint.model import Diagnostic, Finding

MARK = b"ipclint-disable"
_MARK = MARK.decode()
_DIRECTIVE = re.compile(r"(?://|/\*)\s*ipclint-disable(?P<kind>[\w-]*)(?P<body>.*?)(?:\*/|$)")
_KINDS = {"": "file", "-line": "line", "-next-line": "next-line"}
_CODE_LIKE = re.compile(r"^[A-Za-z][\w-]*$")
# A directive prologue ('use strict', "use client") is not a statement that ends the file header.
_PROLOGUE = re.compile(r"""^(['"])use [\w ]+\1;?$""")
_SCRIPT_OPEN = re.compile(r"^\s*<script\b", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Suppression:
    path: str
    line: int  # where the directive is
    kind: str  # next-line, line, file
    rules: tuple[str, ...]  # as written (codes or names)
    codes: tuple[str, ...] = ()  # the same, as codes

    def covers(self, f: Finding) -> bool:
        if f.rule not in self.codes:
            return False
        if self.kind == "file":
            return True
        target = self.line + 1 if self.kind == "next-line" else self.line
        return f.span.line == target


class _Header:
    """Tracks whether a code line has been seen yet (file-level directives must come before)."""

    def __init__(self, vue: bool) -> None:
        self.vue = vue
        self.in_script = not vue
        self.in_block = False
        self.seen_code = False

    def feed(self, no: int, line: str) -> None:
        if self.vue and not self.in_script:
            self.in_script = bool(_SCRIPT_OPEN.match(line)) and not _SCRIPT_CLOSE.search(line)
            return
        if self.vue and _SCRIPT_CLOSE.search(line):
            self.in_script = False
            return
        rest = line.strip()
        while rest and not self.seen_code:
            if self.in_block:
                end = rest.find("*/")
                if end < 0:
                    return
                self.in_block, rest = False, rest[end + 2:].strip()
            elif rest.startswith(("/*", "{/*")):
                self.in_block, rest = True, rest[rest.index("/*") + 2:]
            elif rest.strip("} ") == "":
                return  # the closing brace of a JSX comment container
            elif rest.startswith("//") or (no == 1 and rest.startswith("#!")) or _PROLOGUE.match(rest):
                return
            else:
                self.seen_code = True


def _inside_string(line: str, pos: int) -> bool:
    """Whether ``pos`` is inside a string literal opened earlier on the line (a cheap heuristic)."""
    quote = None
    i = 0
    while i < pos:
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif line.startswith(("//", "/*"), i):
            return False
        i += 1
    return quote is not None


def _lines(data: bytes) -> list[str]:
    return [ln.removesuffix("\r") for ln in data.decode("utf-8", "replace").split("\n")]


def parse(path: str, data: bytes, known: Mapping[str, str]) -> tuple[list[Suppression], list[Diagnostic]]:
    """Directives in one file; ``known`` maps codes and names to codes."""
    if MARK not in data:
        return [], []
    out: list[Suppression] = []
    diags: list[Diagnostic] = []
    header = _Header(path.lower().endswith(".vue"))
    for no, line in enumerate(_lines(data), 1):
        if header.seen_code and _MARK not in line:
            continue
        m = _DIRECTIVE.search(line) if _MARK in line else None
        if m is not None and _inside_string(line, m.start()):
            m = None
        if m is None:
            header.feed(no, line)
            continue
        at = m.start() + 1
        kind = _KINDS.get(m.group("kind"))
        if kind is None:
            diags.append(Diagnostic(path, f"unknown directive 'ipclint-disable{m.group('kind')}': use "
                                          "ipclint-disable-next-line, ipclint-disable-line or ipclint-disable",
                                    "suppression", no, at))
            continue
        if kind == "file" and (header.seen_code or line[: m.start()].strip() not in ("", "{")):
            diags.append(Diagnostic(path, "file-level ipclint-disable must come before the first code line; "
                                          "use ipclint-disable-next-line here", "suppression", no, at))
        else:
            sup, bad = _suppression(path, no, kind, m.group("body"), known)
            diags.extend(Diagnostic(path, msg, "suppression", no, at) for msg in bad)
            if sup is not None:
                out.append(sup)
        header.feed(no, line[: m.start()] + line[m.end():])
        if m.group(0).lstrip().startswith("/*") and not m.group(0).endswith("*/"):
            header.in_block = True  # the directive's comment goes on (a reason on the next line)
    return out, diags


def _suppression(path: str, no: int, kind: str, body: str,
                 known: Mapping[str, str]) -> tuple[Suppression | None, list[str]]:
    rules = tuple(r for r in body.split("--", 1)[0].replace(",", " ").split() if r)
    if not rules:
        return None, ["suppression names no rule: give codes or names (there is no blanket form)"]
    bad = [r for r in rules if not _CODE_LIKE.match(r) or _code(r, known) is None]
    good = tuple(r for r in rules if r not in bad)
    msgs = [f"suppression names an unknown rule {r!r}" for r in bad]
    if not good:
        return None, msgs
    return Suppression(path, no, kind, good, tuple(_code(r, known) or r for r in good)), msgs


def _code(rule: str, known: Mapping[str, str]) -> str | None:
    return known.get(rule.upper()) or known.get(rule.lower())


def filter_suppressed(findings: Iterable[Finding], sources: Mapping[str, bytes], *,
                      report_unused: bool = False, ran: Iterable[str] | None = None
                      ) -> tuple[list[Finding], list[Diagnostic]]:
    """Drop suppressed findings. Directives are read only in files that have findings, unless unused
    ones must be reported (then in every analysed file that mentions ipclint-disable)."""
    from ipclint.rules import ALL_RULES
    known = {r.code: r.code for r in ALL_RULES} | {r.name: r.code for r in ALL_RULES}
    findings = list(findings)
    paths = sorted({f.path for f in findings})
    if report_unused:
        paths = sorted(set(paths) | set(getattr(sources, "candidates", list)()))
    sups: dict[str, list[Suppression]] = {}
    diags: list[Diagnostic] = []
    for p in paths:
        sups[p], d = parse(p, sources.get(p) or b"", known)
        diags.extend(d)
    kept, used = apply_suppressions(findings, sups)
    if report_unused:
        diags.extend(unused_diagnostics(sups, used, ran))
    return kept, diags


def apply_suppressions(findings: Iterable[Finding], suppressions: Mapping[str, list[Suppression]]
                       ) -> tuple[list[Finding], set[tuple[str, int, str]]]:
    """Findings no directive covers, and the (path, directive line, code) entries that were used."""
    kept: list[Finding] = []
    used: set[tuple[str, int, str]] = set()
    for f in findings:
        hit = next((s for s in suppressions.get(f.path, ()) if s.covers(f)), None)
        if hit is None:
            kept.append(f)
        else:
            used.add((hit.path, hit.line, f.rule))
    return kept, used


def unused_diagnostics(suppressions: Mapping[str, list[Suppression]],
                       used: set[tuple[str, int, str]], ran: Iterable[str] | None = None) -> list[Diagnostic]:
    """One diagnostic per directive that names rules it suppressed nothing of (among the rules
    that ran: a rule left out by --select could have matched)."""
    ran = None if ran is None else frozenset(ran)
    out = []
    for path in sorted(suppressions):
        for s in suppressions[path]:
            idle = [r for r, c in zip(s.rules, s.codes, strict=True) if (path, s.line, c) not in used
                    and (ran is None or c in ran)]
            if idle:
                out.append(Diagnostic(path, f"unused suppression: no {', '.join(idle)} finding here",
                                      "suppression", s.line, 1))
    return out

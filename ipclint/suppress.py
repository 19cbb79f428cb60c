"""Suppressions in source, ESLint-shaped (SPEC §5):

    // ipclint-disable-next-line IPC003 -- reason
    foo()  // ipclint-disable-line IPC003, magic-channel
    /* ipclint-disable IPC003 -- reason */      (at the top of a file: the whole file)

Codes or names, no blanket form. Bad directives are reported, never ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from ipclint.model import Diagnostic, Finding

MARK = b"ipclint-disable"
_DIRECTIVE = re.compile(r"(?://|/\*)\s*ipclint-disable(?P<kind>-next-line|-line)?(?P<body>.*?)(?:\*/|$)")
_CODE_LIKE = re.compile(r"^[A-Za-z][\w-]*$")


@dataclass
class Suppression:
    path: str
    line: int  # where the directive is
    kind: str  # next-line, line, file
    rules: tuple[str, ...]
    used: bool = False

    def covers(self, f: Finding) -> bool:
        if not any(r.upper() == f.rule or r.lower() == f.name for r in self.rules):
            return False
        if self.kind == "file":
            return True
        target = self.line + 1 if self.kind == "next-line" else self.line
        return f.span.line == target


def parse(path: str, data: bytes, known: Mapping[str, str]) -> tuple[list[Suppression], list[Diagnostic]]:
    """Directives in one file; ``known`` maps codes and names to codes."""
    if MARK not in data:
        return [], []
    out: list[Suppression] = []
    diags: list[Diagnostic] = []
    seen_code = False
    for no, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        m = _DIRECTIVE.search(line)
        stripped = line.strip()
        if m is None:
            if stripped and not stripped.startswith(("//", "/*", "*", "{/*")) and not stripped.startswith("<"):
                seen_code = True
            continue
        kind = (m.group("kind") or "-file")[1:]
        body = m.group("body").split("--", 1)[0]
        rules = tuple(r for r in (x.strip() for x in body.replace(",", " ").split()) if r)
        if not rules:
            diags.append(Diagnostic(path, "suppression names no rule: give codes or names "
                                          "(there is no blanket form)", "suppression", no, m.start() + 1))
            continue
        bad = [r for r in rules if not _CODE_LIKE.match(r) or (r.upper() not in known and r.lower() not in known)]
        for r in bad:
            diags.append(Diagnostic(path, f"suppression names an unknown rule {r!r}", "suppression", no, m.start() + 1))
        good = tuple(r for r in rules if r not in bad)
        if kind == "file" and (seen_code or line[: m.start()].strip()):
            diags.append(Diagnostic(path, "file-level ipclint-disable must come before the first code line; "
                                          "use ipclint-disable-next-line here", "suppression", no, m.start() + 1))
            continue
        if good:
            out.append(Suppression(path, no, kind, good))
        if stripped and not stripped.startswith(("//", "/*", "{/*")):
            seen_code = True
    return out, diags


def filter_suppressed(findings: Iterable[Finding], sources: Mapping[str, bytes], *,
                      report_unused: bool = False) -> tuple[list[Finding], list[Diagnostic]]:
    """Drop suppressed findings. Directives are read only in files that have findings, unless unused
    ones must be reported (then in every analysed file that mentions ipclint-disable)."""
    from ipclint.rules import ALL_RULES
    known = {r.code: r.code for r in ALL_RULES} | {r.name: r.code for r in ALL_RULES}
    findings = list(findings)
    paths = sorted({f.path for f in findings})
    if report_unused:
        paths = sorted(set(paths) | set(getattr(sources, "candidates", lambda: [])()))
    sups: dict[str, list[Suppression]] = {}
    diags: list[Diagnostic] = []
    for p in paths:
        s, d = parse(p, sources.get(p) or b"", known)
        sups[p] = s
        diags.extend(d)
    kept = []
    for f in findings:
        hit = next((s for s in sups.get(f.path, ()) if s.covers(f)), None)
        if hit is None:
            kept.append(f)
        else:
            hit.used = True
    if report_unused:
        for p in paths:
            for s in sups[p]:
                if not s.used:
                    diags.append(Diagnostic(p, f"unused suppression: no {', '.join(s.rules)} finding here",
                                            "suppression", s.line, 1))
    return kept, diags

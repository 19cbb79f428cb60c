"""The terminal report: findings grouped by file with a source excerpt, related locations, traces,
and a summary table. Plain text without colour or boxes when the stream is not a terminal."""
from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ipclint.model import Finding, RunResult, Severity
from ipclint.output.paths import shown
from ipclint.output.words import step_message

STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}
# Control characters in a source line (ESC, form feed) would reach the terminal or be dropped by rich
# and shift the caret: show each as one space.
_CONTROL = {c: " " for c in [*range(9), *range(10, 32), 127]}


def _console(stream: TextIO, color: bool | None) -> Console:
    terminal = stream.isatty() if hasattr(stream, "isatty") else False
    on = terminal if color is None else color
    # markup off: paths such as pages/[id].tsx and messages quoting code are text, never style tags
    return Console(file=stream, force_terminal=on, no_color=not on, highlight=False, emoji=False,
                   markup=False, width=120 if not terminal else None, soft_wrap=True)


def source_lines(root: Path, path: str, cache: dict[str, list[str]]) -> list[str]:
    """The file's lines as tree-sitter counts them (split on "\n" only: a form feed is no break)."""
    if path not in cache:
        try:
            cache[path] = [ln.removesuffix("\r") for ln in _decode((root / path).read_bytes()).split("\n")]
        except OSError:
            cache[path] = []
    return cache[path]


def _line(root: Path, path: str, line: int, cache: dict[str, list[str]]) -> str | None:
    lines = source_lines(root, path, cache)
    return lines[line - 1] if 0 < line <= len(lines) else None


def _decode(data: bytes) -> str:
    """Text whose columns match the findings' (the engine blanks a BOM into three spaces)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = b"   " + data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8", "replace")


class _Lines:
    """The report's lines, written as rich would print them: rich takes about 80 us a line, and
    100,000 findings make half a million lines. A line of printable text is written directly, each
    styled piece between the escape sequences rich writes for its style (made once per style, by
    rich itself: none without colour). Printable text is all rich would change: it drops some
    control characters, expands tabs and breaks lines at newlines; every other line, and a line
    with a hyperlink, goes through rich. The console soft-wraps (``_console``): rich neither
    wraps nor crops a line at the terminal's width, so wide characters and long lines are
    printed as they are."""

    def __init__(self, con: Console, stream: TextIO) -> None:
        self.con, self.stream, self.fancy = con, stream, con.is_terminal
        # Rich colours a legacy Windows console through the Win32 API, not escape sequences; on a
        # console without a single column it prints nothing.
        self.direct = not (self.fancy and con.legacy_windows) and con.width >= 1
        self.codes: dict[str, tuple[str, str] | None] = {}
        self.pending: list[str] = []

    def print(self, *pieces: str | tuple[str, str]) -> None:
        """One line made of pieces: text, or (text, style) (a style only shows on a terminal)."""
        line = self._direct(pieces) if self.direct else None
        if line is None:
            self.flush()
            self.con.print(Text.assemble(*pieces))
            return
        self.pending.append(line)
        if len(self.pending) >= 4096:  # (written in blocks: a large report is never held whole)
            self.flush()

    def _direct(self, pieces: tuple[str | tuple[str, str], ...]) -> str | None:
        """The line as rich would write it, or None when rich must write it: its text is not all
        printable, or a piece is a hyperlink."""
        written = []
        for p in pieces:
            if isinstance(p, str):
                text = p
                written.append(p)
            else:
                text, style = p
                codes = self.codes[style] if style in self.codes else self._codes(style)
                if codes is None:
                    return None
                if text:  # (rich gives an empty piece no style)
                    written.append(codes[0] + text + codes[1])
            if not text.isprintable():
                return None
        return "".join(written)

    def _codes(self, style: str) -> tuple[str, str] | None:
        """The escape sequences rich writes before and after a piece in this style: rich's own
        (none without colour). None for a hyperlink: rich gives each one it prints a new id."""
        codes = None
        if not Style.parse(style).link:  # (parsed, not the console's copy: a copy of a link takes a number)
            with self.con.capture() as capture:
                self.con.print(Text.assemble(("x", style)))
            before, _, after = capture.get().rpartition("x")
            codes = (before, after.removesuffix("\n"))
        self.codes[style] = codes
        return codes

    def rich(self, renderable: Table) -> None:
        self.flush()
        self.con.print(renderable)

    def flush(self) -> None:
        if self.pending:
            self.pending.append("")
            self.stream.write("\n".join(self.pending))
            self.pending.clear()


def _excerpt(out: _Lines, root: Path, f: Finding, cache: dict[str, list[str]]) -> None:
    src = _line(root, f.path, f.span.line, cache)
    if src is None:
        return
    src = src.expandtabs(1).translate(_CONTROL)
    gutter = f"{f.span.line:>5} | "
    out.print(gutter, src[:200])
    start = max(1, f.span.column)
    end = f.span.end_column if f.span.end_line == f.span.line else len(src) + 1
    width = max(1, min(end, len(src) + 1, 201) - start)
    marker = " " * (len(gutter) + start - 1) + "^" * width
    out.print((marker, STYLE.get(f.severity.value, "")))


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@functools.cache  # (the rules are fixed: one search per rule, not per finding)
def docs_link(code: str) -> str:
    from ipclint.rules import ALL_RULES
    from ipclint.rules._base import DOCS_BASE
    return next((r.help_uri for r in ALL_RULES if r.code == code), DOCS_BASE)


def write(result: RunResult, stream: TextIO, *, quiet: bool = False, verbose: bool = False,
          stats: bool = False, color: bool | None = None, base: str | Path | None = None,
          reported_files: int | None = None) -> None:
    """``base``: show paths relative to this folder (the CLI passes the current one); None keeps
    them relative to the project root. ``reported_files``: the number of files named on the command
    line when only those are reported (the whole project is still analysed)."""
    out = _Lines(_console(stream, color), stream)
    root = Path(result.root)
    cache: dict[str, list[str]] = {}
    by_file: dict[str, list[Finding]] = {}
    for f in sorted(result.findings, key=lambda f: f.sort_key):
        by_file.setdefault(f.path, []).append(f)

    shown_as: dict[str, str] = {}

    def where(path: str) -> str:
        if path not in shown_as:
            shown_as[path] = shown(result.root, path, base)
        return shown_as[path]

    if verbose and not quiet:
        _roles(out, result, where)
    for path, items in by_file.items():
        shown_path = where(path)
        if not quiet:
            out.print((shown_path, "bold underline"))
        last = None
        for f in items:
            out.print(f"{shown_path}:{f.span.line}:{f.span.column}: ", (f.rule, STYLE.get(f.severity.value, "")),
                      f" [{f.severity.value}] {f.name}: {f.message}")
            if quiet:
                continue
            if f.span != last:  # two rules at one spot: one excerpt
                _excerpt(out, root, f, cache)
            last = f.span
            _details(out, f, where)
        if not quiet:
            out.print("")
    if quiet:
        out.flush()
        return
    for d in result.errors:
        at = f"{where(d.path)}:{d.line}:{d.column}" if d.line else (where(d.path) if d.path else "ipclint")
        out.print(f"{at}: {d.kind}: {d.message}")
    if result.errors:
        out.print("")
    _summary(out, result, stats or verbose, reported_files)
    out.flush()


def _details(out: _Lines, f: Finding, where: Callable[[str], str]) -> None:
    """The lines under a finding: related locations, the trace, help and the docs link."""
    for loc in f.related:
        out.print(f"      = {loc.message or 'see'}" + ("" if loc.message and str(loc.span.line) in loc.message
                                                     else f" ({where(loc.path)}:{loc.span.line})"))
    if f.trace:
        out.print("      trace:")
        for i, step in enumerate(f.trace, 1):
            out.print(f"        {i}. {where(step.path)}:{step.span.line}:{step.span.column} {step_message(step)}")
    if f.help:
        out.print((f"      help: {f.help}", "bold"))  # (the whole line: as it always was)
    out.print((f"      docs: {docs_link(f.rule)} (offline: ipclint rule {f.rule})", "dim"))


def _roles(out: _Lines, result: RunResult, where: Callable[[str], str]) -> None:
    out.print("Files and roles:")
    for info in result.roles:
        out.print(f"  {info.role.value:<9} {where(info.path)}  ({info.reason})")
    if result.skipped:
        out.print("Skipped:")
        for path, reason in result.skipped:
            out.print(f"  {where(path)}  ({reason})")
    out.print("")


def _summary(out: _Lines, result: RunResult, stats: bool, reported_files: int | None) -> None:
    fancy = out.fancy
    counts = Counter((f.rule, f.name, f.severity) for f in result.findings)
    if counts:
        table = Table(title=None, show_edge=fancy, box=None if not fancy else Table().box, pad_edge=False)
        table.add_column("rule")
        table.add_column("name")
        table.add_column("severity")
        table.add_column("findings", justify="right")
        # errors first: they are what a reader acts on
        for (code, name, sev), n in sorted(counts.items(), key=lambda kv: (-kv[0][2].rank, kv[0][0])):
            table.add_row(code, name, Text(sev.value, style=STYLE[sev.value] if fancy else ""), str(n))
        out.rich(table)
    by_severity = Counter(f.severity for f in result.findings)
    parts = [plural(by_severity[s], s.value) for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
             if by_severity[s]]
    total = len(result.findings)
    if reported_files is not None:
        files = (f"in {plural(reported_files, 'file')} reported "
                 f"({plural(result.files.analysed, 'project file')} analysed with them)")
    else:
        files = f"in {plural(result.files.analysed, 'file')}"
    out.print(plural(total, "finding") + (f" ({', '.join(parts)})" if parts else "")
              + f" {files}; {result.files.skipped} skipped, "
                f"{result.files.with_parse_errors} with parse errors"
              + (f"; Electron {result.electron_version}" if result.electron_version else "")
              + f"; {result.elapsed:.2f}s")
    if result.hidden_by_baseline:
        out.print(f"{plural(result.hidden_by_baseline, 'finding')} hidden by the baseline")
    if stats:
        extra = result.extra or {}
        out.print(f"parsed {extra.get('parsed', 0)} files, {extra.get('cache_hits', 0)} from cache"
                  + ("; result from cache" if extra.get("cached") else ""))

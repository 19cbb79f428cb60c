"""The terminal report: findings grouped by file with a source excerpt, related locations, traces,
and a summary table. Plain text without colour or boxes when the stream is not a terminal."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ipclint.model import Finding, RunResult

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


def _line(root: Path, path: str, line: int, cache: dict) -> str | None:
    if path not in cache:
        try:
            # split on "\n" only: finding lines are tree-sitter rows (a form feed is not a line break)
            cache[path] = [ln.removesuffix("\r") for ln in _decode((root / path).read_bytes()).split("\n")]
        except OSError:
            cache[path] = []
    lines = cache[path]
    return lines[line - 1] if 0 < line <= len(lines) else None


def _decode(data: bytes) -> str:
    """Text whose columns match the findings' (the engine blanks a BOM into three spaces)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = b"   " + data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8", "replace")


def _excerpt(con: Console, root: Path, f: Finding, cache: dict, fancy: bool) -> None:
    src = _line(root, f.path, f.span.line, cache)
    if src is None:
        return
    src = src.expandtabs(1).translate(_CONTROL)
    gutter = f"{f.span.line:>5} | "
    con.print(Text(gutter) + Text(src[:200]))
    start = max(1, f.span.column)
    end = f.span.end_column if f.span.end_line == f.span.line else len(src) + 1
    width = max(1, min(end, len(src) + 1, 201) - start)
    marker = " " * (len(gutter) + start - 1) + "^" * width
    con.print(Text(marker, style=STYLE.get(f.severity.value, "") if fancy else ""))


def write(result: RunResult, stream: TextIO, *, quiet: bool = False, verbose: bool = False,
          stats: bool = False, color: bool | None = None) -> None:
    con = _console(stream, color)
    fancy = con.is_terminal
    root = Path(result.root)
    cache: dict = {}
    by_file: dict[str, list[Finding]] = {}
    for f in sorted(result.findings, key=lambda f: f.sort_key):
        by_file.setdefault(f.path, []).append(f)
    if verbose and not quiet:
        _roles(con, result)
    for path, items in by_file.items():
        if not quiet:
            con.print(Text(path, style="bold underline" if fancy else ""))
        for f in items:
            head = Text(f"{f.path}:{f.span.line}:{f.span.column}: ")
            head.append(f"{f.rule}", style=STYLE.get(f.severity.value, "") if fancy else "")
            head.append(f" [{f.severity.value}] {f.name}: {f.message}")
            con.print(head)
            if quiet:
                continue
            _excerpt(con, root, f, cache, fancy)
            for loc in f.related:
                con.print(f"      = {loc.message or 'see'}" + ("" if loc.message and str(loc.span.line) in loc.message
                                                             else f" ({loc.path}:{loc.span.line})"))
            if f.trace:
                con.print("      trace:")
                for i, loc in enumerate(f.trace, 1):
                    con.print(f"        {i}. {loc.path}:{loc.span.line}:{loc.span.column} {loc.message}")
        if not quiet:
            con.print("")
    if quiet:
        return
    for d in result.errors:
        where = f"{d.path}:{d.line}:{d.column}" if d.line else (d.path or "ipclint")
        con.print(f"{where}: {d.kind}: {d.message}")
    if result.errors:
        con.print("")
    _summary(con, result, stats or verbose, fancy)


def _roles(con: Console, result: RunResult) -> None:
    con.print("Files and roles:")
    for info in result.roles:
        con.print(f"  {info.role.value:<9} {info.path}  ({info.reason})")
    if result.skipped:
        con.print("Skipped:")
        for path, reason in result.skipped:
            con.print(f"  {path}  ({reason})")
    con.print("")


def _summary(con: Console, result: RunResult, stats: bool, fancy: bool) -> None:
    counts = Counter((f.rule, f.name, f.severity.value) for f in result.findings)
    if counts:
        table = Table(title=None, show_edge=fancy, box=None if not fancy else Table().box, pad_edge=False)
        table.add_column("rule")
        table.add_column("name")
        table.add_column("severity")
        table.add_column("findings", justify="right")
        for (code, name, sev), n in sorted(counts.items()):
            table.add_row(code, name, sev, str(n))
        con.print(table)
    sev = Counter(f.severity.value for f in result.findings)
    parts = [f"{sev[s]} {s}{'s' if sev[s] != 1 else ''}" for s in ("error", "warning", "note") if sev[s]]
    total = len(result.findings)
    con.print(f"{total} finding{'s' if total != 1 else ''}" + (f" ({', '.join(parts)})" if parts else "")
              + f" in {result.files.analysed} files; {result.files.skipped} skipped, "
                f"{result.files.with_parse_errors} with parse errors"
              + (f"; Electron {result.electron_version}" if result.electron_version else "")
              + f"; {result.elapsed:.2f}s")
    if stats:
        extra = result.extra or {}
        con.print(f"parsed {extra.get('parsed', 0)} files, {extra.get('cache_hits', 0)} from cache"
                  + ("; result from cache" if extra.get("cached") else ""))

"""`--format html`: one self-contained page a reviewer opens first on an unfamiliar app.

The findings (filters by rule, severity and file; source excerpts; traces as steps) and the
interactive channel graph (search a channel, filter by app and role, click a channel or a file to
see its senders, handlers and listeners with file:line). Everything is inline: no network, no
external script or style. The data goes in as JSON inside a <script type="application/json">
element; the page's script builds the DOM from it with textContent only (no HTML injection).
"""
from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path
from typing import Any, TextIO

from ipclint.model import Finding, RunResult, Severity
from ipclint.model.graph import EMPTY, GraphView
from ipclint.output.graph import GraphFilter, drawing, graph_dict, select_view
from ipclint.output.json import electron_versions
from ipclint.output.jsontext import one_line
from ipclint.output.text import source_lines
from ipclint.output.words import finding_dict

CONTEXT = 2  # excerpt lines before and after a finding
MAX_EXCERPT = 12


def _excerpt(root: Path, f: Finding, cache: dict[str, list[str]]) -> dict[str, Any]:
    lines = source_lines(root, f.path, cache)
    if not lines:
        return {}
    first = max(1, f.span.line - CONTEXT)
    last = min(len(lines), max(f.span.end_line, f.span.line) + CONTEXT, first + MAX_EXCERPT - 1)
    return {"first": first, "lines": [ln[:400] for ln in lines[first - 1:last]],
            "line": f.span.line, "column": f.span.column, "end_line": f.span.end_line, "end_column": f.span.end_column}


def _finding(root: Path, f: Finding, cache: dict[str, list[str]], docs: dict[str, str]) -> dict[str, Any]:
    d = finding_dict(f)
    d["docs"] = docs.get(f.rule, "")
    d["excerpt"] = _excerpt(root, f, cache)
    return d


def _graph(view: GraphView) -> dict[str, Any]:
    """The channel graph for the page: files, channels with their ends, and the drawing's arrows."""
    g = graph_dict(view)
    d = drawing(view)
    roles = {f.path: f for f in view.files}
    nodes = [{"id": i, "path": p, "role": roles[p].role.value if p in roles else "shared",
              "app": roles[p].app if p in roles else "", "reason": roles[p].reason if p in roles else ""}
             for p, i in d.ids.items()]
    arrows = [{"from": a, "to": b, "style": style, "labels": {k: sorted(v) for k, v in sorted(kinds.items())}}
              for (a, b, style), kinds in sorted(d.arrows.items())]
    marks: dict[str, dict[str, bool]] = {}
    for e in view.edges:
        if e.channel is not None and (e.unhandled or e.unused):
            m = marks.setdefault(e.channel, {})
            m["unhandled" if e.unhandled else "unused"] = True
    channels = [{**c, **marks.get(c["channel"], {})} for c in g["channels"]]
    return {"apps": g["apps"], "files": g["files"], "channels": channels, "dynamic": g["dynamic"],
            "nodes": nodes, "arrows": arrows, "specials": sorted(d.specials)}


def report_data(result: RunResult, reported: list[str] | None = None) -> dict[str, Any]:
    from ipclint.rules import ALL_RULES
    docs = {r.code: r.help_uri for r in ALL_RULES}
    root = Path(result.root)
    cache: dict[str, list[str]] = {}
    view = select_view(result.graph or EMPTY, GraphFilter())
    findings = sorted(result.findings, key=lambda f: (-f.severity.rank, f.sort_key))
    return {
        "tool": {"name": "ipclint", "version": result.tool_version},
        "root": result.root,
        "electron_version": electron_versions(result.electron_version),
        "files": {"analysed": result.files.analysed, "skipped": result.files.skipped,
                  "with_parse_errors": result.files.with_parse_errors},
        "reported": reported or [],
        "hidden_by_baseline": result.hidden_by_baseline,
        "rules": [{"code": r.code, "name": r.name, "severity": r.severity.value, "summary": r.summary,
                   "docs": r.help_uri} for r in ALL_RULES],
        "severities": [s.value for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)],
        "findings": [_finding(root, f, cache, docs) for f in findings],
        "errors": [d.to_dict() | {"kind": d.kind} for d in result.errors],
        "graph": _graph(view),
    }


def _asset(name: str) -> str:
    return files("ipclint.output").joinpath("html_assets", name).read_text(encoding="utf-8")


def render(result: RunResult, reported: list[str] | None = None) -> str:
    data = one_line(report_data(result, reported))
    # inside <script>, "</script" would close the element and "<!--" open a comment: no "<" at all
    data = data.replace("<", "\\u003c")
    title = f"ipclint report: {Path(result.root).name}"
    return (_asset("page.html")
            .replace("{{TITLE}}", html.escape(title))
            .replace("{{STYLE}}", _asset("page.css"))
            .replace("{{SCRIPT}}", _asset("page.js"))
            .replace("{{DATA}}", data))


def write(result: RunResult, stream: TextIO, *, reported: list[str] | None = None) -> None:
    stream.write(render(result, reported))

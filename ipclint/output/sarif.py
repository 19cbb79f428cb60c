"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning (SPEC §4). Deterministic: no timestamps."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from ipclint.model import Diagnostic, Finding, RunResult, Severity, Span
from ipclint.output.jsontext import write_indented
from ipclint.output.words import step_message

if TYPE_CHECKING:  # pragma: no cover
    from ipclint.rules._base import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/ipclint/ipclint"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _region(span: Span) -> dict[str, int]:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line,
            "endColumn": max(span.end_column, span.column + 1) if span.end_line == span.line else span.end_column}


def _uri(path: str) -> str:
    """A relative URI reference for a root-relative posix path: spaces, '#', '%', '[', ':' and
    non-ASCII are percent-encoded (SARIF §3.10; upload-sarif rejects "not a valid URI")."""
    return quote(path, safe="/!$&'()*+,;=@")


def _moved(prefix: str, path: str) -> str:
    return f"{prefix}/{path}" if prefix and path else path


class _Uris:
    """The artifact URI of each root-relative path, quoted once per file (not once per location:
    100,000 findings in one file)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.known: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        uri = self.known.get(path)
        if uri is None:
            uri = self.known[path] = _uri(_moved(self.prefix, path))
        return uri


def _location(path: str, span: Span, uris: _Uris, message: str = "", index: int | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uris(path), "uriBaseId": "%SRCROOT%"},
                                              "region": _region(span)}}
    if index is not None:
        d["id"] = index
    if message:
        d["message"] = {"text": message}
    return d


def _rule_descriptor(rule: Rule[Any]) -> dict[str, Any]:
    from ipclint.output.catalogue import doc_sections
    sections = doc_sections(rule.doc)
    what = " ".join(sections.get("What it does", rule.summary).split())
    tags = list(rule.tags) + [f"external/cwe/cwe-{c}" for c in rule.cwe]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what},
        # text: the one-line fix (the text report's `help:`, JSON's `help`); markdown: the rule page
        "help": {"text": rule.fix or rule.summary, "markdown": rule.doc},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": tags, "security-severity": f"{rule.security_severity:.1f}",
                       "precision": "high" if rule.code in ("IPC001", "IPC003", "IPC009", "IPC013", "IPC014")
                       else "medium", "problem.severity": rule.severity.value},
    }


def report(result: RunResult, base: str | Path | None = None) -> dict[str, Any]:
    """``base``: the folder %SRCROOT% stands for (the repository root, so that code scanning finds
    the files in a monorepo); None for the project root. Artifact URIs are relative to it."""
    root = Path(result.root).resolve()
    top = Path(base).resolve() if base is not None else root
    if top != root and top not in root.parents:
        top = root  # the project is outside that folder: relative URIs could not reach it
    prefix = root.relative_to(top).as_posix() if top != root else ""
    return _report(result, top, prefix)


def _report(result: RunResult, top: Path, prefix: str) -> dict[str, Any]:
    from ipclint.rules import ALL_RULES
    codes_run = set(result.rules_run) | {f.rule for f in result.findings}
    rules = [r for r in ALL_RULES if r.code in codes_run] or list(ALL_RULES)
    index = {r.code: i for i, r in enumerate(rules)}
    uris = _Uris(prefix)
    results = [_result(f, index, uris) for f in sorted(result.findings, key=lambda f: f.sort_key)]
    notifications = [_notification(d, uris) for d in sorted(
        result.errors, key=lambda d: (d.path, d.line, d.column, d.message, d.kind))]
    root_uri = top.as_uri()
    root_uri += "" if root_uri.endswith("/") else "/"
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ipclint", "version": result.tool_version,
                                "semanticVersion": result.tool_version,
                                "informationUri": INFO_URI, "rules": [_rule_descriptor(r) for r in rules]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "invocations": [{"executionSuccessful": not result.internal_error,
                             "toolExecutionNotifications": notifications}],
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"electronVersion": result.electron_version} if result.electron_version else {},
        }],
    }


def _result(f: Finding, index: dict[str, int], uris: _Uris) -> dict[str, Any]:
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index.get(f.rule, -1),
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [_location(f.path, f.span, uris)],
        "partialFingerprints": {"ipclint/v1": f.fingerprint},
    }
    if f.related:
        res["relatedLocations"] = [_location(loc.path, loc.span, uris, loc.message, i)
                                   for i, loc in enumerate(f.related, 1)]
    if f.trace:
        res["codeFlows"] = [{"threadFlows": [{"locations": [
            {"location": _location(step.path, step.span, uris, step_message(step)), "nestingLevel": 0,
             "executionOrder": i}
            for i, step in enumerate(f.trace, 1)]}]}]
    return res


def _notification(d: Diagnostic, uris: _Uris) -> dict[str, Any]:
    level = "error" if d.kind in ("internal", "read", "binary", "decode", "config") else "warning"
    n: dict[str, Any] = {"level": level, "message": {"text": d.message}, "descriptor": {"id": f"ipclint/{d.kind}"}}
    if d.path:
        phys: dict[str, Any] = {"artifactLocation": {"uri": uris(d.path), "uriBaseId": "%SRCROOT%"}}
        if d.line:
            phys["region"] = {"startLine": d.line, "startColumn": max(1, d.column)}
        n["locations"] = [{"physicalLocation": phys}]
    return n


def write(result: RunResult, stream: TextIO, *, base: str | Path | None = None) -> None:
    write_indented(report(result, base), stream)

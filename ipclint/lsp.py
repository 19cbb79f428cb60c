"""`ipclint lsp`: a Language Server over stdio (pygls) so editors show findings where they are.

Each open file gets the findings located in it from the analysis of its whole project (cross-file
rules need every file), run when the file is opened and again when any file is saved. The server
reads only the run result: finding spans become diagnostic ranges, the rule code links to the rule
page (codeDescription.href), related locations become relatedInformation.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ipclint.model import Diagnostic as ToolDiagnostic
from ipclint.model import Finding, RunResult, Severity
from ipclint.version import __version__

SOURCE = "ipclint"


def uri_to_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path)).resolve()


def _range(types: Any, line: int, column: int, end_line: int, end_column: int) -> Any:
    start = types.Position(line=max(0, line - 1), character=max(0, column - 1))
    end = types.Position(line=max(0, end_line - 1), character=max(0, end_column - 1))
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def finding_diagnostic(types: Any, root: Path, f: Finding) -> Any:
    from ipclint.output.text import docs_link
    level = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
             Severity.NOTE: types.DiagnosticSeverity.Information}[f.severity]
    related = [types.DiagnosticRelatedInformation(
        location=types.Location(uri=(root / loc.path).as_uri(),
                                range=_range(types, loc.span.line, loc.span.column, loc.span.line, loc.span.column)),
        message=loc.message or "related") for loc in (*f.related, *f.trace)]
    message = f"{f.name}: {f.message}" + (f"\nhelp: {f.help}" if f.help else "")
    return types.Diagnostic(range=_range(types, *f.span), severity=level, code=f.rule,
                            code_description=types.CodeDescription(href=docs_link(f.rule)), source=SOURCE,
                            message=message, related_information=related or None)


def tool_diagnostic(types: Any, d: ToolDiagnostic) -> Any:
    line = d.line or 1
    return types.Diagnostic(range=_range(types, line, d.column or 1, line, d.column or 1),
                            severity=types.DiagnosticSeverity.Information, source=SOURCE,
                            message=f"{d.kind}: {d.message}")


def diagnostics_for(types: Any, result: RunResult, path: Path) -> list[Any]:
    """What one open file shows: its findings and the tool's notes about it."""
    root = Path(result.root).resolve()
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return []
    out = [finding_diagnostic(types, root, f) for f in result.findings if f.path == rel]
    out += [tool_diagnostic(types, d) for d in result.errors if d.path == rel]
    return out


def create_server() -> Any:
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    server = LanguageServer("ipclint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    open_files: dict[str, Path] = {}

    def analyse(ls: Any, changed: Path) -> None:
        """Analyse the project that holds ``changed`` and publish for every open file in it."""
        from ipclint.discover import find_root
        from ipclint.engine import check
        root = find_root(changed)
        try:
            result = check([str(root)])
        except Exception as exc:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error,
                                                           message=f"ipclint: {exc}"))
            return
        for uri, path in sorted(open_files.items()):
            if path == root or root in path.parents:
                ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                    uri=uri, diagnostics=diagnostics_for(types, result, path)))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Any, params: Any) -> None:
        path = uri_to_path(params.text_document.uri)
        if path is not None:
            open_files[params.text_document.uri] = path
            analyse(ls, path)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: Any, params: Any) -> None:
        path = uri_to_path(params.text_document.uri)
        if path is not None:
            analyse(ls, path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Any, params: Any) -> None:
        if open_files.pop(params.text_document.uri, None) is not None:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=params.text_document.uri, diagnostics=[]))

    return server


def serve() -> int:
    """Run until the client says exit. Logging goes to stderr: stdout carries the protocol."""
    logging.basicConfig(level=logging.WARNING)
    try:
        server = create_server()
    except ImportError as exc:
        import sys
        print(f"ipclint: error: the language server needs pygls ({exc})", file=sys.stderr)
        return 2
    server.start_io()
    return 0

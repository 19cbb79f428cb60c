"""`ipclint lsp`: a Language Server over stdio (pygls) so editors show findings where they are.

Each open file gets the findings located in it from the analysis of its whole project (cross-file
rules need every file), run when the file is opened and again when any file is saved. The server
reads only the run result: finding spans become diagnostic ranges, the rule code links to the rule
page (codeDescription.href), related locations become relatedInformation.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from ipclint.model import Diagnostic as ToolDiagnostic
from ipclint.model import Finding, RunResult, Severity
from ipclint.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer

SOURCE = "ipclint"
# pygls and lsprotocol are imported when the server starts, so that `ipclint lsp` can say they are missing.


def uri_to_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path)).resolve()


def _range(line: int, column: int, end_line: int, end_column: int) -> lsp.Range:
    from lsprotocol import types
    start = types.Position(line=max(0, line - 1), character=max(0, column - 1))
    end = types.Position(line=max(0, end_line - 1), character=max(0, end_column - 1))
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def finding_diagnostic(root: Path, f: Finding) -> lsp.Diagnostic:
    from lsprotocol import types

    from ipclint.output.text import docs_link
    from ipclint.output.words import step_location
    level = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
             Severity.NOTE: types.DiagnosticSeverity.Information}[f.severity]
    related = [types.DiagnosticRelatedInformation(
        location=types.Location(uri=(root / loc.path).as_uri(),
                                range=_range(loc.span.line, loc.span.column, loc.span.line, loc.span.column)),
        message=loc.message or "related") for loc in (*f.related, *map(step_location, f.trace))]
    message = f"{f.name}: {f.message}" + (f"\nhelp: {f.help}" if f.help else "")
    return types.Diagnostic(range=_range(*f.span), severity=level, code=f.rule,
                            code_description=types.CodeDescription(href=docs_link(f.rule)), source=SOURCE,
                            message=message, related_information=related or None)


def tool_diagnostic(d: ToolDiagnostic) -> lsp.Diagnostic:
    from lsprotocol import types
    line = d.line or 1
    return types.Diagnostic(range=_range(line, d.column or 1, line, d.column or 1),
                            severity=types.DiagnosticSeverity.Information, source=SOURCE,
                            message=f"{d.kind}: {d.message}")


def diagnostics_for(result: RunResult, path: Path) -> list[lsp.Diagnostic]:
    """What one open file shows: its findings and the tool's notes about it."""
    root = Path(result.root).resolve()
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return []
    out = [finding_diagnostic(root, f) for f in result.findings if f.path == rel]
    out += [tool_diagnostic(d) for d in result.errors if d.path == rel]
    return out


def create_server() -> LanguageServer:
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    server = LanguageServer("ipclint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    open_files: dict[str, Path] = {}

    def analyse(ls: LanguageServer, changed: Path) -> None:
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
                    uri=uri, diagnostics=diagnostics_for(result, path)))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        path = uri_to_path(params.text_document.uri)
        if path is not None:
            open_files[params.text_document.uri] = path
            analyse(ls, path)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        path = uri_to_path(params.text_document.uri)
        if path is not None:
            analyse(ls, path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
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

"""`--format github`: GitHub Actions workflow annotation lines, one per finding."""
from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ipclint.model import RunResult, Severity
from ipclint.output.paths import shown

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def write(result: RunResult, stream: TextIO, *, base: str | Path | None = None) -> None:
    """``base``: paths relative to this folder (the CLI passes the repository root, where GitHub
    resolves `file=`); None keeps them relative to the project root."""
    def at(path: str) -> str:
        return _prop(shown(result.root, path, base))

    for f in sorted(result.findings, key=lambda f: f.sort_key):
        props = (f"file={at(f.path)},line={f.span.line},col={f.span.column},"
                 f"endLine={f.span.end_line},endColumn={f.span.end_column},title={_prop(f'{f.rule} {f.name}')}")
        stream.write(f"::{COMMAND[f.severity]} {props}::{_data(f.message)}\n")
    for d in sorted(result.errors, key=lambda d: (d.path, d.line, d.column, d.message)):
        if d.kind == "internal":
            stream.write(f"::error title=ipclint internal error::{_data(d.message)}\n")
        elif d.kind == "suppression" and d.path:
            # a broken or unused ipclint-disable comment is the user's to fix, next to the code
            where = f"file={at(d.path)}" + (f",line={d.line},col={d.column}" if d.line else "")
            stream.write(f"::warning {where},title=ipclint suppression::{_data(d.message)}\n")
        elif d.path:
            # a file that could not be read, decoded or fully parsed: analysed in part or not at all
            where = f"file={at(d.path)}" + (f",line={d.line},col={d.column}" if d.line else "")
            stream.write(f"::notice {where},title=ipclint {d.kind}::{_data(d.message)}\n")
        else:
            stream.write(f"::notice title=ipclint::{_data(d.message)}\n")

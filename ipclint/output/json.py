"""`--format json`: the stable, versioned report of SPEC §4. Deterministic for the same input."""
from __future__ import annotations

from typing import Any, TextIO

from ipclint.model import RunResult
from ipclint.output.jsontext import write_indented
from ipclint.output.words import finding_dict

JSON_VERSION = 1


def report(result: RunResult) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "tool": {"name": "ipclint", "version": result.tool_version},
        "root": result.root,
        "electron_version": electron_versions(result.electron_version),
        "findings": [finding_dict(f) for f in sorted(result.findings, key=lambda f: f.sort_key)],
        "files": {"analysed": result.files.analysed, "skipped": result.files.skipped,
                  "with_parse_errors": result.files.with_parse_errors},
        "errors": [d.to_dict() for d in sorted(result.errors, key=lambda d: (d.path, d.line, d.column,
                                                                              d.message, d.kind))],
    }


def electron_versions(text: str | None) -> str | list[str] | None:
    """One version as a string; several apps with different versions as a list."""
    if text is None:
        return None
    versions = [v for v in text.split(", ") if v]
    return versions if len(versions) > 1 else (versions[0] if versions else None)


def write(result: RunResult, stream: TextIO) -> None:
    write_indented(report(result), stream)

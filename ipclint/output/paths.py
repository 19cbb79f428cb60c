"""Where a report's paths are relative to: what a person can click from where they stand.

Findings carry paths relative to the project root. The text report shows them relative to the
current folder; GitHub annotations and SARIF relative to the repository root (the folder that holds
`.git`, else the current folder), so an annotation lands on the right file in a monorepo.
"""
from __future__ import annotations

import os
from pathlib import Path


def repository_root(project_root: str | Path, cwd: str | Path | None = None) -> Path:
    """The nearest folder at or above the project root holding `.git` (a folder, or a file in a
    worktree or submodule); else the current folder when the project is inside it; else the root."""
    root = Path(project_root).resolve()
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    here = Path(cwd if cwd is not None else os.getcwd()).resolve()
    return here if root == here or here in root.parents else root


def shown(root: str, path: str, base: str | Path | None) -> str:
    """``path`` (relative to ``root``) made relative to ``base``; unchanged when base is None."""
    if base is None or not path:
        return path
    full = os.path.join(root, path)
    try:
        rel = os.path.relpath(full, base)
    except ValueError:  # another drive on Windows
        return Path(full).as_posix()
    return Path(rel).as_posix()

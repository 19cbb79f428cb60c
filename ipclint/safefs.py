"""Reading project files without leaving the project: a scanned repository is hostile input, and a
symlink (or a `../` in a config's `extends`) must not make ipclint read outside its root."""
from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path

MAX_CONFIG_BYTES = 64 * 1024 * 1024


def inside(root_real: str, path: str) -> bool:
    """Whether ``path``, with every symlink resolved, lies within the (already resolved) root."""
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def read_in_root(root: Path, rel: str, limit: int = MAX_CONFIG_BYTES) -> bytes | None:
    """The bytes of the regular file at root-relative ``rel``, or None when it is missing, not a
    file, too big, or resolves (through `..` or a symlink) outside the root."""
    norm = posixpath.normpath(rel) if rel else ""
    if not norm or norm.startswith("/") or norm == ".." or norm.startswith("../"):
        return None
    full = os.path.join(str(root), *norm.split("/"))
    try:
        # (most files asked for do not exist, a tsconfig.json in each folder up from a module:
        # one stat says so, before resolving the path's symlinks component by component)
        st = os.stat(full)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        if not inside(os.path.realpath(root), full):
            return None
        with open(full, "rb") as fh:
            return fh.read(limit + 1)
    except OSError:
        return None

"""ipclint: a security linter and static analyzer for Electron IPC code."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ipclint.config import Config
    from ipclint.model import RunResult

from ipclint.version import __version__

__all__ = ["__version__", "check"]


def check(paths: list[str] | None = None, config: Config | None = None, **options: Any) -> RunResult:
    """Analyse the project(s) at ``paths`` and return a :class:`ipclint.model.RunResult`.

    This is the Python API: the same result the command line reports.
    """
    from ipclint.engine import check as _check

    return _check(paths, config=config, **options)

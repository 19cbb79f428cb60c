"""ipclint: a security linter and static analyzer for Electron IPC code."""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "check"]


def check(paths=None, config=None, **options):  # noqa: ANN001, ANN201 - thin re-export
    """Analyse the project(s) at ``paths`` and return a :class:`ipclint.model.RunResult`.

    This is the Python API: the same result the command line reports.
    """
    from ipclint.engine import check as _check

    return _check(paths, config=config, **options)

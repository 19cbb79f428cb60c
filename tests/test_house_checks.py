"""The checks of the house (STYLE.md, second edition), run with the test suite so that CI and the
README's one test command run them too: mypy --strict, ruff, and the import-linter layers."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
        return found
    return str(path)


def test_mypy_strict() -> None:
    r = _run(sys.executable, "-m", "mypy", "--strict", "ipclint")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff() -> None:
    r = _run(_tool("ruff"), "check", "ipclint", "tests", "bench")
    assert r.returncode == 0, r.stdout + r.stderr


def test_import_layers() -> None:
    r = _run(_tool("lint-imports"))
    assert r.returncode == 0, r.stdout + r.stderr

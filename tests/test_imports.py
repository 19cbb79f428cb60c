"""Every module imports on its own in a fresh interpreter (no import cycles that only work in one order)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ipclint"


def test_every_module_imports_alone() -> None:
    modules = sorted(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
                     for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    failures = []
    for m in modules:
        r = subprocess.run([sys.executable, "-c", code, m], capture_output=True, text=True,
                           cwd=PACKAGE.parent)
        if r.returncode:
            failures.append(f"{m}: {r.stderr.strip().splitlines()[-1]}")
    assert not failures, failures

"""Write small projects for tests."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path


def write_project(root: Path, files: dict[str, str | bytes], electron: str = "31.0.0",
                  main: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    pkg = {"name": "t", "version": "1.0.0", "devDependencies": {"electron": electron}}
    if main:
        pkg["main"] = main
    if "package.json" not in files:
        (root / "package.json").write_text(json.dumps(pkg))
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root

"""End-to-end time of one pathological file (SPEC §7: no single file over 2 s). Not a test: the
tests count work (tests/test_pathological.py); this shows the seconds.

    python bench/shapes.py                        # every shape at the SPEC's size
    python bench/shapes.py channels=2000 nested=1000

Each shape is one main.js in a fresh project folder, checked cold (a fresh, empty cache) in a fresh process
(as bench/benchmark.py runs ipclint).
"""
from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import run_ipclint


def nested(n: int) -> str:
    """Callbacks nested n deep around one handler."""
    return ("const { ipcMain } = require('electron')\n" + "setTimeout(() => {\n" * n
            + "ipcMain.handle('deep', (e, x) => x)\n" + "})\n" * n)


def channels(n: int) -> str:
    """n handlers in one file, each passing its argument to a sink."""
    return "const { ipcMain, shell } = require('electron')\n" + "".join(
        f"ipcMain.handle('ch:{i}', (e, p{i}) => shell.openExternal(p{i}))\n" for i in range(n))


def elseif(n: int) -> str:
    """One handler with an if and n - 1 else-ifs."""
    return ("const { ipcMain } = require('electron')\nipcMain.handle('x', (e, v) => {\n"
            "  if (v === 0) { return 0 }\n" + "".join(f"  else if (v === {i}) {{ return {i} }}\n" for i in range(1, n))
            + "})\n")


def plus(n: int) -> str:
    """A channel name made of n string literals joined by `+`, one per line (on one line the file
    would look minified and be skipped)."""
    return ("const { ipcMain } = require('electron')\nconst CH = " + " +\n".join(f"'a{i}'" for i in range(n))
            + "\nipcMain.handle(CH, (e, v) => v)\n")


def table(n: int) -> str:
    """One loop registering a table of n handlers, each passing its argument to a sink."""
    return ("const { ipcMain, shell } = require('electron')\nconst HANDLERS = {\n"
            + "".join(f"  'ch:{i}': (e, u) => shell.openExternal(u),\n" for i in range(n))
            + "}\nfor (const [ch, fn] of Object.entries(HANDLERS)) ipcMain.handle(ch, fn)\n")


SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    "nested": (nested, 10_000), "channels": (channels, 20_000), "elseif": (elseif, 5_000), "plus": (plus, 10_000),
    "table": (table, 2_048)}


def main() -> None:
    sizes = {name: n for name, (_fn, n) in SHAPES.items()}
    if sys.argv[1:]:
        sizes = {k: int(v) for k, v in (a.split("=", 1) for a in sys.argv[1:])}
    print(f"{'shape':<10} {'size':>7} {'seconds':>8}  target (<= 2 s)")
    for name, n in sizes.items():
        fn, _ = SHAPES[name]
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "app"
            root.mkdir()
            (root / "package.json").write_text(json.dumps({"devDependencies": {"electron": "31.0.0"}}))
            (root / "main.js").write_text(fn(n))
            secs, _peak, _parsed = run_ipclint(root, Path(tmp) / "cache")
        print(f"{name:<10} {n:>7} {secs:>8.2f}  {'OK' if secs <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()

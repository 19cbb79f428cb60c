"""The reports' own cost: each format written for one run's result, in process, best of N. Not a
test. The result is the 20,000-handler file of bench/shapes.py (100,000 findings) unless --tree
names a project.

    python bench/report.py                    # channels=20000, best of 3
    python bench/report.py --handlers 2000 --repeat 5
    python bench/report.py --tree ../apps/mattermost
"""
from __future__ import annotations

import argparse
import gc
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shapes import channels

from ipclint.engine import check
from ipclint.model import RunResult
from ipclint.output import github, html, json, sarif, text


def writers(result: RunResult) -> dict[str, Callable[[io.StringIO], None]]:
    return {
        "text": lambda s: text.write(result, s, color=False),
        "text, colour": lambda s: text.write(result, s, color=True),
        "json": lambda s: json.write(result, s),
        "sarif": lambda s: sarif.write(result, s),
        "github": lambda s: github.write(result, s),
        "html": lambda s: html.write(result, s),
    }


def best(fn: Callable[[io.StringIO], None], repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        stream = io.StringIO()
        gc.disable()  # as the CLI writes its report (engine.without_gc)
        try:
            started = time.perf_counter()
            fn(stream)
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
        size = len(stream.getvalue())
    return min(times), size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", type=Path)
    ap.add_argument("--handlers", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = a.tree
        if root is None:
            root = Path(tmp) / "app"
            root.mkdir()
            (root / "package.json").write_text('{"name": "shape", "main": "main.js", '
                                               '"devDependencies": {"electron": "31.0.0"}}')
            (root / "main.js").write_text(channels(a.handlers))
        result = check([str(root)], use_cache=False, jobs=1)
        print(f"{root.name}: {len(result.findings)} findings")
        for name, fn in writers(result).items():
            seconds, size = best(fn, a.repeat)
            print(f"{name:<14} {seconds:7.2f} s  {size / 1e6:8.1f} MB")


if __name__ == "__main__":
    main()

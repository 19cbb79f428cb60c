"""Cold and warm runs of many real apps, one line each: does every app meet the warm target
(at most 10% of its cold run and under 0.3 s, SPEC §7)? Not a test.

    python bench/warm.py /work/corpus/apps/*            # every app of a corpus
    python bench/warm.py --repeat 5 ../apps/joplin      # best of 5 warm runs

Each run is the command line in a fresh process (`python -m ipclint check`, as the benchmark runs it) with its own
temporary cache folder, so the apps' folders are not written to. The cold run is timed once, the
warm run is the best of --repeat.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import run_ipclint


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("trees", nargs="+", metavar="DIR", help="app folders")
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per app, the best is shown (default: 3)")
    args = ap.parse_args()
    print(f"{'app':<20} {'cold s':>7} {'warm s':>7} {'warm/cold':>9}  target")
    missed = 0
    for tree in [Path(t).resolve() for t in args.trees if Path(t).is_dir()]:
        cache = Path(tempfile.mkdtemp(prefix="ipclint-warm-"))
        try:
            cold, _, _ = run_ipclint(tree, cache)
            warm = min(run_ipclint(tree, cache)[0] for _ in range(args.repeat))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        ok = warm <= 0.1 * cold and warm < 0.3
        missed += not ok
        print(f"{tree.name:<20} {cold:7.2f} {warm:7.3f} {100 * warm / cold:8.1f}%  {'OK' if ok else 'MISSED'}")
    print(f"{missed} missed" if missed else "every app meets the warm target")


if __name__ == "__main__":
    main()

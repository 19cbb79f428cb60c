"""Measure esprima (the Python port) against tree-sitter on the same real files: speed and what
each fails to parse. Not a test; needs `pip install esprima`. Used for docs/architecture.md.

    python bench/parsers.py /path/to/app [/path/to/another ...]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ipclint.discover import discover
from ipclint.extract.parse import dialect_for, parse


def main(folders: list[str]) -> None:
    import esprima

    files = []
    for folder in folders:
        d = discover(Path(folder))
        files += [(f.path, f.load()) for f in d.files]
    js = [(p, b) for p, b in files if dialect_for(p) == "js"]
    total = sum(len(b) for _, b in files)
    t = time.perf_counter()
    ts_fail = sum(1 for p, b in files if parse(b, dialect_for(p)).root_node.has_error)
    ts_s = time.perf_counter() - t
    t = time.perf_counter()
    es_fail = 0
    reasons: dict[str, int] = {}
    for _p, b in files:
        try:
            esprima.parseModule(b.decode("utf-8", "replace"), {"jsx": True, "tolerant": False})
        except Exception as exc:
            es_fail += 1
            key = str(exc).split(":", 1)[-1].strip()[:40]
            reasons[key] = reasons.get(key, 0) + 1
    es_s = time.perf_counter() - t
    print(f"{len(files)} files ({len(js)} JS), {total / 1e6:.2f} MB")
    print(f"tree-sitter: {ts_s:.2f}s {total / 1e6 / ts_s:.2f} MB/s, files with error nodes: {ts_fail}")
    print(f"esprima:     {es_s:.2f}s {total / 1e6 / es_s:.2f} MB/s, files rejected: {es_fail}")
    for k, v in sorted(reasons.items(), key=lambda x: -x[1])[:8]:
        print(f"  {v:5d}  {k}")
    js_bytes = sum(len(b) for _, b in js)
    if js_bytes:
        t = time.perf_counter()
        ts_js_fail = sum(1 for p, b in js if parse(b, "js").root_node.has_error)
        ts_js = time.perf_counter() - t
        t = time.perf_counter()
        es_js_fail = 0
        for _p, b in js:
            try:
                esprima.parseModule(b.decode("utf-8", "replace"), {"jsx": True})
            except Exception:
                try:
                    esprima.parseScript(b.decode("utf-8", "replace"), {"jsx": True})
                except Exception:
                    es_js_fail += 1
        es_js = time.perf_counter() - t
        print(f"JS only ({js_bytes / 1e6:.2f} MB): tree-sitter {js_bytes / 1e6 / ts_js:.2f} MB/s "
              f"({ts_js_fail} with errors), esprima {js_bytes / 1e6 / es_js:.2f} MB/s ({es_js_fail} rejected)")


if __name__ == "__main__":
    main(sys.argv[1:])

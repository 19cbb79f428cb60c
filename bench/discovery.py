"""Discovery's outcome on real trees, as JSON, to compare two checkouts: a change to discovery's
speed must leave it as it was. Not a test.

    python bench/discovery.py OUT.json /work/corpus/apps/* /work/corpus/extra/*
    cmp BEFORE.json AFTER.json                          # run once from each checkout

(It uses only what both sides have: run it from the newer checkout with the older one's package
first on the path, PYTHONPATH=OLD python bench/discovery.py ..., to make BEFORE.json.)

For each tree: the sources, declarations and documents with their byte facts, what was skipped and
why, the errors, the project files each folder holds, the first round's file selection (the same
with 1 and 2 jobs, or the script stops), the walk's record (events, folders, .gitignore files read,
links), and the outcome and byte facts of every file with a source, declaration or document name
under the tree, ignored or not (node_modules and .git left out).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from ipclint.cache import Cache
from ipclint.discover import (
    ByteFacts,
    Discovery,
    SourceFile,
    StatIndex,
    discover,
    examine,
    is_declaration,
    is_document,
    is_source,
)
from ipclint.discover.select import select_files
from ipclint.discover.walk import WALK_FILE, WalkRecord


def facts(bf: ByteFacts | None) -> Any:
    if bf is None:
        return None
    return [bf.keyword, [k.decode("latin-1") for k in bf.expose_keys], list(bf.specifiers),
            sorted(k.decode("latin-1") for k in bf.global_props), bf.declares_globals, bf.ipc, bf.ipc_call]


def outcome(d: Discovery) -> dict[str, Any]:
    def files(sfs: list[SourceFile]) -> list[Any]:
        return [[sf.path, facts(sf.bytefacts)] for sf in sfs]

    return {"files": files(d.files), "declarations": files(d.declarations), "documents": files(d.documents),
            "skipped": sorted(map(list, d.skipped)), "errors": sorted(map(list, d.errors)),
            "listed": {k: list(v) for k, v in sorted(d.listed.items())},
            "selected": [sf.path for sf in select_files(d.files, d.root)]}


def record(root: Path) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(Path(tmp), key=b"k" * 32)
        discover(root, index=StatIndex(cache), jobs=1)
        rec = cache.load(WALK_FILE, WalkRecord)
    return None if rec is None else [rec.key, rec.folders, rec.gitignores, rec.links, rec.events, rec.listed]


def every_file(root: Path) -> dict[str, Any]:
    out = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("node_modules", ".git"))
        for name in sorted(names):
            path = os.path.join(folder, name)
            if not (is_source(name) or is_declaration(name) or is_document(name)) or os.path.islink(path) \
                    or os.path.getsize(path) > 2 * 1024 * 1024:
                continue
            e = examine((os.path.relpath(path, root), path))
            out[e.rel] = [e.outcome, e.info if e.outcome in ("ok", "cp1252", "minified") else "", facts(e.bytefacts)]
    return out


def main() -> None:
    out: dict[str, Any] = {}
    for tree in sys.argv[2:]:
        root = Path(tree).resolve()
        one, two = outcome(discover(root, jobs=1)), outcome(discover(root, jobs=2))
        if one != two:
            raise SystemExit(f"{root}: 1 and 2 jobs disagree")
        out[str(root)] = {"discovery": one, "record": record(root), "every file": every_file(root)}
        print(f"{root.name:30s} {len(one['files']):5d} sources {len(one['selected']):4d} selected", file=sys.stderr)
    Path(sys.argv[1]).write_text(json.dumps(out, sort_keys=True, default=list))


if __name__ == "__main__":
    main()

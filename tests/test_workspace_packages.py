"""Packages of the project imported by their name (monorepo workspaces): link/modules.py."""
from __future__ import annotations

import json
from pathlib import Path

from ipclint.link.modules import ModuleResolver, read_json_file


def _resolver(root: Path, files: dict[str, str]) -> ModuleResolver:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    paths = {p for p in files if not p.endswith(".json")}
    return ModuleResolver(paths, read_json_file(root))


def test_entries_subpaths_and_build_outputs(tmp_path: Path) -> None:
    m = _resolver(tmp_path, {
        "package.json": json.dumps({"name": "root", "workspaces": ["packages/*"]}),
        "packages/a/package.json": json.dumps({"name": "@x/a", "main": "dist/index.js", "types": "dist/index.d.ts"}),
        "packages/a/src/index.ts": "", "packages/a/src/deep/util.ts": "",
        "packages/b/package.json": json.dumps({"name": "b", "exports": {".": {"require": "./out/main.cjs"}}}),
        "packages/b/src/main.ts": "",
        "packages/c/package.json": json.dumps({"name": "c", "types": "build/api.d.ts"}),
        "packages/c/src/api.ts": "",
        "packages/d/package.json": json.dumps({"name": "d", "main": "lib/index.js"}),
        "packages/d/lib/index.js": "",
        "packages/e/package.json": json.dumps({"name": "e"}),
        "packages/e/index.js": "",
        "app/main.js": "",
    })
    r = m.resolve
    assert r("app/main.js", "@x/a") == "packages/a/src/index.ts"  # dist/index.js -> src/index.ts
    assert r("app/main.js", "@x/a/deep/util") == "packages/a/src/deep/util.ts"  # subpath, under src/
    assert r("app/main.js", "b") == "packages/b/src/main.ts"  # exports conditions, out/ -> src/
    assert r("app/main.js", "c") == "packages/c/src/api.ts"  # types: its source
    assert r("app/main.js", "d") == "packages/d/lib/index.js"  # lib/ holds the source itself
    assert r("app/main.js", "e") == "packages/e/index.js"  # no entry: index
    assert m.names_package("@x/a/deep/util") and m.names_package("b")


def test_packages_outside_the_project_stay_external(tmp_path: Path) -> None:
    m = _resolver(tmp_path, {
        "package.json": json.dumps({"name": "root"}),
        "packages/a/package.json": json.dumps({"name": "a", "main": "index.js"}),
        "packages/a/index.js": "",
        # a fixture package in test code does not stand for the real one
        "test/fixtures/lib/package.json": json.dumps({"name": "electron-store", "main": "index.js"}),
        "test/fixtures/lib/index.js": "",
        "node_modules/z/package.json": json.dumps({"name": "z", "main": "index.js"}),
        "node_modules/z/index.js": "",
        "main.js": "",
    })
    assert m.resolve("main.js", "a") == "packages/a/index.js"
    for spec in ("ab", "electron-store", "z", "a-b", "@a/a", "electron", "node:fs"):
        assert m.resolve("main.js", spec) is None, spec
        assert not m.names_package(spec), spec


def test_package_json_behind_a_symlink_out_of_the_root_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "package.json").write_text(json.dumps({"name": "secret", "main": "index.js"}))
    root = tmp_path / "root"
    m = _resolver(root, {"main.js": "", "pkg/index.js": ""})
    (root / "pkg/package.json").symlink_to(outside / "package.json")
    assert m.resolve("main.js", "secret") is None

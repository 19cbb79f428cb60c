"""Bad input never crashes the run: each file is analysed or gets a diagnostic."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.model import Severity
from ipclint.rules import _base
from tests.helpers import write_project

MAIN = """
const { ipcMain } = require('electron')
ipcMain.handle('ping', () => 'pong')
"""


def _run(root: Path, **kw):
    return check([str(root)], use_cache=False, jobs=1, **kw)


def _channels(result) -> set[str]:
    return {e.channel for e in result.extra["project"].graph.edges if e.channel}


def test_syntax_error_file_is_still_analysed(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"main.js": MAIN + "\nfunction broken( {\n\nipcMain.on('after', () => {})\n"})
    r = _run(root)
    assert "ping" in _channels(r)
    assert any(d.kind == "parse" and d.path == "main.js" for d in r.errors)
    assert r.files.with_parse_errors == 1


def test_binary_file_gets_a_diagnostic_and_the_run_goes_on(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"main.js": MAIN, "blob.js": b"\x00\x01\x02electron\x00" * 50})
    r = _run(root)
    assert "ping" in _channels(r)
    assert [d for d in r.errors if d.path == "blob.js" and d.kind == "binary"]


def test_invalid_utf8_and_utf16_are_decoded(tmp_path: Path) -> None:
    latin = "// caf\xe9\nconst { ipcRenderer } = require('electron')\nipcRenderer.send('ping')\n"
    utf16 = "\ufeffconst { ipcMain } = require('electron')\nipcMain.on('ping', () => {})\n"
    root = write_project(tmp_path, {"renderer.js": latin.encode("cp1252"), "main.js": utf16.encode("utf-16"),
                                    "bom.js": b"\xef\xbb\xbf" + b"const { ipcMain } = require('electron')\n"
                                                                b"ipcMain.handle('bom', () => 1)\n"})
    r = _run(root)
    edges = r.extra["project"].graph.edges
    assert {(e.path, e.channel, e.span.line) for e in edges} >= {
        ("renderer.js", "ping", 3), ("main.js", "ping", 2), ("bom.js", "bom", 2)}


def test_deeply_nested_code_does_not_crash(tmp_path: Path) -> None:
    depth = 70000
    deep = "const x = " + "[\n" * depth + "]" * depth + ";\n" + MAIN
    calls = "f(\n" * 5000 + ")" * 5000 + ";\n"
    root = write_project(tmp_path, {"main.js": deep, "other.js": calls + MAIN.replace("ping", "ping2")})
    r = _run(root)
    assert {"ping", "ping2"} <= _channels(r)
    assert any(d.kind == "depth" and d.path == "main.js" for d in r.errors)


def test_symlink_loop_terminates(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"src/main.js": MAIN})
    os.symlink(root / "src", root / "src" / "loop")
    r = _run(root)
    assert "ping" in _channels(r)


def test_unreadable_file_gets_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ipclint.discover as discover_module
    root = write_project(tmp_path, {"main.js": MAIN, "secret.js": MAIN})
    real_read = discover_module.read_file

    def fake_read(path: str) -> bytes:  # (the tests run as root, whom a file's mode does not stop)
        if path.endswith("secret.js"):
            raise PermissionError(13, "Permission denied")
        return real_read(path)

    monkeypatch.setattr(discover_module, "read_file", fake_read)
    r = _run(root)
    assert "ping" in _channels(r)
    assert [d for d in r.errors if d.path == "secret.js" and "Permission denied" in d.message]


def test_minified_huge_and_excluded_files_are_skipped_and_counted(tmp_path: Path) -> None:
    minified = "var a=1;" * 2000 + "require('electron').ipcMain.handle('min',()=>1);"
    root = write_project(tmp_path, {
        "main.js": MAIN, "lib.min.js": "require('electron')", "bundle.js": minified,
        "huge.js": "// electron\n" + "x\n" * (1100 * 1024),
        "node_modules/dep/index.js": MAIN, "dist/main.js": MAIN, "ignored/main.js": MAIN,
        ".gitignore": "ignored/\n",
    })
    r = _run(root)
    assert _channels(r) == {"ping"}
    skipped = dict(r.skipped)
    assert skipped == {"lib.min.js": skipped["lib.min.js"], "bundle.js": skipped["bundle.js"],
                       "huge.js": skipped["huge.js"], "node_modules/": "folder excluded by default",
                       "dist/": "folder excluded by default", "ignored/": "ignored folder"}
    assert r.files.skipped == 6


def test_vue_script_blocks_keep_vue_line_numbers(tmp_path: Path) -> None:
    vue = """<template>
  <div>{{ x }}</div>
</template>

<script setup lang="ts">
import { onMounted } from 'vue'
onMounted(() => {
  window.electron.ipcRenderer.send('vue:hello', 1)
})
</script>
"""
    root = write_project(tmp_path, {"src/renderer/App.vue": vue, "src/preload/index.ts": """
        import { contextBridge } from 'electron'
        import { electronAPI } from '@electron-toolkit/preload'
        contextBridge.exposeInMainWorld('electron', electronAPI)
        """})
    r = _run(root)
    hits = [(e.path, e.span.line, e.span.column) for e in r.extra["project"].graph.edges if e.channel == "vue:hello"]
    assert hits == [("src/renderer/App.vue", 8, 3)]


def test_a_crashing_rule_is_an_internal_error_and_keeps_other_findings(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from ipclint import rules

    def boom(project, options):
        """## What it does
        Crashes."""
        raise RuntimeError("boom")
        yield  # pragma: no cover

    broken = _base.Rule("IPC999", "broken", Severity.ERROR, "crashes", boom)
    monkeypatch.setattr(rules, "ALL_RULES", rules.ALL_RULES + (broken,))
    root = write_project(tmp_path, {"main.js": MAIN})
    r = _run(root)
    assert r.internal_error
    assert any("IPC999" in d.message for d in r.errors)
    assert any(f.rule == "IPC003" for f in r.findings)


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"main.js": "const { ipcMain } = require('electron')\n"
                                               "const é = 1; ipcMain.handle('ünïcode', () => é)\n"})
    r = _run(root, select=["IPC003"])
    [f] = r.findings
    assert (f.span.line, f.span.column, f.span.end_column) == (2, 29, 38)


def test_objects_that_spread_each_other_do_not_exhaust_the_stack(tmp_path: Path) -> None:
    """`var a = { ...b }; var b = { ...a }` (or a long chain of spreads): looking a member up
    follows the spreads once each; linking neither recurses without end nor loses the project
    (AnotherRedisDesktopManager failed to link: RecursionError in Project._obj_member)."""
    cyclic = MAIN + """
var a = { ...b, x: 1 }
var b = { ...a, y: 2 }
a.missing.handle('never', () => 0)
"""
    chain = "\n".join(f"const o{i} = {{ ...o{i + 1}, k{i}: {i} }}" for i in range(400)) + "\nconst o400 = { ...o0 }\n"
    root = write_project(tmp_path, {"main.js": cyclic, "chain.js": "const { ipcMain } = require('electron')\n" + chain
                                    + "o0.nothing.on('chain', () => 0)\nipcMain.on('chained', () => 1)\n"})
    r = _run(root)
    assert not [d for d in r.errors if d.kind == "internal"], r.errors
    assert {"ping", "chained"} <= _channels(r)

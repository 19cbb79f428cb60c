"""After an edit, a run with the cache gives exactly what a cold run gives, whether it reuses the
last analysis (an edit that changes no fact) or analyses again."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from ipclint.engine import check
from ipclint.model import RunResult
from ipclint.output.words import finding_dict
from tests.helpers import count_calls

EXAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "example-app"
IPC = "src/main/ipc.ts"
PRELOAD = "src/preload/index.ts"
CHANNELS = "src/shared/channels.ts"
SETTINGS = "src/renderer/settings.js"
PAGE = "src/renderer/index.html"


def _report(r: RunResult) -> dict[str, Any]:
    return {"findings": [finding_dict(f) for f in r.findings],
            "errors": [(d.path, d.line, d.column, d.kind, d.message) for d in r.errors],
            "roles": r.roles, "graph": r.graph, "files": r.files, "skipped": r.skipped,
            "electron": r.electron_version, "rules": r.rules_run, "internal": r.internal_error}


def _example_app(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the example app to edit, and a cache folder for it."""
    root = tmp_path / "app"
    shutil.copytree(EXAMPLE, root)
    return root, tmp_path / "cache"


def _edit(root: Path, rel: str, change: Callable[[str], str]) -> None:
    p = root / rel
    before = p.stat()
    text = p.read_text()
    new = change(text)
    assert new != text, "the edit changed nothing"
    p.write_text(new)
    os.utime(p, ns=(before.st_atime_ns, before.st_mtime_ns + 10_000_000))  # a later mtime, whatever the clock


def _swap_handlers(t: str) -> str:
    """The LINK_OPEN and APP_VERSION handlers (three lines each) in each other's place."""
    lines = t.split("\n")
    a = next(i for i, x in enumerate(lines) if "Channels.LINK_OPEN" in x)
    b = next(i for i, x in enumerate(lines) if "Channels.APP_VERSION" in x)
    lines[a:a + 3], lines[b:b + 3] = lines[b:b + 3], lines[a:a + 3]
    return "\n".join(lines)


EDITS: dict[str, tuple[str, Callable[[str], str], bool]] = {
    # name: (file, edit, whether the last analysis can be reused)
    "comment appended": (IPC, lambda t: t + "\n// a note for later\n", True),
    "comment text changed in place": (CHANNELS, lambda t: t.replace("shared by main", "used by main"), True),
    "suppression in a comment": (IPC, lambda t: t.replace(
        '// expect: IPC020 "note:load"', "// ipclint-disable-line IPC020 -- ids are checked"), True),
    # (a rule searched the preload's bytes for quoted channel names: an edit there is analysed again)
    "suppression in a file a rule read": (PRELOAD, lambda t: t.replace(
        '// expect: IPC003 "note:sav", IPC010 "note:sav"', "// ipclint-disable-line IPC010 -- renamed soon"), False),
    # (a comment inside a function changes the function's text, which its facts keep)
    "suppression inside a handler": (
        IPC, lambda t: t.replace("await shell.openExternal(url)", "await shell.openExternal(url)  "
                                 "// ipclint-disable-line IPC006 -- checked by the caller"), False),
    # (whole lines inserted or removed: the facts are the same but for their line numbers, and the
    # last analysis is reused with that file's lines renumbered, in messages too: IPC010's
    # "'note:save' is registered at src/main/ipc.ts:17" names a moved line)
    "comment line inserted at the top": (IPC, lambda t: "// moved everything down\n" + t, True),
    # (but an expression's first 120 characters are its text, which its facts keep: lines inserted
    # there change the facts)
    "blank lines inside a handler": (IPC, lambda t: t.replace("    settings[key] = value", "\n\n    settings[key] = value"),
                                     False),
    "comment lines inserted in two places": (IPC, lambda t: t.replace("const settings", "// by key\nconst settings").replace(
        "  ipcMain.on(Channels.APP_VERSION", "  // sync, for the about box\n  // (old API)\n  ipcMain.on(Channels.APP_VERSION"),
        True),
    "blank line removed": (IPC, lambda t: t.replace("\n\nexport function registerIpc", "\nexport function registerIpc"), True),
    "blank lines at the top of a module of constants": (CHANNELS, lambda t: "\n\n" + t, True),
    # (not a move: the code changed)
    "two lines joined": (IPC, lambda t: t.replace("{\n    if (!isTrustedSender(event.senderFrame)) return null",
                                                  "{ if (!isTrustedSender(event.senderFrame)) return null"), False),
    "two handlers swapped": (IPC, _swap_handlers, False),
    "channel renamed": (CHANNELS, lambda t: t.replace("'note:save'", "'note:sav'"), False),
    "channel literal fixed": (PRELOAD, lambda t: t.replace("'note:sav'", "Channels.NOTE_SAVE"), False),
    "import added": (PRELOAD, lambda t: "import { join } from 'node:path'\n" + t.replace(
        "load: (id: string) =>", "load: (id: string) => join(id) &&"), False),
    "handler added": (IPC, lambda t: t.replace("export function registerIpc(): void {", (
        "export function registerIpc(): void {\n"
        "  ipcMain.on('debug:dump', (_e, what) => { settings[what] = 1 })")), False),
    "handler removed": (IPC, lambda t: t.replace("  ipcMain.handle('notes:export-all'", "  void ('notes:export-all'"),
                        False),
    "page code quotes a channel": (SETTINGS, lambda t: t + "\nconsole.log('note:sav')\n", False),
    # (an HTML page is no source, but its inline scripts' channel names count for IPC010/IPC011)
    "page document sends a channel": (PAGE, lambda t: t.replace('<div id="root"></div>', (
        '<div id="root"></div><script>require("electron").ipcRenderer.invoke("notes:export-all")</script>')),
        False),
}

NEW_FILE = "src/main/extra.ts"
NEW_CODE = ("import { ipcMain } from 'electron'\n"
            "import { exec } from 'node:child_process'\n"
            "ipcMain.on('debug:run', (_e, cmd) => { exec(cmd) })\n")


def _delete(root: Path, rel: str) -> None:
    (root / rel).unlink()


def _create(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(text)


def _rerun(root: Path, cache: Path) -> tuple[RunResult, RunResult]:
    """The run after an edit, with the cache of the runs before (``again``), and a cold run of the
    same tree to compare it with (``cold``)."""
    return (check([str(root)], cache_dir=str(cache), jobs=1),
            check([str(root)], use_cache=False, jobs=1))


def _write(root: Path, files: dict[str, str]) -> None:
    """A project of ``files`` (root-relative path -> text) under ``root``."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


# edits of the file set: (name, change); none can reuse the last analysis
FILE_EDITS: dict[str, Callable[[Path], None]] = {
    "file deleted": lambda root: _delete(root, "src/main/security.ts"),
    "page file deleted": lambda root: _delete(root, SETTINGS),
    "file added": lambda root: _create(root, NEW_FILE, NEW_CODE),
    "file added and imported": lambda root: _create_imported(root),
    "page document added": lambda root: _create(root, "src/renderer/about.html", (
        "<html><body><script>\n  const { ipcRenderer } = require('electron')\n"
        "  ipcRenderer.invoke('notes:export-all')\n</script></body></html>\n")),
}


def _create_imported(root: Path) -> None:
    _create(root, NEW_FILE, NEW_CODE)
    _edit(root, "src/main/index.ts", lambda t: "import './extra'\n" + t)


def _extracted(r: RunResult) -> int:
    """The files whose facts this run extracted (not taken from the cache)."""
    return int(r.extra.get("parsed", 0)) - int(r.extra.get("cache_hits", 0))


@pytest.mark.parametrize("name", list(EDITS))
def test_an_edit_gives_what_a_cold_run_gives(tmp_path: Path, name: str) -> None:
    root, cache = _example_app(tmp_path)
    check([str(root)], cache_dir=str(cache), jobs=1)
    rel, change, reusable = EDITS[name]
    _edit(root, rel, change)
    again, cold = _rerun(root, cache)
    assert _report(again) == _report(cold)
    assert bool(again.extra.get("reused")) == reusable
    assert _extracted(again) <= 1  # only the edited file: the others' facts come from the cache
    # and the run after it is warm, with the same report
    warm = check([str(root)], cache_dir=str(cache), jobs=1)
    assert warm.extra.get("cached") and _report(warm) == _report(cold)


@pytest.mark.parametrize("name", list(FILE_EDITS))
def test_a_changed_file_set_gives_what_a_cold_run_gives(tmp_path: Path, name: str) -> None:
    root, cache = _example_app(tmp_path)
    first = check([str(root)], cache_dir=str(cache), jobs=1)
    FILE_EDITS[name](root)
    again, cold = _rerun(root, cache)
    assert _report(again) == _report(cold) and _report(again) != _report(first)
    assert not again.extra.get("reused") and not again.extra.get("cached")
    assert _extracted(again) <= 2  # the new file and the file that imports it; no other
    warm = check([str(root)], cache_dir=str(cache), jobs=1)
    assert warm.extra.get("cached") and _report(warm) == _report(cold)


def test_edits_one_after_another(tmp_path: Path) -> None:
    """Each run starts from the state the previous one left, reused or not."""
    root, cache = _example_app(tmp_path)
    check([str(root)], cache_dir=str(cache), jobs=1)
    for name, (rel, change, _reusable) in EDITS.items():
        _edit(root, rel, change)
        again = check([str(root)], cache_dir=str(cache), jobs=1)
        assert _report(again) == _report(check([str(root)], use_cache=False, jobs=1)), name


def test_a_suppression_on_a_reused_analysis_is_applied(tmp_path: Path) -> None:
    """The reused analysis keeps the findings before suppressions: the new comment takes its one out."""
    root, cache = _example_app(tmp_path)
    before = check([str(root)], cache_dir=str(cache), jobs=1)
    rel, change, _ = EDITS["suppression in a comment"]
    _edit(root, rel, change)
    after = check([str(root)], cache_dir=str(cache), jobs=1)
    assert after.extra.get("reused")
    gone = [(f.rule, f.path, f.span.line) for f in before.findings if f not in after.findings]
    assert gone == [("IPC020", IPC, 14)]


# Edits of a project linked in two rounds (tests/helpers.py ROUNDS_APP: the second round parses a
# validator behind a tsconfig alias and a caller of the app's IPC wrapper): each changes which files
# the later round parses. (name: (file, edit))
INDEX = "src/main/index.ts"
ROUND_EDITS: dict[str, tuple[str, Callable[[str], str]]] = {
    "validator import removed (a file no longer needed)": (INDEX, lambda t: t.replace(
        "import { isSafe } from '@lib/check'\n", "").replace("if (!isSafe(p)) return; ", "")),
    "wrapper removed (its caller no longer needed)": ("src/main/wrap.ts", lambda t: t.replace(
        "ipcMain.on(channel, fn)", "void [channel, fn]")),
    "validator added (a file newly needed)": (INDEX, lambda t: t.replace(
        "import { isSafe } from '@lib/check'\n",
        "import { isSafe } from '@lib/check'\nimport { isShort } from '@lib/other'\n").replace(
        "if (!isSafe(p)) return;", "if (!isSafe(p) || !isShort(p)) return;")),
    # (a file that no round parsed imports the wrapper now: needs.ByteImports finds it)
    "wrapper caller added (a file newly needed)": ("src/lib/other.ts", lambda t: (
        "import { onMessage } from '../main/wrap'\nonMessage('other:run', (_e, cmd) => "
        "require('child_process').exec(cmd))\n" + t)),
}


@pytest.mark.parametrize("name", list(ROUND_EDITS))
def test_an_edit_that_changes_what_later_rounds_parse(tmp_path: Path, name: str) -> None:
    from tests.helpers import ROUNDS_APP, write_project
    root = write_project(tmp_path / "app", ROUNDS_APP)
    cache = tmp_path / "cache"
    first = check([str(root)], cache_dir=str(cache), jobs=1)
    rel, change = ROUND_EDITS[name]
    _edit(root, rel, change)
    again, cold = _rerun(root, cache)
    assert _report(again) == _report(cold) and _report(again) != _report(first)
    assert not again.extra.get("reused") and not again.extra.get("cached")
    assert again.extra.get("parsed") != first.extra.get("parsed")  # the parsed set changed
    assert again.extra.get("parsed") == cold.extra.get("parsed")


def _state(cache: Path) -> Any:
    from ipclint.cache import Cache
    from ipclint.reuse import STATE_FILE, State
    return Cache(cache).load(STATE_FILE, State)


@pytest.mark.parametrize("result_file", ["kept", "deleted", "another run's"])
def test_a_state_that_leaves_its_findings_to_the_result(tmp_path: Path, result_file: str) -> None:
    """When the report kept every finding, the state leaves its findings and graph to the stored
    result of its run; without that very result the analysis is done again."""
    from ipclint.cache import Cache
    from ipclint.engine import RESULT_FILE, StoredResult
    root, cache = _example_app(tmp_path)
    first = check([str(root)], cache_dir=str(cache), jobs=1)
    state = _state(cache)
    assert state.in_result and state.analysis.findings == [] and state.analysis.graph is None
    store = Cache(cache)
    if result_file == "deleted":
        assert store.version_dir is not None
        (store.version_dir / RESULT_FILE).unlink()
    elif result_file == "another run's":
        store.store(RESULT_FILE, StoredResult("another key", replace(first, extra={})))
    rel, change, _ = EDITS["comment appended"]
    _edit(root, rel, change)
    again = check([str(root)], cache_dir=str(cache), jobs=1)
    assert _report(again) == _report(check([str(root)], use_cache=False, jobs=1)) == _report(first)
    assert bool(again.extra.get("reused")) == (result_file == "kept")


def test_a_state_whose_report_dropped_findings_keeps_them(tmp_path: Path) -> None:
    """A suppression takes a finding out of the report: the state keeps the analysis's own findings
    (the suppressed one among them), and a later edit that removes the comment brings it back."""
    root, cache = _example_app(tmp_path)
    check([str(root)], cache_dir=str(cache), jobs=1)
    rel, change, _ = EDITS["suppression in a comment"]
    text = (root / rel).read_text()
    _edit(root, rel, change)
    suppressed = check([str(root)], cache_dir=str(cache), jobs=1)
    state = _state(cache)
    assert not state.in_result and len(state.analysis.findings) == len(suppressed.findings) + 1
    _edit(root, rel, lambda _t: text)
    back = check([str(root)], cache_dir=str(cache), jobs=1)
    assert back.extra.get("reused") and _report(back) == _report(check([str(root)], use_cache=False, jobs=1))
    assert len(back.findings) == len(suppressed.findings) + 1


# Edits of files that only a later round of linking parses (tests/helpers.py ROUNDS_APP: round 0 links
# index.ts and wrap.ts, and asks for the validator behind the alias and the wrapper's caller): round 0
# is taken from the last run, not linked again. (name: (file, edit))
LATER_ROUND_EDITS: dict[str, tuple[str, Callable[[str], str]]] = {
    "validator weakened": ("src/lib/check.ts", lambda t: t.replace("return p.startsWith('/safe/')", "return true")),
    "wrapper caller's channel renamed": ("src/main/tasks.ts", lambda t: t.replace("'task:run'", "'task:go'")),
    "wrapper caller's command fixed": ("src/main/tasks.ts", lambda t: t.replace("exec(cmd)", "exec('ls')")),
}


@pytest.mark.parametrize("name", list(LATER_ROUND_EDITS))
def test_an_edit_to_a_file_only_a_later_round_parses(tmp_path: Path, name: str) -> None:
    from tests.helpers import ROUNDS_APP, write_project
    root = write_project(tmp_path / "app", ROUNDS_APP)
    cache = tmp_path / "cache"
    first = check([str(root)], cache_dir=str(cache), jobs=1)
    assert first.extra.get("rounds_replayed") == 0
    rel, change = LATER_ROUND_EDITS[name]
    _edit(root, rel, change)
    again, cold = _rerun(root, cache)
    assert again.extra.get("rounds_replayed") == 1  # (round 0 linked neither file)
    assert _report(again) == _report(cold) and again.extra.get("parsed") == cold.extra.get("parsed")
    # the state it leaves is a cold run's: the next edit, to the file round 0 links, agrees too
    _edit(root, "src/main/index.ts", lambda t: t.replace("'file:open'", "'file:read'"))
    after = check([str(root)], cache_dir=str(cache), jobs=1)
    assert after.extra.get("rounds_replayed") == 0 and _report(after) == _report(check([str(root)], use_cache=False,
                                                                                           jobs=1))


# A page that reaches the bridge as a bare global (`api.save()`): round 0 searches the bytes of every
# file it does not link for the key, and asks for the page. An edit to the page can change that
# request, so round 0 is linked again.
BARE_GLOBAL_APP: dict[str, str | bytes] = {
    "package.json": '{"main": "src/main.ts", "devDependencies": {"electron": "31.0.0"}}',
    "src/main.ts": """
        import { app, BrowserWindow, ipcMain } from 'electron'
        ipcMain.handle('save', (_e, p) => require('fs').writeFileSync(p, 'x'))
        app.whenReady().then(() => { new BrowserWindow({ webPreferences: { preload: 'preload.js' } }) })
        """,
    "src/preload.ts": """
        import { contextBridge, ipcRenderer } from 'electron'
        contextBridge.exposeInMainWorld('api', { save: (p: string) => ipcRenderer.invoke('save', p) })
        """,
    "src/page.ts": "export function go(p: string) { api.save(p) }\n",
    "src/util.ts": "export const x = 1\n",
}


@pytest.mark.parametrize("change", [lambda t: t.replace("api.save(p)", "api.save(p + '/x')"),
                                    lambda t: t.replace("api.save(p)", "void p")], ids=["still", "no longer"])
def test_an_edit_to_a_file_round_0_searched(tmp_path: Path, change: Callable[[str], str]) -> None:
    from tests.helpers import write_project
    root = write_project(tmp_path / "app", BARE_GLOBAL_APP)
    cache = tmp_path / "cache"
    first = check([str(root)], cache_dir=str(cache), jobs=1)
    assert "src/page.ts" in first.extra["project"].files  # (asked for by round 0)
    _edit(root, "src/page.ts", change)
    again, cold = _rerun(root, cache)
    assert again.extra.get("rounds_replayed") == 0
    assert _report(again) == _report(cold) and again.extra.get("parsed") == cold.extra.get("parsed")


# edits of the project files (package.json, tsconfig, lock files): part of every run's context
PROJECT_EDITS: dict[str, Callable[[Path], None]] = {
    "tsconfig added in a folder that had none": lambda root: _create(
        root, "src/shared/tsconfig.json", '{"compilerOptions": {"strict": true}}'),
    "Electron version changed": lambda root: _edit(
        root, "package.json", lambda t: t.replace('"electron": "', '"electron": "9.0.0", "x-was": "')),
}


@pytest.mark.parametrize("name", list(PROJECT_EDITS))
def test_a_changed_project_file_gives_what_a_cold_run_gives(tmp_path: Path, name: str) -> None:
    root, cache = _example_app(tmp_path)
    check([str(root)], cache_dir=str(cache), jobs=1)
    assert check([str(root)], cache_dir=str(cache), jobs=1).extra.get("cached")
    PROJECT_EDITS[name](root)
    again, cold = _rerun(root, cache)
    assert not again.extra.get("cached") and _report(again) == _report(cold)


def test_a_warm_run_looks_for_project_files_only_where_the_walk_saw_them(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk lists every folder: a warm run (the walk replayed, no folder changed) stats the
    project files the folders held, not every name in every folder (a monorepo has thousands)."""
    import ipclint.cache
    root = tmp_path / "app"
    files = {"package.json": '{"main": "src/main.js"}',
             "src/main.js": "const { ipcMain } = require('electron')\nipcMain.handle('a', () => 1)\n",
             "packages/ui/package.json": '{"name": "ui"}'}
    files |= {f"packages/ui/part{i}/index.js": f"export const n{i} = {i}\n" for i in range(60)}
    _write(root, files)
    cache = tmp_path / "cache"
    check([str(root)], cache_dir=str(cache), jobs=1)
    inside = [False]
    stats = [0]
    real_stat, real_key = os.stat, ipclint.cache.context_key

    def counted_stat(*args: Any, **kwargs: Any) -> Any:
        stats[0] += inside[0]
        return real_stat(*args, **kwargs)

    def key(*args: Any, **kwargs: Any) -> str:
        inside[0] = True
        try:
            return real_key(*args, **kwargs)
        finally:
            inside[0] = False

    monkeypatch.setattr(os, "stat", counted_stat)
    monkeypatch.setattr("ipclint.engine.context_key", key)
    warm = check([str(root)], cache_dir=str(cache), jobs=1)
    assert warm.extra.get("cached")
    assert stats[0] == 2  # the two package.json files (not 12 names in each of 64 folders)


def test_a_warm_run_imports_only_what_it_uses(tmp_path: Path) -> None:
    """A warm run (nothing changed) takes the stored result: it never imports linking, the rules,
    extraction or tree-sitter, nor a TOML parser when the project has no TOML config, nor shutil
    when the cache has nothing old to remove (each import is milliseconds of a ~0.1 s run)."""
    import subprocess
    import sys
    root, cache = _example_app(tmp_path)
    check([str(root)], cache_dir=str(cache), jobs=1)
    code = ("import sys\nfrom ipclint.engine import check\n"
            "r = check([sys.argv[1]], cache_dir=sys.argv[2])\nassert r.extra.get('cached'), r.extra\n"
            "print(' '.join(m for m in ('tree_sitter', 'ipclint.link', 'ipclint.rules', 'ipclint.extract.extract',"
            " 'tomllib', 'shutil') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code, str(root), str(cache)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


def test_a_cold_run_extracts_before_it_imports_linking(tmp_path: Path) -> None:
    """The first round's extraction starts before linking is imported (about 40 ms, done while the
    workers extract: ``engine._import_analysis``); the last run's module resolution, whose type
    lives in the link package, is loaded once it is (``engine._module_seed``)."""
    import subprocess
    import sys
    root, cache = _example_app(tmp_path)
    code = ("import sys\nimport ipclint.engine as engine\nseen = []\ninner = engine.extract_all\n"
            "def first(*a, **k):\n    seen.append('ipclint.link' in sys.modules)\n    return inner(*a, **k)\n"
            "engine.extract_all = first\n"
            "r = engine.check([sys.argv[1]], cache_dir=sys.argv[2], jobs=1)\nassert not r.internal_error\n"
            "print(seen[0])\n")
    out = subprocess.run([sys.executable, "-c", code, str(root), str(cache)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def test_an_edited_referenced_tsconfig_is_analysed_again(tmp_path: Path) -> None:
    """A config that a solution tsconfig references (electron-vite's tsconfig.node.json) carries
    the `paths` module resolution reads: editing it changes the run's context, so a warm run
    analyses again instead of reporting the last result (the alias named another constants file)."""
    root = tmp_path / "app"
    files = {
        "package.json": '{"name": "x", "main": "out/main/index.js", "devDependencies": {"electron": "30.0.0"}}',
        "tsconfig.json": '{"files": [], "references": [{"path": "./tsconfig.node.json"}]}',
        "tsconfig.node.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@shared/*": ["src/shared/*"]}}}',
        "src/shared/ch.ts": "export const CH = 'open-it'\n",
        "src/other/ch.ts": "export const CH = 'other-thing'\n",
        "src/main/index.ts": "import { ipcMain, shell } from 'electron'\nimport { CH } from '@shared/ch'\n"
                             "ipcMain.handle(CH, (_e, url) => shell.openExternal(url))\n",
        "src/preload/index.ts": "import { contextBridge, ipcRenderer } from 'electron'\n"
                                "contextBridge.exposeInMainWorld('api', { open: (u: string) => "
                                "ipcRenderer.invoke('open-it', u) })\n",
    }
    _write(root, files)
    cache = tmp_path / "cache"
    first = check([str(root)], cache_dir=str(cache), jobs=1)
    assert not any(f.rule == "IPC010" for f in first.findings)
    _edit(root, "tsconfig.node.json", lambda t: t.replace("src/shared/*", "src/other/*"))
    again, cold = _rerun(root, cache)
    assert not again.extra.get("cached") and _report(again) == _report(cold)
    assert [(f.rule, f.path, f.span.line) for f in again.findings if f.rule == "IPC010"] == \
        [("IPC010", "src/preload/index.ts", 2)]


def test_an_edited_json_module_of_channels_is_analysed_again(tmp_path: Path) -> None:
    """Channel names read from a JSON module (`import CH from './ipc/names.json'`) in a folder with
    no source of its own: editing the JSON changes the run's context, so a warm run analyses again
    instead of reporting the last result (the send's channel now has no handler)."""
    root = tmp_path / "app"
    files = {
        "package.json": '{"name": "x", "main": "src/main/index.js", "devDependencies": {"electron": "30.0.0"}}',
        "src/ipc/names.json": '{"OPEN": "open-it", "SEND_OPEN": "open-it"}',
        "src/main/index.js": "const { ipcMain } = require('electron')\nconst N = require('../ipc/names.json')\n"
                             "ipcMain.handle(N.OPEN, () => 1)\n",
        "src/page/app.js": "import N from '../ipc/names.json'\nconst { ipcRenderer } = require('electron')\n"
                           "ipcRenderer.invoke(N.SEND_OPEN)\n",
    }
    _write(root, files)
    cache = tmp_path / "cache"
    first = check([str(root)], cache_dir=str(cache), jobs=1)
    assert not any(f.rule in ("IPC010", "IPC011") for f in first.findings)
    _edit(root, "src/ipc/names.json", lambda t: t.replace('"SEND_OPEN": "open-it"', '"SEND_OPEN": "opn-it"'))
    again, cold = _rerun(root, cache)
    assert not again.extra.get("cached") and _report(again) == _report(cold)
    assert [(f.rule, f.path, f.span.line) for f in again.findings if f.rule == "IPC010"] == \
        [("IPC010", "src/page/app.js", 3)]


def test_a_json_file_no_source_imports_is_not_part_of_the_context(tmp_path: Path) -> None:
    """Only the JSON files that sources import are read as data: editing another one (a locale
    file, test data) leaves the stored result standing, and the warm run stats it not at all."""
    root = tmp_path / "app"
    files = {
        "package.json": '{"name": "x", "main": "src/main/index.js", "devDependencies": {"electron": "30.0.0"}}',
        "src/ipc/names.json": '{"OPEN": "open-it"}',
        "src/locales/en.json": '{"hello": "Hello"}',
        "src/main/index.js": "const { ipcMain } = require('electron')\nconst N = require('../ipc/names.json')\n"
                             "ipcMain.handle(N.OPEN, () => 1)\n",
    }
    _write(root, files)
    cache = tmp_path / "cache"
    check([str(root)], cache_dir=str(cache), jobs=1)
    _edit(root, "src/locales/en.json", lambda t: t.replace("Hello", "Hello there"))
    assert check([str(root)], cache_dir=str(cache), jobs=1).extra.get("cached")
    _edit(root, "src/ipc/names.json", lambda t: t.replace("open-it", "open-that"))
    assert not check([str(root)], cache_dir=str(cache), jobs=1).extra.get("cached")


def test_an_edit_resolves_no_module_specifier_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Module resolution reads only the file set and the project files (the run's context): a
    code edit that changes neither takes every answer from the last run (link.modules.ModuleMemo)
    and reports what a cold run reports; a changed file set resolves again."""
    from ipclint.link.modules import ModuleResolver
    root, cache = _example_app(tmp_path)
    calls = [0]
    real = ModuleResolver._resolve

    def counted(self: ModuleResolver, importer: str, spec: str) -> str | None:
        calls[0] += type(self) is ModuleResolver  # (not the type checker's own, with .d.ts files)
        return real(self, importer, spec)

    monkeypatch.setattr(ModuleResolver, "_resolve", counted)
    check([str(root)], cache_dir=str(cache), jobs=1)
    assert calls[0] > 5
    _edit(root, IPC, lambda t: t + "\nexport function extra(x: number) { return x + 1 }\n")
    calls[0] = 0
    again = check([str(root)], cache_dir=str(cache), jobs=1)
    assert not again.extra.get("reused") and calls[0] == 0
    cold = check([str(root)], use_cache=False, jobs=1)
    assert _report(again) == _report(cold)
    _create_imported(root)  # (a new file: another context)
    calls[0] = 0
    again = check([str(root)], cache_dir=str(cache), jobs=1)
    assert calls[0] > 5
    assert _report(again) == _report(check([str(root)], use_cache=False, jobs=1))


def test_an_edit_searches_no_lock_file_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Electron version of a folder is read from package.json and lock files alone, which the
    context covers: a code edit takes each from the last run (``State.versions``) and reports what
    a cold run reports; an edited lock file (another context) is read again."""
    from ipclint.link import roles
    root, cache = _example_app(tmp_path)
    (root / "package-lock.json").write_text(
        '{"lockfileVersion": 3, "packages": {"node_modules/electron": {"version": "31.3.1"}}}')
    searched = count_calls(monkeypatch, roles, "_locked_version")
    first = check([str(root)], cache_dir=str(cache), jobs=1)
    assert searched[0] > 0 and first.electron_version == "31.3.1"
    _edit(root, IPC, lambda t: t + "\nexport function extra(x: number) { return x + 1 }\n")
    searched[0] = 0
    again = check([str(root)], cache_dir=str(cache), jobs=1)
    assert not again.extra.get("reused") and searched[0] == 0
    assert _report(again) == _report(check([str(root)], use_cache=False, jobs=1))
    _edit(root, "package-lock.json", lambda t: t.replace("31.3.1", "31.4.0"))
    searched[0] = 0
    again = check([str(root)], cache_dir=str(cache), jobs=1)
    assert searched[0] > 0 and again.electron_version == "31.4.0"
    assert _report(again) == _report(check([str(root)], use_cache=False, jobs=1))


def test_the_context_key_hashes_the_file_set_in_one_update(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run's context key (warm ones too) hashes the file set at once and finds the folders
    above the files from each distinct folder (it was one hash update and a climb of dirname calls
    per file: 1.5 of joplin's 3 ms); the key is what hashing path by path gives."""
    import hashlib
    import posixpath

    import ipclint.cache
    from tests.helpers import write_project
    root = write_project(tmp_path, {"src/a.js": "1", "src/lib/b.js": "2", "c.js": "3", "src/tsconfig.json": "{}"})
    paths = [f"src/lib/deep/f{i}.js" for i in range(300)] + ["src/a.js", "src/lib/b.js", "c.js"]
    monkeypatch.setattr(ipclint.cache, "code_stamp", lambda: "stamp")
    climbed = count_calls(monkeypatch, posixpath, "dirname")
    key = ipclint.cache.context_key(root, paths, [], [], None, ())
    assert climbed == [0]
    h = hashlib.sha256(f"stamp:{root}".encode())
    for path in paths:
        h.update(f"{path}\n".encode())
    for folder in ("", "src", "src/lib", "src/lib/deep"):
        for name in ipclint.cache.PROJECT_FILES:
            p = os.path.join(str(root), folder, name) if folder else os.path.join(str(root), name)
            if os.path.exists(p) and ipclint.cache._is_config(name):
                st = os.stat(p)
                h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for part in (None, (), [], []):
        h.update(repr(part).encode())
    assert key == h.hexdigest()


# ---- lines moved (reuse.moved_lines, reuse.renumbered) -------------------------------------------

def _facts(text: str, path: str = "src/main/ipc.ts") -> Any:
    from ipclint.extract.extract import extract
    return extract(path, text.encode())


MOVES_BASE = ("import { ipcMain } from 'electron'\n"
              "\n"
              "ipcMain.handle('a', (_e, x) => x)\n"
              "ipcMain.handle('b', (_e, y) => y)\n")


def test_lines_inserted_and_removed_are_a_move() -> None:
    from ipclint.reuse import moved_lines
    base = _facts(MOVES_BASE)
    inserted = _facts(MOVES_BASE.replace("\n\n", "\n// one\n// two\n\n"))
    assert moved_lines(base, inserted) == {1: 1, 3: 5, 4: 6}
    removed = _facts(MOVES_BASE.replace("\n\n", "\n"))
    assert moved_lines(base, removed) == {1: 1, 3: 2, 4: 3}
    between = _facts(MOVES_BASE.replace("x)\n", "x)\n\n"))
    assert moved_lines(base, between) == {1: 1, 3: 3, 4: 5}


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("ipcMain.handle('a'", "  ipcMain.handle('a'"),  # a column moved
    lambda t: t.replace("(_e, x) => x)\nipcMain", "(_e, x) => x); ipcMain"),  # two lines joined
    lambda t: t.replace("'a'", "'c'"),  # a value changed
    lambda t: t.replace("ipcMain.handle('a', (_e, x) => x)\nipcMain.handle('b', (_e, y) => y)",
                        "ipcMain.handle('b', (_e, y) => y)\nipcMain.handle('a', (_e, x) => x)"),  # swapped
])
def test_other_edits_are_no_move(edit: Callable[[str], str]) -> None:
    from ipclint.reuse import moved_lines
    assert moved_lines(_facts(MOVES_BASE), _facts(edit(MOVES_BASE))) is None


def test_a_move_keeps_the_lines_of_syntax_errors_and_type_comments() -> None:
    from ipclint.reuse import moved_lines
    code = ("import { ipcMain } from 'electron'\n"
            "// @ts-expect-error\n"
            "ipcMain.handle('a', (_e, x: number) => x)\n"
            "const broken = (\n")
    base, moved = _facts(code), _facts("\n" + code)
    assert base.parse_errors and base.types is not None and base.types.unchecked
    lines = moved_lines(base, moved)
    assert lines is not None and all(new == old + 1 for old, new in lines.items())


SOURCE_SUFFIXES = {".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".vue"}
MOVE_PROJECTS = [EXAMPLE, *sorted(p.parent for p in (EXAMPLE.parent.parent).glob("IPC01[02]/bad-*/package.json")
                                  if any(q.suffix in SOURCE_SUFFIXES for q in p.parent.rglob("*")))]
INSERTED = ["", "// a note", "/* a note */", "   "]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(project=st.sampled_from(MOVE_PROJECTS), data=st.data())
def test_lines_inserted_or_removed_anywhere_give_what_a_cold_run_gives(tmp_path_factory: pytest.TempPathFactory,
                                                                        project: Path, data: st.DataObject) -> None:
    tmp = tmp_path_factory.mktemp("moved")
    root, cache = tmp / "app", tmp / "cache"
    shutil.copytree(project, root)
    check([str(root)], cache_dir=str(cache), jobs=1)
    sources = sorted(p for p in root.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())
    rel = str(data.draw(st.sampled_from(sources)).relative_to(root))
    for _ in range(data.draw(st.integers(1, 3))):
        lines = (root / rel).read_text().split("\n")
        at = data.draw(st.integers(0, len(lines)))
        blank = [i for i, x in enumerate(lines) if not x.strip()]
        if blank and data.draw(st.booleans()):
            del lines[data.draw(st.sampled_from(blank))]
        else:
            lines.insert(at, data.draw(st.sampled_from(INSERTED)))
        new = "\n".join(lines)
        if new != (root / rel).read_text():
            _edit(root, rel, lambda _t, new=new: new)
    again, cold = _rerun(root, cache)
    assert _report(again) == _report(cold)

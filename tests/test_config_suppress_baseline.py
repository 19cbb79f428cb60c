"""Config files, suppression comments and baselines (SPEC §5)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipclint.cli import run
from ipclint.config import ConfigError, load_config
from ipclint.engine import check
from ipclint.model import Severity
from tests.helpers import write_project

MAIN = """
const { ipcMain } = require('electron')
ipcMain.handle('a:one', () => 1)
ipcMain.handle('a:two', () => 2)
"""


@pytest.mark.parametrize("name,content", [
    (".ipclint.toml", 'ignore = ["IPC011"]\n[severity]\nmagic-channel = "note"\n'),
    ("ipclint.toml", 'ignore = ["unused-handler"]\n[severity]\nIPC003 = "note"\n'),
    ("package.json", json.dumps({"name": "x", "devDependencies": {"electron": "31.0.0"},
                                 "ipclint": {"ignore": ["IPC011"], "severity": {"IPC003": "note"}}})),
    ("pyproject.toml", '[tool.ipclint]\nignore = ["IPC011"]\nseverity = { IPC003 = "note" }\n'),
])
def test_config_sources(tmp_path: Path, name: str, content: str) -> None:
    root = write_project(tmp_path, {"main.js": MAIN, name: content})
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC003", "IPC011"])
    assert {f.rule for f in r.findings} == {"IPC003"}
    assert {f.severity for f in r.findings} == {Severity.NOTE}


def test_roles_per_file_ignores_and_exclude(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "app/one.js": MAIN, "legacy/old.js": MAIN.replace("a:", "b:"), "gen/x.js": MAIN.replace("a:", "c:"),
        ".ipclint.toml": 'exclude = ["gen/"]\n[per-file-ignores]\n"legacy/**" = ["IPC003"]\n'
                         '[roles]\nmain = ["app/**"]\n'})
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC003", "IPC011"])
    assert {(f.rule, f.path) for f in r.findings} == {("IPC003", "app/one.js"), ("IPC011", "app/one.js"),
                                                      ("IPC011", "legacy/old.js")}
    assert {i.path: i.reason for i in r.roles}["app/one.js"] == "config [roles]"


@pytest.mark.parametrize("content,needle", [
    ("selct = []\n", "unknown key 'selct'"),
    ("select = 3\n", "key 'select' must be a list"),
    ("[severity]\nIPC003 = 'loud'\n", "severity.IPC003"),
    ("[roles]\nworker = ['x']\n", "roles.worker"),
    ("[rules.no-such-rule]\nx = 1\n", "rules.no-such-rule"),
    ("select = [\n", "invalid TOML"),
])
def test_bad_config_exits_2_with_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                content: str, needle: str) -> None:
    root = write_project(tmp_path, {"main.js": MAIN, ".ipclint.toml": content})
    with pytest.raises(ConfigError, match="ipclint.toml"):
        load_config(root)
    assert run(["check", str(root), "--no-cache"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and ".ipclint.toml" in err[0]


def test_suppressions(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "main.js": """
            const { ipcMain } = require('electron')
            // ipclint-disable-next-line IPC003, unused-handler -- legacy channel, kept for plugins
            ipcMain.handle('a:one', () => 1)
            ipcMain.handle('a:two', () => 2) // ipclint-disable-line magic-channel
            ipcMain.handle('a:three', () => 3) // ipclint-disable-line IPC777
            // ipclint-disable-next-line
            ipcMain.handle('a:four', () => 4)
            """,
        "other.js": """
            /* ipclint-disable IPC003 -- generated file */
            const { ipcMain } = require('electron')
            ipcMain.on('b:one', () => 1) // ipclint-disable-line IPC009
            """,
    })
    r = check([str(root)], use_cache=False, jobs=1, report_unused_suppressions=True,
              select=["IPC003", "IPC009", "IPC011"])
    assert sorted((f.path, f.span.line, f.rule) for f in r.findings) == [
        ("main.js", 4, "IPC011"), ("main.js", 5, "IPC003"), ("main.js", 5, "IPC011"),
        ("main.js", 7, "IPC003"), ("main.js", 7, "IPC011"), ("other.js", 3, "IPC011")]
    msgs = sorted((d.path, d.line, d.message) for d in r.errors if d.kind == "suppression")
    assert [m[:2] for m in msgs] == [("main.js", 5), ("main.js", 6), ("other.js", 3)]
    assert "IPC777" in msgs[0][2] and "names no rule" in msgs[1][2] and "unused" in msgs[2][2]


def test_baseline_survives_unrelated_edits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "p", {"main.js": MAIN})
    base = tmp_path / "baseline.json"
    sel = ["--select", "IPC003,IPC011"]
    assert run(["check", str(root), "--no-cache", "--write-baseline", str(base), *sel]) == 0
    assert run(["check", str(root), "--no-cache", "--baseline", str(base), *sel]) == 0
    main = root / "main.js"
    main.write_text("// a new comment\n// and another\n" + main.read_text() + "ipcMain.handle('a:three', () => 3)\n")
    capsys.readouterr()
    assert run(["check", str(root), "--no-cache", "--baseline", str(base), "--format", "json", *sel]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert sorted((f["rule"], f["line"]) for f in doc["findings"]) == [("IPC003", 6), ("IPC011", 6)]
    assert run(["check", str(root), "--no-cache", "--baseline", str(tmp_path / "missing.json")]) == 2



def test_rewriting_the_baseline_in_use_keeps_every_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "p", {"main.js": MAIN})
    base = tmp_path / "baseline.json"
    sel = ["--select", "IPC003"]
    assert run(["check", str(root), "--no-cache", "--write-baseline", str(base), *sel]) == 0
    (root / "main.js").write_text(MAIN + "ipcMain.handle('a:three', () => 3)\n")
    capsys.readouterr()
    # refreshing the baseline while it hides the old findings records old and new ones
    assert run(["check", str(root), "--no-cache", "--baseline", str(base), "--write-baseline", str(base),
                "--format", "json", *sel]) == 0
    assert capsys.readouterr().out == f"wrote 3 findings to {base}\n"
    assert len(json.loads(base.read_text())["findings"]) == 3
    assert run(["check", str(root), "--no-cache", "--baseline", str(base), *sel]) == 0


def test_unwritable_baseline_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "p", {"main.js": MAIN})
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run(["check", str(root), "--no-cache", "--write-baseline", str(blocker / "b.json")]) == 2
    err = capsys.readouterr().err
    assert "cannot write baseline" in err and len(err.strip().splitlines()) == 1

def test_rule_options_from_config(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "main.js": """
            const { ipcMain } = require('electron')
            const { registerSafe, frameIsOurs } = require('./lib')
            ipcMain.handle('a:one', (event, id) => {
              if (!frameIsOurs(event)) return
              mustBeId(id)
              return db.get(id)
            })
            registerSafe('a:two', () => 2)
            """,
        "lib.js": "const { ipcMain } = require('electron')\n"
                  "function registerSafe(ch, fn) { ipcMain.handle(ch, fn) }\n"
                  "module.exports = { registerSafe, frameIsOurs: (e) => policy.accepts(e) }\n",
        ".ipclint.toml": '[rules.unchecked-sender]\nsender-checks = ["frameIsOurs"]\ntrusted-wrappers = ["registerSafe"]\n'
                         '[rules.unvalidated-handler]\nvalidators = ["mustBeId"]\n',
    })
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC005", "IPC007"])
    assert r.findings == ()
    (root / ".ipclint.toml").unlink()
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC005", "IPC007"])
    assert sorted((f.rule, f.span.line) for f in r.findings) == [("IPC005", 5), ("IPC007", 3), ("IPC007", 8)]
    bad = write_project(tmp_path / "bad", {".ipclint.toml": '[rules.unchecked-sender]\nsender-check = ["x"]\n',
                                           "main.js": "require('electron')\n"})
    with pytest.raises(ConfigError, match="sender-check"):
        load_config(bad)


def test_ignore_channels_option(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "main.js": "const { ipcMain } = require('electron')\nipcMain.handle('plugin:list', () => [])\n"
                   "ipcMain.handle('app:old', () => 1)\n",
        "renderer.js": "const { ipcRenderer } = require('electron')\nipcRenderer.invoke('ext:call')\n",
        ".ipclint.toml": '[rules.unused-handler]\nignore-channels = ["plugin:*"]\n'
                         '[rules.unhandled-channel]\nignore-channels = ["ext:*"]\n',
    })
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC010", "IPC011"])
    assert [(f.rule, f.path, f.span.line) for f in r.findings] == [("IPC011", "main.js", 3)]

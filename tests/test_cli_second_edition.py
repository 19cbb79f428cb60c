"""SPEC §3, second edition of the command line: clickable paths, quiet pipes, loud no-ops, help,
colour, progress, severity, baselines, the text report's help lines and counts."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ipclint.cli import run
from ipclint.engine import check
from ipclint.output import text
from ipclint.output.words import finding_dict
from tests.helpers import write_project

APP = {
    "src/main/ipc.js": """
        const { ipcMain } = require('electron')
        ipcMain.handle('data:save', (_e, v) => v)
        ipcMain.on('sync:get', (e) => { e.returnValue = 1 })
        """,
    "src/renderer/page.js": """
        const { ipcRenderer } = require('electron')
        ipcRenderer.invoke('data:sav', 1)
        ipcRenderer.sendSync('sync:get')
        """,
}
IPCLINT = [sys.executable, "-m", "ipclint"]
REPO = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(REPO)
    return env


def test_text_paths_are_relative_to_the_current_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    root = write_project(tmp_path / "repo" / "apps" / "desk", APP)
    monkeypatch.chdir(tmp_path / "repo")
    assert run(["check", "apps/desk", "--no-cache", "--select", "IPC010"]) == 1
    out = capsys.readouterr().out
    assert "apps/desk/src/renderer/page.js:2:1: IPC010" in out
    monkeypatch.chdir(root / "src" / "main")
    run(["check", "../..", "--no-cache", "--select", "IPC010"])
    assert "../renderer/page.js:2:1: IPC010" in capsys.readouterr().out


def test_github_and_sarif_paths_are_relative_to_the_repository_root(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    root = write_project(tmp_path / "repo" / "packages" / "desk", APP)
    monkeypatch.chdir(root / "src")  # wherever the user stands, GitHub resolves from the repository root
    assert run(["check", "..", "--no-cache", "--format", "github", "--select", "IPC010"]) == 1
    assert "file=packages/desk/src/renderer/page.js,line=2" in capsys.readouterr().out
    run(["check", "..", "--no-cache", "--format", "sarif", "--select", "IPC010"])
    doc = json.loads(capsys.readouterr().out)
    res = doc["runs"][0]
    uri = res["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "packages/desk/src/renderer/page.js"
    assert res["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "repo").resolve().as_uri() + "/"
    run(["check", "..", "--no-cache", "--format", "json", "--select", "IPC010"])
    doc = json.loads(capsys.readouterr().out)  # JSON keeps the project root and root-relative paths
    assert doc["root"] == str(root.resolve()) and doc["findings"][0]["path"] == "src/renderer/page.js"


def test_without_git_github_paths_are_relative_to_the_current_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    write_project(tmp_path / "w" / "desk", APP)
    monkeypatch.chdir(tmp_path / "w")
    run(["check", "desk", "--no-cache", "--format", "github", "--select", "IPC010"])
    assert "file=desk/src/renderer/page.js," in capsys.readouterr().out


def _pipe(cmd: str, cwd: Path) -> tuple[int, str]:
    """Run `cmd | head -1` and return the first command's exit code and standard error."""
    script = f"{cmd} 2>err.txt | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, env=_env(), timeout=120)
    return int(done.stdout.strip()), (cwd / "err.txt").read_text()


def test_a_closed_pipe_ends_quietly_with_the_findings_exit_code(tmp_path: Path) -> None:
    files = dict(APP)
    for i in range(300):  # reports larger than a pipe's buffer
        files[f"src/main/h{i}.js"] = f"const {{ ipcMain }} = require('electron')\nipcMain.handle('c:{i}', () => 1)\n"
    root = write_project(tmp_path / "app", files)
    exe = " ".join(IPCLINT)
    for cmd, want in ((f"{exe} check . --no-cache --format sarif", 1), (f"{exe} check . --no-cache", 1),
                      (f"{exe} check . --no-cache --format json --exit-zero", 0),
                      (f"{exe} graph . --no-cache --format dot --include-tests", 0),
                      (f"{exe} graph . --no-cache --format json", 0), (f"{exe} rule IPC001", 0),
                      (f"{exe} check --help", 0)):
        code, err = _pipe(cmd, root)
        assert (code, err) == (want, ""), cmd


def test_the_command_ends_without_teardown_and_loses_no_output(tmp_path: Path) -> None:
    """The command ends with os._exit (no teardown of the run's objects): whatever it wrote to a
    pipe, a file or stderr is complete, with the exit code of the run."""
    files = dict(APP)
    for i in range(300):  # more than a pipe's buffer, read after the process has gone
        files[f"src/main/h{i}.js"] = f"const {{ ipcMain }} = require('electron')\nipcMain.handle('c:{i}', () => 1)\n"
    root = write_project(tmp_path / "app", files)
    done = subprocess.run([*IPCLINT, "check", ".", "--format", "json", "--select", "IPC003"], cwd=root,
                          capture_output=True, env=_env())
    assert done.returncode == 1
    assert len(json.loads(done.stdout)["findings"]) == 304  # (one per channel literal)
    done = subprocess.run([*IPCLINT, "check", ".", "--format", "sarif", "--output", "out.sarif"], cwd=root,
                          capture_output=True, env=_env())
    assert done.returncode == 1 and done.stdout == b""
    assert len(json.loads((root / "out.sarif").read_text())["runs"][0]["results"]) >= 301
    done = subprocess.run([*IPCLINT, "check", "nowhere"], cwd=root, capture_output=True, env=_env())
    assert done.returncode == 2 and done.stderr.startswith(b"ipclint: error:")
    assert (root / ".ipclint_cache").is_dir()  # (the first run's cache was written before the exit)


@pytest.mark.parametrize("args,says", [
    (["--select", ""], "--select needs at least one rule"),
    (["--select", " , "], "--select needs at least one rule"),
    (["--select", "IPC001", "--ignore", "IPC001"], "the selection leaves no rule"),
    (["--jobs", "0"], "expected a positive number of workers, got '0'"),
    (["--format", "xml"], "invalid choice: 'xml'"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_argument_errors_and_empty_selections_are_one_line(tmp_path: Path, capsys, args, says) -> None:
    root = write_project(tmp_path / "p", APP)
    assert run(["check", str(root), "--no-cache", *args]) == 2
    cap = capsys.readouterr()
    err = cap.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ipclint: error: ") and says in err[0], cap.err
    assert cap.out == ""


def test_config_select_empty_is_an_error(tmp_path: Path, capsys) -> None:
    root = write_project(tmp_path / "p", {**APP, ".ipclint.toml": "select = []\n"})
    assert run(["check", str(root), "--no-cache"]) == 2
    assert "the selection leaves no rule" in capsys.readouterr().err


def test_no_source_file_is_an_error(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    docs = write_project(tmp_path / "docs", {"README.md": "# hi\n", "dist/app.js": "ipcMain.on('x')\n"})
    for target in (empty, docs):
        assert run(["check", str(target), "--no-cache"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no JavaScript, TypeScript or Vue source file found" in err[0]
    assert run(["check", str(docs / "README.md"), "--no-cache"]) == 2
    assert "not a JavaScript, TypeScript or Vue source file" in capsys.readouterr().err
    assert run(["graph", str(empty), "--no-cache"]) == 2


def test_write_baseline_says_what_it_wrote_and_never_creates_folders(tmp_path: Path, capsys) -> None:
    root = write_project(tmp_path / "p", APP)
    base = tmp_path / "b.json"
    assert run(["check", str(root), "--no-cache", "--write-baseline", str(base)]) == 0
    out = capsys.readouterr().out
    n = len(json.loads(base.read_text())["findings"])
    assert n > 1 and out == f"wrote {n} findings to {base}\n"
    missing = tmp_path / "missing" / "dir" / "b.json"
    assert run(["check", str(root), "--no-cache", "--write-baseline", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err and not (tmp_path / "missing").exists()
    # with the baseline, the summary says how many findings it hid
    (root / "src/main/ipc.js").write_text((root / "src/main/ipc.js").read_text() + "ipcMain.handle('new:one', () => 1)\n")
    assert run(["check", str(root), "--no-cache", "--baseline", str(base)]) == 1
    out = capsys.readouterr().out
    assert f"{n} findings hidden by the baseline" in out and "new:one" in out
    assert run(["check", str(root), "--no-cache", "--baseline", str(base), "--output", str(tmp_path / "r.txt")]) == 1
    assert f"{n} hidden by the baseline" in capsys.readouterr().err


def test_help_describes_every_option_with_its_default(capsys) -> None:
    for command in ("check", "graph"):
        assert run([command, "--help"]) == 0
        out = capsys.readouterr().out
        options = re.findall(r"^  (-[-\w]+(?:, --[-\w]+)?)(.*)$", out, flags=re.M)
        assert len(options) >= (19 if command == "check" else 9)
        body = out.split("options:", 1)[1]
        for name, _rest in options:
            if name in ("-h, --help",):
                continue
            block = body.split(name, 1)[1].split("\n  -", 1)[0]
            assert "default" in block, (command, name, block)


def test_color_flag_and_environment(tmp_path: Path, monkeypatch) -> None:
    from ipclint.cli import color_choice

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for env, flag, tty, want in ((None, "auto", False, False), (None, "auto", True, True),
                                 ({"NO_COLOR": "1"}, "auto", True, False), ({"NO_COLOR": ""}, "auto", True, True),
                                 ({"FORCE_COLOR": "1"}, "auto", False, True),
                                 ({"NO_COLOR": "1"}, "always", False, True), ({"FORCE_COLOR": "1"}, "never", True, False)):
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.delenv("FORCE_COLOR", raising=False)
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
        assert color_choice(flag, Tty() if tty else io.StringIO()) is want, (env, flag, tty)
    root = write_project(tmp_path / "p", APP)
    env = _env()
    plain = subprocess.run([*IPCLINT, "check", str(root), "--no-cache", "--color", "always"], capture_output=True,
                           text=True, env=env)
    assert "\x1b[" in plain.stdout
    forced = subprocess.run([*IPCLINT, "check", str(root), "--no-cache"], capture_output=True, text=True,
                            env={**env, "FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout
    none = subprocess.run([*IPCLINT, "check", str(root), "--no-cache", "--color", "never"], capture_output=True,
                          text=True, env={**env, "FORCE_COLOR": "1"})
    assert "\x1b[" not in none.stdout and "\x1b[" not in none.stderr


def test_progress_bar_shows_files_done_of_total(monkeypatch) -> None:
    from ipclint.output.progress import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = Progress(stream, color=False)
    bar.DELAY = -1.0
    with bar as tick:
        tick(0, total=5)
        tick(1)
        tick(2)
        assert bar.counts == (3, 5)
        bar._bar.refresh()
    assert "3/5" in stream.getvalue()


def test_no_progress_bar_off_a_terminal(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", APP)
    done = subprocess.run([*IPCLINT, "check", str(root), "--no-cache", "--output", str(tmp_path / "r.txt")],
                          capture_output=True, text=True, env=_env())
    assert done.stderr.startswith("ipclint: ") and "analysing" not in done.stderr


def test_severity_filter_and_errors_first_in_the_summary(tmp_path: Path, capsys) -> None:
    root = write_project(tmp_path / "p", APP)
    assert run(["check", str(root), "--no-cache", "--severity", "error", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["findings"] and {f["severity"] for f in doc["findings"]} == {"error"}
    assert run(["check", str(root), "--no-cache", "--select", "IPC009", "--severity", "error"]) == 0
    capsys.readouterr()
    run(["check", str(root), "--no-cache"])
    out = capsys.readouterr().out
    table = [ln.split() for ln in out.splitlines() if re.match(r"IPC\d{3} ", ln)]
    severities = [row[2] for row in table]
    assert severities == sorted(severities, key=["error", "warning", "note"].index) and severities[0] == "error"
    lines = [int(m) for m in re.findall(r"^src/main/ipc\.js:(\d+):", out, flags=re.M)]
    assert lines == sorted(lines)


def test_each_finding_ends_with_help_and_docs_once_per_spot(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {"main.js": "const { ipcMain } = require('electron')\n"
                                                     "ipcMain.handle('never:used', () => 1)\n"})
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC007", "IPC011"])
    out = io.StringIO()
    text.write(r, out)
    s = out.getvalue()
    assert s.count("    2 | ipcMain.handle('never:used', () => 1)") == 1  # two rules at one spot: one excerpt
    from ipclint.rules import ALL_RULES
    for code in ("IPC007", "IPC011"):
        rule = next(x for x in ALL_RULES if x.code == code)
        assert f"      help: {rule.fix}\n      docs: {rule.help_uri}" in s
    assert "2 findings (2 warnings) in 1 file;" in s
    assert all(rule.fix and "\n" not in rule.fix for rule in ALL_RULES)
    doc = json.loads(json.dumps([finding_dict(f) for f in r.findings]))
    assert [d["help"] for d in doc] == [next(x.fix for x in ALL_RULES if x.code == d["rule"]) for d in doc]
    from ipclint.output import sarif
    rules = {d["id"]: d for d in sarif.report(r)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["IPC011"]["help"]["text"] == doc[-1]["help"] or rules["IPC007"]["help"]["text"] == doc[0]["help"]


def test_explicit_file_summary_counts_the_files_reported(tmp_path: Path, capsys) -> None:
    root = write_project(tmp_path / "p", APP)
    assert run(["check", str(root / "src/renderer/page.js"), "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert "in 1 file reported (2 project files analysed with them)" in out


def test_fallback_decoding_gets_a_notice_and_binary_files_are_skipped(tmp_path: Path) -> None:
    latin = "// caf\xe9\nconst { ipcRenderer } = require('electron')\nipcRenderer.send('ping')\n"
    root = write_project(tmp_path, {"renderer.js": latin.encode("cp1252"),
                                    "blob.js": b"\x00\x01electron\x00" * 40, "main.js": "export const a = 1\n"})
    for cache in (False, True, True):  # the notice survives a warm run that only stats the file
        r = check([str(root)], use_cache=cache, jobs=1)
        notes = [d for d in r.errors if d.path == "renderer.js"]
        assert [d.kind for d in notes] == ["encoding"] and "Windows-1252" in notes[0].message
        assert r.files.skipped == 1 and dict(r.skipped)["blob.js"] == "binary file"


def test_help_is_as_wide_as_columns_says(monkeypatch) -> None:
    """The help formatter sizes itself as shutil.get_terminal_size would (COLUMNS first)."""
    from ipclint.cli import _Formatter
    monkeypatch.setenv("COLUMNS", "60")
    assert _Formatter("ipclint")._width == 58
    monkeypatch.setenv("COLUMNS", "not a number")  # (then the terminal, else 80 columns)
    assert _Formatter("ipclint")._width > 0


def test_a_warm_run_imports_only_what_it_needs(tmp_path: Path) -> None:
    """A run whose result is stored imports neither extraction, linking nor the rules, nor shutil
    (argparse's formatter would import it, and bz2 and lzma with it, on every run)."""
    root = write_project(tmp_path / "app", APP)
    subprocess.run([*IPCLINT, "check", str(root), "--format", "json"], capture_output=True, env=_env())
    # A cold run within two seconds of its folders' changes is too soon to record its walk
    # (walk.RACY_NS), and a warm run later records it, without tempfile (shutil): a flaky failure on
    # a loaded machine, where the warm run came later. Made certain here: no walk recorded, the
    # folders dated back (the files keep their times: the stored result stands).
    for walk in root.glob(".ipclint_cache/v-*/walk.msgpack"):
        walk.unlink()
    old = time.time() - 10
    for p in [root, *root.rglob("*")]:
        if p.is_dir() and ".ipclint_cache" not in p.parts:
            os.utime(p, (old, old))
    code = ("import sys, io, contextlib\nfrom ipclint.cli import run\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    run(['check', {str(root)!r}, '--format', 'json'])\n"
            "print(sorted(m for m in ('shutil', 'ipclint.link', 'ipclint.rules', 'ipclint.extract.extract')"
            " if m in sys.modules))\n")
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), check=True)
    assert warm.stdout.strip() == "[]"
    assert list(root.glob(".ipclint_cache/v-*/walk.msgpack"))  # (the warm run recorded the walk)

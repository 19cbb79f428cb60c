"""Every command and snippet in README.md and docs/ runs as written (convention: docs/writing-docs.md).

- ```sh: each command line runs, in one bash session, in a fresh copy of the repository, with this
  environment's `ipclint` on PATH; it must exit 0, or N when the line ends with `# exit: N`.
- ```yaml: a pre-commit config is validated by pre-commit and, for a `repo: local` hook, run by it on a
  sample app (the project's URL replaced by this checkout); a GitHub workflow's `run:` steps run.
- ```toml / ```json: config snippets are loaded by ipclint on the example app; other JSON must parse.
- ```js / ```ts / ```python: must parse (tree-sitter, compile()).
- ```text after `<!-- output of: COMMAND -->`: its lines appear, in order, in the command's output.
- `<!-- not run: REASON -->` before a block skips it (a reason is required). Blocks with no language
  are figures.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "fixtures" / "projects" / "example-app"
PROJECT_URL = "git+https://github.com/ipclint/ipclint"
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```(\w*)\s*$")
_MARK = re.compile(r"^<!--\s*(not run|output of):\s*(.*?)\s*-->\s*$")
SKIP_COPY = {".git", ".venv", ".ipclint_cache", ".pytest_cache", "__pycache__", "build", "dist"}


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    lang: str
    text: str
    mark: tuple[str, str] | None

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}:{self.lang or 'figure'}"


def blocks() -> list[Block]:
    out = []
    for doc in DOCS:
        lines = doc.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            m = _FENCE.match(lines[i])
            if not m:
                i += 1
                continue
            start, lang = i, m.group(1)
            j = i + 1
            while j < len(lines) and lines[j] != "```":
                j += 1
            prev = next((lines[k] for k in range(start - 1, -1, -1) if lines[k].strip()), "")
            mark = _MARK.match(prev)
            out.append(Block(doc.relative_to(REPO).as_posix(), start + 1, lang, "\n".join(lines[start + 1:j]) + "\n",
                             (mark.group(1), mark.group(2)) if mark else None))
            i = j + 1
    return out


ALL = blocks()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "VIRTUAL_ENV")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _copy(dest: Path) -> Path:
    shutil.copytree(REPO, dest, ignore=lambda d, names: [n for n in names if n in SKIP_COPY])
    return dest


def _example(dest: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, dest))


def _sh_script(text: str) -> str:
    """One bash session: each command checked against its expected exit code."""
    script = ["set -u"]
    pending = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = pending + raw
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        want = re.search(r"#\s*exit:\s*(\d+)\s*$", line)
        code = int(want.group(1)) if want else 0
        script.append(f"{line}\ns=$?; if [ $s -ne {code} ]; then echo 'command {n} exited '$s', expected {code}: "
                      f"{json.dumps(line.strip())[1:-1]}' >&2; exit 99; fi")
    return "\n".join(script) + "\n"


def run_sh(block: Block, tmp_path: Path) -> None:
    cwd = _copy(tmp_path / "repo")
    done = subprocess.run(["bash", "-c", _sh_script(block.text)], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, f"{block}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _precommit_run(config: dict, tmp_path: Path) -> None:
    """A local hook, installed by pre-commit from this checkout instead of the project's URL."""
    checkout = _copy(tmp_path / "ipclint-checkout")
    text = yaml.safe_dump(config).replace(PROJECT_URL, checkout.as_uri().replace("file://", "git+file://", 1))
    shutil.rmtree(checkout / ".git", ignore_errors=True)
    subprocess.run(["git", "init", "-q"], cwd=checkout, check=True)
    subprocess.run(["git", "-c", "user.email=t@e", "-c", "user.name=t", "add", "."], cwd=checkout, check=True)
    subprocess.run(["git", "-c", "user.email=t@e", "-c", "user.name=t", "commit", "-qm", "x"], cwd=checkout, check=True)
    app = _example(tmp_path / "app")
    (app / ".pre-commit-config.yaml").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=app, check=True)
    subprocess.run(["git", "add", "."], cwd=app, check=True)
    env = {**_env(), "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    done = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=app, env=env,
                          capture_output=True, text=True, timeout=900)
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "IPC006" in out and "tainted-sink" in out, out  # the example app's findings


def run_yaml(block: Block, tmp_path: Path) -> None:
    doc = yaml.safe_load(block.text)
    if "repos" in doc:
        f = tmp_path / ".pre-commit-config.yaml"
        f.write_text(block.text)
        done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(f)], capture_output=True,
                              text=True, env=_env())
        assert done.returncode == 0, done.stdout + done.stderr
        if any(r.get("repo") == "local" for r in doc["repos"]):
            _precommit_run(doc, tmp_path)
        return
    assert "jobs" in doc, f"{block}: neither a pre-commit config nor a GitHub workflow"
    app = _example(tmp_path / "app")
    for job in doc["jobs"].values():
        for step in job["steps"]:
            cmd = step.get("run")
            if not cmd:
                assert "uses" in step
                continue
            if "pip install" in cmd:  # the project's URL, installed from this checkout instead
                checkout = _copy(tmp_path / "checkout")
                venv = tmp_path / "venv"
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
                cmd = cmd.replace("pip install", f"{venv}/bin/python -m pip install -q").replace(
                    PROJECT_URL, checkout.as_uri())
                done = subprocess.run(["bash", "-c", cmd], cwd=app, env=_env(), capture_output=True, text=True,
                                      timeout=900)
                assert done.returncode == 0, done.stderr
                continue
            done = subprocess.run(["bash", "-c", cmd], cwd=app, env=_env(), capture_output=True, text=True)
            assert done.returncode in (0, 1), f"{cmd}: {done.stderr}"  # 1: findings, uploaded by the next step
            if "--output" in cmd:
                out = app / cmd.split("--output", 1)[1].split()[0]
                json.loads(out.read_text())


def _config_check(app: Path) -> None:
    done = subprocess.run(["ipclint", "check", ".", "--no-cache", "--exit-zero"], cwd=app, env=_env(),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def run_toml(block: Block, tmp_path: Path) -> None:
    app = _example(tmp_path / "app")
    (app / ".ipclint.toml").write_text(block.text)
    _config_check(app)


def run_json(block: Block, tmp_path: Path) -> None:
    data = json.loads(block.text)
    if isinstance(data, dict) and "ipclint" in data:
        app = _example(tmp_path / "app")
        pkg = json.loads((app / "package.json").read_text())
        (app / "package.json").write_text(json.dumps({**pkg, **data}))
        _config_check(app)


def run_source(block: Block, tmp_path: Path) -> None:
    if block.lang == "python":
        compile(block.text, str(block), "exec")
        return
    from ipclint.extract.parse import error_spans, parse
    tree = parse(block.text.encode(), {"js": "javascript", "ts": "typescript"}.get(block.lang, "tsx"))
    assert not error_spans(tree.root_node), block


def run_output(block: Block, tmp_path: Path) -> None:
    cwd = _copy(tmp_path / "repo")
    done = subprocess.run(["bash", "-c", block.mark[1]], cwd=cwd, env=_env(), capture_output=True, text=True)
    got = done.stdout.splitlines()
    pos = 0
    for want in block.text.splitlines():
        want = re.sub(r"; \d+\.\d+s$", "", want)
        while pos < len(got) and re.sub(r"; \d+\.\d+s$", "", got[pos]) != want:
            pos += 1
        assert pos < len(got), f"{block}: not in the output of `{block.mark[1]}`, in order: {want!r}\n{done.stdout}"
        pos += 1


RUNNERS = {"sh": run_sh, "yaml": run_yaml, "toml": run_toml, "json": run_json, "js": run_source,
           "ts": run_source, "tsx": run_source, "python": run_source}


@pytest.mark.parametrize("block", ALL, ids=str)
def test_doc_block_runs_as_written(block: Block, tmp_path: Path) -> None:
    if block.mark and block.mark[0] == "not run":
        assert len(block.mark[1]) > 10, f"{block}: `not run:` needs a reason"
        pytest.skip(f"not run: {block.mark[1]}")
    if block.mark and block.mark[0] == "output of":
        run_output(block, tmp_path)
        return
    if not block.lang:
        return  # a figure (a diagram or a file layout)
    assert block.lang in RUNNERS, f"{block}: no runner for ```{block.lang}; mark it <!-- not run: why -->"
    RUNNERS[block.lang](block, tmp_path)


def test_the_convention_is_documented() -> None:
    text = (REPO / "docs" / "writing-docs.md").read_text()
    for words in ("# exit:", "<!-- not run:", "<!-- output of:", "repo: local"):
        assert words in text

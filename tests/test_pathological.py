"""Pathological files: extraction's work (``FileFacts.work``, model/work.py) grows linearly with
their size, and a file that needs more than the budget stops with a diagnostic instead of hanging.
Asserted on work counted, never on wall time."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.extract import walk
from ipclint.extract.extract import extract

from .helpers import write_project

HEAD = "const { ipcMain, shell } = require('electron')\n"


def nested(n: int) -> str:  # callbacks nested n deep
    return HEAD + "setTimeout(() => {\n" * n + "ipcMain.handle('deep', (e, x) => x)\n" + "})\n" * n


def nested_params(n: int) -> str:  # each callback binds the same name again
    return HEAD + "wrap((x) => {\n  use(x)\n" * n + "})\n" * n


def else_ifs(n: int) -> str:
    return HEAD + "ipcMain.handle('x', (e, v) => {\n  if (v === 0) { return 0 }\n" + "".join(
        f"  else if (v === {i}) {{ return shell.openExternal(v) }}\n" for i in range(1, n)) + "})\n"


def plus_chain(n: int) -> str:
    return HEAD + "const CH = " + " + ".join(f"'a{i}'" for i in range(n)) + "\nipcMain.handle(CH, (e, v) => v)\n"


def member_chain(n: int) -> str:
    return HEAD + "const x = a" + ".b" * n + "\nipcMain.handle('m', (e, v) => a" + ".c" * n + "(v))\n"


def call_chain(n: int) -> str:
    return HEAD + "const x = a" + ".b()" * n + "\n"


def channels(n: int) -> str:  # many functions and calls in one file
    return HEAD + "".join(f"ipcMain.handle('ch:{i}', (e, p{i}) => shell.openExternal(p{i}))\n" for i in range(n))


def cases(n: int) -> str:
    return HEAD + "ipcMain.on('x', (e, v) => {\n  switch (v) {\n" + "".join(
        f"    case {i}: ipcMain.emit('c{i}', v); f{i}(v); break\n" for i in range(n)) + "    default: return\n  }\n})\n"


SHAPES: dict[str, Callable[[int], str]] = {
    "nested": nested, "nested_params": nested_params, "else_ifs": else_ifs, "plus_chain": plus_chain,
    "member_chain": member_chain, "call_chain": call_chain, "channels": channels, "cases": cases}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_work_grows_linearly(shape: str) -> None:
    make = SHAPES[shape]
    small, large = (extract("main.js", make(n).encode()) for n in (500, 1000))
    assert small.stopped_at == 0 and large.stopped_at == 0
    assert small.work > 0
    assert large.work <= 2.2 * small.work, (small.work, large.work)


def test_a_file_past_the_work_limit_stops_with_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(walk, "MAX_WORK", 20_000)
    src = channels(2000)
    facts = extract("main.js", src.encode())
    assert 0 < facts.stopped_at < src.count("\n")
    assert facts.calls  # what came before the limit is kept
    root = write_project(tmp_path, {"main.js": src})
    r = check([str(root)], use_cache=False, jobs=1)
    assert [(d.kind, d.line) for d in r.errors if d.path == "main.js"] == [("limit", facts.stopped_at)]
    assert r.files.with_parse_errors == 1

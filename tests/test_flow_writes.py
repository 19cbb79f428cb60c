"""The writes a handler's flow analysis asks about (`handlerflow._reset_before`: does a statement
between a clean assignment and the read write the name again?), answered from one query per file."""
from __future__ import annotations

from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.extract import parse
from ipclint.extract.draft import FactsDraft
from ipclint.extract.extract import extract
from ipclint.extract.parse import parse as parse_tree
from ipclint.extract.walk import Extractor

from .helpers import write_project

SRC = """let a = 1
a = 2
b += a
c++
for (const d of xs) { e = d }
f.g = 1
const { h } = o
function k(m) { n = m }
"""


def _statements(src: str) -> tuple[Extractor, list[parse.Node]]:
    data = src.encode()
    tree = parse_tree(data, "js")
    ex = Extractor(FactsDraft(path="x.js", dialect="js", size=len(data)), data)
    ex.root = tree.root_node
    return ex, list(tree.root_node.named_children)


@pytest.mark.parametrize(("line", "name", "writes"), [
    (0, "a", True),    # a declaration
    (1, "a", True),    # an assignment
    (2, "b", True), (2, "a", False),  # an augmented assignment writes its left side only
    (3, "c", True),    # an update
    (4, "e", True), (4, "xs", False), (4, "d", False),  # inside a block (a loop variable: as before)
    (5, "f", False), (5, "g", False),  # a property, not the name
    (6, "h", False),   # a destructuring pattern is not read as one name (as before)
    (7, "n", True), (7, "m", False),  # inside a nested function
])
def test_writes_in_finds_the_statements_that_write_a_name(line: int, name: str, writes: bool) -> None:
    ex, statements = _statements(SRC)
    assert ex.writes_in(statements[line], name) is writes


HANDLER = """ipcMain.handle('ch{i}', (e, url) => {{
  let target = url
  target = 'https://example.com'
  log(target)
  return shell.openExternal(target)
}})
"""


def test_the_file_writes_are_found_once_however_many_handlers_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = parse.written_names

    def counted(*args: object) -> dict[str, list[int]]:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parse, "written_names", counted)
    src = "const { ipcMain, shell } = require('electron')\n" + "".join(HANDLER.format(i=i) for i in range(50))
    facts = extract("main.js", src.encode())
    assert len(calls) == 1
    assert facts.stopped_at == 0


def test_a_reset_before_the_read_clears_the_value_and_a_later_write_does_not(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", {"main.js": """
        const { ipcMain, shell } = require('electron')
        ipcMain.handle('reset', (e, url) => {
          let target = url
          target = 'https://example.com'
          log(target)
          return shell.openExternal(target)
        })
        ipcMain.handle('written-again', (e, url) => {
          let target = 'https://example.com'
          if (e) { target = url }
          return shell.openExternal(target)
        })
        """})
    found = {(f.rule, f.span.line) for f in check([str(root)], use_cache=False).findings if f.rule == "IPC005"}
    assert found == {("IPC005", 11)}

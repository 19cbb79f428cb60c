"""Deferred flows (extract ``lazy``, ``Project.flow``): extraction analyses the parameter flow
(``Func.flow``) only of files likely to register or expose handlers; another file's flows are
made when linking or a rule first reads one, by extracting it again, and are the same as eager
extraction's; the findings do not change."""
from __future__ import annotations

from pathlib import Path

import pytest

import ipclint.extract.extract as X
import ipclint.extract.handlerflow as hf
from ipclint.engine import check
from tests.helpers import write_project

MAIN = """
import { ipcMain } from 'electron'
import { openIt, saveIt } from './helper'
ipcMain.handle('open', (_e, url) => openIt(url))
ipcMain.on('save', (_e, name, body) => saveIt(name, body))
"""

# no marker of a handler file (analyzers.eager): its flows are deferred, and the handlers read them
HELPER = """
import { shell } from 'electron'
import * as fs from 'fs'
export function openIt(url: string) {
  if (typeof url !== 'string') return
  shell.openExternal(url)
}
export function saveIt(name: string, body: string) {
  const full = '/data/' + name
  fs.writeFileSync(full, body)
}
"""


def _util(i: int) -> str:
    """A main-process module (parsed: it imports Electron) whose functions no handler calls."""
    fns = "\n".join(f"export function f{i}_{k}(a, b) {{ return a.length + b + app.getPath(a).length }}"
                    for k in range(10))
    return f"import {{ app }} from 'electron'\n{fns}\n"


def _app(root: Path) -> Path:
    files: dict[str, str | bytes] = {"src/main/main.ts": MAIN, "src/main/helper.ts": HELPER}
    files.update({f"src/main/util{i}.ts": _util(i) for i in range(8)})
    files["src/main/index.ts"] = "".join(f"import './util{i}'\n" for i in range(8)) + "import './main'\n"
    return write_project(root, files, main="src/main/index.ts")


def _findings(r: object) -> list[tuple[str, str, object, str]]:
    return sorted((f.rule, f.path, f.span, f.message) for f in r.findings)  # type: ignore[attr-defined]


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    n = [0]
    run = hf._Analysis.run

    def counted(self: hf._Analysis, names: set[str]) -> object:
        n[0] += 1
        return run(self, names)

    monkeypatch.setattr(hf._Analysis, "run", counted)
    return n


def test_a_deferred_files_flows_read_through_the_project_are_eager_extractions(tmp_path: Path) -> None:
    root = _app(tmp_path / "app")
    r = check([str(root)], use_cache=False, jobs=1)
    project = r.extra["project"]
    helper = project.files["src/main/helper.ts"]
    assert helper.flows_deferred and all(fn.flow is None for fn in helper.functions)
    assert not project.files["src/main/main.ts"].flows_deferred
    eager = X.extract("src/main/helper.ts", (root / "src/main/helper.ts").read_bytes())
    assert not eager.flows_deferred
    flows = [project.flow("src/main/helper.ts", fn.id) for fn in helper.functions]
    assert flows == [fn.flow for fn in eager.functions]
    assert any(f is not None and f.occs for f in flows)


def test_deferring_flows_changes_no_finding_and_analyses_fewer(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = _app(tmp_path / "app")
    n = _counted(monkeypatch)
    lazy = check([str(root)], use_cache=False, jobs=1)
    lazy_count = n[0]
    n[0] = 0
    monkeypatch.setattr(X, "eager", lambda _data: True)  # every wanted file's flows with its facts
    eager = check([str(root)], use_cache=False, jobs=1)
    assert _findings(lazy) == _findings(eager)
    assert any(f.path == "src/main/helper.ts" for f in lazy.findings)  # (found through deferred flows)
    # 80 util functions and 2 helpers eager; lazy: main.ts's 2 handlers, and the helper file again
    assert n[0] >= 84 and lazy_count <= 6, (lazy_count, n[0])


def test_deferred_flows_are_cached_like_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _app(tmp_path / "app")
    cache = tmp_path / "cache"
    cold = check([str(root)], cache_dir=str(cache), jobs=1)
    assert len(list(cache.glob("v-*/flows/*/*.msgpack"))) == 1  # the helper's, sealed like facts
    made = [0]
    extract_flows = X.extract_flows

    def counted(path: str, data: bytes) -> object:
        made[0] += 1
        return extract_flows(path, data)

    monkeypatch.setattr(X, "extract_flows", counted)
    main = root / "src/main/main.ts"
    main.write_text(main.read_text() + "ipcMain.handle('more', (_e, u) => openIt(u))\n")  # a code edit: link again
    edited = check([str(root)], cache_dir=str(cache), jobs=1)
    assert made[0] == 0  # the helper's flows from the cache
    fresh = check([str(root)], use_cache=False, jobs=1)
    assert _findings(edited) == _findings(fresh) and len(edited.findings) > len(cold.findings)


def test_flows_of_another_numbering_are_matched_by_span_and_their_function_values_renumbered() -> None:
    """When the extraction that made the flows numbered the functions otherwise (a flow's check
    held an inline function, made before the walk reached it), each flow goes to the function at
    its span, and the functions its values name (`Fn`) get the ids of the facts linking holds."""
    from ipclint.link.project import _flows_by_fid
    from ipclint.model import Span
    from ipclint.model.facts import FileFacts, FileFlows, Flow, Func, Site
    from ipclint.model.values import Arr, Fn
    a, b, c = Span(1, 1, 1, 9), Span(2, 1, 2, 9), Span(3, 1, 3, 9)
    check_value = Arr(span=c, items=(Fn(span=b, fid=2), Fn(span=c, fid=1)))
    flow = Flow(sites=(Site("check", c, ("x",), value=check_value),), occs=(), aliases=())
    got = FileFlows("a.js", {0: flow}, (a, c, b))  # made with b and c the other way round
    facts = FileFacts(path="a.js", dialect="js", size=1, functions=(Func(0, "f", "declaration", a, None), Func(1, None, "arrow", b, 0),
                                              Func(2, None, "arrow", c, 0)))
    out = _flows_by_fid(facts, got)
    assert list(out) == [0]
    value = out[0].sites[0].value
    assert isinstance(value, Arr) and [(v.fid, v.span) for v in value.items if isinstance(v, Fn)] == [(1, b), (2, c)]
    assert _flows_by_fid(facts, FileFlows("a.js", {0: flow}, (a, b, c)))[0] is flow  # the same numbering

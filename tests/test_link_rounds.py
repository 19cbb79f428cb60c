"""Linking in rounds (engine._link_until_stable): what the rounds of one run share, and the
indexes that spare link a pass over every call, give what linking without them gives."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ipclint.engine import check
from ipclint.link.project import FileMemo, Memo, Project
from ipclint.link.wrappers import calls_by_names, may_call
from ipclint.model.values import Member
from tests.helpers import ROUNDS_APP, write_project


def test_the_rounds_of_a_run_read_each_project_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ipclint.link
    import ipclint.link.modules
    root = write_project(tmp_path / "app", ROUNDS_APP)
    reads: Counter[str] = Counter()
    linked: list[set[str]] = []
    read_in_root, link = ipclint.link.modules.read_in_root, ipclint.link.link

    def counted_read(root: Path, rel: str, *args: Any) -> bytes | None:
        reads[rel] += 1
        return read_in_root(root, rel, *args)

    def counted_link(root: Path, files: dict[str, Any], *args: Any, **kwargs: Any) -> Project:
        linked.append(set(files))
        return link(root, files, *args, **kwargs)

    monkeypatch.setattr(ipclint.link.modules, "read_in_root", counted_read)
    monkeypatch.setattr(ipclint.link, "link", counted_link)
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error
    assert len(linked) == 2 and {"src/lib/check.ts", "src/main/tasks.ts"} <= linked[1] - linked[0]
    assert reads["tsconfig.json"] == 1 and reads["package.json"] == 1
    assert max(reads.values()) == 1, reads


def _linked(root: Path) -> Project:
    r = check([str(root)], use_cache=False, jobs=1)
    project = r.extra["project"]
    assert isinstance(project, Project)
    return project


@pytest.mark.parametrize("app", ["rounds", "example-app"])
def test_calls_by_names_are_the_calls_may_call_accepts(tmp_path: Path, app: str) -> None:
    root = (write_project(tmp_path / "app", ROUNDS_APP) if app == "rounds"
            else Path(__file__).resolve().parent.parent / "fixtures" / "projects" / app)
    project = _linked(root)
    every = list(project.iter_calls())
    words = sorted({w for _p, c in every for w in _callee_words(c.callee)} | {"onMessage", "isSafe", "nothing"})
    assert len(words) > 5
    for names in [frozenset(words), frozenset(words[::2]), frozenset(words[1::3]), frozenset({"onMessage"}),
                  frozenset()]:
        want = [(p, c) for p, c in every if may_call(project, p, c, names)]
        assert calls_by_names(project, names) == want


@pytest.mark.parametrize("app", ["rounds", "example-app"])
def test_calls_named_hold_every_call_by_those_names_in_order(tmp_path: Path, app: str) -> None:
    """The passes that look for a few method names (`on`, `setAttribute`, `exposeInMainWorld`)
    take their candidates from ``Project.calls_named``: every call whose callee is written with one
    of the names is there (they test the rest themselves), in ``iter_calls`` order."""
    from ipclint.link.vutil import callee_name
    root = (write_project(tmp_path / "app", ROUNDS_APP) if app == "rounds"
            else Path(__file__).resolve().parent.parent / "fixtures" / "projects" / app)
    project = _linked(root)
    every = list(project.iter_calls())
    words = sorted({w for _p, c in every for w in _callee_words(c.callee)})
    for names in [frozenset(words), frozenset(words[::2]), frozenset(words[1::3]), frozenset({"on", "send"})]:
        got = list(project.iter_calls_named(names))
        assert got == [(p, c) for p, c in every if may_call(project, p, c, names)]
        assert {id(c) for _p, c in every if callee_name(c.callee) in names} <= {id(c) for _p, c in got}


def _callee_words(v: object) -> list[str]:
    from ipclint.model.values import Member, Ref
    if isinstance(v, Member):
        return [v.prop]
    return [v.name] if isinstance(v, Ref) else []


def test_the_project_resolves_each_value_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolutions are remembered (the same answer, computed once), while linking too; inside a
    parameter's resolution (a guarded, partial answer) they are not."""
    write_project(tmp_path, {"main.js": "const { ipcMain } = require('electron')\nconst CH = 'a:b'\n"
                                        "ipcMain.handle(CH, (e, x) => x)\n"})
    project = check([str(tmp_path)], use_cache=False, need_project=True).extra["project"]
    computed = Counter[int]()
    inner = Project._resolve

    def counting(self: Project, path: str, value: Any, scope: int | None, consts_only: bool) -> Any:
        computed[id(value)] += 1
        return inner(self, path, value, scope, consts_only)

    monkeypatch.setattr(Project, "_resolve", counting)
    call = next(c for c in project.files["main.js"].calls if c.args)
    first = project.resolve("main.js", call.args[0], None)
    assert project.resolve("main.js", call.args[0], None) is first
    assert computed[id(call.args[0])] == 1
    project._param_busy.add(("main.js", 0, "x"))
    assert project.resolve("main.js", call.args[0], None) == first
    assert computed[id(call.args[0])] == 2
    project._param_busy.clear()
    project.frozen = False
    assert project.resolve("main.js", call.args[0], None) is first
    assert computed[id(call.args[0])] == 2


def test_a_remembered_resolution_records_the_modules_it_needs_again(tmp_path: Path) -> None:
    """While linking, a resolution remembered from inside ``no_missing`` still records, when asked
    again outside it, the unparsed modules it reaches (the engine parses them in the next round)."""
    write_project(tmp_path, {"main.js": "const { ipcMain } = require('electron')\nconst lib = require('./lib')\n"
                                        "ipcMain.handle(lib.CH, (e, x) => x)\n",
                             "lib.js": "exports.CH = 'a:b'\n"})
    project = check([str(tmp_path)], use_cache=False, need_project=True).extra["project"]
    call = next(c for c in project.files["main.js"].calls if c.args and isinstance(c.args[0], Member))
    project.frozen = False
    project.memo = Memo()
    del project.files["lib.js"]
    project.missing = set()
    with project.no_missing():
        first = project.resolve("main.js", call.args[0], None)
    assert project.missing == set()
    assert project.resolve("main.js", call.args[0], None) is first
    assert project.missing == {"lib.js"}


@pytest.mark.parametrize("chain", [1, 30, 60, 61, 62, 63, 64, 70])
def test_continuing_from_a_remembered_binding_gives_the_step_by_step_answer(tmp_path: Path, chain: int) -> None:
    """A name's lookup continues from the remembered resolution of the value it is bound to: the
    same answer as the walk step by step, also where a chain of aliases runs out of steps."""
    lines = ["const a0 = require('electron').ipcMain"] + [f"const a{i} = a{i - 1}" for i in range(1, chain)]
    lines += [f"a{chain - 1}.handle('ch', (e, x) => x)", "a0.handle('ch2', (e, x) => x)",
              f"a{chain // 2}.on('ch3', (e, x) => x)", f"a{chain - 1}.nope.deeper()",
              "const o = { a: 1 }", "const b = o.nope", "b.x.y()"]  # (an unknown member: its reason names x too)
    write_project(tmp_path, {"main.js": "\n".join(lines) + "\n"})
    project = check([str(tmp_path)], use_cache=False, need_project=True).extra["project"]
    calls = project.files["main.js"].calls
    remembered = [(project.resolve("main.js", c.callee, c.func), project.resolve("main.js", c.callee.obj, c.func))
                  for c in calls if isinstance(c.callee, Member)]
    project.memo = Memo()
    project._filling = True  # no continuing from a remembered binding: every step taken
    stepwise = [(project.resolve("main.js", c.callee, c.func), project.resolve("main.js", c.callee.obj, c.func))
                for c in calls if isinstance(c.callee, Member)]
    assert remembered == stepwise


def test_a_handlers_returns_are_followed_when_its_function_id_is_a_sent_calls_index(tmp_path: Path) -> None:
    """Prefetch follows each payload call's arguments and each handler's return values into the
    modules they name; the two are counted apart, so a handler whose function id equals the index of
    a call that sends from the same file (here both 1) still has its return followed: the constants
    module it returns from is parsed."""
    root = write_project(tmp_path / "app", {
        "package.json": '{"name": "a", "main": "main.js", "devDependencies": {"electron": "30.0.0"}}',
        "consts.js": "export default { LIMITS: { max: 3 } }\n",
        "main.js": ("import { ipcMain } from 'electron'\n"
                    "import consts from './consts.js'\n"
                    "export function notify(win) { win.webContents.send('a', 1); win.webContents.send('b', 2) }\n"
                    "ipcMain.handle('limits', () => consts.LIMITS)\n"),
    })
    project = _linked(root)
    sent = {e.call for e in project.graph.edges if e.kind == "push"}
    handlers = {e.handler for e in project.graph.edges if e.kind == "handle"}
    assert sent == {0, 1} and handlers == {("main.js", 1)}  # (the shape that collided)
    assert "consts.js" in project.files


ALIAS_APP: dict[str, str | bytes] = {
    **ROUNDS_APP,
    "src/main/bus.ts": "import { ipcMain } from 'electron'\nexport const bus = ipcMain\n",
    "src/main/alias.ts": "export { bus } from './bus'\n",  # (parsed once uses.ts asks for it)
    "src/main/uses.ts": "import { app } from 'electron'\nimport { bus } from './alias'\n"
                        "app.whenReady().then(() => bus.handle('alias:run', (_e, p) => p))\n",
}


def _fresh_electron_names(project: Project, path: str) -> set[str]:
    """``roles.electron_names`` of a file resolved afresh, nothing kept (what the kept one must give)."""
    import ipclint.link.roles as roles
    names = (roles._electron_name(project, path, v, scope) for scope, v in roles._candidates(project, path))
    return {n for n in names if n is not None}


@pytest.mark.parametrize("app", ["rounds", "alias", "example-app"])
def test_electron_names_kept_for_the_rounds_are_the_fresh_ones(tmp_path: Path, app: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A later round resolves again only the values whose resolution reached a file parsed since
    (``roles.electron_names``): every round's answers are those of the file resolved afresh."""
    import dataclasses

    import ipclint.link.roles as roles
    root = (write_project(tmp_path / "app", ROUNDS_APP if app == "rounds" else ALIAS_APP) if app != "example-app"
            else Path(__file__).resolve().parent.parent / "fixtures" / "projects" / app)
    kept = roles.electron_names
    compared: list[int] = []
    answers: dict[str, list[set[str]]] = {}

    def checked(project: Project, path: str) -> set[str]:
        got = kept(project, path)
        fresh = dataclasses.replace(project, memo=Memo(), missing=set(), file_memo=FileMemo())
        assert got == _fresh_electron_names(fresh, path), path
        compared.append(len(project.files))
        answers.setdefault(path, []).append(got)
        return got

    monkeypatch.setattr(roles, "electron_names", checked)
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error and compared
    if app != "example-app":
        assert len(set(compared)) >= 2  # (rounds, a later one with more files)
    if app == "alias":  # (`bus` names ipcMain once alias.ts is parsed)
        assert answers["src/main/uses.ts"][0] == {"app"} and answers["src/main/uses.ts"][-1] == {"app", "ipcMain"}


def test_the_rounds_of_a_run_share_one_set_of_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction workers start once a run (engine.Workers), at the first round with enough to
    extract, and every later round extracts in them; the facts come back in the files' order, so
    the report is the one a serial run gives."""
    import concurrent.futures

    from ipclint import engine
    root = write_project(tmp_path / "app", ROUNDS_APP)
    serial = check([str(root)], use_cache=False, jobs=1)
    started: list[int] = []
    mapped: list[int] = []
    real_pool, real_map = concurrent.futures.ProcessPoolExecutor, engine.Workers.map

    class CountedPool(real_pool):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started.append(1)
            super().__init__(*args, **kwargs)

    def counted_map(self: engine.Workers, items: list[Any], *rest: Any) -> Any:
        mapped.append(len(items))
        return real_map(self, items, *rest)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(engine.Workers, "map", counted_map)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    parallel = check([str(root)], use_cache=False, jobs=2)
    assert len(mapped) == 2 and started == [1]  # two rounds extracted in workers started once
    assert parallel.findings == serial.findings and parallel.roles == serial.roles


def test_while_the_workers_extract_the_process_imports_then_decodes(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The process would only wait while the workers extract: it imports linking and the rules
    once the first round's files are handed out (once a run), then decodes each file's facts as
    its worker returns them, rather than after the last one."""
    from ipclint import engine
    from ipclint.cache import Cache
    root = write_project(tmp_path / "app", ROUNDS_APP)
    events: list[str] = []
    real_tick, real_import, real_decode = engine._tick, engine._import_analysis, Cache.decode_facts

    def tick(results: Any, progress: Any) -> Any:
        for r in real_tick(results, progress):
            events.append("got")
            yield r

    def imported() -> None:
        events.append("import")
        real_import()

    def decode(self: Cache, body: Any) -> Any:
        events.append("decoded")
        return real_decode(self, body)

    monkeypatch.setattr(engine, "_tick", tick)
    monkeypatch.setattr(engine, "_import_analysis", imported)
    monkeypatch.setattr(Cache, "decode_facts", decode)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    r = check([str(root)], use_cache=False, jobs=2)
    assert not r.internal_error and r.findings
    assert events[:5] == ["import", "got", "decoded", "got", "decoded"] and events.count("import") == 1, events


def test_workers_are_kept_for_rounds_worth_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from ipclint import engine
    small, large = ("a.ts", b"x" * 100, None, b""), ("b.ts", b"x" * engine.PARALLEL_MIN_BYTES, None, b"")
    assert not engine.Workers(1).worth([large, large])  # one job: never
    assert not engine.Workers(2).worth([large])  # one file: extracted here
    assert not engine.Workers(2).worth([small, small])  # too few bytes to pay for the workers
    assert engine.Workers(2).worth([small, large])
    running = engine.Workers(2)
    try:
        running.start()
        assert running.worth([small]) and not running.worth([])  # running: any file goes to them
    finally:
        running.close()


def test_a_later_round_goes_to_the_running_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the workers run, a round of one small file is extracted there, not here: this process
    would set up the parser and compile the queries for it (about 8 ms), which the workers did."""
    import ipclint.extract.extract as extraction
    from tests.helpers import count_calls
    pad = "".join(f"export const pad{i} = 'x'\n" for i in range(2000))
    files = {"src/main/index.js": "const { ipcMain } = require('electron')\nconst { CH } = require('../shared/ch')\n"
                                  "ipcMain.handle(CH.SAVE, () => 1)\n" + pad,
             "src/preload/index.js": "const { ipcRenderer } = require('electron')\n"
                                     "ipcRenderer.invoke('save:file')\n" + pad,
             "src/shared/ch.js": "module.exports = { CH: { SAVE: 'save:file' } }\n"}
    root = write_project(tmp_path, files)
    one = check([str(root)], use_cache=False, jobs=1)
    here = count_calls(monkeypatch, extraction, "extract")  # (calls in this process only)
    two = check([str(root)], use_cache=False, jobs=2)
    assert here == [0] and two.extra["parsed"] == one.extra["parsed"] == 3
    assert [(f.rule, f.path, f.span.line) for f in two.findings] == [(f.rule, f.path, f.span.line) for f in one.findings]


INDEXED_WRAPPER = {
    "main.js": "const { app, BrowserWindow, ipcMain } = require('electron')\n"
               "ipcMain.on('a:go', () => {})\n"
               "app.whenReady().then(() => new BrowserWindow({ webPreferences: { preload: __dirname + '/preload.js' } }))\n",
    "preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
                  "contextBridge.exposeInMainWorld('api', { send: (ch, ...a) => ipcRenderer.send(ch, ...a) })\n",
    "src/lib/ipc.ts": "export function go(ch: string, ...a: unknown[]) { window.api.send(ch, ...a) }\n",
    "src/lib/format.ts": "export function fmt(n: number) { return String(n) }\n",
    "src/lib/index.ts": "export * from './ipc'\nexport * from './format'\n",
    "src/ui/a.ts": "import { go } from '../lib'\nexport const start = () => go('a:go')\n",
    "src/ui/b.ts": "import { fmt } from '../lib'\nexport const show = () => fmt(1)  // goes on\n",
}


@pytest.mark.parametrize("default_export", [False, True])
def test_importers_of_an_index_file_are_parsed_when_they_name_what_it_reexports(tmp_path: Path,
                                                                                default_export: bool) -> None:
    """An index file re-exports a page wrapper among much else (`import { U } from 'Lib'` in every
    component): a file that reaches the wrapper only through the index is parsed when its bytes
    name the wrapper (a.ts), not when they only name the rest (b.ts: "goes" is not the word `go`).
    A default-exported wrapper is named by its importers, not by itself: then every importer is,
    and a call by the name the index re-exports it under (`export { default as go }`) is its call."""
    files = dict(INDEXED_WRAPPER)
    if default_export:
        files["src/lib/ipc.ts"] = "export default function (ch: string) { window.api.send(ch) }\n"
        files["src/lib/index.ts"] = "export { default as go } from './ipc'\nexport * from './format'\n"
    root = write_project(tmp_path / "app", files, main="main.js")
    r = check([str(root)], use_cache=False, jobs=1, need_project=True)
    parsed = set(r.extra["project"].files)
    assert "src/ui/a.ts" in parsed and ("src/ui/b.ts" in parsed) == default_export
    # (a.ts calls the wrapper by the name the index re-exports it under, a default export too)
    assert [(f.rule, f.path, f.span.line) for f in r.findings if f.rule == "IPC003"] == \
        [("IPC003", "main.js", 2), ("IPC003", "src/ui/a.ts", 2)]


def test_what_is_resolved_without_asking_is_not_parsed_in_a_later_round(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """``Project.no_missing`` resolves without asking for modules: what it reaches must not reach
    the set the engine already holds either (freelens: the exports of every parsed module resolved
    for ``needs.electron_exporters`` asked for each barrel's modules, three rounds more)."""
    import ipclint.link
    root = write_project(tmp_path / "app", {
        "src/main/index.ts": """
            import { app, ipcMain } from 'electron'
            export { format } from '../util/format'
            export * from '../util/more'
            ipcMain.handle('ping', () => 'pong')
        """,
        "src/util/format.ts": "export const format = (s: string) => s.trim()\n",
        "src/util/more.ts": "export const more = 1\n",
    }, main="src/main/index.ts")
    linked: list[set[str]] = []
    link = ipclint.link.link

    def counted_link(root: Path, files: dict[str, Any], *args: Any, **kwargs: Any) -> Project:
        linked.append(set(files))
        return link(root, files, *args, **kwargs)

    monkeypatch.setattr(ipclint.link, "link", counted_link)
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error
    assert linked == [{"src/main/index.ts"}]
    project = r.extra["project"]
    held = project.missing
    project.frozen = False
    with project.no_missing():
        project._need("src/util/format.ts")
    assert "src/util/format.ts" not in held and project.missing is held

"""Work the link stage and the rules do once instead of again, counted (never timed): the rounds
of a run carry the resolutions and per-file answers that still hold; a file's callees written the
same way are resolved once; the rules share one Judge and one answer per call."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ipclint.link.handlers
import ipclint.link.wrappers
from ipclint.engine import check
from ipclint.link.project import Project
from tests.helpers import ROUNDS_APP, count_calls, write_project

HEAD = "const { ipcMain, shell } = require('electron')\n"


def channels(n: int) -> str:
    return HEAD + "".join(f"ipcMain.handle('ch:{i}', (e, p{i}) => shell.openExternal(p{i}))\n" for i in range(n))


def test_electron_names_resolves_each_callee_chain_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ipclint.link.roles as roles
    counts = []
    for n in (10, 200):
        with monkeypatch.context() as m:
            resolves = count_calls(m, Project, "resolve")
            inner = roles.electron_names

            def only_names(project: Project, path: str, _inner: Any = inner, _seen: list[int] = resolves) -> set[str]:
                before = _seen[0]
                out: set[str] = _inner(project, path)
                counts.append(_seen[0] - before)
                return out

            m.setattr(roles, "electron_names", only_names)
            r = check([str(write_project(tmp_path / str(n), {"main.js": channels(n)}))], use_cache=False, jobs=1)
        assert not r.internal_error and len(r.findings) >= n
    assert counts[0] == counts[1] > 0, counts  # the same chains, however many calls


def test_electron_name_candidates_test_each_binding_and_scope_once(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's Electron-name candidates (``roles._candidates``) test each binding once, and look
    each name up at most once per function that calls on it (``Project.binding_at``, shared with
    resolution for the run), however many calls do."""
    import ipclint.link.project as project_module
    import ipclint.link.roles as roles
    functions, per_function = 6, 5
    body = "".join(f"function f{i}() {{\n" + "".join(
        f"  ipcMain.on('c{i}:{j}', onMessage)\n" for j in range(per_function)) + "}\n"
        for i in range(functions))
    made: list[tuple[int, int, int]] = []  # (bindings, _may_name tests, binding_scope look-ups)
    tests = count_calls(monkeypatch, roles, "_may_name")
    lookups = count_calls(monkeypatch, project_module, "binding_scope")
    inner = roles._candidates

    def counted(project: Any, path: str) -> Any:
        before = tests[0], lookups[0]
        out = inner(project, path)
        made.append((len(project.files[path].bindings), tests[0] - before[0], lookups[0] - before[1]))
        return out

    monkeypatch.setattr(roles, "_candidates", counted)
    r = check([str(write_project(tmp_path / "app", {"main.js": HEAD + "function onMessage() {}\n" + body}))],
              use_cache=False, jobs=1)
    assert not r.internal_error and len(made) == 1
    bindings, tested, looked_up = made[0]
    assert tested == bindings, made  # (not twice per binding)
    assert 0 < looked_up <= functions, made  # (once per function at most, not once per call: 30)


def test_linking_looks_a_name_up_once_per_scope(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a name is bound, seen from one function, is found once a run (``Project.binding_at``):
    a function registering many handlers looks `ipcMain` and its listener up once, not per call."""
    import ipclint.link.project as project_module
    counts = []
    for n in (10, 100):
        body = "function onMessage() {}\nfunction setup() {\n" + "".join(
            f"  ipcMain.on('c:{i}', onMessage)\n" for i in range(n)) + "}\nsetup()\n"
        with monkeypatch.context() as m:
            looked_up = count_calls(m, project_module, "binding_scope")
            r = check([str(write_project(tmp_path / str(n), {"main.js": HEAD + body}))], use_cache=False, jobs=1)
        assert not r.internal_error
        counts.append(looked_up[0])
    assert counts[0] == counts[1] > 0, counts  # (the same names from the same scopes, however many calls)


def test_a_later_round_keeps_the_resolutions_that_still_hold(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import ipclint.link
    root = write_project(tmp_path / "app", ROUNDS_APP)
    walks = count_calls(monkeypatch, Project, "_resolve")
    per_round: list[int] = []
    link = ipclint.link.link

    def counted_link(*args: Any, **kwargs: Any) -> Project:
        before = walks[0]
        project = link(*args, **kwargs)
        per_round.append(walks[0] - before)
        return project

    monkeypatch.setattr(ipclint.link, "link", counted_link)
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error and len(per_round) == 2
    assert 0 < per_round[1] < per_round[0] / 2, per_round  # only what reached the newly parsed files


@pytest.mark.parametrize("n", [50])
def test_rules_judge_each_site_and_resolve_each_callee_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            n: int) -> None:
    root = write_project(tmp_path / "app", {"main.js": channels(n)})
    judged = count_calls(monkeypatch, ipclint.link.handlers.Judge, "_judge")
    resolved = count_calls(monkeypatch, ipclint.link.wrappers, "_callee_function")
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC005"])
    alone = judged[0], resolved[0]
    judged[0] = resolved[0] = 0
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC005", "IPC006"])
    assert not r.internal_error and {f.rule for f in r.findings} == {"IPC005", "IPC006"}
    assert judged[0] == alone[0]  # IPC006 asks about the sites IPC005 judged: nothing judged again
    # one answer per call of the frozen project (linking asks anew: what it resolves must be recorded)
    frozen = resolved[0] - alone[1]
    assert 0 <= frozen <= n, (resolved[0], alone)


def test_graph_view_rows_are_the_leading_fields_of_a_graph_edge() -> None:
    from ipclint.link.graphview import _Row
    from ipclint.model.graph import GraphEdge
    names = list(GraphEdge.__struct_fields__)
    assert list(_Row._fields) + ["unhandled", "unused"] == names


def test_what_the_rules_share_makes_no_reference_cycle_through_the_project(tmp_path: Path) -> None:
    """The shared Judge's state and the other memos hold no reference back to the project: once
    the result is dropped, the project is freed at once (not left to the cyclic collector, which
    a large project keeps busy at exit)."""
    import gc
    import weakref
    root = write_project(tmp_path / "app", {"main.js": channels(20)})
    enabled = gc.isenabled()
    gc.disable()
    try:
        r = check([str(root)], use_cache=False, jobs=1)
        assert {"IPC005", "IPC006"} <= {f.rule for f in r.findings}
        project = weakref.ref(r.extra["project"])
        assert project() is not None and project().memo.judges  # type: ignore[union-attr]
        del r
        assert project() is None
    finally:
        if enabled:
            gc.enable()


def test_page_code_found_late_by_its_bridge_calls_keeps_the_graph(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A shared file that turns out to be page code (it calls the exposed API through an imported
    alias) changes role; the graph is not built again for it: only its edges' role changes."""
    import ipclint.link
    root = write_project(tmp_path / "app", {
        "preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
                      "contextBridge.exposeInMainWorld('electronAPI', {\n"
                      "  ping: (v) => ipcRenderer.send('ping', v),\n})\n",
        "src/bridge.ts": "export const api = window.electronAPI\n",
        "src/Clock.ts": "import { api } from './bridge'\nexport const tick = () => api.ping(1)\n"})
    builds = count_calls(monkeypatch, ipclint.link, "build_graph")
    rounds = count_calls(monkeypatch, ipclint.link, "link")
    r = check([str(root)], use_cache=False, jobs=1, need_project=True)
    project = r.extra["project"]
    assert not r.internal_error and project.roles["src/Clock.ts"].reason.endswith("through an imported alias")
    assert builds[0] == rounds[0]  # one build per round
    edges = [e for e in project.graph.edges if e.path == "src/Clock.ts"]
    assert edges and all(e.role.value == "renderer" for e in edges) and edges[0].receiver == "bridge"


def test_prefetch_asks_for_modules_only_when_some_file_is_not_parsed(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The handlers' callees and payloads are resolved while linking only to ask for the modules
    they reach; with every discovered file parsed there is none to ask for, and the findings are
    the same."""
    import importlib
    prefetch = importlib.import_module("ipclint.link.prefetch")  # (ipclint.link.prefetch is also the function)
    touched = count_calls(monkeypatch, prefetch, "_touch")
    alone = check([str(write_project(tmp_path / "one", {"main.js": channels(5)}))], use_cache=False, jobs=1)
    assert not alone.internal_error and touched[0] == 0
    # the same file beside one that is not parsed (it mentions no IPC): asked again
    two = check([str(write_project(tmp_path / "two", {"main.js": channels(5), "util.js": "export const x = 1\n"}))],
                use_cache=False, jobs=1)
    assert touched[0] > 0
    assert [(f.rule, f.path, f.span) for f in alone.findings] == [(f.rule, f.path, f.span) for f in two.findings]


def _wrapped(n: int) -> str:
    """``n`` handlers registered through one app wrapper that drops the event and validates nothing."""
    return (HEAD + "function handle(ch, fn) { ipcMain.handle(ch, (e, ...args) => fn(...args)) }\n"
            + "".join(f"handle('ch:{i}', (p{i}) => shell.openExternal(p{i}))\n" for i in range(n)))


def test_a_wrapper_is_read_once_however_many_handlers_it_registers(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What an app wrapper does around its handlers (validate them, hand them the event) is read
    once per wrapper: not again for each handler, each time through every call of its file."""
    validates = count_calls(monkeypatch, ipclint.link.handlers, "_function_validates")
    passing = count_calls(monkeypatch, ipclint.link.handlers, "_event_passing")
    for n in (10, 40):
        validates[0] = passing[0] = 0
        r = check([str(write_project(tmp_path / str(n), {"main.js": _wrapped(n)}))], use_cache=False, jobs=1,
                  select=["IPC006"])
        assert not r.internal_error and len(r.findings) == n
        assert validates[0] == passing[0] == 1, (n, validates, passing)


def port_pairs(n: int) -> str:
    return "const { ipcMain, MessageChannelMain } = require('electron')\n" + "".join(
        f"const {{ port1: a{i}, port2: b{i} }} = new MessageChannelMain()\na{i}.on('message', (e) => e.data)\n"
        f"ipcMain.on('p{i}', (e) => e.sender.postMessage('port:{i}', null, [b{i}]))\n" for i in range(n))


def test_port_listeners_read_each_transfer_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A port listener's channels come from the transfers that send its twin: each transfer of the
    file is read once (link/ports._sent_ports), not once per listener; the port edges are right."""
    import ipclint.link.ports as ports
    counts = []
    for n in (10, 40):
        seen = count_calls(monkeypatch, ports, "_local")
        r = check([str(write_project(tmp_path / f"p{n}", {"main.js": port_pairs(n)}))], use_cache=False, jobs=1)
        project = r.extra["project"]
        # listener i (line 3i + 2 after the blank first line) is on the channel its twin went on
        assert sorted((e.span.line, e.channel) for e in project.graph.edges if e.kind == "port") == \
            sorted((3 * i + 3, f"port:{i}") for i in range(n))
        counts.append(seen[0])
        monkeypatch.undo()
    assert counts[1] <= 4.5 * counts[0], counts  # linear (it was quadratic: about 16x for 4x the ports)


def _fresh_importers(project: Project) -> dict[str, set[str]]:
    """roles._importers as built from scratch: parsed files' imports from their facts, the others'
    from discovery's specifiers, test files left out (the reference for the kept graph)."""
    from ipclint.link.roles import imported_files, specifier_targets
    from ipclint.model.paths import is_test_path
    out: dict[str, set[str]] = {}
    for path in sorted(project.all_paths):
        if is_test_path(path):
            continue
        targets = imported_files(project, path) if path in project.files else specifier_targets(project, path)
        for t in targets:
            if t != path:
                out.setdefault(t, set()).add(path)
    return out


def test_the_import_graph_is_kept_between_rounds_and_equals_a_fresh_one(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Each round brings the import graph up to date for the files parsed since, instead of
    going over every discovered file again: the same graph, and work only for the new files."""
    import ipclint.link.roles as roles
    files = dict(ROUNDS_APP)
    # files linking never parses, importing one another and the parsed ones; a test file too
    for i in range(40):
        files[f"src/web/page{i}.ts"] = f"import './page{i + 1}'\nimport '../lib/check'\nexport const n{i} = {i}\n"
    files["src/main/tasks.test.ts"] = "import './tasks'\n"
    seen: list[tuple[int, dict[str, set[str]], dict[str, set[str]]]] = []
    targets = count_calls(monkeypatch, roles, "specifier_targets")
    inner = roles._importers

    def compared(project: Project) -> dict[str, set[str]]:
        before = targets[0]
        kept = inner(project)
        seen.append((targets[0] - before, {k: set(v) for k, v in kept.items() if v}, _fresh_importers(project)))
        return kept

    monkeypatch.setattr(roles, "_importers", compared)
    r = check([str(write_project(tmp_path / "app", files))], use_cache=False, jobs=1)
    assert not r.internal_error
    assert len(seen) >= 2  # rounds: the wrapper's callers and the constants are parsed later
    for _work, kept, fresh in seen:
        assert kept == {k: v for k, v in fresh.items() if v}
    first = seen[0][0]
    assert first >= 40  # the first round reads every unparsed file's specifiers ...
    assert all(work <= 5 for work, _kept, _fresh in seen[1:]), [w for w, _k, _f in seen]  # ... later ones only the new files'


def test_wrapper_callers_visit_only_the_importers_of_what_they_look_for(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The files the unparsed files import are indexed once a run (needs.ByteImports): each round
    asks for what an index built afresh for it gives, and reads the specifiers of no file again."""
    import ipclint.link.needs as needs
    import ipclint.link.roles as roles
    files = dict(ROUNDS_APP)
    for i in range(40):  # unparsed files that import one another and a parsed one, never the wrapper
        files[f"src/web/page{i}.ts"] = f"import './page{i + 1}'\nimport '../lib/check'\nexport const n{i} = {i}\n"
    for i in range(3):  # callers of the wrapper (parsed in the second round), in test code too
        files[f"src/main/job{i}.ts"] = f"import {{ onMessage }} from './wrap'\nonMessage('job:{i}', () => {i})\n"
    files["src/main/wrap.test.ts"] = "import { onMessage } from './wrap'\nonMessage('t', () => 0)\n"
    targets = count_calls(monkeypatch, roles, "specifier_targets")
    inner = needs.wrapper_callers
    seen: list[tuple[int, set[str], set[str]]] = []

    def compared(project: Project, imports: needs.ByteImports) -> set[str]:
        before = targets[0]
        asked = inner(project, imports)
        work = targets[0] - before
        seen.append((work, asked, inner(project, needs.ByteImports(imports.by_path))))
        return asked

    monkeypatch.setattr(needs, "wrapper_callers", compared)
    r = check([str(write_project(tmp_path / "app", files))], use_cache=False, jobs=1)
    assert not r.internal_error and len(seen) >= 2
    assert {"src/main/job0.ts", "src/main/wrap.test.ts"} <= seen[0][1]
    for _work, asked, fresh in seen:
        assert asked == fresh
    assert all(work == 0 for work, _asked, _fresh in seen[1:]), [w for w, _a, _f in seen]


def test_shared_files_are_judged_from_the_open_files_alone() -> None:
    """_propagate searches the import graph from the files whose role is open: the components it
    judges, and so every role it gives, are those of a search over every file (random graphs)."""
    import random

    from ipclint.link.roles import LEGACY_RENDERER, _components, _imported_by, _judge
    from ipclint.model import FileInfo, Role
    rng = random.Random(7)
    for trial in range(300):
        n = rng.randint(2, 30)
        nodes = [f"f{i:02d}" for i in range(n)]
        importers: dict[str, set[str]] = {}
        for _ in range(rng.randint(0, 3 * n)):
            a, b = rng.choice(nodes), rng.choice(nodes)
            if a != b:
                importers.setdefault(a, set()).add(b)
        roles: dict[str, FileInfo] = {}
        for p in nodes:
            pick = rng.random()
            if pick < 0.25:
                continue  # not parsed
            role = rng.choice([Role.MAIN, Role.PRELOAD, Role.RENDERER, Role.SHARED, Role.SHARED])
            reason = LEGACY_RENDERER if role is Role.RENDERER and pick > 0.9 else "evidence"
            roles[p] = FileInfo(p, role, reason)
        open_ = {p for p, i in roles.items() if i.role is Role.SHARED or i.reason == LEGACY_RENDERER}
        every = set(nodes) - set(roles) | open_
        full, searched = dict(roles), dict(roles)
        _judge(_components(sorted(every), every, importers), importers, full)
        comps = _components(sorted(open_), every, importers)
        _judge(comps, importers, searched)
        assert full == searched, trial
        imported = dict(roles)  # (searched among the files the open ones import)
        _judge(_components(sorted(open_), _imported_by(open_, every, importers), importers), importers, imported)
        assert full == imported, trial
        reached = {p for c in comps for p in c}
        assert open_ <= reached
    # a file no open file reaches is never visited
    assert _components(["a"], {"a", "b", "c"}, {"a": {"b"}, "c": {"a"}}) == [["b"], ["a"]]


def test_exposed_members_are_classified_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules and the graph view that ask for every exposed member share one reading of them
    (a preload exposing thousands of functions was classified once per asking rule)."""
    import ipclint.link.exposure as exposure
    n = 30
    preload = ("const { contextBridge, ipcRenderer } = require('electron')\n"
               "contextBridge.exposeInMainWorld('api', {\n"
               + "".join(f"  f{i}: (a) => ipcRenderer.invoke('ch:{i}', a),\n" for i in range(n)) + "})\n")
    main = ("const { BrowserWindow, ipcMain } = require('electron')\nconst path = require('path')\n"
            "new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'preload.js') } })\n"
            + "".join(f"ipcMain.handle('ch:{i}', (e, a) => a)\n" for i in range(n)))
    classified = [0]
    inner = exposure.classify_member

    def counted(project: Project, *args: Any) -> Any:
        classified[0] += project.frozen  # (linking classifies them for the graph too, with its wrappers)
        return inner(project, *args)

    monkeypatch.setattr(exposure, "classify_member", counted)
    r = check([str(write_project(tmp_path / "app", {"main.js": main, "preload.js": preload}))], use_cache=False,
              jobs=1)
    assert not r.internal_error
    assert classified[0] == n, classified  # each once (five rules asked for each before)


def _many_files_app() -> dict[str, str | bytes]:
    """ROUNDS_APP (two rounds) with 40 modules linking never parses and a test file."""
    files = dict(ROUNDS_APP)
    for i in range(40):
        files[f"src/web/page{i}.ts"] = f"import './page{i + 1}'\nimport '../lib/check'\nexport const n{i} = {i}\n"
    files["src/main/tasks.test.ts"] = "import './tasks'\n"
    return files


def test_linking_asks_whether_a_path_is_test_code_once_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linking and the rules ask of every discovered file whether it is test code, in several loops
    of every round: answered once per path (``Project.is_test``), not per question (joplin:
    25,000 questions about 2,250 paths, 3,600 left)."""
    import sys

    import ipclint.link
    import ipclint.model.paths
    import ipclint.rules  # (the modules whose names are counted below)
    asked: list[str] = []
    inner = ipclint.model.paths.is_test_path

    def counted(path: str) -> bool:
        asked.append(path)
        return inner(path)

    for name, module in list(sys.modules.items()):
        if name.startswith(("ipclint.link", "ipclint.rules")) and getattr(module, "is_test_path", None) is inner:
            monkeypatch.setattr(module, "is_test_path", counted)
    rounds = count_calls(monkeypatch, ipclint.link, "link")
    root = write_project(tmp_path / "app", _many_files_app())
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error and rounds[0] >= 2
    paths = len(list(root.rglob("*.ts")))
    # (each path once: the link modules and rules that kept their own loops, link/runorder.py,
    # prefetch.py, calls.py, IPC007, asked about once a round or once a call before)
    # (and module resolution's folders: `src/web/package.json`)
    assert len(asked) == len(set(asked)) <= paths + 4, (len(asked), paths)


def test_module_resolution_places_each_importer_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolving a file's specifiers finds its folder and the solution tsconfig project that
    includes it once, not per specifier; a package's module once per specifier, not per folder."""
    from ipclint.link.modules import ModuleResolver
    files: dict[str, str | bytes] = {
        "tsconfig.json": '{"files": [], "references": [{"path": "./a"}, {"path": "./b"}]}',
        "a/tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@a/*": ["src/*"]}}, "include": ["src"]}',
        "b/tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@b/*": ["src/*"]}}, "include": ["src"]}',
        "lib/package.json": '{"name": "@app/lib", "main": "index.ts"}',
        "lib/index.ts": "export const x = 1\n",
        "lib/util.ts": "export const y = 1\n",
        "a/src/main.ts": "import { ipcMain } from 'electron'\nimport { v } from './f0/m0'\nipcMain.handle('c', () => v)\n",
    }
    for side in ("a", "b"):
        for i in range(10):
            files[f"{side}/src/f{i}/m{i}.ts"] = "".join(
                f"import {{ v{j} }} from './m{j}'\n" for j in range(10)) + \
                "import { x } from '@app/lib'\nimport { y } from '@app/lib/util'\nexport const v = x + y\n"
    root = write_project(tmp_path / "app", files)
    places = count_calls(monkeypatch, ModuleResolver, "_tsconfig")
    modules = count_calls(monkeypatch, ModuleResolver, "_package_module")
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error
    importers = 21  # (and one tsconfig lookup per alias question, which is memoised)
    assert places[0] <= 5 * importers, places  # (was once per specifier and again per alias question: 350)
    assert modules[0] <= 2, modules  # (was once per importing folder: 40)


def test_shared_files_are_judged_among_the_files_they_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The components _propagate judges are searched among the files the open (shared) files
    import: the chain of 30 pages above a shared module, which imports nothing, is not visited."""
    import ipclint.link.roles as roles
    files: dict[str, str | bytes] = {
        "src/main.ts": "import { ipcMain } from 'electron'\nimport { x } from './shared'\nipcMain.handle('c', () => x)\n",
        "src/shared.ts": "export const x = 1\n",
        "src/web/p29.ts": "import { x } from '../shared'\nexport const y29 = x\n",
    }
    for i in range(29):
        files[f"src/web/p{i}.ts"] = f"import {{ y{i + 1} }} from './p{i + 1}'\nexport const y{i} = y{i + 1}\n"
    visited: list[int] = []
    inner = roles._components

    def counted(found: list[str], node_set: set[str], importers: dict[str, set[str]]) -> list[list[str]]:
        out = inner(found, node_set, importers)
        visited.append(sum(map(len, out)))
        return out

    monkeypatch.setattr(roles, "_components", counted)
    r = check([str(write_project(tmp_path / "app", files))], use_cache=False, jobs=1)
    project = r.extra["project"]
    assert not r.internal_error and "src/shared.ts" in project.files
    assert project.roles["src/shared.ts"].role.value == "shared"  # (a page imports it too)
    assert visited and max(visited) <= 2, visited  # (was the shared module and the 30 pages above it)


def test_a_later_round_derives_nothing_again_from_the_files_linked_before(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """What wrapper summaries read of one file's facts alone (the names its calls pass, whether a
    name is an enclosing function's parameter) is derived once a run: a later round derives it
    only for the files parsed since (and for questions not asked before)."""
    import ipclint.link
    root = write_project(tmp_path / "app", ROUNDS_APP)
    indexed: list[str] = []
    asked: list[tuple[str, int | None, str]] = []
    index, find = ipclint.link.wrappers._index_arg_refs, ipclint.link.wrappers._find_param_index

    def counted_index(by_name: Any, path: str, calls: Any) -> set[str]:
        indexed.append(path)
        return index(by_name, path, calls)

    def counted_find(project: Project, path: str, call: Any, v: Any) -> Any:
        asked.append((path, call.func, v.name))
        return find(project, path, call, v)

    rounds: list[tuple[set[str], int, int]] = []  # (files linked, files indexed, parameters found) by then
    link = ipclint.link.link

    def counted_link(root: Path, files: dict[str, Any], *args: Any, **kwargs: Any) -> Project:
        project = link(root, files, *args, **kwargs)
        rounds.append((set(files), len(indexed), len(asked)))
        return project

    monkeypatch.setattr(ipclint.link.wrappers, "_index_arg_refs", counted_index)
    monkeypatch.setattr(ipclint.link.wrappers, "_find_param_index", counted_find)
    monkeypatch.setattr(ipclint.link, "link", counted_link)
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error and len(rounds) == 2
    (first, indexed_first, asked_first), (second, _, asked_second) = rounds
    assert indexed_first == len(first) and sorted(indexed[indexed_first:]) == sorted(second - first)
    assert asked_first > 0 and asked_second - asked_first < asked_first
    assert len(asked) == len(set(asked)), asked  # (each question once a run)


def test_a_later_round_tests_only_the_resolutions_that_reached_an_unparsed_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Resolution.carried`` keeps the resolutions that reached no unparsed file as they are (the
    same dict, not a copy of every entry) and tests only the open ones."""
    import ipclint.link
    root = write_project(tmp_path / "app", ROUNDS_APP)
    seen: list[tuple[int, int, int]] = []  # (id of the resolutions' dict, entries, open entries)
    link = ipclint.link.link

    def counted_link(*args: Any, **kwargs: Any) -> Project:
        project = link(*args, **kwargs)
        memo = project.memo
        seen.append((id(memo.resolved), len(memo.resolved), len(set(memo.open_resolved))))
        assert set(memo.open_resolved) == {k for k, e in memo.resolved.items() if e[2] or e[4]}
        return project

    monkeypatch.setattr(ipclint.link, "link", counted_link)
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error and len(seen) == 2
    (first, entries, opened), (second, _, _) = seen
    assert first == second and 0 < opened < entries, seen


def test_a_page_calls_exposed_functions_are_read_once_per_function_and_round(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page call of an exposed function makes the function's own fixed-channel IPC calls
    edges at the call: the function's calls are classified once a round, however many page calls
    it has (``graph._fixed_bridge_edges``; zettlr: 343 page calls of 8 functions)."""
    import sys

    import ipclint.link
    graph = sys.modules["ipclint.link.graph"]
    reads = count_calls(monkeypatch, graph, "_fixed_ops_inside")
    rounds = count_calls(monkeypatch, ipclint.link, "link")
    counts = []
    for n in (3, 30):
        reads[0] = rounds[0] = 0
        root = write_project(tmp_path / f"app{n}", {
            "preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
                          "contextBridge.exposeInMainWorld('api', {\n"
                          "  save: (v) => ipcRenderer.send('save', v),\n"
                          "  load: () => ipcRenderer.invoke('load'),\n})\n",
            "src/page.js": "".join(f"window.api.save({i})\nwindow.api.load()\n" for i in range(n))})
        r = check([str(root)], use_cache=False, jobs=1, need_project=True)
        assert not r.internal_error
        bridged = [e for e in r.extra["project"].graph.edges if e.path == "src/page.js" and e.bridged]
        assert len(bridged) == 2 * n  # (each page call is its edge)
        counts.append((reads[0], rounds[0]))
    assert counts[0] == counts[1] == (2 * counts[0][1], counts[0][1]), counts  # (two functions, each once a round)


def test_typed_channel_sites_index_a_files_arguments_once_a_run(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a channel literal sits among a file's call arguments is found from an index of the
    arguments' spans made once a run per file (``FileMemo.arg_spans``), not by a pass over every
    argument of the file in every round."""
    import sys

    import ipclint.link
    types = sys.modules["ipclint.link.types"]
    built: list[str] = []
    asked: list[str] = []
    index = types._arg_spans

    def counted(project: Project, path: str, f: Any) -> Any:
        asked.append(path)
        if path not in project.file_memo.arg_spans:
            built.append(path)
        return index(project, path, f)

    monkeypatch.setattr(types, "_arg_spans", counted)
    rounds = count_calls(monkeypatch, ipclint.link, "link")
    r = check([str(write_project(tmp_path / "app", ROUNDS_APP))], use_cache=False, jobs=1)
    assert not r.internal_error and rounds[0] == 2
    assert built and len(built) == len(set(built)), built  # (each file once, in the first round it is asked)
    assert len(asked) > len(built), asked  # (and asked again in the second round)


def test_wrapper_summaries_summarise_each_call_once_a_round(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixpoint over wrapper calls (a wrapper of a wrapper of ...) summarises each call of a
    wrapper once for each of its summaries, not again in every later pass of the fixpoint
    (``wrappers.summarise``)."""
    import ipclint.link
    chain = "".join(f"function on{i + 1}(ch, fn) {{ on{i}(ch, fn) }}\n" for i in range(1, 5))
    root = write_project(tmp_path / "app", {"main.js": "const { ipcMain } = require('electron')\n"
                                            "function on1(ch, fn) { ipcMain.on(ch, fn) }\n" + chain
                                            + "function setup() { on5('a', () => 1); on5('b', () => 2) }\nsetup()\n"})
    made: list[tuple[str, int, int]] = []
    add = ipclint.link.wrappers._add_summary

    def counted(project: Project, wrappers: Any, path: str, call: Any, op: Any, inner: Any, chain: Any) -> bool:
        made.append((path, call.index, id(inner)))
        out: bool = add(project, wrappers, path, call, op, inner, chain)
        return out

    monkeypatch.setattr(ipclint.link.wrappers, "_add_summary", counted)
    rounds = count_calls(monkeypatch, ipclint.link, "link")
    r = check([str(root)], use_cache=False, jobs=1, need_project=True)
    project = r.extra["project"]
    assert not r.internal_error and rounds[0] == 1
    assert sorted(e.channel for e in project.graph.edges if e.kind == "on") == ["a", "b"]
    assert len(made) == len(set(made)), made  # (17 summaries of these 7 before: each pass again)


def test_a_files_record_indexes_are_made_once_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The indexes of a file's records by function and by span (from its facts alone) are made once
    a run and read by every round (``FileMemo``), not made again for each round's project."""
    import sys

    import ipclint.link
    senders = sys.modules["ipclint.link.senders"]
    asked: dict[str, list[tuple[int, str]]] = {"calls_in": [], "by_function": [], "calls_by_name": []}  # (round, path)
    built: dict[str, list[str]] = {name: [] for name in asked}
    calls_in, function_index, calls_named = Project.calls_in, senders.function_index, Project._calls_named

    def counted_calls_in(project: Project, path: str, fid: int | None) -> Any:
        asked["calls_in"].append((rounds[0], path))
        if path not in project.file_memo.calls_in:
            built["calls_in"].append(path)
        return calls_in(project, path, fid)

    def counted_calls_named(project: Project, path: str, f: Any, name: str) -> Any:
        asked["calls_by_name"].append((rounds[0], path))
        if path not in project.file_memo.calls_by_name:
            built["calls_by_name"].append(path)
        return calls_named(project, path, f, name)

    def counted_index(project: Project, path: str) -> Any:
        asked["by_function"].append((rounds[0], path))
        if path not in project.file_memo.by_function:
            built["by_function"].append(path)
        return function_index(project, path)

    rounds = count_calls(monkeypatch, ipclint.link, "link")
    monkeypatch.setattr(Project, "calls_in", counted_calls_in)
    monkeypatch.setattr(Project, "_calls_named", counted_calls_named)
    monkeypatch.setattr(senders, "function_index", counted_index)
    for module in list(sys.modules.values()):  # (the modules that imported it by name)
        if getattr(module, "__name__", "").startswith("ipclint.") and getattr(module, "function_index", None) \
                is function_index:
            monkeypatch.setattr(module, "function_index", counted_index)
    r = check([str(write_project(tmp_path / "app", ROUNDS_APP))], use_cache=False, jobs=1)
    assert not r.internal_error and rounds[0] == 2
    for name in asked:
        assert built[name] and len(built[name]) == len(set(built[name])), (name, built[name])  # (each file once)
        first = {path for n, path in asked[name] if n == 1}
        again = first & {path for n, path in asked[name] if n == 2}
        assert again or name == "calls_by_name", name  # (asked again by the second round; the parameters here
        # are resolved once, their resolutions carried)


def test_a_loops_module_table_is_read_once_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `require` calls of a loop over a table of modules (``roles.loop_requires``) are found
    once per file for the run, however many method calls ask whether they call a module's method."""
    import ipclint.link.roles as roles
    tools = {f"src/tools/t{i}.js": ("class T { init(config, ipc) { this.ipc = ipc; this.ipc.send('t:" + str(i)
                                    + "') } }\nmodule.exports = new T()\n") for i in range(6)}
    table = ", ".join(f"{{ path: './tools/t{i}' }}" for i in range(6))
    preload = ("const { ipcRenderer } = require('electron')\n"
               f"const TOOLS = [{table}]\n"
               "for (const tool of TOOLS) {\n  const m = require(tool.path)\n"
               + "".join(f"  m.init({{ n: {j} }}, ipcRenderer)\n" for j in range(40)) + "}\n")
    main = ("const { app, BrowserWindow, ipcMain } = require('electron')\n"
            "app.whenReady().then(() => { new BrowserWindow({ webPreferences: { preload: __dirname + '/preload.js' } }) })\n"
            + "".join(f"ipcMain.on('t:{i}', () => {{}})\n" for i in range(6)))
    files = {"package.json": '{"main": "src/main.js", "devDependencies": {"electron": "31.0.0"}}',
             "src/main.js": main, "src/preload.js": preload, **tools}
    seen = count_calls(monkeypatch, roles, "_loop_requires")
    r = check([str(write_project(tmp_path / "p", files))], use_cache=False, jobs=1)
    assert not r.internal_error
    assert seen[0] <= len(files) - 1  # once per source file (import targets ask for every file)
    assert not [f for f in r.findings if f.rule == "IPC011"]  # every tool's send reached its handler

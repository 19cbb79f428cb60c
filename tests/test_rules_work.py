"""Work the rules do once instead of again, counted (never timed)."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import pytest

from ipclint.engine import check
from tests.helpers import count_calls, write_project


def _exposing(n: int) -> dict[str, str | bytes]:
    """A preload exposing ``n`` functions that subscribe with a wrapper and ``n`` that remove
    another channel's listeners: every subscription is judged against every remover."""
    subs = "".join(f"  on{i}: (cb) => {{ ipcRenderer.on('ch{i}', (_e, ...a) => cb(...a)) }},\n" for i in range(n))
    offs = "".join(f"  off{i}: () => {{ ipcRenderer.removeAllListeners('other{i}') }},\n" for i in range(n))
    return {"src/preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
                              f"contextBridge.exposeInMainWorld('api', {{\n{subs}{offs}}})\n"}


def test_listener_leak_finds_an_exposures_removals_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """IPC004 judges each wrapped subscription of an exposure against the removals of the other
    exposed functions: those are found once per exposure, not again per subscription."""
    import importlib
    leak = importlib.import_module("ipclint.rules.listener_leak")  # (the package names the rule so)
    seen = count_calls(monkeypatch, leak, "ipc_ops")
    counts = []
    for n in (10, 40):
        seen[0] = 0
        r = check([str(write_project(tmp_path / f"app{n}", _exposing(n)))], use_cache=False, jobs=1, select="IPC004")
        assert len([f for f in r.findings if "wrapped callback" in f.message]) == n
        counts.append(seen[0])
    assert counts[1] <= 4 * counts[0] + 10, counts  # linear: four times the functions, four times the calls


def _code_of(module: str, name: str) -> list[CodeType]:
    """The code of a function (or of a rule's check) and of the comprehensions and lambdas inside it."""
    import importlib
    found: Any = importlib.import_module(module)
    for part in name.split("."):  # (a method: Class.name)
        found = getattr(found, part)
    todo = [getattr(found, "check", found).__code__]
    out: list[CodeType] = []
    while todo:
        code = todo.pop()
        out.append(code)
        todo.extend(c for c in code.co_consts if isinstance(c, CodeType))
    return out


def _lines_run(functions: list[tuple[str, str]], root: Path) -> int:
    """The lines the given functions (module, name) run while the project at ``root`` is checked:
    the iterations of their loops, counted."""
    codes = {c for m, name in functions for c in _code_of(m, name)}
    lines = [0]

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            lines[0] += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code in codes else None

    sys.settrace(tracer)
    try:
        r = check([str(root)], use_cache=False, jobs=1)
    finally:
        sys.settrace(None)
    assert not r.internal_error and r.findings
    return lines[0]


_LOOPS_OF_EXPOSED = [("ipclint.link.graph", "_fixed_ops_inside"), ("ipclint.link.exposure", "_loose_channel"),
                     ("ipclint.link.exposure", "member_calls"), ("ipclint.link.powers", "_forwards_to_sink"),
                     ("ipclint.rules.leak_ipc_event", "_forwards_event")]


def _bridged(n: int) -> dict[str, str | bytes]:
    """A preload exposing ``n`` functions that invoke a channel and ``n`` that subscribe to one, a
    page calling them all, and main handling and sending each channel."""
    exposed = "".join(f"  f{i}: (v) => ipcRenderer.invoke('b{i}', v),\n"
                      f"  on{i}: (cb) => ipcRenderer.on('e{i}', (_e, ...a) => cb(...a)),\n" for i in range(n))
    return {
        "src/preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
                          f"contextBridge.exposeInMainWorld('api', {{\n{exposed}}})\n",
        "src/renderer.js": "".join(f"window.api.f{i}({i})\nwindow.api.on{i}((x) => console.log(x))\n" for i in range(n)),
        "src/main.js": "const { ipcMain, BrowserWindow } = require('electron')\n"
                       "const win = new BrowserWindow({ webPreferences: { preload: 'preload.js' } })\n"
                       + "".join(f"ipcMain.handle('b{i}', (e, v) => v)\nwin.webContents.send('e{i}', {i})\n"
                                 for i in range(n)),
        "src/index.html": "<script src='renderer.js'></script>\n"}


def test_an_exposed_function_is_read_from_its_own_calls(tmp_path: Path) -> None:
    """The questions asked of each exposed function (its fixed IPC calls, a channel it lets the page
    choose, the powers and the event it hands on, its IPC calls in the graph view) read the calls
    of that function, not every call of the preload each time: the lines these loops run grow
    with the exposed functions, not with their square."""
    counts = [_lines_run(_LOOPS_OF_EXPOSED, write_project(tmp_path / f"app{n}", _bridged(n))) for n in (10, 40)]
    assert 0 < counts[1] <= 5 * counts[0], counts  # four times the functions: about four times the lines


def _replying(n: int) -> dict[str, str | bytes]:
    """``n`` main-process listeners that answer with `event.reply`."""
    return {"main.js": "const { ipcMain } = require('electron')\n" + "".join(
        f"ipcMain.on('r{i}', (event, a) => {{ event.reply('r{i}:done', a) }})\n" for i in range(n))}


def test_a_listener_is_read_from_its_own_calls(tmp_path: Path) -> None:
    """The answers a listener sends (IPC015) and whether it relays to a class's own listeners are
    read from the listener's calls, not from every call of its file for each listener."""
    loops = [("ipclint.link.replies", "answers"), ("ipclint.link.wrappers", "relay_classes")]
    counts = [_lines_run(loops, write_project(tmp_path / f"app{n}", _replying(n))) for n in (10, 40)]
    assert 0 < counts[1] <= 5 * counts[0], counts  # four times the listeners: about four times the lines


def _answering_in_place(n: int) -> dict[str, str | bytes]:
    """``n`` sync listeners, each with its own locals, a property write and `event.returnValue`."""
    return {"main.js": "const { ipcMain } = require('electron')\nconst state = {}\n" + "".join(
        f"ipcMain.on('c{i}', (event, a) => {{ const s = event.sender; const v = String(a).trim(); state.k{i} = v; "
        f"s.send('c{i}:ok', v); event.returnValue = v }})\n" for i in range(n))}


def test_a_listener_is_read_from_its_own_assignments_and_bindings(tmp_path: Path) -> None:
    """`event.returnValue` (IPC009, IPC015, IPC020) and the sender under a local name (IPC015) are
    looked for among the listener's own assignments and bindings, not every one of its file."""
    loops = [("ipclint.rules.sync_ipc", "_return_value_hits"), ("ipclint.link.replies", "sets_return_value"),
             ("ipclint.link.replies", "_with_locals"), ("ipclint.rules.large_payload", "large_payload")]
    counts = [_lines_run(loops, write_project(tmp_path / f"app{n}", _answering_in_place(n))) for n in (10, 40)]
    assert 0 < counts[1] <= 5 * counts[0], counts  # four times the listeners: about four times the lines


def _assigned_later(n: int) -> dict[str, str | bytes]:
    """``n`` handlers returning a variable declared without a value and assigned a whole file."""
    return {"main.js": "const { ipcMain } = require('electron')\nconst fs = require('fs')\n" + "".join(
        f"ipcMain.handle('g{i}', (e, q) => {{ let out; out = fs.readFileSync('/d/' + q); return out }})\n"
        for i in range(n))}


def test_the_assignments_of_a_variable_are_found_from_an_index(tmp_path: Path) -> None:
    """IPC020 follows a variable declared without a value to its assignments (`let out; out =
    read()`): found by name in an index made once per file, not by a pass over every assignment
    of the file for each variable."""
    loops = [("ipclint.link.filedata", "FileData._assigned")]
    counts = [_lines_run(loops, write_project(tmp_path / f"app{n}", _assigned_later(n))) for n in (10, 40)]
    assert 0 < counts[1] <= 5 * counts[0], counts  # four times the handlers: about four times the lines


def _wrapped_beside_unparsed(n: int) -> dict[str, str | bytes]:
    """``n`` handlers registered through one app wrapper, beside a file that is not parsed (so
    linking asks for the modules the handlers' calls reach)."""
    return {"main.js": "const { ipcMain, shell } = require('electron')\n"
                       "function handle(ch, fn) { ipcMain.handle(ch, (e, ...args) => fn(...args)) }\n"
                       + "".join(f"handle('ch{i}', (p{i}) => shell.openExternal(p{i}))\n" for i in range(n)),
            "util.js": "export const x = 1\n"}


def test_prefetch_resolves_a_wrappers_calls_once(tmp_path: Path) -> None:
    """Linking resolves the calls of the wrapper a handler is registered through once per wrapper,
    from the wrapper's own calls: not again for each handler, through every call of its file."""
    loops = [("ipclint.link.prefetch", "_handler_calls")]
    counts = [_lines_run(loops, write_project(tmp_path / f"app{n}", _wrapped_beside_unparsed(n))) for n in (10, 40)]
    assert 0 < counts[1] <= 5 * counts[0], counts  # four times the handlers: about four times the lines


def _mounted(n: int, unmount: bool) -> dict[str, str | bytes]:
    """A component's setup subscribing in ``n`` onMounted hooks (and removing in onBeforeUnmount)."""
    subs = "".join(f"    onMounted(() => ipcRenderer.on('c{i}', (e, v) => v))\n" for i in range(n))
    off = "    onBeforeUnmount(() => ipcRenderer.removeAllListeners())\n" if unmount else ""
    return {"src/renderer/Panel.js": "import { onMounted, onBeforeUnmount } from 'vue'\n"
                                     "import { ipcRenderer } from 'electron'\n"
                                     f"export default {{\n  setup() {{\n{subs}{off}  }}\n}}\n"}


@pytest.mark.parametrize("unmount", [False, True])
def test_listener_leak_finds_a_setups_unmount_hooks_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          unmount: bool) -> None:
    """IPC004 looks for the unmount hooks beside each mount hook among the calls of the component's
    setup: once per setup, not once per mount hook (3,000 hooks took 10 s)."""
    import importlib
    leak = importlib.import_module("ipclint.rules.listener_leak")
    counts, found = [], []
    for n in (10, 40):
        seen = [0]
        real = leak.callee_name

        def counted(v: Any, _real: Any = real, _seen: list[int] = seen) -> Any:
            _seen[0] += 1
            return _real(v)

        monkeypatch.setattr(leak, "callee_name", counted)
        r = check([str(write_project(tmp_path / f"p{n}{unmount}", _mounted(n, unmount)))], use_cache=False, jobs=1,
                  select="IPC004")
        monkeypatch.undo()
        counts.append(seen[0])
        found.append(len([f for f in r.findings if f.rule == "IPC004"]))
    assert found == ([0, 0] if unmount else [10, 40])
    assert counts[1] <= 5 * counts[0], counts


def _busy_main(n: int) -> dict[str, str | bytes]:
    """A main process whose handler is registered in a window function called from two places, beside
    ``n`` project functions called (and passed as callbacks) everywhere else."""
    helpers = "".join(f"export function helper{i}(x) {{ return helper{max(i - 1, 0)}(x) + store.get{i}() }}\n"
                      for i in range(n))
    uses = "".join(f"  helper{i}(1); [1].forEach(helper{i})\n" for i in range(n))
    return {
        "package.json": '{"name": "t", "main": "src/main.mjs", "devDependencies": {"electron": "31.0.0"}}',
        "src/helpers.mjs": f"import {{ store }} from './store.mjs'\n{helpers}",
        "src/store.mjs": "export const store = {}\n",
        "src/main.mjs": "import { app, ipcMain } from 'electron'\nimport * as h from './helpers.mjs'\n"
                        "import { helper0 } from './helpers.mjs'\n"
                        "function createWindow() { ipcMain.handle('open', () => 1) }\n"
                        f"function busy() {{\n{uses.replace('helper', 'h.helper')}}}\n"
                        "app.whenReady().then(() => { createWindow(); busy(); helper0(2) })\n"
                        "app.on('activate', () => createWindow())\n",
    }


def test_duplicate_handler_resolves_only_the_calls_that_can_reach_the_functions_it_asks_about(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """IPC012 asks who calls a few functions (the one registering the handler, the callbacks around
    it): it resolves the calls written with the names those functions are reached by, not the
    callee of every call of the project (``link.calls.callers``)."""
    from ipclint.link import calls
    resolved = count_calls(monkeypatch, calls, "callee_function")
    counts = []
    for n in (20, 80):
        resolved[0] = 0
        r = check([str(write_project(tmp_path / f"app{n}", _busy_main(n)))], use_cache=False, jobs=1, select="IPC012")
        assert [f.message for f in r.findings] == [
            "ipcMain.handle for 'open' is registered in code that can run more than once "
            "(it runs on every 'activate' event); the second registration throws"]
        counts.append(resolved[0])
    assert counts[1] <= counts[0] <= 10, counts  # (the whole index resolved 24 and 84)


def _options_main(n: int) -> dict[str, str | bytes]:
    """A main process with ``n`` object literals passed to calls and bound to names, ``n`` calls of
    globals, and one window whose options reach its constructor through a call we cannot follow."""
    objs = "".join(f"const opts{i} = {{ a: {{ b: [{i}] }} }}\nlog{i}({{ c: {{ d: {i} }} }}, opts{i})\n" for i in range(n))
    return {
        "package.json": '{"name": "t", "main": "main.js", "devDependencies": {"electron": "31.0.0"}}',
        "main.js": "const { BrowserWindow } = require('electron')\nconst remote = require('@electron/remote/main')\n"
                   f"{objs}const win = new BrowserWindow(decorate({{ webPreferences: {{ sandbox: false }} }}))\n"
                   "remote.enable(win.webContents)\n",
    }


def test_insecure_webpreferences_reads_the_option_objects_linking_found(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """IPC013's loose options are the `webPreferences` values of the objects linking's walk for
    preload scripts found once per file (``roles.option_values``), not a second walk of every call's
    arguments and binding; and `remote.enable(...)` is looked for among the calls by `enable` and by
    the names the file binds, not tested at every call of a global."""
    from ipclint.link import roles, webprefs
    walked, tested = [0], [0]
    walk_values, may_be_remote = roles._walk_values, webprefs._may_be_remote

    def counted_walk(roots: list[Any]) -> Any:
        for v in walk_values(roots):
            walked[0] += 1
            yield v

    def counted_test(*args: Any) -> bool:
        tested[0] += 1
        return may_be_remote(*args)

    monkeypatch.setattr(roles, "_walk_values", counted_walk)
    monkeypatch.setattr(webprefs, "_may_be_remote", counted_test)
    root = write_project(tmp_path / "app", _options_main(60))
    nodes = {}
    for select in ("IPC003", "IPC013"):
        walked[0] = tested[0] = 0
        r = check([str(root)], use_cache=False, jobs=1, select=select)
        assert not r.internal_error
        nodes[select] = walked[0]
    assert sorted(f.message for f in r.findings) == [
        "@electron/remote is enabled for win.webContents: its page can reach every main-process module",
        "sandbox: false removes the IPC boundary"]
    assert nodes["IPC013"] == nodes["IPC003"] > 60 * 4, nodes  # (walked twice: 2x)
    assert tested[0] == 1, tested  # (every call: 62)


def test_unhandled_channel_lists_the_page_code_it_searches_once(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """IPC010 searches the page code's bytes for each pushed channel nothing listens on: the files
    to search are listed once per app (``calls.page_code_paths``), not again for every channel."""
    from ipclint.link import calls
    unhandled_channel = importlib.import_module("ipclint.rules.unhandled_channel")
    listed = count_calls(monkeypatch, calls, "page_code_paths")
    monkeypatch.setattr(unhandled_channel, "page_code_paths", calls.page_code_paths, raising=False)
    sends = "".join(f"win.webContents.send('push:{i}', {i})\n" for i in range(30))
    root = write_project(tmp_path / "app", {
        "main.js": "const { BrowserWindow } = require('electron')\n"
                   "const win = new BrowserWindow({ webPreferences: { preload: 'preload.js' } })\n" + sends,
        "preload.js": "const { ipcRenderer } = require('electron')\nipcRenderer.on('other', () => {})\n",
    })
    r = check([str(root)], use_cache=False, jobs=1, select="IPC010")
    assert not r.internal_error and len(r.findings) == 30, [f.message for f in r.findings]
    assert listed[0] == 1, listed  # (once per channel: 30)


def test_duplicate_handler_tests_each_call_once_for_functions_that_share_a_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Functions that share a name (a method `init` on each of ``k`` classes) are reached by the
    same calls: ``callers`` tests and resolves each of those calls once for all of them
    (``CallersMemo.targets``), not once per function asked about (k * k; zettlr: 4,017 tests of
    260 calls)."""
    from ipclint.link import calls
    from ipclint.link.project import Project
    tests = count_calls(monkeypatch, calls, "may_call_project_function")
    counts = []
    for k in (4, 16):
        classes = "".join(f"class C{i} {{ init() {{ ipcMain.on('c{i}', () => {i}) }} }}\n" for i in range(k))
        made = "".join(f"new C{i}().init()\n" for i in range(k))
        root = write_project(tmp_path / f"app{k}", {"main.js": "const { ipcMain } = require('electron')\n"
                                                    + classes + made}, main="main.js")
        project = check([str(root)], use_cache=False, jobs=1, need_project=True, select="IPC001").extra["project"]
        assert isinstance(project, Project)
        inits = [fid for fid, fn in enumerate(project.files["main.js"].functions) if (fn.name or "").endswith(".init")]
        assert len(inits) == k
        tests[0] = 0
        found = [calls.callers(project, "main.js", fid) for fid in inits]
        assert [[c.callee.text for _p, c in sites] for sites in found] == [[f"new C{i}().init"] for i in range(k)]
        counts.append(tests[0])
    assert counts == [4, 16], counts  # (16 and 256 before)


def test_the_strings_page_code_writes_are_found_by_one_walk_of_each_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """IPC010 and IPC011 ask which strings the code of some roles (of some app) writes, for each
    set of roles and app they judge: each file's values are walked once for all of them
    (``calls._written_strings``), not once per question."""
    from ipclint.link import calls, roles
    from ipclint.link.project import Project
    root = write_project(tmp_path / "app", {
        "preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
                      "contextBridge.exposeInMainWorld('api', { send: (ch) => ipcRenderer.send(ch) })\n",
        "src/a.js": "import { NAMES } from './names'\nwindow.api.send('a:one')\nconst x = NAMES.TWO\n",
        "src/b.js": "window.api.send('b:one')\n",
        "src/names.js": "export const NAMES = { TWO: 'a:two' }\n"})
    project = check([str(root)], use_cache=False, jobs=1, need_project=True).extra["project"]
    assert isinstance(project, Project)
    walks = count_calls(monkeypatch, roles, "_walk_values")
    asked = [frozenset({"renderer"}), frozenset({"renderer", "preload"}), frozenset({"preload"})]
    found = [calls.mentioned_strings(project, r, app) for r in asked for app in (None, "")]
    assert {"a:one", "b:one"} <= found[0]
    page = [p for p in project.files if project.role(p).value in ("renderer", "preload")]
    assert len(page) >= 2 and walks[0] == len(page), walks  # (each page file once for the 6 questions)

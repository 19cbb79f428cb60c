"""The engine: what is parsed, caching, explicit files, the CLI's graph and rule commands."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipclint.cli import run
from ipclint.engine import check
from ipclint.link.roles import TEST_UNPARSED
from ipclint.output.words import finding_dict
from tests.helpers import write_project

APP = {
    "src/main/index.js": """
        const { app, ipcMain, BrowserWindow } = require('electron')
        const path = require('path')
        const { CH } = require('../shared/channels')
        ipcMain.handle(CH.SAVE, (_e, v) => v)
        app.whenReady().then(() => new BrowserWindow({ webPreferences: { preload: path.join(__dirname, '../preload/index.js') } }))
        """,
    "src/shared/channels.js": "module.exports = { CH: { SAVE: 'file:save' } }\n",
    "src/preload/index.js": """
        const { contextBridge, ipcRenderer } = require('electron')
        contextBridge.exposeInMainWorld('api', { save: (v) => ipcRenderer.invoke('file:sav', v) })
        """,
    "src/renderer/app.js": "export function onClick() { return window.api.save(1) }\n",
    "src/renderer/unrelated.js": "export const add = (a, b) => a + b\n",
}


def test_only_files_that_can_matter_are_parsed(tmp_path: Path) -> None:
    root = write_project(tmp_path, APP)
    r = check([str(root)], use_cache=False, jobs=1)
    assert r.extra["parsed"] == 4
    assert r.files.analysed == 5
    parsed = sorted(p.path for p in r.roles if not p.reason.startswith("not parsed"))
    assert parsed == ["src/main/index.js", "src/preload/index.js", "src/renderer/app.js", "src/shared/channels.js"]
    # every file has a role, also those never parsed
    assert [(p.path, p.role.value) for p in r.roles if p.reason.startswith("not parsed")] == [
        ("src/renderer/unrelated.js", "shared")]
    assert [(f.rule, f.path, f.span.line) for f in r.findings if f.rule == "IPC010"] == [
        ("IPC010", "src/preload/index.js", 2)]
    assert "did you mean 'file:save'" in next(f.message for f in r.findings if f.rule == "IPC010")



TESTED_APP = {
    "src/main/index.ts": """
        import { ipcMain } from 'electron'
        ipcMain.handle('app:save', (_e, v) => v)
        """,
    "src/main/wrap.ts": """
        import { ipcMain } from 'electron'
        export function onCall(channel: string, fn: (...a: unknown[]) => unknown) { ipcMain.handle(channel, fn) }
        """,
    "src/preload/index.ts": """
        import { contextBridge, ipcRenderer } from 'electron'
        contextBridge.exposeInMainWorld('api', {
          save: (v: unknown) => ipcRenderer.invoke('app:save', v),
          probe: () => ipcRenderer.invoke('test:probe'),
          stub: () => ipcRenderer.invoke('test:stub'),
        })
        """,
    # test code naming Electron alone: nothing it does is IPC, so it is not parsed
    "e2e/launch.spec.ts": """
        import { _electron as electron } from 'playwright'
        test('starts', async () => { const app = await electron.launch({ args: ['.'] }); await app.close() })
        """,
    "src/main/index.test.ts": "jest.mock('electron')\ntest('loads', () => { require('./index') })\n",
    # test code that mocks and inspects the IPC names but reads no IPC method: nothing it adds
    "src/main/ipc.test.ts": """
        import { ipcMain } from 'electron'
        jest.mock('electron')
        test('registers', () => { require('./index'); expect(jest.mocked(ipcMain)).toBeDefined() })
        """,
    # test code that sends (optional chaining, type arguments): parsed, its send counts as a use
    "src/renderer/page.test.ts": """
        import { ipcRenderer } from 'electron'
        test('asks', async () => { await ipcRenderer?.invoke<string>('test:asked') })
        """,
    # test code that registers a handler: parsed, the channel counts as handled (SPEC: test code)
    "e2e/probe.spec.ts": """
        import { ipcMain } from 'electron'
        ipcMain.handle('test:probe', () => 'ok')
        """,
    # test code that names Electron alone but registers through the app's wrapper: found by its import
    "tests/stub.test.ts": """
        import 'electron'
        import { onCall } from '../src/main/wrap'
        onCall('test:stub', () => 'stubbed')
        """,
}


def test_test_code_that_names_electron_alone_is_not_parsed(tmp_path: Path) -> None:
    root = write_project(tmp_path, TESTED_APP)
    r = check([str(root)], use_cache=False, jobs=1)
    reasons = {p.path: p.reason for p in r.roles}
    assert reasons["e2e/launch.spec.ts"] == reasons["src/main/index.test.ts"] == reasons["src/main/ipc.test.ts"] \
        == TEST_UNPARSED
    assert not reasons["e2e/probe.spec.ts"].startswith("not parsed")
    assert not reasons["tests/stub.test.ts"].startswith("not parsed")
    assert not reasons["src/renderer/page.test.ts"].startswith("not parsed")
    assert r.extra["parsed"] == 6
    sends = [(e.path, e.channel) for e in r.extra["project"].graph.edges if e.kind == "invoke"]
    assert ("src/renderer/page.test.ts", "test:asked") in sends
    # both channels only tests handle count as handled: no IPC010
    assert [(f.rule, f.path) for f in r.findings if f.rule == "IPC010"] == []


def test_test_code_calling_a_registering_function_is_not_asked_for(tmp_path: Path) -> None:
    """An importer of a module whose function registers handlers is parsed (a second call
    registers them again: IPC012), but not when it is test code, whose calls do not count."""
    root = write_project(tmp_path, {
        "src/main/index.js": """
            const { app } = require('electron')
            const { register } = require('./handlers')
            app.whenReady().then(register)
            require('./again')
            """,
        "src/main/handlers.js": """
            const { ipcMain } = require('electron')
            function register() { ipcMain.handle('data:get', () => 1) }
            module.exports = { register }
            """,
        "src/main/again.js": "const { register } = require('./handlers')\nregister()\n",
        "test/handlers.test.js": "const { register } = require('../src/main/handlers')\ntest('r', () => register())\n",
    }, main="src/main/index.js")
    r = check([str(root)], use_cache=False, jobs=1)
    reasons = {p.path: p.reason for p in r.roles}
    assert not reasons["src/main/again.js"].startswith("not parsed")
    assert reasons["test/handlers.test.js"].startswith("not parsed")
    assert [(f.rule, f.path, f.span.line) for f in r.findings if f.rule == "IPC012"] == [("IPC012", "src/main/handlers.js", 2)]


@pytest.mark.parametrize("code, names", [
    ("import { app } from 'electron'", True), ('const { shell } = require("electron")', True),
    ("const e = require(`electron`)", True), ("const { app } = await import('electron/main')", True),
    ("import { getCurrentWindow } from '@electron/remote'", True), ("import Store from 'electron-store'", True),
    ("electron.remote.getCurrentWindow()", True), ("const s = electron?.shell", True),
    ("// see https://github.com/electron/electron/issues/1", False), ("action_: { option: 'electron dot' }", False),
    ("module.exports = { target: 'electron-main', externals: ['electron'] }", False),
    ("const v = process.versions.electron", False), ("const app = await playwright._electron.launch()", False),
    ("import * as electron from './electron/actions'", False), ("<a href='https://electronjs.org'>electron</a>", False),
])
def test_code_that_names_electron_is_selected_not_prose(code: str, names: bool) -> None:
    """The first round parses files whose code names Electron (an import or require of it or of an
    Electron package, a member of a name `electron`); the word in comments, strings or build
    configuration is not code (SPEC §7: no IPC, Electron or exported constant: not parsed)."""
    from ipclint.discover.select import byte_facts
    assert byte_facts(code.encode()).keyword is names


@pytest.mark.parametrize("code, calls", [
    ("ipcMain.emit('save', {}, 'a')", True), ("ipcRenderer?.invoke<string>('x')", True),
    ("ipcRenderer.invoke<Array<string>>('x')", True), ("ipcRenderer.send?.('x')", True),
    ("ipcRenderer['send']('x')", True), ("win.webContents\n  .send ('x')", True),
    ("ipcRenderer.send!('x')", True),
    ("const { ipcMain } = require('electron'); e.reply('x')", True),
    ("const h = (ipcMain.handle as jest.Mock).mock.calls[0][1]", False),
    ("expect(ipcMain.emit).toBeCalledWith('x', true)", False), ("ipcMain.handleSomething()", False),
    ("const { ipcRenderer } = require('electron'); socket.sendMessage(1)", False),
])
def test_test_code_is_parsed_only_when_it_calls_an_ipc_method(code: str, calls: bool) -> None:
    """Every direct IPC call calls an IPC method (link/ipcops.py): test code that never does (it
    mocks the IPC names or asserts on them) adds nothing and is not parsed for its IPC."""
    from ipclint.discover.select import byte_facts
    assert byte_facts(code.encode()).ipc_call is calls


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"ipcRenderer", b"ipcMain", b"contextBridge", b"webContents", b".ipc.", b"Ipc",
                                 b"IpcMain", b"<webview", b"ipc-message", b"pc", b"ipc", b"webview", b"x", b" ",
                                 b"Bridge", b"Contents", b"ipcRender", b"IpcRendere"]), max_size=8))
def test_the_ipc_mention_test_is_the_plain_search(pieces: list[bytes]) -> None:
    """``mentions_ipc`` searches for what the ipc keywords share first: same answer as testing each."""
    from ipclint.discover.select import IPC_KEYWORDS, mentions_ipc
    data = b"".join(pieces)
    assert mentions_ipc(data) is any(k in data for k in IPC_KEYWORDS)


def test_the_byte_search_knows_every_ipc_method() -> None:
    from ipclint.discover.select import IPC_METHODS
    from ipclint.link.ipcops import IPC_METHOD_NAMES
    assert {m.decode() for m in IPC_METHODS} == IPC_METHOD_NAMES


@pytest.mark.parametrize("code, uses", [
    ("ipcMain.emit('save', {}, 'a')", True), ("const h = (ipcMain.handle as jest.Mock).mock.calls[0][1]", True),
    ("const { ipcRenderer } = require('electron')", True), ("win.webContents.send('x')", True),
    ("const m = ipcMain as unknown as Mocked", True), ("<webview src='x'>", True),
    ("jest.mock('electron', () => ({ ipcMain: { on: jest.fn() }, webContents: { fromId: jest.fn() } }))", False),
    ("const mockIpcMainStub = 1; type T = IpcMainEvent", False),
])
def test_test_code_is_parsed_for_ipc_it_uses_not_mock_shapes(code: str, uses: bool) -> None:
    """Test code is parsed for the IPC it does (SPEC section 1): an IPC name used in code, not the
    keys of a mock factory (`jest.mock('electron', () => ({ ipcMain: {...} }))`) or longer names."""
    from ipclint.discover.select import byte_facts
    assert byte_facts(code.encode()).ipc is uses


def test_a_file_that_mentions_electron_in_prose_is_not_parsed(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "package.json": '{"main": "main.js"}',
        "main.js": "const { app, BrowserWindow } = require('electron')\nrequire('./notes')\n",
        "notes.js": "// Built with electron: see https://electronjs.org\nmodule.exports = { target: 'electron-main' }\n",
        "chem.js": "export const dot = { option: 'electron dot' }\n",
    })
    r = check([str(root)], use_cache=False, jobs=1)
    parsed = {p.path for p in r.roles if not p.reason.startswith("not parsed")}
    assert parsed == {"main.js"}


def test_functions_in_test_code_get_no_flow_analysis() -> None:
    """No rule reports in test code: its functions' parameter flow (extract/handlerflow.py) is not
    analysed; the same code elsewhere is."""
    from ipclint.extract.extract import extract
    src = b"import { ipcMain } from 'electron'\nipcMain.handle('x', (_e, p) => require('fs').readFileSync(p))\n"
    for path, analysed in [("src/main/index.ts", True), ("e2e/main.spec.ts", False), ("src/main/index.test.ts", False),
                           ("src/__mocks__/main.ts", False)]:
        facts = extract(path, src)
        assert [fn.flow is not None for fn in facts.functions] == [analysed], path
        assert [c.callee.text for c in facts.calls][:1] == ["ipcMain.handle"], path  # its calls are still there

def test_page_code_that_reads_a_bridge_named_electron_gets_no_flow_analysis() -> None:
    """Page code gets no parameter flow analysis. A bridge exposed as `electron` (hydra: every
    renderer file reads `window.electron.*`) does not make page code main code; a file that
    imports or requires Electron, or reads a member of a name `electron`, still is analysed."""
    from ipclint.extract.extract import extract
    page = b"export function save(x) { return window.electron.saveFile(x) }\n"
    for src, analysed in [(page, False),
                          (b"export function f(x) { return window.electronAPI.save(x) }\n", False),
                          (page + b"import { shell } from 'electron'\n", True),
                          (page + b"const { shell } = require(\"electron\")\n", True),
                          (page + b"import remote from '@electron/remote'\n", True),
                          (b"export function f(x) { document.title = x; electron.shell.openPath(x) }\n", True)]:
        facts = extract("src/renderer/page.ts", src)
        assert [fn.flow is not None for fn in facts.functions][:1] == [analysed], src


def test_assertion_chains_in_test_code_are_not_recorded() -> None:
    """`expect(x).not.toBe(y)` in test code is the assertion API, never IPC nor an app call: not
    recorded as calls (most of a unit test's calls); the IPC inside it still is. Elsewhere, or
    where the file defines its own `expect`, they are calls like any other."""
    from ipclint.extract.extract import extract
    from ipclint.model.values import Member
    src = (b"import { ipcRenderer } from 'electron'\n"
           b"expect(ipcRenderer.send('a:b', 1)).toBe(undefined)\n"
           b"expect(api.x).not.toHaveBeenCalledWith('c', { d: 1 })\n"
           b"await expect(ipcRenderer.invoke('e:f')).resolves.toEqual([1, 2])\n"
           b"expect.assertions(2)\n")
    kept = ["send", "invoke"]
    every = ["send", "expect", "toBe", "expect", "toHaveBeenCalledWith", "invoke", "expect", "toEqual", "assertions"]
    for path, data, calls in [("src/renderer/a.test.ts", src, kept), ("src/renderer/a.ts", src, every),
                              ("e2e/a.spec.ts", src + b"function expect(v) { return send(v) }\n", every + ["send"])]:
        facts = extract(path, data)
        names = [c.callee.prop if isinstance(c.callee, Member) else getattr(c.callee, "name", "?") for c in facts.calls]
        assert sorted(names) == sorted(calls), path


def test_warm_run_reuses_the_cache_and_edits_invalidate_it(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", APP)
    cache = tmp_path / "cache"
    cold = check([str(root)], cache_dir=str(cache), jobs=1)
    assert (cache / "CACHEDIR.TAG").exists()
    warm = check([str(root)], cache_dir=str(cache), jobs=1)
    assert warm.extra.get("cached") is True
    assert [finding_dict(f) for f in warm.findings] == [finding_dict(f) for f in cold.findings]
    pre = root / "src/preload/index.js"
    pre.write_text(pre.read_text().replace("file:sav'", "file:save'"))
    st = pre.stat()
    os.utime(pre, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    edited = check([str(root)], cache_dir=str(cache), jobs=1)
    assert not edited.extra.get("cached")
    assert edited.extra["cache_hits"] == 3
    assert not [f for f in edited.findings if f.rule == "IPC010"]



def test_a_changed_tool_never_reuses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ipclint import cache as cache_module
    root = write_project(tmp_path / "app", APP)
    cache = tmp_path / "cache"
    check([str(root)], cache_dir=str(cache), jobs=1)
    assert check([str(root)], cache_dir=str(cache), jobs=1).extra.get("cached") is True
    # an upgrade or an edited rule changes the code stamp: neither results nor facts are reused
    old = sorted(p.name for p in cache.iterdir() if p.name.startswith("v-"))
    monkeypatch.setattr(cache_module, "code_stamp", lambda: "0123456789abcdef")
    again = check([str(root)], cache_dir=str(cache), jobs=1)
    assert not again.extra.get("cached") and again.extra["cache_hits"] == 0
    # only the running version's entries are kept: the cache does not grow across upgrades
    assert len(old) == 1 and sorted(p.name for p in cache.iterdir() if p.name.startswith("v-")) == [
        "v-0123456789abcdef"]

def test_explicit_files_analyse_the_project_but_report_only_those(tmp_path: Path) -> None:
    root = write_project(tmp_path, APP)
    r = check([str(root / "src/main/index.js")], use_cache=False, jobs=1)
    assert r.findings and {f.path for f in r.findings} == {"src/main/index.js"}
    assert r.extra["parsed"] == 4


def test_parallel_extraction_gives_the_same_result(tmp_path: Path) -> None:
    files = dict(APP)
    for i in range(80):
        files[f"src/main/h{i}.js"] = f"const {{ ipcMain }} = require('electron')\nipcMain.on('c{i}', () => {{}})\n"
    root = write_project(tmp_path, files)
    one = check([str(root)], use_cache=False, jobs=1)
    two = check([str(root)], use_cache=False, jobs=2)
    assert [finding_dict(f) for f in one.findings] == [finding_dict(f) for f in two.findings]
    assert len([f for f in two.findings if f.rule == "IPC011"]) == 81  # and file:save, invoked as file:sav


def test_files_are_examined_while_the_walk_goes_on_with_the_serial_result(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """With many files, discovery hands the ones found so far to the workers after each folder
    (reading and hashing overlap listing the rest); what it finds is what one process finds: the
    same files, hashes, byte facts, skips and errors, in the same order."""
    import ipclint.discover as discovery
    files: dict[str, str | bytes] = {f"pkg{d}/f{i}.js": f"export const v{d}_{i} = '{d}:{i}'\n"
                                     for d in range(12) for i in range(60)}
    files["pkg3/bin.js"] = b"\x00\x01binary"
    files["pkg5/a.min.js"] = "x" * 10
    root = write_project(tmp_path, files)
    sent_during_walk: list[int] = []
    real_send = discovery.Examiner._send

    def send(self: Any, chunk: Any) -> None:
        sent_during_walk.append(len(chunk))
        real_send(self, chunk)

    real_finish = discovery.Examiner.finish
    at_finish: list[int] = []

    def finish(self: Any, pending: Any) -> Any:
        at_finish.append(len(sent_during_walk))  # (the walk is over)
        return real_finish(self, pending)

    monkeypatch.setattr(discovery.Examiner, "_send", send)
    monkeypatch.setattr(discovery.Examiner, "finish", finish)
    two = discovery.discover(root, jobs=2)
    assert at_finish[0] >= 9 and sent_during_walk[0] == discovery.Examiner.CHUNK  # 11 chunks of 64 in all
    one = discovery.discover(root, jobs=1)

    def seen(d: Any) -> Any:
        return ([(f.path, f.digest, f.bytefacts) for f in d.files + d.declarations], d.skipped, d.errors)

    assert seen(one) == seen(two)
    assert len(one.files) == 720 and one.errors and one.skipped


def test_examining_a_file_makes_no_file_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovery reads each file by its size with os.read, to its end (a file object costs about
    2 µs more a file); what it reads is the file's bytes, BOMs, encodings and all."""
    import builtins

    import ipclint.discover as discovery
    from tests.helpers import count_calls
    files: dict[str, str | bytes] = {f"src/f{i}.js": f"export const v{i} = {i}\n" * ((i + 1) * 500) for i in range(8)}
    files.update({"bom.js": b"\xef\xbb\xbfexport const b = 1\n", "latin.js": b"const s = '\xe9'\n"})
    root = write_project(tmp_path, files)
    opened = count_calls(monkeypatch, builtins, "open")
    reads = count_calls(monkeypatch, discovery.os, "read")
    found = discovery.discover(root, jobs=1)
    assert opened == [0] and reads == [2 * 10]  # (its bytes, then the end)
    for sf in found.files:
        assert sf.data == discovery.decode((root / sf.path).read_bytes())


def test_one_set_of_workers_examines_and_extracts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold run that examines many files in workers extracts in the same workers: one set of
    processes started (a second set, started after discovery, delayed the first round by its start,
    about 10-20 ms), and the result is what one process finds."""
    import concurrent.futures

    files: dict[str, str | bytes] = {f"pkg{d}/f{i}.js": f"export const v{d}_{i} = {i}\n" for d in range(10) for i in range(60)}
    pad = "".join(f"export const pad{i} = 'x'\n" for i in range(2000))  # (enough bytes to pay for the workers)
    files.update({f"src/main{i}.js": f"const {{ ipcMain }} = require('electron')\nipcMain.on('c{i}', () => 1)\n{pad}"
                  for i in range(2)})
    root = write_project(tmp_path, files)
    started: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    class Counted(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counted)
    two = check([str(root)], cache_dir=str(tmp_path / "cache"), jobs=2)
    assert len(started) == 1 and two.extra["parsed"] == 2
    one = check([str(root)], use_cache=False, jobs=1)
    assert len(started) == 1
    assert [finding_dict(f) for f in two.findings] == [finding_dict(f) for f in one.findings]


def test_a_walk_that_fails_stops_the_workers_it_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ipclint.discover as discovery
    from ipclint.discover.walk import Walk
    root = write_project(tmp_path, {f"pkg{d}/f{i}.js": "export const v = 1\n" for d in range(12) for i in range(60)})
    closed: list[bool] = []
    real_close, real_folder = discovery.Examiner.close, Walk._folder
    folders = [0]

    def close(self: Any) -> None:
        closed.append(self._pool is not None)
        real_close(self)

    def folder(self: Any, *args: Any) -> Any:
        folders[0] += 1
        if folders[0] == 12:
            raise RuntimeError("the disk went away")
        return real_folder(self, *args)

    monkeypatch.setattr(discovery.Examiner, "close", close)
    monkeypatch.setattr(Walk, "_folder", folder)
    with pytest.raises(RuntimeError):
        discovery.discover(root, jobs=2)
    assert closed == [True]  # the workers had started (over 512 files found) and were stopped


def test_cli_graph_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path, APP)
    assert run(["graph", str(root), "--format", "json", "--no-cache"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["channel"] for c in data["channels"]] == ["file:sav", "file:save"]
    assert {f["path"]: f["role"] for f in data["files"]}["src/preload/index.js"] == "preload"
    assert run(["graph", str(root), "--format", "mermaid", "--no-cache"]) == 0
    assert capsys.readouterr().out.startswith("flowchart LR")
    assert run(["graph", str(root), "--format", "dot", "--no-cache"]) == 0
    assert capsys.readouterr().out.startswith("digraph ipc {")


def test_cli_rule_list_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rule"]) == 0
    listing = capsys.readouterr().out
    assert "IPC010  unhandled-channel" in listing
    assert run(["rule", "IPC999"]) == 2
    assert "unknown rule" in capsys.readouterr().err
    assert run(["check", "/definitely/not/here"]) == 2
    assert run(["frobnicate"]) == 2


LOCKS = {
    "package-lock.json": '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/electron": {"version": "11.5.0"}}}',
    "yarn.lock": '# yarn lockfile v1\n\n"@electron/get@^1.0.1":\n  version "1.14.1"\n\n'
                 'electron@^11.0.0:\n  version "11.5.0"\n  resolved "https://x/electron-11.5.0.tgz"\n',
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\n\npackages:\n\n  electron-builder@24.0.0:\n    resolution: {}\n\n"
                      "  electron@11.5.0:\n    resolution: {integrity: x}\n",
}


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_electron_version_from_package_json_and_the_nearest_lock_file(tmp_path: Path, lock: str) -> None:
    # the range says 11 or later; the lock file (here at the monorepo root) says what is installed
    root = write_project(tmp_path, {
        "apps/desk/package.json": '{"name": "desk", "devDependencies": {"electron": "^11.0.0"}}',
        "apps/desk/main.js": "const { BrowserWindow } = require('electron')\nnew BrowserWindow({})\n",
        lock: LOCKS[lock],
    })
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC013"])
    assert r.electron_version == "11.5.0"
    assert sorted((f.path, f.span.line, f.message.split()[0]) for f in r.findings) == [
        ("apps/desk/main.js", 2, "contextIsolation"), ("apps/desk/main.js", 2, "sandbox")]


def test_raw_exposure_message_knows_electron_29(tmp_path: Path) -> None:
    preload = "const { contextBridge, ipcRenderer } = require('electron')\n" \
              "contextBridge.exposeInMainWorld('ipc', ipcRenderer)\n"
    for version, said in (("28.3.0", False), ("29.0.0", True)):
        root = write_project(tmp_path / version, {"preload.js": preload}, electron=version)
        (f,) = check([str(root)], use_cache=False, jobs=1, select=["IPC001"]).findings
        assert ("since Electron 29" in f.message) is said, f.message


RE_EXPORTED = {
    "src/main/ipc.ts": "import { ipcMain } from 'electron';\nexport const m = ipcMain;\n",
    "src/main/index.ts": "import './handlers';\n",
    "src/main/handlers.ts": "import { m } from './ipc';\nm.handle('x', (_e, a: string) => doIt(a));\n",
    "src/shared/bus.js": "const { ipcMain } = require('electron')\nmodule.exports = { bus: ipcMain }\n",
    "src/main/legacy.js": "const { bus } = require('../shared/bus')\nbus.on('ping', () => 1)\n",
    "src/preload/ipc.ts": "import { ipcRenderer } from 'electron';\nexport const ipc = ipcRenderer;\n",
    "src/preload/lib/index.ts": "export * from '../ipc';\n",
    "src/preload/save.ts": "import { ipc } from './lib';\nexport const save = () => ipc.send('save', {cb: () => 1});\n",
    "src/renderer/unrelated.ts": "import { format } from './fmt';\nexport const m = format(1);\n",
}


def test_files_using_a_re_exported_electron_binding_are_parsed(tmp_path: Path) -> None:
    # none of handlers.ts, legacy.js, lib/index.ts, save.ts names Electron: they are parsed because
    # they import a module exporting an Electron binding (directly, via module.exports, or `export *`)
    root = write_project(tmp_path, RE_EXPORTED, main="src/main/index.ts")
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC005", "IPC007", "IPC008"])
    assert sorted((f.rule, f.path, f.span.line, f.span.column) for f in r.findings) == [
        ("IPC005", "src/main/handlers.ts", 2, 39), ("IPC007", "src/main/handlers.ts", 2, 1),
        ("IPC007", "src/main/legacy.js", 2, 1), ("IPC008", "src/preload/save.ts", 2, 44)]
    assert "src/renderer/unrelated.ts" not in {p.path for p in r.roles if not p.reason.startswith("not parsed")}


def test_several_projects_are_analysed_each_on_its_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # apps/a handles what apps/b invokes and the other way round: merged, both would look fine
    for me, other in (("a", "b"), ("b", "a")):
        write_project(tmp_path / "apps" / me, {
            "main.js": f"const {{ ipcMain }} = require('electron')\nipcMain.handle('{me}:ping', () => 1)\n",
            "preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
                          f"contextBridge.exposeInMainWorld('api', {{ ping: () => ipcRenderer.invoke('{other}:ping') }})\n",
        }, electron="30.0.0" if me == "a" else "31.0.0")
    code = run(["check", str(tmp_path / "apps/a"), str(tmp_path / "apps/b"), "--no-cache", "--format", "json",
                "--select", "IPC010,IPC011"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["root"] == str((tmp_path / "apps").resolve())
    assert [(f["path"], f["line"], f["rule"]) for f in doc["findings"]] == [
        ("a/main.js", 2, "IPC011"), ("a/preload.js", 2, "IPC010"), ("b/main.js", 2, "IPC011"), ("b/preload.js", 2, "IPC010")]
    assert doc["electron_version"] == ["30.0.0", "31.0.0"] and doc["files"]["analysed"] == 4


def test_tsconfig_references_extends_and_bad_types(tmp_path: Path) -> None:
    # the electron-vite layout: a solution tsconfig whose references hold the `paths` aliases
    files = {
        "tsconfig.json": '{"files": [], "references": [{"path": "./tsconfig.node.json"}, {"path": "./tsconfig.web.json"}]}',
        "tsconfig.node.json": '{"extends": "./tsconfig.paths.json", "include": ["src/main/**", "src/preload/**"]}',
        "tsconfig.paths.json": '{"compilerOptions": {"paths": {"@shared/*": ["src/shared/*"]}}}',
        "tsconfig.web.json": '{"compilerOptions": {"baseUrl": 5, "paths": {"@renderer/*": ["src/renderer/src/*"]}}}',
        "src/shared/channels.ts": "export const SAVE = 'file:save'\nexport const LOAD = 'file:load'\n",
        "src/main/index.ts": "import { ipcMain } from 'electron'\nimport { SAVE } from '@shared/channels'\n"
                             "ipcMain.handle(SAVE, () => true)\n",
        "src/preload/index.ts": "import { contextBridge, ipcRenderer } from 'electron'\nimport { LOAD } from '@shared/channels'\n"
                                "contextBridge.exposeInMainWorld('api', { load: () => ipcRenderer.invoke(LOAD) })\n",
    }
    root = write_project(tmp_path, files)
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC010", "IPC011"])
    assert not r.errors
    assert sorted((f.rule, f.path, f.span.line) for f in r.findings) == [
        ("IPC010", "src/preload/index.ts", 3), ("IPC011", "src/main/index.ts", 3)]
    # wrong types anywhere in a tsconfig are ignored, not fatal
    (root / "tsconfig.json").write_text('{"compilerOptions": {"paths": 5, "baseUrl": 3}, "references": 7}')
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC010"])
    assert not r.errors and not r.internal_error


def test_an_error_while_linking_is_an_internal_error_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import ipclint.link
    root = write_project(tmp_path, APP)

    def broken(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(ipclint.link, "assign_roles", broken)
    assert run(["check", str(root), "--no-cache", "--format", "json", "--exit-zero"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert any("linking the project" in e["message"] and "boom" in e["message"] for e in doc["errors"])


def test_unwritable_output_and_bad_jobs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "app", APP)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run(["check", str(root), "--no-cache", "--output", str(blocker / "r.json"), "--format", "json"]) == 2
    assert "cannot write the report" in capsys.readouterr().err
    assert run(["graph", str(root), "--no-cache", "--output", str(blocker / "g.dot"), "--format", "dot"]) == 2
    for bad in ("0", "-1", "x"):
        assert run(["check", str(root), "--jobs", bad]) == 2


def test_an_electron_range_that_is_not_a_version_is_unknown(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"main.js": "const { BrowserWindow } = require('electron')\nnew BrowserWindow({})\n"},
                         electron="latest")
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC013"])
    assert r.electron_version is None and r.findings == ()


def test_roles_type_only_imports_and_preload_helpers(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        # type-only imports are erased before the code runs: not evidence of main-process code
        "src/shared/types.ts": "import type { BrowserWindow } from 'electron'\nimport { type WebContents } from 'electron'\n"
                               "export const SAVE = 'file:save'\nexport type W = BrowserWindow | WebContents\n",
        # builds the API with ipcRenderer for the preload: part of the preload, not a legacy page
        "src/bridge/api.ts": "import { ipcRenderer } from 'electron'\nimport { SAVE } from '../shared/types'\n"
                             "export const api = { save: (t: string) => ipcRenderer.invoke(SAVE, t) }\n",
        "src/preload/index.ts": "import { contextBridge } from 'electron'\nimport { api } from '../bridge/api'\n"
                                "contextBridge.exposeInMainWorld('api', api)\n",
        "src/legacy/page.js": "const { ipcRenderer } = require('electron')\nipcRenderer.send('page:ready')\n",
    })
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    roles = {i.path: i.role.value for i in r.roles}
    # types.ts is imported only by the preload's helper module: preload code too
    assert roles == {"src/shared/types.ts": "preload", "src/bridge/api.ts": "preload",
                     "src/preload/index.ts": "preload", "src/legacy/page.js": "renderer"}


def test_a_preload_that_requires_its_parts_through_a_table_loads_each(tmp_path: Path) -> None:
    """`for (const part of PARTS) require(part.file)` over an array of object literals of the
    preload's own (or `for (const { file } of T) require(file)`) loads each entry's file, as one
    `require` per entry would: those files are imported only by preload code, so
    `event.sender.send` in their ipcRenderer listeners goes to main (handled there), not to a page
    nobody listens in. A table whose entries are not known
    (a call's result) loads nothing known: that part stays shared code."""
    root = write_project(tmp_path, {
        "main.js": "const { BrowserWindow, ipcMain } = require('electron')\nconst path = require('path')\n"
                   "ipcMain.on('part:done', (e) => console.log(e.sender.id))\n"
                   "new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'preload.js') } })\n",
        "preload.js": "const { ipcRenderer } = require('electron')\n"
                      "const PARTS = [{ name: 'a', file: './parts/a' }, { name: 'b', file: './parts/b' }]\n"
                      "for (const part of PARTS) { require(part.file).init(ipcRenderer) }\n"
                      "for (const other of listParts()) { require(other.file).init(ipcRenderer) }\n"
                      "const MORE = [{ file: './parts/d' }]\nfor (const { file } of MORE) require(file).init(ipcRenderer)\n",
        "parts/a.js": "function reply(event) { event.sender.send('part:done', 1) }\n"
                      "module.exports = { init(ipcRenderer) { ipcRenderer.on('part:ask', reply) } }\n",
        "parts/b.js": "module.exports = { init(ipcRenderer) { ipcRenderer.on('part:b', (event) => event.sender.send('part:done')) } }\n",
        "parts/d.js": "module.exports = { init(ipcRenderer) { ipcRenderer.on('part:d', (event) => event.sender.send('part:done')) } }\n",
        "parts/c.js": "function reply(event) { event.sender.send('part:c-done', 3) }\n"
                      "module.exports = { init(ipcRenderer) { ipcRenderer.on('part:ask', reply) } }\n",
    }, main="main.js")
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC010"])
    roles = {i.path: (i.role.value, i.reason) for i in r.roles}
    assert roles["parts/a.js"] == ("preload", "imported only by preload code (preload.js)")
    assert roles["parts/b.js"] == ("preload", "imported only by preload code (preload.js)")
    assert roles["parts/d.js"] == ("preload", "imported only by preload code (preload.js)")
    assert roles["parts/c.js"][0] == "shared"
    assert [(f.rule, f.path, f.span.line) for f in r.findings] == [("IPC010", "parts/c.js", 1)]


def test_roles_see_ipc_renderer_kept_in_a_class_field(tmp_path: Path) -> None:
    """A page class that keeps ipcRenderer in a field (loaded with `window.require`, or from a
    loader function's return) and calls `this.ipc.send(...)` uses ipcRenderer directly; a class
    whose field holds some other emitter is no evidence."""
    root = write_project(tmp_path, {
        "src/main.js": "const { ipcMain } = require('electron')\nipcMain.on('win:close', () => {})\n",
        "src/page/bridge.js": "class Bridge {\n  ipc = window.require('electron').ipcRenderer\n"
                              "  close() { this.ipc.send('win:close') }\n}\nexport default new Bridge()\n",
        "src/page/loaded.js": "function load() {\n  const electron = window.require('electron')\n"
                              "  return electron.ipcRenderer\n}\nclass Loaded {\n  constructor() { this.ipc = load() }\n"
                              "  close() { this.ipc.send('win:close') }\n}\nexport default new Loaded()\n",
        "src/page/bus.js": "import { EventEmitter } from 'events'\nexport class Bus {\n"
                           "  constructor() { this.ipc = new EventEmitter() }\n  close() { this.ipc.emit('win:close') }\n}\n",
    })
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    roles = {i.path: (i.role.value, i.reason) for i in r.roles}
    assert roles["src/page/bridge.js"] == ("renderer", "uses ipcRenderer directly (legacy renderer)")
    assert roles["src/page/loaded.js"] == ("renderer", "uses ipcRenderer directly (legacy renderer)")
    assert roles.get("src/page/bus.js", ("shared", ""))[0] == "shared"


def test_roles_are_decided_on_the_import_graph_without_its_cycles(tmp_path: Path) -> None:
    """A module that page code imports is not main code because an import cycle also reaches it
    from main (GitHub Desktop's shape); modules in a cycle that only main code enters are main."""
    root = write_project(tmp_path, {
        "app/src/main-process/main.ts": "import { app, BrowserWindow } from 'electron'\n"
                                        "import { buildMenu } from '../lib/menu'\napp.whenReady().then(buildMenu)\n",
        # lib/menu and ui/proxy import each other; ui/index (page code, no evidence of its own) imports proxy
        "app/src/lib/menu.ts": "import { sendProxy } from '../ui/proxy'\nexport function buildMenu() { sendProxy('m') }\n"
                               "export const MENU = 'menu'\n",
        "app/src/ui/proxy.ts": "import { MENU } from '../lib/menu'\nimport * as ipc from './ipc-wrapper'\n"
                               "export function sendProxy(x: string) { ipc.send(MENU, x) }\n",
        "app/src/ui/ipc-wrapper.ts": "import { ipcRenderer } from 'electron'\n"
                                     "export const send = (ch: string, x: string) => ipcRenderer.send(ch, x)\n",
        "app/src/ui/index.tsx": "import { sendProxy } from './proxy'\nexport const start = () => sendProxy('ready')\n",
        # a cycle entered only from main code is main code
        "app/src/main-process/windows.ts": "import { BrowserWindow } from 'electron'\nimport { a } from './helpers/a'\n"
                                           "export const open = () => new BrowserWindow(a())\n",
        "app/src/main-process/helpers/a.ts": "import { shell } from 'electron'\nimport { b } from './b'\n"
                                             "export const a = () => b(shell)\n",
        "app/src/main-process/helpers/b.ts": "import { shell } from 'electron'\nimport { a } from './a'\n"
                                             "export const b = (s: typeof shell) => ({ width: a ? 1 : 2 })\n",
    })
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    roles = {i.path: (i.role.value, i.reason) for i in r.roles}
    assert roles["app/src/ui/proxy.ts"][0] == "shared"  # page code imports it too
    assert roles["app/src/lib/menu.ts"][0] == "shared"  # in a cycle with proxy, which page code imports
    assert roles["app/src/main-process/helpers/a.ts"][0] == "main"
    assert roles["app/src/main-process/helpers/b.ts"] == (
        "main", "imported only by main code (app/src/main-process/windows.ts)")


def test_only_an_electron_apps_package_json_names_a_main_entry(tmp_path: Path) -> None:
    """A nested package (API types) with a `main` field names no main-process file."""
    root = write_project(tmp_path, {
        "package.json": '{"name": "app", "main": "src/main.js", "devDependencies": {"electron": "31.0.0"}}',
        "src/main.js": "const { ipcMain } = require('electron')\n",
        "api-types/package.json": '{"name": "@app/api-types", "main": "index.js"}',
        "api-types/index.js": "window.desktopAPI && window.desktopAPI.ready()\n",
    })
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    roles = {i.path: (i.role.value, i.reason) for i in r.roles}
    assert roles["src/main.js"][0] == "main"
    assert roles["api-types/index.js"][0] != "main"


def test_a_workspace_package_of_one_app_is_part_of_it(tmp_path: Path) -> None:
    """A workspace package that declares electron for its types (the app's preload API, a page
    package) is no app of its own when one app with main code depends on it, directly or through
    another package: its sends reach that app's handlers, and its listeners hear that app's pushes.
    A package nobody depends on stays an app of its own."""
    root = write_project(tmp_path, {
        "package.json": '{"name": "root", "private": true}',
        "packages/desktop/package.json": json.dumps({
            "name": "desktop", "main": "src/main.js",
            "dependencies": {"@x/bridge": "workspace:*", "@x/ui-static": "workspace:*"},
            "devDependencies": {"electron": "31.0.0"}}),
        "packages/desktop/src/main.js": (
            "const { ipcMain, BrowserWindow } = require('electron')\n"
            "const { CH } = require('@x/bridge')\n"
            "ipcMain.handle(CH.SAVE, () => 1)\n"
            "ipcMain.handle(CH.OPEN, () => 1)\n"
            "const w = new BrowserWindow({ webPreferences: { preload: require.resolve('@x/bridge/build/preload.js') } })\n"
            "w.webContents.send(CH.PUSHED, 1)\n"),
        "packages/bridge/package.json": json.dumps({
            "name": "@x/bridge", "main": "build/index.js", "devDependencies": {"electron": "31.0.0"}}),
        "packages/bridge/src/index.js": "module.exports = require('./constants')\n",
        "packages/bridge/src/constants.js": (
            "exports.CH = { SAVE: 'doc:save', OPEN: 'doc:open', PUSHED: 'doc:pushed' }\n"),
        "packages/bridge/src/preload.js": (
            "const { contextBridge, ipcRenderer } = require('electron')\n"
            "const { CH } = require('./constants')\n"
            "contextBridge.exposeInMainWorld('api', {\n"
            "  save: () => ipcRenderer.invoke(CH.SAVE),\n"
            "  onPushed: (cb) => { const f = () => cb(); ipcRenderer.on(CH.PUSHED, f);"
            " return () => ipcRenderer.removeListener(CH.PUSHED, f) },\n"
            "})\n"),
        # the pages, reached through a package that serves them
        "packages/ui-static/package.json": json.dumps({"name": "@x/ui-static", "dependencies": {"@x/ui": "1.0.0"}}),
        "packages/ui-static/index.js": "module.exports = __dirname\n",
        "packages/ui/package.json": json.dumps({"name": "@x/ui", "devDependencies": {"electron": "31.0.0"}}),
        "packages/ui/src/page.js": "window.api.onPushed(() => {})\nwindow.api.save()\n",
        # a lone package that nobody depends on keeps its own channels
        "packages/lone/package.json": json.dumps({"name": "lone", "devDependencies": {"electron": "31.0.0"}}),
        "packages/lone/src/bridge.js": (
            "const { contextBridge, ipcRenderer } = require('electron')\n"
            "contextBridge.exposeInMainWorld('lone', { open: () => ipcRenderer.invoke('doc:open') })\n"),
    })
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC010", "IPC011"])
    got = sorted((f.rule, f.path, f.span.line) for f in r.findings)
    assert got == [("IPC011", "packages/desktop/src/main.js", 4)], got  # doc:open: only lone, an app of its own, invokes it


def test_a_check_leaves_nothing_behind() -> None:
    """No module-level cache or hidden state survives a run: running check() again and again in
    one process (the language server does) does not grow memory. Counted: what is still held of
    the memory allocated with ipclint's code on the stack, block by block, but for blocks of a
    mebibyte or more: the interpreter's table of interned strings (`Path` interns each part)
    grows in one such block when earlier tests have filled it, which is no state of ours."""
    import gc
    import tracemalloc
    example = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "example-app"
    for _ in range(3):  # warm up what a process keeps for good (compiled queries, imports)
        check([str(example)], use_cache=False, jobs=1)
    gc.collect()
    ours = [tracemalloc.Filter(True, str(Path(check.__code__.co_filename).parent / "*"), all_frames=True)]

    def held() -> int:
        gc.collect()
        return sum(t.size for t in tracemalloc.take_snapshot().filter_traces(ours).traces if t.size < 1 << 20)

    tracemalloc.start(8)
    try:
        check([str(example)], use_cache=False, jobs=1)
        after_one = held()
        for _ in range(15):
            check([str(example)], use_cache=False, jobs=1)
        after_many = held()
    finally:
        tracemalloc.stop()
    assert after_many - after_one < 20_000, f"grew by {after_many - after_one} bytes over 15 runs"


def test_a_preload_path_ending_in_index_names_that_folder_only(tmp_path: Path) -> None:
    """`join(__dirname, 'page/index.js')` names page/index.js: when that file is not parsed yet
    (it requires page modules and names no Electron API), the hint does not fall back to every
    other index file of the project (the main entry app/index.js is not a preload)."""
    root = write_project(tmp_path, {
        "app/index.js": "const { app, BrowserWindow, ipcMain } = require('electron')\n"
                        "const { join: joinPath } = require('path')\n"
                        "ipcMain.on('ping', () => {})\n"
                        "app.whenReady().then(() => new BrowserWindow({ webPreferences: {\n"
                        "  preload: joinPath(__dirname, 'page/index.js') } }))\n",
        "app/page/index.js": "require('./view')\n",
        "app/page/view.js": "const { ipcRenderer } = require('electron')\nipcRenderer.send('ping')\n",
        "app/extra/index.js": "const { ipcRenderer } = require('electron')\nipcRenderer.send('ping')\n",
    }, main="app/index.js")
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    roles = {i.path: i.role.value for i in r.roles}
    assert roles["app/index.js"] == "main"
    assert roles["app/page/index.js"] == "preload"
    assert roles["app/extra/index.js"] != "preload"


def test_session_preload_scripts_are_preloads(tmp_path: Path) -> None:
    """`ses.registerPreloadScript({ filePath })` and `ses.setPreloads([...])` name preloads that
    run in every page of the session, like `webPreferences.preload`."""
    root = write_project(tmp_path, {
        "src/main.js": "const { app, session } = require('electron')\nconst path = require('path')\n"
                       "app.whenReady().then(() => {\n"
                       "  session.defaultSession.registerPreloadScript({ type: 'frame',\n"
                       "    filePath: path.join(__dirname, 'inject/frame.js') })\n"
                       "  session.fromPartition('p').setPreloads([path.join(__dirname, 'inject/legacy.js')])\n"
                       "})\n",
        "src/inject/frame.js": "require('./helper')\n",
        "src/inject/helper.js": "module.exports = 1\n",
        "src/inject/legacy.js": "document.title = 'x'\n",
    }, main="src/main.js")
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    roles = {i.path: i.role.value for i in r.roles}
    assert roles["src/inject/frame.js"] == "preload"
    assert roles["src/inject/legacy.js"] == "preload"
    reasons = {i.path: i.reason for i in r.roles}
    assert reasons["src/inject/frame.js"] == "referenced as a preload script in src/main.js"


def test_a_preload_folder_is_its_index_file_not_every_index_dot_name(tmp_path: Path) -> None:
    """`preload: path.join(__dirname, '../preload')` names the folder's `index.ts`; a sibling whose
    name only starts with `index.` (`index.helpers.ts`, `index.test.ts`) is not that preload."""
    root = write_project(tmp_path, {
        "src/main/main.ts": "import { app, BrowserWindow } from 'electron'\nimport path from 'path'\n"
                            "app.whenReady().then(() => new BrowserWindow({ webPreferences: {\n"
                            "  preload: path.join(__dirname, '../preload') } }))\n",
        "src/preload/index.ts": "import { contextBridge } from 'electron'\nimport { ping } from './index.helpers'\n"
                                "contextBridge.exposeInMainWorld('api', { ping })\n",
        "src/preload/index.helpers.ts": "export const ping = (): string => 'pong'\n",
    }, main="src/main/main.ts")
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    reasons = {i.path: i.reason for i in r.roles}
    assert reasons["src/preload/index.ts"] == "referenced as a preload script in src/main/main.ts"
    assert reasons.get("src/preload/index.helpers.ts") != "referenced as a preload script in src/main/main.ts"


def test_a_preload_is_named_after_the_main_file_of_its_own_app(tmp_path: Path) -> None:
    """Two apps of one repository each name `join(__dirname, 'preload.js')`: by name both match
    both preload sources, and each preload's reason names its own app's main file (outline-apps:
    server_manager/electron/preload.ts was 'referenced ... in client/electron/index.ts')."""
    files = {"package.json": '{"name": "root"}\n'}
    for app, spec in (("client", "preload.js"), ("server", "./preload.js")):
        files[f"{app}/package.json"] = json.dumps({"name": app, "main": "electron/index.js",
                                                   "devDependencies": {"electron": "30.0.0"}}) + "\n"
        files[f"{app}/electron/index.js"] = ("const { BrowserWindow } = require('electron')\n"
                                             "const path = require('path')\n"
                                             "new BrowserWindow({ webPreferences: { preload: "
                                             f"path.join(__dirname, '{spec}') }} }})\n")
        files[f"{app}/electron/preload.js"] = ("const { contextBridge } = require('electron')\n"
                                               "contextBridge.exposeInMainWorld('x', {})\n")
    root = write_project(tmp_path, files)
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    reasons = {i.path: i.reason for i in r.roles}
    assert reasons["client/electron/preload.js"] == "referenced as a preload script in client/electron/index.js"
    assert reasons["server/electron/preload.js"] == "referenced as a preload script in server/electron/index.js"


def test_an_unused_main_import_in_page_code_is_no_main_evidence(tmp_path: Path) -> None:
    """Legacy page code that imports ipcMain beside ipcRenderer and only ever uses ipcRenderer is
    page code; a file that does use the main-process binding (calls it, passes it on) stays main."""
    root = write_project(tmp_path, {
        "main.js": "const { app, ipcMain } = require('electron')\nipcMain.handle('meter:new', () => 1)\n",
        "src/meter.ts": "import { ipcMain, ipcRenderer } from 'electron'\n"
                        "export async function subscribe() { return ipcRenderer.invoke('meter:new') }\n",
        "src/meter2.js": "const { ipcMain: unused, ipcRenderer } = require('electron')\n"
                         "module.exports = () => ipcRenderer.send('meter:ping')\n",
        "src/both.js": "const { ipcMain, ipcRenderer } = require('electron')\n"
                       "export const init = () => { ipcMain.on('x', () => 1); ipcRenderer.send('x') }\n",
        "src/passes.js": "const { ipcMain, ipcRenderer } = require('electron')\nregister(ipcMain)\nipcRenderer.send('y')\n",
        "src/spelled.js": "const { ipcMain, ipcRenderer } = require('electron')\n"
                          "require('electron').ipcMain.on('z', () => 1)\nipcRenderer.send('z')\n",
    })
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    roles = {i.path: i.role.value for i in r.roles}
    assert roles["src/meter.ts"] == "renderer"
    assert roles["src/meter2.js"] == "renderer"
    assert roles["src/both.js"] == "main"
    assert roles["src/passes.js"] == "main"
    assert roles["src/spelled.js"] == "main"


def test_cucumber_step_definitions_are_test_code(tmp_path: Path) -> None:
    """Cucumber's features/step_definitions/ and top-level features/support/ drive the app from
    outside (Spectron, Playwright): test code, not reported on; an app's own `src/features/support/`
    feature folder is not."""
    root = write_project(tmp_path, {
        "main.js": "const { ipcMain, webContents } = require('electron')\n"
                   "ipcMain.on('ping', () => {})\nwebContents.getAllWebContents()[0].send('pushed')\n",
        "features/step_definitions/steps.js": "module.exports.push = (app) => app.webContents.send('step-push')\n",
        "features/support/world.js": "module.exports.push = (app) => app.webContents.send('world-push')\n",
        "src/features/support/panel.js": "module.exports.push = (w) => w.webContents.send('panel-push')\n",
    }, main="main.js")
    r = check([str(root)], use_cache=False, jobs=1)
    flagged = {f.path for f in r.findings if f.rule == "IPC003"}
    assert "src/features/support/panel.js" in flagged
    assert not flagged & {"features/step_definitions/steps.js", "features/support/world.js"}


def test_byte_facts_search_each_global_name_once() -> None:
    """The keys read off the global (`window.api`) and those destructured from it (`{ api } =
    window`) come from one search of each name of the global, not one each."""
    from ipclint.discover.select import byte_facts
    found: list[bytes] = []

    class Counted(bytes):
        def find(self, sub: bytes, *args: int) -> int:  # type: ignore[override]
            found.append(sub)
            return super().find(sub, *args)

    text = b"const { api, other: o } = window\nwindow.api.save()\nglobalThis.bridge.x()\nwindow.top.shared.y()\n"
    facts = byte_facts(Counted(text))
    assert facts.global_props == {b"api", b"other", b"bridge", b"shared"}
    assert found.count(b"window") == text.count(b"window") + 1  # (each occurrence, then none left)
    assert found.count(b"globalThis") == text.count(b"globalThis") + 1


def test_a_number_or_string_conversion_kept_in_a_local_is_checked_and_used_in_its_place(tmp_path: Path) -> None:
    """IPC005: `const n = Number(o.size)` is no use of the value yet: a check of `n` validates it,
    and an unchecked use of `n` is the finding (through 'n'). IPC006: a number made by `Number`,
    `parseInt` or `parseFloat` carries no path (digits, a sign, a dot); `String(x)` still does."""
    root = write_project(tmp_path, {
        "main.js": "const { ipcMain } = require('electron')\nconst fs = require('fs')\n"
                   "ipcMain.handle('a', (e, o) => {\n  const n = Number(o.size)\n"
                   "  if (!Number.isFinite(n) || n < 0) return\n  return fs.readFileSync('/logs/' + n)\n})\n"
                   "ipcMain.handle('b', (e, v) => {\n  const n = parseInt(v, 10)\n"
                   "  return fs.readFileSync('/logs/' + n)\n})\n"
                   "ipcMain.handle('c', (e, v) => {\n  const s = String(v)\n"
                   "  return fs.readFileSync('/logs/' + s)\n})\n"
                   "ipcMain.handle('d', (e, v) => {\n  const s = String(v)\n"
                   "  if (s.length > 9 || s.includes('/')) return\n  return fs.readFileSync('/logs/' + s)\n})\n",
    }, main="main.js")
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC005", "IPC006"])
    assert [(f.rule, f.path, f.span.line, f.message.split(" is ")[0]) for f in r.findings] == [
        ("IPC005", "main.js", 10, "renderer-supplied parameter 'v' (through 'n')"),
        ("IPC006", "main.js", 14, "renderer-supplied 'v' reaches fs.readFileSync without validation"),
        ("IPC005", "main.js", 14, "renderer-supplied parameter 'v' (through 's')"),
    ]

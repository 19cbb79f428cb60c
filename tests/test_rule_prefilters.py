"""The cheap tests the rules make before resolving a call give what resolving every call gives:
IPC012's index of the callers of project functions (``link.calls.call_index``) and IPC013's
`@electron/remote` enable calls (``link.webprefs.remote_enabled``)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.link.calls import CallIndex, call_index, may_call_project_function
from ipclint.link.project import Project
from ipclint.link.webprefs import REMOTE_MAIN, _may_be_remote
from ipclint.link.wrappers import callee_function
from ipclint.model.values import External, Member, Ref
from tests.helpers import ROUNDS_APP, write_project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Names bound every way resolution looks them up, shadowed, and called through members, aliases,
# default, namespace and `require` imports of project modules, Electron and packages.
SHADOWS_APP: dict[str, str | bytes] = {
    "package.json": '{"name": "t", "main": "src/main.js", "devDependencies": {"electron": "31.0.0"}}',
    "src/main.js": """
        const { app, BrowserWindow, ipcMain } = require('electron')
        const electron = require('electron')
        const path = require('path')
        const tools = require('./tools')
        const remoteMain = require('@electron/remote/main')
        const { enable: turnOn } = require('@electron/remote/main')
        import setup, { register as reg, Registry } from './setup.mjs'
        import * as ns from './setup.mjs'
        import log from 'electron-log'
        import { enableFor } from './reexport.mjs'

        function console() { return 1 }  // a function named like a global
        function createWindow(path) {  // a parameter shadows the import
          path.join('a')
          const win = new BrowserWindow({})
          win.loadURL('x')
          win.webContents.send('a')
          ipcMain.handle('open', () => setup())
          turnOn(win.webContents)
          remoteMain.enable(win.webContents)
          enableFor(win.webContents)
          return win
        }
        function inner() {
          const tools = { run: createWindow }  // shadows the module-level require
          tools.run()
          const ns = null
          function deeper(reg) { reg() }  // a parameter shadows an import
          deeper(createWindow)
        }
        function relaunch(cb) {
          var cb = createWindow  // the binding comes before the parameter of the same name
          cb()
        }
        app.whenReady().then(() => {
          createWindow()
          reg('x', () => 1)
          ns.register('y', () => 2)
          tools.start()
          tools.helpers.nested()
          electron.app.on('activate', createWindow)
          console()
          JSON.parse('{}')
          log.info('x')
          inner()
          relaunch(null)
          const r = new Registry()
          r.add('z')
          setup.call(null)
          ;(function () { createWindow() })()
          setTimeout(createWindow, 10)
        })
        """,
    "src/setup.mjs": """
        import { ipcMain } from 'electron'
        export default function setup() { ipcMain.handle('setup', () => 1) }
        export function register(channel, fn) { ipcMain.on(channel, fn) }
        export class Registry { add(channel) { ipcMain.handle(channel, () => 0) } }
        """,
    "src/reexport.mjs": """
        import { enable } from '@electron/remote/main'
        export const enableFor = enable
        export { enable as turnOn } from '@electron/remote/main'
        """,
    "src/tools.js": """
        const { ipcMain } = require('electron')
        function start() { ipcMain.on('tools', () => 1) }
        module.exports = { start, helpers: { nested() { start() } } }
        """,
}


def _linked(root: Path) -> Project:
    r = check([str(root)], use_cache=False, jobs=1, need_project=True)
    project = r.extra["project"]
    assert isinstance(project, Project)
    return project


def _keys(index: CallIndex) -> tuple[dict[tuple[str, int], list[tuple[str, int]]],
                                     dict[tuple[str, int], list[tuple[str, int, int]]]]:
    calls, refs = index
    return ({t: [(p, c.index) for p, c in lst] for t, lst in calls.items()},
            {t: [(p, c.index, i) for p, c, i in lst] for t, lst in refs.items()})


def _projects() -> list[Path]:
    dirs = [*sorted((FIXTURES / "IPC012").iterdir()), *sorted((FIXTURES / "IPC013").iterdir()),
            FIXTURES / "projects" / "example-app"]
    return [d for d in dirs if d.is_dir()]


def _check_prefilters(project: Project) -> tuple[int, int]:
    """Assert the prefilters drop no call that resolves; (calls dropped, calls kept)."""
    assert _keys(call_index(project, prefilter=True)) == _keys(call_index(project, prefilter=False))
    dropped = kept = 0
    for path, call in project.iter_calls():
        if type(call.callee) is not Ref and type(call.callee) is not Member:
            continue
        if may_call_project_function(project, path, call):
            kept += 1
        else:
            dropped += 1
            assert callee_function(project, path, call) is None, (path, call.callee.text)
        if not _may_be_remote(project, path, call):
            r = project.resolve(path, call.callee, call.func).value
            assert not (isinstance(r, External) and r.src in REMOTE_MAIN), (path, call.callee.text)
    return dropped, kept


def test_the_prefilters_drop_no_call_on_shadowed_and_aliased_names(tmp_path: Path) -> None:
    project = _linked(write_project(tmp_path / "app", SHADOWS_APP))
    dropped, kept = _check_prefilters(project)
    assert dropped >= 5 and kept >= 10
    # (the index holds what these calls reach: the method, the default export, the IIFE, `tools.start`)
    names = {project.files[p].functions[fid].name for p, fid in call_index(project)[0]}
    assert {"Registry.add", "setup", "start", "createWindow", "register"} <= names
    relaunch = next(c for p, c in project.iter_calls() if c.callee.text == "cb")
    assert callee_function(project, "src/main.js", relaunch) is not None
    # every remote enable call is found: by an alias, a destructured name, a re-export
    remote = [f for f in check([str(tmp_path / "app")], use_cache=False, jobs=1, select="IPC013").findings
              if "@electron/remote" in f.message]
    assert len(remote) == 3


def test_the_prefilters_drop_no_call_on_the_rounds_app(tmp_path: Path) -> None:
    _check_prefilters(_linked(write_project(tmp_path / "app", ROUNDS_APP)))


@pytest.mark.parametrize("root", _projects(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_prefilters_drop_no_call_on_the_fixtures(root: Path) -> None:
    _check_prefilters(_linked(root))


# A function reached under other names than its own, every way resolution writes one: bound,
# assigned to a field, an object's entry, exported under another name, as a default export and as
# `module.exports` (required whole, imported as default, re-exported with `export *`), `.bind`,
# `Object.freeze`, an array's entry, a getter's return, a class expression, an aliased import, `await import()`.
RENAMES_APP: dict[str, str | bytes] = {
    "package.json": '{"name": "t", "main": "src/main.js", "devDependencies": {"electron": "31.0.0"}}',
    "src/main.js": """
        const { app, ipcMain } = require('electron')
        const whole = require('./whole')
        const { Getter } = require('./getter')
        import openDefault from './defaults.mjs'
        import starredDefault from './star.mjs'
        import { renamed as again, Klass as K2, run } from './named.mjs'
        import Shape from './shape.mjs'

        function createWindow() { ipcMain.handle('open', () => 1) }
        const go = createWindow
        const bound = createWindow.bind(null)
        const frozen = Object.freeze(createWindow)
        const table = { start: createWindow, nested: { deep: go } }
        const listed = [createWindow]
        const computed = { [String(1)]: createWindow }
        class Holder {
          constructor() { this.launch = createWindow; this.pick = this.choose.bind(this) }
          choose() { ipcMain.handle('choose', () => 2) }
          run() { this.launch(); this.pick() }
        }
        app.whenReady().then(() => {
          go(); bound(); frozen(); table.start(); table.nested.deep(); listed[0]()
          new Holder().run()
          whole(); openDefault(); starredDefault(); again(); run()
          new K2(); new Shape(); new Getter().run()
          app.on('activate', go)
          app.on('browser-window-created', openDefault)
        })
        async function later() { const lazy = await import('./lazy.js'); lazy() }
        later()
        """,
    "src/whole.js": """
        const { ipcMain } = require('electron')
        module.exports = function wholeModule() { ipcMain.handle('whole', () => 3) }
        """,
    "src/defaults.mjs": """
        import { ipcMain } from 'electron'
        function openIt() { ipcMain.handle('default', () => 4) }
        export default openIt
        """,
    "src/inner.mjs": """
        import { ipcMain } from 'electron'
        export default function () { ipcMain.handle('star', () => 5) }
        """,
    "src/star.mjs": "export * from './inner.mjs'\n",
    "src/named.mjs": """
        import { ipcMain } from 'electron'
        function original() { ipcMain.handle('named', () => 6) }
        export { original as renamed }
        export const Klass = class Inner { constructor() { ipcMain.handle('klass', () => 7) } }
        export function run() { ipcMain.handle('run', () => 8) }
        """,
    "src/shape.mjs": """
        import { ipcMain } from 'electron'
        export default class Square { constructor() { ipcMain.handle('square', () => 9) } }
        """,
    "src/getter.js": """
        const { ipcMain } = require('electron')
        function made() { ipcMain.handle('made', () => 10) }
        class Getter { get make() { return made } run() { this.make() } }
        module.exports = { Getter }
        """,
    "src/lazy.js": """
        const { ipcMain } = require('electron')
        module.exports = function loadedLater() { ipcMain.handle('lazy', () => 11) }
        """,
}


def _same_sites_per_function(project: Project) -> int:
    """Assert the callers and callback references found per function (``callers``,
    ``callback_refs``, from the names it is reached by) are the whole index's; the number of
    functions with callers."""
    from ipclint.link.calls import callback_refs, callers
    calls, refs = _keys(call_index(project))
    with_callers = 0
    for path, f in project.files.items():
        for fn in f.functions:
            key = (path, fn.id)
            assert [(p, c.index) for p, c in callers(project, path, fn.id)] == calls.get(key, []), (path, fn.name)
            assert [(p, c.index, i) for p, c, i in callback_refs(project, path, fn.id)] == refs.get(key, []), \
                (path, fn.name)
            with_callers += key in calls
    return with_callers


def test_callers_per_function_are_the_whole_index_on_renamed_functions(tmp_path: Path) -> None:
    project = _linked(write_project(tmp_path / "app", RENAMES_APP))
    assert _same_sites_per_function(project) >= 10
    escaped = project.memo.callers
    assert escaped is not None and escaped.full is not None  # (`{ [key]: createWindow }`: by no name)


@pytest.mark.parametrize("files", [SHADOWS_APP, ROUNDS_APP], ids=["shadows", "rounds"])
def test_callers_per_function_are_the_whole_index_on_the_apps(tmp_path: Path, files: dict[str, str | bytes]) -> None:
    _same_sites_per_function(_linked(write_project(tmp_path / "app", files)))


@pytest.mark.parametrize("root", _projects(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_callers_per_function_are_the_whole_index_on_the_fixtures(root: Path) -> None:
    _same_sites_per_function(_linked(root))

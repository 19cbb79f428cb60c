"""Electron objects reached through a `let` set later and through parameters that callers in
other files fill (SPEC section 1, Electron bindings): the roles and the graph edges they give."""
from __future__ import annotations

from pathlib import Path

from ipclint.engine import check
from ipclint.link.project import Project
from tests.helpers import write_project


def _linked(root: Path) -> Project:
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error, r.errors
    project = r.extra["project"]
    assert isinstance(project, Project)
    return project


def _edges(project: Project) -> set[tuple[str, str | None, str, str]]:
    return {(e.kind, e.channel, e.path, e.role.value) for e in project.graph.edges}


def test_a_let_set_later_to_ipcrenderer_makes_a_legacy_renderer(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", {
        "main.js": "const { ipcMain } = require('electron')\nrequire('./logger')\n"
                   "ipcMain.on('log', (e) => { e.returnValue = 1 })\n",
        "logger.js": "let ipc = null\nif (process.type === 'renderer') { ipc = require('electron').ipcRenderer }\n"
                     "module.exports.log = (m) => ipc.sendSync('log', m)\n",
        "twice.js": "let ipc\nif (process.env.X) { ipc = require('./fake') } else { ipc = require('electron').ipcRenderer }\n"
                    "module.exports.log = (m) => ipc.sendSync('other', m)\n",
        "fake.js": "module.exports = { sendSync: () => null }\n",
    }, main="main.js")
    project = _linked(root)
    assert project.role("logger.js").value == "renderer"
    assert project.role("twice.js").value != "renderer"
    edges = _edges(project)
    assert ("send", "log", "logger.js", "renderer") in edges
    assert not any(e[1] == "other" for e in edges)


def test_a_parameter_takes_the_object_every_importer_passes(tmp_path: Path) -> None:
    """`registerIpc(ipcMain)` in main.js, `exports.registerIpc = (bus) => bus.handle(...)` in a
    file that names no Electron API (parsed because main hands it ipcMain): a handler; a
    TypeScript parameter annotated `IpcMain` that no known call fills: a handler too."""
    root = write_project(tmp_path / "app", {
        "main.js": "const { ipcMain } = require('electron')\nconst { registerIpc } = require('./ipc')\n"
                   "const plugins = [require('./plugin')]\nregisterIpc(ipcMain)\n"
                   "for (const p of plugins) p.registerPlugin(ipcMain)\n",
        "ipc.js": "exports.registerIpc = (bus) => { bus.handle('a', () => 1) }\n",
        "plugin.ts": "import { IpcMain } from 'electron'\n"
                     "export function registerPlugin(ipc: IpcMain) { ipc.handle('b', () => 2) }\n"
                     "export function other(ipc: WebContents) { ipc.send('c') }\n",
    }, main="main.js")
    edges = _edges(_linked(root))
    assert ("handle", "a", "ipc.js", "main") in edges
    assert ("handle", "b", "plugin.ts", "main") in edges
    assert not any(e[1] == "c" for e in edges)


def test_a_parameter_takes_the_object_passed_through_a_re_exporting_index(tmp_path: Path) -> None:
    """A package's index re-exports the function (`export { registerIpc } from './ipc'`,
    `export * from './impl'`): main's call through the index fills the parameter as a direct
    import's would. A function whose only caller passes something else registers nothing."""
    root = write_project(tmp_path / "app", {
        "main.ts": "import { ipcMain } from 'electron'\nimport { EventEmitter } from 'events'\n"
                   "import { registerIpc } from './lib'\nimport { registerMore, registerOther } from './more'\n"
                   "registerIpc(ipcMain)\nregisterMore(ipcMain)\nregisterOther(new EventEmitter())\n",
        "lib/index.ts": "export { registerIpc } from './ipc'\nexport const VERSION = 1\n",
        "lib/ipc.ts": "export function registerIpc(bus: any) {\n  bus.handle('lib:a', () => 1)\n}\n",
        "more/index.ts": "export * from './impl'\n",
        "more/impl.ts": "export const registerMore = (bus: any) => {\n  bus.handle('more:b', () => 2)\n}\n"
                        "export function registerOther(bus: any) {\n  bus.handle('more:c', () => 3)\n}\n",
    }, main="main.ts")
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC007"])
    project = r.extra["project"]
    assert isinstance(project, Project)
    edges = _edges(project)
    assert ("handle", "lib:a", "lib/ipc.ts", "main") in edges
    assert ("handle", "more:b", "more/impl.ts", "main") in edges
    assert not any(e[1] == "more:c" for e in edges)
    assert [(f.rule, f.path, f.span.line) for f in r.findings] == [
        ("IPC007", "lib/ipc.ts", 2), ("IPC007", "more/impl.ts", 2)]


def test_an_importer_parsed_in_a_later_round_is_heard(tmp_path: Path) -> None:
    """The answer for a parameter holds while the importers not parsed stay so: ipc.js (it names
    ipcMain) is parsed in the first round, replay.js (which names no Electron API) in the second,
    for the constant main reads from it, and its call passes something else, so the handler that
    the first round found is no longer known."""
    root = write_project(tmp_path / "app", {
        "main.js": "const { ipcMain } = require('electron')\nconst { registerIpc } = require('./ipc')\n"
                   "const { MODE } = require('./replay')\nregisterIpc(ipcMain)\n"
                   "ipcMain.on(MODE, () => {})\n",
        "ipc.js": "exports.registerIpc = (ipcMain) => { ipcMain.handle('a', () => 1) }\n",
        "replay.js": "const { EventEmitter } = require('events')\nconst { registerIpc } = require('./ipc')\n"
                     "const recorder = new EventEmitter()\nregisterIpc(recorder)\nexports.MODE = 'replay'\n",
    }, main="main.js")
    edges = _edges(_linked(root))
    assert ("on", "replay", "main.js", "main") in edges  # (replay.js was parsed)
    assert not any(e[1] == "a" for e in edges)


def test_a_framework_module_that_re_exports_electron_is_electron(tmp_path: Path) -> None:
    """Eclipse Theia apps import Electron from `@theia/core/electron-shared/electron` (and
    `@theia/electron/shared/electron`), modules that only `export * from 'electron'` and live in
    node_modules: their ipcMain/ipcRenderer/contextBridge are Electron's."""
    root = write_project(tmp_path / "app", {
        "src/main/contrib.ts": "import { ipcMain, shell } from '@theia/core/electron-shared/electron'\n"
                               "export function start() { ipcMain.on('ide:open', (_e, p: string) => { shell.openPath(p) }) }\n",
        "src/browser/preload.ts": "import { contextBridge, ipcRenderer } from '@theia/electron/shared/electron'\n"
                                  "contextBridge.exposeInMainWorld('ide', { open: (p: string) => ipcRenderer.send('ide:open', p) })\n",
    })
    r = check([str(root)], use_cache=False, jobs=1)
    project = r.extra["project"]
    assert isinstance(project, Project)
    assert project.role("src/main/contrib.ts").value == "main"
    assert project.role("src/browser/preload.ts").value == "preload"
    edges = _edges(project)
    assert ("on", "ide:open", "src/main/contrib.ts", "main") in edges
    assert ("send", "ide:open", "src/browser/preload.ts", "preload") in edges
    assert any(f.rule == "IPC006" and f.path == "src/main/contrib.ts" for f in r.findings)


def test_electron_loaded_through_a_project_loader_makes_a_legacy_renderer(tmp_path: Path) -> None:
    # a webpack-built page with node integration reaches Electron past the bundler through its own
    # helper; the module it gives, kept whole in a local, is the electron module
    root = write_project(tmp_path / "app", {
        "main.js": "const { ipcMain, BrowserWindow } = require('electron')\n"
                   "ipcMain.on('ping', () => {})\n"
                   "module.exports.tell = (w) => w.webContents.send('tick', 1)\n",
        "page/loader.js": "function nodeModule(name) {\n"
                          "  if (typeof __non_webpack_require__ !== 'undefined') return __non_webpack_require__(name)\n"
                          "  return require(`${name}`)\n}\nmodule.exports = { nodeModule }\n",
        "page/whole.js": "const loader = require('./loader')\n"
                         "function start() {\n  const electron = loader.nodeModule('electron')\n"
                         "  electron.ipcRenderer.on('tick', (_e, n) => console.log(n))\n}\nstart()\n",
        "page/member.js": "const loader = require('./loader')\n"
                          "module.exports.ping = () => loader.nodeModule('electron').ipcRenderer.send('ping')\n",
        "page/other.js": "const loader = require('./loader')\n"
                         "const lodash = loader.nodeModule('lodash')\nmodule.exports = lodash.noop\n",
    }, main="main.js")
    project = _linked(root)
    assert project.role("page/whole.js").value == "renderer"
    assert project.role("page/member.js").value == "renderer"
    assert project.role("page/other.js").value != "renderer"
    edges = _edges(project)
    assert ("on", "tick", "page/whole.js", "renderer") in edges
    assert ("send", "ping", "page/member.js", "renderer") in edges


def test_a_service_registry_lookup_gives_the_electron_object_registered_under_its_key(tmp_path: Path) -> None:
    """Dependency injection by name: main registers ipcMain in a registry under a key, and modules
    take it back with `registry.get(key)`: their `on`/`handle` calls are handlers. A key that
    also holds something else is no Electron object."""
    root = write_project(tmp_path / "app", {
        "main.ts": "import { ipcMain, app } from 'electron'\nimport { Registry } from './registry'\n"
                   "import { setupNotes } from './notes'\n"
                   "const services = new Registry()\nservices.register('Bus', ipcMain)\n"
                   "services.register('Mixed', ipcMain)\nservices.register('Mixed', { handle() {} })\n"
                   "setupNotes(services)\napp.whenReady()\n",
        "registry.ts": "export class Registry {\n  private items: Record<string, unknown> = {}\n"
                       "  register(k: string, v: unknown) { this.items[k] = v }\n"
                       "  get(k: string): any { return this.items[k] }\n}\n",
        "notes.ts": "export function setupNotes(services: any) {\n"
                    "  const ipcMain = services.get('Bus')\n"
                    "  ipcMain.handle('notes:list', () => [])\n"
                    "  const ipcMainToo = services.get('Mixed')\n"
                    "  ipcMainToo.handle('notes:mixed', () => [])\n}\n",
        "preload.ts": "import { contextBridge, ipcRenderer } from 'electron'\n"
                      "contextBridge.exposeInMainWorld('api', { list: () => ipcRenderer.invoke('notes:list') })\n",
    }, main="main.ts")
    edges = _edges(_linked(root))
    assert ("handle", "notes:list", "notes.ts", "main") in edges
    assert not any(e[1] == "notes:mixed" for e in edges)


def test_code_for_both_sides_that_picks_remote_or_electron_takes_the_main_modules(tmp_path: Path) -> None:
    """`const { BrowserWindow } = isPage ? electron.remote : electron`: either way the
    main-process class, so its windows are judged (Electron 5: missing contextIsolation)."""
    root = write_project(tmp_path / "app", {
        "package.json": '{"name": "x", "main": "main.js", "devDependencies": {"electron": "^5.0.0"}}\n',
        "main.js": "const { app } = require('electron')\nconst { openPanel } = require('./panels')\n"
                   "app.on('ready', () => openPanel())\n",
        "panels.js": "const electron = require('electron')\n"
                     "const { BrowserWindow } = process.type === 'renderer' ? electron.remote : electron\n"
                     "exports.openPanel = () => new BrowserWindow({ width: 300 })\n",
    })
    r = check([str(root)], use_cache=False, jobs=1)
    assert any(f.rule == "IPC013" and f.path == "panels.js" and "contextIsolation" in f.message for f in r.findings)

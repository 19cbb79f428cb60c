"""The windows model (ipclint.link.windows) that IPC013 and IPC019 read: what it records of each
window, view and <webview>, checked on small projects written here."""
from __future__ import annotations

from pathlib import Path

from ipclint.extract.extract import extract
from ipclint.link import link
from ipclint.link.project import Project
from ipclint.link.windows import windows
from ipclint.link.winopts import options


def _project(tmp_path: Path, files: dict[str, str]) -> Project:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    facts = {name: extract(name, text.encode()) for name, text in files.items() if not name.endswith(".json")}
    return link(tmp_path, facts, all_paths=set(facts))


PACKAGE = '{"name": "w", "main": "main.js", "devDependencies": {"electron": "^30.0.0"}}'


def test_a_window_records_merged_options_preload_pages_and_handlers(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        "package.json": PACKAGE,
        "base.js": "module.exports.BASE = Object.freeze({ webPreferences: { sandbox: false, nodeIntegration: true } })\n",
        "main.js": (
            "const { BrowserWindow } = require('electron')\n"
            "const path = require('path')\n"
            "const { BASE } = require('./base')\n"
            "let win = null\n"
            "function create() {\n"
            "  win = new BrowserWindow(Object.assign({}, BASE, { webPreferences: { ...BASE.webPreferences,\n"
            "    sandbox: true, preload: path.join(__dirname, 'preload.js') } }))\n"
            "  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))\n"
            "}\n"
            "create()\n"
            "win.loadURL('https://example.com')\n"
        ),
        "preload.js": "const { contextBridge } = require('electron')\ncontextBridge.exposeInMainWorld('a', {})\n",
    })
    [w] = windows(project)
    assert w.kind == "BrowserWindow" and w.path == "main.js" and w.span.line == 6
    assert w.prefs is not None
    flags = {s.key: s.flag(project) for s in w.prefs.settings}
    assert flags == {"nodeIntegration": True, "sandbox": True, "preload": None}  # the later sandbox wins
    assert [p.file for p in w.preloads] == ["preload.js"]
    assert [(load.method, load.span.line) for load in w.loads] == [("loadURL", 11)]
    assert [(h.allows, h.span.line) for h in w.handlers] == [(False, 8)]


def test_condition_alternatives_never_override_each_other(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        "package.json": PACKAGE,
        "main.js": (
            "const { BrowserWindow } = require('electron')\n"
            "const dev = process.env.DEV\n"
            "new BrowserWindow({ webPreferences: dev ? { webSecurity: false } : { webSecurity: true } })\n"
        ),
    })
    [w] = windows(project)
    assert w.prefs is not None
    assert sorted((s.flag(project), s.sure) for s in w.prefs.settings) == [(False, False), (True, False)]


def test_unknown_parts_make_options_unknown(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        "package.json": PACKAGE,
        "main.js": (
            "const { BrowserWindow } = require('electron')\n"
            "function open(extra) { return new BrowserWindow({ width: 1, ...extra }) }\n"
        ),
    })
    [w] = windows(project)
    assert w.options is not None and not w.options.known
    call = project.files["main.js"].calls[-1]
    from ipclint.link.modules import Where
    assert options(project, Where("main.js", call.args[0], call.func)).get("width")


def test_webviews_take_the_preload_will_attach_webview_gives_them(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        "package.json": PACKAGE,
        "main.js": (
            "const { app } = require('electron')\n"
            "const path = require('path')\n"
            "app.on('web-contents-created', (_e, contents) => {\n"
            "  contents.on('will-attach-webview', (_ev, prefs) => { prefs.preload = path.join(__dirname, 'guest.js') })\n"
            "})\n"
        ),
        "guest.js": "const { ipcRenderer } = require('electron')\nipcRenderer.send('x')\n",
        "page.jsx": "export const P = () => <webview src='https://example.com' preload='./other.js' />\n",
    })
    [w] = windows(project)
    assert w.kind == "webview" and [p.file for p in w.preloads] == ["guest.js"]
    assert [load.method for load in w.loads] == ["src"]


def test_a_child_allowed_only_at_about_blank_is_no_remote_content(tmp_path: Path) -> None:
    """IPC019: a handler whose allowing answer is reached only for `about:blank` (or no URL) lets
    the opener's own code fill a blank child, which loads nothing remote; a child allowed for
    other URLs (a scheme test, `!== 'about:blank'`, or `!url ||` another test) inherits the
    preload with remote content."""
    from ipclint.engine import check
    from tests.helpers import write_project

    def window(handler: str) -> str:
        return ("{\n  const w = new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'preload.js') } })\n"
                f"  w.webContents.setWindowOpenHandler({handler})\n  w.loadFile('index.html')\n}}\n")
    deny = "return { action: 'deny' } }"
    root = write_project(tmp_path, {
        "main.js": "const { BrowserWindow } = require('electron')\nconst path = require('path')\n"
                   + window("({ url, frameName }) => {\n    if (frameName === 'pop' && (!url || url === 'about:blank')) "
                            "{ return { action: 'allow' } }\n    " + deny)
                   + window("(details) => { if (details.url === 'about:blank') return { action: 'allow' }; " + deny)
                   + window("({ url }) => { if (url.startsWith('https://')) return { action: 'allow' }; " + deny)
                   + window("({ url }) => { if (url !== 'about:blank') return { action: 'allow' }; " + deny)
                   + window("({ url }) => { if (!url || url.startsWith('http')) return { action: 'allow' }; " + deny),
        "preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
                      "contextBridge.exposeInMainWorld('api', { invoke: (ch, ...a) => ipcRenderer.invoke(ch, ...a) })\n",
    }, main="main.js")
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC019"])
    assert [(f.rule, f.path, f.span.line) for f in r.findings] == [
        ("IPC019", "main.js", 17), ("IPC019", "main.js", 22), ("IPC019", "main.js", 27)]

"""`--format html`: one self-contained page, checked in a real headless Chromium (Debian's chromium and
chromedriver, driven over WebDriver): the findings filters, excerpts and traces, and the channel
graph's search, app and role filters and click-through details. Set IPCLINT_SCREENSHOTS=DIR to keep
screenshots of what the tests saw."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from ipclint.cli import run
from tests import browser
from tests.helpers import write_project
from tests.test_graph_view import MONO

EXAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "example-app"
SHOTS = os.environ.get("IPCLINT_SCREENSHOTS")

if not browser.available():
    if browser.must_have_browser():
        raise RuntimeError("CI needs /usr/bin/chromium and /usr/bin/chromedriver (.ci/run installs them)")
    pytest.skip("headless Chromium is not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)


def _report(tmp_path: Path, target: Path, name: str = "report.html", *extra: str) -> Path:
    out = tmp_path / name
    code = run(["check", str(target), "--no-cache", "--format", "html", "--output", str(out), *extra])
    assert code in (0, 1) and out.exists()
    return out


@pytest.fixture(scope="module")
def web():
    with browser.Browser() as b:
        yield b


def _load(web: browser.Browser, page: Path, fragment: str = "") -> None:
    web.open(page.resolve().as_uri() + fragment)
    assert web.run("return [document.body.dataset.ready, document.body.dataset.error]") == ["true", None]


def _visible(web: browser.Browser, css: str) -> int:
    return web.run("return [...document.querySelectorAll(arguments[0])].filter(e => !e.hidden && "
                   "e.offsetParent !== null).length", css)


def _shot(web: browser.Browser, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        web.screenshot(Path(SHOTS) / name)


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    page = _report(tmp_path, EXAMPLE).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # url(#arrow) names a marker inside the page; anything else would be fetched
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link\b|@import|url\((?!#)", page)
    assert "default-src 'none'" in page  # the page may fetch nothing, even if some text tried to


def test_findings_filters_excerpts_and_traces(tmp_path: Path, web: browser.Browser) -> None:
    page = _report(tmp_path, EXAMPLE)
    _load(web, page)
    data = json.loads(web.run("return document.getElementById('ipclint-data').textContent"))
    total = len(data["findings"])
    errors = sum(1 for f in data["findings"] if f["severity"] == "error")
    assert total == 21 and _visible(web, ".finding") == total
    assert web.run("return performance.getEntriesByType('resource').length") == 0  # no network
    assert web.text("#f-count") == f"{total} of {total} findings shown"
    _shot(web, "example-findings.png")
    web.choose("#f-severity", "error")
    assert _visible(web, ".finding") == errors and _visible(web, ".finding.warning") == 0
    web.choose("#f-severity", "")
    web.choose("#f-rule", "IPC006")
    assert _visible(web, ".finding") == 1
    assert web.text(".finding:not([hidden]) .excerpt mark") == "shell.openExternal(url)"
    steps = web.run("return [...document.querySelectorAll('.finding:not([hidden]) .trace li')].map(e => e.textContent)")
    assert steps[0].startswith("src/renderer/App.tsx:14:22") and steps[-1].startswith("src/main/ipc.ts:30:11")
    assert "help:" in web.text(".finding:not([hidden]) .help")
    web.choose("#f-rule", "")
    web.choose("#f-file", "src/preload/index.ts")
    paths = web.run("return [...document.querySelectorAll('.finding')].filter(e => !e.hidden).map(e => e.dataset.path)")
    assert paths and set(paths) == {"src/preload/index.ts"}
    web.choose("#f-rule", "IPC013")  # only in src/main/index.ts
    assert _visible(web, ".finding") == 0 and _visible(web, "#no-findings") == 1


def test_channel_graph_search_and_click_through(tmp_path: Path, web: browser.Browser) -> None:
    page = _report(tmp_path, EXAMPLE)
    _load(web, page)
    web.click("#tab-graph")
    assert _visible(web, "#g-svg .node") >= 4
    web.type("#g-search", "note:*")
    shown = web.run("return [...document.querySelectorAll('#channel-list li')].filter(e => !e.hidden)"
                    ".map(e => e.querySelector('.channel').dataset.channel)")
    assert shown == ["note:changed", "note:load", "note:sav", "note:save"]
    web.click('.channel[data-channel="note:load"]')
    detail = web.text("#g-detail")
    assert "Channel note:load" in detail and "src/main/ipc.ts:11:3" in detail
    assert "src/preload/index.ts:5:25" in detail and "src/renderer/App.tsx:11:52" in detail
    assert web.run("return document.querySelectorAll('#g-svg .arrow.hit').length") >= 2
    _shot(web, "example-graph-channel.png")
    web.click('.channel[data-channel="note:sav"]')
    assert "nothing handles" in web.text("#g-detail")
    web.click('#g-svg .node[data-path="src/main/ipc.ts"] rect')
    detail = web.text("#g-detail")
    assert "src/main/ipc.ts" in detail and "src/main/ipc.ts:21 push" in detail and "main" in detail
    web.click('#g-roles input[value="preload"]')
    assert web.run("return getComputedStyle(document.querySelector('#g-svg .node.preload')).display") == "none"
    _shot(web, "example-graph-file.png")


def test_app_filter_and_deep_links(tmp_path: Path, web: browser.Browser) -> None:
    root = write_project(tmp_path / "mono", MONO)
    page = _report(tmp_path, root)
    _load(web, page, "#graph:channel=settings:get")
    assert "Channel settings:get" in web.text("#g-detail")
    web.choose("#g-app", "apps/legacy")
    shown = web.run("return [...document.querySelectorAll('#channel-list li')].filter(e => !e.hidden)"
                    ".map(e => e.textContent)")
    assert shown == ["old:ping", "settings:getnever handled"] or shown == ["old:ping", "settings:get"]
    hidden_nodes = web.run("return [...document.querySelectorAll('#g-svg .node')].filter(e => "
                           "getComputedStyle(e).display === 'none').map(e => e.dataset.path)")
    assert hidden_nodes and all(p.startswith("apps/desk/") for p in hidden_nodes)


def test_text_from_the_project_is_never_markup(tmp_path: Path, web: browser.Browser) -> None:
    evil = "</script><img src=x onerror=\"window.pwned=1\"><!--"
    root = write_project(tmp_path / "evil", {
        "main.js": f"const {{ ipcMain }} = require('electron')\nipcMain.handle({json.dumps(evil)}, () => 1)\n"})
    page = _report(tmp_path, root)
    _load(web, page, "#graph")
    assert web.run("return window.pwned === undefined && document.querySelectorAll('img').length === 0")
    assert evil in web.run("return [...document.querySelectorAll('.channel')].map(e => e.dataset.channel).join()")


def test_a_large_app_renders(tmp_path: Path, web: browser.Browser) -> None:
    files = {}
    for i in range(120):
        files[f"src/main/m{i}.js"] = ("const { ipcMain } = require('electron')\n"
                                      + "".join(f"ipcMain.handle('area{i}:op{j}', (_e, x) => x)\n" for j in range(4)))
        files[f"src/renderer/p{i}.js"] = ("const { ipcRenderer } = require('electron')\n"
                                          + "".join(f"ipcRenderer.invoke('area{i}:op{j}', 1)\n" for j in range(3)))
    page = _report(tmp_path, write_project(tmp_path / "big", files))
    _load(web, page)
    assert _visible(web, ".finding") > 400
    web.click("#tab-graph")
    assert web.run("return document.querySelectorAll('#g-svg .node').length") >= 240
    assert web.text("#g-count") == "480 of 480 channels shown"
    web.type("#g-search", "area7:*")
    assert web.text("#g-count") == "4 of 480 channels shown"
    _shot(web, "large-graph-search.png")

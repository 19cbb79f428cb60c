"""The graph view on the run result, and `ipclint graph` for large apps (SPEC §3 second edition)."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

from ipclint.cli import run
from ipclint.engine import check
from ipclint.model import Role
from ipclint.model.graph import Direction, GraphView, Part
from ipclint.output.graph import GraphFilter, render_dot, render_mermaid, select_view
from tests.helpers import write_project

MONO = {
    "package.json": '{"name": "mono", "private": true}',
    "apps/desk/package.json": '{"name": "desk", "devDependencies": {"electron": "31.0.0"}}',
    "apps/desk/src/main/ipc.js": """
        const { ipcMain, BrowserWindow } = require('electron')
        ipcMain.handle('settings:get', () => 1)
        ipcMain.handle('settings:old', () => 1)
        function tick(win) { win.webContents.send('clock:tick', Date.now()) }
        function lost(win) { win.webContents.send('clock:lost', 1) }
        module.exports = { tick, lost }
        """,
    "apps/desk/src/preload/index.js": """
        const { contextBridge, ipcRenderer } = require('electron')
        contextBridge.exposeInMainWorld('api', {
          get: () => ipcRenderer.invoke('settings:get'),
          typo: () => ipcRenderer.invoke('settings:gte'),
          onTick: (cb) => ipcRenderer.on('clock:tick', (_e, t) => cb(t)),
        })
        """,
    "apps/desk/src/renderer/page.js": "window.api.get()\nwindow.api.onTick(console.log)\n",
    "apps/desk/test/ipc.test.js": "const { ipcRenderer } = require('electron')\nipcRenderer.invoke('test:only')\n",
    "apps/legacy/package.json": '{"name": "legacy", "devDependencies": {"electron": "11.0.0"}}',
    "apps/legacy/main.js": "const { ipcMain } = require('electron')\nipcMain.on('old:ping', () => {})\n",
    "apps/legacy/page.js": "const { ipcRenderer } = require('electron')\nipcRenderer.send('old:ping')\n"
                           "ipcRenderer.send('settings:get')\n",
}


def _view(root: Path) -> GraphView:
    r = check([str(root)], use_cache=False, jobs=1, select=[])
    assert r.graph is not None
    return r.graph


def test_the_view_is_typed_frozen_and_serialisable(tmp_path: Path) -> None:
    v = _view(write_project(tmp_path, MONO))
    assert GraphView.from_dict(json.loads(json.dumps(v.to_dict()))) == v
    assert pickle.loads(pickle.dumps(v)) == v
    assert v.apps == ("apps/desk", "apps/legacy")
    e = next(e for e in v.edges if e.channel == "settings:get" and e.role is Role.RENDERER)
    assert (e.part, e.direction, e.app, e.preload) == (Part.SENDER, Direction.TO_MAIN, "apps/desk",
                                                        "apps/desk/src/preload/index.js")
    marks = {(e.channel, e.path.rsplit("/", 1)[-1]) for e in v.edges if e.unhandled}
    # the legacy app's send of settings:get is not handled in the legacy app; the other app's handler does not count
    assert marks == {("settings:gte", "index.js"), ("clock:lost", "ipc.js"), ("settings:get", "page.js"),
                     ("test:only", "ipc.test.js")}
    assert {e.channel for e in v.edges if e.unused} == {"settings:old"}
    test_edge = next(e for e in v.edges if e.channel == "test:only")
    assert test_edge.is_test


def test_mermaid_and_dot_group_files_by_app_and_role(tmp_path: Path) -> None:
    v = select_view(_view(write_project(tmp_path, MONO)), GraphFilter())
    m = render_mermaid(v)
    assert m.count('subgraph') == 5 and '["apps/desk · preload"]' in m and '["apps/legacy · renderer"]' in m
    assert "test:only" not in m and "ipc.test.js" not in m  # test code is left out
    assert m.count('["apps/desk/src/main/ipc.js"]') == 1  # one node per file, whatever its channel count
    assert '-->|"invoke: settings:gte"| nohandler' in m and 'nosender -->|"handle: settings:old"|' in m
    assert '-.->|"push: clock:tick"|' in m  # main -> renderer is dotted, renderer -> main solid
    assert '-->|"invoke: settings:get"|' in m
    assert "linkStyle" in m
    d = render_dot(v)
    assert d.count("subgraph cluster_") == 5 and 'label="push: clock:tick", style=dashed' in d
    assert 'nohandler [label="no handler or listener"' in d
    with_tests = render_mermaid(select_view(_view(tmp_path), GraphFilter(include_tests=True)))
    assert "test:only" in with_tests


def test_graph_filters_on_the_command_line(tmp_path: Path, capsys, monkeypatch) -> None:
    root = write_project(tmp_path, MONO)
    assert run(["graph", str(root), "--no-cache", "--format", "json", "--app", "apps/legacy"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["channel"] for c in doc["channels"]] == ["old:ping", "settings:get"]
    monkeypatch.chdir(root / "apps")
    assert run(["graph", str(root), "--no-cache", "--format", "json", "--app", "desk", "--channel", "settings:*",
                "--role", "renderer,preload"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["channel"] for c in doc["channels"]] == ["settings:get", "settings:gte"]
    roles = {x["role"] for c in doc["channels"] for k in ("senders", "handlers") for x in c[k]}
    assert roles == {"renderer", "preload"}
    assert run(["graph", str(root), "--no-cache", "--channel", "nope:*"]) == 2
    assert "matches" in capsys.readouterr().err
    assert run(["graph", str(root), "--no-cache", "--app", "apps/nothing"]) == 2
    assert "apps/desk" in capsys.readouterr().err
    assert run(["graph", str(root), "--no-cache", "--role", "gpu"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_mermaid_graph_too_large_for_github_warns(tmp_path: Path, capsys) -> None:
    files = {}
    for i in range(160):
        files[f"src/main/m{i}.js"] = ("const { ipcMain } = require('electron')\n"
                                      + "".join(f"ipcMain.handle('a-rather-long-channel-name:{i}:{j}', () => 1)\n"
                                                for j in range(12)))
    root = write_project(tmp_path, files)
    assert run(["graph", str(root), "--no-cache"]) == 0
    cap = capsys.readouterr()
    assert len(cap.out) > 50_000 and "GitHub renders at most 50,000" in cap.err
    assert run(["graph", str(root), "--no-cache", "--channel", "*:1:*"]) == 0
    assert capsys.readouterr().err == ""


def _flags_reference(edges, generic, allowlisted):  # type: ignore[no-untyped-def]
    """graphview._flags as it was written first: each edge against every edge of its channel."""
    from ipclint.link.graphview import _talk
    from ipclint.model.graph import EdgeKind
    send_any = {g.app for g in generic if not g.listen}
    listen_any = {g.app for g in generic if g.listen}
    host_any = {e.app for e in edges if e.channel is None and e.direction is Direction.TO_HOST
                and e.part is Part.LISTENER}
    allowed = allowlisted if isinstance(allowlisted, dict) else {"": allowlisted}
    out = []
    for e in edges:
        if e.channel is None:
            out.append((False, False))
            continue
        peers = [p for p in edges if p.channel == e.channel and _talk(p.app, e.app)]
        flag = (False, False)
        if e.part is Part.SENDER and e.direction is Direction.TO_HOST:
            if not any(_talk(a, e.app) for a in host_any) and not any(
                    p.part is Part.LISTENER and p.direction is Direction.TO_HOST for p in peers):
                flag = (True, False)
        elif e.part is Part.SENDER:
            want = EdgeKind.HANDLE if e.kind is EdgeKind.INVOKE else EdgeKind.ON
            if not any(p.part is Part.HANDLER and p.kind is want for p in peers):
                flag = (True, False)
        elif e.part is Part.PUSHER and not any(_talk(a, e.app) for a in listen_any):
            if not any(p.part is Part.LISTENER and p.direction is not Direction.TO_HOST for p in peers):
                flag = (True, False)
        elif e.part is Part.HANDLER and e.kind is not EdgeKind.PORT and not any(_talk(a, e.app) for a in send_any) \
                and not any(e.channel in chs for a, chs in allowed.items() if _talk(a, e.app)):
            if not any(p.part in (Part.SENDER, Part.EMITTER) and p.direction is not Direction.TO_HOST for p in peers):
                flag = (False, True)
        out.append(flag)
    return out


def test_graph_marks_are_the_pairwise_judgement_and_linear() -> None:
    """graphview._flags judges each edge by what its channel's edges in the apps it can talk to are
    (one union per edge): the same marks as comparing it with every edge of its channel."""
    import random

    from ipclint.link import graphview
    from ipclint.model.graph import EdgeKind, GenericPath
    rng = random.Random(13)
    for _ in range(300):
        rows = [graphview._Row(rng.choice(list(EdgeKind)), "m", "r", rng.choice(list(Part)),
                               rng.choice(list(Direction)), rng.choice([None, "a", "b", "c"]), "p.ts", 1, 1,
                               Role.MAIN, rng.choice(["", "x", "y"]), False, (), "", None)
                for _ in range(rng.randrange(1, 12))]
        generic = tuple(GenericPath("p.ts", 1, "m", rng.random() < 0.5, rng.choice(["", "x", "y"]))
                        for _ in range(rng.randrange(0, 2)))
        allowed = rng.choice([frozenset(), frozenset({"a"}), {"x": frozenset({"b"})}])
        assert graphview._flags(rows, generic, allowed) == _flags_reference(rows, generic, allowed)
    calls = 0
    real = graphview._traits_of

    def counted(e: graphview._Row) -> list[str]:
        nonlocal calls
        calls += 1
        return real(e)

    graphview._traits_of = counted  # type: ignore[assignment]
    try:
        many = [graphview._Row(EdgeKind.SEND, "m", "r", Part.SENDER, Direction.TO_MAIN, "one", "p.ts", i, 1,
                               Role.RENDERER, "", False, (), "", None) for i in range(2_000)]
        assert all(f == (True, False) for f in graphview._flags(many, (), frozenset()))
    finally:
        graphview._traits_of = real  # type: ignore[assignment]
    assert calls == 2_000

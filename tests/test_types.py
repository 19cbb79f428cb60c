"""Call shapes in extraction, type facts, declaration files, and typed-channel decisions."""
from __future__ import annotations

from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.extract.extract import extract
from ipclint.model.types import TKeyof, TRef, TUnion
from ipclint.model.values import Member, Ref, Spread
from tests.helpers import write_project


def _calls(src: str, path: str = "x.ts") -> list[tuple[str, tuple[str, ...], bool]]:
    f = extract(path, src.encode())
    out = []
    for c in f.calls:
        callee = c.callee
        name = f"{callee.obj.text}.{callee.prop}" if isinstance(callee, Member) else (
            callee.name if isinstance(callee, Ref) else type(callee).__name__)
        args = tuple(("..." + a.text) if isinstance(a, Spread) else a.text for a in c.args)
        out.append((name, args, c.awaited))
    return out


@pytest.mark.parametrize(("src", "want"), [
    ("async function f() { await ipc.invoke<A, B>('ch', 1) }", ("ipc.invoke", ("'ch'", "1"), True)),
    ("async function f() { await window.api!.invoke<A>('ch') }", ("window.api.invoke", ("'ch'",), True)),
    ("ipcRenderer?.send?.('ch')", ("ipcRenderer.send", ("'ch'",), False)),
    ("(ipcRenderer.send as any)('ch')", ("ipcRenderer.send", ("'ch'",), False)),
    ("(0, _ipc.invoke)('ch')", ("_ipc.invoke", ("'ch'",), False)),
    ("send!('ch')", ("send", ("'ch'",), False)),
    ("send.call(this, 'ch', 2)", ("send", ("'ch'", "2"), False)),
    ("ipcRenderer.send.call(ipcRenderer, 'ch')", ("ipcRenderer.send", ("'ch'",), False)),
    ("invoke.apply(null, ['ch', 3])", ("invoke", ("'ch'", "3"), False)),
    ("invoke.apply(undefined, args)", ("invoke", ("...args",), False)),
    ("Reflect.apply(ipcMain.handle, ipcMain, ['ch', fn])", ("ipcMain.handle", ("'ch'", "fn"), False)),
    ("async function f() { await (ipc.invoke)('ch') }", ("ipc.invoke", ("'ch'",), True)),
])
def test_every_call_shape_is_the_same_call(src: str, want: tuple[str, tuple[str, ...], bool]) -> None:
    assert want in _calls(src)


def test_an_rpc_objects_own_call_method_is_left_alone() -> None:
    got = _calls("rpc.call('method', 1); client.apply('x', y)")
    assert ("rpc.call", ("'method'", "1"), False) in got
    assert ("client.apply", ("'x'", "y"), False) in got


def test_an_await_before_a_generic_call_belongs_to_the_whole_chain() -> None:
    got = _calls("async function f() { const r = await invoke<T>('ch').then(g) }")
    assert any(name == "invoke" and len(args) == 1 for name, args, _ in got)
    assert any(name.endswith(".then") and args == ("g",) and awaited for name, args, awaited in got)


def test_type_facts_record_what_typed_channels_need() -> None:
    src = """
    import type { Api } from './api'
    export type Ch = 'a' | 'b'
    interface Ipc { invoke<K extends keyof Api>(channel: K): void }
    const ipc = ipcRenderer as unknown as Ipc
    const CH = { A: 'a' } as const
    export function send<C extends Ch>(channel: C, n: number) {}
    // @ts-expect-error
    send('zzz', 1)
    declare global { interface Window { api: Ipc } }
    """
    f = extract("x.ts", src.encode())
    t = f.types
    assert t is not None
    assert t.type_imports["Api"] == ("./api", "Api")
    assert isinstance(t.decls["Ch"].body, TUnion)
    assert t.decls["Ipc"].kind == "interface"
    assert t.vars[(None, "ipc")] == TRef("Ipc")
    assert "CH" in t.const_objects
    sig = next(iter(t.funcs.values()))
    assert sig.tparams[0].name == "C" and sig.tparams[0].constraint == TRef("Ch")
    assert sig.params[0] == TRef("C")
    assert "Window" in t.globals
    assert 9 in t.unchecked
    inner = t.decls["Ipc"].body
    assert inner is not None and isinstance(inner.members[0].sigs[0].tparams[0].constraint, TKeyof)  # type: ignore[union-attr]


def test_javascript_records_no_types() -> None:
    assert extract("x.js", b"function f(a) { return a }").types is None


MAIN = """
import { app, ipcMain } from 'electron'
import { handle } from './ipc'
handle('chan', async () => 1)
app.whenReady()
"""


def _ipc003(root: Path) -> list[tuple[str, int]]:
    res = check([str(root)], select="IPC003", use_cache=False)
    return [(f.path, f.span.line) for f in res.findings]


@pytest.mark.parametrize(("decl", "typed"), [
    ("export type C = 'chan' | 'other'", True),
    ("export type C = `${'chan' | 'x'}`", True),
    ("export enum E { A = 'chan' }\nexport type C = `${E}`", True),
    ("const T = { chan: 1 }\nexport type C = keyof typeof T", True),
    ("export const T = { A: 'chan' } as const\nexport type C = (typeof T)[keyof typeof T]", True),
    ("export const T = Object.freeze({ A: 'chan' })\nexport type C = (typeof T)[keyof typeof T]", True),
    ("export const L = ['chan'] as const\nexport type C = (typeof L)[number]", True),
    ("interface I { chan: () => void }\nexport type C = keyof I", True),
    ("export type C = Extract<keyof { chan: 1 }, string>", True),
    ("type K = 'chan'\nexport type C = keyof Record<K, number>", True),
    ("export type C = 'chan' | undefined", True),
    ("export const SAVE = 'chan'\nexport type C = typeof SAVE", True),
    ("export const CH = { S: 'chan' } as const\nexport type C = typeof CH.S", True),
    ("export let SAVE = 'chan'\nexport type C = typeof SAVE", False),
    ("export const CH = { S: 'chan' }\nexport type C = typeof CH.S", False),
    ("export type C = 'chan' | (string & {})", False),
    ("export type C = string", False),
    ("export type C = 'chan' | string", False),
    ("export type C = `app:${string}`", False),
    ("export const T = { A: 'chan' }\nexport type C = (typeof T)[keyof typeof T]", False),
    ("interface I { [k: string]: () => void }\nexport type C = keyof I", False),
    ("export type C = keyof Record<string, number>", False),
    ("export type C = keyof any", False),
])
def test_what_counts_as_a_typed_channel(tmp_path: Path, decl: str, typed: bool) -> None:
    root = write_project(tmp_path / "p", {
        "src/types.ts": decl + "\n",
        "src/ipc.ts": """
            import { ipcMain } from 'electron'
            import type { C } from './types'
            export function handle(channel: C, fn: () => unknown) { ipcMain.handle(channel, fn) }
            """,
        "src/main.ts": MAIN,
    }, main="src/main.ts")
    assert _ipc003(root) == ([] if typed else [("src/main.ts", 3)])


@pytest.mark.parametrize(("params", "typed"), [
    ("<T extends 'chan'>(channel: T", True),
    ("<T extends keyof { chan: 1 }>(channel: T", True),
    ("<T extends string>(channel: T", False),
    ("<T>(channel: T", False),
    ("(channel: 'chan' | 'x'", True),
    ("(channel: any", False),
])
def test_type_parameters_count_by_their_constraint(tmp_path: Path, params: str, typed: bool) -> None:
    root = write_project(tmp_path / "p", {
        "src/ipc.ts": f"""
            import {{ ipcMain }} from 'electron'
            export function handle{params}, fn: () => unknown) {{ ipcMain.handle(channel, fn) }}
            """,
        "src/main.ts": MAIN,
    }, main="src/main.ts")
    assert _ipc003(root) == ([] if typed else [("src/main.ts", 3)])


BRIDGE = {
    "src/preload.ts": """
        import { contextBridge, ipcRenderer } from 'electron'
        contextBridge.exposeInMainWorld('api', {
          invoke: (channel: 'notes:list', ...args: unknown[]) => ipcRenderer.invoke(channel, ...args),
        })
        """,
    "src/main.ts": """
        import { app, BrowserWindow, ipcMain } from 'electron'
        import { NOTES } from './channels'
        ipcMain.handle(NOTES, () => [])
        app.whenReady().then(() => new BrowserWindow({ webPreferences: { preload: __dirname + '/preload.js' } }))
        """,
    "src/channels.ts": "export const NOTES = 'notes:list'\n",
    "src/page.ts": "export const load = () => window.api.invoke('notes:list')\n",
}


@pytest.mark.parametrize(("declaration", "typed"), [
    # the page compiles against its own declaration of window, often a .d.ts
    ("declare global { interface Window { api: { invoke(channel: 'notes:list'): Promise<string[]> } } }\nexport {}",
     True),
    ("interface Window { api: { invoke(channel: 'notes:list'): Promise<string[]> } }", True),  # a script
    ("declare global { interface Window { api: { invoke(channel: string): Promise<string[]> } } }\nexport {}",
     False),
    ("declare global { interface Window { api: any } }\nexport {}", False),
    (None, False),  # nothing declares window.api: the preload's own type does not reach the page
])
def test_page_calls_of_a_bridge_follow_the_pages_declaration_of_window(tmp_path: Path, declaration: str | None,
                                                                      typed: bool) -> None:
    files: dict[str, str | bytes] = dict(BRIDGE)
    if declaration is not None:
        files["src/env.d.ts"] = declaration + "\n"
    root = write_project(tmp_path / "p", files, main="src/main.ts")
    assert _ipc003(root) == ([] if typed else [("src/page.ts", 1)])


def test_a_javascript_caller_of_a_typed_wrapper_is_reported(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", {
        "src/ipc.ts": """
            import { ipcMain } from 'electron'
            export function handle(channel: 'chan', fn: () => unknown) { ipcMain.handle(channel, fn) }
            """,
        "src/main.js": MAIN.replace("import { app, ipcMain } from 'electron'\n", "const { app } = require('electron')\n"),
    }, main="src/main.js")
    assert _ipc003(root) == [("src/main.js", 3)]


def test_declaration_files_are_read_never_counted_or_reported(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = dict(BRIDGE)
    files["src/env.d.ts"] = ("declare global { interface Window { api: { invoke(channel: 'notes:list'): void } } }\n"
                             "export {}\n")
    root = write_project(tmp_path / "p", files, main="src/main.ts")
    res = check([str(root)], use_cache=False)
    assert res.files.analysed == 4
    assert all(not f.path.endswith(".d.ts") for f in res.findings)
    assert all(not r.path.endswith(".d.ts") for r in res.roles)


def test_an_edited_declaration_file_is_not_served_from_the_result_cache(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = dict(BRIDGE)
    files["src/env.d.ts"] = ("declare global { interface Window { api: { invoke(channel: 'notes:list'): void } } }\n"
                             "export {}\n")
    root = write_project(tmp_path / "p", files, main="src/main.ts")
    cache = tmp_path / "cache"
    first = check([str(root)], select="IPC003", cache_dir=str(cache))
    (root / "src/env.d.ts").write_text("declare global { interface Window { api: any } }\nexport {}\n")
    second = check([str(root)], select="IPC003", cache_dir=str(cache))
    assert [f.path for f in first.findings] == []
    assert [f.path for f in second.findings] == ["src/page.ts"]

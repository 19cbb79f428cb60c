"""Test code (SPEC section 1, "Test code"): test files, and the functions a Playwright test sends
into the Electron main process with `electronApp.evaluate(fn)`.

No rule reports inside test code, but what it registers counts: a channel that only a test's
`ipcMain.handle` answers is handled (IPC010). The functions given to `evaluate` receive the
`electron` module as their first parameter (`({ ipcMain, BrowserWindow }) => ...`), so their
Electron bindings are recognised here, by the parameter, rather than by an import.
"""
from __future__ import annotations

from ipclint.link.project import Project
from ipclint.model import Span
from ipclint.model.facts import FileFacts, Func
from ipclint.model.values import Fn, Import, Member, Module, Ref

PLAYWRIGHT = frozenset({"playwright", "@playwright/test", "playwright-core", "@playwright/experimental-ct-react"})
# Names of the electron module a main-process function destructures (`({ ipcMain, app }) => ...`).
ELECTRON_MAIN_NAMES = frozenset({"ipcMain", "BrowserWindow", "app", "dialog", "webContents", "session",
                                 "Menu", "shell", "clipboard", "nativeTheme", "screen", "protocol",
                                 "systemPreferences", "autoUpdater", "MessageChannelMain", "utilityProcess",
                                 "powerMonitor", "globalShortcut", "Tray", "nativeImage", "net"})


def test_functions(files: dict[str, FileFacts], memo: dict[str, frozenset[int]] | None = None
                   ) -> dict[str, frozenset[int]]:
    """Per file, the functions that are Playwright `evaluate` callbacks (with everything nested in
    them); in test files too, where they are already test code, for their Electron bindings.
    ``memo``: each file's answer (from its facts alone), kept by the caller for the rounds of a run."""
    out: dict[str, frozenset[int]] = {}
    for path in sorted(files):
        found = memo.get(path) if memo is not None else None
        if found is None:
            found = _evaluate_callbacks(files[path])
            if memo is not None:
                memo[path] = found
        if found:
            out[path] = found
    return out


def _evaluate_callbacks(f: FileFacts) -> frozenset[int]:
    playwright: bool | None = None
    found: set[int] = set()
    for c in f.calls:
        # (exact types: every call of every file; failing isinstance tests on msgspec values are slow)
        if not (type(c.callee) is Member and c.callee.prop == "evaluate" and c.args and type(c.args[0]) is Fn):
            continue
        fn = f.functions[c.args[0].fid]
        if playwright is None:
            playwright = _imports_playwright(f)
        if playwright or electron_param(fn) is not None:
            found |= f.subtree(fn.id)
    return frozenset(found)


def _imports_playwright(f: FileFacts) -> bool:
    srcs = [v.src for v in f.imports.values() if isinstance(v, (Import, Module))]
    srcs += [v.src for (scope, _n), v in f.bindings.items() if scope is None and isinstance(v, Module)]
    return any(s in PLAYWRIGHT for s in srcs)


def electron_param(fn: Func) -> str | None:
    """The first parameter of an `evaluate` callback when it receives the electron module: its
    name (`electron`), or "" when it is destructured into Electron names (`({ ipcMain }) =>`)."""
    first = [p for p in fn.params if p.index == 0]
    if not first:
        return None
    if len(first) == 1 and not first[0].path and not first[0].rest:
        return first[0].name
    if all(p.path and p.path[0] in ELECTRON_MAIN_NAMES for p in first):
        return ""
    return None


def in_test_code(project: Project, path: str, scope: int | None) -> bool:
    """Whether code of ``path`` in function ``scope`` is test code."""
    if project.is_test(path):
        return True
    funcs = project.test_funcs.get(path)
    return funcs is not None and scope is not None and scope in funcs


def test_spans(project: Project) -> dict[str, list[Span]]:
    """Where the `evaluate` callbacks are, per file: findings there are not reported."""
    out: dict[str, list[Span]] = {}
    for path, funcs in project.test_funcs.items():
        f = project.files[path]
        out[path] = sorted(f.functions[fid].span for fid in funcs
                           if f.functions[fid].parent is None or f.functions[fid].parent not in funcs)
    return out


def evaluate_api(project: Project, path: str, scope: int | None, obj: Ref | Member) -> str | None:
    """The Electron API an `evaluate` callback reaches through its parameter: `ipcMain` of
    `({ ipcMain }) =>`, or `electron.ipcMain` of `(electron) =>`."""
    funcs = project.test_funcs.get(path)
    if funcs is None or scope not in funcs:
        return None
    name = obj.name if isinstance(obj, Ref) else obj.obj.name if isinstance(obj.obj, Ref) else None
    if name is None:
        return None
    hit = project.param_of(path, scope, name)
    if hit is None or hit[0] not in funcs or hit[1].index != 0:
        return None
    fn = project.files[path].functions[hit[0]]
    how = electron_param(fn)
    if how is None or fn.arg_of is None:
        return None
    if isinstance(obj, Ref) and how == "" and hit[1].path:
        return hit[1].path[-1]
    if isinstance(obj, Member) and how == name and obj.prop in ELECTRON_MAIN_NAMES:
        return obj.prop
    return None

"""Choose, with byte searches only, the files that can matter; the rest are never parsed.

A file matters when it mentions IPC, when its code names Electron (an import or require of it or
of an Electron package, a member of a name `electron`; not the word in comments, strings or build
configuration), when it uses a key a preload exposes (`window.api`), or is a package.json `main`
entry. Linking then asks for more (link/needs.py): the modules resolution reached, and the
importers of modules that define app wrappers or re-export Electron bindings. What each file
contributes is computed once (``byte_facts``) and cached with its stat.

Test code (``is_test_path``) is never reported on: what it adds is the IPC it does (a handler
registered there counts as one, its sends as uses), so a test file that names Electron alone
(Playwright's `_electron`, `jest.mock('electron')`), or IPC only as the keys of a mock
factory (`{ ipcMain: { on: jest.fn() } }`), or that never calls an IPC method (`.send(`,
`.on(`, `.invoke(`, `['handle'](`: every direct IPC call is one, link/ipcops.py) and only mocks
or inspects the IPC names (`expect(ipcMain.on).toBeCalled()`), is not parsed for that;
one that registers or sends through an app wrapper is still found as an importer of the
wrapper's module, one that calls the exposed API by the key it reads.
"""
from __future__ import annotations

import re
from pathlib import Path

from ipclint.discover import ByteFacts, SourceFile, file_for_stem
from ipclint.model import FRAME_WINDOWS
from ipclint.model.paths import is_test_path
from ipclint.safefs import read_in_root

IPC_KEYWORDS = (b"ipcRenderer", b"ipcMain", b"contextBridge", b"webContents", b".ipc.", b"IpcRenderer", b"IpcMain",
                b"<webview", b"ipc-message")
KEYWORDS = (b"electron", *IPC_KEYWORDS)
# An IPC keyword used in code: a name not an object key (`{ ipcMain: { on: jest.fn() } }`, a mock
# factory's shape) nor part of a longer name, or any of the others; test code is parsed for its IPC
# only when it has such a use
IPC_USE = re.compile(rb"(?<![\w$])(?:" + b"|".join(k for k in IPC_KEYWORDS if k.isalpha()) + rb")(?![\w$]|\s*:)|"
                     + b"|".join(re.escape(k) for k in IPC_KEYWORDS if not k.isalpha()))
# An IPC method called, as every direct IPC call calls it (link/ipcops.py IPC_METHOD_NAMES, kept
# equal by tests/test_engine.py): `.send(`, `?.on(`, `.invoke<T>(`, `.send?.(`, `.send!(`, `['handle'](`; not
# a method only read (`expect(ipcMain.on).toBeCalled()`, `(ipcMain.handle as Mock).mock`)
IPC_METHODS = (b"handle", b"handleOnce", b"on", b"once", b"addListener", b"prependListener", b"prependOnceListener",
               b"removeHandler", b"removeListener", b"off", b"removeAllListeners", b"emit", b"listeners",
               b"rawListeners", b"send", b"sendSync",
               b"sendToHost", b"postMessage", b"invoke", b"reply",
               b"answerRenderer", b"callRenderer", b"callFocusedRenderer", b"sendToRenderers", b"callMain",
               b"answerMain")  # (the last six electron-better-ipc's)
_CALLED = rb"\s*!?\s*(?:\?\.\s*)?(?:<[^;\n]{0,200}?>\s*)?\("  # (`!`: TypeScript's non-null assertion)
IPC_CALL = re.compile(rb"(?:\.\s*(?:" + b"|".join(IPC_METHODS) + rb")(?![\w$])|\[\s*['\"`](?:"
                      + b"|".join(IPC_METHODS) + rb")['\"`]\s*\])" + _CALLED)
EXPOSE_RE = re.compile(rb"exposeIn(?:Main|Isolated)World\s*\(\s*(?:[^,()]{0,40},\s*)?['\"`]([\w$]+)['\"`]")


# (a template literal too: `require(`electron`)`; one with a substitution resolves to no file)
SPEC_AT = re.compile(rb"""(?:from\s*|require\s*\(\s*|import\s*\(\s*|import\s+)['"`]([^'"`\n]{1,200})['"`]""")
# (`window.parent.api` / `window.top.api`: an iframe reaching the embedding page's bridge;
# `(window as any).api`: TypeScript's cast of the global, where the page declares no type for it)
GLOBAL_AT = re.compile(rb"(?:window|globalThis)(?:\s+as\s+[^()\n;]{1,80}?\))?"
                       rb"\s*(?:\?\.|\.)\s*(?:(?:%s)\s*(?:\?\.|\.)\s*)?([A-Za-z_$][\w$]*)"
                       % "|".join(sorted(FRAME_WINDOWS)).encode())
# `const { api, other: o } = window`: keys read by destructuring the global (the text before the
# global, searched backwards from each occurrence of it)
DESTRUCTURED_AT = re.compile(rb"\{([^{}]{1,400})\}\s*=\s*$")
DESTRUCTURED_KEY = re.compile(rb"(?:^|,)\s*([A-Za-z_$][\w$]*)")


def _scan(data: bytes, needles: tuple[bytes, ...], pattern: re.Pattern[bytes]) -> list[bytes]:
    """Matches of ``pattern`` anchored where a needle occurs: `bytes.find` runs in C at memory
    speed, while a regex with a leading alternation tests every position in Python's engine."""
    out: list[bytes] = []
    for needle in needles:
        i = data.find(needle)
        while i >= 0:
            m = pattern.match(data, i)
            if m:
                out.append(m.group(1))
            i = data.find(needle, i + 1)
    return out


def _occurs(data: bytes, needles: tuple[bytes, ...], pattern: re.Pattern[bytes]) -> bool:
    """Whether ``pattern`` matches where a needle occurs (``_scan``'s way: a search with a leading
    look-behind would test every position of the file in Python's engine)."""
    for needle in needles:
        i = data.find(needle)
        while i >= 0:
            if pattern.match(data, i):
                return True
            i = data.find(needle, i + 1)
    return False


def _global_keys(data: bytes) -> frozenset[bytes]:
    """The keys code reads off the global: `window.api`, `globalThis?.api`, `window.parent.api`
    (``GLOBAL_AT``), and those of `{ a, b: c } = window` / `= globalThis` patterns (a page reading
    the exposed API that way never writes `window.a`): one search for each name of the global
    serves both (they were two, each through the whole file)."""
    out: list[bytes] = []
    for needle in (b"window", b"globalThis"):
        end = len(needle)
        i = data.find(needle)
        while i >= 0:
            m = GLOBAL_AT.match(data, i)
            if m:
                out.append(m.group(1))
            after = data[i + end:i + end + 1]
            if not (after.isalnum() or after in (b"_", b"$")):
                m = DESTRUCTURED_AT.search(data, max(0, i - 420), i)
                if m:
                    out += [k.group(1) for k in DESTRUCTURED_KEY.finditer(m.group(1))]
            i = data.find(needle, i + 1)
    return frozenset(out)


# (most files mention none: one search for what the `ipc`/`Ipc` keywords share spares six)
_PC_KEYWORDS = tuple(k for k in IPC_KEYWORDS if b"pc" in k)
_OTHER_KEYWORDS = tuple(k for k in IPC_KEYWORDS if b"pc" not in k)


def mentions_ipc(data: bytes) -> bool:
    """Whether one of ``IPC_KEYWORDS`` occurs in ``data``."""
    return (b"pc" in data and any(k in data for k in _PC_KEYWORDS)) or any(k in data for k in _OTHER_KEYWORDS)


def byte_facts(data: bytes) -> ByteFacts:
    ipc = mentions_ipc(data)
    specs = tuple(dict.fromkeys(s.decode("utf-8", "replace")
                                for s in _scan(data, (b"from", b"require", b"import"), SPEC_AT)))
    keyword = ipc or b"electron" in data and _names_electron(data, specs)
    expose = tuple(m.group(1) for m in EXPOSE_RE.finditer(data)) if keyword and b"expose" in data else ()
    props = _global_keys(data)
    uses = ipc and _occurs(data, IPC_KEYWORDS, IPC_USE)
    return ByteFacts(keyword, expose, specs, props, _declares_globals(data), uses,
                     uses and IPC_CALL.search(data) is not None)


ELECTRON_PACKAGES = ("electron/", "electron-", "@electron/")
# `electron.remote`, `electron?.shell`, `electron['ipcRenderer']`: a name bound to the module
ELECTRON_USE = re.compile(rb"(?<![\w$@/'\"`.-])electron\s*(?:\?\.|\.\s*[A-Za-z_$]|\[)")


def _names_electron(data: bytes, specs: tuple[str, ...]) -> bool:
    """Whether code names Electron: imports or requires `electron` (or an `electron/`,
    `@electron/` or `electron-` package), or reads a member of a name `electron`. The word in
    prose, release notes or data (`'electron dot'` in a chemistry renderer) is not code."""
    return any(s == "electron" or s.startswith(ELECTRON_PACKAGES) for s in specs) \
        or _occurs(data, (b"electron",), ELECTRON_USE)


GLOBAL_DECL_AT = re.compile(rb"declare\s+(?:global\b|var\s|let\s|const\s)|interface\s+Window\b")


def _declares_globals(data: bytes) -> bool:
    """Declarations of global types or variables (the page's view of `window`)."""
    return _occurs(data, (b"declare", b"interface"), GLOBAL_DECL_AT)


def is_local_specifier(spec: str) -> bool:
    return spec.startswith(".") or "/" in spec or spec.startswith("@")


def select_files(files: list[SourceFile], root: Path | None = None,
                 listed: dict[str, tuple[str, ...]] | None = None) -> list[SourceFile]:
    """The first round: files that mention Electron or IPC (test code: IPC used in code and an IPC
    method called), and files that read a key a preload exposes. Later rounds add what linking finds
    missing (see wrapper_callers and Project.missing). ``listed``: the project files each folder
    the walk listed holds (``Discovery.listed``)."""
    phase1 = {f.path for f in files if f.bytefacts.keyword and not is_test_path(f.path) or f.bytefacts.ipc_call}
    phase1 |= _main_entries(files, root, listed)
    keys = {k for f in files if f.path in phase1 for k in f.bytefacts.expose_keys} | {b"electron"}
    return [f for f in files if f.path in phase1 or f.bytefacts.global_props & keys]


def _main_entries(files: list[SourceFile], root: Path | None,
                  listed: dict[str, tuple[str, ...]] | None = None) -> set[str]:
    """package.json `main` entries: they run first and set the order in which modules load.
    ``listed``: a folder the walk listed is read only when it holds a package.json (most folders
    of a source tree hold none: joplin's 7 ms of reading were nearly all misses); any other folder
    is tried."""
    if root is None:
        return set()
    import json
    import posixpath
    paths = {f.path for f in files}
    folders = {""} | {posixpath.dirname(p) for p in paths}
    out: set[str] = set()
    for folder in folders:
        held = listed.get(folder) if listed is not None else None
        if held is not None and "package.json" not in held:
            continue
        raw = read_in_root(root, f"{folder}/package.json" if folder else "package.json")
        try:
            pkg = json.loads(raw.decode("utf-8-sig")) if raw is not None else None
        except (ValueError, RecursionError):
            continue
        main = pkg.get("main") if isinstance(pkg, dict) else None
        if isinstance(main, str):
            hit = file_for_stem(paths, posixpath.normpath(posixpath.join(folder, main)))
            if hit:
                out.add(hit)
    return out

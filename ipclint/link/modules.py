"""Cross-file resolution: module specifiers to files, and static values to what they denote."""
from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from ipclint.discover import file_for_stem
from ipclint.model.paths import is_test_path
from ipclint.model.values import AnyV
from ipclint.safefs import read_in_root

# Electron's own module names, and the modules of frameworks that only re-export it (Eclipse Theia's
# `export * from 'electron'`, imported by every Theia-based app instead of 'electron' itself)
ELECTRON_MODULES = frozenset({"electron", "electron/main", "electron/renderer", "electron/common",
                              "@theia/core/electron-shared/electron", "@theia/electron/shared/electron"})
# sindresorhus's electron-better-ipc: its `ipcMain` and `ipcRenderer` extend Electron's (their own
# methods too), with request/answer methods on top (link/ipcops.py BETTER_MAIN, BETTER_RENDERER)
BETTER_IPC = "electron-better-ipc"
MAX_STEPS = 64

# A JSON object as read from disk (package.json, tsconfig, lock files): its values are arbitrary.
JsonObject = dict[str, Any]
ReadJson = Callable[[str], JsonObject | None]
# tsconfig `paths`: (pattern, root-relative targets), most specific pattern first
PathPatterns = list[tuple[str, list[str]]]


class Where(msgspec.Struct, frozen=True):
    """A value together with the file and scope in which its names are looked up. A msgspec
    struct rather than a frozen dataclass: resolution makes one per step (mattermost's first link
    round about 25,000), and a frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__`` (0.42 against 0.07 us each). Never encoded: linking's own."""

    path: str
    value: AnyV
    scope: int | None = None


# Folders a package's entry names for its build output, whose source is the same stem under src/
BUILD_DIRS = frozenset({"dist", "lib", "build", "out"})
# package.json entry fields, source first; `exports` conditions in the order they are preferred
ENTRY_FIELDS = ("source", "module", "main")
EXPORT_CONDITIONS = ("source", "import", "require", "node", "default", "types")
DECLARATION_ENDINGS = (".d.ts", ".d.mts", ".d.cts")
DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
# Node's built-in modules that are imported by a subpath (a project folder `util/` is not `util/types`)
NODE_SUBPATHS = frozenset({"fs/promises", "path/posix", "path/win32", "stream/promises", "stream/web",
                           "stream/consumers", "timers/promises", "util/types", "dns/promises", "assert/strict",
                           "readline/promises", "inspector/promises"})


class ModuleMemo(msgspec.Struct, frozen=True, array_like=True):
    """What one run's module resolution answered, for the next run with the same context
    (cache.context_key: the file set and the project files, everything resolution reads): an edit
    that changes neither resolves nothing again (joplin: 8,000 specifiers of 1,700 files)."""

    context: str
    resolved: list[tuple[str, str, str | None]]  # (importer, specifier, the file it names)
    packages: dict[str, str] | None  # ``ModuleResolver.packages`` when it was asked


class ModuleResolver:
    """Relative specifiers with or without extension, index files, `.js` naming a `.ts` source,
    tsconfig `paths` / `baseUrl` aliases, and packages of the project imported by their name
    (`hadron-ipc`, `@scope/pkg/sub`: monorepo workspaces) to their source entry."""

    def __init__(self, paths: set[str], read_json: ReadJson) -> None:
        self.paths = paths
        self.read_json = read_json  # the project files as this run reads them
        self._packages: dict[str, str] | None = None  # package name -> its folder (found on first use)
        self._tsconfigs: dict[str, tuple[str, PathPatterns] | None] = {}
        # folder -> the projects its solution tsconfig references: (include pattern, base, paths)
        self._projects: dict[str, list[tuple[re.Pattern[str], str, PathPatterns]]] = {}
        self._homes: dict[str, str | None] = {}  # folder -> the folder of the tsconfig that applies to it
        self._cache: dict[tuple[str, str, int], str | None] = {}  # (folder, specifier, project) -> file
        self._places: dict[str, tuple[str, int]] = {}  # importer -> ``_place``
        self._package_files: dict[str, str | None] = {}  # bare specifier -> ``_package_module``
        self._by_file: dict[tuple[str, str], str | None] = {}  # (importer, specifier) -> file
        self._seeded = -1  # entries of ``_by_file`` taken from the last run's memo (-1: none)

    def seed(self, memo: ModuleMemo) -> None:
        """Take the answers of the last run whose context was this run's (``ModuleMemo``)."""
        self._by_file.update(((importer, spec), file) for importer, spec, file in memo.resolved)
        if memo.packages is not None:
            self._packages = dict(memo.packages)
        self._seeded = len(self._by_file)

    def memo(self, context: str) -> ModuleMemo | None:
        """The answers of this run for the next one; None when they are the seed's (nothing new)."""
        if self._seeded == len(self._by_file):
            return None
        return ModuleMemo(context, [(importer, spec, file) for (importer, spec), file in self._by_file.items()],
                          self._packages)

    def resolve(self, importer: str, spec: str) -> str | None:
        try:
            return self._by_file[(importer, spec)]  # (asked again and again: no folder computed)
        except KeyError:
            pass
        # (the answer depends on the importer's folder, and on the referenced project that includes it)
        folder, project = self._place(importer)
        key = (folder, spec, project)
        if key not in self._cache:
            self._cache[key] = self._resolve(importer, spec)
        self._by_file[(importer, spec)] = self._cache[key]
        return self._cache[key]

    def _resolve(self, importer: str, spec: str) -> str | None:
        if spec in ELECTRON_MODULES:
            return None
        if spec.startswith("."):
            return self._file(posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec)))
        for rel in self._aliased(importer, spec):
            hit = self._file(rel)
            if hit:
                return hit
        # (the same package specifiers from many folders: `@joplin/lib/models/Setting`)
        try:
            hit = self._package_files[spec]
        except KeyError:
            hit = self._package_files[spec] = self._package_module(spec)
        return hit if hit is not None else self._under_source_root(importer, spec)

    def json_module(self, importer: str, spec: str) -> object | None:
        """The data of a JSON module the importer names (`import CH from './channels.json'`,
        `require('@/constants/ipc.json')`): relative, or through the tsconfig aliases; read as
        data (never run), None when there is none."""
        if not spec.endswith(".json"):
            return None
        if spec.startswith("."):
            candidates = [posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))]
        else:
            candidates = self._aliased(importer, spec)
        for rel in candidates:
            if not rel.startswith("../"):
                data = self.read_json(rel)
                if data is not None:
                    return data
        return None

    def _aliased(self, importer: str, spec: str) -> list[str]:
        """Where a bare specifier may lead through the tsconfig/jsconfig that applies to
        ``importer``: each `paths` target of the patterns it matches, in order, then `baseUrl`
        joined with it (root-relative, normalised; none without a config)."""
        cfg = self._config_for(importer)
        if cfg is None:
            return []
        base, patterns = cfg
        out: list[str] = []
        for pat, targets in patterns:
            star = pat.find("*")
            if star < 0 and spec == pat:
                sub = ""
            elif star >= 0 and spec.startswith(pat[:star]) and spec.endswith(pat[star + 1:]) \
                    and len(spec) >= len(pat) - 1:
                sub = spec[star:len(spec) - (len(pat) - star - 1)]
            else:
                continue
            out += [posixpath.normpath(t.replace("*", sub)) for t in targets]
        out.append(posixpath.normpath(posixpath.join(base, spec)))
        return out

    def names_alias(self, importer: str, spec: str) -> bool:
        """Whether a bare specifier matches a tsconfig/jsconfig `paths` pattern that applies to
        ``importer`` (`Lib`, `Component/*`): a module of the project, not a package."""
        cfg = self._config_for(importer)
        if cfg is None:
            return False
        for pat, _targets in cfg[1]:
            star = pat.find("*")
            if spec == pat if star < 0 else (spec.startswith(pat[:star]) and spec.endswith(pat[star + 1:])
                                              and len(spec) >= len(pat) - 1):
                return True
        return False

    def names_package(self, spec: str) -> bool:
        """Whether a bare specifier names a package of the project (or a path inside one)."""
        return _package_name(spec) in self.packages()

    def packages(self) -> dict[str, str]:
        """Package name -> folder, for every package.json with a name in a folder at or above a
        discovered file (a workspace member need not be listed in `workspaces`); none under
        node_modules or test code (a fixture package must not stand for the real one). The
        shallowest folder wins when two packages share a name."""
        if self._packages is not None:
            return self._packages
        folders: set[str] = set()
        for p in self.paths:
            d = posixpath.dirname(p)
            while d not in folders:
                folders.add(d)
                if not d:
                    break
                d = posixpath.dirname(d)
        out: dict[str, str] = {}
        for folder in sorted(folders, key=lambda f: (f.count("/") + bool(f), f)):
            if "node_modules" in folder.split("/") or folder and is_test_path(folder + "/package.json"):
                continue
            data = self.read_json(posixpath.join(folder, "package.json") if folder else "package.json")
            name = data.get("name") if data is not None else None
            if isinstance(name, str) and name and name not in ELECTRON_MODULES and name not in out:
                out[name] = folder
        self._packages = out
        return out

    def _package_module(self, spec: str) -> str | None:
        """The source file that `name` or `name/sub/path` names when `name` is a package of the
        project: its entry (`source`, `module`, `main`, `exports`, `types`) or the subpath in its
        folder; an entry in a build folder (dist/index.js) is read as its source under src/
        (src/index.ts); then src/index, index."""
        name = _package_name(spec)
        folder = self.packages().get(name) if name else None
        if folder is None:
            return None
        sub = spec[len(name) + 1:]
        data = self.read_json(posixpath.join(folder, "package.json") if folder else "package.json") or {}
        exports = data.get("exports")
        if isinstance(exports, dict) and not any(isinstance(k, str) and k.startswith(".") for k in exports):
            exports = {".": exports}  # (conditions for the package itself)
        key = "./" + sub if sub else "."
        entries = _export_targets(exports.get(key) if isinstance(exports, dict) else exports if not sub else None)
        if sub:
            entries.append(sub)
        else:
            entries = [e for e in (data.get(f) for f in ENTRY_FIELDS) if isinstance(e, str)] + entries
            entries += [e for e in (data.get("types"), data.get("typings")) if isinstance(e, str)]
        for entry in entries:
            hit = self._package_entry(folder, entry)
            if hit:
                return hit
        for stem in ((posixpath.join("src", sub), sub) if sub else ("src/index", "index")):
            hit = self._file(posixpath.join(folder, stem) if folder else stem)
            if hit:
                return hit
        return None

    def _package_entry(self, folder: str, entry: str) -> str | None:
        rel = posixpath.normpath(entry)
        if rel in (".", "..") or rel.startswith(("../", "/")):
            return None  # (a package's entry stays in its folder)
        declaration = rel.endswith(DECLARATION_ENDINGS)
        first, _, rest = rel.partition("/")
        if first in BUILD_DIRS and rest:  # the source of a build output, when there is one
            stem = rest[:rest.rfind(".d.")] if declaration else posixpath.splitext(rest)[0]
            hit = self._file(posixpath.join(folder, "src", stem) if folder else posixpath.join("src", stem))
            if hit:
                return hit
        if declaration:
            return None  # (types only)
        return self._file(posixpath.join(folder, rel) if folder else rel)

    def _file(self, stem: str) -> str | None:
        return file_for_stem(self.paths, stem)

    def _under_source_root(self, importer: str, spec: str) -> str | None:
        """A bare `folder/module` specifier that no alias or package explains, read from a source
        root above the importer, as webpack's `resolve.modules: ['app/scripts', 'node_modules']`
        or `NODE_PATH=src` make a bundler find it (`import { Launcher } from 'comp/launcher'` in
        app/scripts/comp/settings/x.js: app/scripts/comp/launcher/index.js). Only a specifier
        with a folder part, not scoped, not a Node built-in's subpath, whose first segment is not
        a dependency of the importer's package, and only when exactly one folder between the
        importer and its package.json holds it (a bundler config is code: never read)."""
        if "/" not in spec or spec.startswith(("@", "/")) or ":" in spec or spec in NODE_SUBPATHS:
            return None
        name = _package_name(spec)
        folder = posixpath.dirname(importer)
        hits: set[str] = set()
        while True:
            pkg = self.read_json(posixpath.join(folder, "package.json") if folder else "package.json")
            if pkg is not None and any(isinstance(d, dict) and name in d for d in
                                       (pkg.get(k) for k in DEPENDENCY_FIELDS)):
                return None  # (a declared package that is not installed here: never a project file)
            hit = self._file(posixpath.join(folder, spec) if folder else spec)
            if hit is not None:
                hits.add(hit)
            if pkg is not None or not folder:
                break
            folder = posixpath.dirname(folder)
        return hits.pop() if len(hits) == 1 else None

    def _place(self, importer: str) -> tuple[str, int]:
        """(the folder of ``importer``, the index of the project of the nearest solution tsconfig
        that includes it, or -1): what its resolutions depend on besides the specifier, found once
        per importer (joplin: 9,000 specifiers of 1,700 files, each asked the project's include
        patterns again)."""
        hit = self._places.get(importer)
        if hit is not None:
            return hit
        folder = posixpath.dirname(importer)
        self._tsconfig(folder)
        home = self._homes.get(folder)
        index = -1
        for i, (inc, _b, _p) in enumerate(self._projects.get(home, []) if home is not None else []):
            if inc.match(importer):
                index = i
                break
        hit = self._places[importer] = (folder, index)
        return hit

    def _config_for(self, importer: str) -> tuple[str, PathPatterns] | None:
        """The aliases that apply to ``importer``: those of the referenced project that includes
        it (TypeScript compiles it with that project's options), then the solution's own."""
        folder, index = self._place(importer)
        cfg = self._tsconfig(folder)
        home = self._homes.get(folder)
        if cfg is None or index < 0 or home is None:
            return cfg
        _inc, base, paths = self._projects[home][index]
        own = [p for p in cfg[1] if p[0] not in {q[0] for q in paths}]
        return base or cfg[0], paths + own

    def _tsconfig(self, folder: str) -> tuple[str, PathPatterns] | None:
        """(baseUrl, [(pattern, targets relative to the root)]) of the nearest tsconfig/jsconfig,
        following `extends` and, for a solution file, its project `references`."""
        if folder in self._tsconfigs:
            return self._tsconfigs[folder]
        result = None
        for name in ("tsconfig.json", "jsconfig.json", "tsconfig.base.json"):
            rel = posixpath.join(folder, name) if folder else name
            found = self._config_options(rel, 0)
            if found is None:
                continue
            base, paths = found
            data = self.read_json(rel)
            refs = data.get("references") if isinstance(data, dict) else None
            projects: list[tuple[re.Pattern[str], str, PathPatterns]] = []
            merged: PathPatterns = []
            for ref in refs if isinstance(refs, list) else ():
                target = ref.get("path") if isinstance(ref, dict) else None
                if not isinstance(target, str):
                    continue
                target = posixpath.normpath(posixpath.join(folder, target))
                if not target.endswith(".json"):
                    target = posixpath.join(target, "tsconfig.json")
                sub = self._config_options(target, 1)
                if sub is not None:
                    merged = merged + sub[1]
                    base = base if base is not None or paths else sub[0]
                    includes = _includes(self.read_json, target)
                    if includes is not None:
                        sub_base = sub[0] if sub[0] not in (None, ".") else ""
                        projects.append((includes, sub_base or "", sorted(sub[1], key=lambda x: -len(x[0]))))
            if not paths:
                paths = merged
            if base is None and not paths:
                continue
            if projects:
                # a solution file: each referenced project has its own aliases for the files it includes
                self._projects[folder] = projects
            self._homes[folder] = folder
            base = "" if base in (None, ".") else base
            result = (base, sorted(paths, key=lambda x: -len(x[0])))
            break
        if result is None and folder not in ("", "."):
            parent = posixpath.dirname(folder)
            result = self._tsconfig(parent) if parent != folder else None
            self._homes[folder] = self._homes.get(parent) if parent != folder else None
        self._tsconfigs[folder] = result
        return result

    def _config_options(self, rel: str, depth: int) -> tuple[str | None, PathPatterns] | None:
        """(baseUrl or None, [(pattern, root-relative targets)]) of one config file and what it
        extends; None when the file is missing. Wrong types are ignored, never fatal."""
        data = self.read_json(rel)
        if not isinstance(data, dict):
            return None
        here = posixpath.dirname(rel)
        base: str | None = None
        paths: PathPatterns = []
        ext = data.get("extends")
        if isinstance(ext, str) and ext.startswith(".") and depth < 6:
            parent = posixpath.normpath(posixpath.join(here, ext))
            parent = parent if parent.endswith(".json") else parent + ".json"
            inherited = self._config_options(parent, depth + 1)
            if inherited is not None:
                base, paths = inherited
        opts = data.get("compilerOptions")
        opts = opts if isinstance(opts, dict) else {}
        own_base = opts.get("baseUrl")
        if isinstance(own_base, str):
            base = posixpath.normpath(posixpath.join(here, own_base))
        own_paths = opts.get("paths")
        if isinstance(own_paths, dict):
            anchor = base if base is not None else here  # paths without baseUrl: relative to the config
            paths = [(pat, [posixpath.normpath(posixpath.join(anchor, t)) for t in targets if isinstance(t, str)])
                     for pat, targets in own_paths.items() if isinstance(pat, str) and isinstance(targets, list)]
        return base, paths


def _includes(read_json: ReadJson, rel: str, depth: int = 0) -> re.Pattern[str] | None:
    """The files a tsconfig's `include` (or `files`) selects, as one pattern over root-relative
    paths (inherited through a relative `extends`); everything under its folder when it names none."""
    data = read_json(rel)
    if not isinstance(data, dict):
        return None
    here = posixpath.dirname(rel)
    globs = data.get("include")
    if not isinstance(globs, list):
        globs = data.get("files")
    if not isinstance(globs, list):
        ext = data.get("extends")
        if isinstance(ext, str) and ext.startswith(".") and depth < 6:
            parent = posixpath.normpath(posixpath.join(here, ext))
            return _includes(read_json, parent if parent.endswith(".json") else parent + ".json", depth + 1)
        globs = ["**/*"]
    alts = []
    for g in globs:
        if not isinstance(g, str):
            continue
        full = posixpath.normpath(posixpath.join(here, g)) if here else posixpath.normpath(g)
        rx = re.escape(full).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*") \
            .replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        alts.append(rx + "(?:/.*)?")  # a folder includes what is under it
    return re.compile("(?:" + "|".join(alts) + ")$") if alts else None


def _package_name(spec: str) -> str:
    """`name` of `name/sub`, `@scope/name` of `@scope/name/sub`; "" for what cannot be one."""
    if spec.startswith((".", "/")) or not spec or ":" in spec:
        return ""
    parts = spec.split("/", 2)
    if spec.startswith("@"):
        return "/".join(parts[:2]) if len(parts) >= 2 and parts[1] else ""
    return parts[0]


def _export_targets(value: object) -> list[str]:
    """The paths an `exports` entry names: a string, or conditions (`import`, `require`,
    `default`, nested) in the order they are preferred, or an array of those."""
    out: list[str] = []
    stack = [(value, 0)]
    while stack:
        cur, depth = stack.pop()
        if isinstance(cur, str):
            out.append(cur)
        elif isinstance(cur, list) and depth < 4:
            stack.extend((x, depth + 1) for x in reversed(cur))
        elif isinstance(cur, dict) and depth < 4:
            keys = [k for k in EXPORT_CONDITIONS if k in cur]
            stack.extend((cur[k], depth + 1) for k in reversed(keys))
    return out


def read_json_file(root: Path) -> ReadJson:
    cache: dict[str, JsonObject | None] = {}

    def read(rel: str) -> JsonObject | None:
        if rel not in cache:
            data = read_in_root(root, rel)
            cache[rel] = _loads_json(data) if data is not None else None
        return cache[rel]

    return read


def _loads_json(data: bytes) -> JsonObject | None:
    """JSON (package.json, lock files) with the fast parser; tsconfig's comments and trailing
    commas with the slower one only when needed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        try:
            return _loads_jsonc(text)
        except (ValueError, RecursionError):
            return None
    except RecursionError:
        return None
    return value if isinstance(value, dict) else None


def _loads_jsonc(text: str) -> JsonObject | None:
    """tsconfig files allow comments and trailing commas."""
    out, i, n, in_str = [], 0, len(text), False
    while i < n:
        ch = text[i]
        if in_str:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
            out.append(ch)
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        else:
            out.append(ch)
        i += 1
    cleaned = re.sub(r",(\s*[}\]])", r"\1", "".join(out))
    data = json.loads(cleaned)
    return data if isinstance(data, dict) else None

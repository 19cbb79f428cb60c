"""The order in which the main process runs its code: which of two registrations comes first.

Main's entry runs first. A module's static `import`s (and `export ... from`) run before its body,
whatever their place (ESM hoisting); a `require(...)` runs where it is written, so the body of the
requiring module is split around it; a module runs once, at its first import. Code in callbacks
(`app.whenReady().then(...)`, event listeners) and dynamic `import()` run after all of that, in the
order the callbacks were registered. Modules that are not parsed (no IPC in them) still pass their
imports on: their specifiers are found by a byte search.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterator

from ipclint.discover.select import SPEC_AT
from ipclint.link.calls import REPEAT_CALLS, callback_refs, callers
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name
from ipclint.model.facts import Call
from ipclint.model.values import Module, Ref, Str

# Calls that run their callback argument at once, before they return.
SYNC_CALLS = REPEAT_CALLS - {"setInterval"} | {"find", "findIndex", "sort"}
START = (0, 0)
MAX_ANCHOR_STEPS = 32

Pos = tuple[int, int]


class RunOrder:
    """Sort keys for code positions of the main process, in the order they run."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.segments: dict[str, list[tuple[Pos, int, int]]] = {}  # path -> (start, seq, phase)
        self._seq = 0
        self._splits, self._deferred = self._requires()
        self._run()

    def key(self, path: str, call: Call) -> tuple[int, int, Pos, str, Pos]:
        """When ``call`` runs: (phase, segment, anchor position, path, position)."""
        apath, apos, later = anchor(self.project, path, call)
        segs = self.segments.get(apath)
        own = (call.span.line, call.span.column)
        if not segs:
            return (3, 0, apos, path, own)
        i = max(0, bisect_right(segs, (apos, 1 << 30, 0)) - 1)
        _start, seq, phase = segs[i]
        return (max(phase, 1 if later else 0), seq, apos, path, own)

    # ---- simulation ------------------------------------------------------------------------
    def _run(self) -> None:
        project = self.project
        entries = sorted(p for p, i in project.roles.items() if i.reason == "the main entry of package.json")
        entries += sorted(p for p, i in project.roles.items() if i.role.value == "main" and p not in entries)
        visited: set[str] = set()
        queue: deque[str] = deque()
        for entry in entries:
            self._execute(entry, 0, visited, queue)
        while queue:  # lazily required and dynamically imported modules, after the synchronous start
            target = queue.popleft()
            self._execute(target, 1, visited, queue)
        for path in sorted(project.files):
            self._execute(path, 2, visited, queue)

    def _execute(self, root: str, phase: int, visited: set[str], queue: deque[str]) -> None:
        if root in visited:
            return
        visited.add(root)
        stack: list[Iterator[str]] = [self._body(root, phase, visited, queue)]
        while stack:
            target = next(stack[-1], None)
            if target is None:
                stack.pop()
            elif target not in visited:
                visited.add(target)
                stack.append(self._body(target, phase, visited, queue))

    def _body(self, path: str, phase: int, visited: set[str], queue: deque[str]) -> Iterator[str]:
        hoisted, in_place, deferred = self._imports(path)
        yield from hoisted
        self._mark(path, START, phase)
        queue.extend(deferred)
        for pos, target in in_place:
            if target in visited:
                continue
            yield target
            self._mark(path, pos, phase)

    def _mark(self, path: str, pos: Pos, phase: int) -> None:
        self.segments.setdefault(path, []).append((pos, self._seq, phase))
        self._seq += 1

    # ---- what a module imports -------------------------------------------------------------
    def _imports(self, path: str) -> tuple[list[str], list[tuple[Pos, str]], list[str]]:
        """(hoisted imports, in-place requires by position, deferred loads) of a module."""
        f = self.project.files.get(path)
        if f is None:
            return _byte_imports(self.project, path)
        hoisted = sorted((v.span.line, v.span.column, v.src) for k, v in f.imports.items()
                         if k.startswith("\0order:") and isinstance(v, Module))
        targets = [self._target(path, s) for _l, _c, s in hoisted]
        return [t for t in targets if t], self._splits.get(path, []), self._deferred.get(path, [])

    def _requires(self) -> tuple[dict[str, list[tuple[Pos, str]]], dict[str, list[str]]]:
        """Each `require` of the parsed modules placed where it runs: at its own position at top
        level, or where the function around it is called from top level; or deferred."""
        project = self.project
        splits: dict[str, list[tuple[Pos, str]]] = {}
        deferred: dict[str, list[str]] = {}
        for path, c in project.iter_calls_named(("require", "import")):
            callee, spec = c.callee, c.args[0] if c.args else None
            if not isinstance(callee, Ref) or callee.name not in ("require", "import") or not isinstance(spec, Str):
                continue
            target = self._target(path, spec.value)
            if target is None:
                continue
            apath, apos, later = anchor(project, path, c)
            if later or callee.name == "import":
                deferred.setdefault(path, []).append(target)
            else:
                splits.setdefault(apath, []).append((apos, target))
        for lst in splits.values():
            lst.sort()
        return splits, deferred

    def _target(self, path: str, spec: str) -> str | None:
        t = self.project.modules.resolve(path, spec)
        return t if t is not None and (t in self.project.all_paths or t in self.project.files) else None


def reachable_files(project: Project) -> set[str]:
    """The files main's entries load, directly or through imports, `require` and `import()`, in
    every app with a known entry, plus every file of the apps without one (nothing is known there,
    so nothing is left out). An app's entry is its package.json `main`; when that names build
    output ipclint cannot map back, the app's main-process files that no other file imports, and
    those that only files they load themselves import (the entry imported back by one of its
    modules: `import { isDev } from '..'`)."""
    from ipclint.link.roles import imported_files
    hit = project.memo.reachable
    if hit is not None:
        return hit
    entries = {p for p, i in project.roles.items() if i.reason == "the main entry of package.json"}
    apps_with_entry = {project.apps.get(p, "") for p in entries}
    importers: dict[str, set[str]] = {}
    for p in project.files:
        if not project.is_test(p):
            for t in imported_files(project, p):
                if t != p:
                    importers.setdefault(t, set()).add(p)
    unknown = [p for p, info in sorted(project.roles.items()) if info.role.value == "main"
               and project.apps.get(p, "") not in apps_with_entry and not project.is_test(p)]
    entries.update(p for p in unknown if not importers.get(p))
    seen = set(entries)
    loaded: dict[str, list[str]] = {}  # (each file's targets found once for all the walks below)
    _load(project, sorted(entries), seen, loaded)
    for p in unknown:
        if p in seen:
            continue
        loads = {p}
        _load(project, [p], loads, loaded)
        if importers.get(p, set()) <= loads:  # a cycle that no file outside it imports
            entries.add(p)
            seen |= loads
    with_entry = {project.apps.get(p, "") for p in entries}
    out = seen | {p for p in project.files if project.apps.get(p, "") not in with_entry}
    project.memo.reachable = out
    return out


def _load(project: Project, todo: list[str], seen: set[str], loaded: dict[str, list[str]]) -> None:
    """Add to ``seen`` the files that the files of ``todo`` load, directly or not (``loaded``: the
    files each file loads, filled as they are found)."""
    while todo:
        p = todo.pop()
        targets = loaded.get(p)
        if targets is None:
            targets = loaded[p] = _loads(project, p)
        for t in targets:
            if t not in seen:
                seen.add(t)
                todo.append(t)


def _loads(project: Project, p: str) -> list[str]:
    """The discovered files ``p`` imports, requires or `import()`s."""
    from ipclint.link.roles import imported_files
    if p in project.files:
        targets = imported_files(project, p) + [  # (the calls by the name `import`: indexed once per file)
            t for c in project.calls_named(p, ("import",)) if isinstance(c.callee, Ref) and c.callee.name == "import"
            and c.args and isinstance(c.args[0], Str)
            for t in [project.modules.resolve(p, c.args[0].value)] if t is not None]
    else:
        targets = [t for spec in project.specifiers.get(p, ()) for t in [project.modules.resolve(p, spec)]
                   if t is not None]
    return [t for t in targets if t in project.files or t in project.all_paths]


def _byte_imports(project: Project, path: str) -> tuple[list[str], list[tuple[Pos, str]], list[str]]:
    """The imports of a module that is not parsed, by byte search: `from '...'` and `import '...'`
    hoisted, `require('...')` in place, `import('...')` deferred."""
    data = project.sources.get(path) or b""
    found: list[tuple[int, str, str]] = []
    for needle in (b"from", b"require", b"import"):
        i = data.find(needle)
        while i >= 0:
            m = SPEC_AT.match(data, i)
            if m:
                how = "in_place" if needle == b"require" else "deferred" if b"(" in data[i:m.start(1)] \
                    else "hoisted"
                found.append((i, how, m.group(1).decode("utf-8", "replace")))
            i = data.find(needle, i + 1)
    found.sort()
    hoisted: list[str] = []
    in_place: list[tuple[Pos, str]] = []
    deferred: list[str] = []
    for offset, how, spec in found:
        t = project.modules.resolve(path, spec)
        if t is None or t not in project.all_paths:
            continue
        if how == "hoisted":
            hoisted.append(t)
        elif how == "in_place":
            in_place.append(((offset, 0), t))
        else:
            deferred.append(t)
    return hoisted, in_place, deferred


def anchor(project: Project, path: str, call: Call) -> tuple[str, Pos, bool]:
    """Where the code containing ``call`` runs from top-level code: the (path, position) of the
    top-level statement that runs it, and whether it runs later (in a callback, or from a function
    whose only caller we do not know) rather than during the synchronous start."""
    p, fid, pos = path, call.func, (call.span.line, call.span.column)
    for _ in range(MAX_ANCHOR_STEPS):
        if fid is None:
            return p, pos, False
        f = project.files[p]
        fn = f.functions[fid]
        if fn.arg_of is not None:
            outer = f.calls[fn.arg_of]
            pos = (outer.span.line, outer.span.column)
            if not _runs_at_once(outer):
                return p, pos, True
            fid = outer.func
            continue
        sites = callers(project, p, fid)
        refs = callback_refs(project, p, fid)
        if len(sites) == 1 and not refs:
            p, c = sites[0]
        elif len(refs) == 1 and not sites:
            p, c, _i = refs[0]
            if not _runs_at_once(c):
                return p, (c.span.line, c.span.column), True
        else:
            return p, pos, True
        pos, fid = (c.span.line, c.span.column), c.func
    return p, pos, True


def _runs_at_once(call: Call) -> bool:
    """A call that runs its callback argument before it returns (`forEach`, `new Promise(fn)`)."""
    name = callee_name(call.callee)
    return name in SYNC_CALLS or (call.new and name == "Promise")

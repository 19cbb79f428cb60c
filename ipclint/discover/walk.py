"""The walk of discovery: folders, links, default excludes and .gitignore files, and its record.

A walk's outcome (which files to consider, which paths are skipped and why) depends only on the
folders' listings, the links' targets, the .gitignore files and the exclude patterns. The record
keeps that outcome with the stat of every folder listed and every .gitignore read; when none of
them changed, the next run replays the outcome instead of listing and matching again (a warm run
on a monorepo then stats its folders and files and reads nothing). Adding, removing or renaming an
entry changes its folder's mtime; a folder changed too recently to tell (the racy case git knows)
is not recorded. The record is a cache entry, authenticated like the others.
"""
from __future__ import annotations

import hashlib
import operator
import os
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from ipclint.cache import is_project_file
from ipclint.discover import (
    DEFAULT_EXCLUDED_DIRS,
    DOCUMENT,
    SOURCE,
    Discovery,
    FileKind,
    Pending,
    StatIndex,
    consider_file,
    file_kind,
    is_source,
    rel_path,
    take_file,
)
from ipclint.discover.ignore import IgnoreRules
from ipclint.safefs import inside, read_in_root

Linked = tuple[str, str, str, bool]  # (path, name, root-relative path, is a folder) of a link inside the root
WALK_FILE = "walk.msgpack"
RACY_NS = 2_000_000_000  # a folder changed this recently may change again within its mtime's tick
_name = operator.attrgetter("name")


class WalkRecord(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """What one walk did, and what it depended on."""

    key: str  # the root, the paths walked and the exclude patterns
    folders: list[tuple[str, int, int, int]]  # (path, st_dev, st_ino, st_mtime_ns) of each folder listed
    gitignores: list[tuple[str, int, int]]  # (root-relative path, size, mtime_ns); -1, -1 when absent
    links: list[tuple[str, bool]]  # (path, resolves inside the root)
    events: list[tuple[str, str, str]]  # ("consider", path, "") or ("skip", path, reason)
    # (root-relative folder, the project files it holds): cache.context_key stats only those
    listed: list[tuple[str, tuple[str, ...]]] = []


def walk_key(root: Path, starts: list[Path], exclude: list[str]) -> str:
    h = hashlib.sha256(str(root).encode())
    for part in (*map(str, starts), "\0", *exclude):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def _stat_or_none(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def still_valid(rec: WalkRecord, root: Path) -> bool:
    """Whether every folder, .gitignore and link the recorded walk depended on is as it was."""
    for path, dev, ino, mtime in rec.folders:
        try:
            st = os.stat(path)
        except OSError:
            return False
        if (st.st_dev, st.st_ino, st.st_mtime_ns) != (dev, ino, mtime):
            return False
    for rel, size, mtime in rec.gitignores:
        if (_stat_or_none(os.path.join(str(root), rel)) or (-1, -1)) != (size, mtime):
            return False
    root_real = os.path.realpath(root)
    return all(inside(root_real, path) == was for path, was in rec.links)


def _chain(here: str) -> list[tuple[str, int]]:
    """The folders whose .gitignore applies to the entries of ``here``: the root first, ``here``
    last, each with where the part of an entry's root-relative path below it starts."""
    chain = [("", 0)]
    cut = here.find("/")
    while cut >= 0:
        chain.append((here[:cut], cut + 1))
        cut = here.find("/", cut + 1)
    if here:
        chain.append((here, len(here) + 1))
    return chain


class Walk(msgspec.Struct):
    """One discovery: the folders and files seen, the .gitignore files read, the files to examine."""

    root: Path
    root_real: str
    result: Discovery
    index: StatIndex
    extra: IgnoreRules  # the exclude patterns of the configuration
    # folder -> its .gitignore, compiled once; None when it has none (known from its listing)
    ignores: dict[str, IgnoreRules | None] = {}
    pending: list[Pending] = []
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    # the record being made: None once something makes this walk unfit to replay
    folders: list[tuple[str, int, int, int]] | None = []
    gitignores: dict[str, tuple[int, int]] = {}
    links: list[tuple[str, bool]] = []
    events: list[tuple[str, str, str]] = []
    # root-relative folder -> the project files (cache.is_project_file) its listing holds
    listed: dict[str, tuple[str, ...]] = {}
    # called after each folder: the files to examine so far can be handed out (discover.Examiner)
    after_folder: Callable[[list[Pending]], None] | None = None

    def consider(self, p: str | Path) -> None:
        self.events.append(("consider", str(p), ""))
        consider_file(self.result, self.root, p, self.index, self.pending, self.seen_files)

    def _take(self, path: str, rel: str, kind: FileKind) -> None:
        """``consider`` for an entry the walk has placed and named already."""
        self.events.append(("consider", path, ""))
        take_file(self.result, rel, path, kind is DOCUMENT, kind is not SOURCE, self.index, self.pending,
                  self.seen_files)

    def skip(self, rel: str, reason: str) -> None:
        self.events.append(("skip", rel, reason))
        self.result.skipped.append((rel, reason))

    def replay(self, rec: WalkRecord) -> None:
        """What the recorded walk did, again (its events are not recorded a second time)."""
        self.listed = dict(rec.listed)
        result, root, index, pending, seen = self.result, self.root, self.index, self.pending, self.seen_files
        for what, path, reason in rec.events:
            if what == "consider":
                consider_file(result, root, path, index, pending, seen)
            else:
                result.skipped.append((path, reason))

    def record(self, key: str) -> WalkRecord | None:
        """The record of this walk, unless a folder could not be read or changed too recently."""
        if self.folders is None:
            return None
        now = time.time_ns()
        if any(mtime > now - RACY_NS for *_, mtime in self.folders) or any(
                mtime > now - RACY_NS for _, mtime in self.gitignores.values()):
            return None
        gitignores = sorted((rel, size, mtime) for rel, (size, mtime) in self.gitignores.items())
        return WalkRecord(key, self.folders, gitignores, self.links, self.events, sorted(self.listed.items()))

    def ignored(self, rel: str) -> bool:
        """Whether a path is excluded by the config or by a .gitignore of a folder above it."""
        body = rel[:-1] if rel.endswith("/") else rel
        return self._ignored(_chain(body[:max(body.rfind("/"), 0)]), rel)

    def tree(self, start: Path) -> None:
        stack = [str(start)]
        # Links inside the root are taken after every real path, so that a file reached both ways
        # is reported at its real path.
        linked: list[Linked] = []
        while stack or linked:
            if not stack:
                for path, name, rel, is_dir in linked:
                    if is_dir:
                        if not self.ignored(rel + "/"):
                            stack.append(path)
                    else:
                        kind = file_kind(name)
                        if kind is not None and not self.ignored(rel):
                            self._take(path, rel, kind)
                linked = []
                stack.reverse()
                continue
            stack.extend(reversed(self._folder(stack.pop(), linked)))
            if self.after_folder is not None:
                self.after_folder(self.pending)

    def _folder(self, folder: str, linked: list[Linked]) -> list[str]:
        """Consider the files of ``folder``; its subfolders to walk. Links inside the root go to ``linked``."""
        result = self.result
        try:
            st = os.stat(folder)
        except OSError as exc:
            result.errors.append((rel_path(self.root, folder), "read", f"cannot read folder: {exc.strerror}"))
            self.folders = None
            return []
        if (st.st_dev, st.st_ino) in self.seen_dirs:
            return []  # a symlink loop or a folder reached twice
        self.seen_dirs.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=_name)
        except OSError as exc:
            result.errors.append((rel_path(self.root, folder), "read", f"cannot list folder: {exc.strerror}"))
            self.folders = None
            return []
        if self.folders is not None:
            self.folders.append((folder, st.st_dev, st.st_ino, st.st_mtime_ns))
        here = rel_path(self.root, folder)
        if not any(e.name == ".gitignore" for e in entries):
            self.ignores.setdefault(here, None)  # nothing to read
        self.listed[here] = tuple(e.name for e in entries if is_project_file(e.name))  # (sorted, as the entries)
        # an entry's root-relative path is its name after ``here``'s (rel_path of its path, made once
        # per folder), and the .gitignore files that apply to it are those of ``here`` and above
        prefix = here + "/" if here else ""
        chain = _chain(here)
        subdirs = []
        for e in entries:
            sub = self._entry(e, prefix + e.name, chain, linked)
            if sub is not None:
                subdirs.append(sub)
        return subdirs

    def _entry(self, e: os.DirEntry[str], rel: str, chain: list[tuple[str, int]], linked: list[Linked]) -> str | None:
        """Consider one entry of a folder (``rel``: its root-relative path; ``chain``: its folder's
        ``_chain``); the subfolder to walk, if it is one."""
        try:
            is_dir = e.is_dir()
            link = e.is_symlink()
        except OSError:
            self.folders = None
            return None
        if link:
            within = inside(self.root_real, e.path)
            self.links.append((e.path, within))
            if not within:
                what = "folder" if is_dir else "file"
                if is_dir or is_source(e.name):
                    self.skip(rel + ("/" if is_dir else ""), f"symlink to a {what} outside the project root")
                return None
        if link and (not is_dir or e.name not in DEFAULT_EXCLUDED_DIRS):
            linked.append((e.path, e.name, rel, is_dir))
            return None
        if is_dir:
            # a skipped folder is counted once; what it holds is never walked
            if e.name in DEFAULT_EXCLUDED_DIRS:
                if e.name != ".ipclint_cache":  # our own
                    self.skip(rel + "/", "folder excluded by default")
                return None
            if self._ignored(chain, rel + "/"):
                self.skip(rel + "/", "ignored folder")
                return None
            return e.path
        kind = file_kind(e.name)
        if kind is SOURCE:
            if self._ignored(chain, rel):
                self.skip(rel, "ignored")
            else:
                self._take(e.path, rel, kind)
        elif kind is not None and not self._ignored(chain, rel):
            self._take(e.path, rel, kind)
        return None

    def _ignored(self, chain: list[tuple[str, int]], rel: str) -> bool:
        """Whether a path is excluded by the config or by a .gitignore of a folder of ``chain`` (each
        matched with the part of the path below its folder; each read when first asked)."""
        if self.extra and self.extra.match(rel):
            return True
        ignores = self.ignores
        for folder, below in chain:
            if folder in ignores:
                spec = ignores[folder]
            else:
                spec = ignores[folder] = self._load_gitignore(f"{folder}/.gitignore" if folder else ".gitignore")
            if spec is not None and spec.match(rel[below:]):
                return True
        return False

    def _load_gitignore(self, rel: str) -> IgnoreRules | None:
        self.gitignores[rel] = _stat_or_none(os.path.join(str(self.root), rel)) or (-1, -1)
        data = read_in_root(self.root, rel, 4 * 1024 * 1024)
        if data is None:
            return None
        return IgnoreRules.from_lines(data.decode("utf-8", "replace").splitlines())

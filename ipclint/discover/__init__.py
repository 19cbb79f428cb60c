"""discover(paths) -> SourceFile[]: sources under the given paths, minus what cannot matter."""
from __future__ import annotations

import enum
import hashlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import msgspec

from ipclint.cache import Cache
from ipclint.discover.ignore import IgnoreRules

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future, ProcessPoolExecutor

DEFAULT_EXCLUDED_DIRS = frozenset({"node_modules", ".git", "dist", "build", "out", "release", "coverage",
                                   ".vite", ".webpack", "vendor", "vendors", "third_party", ".ipclint_cache",
                                   "bower_components", ".next", ".nuxt", ".cache",
                                   # Yarn Berry's own releases and plugins (megabyte bundles, never app code)
                                   ".yarn",
                                   # build output of vite-plugin-electron, vue-cli-plugin-electron-builder and
                                   # electron-react-boilerplate's DLL bundle
                                   "dist-electron", "dist_electron", ".erb"})
# The suffixes extract/parse.py has a grammar for (kept here so that a warm run, which parses
# nothing, does not load tree-sitter; tests/test_ignore.py checks that both agree).
SOURCE_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".vue"})
MAX_FILE_SIZE = 2 * 1024 * 1024
MINIFIED_SAMPLE = 64 * 1024
MINIFIED_AVG_LINE = 5000
PARALLEL_EXAMINE = 512


class ByteFacts(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """What the prefilter needs from a file, found by byte search and cached with its stat."""

    keyword: bool
    expose_keys: tuple[bytes, ...]
    specifiers: tuple[str, ...]
    global_props: frozenset[bytes]
    declares_globals: bool = False  # `declare global`, `interface Window`, `declare var`: global types
    ipc: bool = False  # an IPC name used in code, not Electron alone nor a mock's key (discover/select.py)
    ipc_call: bool = False  # with ``ipc``: an IPC method's name called (`.send(`, `?.on(`, `['invoke'](`)


class IndexEntry(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A file as the last run saw it: its stat, what discovery made of it, its hash and byte facts."""

    size: int
    mtime_ns: int
    outcome: str
    digest: str
    bytefacts: ByteFacts | None


INDEX_FILE = "index.msgpack"
Pending = tuple[str, str, os.stat_result]  # (root-relative path, path, stat) of a file to examine


class Examined(NamedTuple):
    """What examine() found in one file."""

    rel: str
    outcome: str  # ok, cp1252 (FALLBACK), minified, read, binary or decode
    info: str  # the digest; for read, binary and decode the message
    bytefacts: ByteFacts | None  # set for ok and cp1252
    data: bytes | None


class SourceFile(msgspec.Struct):
    path: str  # root-relative posix path
    abspath: str
    digest: str
    bytefacts: ByteFacts
    data: bytes | None = None  # UTF-8 (decoded from UTF-16 or with the BOM blanked); None until loaded

    def load(self) -> bytes:
        """The decoded bytes (read again when the stat index let discovery skip reading)."""
        if self.data is None:
            try:
                with open(self.abspath, "rb") as fh:
                    decoded = decode(fh.read())
            except OSError:  # removed or made unreadable since discovery: nothing to analyse
                decoded = b""
            self.data = decoded if isinstance(decoded, bytes) else b""
        return self.data


class Discovery(msgspec.Struct):
    """What discovery found (msgspec Structs, like SourceFile: made in C, where a dataclass is
    generated with exec when the module is imported, on every run)."""

    root: Path
    files: list[SourceFile] = []  # (msgspec gives each instance its own empty list or dict)
    # TypeScript declaration files (.d.ts): never sources to report on, read on demand for the
    # types they declare (the page's view of `window`, channel types); never counted
    declarations: list[SourceFile] = []
    # Page documents (.html pages, .svelte components) of the app: not sources (SPEC §1), never
    # parsed or counted; their text is searched for the channel names page code writes (IPC010,
    # IPC011: a channel an inline `<script>` sends is not unused)
    documents: list[SourceFile] = []
    skipped: list[tuple[str, str]] = []  # (path, reason)
    errors: list[tuple[str, str, str]] = []  # (path, kind, message)
    # root-relative folder -> the project files its listing held, for the folders the walk listed
    listed: dict[str, tuple[str, ...]] = {}




class StatIndex:
    """path -> IndexEntry of the last run, so that an unchanged file is only stat'ed, never read,
    on a warm run. Kept in the (authenticated) cache."""

    def __init__(self, cache: Cache | None = None) -> None:
        self.cache = cache
        self.new: dict[str, IndexEntry] = {}
        loaded = cache.load(INDEX_FILE, dict[str, IndexEntry]) if cache is not None else None
        self.old: dict[str, IndexEntry] = loaded or {}

    def get(self, rel: str, st: os.stat_result) -> IndexEntry | None:
        """The entry of a file unchanged since the last run."""
        e = self.old.get(rel)
        if e is None or e.size != st.st_size or e.mtime_ns != st.st_mtime_ns:
            return None
        self.new[rel] = e
        return e

    def put(self, rel: str, st: os.stat_result, outcome: str, digest: str, bf: ByteFacts | None) -> None:
        self.new[rel] = IndexEntry(st.st_size, st.st_mtime_ns, outcome, digest, bf)

    def save(self) -> None:
        if self.cache is None or self.new == self.old:
            return
        self.cache.store(INDEX_FILE, self.new)


ROOT_MARKERS = ("package.json", ".ipclint.toml", ".git")


def is_project_root(folder: Path) -> bool:
    return any((folder / m).exists() for m in ROOT_MARKERS)


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` with package.json, .ipclint.toml or .git."""
    cur = start if start.is_dir() else start.parent
    for folder in (cur, *cur.parents):
        if is_project_root(folder):
            return folder
    return cur


RESOLVE_EXTS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".vue")


def file_for_stem(paths: set[str] | frozenset[str], stem: str) -> str | None:
    """The source file a module path names, as Node and TypeScript find it: the path itself, a
    `.js` name for its `.ts` source, the path with an extension, or its folder's index file."""
    stem = stem[2:] if stem.startswith("./") else stem
    if stem in paths:
        return stem
    root, ext = os.path.splitext(stem)
    if ext in (".js", ".jsx", ".mjs", ".cjs"):
        for alt in (".ts", ".tsx", ".mts", ".cts"):
            if root + alt in paths:
                return root + alt
    for e in RESOLVE_EXTS:
        if stem + e in paths:
            return stem + e
    for e in RESOLVE_EXTS:
        if f"{stem}/index{e}" in paths:
            return f"{stem}/index{e}"
    return None


DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")
DOCUMENT_SUFFIXES = (".html", ".htm", ".svelte")


class FileKind(enum.Enum):
    """What discovery takes a file for (``file_kind``)."""

    SOURCE = "source"
    DECLARATION = "declaration"  # a TypeScript declaration file: read for its declarations only
    DOCUMENT = "document"  # a page document whose inline scripts can talk over IPC (Discovery.documents)


SOURCE, DECLARATION, DOCUMENT = FileKind.SOURCE, FileKind.DECLARATION, FileKind.DOCUMENT


def file_kind(name: str) -> FileKind | None:
    """What a file of this name is to discovery, or None for a file it does not take: one look at
    the name for each of the walk's entries (they were three, each lowering the name again)."""
    lower = name.lower()
    if lower.endswith(DECLARATION_SUFFIXES):
        return DECLARATION
    if lower.endswith(DOCUMENT_SUFFIXES):
        return DOCUMENT
    return SOURCE if os.path.splitext(lower)[1] in SOURCE_SUFFIXES else None


def is_source(name: str) -> bool:
    return file_kind(name) is SOURCE


def is_document(name: str) -> bool:
    """A page document whose inline scripts can talk over IPC (Discovery.documents)."""
    return file_kind(name) is DOCUMENT


def is_declaration(name: str) -> bool:
    """A TypeScript declaration file: read for its declarations only."""
    return file_kind(name) is DECLARATION


def discover(root: Path, paths: list[Path] | None = None, exclude: list[str] | None = None,
             index: StatIndex | None = None, jobs: int | None = 1,
             pool: Callable[[], ProcessPoolExecutor] | None = None) -> Discovery:
    """Walk the given paths iteratively. A symlink is followed only when its target lies inside the
    root (and a file or folder reached twice, through links or loops, is taken once); a link out of
    the root is skipped and counted. The walk is replayed from the cache when no folder, link or
    .gitignore it depended on has changed (discover/walk.py). ``pool``: the caller's worker
    processes, started by the call, for examining many files (``Examiner``); they are left running
    for the caller (engine.Workers: extraction), unless the walk fails."""
    from ipclint.discover.walk import WALK_FILE, Walk, WalkRecord, still_valid, walk_key
    root = root.resolve()
    index = index if index is not None else StatIndex(None)
    walk = Walk(root, os.path.realpath(root), Discovery(root), index, IgnoreRules.from_lines(exclude or []))
    examiner = Examiner(jobs, pool)
    walk.after_folder = examiner.feed
    starts = [p.resolve() for p in (paths or [root])]
    key = walk_key(root, starts, exclude or [])
    cache = index.cache
    before = cache.load(WALK_FILE, WalkRecord) if cache is not None else None
    try:
        if before is not None and before.key == key and still_valid(before, root):
            walk.replay(before)
        else:
            for start in starts:
                if start.is_file():
                    walk.consider(start)
                else:
                    walk.tree(start)
            made = walk.record(key)
            if made is not None and cache is not None:
                cache.store(WALK_FILE, made)
        result = walk.result
        result.listed = walk.listed
        _examine_all(result, walk.pending, walk.index, examiner)
    finally:
        examiner.close()  # (the workers a failed walk started: stopped, their chunks dropped)
    result.files.sort(key=lambda s: s.path)
    result.declarations.sort(key=lambda s: s.path)
    result.documents.sort(key=lambda s: s.path)
    result.skipped.sort()
    return result


def rel_path(root: Path, p: Path | str) -> str:
    s, r = str(p), str(root)
    if s.startswith(r + os.sep):
        s = s[len(r) + 1:]
    elif s == r:
        return ""
    return s.replace(os.sep, "/") if os.sep != "/" else s


def consider_file(result: Discovery, root: Path, p: str | Path, index: StatIndex, pending: list[Pending],
              seen_files: set[tuple[int, int]]) -> None:
    """``take_file`` for a path the walk's record names (or a file named on the command line)."""
    rel = rel_path(root, p)
    kind = file_kind(rel)
    take_file(result, rel, str(p), kind is DOCUMENT, kind is DECLARATION or kind is DOCUMENT, index, pending,
              seen_files)


def take_file(result: Discovery, rel: str, p: str, doc: bool, decl: bool, index: StatIndex, pending: list[Pending],
              seen_files: set[tuple[int, int]]) -> None:
    """Stat-level checks; files the stat index does not know are examined later, in bulk. A
    declaration file (``decl``, also set for a page document, ``doc``) that cannot be read is left
    out silently: it is no source."""
    try:
        st = os.stat(p)
    except OSError as exc:
        if not decl:
            result.errors.append((rel, "read", f"cannot read file: {exc.strerror or exc}"))
        return
    if not stat.S_ISREG(st.st_mode):
        return
    same = (st.st_dev, st.st_ino)
    if same in seen_files:
        if not decl:
            result.skipped.append((rel, "the same file as another path (a link)"))
        return
    seen_files.add(same)
    if st.st_size > MAX_FILE_SIZE:
        if not decl:
            result.skipped.append((rel, f"larger than {MAX_FILE_SIZE // (1024 * 1024)} MiB"))
        return
    if rel.lower().endswith((".min.js", ".min.mjs", ".min.cjs")):
        result.skipped.append((rel, "minified"))
        return
    known = index.get(rel, st)
    if known is not None and known.outcome not in ("ok", FALLBACK):
        if not decl:
            result.skipped.append((rel, known.outcome))
    elif known is None or known.bytefacts is None:  # (a source entry always has its byte facts)
        pending.append((rel, p, st))
    else:
        if known.outcome == FALLBACK and not decl:
            result.errors.append((rel, "encoding", FALLBACK_NOTICE))
        (result.documents if doc else result.declarations if decl else result.files).append(
            SourceFile(rel, p, known.digest, known.bytefacts))


def read_file(path: str) -> bytes:
    """A file's bytes, read to its end: by its size, then one read more that finds the end.
    (open() builds a file object and asks whether the file is a terminal: 6 of the 20 ms that
    reading joplin's 2,973 files cost.)"""
    fd = os.open(path, os.O_RDONLY)
    try:
        want = os.fstat(fd).st_size + 1
        parts = []
        while chunk := os.read(fd, want):
            parts.append(chunk)
            want = 1 << 16
        return b"".join(parts)
    finally:
        os.close(fd)


def examine(item: tuple[str, str]) -> Examined:
    """Read, decode, hash and byte-search one file. Pure, so it runs in worker processes too."""
    rel, path = item
    try:
        data = read_file(path)
    except OSError as exc:
        return Examined(rel, "read", f"cannot read file: {exc.strerror or exc}", None, None)
    decoded = decode(data)
    if decoded is None:
        return Examined(rel, "binary", "binary file (NUL bytes), not analysed", None, None)
    if isinstance(decoded, str):
        return Examined(rel, "decode", decoded, None, None)
    digest = hashlib.sha256(decoded).hexdigest()
    if _looks_minified(decoded):
        return Examined(rel, "minified", digest, None, None)
    from ipclint.discover.select import byte_facts
    return Examined(rel, FALLBACK if is_fallback(data, decoded) else "ok", digest, byte_facts(decoded), decoded)


def _examine_without_data(item: tuple[str, str]) -> Examined:
    return examine(item)._replace(data=None)


class Examiner:
    """Examines the files a walk finds, in worker processes once there are many: handed out in
    chunks while the walk goes on (reading and hashing the files found so far overlaps listing
    the folders left), the results in the walk's order. ``pool`` starts the caller's workers (which
    outlive the walk: one set of processes for the run, not one for discovery and one for
    extraction); without it the examiner starts its own and stops them at the end."""

    CHUNK = 64

    def __init__(self, jobs: int | None, pool: Callable[[], ProcessPoolExecutor] | None = None) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self._start = pool
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[list[Examined]]] = []
        self._sent = 0

    def feed(self, pending: list[Pending]) -> None:
        """Hand out the whole chunks of ``pending`` not handed out yet (starting the workers once
        ``pending`` holds enough files to pay for them)."""
        if self._pool is None:
            if self.jobs < 2 or len(pending) < PARALLEL_EXAMINE:
                return
            # (the workers inherit the byte searches, imported and compiled once, not in each)
            import ipclint.discover.select  # noqa: F401
            if self._start is not None:
                self._pool = self._start()
            else:
                import gc
                from concurrent.futures import ProcessPoolExecutor
                self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=gc.disable)
        while len(pending) - self._sent >= self.CHUNK:
            self._send(pending[self._sent:self._sent + self.CHUNK])

    def _send(self, chunk: list[Pending]) -> None:
        assert self._pool is not None
        self._futures.append(self._pool.submit(_examine_chunk, [(rel, path) for rel, path, _st in chunk]))
        self._sent += len(chunk)

    def close(self, done: bool = False) -> None:
        """Stop the workers (those of a walk that failed: their chunks not examined yet dropped);
        the caller's, once every file is ``done``, are left running for it."""
        if self._pool is not None:
            if not (done and self._start is not None):
                self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def finish(self, pending: list[Pending]) -> list[Examined]:
        """The examination of every file in ``pending``, in its order."""
        self.feed(pending)
        if self._pool is None:
            return [examine((rel, path)) for rel, path, _st in pending]
        if self._sent < len(pending):
            self._send(pending[self._sent:])
        done = [x for fut in self._futures for x in fut.result()]
        self.close(done=True)
        return done


def _examine_chunk(items: list[tuple[str, str]]) -> list[Examined]:
    return [_examine_without_data(it) for it in items]


def _examine_all(result: Discovery, pending: list[Pending], index: StatIndex, examiner: Examiner) -> None:
    """Examine the files the stat index did not know, in parallel when there are many (workers
    return only hashes and byte facts; the few files that get parsed are read again)."""
    items = [(rel, path) for rel, path, _st in pending]
    stats = {rel: st for rel, _path, st in pending}
    done = examiner.finish(pending)
    paths = dict(items)
    for rel, outcome, info, bf, data in done:
        kind = file_kind(rel)
        doc = kind is DOCUMENT
        decl = kind is DECLARATION or doc
        if outcome in ("read", "binary", "decode"):
            if not decl:
                result.errors.append((rel, outcome, info))
        elif outcome == "minified":
            if not decl:
                result.skipped.append((rel, "minified"))
            index.put(rel, stats[rel], "minified", info, None)
        elif bf is not None:  # ok or cp1252: a source, with its byte facts
            if outcome == FALLBACK and not decl:
                result.errors.append((rel, "encoding", FALLBACK_NOTICE))
            index.put(rel, stats[rel], outcome, info, bf)
            (result.documents if doc else result.declarations if decl else result.files).append(
                SourceFile(rel, paths[rel], info, bf, None if doc else data))


FALLBACK = "cp1252"
FALLBACK_NOTICE = "not valid UTF-8: read as Windows-1252 (save it as UTF-8 if some characters look wrong)"


def is_fallback(data: bytes, decoded: bytes) -> bool:
    """Whether decode() read ``data`` as Windows-1252 (a notice says so: some characters may be
    wrong). decode() returns valid UTF-8 as the same object, and rewrites only BOMs and the rest."""
    return decoded is not data and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))


def decode(data: bytes) -> bytes | str | None:
    """UTF-8 bytes for the parser; None for binary; a message for an undecodable file."""
    if data.startswith(b"\xef\xbb\xbf"):
        return b"   " + data[3:]  # blank the BOM so byte offsets and lines stay put
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return "cannot decode UTF-16 file"
    if b"\0" in data[:8192]:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252").encode("utf-8")
        except UnicodeDecodeError:
            return "not valid UTF-8 and not decodable as Windows-1252"
    return data


def _looks_minified(data: bytes) -> bool:
    sample = data[:MINIFIED_SAMPLE]
    if len(sample) < MINIFIED_AVG_LINE:
        return False
    return len(sample) / (sample.count(b"\n") + 1) > MINIFIED_AVG_LINE

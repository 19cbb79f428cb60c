"""The caches: per-file facts (by content hash), the stat index and the last run's result.

The cache lives in the scanned tree by default, and the scanned tree is hostile input (a pull
request can add `.ipclint_cache/`). So:
- entries are MessagePack decoded by msgspec into declared types only: decoding runs no code;
- every entry carries an HMAC-SHA256 tag made with a key kept outside the project (the user's
  cache directory, created 0600); an entry whose tag does not verify (planted, tampered, written by
  another user or machine, truncated) is ignored and rewritten, never trusted;
- the cache folder and everything below it are never followed through symlinks, so a planted link
  cannot make ipclint read or write outside the folder;
- only the running version's entries are kept (one `v-<stamp>` folder); `ipclint clean` removes it.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import re
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import msgspec

from ipclint.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from ipclint.model.facts import FileFacts, FileFlows

CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by ipclint.\n")
TAG_SIZE = 32
_VERSION = re.compile(r"^v-[0-9a-f]{16}$")
_LEGACY = re.compile(r"^(index\.pickle|result\.pickle|index\.tmp|[0-9a-f]{2}|tmp\w+\.tmp)$")
T = TypeVar("T")


@functools.lru_cache(maxsize=1)
def code_stamp() -> str:
    """The tool version plus the size and mtime of every source file of this package, so that a
    changed rule or extractor (an upgrade, an edited checkout, a new FACTS_VERSION in
    model/facts.py) never reuses a stale cache."""
    package = os.path.dirname(os.path.realpath(__file__))
    h = hashlib.sha256(__version__.encode())
    sources: list[tuple[str, ...]] = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = [d for d in dirs if d != "__pycache__"]  # (bytecode: none of it a source)
        rel = os.path.relpath(folder, package)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        sources += [(*parts, name) for name in files if name.endswith((".py", ".scm"))]
    for parts in sorted(sources):  # (by path components, as paths sort)
        try:
            st = os.stat(os.path.join(package, *parts))
        except OSError:
            continue
        h.update(f"{'/'.join(parts)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


# ---- the key ----------------------------------------------------------------------------------

def user_cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return Path(base) if base else Path.home() / ".cache"


def load_key() -> bytes:
    """The per-user key that authenticates cache entries: `<user cache>/ipclint/key`, created 0600.
    When it cannot be read or made safely, a key for this process only: entries written now will
    not verify later (no warm runs), which is safe. (os.urandom is what secrets.token_bytes
    returns, without importing random.)"""
    folder = user_cache_home() / "ipclint"
    path = folder / "key"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            write_plain(path, os.urandom(32))  # (0600, written whole: no reader sees half a key)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            st = os.fstat(fd)
            key = os.read(fd, 64)
        finally:
            os.close(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077 or st.st_uid != os.getuid() or len(key) < 32:
            return os.urandom(32)  # someone else's, or readable by others: not a secret
        return key
    except (OSError, AttributeError):
        return os.urandom(32)


def seal(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest() + body


def unseal(key: bytes, blob: bytes) -> bytes | None:
    """The body when the tag verifies, else None."""
    if len(blob) < TAG_SIZE:
        return None
    tag, body = blob[:TAG_SIZE], blob[TAG_SIZE:]
    return body if hmac.compare_digest(tag, hmac.new(key, body, hashlib.sha256).digest()) else None


# ---- files, never through a link ---------------------------------------------------------------

def read_plain(path: Path, limit: int = 256 * 1024 * 1024) -> bytes | None:
    """A regular file's bytes, refusing symlinks (O_NOFOLLOW) and anything that is not a file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def write_plain(path: Path, data: bytes) -> None:
    """Write atomically into ``path``'s folder, which must be a real folder (checked by callers).
    The temporary file is named by process and clock, not by ``tempfile`` (which imports shutil,
    bz2 and lzma: a warm run that only records its walk would pay for them)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _make_dir(path: Path) -> bool:
    """Create ``path`` (one level) unless something else is there; True when it is a real folder."""
    try:
        os.mkdir(path, 0o755)
    except FileExistsError:
        pass
    except OSError:
        return False
    return _real_dir(path)


# ---- the cache folder ----------------------------------------------------------------------------

class Cache:
    """One cache folder: `<folder>/v-<stamp>/{facts/xx/*.msgpack, flows/xx/*.msgpack, index.msgpack,
    result.msgpack}`.
    ``folder`` None (no cache, or no usable folder) makes every read a miss and every write a no-op."""

    def __init__(self, folder: Path | None, key: bytes | None = None) -> None:
        self.folder = folder
        self.key = key if key is not None else (load_key() if folder is not None else b"")
        self.hits = 0
        self.misses = 0
        self.rejected = 0  # entries present but not trusted (tag, type or path wrong)
        self._ready = False
        self._encoder = msgspec.msgpack.Encoder()
        self._facts: msgspec.msgpack.Decoder[FileFacts] | None = None  # made when facts are read
        if folder is not None and os.path.lexists(folder) and not _real_dir(folder):
            self.folder = None  # a link or a file where the cache should be: do not use it

    @property
    def version_dir(self) -> Path | None:
        return self.folder / f"v-{code_stamp()}" if self.folder is not None else None

    def prepare(self) -> bool:
        """Create the folders (tagged for backup tools, ignored by git) and drop other versions'
        entries. False when the cache cannot be used."""
        if self.folder is None:
            return False
        if self._ready:
            return True
        if not _make_dir(self.folder):
            self.folder = None
            return False
        tag = self.folder / "CACHEDIR.TAG"
        ours = read_plain(tag) == CACHEDIR_TAG.encode()
        if not ours:
            write_plain(tag, CACHEDIR_TAG.encode())
        gi = self.folder / ".gitignore"
        if read_plain(gi) != b"*\n":
            write_plain(gi, b"*\n")
        vdir = self.version_dir
        assert vdir is not None
        if not _make_dir(vdir) or not _make_dir(vdir / "facts"):
            self.folder = None
            return False
        self._prune(vdir.name, legacy=ours)
        self._ready = True
        return True

    def _prune(self, keep: str, legacy: bool) -> None:
        """Remove what older versions left: other `v-<stamp>` folders, and, in a folder that was
        already tagged as ipclint's, what older formats wrote there (never anything else)."""
        assert self.folder is not None
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for e in entries:
            if e.name == keep or not (_VERSION.match(e.name) or legacy and _LEGACY.match(e.name)):
                continue
            try:
                if e.is_dir(follow_symlinks=False):
                    import shutil  # (a warm run has nothing to remove: no import)
                    shutil.rmtree(e.path, ignore_errors=True)
                else:
                    os.unlink(e.path)
            except OSError:
                pass

    # ---- per-file facts ----
    def facts_file(self, path: str, digest: str) -> Path | None:
        """Where the facts of ``path`` with content ``digest`` are kept. The path is part of the key:
        facts carry the file's own path and a grammar chosen by its suffix."""
        return self._sharded("facts", f"{path}\0{digest}")

    def _sharded(self, folder: str, key: str) -> Path | None:
        """The entry for ``key`` in ``folder`` of this version's cache, sharded by its hash."""
        vdir = self.version_dir
        if vdir is None:
            return None
        k = hashlib.sha256(key.encode()).hexdigest()
        return vdir / folder / k[:2] / f"{k[2:]}.msgpack"

    def get_facts(self, path: str, digest: str) -> FileFacts | None:
        target = self.facts_file(path, digest)
        blob = read_plain(target) if target is not None else None
        if blob is None:
            self.misses += 1
            return None
        facts = self.decode_facts(unseal(self.key, blob))
        if facts is None or facts.path != path:
            self.rejected += 1
            self.misses += 1
            return None
        self.hits += 1
        return facts

    def decode_facts(self, body: bytes | None) -> FileFacts | None:
        if body is None:
            return None
        if self._facts is None:
            from ipclint.model.facts import FileFacts
            self._facts = msgspec.msgpack.Decoder(FileFacts)
        try:
            return self._facts.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError, RecursionError):
            return None

    # ---- per-file flows (a file whose facts deferred them: Project.flow) ----
    def flows_file(self, path: str, digest: str) -> Path | None:
        """Where the flows of ``path`` with content ``digest`` are kept (``flows/``, sharded like facts)."""
        return self._sharded("flows", f"flows\0{path}\0{digest}")

    def get_flows(self, path: str, digest: str) -> FileFlows | None:
        target = self.flows_file(path, digest)
        blob = read_plain(target) if target is not None else None
        body = unseal(self.key, blob) if blob is not None else None
        if body is None:
            return None
        from ipclint.model.facts import FileFlows
        try:
            flows = msgspec.msgpack.decode(body, type=FileFlows)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError, RecursionError):
            return None
        return flows if flows.path == path else None

    def put_flows(self, digest: str, flows: FileFlows) -> None:
        if not self.prepare():
            return
        target = self.flows_file(flows.path, digest)
        if target is None or not _make_dir(target.parent.parent) or not _make_dir(target.parent):
            return
        try:
            body = self._encoder.encode(flows)
        except (TypeError, ValueError, OverflowError):
            return
        write_plain(target, seal(self.key, body))

    def shard_ready(self, target: Path) -> bool:
        """Make the shard folder of a facts entry before workers write into it."""
        return self._ready and _make_dir(target.parent)

    @staticmethod
    def write_entry(target: Path, sealed: bytes) -> None:
        """Store an entry made by ``seal`` into a folder made by ``shard_ready`` (workers seal their
        own facts in parallel)."""
        write_plain(target, sealed)

    # ---- whole-record entries: the stat index and the last result ----
    def load(self, name: str, kind: type[T]) -> T | None:
        vdir = self.version_dir
        blob = read_plain(vdir / name) if vdir is not None else None
        body = unseal(self.key, blob) if blob is not None else None
        if body is None:
            if blob is not None:
                self.rejected += 1
            return None
        try:
            return msgspec.msgpack.decode(body, type=kind)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError, RecursionError):
            self.rejected += 1
            return None

    def store(self, name: str, value: object) -> None:
        if not self.prepare():
            return
        vdir = self.version_dir
        assert vdir is not None
        try:
            body = self._encoder.encode(value)
        except (TypeError, ValueError, OverflowError):
            return
        write_plain(vdir / name, seal(self.key, body))


def encode_facts(facts: FileFacts) -> bytes:
    return msgspec.msgpack.encode(facts)


def clean(folder: Path) -> bool:
    """Remove an ipclint cache folder (one that carries ipclint's CACHEDIR.TAG). True when removed."""
    import shutil
    if not _real_dir(folder):
        return False
    if read_plain(folder / "CACHEDIR.TAG") != CACHEDIR_TAG.encode():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return not os.path.lexists(folder)


PROJECT_FILES = ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
                 "tsconfig.json", "jsconfig.json", "tsconfig.base.json", ".ipclint.toml", "ipclint.toml",
                 "pyproject.toml", ".gitignore")


def _is_config(name: str) -> bool:
    return name in PROJECT_FILES or (name.endswith(".json") and name.startswith(("tsconfig.", "jsconfig.")))


def is_project_file(name: str) -> bool:
    """A file ``context_key`` watches: one of PROJECT_FILES, or any TypeScript/JavaScript config
    (`tsconfig.node.json`, `tsconfig.web.json`: the configs a solution file references or a
    config extends, whose `paths` module resolution reads), and any other JSON file: a JSON module
    that sources import (channel names kept in `channels.json`) is read as data when linking, so
    its edits must not leave an earlier result standing (the walk notes every JSON name; the key
    stats only those imported)."""
    return name in PROJECT_FILES or name.endswith(".json")


def context_key(root: Path, paths: list[str], skipped: list[tuple[str, str]], errors: list[tuple[str, str, str]],
                config: object, options: tuple[object, ...], listed: dict[str, tuple[str, ...]] | None = None,
                json_modules: frozenset[str] = frozenset()) -> str:
    """Everything a run's result depends on but the files' contents: the tool, the file set, the
    project files that roles, versions and module resolution read (package.json, lock files,
    tsconfig, .gitignore: by size and mtime), the config, the options, what discovery skipped.
    ``listed``: the project files each folder the walk listed holds (discover.Discovery.listed);
    only those are looked for there (a monorepo's warm run stats a few dozen, not thousands), and of
    the other JSON files only those named ``json_modules`` (the file names of the `.json`
    specifiers that sources import: linking reads them as data)."""
    h = hashlib.sha256(f"{code_stamp()}:{root}".encode())
    h.update("".join(f"{path}\n" for path in paths).encode())  # (one update: the digest of one per path)
    folders = {""}
    for d in {path.rpartition("/")[0] for path in paths}:  # each file's folder, then those above it
        while d not in folders:
            folders.add(d)
            d = d.rpartition("/")[0]
    if listed is not None and json_modules:  # (JSON modules live in folders of their own too: `src/constants/ipc.json`)
        folders.update(folder for folder, held in listed.items() if any(n in json_modules for n in held))
    top = str(root)
    for folder in sorted(folders):
        base = os.path.join(top, folder) if folder else top
        held = listed.get(folder) if listed is not None else None
        for name in PROJECT_FILES if held is None else held:
            if name not in json_modules and not _is_config(name):
                continue
            p = os.path.join(base, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    h.update(repr(config).encode())
    h.update(repr(options).encode())
    h.update(repr(sorted(skipped)).encode())
    h.update(repr(sorted(errors)).encode())
    return h.hexdigest()


def result_key(context: str, files: list[tuple[str, str]]) -> str:
    """The context and every file's content hash: a run with the same key has the same result."""
    h = hashlib.sha256(context.encode())
    for path, digest in files:
        h.update(f"{path}\0{digest}\n".encode())
    return h.hexdigest()


def baseline_digest(path: str | None) -> str | None:
    if not path:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"

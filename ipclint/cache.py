"""Per-file fact cache keyed by content hash and tool version (so config never invalidates it)."""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from ipclint import __version__
from ipclint.extract.facts import FACTS_VERSION, FileFacts

CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by ipclint.\n")


class FactCache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._ready = False
        self.hits = 0
        self.misses = 0

    def _key(self, path: str, digest: str) -> Path:
        # The path is part of the key: facts carry the file's own path and suffix-dependent grammar.
        import hashlib
        k = hashlib.sha256(f"{code_stamp()}:{FACTS_VERSION}:{path}:{digest}".encode()).hexdigest()
        return self.folder / k[:2] / f"{k[2:]}.pkl"  # type: ignore[operator]

    def get(self, path: str, digest: str) -> FileFacts | None:
        if self.folder is None:
            return None
        try:
            with open(self._key(path, digest), "rb") as fh:
                facts = pickle.load(fh)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return facts if isinstance(facts, FileFacts) else None

    def prepare(self) -> None:
        """Create the cache folder (tagged for backup tools, ignored by git) before workers write."""
        if self.folder is None or self._ready:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tag = self.folder / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(CACHEDIR_TAG)
            gi = self.folder / ".gitignore"
            if not gi.exists():
                gi.write_text("*\n")
            self._ready = True
        except OSError:
            self.folder = None  # read-only or full disk: run without a cache

    def file_for(self, path: str, digest: str) -> str | None:
        return str(self._key(path, digest)) if self.folder is not None else None

    @staticmethod
    def write_blob(target: Path, blob: bytes) -> None:
        try:
            target.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, target)
        except OSError:
            pass


PROJECT_FILES = ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "tsconfig.json", "jsconfig.json", "tsconfig.base.json",
                 ".ipclint.toml", "ipclint.toml", "pyproject.toml")


def result_key(root: Path, found, config, options: tuple) -> str:
    """Everything a run's result depends on: the tool, every file's content hash, the project
    files that roles, versions and module resolution read, the config and the options."""
    import hashlib
    h = hashlib.sha256(f"{code_stamp()}:{FACTS_VERSION}:{root}".encode())
    folders = {""}
    for sf in found.files:
        h.update(f"{sf.path}\0{sf.digest}\n".encode())
        d = os.path.dirname(sf.path)
        while d not in folders:
            folders.add(d)
            d = os.path.dirname(d)
    for folder in sorted(folders):
        for name in PROJECT_FILES:
            p = root / folder / name
            try:
                st = p.stat()
            except OSError:
                continue
            h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    h.update(repr(config).encode())
    h.update(repr(options).encode())
    h.update(repr(sorted(found.skipped)).encode())
    h.update(repr(sorted(found.errors)).encode())
    return h.hexdigest()


def baseline_digest(path) -> str | None:
    if not path:
        return None
    import hashlib
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def load_result(folder: Path, key: str):
    try:
        with open(folder / "result.pickle", "rb") as fh:
            stored_key, result = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return result if stored_key == key else None


def store_result(folder: Path, key: str, result) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((key, result), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / "result.pickle")
    except (OSError, pickle.PickleError):
        pass


_CODE_STAMP: list[str] = []


def code_stamp() -> str:
    """The tool version plus the size and mtime of every source file of this package, so that a
    changed rule or extractor (an upgrade, or an edited checkout) never reuses a stale cache."""
    if not _CODE_STAMP:
        package = Path(__file__).resolve().parent
        h = hashlib.sha256(__version__.encode())
        for f in sorted(package.rglob("*")):
            if f.suffix in (".py", ".scm"):
                try:
                    st = f.stat()
                except OSError:
                    continue
                h.update(f"{f.relative_to(package).as_posix()}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        _CODE_STAMP.append(h.hexdigest()[:16])
    return _CODE_STAMP[0]

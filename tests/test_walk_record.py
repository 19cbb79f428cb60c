"""The walk record: a warm run replays discovery's outcome only while nothing it depended on changed."""
from __future__ import annotations

import os
import time
from pathlib import Path

from pytest import MonkeyPatch

from ipclint.cache import Cache
from ipclint.discover import Discovery, StatIndex, discover
from ipclint.discover.walk import WALK_FILE, Walk, WalkRecord
from tests.helpers import write_project

MAIN = "const { ipcMain } = require('electron')\nipcMain.handle('x', () => 1)\n"


def _age(root: Path) -> None:
    """Date every folder and file an hour back: a walk of folders changed just now is not recorded."""
    old = time.time() - 3600
    for folder, dirs, files in os.walk(root):
        for name in files + dirs:
            os.utime(os.path.join(folder, name), (old, old), follow_symlinks=False)
        os.utime(folder, (old, old))


def _run(root: Path, cache: Path) -> tuple[Discovery, WalkRecord | None]:
    """Discover with the cache; the record found before the run."""
    c = Cache(cache)
    before = c.load(WALK_FILE, WalkRecord)
    return discover(root, index=StatIndex(c)), before


def _no_walk(self: Walk, start: Path) -> None:
    raise AssertionError("the walk should have been replayed")


def _outcome(d: Discovery) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    return [f.path for f in d.files], [f.path for f in d.declarations], d.skipped


def _fresh(root: Path) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    return _outcome(discover(root))


def test_an_unchanged_tree_is_replayed_and_every_change_is_seen(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    root = write_project(tmp_path / "app", {
        "main.js": MAIN, "src/a.js": MAIN, "src/gen/b.js": MAIN, "lib/c.js": MAIN, "lib/types.d.ts": "declare var x: 1",
        ".gitignore": "gen/\n", "node_modules/x/index.js": MAIN})
    cache = tmp_path / "cache"
    _age(root)
    first, before = _run(root, cache)
    assert before is None and Cache(cache).load(WALK_FILE, WalkRecord) is not None
    with monkeypatch.context() as m:
        m.setattr(Walk, "tree", _no_walk)  # replayed: no folder is listed
        replayed, before = _run(root, cache)
    assert before is not None and _outcome(replayed) == _outcome(first) == _fresh(root)

    def changed(edit: object) -> None:
        _age(root)
        _run(root, cache)  # record the current tree
        assert callable(edit)
        edit()
        got, _ = _run(root, cache)
        assert _outcome(got) == _fresh(root)

    # a file added, removed, a folder added: their folder's mtime moves
    changed(lambda: (root / "src/new.js").write_text(MAIN))
    assert "src/new.js" in [f.path for f in discover(root).files]
    changed(lambda: (root / "lib/c.js").unlink())
    changed(lambda: (root / "src/more").mkdir())
    # a .gitignore edited in place (its folder's mtime stays): the record is not used
    gi = root / ".gitignore"

    def edit_gitignore() -> None:
        st = root.stat()
        gi.write_text("src/\n")
        os.utime(root, ns=(st.st_atime_ns, st.st_mtime_ns))
    changed(edit_gitignore)
    assert [f.path for f in discover(root).files] == ["main.js"]
    # a .gitignore added below
    changed(lambda: (root / "lib/.gitignore").write_text("*.d.ts\n"))
    # a link moved out of the root
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.js").write_text(MAIN)
    (root / "linked").symlink_to(root / "lib")

    def retarget() -> None:
        st = root.stat()
        (root / "linked").unlink()
        (root / "linked").symlink_to(outside)
        os.utime(root, ns=(st.st_atime_ns, st.st_mtime_ns))  # as if the folder had not changed
    changed(retarget)
    assert ("linked/", "symlink to a folder outside the project root") in discover(root).skipped


def test_a_tree_changed_just_now_is_not_recorded(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", {"main.js": MAIN})
    cache = tmp_path / "cache"
    discover(root, index=StatIndex(Cache(cache)))
    assert Cache(cache).load(WALK_FILE, WalkRecord) is None


def test_a_forged_record_is_not_replayed(tmp_path: Path) -> None:
    root = write_project(tmp_path / "app", {"main.js": MAIN, "secret.js": MAIN})
    cache = tmp_path / "cache"
    _age(root)
    discover(root, index=StatIndex(Cache(cache)))
    c = Cache(cache)
    rec = c.load(WALK_FILE, WalkRecord)
    assert rec is not None and c.version_dir is not None
    forged = WalkRecord(rec.key, rec.folders, rec.gitignores, rec.links,
                        [e for e in rec.events if not e[1].endswith("secret.js")])
    import msgspec
    (c.version_dir / WALK_FILE).write_bytes(b"\0" * 32 + msgspec.msgpack.encode(forged))
    assert [f.path for f in discover(root, index=StatIndex(Cache(cache))).files] == ["main.js", "secret.js"]


def test_page_documents_are_found_apart_from_sources_and_replayed(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    """HTML pages and Svelte components are no sources (never parsed or counted): discovery lists
    them as documents, whose text IPC010/IPC011 search for channel names; .gitignore applies."""
    page = "<script>require('electron').ipcRenderer.send('x')</script>\n"
    root = write_project(tmp_path / "app", {
        "main.js": MAIN, "src/page.html": page, "src/About.svelte": page, "src/gen/old.htm": page,
        ".gitignore": "gen/\n", "node_modules/x/index.html": page})
    cache = tmp_path / "cache"
    _age(root)
    first, _ = _run(root, cache)
    assert [f.path for f in first.files] == ["main.js"]
    assert [f.path for f in first.documents] == ["src/About.svelte", "src/page.html"]
    with monkeypatch.context() as m:
        m.setattr(Walk, "tree", _no_walk)
        replayed, before = _run(root, cache)
    assert before is not None and [f.path for f in replayed.documents] == ["src/About.svelte", "src/page.html"]
    assert [f.path for f in replayed.files] == ["main.js"]


def test_the_walk_places_and_names_each_entry_once(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    """Each folder's root-relative path and the .gitignore files above it are found once for all
    its entries, and each file's name is looked at once (it was rel_path per entry and again per
    file taken, and three looks at the name, each lowering it): 4 folders of 20 files, 4 and 80."""
    import ipclint.discover as discovery
    import ipclint.discover.walk as walk
    from tests.helpers import count_calls
    files = {f"{d}/f{i}.{ext}": MAIN for d in ("src", "src/lib", "types") for i, ext in enumerate(["js", "ts"] * 10)}
    files.update({f"f{i}.d.ts": "declare var x: 1\n" for i in range(19)})
    root = write_project(tmp_path / "app", files)  # (and package.json at the root: 20 files there)
    expected = discover(root)
    placed = count_calls(monkeypatch, walk, "rel_path")
    chains = count_calls(monkeypatch, walk, "_chain")
    named = count_calls(monkeypatch, walk, "file_kind")
    also = count_calls(monkeypatch, discovery, "file_kind")
    found = discover(root)
    assert _outcome(found) == _outcome(expected) and len(found.files) == 60 and len(found.declarations) == 19
    assert placed == [4] and chains == [4]  # the root, src, src/lib, types
    assert named == [80] and also == [79]  # 80 files; and once more each that discovery examined


def test_selection_reads_only_the_package_json_files_the_walk_listed(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    """The first round's package.json `main` entries are read from the folders whose listing held
    a package.json (``Discovery.listed``), not tried in every folder that holds a source file (it
    read 20 here, 18 of them missing); without the listing (a caller that has none) every folder
    is still tried, with the same selection."""
    import ipclint.discover.select as select
    from tests.helpers import count_calls
    files: dict[str, str] = {f"src/m{i}/f.js": "export const x = 1\n" for i in range(18)}
    files["packages/app/package.json"] = '{"name": "app", "main": "entry.js"}'
    files["packages/app/entry.js"] = "module.exports = 1\n"
    root = write_project(tmp_path / "app", files, main="src/m0/f.js")
    found = discover(root)
    read = count_calls(monkeypatch, select, "read_in_root")
    chosen = {sf.path for sf in select.select_files(found.files, root, found.listed)}
    assert read == [2]  # the root's and packages/app's
    assert {"src/m0/f.js", "packages/app/entry.js"} <= chosen
    read[0] = 0
    assert {sf.path for sf in select.select_files(found.files, root)} == chosen and read == [20]

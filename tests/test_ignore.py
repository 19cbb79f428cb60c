"""The .gitignore matcher answers exactly as pathspec's GitIgnoreSpec, pattern shape by shape."""
from __future__ import annotations

import random
from pathlib import Path

import pathspec
import pytest

from ipclint.discover import discover
from ipclint.discover.ignore import IgnoreRules
from tests.helpers import write_project

NAMES = ["a", "b", "lib", "node_modules", "x.js", "x.map", "app.min.js", ".env", "build", "é", "a b", "#c", "!d"]
PATTERNS = [
    "a", "/a", "a/", "/a/", "a/b", "/a/b/", "lib/x.js", "!lib/x.js", "*.map", "!*.map", "**/*.js.map", "**/a/",
    "**/a", "a/**", "a/**/b", "a/**/", "*", "**", "/*", "!/a", "a/*", "*.js", "x.*", "?.js", "[ab]", "[!a]",
    "build-*", "!build", "\\#c", "\\!d", "a\\ b", "a b", "é", "lib/", "!node_modules/", "*/x.js", "a/*/x.js",
    "x.js/", "***", "a//b", "./a", "", "# comment", "!", "a\\", "//", "/",
]


def _paths(rnd: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        parts = [rnd.choice(NAMES) for _ in range(rnd.randint(1, 4))]
        out.append("/".join(parts) + ("/" if rnd.random() < 0.3 else ""))
    return out


def _reference(lines: list[str]) -> pathspec.GitIgnoreSpec:
    # pathspec refuses a file with an unreadable pattern; git skips the line (and so do we)
    ok = []
    for line in lines:
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except Exception:
            continue
        ok.append(line)
    return pathspec.GitIgnoreSpec.from_lines(ok)


def test_matches_as_gitignorespec_on_random_files() -> None:
    rnd = random.Random(13)
    for _ in range(400):
        lines = [rnd.choice(PATTERNS) for _ in range(rnd.randint(1, 8))]
        ref, mine = _reference(lines), IgnoreRules.from_lines(lines)
        for p in _paths(rnd, 40):
            assert mine.match(p) == ref.match_file(p), (lines, p)


def test_every_pattern_alone_and_negated() -> None:
    rnd = random.Random(7)
    paths = _paths(rnd, 400)
    for pat in PATTERNS:
        for lines in ([pat], [pat, "!" + pat], ["*", "!" + pat], [pat, "a"]):
            ref, mine = _reference(lines), IgnoreRules.from_lines(lines)
            for p in paths:
                assert mine.match(p) == ref.match_file(p), (lines, p)


def test_an_unreadable_pattern_is_skipped_not_fatal(tmp_path: Path) -> None:
    root = write_project(tmp_path, {".gitignore": "!\nsecret/\nfoo\\\n", "main.js": "require('electron')",
                                    "secret/x.js": "require('electron')"})
    found = discover(root)
    assert [f.path for f in found.files] == ["main.js"]
    assert ("secret/", "ignored folder") in found.skipped


def test_yarn_berry_folder_is_excluded_by_default(tmp_path: Path) -> None:
    # Yarn 2+ keeps its own release and plugin bundles under .yarn/ (often committed: .gitignore
    # re-includes `!.yarn/plugins`, `!.yarn/releases`): tooling, never the app's code
    root = write_project(tmp_path, {".gitignore": ".yarn/*\n!.yarn/plugins\n!.yarn/releases\n",
                                    "main.js": "require('electron')",
                                    ".yarn/plugins/@yarnpkg/plugin-tools.cjs": "module.exports = { name: 'x' }",
                                    ".yarn/releases/yarn-4.0.0.cjs": "require('electron')",
                                    "src/yarn/helper.js": "module.exports = 1"})
    found = discover(root)
    assert [f.path for f in found.files] == ["main.js", "src/yarn/helper.js"]
    assert (".yarn/", "folder excluded by default") in found.skipped


def test_plain_lines_get_the_shape_pathspec_gives_them() -> None:
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern
    names = ["a", "lib", "x.js", ".env", "app-cli", "é", "a_b", "v1.2", "@scope", "..", "."]
    rnd = random.Random(3)
    for _ in range(500):
        body = "/".join(rnd.choice(names) for _ in range(rnd.randint(1, 3)))
        line = rnd.choice(["", "!"]) + rnd.choice(["", "/"]) + body + rnd.choice(["", "/"])
        fast = IgnoreRules.from_lines([line])
        slow = IgnoreRules()
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(line)
        assert regex is not None and include is not None
        slow.add(regex, include)
        assert fast == slow, line
        assert not fast.other, line


def test_discovery_keeps_the_suffixes_the_parser_knows() -> None:
    from ipclint.discover import SOURCE_SUFFIXES
    from ipclint.extract.parse import SOURCE_SUFFIXES as PARSED
    assert SOURCE_SUFFIXES == PARSED


def test_the_folders_above_a_path_are_matched_once_per_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of one folder share what the folders above them match: 1,000 files in one deep folder
    cost one look at its components, not one per file (and still answer as GitIgnoreSpec)."""
    lines = ["node_modules", "build/", "/a/b/c", "*.map", "!keep.map", "gen/**/out"]
    ref, mine = _reference(lines), IgnoreRules.from_lines(lines)
    looked: list[str] = []
    real = IgnoreRules._folder_match

    def counted(self: IgnoreRules, folder: str) -> int:
        looked.append(folder)
        return real(self, folder)

    monkeypatch.setattr(IgnoreRules, "_folder_match", counted)
    paths = [f"src/deep/er/still/f{i}.{ext}" for i in range(500) for ext in ("js", "map")] + ["a/b/c/x.js", "keep.map"]
    for p in paths:
        assert mine.match(p) == ref.match_file(p), p
    assert sorted(looked) == ["", "a/b/c", "src/deep/er/still"]

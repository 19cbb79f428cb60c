""".gitignore matching, compiled once per run: the answers of pathspec's GitIgnoreSpec, without
testing every path against every pattern.

pathspec turns each pattern into a regular expression and, for each path, tries them all (a
monorepo's root .gitignore lists a thousand generated files: millions of regex searches per run).
Most patterns are literals (`node_modules`, `/build/`, `packages/app/lib/index.js`) or a suffix
(`*.map`); those go into dictionaries looked up with the path's name, and once per folder with
the folder's components and prefixes (every path in a folder shares that answer). The others
keep pathspec's own expression. The decision is GitIgnoreSpec's: a pattern that matches the path
itself (priority 2) beats one that matches a folder above it (priority 1, its `ps_d` mark), and
among equals the last pattern in the file wins; a negated pattern re-includes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# pathspec's expression for an escaped literal: `\` + a non-word character, or a plain character
_LIT = r"((?:\\[^0-9A-Za-z_]|[^\\.^$*+?{}\[\]|()])+)"
_END = re.escape("(?:(?P<ps_d>/)|$)")  # the path itself, or a folder above it
_DIR = re.escape("(?P<ps_d>/)")  # only a folder above it
_ANY = re.escape("^(?:.+/)?")  # at any depth
_SHAPES = (
    ("comp", re.compile(_ANY + _LIT + _END + "$")),  # `name`: a component of the path
    ("comp_dir", re.compile(_ANY + _LIT + _DIR + "$")),  # `name/`: a folder component
    ("path", re.compile(r"\^" + _LIT + _END + "$")),  # `a/b`: the path from here
    ("path_dir", re.compile(r"\^" + _LIT + _DIR + "$")),  # `a/b/`: a folder from here
    ("suffix", re.compile(_ANY + re.escape("[^/]*") + _LIT + _END + "$")),  # `*.map`
)
_UNESCAPE = re.compile(r"\\(.)", re.S)
# A pattern made of plain names (most lines of a real .gitignore): its shape is read from the
# line itself, without building pathspec's expression (the same shape and literal, tested).
_PLAIN = re.compile(r"(!?)(/?)((?:[\w.@+=,%~-]+/)*[\w.@+=,%~-]+)(/?)")


@dataclass(slots=True)
class _Rx:
    index: int
    source: str
    compiled: re.Pattern[str] | None = None

    def search(self, path: str) -> re.Match[str] | None:
        if self.compiled is None:
            self.compiled = re.compile(self.source)
        return self.compiled.search(path)


@dataclass(slots=True)
class IgnoreRules:
    """One .gitignore (or the config's exclude globs): its patterns sorted by shape."""

    include: list[bool] = field(default_factory=list)  # per pattern: ignore (True) or re-include
    comp: dict[str, int] = field(default_factory=dict)  # literal -> last index, for each shape
    comp_dir: dict[str, int] = field(default_factory=dict)
    path: dict[str, int] = field(default_factory=dict)
    path_dir: dict[str, int] = field(default_factory=dict)
    suffix: list[tuple[str, int]] = field(default_factory=list)
    other: list[_Rx] = field(default_factory=list)
    _ends: tuple[str, ...] | None = field(default=None, compare=False)
    _any: re.Pattern[str] | None = field(default=None, compare=False)
    _above: dict[str, int] = field(default_factory=dict, compare=False)  # folder -> ``_folder_match``

    @classmethod
    def from_lines(cls, lines: list[str]) -> IgnoreRules:
        rules = cls()
        for line in lines:
            if not line:
                continue
            plain = _PLAIN.fullmatch(line)
            if plain is not None:
                rules.add_plain(*plain.groups())
                continue
            from pathspec.patterns.gitignore import GitIgnorePatternError  # (a warm run needs none)
            from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern
            try:
                regex, include = GitIgnoreSpecPattern.pattern_to_regex(line)
            except GitIgnorePatternError:
                continue  # git ignores a pattern it cannot read (`!`, a trailing `\`)
            if include is None or regex is None:
                continue  # a comment or a blank line
            rules.add(regex, include)
        return rules

    def add(self, regex: str, include: bool) -> None:
        index = len(self.include)
        self.include.append(include)
        for shape, form in _SHAPES:
            m = form.match(regex)
            if m is None:
                continue
            literal = _UNESCAPE.sub(r"\1", m.group(1))
            if shape == "suffix":
                if "/" not in literal:
                    self.suffix.append((literal, index))
                    return
                break
            if shape in ("comp", "comp_dir") and "/" in literal:
                break
            getattr(self, shape)[literal] = index
            return
        self.other.append(_Rx(index, regex))

    def add_plain(self, negated: str, anchored: str, literal: str, folder: str) -> None:
        """A line of plain names: `name` and `name/` match at any depth; a leading or inner `/`
        anchors it to the .gitignore's folder; a trailing `/` matches folders only."""
        index = len(self.include)
        self.include.append(not negated)
        if anchored or "/" in literal:
            (self.path_dir if folder else self.path)[literal] = index
        else:
            (self.comp_dir if folder else self.comp)[literal] = index

    def __bool__(self) -> bool:
        return bool(self.include)

    def _ready(self) -> None:
        """The suffixes as one tuple and the other patterns as one expression, to rule most paths
        out with one call each."""
        self._ends = tuple(x for x, _ in self.suffix)
        rx = "|".join(f"(?:{r.source})" for r in self.other).replace("(?P<ps_d>", "(?:")
        try:
            self._any = re.compile(rx) if rx else None
        except re.error:  # not one expression after all: try each
            self._any = re.compile("")

    def match(self, path: str) -> bool:
        """Whether ``path`` (relative to the .gitignore's folder; a folder ends with `/`) is
        ignored: GitIgnoreSpec.match_file."""
        if self._ends is None:
            self._ready()
        cut = path.rfind("/")
        folder, name = (path[:cut], path[cut + 1:]) if cut >= 0 else ("", path)  # name "": a folder
        best1 = self._above.get(folder)  # the last pattern matching a folder above (priority 1)
        if best1 is None:
            best1 = self._above[folder] = self._folder_match(folder)
        best2 = self.comp.get(name, -1)  # the last pattern matching the path itself (priority 2)
        if self._ends and name.endswith(self._ends):
            best2 = max([best2] + [j for x, j in self.suffix if name.endswith(x)])
        if self.path:
            best2 = max(best2, self.path.get(path, -1))
        if self._any is not None and self._any.search(path):
            for rx in self.other:
                if rx.index <= best2:
                    continue
                m = rx.search(path)
                if m is not None:
                    if m.groupdict().get("ps_d"):
                        best1 = max(best1, rx.index)
                    else:
                        best2 = rx.index
        if best2 >= 0:
            return self.include[best2]
        return best1 >= 0 and self.include[best1]

    def _folder_match(self, folder: str) -> int:
        """The last literal or suffix pattern that matches ``folder`` or a folder above it (the
        same for every path in it: remembered per folder, ``match``)."""
        best1 = -1
        if not folder:
            return best1
        parts = folder.split("/")
        comp, comp_dir, ends = self.comp, self.comp_dir, self._ends
        for part in parts:
            best1 = max(best1, comp.get(part, -1), comp_dir.get(part, -1))
            if ends and part.endswith(ends):
                best1 = max([best1] + [j for x, j in self.suffix if part.endswith(x)])
        if self.path or self.path_dir:
            end = 0
            while end >= 0:  # each folder from the top down to ``folder`` itself
                end = folder.find("/", end + 1)
                prefix = folder[:end] if end >= 0 else folder
                best1 = max(best1, self.path.get(prefix, -1), self.path_dir.get(prefix, -1))
        return best1

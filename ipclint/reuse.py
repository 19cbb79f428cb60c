"""After an edit: reuse the last run's analysis when the edit cannot change it.

A run's analysis (the stamped findings before suppressions, baseline and test code are taken out;
the diagnostics; the roles, the graph view, the test-code spans) is a function of its context
(tool, file set, project files, config, options: ``cache.context_key``), of every file's byte facts
(what selection and module resolution read), of the facts of the files it parsed, and of the bytes
of the few files that linking or a rule searched directly (``read``). An edited file that changes
none of those (its byte facts are the same, its facts are the same but for its size, no analysis read
its bytes: a comment or whitespace edit that moves no code, text appended at the end) leaves the
analysis as it was; only what the report takes from the file's bytes is redone (suppression
comments, character columns). An edit that only moves whole lines (comment or blank lines inserted
or removed above, between or inside code) leaves the facts the same but for their line numbers:
the analysis is then the last one with that file's lines renumbered (``moved_lines``,
``renumbered``). Anything else is a full analysis, which still takes from the state the rounds of
linking that no edit can change (``replay_of``).

The state is a cache entry like the others: MessagePack decoded by msgspec into these types only,
sealed with the user's key (cache.py).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import msgspec

from ipclint.discover import ByteFacts, Discovery, SourceFile
from ipclint.model import Diagnostic, FileInfo, Finding, Span
from ipclint.model.graph import GraphView

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence

    from ipclint.cache import Cache
    from ipclint.model.facts import FileFacts

STATE_FILE = "state.msgpack"


class Analysis(msgspec.Struct, frozen=True):
    """What linking and the rules made of the project, before the report takes its share."""

    findings: list[Finding]  # stamped, before suppressions, the baseline and test code are taken out
    errors: list[Diagnostic]  # discovery, extraction, linking, rules and the files' own diagnostics
    tests: dict[str, list[Span]]  # test code inside non-test files (Playwright callbacks)
    roles: list[FileInfo]
    graph: GraphView | None
    versions: list[str]  # the Electron versions of the apps, sorted
    analysed: int  # files analysed from their facts (not .d.ts)
    rules_run: list[str]


class Round(msgspec.Struct, frozen=True):
    """A round of linking that asked for more files (engine._link_until_stable)."""

    asked: list[str]  # the files it asked for (parsed in the next round)
    read: list[str]  # the files whose bytes it searched first (a later round or a rule reads them again)


class State(msgspec.Struct, frozen=True):
    """The last full analysis and what it depended on."""

    context: str
    files: dict[str, str]  # every source and declaration file: path -> content digest
    bytefacts: dict[str, ByteFacts]
    parsed: dict[str, str]  # the files whose facts the analysis read: path -> content digest
    read: list[str]  # the files whose bytes linking or a rule read
    analysis: Analysis
    rounds: list[Round] = []  # the rounds of linking that asked for more files, in order
    # Not empty: the key of the stored result (engine.StoredResult) of the same run, which carries
    # this analysis's findings (sorted) and graph; the state keeps neither (``lean``).
    in_result: str = ""
    # folder -> its Electron version, as linking found it (link.roles.electron_versions): read from
    # package.json and lock files alone, which the context covers, so the next run of the same
    # context starts from them (``versions_of``) instead of searching the lock files again
    versions: dict[str, str | None] = {}


def state_of(context: str, found: Discovery, parsed: dict[str, str], read: set[str], analysis: Analysis,
             rounds: list[Round], versions: dict[str, str | None]) -> State:
    every = found.files + found.declarations + found.documents
    return State(context, {sf.path: sf.digest for sf in every}, {sf.path: sf.bytefacts for sf in every},
                 parsed, sorted(read), analysis, rounds, versions=versions)


def versions_of(state: State | None, context: str) -> dict[str, str | None]:
    """The Electron versions by folder that the last run of this context found (``State.versions``);
    empty for another context."""
    return state.versions if state is not None and state.context == context else {}


class Replay(msgspec.Struct, frozen=True):
    """What a full analysis can take from the last one's linking (engine._link_until_stable)."""

    rounds: list[Round]  # its rounds that asked for more files
    changed: set[str]  # the files whose bytes changed since, each with its byte facts as they were


def replay_of(state: State | None, context: str, found: Discovery) -> Replay | None:
    """A round of linking asks for files as a function of the context (the file set, the project
    files, the configuration), every file's byte facts, the facts of the files it links and the
    bytes of the files it searches. When the edits since the last run changed only the bytes and
    facts of some files (``changed``), a round that neither linked nor searched any of them asks
    for what it asked for then. None when an edit changed more (the file set, byte facts)."""
    if state is None or state.context != context or not state.rounds:
        return None
    now = {sf.path: sf for sf in found.files + found.declarations + found.documents}
    if now.keys() != state.files.keys():
        return None
    changed = {path for path, sf in now.items() if sf.digest != state.files[path]}
    if any(now[path].bytefacts != state.bytefacts.get(path) for path in changed):
        return None
    return Replay(state.rounds, changed)


def lean(state: State, key: str, reported: Sequence[Finding]) -> State:
    """The state to store beside the result ``key``, whose findings are ``reported``: when the
    report kept every finding as analysed (nothing suppressed, hidden by the baseline or in test
    code, no column counted again), they are the analysis's findings sorted, and the result's graph
    is the analysis's: the state leaves both to the result (100,000 findings: 47 MB written and
    sealed once, not twice). Sorted findings report what the analysis's own order reports: the
    report only drops findings one by one (suppressions; a baseline, which can depend on the order,
    only when it hides some, and then the findings are not all kept), changes each alone
    (character columns) and sorts stably by ``sort_key``."""
    findings = state.analysis.findings
    if len(reported) != len(findings):
        return state
    ordered = sorted(findings, key=lambda f: f.sort_key)
    if any(a is not b for a, b in zip(reported, ordered, strict=True)):  # (a column counted again is a new Finding)
        return state
    return msgspec.structs.replace(state, in_result=key,
                                   analysis=msgspec.structs.replace(state.analysis, findings=[], graph=None))


def restored(state: State, key: str, findings: Sequence[Finding], graph: GraphView | None) -> State | None:
    """A state stored ``lean`` made whole again from the stored result ``key``'s findings and graph;
    None when that result is not the one stored with it."""
    if key != state.in_result:
        return None
    return msgspec.structs.replace(state, in_result="", analysis=msgspec.structs.replace(
        state.analysis, findings=list(findings), graph=graph))


def same_facts(a: FileFacts, b: FileFacts) -> bool:
    """Equal facts but for the file's size (nothing downstream reads it)."""
    return all(getattr(a, f) == getattr(b, f) for f in a.__struct_fields__ if f != "size")


def moved_lines(old: FileFacts, new: FileFacts) -> dict[int, int] | None:
    """When ``new`` is ``old`` with whole lines moved (lines inserted or removed between the things
    the facts record: a comment or blank line added above a handler, a line of comment deleted):
    old line -> new line for every line the facts name; None when the facts differ otherwise.

    The facts must be the same record for record but for their positions, and every position must
    keep its column and move with its line: one old line goes to one new line, and the lines keep
    their order. Linking and the rules only compare positions (before, after, the same) and never
    count lines, so the analysis of ``new`` is the analysis of ``old`` with the lines renumbered.
    Iterative: facts nest as deep as the code."""
    from ipclint.model.facts import Arm, FileFacts
    from ipclint.model.types import TypeFacts
    # the fields that keep lines outside a Span, and how
    special: dict[tuple[type, str], str] = {
        (FileFacts, "size"): "skip",  # (nothing downstream reads it)
        (FileFacts, "stopped_at"): "line",  # 1-based, 0 for none
        (FileFacts, "parse_errors"): "rows",  # (row, column, end row, end column), 0-based
        (FileFacts, "script_setup"): "same",  # a .vue file's `<script setup>` line ranges: not moved
        (Arm, "at"): "packed",  # `row << 32 | column`, 0-based
        (TypeFacts, "unchecked"): "set",  # 1-based lines
    }
    pairs: dict[int, int] = {}

    def line(a: int, b: int) -> bool:
        return pairs.setdefault(a, b) == b

    fields = [(getattr(old, f), getattr(new, f)) for f in old.__struct_fields__]
    if any(isinstance(x, (tuple, dict)) and len(x) != len(y) for x, y in fields):
        return None  # (a record more or less: no walk)
    stack: list[tuple[Any, Any]] = [(old, new)]
    while stack:
        a, b = stack.pop()
        ta = type(a)
        if ta is not type(b):
            return None
        if ta is Span:
            if a.column != b.column or a.end_column != b.end_column or not line(a.line, b.line) \
                    or not line(a.end_line, b.end_line):
                return None
        elif ta is tuple or ta is list:
            if len(a) != len(b):
                return None
            stack.extend(reversed(list(zip(a, b, strict=True))))
        elif ta is dict:
            if len(a) != len(b):
                return None
            stack.extend(zip(a, b, strict=True))  # (keys: spans in TypeFacts.casts; in the code's order)
            stack.extend(zip(a.values(), b.values(), strict=True))
        elif isinstance(a, msgspec.Struct):
            for f in reversed(a.__struct_fields__):  # (visited in order: imports and exports first)
                x, y = getattr(a, f), getattr(b, f)
                how = special.get((ta, f))
                if how is None:
                    if x is not y:
                        stack.append((x, y))
                elif not _moved_field(how, x, y, line):
                    return None
        elif a != b:
            return None
    order = sorted(pairs.items())
    if any(q1 >= q2 for (_p1, q1), (_p2, q2) in zip(order, order[1:])):  # noqa: B905
        return None  # (two lines swapped or joined: not a move)
    return pairs


def _moved_field(how: str, x: Any, y: Any, line: Callable[[int, int], bool]) -> bool:
    """Whether a field that keeps lines outside a Span (``how``: see ``moved_lines``) moved with
    its lines (``line`` records old -> new and says whether that agrees with the moves so far)."""
    if how == "skip":
        return True
    if how == "same":
        return bool(x == y)
    if how == "line":
        return x == y == 0 or bool(x and y and line(x, y))
    if how == "packed":
        return x & 0xFFFFFFFF == y & 0xFFFFFFFF and line((x >> 32) + 1, (y >> 32) + 1)
    if how == "rows":
        return len(x) == len(y) and all(c1 == d1 and c2 == d2 and line(r1 + 1, s1 + 1) and line(r2 + 1, s2 + 1)
                                        for (r1, c1, r2, c2), (s1, d1, s2, d2) in zip(x, y, strict=True))
    return len(x) == len(y) and all(map(line, sorted(x), sorted(y)))  # "set"


def renumbered(analysis: Analysis, moves: dict[str, dict[int, int]]) -> Analysis | None:
    """``analysis`` with the lines of the files in ``moves`` (path -> old line -> new line)
    renumbered: finding, related and trace locations, diagnostics, test-code spans, the graph and
    the locations named in messages (`first registered at src/ipc.ts:12`). None when it names a
    line of such a file that the map does not hold (then the analysis is made again)."""

    class Unmapped(Exception):
        pass

    def ln(path: str, n: int) -> int:
        lines = moves.get(path)
        if lines is None or n == 0:
            return n
        if n not in lines:
            raise Unmapped
        return lines[n]

    def span(path: str, s: Span) -> Span:
        return Span(ln(path, s.line), s.column, ln(path, s.end_line), s.end_column) if path in moves else s

    named = re.compile(r"(?<![\w./@-])(" + "|".join(re.escape(p) for p in sorted(moves, key=len, reverse=True))
                       + r"):(\d+)")

    def text(t: str) -> str:
        return named.sub(lambda m: f"{m[1]}:{ln(m[1], int(m[2]))}", t) if ":" in t else t

    def at(x: Any) -> Any:
        """A located record (Location, TraceStep, Via, GraphEdge, ...) renumbered."""
        changes: dict[str, Any] = {}
        if getattr(x, "path", None) in moves:
            if hasattr(x, "span"):
                changes["span"] = span(x.path, x.span)
            if hasattr(x, "line"):
                changes["line"] = ln(x.path, x.line)
        for f in ("message", "reason", "detail"):
            t = getattr(x, f, None)
            if isinstance(t, str) and text(t) != t:
                changes[f] = text(t)
        if getattr(x, "via", None):
            via = tuple(at(v) for v in x.via)
            if via != x.via:
                changes["via"] = via
        return msgspec.structs.replace(x, **changes) if changes else x

    def finding(f: Finding) -> Finding:
        f = at(f)
        return msgspec.structs.replace(f, related=tuple(at(r) for r in f.related),
                                       trace=tuple(at(t) for t in f.trace)) if f.related or f.trace else f

    try:
        graph = analysis.graph
        if graph is not None:
            graph = msgspec.structs.replace(
                graph, files=tuple(at(g) for g in graph.files), edges=tuple(at(e) for e in graph.edges),
                exposures=tuple(at(e) for e in graph.exposures),
                generic_paths=tuple(at(g) for g in graph.generic_paths))
        return msgspec.structs.replace(
            analysis, findings=[finding(f) for f in analysis.findings], errors=[at(d) for d in analysis.errors],
            tests={p: [span(p, s) for s in spans] for p, spans in analysis.tests.items()},
            roles=[at(r) for r in analysis.roles], graph=graph)
    except Unmapped:
        return None


def reusable(state: State | None, context: str, found: Discovery, cache: Cache,
             extract: Callable[[SourceFile], FileFacts | None]) -> State | None:
    """The state updated to the files as they are now, when the edits since it was made cannot
    change its analysis; else None. ``extract`` gives a file's facts (cached or extracted now)."""
    if state is None or state.context != context:
        return None
    now = {sf.path: sf for sf in found.files + found.declarations + found.documents}
    if now.keys() != state.files.keys():
        return None  # (the context names the file set too: only a hash collision gets here)
    changed = [sf for path, sf in now.items() if sf.digest != state.files[path]]
    read = set(state.read)
    parsed = dict(state.parsed)
    moves: dict[str, dict[int, int]] = {}
    for sf in changed:
        if sf.path in read or sf.bytefacts != state.bytefacts.get(sf.path):
            return None
        if sf.path in parsed:
            old = cache.get_facts(sf.path, parsed[sf.path])
            new = extract(sf) if old is not None else None
            if old is None or new is None:
                return None
            if not same_facts(old, new):
                lines = moved_lines(old, new)
                if lines is None:
                    return None
                moves[sf.path] = lines
            parsed[sf.path] = sf.digest
    analysis = renumbered(state.analysis, moves) if moves else state.analysis
    if analysis is None:
        return None
    files = {path: sf.digest for path, sf in now.items()}
    return State(context, files, state.bytefacts, parsed, state.read, analysis, state.rounds,
                 versions=state.versions)

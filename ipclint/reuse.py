"""After an edit: reuse the last run's analysis when the edit cannot change it.

A run's analysis (the stamped findings before suppressions, baseline and test code are taken out;
the diagnostics; the roles, the graph view, the test-code spans) is a function of its context
(tool, file set, project files, config, options: ``cache.context_key``), of every file's byte facts
(what selection and module resolution read), of the facts of the files it parsed, and of the bytes
of the few files that linking or a rule searched directly (``read``). An edited file that changes
none of those (its byte facts are the same, its facts are the same but for its size, no analysis read
its bytes: a comment or whitespace edit that moves no code, text appended at the end) leaves the
analysis as it was; only what the report takes from the file's bytes is redone (suppression
comments, character columns). Anything else is a full analysis, which still takes from the state
the rounds of linking that no edit can change (``replay_of``).

The state is a cache entry like the others: MessagePack decoded by msgspec into these types only,
sealed with the user's key (cache.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

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
    for sf in changed:
        if sf.path in read or sf.bytefacts != state.bytefacts.get(sf.path):
            return None
        if sf.path in parsed:
            old = cache.get_facts(sf.path, parsed[sf.path])
            new = extract(sf) if old is not None else None
            if old is None or new is None or not same_facts(old, new):
                return None
            parsed[sf.path] = sf.digest
    files = {path: sf.digest for path, sf in now.items()}
    return State(context, files, state.bytefacts, parsed, state.read, state.analysis, state.rounds,
                 versions=state.versions)

"""The pipeline: discover -> extract (cached, in parallel) -> link -> check -> stamp and filter."""
from __future__ import annotations

import functools
import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

import msgspec
from msgspec.structs import replace

from ipclint.cache import Cache, baseline_digest, context_key, encode_facts, result_key, seal
from ipclint.discover import Discovery, SourceFile, StatIndex, discover, find_root, is_project_root
from ipclint.model import Diagnostic, FileCounts, FileInfo, Finding, Location, RunResult, Span, TraceStep
from ipclint.model.paths import is_test_path
from ipclint.version import __version__

# A warm run (nothing changed) only discovers, loads the stored result and returns: extraction,
# linking and the rules are imported when a run needs them, not before.
if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ProcessPoolExecutor

    from ipclint.config import Config
    from ipclint.link import Resolution
    from ipclint.link.modules import ModuleMemo
    from ipclint.link.project import Project
    from ipclint.model.facts import FileFacts, FileFlows
    from ipclint.output.progress import Tick
    from ipclint.reuse import Analysis, Replay, Round, State
    from ipclint.rules._base import OptionsT, Rule

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# Extraction runs in worker processes for at least this many files and bytes (engine.Workers):
# forked workers start in about 10 ms, extraction runs at about 1 MB/s per core.
PARALLEL_THRESHOLD = 2
PARALLEL_MIN_BYTES = 48_000
# Parse and link; parse what linking found it needs (constants, wrapper callers, helpers) and link
# again, until nothing new is needed; then check once.
MAX_ROUNDS = 6


Extracted = tuple[str, bytes | None, str | None]  # (path, encoded facts or None, what went wrong)


def _extract_one(item: tuple[str, bytes, str | None, bytes]) -> Extracted:
    """Extract one file's facts and return them encoded (MessagePack); the worker also seals and
    stores them in the cache, so the facts are encoded once, in parallel, and decoded in the parent."""
    from ipclint.extract.extract import extract
    path, data, cache_file, key = item
    try:
        body = encode_facts(extract(path, data, lazy=True))
    except Exception as exc:
        return path, None, f"internal error while extracting facts: {exc!r}"
    if cache_file:
        Cache.write_entry(Path(cache_file), seal(key, body))
    return path, body, None


def json_modules(files: list[SourceFile]) -> frozenset[str]:
    """The file names of the JSON modules the sources import (`import CH from './ipc.json'`):
    linking reads them as data, so the stored result depends on them."""
    return frozenset(s.rsplit("/", 1)[-1] for sf in files if sf.bytefacts is not None
                     for s in sf.bytefacts.specifiers if s.endswith(".json"))


class Workers:
    """Worker processes of one run: started (forked, about 10 ms) by discovery when it has many
    files to examine, else by the first round with enough to extract; kept for the rounds after,
    closed at the end of the run."""

    def __init__(self, jobs: int | None) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> ProcessPoolExecutor:
        """The worker processes, started now if they are not: by discovery when it has many files to
        examine (they go on to extract; starting a second set cost the gap between discovery and
        extraction about 10-20 ms), else by the first round worth them."""
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor
            from importlib import import_module
            # Extraction imported before the workers fork: they inherit it instead of importing
            # it each (about 0.1 s), and a round extracted here (too little for the workers) finds it.
            import_module("ipclint.extract.extract")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=gc.disable)
        return self._pool

    def worth(self, items: list[tuple[str, bytes, str | None, bytes]]) -> bool:
        """Whether ``items`` are worth the workers: any, once they run (a process's first
        extraction sets up the parser and compiles the queries, about 8 ms, which running workers
        have done and this process may never need: a later round of one small file cost joplin
        that), else at least two files and enough bytes that the extraction saved (about 1 MB/s
        per core) pays for the start and the messages."""
        if self.jobs < 2 or not items:
            return False
        return self._pool is not None or (len(items) >= PARALLEL_THRESHOLD
                                          and sum(len(it[1]) for it in items) >= PARALLEL_MIN_BYTES)

    def map(self, items: list[tuple[str, bytes, str | None, bytes]], progress: Tick | None,
            meanwhile: Callable[[], None] | None, each: Callable[[Extracted], T]) -> list[T]:
        """``each`` of ``_extract_one`` over ``items``, the largest files first (a large file last
        would leave the other workers idle), in the order of ``items``. ``meanwhile`` runs here
        while the workers extract; ``each`` (decoding) as each result comes back, while the
        workers go on with the rest."""
        pool = self.start()
        order = sorted(range(len(items)), key=lambda i: -len(items[i][1]))
        chunk = max(1, min(8, len(items) // (self.jobs * 8)))
        results = pool.map(_extract_one, [items[i] for i in order], chunksize=chunk)
        if meanwhile is not None:
            meanwhile()
        at = {i: each(r) for i, r in zip(order, _tick(results, progress), strict=True)}
        return [at[i] for i in range(len(items))]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def extract_all(files: list[SourceFile], cache: Cache, workers: Workers, progress: Tick | None = None,
                meanwhile: Callable[[], None] | None = None) -> tuple[dict[str, FileFacts], list[Diagnostic]]:
    """The facts of ``files``: from the cache, else extracted (in ``workers`` when the files are
    worth them, else here). ``meanwhile``: work for this process while the workers extract."""
    facts: dict[str, FileFacts] = {}
    errors: list[Diagnostic] = []
    todo: list[SourceFile] = []
    if progress:
        progress(0, total=len(files))  # files done/total on the progress bar
    for sf in files:
        cached = cache.get_facts(sf.path, sf.digest)
        if cached is not None:
            facts[sf.path] = cached
            if progress:
                progress(1)
        else:
            todo.append(sf)
    writable = cache.prepare()
    items: list[tuple[str, bytes, str | None, bytes]] = []
    for sf in todo:
        target = cache.facts_file(sf.path, sf.digest) if writable else None
        if target is not None and not cache.shard_ready(target):
            target = None
        items.append((sf.path, sf.load(), str(target) if target is not None else None, cache.key))
    def decoded_facts(r: Extracted) -> tuple[str, FileFacts | None, str | None]:
        return r[0], cache.decode_facts(r[1]), r[2]

    if workers.worth(items):
        done = workers.map(items, progress, meanwhile, decoded_facts)
    else:
        done = [decoded_facts(r) for r in _tick(map(_extract_one, items), progress)]
    for path, decoded, err in done:
        if decoded is None:
            errors.append(Diagnostic(path, err or "could not analyse", "internal"))
            continue
        facts[path] = decoded
    return facts, errors


def _tick(results: Iterable[T], progress: Tick | None) -> Iterator[T]:
    for r in results:
        if progress:
            progress(1)
        yield r


# A record of a file (Location, Diagnostic, FileInfo, TraceStep): a Struct with a root-relative ``path``
LocatedT = TypeVar("LocatedT", Location, Diagnostic, FileInfo, TraceStep)


def _moved(prefix: str, path: str) -> str:
    return f"{prefix}/{path}" if prefix and prefix != "." else path


def _relocated(prefix: str, x: LocatedT) -> LocatedT:
    return replace(x, path=_moved(prefix, x.path))


def _check_each(targets: list[Path], roots: set[Path], check_one: Callable[[list[str]], RunResult], *,
                started: float) -> RunResult:
    """Several projects: analyse each at its own root (its own graph, config and cache) and report
    them together, paths relative to the folder that holds them all."""
    ordered = sorted(roots)
    common = Path(os.path.commonpath([str(r) for r in ordered]))
    parts = [(r.relative_to(common).as_posix(), check_one([str(t) for t in targets if find_root(t.resolve()) == r]))
             for r in ordered]
    return _merged(parts, common, started)


def _merged(parts: list[tuple[str, RunResult]], common: Path, started: float) -> RunResult:
    """The results of several projects as one, each one's paths prefixed with its folder."""
    from ipclint.link.graphview import merge_views
    findings: list[Finding] = []
    errors: list[Diagnostic] = []
    roles: list[FileInfo] = []
    skipped: list[tuple[str, str]] = []
    rules_run: set[str] = set()
    for prefix, res in parts:
        findings += [replace(f, path=_moved(prefix, f.path), related=tuple(_relocated(prefix, x) for x in f.related),
                             trace=tuple(_relocated(prefix, x) for x in f.trace)) for f in res.findings]
        errors += [_relocated(prefix, d) for d in res.errors]
        roles += [_relocated(prefix, i) for i in res.roles]
        skipped += [(_moved(prefix, p), why) for p, why in res.skipped]
        rules_run.update(res.rules_run)
    findings.sort(key=lambda f: f.sort_key)
    versions = sorted({v for _, res in parts for v in (res.electron_version or "").split(", ") if v})
    results = [res for _, res in parts]
    return RunResult(
        root=str(common), tool_version=__version__, electron_version=", ".join(versions) or None,
        findings=tuple(findings),
        files=FileCounts(sum(r.files.analysed for r in results), sum(r.files.skipped for r in results),
                         sum(r.files.with_parse_errors for r in results)),
        errors=tuple(sorted(errors, key=lambda d: (d.path, d.line, d.column, d.message))),
        elapsed=time.perf_counter() - started, roles=tuple(roles), skipped=tuple(skipped),
        rules_run=tuple(sorted(rules_run)), internal_error=any(r.internal_error for r in results),
        graph=merge_views([(prefix, res.graph) for prefix, res in parts if res.graph is not None], str(common)),
        hidden_by_baseline=sum(r.hidden_by_baseline for r in results),
        extra={"projects": [prefix for prefix, _ in parts]})


def without_gc(fn: Callable[P, R]) -> Callable[P, R]:
    """Pause the cyclic garbage collector: facts are millions of small acyclic tuples, and
    repeated full collections over them cost more than the analysis itself."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return run


@without_gc
def check(paths: list[str] | None = None, config: Config | None = None, *, select: str | Sequence[str] | None = None,
          ignore: str | Sequence[str] | None = None, jobs: int | None = None, cache_dir: str | Path | None = None,
          use_cache: bool = True, only_files: list[str] | None = None, progress: Tick | None = None,
          baseline: str | None = None, report_unused_suppressions: bool = False, config_file: str | None = None,
          need_project: bool = False) -> RunResult:
    """Analyse the project(s) at ``paths`` and return the run result (the CLI's and API's entry)."""
    started = time.perf_counter()
    targets = [Path(p) for p in (paths or ["."])]
    missing = [str(t) for t in targets if not t.exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {missing[0]}")
    roots = {find_root(t.resolve()) for t in targets}
    if len(roots) > 1 and not need_project:  # `ipclint check apps/a apps/b`: each project on its own
        # (called inside this one, whose collector pause covers them all)
        one = functools.partial(check, config=config, select=select, ignore=ignore, jobs=jobs, cache_dir=cache_dir,
                                use_cache=use_cache, only_files=only_files, progress=progress, baseline=baseline,
                                report_unused_suppressions=report_unused_suppressions, config_file=config_file)
        return _check_each(targets, roots, one, started=started)
    root = find_root(targets[0].resolve())
    if config is None:
        config = _load_config(root, config_file)
    explicit_files = [t.resolve() for t in targets if t.is_file()]
    if only_files is None and explicit_files:
        only_files = [p.relative_to(root).as_posix() for p in explicit_files if p.is_relative_to(root)]
    scan = [root] if explicit_files else [t.resolve() for t in targets]
    cache = Cache(cache_folder_for(root, use_cache, cache_dir))
    index = StatIndex(cache)
    # (the workers: started by discovery when it has many files to examine, kept for extraction)
    workers = Workers(jobs)
    found = discover(root, scan, exclude=list(config.exclude), index=index, jobs=jobs, pool=workers.start)
    context = key = None
    run = _Run(root, found, config, cache, only_files, baseline, report_unused_suppressions, started)
    if cache.folder is not None and not need_project:
        every = found.files + found.declarations + found.documents
        context = context_key(root, [sf.path for sf in every], found.skipped, found.errors, config,
                              (select, ignore, only_files, baseline_digest(baseline), report_unused_suppressions),
                              found.listed, json_modules(found.files))
        key = result_key(context, [(sf.path, sf.digest) for sf in every])
        stored = cache.load(RESULT_FILE, StoredResult)
        if stored is not None and stored.key == key:
            index.save()
            workers.close()
            return replace(stored.result, elapsed=time.perf_counter() - started,
                           extra={"cached": True, "parsed": 0})
        reused = _reuse(run, context, stored)
        if reused is not None:
            index.save()
            workers.close()
            return run.store(key, reused, {"reused": True, "parsed": run.extracted, "cache_hits": cache.hits})
    sources = _LazySources({sf.path: sf for sf in found.files + found.documents})
    errors = [Diagnostic(p, msg, kind) for p, kind, msg in found.errors]
    replay = None
    versions: dict[str, str | None] = {}
    if context is not None:
        from ipclint.reuse import replay_of, versions_of
        replay = replay_of(run.last, context, found)
        versions = versions_of(run.last, context)
    done = _link_until_stable(root, config, found, cache, workers, progress, sources, errors, replay, context,
                              versions)
    from ipclint.rules import ALL_RULES  # (imported while the first round was extracted: _import_analysis)
    rules = _selected(ALL_RULES, select if select is not None else config.select,
                      ignore if ignore is not None else config.ignore)
    project, facts = done.project, done.facts
    # The file set is decided: every selected rule runs once over the frozen project.
    project.freeze()
    findings, internal = run_rules(project, rules, config)
    errors += internal
    if context is not None and done.resolution is not None:  # (after the rules: they resolve too)
        memo = done.resolution.modules.memo(context)
        if memo is not None:
            cache.store(MODULES_FILE, memo)
    read = set(dict.keys(sources)) | done.replayed_read  # the files whose bytes linking and the rules searched
    index.save()
    every_facts = facts
    facts = {p: f for p, f in facts.items() if p not in project.declarations}  # .d.ts: read, not analysed
    errors += _file_diagnostics(facts)
    analysis = _analysis(found, project, facts, findings, errors, rules)
    extra: dict[str, Any] = {"project": project, "cache_hits": cache.hits, "parsed": len(every_facts),
                             "rounds_replayed": done.start}
    if context is None or key is None:
        return run.finish(analysis, sources, extra)
    from ipclint.reuse import state_of
    digests = {sf.path: sf.digest for sf in found.files + found.declarations + found.documents}
    state = state_of(context, found, {p: digests[p] for p in every_facts if p in digests}, read, analysis,
                     done.rounds, done.resolution.versions[0] if done.resolution is not None else {})
    return run.store(key, state, extra, sources)


class _Run:
    """What the report of one run needs besides the analysis: the files, the options, the cache."""

    def __init__(self, root: Path, found: Discovery, config: Config, cache: Cache, only_files: list[str] | None,
                 baseline: str | None, report_unused: bool, started: float) -> None:
        self.root, self.found, self.config, self.cache = root, found, config, cache
        self.only_files, self.baseline, self.report_unused, self.started = only_files, baseline, report_unused, started
        self.extracted = 0
        self.last: State | None = None  # the last run's state, as stored

    def finish(self, analysis: Analysis, sources: _LazySources, extra: dict[str, Any]) -> RunResult:
        """The report: suppressions, the baseline, test code and the named files taken out."""
        errors = list(analysis.errors)
        findings, hidden = _filter(list(analysis.findings), self.config, sources, errors, self.baseline,
                                   self.report_unused, set(analysis.rules_run))
        findings = _reported(findings, sources, self.only_files, analysis.tests)
        return _result(self.root, self.found, analysis, findings, errors, hidden, self.started, extra)

    def store(self, key: str, state: State, extra: dict[str, Any],
              sources: _LazySources | None = None) -> RunResult:
        """The report, kept with the state of its analysis for the next run (not when it failed)."""
        from ipclint.reuse import STATE_FILE, lean
        result = self.finish(state.analysis, sources or _LazySources(
            {sf.path: sf for sf in self.found.files + self.found.documents}), extra)
        if not result.internal_error:
            self.cache.store(RESULT_FILE, StoredResult(key, replace(result, extra={})))
            self.cache.store(STATE_FILE, lean(state, key, result.findings))
        return result


def _reuse(run: _Run, context: str, stored: StoredResult | None) -> State | None:
    """The last analysis, when no edit since can change it (reuse.py)."""
    from ipclint.reuse import STATE_FILE, State, restored, reusable

    def facts_of(sf: SourceFile) -> FileFacts | None:
        done, _errors = extract_all([sf], run.cache, Workers(1))  # (one file: extracted here)
        run.extracted += 1
        return done.get(sf.path)

    state = run.last = run.cache.load(STATE_FILE, State)
    if state is not None and state.in_result:  # (its findings and graph are the stored result's)
        state = restored(state, stored.key, stored.result.findings, stored.result.graph) if stored else None
    return reusable(state, context, run.found, run.cache, facts_of)


def _reported(findings: list[Finding], sources: _LazySources, only_files: list[str] | None,
              tests: dict[str, list[Span]]) -> list[Finding]:
    """What the report shows: columns in characters, no test code (test files, and the functions
    a Playwright test runs in the main process), only the named files, sorted."""
    paths = {f.path for f in findings}
    test_files = {p for p in paths if is_test_path(p)}  # (per file, not per finding)
    if test_files or any(p in tests for p in paths):
        findings = [f for f in findings if f.path not in test_files and not _inside(f, tests.get(f.path))]
        paths = {f.path for f in findings}
    lines: dict[str, list[bytes]] = {}  # the files that are not all ASCII (one scan per file, not per finding)
    for path in paths:
        data = sources.get(path) or b""
        if not data.isascii():
            lines[path] = data.split(b"\n")
    if lines:
        findings = [_character_columns(f, lines.get(f.path)) for f in findings]
    if only_files is not None:
        wanted = set(only_files)
        findings = [f for f in findings if f.path in wanted]
    findings.sort(key=lambda f: f.sort_key)
    return findings


def _inside(f: Finding, spans: list[Span] | None) -> bool:
    at = (f.span.line, f.span.column)
    return spans is not None and any((s.line, s.column) <= at <= (s.end_line, s.end_column) for s in spans)


class _Linked(msgspec.Struct):
    """The linked project, the facts it read, and the rounds that asked for more files."""

    project: Project
    facts: dict[str, FileFacts]
    rounds: list[Round]
    start: int = 0  # the first round linked: the requests of those before are the last run's
    replayed_read: set[str] = set()  # the files those rounds searched
    resolution: Resolution | None = None  # (its module resolution is kept for the next run)


def flows_of(sf: SourceFile, cache: Cache) -> FileFlows | None:
    """The flows of a file whose facts deferred them (``Project.flow``): from the cache, else the
    file extracted again with every flow analysed (and cached, like facts, by path and content)."""
    cached = cache.get_flows(sf.path, sf.digest)
    if cached is not None:
        return cached
    from ipclint.extract.extract import extract_flows
    try:
        made = extract_flows(sf.path, sf.load())
    except Exception:  # (extracting the file worked once: nothing reads a flow that is not there)
        return None
    cache.put_flows(sf.digest, made)
    return made


def _link_until_stable(root: Path, config: Config, found: Discovery, cache: Cache, workers: Workers,
                       progress: Tick | None, sources: _LazySources, errors: list[Diagnostic],
                       replay: Replay | None = None, context: str | None = None,
                       versions: dict[str, str | None] | None = None) -> _Linked:
    """Parse and link; parse what linking found it needs (constants, wrapper callers, helpers) and
    link again, until nothing new is needed. A failed link keeps the last good project.

    The rounds: S0 is the selected files; round i links Si and asks for Wi (files not parsed yet);
    S(i+1) is Si and then Wi, sorted. ``replay``: the last run's rounds. A round that neither links
    nor searches a file changed since asks for what it asked then (reuse.replay_of says on what a
    request depends), so the rounds before the first that does are not linked again: their files
    are loaded by the same calls in the same order as linking them would load them, their searches
    are recorded as made, and linking starts at that round. (Linking a set afresh answers what
    linking it after the earlier rounds answers: link.Resolution carries only what still holds.)
    An edit to a file that only a later round parses (a constants module, a helper) is linked in
    fewer rounds. ``workers``: the run's worker processes, closed here at the end. ``versions``: the
    Electron versions by folder that the last run of the same context found (``reuse.versions_of``)."""
    try:
        return _link_rounds(root, config, found, cache, progress, sources, errors, replay, workers, context,
                            versions)
    finally:
        workers.close()


def _link_rounds(root: Path, config: Config, found: Discovery, cache: Cache, progress: Tick | None,
                 sources: _LazySources, errors: list[Diagnostic], replay: Replay | None,
                 workers: Workers, context: str | None = None,
                 versions: dict[str, str | None] | None = None) -> _Linked:
    """``_link_until_stable``, with the workers of every round. ``context``: the run's context key
    (``cache.context_key``), when it has a cache: the last run of the same context left its module
    resolution (``_module_seed``) and its Electron versions (``versions``)."""
    from ipclint.discover.select import select_files
    from ipclint.reuse import Round
    chosen = select_files(found.files, root, found.listed)
    all_paths = {sf.path for sf in found.files}
    by_path = {sf.path: sf for sf in found.files}
    # what linking reads of a file's bytes goes through ``sources``, which remembers it (reuse.py)
    watched: dict[str, SourceFile] = {p: _ReadThrough(sf.path, sf.abspath, sf.digest, sf.bytefacts, None, sources)
                                      for p, sf in by_path.items()}
    specifiers = {sf.path: sf.bytefacts.specifiers for sf in found.files}
    declarations = {sf.path: sf for sf in found.declarations}
    global_declarers = {sf.path for sf in found.files + found.declarations if sf.bytefacts.declares_globals}
    facts: dict[str, FileFacts] = {}
    rounds: list[Round] = []
    meanwhile = _Once(_import_analysis)  # (while the workers extract the first files)
    if replay is not None:
        rounds = _replayed(replay, chosen, by_path | declarations, facts, cache, progress, workers, meanwhile)
        if rounds:
            chosen = []
    start = len(rounds)
    replayed_read = {path for r in rounds for path in r.read}
    project: Project | None = None
    resolution: Resolution | None = None
    for round_ in range(start, MAX_ROUNDS):
        searched = set(dict.keys(sources))
        more, extract_errors = extract_all([sf for sf in chosen if sf.path not in facts], cache, workers, progress,
                                           meanwhile)
        facts.update(more)
        errors += extract_errors
        meanwhile()
        from ipclint.link import Resolution, link
        from ipclint.link.needs import ByteImports, bare_global_users, wrapper_callers
        if resolution is None:
            # project files read and specifiers resolved once for all rounds (``_module_seed``: and for
            # every run of the same context)
            resolution = Resolution(root, all_paths, _module_seed(cache, context))
            resolution.documents = frozenset(sf.path for sf in found.documents)
            resolution.versions[0].update(versions or {})  # (joplin: its yarn.lock not searched again)
            imports = ByteImports(watched)  # (what the unparsed files import, for every round)
        try:
            project = link(root, facts, config, sources, all_paths, specifiers, set(declarations), global_declarers,
                           resolution, lambda path: flows_of(by_path[path], cache) if path in by_path else None)
        except Exception as exc:
            errors.append(_internal("linking the project", exc))
            break
        wanted = (project.missing | wrapper_callers(project, imports)) - set(facts)
        if round_ == 0:
            wanted |= bare_global_users(project, watched) - set(facts)
        if not wanted:
            break
        chosen = [by_path.get(p) or declarations[p] for p in sorted(wanted)]
        if round_ + 1 < MAX_ROUNDS:  # (a round that asked for files parsed next)
            rounds.append(Round(sorted(wanted), sorted(set(dict.keys(sources)) - searched - replayed_read)))
    if project is None:
        from ipclint.link import empty_project
        project = empty_project(root, config)
    return _Linked(project, facts, rounds, start, replayed_read, resolution)


def _module_seed(cache: Cache, context: str | None) -> ModuleMemo | None:
    """The module resolution of the last full analysis of the same context (``MODULES_FILE``), or
    None. Loaded once the first round's workers run, with linking imported by then
    (``_import_analysis``): `ipclint.link.modules` imports the whole link package, about 40 ms
    that would otherwise delay the start of extraction."""
    if context is None:
        return None
    from ipclint.link.modules import ModuleMemo
    seed = cache.load(MODULES_FILE, ModuleMemo)
    return seed if seed is not None and seed.context == context else None


def _import_analysis() -> None:
    """Import linking and the rules (about 50 ms): done while the workers extract the first files,
    which the process would otherwise only wait for."""
    import ipclint.link.needs
    import ipclint.rules  # noqa: F401


class _Once:
    """A step run by the first call only (later calls do nothing)."""

    def __init__(self, fn: Callable[[], None]) -> None:
        self.fn: Callable[[], None] | None = fn

    def __call__(self) -> None:
        fn, self.fn = self.fn, None
        if fn is not None:
            fn()


def _replayed(replay: Replay, first: list[SourceFile], files: dict[str, SourceFile], facts: dict[str, FileFacts],
              cache: Cache, progress: Tick | None, workers: Workers,
              meanwhile: Callable[[], None] | None = None) -> list[Round]:
    """The last run's rounds that neither link nor search a changed file, up to the first that
    does; their files and the files the last of them asked for loaded into ``facts``. Empty (and
    nothing loaded) when there is no such round or a file cannot be analysed."""
    batches = [[sf.path for sf in first]]  # S0, then what each round asked for
    taken: list[Round] = []
    for r in replay.rounds:
        if any(path in replay.changed for batch in [*batches, r.read] for path in batch):
            break  # (this round links or searches a changed file: linked again, as every round after it)
        if not all(path in files for path in r.asked):
            return []
        batches.append(r.asked)
        taken.append(r)
    if not taken:
        return []
    for batch in batches:
        more, extract_errors = extract_all([files[p] for p in batch if p not in facts], cache, workers, progress,
                                           meanwhile)
        if extract_errors:
            facts.clear()
            return []
        facts.update(more)
    return taken


def _file_diagnostics(facts: dict[str, FileFacts]) -> list[Diagnostic]:
    """Syntax errors (the first five of a file) and code nested too deep to analyse."""
    out: list[Diagnostic] = []
    for path, f in sorted(facts.items()):
        for (r1, c1, _r2, _c2) in f.parse_errors[:5]:
            out.append(Diagnostic(path, "syntax error; the rest of the file is still analysed", "parse",
                                  r1 + 1, c1 + 1))
        if f.too_deep:
            out.append(Diagnostic(path, "nesting too deep: the deepest code was not analysed", "depth"))
        if f.stopped_at:
            out.append(Diagnostic(path, "too much work: the analysis stopped here; the rest of the file was not "
                                        "analysed", "limit", f.stopped_at, 1))
    return out


def _analysis(found: Discovery, project: Project, facts: dict[str, FileFacts], findings: list[Finding],
              errors: list[Diagnostic], rules: tuple[Rule[Any], ...]) -> Analysis:
    """What the report needs of the project (reuse.py keeps it for the next run)."""
    from ipclint.link.graphview import build_graph_view
    from ipclint.link.roles import every_role
    from ipclint.link.testcode import test_spans
    from ipclint.reuse import Analysis
    skipped_cheap = [sf.path for sf in found.files if sf.path not in facts]
    return Analysis(findings=findings, errors=errors, tests=test_spans(project),
                    roles=list(every_role(project).values()), graph=build_graph_view(project),
                    versions=sorted({v for v in project.electron_versions.values() if v}),
                    analysed=len(facts) + len(skipped_cheap), rules_run=[r.code for r in rules])


def _result(root: Path, found: Discovery, analysis: Analysis, findings: list[Finding], errors: list[Diagnostic],
            hidden: int, started: float, extra: dict[str, Any]) -> RunResult:
    versions = analysis.versions
    parse_err_files = len({d.path for d in errors if d.kind in ("parse", "depth", "limit")})
    # a binary file is not analysed: it counts as skipped (its diagnostic says why)
    skipped = sorted(found.skipped + [(p, "binary file") for p, kind, _ in found.errors if kind == "binary"])
    return RunResult(
        root=str(root), tool_version=__version__, electron_version=versions[0] if len(versions) == 1 else (
            ", ".join(versions) if versions else None),
        findings=tuple(findings),
        files=FileCounts(analysed=analysis.analysed, skipped=len(skipped), with_parse_errors=parse_err_files),
        errors=tuple(sorted(errors, key=lambda d: (d.path, d.line, d.column, d.message))),
        elapsed=time.perf_counter() - started,
        roles=tuple(analysis.roles), skipped=tuple(skipped),
        rules_run=tuple(analysis.rules_run), internal_error=any(d.kind == "internal" for d in errors),
        graph=analysis.graph, hidden_by_baseline=hidden, extra=extra)


RESULT_FILE = "result.msgpack"
MODULES_FILE = "modules.msgpack"  # the last full analysis's module resolution (link.modules.ModuleMemo)


class StoredResult(msgspec.Struct, frozen=True):
    """The last run's result and the key of everything it depended on."""

    key: str
    result: RunResult


def cache_folder_for(root: Path, use_cache: bool, cache_dir: str | Path | None) -> Path | None:
    """The cache folder: --cache-dir, else `.ipclint_cache/` in the project root, but only when the
    root is a project (a folder with package.json, .ipclint.toml or .git): never litter a folder
    that holds no project."""
    if not use_cache:
        return None
    if cache_dir:
        return Path(cache_dir)
    return root / ".ipclint_cache" if is_project_root(root) else None


def _character_columns(f: Finding, lines: list[bytes] | None) -> Finding:
    """tree-sitter columns count UTF-8 bytes; reports count characters (SARIF unicodeCodePoints).
    ``lines``: the file's lines, None when it is all ASCII."""
    if lines is None:
        return f

    def col(line: int, c: int) -> int:
        raw = lines[line - 1] if 0 < line <= len(lines) else b""
        return len(raw[: c - 1].decode("utf-8", "replace")) + 1 if not raw.isascii() else c

    span = f.span
    fixed = type(span)(span.line, col(span.line, span.column), span.end_line, col(span.end_line, span.end_column))
    return replace(f, span=fixed) if fixed != span else f


class _ReadThrough(SourceFile):
    """A source file whose bytes are read through the run's sources."""

    sources: _LazySources | None = None

    def load(self) -> bytes:
        return self.sources[self.path] if self.sources is not None else SourceFile.load(self)


class _LazySources(dict[str, bytes]):
    """path -> decoded bytes, read only when asked (suppressions of files with findings)."""

    def __init__(self, files: dict[str, SourceFile]) -> None:
        super().__init__()
        self._files = files

    def __missing__(self, path: str) -> bytes:
        sf = self._files.get(path)
        data = sf.load() if sf is not None else b""
        self[path] = data
        return data

    @overload
    def get(self, path: str, default: None = None, /) -> bytes | None: ...

    @overload
    def get(self, path: str, default: bytes | T, /) -> bytes | T: ...

    def get(self, path: str, default: object = None, /) -> object:
        return self[path] if path in self._files or dict.__contains__(self, path) else default

    def candidates(self) -> list[str]:
        """Files that mention a suppression directive (for --report-unused-suppressions)."""
        return [p for p, sf in self._files.items() if b"ipclint-disable" in self[p]]


def _load_config(root: Path, config_file: str | None) -> Config:
    from ipclint.config import load_config
    return load_config(root, Path(config_file) if config_file else None)


def _selected(all_rules: Sequence[Rule[Any]], select: str | Sequence[str] | None,
              ignore: str | Sequence[str] | None) -> tuple[Rule[Any], ...]:
    if select is not None and not isinstance(select, str) and len(select) == 0:
        return ()
    if not select and not ignore:
        return tuple(all_rules)
    from ipclint.select import selected_rules
    return tuple(selected_rules(all_rules, _codes(select), _codes(ignore)))


def _codes(v: str | Sequence[str] | None) -> list[str] | None:
    if v is None:
        return None
    if isinstance(v, str):
        return [s.strip() for s in v.split(",") if s.strip()]
    return list(v)


def run_rules(project: Project, rules: Iterable[Rule[Any]],
              config: Config | None) -> tuple[list[Finding], list[Diagnostic]]:
    """Run each selected rule; a crash in one is an internal error and keeps the others' findings."""
    from ipclint.stamp import stamp_hits
    findings: list[Finding] = []
    errors: list[Diagnostic] = []
    for rule in rules:
        options = _rule_options(rule, config)
        try:
            hits = list(rule.run(project, options))
        except Exception as exc:
            errors.append(_internal(f"rule {rule.code} {rule.name}", exc))
            continue
        sev = config.severity_for(rule.code, rule.name, rule.severity) if config is not None else rule.severity
        findings.extend(stamp_hits(rule, sev, hits))
    return findings, errors


def _internal(where: str, exc: BaseException) -> Diagnostic:
    import traceback
    tb = traceback.extract_tb(exc.__traceback__)
    at = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
    return Diagnostic("", f"internal error in {where}: {exc!r}{at}", "internal")


def _rule_options(rule: Rule[OptionsT], config: Config | None) -> OptionsT:
    if config is None:
        return rule.options()
    try:
        return config.rule_options(rule)
    except Exception:
        return rule.options()


def _filter(findings: list[Finding], config: Config | None, sources: _LazySources,
            errors: list[Diagnostic], baseline: str | None, report_unused: bool,
            ran: set[str] | None = None) -> tuple[list[Finding], int]:
    if config is not None and config.per_file_ignores:  # (none configured: no question per finding)
        findings = [f for f in findings if not config.ignored_for(f.path, f.rule, f.name)]
    from ipclint.suppress import filter_suppressed
    findings, diags = filter_suppressed(findings, sources, report_unused=report_unused, ran=ran)
    errors.extend(diags)
    hidden = 0
    if baseline:
        from ipclint.baseline import filter_baseline, load_baseline
        before = len(findings)
        findings = filter_baseline(findings, load_baseline(Path(baseline)))
        hidden = before - len(findings)
    return list(findings), hidden

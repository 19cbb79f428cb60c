"""link(facts, settings) -> Project: roles, Electron versions, the channel graph."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ipclint.link.graph import build_graph, shared_to_renderer
from ipclint.link.modules import ModuleMemo, ModuleResolver, ReadJson, read_json_file
from ipclint.link.prefetch import prefetch
from ipclint.link.project import FileMemo, LinkConfig, Memo, Project, Resolved, ResolvedKey
from ipclint.link.roles import assign_roles, electron_apps, electron_versions, entry_apps, library_apps
from ipclint.link.subscriptions import vue_majors
from ipclint.link.testcode import test_functions
from ipclint.link.types import typed_channel_sites
from ipclint.model import FileInfo, Role
from ipclint.model.facts import FileFacts, FileFlows


def link(root: Path, files: dict[str, FileFacts], config: LinkConfig | None = None,
         sources: dict[str, bytes] | None = None, all_paths: set[str] | None = None,
         specifiers: dict[str, tuple[str, ...]] | None = None, declarations: set[str] | None = None,
         global_declarers: set[str] | None = None, resolution: Resolution | None = None,
         flow_source: Callable[[str], FileFlows | None] | None = None) -> Project:
    """``resolution``: the project files read and the module specifiers resolved so far, shared by
    the rounds of one run (what they answer depends only on the file set and those project files,
    never on the facts); a fresh one when not given. ``flow_source``: the flows of a file whose
    facts deferred them (``Project.flow``)."""
    declared = {p: f for p, f in files.items() if p in (declarations or ())}  # .d.ts: types only
    files = {p: f for p, f in files.items() if p not in declared}
    if resolution is None:
        resolution = Resolution(root, set(all_paths or files))
    read_json, modules = resolution.read_json, resolution.modules
    project = Project(root=root, files=files, modules=modules, config=config,
                      sources=sources if sources is not None else {},
                      all_paths=set(all_paths or files), specifiers=specifiers or {},
                      declarations=declared, declaration_paths=set(declarations or ()),
                      global_declarers=set(global_declarers or ()), file_memo=resolution.file_memo,
                      documents=resolution.documents, flow_source=flow_source)
    project.memo.resolved, project.memo.open_resolved = resolution.carried(files)
    project.electron_versions = electron_versions(root, files, read_json, resolution.versions)
    project.apps = electron_apps(files, read_json)
    project.vue_majors = vue_majors(files, read_json)
    project.roles = assign_roles(project, read_json)
    more = entry_apps(project, read_json)  # a package.json whose `main` is a main-process file
    if more:
        project.apps = electron_apps(files, read_json, more)
    folded = library_apps(project, read_json)  # a workspace package of one app is part of it
    if folded:
        project.apps = {p: folded.get(a, a) for p, a in project.apps.items()}
    project.test_funcs = test_functions(files, resolution.file_memo.test_funcs)
    project.graph = build_graph(project)
    # Page code that reaches the bridge only through an imported alias (`import { api } from
    # './bridge'` where bridge.ts exports window.api) shows itself by its bridge calls.
    late = sorted({e.path for e in project.graph.edges if e.receiver == "bridge" and project.role(e.path) == Role.SHARED
                   and project.roles[e.path].reason != "config [roles]"})
    if late:
        for path in late:
            project.roles[path] = FileInfo(path, Role.RENDERER, "calls the exposed API through an imported alias")
        shared_to_renderer(project.graph, set(late))  # (the same as building it again)
        old = project.memo  # (resolution does not depend on roles or the graph)
        project.memo = Memo()  # the analyses remembered so far saw the old graph
        project.memo.resolved, project.memo.open_resolved = old.resolved, old.open_resolved
    prefetch(project)
    project.typed_channels = typed_channel_sites(project)
    resolution.resolved, resolution.open = project.memo.resolved, project.memo.open_resolved
    return project


class Resolution:
    """The project files (package.json, tsconfig, lock files) as read, and module resolution over
    one file set: the same for every round of a run, so read and resolved once."""

    def __init__(self, root: Path, all_paths: set[str], seed: ModuleMemo | None = None) -> None:
        """``seed``: the module resolution of the last run with the same context (the caller
        checks the context)."""
        self.read_json: ReadJson = read_json_file(root)
        self.modules = ModuleResolver(set(all_paths), self.read_json)
        if seed is not None:
            self.modules.seed(seed)
        self.file_memo = FileMemo()
        # folder -> its Electron version, lock file -> its text (roles.electron_versions)
        self.versions: tuple[dict[str, str | None], dict[str, str | None]] = ({}, {})
        self.resolved: Resolved = {}  # the last round's value resolutions (``Memo.resolved``)
        self.open: list[ResolvedKey] = []  # those that reached or watched an unparsed file (``Memo.open_resolved``)
        self.documents: frozenset[str] = frozenset()  # page documents (Discovery.documents)

    def carried(self, files: dict[str, FileFacts]) -> tuple[Resolved, list[ResolvedKey]]:
        """The last round's resolutions that still hold, and those of them that reached or watched
        an unparsed file. A resolution reads the facts of the files it walks through (a file's
        facts never change between rounds: rounds only add files) and records every file it
        reached that was not parsed (``Project._need``) and every unparsed file whose facts could
        change its answer (``Project.watch``); it holds while none of those has been parsed
        since. So only the open ones are tested (about 3% of mattermost's 11,000 by its third
        round), and the others kept in place: the same dict, the same entries (the previous
        round's project, which shared it, is done with)."""
        none_parsed = files.keys().isdisjoint  # (none of these files parsed since)
        resolved, still = self.resolved, []
        for k in dict.fromkeys(self.open):
            e = resolved.get(k)
            if e is None:
                continue
            if none_parsed(e[2]) and none_parsed(e[4]):
                still.append(k)
            else:
                del resolved[k]
        return resolved, still


def empty_project(root: Path, config: LinkConfig | None = None) -> Project:
    """A project with no files (and an empty graph), for reporting when linking failed."""
    return Project(root=root, files={}, modules=ModuleResolver(set(), lambda _p: None), config=config,
                   sources={}, all_paths=set())

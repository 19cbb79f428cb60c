"""The linked project: facts of every file plus cross-file value resolution."""
from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ipclint.link.modules import BETTER_IPC, ELECTRON_MODULES, MAX_STEPS, ModuleResolver, Where
from ipclint.model import FileInfo, Role, Span
from ipclint.model.facts import Assign, Call, FileFacts, FileFlows, Flow, Func, Param, binding_scope
from ipclint.model.paths import is_test_path
from ipclint.model.types import AnyT, TFunc, TObj, TPrim, TRef, TSig, TUnion
from ipclint.model.values import (
    AnyV,
    Arr,
    Await,
    Bool,
    CallExpr,
    ClassV,
    Concat,
    Cond,
    Dyn,
    Electron,
    External,
    Fn,
    Global,
    Import,
    Index,
    Iter,
    Logic,
    Member,
    ModObj,
    Module,
    NewExpr,
    Null,
    Num,
    Obj,
    ParamRef,
    Prop,
    Ref,
    Spread,
    Str,
    This,
    Tpl,
    Undef,
    V,
    concat_parts,
    walk,
)

if TYPE_CHECKING:  # these modules import this one
    from ipclint.link.bridge import ExposedMember, Exposure
    from ipclint.link.calls import CallersMemo
    from ipclint.link.exposure import MemberKind
    from ipclint.link.graph import ChannelGraph, Edge
    from ipclint.link.handlers import Handler, JudgeState
    from ipclint.link.ipcops import IpcOp
    from ipclint.link.senders import FunctionIndex
    from ipclint.link.subscriptions import Cleanup
    from ipclint.link.teardown import TeardownMemo
    from ipclint.link.trust import Context
    from ipclint.link.windows import Window
    from ipclint.link.wrappers import WrapperOp

# (`global`: Node's name for the page's window in a preload or a page with node integration)
GLOBAL_OBJECTS = frozenset({"window", "globalThis", "self", "global"})
# Electron classes a declared type names, as the Electron value an instance resolves to (a
# WebFrameMain is reached as `webContents.mainFrame`); those that push to a renderer with `send`.
# Not BrowserWindow: `Electron("BrowserWindow")` is the class (`BrowserWindow.fromId`), and its
# instances' IPC (`win.webContents.send`) is recognised by name already.
ELECTRON_TYPES = {"WebContents": "webContents", "WebFrameMain": "webContents.mainFrame", "IpcMain": "ipcMain",
                  "IpcRenderer": "ipcRenderer"}
_SENDERS = frozenset({"webContents", "webContents.mainFrame"})
_NO_SPAN = Span(0, 0, 0, 0)
# a service registry's lookups and registrations by key (``Project._registered``)
_REGISTRY_GETS = frozenset({"get", "resolve"})
_REGISTRY_SETS = frozenset({"register", "set", "provide"})
# calls that take dependency-injection providers (Angular: ``Project.providers``), and what of their
# arguments can hold the providers' object literals
_PROVIDER_CALLS = frozenset({"bootstrapApplication", "bootstrapModule", "NgModule", "Component", "Directive",
                             "Injectable", "importProvidersFrom", "configureTestingModule", "createApplication"})
_PROVIDER_HOLDERS: frozenset[type[V]] = frozenset({Obj, Arr})
OBJ_INDEX_FROM = 16  # object literals with more entries have their entries indexed by key
# The values resolution steps through (the others denote themselves), as exact types: most values
# resolved end at one that does not step, and a set lookup is much cheaper than the failing
# isinstance tests of a match (msgspec's metaclass makes those slow).
_STEPPED = frozenset({Ref, Member, Import, Module, CallExpr, ParamRef, This, Await})
MAX_CALLERS = 16  # calls of a function whose arguments are followed (``Project.arguments_of``)
MAX_BASES = 8  # base classes ``Project._inherited_field`` climbs
MAX_RETURNING = 8  # calls resolution looks through, one inside another (``Project._through_call``)
# the names of Electron's IPC objects: a variable so named and set from an unknown call holds one
INJECTED_IPC = frozenset({"ipcMain", "ipcRenderer"})
_AWAITED = frozenset({Module, Import})  # `await import('x')`: the module
_MODULE_VALUES = frozenset({Module, ModObj, Electron, External})  # what a module resolves to

# resolutions: (path, id of the value, scope, consts_only) -> (the value, where, the modules the
# resolution found missing: recorded again on every hit while linking, the steps it took, the
# unparsed files whose parsing could change it without it asking for them: ``Project.watch``)
ResolvedKey = tuple[str, int, int | None, bool]
# where a name is bound (``model.facts.binding_scope``): (its scope, its value or None for a parameter), or None
BindingHit = tuple[int | None, AnyV | None] | None
_UNSEEN = object()  # (a memo's marker for a key not asked yet, where None is an answer)
ResolvedEntry = tuple[AnyV, Where, tuple[str, ...], int, tuple[str, ...]]
Resolved = dict[ResolvedKey, ResolvedEntry]
# (path, function id) -> the calls of it, and the calls that take it as argument (with the index)
# a value that may name an Electron API (its scope, the value), the unparsed files its resolution
# reached, and the API it names then (link/roles.py electron_names)
OpenName = tuple[int | None, AnyV, frozenset[str], str | None]
# per file, the calls whose callee chain may reach the bridge whatever is exposed; those that take
# members of a name, by that name; those that start at an imported name, with its source
# (link/graph.py _callee_roots)
CalleeRoots = tuple[list[int], dict[str, list[int]], list[tuple[int, str]], list[tuple[int, str]]]
# per file, the `preload` option values of its objects and assignments, with their scope; and the
# `webPreferences` values of the objects in its calls' arguments and bindings, with the object's
# span and its scope (link/roles.py option_values)
OptionValues = tuple[list[tuple[AnyV, int | None]], list[tuple[Span, AnyV, int | None]]]


class LinkConfig(Protocol):
    """What linking reads of the configuration (``ipclint.config.Config``, a layer above link)."""

    @property
    def roles(self) -> Mapping[str, Sequence[str]]: ...  # role name -> path globs


@dataclass
class Memo:
    """What the analyses of one linked project remember, owned by that project (and gone with it)."""

    # service-registry key -> the calls registering a value under it: ``Project._registered``
    registrations: dict[str, list[tuple[str, Call]]] | None = None
    # dependency-injection providers: (the token class's file, its name) -> what they give (``Project.providers``)
    providers: dict[tuple[str, str], list[Where]] | None = None
    importers: dict[str, set[str]] | None = None  # link/roles.py importers, for link/params.py
    handlers: list[Handler] | None = None
    wrapper_handlers: list[Handler] | None = None
    # id of a call -> (the call, the project function it calls): link/wrappers.py callee_function
    callee_functions: dict[int, tuple[Call, tuple[str, int] | None]] = field(default_factory=dict)
    judges: dict[frozenset[str], JudgeState] = field(default_factory=dict)  # link/handlers.py shared_judge
    # (importer, specifier, name, span of the import) -> the JSON module's data as a value (json_value)
    json_values: dict[tuple[str, str, str, Span], AnyV] = field(default_factory=dict)
    callers: CallersMemo | None = None  # link/calls.py
    mentioned: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    reachable: set[str] | None = None  # files main's entries load (link/runorder.py)
    trust: list[Context] | None = None  # link/trust.py
    windows: list[Window] | None = None
    edges_by_channel: dict[str | None, list[Edge]] | None = None  # of the frozen project's graph
    # the functions holding each file's direct IPC calls, for the ``Project.ipc_ops`` they were read from
    ipc_funcs: tuple[object, dict[str, set[int | None]]] | None = None
    resolved: Resolved = field(default_factory=dict)  # resolutions (see ``Resolved``)
    # the keys of those that reached or watched an unparsed file, the ones a later round tests (``Resolution.carried``)
    open_resolved: list[ResolvedKey] = field(default_factory=list)
    # link/subscriptions.py: path -> span of a call -> the names that keep its result; what
    # cleanup functions remove, per (path, the functions), for the exposures by key it was read with
    holders: dict[str, dict[Span, set[str]]] = field(default_factory=dict)
    # the guard helpers whose allowlists are being read, innermost last (link/exposure.py
    # ``_helper_allows``: helpers that call helpers are read two levels deep)
    helpers_read: list[tuple[str, int]] = field(default_factory=list)
    # name -> the classic scripts (no import or export) that bind it at their top level: page globals
    script_globals: dict[str, list[str]] | None = None
    # name -> the parsed files that assign it as a property of the global object (`window.ipc = ...`)
    written_globals: dict[str, list[str]] | None = None
    # (writing file, name) -> the one ipcRenderer its global writes give, if they do (``Project._written_elsewhere``)
    written_hits: dict[tuple[str, str], Where | None] = field(default_factory=dict)
    # classic script -> the .html pages whose `<script src>` tags load it (``Project._script_pages``)
    script_pages: dict[str, frozenset[str]] | None = None
    cleanups: tuple[object, dict[tuple[str, tuple[int, ...]], Cleanup]] | None = None
    teardown: TeardownMemo | None = None  # link/teardown.py
    members: list[tuple[Exposure, ExposedMember, MemberKind]] | None = None  # link/exposure.py members
    instances: dict[tuple[str, str], Where] = field(default_factory=dict)  # ``Project._instance``
    # interface name -> the parsed classes that implement it (path, class): ``Project._implementation``
    implementers: dict[str, list[tuple[str, str]]] | None = None
    # (declaring file, interface or type alias) -> the functions whose declared return type names it
    # and that return an object literal (path, function id): ``Project._factory_object``
    factories: dict[tuple[str, str], list[tuple[str, int]]] | None = None
    # method name -> the project's class methods of that name (path, function id): ``Project._accessor``
    methods_by_name: dict[str, list[tuple[str, int]]] | None = None
    # (path, class, static method) -> the instance its call returns: ``Project._singleton``
    singletons: dict[tuple[str, str, str], Where | None] = field(default_factory=dict)
    # path -> the texts a `new BrowserWindow(...)` is assigned to in it (link/ipcops.py _browser_window)
    browser_windows: dict[str, frozenset[str]] = field(default_factory=dict)
    # (path, span of an object literal) -> the members its file adds to it after (link/bridge.py _follow)
    written_props: dict[tuple[str, Span], dict[str, Where]] = field(default_factory=dict)


@dataclass
class FileMemo:
    """What is derived from one file's facts alone (with module resolution, which depends only on
    the file set): the same in every round of a run, so derived once per file, not per round; or
    from the facts of the files it reached, kept with the unparsed files it reached."""

    # path -> the discovered files its imports and requires name, in order (parsed or not)
    import_targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # path -> the `require` calls of a loop over a constant table of modules, with the table's
    # specifiers (link/roles.py loop_requires)
    loop_requires: dict[str, list[tuple[Call, list[str]]]] = field(default_factory=dict)
    # path -> the names it binds to an IPC method read off an object (`const { invoke } = ipcRenderer`)
    unbound_names: dict[str, frozenset[str]] = field(default_factory=dict)
    # path -> the names its code uses as values, not only calls (link/graph.py ``_referenced``)
    value_names: dict[str, frozenset[str]] = field(default_factory=dict)
    # path -> the files its import specifiers found by byte search name (a file not parsed)
    specifier_targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    option_values: dict[str, OptionValues] = field(default_factory=dict)  # link/roles.py option_values
    # path -> the Electron APIs named by its values whose resolution reached no unparsed file, and
    # the values whose resolution did, each with those files and its answer (which holds while none
    # of them is parsed): link/roles.py electron_names
    electron_names: dict[str, tuple[frozenset[str], tuple[OpenName, ...]]] = field(default_factory=dict)
    test_funcs: dict[str, frozenset[int]] = field(default_factory=dict)  # link/testcode.py test_functions
    stems: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)  # link/roles.py _stems (per path)
    # path -> whether it hosts a <webview>, the unbound names its calls take methods of: link/roles.py _infer
    page_evidence: dict[str, tuple[bool, frozenset[str], frozenset[str]]] = field(default_factory=dict)
    bound_names: dict[str, frozenset[str]] = field(default_factory=dict)  # path -> names bound or parameters
    # path -> (scope, name) -> ``binding_scope`` of the file's facts (``Project.binding_at``)
    binding_scopes: dict[str, dict[tuple[int | None, str], BindingHit]] = field(default_factory=dict)
    new_calls: dict[str, list[int]] = field(default_factory=dict)  # path -> its `new` calls: link/windows.py
    # path -> its calls of a computed method (`ipcMain[m](...)`): link/wrappers.py direct_ops
    computed_calls: dict[str, list[int]] = field(default_factory=dict)
    callee_roots: dict[str, CalleeRoots] = field(default_factory=dict)  # link/graph.py _callee_roots
    # path -> name -> the indexes of its calls that can call by that name (``Project.calls_named``)
    callee_names: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # path -> its functions' flows by function id, for a file whose facts deferred them
    # (``Project.flow``; a file's facts are the same in every round of a run)
    flows: dict[str, dict[int, Flow]] = field(default_factory=dict)
    callee_paths: dict[str, set[str]] = field(default_factory=dict)  # name -> the files with calls by it
    # path -> its `new table[key](...)` calls (a class picked from a table): ``params.method_calls``
    new_picked: dict[str, list[Call]] = field(default_factory=dict)
    importers: ImportGraph | None = None  # link/roles.py _importers, kept for the rounds after
    # name -> the .html pages whose inline classic scripts make it ipcRenderer (``Project.page_global``):
    # from the documents' bytes alone, the same in every round
    page_globals: dict[str, list[str]] | None = None
    exported_fns: dict[str, dict[int, frozenset[str]]] = field(default_factory=dict)  # link/params.py
    importing_names: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)  # link/params.py
    tests: dict[str, bool] = field(default_factory=dict)  # path -> whether it is test code (``Project.is_test``)
    # (path, scope, name) -> the enclosing function's parameter a name plainly is, when it is one
    # (function id, parameter index, is rest): link/wrappers.py ``_param_index``
    param_indexes: dict[tuple[str, int | None, str], tuple[int, int, bool] | None] = field(default_factory=dict)
    arg_refs: ArgRefs = field(default_factory=lambda: ArgRefs({}, {}))  # link/wrappers.py ``passed_wrappers``
    # path -> span -> the (call index, argument index) of the file's call arguments written there:
    # link/types.py ``typed_channel_sites``
    arg_spans: dict[str, dict[Span, list[tuple[int, int]]]] = field(default_factory=dict)
    # The indexes of a file's records that the analyses of every round read (from its facts alone):
    # path -> span -> its call (``Project.call_at``), its assignment (``Project.assign_at``)
    calls_by_span: dict[str, dict[Span, Call]] = field(default_factory=dict)
    assigns_by_span: dict[str, dict[Span, Assign]] = field(default_factory=dict)
    assigns_to: dict[str, dict[str, list[Assign]]] = field(default_factory=dict)  # path -> name -> `name = v`
    # path -> name -> the file's assignments `window.name = v` (`global.`, `globalThis.`, `self.`):
    # ``Project._global_written``
    global_writes: dict[str, dict[str, list[Assign]]] = field(default_factory=dict)
    # path -> id of an object literal bound to a name -> (it, its top-level keys some assignment of
    # the file writes: `O.k = v`, `O.k.x = v`, through an alias `let a = O[m]; a[n] = v`; "*": computed)
    written_keys: dict[str, dict[int, tuple[Obj, set[str]]]] = field(default_factory=dict)
    # path -> id of an object literal bound to a name -> (it, key -> the file's assignments `O.key =
    # v` of a key it lacks): ``Project._added_member``
    added_members: dict[str, dict[int, tuple[Obj, dict[str, list[Assign]]]]] = field(default_factory=dict)
    by_function: dict[str, FunctionIndex] = field(default_factory=dict)  # link/senders.py
    calls_in: dict[str, dict[int | None, list[Call]]] = field(default_factory=dict)  # path -> function -> calls
    # link/subscriptions.py: path -> (enclosing function, method name) -> the methods of that name there
    methods_at: dict[str, dict[tuple[int | None, str], list[int]]] = field(default_factory=dict)
    # path -> scope -> the positions of its assignments in the file's, and of its bindings in the file's
    assigns_in: dict[str, dict[int | None, list[int]]] = field(default_factory=dict)
    bindings_in: dict[str, tuple[list[tuple[str, AnyV]], dict[int | None, list[int]]]] = field(default_factory=dict)
    # id of a large object literal -> (it, its last value per key): ``Project._obj_member``
    obj_props: dict[int, tuple[Obj, dict[str | None, AnyV]]] = field(default_factory=dict)
    class_of: dict[str, dict[int, str | None]] = field(default_factory=dict)  # ``Project._class_of``
    # path -> function id -> the object literal bound to a name that has it as a method: ``Project._literal_this``
    literal_this: dict[str, dict[int, Where]] = field(default_factory=dict)
    calls_by_name: dict[str, dict[str, list[Call]]] = field(default_factory=dict)  # ``Project._calls_named``
    this_assigns: dict[str, dict[str, list[Assign]]] = field(default_factory=dict)  # ``Project._this_field``
    static_assigns: dict[str, dict[tuple[str, str], list[Assign]]] = field(default_factory=dict)  # ``_static_field``
    # path -> the string constants its values write, and its members of imported names: link/calls.py
    # ``mentioned_strings``
    written_strings: dict[str, tuple[frozenset[str], tuple[Member, ...]]] = field(default_factory=dict)


@dataclass
class ArgRefs:
    """Name -> the calls (path, call, argument index) that pass it as an argument, in file (path)
    order, over the files indexed so far: brought up to date with the files parsed since the last
    round (rounds only add files), not rebuilt (``wrappers.passed_wrappers``)."""

    indexed: dict[str, FileFacts]  # the files indexed, with the facts they were indexed from
    by_name: dict[str, list[tuple[str, Call, int]]]


@dataclass
class ImportGraph:
    """File -> the non-test files that import it, over every discovered file, as linked last
    (roles._importers); updated for the files parsed since (rounds only add files), not rebuilt."""

    parsed: set[str]  # the files parsed when it was last brought up to date
    of: dict[str, set[str]]  # file -> its importers
    # file -> the parsed non-test files whose imports name it (parsed or not): their edge to it
    # counts once it is parsed
    named_by: dict[str, set[str]]


def _of_class(v: AnyV, name: str) -> bool:
    """`WM` or `this` (in a static method: the class itself)."""
    return type(v) is This or (type(v) is Ref and v.name == name)


def _no_graph() -> ChannelGraph:
    from ipclint.link.graph import ChannelGraph  # graph.py imports this module
    return ChannelGraph()


# Spread objects followed at once for one member (`{ ...a }` of `{ ...b }` ...): deeper is unknown
MAX_SPREADS = 16

def _one_electron(found: Iterable[Where]) -> Where | None:
    """The one Electron object (by its API), or the one loader global (`window`, `require`), that
    every candidate gives, leaving out null, undefined and false ones; None when one gives
    something else or two give different objects.
    Lazy: stops resolving at the first that disagrees."""
    one: Where | None = None
    api: str | None = None
    for r in found:
        x = r.value
        if type(x) is Undef or type(x) is Null or (type(x) is Bool and not x.value):
            continue
        if type(x) is Global and x.name in _LOADER_GLOBALS:  # `inWorker ? undefined : window`
            name = f"global:{x.name}"
        elif type(x) is Electron:
            name = x.api
        else:
            return None
        if api is not None and name != api:
            return None
        one, api = r, name
    return one


# Globals a page reaches Electron through (with node integration): a choice that gives one of
# them (`const w = inWorker ? undefined : window`, `w && w.require`) is that global
_LOADER_GLOBALS = frozenset({"window", "globalThis", "require"})


# Values that are surely not an Electron object: a caller passing one disputes a parameter's
# Electron type annotation (``Project._param_disputed``)
_NOT_ELECTRON = (NewExpr, Obj, Arr, Str, Num, Bool, Fn, ClassV, Tpl, Concat)


def _flows_by_fid(f: FileFacts, got: FileFlows) -> dict[int, Flow]:
    """``got``'s flows by the ids of ``f``'s functions: the same ids when both extractions made
    the same functions in the same order, else matched by span."""
    spans = tuple(fn.span for fn in f.functions)
    if got.spans == spans:
        return dict(got.flows)
    fid_at = {sp: i for i, sp in enumerate(spans)}
    renumber = {fid: at for fid, sp in enumerate(got.spans) if (at := fid_at.get(sp)) is not None}
    out: dict[int, Flow] = {}
    for fid, flow in got.flows.items():
        at = renumber.get(fid)
        if at is not None:
            out[at] = _renumbered(flow, renumber)
    return out


def _renumbered(flow: Flow, renumber: dict[int, int]) -> Flow:
    """``flow`` with the functions its values name (`Fn` in a site's value) numbered as ``renumber``
    says: the ids of the extraction that made it, mapped to those of the facts linking holds."""
    import msgspec
    raw = msgspec.json.decode(msgspec.json.encode(flow))  # (plain lists, to rewrite in place)
    todo: list[object] = [raw]
    changed = False
    while todo:
        x = todo.pop()
        if isinstance(x, list):
            if len(x) == _FN_LEN and x[0] == "fn" and type(x[_FN_AT]) is int:
                new = renumber.get(x[_FN_AT], x[_FN_AT])
                changed |= new != x[_FN_AT]
                x[_FN_AT] = new
                continue
            todo.extend(x)
    return msgspec.convert(raw, Flow) if changed else flow


def _fn_shape() -> tuple[int, int]:
    """Where an `Fn` value's id sits in its encoded form, and its length."""
    import msgspec
    encoded = msgspec.json.decode(msgspec.json.encode(Fn(span=Span(0, 0, 0, 0), text="", fid=-7)))
    return encoded.index(-7), len(encoded)


_FN_AT, _FN_LEN = _fn_shape()


@dataclass
class Project:
    root: Path
    files: dict[str, FileFacts]
    modules: ModuleResolver
    roles: dict[str, FileInfo] = field(default_factory=dict)
    electron_versions: dict[str, str | None] = field(default_factory=dict)  # path -> version
    apps: dict[str, str] = field(default_factory=dict)  # path -> folder of its electron app ("" = root or none)
    config: LinkConfig | None = None
    graph: ChannelGraph = field(default_factory=_no_graph)  # built by link()
    wrappers: dict[tuple[str, int], list[WrapperOp]] = field(default_factory=dict)
    # (path, function id, parameter name) -> the app wrapper that parameter receives (link/wrappers.py)
    wrapper_params: dict[tuple[str, int, str], tuple[str, int]] = field(default_factory=dict)
    ipc_ops: dict[tuple[str, int], IpcOp] = field(default_factory=dict)  # direct Electron IPC calls
    exposures: list[Exposure] = field(default_factory=list)
    sources: dict[str, bytes] = field(default_factory=dict, repr=False)
    # the calls and functions ``_through_call`` is looking through (cycles; a bound on chains)
    _returning: set[tuple[str, int, int, int]] = field(default_factory=set, repr=False)
    # the parameters and late-assigned bindings being resolved (kind, path, scope, name)
    _param_busy: set[tuple[str, str, int | None, str]] = field(default_factory=set, repr=False)
    _needed: list[str] = field(default_factory=list, repr=False)  # modules ``_need`` was asked for, while resolving
    _watched: list[str] = field(default_factory=list, repr=False)  # files ``watch`` was told of, while resolving
    _resolving: int = field(default=0, repr=False)  # resolutions under way
    _steps: int = field(default=0, repr=False)  # the steps the last finished ``_resolve`` took
    _filling: bool = field(default=False, repr=False)  # resolving a bound value for ``_resolve`` to continue from
    # (path, function, parameter) whose known calls pass something else than one Electron object:
    # its declared type does not outweigh them (``_param_type``)
    _param_disputed: set[tuple[str, int, str]] = field(default_factory=set, repr=False)
    _choice_busy: set[tuple[str, int]] = field(default_factory=set, repr=False)  # (``_electron_choice``)
    _spreading: set[tuple[str, int]] = field(default_factory=set, repr=False)  # objects whose spreads are followed
    all_paths: set[str] = field(default_factory=set, repr=False)
    # page documents (.html, .svelte): never parsed, searched for quoted channel names (calls.py)
    documents: frozenset[str] = field(default=frozenset(), repr=False)
    # import specifiers of every discovered file, found by byte search (for files not parsed)
    specifiers: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    missing: set[str] = field(default_factory=set)  # discovered, not parsed, but resolution needed them
    # discovered, not parsed, and resolution would answer otherwise if they were (not asked for)
    watched: set[str] = field(default_factory=set)
    # TypeScript declaration files (.d.ts, types only: never sources), the discovered ones, and the
    # files that declare global types (`declare global`, `interface Window`): link/types.py
    declarations: dict[str, FileFacts] = field(default_factory=dict, repr=False)
    declaration_paths: set[str] = field(default_factory=set, repr=False)
    global_declarers: set[str] = field(default_factory=set, repr=False)
    # inline channel literals at typed-channel call sites (path, span of the literal): IPC003
    typed_channels: frozenset[tuple[str, Span]] = frozenset()
    # Once linking is done the project is frozen: what the rules resolve asks for nothing more.
    frozen: bool = False
    memo: Memo = field(default_factory=lambda: Memo(), repr=False)
    file_memo: FileMemo = field(default_factory=FileMemo, repr=False)  # shared by the rounds of a run
    # Playwright `evaluate` callbacks (and what is nested in them) per file: test code (link/testcode.py)
    test_funcs: dict[str, frozenset[int]] = field(default_factory=dict)
    vue_majors: dict[str, int] = field(default_factory=dict)  # path -> Vue major version (its package.json)
    # path -> the flows of a file whose facts deferred them (the engine extracts it again: ``flow``)
    flow_source: Callable[[str], FileFlows | None] | None = field(default=None, repr=False)

    # ---- lookups -------------------------------------------------------------------------
    @contextmanager
    def no_missing(self) -> Iterator[None]:
        """Resolve without asking for unparsed modules (for questions whose answer could only be
        in files that are parsed anyway)."""
        before = self.missing
        self.missing = set(before)  # (a copy: whoever holds the set from before sees nothing asked here)
        try:
            yield
        finally:
            self.missing = before

    def freeze(self) -> None:
        """Linking is done: from now on resolution records no missing modules."""
        self.frozen = True

    def _need(self, path: str) -> None:
        if self._resolving:
            self._needed.append(path)
        if not self.frozen:
            self.missing.add(path)

    def watch(self, path: str) -> None:
        """A file not parsed that the resolution under way depends on without needing it: the
        importers of a module whose exported function's parameter is resolved from its callers
        (link/params.py). The resolution holds while it is not parsed (``Resolution.carried``)."""
        if self._resolving:
            self._watched.append(path)
        if not self.frozen:
            self.watched.add(path)

    def call_at(self, path: str, span: Span) -> Call | None:
        """The call of ``path`` at ``span`` (the flow analysis names calls by span)."""
        index = self.file_memo.calls_by_span.get(path)
        if index is None:
            index = self.file_memo.calls_by_span[path] = {c.span: c for c in self.files[path].calls}
        return index.get(span)

    def assign_at(self, path: str, span: Span) -> Assign | None:
        """The assignment of ``path`` at ``span`` (the flow analysis names property writes by span)."""
        index = self.file_memo.assigns_by_span.get(path)
        if index is None:
            index = self.file_memo.assigns_by_span[path] = {a.span: a for a in self.files[path].assigns}
        return index.get(span)

    def role(self, path: str) -> Role:
        info = self.roles.get(path)
        return info.role if info else Role.SHARED

    def is_test(self, path: str) -> bool:
        """``is_test_path``, once a run per path: linking and the rules ask it of every discovered
        file in several loops of every round (joplin: 25,000 questions about 2,250 paths)."""
        hit = self.file_memo.tests.get(path)
        if hit is None:
            hit = self.file_memo.tests[path] = is_test_path(path)
        return hit

    def flow(self, path: str, fid: int) -> Flow | None:
        """Where the parameters of function ``fid`` of ``path`` go (``Func.flow``): None for a
        function not analysed (page or test code, no parameters, an inline callback). A file
        whose facts deferred its flows (``FileFacts.flows_deferred``) has them made once, when
        one is first asked for, by ``flow_source``."""
        f = self.files.get(path)
        if f is None or not 0 <= fid < len(f.functions):
            return None
        if not f.flows_deferred:
            return f.functions[fid].flow
        flows = self.file_memo.flows.get(path)
        if flows is None:
            got = self.flow_source(path) if self.flow_source is not None else None
            flows = self.file_memo.flows[path] = _flows_by_fid(f, got) if got is not None else {}
        return flows.get(fid)

    def func(self, path: str, fid: int | None) -> Func | None:
        if fid is None:
            return None
        f = self.files.get(path)
        return f.functions[fid] if f is not None and 0 <= fid < len(f.functions) else None

    def electron_version(self, path: str) -> str | None:
        return self.electron_versions.get(path)

    def same_app(self, a: str, b: str) -> bool:
        """Two files can talk over IPC: the same app of a monorepo (the nearest package.json that
        depends on electron), or either outside every app folder (shared code, the root app)."""
        x, y = self.apps.get(a, ""), self.apps.get(b, "")
        return x == y or not x or not y

    def param_of(self, path: str, scope: int | None, name: str) -> tuple[int, Param] | None:
        """The parameter named ``name`` visible from ``scope`` (innermost function first)."""
        hit = self.binding_at(path, scope, name)  # (None, or a binding that shadows any parameter: no parameter)
        if hit is None or hit[1] is not None or hit[0] is None:
            return None
        fid = hit[0]
        return next((fid, p) for p in self.files[path].functions[fid].params if p.name == name)

    def binding_at(self, path: str, scope: int | None, name: str) -> BindingHit:
        """``binding_scope`` of a parsed file, once a run per (scope, name): resolution and the
        parameter questions look the same names up from the same functions again and again
        (mattermost's first link round: 7,700 look-ups of 3,700 (scope, name)s), each a walk up
        the enclosing functions and their parameters; the facts are the same in every round."""
        memo = self.file_memo.binding_scopes.get(path)
        if memo is None:
            memo = self.file_memo.binding_scopes[path] = {}
        key = (scope, name)
        hit = memo.get(key, _UNSEEN)
        if hit is _UNSEEN:
            hit = memo[key] = binding_scope(self.files[path], scope, name)
        return hit  # type: ignore[return-value]

    def calls_in(self, path: str, fid: int | None) -> list[Call]:
        """The calls whose enclosing function is ``fid`` (None: top level), in file order."""
        index = self.file_memo.calls_in.get(path)
        if index is None:
            index = self.file_memo.calls_in[path] = {}
            for c in self.files[path].calls:
                index.setdefault(c.func, []).append(c)
        return index.get(fid, [])

    def calls_under(self, path: str, fid: int) -> list[Call]:
        """The calls of function ``fid`` and of the functions nested in it, in file order (from
        ``calls_in``: not a pass over every call of the file)."""
        return self.calls_within(path, self.files[path].subtree(fid))

    def calls_within(self, path: str, scopes: Iterable[int | None]) -> list[Call]:
        """The calls whose enclosing function is one of ``scopes``, in file order (``calls_in``)."""
        calls = [c for scope in scopes for c in self.calls_in(path, scope)]
        calls.sort(key=lambda c: c.index)
        return calls

    def assigns_within(self, path: str, scopes: Iterable[int | None]) -> list[Assign]:
        """The assignments whose enclosing function is one of ``scopes``, in file order (indexed
        once per file: not a pass over every assignment of the file for each function asked about)."""
        index = self.file_memo.assigns_in.get(path)
        assigns = self.files[path].assigns
        if index is None:
            index = self.file_memo.assigns_in[path] = {}
            for i, a in enumerate(assigns):
                index.setdefault(a.func, []).append(i)
        return [assigns[i] for i in sorted(i for scope in scopes for i in index.get(scope, ()))]

    def bindings_within(self, path: str, scopes: Iterable[int | None]) -> list[tuple[str, AnyV]]:
        """(name, value) of the bindings of ``scopes``, in the order of the file's bindings."""
        memo = self.file_memo.bindings_in.get(path)
        if memo is None:
            items = [(name, v) for (_scope, name), v in self.files[path].bindings.items()]
            index: dict[int | None, list[int]] = {}
            for i, (scope, _name) in enumerate(self.files[path].bindings):
                index.setdefault(scope, []).append(i)
            memo = self.file_memo.bindings_in[path] = (items, index)
        items, index = memo
        return [items[i] for i in sorted(i for scope in scopes for i in index.get(scope, ()))]

    def edges_of(self, channel: str | None) -> list[Edge]:
        """The graph's edges of one channel (indexed once the project is frozen)."""
        if not self.frozen:
            return [e for e in self.graph.edges if e.channel == channel]
        if self.memo.edges_by_channel is None:
            self.memo.edges_by_channel = self.graph.by_channel()
        return self.memo.edges_by_channel.get(channel, [])

    def ipc_funcs(self, path: str) -> set[int | None]:
        """The enclosing functions of the direct Electron IPC calls of ``path`` (``ipc_ops``)."""
        memo = self.memo.ipc_funcs
        if memo is None or memo[0] is not self.ipc_ops:
            index: dict[str, set[int | None]] = {}
            for p, i in self.ipc_ops:
                index.setdefault(p, set()).add(self.files[p].calls[i].func)
            memo = self.memo.ipc_funcs = (self.ipc_ops, index)
        return memo[1].get(path, set())

    def iter_calls(self) -> Iterator[tuple[str, Call]]:
        for path in sorted(self.files):
            for c in self.files[path].calls:
                yield path, c

    def loaded_specifiers(self, path: str) -> list[str]:
        """The module specifiers a parsed file imports or `require`s with a literal, in order."""
        f = self.files[path]
        specs = [v.src for k, v in f.imports.items() if k.startswith("\0order:") and type(v) is Module]
        specs += [c.args[0].value for c in self.calls_named(path, ("require",))
                  if type(c.callee) is Ref and c.callee.name == "require" and c.args and type(c.args[0]) is Str]
        return specs

    def calls_named(self, path: str, names: Collection[str]) -> list[Call]:
        """The calls of ``path`` that can call by one of ``names``, in file order: by the
        callee's property (`x.name(...)`) or name (`name(...)`), or by the name an aliased import
        was imported as (`import { name as other }`, `other(...)`). The whole-project passes that
        look for a few method names take their candidates from here instead of testing every call
        of every file in every round: the index is made once per file for all the rounds of a run
        (``FileMemo.callee_names``)."""
        index = self.file_memo.callee_names.get(path)
        if index is None:
            index = self._index_callee_names(path)
        f = self.files[path]
        if len(names) <= len(index):
            hits = [i for name in names for i in index.get(name, ())]
        else:  # (more names asked for than the file calls by)
            hits = [i for name, found in index.items() if name in names for i in found]
        if len(hits) > 1:
            hits = sorted(set(hits))
        return [f.calls[i] for i in hits]

    def iter_calls_named(self, names: Iterable[str]) -> Iterator[tuple[str, Call]]:
        """``calls_named`` of every file, in ``iter_calls`` order."""
        wanted = frozenset(names)
        memo = self.file_memo
        for path in self.files.keys() - memo.callee_names.keys():
            self._index_callee_names(path)
        paths = set().union(*(memo.callee_paths.get(name, ()) for name in wanted)) & self.files.keys()
        for path in sorted(paths):
            for c in self.calls_named(path, wanted):
                yield path, c

    def _index_callee_names(self, path: str) -> dict[str, list[int]]:
        """The index of ``calls_named`` for one file, and the file under each of its names."""
        f = self.files[path]
        index: dict[str, list[int]] = {}
        for i, c in enumerate(f.calls):
            v = c.callee
            if type(v) is Member:
                index.setdefault(v.prop, []).append(i)
            elif type(v) is Ref:
                index.setdefault(v.name, []).append(i)
                imp = f.imports.get(v.name)
                if type(imp) is Import and imp.name != v.name:
                    index.setdefault(imp.name, []).append(i)
        self.file_memo.callee_names[path] = index
        for name in index:
            self.file_memo.callee_paths.setdefault(name, set()).add(path)
        return index

    # ---- value resolution ----------------------------------------------------------------
    def resolve(self, path: str, value: AnyV, scope: int | None = None, *, consts_only: bool = False) -> Where:
        """Follow references, imports, members and `Object.freeze` until a value that denotes
        itself. Electron APIs come out as ``Electron("ipcRenderer")`` (or ``"ipcRenderer.send"``
        for a method), namespaces of project modules as ``ModObj(path)``. Mutable bindings stop
        the walk when ``consts_only`` (channel names must be constants)."""
        if self._param_busy:  # (inside a parameter's resolution: a guarded, partial answer)
            return self._resolve(path, value, scope, consts_only)
        key = (path, id(value), scope, consts_only)
        hit = self.memo.resolved.get(key)
        if hit is not None and hit[0] is value:  # (the entry keeps the value alive: its id is not reused)
            if hit[2] or hit[4]:  # (most entries reached no unparsed file: nothing to record again)
                self._recorded_again(hit)
            return hit[1]
        needed, watched = self._needed, self._watched
        mark, wmark = len(needed), len(watched)
        self._resolving += 1
        try:
            where = self._resolve(path, value, scope, consts_only)
        finally:
            self._resolving -= 1
        # (slices only when the walk recorded something: most record nothing)
        entry = self.memo.resolved[key] = (value, where,
                                           tuple(dict.fromkeys(needed[mark:])) if len(needed) > mark else (),
                                           self._steps,
                                           tuple(dict.fromkeys(watched[wmark:])) if len(watched) > wmark else ())
        if entry[2] or entry[4]:
            self.memo.open_resolved.append(key)
        if not self._resolving:
            needed.clear()
            watched.clear()
        return where

    def _recorded_again(self, hit: ResolvedEntry) -> None:
        """A remembered resolution's needs and watches, recorded again as its own walk recorded
        them: an earlier one may have been under ``no_missing``, and an enclosing resolution
        records what the ones it reuses reached."""
        for p in hit[2]:
            self._need(p)
        for p in hit[4]:
            self.watch(p)

    def _resolve(self, path: str, value: AnyV, scope: int | None, consts_only: bool) -> Where:
        cur = Where(path, value, scope)
        pending: list[str] = []  # member names to apply, innermost last
        # the last variable stepped through with members still to apply: its declared type is
        # what it is when its value leads nowhere (`const win: AppWindow = pick()`)
        typed_ref: tuple[Where, Ref, tuple[str, ...]] | None = None
        steps = 0
        while steps < MAX_STEPS:
            v = cur.value
            nxt: Where | None = None
            if type(v) in _STEPPED:  # (dispatched on the exact type: these value classes have no subclasses)
                if type(v) is Ref:
                    nxt = self._lookup_ref(cur, v, consts_only)
                    if nxt is not None and not consts_only and v.name in INJECTED_IPC \
                            and type(nxt.value) is CallExpr:
                        nxt = self._injected_ipc(cur, nxt, v, pending[-1] if pending else None) or nxt
                    if pending and not consts_only:
                        typed_ref = (cur, v, tuple(pending))
                    if nxt is not None and type(nxt.value) in _STEPPED and type(nxt.value) is not ParamRef:
                        done = self._bound(nxt, consts_only, steps)
                        if done is not None:
                            nxt, steps = done
                elif type(v) is Member:
                    pending.append(v.prop)
                    nxt = Where(cur.path, v.obj, cur.scope)
                elif type(v) is Import:
                    nxt = self._import(cur.path, v)
                elif type(v) is Module:
                    nxt = self._module(cur.path, v)
                elif type(v) is CallExpr:  # `Object.freeze(x)`: x
                    callee = v.callee
                    if type(callee) is Member and callee.prop == "freeze" and type(callee.obj) is Ref \
                            and callee.obj.name == "Object" and v.args:
                        nxt = Where(cur.path, v.args[0], cur.scope)
                    elif not consts_only and type(callee) is Member and callee.prop == "assign" \
                            and type(callee.obj) is Ref and callee.obj.name == "Object" and v.args \
                            and type(v.args[0]) is not Obj:
                        nxt = Where(cur.path, v.args[0], cur.scope)  # `Object.assign(ipcMain, {...})`: ipcMain
                    elif pending and type(callee) is Member and type(callee.obj) is Ref:
                        nxt = self._singleton(cur, callee)  # `WM.getInstance().broadcast`
                    if nxt is None and not consts_only and len(self._returning) < MAX_RETURNING:
                        nxt = self._through_call(cur, v)
                    if nxt is None and pending and not consts_only and len(self._returning) < MAX_RETURNING:
                        nxt = self._typed_result(cur, v)  # `this.windows.get(id).load(url)`
                elif type(v) is ParamRef:
                    nxt = self._param_argument(cur, v, consts_only, pending[-1] if pending else None)
                    if nxt is None and consts_only and not pending:
                        nxt = self._constructor_constant(cur, v)  # `this.namespace` set by `new C('ns')`
                    if nxt is None and pending:  # `electron.ipcRenderer` with `electron: ElectronService`
                        nxt = self._param_type(cur, v)
                    if nxt is None and not consts_only:  # `({ ipc: { handle } }: BackendContext<C>) =>`
                        nxt = self._destructured_type(cur, v)
                elif type(v) is This:
                    if pending:
                        nxt = self._this_field(cur, pending[-1])
                        if nxt is not None:
                            pending.pop()
                        else:
                            nxt = self._literal_this(cur)  # `{ req: ..., f() { this.req } }`: the object
                elif type(v) is Await and v.inner is not None:
                    if type(v.inner) in _AWAITED:
                        nxt = Where(cur.path, v.inner, cur.scope)
                    elif type(v.inner) is Ref:  # `await m` with `const m = import('x')`: the module
                        r = self.resolve(cur.path, v.inner, cur.scope, consts_only=consts_only)
                        nxt = r if type(r.value) in _MODULE_VALUES else None
            elif not consts_only and (type(v) is Cond or type(v) is Logic):
                nxt = self._electron_choice(cur, v)
            if nxt is None and pending and not consts_only and type(v) is NewExpr:
                nxt = self._new_instance(cur, v)  # `const files = new FileHandlers(); files.reveal`
            if nxt is None and pending:
                if consts_only and type(v) is Obj and self._written(cur.path, v, pending[-1]):
                    # (a property the code rewrites is not a constant: `modules[m][n] = ...`)
                    return Where(cur.path, Dyn(span=v.span, text=v.text, why="written"), cur.scope)
                nxt = self.member(cur, pending.pop())
                if nxt is None and typed_ref is not None:
                    at, ref, then = typed_ref
                    typed_ref = None
                    declared = self._declared_instance(at, ref)
                    if declared is not None:  # (the members that were still to apply to it)
                        pending = list(then)
                        cur, steps = declared, steps + 1
                        continue
                if nxt is None:
                    pending.append("?")
                    return Where(cur.path, Dyn(span=v.span, text=v.text, why=".".join(reversed(pending))), cur.scope)
            if nxt is None:
                self._steps = steps
                return cur
            cur = nxt
            steps += 1
        self._steps = steps
        return Where(cur.path, Dyn(span=value.span, text=value.text), cur.scope)

    def _injected_ipc(self, at: Where, bound: Where, ref: Ref, member: str | None) -> Where | None:
        """`const ipcMain = di.inject(ipcMainToken)`, `const ipcRenderer = container.get(TOKENS.ipc)`:
        a variable that bears the very name of Electron's IPC object and is set from a call whose
        result nothing here knows (a dependency-injection container, a service locator) is that
        object. A call that resolves to something known keeps its answer, and so does one whose
        declared type (the variable's, or the called function's return type) names a project class,
        or whose ``member`` about to be read is known (`const ipcMain = getProxy()` with
        `getProxy(): IpcProxy` returning `new IpcProxyImpl()`: `ipcMain.on` is that class's method)."""
        key = (bound.path, id(bound.value))
        if key in self._choice_busy or len(self._choice_busy) > 8:
            return None
        self._choice_busy.add(key)
        try:
            r = self.resolve(bound.path, bound.value, bound.scope)
            if type(r.value) is CallExpr and (self._typed_result(bound, r.value) is not None
                                              or self._declared_instance(at, ref) is not None):
                return None  # (`getProxy(): IpcProxy`, `const ipcMain: IpcProxy = make()`: a project class)
            if member is not None and type(r.value) is CallExpr:  # (by the variable's declared type too)
                read = Member(span=ref.span, text=ref.text, obj=ref, prop=member)
                known = self._resolve(at.path, read, at.scope, False).value
                if type(known) is not Dyn and type(known) is not CallExpr:
                    return None
        finally:
            self._choice_busy.discard(key)
        if type(r.value) is not CallExpr and type(r.value) is not Dyn:
            return None
        return Where(bound.path, Electron(span=ref.span, text=ref.text, api=ref.name), bound.scope)

    def _electron_choice(self, cur: Where, v: Cond | Logic) -> Where | None:
        """`electron.ipcMain ? electron.ipcMain : undefined`, `isMain && ipcMain`, `ipc ?? null`:
        the one Electron object every alternative that is not null, undefined or false gives."""
        if isinstance(v, Cond):
            alts = v.alts
        else:
            alts = (v.right,) if v.op == "&&" else (v.left, v.right)
        key = (cur.path, id(v))
        if key in self._choice_busy or len(self._choice_busy) > 8:
            return None  # (`let a = x ? a : b`)
        self._choice_busy.add(key)
        try:
            if isinstance(v, Logic) and v.op in ("||", "??"):
                # `window.require || window.nodeRequire`: in Electron the left side is there, the
                # right one is the fallback of code that also runs elsewhere
                first = _one_electron((self.resolve(cur.path, v.left, cur.scope),))
                if first is not None:
                    return first
            one = _one_electron(self.resolve(cur.path, a, cur.scope) for a in alts)
            if one is None and isinstance(v, Cond) and len(alts) == 2:
                # `process.type === 'renderer' ? electron.remote : electron`: code that runs on both
                # sides takes the main-process modules either way (`remote` mirrors them)
                both = [self.resolve(cur.path, a, cur.scope) for a in alts]
                if [type(r.value) for r in both] == [Electron, Electron] \
                        and sorted(r.value.api for r in both if type(r.value) is Electron) == ["*", "remote"]:
                    return next(r for r in both if type(r.value) is Electron and r.value.api == "*")
            return one
        finally:
            self._choice_busy.discard(key)

    def _bound(self, bound: Where, consts_only: bool, steps: int) -> tuple[Where, int] | None:
        """Where the walk goes from a bound value a name was looked up to, and the step count then:
        the remembered resolution of that value (a file's thousand uses of `ipcMain` share it), as
        the walk itself would go: the steps the value took to resolve are counted, and a walk
        that would run out of steps on the way, or end at an unknown value (whose reason names
        the members still to apply), takes the steps one by one instead."""
        if self._param_busy or self._filling:
            return None
        key = (bound.path, id(bound.value), bound.scope, consts_only)
        hit = self.memo.resolved.get(key)
        if hit is None or hit[0] is not bound.value:
            self._filling = True
            try:
                self.resolve(bound.path, bound.value, bound.scope, consts_only=consts_only)
            finally:
                self._filling = False
            hit = self.memo.resolved.get(key)  # (just made: the entry of this very value)
            if hit is None:
                return None
        elif hit[2] or hit[4]:
            self._recorded_again(hit)
        where, taken = hit[1], hit[3]
        if type(where.value) is Dyn or steps + 1 + taken >= MAX_STEPS:
            return None
        return where, steps + taken

    def bound_names(self, path: str) -> frozenset[str]:
        """The names some scope of the file binds or takes as a parameter, once a run: a name not
        among them is a global wherever it is used."""
        names = self.file_memo.bound_names.get(path)
        if names is None:
            f = self.files[path]
            names = self.file_memo.bound_names[path] = frozenset(
                {n for (_s, n) in f.bindings} | {p.name for fn in f.functions for p in fn.params})
        return names

    def _lookup_ref(self, cur: Where, ref: Ref, consts_only: bool) -> Where | None:
        f = self.files.get(cur.path)
        if f is None:
            return None
        name = ref.name
        # (no scope of the file binds it: the walk out would find nothing)
        hit = self.binding_at(cur.path, cur.scope, name) if name in self.bound_names(cur.path) else None
        if hit is not None:
            scope, v = hit
            if v is not None:
                if consts_only:
                    if (scope, name) in f.mutable:
                        return Where(cur.path, Dyn(span=ref.span, text=name, why="mutable"), scope)
                elif (type(v) is Null or type(v) is Undef) and (scope, name) in f.mutable:
                    # `let ipc = null`, set later
                    late = self._assigned(cur.path, f, scope, name)
                    if late is None:
                        late = self._loaded_once(cur.path, scope, name)
                    if late is not None:
                        return late
                return None if v is ref else Where(cur.path, v, scope)
            if scope is not None:  # a parameter of that function
                return Where(cur.path, ParamRef(span=ref.span, text=name, fid=scope, name=name), scope)
        if name in GLOBAL_OBJECTS:
            return Where(cur.path, Global(span=ref.span, text=name, name=name), None)
        if name == "exports" and f.exports and not consts_only:
            # a CommonJS module's own exports (`exports.on(ipcMain, ...)` inside ipc-helpers.js,
            # where `exports.on = function ...`)
            return Where(cur.path, ModObj(span=ref.span, text=name, path=cur.path), None)
        if name in ("__dirname", "__filename", "process", "require", "module", "exports"):
            return None
        shared = self._script_global(cur.path, name)
        if shared is not None:
            return shared
        if self.page_global(cur.path, name):
            return Where(cur.path, Electron(span=ref.span, text=name, api="ipcRenderer"), None)
        written = self._global_written(cur.path, name)
        if written is not None:  # `global.ipcRenderer = ...` earlier in the file, then `ipcRenderer.send(...)`
            return written
        elsewhere = self._written_elsewhere(cur.path, name)
        if elsewhere is not None:
            return elsewhere
        return Where(cur.path, Global(span=ref.span, text=name, name=name), None)

    def _global_written(self, path: str, name: str) -> Where | None:
        """The one Electron object that the file's own assignments of a property of the global
        object set it to: a preload (contextIsolation off) that keeps ipcRenderer in a global
        (`window.ipc = require('electron').ipcRenderer`, `global.ipcRenderer = ...`) and then calls
        it there itself (`window.ipc.on(...)`, or the free name `ipcRenderer.send(...)`: a property of
        the global object is a global variable). None when the file writes none, or the writes give
        anything else (a page's own `window.api = {...}`)."""
        f = self.files.get(path)
        if f is None:
            return None
        index = self.file_memo.global_writes.get(path)
        if index is None:
            index = self.file_memo.global_writes[path] = {}
            for a in f.assigns:
                t = a.target
                if type(t) is Member and type(t.obj) is Ref and t.obj.name in GLOBAL_OBJECTS \
                        and binding_scope(f, a.func, t.obj.name) is None:
                    index.setdefault(t.prop, []).append(a)
        writes = index.get(name)
        if not writes:
            return None
        key = ("global", path, None, name)
        if key in self._param_busy or len(self._param_busy) > 8:
            return None  # (`window.ipc = window.ipc || other`: unknown)
        self._param_busy.add(key)
        try:
            hit = _one_electron(self.resolve(path, a.value, a.func) for a in writes)
        finally:
            self._param_busy.discard(key)
        return hit if hit is not None and type(hit.value) is Electron else None

    def written_global_names(self) -> dict[str, list[str]]:
        """Name -> the parsed files that assign it as a property of the global object (`window.ipc =
        ...`, `globalThis.x = ...`), once a round."""
        index = self.memo.written_globals
        if index is None:
            index = self.memo.written_globals = {}
            for p in sorted(self.files):
                for a in self.files[p].assigns:
                    t = a.target
                    if type(t) is Member and type(t.obj) is Ref and t.obj.name in GLOBAL_OBJECTS:
                        held = index.setdefault(t.prop, [])
                        if not held or held[-1] != p:
                            held.append(p)
        return index

    def written_global(self, path: str, name: str) -> bool:
        """``_written_elsewhere`` found for ``name`` seen from ``path``."""
        return name in self.written_global_names() and self._written_elsewhere(path, name) is not None

    def _written_elsewhere(self, path: str, name: str) -> Where | None:
        """A page's ipcRenderer that another module of the page keeps in a global of its window
        (`window.ipc = electron.ipcRenderer` in the page's first module, nodeIntegration on): the
        page's other modules, bundled with it, call `ipc.send(...)` with no import. Only for a file
        in the writing file's folder or below it, of the same app (the page's own code), when the
        writes there make it ipcRenderer and nothing else."""
        writers = self.written_global_names().get(name)
        if not writers:
            return None
        found: list[Where] = []
        for p in writers:
            folder = posixpath.dirname(p)
            if p == path or not self.same_app(p, path) or (folder and not path.startswith(folder + "/")):
                continue
            key = (p, name)
            if key in self.memo.written_hits:
                hit = self.memo.written_hits[key]
            else:
                hit = self.memo.written_hits[key] = self._global_written(p, name)
            if hit is None or type(hit.value) is not Electron or hit.value.api != "ipcRenderer":
                return None
            found.append(hit)
        return found[0] if len(found) == 1 else None

    def script_global_names(self) -> dict[str, list[str]]:
        """Name -> the parsed classic scripts (no import or export) that bind it at their top level,
        once a round."""
        index = self.memo.script_globals
        if index is None:
            index = self.memo.script_globals = {}
            for p in sorted(self.files):
                f = self.files[p]
                if _is_module(f):
                    continue
                for (scope, n) in f.bindings:
                    if scope is None:
                        index.setdefault(n, []).append(p)
        return index

    def _script_global(self, path: str, name: str) -> Where | None:
        """A legacy page's ipcRenderer kept in a global by another classic script of the same app
        (`const ipc = require('electron').ipcRenderer` in app.js, `ipc.send(...)` in a script that
        a later `<script>` tag loads): that binding, when exactly one such script makes it."""
        index = self.script_global_names()
        found: list[Where] = []
        candidates = index.get(name, ())
        if not candidates or candidates == [path] or path not in self.files or _is_module(self.files[path]):
            # (no other classic script binds it, or a module uses it: a module's free names are
            # globals, not another script's bindings; the pages need not be read)
            return None
        pages = self._script_pages()
        mine = pages.get(path, frozenset())
        # scripts that one .html page loads with `path` share its globals, wherever their folders
        # are (leanote's src/browser/service.js and public/js/app/page.js); another page's script
        # binding the same name (a login page's) is not this page's
        paged = [p for p in candidates if p != path and mine & pages.get(p, frozenset())]
        for p in paged or candidates:
            folder = posixpath.dirname(p)
            # (a page's scripts: the using script in the binding script's folder or below it, not a
            # main-process script beside a preload folder: min's main/ and js/preload/)
            if p == path or not self.same_app(p, path) \
                    or (not paged and folder and not path.startswith(folder + "/")):
                continue
            v = self.files[p].bindings.get((None, name))
            if v is None:
                continue
            r = self.resolve(p, v, None)
            # the whole module (`const electron = require('electron')`) only from a script of the
            # same page: a main-process script's module binding is no page's global
            # (any one Electron API, not only ipcRenderer: scripts that a build concatenates into one
            # main-process file too, `const { ipcMain: ipc, shell } = electron` in the first and
            # `ipc.handle(...)`, `shell.openPath(...)` in the others)
            if isinstance(r.value, Electron) and (r.value.api != "*" or paged):
                found.append(r)
        # (a script that two pages load, each binding the name to the same Electron API: either way
        # it is that API)
        apis = {r.value.api for r in found if isinstance(r.value, Electron)}
        return found[0] if len(found) == 1 or (found and paged and len(apis) == 1) else None

    def page_globals(self) -> dict[str, list[str]]:
        """Name -> the .html page documents whose inline classic scripts make it ipcRenderer
        (``page_global``), read once a run (``FileMemo.page_globals``)."""
        index = self.file_memo.page_globals
        if index is None:
            index = self.file_memo.page_globals = {}
            for doc, data in self._html_pages():
                for n in sorted(_inline_ipc_globals(data)):
                    index.setdefault(n, []).append(doc)
        return index

    def _html_pages(self) -> Iterator[tuple[str, bytes]]:
        """The .html/.htm page documents with their bytes, in path order."""
        for doc in sorted(self.documents):
            if doc.lower().endswith((".html", ".htm")):
                yield doc, self.sources.get(doc) or b""

    def page_global(self, path: str, name: str) -> bool:
        """A legacy page's ipcRenderer made a global by an inline classic `<script>` of its .html
        document (`const { ipcRenderer } = require('electron')`, `window.ipc = require('electron')
        .ipcRenderer`): the page's bundled code calls it with no import (AnotherRedisDesktopManager's
        index.html and src/components). A top-level binding of a classic script is a global of the
        realm, seen by its modules too; a module script's (`type="module"`) is not. Only for a file
        in the document's folder or below it, of the app that holds the document (not a nested
        app's): the page's own code, the only code a free name there can mean the page's global in
        (a main-process file naming `ipcRenderer` free would fail, so none does)."""
        docs = self.page_globals().get(name)
        if not docs:
            return False
        app = self.apps.get(path, "")
        for doc in docs:
            folder = posixpath.dirname(doc)
            if (not folder or path.startswith(folder + "/")) \
                    and (not app or folder == app or folder.startswith(app + "/")):
                return True
        return False

    def _script_pages(self) -> dict[str, frozenset[str]]:
        """Classic script -> the .html page documents that load it with `<script src="...">` (the
        src resolved against the page's folder, or the project root for `/...`)."""
        index = self.memo.script_pages
        if index is None:
            found: dict[str, set[str]] = {}
            for doc, data in self._html_pages():
                for m in _SCRIPT_SRC.finditer(data):
                    src = m.group(2).decode("utf-8", "replace").split("?", 1)[0].split("#", 1)[0].strip()
                    if not src or "://" in src or src.startswith("//"):
                        continue
                    base = "" if src.startswith("/") else posixpath.dirname(doc)
                    target = posixpath.normpath(posixpath.join(base, src.lstrip("/")))
                    if target in self.files:
                        found.setdefault(target, set()).add(doc)
            index = self.memo.script_pages = {k: frozenset(v) for k, v in found.items()}
        return index

    def _written(self, path: str, obj: Obj, key: str) -> bool:
        """Whether some assignment of the file writes property ``key`` (or a computed property) of
        the object literal ``obj`` bound to a name there: `O.k = v`, `O.k.x = v`, `O[k] = v`, and
        through local aliases of its members (`let names = modules[m]; names[n] = v`, the
        channel-prefixing loop of lx-music-desktop's ipcNames.ts)."""
        index = self.file_memo.written_keys.get(path)
        if index is None:
            f = self.files.get(path)
            if f is None:  # (not parsed: nothing kept for the rounds, which may parse it)
                return False
            index = self.file_memo.written_keys[path] = self._written_index(f)
        hit = index.get(id(obj))
        return hit is not None and hit[0] is obj and (key in hit[1] or "*" in hit[1])

    @staticmethod
    def _written_index(f: FileFacts) -> dict[int, tuple[Obj, set[str]]]:
        index: dict[int, tuple[Obj, set[str]]] = {}
        for a in f.assigns:
            if type(a.target) is not Member and type(a.target) is not Index:
                continue
            t: AnyV = a.target
            scope = a.func
            key: str | None = None
            for _ in range(32):  # down the chain to its root name, through a few local aliases
                if type(t) is Member:
                    key, t = t.prop, t.obj
                elif type(t) is Index:
                    key, t = (t.index.value if type(t.index) is Str else "*"), t.obj
                elif type(t) is Ref and key is not None:
                    hit = binding_scope(f, scope, t.name)
                    bound = hit[1] if hit is not None else None
                    if hit is not None and (type(bound) is Member or type(bound) is Index):
                        scope, t = hit[0], bound  # `let names = modules[m]`: an alias into modules
                        continue
                    if type(bound) is Obj:
                        index.setdefault(id(bound), (bound, set()))[1].add(key)
                    break
                else:
                    break
        return index

    def _assigned(self, path: str, f: FileFacts, scope: int | None, name: str) -> Where | None:
        """A mutable binding first set to null or undefined (or to nothing) that every assignment
        of the file sets to the same Electron object: `let ipc = null; if (renderer) ipc =
        require('electron').ipcRenderer` is ipcRenderer where it is used (for Electron questions
        only: a channel name must be a constant)."""
        key = ("let", path, scope, name)
        if key in self._param_busy or len(self._param_busy) > 8:
            return None  # (`ipc = ipc || other`: unknown)
        self._param_busy.add(key)
        try:
            return _one_electron(self.resolve(path, a.value, a.func) for a in self.assignments_to(path, scope, name))
        finally:
            self._param_busy.discard(key)

    def _loaded_once(self, path: str, scope: int | None, name: str) -> Where | None:
        """A mutable binding first set to nothing and then, once in the file, to what a module
        exports: `let Launcher; if (inElectron) Launcher = require('./launcher-electron').Launcher;
        export { Launcher }` is that export where it is used (for Electron questions only)."""
        found = list(itertools.islice(self.assignments_to(path, scope, name), 2))
        if len(found) != 1:
            return None
        root = found[0].value
        while type(root) is Member:
            root = root.obj
        if type(root) is not Module and type(root) is not Import:
            return None
        return Where(path, found[0].value, found[0].func)

    def assignments_to(self, path: str, scope: int | None, name: str) -> Iterator[Assign]:
        """The assignments of the file to the binding of ``name`` in ``scope`` (not to another
        binding of the name: a parameter, an inner `let`) that set it to something other than null
        or undefined: what a `let` first set to nothing holds later."""
        f = self.files[path]
        index = self.file_memo.assigns_to.get(path)
        if index is None:
            index = self.file_memo.assigns_to[path] = {}
            for a in f.assigns:
                if type(a.target) is Ref:
                    index.setdefault(a.target.name, []).append(a)
        return (a for a in index.get(name, ()) if type(a.value) is not Null and type(a.value) is not Undef
                and (hit := binding_scope(f, a.func, name)) is not None and hit[0] == scope and hit[1] is not None)

    def _param_argument(self, cur: Where, param: ParamRef, consts_only: bool = False,
                        prop: str | None = None) -> Where | None:
        """A parameter that every known call passes the same Electron object: `function setup(ipc)
        { ipc.handle(...) }` with `setup(ipcMain)` in the same file or, for an exported function,
        in the files that import it (link/params.py); with no call known, the object its
        TypeScript annotation names (`ipc: IpcMain`). Not for channel questions (``consts_only``),
        beyond the same file: an Electron object is never a channel. When the parameter is read
        as `param.<prop>`, an object literal that holds the Electron object under ``prop``
        (`setup({ ipcMain })`), or any argument whose ``prop`` is that object (`new Svc(this)` in
        a class that sets `this.ipc = ipc`), is that argument too."""
        fid, name = param.fid, param.name
        f = self.files.get(cur.path)
        key = ("param", cur.path, fid, name)
        if f is None or key in self._param_busy or len(self._param_busy) > 8:
            return None  # recursion (`function f(x) { f(x) }`) or a long chain: unknown
        self._param_busy.add(key)
        try:
            return self._param_argument_of(cur, f, fid, name, consts_only, prop)
        finally:
            self._param_busy.discard(key)

    def _param_argument_of(self, cur: Where, f: FileFacts, fid: int, name: str, consts_only: bool,
                           prop: str | None = None) -> Where | None:
        fn = f.functions[fid]
        param = next((p for p in fn.params if p.name == name and not p.path and not p.rest), None)
        if param is None:
            return None
        # (lazily: a call that passes something else settles it, the later importers unread; a
        # method's parameter with a declared type is what the type names, `_param_type`)
        sites: Iterable[tuple[str, Call]] = () if fn.kind == "method" and declared_param(f, fid, name) is not None \
            else self.calls_of(cur.path, fid, importers=not consts_only)
        found: set[str] = set()
        arg_where = None
        any_site = False
        for path, c in sites:
            any_site = True
            if param.index >= len(c.args):
                continue
            arg = c.args[param.index]
            if prop is not None and not consts_only and type(arg) is Obj:
                # `setup({ ipcMain })` read as `param.ipcMain`: the object, when that member is Electron
                held = self.member(Where(path, arg, c.func), prop)
                r = self.resolve(held.path, held.value, held.scope) if held is not None else None
                if r is None or not isinstance(r.value, Electron):
                    return None
                found.add(f"{{{prop}: {r.value.api}}}")
                arg_where = Where(path, arg, c.func)
                continue
            if prop is not None and not consts_only and isinstance(arg, (This, Ref, Member)):
                # `new Svc(this)` read as `manager.ipc`: the argument, when its member is Electron
                # (the instance of a class that sets `this.ipc = ipc`)
                held_in = Member(span=arg.span, text=f"{arg.text}.{prop}", obj=arg, prop=prop)
                r = self.resolve(path, held_in, c.func)
                if isinstance(r.value, Electron):
                    found.add(f"{{{prop}: {r.value.api}}}")
                    arg_where = Where(path, arg, c.func)
                    continue
            if not isinstance(arg, (Ref, Member)):
                if isinstance(arg, _NOT_ELECTRON) and not self._made_by_project_class(Where(path, arg, c.func)):
                    self._param_disputed.add((cur.path, fid, name))
                return None
            r = self.resolve(path, arg, c.func)
            if not isinstance(r.value, Electron):
                if (isinstance(r.value, _NOT_ELECTRON) and not self._made_by_project_class(r)) or (
                        isinstance(r.value, External) and not r.value.src.startswith("electron")):
                    self._param_disputed.add((cur.path, fid, name))  # (something else for sure, not unknown)
                return None
            found.add(r.value.api)
            arg_where = r
        if not any_site and not consts_only:  # its declared type, for the objects named by one (not WebContents:
            # an instance type, while ``Electron("webContents")`` is the module's static API)
            typed = self._param_type(cur, ParamRef(span=param.span, text=name, fid=fid, name=name))
            if typed is not None and type(typed.value) is Electron and typed.value.api in ("ipcMain", "ipcRenderer"):
                return Where(cur.path, Electron(span=param.span, text=name, api=typed.value.api), None)
        return arg_where if len(found) == 1 else None

    def _constructor_constant(self, cur: Where, param: ParamRef) -> Where | None:
        """A constructor's parameter that every `new` of its class gives the same constant string,
        for channel questions: `constructor(private readonly namespace: string)` (or `this.ns =
        ns`) with `new MethodChannel('vpn-ipc')`, read later as `this.namespace` in the class's
        channels (`${this.namespace}-${name}`). None when a `new` gives it nothing, a spread,
        something not constant or another value, or when no `new` is known."""
        f = self.files.get(cur.path)
        if f is None or param.fid >= len(f.functions):
            return None
        fn = f.functions[param.fid]
        p = next((p for p in fn.params if p.name == param.name and not p.path and not p.rest), None)
        key = ("new", cur.path, param.fid, param.name)
        if p is None or fn.kind != "method" or not (fn.name or "").endswith(".constructor") \
                or key in self._param_busy or len(self._param_busy) > 8:
            return None
        self._param_busy.add(key)
        try:
            found: Where | None = None
            values: set[str] = set()
            for n, (path, c) in enumerate(self.calls_of(cur.path, param.fid)):
                if n >= MAX_CALLERS or p.index >= len(c.args) or type(c.args[p.index]) is Spread:
                    return None
                r = self.resolve(path, c.args[p.index], c.func, consts_only=True)
                if type(r.value) is not Str:
                    return None
                values.add(r.value.value)
                found = found or r
            return found if len(values) == 1 else None
        finally:
            self._param_busy.discard(key)

    def _made_by_project_class(self, w: Where) -> bool:
        """`new FontManager()` of a class of the project: an instance whose class the parameter's
        declared type names (`private fonts: FontManager`), not a value that disputes it."""
        if type(w.value) is not NewExpr:
            return False
        c = self.resolve(w.path, w.value.callee, w.scope)
        return type(c.value) is ClassV and c.path in self.files

    def calls_of(self, path: str, fid: int, *, importers: bool = True) -> Iterator[tuple[str, Call]]:
        """The calls of function ``fid`` of ``path`` by name, as (file, call): in its own file by its
        bare name, then, for a module-level function (only those are exported) and with
        ``importers``, in the parsed non-test files that import it (link/params.py). Lazily: the
        importers are read (or watched, when not parsed) as the caller goes on. For a class's
        method, the calls that denote it and, for its constructor, the `new` expressions of the
        class (``params.method_calls``)."""
        f = self.files[path]
        fn = f.functions[fid]
        if fn.kind == "method" and fn.name and "." in fn.name:  # a class's method or constructor
            from ipclint.link.params import method_calls  # (params.py imports this module)
            yield from method_calls(self, path, fid, importers_too=importers)
            return
        if fn.name:
            for c in self._calls_named(path, f, fn.name):
                yield path, c
        if importers and fn.parent is None:
            from ipclint.link.params import importer_calls  # (params.py imports this module)
            yield from importer_calls(self, path, fid)

    def arguments_of(self, path: str, fid: int, name: str) -> list[Where] | None:
        """What the calls of function ``fid`` (``calls_of``) give its plain parameter ``name``, each
        where it is written; None when it has no such parameter, no call, more than
        ``MAX_CALLERS``, or a call that gives it nothing or a spread."""
        f = self.files.get(path)
        if f is None:
            return None
        p = next((p for p in f.functions[fid].params if p.name == name and not p.path and not p.rest), None)
        if p is None:
            return None
        out: list[Where] = []
        for cpath, c in self.calls_of(path, fid):
            if len(out) >= MAX_CALLERS or p.index >= len(c.args) or type(c.args[p.index]) is Spread:
                return None
            out.append(Where(cpath, c.args[p.index], c.func))
        return out or None

    def _calls_named(self, path: str, f: FileFacts, name: str) -> list[Call]:
        """The calls of file ``path`` whose callee is the bare name ``name``, in order (indexed once
        per file: parameters are resolved often, and a file can hold thousands of calls)."""
        index = self.file_memo.calls_by_name.get(path)
        if index is None:
            index = {}
            for c in f.calls:
                if isinstance(c.callee, Ref):
                    index.setdefault(c.callee.name, []).append(c)
            self.file_memo.calls_by_name[path] = index
        return index.get(name, [])

    def _this_field(self, cur: Where, prop: str, *, inherit: bool = True) -> Where | None:
        """`this.ipc` when the file assigns `this.ipc` (or declares the field) exactly one way: in
        the methods of the class `this` is in, when they do, else anywhere in the file; a field
        only declared (`ipc: IpcRenderer`, `electron: ElectronService`) is what its type names; a
        getter of the class (`get prefs() { return {...} }`) is what its one return gives. When
        the file neither sets nor declares it and the class extends a project class, the field as
        the base class sets it (``_inherited_field``, unless ``inherit`` is off)."""
        f = self.files.get(cur.path)
        if f is None:
            return None
        index = self._this_assigns(cur.path, f)
        found = [a for a in index.get(prop, []) if not isinstance(a.value, (Null, Undef))]
        cls = self._class_of(cur.path, cur.scope)
        if cls is not None and len(found) > 1:
            own = [a for a in found if self._class_of(cur.path, a.func) == cls]
            found = own or found
        values = {a.value.text for a in found}
        if not values:
            getter = f.class_getters.get(cls, {}).get(prop) if cls is not None else None
            if getter is not None:  # `this.prefs` with `get prefs() { return {...} }`: what it returns
                returns = f.functions[getter].returns
                return Where(cur.path, returns[0], getter) if len(returns) == 1 else None
            method = f.class_methods.get(cls, {}).get(prop) if cls is not None else None
            if method is not None:
                return Where(cur.path, Fn(span=cur.value.span, text=f"this.{prop}", fid=method), None)
            declared = f.types.fields.get((cls, prop)) if cls is not None and f.types is not None else None
            if declared is not None:
                return self._typed_value(cur.path, declared)
            if inherit and cls is not None and not index.get(prop):
                return self._inherited_field(cur, cls, prop)
            return None
        if len(values) != 1:
            return self._set_just_before(cur, found)
        return Where(cur.path, found[0].value, found[0].func)

    def _set_just_before(self, cur: Where, found: list[Assign]) -> Where | None:
        """A field set to different Electron objects by a class that plays both sides (`this.ipc =
        require('electron').ipcMain` where it is the server, `.ipcRenderer` where it is the client):
        at a read in a function that set it earlier, the object that function set last before the
        read. Only when every assignment is an Electron object (a channel or data field set two
        ways stays unknown)."""
        before = [a for a in found if a.func == cur.scope and a.span < cur.value.span]
        if not before or any(type(self.resolve(cur.path, a.value, a.func).value) is not Electron for a in found):
            return None
        last = max(before, key=lambda a: a.span)
        return Where(cur.path, last.value, last.func)

    def _this_assigns(self, path: str, f: FileFacts) -> dict[str, list[Assign]]:
        """Field name -> the file's assignments `this.<name> = v`, indexed once per file."""
        index = self.file_memo.this_assigns.get(path)
        if index is None:
            index = {}
            for a in f.assigns:
                t = a.target
                if isinstance(t, Member) and isinstance(t.obj, This):
                    index.setdefault(t.prop, []).append(a)
            self.file_memo.this_assigns[path] = index
        return index

    def _inherited_field(self, cur: Where, cls: str, prop: str) -> Where | None:
        """`this.ipc` in a class that extends a project class (`class Ethereum extends Integrations`,
        the base imported from another module or in the same file) and never sets it: the field as
        the nearest base class that sets or declares it gives it (`this.ipc = ipcMain`, or a
        constructor parameter its `new` and `super(...)` calls fill), up to ``MAX_BASES`` classes
        up. None when a base sets it more than one way, or a base is not a project class."""
        path, seen = cur.path, {(cur.path, cls)}
        for _ in range(MAX_BASES):
            base = self.files[path].class_bases.get(cls)
            if not base:
                return None
            r = self.resolve(path, Ref(span=cur.value.span, text=base, name=base), None)
            if type(r.value) is not ClassV or r.value.name is None or r.path not in self.files \
                    or (r.path, r.value.name) in seen:
                return None
            path, cls = r.path, r.value.name
            seen.add((path, cls))
            hit = self._this_field(self._instance(path, r.value), prop, inherit=False)
            if hit is not None:
                return hit
            bf = self.files[path]
            if self._this_assigns(path, bf).get(prop) or prop in bf.class_methods.get(cls, {}) \
                    or prop in bf.class_getters.get(cls, {}):
                return None  # (set or defined there, but not one way: unknown, not a grandparent's)
        return None

    def _static_field(self, path: str, cls: str, prop: str) -> Where | None:
        """`Store.cfg` when the class's file assigns `Store.cfg = value` exactly one way (a static
        field declared without a value, `static cfg: ElectronStore`, set in the constructor or an
        init method)."""
        index = self.file_memo.static_assigns.get(path)
        if index is None:
            index = {}
            for a in self.files[path].assigns:
                t = a.target
                if isinstance(t, Member) and isinstance(t.obj, Ref) and not isinstance(a.value, (Null, Undef)):
                    index.setdefault((t.obj.name, t.prop), []).append(a)
            self.file_memo.static_assigns[path] = index
        found = index.get((cls, prop), [])
        if len({a.value.text for a in found}) != 1:
            return None
        return Where(path, found[0].value, found[0].func)

    def _literal_this(self, cur: Where) -> Where | None:
        """`this` in a method of an object literal bound to a name (`const L = { req: window.require,
        electron() { return this.req('electron') } }`): that object."""
        f = self.files.get(cur.path)
        at = cur.scope
        for _ in range(64):  # (arrows see the `this` of the function around them)
            if f is None or at is None or at >= len(f.functions):
                return None
            if f.functions[at].kind != "arrow":
                break
            at = f.functions[at].parent
        else:
            return None
        index = self.file_memo.literal_this.get(cur.path)
        if index is None:
            index = self.file_memo.literal_this[cur.path] = {}
            for (scope, _name), b in f.bindings.items():
                if type(b) is Obj:
                    for p in b.props:
                        if type(p.value) is Fn:
                            index.setdefault(p.value.fid, Where(cur.path, b, scope))
        return index.get(at)

    def _through_call(self, cur: Where, call: CallExpr) -> Where | None:
        """What a call gives that resolution can see through: a module loaded by an alias of require,
        or the one Electron object a project function returns. Guarded against cycles and long
        chains (`a = () => b(); b = () => a()`)."""
        key = (cur.path, call.span.line, call.span.column, -1)
        if key in self._returning:
            return None
        self._returning.add(key)
        try:
            hit = self._required(cur, call)  # `req('electron')` with `req = window.require`
            if hit is None:
                hit = self._returned_electron(cur, call.callee)  # `L.electron().ipc`
            if hit is None:
                hit = self._registered(cur, call)  # `registry.get('IpcMain')`
            return hit if hit is not None else self._provided(cur, call)  # `inject(MainApi)`
        finally:
            self._returning.discard(key)

    def _provided(self, cur: Where, call: CallExpr) -> Where | None:
        """`inject(Token)` (Angular's dependency injection) where the app provides the token, and
        only once, with a value or a factory that gives the exposed API in Electron (`{ provide:
        MainApi, useFactory: () => (env.web ? new MainApi() : window.api) }`): that API, not the
        class (the class is the stand-in of the web build)."""
        callee = call.callee
        if type(callee) is not Ref or callee.name != "inject" or len(call.args) != 1 or type(call.args[0]) is not Ref:
            return None
        token = self._token(cur.path, call.args[0], cur.scope)
        found = self.providers().get(token) if token is not None else None
        return found[0] if found and len(found) == 1 else None

    def _token(self, path: str, v: AnyV, scope: int | None) -> tuple[str, str] | None:
        r = self.resolve(path, v, scope)
        return (r.path, r.value.name) if type(r.value) is ClassV and r.value.name else None

    def providers(self) -> dict[tuple[str, str], list[Where]]:
        """Token class -> what the providers of the app's dependency injection give for it: a
        `useValue`, or a `useFactory` function's returns, taking the alternative of a condition that
        is the global object's property (the exposed API) when there is one. Read from the object
        literals `{ provide: Token, ... }` in the arguments of the calls that take providers
        (`bootstrapApplication`, `@NgModule`, `@Component`, ...), once a project."""
        index = self.memo.providers
        if index is None:
            index = self.memo.providers = {}
            for path, c in self.iter_calls_named(_PROVIDER_CALLS):
                for a in c.args:
                    for v in walk(a, limit=2_000, enter=_PROVIDER_HOLDERS):
                        if type(v) is not Obj:
                            continue
                        props = {p.key: p.value for p in v.props if p.key and not p.spread}
                        if "provide" not in props or type(props["provide"]) is not Ref:
                            continue
                        token = self._token(path, props["provide"], c.func)
                        given = self._provider_value(path, props, c.func)
                        if token is not None and given is not None:
                            index.setdefault(token, []).append(given)
        return index

    def _provider_value(self, path: str, props: dict[str, AnyV], scope: int | None) -> Where | None:
        if "useValue" in props:
            return Where(path, props["useValue"], scope)
        factory = props.get("useFactory")
        if type(factory) is not Fn:
            return None
        f = self.files[path]
        if not 0 <= factory.fid < len(f.functions):
            return None
        returns = f.functions[factory.fid].returns
        if len(returns) != 1:
            return None
        ret = returns[0]
        alts = ret.alts if type(ret) is Cond else (ret.left, ret.right) if type(ret) is Logic else (ret,)
        globals_ = [a for a in alts if type(a) is Member and type(a.obj) is Ref and a.obj.name in GLOBAL_OBJECTS]
        if len(globals_) == 1:
            return Where(path, globals_[0], factory.fid)  # (`env.web ? new WebApi() : window.api`)
        return Where(path, ret, factory.fid) if len(alts) == 1 else None

    def _registered(self, cur: Where, call: CallExpr) -> Where | None:
        """A service registry's lookup of an Electron object: `registry.get('IpcMain')` (or `resolve`)
        where the app's code registers one Electron object, and nothing else, under that key
        (`registry.register('IpcMain', ipcMain)`, `set`, `provide`): dependency injection by name."""
        callee = call.callee
        if type(callee) is not Member or callee.prop not in _REGISTRY_GETS or len(call.args) != 1 \
                or type(call.args[0]) is not Str:
            return None
        index = self.memo.registrations  # (a project's files do not change: once a project)
        if index is None:
            index = self.memo.registrations = {}
            for path, c in self.iter_calls_named(_REGISTRY_SETS):  # (indexed by name: not every call)
                if type(c.callee) is Member and c.callee.prop in _REGISTRY_SETS and len(c.args) == 2 \
                        and type(c.args[0]) is Str:
                    index.setdefault(c.args[0].value, []).append((path, c))
        apis: set[str] = set()
        hit = None
        for path, c in index.get(call.args[0].value, ()):
            if not self.same_app(cur.path, path):
                continue
            r = self.resolve(path, c.args[1], c.func)
            if type(r.value) is not Electron:
                return None  # (the key also holds something else)
            apis.add(r.value.api)
            hit = r
        return hit if len(apis) == 1 else None

    def _required(self, cur: Where, call: CallExpr) -> Where | None:
        """A module loaded through an alias of require: `req('electron')` with `req = window.require`,
        `this.req('electron')` with a property `req: window.require`."""
        if not call.args or type(call.args[0]) is not Str or type(call.callee) not in (Ref, Member):
            return None
        callee = self.resolve(cur.path, call.callee, cur.scope)
        v = callee.value
        if (type(v) is Global and v.name == "require") or (type(v) is Ref and v.name == "require"
                                                           and callee.path == cur.path):
            return Where(cur.path, Module(span=call.span, text=call.text, src=call.args[0].value), cur.scope)
        if type(v) is Fn and not call.args[0].value.startswith(".") and self._loads_argument(callee.path, v.fid):
            # `utils.dynamicRequire('electron')` with `dynamicRequire(name) { return require(name) }`
            # (a bare module name: a relative one would resolve from the loader's own folder)
            return Where(cur.path, Module(span=call.span, text=call.text, src=call.args[0].value), cur.scope)
        return None

    def _loads_argument(self, path: str, fid: int) -> bool:
        """Function ``fid`` is a loader: every return is a require of its first parameter
        (`require(name)`, `` require(`${name}`) ``, `__non_webpack_require__(name)`, `window.require(name)`),
        as webpack-built pages with node integration write to reach Electron past the bundler."""
        fn = self.files[path].functions[fid]
        first = next((p for p in fn.params if p.index == 0), None)
        if first is None or first.path or first.rest or not fn.returns:
            return False
        for r in fn.returns:
            if type(r) is not CallExpr or not r.args:
                return False
            callee, arg = r.callee, r.args[0]
            if type(arg) is Tpl and len(arg.parts) <= 3 and all(x == "" for x in arg.parts if type(x) is str):
                inner = arg.children()  # `${name}`: the name
                arg = inner[0] if len(inner) == 1 else arg
            if not (type(arg) is Ref and arg.name == first.name):
                return False
            if type(callee) is Ref and callee.name in ("require", "__non_webpack_require__"):
                continue
            if type(callee) is Member and callee.prop == "require" and type(callee.obj) is Ref \
                    and callee.obj.name in ("window", "globalThis"):
                continue
            return False
        return True

    def _returned_electron(self, cur: Where, callee: AnyV) -> Where | None:
        """The call of a project function whose every return gives one Electron object
        (`electron() { return this.req('electron') }`, `const ipc = () => require('electron').ipcRenderer`)."""
        target = self.function_of(cur.path, callee, cur.scope)
        if target is None:
            target = self._accessor(cur, callee)
        if target is None:
            return None
        path, fid = target
        returns = self.files[path].functions[fid].returns
        key = (path, fid, 0, 0)
        if not returns or key in self._returning:
            return None
        self._returning.add(key)
        try:
            return _one_electron(self.resolve(path, r, fid) for r in returns)
        finally:
            self._returning.discard(key)

    def _accessor(self, cur: Where, callee: AnyV) -> tuple[str, int] | None:
        """`this.utils.getIPCMain()` on a receiver that resolution cannot follow (a plugin's
        constructor parameter, filled by a loader that `require`s plugins by a computed path): the
        one class method of the project's app with that name, when there is exactly one; the
        caller then asks whether its every return gives one Electron object (`static getIPCMain()
        { return ipcMain }`). A receiver that resolves to anything known is not guessed at."""
        if type(callee) is not Member or callee.prop == "constructor":
            return None
        index = self.memo.methods_by_name
        if index is None:
            index = self.memo.methods_by_name = {}
            for p in sorted(self.files):
                for methods in self.files[p].class_methods.values():
                    for name, fid in methods.items():
                        index.setdefault(name, []).append((p, fid))
        found = [t for t in index.get(callee.prop, ()) if self.same_app(t[0], cur.path)]
        if len(found) != 1:
            return None
        obj = self.resolve(cur.path, callee.obj, cur.scope).value
        if type(obj) is not ParamRef and type(obj) is not Dyn \
                and not (type(obj) is Global and obj.name not in GLOBAL_OBJECTS):
            return None
        return found[0]

    def _class_of(self, path: str, scope: int | None) -> str | None:
        """The class whose method (or field initialiser) ``scope`` is, or is nested in."""
        if scope is None:
            return None
        memo = self.file_memo.class_of.get(path)
        if memo is None:
            memo = self.file_memo.class_of[path] = {}
        hit = memo.get(scope, "")
        if hit != "":
            return hit
        f = self.files[path]
        at: int | None = scope
        cls = None
        steps = 0
        while at is not None and steps < 64:
            fn = f.functions[at]
            if fn.name and "." in fn.name and (fn.kind == "method" or fn.parent is None):
                cls = fn.name.split(".", 1)[0]
                break
            at = fn.parent
            steps += 1
        memo[scope] = cls
        return cls

    # ---- declared types: an injected service, an Electron object ----------------------------
    def _param_type(self, cur: Where, param: ParamRef) -> Where | None:
        """A parameter whose declared type names a project class (`electron: ElectronService`, a
        constructor-injected service) or an Electron object (`wc: WebContents`): that."""
        f = self.files.get(cur.path)
        if f is None or param.fid is None or (cur.path, param.fid, param.name) in self._param_disputed:
            return None
        t = declared_param(f, param.fid, param.name)
        return self._typed_value(cur.path, t) if t is not None else None

    def _destructured_type(self, cur: Where, param: ParamRef) -> Where | None:
        """A binding destructured from a parameter whose declared type stands for an object of
        the project (``_typed_value``: the one object literal a factory of that type makes): that
        object's member along the binding's key path (`handle` in `({ ipc: { handle } }:
        BackendContext<C>) =>` is the factory's `ipc.handle`)."""
        f = self.files.get(cur.path)
        if f is None or f.types is None or param.fid is None:
            return None
        p = next((p for p in f.functions[param.fid].params if p.name == param.name), None)
        sig = f.types.funcs.get(param.fid)
        if p is None or not p.path or p.rest or sig is None or p.index >= len(sig.params):
            return None
        t = sig.params[p.index]
        where = self._typed_value(cur.path, t) if type(t) is TRef else None
        if where is None or type(where.value) is not Obj:
            return None
        for key in p.path:
            where = self.member(where, key)
            if where is None:
                return None
        return where

    def electron_type(self, path: str, scope: int | None, name: str) -> str | None:
        """The Electron class (`BrowserWindow`, `WebContents`, ...) that the declared type of the
        variable or parameter ``name`` seen from ``scope`` names (`let win: BrowserWindow | null`,
        `(w: Electron.BrowserWindow) =>`), or None. A binding of an inner scope without a declared
        type hides the outer ones."""
        f = self.files.get(path)
        if f is None or f.types is None:
            return None
        t: AnyT | None = None
        for _ in range(256):
            if (scope, name) in f.types.vars:
                t = f.types.vars[(scope, name)]
                break
            if (scope, name) in f.bindings or scope is None:
                return None
            fn = f.functions[scope]
            if any(p.name == name for p in fn.params):
                t = declared_param(f, scope, name)
                break
            scope = fn.parent
        return self.electron_class(path, without_nullish(t)) if t is not None else None  # `BrowserWindow | null`

    def electron_class(self, path: str, t: AnyT) -> str | None:
        """The Electron class a type written in ``path`` names (`Electron.BrowserWindow`, or
        `BrowserWindow` imported from 'electron' under any name), or None."""
        if type(t) is not TRef or t.args:
            return None
        head, _, rest = t.name.partition(".")
        if head == "Electron" and rest and "." not in rest:
            return rest
        if rest:
            return None
        where = self._type_binding(path, head)
        return where.value.api if where is not None and type(where.value) is Electron else None

    def typed_param(self, path: str, value: AnyV, scope: int | None) -> Where | None:
        """What a value that resolves to a parameter is by the parameter's declared type (a
        project class instance, an Electron object), or None."""
        r = self.resolve(path, value, scope)
        return self._param_type(r, r.value) if type(r.value) is ParamRef else None

    def _typed_value(self, path: str, t: AnyT) -> Where | None:
        """The value a declared type stands for: an instance of a project class (`this` of that
        class, in its constructor or first method, so its fields and methods resolve as they do
        inside it), or an Electron object (``ELECTRON_TYPES``; a union of WebContents and
        WebFrameMain: both send to a renderer). Other types (interfaces, library classes,
        generics, other unions) stand for nothing known."""
        f = self.files[path]
        if type(t) is TRef and t.args:  # `ctx: BackendContext<Config>`: what the app's one factory of it makes
            return self._factory_object(path, t.name)
        for _ in range(4):  # through type aliases
            if type(t) is TUnion:
                return self._electron_union(path, t)
            if type(t) is not TRef or t.args:
                return None
            decl = f.types.decls.get(t.name) if f.types is not None else None
            if decl is None or decl.kind != "alias" or decl.body is None:
                break
            t = decl.body
        else:
            return None
        head, _, rest = t.name.partition(".")
        if head == "Electron" and rest:  # the global namespace of Electron's own declarations
            where: Where | None = Where(path, Electron(span=_NO_SPAN, text=head, api="*"), None)
        elif decl is not None and decl.kind != "class":  # an interface (its one implementation) or an enum
            if decl.kind != "interface":
                return None
            return self._implementation(t.name) or self._factory_object(path, t.name)
        else:
            where = self._type_binding(path, head)
        if where is not None and rest:  # `Electron.WebContents`, `services.ElectronService`
            where = self.member(where, rest) if "." not in rest else None
            if where is not None and type(where.value) in _STEPPED:
                where = self.resolve(where.path, where.value, where.scope)
        if where is None:
            return None
        v = where.value
        if type(v) is Electron and v.api in ELECTRON_TYPES:
            return Where(where.path, Electron(span=v.span, text=v.text, api=ELECTRON_TYPES[v.api]), None)
        if type(v) is ClassV and v.name is not None and where.path in self.files:
            return self._instance(where.path, v)
        if not rest and type(v) is not External and self._declares_interface(where.path, head):
            return self._implementation(head)  # an interface imported from a project file
        return None

    def project_object(self, path: str, value: AnyV, scope: int | None) -> tuple[Where, Where | None] | None:
        """The project's own object a value is: an object literal (it, None), or an instance made
        with `new` of a class (it, the class); None for anything else (`api[method](...)` picks
        one of the project's functions only from such an object)."""
        w = self.resolve(path, value, scope)
        if w.path not in self.files:
            return None
        if isinstance(w.value, Obj):
            return w, None
        if isinstance(w.value, NewExpr):
            c = self.resolve(w.path, w.value.callee, w.scope)
            if isinstance(c.value, ClassV):
                return w, c
        return None

    def _declares_interface(self, path: str, name: str) -> bool:
        f = self.files.get(path)
        decl = f.types.decls.get(name) if f is not None and f.types is not None else None
        return decl is not None and decl.kind == "interface"

    def _implementation(self, interface: str) -> Where | None:
        """An instance of the one project class that implements ``interface`` (`class IpcRegistrar
        implements Registrar`: a service typed `Registrar` and made by a container is that class);
        None when no parsed class or more than one does."""
        index = self.memo.implementers
        if index is None:
            index = self.memo.implementers = {}
            for path, f in self.files.items():
                for cls, names in f.class_implements.items():
                    for n in names:
                        index.setdefault(n, []).append((path, cls))
        found = index.get(interface, [])
        if len(found) != 1:
            return None
        path, cls = found[0]
        bound = self.files[path].bindings.get((None, cls))
        return self._instance(path, bound) if type(bound) is ClassV else None

    def _factory_object(self, path: str, name: str) -> Where | None:
        """The object literal that the one project function declared to return the interface or
        object type ``name`` (as written in ``path``) makes: a plugin system's context, `const
        createContext = (id): BackendContext<Config> => ({ ipc: { handle: ... } })`, handed to
        plugins whose parameters are declared with that type (`({ ipc }: BackendContext<C>) =>`)
        through a loader the analysis cannot follow. None when no parsed function or more than one
        returns that type, or when it returns something other than one object literal."""
        home = self._type_home(path, name)
        if home is None:
            return None
        index = self.memo.factories
        if index is None:
            index = self.memo.factories = {}
            for fpath, f in self.files.items():
                if f.types is None:
                    continue
                for fid, sig in f.types.funcs.items():
                    ret = sig.ret
                    if type(ret) is not TRef or not any(type(r) is Obj for r in f.functions[fid].returns):
                        continue
                    at = self._type_home(fpath, ret.name)
                    if at is not None:
                        index.setdefault(at, []).append((fpath, fid))
        found = index.get(home, [])
        if len(found) != 1:
            return None
        fpath, fid = found[0]
        returns = self.files[fpath].functions[fid].returns
        return Where(fpath, returns[0], fid) if len(returns) == 1 and type(returns[0]) is Obj else None

    def _type_home(self, path: str, name: str) -> tuple[str, str] | None:
        """Where the interface or type alias ``name`` written in ``path`` is declared (its file and
        name there): this file, or the project file it is imported from (one step)."""
        f = self.files.get(path)
        if f is None or f.types is None or "." in name:
            return None
        decl = f.types.decls.get(name)
        if decl is not None:
            return (path, name) if decl.kind in ("interface", "alias") else None
        typed = f.types.type_imports.get(name)
        imp = f.imports.get(name)
        src, exported = typed if typed is not None else (imp.src, imp.name) if type(imp) is Import else ("", "")
        target = self.modules.resolve(path, src) if src else None
        if target is None or target not in self.files:
            if target is not None:
                self._need(target)  # (a file of types alone is parsed only when asked for)
            return None
        tf = self.files[target].types
        decl = tf.decls.get(exported) if tf is not None else None
        return (target, exported) if decl is not None and decl.kind in ("interface", "alias") else None

    def _type_binding(self, path: str, name: str) -> Where | None:
        """The module-level value a type name is also bound to: a class of the file, an imported
        (or `import type`d) class, an Electron class."""
        f = self.files[path]
        bound = f.bindings.get((None, name))
        if type(bound) is ClassV:
            return Where(path, bound, None)
        imp = f.imports.get(name)
        if type(imp) is Import:
            return self.resolve(path, imp, None)
        typed = f.types.type_imports.get(name) if f.types is not None else None
        if typed is None:
            return None
        src, exported = typed
        if src in ELECTRON_MODULES:
            return Where(path, Electron(span=_NO_SPAN, text=name, api=exported if exported not in ("*", "default")
                                        else "*"), None)
        target = self.modules.resolve(path, src)
        if target is None or target not in self.files:
            if target is not None:
                self._need(target)
            return None
        hit = self._export(target, exported, Dyn(span=_NO_SPAN, text=name))
        return self.resolve(hit.path, hit.value, hit.scope) if hit is not None else None

    def _declared_type(self, cur: Where, v: AnyV) -> AnyT | None:
        """The type the code declares for a variable, a parameter or a field of `this`
        (`const win: AppWindow`, `(win: AppWindow) =>`, `private windows: Map<number, AppWindow>`)."""
        f = self.files.get(cur.path)
        if f is None or f.types is None:
            return None
        if type(v) is Ref:
            hit = self.binding_at(cur.path, cur.scope, v.name) if v.name in self.bound_names(cur.path) else None
            if hit is None:
                return None
            scope, value = hit
            if value is not None or scope is None:
                return f.types.vars.get((scope, v.name))
            return declared_param(f, scope, v.name)
        if type(v) is Member and type(v.obj) is This:
            cls = self._class_of(cur.path, cur.scope)
            return f.types.fields.get((cls, v.prop)) if cls is not None else None
        return None

    def _declared_value(self, path: str, t: AnyT | None) -> Where | None:
        """What a declared type stands for (``_typed_value``), `T | null | undefined` taken as T."""
        return self._typed_value(path, without_nullish(t)) if t is not None else None

    def _declared_instance(self, cur: Where, ref: Ref) -> Where | None:
        """A variable whose value leads nowhere, by its declared type: `const win: AppWindow = ...`."""
        return self._declared_value(cur.path, self._declared_type(cur, ref))

    def _typed_result(self, cur: Where, call: CallExpr) -> Where | None:
        """What a call gives by the types the code declares, when its value cannot be followed: the
        value type of a `Map` or `WeakMap` field or variable read with `get` (`this.windows.get(id)`
        with `windows: Map<number, AppWindow>`: the app's registry of its windows), or the declared
        return type of a project function (`findWindow(id): AppWindow | undefined`). Guarded
        against cycles like ``_through_call``."""
        key = (cur.path, call.span.line, call.span.column, -2)
        if key in self._returning:
            return None
        self._returning.add(key)
        try:
            return self._typed_call(cur, call)
        finally:
            self._returning.discard(key)

    def _typed_call(self, cur: Where, call: CallExpr) -> Where | None:
        callee = call.callee
        if type(callee) is Member and callee.prop == "get":
            t = self._declared_type(cur, callee.obj)
            if type(t) is TRef and t.name in ("Map", "WeakMap") and len(t.args) == 2:
                return self._declared_value(cur.path, t.args[1])
        target = self.function_of(cur.path, callee, cur.scope)
        if target is None or target[0] not in self.files:
            return None
        types = self.files[target[0]].types
        sig = types.funcs.get(target[1]) if types is not None else None
        return self._declared_value(target[0], sig.ret) if sig is not None and sig.ret is not None else None

    def _electron_union(self, path: str, t: TUnion) -> Where | None:
        """`WebContents | WebFrameMain` (null and undefined aside): each sends to a renderer, so
        the value pushes like a webContents; any other union is unknown."""
        apis = set()
        for item in t.items[:8]:
            if type(item) is TPrim and item.name in ("null", "undefined"):
                continue
            hit = self._typed_value(path, item) if type(item) is TRef else None
            if hit is None or type(hit.value) is not Electron or hit.value.api not in _SENDERS:
                return None
            apis.add(hit.value.api)
        if not apis or len(t.items) > 8:
            return None
        api = "webContents" if "webContents" in apis else apis.pop()
        return Where(path, Electron(span=_NO_SPAN, text="", api=api), None)

    def _singleton(self, cur: Where, callee: Member) -> Where | None:
        """`WM.getInstance()` (its result asked for a member): an instance of the class when the
        static method called returns `new WM()`, or a static field that holds one
        (`return (WM.inst ??= new WM())`, `if (!WM.inst) WM.inst = new WM(); return WM.inst`)."""
        cls = self.resolve(cur.path, callee.obj, cur.scope)
        if type(cls.value) is not ClassV or cls.value.name is None or cls.path not in self.files:
            return None
        key = (cls.path, cls.value.name, callee.prop)
        if key in self.memo.singletons:
            return self.memo.singletons[key]
        self.memo.singletons[key] = None  # (a cycle through the accessor is no instance)
        f = self.files[cls.path]
        name = cls.value.name
        fid = f.class_methods.get(name, {}).get(callee.prop)
        hit: Where | None = None
        if fid is not None and callee.prop != "constructor":
            stack = list(f.functions[fid].returns)
            for _ in range(16):
                if not stack or hit is not None:
                    break
                r = stack.pop()
                if type(r) is Logic:  # `WM.inst ??= new WM()`, `WM.inst || new WM()`
                    stack += (r.left, r.right)
                elif type(r) is Member and _of_class(r.obj, name):  # `WM.inst`, `this.inst` (static: the class)
                    held = [a.value for a in f.assigns
                            if type(a.target) is Member and a.target.prop == r.prop and _of_class(a.target.obj, name)]
                    static = f.class_statics.get(name, {}).get(r.prop)
                    stack += held + ([static] if static is not None else [])
                elif type(r) is NewExpr and self._names_class(cls.path, r.callee, fid, name):
                    hit = self._instance(cls.path, cls.value)
        self.memo.singletons[key] = hit
        return hit

    def _names_class(self, path: str, v: AnyV, scope: int | None, name: str) -> bool:
        made = self.resolve(path, v, scope)
        return made.path == path and type(made.value) is ClassV and made.value.name == name

    def _new_instance(self, cur: Where, v: NewExpr) -> Where | None:
        """The `this` of an instance made with `new` of a project class (also one imported from
        another module), so that its members are the class's fields and methods."""
        c = self.resolve(cur.path, v.callee, cur.scope)
        if type(c.value) is ClassV and c.value.name is not None and c.path in self.files:
            return self._instance(c.path, c.value)
        return None

    def _instance(self, path: str, cls: ClassV) -> Where:
        """An instance of the project class ``cls`` of file ``path``: its `this`."""
        key = (path, cls.name or "")
        hit = self.memo.instances.get(key)
        if hit is None:
            methods = self.files[path].class_methods.get(cls.name or "", {})
            scope = methods.get("constructor", next(iter(methods.values()), None))
            hit = self.memo.instances[key] = Where(path, This(span=cls.span, text=f"this ({cls.name})"), scope)
        return hit

    def _import(self, path: str, v: Import) -> Where | None:
        src, name = v.src, v.name
        if src in ELECTRON_MODULES or src == BETTER_IPC and name in ("ipcMain", "ipcRenderer", "*", "default"):
            return Where(path, Electron(span=v.span, text=v.text, api="*" if name in ("*", "default") else name))
        target = self.modules.resolve(path, src)
        if target is None or target not in self.files:
            if target is not None:
                self._need(target)
            elif src.endswith(".json"):
                hit = self._json(path, src, name, v)
                if hit is not None:
                    return hit
            return Where(path, External(span=v.span, text=v.text, src=src, name=name))
        return self._export(target, name, v)

    def _module(self, path: str, v: Module) -> Where | None:
        src = v.src
        if src in ELECTRON_MODULES or src == BETTER_IPC:
            return Where(path, Electron(span=v.span, text=v.text, api="*"))
        target = self.modules.resolve(path, src)
        if target is None or target not in self.files:
            if target is not None:
                self._need(target)
            elif src.endswith(".json"):  # `require('./channels.json')`
                hit = self._json(path, src, "*", v)
                if hit is not None:
                    return hit
            return Where(path, External(span=v.span, text=v.text, src=src, name="*"))
        exports = self.files[target].exports
        whole = exports.get("*")
        if whole is not None and not isinstance(whole, Obj) and len(exports) == 1:  # `module.exports = CH` / a string
            return Where(target, whole, None)
        return Where(target, ModObj(span=v.span, text=v.text, path=target))

    def _json(self, path: str, src: str, name: str, v: AnyV) -> Where | None:
        """The value of ``name`` ("*"/"default": all of it) of the JSON module ``src`` imports."""
        key = (path, src, name, v.span)
        value = self.memo.json_values.get(key)
        if value is None:
            data = self.modules.json_module(path, src)
            if not isinstance(data, dict) or (name not in ("*", "default") and name not in data):
                return None
            part = data if name in ("*", "default") else data[name]
            value = self.memo.json_values[key] = json_value(part, v.span, v.text) \
                if _json_small(part) else Dyn(span=v.span, text=v.text, why="JSON data too large")
        return Where(path, value)

    def _export(self, target: str, name: str, v: AnyV, depth: int = 0) -> Where | None:
        f = self.files[target]
        if name == "*":
            return Where(target, ModObj(span=v.span, text=v.text, path=target))
        if name in f.exports:
            return Where(target, f.exports[name], None)
        if name == "default" and "*" in f.exports:
            return Where(target, f.exports["*"], None)
        whole = f.exports.get("*")
        if whole is not None and not isinstance(whole, Obj) and depth < 8:  # `module.exports = CH`, then `.ONE`
            hit = self.member(self.resolve(target, whole, None), name)
            if hit is not None and not isinstance(hit.value, Dyn):
                return hit
        if depth < 8:
            for src in f.star_exports:
                t2 = self.modules.resolve(target, src)
                if t2 and t2 not in self.files:
                    self._need(t2)
                if t2 and t2 in self.files and t2 != target:
                    hit = self._export(t2, name, v, depth + 1)
                    if hit is not None and not isinstance(hit.value, Dyn):
                        return hit
        return Where(target, Dyn(span=v.span, text=v.text, why=f"no export {name}"))

    def member(self, cur: Where, prop: str) -> Where | None:
        v = cur.value
        # (dispatched on the exact type: these value classes have no subclasses)
        if type(v) is Electron:
            api = prop if v.api == "*" else f"{v.api}.{prop}"
            return Where(cur.path, Electron(span=v.span, text=v.text, api=api))
        if type(v) is Obj:
            return self._obj_member(cur, v, prop)
        if type(v) is ClassV:
            if isinstance(v.name, str) and cur.path in self.files:
                f = self.files[cur.path]
                static = f.class_statics.get(v.name, {}).get(prop)
                if static is not None and not isinstance(static, (Null, Undef)):
                    return Where(cur.path, static, None)
                assigned = self._static_field(cur.path, v.name, prop)
                if assigned is not None:
                    return assigned
                # `WM.push(...)`: a static method (only a static one can be called on the class)
                method = f.class_methods.get(v.name, {}).get(prop)
                if method is not None and prop != "constructor":
                    return Where(cur.path, Fn(span=v.span, text=f"{v.name}.{prop}", fid=method), None)
            return None
        if type(v) is ModObj:
            return self._export(v.path, prop, v)
        if type(v) is Arr and prop.isdigit():  # `const [a, b] = [x, y]`: b is y
            i = int(prop)
            if i < len(v.items) and not any(type(x) is Spread for x in v.items[:i + 1]):
                return Where(cur.path, v.items[i], cur.scope)
            return None
        if type(v) is Global:
            if v.name not in GLOBAL_OBJECTS:
                return None
            written = self._global_written(cur.path, prop)  # `window.ipc = ipcRenderer; window.ipc.on(...)`
            if written is not None:
                return written
            return Where(cur.path, Global(span=v.span, text=prop, name=prop), None)
        if type(v) is External:
            full = prop if v.name in ("*", "default") else f"{v.name}.{prop}"
            return Where(cur.path, External(span=v.span, text=v.text, src=v.src, name=full))
        return None

    def _obj_member(self, cur: Where, obj: Obj, prop: str) -> Where | None:
        """The last entry named ``prop``, else what a spread entry (`...other`) gives for it."""
        if len(obj.props) > OBJ_INDEX_FROM:  # a table of channels: indexed, not read entry by entry per lookup
            keyed = self.file_memo.obj_props.get(id(obj))
            if keyed is None or keyed[0] is not obj:
                keyed = self.file_memo.obj_props[id(obj)] = (obj, {p.key: p.value for p in obj.props if not p.spread})
            if prop in keyed[1]:
                return Where(cur.path, keyed[1][prop], cur.scope)
        else:
            for p in reversed(obj.props):
                if p.key == prop and not p.spread:
                    return Where(cur.path, p.value, cur.scope)
        added = self._added_member(cur.path, obj, prop)
        if added is not None:
            return added
        spreads = [p.value.inner for p in reversed(obj.props)
                   if p.spread and isinstance(p.value, Spread) and p.value.inner is not None]
        if not spreads:
            return None
        key = (cur.path, id(obj))
        if key in self._spreading or len(self._spreading) >= MAX_SPREADS:
            return None  # (`state = { ...state, x }`, or a long chain of spreads: unknown)
        self._spreading.add(key)
        try:
            for inner_value in spreads:
                inner = self.resolve(cur.path, inner_value, cur.scope)
                hit = self.member(inner, prop)
                if hit is not None and not isinstance(hit.value, Dyn):
                    return hit
        finally:
            self._spreading.discard(key)
        return None

    def _added_member(self, path: str, obj: Obj, prop: str) -> Where | None:
        """A member that the file's assignments add to an object literal bound to a name, set
        exactly one way: a function (`const IPC = {}; IPC.invoke = (ch, a) => ipcRenderer.invoke(ch,
        a); module.exports = IPC`, then `IPC.invoke('get-state', x)` in another module), or any
        value set at module level. A member set in a function to anything else is state, not a
        known value."""
        index = self.file_memo.added_members.get(path)
        if index is None:
            f = self.files.get(path)
            if f is None:  # (not parsed: nothing kept for the rounds, which may parse it)
                return None
            index = self.file_memo.added_members[path] = {}
            for a in f.assigns:
                t = a.target
                if a.op != "=" or type(t) is not Member or type(t.obj) is not Ref:
                    continue
                hit = binding_scope(f, a.func, t.obj.name)
                bound = hit[1] if hit is not None else None
                if type(bound) is Obj and not any(p.key == t.prop for p in bound.props):
                    index.setdefault(id(bound), (bound, {}))[1].setdefault(t.prop, []).append(a)
        entry = index.get(id(obj))
        if entry is None or entry[0] is not obj:
            return None
        writes = entry[1].get(prop)
        if not writes or len({a.value.text for a in writes}) != 1:
            return None
        a = writes[0]
        if a.func is not None and type(a.value) is not Fn:
            return None
        return Where(path, a.value, a.func)

    # ---- derived questions ---------------------------------------------------------------
    def electron_api(self, path: str, value: AnyV, scope: int | None = None) -> str | None:
        r = self.resolve(path, value, scope).value
        return r.api if type(r) is Electron else None

    def channel(self, path: str, value: AnyV, scope: int | None = None, _depth: int = 0) -> str | None:
        """The string a channel expression always has, or None when it is dynamic."""
        if _depth > 16:
            return None
        r = self.resolve(path, value, scope, consts_only=True)
        match r.value:
            case Str(value=s) | Num(value=s):
                return s
            case Tpl(parts=parts):
                out = []
                for part in parts:
                    if isinstance(part, str):
                        out.append(part)
                        continue
                    sub = self.channel(r.path, part, r.scope, _depth + 1)
                    if sub is None:
                        return None
                    out.append(sub)
                return "".join(out)
            case Concat(left=left, right=right):
                a = self.channel(r.path, left, r.scope, _depth + 1)
                b = self.channel(r.path, right, r.scope, _depth + 1) if a is not None else None
                return a + b if a is not None and b is not None else None
        return None

    def channel_prefix(self, path: str, value: AnyV, scope: int | None = None, _depth: int = 0) -> str | None:
        """The fixed start of a channel made of parts of which only the first are constant
        (`${PREFIX}${name}`, `'reply:' + id`, `` `on-done-${id}` ``): the namespace a caller who
        picks the rest stays in (all of it when every part is constant), also when a project
        function builds it (``_built_prefix``). None when it starts with a dynamic part."""
        r = self.resolve(path, value, scope)
        parts = concat_parts(r.value, 32)
        if len(parts) < 2:
            return self._built_prefix(path, value, scope, r, _depth) if _depth < 3 else None
        prefix = ""
        for part in parts:
            text = part if isinstance(part, str) else self.channel(r.path, part, r.scope)
            if text is None:
                break
            prefix += text
        return prefix or None

    def _built_prefix(self, path: str, value: AnyV, scope: int | None, r: Where, depth: int = 0) -> str | None:
        """The start of a channel that a project function builds, common to every value it returns:
        its call (`channelName(id, 'sync')` over `(n, a) => `state-${n}-${a}``), or a property of
        the object it returns (`names.sync` with `const names = channelNames(id)` returning
        `{ sync: channelName(id, 'sync') }`)."""
        returns: list[Where] = []
        if type(r.value) is CallExpr:
            returns = self.returns_of(r.path, r.value.callee, r.scope)
        elif type(value) is Member:
            made = self.resolve(path, value.obj, scope)
            if type(made.value) is not CallExpr:
                return None
            for w in self.returns_of(made.path, made.value.callee, made.scope):
                o = self.resolve(w.path, w.value, w.scope)
                prop = next((p for p in o.value.props if p.key == value.prop and not p.spread), None) \
                    if type(o.value) is Obj else None
                if prop is None:
                    return None
                returns.append(Where(o.path, prop.value, o.scope))
        heads = {self.channel(w.path, w.value, w.scope) or self.channel_prefix(w.path, w.value, w.scope, depth + 1)
                 for w in returns}
        return heads.pop() if len(heads) == 1 and None not in heads else None

    def channel_values(self, path: str, value: AnyV, scope: int | None = None) -> list[str] | None:
        """Every value a channel expression takes: one for a constant, each element for the
        variable of a loop (`for (const ch of LIST)`, `LIST.forEach((ch) => ...)`) over a constant
        array or `Object.values/keys` of a constant object; None when dynamic."""
        single = self.channel(path, value, scope)
        if single is not None:
            return [single]
        r = self.resolve(path, value, scope)
        v = r.value
        source: AnyV | None = None
        how = "of"
        if isinstance(v, Iter):
            source, how = v.source, v.how
        elif isinstance(v, ParamRef):
            fn = self.func(r.path, v.fid)
            if fn is not None and fn.arg_of is not None and fn.params and fn.params[0].name == v.name \
                    and not fn.params[0].path:
                callee = self.files[r.path].calls[fn.arg_of].callee
                if isinstance(callee, Member) and callee.prop in ("forEach", "map", "flatMap"):
                    source = callee.obj
        if source is None:
            return None
        return self._elements(r.path, source, r.scope, how)

    def _elements(self, path: str, source: AnyV, scope: int | None, how: str) -> list[str] | None:
        r = self.resolve(path, source, scope)
        v = r.value
        if isinstance(v, CallExpr) and isinstance(v.callee, Member) and isinstance(v.callee.obj, Ref) \
                and v.callee.obj.name == "Object" and v.args:
            how = {"values": "of", "keys": "in"}.get(v.callee.prop, "")
            r = self.resolve(r.path, v.args[0], r.scope)
            v = r.value
        out: list[str] = []
        if isinstance(v, Arr) and how == "of":
            for item in v.items:
                s = self.channel(r.path, item, r.scope)
                if s is None:
                    return None
                out.append(s)
        elif isinstance(v, Obj):
            for p in v.props:
                if p.spread or p.key is None:
                    return None
                s = p.key if how == "in" else self.channel(r.path, p.value, r.scope)
                if s is None:
                    return None
                out.append(s)
        else:
            return None
        return out or None

    def function_of(self, path: str, value: AnyV, scope: int | None = None) -> tuple[str, int] | None:
        """The (path, function id) a value denotes, through references, imports, `.bind`."""
        r, _bound = self._unbound(path, value, scope)
        return (r.path, r.value.fid) if r is not None and isinstance(r.value, Fn) else None

    def returns_of(self, path: str, callee: AnyV, scope: int | None = None) -> list[Where]:
        """What the project function ``callee`` denotes returns, each value in that function's
        scope; [] when it denotes none."""
        target = self.function_of(path, callee, scope)
        if target is None:
            return []
        fpath, fid = target
        return [Where(fpath, r, fid) for r in self.files[fpath].functions[fid].returns]

    def _unbound(self, path: str, value: AnyV, scope: int | None) -> tuple[Where | None, int]:
        """What a value denotes once `.bind` calls are looked through (`fn.bind(ctx, a)`, also a
        utility library's `_.bind(fn, ctx, a)`), and how many leading arguments they fix; None
        when the chain is longer than eight."""
        total = 0
        for _ in range(8):
            r = self.resolve(path, value, scope)
            match r.value:
                case CallExpr(callee=Member(obj=lib, prop="bind"), args=args) if args and self.is_bind_library(
                        r.path, lib, r.scope):
                    total += max(0, len(args) - 2)
                    path, value, scope = r.path, args[0], r.scope
                case CallExpr(callee=Member(obj=bound, prop="bind"), args=args):
                    total += max(0, len(args) - 1)
                    path, value, scope = r.path, bound, r.scope
                case _:
                    return r, total
        return None, total

    def is_bind_library(self, path: str, value: AnyV, scope: int | None) -> bool:
        """`_` / `lodash` / `underscore` (or an import of lodash or underscore): its `bind(fn, ctx,
        ...partials)` binds its first argument, unlike `fn.bind(ctx, ...partials)`."""
        if isinstance(value, Ref) and value.name in ("_", "lodash", "underscore"):
            return True
        target = self.resolve(path, value, scope).value
        return isinstance(target, External) and target.src.split("/", 1)[0] in (
            "lodash", "lodash-es", "lodash.bind", "underscore")

    def unbound(self, path: str, value: AnyV, scope: int | None) -> Where | None:
        """What a value denotes once `.bind` calls are looked through (``_unbound``)."""
        return self._unbound(path, value, scope)[0]

    def bound_arguments(self, path: str, value: AnyV, scope: int | None) -> int:
        """How many leading arguments `.bind` fixes in the function a value denotes
        (`this.onWrite.bind(this, true)`: 1; `_.bind(this.onWrite, this, true)`: 1): the handler
        receives the event after them."""
        return self._unbound(path, value, scope)[1]


_SCRIPT_SRC = re.compile(rb"""<script\b[^>]*?\bsrc\s*=\s*(["'])([^"'>]+)\1""", re.I)
# an inline `<script>` (attributes, body); one with a src runs no body
_INLINE_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_SCRIPT_TYPE = re.compile(rb"""\btype\s*=\s*["']?([^"'\s>]*)""", re.I)
_CLASSIC_TYPES = frozenset({b"", b"text/javascript", b"application/javascript", b"text/ecmascript"})
_REQUIRE_ELECTRON = rb"""require\s*\(\s*(?:'electron'|"electron")\s*\)"""
# `const ipc = require('electron').ipcRenderer`, `window.ipc = require('electron').ipcRenderer`
_IPC_NAMED = re.compile(rb"(?:\b(?:const|let|var)\s+|\bwindow\s*\.\s*)([A-Za-z_$][\w$]*)\s*=\s*"
                        + _REQUIRE_ELECTRON + rb"\s*\.\s*ipcRenderer\b(?!\s*[.(\[])")
# `const { ipcRenderer } = require('electron')`, `const { ipcRenderer: ipc, shell } = ...`
_IPC_PATTERN = re.compile(rb"\b(?:const|let|var)\s*\{([^{}]*)\}\s*=\s*" + _REQUIRE_ELECTRON)
_IPC_ENTRY = re.compile(rb"^\s*ipcRenderer\s*(?::\s*([A-Za-z_$][\w$]*)\s*)?$")


def _inline_ipc_globals(data: bytes) -> set[str]:
    """The names an HTML page's inline classic scripts make ipcRenderer globals with: top-level
    bindings (no brace open before them in the script: not a function's or a block's) and
    `window.<name> = ...` anywhere. A module script's bindings are its own; text the scripts quote
    or comment out may miscount the braces, which only loses a name."""
    names: set[str] = set()
    for m in _INLINE_SCRIPT.finditer(data):
        attrs, body = m.group(1), m.group(2)
        kind = _SCRIPT_TYPE.search(attrs)
        if _SCRIPT_SRC.match(b"<script" + attrs + b">") \
                or (kind is not None and kind.group(1).lower() not in _CLASSIC_TYPES):
            continue
        for hit in _IPC_NAMED.finditer(body):
            if hit.group(0).startswith(b"window") or _top_level(body, hit.start()):
                names.add(hit.group(1).decode())
        for hit in _IPC_PATTERN.finditer(body):
            if not _top_level(body, hit.start()):
                continue
            for entry in hit.group(1).split(b","):
                e = _IPC_ENTRY.match(entry)
                if e is not None:
                    names.add((e.group(1) or b"ipcRenderer").decode())
    return names


def _top_level(body: bytes, at: int) -> bool:
    """No brace left open before ``at`` in the script."""
    head = body[:at]
    return head.count(b"{") <= head.count(b"}")


def without_nullish(t: AnyT) -> AnyT:
    """`T | null | undefined` as T; any other type as it is."""
    if type(t) is TUnion:
        items = [i for i in t.items if not (type(i) is TPrim and i.name in ("null", "undefined"))]
        if len(items) == 1:
            return items[0]
    return t


def declared_param(f: FileFacts, fid: int, name: str) -> AnyT | None:
    """The type TypeScript declares for the plain parameter ``name`` of function ``fid`` (not one
    destructured or a rest parameter), or None. An unannotated parameter of a function that is a
    property of an object literal returned by a function with a declared return type takes its
    type from that type's member of the same name, as the compiler types it contextually
    (`function send(): RendererToMain { return { receive: (event, ipcMain) => ... } }` with
    `interface RendererToMain { receive: (event: string, ipcMain: IpcMain) => void }`)."""
    if f.types is None:
        return None
    p = next((p for p in f.functions[fid].params if p.name == name), None)
    if p is None or p.path or p.rest:
        return None
    sig = f.types.funcs.get(fid)
    t = sig.params[p.index] if sig is not None and p.index < len(sig.params) else None
    if t is None:
        ctx = _contextual_sig(f, fid)
        t = ctx.params[p.index] if ctx is not None and p.index < len(ctx.params) else None
    return t


def _contextual_sig(f: FileFacts, fid: int) -> TSig | None:
    """The signature the declared return type of the enclosing function gives function ``fid``
    when ``fid`` is the value of a property of an object literal it returns: the member of that
    name of an interface or object type alias declared in the same file (whose type names are
    then read where they are written), a function-typed property or a method."""
    assert f.types is not None
    fn = f.functions[fid]
    if fn.name is None or fn.parent is None or fn.kind not in ("arrow", "function", "method"):
        return None
    outer = f.types.funcs.get(fn.parent)
    ret = outer.ret if outer is not None else None
    if type(ret) is not TRef or not any(
            type(r) is Obj and any(pr.key == fn.name and type(pr.value) is Fn and pr.value.fid == fid
                                   for pr in r.props) for r in f.functions[fn.parent].returns):
        return None
    decl = f.types.decls.get(ret.name)
    body = decl.body if decl is not None else None
    if type(body) is not TObj:
        return None
    for m in body.members:
        if m.name == fn.name:
            if type(m.type) is TFunc:
                return m.type.sig
            return m.sigs[0] if len(m.sigs) == 1 else None
    return None


def _is_module(f: FileFacts) -> bool:
    """The file imports or exports something (an ES or CommonJS module), so its top-level names are
    its own, not a classic page script's globals."""
    return bool(f.exports or f.star_exports or any(not k.startswith("\0") for k in f.imports))


JSON_NODES = 20_000  # values an import of a JSON module makes at most (a larger one: unknown)


def _json_small(data: object) -> bool:
    """At most JSON_NODES values in all (counting stops there)."""
    left, stack = JSON_NODES, [data]
    while stack:
        x = stack.pop()
        left -= 1
        if left < 0:
            return False
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return True


def json_value(data: object, span: Span, text: str, depth: int = 0) -> AnyV:
    """A JSON module's data as the static value an import of it is: objects, arrays, strings,
    numbers, booleans and null, at the importing statement's span (a JSON file has no facts).
    Deeper than 16 levels: unknown."""
    if isinstance(data, str):
        return Str(span=span, text=text, value=data)
    if isinstance(data, bool):
        return Bool(span=span, text=text, value=data)
    if isinstance(data, (int, float)):
        return Num(span=span, text=text, value=str(data))
    if data is None:
        return Null(span=span, text=text)
    if depth < 16 and isinstance(data, dict):
        return Obj(span=span, text=text, props=tuple(
            Prop(str(k), json_value(x, span, f"{text}.{k}", depth + 1), span) for k, x in data.items()))
    if depth < 16 and isinstance(data, list):
        return Arr(span=span, text=text, items=tuple(json_value(x, span, text, depth + 1) for x in data))
    return Dyn(span=span, text=text, why="JSON data")

"""Handler analysis shared by IPC005/IPC006/IPC007: each main-process handler, its renderer-supplied
parameters, and the check-time half of the parameter flow recorded by extract/handlerflow.py
(which calls validate: project functions named validate*/is*/..., schema libraries, config names).

A handler registered through an app wrapper is the edge at the wrapper's call site; what the
wrapper does around the handler (a schema validation, a sender check) is credited to it, and a
wrapper that calls the handler without the event (`(e, ...a) => fn(...a)`) makes every parameter
of the handler renderer-supplied.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ipclint.link import gatepaths
from ipclint.link.allowlists import weak_check
from ipclint.link.graph import Edge, value_names
from ipclint.link.ipcops import EVENTLESS_HANDLES
from ipclint.link.ports import contents_listener_calls
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, root_name, subtree, walk
from ipclint.model import Role, Span
from ipclint.model.facts import Call, Flow, Func, Occ, Param, Site, binding_scope
from ipclint.model.values import (
    Bool,
    CallExpr,
    Cmp,
    Dyn,
    Electron,
    External,
    Fn,
    Global,
    Member,
    NewExpr,
    Null,
    Num,
    Obj,
    Ref,
    Spread,
    Str,
    TypeOf,
    Undef,
)

VALIDATOR_PREFIX = re.compile(r"^(validate|assert|check|is|ensure|sanitize|parse)([A-Z_0-9]|$)")
SCHEMA_METHODS = frozenset({"parse", "safeParse", "parseAsync", "safeParseAsync", "validate", "validateSync",
                            "validateAsync", "assert", "is", "create", "mask", "decode", "cast", "check",
                            "Check", "Decode", "Parse"})
NOT_SCHEMAS = frozenset({"JSON", "path", "Date", "URL", "querystring", "qs", "url", "Number", "parseInt", "yaml",
                         "YAML", "toml", "semver", "Buffer", "matter", "cheerio", "marked", "shellQuote",
                         "shell", "minimist", "contentDisposition", "mime", "Papa", "csv", "xml", "parser",
                         "DOMParser", "posix", "win32", "nodePath", "upath"})
# A library function named as a test of its argument (`ValidationUtil.isUUIDv4(id)`,
# `validator.isEmail(x)`, `checkName(x)` from a package): a validator when its verdict is tested.
# Not Node's own modules (`path.isAbsolute(p)` says nothing about where `p` leads; `util.isDeepStrictEqual`),
# nor the parse/sanitize/ensure prefixes of project validators (`path.parse`, `JSON.parse`).
LIBRARY_TEST = re.compile(r"^(is|validate|check)([A-Z_0-9]|$)")
NODE_MODULES = frozenset({"path", "fs", "fs/promises", "url", "util", "os", "net", "buffer", "crypto", "child_process",
                          "stream", "events", "querystring", "assert", "module", "process", "vm", "electron", "tty",
                          "dns", "http", "https", "zlib", "worker_threads", "original-fs", "fs-extra", "graceful-fs",
                          "upath", "pathe"})
VALIDATION_LIBS = frozenset({"zod", "joi", "@hapi/joi", "yup", "ajv", "superstruct", "valibot", "io-ts",
                             "@sinclair/typebox", "runtypes", "class-validator", "validator", "arktype",
                             "@effect/schema", "typia", "is-url", "is-plain-obj", "validate-npm-package-name"})


@dataclass
class Handler:
    edge: Edge
    path: str
    fid: int
    func: Func
    params: list[Param]  # renderer-supplied parameters (after the event)
    event: str | None
    scopes: set[int]
    wrapper_validates: bool = False
    event_parts: dict[str, str] = field(default_factory=dict)  # `({ sender }, x) =>`: name -> field
    flow: Flow | None = None  # where its parameters go (``Project.flow``)




def handlers(project: Project) -> list[Handler]:
    """Main-process handler registrations whose handler function is known, one per edge."""
    if project.memo.handlers is not None:
        return project.memo.handlers
    out: list[Handler] = []
    # what a wrapper function does around its handlers, asked once per wrapper (however many
    # handlers it registers)
    validates: dict[tuple[str, int], bool] = {}
    passings: dict[tuple[str, int], str | None] = {}
    for e in project.graph.edges:
        if e.kind == "port" and e.handler is not None:  # a MessagePort handler: its event's data is renderer data
            path, fid = e.handler
            fn = project.files[path].functions[fid]
            data = [p for p in fn.params if p.index == 0 and (not p.path or p.path[0] == "data")]
            out.append(Handler(e, path, fid, fn, data, None, subtree(project.files[path], fid),
                               flow=project.flow(path, fid)))
            continue
        if e.kind not in ("handle", "on") or e.side != "main" or e.handler is None:
            continue
        path, fid = e.handler
        fn = project.files[path].functions[fid]
        if e.method in EVENTLESS_HANDLES:  # `(data, browserWindow) =>`: every parameter is data
            out.append(Handler(e, path, fid, fn, [p for p in fn.params if p.index == 0], None,
                               subtree(project.files[path], fid), flow=project.flow(path, fid)))
            continue
        passing = None
        if e.handler_guard is not None:  # `checked(fn)`: fn gets the renderer's arguments only, or all
            passing = "" if e.guard_drops_event else None
        elif e.wrapper_funcs:
            w = e.wrapper_funcs[0]
            passing = passings[w] if w in passings else passings.setdefault(w, _event_passing(project, w))
        dropped = passing == ""
        # (`this.onWrite.bind(this, true)`: the event comes after the bound arguments, which are
        # main's own values)
        k = project.bound_arguments(e.path, e.handler_value, e.scope) \
            if passing is None and e.handler_value is not None else 0
        ev = next((p.name for p in fn.params if p.index == k and not p.path and not p.rest), None) \
            if passing is None else None
        # (a rest parameter in the event's place, `(...args) =>`, holds the renderer's arguments too)
        params = [p for p in fn.params if dropped or p.index >= k + 1 or p.index == k and p.rest]
        if passing is not None and passing.startswith(IN_OBJECT):  # `({ event, params: { path } }) =>`
            key = passing[len(IN_OBJECT):]
            ev = next((p.name for p in fn.params if p.index == 0 and p.path == (key,)), None)
            params = [p for p in fn.params if p.index != 0 or not p.path or p.path[0] != key]
        h = Handler(e, path, fid, fn, params, ev, subtree(project.files[path], fid), flow=project.flow(path, fid))
        around = e.wrapper_funcs + ((e.handler_guard,) if e.handler_guard is not None else ())
        h.wrapper_validates = any(validates[w] if w in validates else validates.setdefault(
            w, _function_validates(project, w)) for w in around)
        if passing and passing != DERIVED and not passing.startswith(IN_OBJECT):  # `event.sender` (or another field)
            h.event_parts = {p.name: passing for p in fn.params if p.index == 0 and not p.path}
        elif passing is None and ev is None:
            h.event_parts = {p.name: p.path[0] for p in fn.params if p.index == k and len(p.path) == 1}
        out.append(h)
    project.memo.handlers = out
    return out


def contents_handlers(project: Project, first: int = 2) -> list[Handler]:
    """`webContents.on('ipc-message', (event, channel, ...args) => ...)` listeners: they receive the
    page's `send`s, so their parameters after the channel are renderer data like an ipcMain
    handler's (IPC006's sinks), whichever channels they test. One per listener; its edge names no
    channel. ``first`` 1: the channel parameter too, which the page names (IPC016's relay
    `(e, channel, ...a) => win.webContents.send(channel, ...a)`)."""
    out: list[Handler] = []
    seen: set[tuple[str, int]] = set()
    for path, c, event, target in contents_listener_calls(project):
        if target is None or target in seen:
            continue
        seen.add(target)
        fn = project.files[target[0]].functions[target[1]]
        ev = next((p.name for p in fn.params if p.index == 0 and not p.path), None)
        params = [p for p in fn.params if p.index >= first]
        if params:
            e = Edge(kind="on", method=event, receiver="webContents", channel=None, path=path, span=c.span,
                     channel_span=None, role=Role.MAIN, call=c.index, scope=c.func, handler=target,
                     handler_value=c.args[1])
            out.append(Handler(e, target[0], target[1], fn, params, ev, subtree(project.files[target[0]], target[1]),
                               flow=project.flow(target[0], target[1])))
    return out


def wrapper_handlers(project: Project) -> list[Handler]:
    """The functions app wrappers register themselves around their callers' handlers
    (`answer(ch, fn)` registering `(event, replyOn, ...args) => ...`), once per wrapper: what they
    do with the renderer's arguments before handing them on (IPC006's sinks) is judged there,
    not at each caller."""
    if project.memo.wrapper_handlers is not None:
        return project.memo.wrapper_handlers
    out: list[Handler] = []
    seen: set[tuple[str, int]] = set()
    for e in project.graph.edges:
        if e.kind not in ("handle", "on") or e.side != "main" or not e.wrapper_funcs:
            continue
        for wop in project.wrappers.get(e.wrapper_funcs[0], ()):
            if wop.site in seen or wop.op.handler_arg is None or wop.op.kind not in ("handle", "on"):
                continue
            seen.add(wop.site)
            f = project.files[wop.site[0]]
            site = f.calls[wop.site[1]]
            inner = site.args[wop.op.handler_arg] if wop.op.handler_arg < len(site.args) else None
            if not isinstance(inner, Fn):
                continue
            fn = f.functions[inner.fid]
            ev = next((p.name for p in fn.params if p.index == 0 and not p.path), None)
            params = [p for p in fn.params if p.index >= 1]
            if params:
                out.append(Handler(e, wop.site[0], inner.fid, fn, params, ev, subtree(f, inner.fid),
                                   flow=project.flow(wop.site[0], inner.fid)))
    project.memo.wrapper_handlers = out
    return out


def _event_passing(project: Project, wrapper: tuple[str, int]) -> str | None:
    """How a wrapper hands the event to the handler: None as is (or unknown), "" not at all
    (`(e, ...args) => fn(...args)`), one of its fields (`(e, ...a) => fn(e.sender, ...a)`), or
    something made from it (``DERIVED``: `(e, ...a) => fn(BrowserWindow.fromWebContents(e.sender), ...a)`)."""
    for wop in project.wrappers.get(wrapper, ()):
        if not wop.handler_wrapped or wop.op.handler_arg is None or wop.op.kind not in ("handle", "on"):
            continue
        f = project.files[wop.site[0]]
        site = f.calls[wop.site[1]]
        if wop.op.handler_arg >= len(site.args):
            continue
        handler = site.args[wop.op.handler_arg]
        if not isinstance(handler, Fn):
            continue
        inner = f.functions[handler.fid]
        first = next((p for p in inner.params if p.index == 0), None)
        if first is None or first.rest:
            return None
        scopes = subtree(f, inner.id)
        mutable = f.mutable
        for c in project.calls_under(wop.site[0], inner.id):
            if not isinstance(c.callee, Ref):
                continue
            hit = project.param_of(wop.site[0], c.func, c.callee.name)
            if hit is None or hit[0] in scopes:
                continue
            a0 = c.args[0] if c.args else None
            if isinstance(a0, Ref) and a0.name == first.name:
                return None
            if isinstance(a0, Member) and isinstance(a0.obj, Ref) and a0.obj.name == first.name:
                return a0.prop
            if isinstance(a0, Obj):  # `listener({ event, params })`: the event under a key of one object
                key = next((q.key for q in a0.props if not q.spread and isinstance(q.value, Ref)
                            and q.value.name == first.name and q.key), None)
                if key is not None:
                    return IN_OBJECT + key
            if isinstance(a0, Ref):  # `const win = BrowserWindow.fromWebContents(event.sender); fn(win, ...args)`
                a0 = next((v for (scope, name), v in f.bindings.items()
                           if name == a0.name and scope in scopes and (scope, name) not in mutable), a0)
            if a0 is not None and _mentions(a0.text, first.name) \
                    and not any(_mentions(a0.text, p.name) for p in inner.params if p is not first):
                return DERIVED  # `fn(BrowserWindow.fromWebContents(event.sender), ...args)`
            return ""
    return None


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text) is not None


# ``_event_passing``: the handler's first parameter is made from the event (Atom's
# `respondTo(channel, (window, ...args) => ...)`): neither renderer data nor the event itself
DERIVED = "\0derived"
# ``_event_passing``: the handler's first parameter is an object holding the event under the key
# that follows (lx-music's `listener({ event, params })`): its other keys are renderer data
IN_OBJECT = "\0object:"
Scope = dict[int, frozenset[gatepaths.Path]]


def _function_validates(project: Project, target: tuple[str, int]) -> bool:
    path, fid = target
    if path not in project.files:
        return False
    return any(isinstance(c.callee, Member) and callee_name(c.callee) in SCHEMA_METHODS
               and validator_call(project, path, c) for c in project.calls_under(path, fid))


# ---- which calls validate ---------------------------------------------------------------------

# Schema methods that return a verdict instead of throwing: ignoring their result checks nothing.
VERDICT_METHODS = frozenset({"safeParse", "safeParseAsync", "is", "Check", "check", "validate", "test"})
# Name prefixes that promise a throw, for project functions whose body cannot be read.
THROWING_PREFIX = re.compile(r"^(assert|ensure|validate|verify|check|require)([A-Z_0-9]|$)")


def validator_call(project: Project, path: str, call: Call, extra: frozenset[str] = frozenset(),
                   held: bool = False) -> bool:
    """Schema libraries, project functions named validate*/assert*/check*/is*/ensure*/sanitize*/
    parse* (parse* only when it can throw or return early), `new URL`, and the names given in
    config. ``held``: the call's result is ignored (`validate(x);`), so it validates only if it
    throws on bad input."""
    callee = call.callee
    name = callee_name(callee)
    if name is None:
        return False
    if name in extra or callee.text in extra:
        return True
    if call.new:
        return name == "URL"
    if name == "parse" and type(callee) is Member and type(callee.obj) is Ref and callee.obj.name == "URL":
        return True  # `URL.parse(u)`: `new URL(u)` that gives null instead of throwing
    r = project.resolve(path, callee, call.func)
    if isinstance(r.value, External):
        mod = r.value.src
        schema = isinstance(callee, Member) and name in SCHEMA_METHODS and mod.removeprefix("node:") not in NOT_SCHEMAS
        if held:  # library validators: only the throwing forms
            return (schema or (mod in VALIDATION_LIBS and name in SCHEMA_METHODS)) and (
                name not in VERDICT_METHODS or (name == "validate" and call.awaited))
        return mod in VALIDATION_LIBS or mod.startswith("is-") or schema or (
            LIBRARY_TEST.match(name) is not None and mod.removeprefix("node:") not in NODE_MODULES
            and not mod.startswith(("electron/", "node:")))
    # `modals.create(x)` that names a project function is judged as one (by its name), not as a schema's method
    # (also a method of a project class instance: `windows.create(type, arg)` with `export default
    # new WindowManager()` opens a window, it checks nothing)
    if isinstance(callee, Member) and name in SCHEMA_METHODS and root_name(callee.obj) not in NOT_SCHEMAS \
            and not isinstance(r.value, (Global, Electron, Fn)) and not _project_method(project, path, call):
        return not held or name not in VERDICT_METHODS or (name == "validate" and call.awaited)
    if VALIDATOR_PREFIX.match(name):
        target = project.function_of(path, callee, call.func)
        if target is None and isinstance(callee, Member):  # `this.registry.validateEnv(p)`: a method
            from ipclint.link.wrappers import callee_function  # of a project class instance
            target = callee_function(project, path, call)
        if target is not None and name.startswith("parse") and not _leaves_early(project, target):
            return False  # `parseArticle(url)` that fetches it: a parser that never rejects is a use
        if isinstance(r.value, Fn) or target is not None:
            return not held or bool(THROWING_PREFIX.match(name))
        if isinstance(r.value, (CallExpr, NewExpr)):  # const validate = ajv.compile(schema)
            return not held
    return not held and isinstance(r.value, CallExpr) and _ajv_validator(project, r.path, r.value, r.scope)


def _project_method(project: Project, path: str, call: Call) -> bool:
    """The call runs a method of an instance of a project class (`new Manager()`)."""
    from ipclint.link.wrappers import callee_function
    return callee_function(project, path, call) is not None


def _leaves_early(project: Project, target: tuple[str, int]) -> bool:
    """The project function throws or returns early on some input (`if (!ok) throw ...`)."""
    tf = project.files.get(target[0])
    if tf is None:
        return True  # a body we cannot read: trust the name
    return any(ex.func in subtree(tf, target[1]) for ex in tf.exits)


AJV_FACTORIES = frozenset({"compile", "getSchema"})


def _ajv_validator(project: Project, path: str, made: CallExpr, scope: int | None) -> bool:
    """`ajv.compile(schema)`, `new Ajv().compile(schema)`, `ajv.getSchema(id)`: an ajv validator,
    whatever the variable holding it is called."""
    callee = made.callee
    if not isinstance(callee, Member) or callee.prop not in AJV_FACTORIES:
        return False
    obj = project.resolve(path, callee.obj, scope)
    if isinstance(obj.value, NewExpr):
        obj = project.resolve(obj.path, obj.value.callee, obj.scope)
    v = obj.value
    if isinstance(v, External):
        return v.src == "ajv" or v.src.startswith("ajv/")
    return isinstance(v, (Global, Dyn)) and "ajv" in (root_name(callee.obj) or callee.obj.text).lower()


@dataclass
class JudgeState:
    """What a Judge remembers: its answers per site, and how many recursions it cut short (a site
    asked about while its own answer is under way). Plain data, without the project: kept on the
    project (``Memo.judges``), it makes no reference cycle through it."""

    memo: dict[tuple[str, int, int, bool, bool, frozenset[int]], bool] = field(default_factory=dict)
    args: dict[tuple[str, int], dict[int, list[tuple[str, int]]]] = field(default_factory=dict)
    related: dict[tuple[str, int, str], set[str]] = field(default_factory=dict)
    # (path, function, argument index, the property holding the data or "") -> whether the function
    # returns that data (link/taint.py)
    returns: dict[tuple[str, int, int, str], bool] = field(default_factory=dict)
    cuts: int = 0
    # sites (keys of ``memo``) that validate only some properties of the data they take: a
    # project function whose gates test `options.protocol` (argument index -> paths tested)
    scopes: dict[tuple[str, int, int, bool, bool, frozenset[int]], Scope] = field(default_factory=dict)


class Judge:
    """Decides, per recorded site, whether it validates; memoised for a run of one rule.

    The question every data-flow rule asks is ``validated(path, fid, flow, occ)``: is this read of
    renderer data on the passing side of a check that validates it (path-sensitive: the flow
    records, per read, the sites whose passing outcome the path to it implies, and the calls
    evaluated before it whose result nobody tests)? ``is_use`` says whether the read uses the
    value (a check, a validator call or an allowlist lookup does not)."""

    def __init__(self, project: Project, extra: frozenset[str] = frozenset(), state: JudgeState | None = None) -> None:
        self.project = project
        self.extra = extra
        self.state = state if state is not None else JudgeState()  # what it remembers (shared_judge)
        self._memo = self.state.memo
        self._busy: set[tuple[str, int, int]] = set()
        self.returning: set[tuple[str, int, int, str]] = set()  # returns being summarised (link/taint.py)
        self._args = self.state.args
        self._related = self.state.related

    def _site_args(self, path: str, fid: int, flow: Flow) -> dict[int, list[tuple[str, int]]]:
        """Site -> (name, argument index) of the tracked reads passed to its call."""
        hit = self._args.get((path, fid))
        if hit is None:
            hit = self._args[(path, fid)] = {}
            for o in flow.occs:
                if o.role == "arg" and o.arg >= 0 and o.site >= 0:
                    hit.setdefault(o.site, []).append((o.name, o.arg))
        return hit

    def site(self, path: str, fid: int, flow: Flow, i: int, taint: bool = False,
             renderer: set[str] | None = None, held: bool = False, args: frozenset[int] | None = None) -> bool:
        """Whether site ``i`` validates the data it tests, on its passing side. ``renderer``: the
        tracked names that carry renderer data (None: all of them); a comparison between two of
        them validates neither. ``held``: the site's result is ignored (it must throw). ``args``:
        for a call, the arguments carrying the data in question (None: every tracked one)."""
        s = flow.sites[i]
        if s.kind == "pair":
            return renderer is not None and s.sides is not None and any(
                not renderer.intersection(side) for side in s.sides)
        if args is None:
            args = frozenset(a for _n, a in self._site_args(path, fid, flow).get(i, ()))
        key = (path, fid, i, taint, held, args)
        hit = self._memo.get(key)
        if hit is None:
            if (path, fid, i) in self._busy:
                self.state.cuts += 1
                return False
            self._busy.add((path, fid, i))
            try:
                every = frozenset(a for _n, a in self._site_args(path, fid, flow).get(i, ()))
                verdict = self._judge(path, fid, flow, s, taint, held, args, every)
                if isinstance(verdict, dict):
                    self.state.scopes[key] = verdict
                hit = bool(verdict)
            finally:
                self._busy.discard((path, fid, i))
            self._memo[key] = hit
        return hit

    def _judge(self, path: str, fid: int, flow: Flow, s: Site, taint: bool, held: bool,
               args: frozenset[int], every: frozenset[int] = frozenset()) -> bool | Scope:
        if s.kind in ("check", "lookup"):
            return not held and weak_check(self.project, path, fid, s) is None
        if s.kind == "url":
            return not taint  # parsing alone does not choose a safe target; a protocol check does
        if s.kind != "call":
            return False
        call = call_at(self.project, path, s.span)
        if call is None:
            return False
        if validator_call(self.project, path, call, self.extra, held):
            return True
        return self._gated(path, call, args, held, every | args)

    def _gated(self, path: str, call: Call, indexes: frozenset[int], held: bool,
               tracked: frozenset[int] = frozenset()) -> bool | Scope:
        """A project function that throws (or, when its result is tested, returns early or returns
        the verdict) on a failed test of the parameter the value arrives in. ``tracked``: every
        argument that carries the caller's tracked data (a test against the other parameters,
        `allowed.includes(new URL(u).protocol)` with `allowed` given as literals, validates).
        When its tests read only properties of the parameters (`options.protocol`), the paths
        tested, per argument index (gatepaths): they validate those properties only."""
        from ipclint.link.wrappers import callee_function
        target = callee_function(self.project, path, call)
        if target is None:
            return False
        tpath, tfid = target
        fn = self.project.files[tpath].functions[tfid]
        inner = self.project.flow(tpath, tfid)
        if inner is None or not inner.gates:
            return False
        params = [p.name for p in fn.params if any(p.index == a or (p.rest and p.index <= a) for a in indexes)]
        if not params:
            return False
        names = derived(inner, params)
        others = derived(inner, [p.name for p in fn.params
                                 if any(p.index == a or (p.rest and p.index <= a) for a in tracked)])
        # A function that returns a verdict is a validator only as a pure predicate: one that
        # uses the value first (`setEnabled(v); return isEnabled() === v`) is not.
        predicate = not any(o.name in names and self.is_use(tpath, tfid, inner, o) for o in inner.occs)
        # A gate validates the value only when the function does not hand it back before its
        # gates run (`if (!id) return url; const u = new URL(url)`): the caller then uses what
        # it returns as if it had been checked.
        last = max((inner.sites[g.site].span for g in inner.gates if names.intersection(inner.sites[g.site].names)),
                   key=lambda sp: (sp.line, sp.column), default=None)
        if not predicate and last is not None and any(
                o.role == "ret" and o.name in names and (o.span.line, o.span.column) < (last.line, last.column)
                and not self.validated(tpath, tfid, inner, o, renderer=names | others) for o in inner.occs):
            return False
        by_site = self._site_args(tpath, tfid, inner)
        passed = False
        params_at = {p.name: p for p in fn.params}
        paths = gatepaths.param_paths(fn)
        tested: dict[int, set[gatepaths.Path]] = {}
        for g in inner.gates:
            if (held and g.how not in ("throw", "held")) or (g.how == "result" and not predicate) \
                    or g.how == "accept":  # (an early yes makes no validator: later code may say yes too)
                continue
            if not names.intersection(inner.sites[g.site].names):
                continue
            # (a call there validates only the arguments that carry this data: `send(id, line)`
            # that throws for an unknown id does not validate the line)
            carried = frozenset(a for n, a in by_site.get(g.site, ()) if n in names)
            if not self.site(tpath, tfid, inner, g.site, renderer=names | others, held=g.how == "held", args=carried):
                continue
            passed = True
            for o in inner.occs:  # the properties of each parameter that the gate tests
                if o.site != g.site or o.name not in names:
                    continue
                at, root = gatepaths.read_path(inner, o, paths)
                param = params_at.get(root) if root is not None else None
                if param is None or param.rest:
                    return True  # (data made from several parameters, or a rest parameter: whole)
                tested.setdefault(param.index, set()).add(at)
        if passed and tested and all(() not in t for t in tested.values()):
            return {i: frozenset(t) for i, t in tested.items()}
        return passed

    def validated(self, path: str, fid: int, flow: Flow, occ: Occ, taint: bool = False,
                  renderer: set[str] | None = None) -> bool:
        """Whether the read ``occ`` is on a path where a check of its data passed."""
        return bool(self.validating(path, fid, flow, occ, taint, renderer, every=False))

    def validating(self, path: str, fid: int, flow: Flow, occ: Occ, taint: bool = False,
                   renderer: set[str] | None = None, every: bool = True) -> list[int]:
        """The sites whose passing the read ``occ`` sits behind and that validate its data (the
        first one only, unless ``every``)."""
        if not occ.dom and not occ.held:
            return []
        related = self._related.get((path, fid, occ.name))
        if related is None:
            related = self._related[(path, fid, occ.name)] = related_names(flow, occ.name)
        by_site = self._site_args(path, fid, flow)

        def args(i: int) -> frozenset[int]:
            return frozenset(a for n, a in by_site.get(i, ()) if n in related)

        def by(i: int, held: bool) -> bool:
            a = args(i)
            if not self.site(path, fid, flow, i, taint, renderer, held=held, args=a):
                return False
            scope = self.state.scopes.get((path, fid, i, taint, held, a))
            return scope is None or self._in_scope(path, fid, flow, occ, i, scope, related)

        out: list[int] = []
        for i, held in [(i, False) for i in occ.dom] + [(i, True) for i in occ.held]:
            if by(i, held):
                out.append(i)
                if not every:
                    break
        return out

    def _in_scope(self, path: str, fid: int, flow: Flow, occ: Occ, i: int, scope: Scope, related: set[str]) -> bool:
        """The read's data is among the properties that the call at site ``i`` validates: the paths
        its function tests, seen through the object keys each argument wraps the data in."""
        params = gatepaths.param_paths(self.project.files[path].functions[fid])
        want, _root = gatepaths.read_path(flow, occ, params)
        for o in flow.occs:
            if o.site != i or o.role != "arg" or o.name not in related or o.arg not in scope:
                continue
            base, _root = gatepaths.read_path(flow, o, params)
            tested = (base + m for t in scope[o.arg] if (m := gatepaths.unwrap(t, o.keys)) is not None)
            if gatepaths.covers(tested, want):
                return True
        return False

    def is_use(self, path: str, fid: int, flow: Flow, occ: Occ) -> bool:
        """A read that uses the value: not a check, not an argument of a validator, not a lookup
        that restricts it (a lookup in a plain object is a use: `constructor` is found too)."""
        if occ.role in ("use", "set", "ret"):
            return True
        if occ.role == "arg":
            one = frozenset({occ.arg})
            return not (self.site(path, fid, flow, occ.site, args=one)
                        or self.site(path, fid, flow, occ.site, held=True, args=one))
        if occ.role == "check" and occ.site >= 0 and flow.sites[occ.site].kind == "lookup":
            return not self.site(path, fid, flow, occ.site)
        return False


def shared_judge(project: Project, extra: frozenset[str] = frozenset()) -> Judge:
    """The Judge of the frozen project for these extra validators, shared by the rules that ask
    (IPC005, IPC006, IPC016): each answer is a function of the site alone as long as no recursion
    was ever cut short (``JudgeState.cuts``: a cut answer depends on what was being asked when it was
    remembered), so a Judge that cut one gives way to a fresh one, as each rule had before."""
    if not project.frozen:
        return Judge(project, extra)
    states = project.memo.judges
    state = states.get(extra)
    if state is None or state.cuts:
        state = states[extra] = JudgeState()
    return Judge(project, extra, state)


def related_names(flow: Flow, name: str) -> set[str]:
    """The name, what it was taken from, and what was made from it (a check of any of them, in
    a call that takes it, says something about it; a sibling's does not)."""
    out = {name}
    cur = name
    for _ in range(16):
        src = next((a.source for a in flow.aliases if a.name == cur), None)
        if src is None or src in out:
            break
        out.add(src)
        cur = src
    return out | derived(flow, {name})


def call_at(project: Project, path: str, span: Span) -> Call | None:
    return project.call_at(path, span)


def pure_family(flow: Flow, name: str) -> set[str]:
    """The parameter and its pure aliases (`const { path } = args`): the same renderer data."""
    out = {name}
    for _ in range(4):
        more = {a.name for a in flow.aliases if a.pure and a.source in out} - out
        if not more:
            break
        out |= more
    return out


def derived(flow: Flow, roots: Iterable[str]) -> set[str]:
    """The names and every name made from them (`const s = a + b`, `const { x } = a`)."""
    out = set(roots)
    for _ in range(4):
        more = {a.name for a in flow.aliases if a.source in out} - out
        if not more:
            break
        out |= more
    return out


def first_unvalidated_uses(project: Project, h: Handler, judge: Judge) -> list[tuple[Param, Occ]]:
    """For each renderer-supplied parameter, its first use that no validation dominates. Handing
    the value to a project function that validates it before using it (or does not use it) is
    not such a use."""
    flow = h.flow
    if flow is None:
        return []
    out: list[tuple[Param, Occ]] = []
    renderer = derived(flow, (p.name for p in h.params))
    for p in h.params:
        hit = _first_unvalidated(project, judge, h.path, h.fid, flow, pure_family(flow, p.name), renderer, 0)
        if hit is not None:
            out.append((p, hit))
    return out


def _first_unvalidated(project: Project, judge: Judge, path: str, fid: int, flow: Flow, names: set[str],
                       renderer: set[str], depth: int) -> Occ | None:
    for occ in flow.occs:
        if occ.name not in names or not judge.is_use(path, fid, flow, occ):
            continue
        if judge.validated(path, fid, flow, occ, renderer=renderer):
            continue  # on the passing side of a check; a use on the failing side is not
        if _bound_validated(judge, path, fid, flow, occ.name, renderer):
            continue  # `const v = ok(x) ? x : DEFAULT`: v holds x only where the check passed
        if occ.role == "arg" and depth < 2 and _validated_inside(project, judge, path, occ, depth):
            continue
        return occ
    return None


def _bound_validated(judge: Judge, path: str, fid: int, flow: Flow, name: str, renderer: set[str]) -> bool:
    """``name`` is a `const` alias whose one defining read is on the passing side of a check (`const
    url = ALLOWED.includes(x) ? x : ALLOWED[0]`, `const p = ok(x) && x`), or a `const` copy of such
    an alias: every later use holds only validated data. A `let` may be bound again elsewhere
    (only its first binding is an alias): not judged so."""
    for _ in range(4):
        alias = next((a for a in flow.aliases if a.name == name), None)
        if alias is None or not alias.const or not alias.pure or not 0 <= alias.occ < len(flow.occs):
            return False
        if judge.validated(path, fid, flow, flow.occs[alias.occ], renderer=renderer):
            return True
        name = alias.source
    return False


def receiving_params(fn: Func, call: Call | None, occ: Occ) -> list[Param]:
    """The parameters of ``fn`` that receive the value an argument occurrence passes: the one at
    its index, a rest parameter at or before it, and, for a spread argument (`f(...args)`), every
    later one; for a property passed on (`f(x.path)`), only a parameter destructuring that key."""
    spread = call is not None and 0 <= occ.arg < len(call.args) and isinstance(call.args[occ.arg], Spread)
    return [p for p in fn.params
            if (p.index == occ.arg or (spread and p.index > occ.arg) or (p.rest and p.index <= occ.arg))
            and (not p.path or not occ.keys or p.path[0] == occ.keys[0])]


def _validated_inside(project: Project, judge: Judge, path: str, occ: Occ, depth: int) -> bool:
    """The value goes to a project function that never reads the parameter, or that uses it only
    on the passing side of its checks. A function that merely reads it (compares it with its own
    data, `markdown.match(...)`) uses it. When the callee is the variable of a loop over a
    constant table of functions (`for (const [ch, fn] of Object.entries(HANDLERS))
    ipcMain.handle(ch, (e, ...a) => fn(...a))`), the value goes to each of them: it is validated
    inside when it is in every one."""
    from ipclint.link.tables import loop_values
    from ipclint.link.wrappers import callee_function, forwarded_function
    call = call_at(project, path, occ.into) if occ.into is not None else None
    if call is None:
        return False
    target = forwarded_function(project, path, call) or callee_function(project, path, call)
    targets = [target] if target is not None else []
    if target is None and isinstance(call.callee, Ref):
        for w in loop_values(project, path, call.func, call.callee) or ():
            t = project.function_of(w.path, w.value, w.scope)
            if t is None:
                return False  # an entry that is no function of the project: unknown
            targets.append(t)
    table = target is None
    return bool(targets) and all(_validated_in(project, judge, path, call, occ, t, depth, table) for t in targets)


def _rebound(project: Project, path: str, call: Call) -> bool:
    """The callee is a variable that the file assigns again (`let onAuth = noop`, later `onAuth =
    callback`): the function first bound to it is not the only one the call may run."""
    if type(call.callee) is not Ref:
        return False
    hit = binding_scope(project.files[path], call.func, call.callee.name)
    return hit is not None and next(project.assignments_to(path, hit[0], call.callee.name), None) is not None


def _validated_in(project: Project, judge: Judge, path: str, call: Call, occ: Occ, target: tuple[str, int],
                  depth: int, table: bool) -> bool:
    """``_validated_inside`` for one project function the call (in ``path``) runs (``table``: one
    entry of a table, which may declare no parameter for the value: `[CH.LIST]: () => list()` takes
    none)."""
    fn = project.files[target[0]].functions[target[1]]
    params = receiving_params(fn, call, occ)
    if not params:
        # an entry of a table may declare no parameter for the value (`[CH.LIST]: () => list()`); a lone
        # callee that declares none reads it only through `arguments` (which an arrow has not); one
        # given it merged into an object (`run({ ...opts })`, `Object.assign({}, opts)`) may read any
        # of its properties, whatever keys it destructures
        merged = "..." in occ.keys and any(p.index == occ.arg or p.rest and p.index <= occ.arg for p in fn.params)
        return table or not merged and not _may_read_arguments(project, target[0], fn) \
            and not _rebound(project, path, call)
    inner = project.flow(target[0], target[1])
    if inner is None:
        return False  # a function whose file was not analysed
    names = set().union(*(pure_family(inner, p.name) for p in params))
    reads = [o for o in inner.occs if o.name in names]
    if not reads:
        return True
    if not any(judge.is_use(target[0], target[1], inner, o) for o in reads):
        # It only tests the value: validation when a test is an allowlist or a comparison with
        # constants, or when it hands it to a validator (`schema.parse(input)`: an argument that
        # is no use is a validator's); a function that merely reads it (compares it with its own
        # data) uses it.
        return any(o.role == "arg" or o.role == "check"
                   and _checks_against_constants(project, target[0], target[1], inner, o) for o in reads)
    renderer = derived(inner, (p.name for p in params))
    return _first_unvalidated(project, judge, target[0], target[1], inner, names, renderer, depth + 1) is None


def _may_read_arguments(project: Project, path: str, fn: Func) -> bool:
    """Whether a function can read arguments it declares no parameter for: not an arrow (whose
    `arguments` is its enclosing function's), and its file uses `arguments` as a value somewhere
    (`fn.apply(this, arguments)`, `arguments[1]`, `Array.from(arguments)`) or the function returns it."""
    if fn.kind == "arrow":
        return False
    return "arguments" in value_names(project, path) or any(
        isinstance(x, Ref) and x.name == "arguments" for r in fn.returns for x in walk(r))


def _checks_against_constants(project: Project, path: str, fid: int, flow: Flow, occ: Occ) -> bool:
    site = flow.sites[occ.site] if occ.site >= 0 else None
    if site is None or site.kind not in ("check", "lookup") or weak_check(project, path, fid, site) is not None:
        return False
    v = site.value
    if not isinstance(v, Cmp) or v.op in ("in", "instanceof"):
        return True  # typeof, an allowlist membership, a builtin test
    names = set(site.names)
    other = v.right if any(isinstance(x, Ref) and x.name in names for x in walk(v.left, into_calls=True)) else v.left
    if isinstance(other, (Str, Num, Bool, Null, Undef, TypeOf)):
        return True
    return project.channel(path, other, fid) is not None or isinstance(project.resolve(path, other, fid).value, Num)

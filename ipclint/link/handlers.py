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

import msgspec

from ipclint.link.graph import Edge
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, root_name, subtree
from ipclint.model import Span
from ipclint.model.facts import Call, Flow, Func, Occ, Param
from ipclint.model.values import CallExpr, Dyn, Electron, External, Fn, Global, Member, NewExpr, Ref

VALIDATOR_PREFIX = re.compile(r"^(validate|assert|check|is|ensure|sanitize|parse|verify)([A-Z_0-9]|$)")
SCHEMA_METHODS = frozenset({"parse", "safeParse", "parseAsync", "safeParseAsync", "validate", "validateSync",
                            "validateAsync", "assert", "is", "create", "mask", "decode", "cast", "check",
                            "Check", "Decode", "Parse"})
NOT_SCHEMAS = frozenset({"JSON", "path", "Date", "URL", "querystring", "qs", "url", "Number", "parseInt", "yaml",
                         "YAML", "toml", "semver", "Buffer", "matter", "cheerio", "marked", "shellQuote",
                         "shell", "minimist", "contentDisposition", "mime", "Papa", "csv", "xml", "parser",
                         "DOMParser", "posix", "win32", "nodePath", "upath"})
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

    @property
    def flow(self) -> Flow | None:
        return self.func.flow




def handlers(project: Project) -> list[Handler]:
    """Main-process handler registrations whose handler function is known, one per edge."""
    if project.memo.handlers is not None:
        return project.memo.handlers
    out: list[Handler] = []
    for e in project.graph.edges:
        if e.kind == "port" and e.handler is not None:  # a MessagePort handler: its event's data is renderer data
            path, fid = e.handler
            fn = project.files[path].functions[fid]
            data = [p for p in fn.params if p.index == 0 and (not p.path or p.path[0] == "data")]
            out.append(Handler(e, path, fid, fn, data, None, subtree(project.files[path], fid)))
            continue
        if e.kind not in ("handle", "on") or e.side != "main" or e.handler is None:
            continue
        path, fid = e.handler
        fn = project.files[path].functions[fid]
        passing = _event_passing(project, e)
        dropped = passing == ""
        ev = next((p.name for p in fn.params if p.index == 0 and not p.path), None) if passing is None else None
        params = [p for p in fn.params if dropped or p.index >= 1]
        h = Handler(e, path, fid, fn, params, ev, subtree(project.files[path], fid))
        h.wrapper_validates = any(_function_validates(project, w) for w in e.wrapper_funcs)
        if passing:  # the handler's first parameter is `event.sender` (or another field)
            h.event_parts = {p.name: passing for p in fn.params if p.index == 0 and not p.path}
        elif passing is None and ev is None:
            h.event_parts = {p.name: p.path[0] for p in fn.params if p.index == 0 and len(p.path) == 1}
        out.append(h)
    project.memo.handlers = out
    return out


def _event_passing(project: Project, e: Edge) -> str | None:
    """How a wrapper hands the event to the handler: None as is (or unknown), "" not at all
    (`(e, ...args) => fn(...args)`), or one of its fields (`(e, ...a) => fn(e.sender, ...a)`)."""
    if not e.wrapper_funcs:
        return None
    for wop in project.wrappers.get(e.wrapper_funcs[0], ()):
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
        for c in f.calls:
            if c.func not in scopes or not isinstance(c.callee, Ref):
                continue
            hit = project.param_of(wop.site[0], c.func, c.callee.name)
            if hit is None or hit[0] in scopes:
                continue
            a0 = c.args[0] if c.args else None
            if isinstance(a0, Ref) and a0.name == first.name:
                return None
            if isinstance(a0, Member) and isinstance(a0.obj, Ref) and a0.obj.name == first.name:
                return a0.prop
            return ""
    return None


def _function_validates(project: Project, target: tuple[str, int]) -> bool:
    path, fid = target
    f = project.files.get(path)
    if f is None:
        return False
    scopes = subtree(f, fid)
    return any(c.func in scopes and isinstance(c.callee, Member) and callee_name(c.callee) in SCHEMA_METHODS
               and validator_call(project, path, c) for c in f.calls)


# ---- which calls validate ---------------------------------------------------------------------

def validator_call(project: Project, path: str, call: Call, extra: frozenset[str] = frozenset()) -> bool:
    """Schema libraries, project functions named validate*/assert*/check*/is*/ensure*/sanitize*/
    parse*, `new URL`, and the names given in config."""
    callee = call.callee
    name = callee_name(callee)
    if name is None:
        return False
    if name in extra or callee.text in extra:
        return True
    if call.new:
        return name == "URL"
    r = project.resolve(path, callee, call.func)
    if isinstance(r.value, External):
        mod = r.value.src
        return mod in VALIDATION_LIBS or mod.startswith("is-") or (
            isinstance(callee, Member) and name in SCHEMA_METHODS and mod not in ("path", "node:path", "url", "qs"))
    if isinstance(callee, Member) and name in SCHEMA_METHODS and root_name(callee.obj) not in NOT_SCHEMAS \
            and not isinstance(r.value, (Global, Electron)):
        return True
    if VALIDATOR_PREFIX.match(name):
        if isinstance(r.value, Fn) or project.function_of(path, callee, call.func) is not None:
            return True
        if isinstance(r.value, (CallExpr, NewExpr)):  # const validate = ajv.compile(schema)
            return True
    return isinstance(r.value, CallExpr) and _ajv_validator(project, r.path, r.value, r.scope)


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


class Judge:
    """Decides, per recorded site, whether it validates; memoised for a run of one rule."""

    def __init__(self, project: Project, extra: frozenset[str] = frozenset()) -> None:
        self.project = project
        self.extra = extra
        self._memo: dict[tuple[str, int, int, bool], bool] = {}

    def site(self, path: str, fid: int, flow: Flow, i: int, taint: bool = False,
             renderer: set[str] | None = None) -> bool:
        """``renderer``: the tracked names that carry renderer data (None: all of them); a
        comparison between two of them validates neither."""
        s = flow.sites[i]
        if s.kind == "pair":
            return renderer is not None and s.sides is not None and any(
                not renderer.intersection(side) for side in s.sides)
        key = (path, fid, i, taint)
        hit = self._memo.get(key)
        if hit is None:
            if s.kind == "check":
                hit = True
            elif s.kind == "url":
                hit = not taint  # parsing alone does not choose a safe target; a protocol check does
            elif s.kind == "empty":
                hit = False
            else:
                call = call_at(self.project, path, s.span)
                hit = call is not None and validator_call(self.project, path, call, self.extra)
            self._memo[key] = hit
        return hit

    def validated(self, path: str, fid: int, flow: Flow, occ: Occ, taint: bool = False,
                  renderer: set[str] | None = None) -> bool:
        return any(self.site(path, fid, flow, i, taint, renderer) for i in occ.dom)

    def is_use(self, path: str, fid: int, flow: Flow, occ: Occ) -> bool:
        if occ.role == "use":
            return True
        return occ.role == "arg" and not self.site(path, fid, flow, occ.site)


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
            out.append((p, _at_declaration(flow, hit, p.name)))
    return out


def _at_declaration(flow: Flow, occ: Occ, param: str) -> Occ:
    """A use of an alias (`const n = a.name` ... `use(n)`) is reported where the parameter was
    first used: its read in the declaration that starts the chain (the alias stays named)."""
    by_name = {a.name: a for a in flow.aliases}
    cur = occ.name
    for _ in range(8):
        a = by_name.get(cur)
        if a is None:
            break
        if a.source == param:
            return msgspec.structs.replace(occ, span=flow.occs[a.occ].span)
        cur = a.source
    return occ


def _first_unvalidated(project: Project, judge: Judge, path: str, fid: int, flow: Flow, names: set[str],
                       renderer: set[str], depth: int) -> Occ | None:
    for occ in flow.occs:
        if occ.name not in names or not judge.is_use(path, fid, flow, occ):
            continue
        if judge.validated(path, fid, flow, occ, renderer=renderer):
            return None
        if occ.role == "arg" and depth < 2 and _validated_inside(project, judge, path, occ, depth):
            continue
        return occ
    return None


def _validated_inside(project: Project, judge: Judge, path: str, occ: Occ, depth: int) -> bool:
    """The value goes to a project function whose parameter is validated before any use there."""
    from ipclint.link.wrappers import callee_function
    call = call_at(project, path, occ.into) if occ.into is not None else None
    target = callee_function(project, path, call) if call is not None else None
    if target is None:
        return False
    fn = project.files[target[0]].functions[target[1]]
    params = [p for p in fn.params if (p.index == occ.arg or (p.rest and p.index <= occ.arg))
              and (not p.path or not occ.keys or p.path[0] == occ.keys[0])]
    inner = fn.flow
    if not params or inner is None:
        return bool(params) and inner is None  # a parameter it never reads
    names = set().union(*(pure_family(inner, p.name) for p in params))
    renderer = derived(inner, (p.name for p in params))
    return _first_unvalidated(project, judge, target[0], target[1], inner, names, renderer, depth + 1) is None

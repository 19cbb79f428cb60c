"""Checks that decide whether a sender, a navigation or a window-open is trusted (IPC017).

A *context* is a function whose string tests decide trust: a main-process IPC handler (the
sender's `event.senderFrame.url`/`.origin`, `event.sender.getURL()`), a `will-navigate`,
`will-frame-navigate`, `will-redirect` or `new-window` listener and a `setWindowOpenHandler`
callback (the URL about to load), a `will-attach-webview` listener (`params.src`), permission
handlers (the requesting page), and a preload's window `message` listener (`event.origin`).
Inside it, the value being trusted is followed through locals, `new URL(...)` and its parts, and
into project functions it is handed to; every test made on it is recorded with what it tests.
Judging the tests is the rule's business (rules/weak_sender_check.py).
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from ipclint.link.handlers import handlers
from ipclint.link.project import GLOBAL_OBJECTS, Project
from ipclint.link.senders import function_index
from ipclint.link.vutil import callee_name
from ipclint.link.wrappers import callee_function
from ipclint.model import Role
from ipclint.model.facts import Call, FileFacts, Param
from ipclint.model.span import Span
from ipclint.model.values import (
    AnyV,
    Await,
    CallExpr,
    Cmp,
    Cond,
    Dyn,
    Fn,
    Logic,
    Member,
    NewExpr,
    Not,
    Num,
    Ref,
    Spread,
    Str,
)


class K(enum.Enum):
    """What a value is, as far as trust goes."""

    EVENT = "event"  # an IPC event: .sender, .senderFrame
    FRAME = "frame"  # a WebFrameMain: .url, .origin, .top, .parent
    SENDER = "sender"  # a WebContents: .getURL(), .mainFrame
    DETAILS = "details"  # navigation or window-open details: .url
    MESSAGE = "message"  # a window MessageEvent: .origin
    PERMISSION = "permission"  # permission handler details: .requestingUrl, .securityOrigin
    WEBVIEW = "webview"  # will-attach-webview params: .src
    PARSED = "parsed"  # a URL object
    URL = "url"
    ORIGIN = "origin"
    HOST = "host"
    PROTOCOL = "protocol"
    PATH = "path"


class Decides(enum.Enum):
    """What a context's checks decide."""

    SENDER = "sender"
    NAVIGATION = "navigation"
    WINDOW_OPEN = "window-open"
    WEBVIEW = "webview"
    PERMISSION = "permission"
    MESSAGE = "message origin"


STRINGS = frozenset({K.URL, K.ORIGIN, K.HOST, K.PROTOCOL, K.PATH})
FIELDS: dict[tuple[K, str], K] = {
    (K.EVENT, "senderFrame"): K.FRAME, (K.EVENT, "sender"): K.SENDER,
    (K.FRAME, "url"): K.URL, (K.FRAME, "origin"): K.ORIGIN, (K.FRAME, "top"): K.FRAME, (K.FRAME, "parent"): K.FRAME,
    (K.SENDER, "mainFrame"): K.FRAME, (K.SENDER, "focusedFrame"): K.FRAME,
    (K.DETAILS, "url"): K.URL, (K.MESSAGE, "origin"): K.ORIGIN, (K.WEBVIEW, "src"): K.URL,
    (K.PERMISSION, "requestingUrl"): K.URL, (K.PERMISSION, "securityOrigin"): K.ORIGIN,
    (K.PERMISSION, "origin"): K.ORIGIN, (K.PERMISSION, "requestingOrigin"): K.ORIGIN,
    (K.PARSED, "href"): K.URL, (K.PARSED, "origin"): K.ORIGIN, (K.PARSED, "host"): K.HOST,
    (K.PARSED, "hostname"): K.HOST, (K.PARSED, "protocol"): K.PROTOCOL, (K.PARSED, "pathname"): K.PATH,
}
SAME_STRING = frozenset({"toLowerCase", "toLocaleLowerCase", "trim", "toString", "valueOf", "normalize"})
STRING_TESTS = frozenset({"startsWith", "endsWith", "includes", "indexOf", "lastIndexOf", "search", "match"})
REGEX_TESTS = frozenset({"test", "exec"})
EQUALITY = frozenset({"===", "!==", "==", "!="})
# event name -> (parameter index, kind) of its listener
LISTENED: dict[str, tuple[Decides, tuple[tuple[int, K], ...]]] = {
    "will-navigate": (Decides.NAVIGATION, ((0, K.DETAILS), (1, K.URL))),
    "will-redirect": (Decides.NAVIGATION, ((0, K.DETAILS), (1, K.URL))),
    "will-frame-navigate": (Decides.NAVIGATION, ((0, K.DETAILS),)),
    "new-window": (Decides.WINDOW_OPEN, ((1, K.URL),)),
    "will-attach-webview": (Decides.WEBVIEW, ((2, K.WEBVIEW),)),
}
SETTERS: dict[str, tuple[Decides, tuple[tuple[int, K], ...]]] = {
    "setWindowOpenHandler": (Decides.WINDOW_OPEN, ((0, K.DETAILS),)),
    "setPermissionRequestHandler": (Decides.PERMISSION, ((0, K.SENDER), (3, K.PERMISSION))),
    "setPermissionCheckHandler": (Decides.PERMISSION, ((0, K.SENDER), (2, K.ORIGIN), (3, K.PERMISSION))),
    "setDevicePermissionHandler": (Decides.PERMISSION, ((0, K.PERMISSION),)),
}
LISTEN = frozenset({"on", "once", "addListener", "prependListener", "prependOnceListener"})
_ROOT_CALLS = LISTEN | frozenset(SETTERS) | {"addEventListener"}  # the calls ``_roots`` looks at
MAIN_RECEIVERS = frozenset({"ipcMain", "webContents.ipc", "frame.ipc"})
# Handing the value to a function named like this is a check made elsewhere (evidence that a
# scheme test is not the only one).
CHECK_NAME = re.compile(r"^(is|has|can|should|check|valid|verify|assert|allow|trust|match|ensure)|"
                        r"allow|trust|valid|safe|permit|whitelist", re.I)
MAX_DEPTH = 3
MAX_KIND_STEPS = 24

Seeds = dict[tuple[int, str], K]  # (function id, parameter name) -> kind


@dataclass(frozen=True, slots=True)
class Test:
    """One test made on a trusted value. method: a string method (startsWith ...), "test" (a regex's
    test/exec), "==" (an equality, either way round), "member" (`SET.has(x)`, `LIST.includes(x)`),
    "handoff" (given to a check function the project does not define)."""

    path: str
    span: Span
    scope: int | None
    method: str
    kind: K
    subject: AnyV
    other: AnyV | None = None
    prefix_only: bool = False  # `x.indexOf(p) === 0`


@dataclass
class Context:
    decides: Decides
    path: str
    fid: int
    tests: list[Test] = field(default_factory=list)
    opens_external: bool = False  # shell.openExternal is called in it (scheme tests are IPC006's business)
    # conditions under which it blocks (`event.preventDefault()`) or opens outside (`shell.openExternal`)
    selectors: list[AnyV] = field(default_factory=list)

    def selects(self, t: Test) -> bool:
        """The test, where it holds, only selects what is blocked or opened outside the app (`if
        (url.includes('help.example.com')) { e.preventDefault(); shell.openExternal(url) }`): an
        attacker who passes it gains nothing."""
        return any(polarity(cond, t.span) is True for cond in self.selectors)


def contexts(project: Project) -> list[Context]:
    """Every context with the tests made in it (memoised on the project; linking runs it first, so
    every helper it reaches is parsed before the rules ask)."""
    if project.memo.trust is not None:
        return project.memo.trust
    out: list[Context] = []
    for decides, path, fid, seeds in _roots(project):
        ctx = Context(decides, path, fid)
        _Analysis(project, ctx).run(path, fid, seeds, 0)
        out.append(ctx)
    project.memo.trust = out
    return out


def _roots(project: Project) -> list[tuple[Decides, str, int, Seeds]]:
    out: dict[tuple[str, int], tuple[Decides, str, int, Seeds]] = {}
    for h in handlers(project):
        seeds: Seeds = {}
        if h.event:
            seeds[(h.fid, h.event)] = K.EVENT
        for name, fld in h.event_parts.items():
            k = FIELDS.get((K.EVENT, fld))
            if k is not None:
                seeds[(h.fid, name)] = k
        if seeds:
            out.setdefault((h.path, h.fid), (Decides.SENDER, h.path, h.fid, seeds))
    for (path, idx), op in sorted(project.ipc_ops.items()):
        if op.kind in ("handle", "on") and op.receiver in MAIN_RECEIVERS and op.handler_arg is not None:
            call = project.files[path].calls[idx]
            _add_root(project, out, path, call, op.handler_arg, Decides.SENDER, ((0, K.EVENT),))
    for path, call in project.iter_calls_named(_ROOT_CALLS):
        name = callee_name(call.callee) or ""
        if name in LISTEN and len(call.args) > 1 and isinstance(call.args[0], Str) \
                and call.args[0].value in LISTENED:
            decides, params = LISTENED[call.args[0].value]
            _add_root(project, out, path, call, 1, decides, params)
        elif name in SETTERS and isinstance(call.callee, Member):
            decides, params = SETTERS[name]
            _add_root(project, out, path, call, 0, decides, params)
        elif name == "addEventListener" and len(call.args) > 1 and isinstance(call.args[0], Str) \
                and call.args[0].value == "message" and _on_window(call.callee) \
                and project.role(path) == Role.PRELOAD:
            _add_root(project, out, path, call, 1, Decides.MESSAGE, ((0, K.MESSAGE),))
    for path in sorted(project.files):
        if project.role(path) != Role.PRELOAD:
            continue
        for a in project.files[path].assigns:
            if callee_name(a.target) == "onmessage" and _on_window(a.target):
                target = project.function_of(path, a.value, a.func)
                if target is not None:
                    _add_seeded(project, out, target, Decides.MESSAGE, ((0, K.MESSAGE),))
    return [out[k] for k in sorted(out)]


def _on_window(callee: AnyV) -> bool:
    """`addEventListener(...)`, `window.addEventListener(...)`, `window.onmessage`."""
    if isinstance(callee, Ref):
        return True
    return isinstance(callee, Member) and isinstance(callee.obj, Ref) and callee.obj.name in GLOBAL_OBJECTS


def _add_root(project: Project, out: dict[tuple[str, int], tuple[Decides, str, int, Seeds]], path: str,
              call: Call, index: int, decides: Decides, params: tuple[tuple[int, K], ...]) -> None:
    if index >= len(call.args):
        return
    target = project.function_of(path, call.args[index], call.func)
    if target is not None:
        _add_seeded(project, out, target, decides, params)


def _add_seeded(project: Project, out: dict[tuple[str, int], tuple[Decides, str, int, Seeds]],
                target: tuple[str, int], decides: Decides, params: tuple[tuple[int, K], ...]) -> None:
    path, fid = target
    fn = project.files[path].functions[fid]
    seeds: Seeds = {}
    for index, kind in params:
        for p in fn.params:
            if p.index == index:
                k = _param_kind(p, kind)
                if k is not None:
                    seeds[(fid, p.name)] = k
    if seeds:
        out.setdefault(target, (decides, path, fid, seeds))


def _param_kind(p: Param, kind: K) -> K | None:
    """The kind of a parameter binding given its argument's kind (`({ url }) =>` is the url)."""
    if p.rest:
        return None
    k: K | None = kind
    for key in p.path:
        k = FIELDS.get((k, key)) if k is not None else None
    return k


class _Analysis:
    """Follows the trusted value through one context: its root function and the project
    functions the value is handed to (a few calls deep)."""

    def __init__(self, project: Project, ctx: Context) -> None:
        self.project = project
        self.ctx = ctx
        self.seen: set[tuple[str, int, frozenset[tuple[tuple[int, str], K]]]] = set()
        self.spans: set[tuple[str, Span, str]] = set()

    def run(self, path: str, fid: int, seeds: Seeds, depth: int) -> None:
        key = (path, fid, frozenset(seeds.items()))
        if key in self.seen or len(self.seen) > 64:
            return
        self.seen.add(key)
        f = self.project.files.get(path)
        if f is None:
            return
        calls, checks, _exits, _local = function_index(self.project, path).of(sorted(f.subtree(fid)))
        kinds = _Kinds(self.project, f, seeds)
        zero: set[Span] = set()  # `x.indexOf(p)` calls compared with 0: prefix tests
        for chk in checks:
            if chk.op not in EQUALITY:
                continue
            for side, other in ((chk.left, chk.right), (chk.right, chk.left)):
                if isinstance(side, CallExpr) and isinstance(other, Num) and other.value == "0":
                    zero.add(side.span)
                k = kinds.of(side, chk.func)
                if k in STRINGS and kinds.of(other, chk.func) is None:
                    self._add(Test(path, chk.span, chk.func, "==", k, side, other))
        for c in calls:
            self._call(f, c, kinds, zero, depth)

    def _call(self, f: FileFacts, c: Call, kinds: _Kinds, zero: set[Span], depth: int) -> None:
        project, path, callee = self.project, f.path, c.callee
        if isinstance(callee, Member) and callee.prop in ("preventDefault", "openExternal"):
            self.ctx.selectors.extend(c.conds)
        if project.electron_api(path, callee, c.func) == "shell.openExternal":
            self.ctx.opens_external = True
            return
        if isinstance(callee, Member):
            k = kinds.of(callee.obj, c.func)
            if k in STRINGS and callee.prop in STRING_TESTS and c.args:
                assert k is not None
                self._add(Test(path, c.span, c.func, callee.prop, k, callee.obj, c.args[0], c.span in zero))
                return
            a0 = kinds.of(c.args[0], c.func) if c.args else None
            if a0 in STRINGS and a0 is not None:
                if callee.prop in REGEX_TESTS:
                    self._add(Test(path, c.span, c.func, "test", a0, c.args[0], callee))
                    return
                if callee.prop in ("has", "includes", "indexOf", "some"):
                    self._add(Test(path, c.span, c.func, "member", a0, c.args[0], callee.obj))
                    return
        handed: list[tuple[int, K]] = []
        for i, a in enumerate(c.args):
            ka = kinds.of(a, c.func) if not isinstance(a, Spread) else None
            if ka is not None:
                handed.append((i, ka))
        if not handed or c.new:
            return
        target = callee_function(project, path, c) if depth < MAX_DEPTH else None
        if target is not None:
            fn = project.files[target[0]].functions[target[1]]
            seeds: Seeds = {}
            for i, k in handed:
                for p in fn.params:
                    if p.index == i:
                        pk = _param_kind(p, k)
                        if pk is not None:
                            seeds[(fn.id, p.name)] = pk
            if seeds:
                self.run(target[0], target[1], seeds, depth + 1)
            return
        i, k = handed[0]
        if CHECK_NAME.search(callee_name(callee) or ""):
            self._add(Test(path, c.span, c.func, "handoff", k, c.args[i], callee))

    def _add(self, t: Test) -> None:
        key = (t.path, t.span, t.method)
        if key not in self.spans:
            self.spans.add(key)
            self.ctx.tests.append(t)


class _Kinds:
    """What the values of one analysed function are (memoised per value)."""

    def __init__(self, project: Project, f: FileFacts, seeds: Seeds) -> None:
        self.project = project
        self.f = f
        self.seeds = seeds
        self.memo: dict[tuple[Span, int | None], K | None] = {}

    def of(self, v: AnyV, scope: int | None, steps: int = 0) -> K | None:
        if steps > MAX_KIND_STEPS:
            return None
        key = (v.span, scope)
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = None  # a cycle (`let u = u.trim()`) knows nothing
        k = self._of(v, scope, steps + 1)
        self.memo[key] = k
        return k

    def _of(self, v: AnyV, scope: int | None, steps: int) -> K | None:
        match v:
            case Ref(name=name):
                return self._ref(name, scope, steps)
            case Member(obj=obj, prop=prop):
                if isinstance(obj, Not):
                    # tree-sitter-typescript reads `!a!.b.c()` as `(!a)!.b.c()`: the negation belongs
                    # to the whole expression (polarity() accounts for it); the value is `a`
                    obj = obj.inner
                ko = self.of(obj, scope, steps)
                return FIELDS.get((ko, prop)) if ko is not None else None
            case CallExpr(callee=Member(obj=obj, prop=prop)):
                ko = self.of(obj, scope, steps)
                if ko == K.SENDER and prop == "getURL":
                    return K.URL
                if ko in STRINGS and prop in SAME_STRING:
                    return ko
                return K.URL if ko == K.PARSED and prop in ("toString", "toJSON") else None
            case CallExpr(callee=Ref(name="String"), args=(a, *_)):
                return self.of(a, scope, steps)
            case NewExpr(callee=Ref(name="URL"), args=(a, *_)):
                return K.PARSED if self.of(a, scope, steps) in (K.URL, K.ORIGIN) else None
            case Logic(op=op, left=left, right=right):
                if op == "&&":
                    return self.of(right, scope, steps)
                return self.of(left, scope, steps) or self.of(right, scope, steps)
            case Cond(alts=alts):
                return next((k for a in alts if (k := self.of(a, scope, steps)) is not None), None)
            case Await(inner=inner) if inner is not None:
                return self.of(inner, scope, steps)
        return None

    def _ref(self, name: str, scope: int | None, steps: int) -> K | None:
        f = self.f
        s = scope
        for _ in range(256):
            b = f.bindings.get((s, name))
            if b is not None:
                return None if isinstance(b, Fn) else self.of(b, s, steps)
            if s is None:
                return None
            fn = f.functions[s]
            if any(p.name == name for p in fn.params):
                return self.seeds.get((s, name))
            s = fn.parent
        return None


# the comparisons that mean "not found" (`x.indexOf(p) === -1`, `... < 0`) or "not at the start" (`!== 0`)
NEGATED_WHEN = {-1: ("===", "==", "<="), 0: ("!==", "!=", "<")}
MAX_POLARITY_NODES = 256


def polarity(cond: AnyV, span: Span) -> bool | None:
    """Whether the test at ``span`` holds where ``cond`` holds (True), fails there (False), or is
    not part of it (None)."""
    stack: list[tuple[AnyV, bool]] = [(cond, True)]
    seen = 0
    while stack and seen < MAX_POLARITY_NODES:
        v, pos = stack.pop()
        seen += 1
        if v.span == span and isinstance(v, (CallExpr, Cmp)):
            if isinstance(v, CallExpr) and _misread_not(v):
                pos = not pos
            return pos if not isinstance(v, Cmp) or v.op in ("===", "==") else not pos
        match v:
            case Not(inner=inner):
                stack.append((inner, not pos))
            case Cmp(op=op, left=left, right=right):
                for side, other in ((left, right), (right, left)):
                    n = other.value if isinstance(other, Num) else other.text.replace(" ", "") \
                        if isinstance(other, Dyn) else ""
                    if n in ("0", "-1") and isinstance(side, CallExpr):  # `-1` is a unary expression
                        flip = op in NEGATED_WHEN[int(n)]
                        stack.append((side, not pos if flip else pos))
            case Logic(left=left, right=right):
                stack.extend(((left, pos), (right, pos)))
            case _:
                stack.extend((x, pos) for x in v.children())
    return None


def _misread_not(call: CallExpr) -> bool:
    """`!a!.b.startsWith(x)` as tree-sitter-typescript reads it: a Not at the base of the callee."""
    v: AnyV = call.callee
    for _ in range(16):
        match v:
            case Member(obj=obj):
                v = obj
            case CallExpr(callee=callee):
                v = callee
            case Not():
                return True
            case _:
                return False
    return False

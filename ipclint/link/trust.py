"""Checks that decide whether a sender, a navigation or a window-open is trusted (IPC017).

A *context* is a function whose string tests decide trust: a main-process IPC handler (the
sender's `event.senderFrame.url`/`.origin`, `event.sender.getURL()`), a `will-navigate`,
`will-frame-navigate`, `will-redirect` or `new-window` listener and a `setWindowOpenHandler`
callback (the URL about to load), a `will-attach-webview` listener (`params.src`), permission
handlers (the requesting page), and a preload's window `message` listener (`event.origin`).
Inside it, the value being trusted is followed through locals, `new URL(...)` and its parts, and
into project functions it is handed to; every test made on it is recorded with what it tests and
the helper calls that lead to it. The context also records the conditions under which it denies
(blocks the navigation, opens the URL outside, returns `{ action: 'deny' }`, refuses a permission,
leaves a handler early or throws): a test whose passing side leads only there grants no trust
(``Context.selects``). Judging the tests is the rule's business (rules/weak_sender_check.py).
"""
from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ipclint.link.handlers import handlers
from ipclint.link.ipcops import EVENTLESS_HANDLES
from ipclint.link.project import GLOBAL_OBJECTS, Project
from ipclint.link.senders import function_index
from ipclint.link.vutil import callee_name
from ipclint.link.wrappers import callee_function
from ipclint.model import Role
from ipclint.model.facts import Call, FileFacts, Outcome, Param, binding_scope
from ipclint.model.span import Span
from ipclint.model.values import (
    AnyV,
    Arr,
    Await,
    Bool,
    CallExpr,
    Cmp,
    Cond,
    Dyn,
    Fn,
    Logic,
    Member,
    NewExpr,
    Not,
    Null,
    Num,
    Obj,
    Ref,
    Spread,
    Str,
    Undef,
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


# What a call that opens a page in the app itself is named like (``Context._acts_before``)
_OPENS = ("load", "open", "navigate", "createwindow", "newwindow", "newtab", "addtab", "createtab")


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
MAIN_RECEIVERS = frozenset({"ipcMain", "webContents.ipc", "frame.ipc", "window"})  # (window: link/ipcops.py)
# Handing the value to a function named like this is a check made elsewhere (evidence that a
# scheme test is not the only one).
CHECK_NAME = re.compile(r"^(is|has|can|should|check|valid|verify|assert|allow|trust|match|ensure)|"
                        r"allow|trust|valid|safe|permit|whitelist", re.I)
MAX_DEPTH = 3
MAX_KIND_STEPS = 24

Seeds = dict[tuple[int, str], K]  # (function id, parameter name) -> kind
# A call that handed the value to a project function: (the call's file, its span, the function's file, its id)
Via = tuple[str, Span, str, int]
# The contexts whose handler gives up by leaving early or throwing (an IPC handler, a window message
# listener); a navigation goes on unless prevented, a window opens as returned, a permission is
# refused by `callback(false)` or `return false`.
LEAVING_DENIES = frozenset({Decides.SENDER, Decides.MESSAGE})
# The contexts that `event.preventDefault()` blocks and where opening the URL outside keeps it out of the app
BLOCKABLE = frozenset({Decides.NAVIGATION, Decides.WINDOW_OPEN, Decides.WEBVIEW})


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
    via: tuple[Via, ...] = ()  # the helper calls, outermost first, from the context to the test


@dataclass
class Context:
    decides: Decides
    path: str
    fid: int
    tests: list[Test] = field(default_factory=list)
    opens_external: bool = False  # shell.openExternal is called in it (scheme tests are IPC006's business)
    # conditions (file, function, condition) under which it blocks (`event.preventDefault()`), opens
    # outside (`shell.openExternal`) or denies (`return { action: 'deny' }`, `callback(false)`,
    # `return`/`throw` in an IPC handler)
    selectors: list[tuple[str, int | None, AnyV]] = field(default_factory=list)
    # a window-open handler whose every return denies, one of them unconditionally: no test in it
    # can let a page open in the app (what it still selects is opened outside: IPC006's business)
    always_denies: bool = False
    # helpers (file, function) that only open what they are given outside the app: the tests made in
    # them, and in the functions they call, select what is opened outside (still seen by ``alone``)
    outside: set[tuple[str, int]] = field(default_factory=set)

    def selects(self, project: Project, t: Test) -> bool:
        """The test, where it holds, only selects what is blocked, denied or opened outside the app
        (`if (url.includes('help.example.com')) { e.preventDefault(); shell.openExternal(url) }`,
        `if (url.startsWith('smb://')) return { action: 'deny' }`), also through a helper that
        returns its result (`if (isDroppedFile(url)) e.preventDefault()`): an attacker who passes
        it gains nothing."""
        if self.always_denies or any((hpath, hfid) in self.outside for _p, _s, hpath, hfid in t.via):
            return True
        if not self.selectors:
            return False
        where = [(t.path, t.span, True)]  # an expression whose truth says the test passed (True) or failed
        span, holds = t.span, True
        for call_path, call_span, hpath, hfid in reversed(t.via):
            q = result_polarity(project, hpath, hfid, span)
            if q is None:
                break
            span, holds = call_span, holds if q else not holds
            where.append((call_path, span, holds))
        for path, scope, cond in self.selectors:
            expand = _expander(project, path, scope)
            if any(p == path and polarity(cond, sp, expand) is h for p, sp, h in where):
                return True
        return False


def contexts(project: Project) -> list[Context]:
    """Every context with the tests made in it (memoised on the project; linking runs it first, so
    every helper it reaches is parsed before the rules ask)."""
    if project.memo.trust is not None:
        return project.memo.trust
    out: list[Context] = []
    for decides, path, fid, seeds in _roots(project):
        ctx = Context(decides, path, fid)
        _Analysis(project, ctx).run(path, fid, seeds, 0, (), True)
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
        if h.edge.handler_guard is not None:  # `checked(fn)`: the guard's listener tests the event
            _add_seeded(project, out, h.edge.handler_guard, Decides.SENDER, ((0, K.EVENT),))
    for (path, idx), op in sorted(project.ipc_ops.items()):
        if op.kind in ("handle", "on") and op.receiver in MAIN_RECEIVERS and op.handler_arg is not None \
                and op.method not in EVENTLESS_HANDLES:  # (its first parameter is data)
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



def _blocks_first(fid: int, calls: list[Call], outcomes: list[Outcome]) -> bool:
    """The function calls `event.preventDefault()` outside every condition and before any return."""
    return any(c.func == fid and not c.conds and isinstance(c.callee, Member) and c.callee.prop == "preventDefault"
               and not any((o.span.line, o.span.column) < (c.span.line, c.span.column) for o in outcomes)
               for c in calls)

class _Analysis:
    """Follows the trusted value through one context: its root function and the project
    functions the value is handed to (a few calls deep)."""

    def __init__(self, project: Project, ctx: Context) -> None:
        self.project = project
        self.ctx = ctx
        self.seen: set[tuple[str, int, frozenset[tuple[tuple[int, str], K]]]] = set()
        self.spans: set[tuple[str, Span, str]] = set()

    def run(self, path: str, fid: int, seeds: Seeds, depth: int, via: tuple[Via, ...], tail: bool) -> None:
        """``via``: the helper calls that led here; ``tail``: what the function returns is what the
        context returns (the context's own function, or a helper whose result it returns)."""
        key = (path, fid, frozenset(seeds.items()))
        if key in self.seen or len(self.seen) > 64:
            return
        self.seen.add(key)
        f = self.project.files.get(path)
        if f is None:
            return
        index = function_index(self.project, path)
        calls, checks, _exits, _local = index.of(sorted(f.subtree(fid)))
        outcomes = index.outcomes.get(fid, [])
        self.via, self.tail, self.fid = via, tail, fid
        verdicts = []
        for o in outcomes:
            denied = self._denied_when(path, o) if tail or o.throws else None
            verdicts.append((o, denied))
            if denied is not None:
                self.ctx.selectors.extend((path, fid, c) for c in denied)
        if not via and (path, fid) == (self.ctx.path, self.ctx.fid) and self.ctx.decides == Decides.WINDOW_OPEN:
            self.ctx.always_denies = bool(verdicts) and all(d is not None for _o, d in verdicts) \
                and any(not o.conds and not o.throws and o.func == fid for o, _d in verdicts) \
                and not self._opens_in_app(path, fid)
        elif not via and (path, fid) == (self.ctx.path, self.ctx.fid) and self.ctx.decides in BLOCKABLE:
            # `event.preventDefault()` first, outside every condition: the navigation is blocked whatever
            # the checks say (thorium-reader's will-navigate), unless the page is then opened in the app
            self.ctx.always_denies = _blocks_first(fid, calls, outcomes) and not self._opens_in_app(path, fid)
        returned = {o.value.span for o in outcomes if o.value is not None} if tail else set()
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
                    self._add(Test(path, chk.span, chk.func, "==", k, side, other, via=via))
        for c in calls:
            self.via, self.tail, self.fid = via, tail, fid  # (a helper's run changed them)
            self._call(f, c, kinds, zero, depth, c.span in returned)

    def _denied_when(self, path: str, o: Outcome) -> list[AnyV] | None:
        """The conditions under which an outcome of the function denies what the context decides
        (each one alone implies it), or None when it does not deny."""
        decides, v = self.ctx.decides, o.value
        if o.throws:  # (`if (c) { grant(); throw e }` denies nothing)
            return list(o.conds) if decides in LEAVING_DENIES and o.alone else None
        if decides in LEAVING_DENIES and (v is None or _truth(v) is False):
            return list(o.conds) if o.alone else None  # `return`, `return null`, `return false`
        if decides == Decides.PERMISSION and v is not None:
            if _refuses(v) or _truth(v) is False:
                return list(o.conds)  # `return callback(false)`, `return false`
            # `return ok(url)` (a permission check handler): refused where the value is false
            return [Not(span=v.span, text=v.text, inner=v)]
        if decides == Decides.WINDOW_OPEN and v is not None:
            r = self.project.resolve(path, v, o.func).value
            if isinstance(r, Obj) and any(p.key == "action" and isinstance(p.value, Str) and p.value.value == "deny"
                                          for p in r.props):
                # `{ win.loadURL(url); return { action: 'deny' } }` opens the page in the app's own
                # window: a trust decision, not a denial (opening outside or logging first still denies)
                return list(o.conds) if o.alone or not self._acts_before(path, o) else None
        return None

    def _opens_in_app(self, path: str, fid: int) -> bool:
        """Some call of the function may open the page in the app itself (``_acts_before``, in any
        branch): not `shell.openExternal`, nor a project function that opens it with
        `shell.openExternal` and nothing else, nor an unresolved function named for opening outside
        (`openLinkInBrowser(url)`, `openExternalUrl(url)`)."""
        return any(self._opens_page(path, c) for c in self.project.calls_in(path, fid))

    def _opens_page(self, path: str, c: Call) -> bool:
        """The call may open the page in the app: it loads, opens or navigates, and is neither
        `shell.openExternal`, nor a project function that opens with `shell.openExternal` only, nor
        an unresolved function named for opening outside (`openLinkInBrowser`, given by another module)."""
        name = (callee_name(c.callee) or "").lower()
        if name == "openexternal" or not (name == "emit" or any(w in name for w in _OPENS)):
            return False
        target = callee_function(self.project, path, c)
        if target is None:
            return not ("external" in name or "inbrowser" in name)
        return not self._opens_outside_only(*target)

    def _opens_outside_only(self, path: str, fid: int) -> bool:
        """The project function opens what it is given with `shell.openExternal` and calls nothing
        else that loads, opens or navigates, also in the callbacks it makes (`setTimeout(() =>
        shell.openExternal(url))`: thorium-reader's willNavigate)."""
        outside = False
        for c in self.project.calls_under(path, fid):
            if self.project.electron_api(path, c.callee, c.func) == "shell.openExternal":
                outside = True
                continue
            name = (callee_name(c.callee) or "").lower()
            if name == "emit" or any(w in name for w in _OPENS):
                return False
        return outside

    def _acts_before(self, path: str, o: Outcome) -> bool:
        """Before the outcome, in its branch, the page is opened in the app itself: a call that
        loads, opens or navigates (`win.loadURL(url)`, `createTab(url)`, `app.emit('open-url-in-tab',
        url)`); not opening outside (`shell.openExternal`), logging or messages to a page."""
        for c in self.project.calls_in(path, o.func):
            if tuple(c.conds) != tuple(o.conds) or (c.span.line, c.span.column) >= (o.span.line, o.span.column):
                continue
            if self._opens_page(path, c):
                return True
        return False

    def _call(self, f: FileFacts, c: Call, kinds: _Kinds, zero: set[Span], depth: int, returned: bool) -> None:
        project, path, callee = self.project, f.path, c.callee
        if isinstance(callee, Member) and callee.prop in ("preventDefault", "openExternal") \
                and self.ctx.decides in BLOCKABLE:  # in an IPC handler, opening outside is the trusted action
            self.ctx.selectors.extend((path, c.func, x) for x in c.conds)
        if self.ctx.decides == Decides.PERMISSION and self.tail and c.func == self.fid and _refuses(c):
            # `callback(false)` as a statement: refused in the branch it sits in
            for arm in c.arms:
                if arm.cond is not None:
                    self.ctx.selectors.append((path, c.func, arm.cond if arm.arm == 0 else
                                               Not(span=arm.cond.span, text=arm.cond.text, inner=arm.cond)))
        if project.electron_api(path, callee, c.func) == "shell.openExternal":
            self.ctx.opens_external = True
            return
        if isinstance(callee, Member):
            k = kinds.of(callee.obj, c.func)
            if k in STRINGS and callee.prop in STRING_TESTS and c.args:
                assert k is not None
                self._add(Test(path, c.span, c.func, callee.prop, k, callee.obj, c.args[0], c.span in zero,
                               self.via))
                return
            a0 = kinds.of(c.args[0], c.func) if c.args else None
            if a0 in STRINGS and a0 is not None:
                if callee.prop in REGEX_TESTS:
                    self._add(Test(path, c.span, c.func, "test", a0, c.args[0], callee, via=self.via))
                    return
                if callee.prop in ("has", "includes", "indexOf", "some"):
                    self._add(Test(path, c.span, c.func, "member", a0, c.args[0], callee.obj, via=self.via))
                    return
        handed: list[tuple[int, K]] = []
        for i, a in enumerate(c.args):
            ka = kinds.of(a, c.func) if not isinstance(a, Spread) else None
            if ka is not None:
                handed.append((i, ka))
        if not handed or c.new:
            return
        target = callee_function(project, path, c) if depth < MAX_DEPTH else None
        if target is not None and self.ctx.decides in BLOCKABLE and self._opens_outside_only(*target):
            self.ctx.outside.add(target)  # what a helper that only opens outside the app tests decides no trust
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
                self.run(target[0], target[1], seeds, depth + 1, (*self.via, (path, c.span, *target)),
                         self.tail and returned and c.func == self.fid)
            return
        i, k = handed[0]
        if CHECK_NAME.search(callee_name(callee) or ""):
            self._add(Test(path, c.span, c.func, "handoff", k, c.args[i], callee, via=self.via))

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
            case CallExpr(callee=Member(obj=Ref(name="URL"), prop="parse"), args=(a, *_)):  # (null, not a throw)
                return K.PARSED if self.of(a, scope, steps) in (K.URL, K.ORIGIN) else None
            case CallExpr(callee=Member(obj=obj, prop=prop)):
                ko = self.of(obj, scope, steps)
                if ko == K.SENDER and prop == "getURL":
                    return K.URL
                if ko in STRINGS and prop in SAME_STRING:
                    return ko
                return K.URL if ko == K.PARSED and prop in ("toString", "toJSON") else None
            case CallExpr(callee=Ref(name="String"), args=(a, *_)):
                return self.of(a, scope, steps)
            case CallExpr(callee=Ref(name="fileURLToPath") | Member(prop="fileURLToPath"), args=(a, *_)):
                # `fileURLToPath(u) === PAGE`: the local file a `file:` URL names
                return K.PATH if self.of(a, scope, steps) in (K.URL, K.PARSED) else None
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


def polarity(cond: AnyV, span: Span, expand: Callable[[Ref], AnyV | None] | None = None) -> bool | None:
    """Whether the test at ``span`` holds where ``cond`` holds (True), fails there (False), or is
    not part of it (None). ``expand`` gives the value a local constant stands for (`const data =
    check(url); if (data) ...`)."""
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
            case Ref() if expand is not None:
                bound = expand(v)
                if bound is not None:
                    stack.append((bound, pos))
            case _:
                stack.extend((x, pos) for x in v.children())
    return None


def _expander(project: Project, path: str, scope: int | None) -> Callable[[Ref], AnyV | None]:
    """The value a constant local of ``scope`` (or an enclosing function) is bound to."""
    f = project.files.get(path)

    def expand(ref: Ref) -> AnyV | None:
        hit = binding_scope(f, scope, ref.name) if f is not None else None
        if f is None or hit is None or hit[1] is None or hit[0] is None or (hit[0], ref.name) in f.mutable:
            return None
        return None if isinstance(hit[1], Fn) else hit[1]
    return expand


def _truth(v: AnyV) -> bool | None:
    """Whether a returned value is truthy, when it is a literal (objects and arrays always are)."""
    match v:
        case Bool(value=b):
            return b
        case Null() | Undef():
            return False
        case Obj() | Arr() | Fn():
            return True
        case Str(value=s):
            return bool(s)
        case Num(value=n):
            return n not in ("0", "0.0")
    return None


def _refuses(v: AnyV | Call) -> bool:
    """`callback(false)`: a permission callback given false."""
    callee, args = (v.callee, v.args) if isinstance(v, (Call, CallExpr)) else (None, ())
    return isinstance(callee, Ref) and len(args) == 1 and _truth(args[0]) is False


def result_polarity(project: Project, path: str, fid: int, span: Span) -> bool | None:
    """Whether function ``fid`` returns a truthy value where the expression at ``span`` inside it
    is true (True), where it is false (False), or neither is known (None): `(u) => new
    URL(u).protocol === 'file:'` returns its test; `if (p === 'file:') return { path }` returns a
    truthy value on the test's passing side. Returns reached only where the expression is false
    say nothing about its passing side."""
    f = project.files.get(path)
    if f is None:
        return None
    votes: set[bool] = set()
    expand = _expander(project, path, fid)
    for o in function_index(project, path).outcomes.get(fid, ()):
        if o.throws:
            continue
        v = o.value
        q = polarity(v, span, expand) if v is not None else None
        if q is not None:  # the value is (or holds) the expression
            votes.add(q)
            continue
        truth = _truth(v) if v is not None else False
        if truth is not None and any(polarity(c, span, expand) is True for c in o.conds):
            votes.add(truth)
    return votes.pop() if len(votes) == 1 else None


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

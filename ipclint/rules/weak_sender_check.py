from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ipclint.link import urltests
from ipclint.link.project import Project
from ipclint.link.senders import function_index
from ipclint.link.trust import Decides, K, Test, contexts
from ipclint.link.urltests import Weakness
from ipclint.model import Severity, Span
from ipclint.model.facts import Outcome
from ipclint.model.values import AnyV, Arr, Bool, CallExpr, Cmp, Logic, Member, NewExpr, Not, Null, Ref, Regex, Undef
from ipclint.rules._base import Hit, Options, rule

ITERATORS = frozenset({"some", "every", "find", "findIndex", "filter", "forEach"})
OPENED_ELSEWHERE = frozenset({Decides.NAVIGATION, Decides.WINDOW_OPEN})
OPEN_SCHEMES = frozenset({"file", "http", "https"})  # schemes of pages anyone can make (``_passes_alone``)


@rule("IPC017", "weak-sender-check", Severity.ERROR, "Sender or URL check that an attacker's page passes",
      cwe=(346, 20), security_severity=7.5,
      fix=("Compare new URL(url).origin (or host) exactly with a constant, end a URL prefix with '/' right after "
           "the host, compare hosts with a leading dot, and anchor and escape regular expressions"))
def weak_sender_check(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags checks that decide whether a sender, a navigation or a window-open is trusted and that
    an attacker's page passes: a prefix test on a URL or origin that stops at the host
    (`url.startsWith('https://app.example.com')` passes `https://app.example.com.evil.net`),
    suffix and substring tests on a whole URL or origin (`endsWith`, `includes`, `indexOf`,
    `search`), `endsWith` on a host name without a leading dot (`evil-example.com`), regular
    expressions tested against a URL or host that are not anchored at both ends or leave a `.` of
    a host name unescaped, and tests of the scheme alone (`startsWith('https://')`,
    `protocol === 'file:'`, `origin === 'file://'`: every page of that scheme, or every local
    file, passes) when nothing else about the URL is checked (an exact comparison of the local
    file it names, `fileURLToPath(url) === PAGE`, is such a check), or when, where it holds, its
    function lets the value through before anything else that could refuse it is checked
    (`if (protocol === 'file:') return` ahead of the host test of a validator that throws,
    `if (url.startsWith('https://')) return true`, also after a test that only lets the app's own
    pages through; not for the app's own custom scheme). The checks judged are those made on
    `event.senderFrame.url`/`.origin` and `event.sender.getURL()` in IPC handlers and the helpers
    they hand the event to, the URL of `will-navigate`, `will-frame-navigate`, `will-redirect` and
    `setWindowOpenHandler`, `will-attach-webview`'s `params.src`, permission handlers' requesting
    page, and a preload's `event.origin` on window messages. A prefix that ends with `/` right
    after the host, an exact comparison of `new URL(u).origin` or `host` with a constant, a host
    compared with a leading dot, and an anchored, escaped regular expression are fine; a protocol
    allowlist before `shell.openExternal` is validation of what is opened (IPC006), not a trust
    check. A check is judged by what its passing side leads to: one that, where it passes, only
    denies (blocks the navigation with `preventDefault()` or opens the URL outside the app, returns
    `{ action: 'deny' }` from a window-open handler, refuses a permission with `callback(false)` or
    `return false`, or leaves an IPC handler or message listener at once with a bare `return`,
    `null`, `false` or a `throw`) is a blocklist that
    grants an attacker nothing and is not reported, whether it is written inline (`if
    (url.startsWith('smb://')) return { action: 'deny' }`, a ternary) or in a helper whose result
    decides (`if (isDroppedFile(url)) event.preventDefault()`). A check whose failing side denies
    (`if (!url.startsWith(X)) event.preventDefault()`, `url.startsWith(X) ? allow : deny`) is a
    trust check, and so is one in an IPC handler whose passing side calls `shell.openExternal`,
    and a window-open check whose passing side opens the page in the app itself before denying
    the new window (`win.loadURL(url); return { action: 'deny' }`). In a window-open handler that
    denies every request and opens nothing in the app (only outside it, with `shell.openExternal`
    or a helper that does, such as `openLinkInBrowser(url)`), no check decides trust: none is reported;
    the same holds for a navigation listener that calls `event.preventDefault()` first, outside
    every condition, and opens nothing in the app, and for the tests made inside a helper that
    only opens the URL outside the app (`openInBrowser(url)`, and the functions it calls).
    A test in a helper that only reshapes the value (every return but those of a `catch` is made
    from the tested value and none is a verdict: `if (host.endsWith('localhost')) return host;
    return host.replace(...)`) decides nothing about trust and is not reported; one whose returns
    are a verdict or a sentinel (`return null`, `return 'untrusted'`) is judged.
    Reported at the check expression. A weak check still counts as a sender check for
    IPC007: the handler does check, and this rule says how the check fails.

    ## Why is this bad?
    The check is the app's only defence against a page it did not write (an iframe, a page a
    link navigated to, a window the page opened): if any origin the attacker can register passes
    it, the privileged handler or navigation is open to that page.

    ## Example
    ```js
    // file: main.js
    const { ipcMain, app } = require('electron')
    ipcMain.handle('app:paths', (event) => {
      if (!event.senderFrame.url.startsWith('https://app.example.com')) return null
      return app.getPath('userData')
    })
    ```

    ## Use instead
    ```js
    // file: main.js
    const { ipcMain, app } = require('electron')
    ipcMain.handle('app:paths', (event) => {
      if (new URL(event.senderFrame.url).origin !== 'https://app.example.com') return null
      return app.getPath('userData')
    })
    ```

    ## References
    - [Electron security: validate the sender of all IPC messages](https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages)
    - [Electron security: limit navigation](https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation)
    - [CWE-346: Origin Validation Error](https://cwe.mitre.org/data/definitions/346.html)
    """
    reported: set[tuple[str, Span]] = set()
    for ctx in contexts(project):
        verdicts = [(t, _judge(project, t)) for t in ctx.tests]
        # a scheme test is weak only when it is the only thing checked about the value
        alone = not any(t.kind != K.PROTOCOL and (w is None or not w.scheme_only) for t, w in verdicts)
        for t, w in verdicts:
            if w is None or (t.path, t.span) in reported or ctx.selects(project, t) or _normalises(project, t):
                continue
            if w.scheme_only and (not (alone or _passes_alone(project, t, ctx.tests))
                                  or ctx.opens_external and ctx.decides in OPENED_ELSEWHERE):
                continue
            reported.add((t.path, t.span))
            yield Hit(t.path, t.span, f"weak {ctx.decides.value} check {_shown(t)}: {w.why}",
                      key=f"{ctx.decides.value}:{t.subject.text}:{t.method}")


def _passes_alone(project: Project, t: Test, tests: list[Test]) -> bool:
    """Where the scheme test holds, its function lets the value through at once, before any other
    test of it that could refuse it: `if (protocol === 'file:' || protocol === 'app:') return` in
    a validator that throws otherwise, or `if (url.startsWith('https://')) return true` in one
    that answers (every local file, or every https page, passes whatever the host test after it
    says). An earlier test that only lets the value through (`if (isApp(url)) return true`)
    refuses nothing. Only for the schemes of pages the app does not own (`file:`, `http:`,
    `https:`); every page of its own custom scheme is its own."""
    if t.method not in ("==", "startsWith") or t.scope is None:
        return False
    if not any(x.lower().rstrip(":/") in OPEN_SCHEMES for x in _strings(project, t) or ()):
        return False
    outs = [o for o in function_index(project, t.path).outcomes.get(t.scope, ()) if not o.caught]
    throws = any(o.throws for o in outs)
    passing = [o for o in outs if not o.throws and ((o.value is None and throws)
                                                    or (type(o.value) is Bool and o.value.value))]
    for o in passing:
        if not any(_holds_when(c, t.span) for c in o.conds):
            continue
        if not any(x is not t and x.path == t.path and x.scope == t.scope and x.kind != K.PROTOCOL
                   and x.span < o.span and not _only_passes(x, t, passing) for x in tests):
            return True
    return False


def _only_passes(x: Test, t: Test, passing: list[Outcome]) -> bool:
    """``x`` guards a way out that lets the value through without the scheme test ``t``
    (`if (x) return true`): when it fails, the code after it runs as if it were not there."""
    return any(o.span > x.span and any(_holds_when(c, x.span) for c in o.conds)
               and not any(_holds_when(c, t.span) for c in o.conds) for o in passing)


def _holds_when(cond: AnyV, span: Span) -> bool:
    """``cond`` holds whenever the test written at ``span`` holds (it is that equality or method
    test, or one side of an `||` chain that contains it)."""
    todo = [cond]
    while todo:
        c = todo.pop()
        if (isinstance(c, Cmp) and c.op in ("===", "==") or isinstance(c, CallExpr)) and c.span == span:
            return True
        if isinstance(c, Logic) and c.op == "||":
            todo.extend((c.left, c.right))
    return False


def _normalises(project: Project, t: Test) -> bool:
    """The test sits in a helper that only reshapes the value: every way out of it (but those of a
    `catch`) returns something made from the tested value, none a verdict (Vieb's `domainName`:
    `if (host.endsWith('localhost')) return host; return host.replace(...)`). The test chooses how
    the value is written, not whether it is trusted; what the caller then does with the result is
    judged where it tests it."""
    if not t.via:
        return False
    _call_path, _call_span, hpath, hfid = t.via[-1]
    root = t.subject
    while isinstance(root, (Member, CallExpr)):
        root = root.obj if isinstance(root, Member) else root.callee
    if hpath != t.path or not isinstance(root, Ref):
        return False
    outs = [o for o in function_index(project, hpath).outcomes.get(hfid, ()) if not o.caught]
    if len(outs) < 2:
        return False
    word = re.compile(rf"(?<![\w$]){re.escape(root.name)}(?![\w$])")
    return all(o.value is not None and not o.throws and type(o.value) not in _VERDICTS
               and word.search(o.value.text) is not None for o in outs)


_VERDICTS = (Bool, Cmp, Not, Logic, Null, Undef)


def _judge(project: Project, t: Test) -> Weakness | None:
    if t.method in ("member", "handoff"):
        return None
    if t.method in ("test", "search", "match"):
        v = t.other.obj if t.method == "test" and isinstance(t.other, Member) else t.other
        pattern = _pattern(project, t, v)
        if pattern is not None:
            return urltests.regex(t.kind, pattern)
        # a string given to search/match is compiled to a regular expression
        return _each(project, t, urltests.regex) if t.method != "test" else None
    if t.method == "indexOf" and t.prefix_only:
        return _each(project, t, urltests.prefix)
    judge = {"startsWith": urltests.prefix, "endsWith": urltests.suffix, "==": urltests.equality}
    return _each(project, t, judge.get(t.method, urltests.substring))


def _each(project: Project, t: Test, judge: Callable[[K, str], Weakness | None]) -> Weakness | None:
    for s in _strings(project, t) or ():
        w = judge(t.kind, s)
        if w is not None:
            return w
    return None


def _strings(project: Project, t: Test) -> list[str] | None:
    """The literal values tested against: a constant, or each entry of a constant list that a
    callback goes through (`ORIGINS.some((o) => url.startsWith(o))`)."""
    if t.other is None:
        return None
    s = project.channel(t.path, t.other, t.scope)
    if s is not None:
        return [s]
    if not isinstance(t.other, Ref):
        return None
    hit = project.param_of(t.path, t.scope, t.other.name)
    f = project.files[t.path]
    if hit is None or hit[1].index != 0 or hit[1].path:
        return None
    fn = f.functions[hit[0]]
    if fn.arg_of is None:
        return None
    loop = f.calls[fn.arg_of]
    if not isinstance(loop.callee, Member) or loop.callee.prop not in ITERATORS:
        return None
    r = project.resolve(t.path, loop.callee.obj, loop.func)
    if not isinstance(r.value, Arr):
        return None
    items = [project.channel(r.path, x, r.scope) for x in r.value.items]
    return [x for x in items if x is not None]


def _pattern(project: Project, t: Test, v: AnyV | None) -> str | None:
    """The source of a regular expression: a literal (through constants) or `new RegExp('...')`."""
    if v is None:
        return None
    r = project.resolve(t.path, v, t.scope)
    match r.value:
        case Regex(text=text) if text.startswith("/") and text.rfind("/") > 0:
            return text[1:text.rfind("/")]
        case Regex() if isinstance(t.other, Member) and t.other.text.endswith((".test", ".exec")):
            text = t.other.text.rsplit(".", 1)[0]  # a literal inside a call keeps no text of its own
            return text[1:text.rfind("/")] if text.startswith("/") and text.rfind("/") > 0 else None
        case NewExpr(callee=Ref(name="RegExp"), args=(a, *_)) | CallExpr(callee=Ref(name="RegExp"), args=(a, *_)):
            return project.channel(r.path, a, r.scope)
    return None


def _shown(t: Test) -> str:
    what = _written(t.subject, 0) or t.subject.text or "the value"
    return what if len(what) <= 60 else what[:57] + "..."


def _written(v: AnyV, depth: int) -> str:
    """How a tested value reads (values nested in an expression keep no text of their own)."""
    if depth > 8:
        return "..."
    match v:
        case Ref(name=name):
            return name
        case Member(obj=obj, prop=prop):
            return f"{_written(obj, depth + 1)}.{prop}"
        case CallExpr(callee=callee):
            return f"{_written(callee, depth + 1)}()"
        case Not(inner=inner):  # `!a!.b` as tree-sitter-typescript reads it
            return _written(inner, depth + 1)
        case NewExpr(callee=Ref(name=name), args=args):
            return f"new {name}({_written(args[0], depth + 1) if args else ''})"
    return v.text or "..."

"""The windows model: each window, view or `<webview>` of the project with its constructor, its
options and webPreferences (merged, see winopts.py), its preload files, the pages it loads and the
window-open handlers that decide its children. IPC013 and IPC019 read it; linking builds it once
(prefetch), so the modules its options and URLs come from get parsed."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ipclint.link.modules import Where
from ipclint.link.pages import Preload, preload_files, url_alternatives, url_prefix
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, plain_text
from ipclint.link.winopts import Options, options, webpreferences
from ipclint.model.facts import Call, FileFacts
from ipclint.model.span import Span
from ipclint.model.values import (
    AnyV,
    Await,
    Bool,
    CallExpr,
    Cmp,
    Cond,
    Electron,
    External,
    Logic,
    Member,
    NewExpr,
    Not,
    Obj,
    ParamRef,
    Ref,
    Str,
)

CTORS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView"})
LOADS = frozenset({"loadURL", "loadFile"})
# app events whose listener gets every new webContents (or window): a handler set there is global
EVERY_CONTENTS = frozenset({"web-contents-created", "browser-window-created"})
ON = frozenset({"on", "once", "addListener", "prependListener"})
_ATTACHING = LOADS | ON | {"setWindowOpenHandler"}  # the calls that give a window its loads and open handlers


@dataclass(frozen=True, slots=True)
class Load:
    """`win.loadURL(url)` / `loadFile(file)` of a window, or a `<webview>`'s `src`."""

    path: str
    span: Span
    method: str  # loadURL, loadFile, src
    url: Where | None
    call: Call | None = None


@dataclass(frozen=True, slots=True)
class OpenHandler:
    """`setWindowOpenHandler(fn)` (or a legacy 'new-window' listener): whether it can let a child
    window open at a page of its own (an answer that allows only `about:blank`, which the opener's
    code fills, does not count), and the child's own preloads when the allowing answer overrides them.
    ``pages``: when every allowing answer is reached only for a requested URL equal to one of these
    values (`if (url === this.appUrl) return { action: 'allow' }`), those values; None when any URL
    may open. IPC019 judges them like the pages a window loads."""

    path: str
    span: Span
    allows: bool
    everywhere: bool  # set for every webContents of the app ('web-contents-created')
    override: tuple[Preload, ...] | None = None
    pages: tuple[Where, ...] | None = None
    # set on a webContents that cannot be told (a helper's parameter): it may be this window's
    attributed: bool = True


@dataclass
class Window:
    kind: str  # BrowserWindow, BrowserView, WebContentsView, webview
    path: str
    span: Span  # the constructor call or the <webview> element
    call: Call | None
    options: Options | None
    prefs: Options | None
    preloads: list[Preload] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    handlers: list[OpenHandler] = field(default_factory=list)


def _ctor(v: AnyV) -> str | None:
    """The window class a constructor is: `BrowserWindow`, also reached through `remote` (a
    window a preload or page opens through the main process is a window all the same)."""
    if isinstance(v, Electron):
        name = v.api[len("remote."):] if v.api.startswith("remote.") else v.api
        return name if name in CTORS else None
    if isinstance(v, External) and v.src == "@electron/remote" and v.name in CTORS:
        return v.name
    return None


def windows(project: Project) -> list[Window]:
    """Every window, view and `<webview>` of the project, in source order (built once)."""
    if project.memo.windows is not None:
        return project.memo.windows
    files = sorted(project.files)
    out: list[Window] = []
    by_span: dict[tuple[str, Span], Window] = {}
    for path in files:  # (Project.iter_calls order)
        for call in _new_calls(project, path):
            kind = _ctor(project.resolve(path, call.callee, call.func).value)
            if kind is not None:
                w = _constructed(project, path, call, kind, files)
                out.append(w)
                by_span[(path, call.span)] = w
    names = _assigned_names(project, by_span)
    everywhere: list[OpenHandler] = []
    unknown: list[OpenHandler] = []
    for path, call in project.iter_calls_named(_ATTACHING):
        callee = call.callee
        if not isinstance(callee, Member):
            continue
        if callee.prop in LOADS:
            load = Load(path, call.span, callee.prop, Where(path, call.args[0], call.func) if call.args else None, call)
            for w in _receivers(project, path, callee.obj, call.func, by_span, names):
                w.loads.append(load)
        elif callee.prop == "setWindowOpenHandler" or (
                callee.prop in ON and len(call.args) > 1 and _event(call) == "new-window"):
            handler = _open_handler(project, path, call, files)
            if handler.everywhere:
                everywhere.append(handler)
                continue
            owners = _receivers(project, path, callee.obj, call.func, by_span, names)
            for w in owners:
                w.handlers.append(handler)
            if not owners:
                unknown.append(replace(handler, allows=False, attributed=False))
    out.extend(_webviews(project, files))
    for w in out:  # resolve the pages' URLs now, so that the modules they come from get parsed
        urls = [load.url for load in w.loads if load.url is not None]
        urls += [page for h in w.handlers for page in h.pages or ()]
        for url in urls:
            for alt, _alone in url_alternatives(project, url):
                url_prefix(project, alt)
    for w in out:
        w.handlers.extend(h for h in everywhere if project.same_app(h.path, w.path))
        if not w.handlers:
            w.handlers.extend(h for h in unknown if project.same_app(h.path, w.path))
    project.memo.windows = out
    return out


def _new_calls(project: Project, path: str) -> list[Call]:
    """The `new` calls of a file, in order (found once per file for all the rounds of a run)."""
    every = project.files[path].calls
    index = project.file_memo.new_calls.get(path)
    if index is None:
        index = project.file_memo.new_calls[path] = [c.index for c in every if c.new]
    return [every[i] for i in index]


def _constructed(project: Project, path: str, call: Call, kind: str, files: list[str]) -> Window:
    opts = options(project, Where(path, call.args[0], call.func)) if call.args else None
    prefs = webpreferences(project, opts) if opts is not None else None
    if prefs is None and call.args:
        assigned = assigned_prefs(project, path, call.args[0], call.func)
        prefs = options(project, assigned) if assigned is not None else None
    w = Window(kind, path, call.span, call, opts, prefs)
    if prefs is not None:
        for s in prefs.get("preload"):
            w.preloads.extend(preload_files(project, s.value, s.span, files))
    return w


def assigned_prefs(project: Project, path: str, arg: AnyV, scope: int | None) -> Where | None:
    """`opts.webPreferences = { ... }` (or `this.options.webPreferences = ...`) before
    `new BrowserWindow(opts)`: the assigned options, the last assignment before the call."""
    if not isinstance(arg, (Ref, Member)) or not arg.text:
        return None
    opts = project.resolve(path, arg, scope) if isinstance(arg, Ref) else None
    found: Where | None = None
    for a in project.files[path].assigns:
        t = a.target
        if not (isinstance(t, Member) and t.prop == "webPreferences" and a.op == "=" and a.span < arg.span
                and plain_text(t.obj.text) == plain_text(arg.text)):
            continue
        if opts is not None:  # a local name: the same binding
            owner = project.resolve(path, t.obj, a.func)
            if owner.path != opts.path or owner.value is not opts.value:
                continue
        found = Where(path, a.value, a.func)
    return found


def _assigned_names(project: Project, by_span: dict[tuple[str, Span], Window]) -> dict[tuple[str, str], list[Window]]:
    """(file, the text of what a window is assigned to: `mainWindow`, `this.win`) -> windows, for
    receivers that resolution cannot follow (`let win = null` assigned later)."""
    out: dict[tuple[str, str], list[Window]] = {}
    for (path, span), w in by_span.items():
        del span
        for a in project.files[path].assigns:
            if isinstance(a.value, NewExpr) and a.value.span == w.span and a.target.text:
                out.setdefault((path, plain_text(a.target.text)), []).append(w)
    return out


def _receivers(project: Project, path: str, obj: AnyV, scope: int | None, by_span: dict[tuple[str, Span], Window],
               names: dict[tuple[str, str], list[Window]]) -> list[Window]:
    """The windows a receiver (`win`, `win.webContents`, `this.view.webContents`) stands for:
    through bindings and this-fields, the returns of a function that creates it (`const win =
    createWindow()`), and the windows assigned to the same name in the file (`let win = null`
    assigned later)."""
    if isinstance(obj, Member) and obj.prop == "webContents":
        obj = obj.obj
    found: list[Window] = []
    todo = [Where(path, obj, scope)]
    seen: set[tuple[str, str]] = set()
    for _ in range(MAX_RECEIVER_STEPS):
        if not todo:
            break
        cur = todo.pop()
        r = project.resolve(cur.path, cur.value, cur.scope)
        v = r.value
        if isinstance(v, Await) and v.inner is not None:
            todo.append(Where(r.path, v.inner, r.scope))
        elif isinstance(v, NewExpr) and (r.path, v.span) in by_span:
            found.append(by_span[(r.path, v.span)])
        elif isinstance(v, CallExpr):
            target = project.function_of(r.path, v.callee, r.scope)
            if target is not None:
                todo.extend(Where(target[0], ret, target[1]) for ret in
                            project.files[target[0]].functions[target[1]].returns)
        elif cur.value.text:
            name = plain_text(cur.value.text)
            found.extend(w for w in names.get((cur.path, name), ()) if w not in found)
            if (cur.path, name) not in seen:  # `let win = null` later given what a factory returns
                seen.add((cur.path, name))
                todo.extend(Where(cur.path, a.value, a.func) for a in project.files[cur.path].assigns
                            if a.op == "=" and isinstance(a.value, (CallExpr, Await))
                            and plain_text(a.target.text) == name)
    return found


def _event(call: Call) -> str | None:
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, Str) else None


def _open_handler(project: Project, path: str, call: Call, files: list[str]) -> OpenHandler:
    """What a handler answers; one whose function is not known counts as a handler that allows
    nothing (it is there, so the page's windows are not left unhandled)."""
    callee = call.callee
    assert isinstance(callee, Member)
    legacy = callee.prop != "setWindowOpenHandler"
    fn_arg = call.args[1] if legacy else (call.args[0] if call.args else None)
    target = project.function_of(path, fn_arg, call.func) if fn_arg is not None else None
    everywhere = _is_every_contents(project, path, callee.obj, call.func)
    if target is None:
        return OpenHandler(path, call.span, False, everywhere)
    fpath, fid = target
    f = project.files[fpath]
    if legacy:  # 'new-window': the default opens the window unless the listener prevents it
        guest, override = _new_guest(project, fpath, fid, files)
        if guest:
            return OpenHandler(path, call.span, True, everywhere, override)
        # (the listener's own calls, indexed: not every call of the file, each with the listener's subtree)
        prevented = any(callee_name(c.callee) == "preventDefault" for c in project.calls_under(fpath, fid))
        return OpenHandler(path, call.span, not prevented, everywhere)
    allows, override = False, None
    blank: set[Span] = set()
    fixed: dict[Span, list[Where]] = {}  # answers reached only for a requested URL equal to these
    for o in f.outcomes:
        if o.func == fid and o.value is not None:
            if any(_blank_only(project, fpath, fid, c) for c in o.conds):
                blank.add(o.value.span)
            elif urls := [u for c in o.conds for u in _fixed_urls(project, fpath, fid, c)]:
                fixed[o.value.span] = urls
    pages: list[Where] | None = []
    for ret in f.functions[fid].returns:
        for answer in _answers(project, Where(fpath, ret, fid)):
            action = project.member(answer, "action")
            if action is None or "allow" not in _strings(project, action):
                continue
            if answer.path == fpath and answer.value.span in blank:
                continue  # (a child the opener's own code fills: nothing remote is loaded into it)
            allows = True
            override = _override(project, answer, files, override)
            only = fixed.get(answer.value.span) if answer.path == fpath else None
            if only is None or pages is None:
                pages = None
            else:
                pages.extend(only)
    return OpenHandler(path, call.span, allows, everywhere, override, None if pages is None else tuple(pages))


def _new_guest(project: Project, path: str, fid: int, files: list[str]
               ) -> tuple[bool, tuple[Preload, ...] | None]:
    """A legacy 'new-window' listener that sets `event.newGuest = new BrowserWindow(opts)`
    (Electron's own recipe, after `event.preventDefault()`) lets the child open all the same:
    Electron loads the requested URL into that window. Its preloads: those its options name;
    the opener's (None) when the options are the listener's `options` spread or another unknown
    part (they carry the opener's webPreferences), or reuse `options.webContents`; none when the
    options are fully known and name no preload. (False, None): the listener sets no such guest."""
    for a in project.assigns_within(path, (fid,)):
        t = a.target
        if not (a.op == "=" and isinstance(t, Member) and t.prop == "newGuest" and isinstance(t.obj, Ref)):
            continue
        hit = project.param_of(path, fid, t.obj.name)
        if hit is None or hit[0] != fid or hit[1].index != 0 or hit[1].path or hit[1].rest:
            continue
        r = project.resolve(path, a.value, fid)
        v = r.value
        if not isinstance(v, NewExpr) or _ctor(project.resolve(r.path, v.callee, r.scope).value) is None:
            continue
        if not v.args:
            return True, ()
        opts = options(project, Where(r.path, v.args[0], r.scope))
        prefs = webpreferences(project, opts)
        if prefs is not None:
            named = prefs.get("preload")
            own = [p for s in named for p in preload_files(project, s.value, s.span, files)]
            if own:
                return True, tuple(own)
            return True, (() if prefs.known and not named else None)  # (a preload not found: the opener's)
        if not opts.known or opts.get("webContents"):
            return True, None
        return True, ()
    return False, None


BLANK = frozenset({"about:blank"})
MAX_ANSWER_STEPS = 64  # values looked at for one return of a window-open handler
MAX_RECEIVER_STEPS = 12  # values looked at for the windows one receiver stands for


def _blank_only(project: Project, path: str, fid: int, cond: AnyV) -> bool:
    """Whether a condition holds only when the requested URL (the handler's `url`, destructured
    or `details.url`) is `about:blank` or empty: `url === 'about:blank'`, `!url || url ===
    'about:blank'`, or either side of an `&&` that says so. Such a child opens at a blank page
    that the opener's own code writes into: it shows no remote content of its own."""
    match cond:
        case Logic(op="&&", left=left, right=right):
            return _blank_only(project, path, fid, left) or _blank_only(project, path, fid, right)
        case Logic(op="||", left=left, right=right):
            return _blank_only(project, path, fid, left) and _blank_only(project, path, fid, right)
        case Not(inner=inner):
            return _requested_url(project, path, fid, inner)
        case Cmp(op="===" | "==", left=left, right=right):
            return any(type(a) is Str and a.value in BLANK and _requested_url(project, path, fid, b)
                       for a, b in ((left, right), (right, left)))
    return False


def _fixed_urls(project: Project, path: str, fid: int, cond: AnyV) -> list[Where]:
    """The values a condition requires the requested URL to equal (`url === this.appUrl`, either
    side of an `&&`, every side of an `||`); empty when it does not pin the URL."""
    match cond:
        case Logic(op="&&", left=left, right=right):
            return _fixed_urls(project, path, fid, left) or _fixed_urls(project, path, fid, right)
        case Logic(op="||", left=left, right=right):
            sides = [_fixed_urls(project, path, fid, side) for side in (left, right)]
            return sides[0] + sides[1] if all(sides) else []
        case Cmp(op="===" | "==", left=left, right=right):
            return [Where(path, b, fid) for a, b in ((left, right), (right, left))
                    if _requested_url(project, path, fid, a) and not _requested_url(project, path, fid, b)]
    return []


def _requested_url(project: Project, path: str, fid: int, v: AnyV) -> bool:
    """`url` of the handler's first parameter: `({ url }) => ...` or `(details) => ... details.url`."""
    prop: str | None = None
    if isinstance(v, Member) and isinstance(v.obj, Ref) and v.prop == "url":
        v, prop = v.obj, "url"
    if not isinstance(v, Ref):
        return False
    hit = project.param_of(path, fid, v.name)
    if hit is None or hit[0] != fid or hit[1].index != 0 or hit[1].rest:
        return False
    return hit[1].path == (("url",) if prop is None else ())


def _answers(project: Project, where: Where) -> list[Where]:
    """The objects a handler's return can be (`cond ? { action: 'allow' } : { action: 'deny' }`),
    also through project functions it returns the result of (`return decide(details)`)."""
    out: list[Where] = []
    todo = [where]
    steps = 0
    while todo and len(out) < 16 and steps < MAX_ANSWER_STEPS:
        steps += 1
        r = todo.pop()
        r = project.resolve(r.path, r.value, r.scope)
        if isinstance(r.value, Obj):
            out.append(r)
        elif isinstance(r.value, Cond):
            todo.extend(Where(r.path, a, r.scope) for a in r.value.alts)
        elif isinstance(r.value, CallExpr):
            todo.extend(project.returns_of(r.path, r.value.callee, r.scope)[:8])
    return out


def _strings(project: Project, where: Where) -> set[str]:
    """The constant strings a value can be (`ok ? 'allow' : 'deny'` is both)."""
    r = project.resolve(where.path, where.value, where.scope)
    alts = r.value.alts if isinstance(r.value, Cond) else (r.value,)
    return {s for a in alts for s in [project.channel(r.path, a, r.scope)] if s is not None}


def _override(project: Project, answer: Where, files: list[str],
              before: tuple[Preload, ...] | None) -> tuple[Preload, ...] | None:
    """The preloads `overrideBrowserWindowOptions.webPreferences.preload` gives the child, if set."""
    over = project.member(answer, "overrideBrowserWindowOptions")
    if over is None:
        return before
    prefs = webpreferences(project, options(project, over))
    if prefs is None or not prefs.get("preload"):
        return before
    found = tuple(p for s in prefs.get("preload") for p in preload_files(project, s.value, s.span, files))
    return found + (before or ())


def _is_every_contents(project: Project, path: str, obj: AnyV, scope: int | None) -> bool:
    """`contents.setWindowOpenHandler(...)` in `app.on('web-contents-created', (e, contents) => ...)`."""
    if isinstance(obj, Member) and obj.prop == "webContents":
        obj = obj.obj
    r = project.resolve(path, obj, scope)
    if not isinstance(r.value, ParamRef):
        return False
    fn = project.func(r.path, r.value.fid)
    if fn is None or fn.arg_of is None or fn.arg_index != 1:
        return False
    reg = project.files[r.path].calls[fn.arg_of]
    return isinstance(reg.callee, Member) and reg.callee.prop in ON and _event(reg) in EVERY_CONTENTS


def attach_webview_listeners(project: Project) -> set[tuple[str, int]]:
    """(path, function id) of the functions registered for 'will-attach-webview'."""
    out: set[tuple[str, int]] = set()
    for path, call in project.iter_calls_named(ON):
        callee = call.callee
        if isinstance(callee, Member) and callee.prop in ON and len(call.args) > 1 \
                and _event(call) == "will-attach-webview":
            fn = project.function_of(path, call.args[1], call.func)
            if fn is not None:
                out.add(fn)
    return out


def _webviews(project: Project, files: list[str]) -> list[Window]:
    """`<webview>` elements (JSX, or `document.createElement('webview')` given its `src` and
    `preload` by `setAttribute` or assignment): their preload comes from the `preload` attribute,
    unless a 'will-attach-webview' listener of the app sets (or deletes) `webPreferences.preload`."""
    attached = _attached_preloads(project, files)
    out: list[Window] = []
    for path in files:
        f = project.files[path]
        for el in f.jsx:
            if el.name != "webview":
                continue
            w = Window("webview", path, el.span, None, None, None)
            scope = _scope_at(f, el.span)
            for attr in el.attrs:
                if attr.value is not None:
                    _webview_attr(project, w, attr.name, Where(path, attr.value, scope), attr.span, files)
            out.append(w)
        out.extend(_created_webviews(project, path, files))
    for w in out:
        for (app_path, found) in attached:
            if project.same_app(app_path, w.path):
                w.preloads = list(found)
    return out


def _webview_attr(project: Project, w: Window, name: str, value: Where, span: Span, files: list[str]) -> None:
    if name == "src":
        w.loads.append(Load(value.path, span, "src", value))
    elif name == "preload":
        w.preloads.extend(preload_files(project, value, span, files))


def _scope_at(f: FileFacts, span: Span) -> int | None:
    """The innermost function of the file whose body holds ``span``."""
    best: int | None = None
    for fn in f.functions:
        if fn.span.line <= span.line <= fn.span.end_line and fn.span < span and (
                best is None or f.functions[best].span < fn.span):
            best = fn.id
    return best


def _created_webviews(project: Project, path: str, files: list[str]) -> list[Window]:
    f = project.files[path]
    made = {c.span: Window("webview", path, c.span, None, None, None)
            for c in project.calls_named(path, ("createElement",))
            if isinstance(c.callee, Member) and c.callee.prop == "createElement" and c.args
            and isinstance(c.args[0], Str) and c.args[0].value == "webview"}
    if not made:
        return []

    def element(obj: AnyV, scope: int | None) -> Window | None:
        r = project.resolve(path, obj, scope).value
        return made.get(r.span) if isinstance(r, CallExpr) and r.span in made else None

    for c in project.calls_named(path, ("setAttribute",)):
        if isinstance(c.callee, Member) and c.callee.prop == "setAttribute" and len(c.args) > 1 \
                and isinstance(c.args[0], Str) and (w := element(c.callee.obj, c.func)) is not None:
            _webview_attr(project, w, c.args[0].value, Where(path, c.args[1], c.func), c.span, files)
    for a in f.assigns:
        t = a.target
        if isinstance(t, Member) and a.op == "=" and (w := element(t.obj, a.func)) is not None:
            _webview_attr(project, w, t.prop, Where(path, a.value, a.func), a.span, files)
    return list(made.values())


def _attached_preloads(project: Project, files: list[str]) -> list[tuple[str, list[Preload]]]:
    """What each 'will-attach-webview' listener sets `webPreferences.preload` to (an empty list
    when it deletes it or sets a value that names no project file)."""
    out: list[tuple[str, list[Preload]]] = []
    for lpath, fid in sorted(attach_webview_listeners(project)):
        f = project.files[lpath]
        fn = f.functions[fid]
        prefs = next((p.name for p in fn.params if p.index == 1 and not p.path), None)
        scopes = f.subtree(fid)
        for a in sorted((*f.assigns, *f.deletes), key=lambda a: a.span):
            t = a.target
            if a.func in scopes and isinstance(t, Member) and t.prop == "preload" and isinstance(t.obj, Ref) \
                    and t.obj.name == prefs:
                found = [] if a.op == "delete" else preload_files(project, Where(lpath, a.value, a.func), a.span, files)
                out.append((lpath, found))
    return out


def option(project: Project, where: Where | None, key: str) -> Where | None:
    """The value of one option of an options object (the last that always applies)."""
    if where is None:
        return None
    found = [s for s in options(project, where).get(key) if s.sure]
    return found[-1].value if found else None


def isolation_off(project: Project) -> bool:
    """Whether some window runs without context isolation: `contextIsolation: false`, or an
    Electron version before 12 (when it was off by default)."""
    from ipclint.link.roles import _walk_values
    for f in project.files.values():
        # (options in a class field or on an object, `private options = { webPreferences: ... }`,
        # and options a function returns, too)
        roots = [*f.bindings.values(), *(a for c in f.calls for a in c.args if isinstance(a, Obj)),
                 *(a.value for a in f.assigns if isinstance(a.value, Obj)),
                 *(r for fn in f.functions for r in fn.returns if isinstance(r, Obj))]
        for x in _walk_values(roots):
            if isinstance(x, Obj) and any(p.key == "contextIsolation" and isinstance(p.value, Bool)
                                          and p.value.value is False for p in x.props):
                return True
        for a in f.assigns:
            if isinstance(a.target, Member) and a.target.prop == "contextIsolation" and isinstance(a.value, Bool) \
                    and a.value.value is False:
                return True
    for version in project.electron_versions.values():
        head = (version or "").split(".", 1)[0]
        if head.isdigit() and int(head) < 12:
            return True
    return False


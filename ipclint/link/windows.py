"""Windows and their webPreferences: reading option objects through variables, spreads and imports;
assignments; `<webview>` attributes; version defaults; whether context isolation is off anywhere
(one judgement, for IPC001, IPC013 and the graph)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ipclint.link.modules import Where
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name
from ipclint.model.facts import Call
from ipclint.model.span import Span
from ipclint.model.values import AnyV, Bool, CallExpr, Member, Obj, ParamRef, Ref, Spread, Str

INSECURE = {"nodeIntegration": True, "nodeIntegrationInWorker": True, "nodeIntegrationInSubFrames": True,
            "contextIsolation": False, "sandbox": False, "webSecurity": False,
            "allowRunningInsecureContent": True, "enableRemoteModule": True}
# Options whose safe value became the default in this Electron major version.
SAFE_SINCE = {"nodeIntegration": 5, "contextIsolation": 12, "sandbox": 20}
WEBVIEW_ATTRS = {"nodeintegration": "nodeIntegration", "nodeintegrationinsubframes": "nodeIntegrationInSubFrames",
                 "disablewebsecurity": "webSecurity"}
CTORS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView"})
Seen = set[tuple[str, int, int]]  # (path, line, column) of the settings already reported


@dataclass(frozen=True, slots=True)
class InsecureSetting:
    """A setting that removes the IPC boundary. form: "option" (a property of window options or
    webPreferences), "assignment" (`prefs.sandbox = false`), "webview-attr" (`<webview
    nodeintegration>`), "webview-pref" (`webpreferences="contextIsolation=no"`), "missing" (an option
    left out whose default was insecure before Electron ``since``)."""

    form: str
    path: str
    span: Span
    name: str
    value: str = ""
    since: int = 0
    version: str = ""


def loose_options(project: Project, seen: Seen) -> Iterator[InsecureSetting]:
    """Any object literal with a `webPreferences` key: window options on their way to a constructor
    through code we cannot follow (`new BrowserWindow(decorate(opts))`)."""
    from ipclint.link.roles import _walk_values
    for path in sorted(project.files):
        f = project.files[path]
        roots: list[AnyV] = [a for c in f.calls for a in c.args if isinstance(a, Obj)]
        roots += [v for v in f.bindings.values() if isinstance(v, Obj)]
        roots += [fn_ret for fn in f.functions for fn_ret in fn.returns if isinstance(fn_ret, Obj)]
        for v in _walk_values(roots):
            if not isinstance(v, Obj):
                continue
            for p in v.props:
                if p.key != "webPreferences" or p.spread:
                    continue
                yield from _insecure_props(project, project.resolve(path, p.value, None), seen)


def option(project: Project, where: Where | None, key: str) -> Where | None:
    if where is None or not isinstance(where.value, Obj):
        return None
    hit = project.member(where, key)
    return project.resolve(hit.path, hit.value, hit.scope) if hit is not None else None


def props(project: Project, where: Where) -> Iterator[tuple[str, bool | None, str, Span]]:
    """(key, bool value or None, file, span) of an options object, spreads followed."""
    stack = [(where, 0)]
    while stack:
        cur, depth = stack.pop()
        if not isinstance(cur.value, Obj) or depth > 6:
            continue
        for p in cur.value.props:
            if p.spread:
                if isinstance(p.value, Spread) and p.value.inner is not None:
                    stack.append((project.resolve(cur.path, p.value.inner, cur.scope), depth + 1))
                continue
            if p.key is None:
                continue
            v = project.resolve(cur.path, p.value, cur.scope).value
            yield p.key, (v.value if isinstance(v, Bool) else None), cur.path, p.span


def missing(project: Project, path: str, call: Call, found: Mapping[str, object],
            sandboxed: set[str | None]) -> Iterator[InsecureSetting]:
    version = project.electron_version(path)
    major = _major(version)
    if major is None:
        return
    for key, since in SAFE_SINCE.items():
        if key == "sandbox" and version in sandboxed:
            continue
        if major < since and key not in found:
            yield InsecureSetting("missing", path, call.span, key, since=since, version=version or "")


def sandboxed_apps(project: Project) -> set[str | None]:
    """The apps (told apart by their Electron version, read from their package.json) whose main
    process calls `app.enableSandbox()`: every renderer of theirs is sandboxed, whatever its options."""
    out: set[str | None] = set()
    for path, call in project.iter_calls():
        callee = call.callee
        if isinstance(callee, Member) and callee.prop == "enableSandbox" \
                and project.electron_api(path, callee, call.func) == "app.enableSandbox":
            out.add(project.electron_version(path))
    return out


def _major(version: str | None) -> int | None:
    if not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def assignments(project: Project, seen: Seen) -> Iterator[InsecureSetting]:
    """`webPreferences.sandbox = false` and `wp['nodeIntegration'] = true` (at the assignment),
    `opts.webPreferences = { ... }` and `Object.assign(webPreferences, { ... })` (at the property)."""
    listeners = attach_webview_listeners(project)
    for path in sorted(project.files):
        f = project.files[path]
        for a in f.assigns:
            t = a.target
            if not isinstance(t, Member):
                continue
            owner, prop = t.obj, t.prop
            if prop == "webPreferences" and a.op == "=":
                yield from _insecure_props(project, project.resolve(path, a.value, a.func), seen)
                continue
            if prop not in INSECURE or not _is_prefs(project, path, owner, a.func, listeners):
                continue
            v = project.resolve(path, a.value, a.func).value
            if isinstance(v, Bool) and v.value is INSECURE[prop]:
                yield InsecureSetting("assignment", path, a.span, prop, str(v.value).lower())
        for c in f.calls:
            callee = c.callee
            if not isinstance(callee, Member) or callee.prop != "assign" or not isinstance(callee.obj, Ref) \
                    or callee.obj.name != "Object" or len(c.args) < 2:
                continue
            if _is_prefs(project, path, c.args[0], c.func, listeners):
                for src in c.args[1:]:
                    yield from _insecure_props(project, project.resolve(path, src, c.func), seen)


def _insecure_props(project: Project, prefs: Where, seen: Seen) -> Iterator[InsecureSetting]:
    for key, value, where, span in props(project, prefs):
        if key in INSECURE and value is INSECURE[key] and (where, span.line, span.column) not in seen:
            seen.add((where, span.line, span.column))
            yield InsecureSetting("option", where, span, key, str(value).lower())


def _is_prefs(project: Project, path: str, owner: AnyV, scope: int | None, listeners: set[tuple[str, int]]) -> bool:
    """A webPreferences object: named so (`webPreferences`, `prefs`, `opts.webPreferences`), or
    the second parameter of a 'will-attach-webview' listener, whatever its name."""
    name = callee_name(owner)
    if name is not None and ("webpreferences" in name.lower() or name == "prefs"):
        return True
    if not isinstance(owner, Ref) or not listeners:
        return False
    r = project.resolve(path, owner, scope).value
    if not isinstance(r, ParamRef):
        return False
    fid, pname = r.fid, r.name
    fn = project.func(path, fid)
    return (path, fid) in listeners and fn is not None and any(
        p.name == pname and p.index == 1 and not p.path for p in fn.params)


def attach_webview_listeners(project: Project) -> set[tuple[str, int]]:
    """(path, function id) of the functions registered for 'will-attach-webview'."""
    out: set[tuple[str, int]] = set()
    for path, call in project.iter_calls():
        callee = call.callee
        event = call.args[0] if call.args else None
        if isinstance(callee, Member) and callee.prop in ("on", "once", "addListener", "prependListener") \
                and len(call.args) > 1 and isinstance(event, Str) and event.value == "will-attach-webview":
            fn = project.function_of(path, call.args[1], call.func)
            if fn is not None:
                out.add(fn)
    return out


def assigned_prefs(project: Project, path: str, arg: AnyV, scope: int | None, opts: Where) -> Where | None:
    """`opts.webPreferences = { ... }` before `new BrowserWindow(opts)`: the assigned options."""
    if not isinstance(arg, Ref):
        return None
    for a in project.files[path].assigns:
        t = a.target
        if isinstance(t, Member) and t.prop == "webPreferences" and isinstance(t.obj, Ref) \
                and t.obj.name == arg.name and a.op == "=":
            owner = project.resolve(path, t.obj, a.func)
            if owner.path == opts.path and owner.value is opts.value:
                return project.resolve(path, a.value, a.func)
    return None


def webviews(project: Project) -> Iterator[InsecureSetting]:
    for path in sorted(project.files):
        for el in project.files[path].jsx:
            for attr in el.attrs:
                name, value, span = attr.name, attr.value, attr.span
                key = WEBVIEW_ATTRS.get(name.lower())
                if key is None:
                    if name.lower() == "webpreferences" and isinstance(value, Str):
                        yield from _webpreferences_string(path, value, span)
                    continue
                if value is None or (isinstance(value, Bool) and value.value) or (
                        isinstance(value, Str) and value.value not in ("false", "")):
                    yield InsecureSetting("webview-attr", path, span, name)


def _webpreferences_string(path: str, value: Str, span: Span) -> Iterator[InsecureSetting]:
    for part in value.value.split(","):
        k, _, v = part.partition("=")
        k, v = k.strip(), v.strip().lower()
        bad = INSECURE.get(k)
        if bad is not None and (v in ("yes", "true", "1")) is bad:
            yield InsecureSetting("webview-pref", path, span, k, v)


def created_webviews(project: Project) -> Iterator[InsecureSetting]:
    """`el.setAttribute('nodeintegration', '')` on `document.createElement('webview')`."""
    for path, call in project.iter_calls():
        callee = call.callee
        attr = call.args[0] if call.args else None
        if not isinstance(callee, Member) or callee.prop != "setAttribute" or not isinstance(attr, Str):
            continue
        name = attr.value.lower()
        if name not in WEBVIEW_ATTRS and name != "webpreferences":
            continue
        el = project.resolve(path, callee.obj, call.func, consts_only=True).value
        if not _creates_webview(el):
            continue
        value = call.args[1] if len(call.args) > 1 else None
        if name == "webpreferences":
            if isinstance(value, Str):
                yield from _webpreferences_string(path, value, call.span)
        elif not isinstance(value, Str) or value.value not in ("false",):
            yield InsecureSetting("webview-attr", path, call.span, name)


def _creates_webview(v: AnyV) -> bool:
    """`document.createElement('webview')`."""
    match v:
        case CallExpr(callee=Member(prop="createElement"), args=(Str(value="webview"), *_)):
            return True
    return False

def isolation_off(project: Project) -> bool:
    """Whether some window runs without context isolation: `contextIsolation: false`, or an
    Electron version before 12 (when it was off by default)."""
    for f in project.files.values():
        for v in [*f.bindings.values(), *(a for c in f.calls for a in c.args if isinstance(a, Obj))]:
            if _has_false_isolation(v):
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


def _has_false_isolation(v: AnyV) -> bool:
    from ipclint.link.roles import _walk_values
    for x in _walk_values([v]):
        if isinstance(x, Obj):
            for p in x.props:
                if p.key == "contextIsolation" and isinstance(p.value, Bool) and p.value.value is False:
                    return True
    return False

"""Windows and their webPreferences: reading option objects through variables, spreads and imports;
assignments; `<webview>` attributes; version defaults; whether context isolation is off anywhere
(one judgement, for IPC001, IPC013 and the graph)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.link.modules import Where
from ipclint.link.project import Project
from ipclint.model.span import Span
from ipclint.model.values import V

INSECURE = {"nodeIntegration": True, "nodeIntegrationInWorker": True, "nodeIntegrationInSubFrames": True,
            "contextIsolation": False, "sandbox": False, "webSecurity": False,
            "allowRunningInsecureContent": True, "enableRemoteModule": True}
# Options whose safe value became the default in this Electron major version.
SAFE_SINCE = {"nodeIntegration": 5, "contextIsolation": 12, "sandbox": 20}
WEBVIEW_ATTRS = {"nodeintegration": "nodeIntegration", "nodeintegrationinsubframes": "nodeIntegrationInSubFrames",
                 "disablewebsecurity": "webSecurity"}
CTORS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView"})


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


def loose_options(project: Project, seen: set) -> Iterator[InsecureSetting]:
    """Any object literal with a `webPreferences` key: window options on their way to a constructor
    through code we cannot follow (`new BrowserWindow(decorate(opts))`)."""
    from ipclint.link.roles import _walk_values
    for path in sorted(project.files):
        f = project.files[path]
        roots = [a for c in f.calls for a in c.args if a.kind == "obj"]
        roots += [v for v in f.bindings.values() if v.kind == "obj"]
        roots += [fn_ret for fn in f.functions for fn_ret in fn.returns if fn_ret.kind == "obj"]
        for v in _walk_values(roots):
            if v.kind != "obj":
                continue
            for p in v.data:
                if p.key != "webPreferences" or p.spread:
                    continue
                prefs = project.resolve(path, p.value, None)
                for key, value, where, span in props(project, prefs):
                    if key in INSECURE and value is INSECURE[key] and (where, span.line, span.column) not in seen:
                        seen.add((where, span.line, span.column))
                        yield InsecureSetting("option", where, span, key, str(value).lower())


def option(project: Project, where: Where | None, key: str) -> Where | None:
    if where is None or where.value.kind != "obj":
        return None
    hit = project.member(where, key)
    return project.resolve(hit.path, hit.value, hit.scope) if hit is not None else None


def props(project: Project, where: Where):
    """(key, bool value or None, file, span) of an options object, spreads followed."""
    stack = [(where, 0)]
    while stack:
        cur, depth = stack.pop()
        if cur.value.kind != "obj" or depth > 6:
            continue
        for p in cur.value.data:
            if p.spread:
                if p.value.kind == "spread" and p.value.data is not None:
                    stack.append((project.resolve(cur.path, p.value.data, cur.scope), depth + 1))
                continue
            if p.key is None:
                continue
            v = project.resolve(cur.path, p.value, cur.scope).value
            yield p.key, (v.data if v.kind == "bool" else None), cur.path, p.span


def missing(project: Project, path: str, call, found: dict, sandboxed: set) -> Iterator[InsecureSetting]:
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
        if callee.kind == "member" and callee.data[1] == "enableSandbox" \
                and project.electron_api(path, callee, call.func) == "app.enableSandbox":
            out.add(project.electron_version(path))
    return out


def _major(version: str | None) -> int | None:
    if not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def assignments(project: Project, seen: set) -> Iterator[InsecureSetting]:
    """`webPreferences.sandbox = false` and `wp['nodeIntegration'] = true` (at the assignment),
    `opts.webPreferences = { ... }` and `Object.assign(webPreferences, { ... })` (at the property)."""
    listeners = attach_webview_listeners(project)
    for path in sorted(project.files):
        f = project.files[path]
        for a in f.assigns:
            t = a.target
            if t.kind != "member":
                continue
            owner, prop = t.data
            if prop == "webPreferences" and a.op == "=":
                yield from _insecure_props(project, project.resolve(path, a.value, a.func), seen)
                continue
            if prop not in INSECURE or not _is_prefs(project, path, owner, a.func, listeners):
                continue
            v = project.resolve(path, a.value, a.func).value
            if v.kind == "bool" and v.data is INSECURE[prop]:
                yield InsecureSetting("assignment", path, a.span, prop, str(v.data).lower())
        for c in f.calls:
            callee = c.callee
            if callee.kind != "member" or callee.data[1] != "assign" or callee.data[0].kind != "ref" \
                    or callee.data[0].data != "Object" or len(c.args) < 2:
                continue
            if _is_prefs(project, path, c.args[0], c.func, listeners):
                for src in c.args[1:]:
                    yield from _insecure_props(project, project.resolve(path, src, c.func), seen)


def _insecure_props(project: Project, prefs: Where, seen: set) -> Iterator[InsecureSetting]:
    for key, value, where, span in props(project, prefs):
        if key in INSECURE and value is INSECURE[key] and (where, span.line, span.column) not in seen:
            seen.add((where, span.line, span.column))
            yield InsecureSetting("option", where, span, key, str(value).lower())


def _is_prefs(project: Project, path: str, owner: V, scope: int | None, listeners: set) -> bool:
    """A webPreferences object: named so (`webPreferences`, `prefs`, `opts.webPreferences`), or
    the second parameter of a 'will-attach-webview' listener, whatever its name."""
    name = owner.data[1] if owner.kind == "member" else owner.data if owner.kind == "ref" else None
    if name is not None and ("webpreferences" in name.lower() or name == "prefs"):
        return True
    if owner.kind != "ref" or not listeners:
        return False
    r = project.resolve(path, owner, scope).value
    if r.kind != "param":
        return False
    fid, pname = r.data
    fn = project.func(path, fid)
    return (path, fid) in listeners and fn is not None and any(
        p.name == pname and p.index == 1 and not p.path for p in fn.params)


def attach_webview_listeners(project: Project) -> set[tuple[str, int]]:
    """(path, function id) of the functions registered for 'will-attach-webview'."""
    out: set[tuple[str, int]] = set()
    for path, call in project.iter_calls():
        callee = call.callee
        if callee.kind == "member" and callee.data[1] in ("on", "once", "addListener", "prependListener") \
                and len(call.args) > 1 and call.args[0].kind == "str" and call.args[0].data == "will-attach-webview":
            fn = project.function_of(path, call.args[1], call.func)
            if fn is not None:
                out.add(fn)
    return out


def assigned_prefs(project: Project, path: str, arg: V, scope: int | None, opts: Where) -> Where | None:
    """`opts.webPreferences = { ... }` before `new BrowserWindow(opts)`: the assigned options."""
    if arg.kind != "ref":
        return None
    for a in project.files[path].assigns:
        t = a.target
        if t.kind == "member" and t.data[1] == "webPreferences" and t.data[0].kind == "ref" \
                and t.data[0].data == arg.data and a.op == "=":
            owner = project.resolve(path, t.data[0], a.func)
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
                    if name.lower() == "webpreferences" and value is not None and value.kind == "str":
                        yield from _webpreferences_string(path, value, span)
                    continue
                if value is None or (value.kind == "bool" and value.data) or (value.kind == "str" and value.data
                                                                                not in ("false", "")):
                    yield InsecureSetting("webview-attr", path, span, name)


def _webpreferences_string(path: str, value: V, span) -> Iterator[InsecureSetting]:
    for part in str(value.data).split(","):
        k, _, v = part.partition("=")
        k, v = k.strip(), v.strip().lower()
        bad = INSECURE.get(k)
        if bad is not None and (v in ("yes", "true", "1")) is bad:
            yield InsecureSetting("webview-pref", path, span, k, v)


def created_webviews(project: Project) -> Iterator[InsecureSetting]:
    """`el.setAttribute('nodeintegration', '')` on `document.createElement('webview')`."""
    for path, call in project.iter_calls():
        callee = call.callee
        if callee.kind != "member" or callee.data[1] != "setAttribute" or not call.args or call.args[0].kind != "str":
            continue
        name = str(call.args[0].data).lower()
        if name not in WEBVIEW_ATTRS and name != "webpreferences":
            continue
        el = project.resolve(path, callee.data[0], call.func, consts_only=True).value
        if el.kind != "call" or el.data[0].kind != "member" or el.data[0].data[1] != "createElement" \
                or not el.data[1] or el.data[1][0].kind != "str" or el.data[1][0].data != "webview":
            continue
        value = call.args[1] if len(call.args) > 1 else None
        if name == "webpreferences":
            if value is not None and value.kind == "str":
                yield from _webpreferences_string(path, value, call.span)
        elif value is None or value.kind != "str" or value.data not in ("false",):
            yield InsecureSetting("webview-attr", path, call.span, name)

def isolation_off(project: Project) -> bool:
    """Whether some window runs without context isolation: `contextIsolation: false`, or an
    Electron version before 12 (when it was off by default)."""
    for f in project.files.values():
        for v in list(f.bindings.values()) + [a for c in f.calls for a in c.args if a.kind == "obj"]:
            if _has_false_isolation(v):
                return True
        for a in f.assigns:
            if a.target.kind == "member" and a.target.data[1] == "contextIsolation" and a.value.kind == "bool" \
                    and a.value.data is False:
                return True
    for version in project.electron_versions.values():
        head = (version or "").split(".", 1)[0]
        if head.isdigit() and int(head) < 12:
            return True
    return False


def _has_false_isolation(v) -> bool:
    from ipclint.link.roles import _walk_values
    for x in _walk_values([v]):
        if x.kind == "obj":
            for p in x.data:
                if p.key == "contextIsolation" and p.value.kind == "bool" and p.value.data is False:
                    return True
    return False

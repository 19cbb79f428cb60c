"""Settings that remove the IPC boundary (IPC013): insecure webPreferences of the windows model,
loose option objects, assignments (`webPreferences.sandbox = false` in a 'will-attach-webview'
listener), `<webview>` attributes, options left out on old Electron versions, and
`@electron/remote` enabled for a webContents. Version-dependent judgements need a known Electron
version: without one a current Electron is assumed."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.link.calls import BOUND, GLOBAL, PARAM, outside_module, root_binding
from ipclint.link.modules import Where
from ipclint.link.project import Project
from ipclint.link.vutil import callee_name
from ipclint.link.windows import Window, attach_webview_listeners, windows
from ipclint.link.winopts import Setting, effective, entries
from ipclint.model.facts import Call
from ipclint.model.span import Span
from ipclint.model.values import (
    AnyV,
    Arr,
    Bool,
    CallExpr,
    External,
    Import,
    Member,
    Module,
    Obj,
    ParamRef,
    Ref,
    Str,
    Tpl,
)

INSECURE = {"nodeIntegration": True, "nodeIntegrationInWorker": True, "nodeIntegrationInSubFrames": True,
            "contextIsolation": False, "sandbox": False, "webSecurity": False,
            "allowRunningInsecureContent": True, "enableRemoteModule": True}
# Options whose safe value became the default in this Electron major version.
SAFE_SINCE = {"nodeIntegration": 5, "contextIsolation": 12, "sandbox": 20}
# Options that do nothing from this Electron major version on.
IGNORED_SINCE = {"enableRemoteModule": 14}
WEBVIEW_ATTRS = {"nodeintegration": "nodeIntegration", "nodeintegrationinsubframes": "nodeIntegrationInSubFrames",
                 "disablewebsecurity": "webSecurity"}
# `@electron/remote/main` as packages name it, also by the file itself (`.../main/index.js`)
REMOTE_MAIN = frozenset({"@electron/remote/main", "@electron/remote/main/index", "@electron/remote/main/index.js"})
# lodash's `set(object, path, value)`: of the library, and as a module of its own (`lodash/set`)
LODASH = frozenset({"lodash", "lodash-es", "lodash/fp"})
LODASH_SET = frozenset({"lodash/set", "lodash.set", "lodash-es/set"})
Seen = set[tuple[str, int, int]]  # (path, line, column) of the settings already reported


@dataclass(frozen=True, slots=True)
class InsecureSetting:
    """A setting that removes the IPC boundary. form: "option" (a property of window options or
    webPreferences), "assignment" (`prefs.sandbox = false`), "webview-attr" (`<webview
    nodeintegration>`), "webview-pref" (`webpreferences="contextIsolation=no"`), "missing" (an option
    left out whose default was insecure before Electron ``since``), "remote" (`@electron/remote`
    enabled for a webContents)."""

    form: str
    path: str
    span: Span
    name: str
    value: str = ""
    since: int = 0
    version: str = ""


def major(version: str | None) -> int | None:
    if not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def insecure(project: Project, path: str, key: str, value: object) -> bool:
    """``value`` of option ``key`` removes the boundary in the app of ``path``."""
    if key not in INSECURE or value is not INSECURE[key]:
        return False
    until = IGNORED_SINCE.get(key)
    if until is None:
        return True
    m = major(project.electron_version(path))
    return m is not None and m < until


def window_settings(project: Project, seen: Seen) -> Iterator[InsecureSetting]:
    """Insecure webPreferences of every constructed window, once per property, and the options
    left out on old Electron versions."""
    sandboxed = sandboxed_apps(project)
    for w in windows(project):
        if w.call is None:
            continue
        if w.prefs is not None:
            yield from _reported(project, list(w.prefs.settings), seen)
        known = w.options is None or (w.options.known and (w.prefs.known if w.prefs is not None else True))
        if known:
            yield from missing(project, w, sandboxed)


def _reported(project: Project, settings: list[Setting], seen: Seen) -> Iterator[InsecureSetting]:
    for s in settings:
        value = s.flag(project)
        if insecure(project, s.path, s.key, value) and (s.path, s.span.line, s.span.column) not in seen:
            seen.add((s.path, s.span.line, s.span.column))
            yield InsecureSetting("option", s.path, s.span, s.key, str(value).lower())


def missing(project: Project, w: Window, sandboxed: set[str | None]) -> Iterator[InsecureSetting]:
    version = project.electron_version(w.path)
    m = major(version)
    if m is None:
        return
    found = {s.key for s in w.prefs.settings} if w.prefs is not None else set()
    for key, since in SAFE_SINCE.items():
        if key == "sandbox" and version in sandboxed:
            continue
        if m < since and key not in found:
            yield InsecureSetting("missing", w.path, w.span, key, since=since, version=version or "")


def sandboxed_apps(project: Project) -> set[str | None]:
    """The apps (told apart by their Electron version, read from their package.json) whose main
    process calls `app.enableSandbox()`: every renderer of theirs is sandboxed, whatever its options."""
    out: set[str | None] = set()
    for path, call in project.iter_calls_named(("enableSandbox",)):
        callee = call.callee
        if isinstance(callee, Member) and callee.prop == "enableSandbox" \
                and project.electron_api(path, callee, call.func) == "app.enableSandbox":
            out.add(project.electron_version(path))
    return out


def loose_options(project: Project, seen: Seen) -> Iterator[InsecureSetting]:
    """Any object literal with a `webPreferences` key: window options on their way to a constructor
    through code we cannot follow (`new BrowserWindow(decorate(opts))`). Those of the calls'
    arguments and of the bindings were found by linking's walk for preload scripts, once per file
    (``roles.option_values``); only the functions' returns are walked here."""
    from ipclint.link.roles import _walk_values, option_values
    # the options of known windows are judged by what is left of them after merging
    judged = {part for w in windows(project) for o in (w.options, w.prefs) if o is not None for part in o.parts}
    for path in sorted(project.files):
        # each object with its scope, so that `webPreferences: prefs[mode]` finds a const declared
        # in the function that returns the options
        prefs = [(value, scope) for span, value, scope in option_values(project, path)[1] if (path, span) not in judged]
        # (exact types: failing isinstance tests on msgspec values are slow)
        for fid, fn in enumerate(project.files[path].functions):
            for r in fn.returns:
                if type(r) is not Obj:
                    continue
                for v in _walk_values([r]):
                    if type(v) is Obj and (path, v.span) not in judged:
                        prefs.extend((p.value, fid) for p in v.props if p.key == "webPreferences" and not p.spread)
        for value, scope in prefs:
            found, _known = entries(project, Where(path, value, scope))
            yield from _reported(project, effective(found), seen)


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
                found, _known = entries(project, Where(path, a.value, a.func))
                yield from _reported(project, effective(found), seen)
                continue
            if prop not in INSECURE or a.op != "=" or not _is_prefs(project, path, owner, a.func, listeners):
                continue
            v = project.resolve(path, a.value, a.func).value
            if isinstance(v, Bool) and insecure(project, path, prop, v.value):
                yield InsecureSetting("assignment", path, a.span, prop, str(v.value).lower())
        for c in project.calls_named(path, ("set",)):
            hit = _path_set(project, path, c, listeners)
            if hit is not None:
                yield hit
        for c in project.calls_named(path, ("assign",)):
            callee = c.callee
            if not isinstance(callee, Member) or callee.prop != "assign" or not isinstance(callee.obj, Ref) \
                    or callee.obj.name != "Object" or len(c.args) < 2:
                continue
            if _is_prefs(project, path, c.args[0], c.func, listeners):
                for src in c.args[1:]:
                    found, _known = entries(project, Where(path, src, c.func))
                    yield from _reported(project, effective(found), seen)


def _path_set(project: Project, path: str, c: Call, listeners: set[tuple[str, int]]) -> InsecureSetting | None:
    """lodash's path assignment, `_.set(opts, ['webPreferences', 'contextIsolation'], false)` (or
    `'webPreferences.sandbox'`, or `set(prefs, 'sandbox', false)`), which sets the option like
    `opts.webPreferences.contextIsolation = false` does: reported at the call."""
    if c.new or len(c.args) < 3:
        return None
    fn = project.resolve(path, c.callee, c.func).value
    if not isinstance(fn, External):
        return None
    name = fn.name.removeprefix("default.")
    if not ((fn.src in LODASH and name == "set") or (fn.src in LODASH_SET and name in ("default", "*"))):
        return None
    keys = _path_keys(project.resolve(path, c.args[1], c.func).value)
    if not keys or keys[-1] not in INSECURE:
        return None
    prop = keys[-1]
    if keys[:-1] != ["webPreferences"] and not (len(keys) == 1 and _is_prefs(project, path, c.args[0], c.func,
                                                                              listeners)):
        return None
    v = project.resolve(path, c.args[2], c.func).value
    if isinstance(v, Bool) and insecure(project, path, prop, v.value):
        return InsecureSetting("assignment", path, c.span, prop, str(v.value).lower())
    return None


def _path_keys(v: AnyV) -> list[str] | None:
    """The keys of a lodash property path: `['a', 'b']` or `'a.b'`."""
    if isinstance(v, Str):
        return v.value.split(".")
    if isinstance(v, Arr) and all(isinstance(x, Str) for x in v.items):
        return [x.value for x in v.items if isinstance(x, Str)]
    return None


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


def remote_enabled(project: Project) -> Iterator[InsecureSetting]:
    """`require('@electron/remote/main').enable(webContents)`, under any alias: the page gets
    every main-process module through `@electron/remote`."""
    for path in sorted(project.files):
        # a call by a name that no scope of the file binds calls a global (``_may_be_remote``):
        # only the calls by `enable` and by the bound names are candidates
        for call in project.calls_named(path, project.bound_names(path) | {"enable"}):
            callee = call.callee
            # (exact types: failing isinstance tests on msgspec values are slow)
            if not call.args or call.new or not (type(callee) is Ref or (
                    type(callee) is Member and callee.prop == "enable")) or not _may_be_remote(project, path, call):
                continue
            if remote_enable(project.resolve(path, call.callee, call.func).value):
                yield InsecureSetting("remote", path, call.span, "@electron/remote", call.args[0].text)


def _may_be_remote(project: Project, path: str, call: Call) -> bool:
    """A cheap test before resolving a callee for ``remote_enabled``: False when the name its chain
    starts at is a global or a parameter (resolving to a global, an unknown or an Electron value),
    or an import or `require` of another module outside the parsed files (resolving to an external
    value of that module: members keep it); and, for a call by a bare name (`enable(wc)`), when
    what that name is bound to does not resolve to `@electron/remote/main`'s `enable`: resolving
    the name goes on from its binding (``Project._bound``), so it ends where the binding's own
    resolution ends (remembered once for every call by that name), or runs out of steps."""
    how, bound, scope = root_binding(project, path, call.callee, call.func)
    if how == GLOBAL or how == PARAM:
        return False
    if type(bound) is Import or type(bound) is Module:
        outside = outside_module(project, path, bound)
        if outside is not None:
            return outside in REMOTE_MAIN
    if how == BOUND and bound is not None and type(call.callee) is Ref:
        return remote_enable(project.resolve(path, bound, scope).value)
    return True


def remote_enable(v: AnyV) -> bool:
    return isinstance(v, External) and v.src in REMOTE_MAIN and v.name.rsplit(".", 1)[-1] == "enable"


def webviews(project: Project) -> Iterator[InsecureSetting]:
    for path in sorted(project.files):
        for el in project.files[path].jsx:
            for attr in el.attrs:
                name, value, span = attr.name, attr.value, attr.span
                if name == "..." and value is not None:
                    yield from _spread_attributes(project, path, value, attr.func)
                    continue
                key = WEBVIEW_ATTRS.get(name.lower())
                if key is None:
                    if name.lower() == "webpreferences" and value is not None:
                        yield from _webpreferences_string(project, path, value, span)
                    continue
                if value is None or (isinstance(value, Bool) and value.value) or (
                        isinstance(value, Str) and value.value not in ("false", "")):
                    yield InsecureSetting("webview-attr", path, span, name)


def _spread_attributes(project: Project, path: str, value: AnyV, scope: int | None) -> Iterator[InsecureSetting]:
    """`<webview {...props} />` with `props = { src, disablewebsecurity: 'true' }` (also built in
    another module): each insecure attribute the object gives, at its property."""
    r = project.resolve(path, value, scope)
    if not isinstance(r.value, Obj):
        return
    for p in r.value.props:
        if p.spread or p.key is None:
            continue
        name = p.key.lower()
        v = project.resolve(r.path, p.value, r.scope).value
        if name in WEBVIEW_ATTRS:
            if (isinstance(v, Bool) and v.value) or (isinstance(v, Str) and v.value.lower() not in ("false", "")):
                yield InsecureSetting("webview-attr", r.path, p.span, p.key)
        elif name == "webpreferences":
            yield from _webpreferences_string(project, r.path, v, p.span)


# How Electron coerces a value of a `webpreferences` string (the window.open features format,
# parseCommaSeparatedKeyValue): a name by itself is true; other strings stay strings.
_PREF_WORDS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


# stands for a substitution of a template literal in ``_pref_text`` (no option name or value has it)
_HOLE = "\x00"


def _pref_text(value: AnyV) -> str | None:
    """The text of a `webpreferences` string: a literal, or a template literal whose substitutions
    are holes (`` `devTools=${dev ? 1 : 0}, contextIsolation=0` ``: the fixed settings still count)."""
    if isinstance(value, Str):
        return value.value
    if isinstance(value, Tpl):
        return "".join(p if isinstance(p, str) else _HOLE for p in value.parts)
    return None


def _webpreferences_string(project: Project, path: str, value: AnyV, span: Span) -> Iterator[InsecureSetting]:
    """`webpreferences="contextIsolation=no,nodeIntegration"`: each insecure setting, at the
    attribute. A name with no `=` is true (`contextIsolation` alone turns isolation on). In a
    template literal, a setting whose name or value comes from a substitution is not judged."""
    text = _pref_text(value)
    if text is None:
        return
    for part in text.split(","):
        k, eq, v = part.partition("=")
        k, v = k.strip(), v.strip()
        if _HOLE in k or _HOLE in v:
            continue
        b = _PREF_WORDS.get(v.lower()) if eq else True
        if k in INSECURE and insecure(project, path, k, b):
            yield InsecureSetting("webview-pref", path, span, k, v if eq else "")


def created_webviews(project: Project) -> Iterator[InsecureSetting]:
    """`el.setAttribute('nodeintegration', '')` on `document.createElement('webview')`."""
    for path, call in project.iter_calls_named(("setAttribute",)):
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
            if value is not None:
                yield from _webpreferences_string(project, path, value, call.span)
        elif not isinstance(value, Str) or value.value not in ("false",):
            yield InsecureSetting("webview-attr", path, call.span, name)


def _creates_webview(v: AnyV) -> bool:
    """`document.createElement('webview')`."""
    match v:
        case CallExpr(callee=Member(prop="createElement"), args=(Str(value="webview"), *_)):
            return True
    return False

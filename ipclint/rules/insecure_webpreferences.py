from __future__ import annotations

from typing import Iterator

from ipclint.extract.values import V
from ipclint.model import Severity
from ipclint.project import Project
from ipclint.resolve import Where
from ipclint.rules._base import Hit, rule

INSECURE = {"nodeIntegration": True, "nodeIntegrationInWorker": True, "nodeIntegrationInSubFrames": True,
            "contextIsolation": False, "sandbox": False, "webSecurity": False,
            "allowRunningInsecureContent": True, "enableRemoteModule": True}
# Options whose safe value became the default in this Electron major version.
SAFE_SINCE = {"nodeIntegration": 5, "contextIsolation": 12, "sandbox": 20}
WEBVIEW_ATTRS = {"nodeintegration": "nodeIntegration", "nodeintegrationinsubframes": "nodeIntegrationInSubFrames",
                 "disablewebsecurity": "webSecurity"}
CTORS = frozenset({"BrowserWindow", "BrowserView", "WebContentsView"})


@rule("IPC013", "insecure-webpreferences", Severity.ERROR,
      "Window options that remove the boundary between page and Node", cwe=(1188, 94), security_severity=8.0)
def insecure_webpreferences(project: Project, options) -> Iterator[Hit]:
    """## What it does
    Flags `BrowserWindow`, `BrowserView` and `WebContentsView` options, `webPreferences`
    assignments and `<webview>` attributes that remove the IPC boundary: `nodeIntegration: true`,
    `nodeIntegrationInWorker: true`, `nodeIntegrationInSubFrames: true`, `contextIsolation:
    false`, `sandbox: false`, `webSecurity: false`, `allowRunningInsecureContent: true`,
    `enableRemoteModule: true`. Options built in a separate object, spread or imported from
    another file are followed, and an insecure option in a shared object is reported once, at its
    property. An assignment such as `webPreferences.sandbox = false` (typically in a
    'will-attach-webview' handler) is reported at the assignment, and `<webview nodeintegration>`
    at the attribute. When the app's Electron version is older than the release that made the
    safe value the default (nodeIntegration 5, contextIsolation 12, sandbox 20), a missing option
    is reported at the constructor.

    ## Why is this bad?
    With Node integration in the page, or without context isolation, any script in the page (an
    XSS, a compromised dependency, a remote page) runs with the app's Node privileges or can reach
    the preload's internals. Without the sandbox, a renderer exploit is a system compromise.

    ## Example
    ```js
    // file: main.js
    const { app, BrowserWindow } = require('electron')
    app.whenReady().then(() => {
      const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } })
      win.loadFile('index.html')
    })
    ```

    ## Use instead
    ```js
    // file: main.js
    const { app, BrowserWindow } = require('electron')
    const path = require('path')
    app.whenReady().then(() => {
      const win = new BrowserWindow({ webPreferences: { preload: path.join(__dirname, 'preload.js') } })
      win.loadFile('index.html')
    })
    ```

    ## Options
    None.

    ## References
    - [Electron security checklist: items 2, 3, 4, 5, 6](https://www.electronjs.org/docs/latest/tutorial/security#checklist-security-recommendations)
    - [CWE-1188: Insecure Default Initialization of Resource](https://cwe.mitre.org/data/definitions/1188.html)
    """
    seen: set[tuple[str, int, int]] = set()
    for path, call in project.iter_calls():
        if not call.new:
            continue
        r = project.resolve(path, call.callee, call.func).value
        if r.kind != "electron" or r.data not in CTORS:
            continue
        opts = project.resolve(path, call.args[0], call.func) if call.args else None
        prefs = _prop(project, opts, "webPreferences") if opts is not None else None
        found: dict[str, object] = {}
        if prefs is not None:
            for key, value, where, span in _props(project, prefs):
                found[key] = value
                if key in INSECURE and value is INSECURE[key] and (where, span.line, span.column) not in seen:
                    seen.add((where, span.line, span.column))
                    yield Hit(where, span, f"{key}: {str(value).lower()} removes the IPC boundary", key=key)
        known = prefs is not None or opts is None or (opts.value.kind == "obj" and _prop(project, opts, "webPreferences") is None)
        if known and (opts is None or opts.value.kind == "obj"):
            yield from _missing(project, path, call, found)
    yield from _loose_options(project, seen)
    yield from _assignments(project)
    yield from _webviews(project)


def _loose_options(project: Project, seen: set) -> Iterator[Hit]:
    """Any object literal with a `webPreferences` key: window options on their way to a constructor
    through code we cannot follow (`new BrowserWindow(decorate(opts))`)."""
    from ipclint.roles import _walk_values
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
                for key, value, where, span in _props(project, prefs):
                    if key in INSECURE and value is INSECURE[key] and (where, span.line, span.column) not in seen:
                        seen.add((where, span.line, span.column))
                        yield Hit(where, span, f"{key}: {str(value).lower()} removes the IPC boundary", key=key)


def _prop(project: Project, where: Where | None, key: str) -> Where | None:
    if where is None or where.value.kind != "obj":
        return None
    hit = project.member(where, key)
    return project.resolve(hit.path, hit.value, hit.scope) if hit is not None else None


def _props(project: Project, where: Where):
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


def _missing(project: Project, path: str, call, found: dict) -> Iterator[Hit]:
    version = project.electron_version(path)
    major = _major(version)
    if major is None:
        return
    for key, since in SAFE_SINCE.items():
        if major < since and key not in found:
            yield Hit(path, call.span, f"{key} is not set and defaults to the insecure value before Electron "
                                       f"{since} (this app uses {version})", key=f"missing:{key}")


def _major(version: str | None) -> int | None:
    if not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _assignments(project: Project) -> Iterator[Hit]:
    for path in sorted(project.files):
        for a in project.files[path].assigns:
            t = a.target
            if t.kind != "member" or t.data[1] not in INSECURE:
                continue
            owner = t.data[0]
            owner_name = owner.data[1] if owner.kind == "member" else owner.data if owner.kind == "ref" else None
            if owner_name is None or "webpreferences" not in owner_name.lower() and owner_name != "prefs":
                continue
            v = project.resolve(path, a.value, a.func).value
            if v.kind == "bool" and v.data is INSECURE[t.data[1]]:
                yield Hit(path, a.span, f"{t.data[1]} = {str(v.data).lower()} removes the IPC boundary",
                          key=f"assign:{t.data[1]}")


def _webviews(project: Project) -> Iterator[Hit]:
    for path in sorted(project.files):
        for el in project.files[path].jsx:
            for name, value, span in el.attrs:
                key = WEBVIEW_ATTRS.get(name.lower())
                if key is None:
                    if name.lower() == "webpreferences" and value is not None and value.kind == "str":
                        yield from _webpreferences_string(path, value, span)
                    continue
                if value is None or (value.kind == "bool" and value.data) or (value.kind == "str" and value.data
                                                                                not in ("false", "")):
                    yield Hit(path, span, f"<webview {name}> removes the IPC boundary", key=f"webview:{name}")


def _webpreferences_string(path: str, value: V, span) -> Iterator[Hit]:
    for part in str(value.data).split(","):
        k, _, v = part.partition("=")
        k, v = k.strip(), v.strip().lower()
        bad = INSECURE.get(k)
        if bad is not None and (v in ("yes", "true", "1")) is bad:
            yield Hit(path, span, f"<webview webpreferences> sets {k}={v}", key=f"webview:{k}")

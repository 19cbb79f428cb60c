from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ipclint.extract.values import V
from ipclint.model import Location, Severity
from ipclint.project import Project
from ipclint.rules._base import Hit, rule
from ipclint.rules._handlers import Handler, handlers, validated_before
from ipclint.rules._sinks import sink_of
from ipclint.vutil import callee_name

PASS_THROUGH = frozenset({"join", "resolve", "normalize", "replace", "replaceAll", "slice", "substring", "substr",
                          "trim", "trimStart", "trimEnd", "toLowerCase", "toUpperCase", "split", "concat",
                          "decodeURIComponent", "decodeURI", "encodeURI", "String", "toString",
                          "fileURLToPath", "padStart", "padEnd", "at", "dirname", "basename"})
# Option keys through which renderer data into `new BrowserWindow(...)` changes what the window can do.
WINDOW_KEYS = frozenset({"webPreferences"})


@dataclass(frozen=True, slots=True)
class Options:
    """`sinks`: more call names (`myExec`, `db.query`) that must not receive renderer data."""

    sinks: tuple[str, ...] = ()


@rule("IPC006", "tainted-sink", Severity.ERROR,
      "Renderer-supplied data reaches a dangerous main-process call without validation",
      cwe=(78, 22, 601, 94), security_severity=8.8, options=Options)
def tainted_sink(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Follows each renderer-supplied handler parameter through local variables, property reads,
    string concatenation and templates, string methods, `path.join`/`path.resolve`, and object or
    array literals, and flags the dangerous call it reaches without validation: `shell.openExternal`
    / `openPath` / `showItemInFolder`; `child_process` `exec`/`execFile`/`spawn`/`fork` (and their
    Sync forms, argument arrays included); the path arguments of `fs`, `fs/promises`, `fs-extra`,
    `graceful-fs` and `original-fs` calls; `require()` and `import()`; `eval`, `new Function`,
    `vm.run*`; `loadURL`/`loadFile`; `executeJavaScript`/`insertCSS`; `session.setProxy`;
    `app.setAsDefaultProtocolClient`; `new BrowserWindow(options)`. Validation of the parameter
    (or of the variable carrying it) before the call clears it. The finding carries a trace from
    the renderer or preload call that sends the message, through the handler parameter, to the sink.

    ## Why is this bad?
    This is how a renderer compromise becomes code execution: `shell.openExternal` with a
    `file://` or custom-protocol URL launches programs, a path with `..` reads or overwrites any
    file, and a string reaching `exec` is a shell command.

    ## Example
    ```js
    // file: main.js
    const { ipcMain, shell } = require('electron')
    ipcMain.handle('link:open', (_event, url) => shell.openExternal(url))
    ```

    ## Use instead
    ```js
    // file: main.js
    const { ipcMain, shell } = require('electron')
    ipcMain.handle('link:open', (_event, url) => {
      const parsed = new URL(url)
      if (parsed.protocol !== 'https:') throw new Error('refusing to open ' + parsed.protocol)
      return shell.openExternal(parsed.href)
    })
    ```

    ## Options
    - `sinks` (list of strings): more call names that must not receive renderer data, in
      `[rules.tainted-sink]`.

    ## References
    - [Electron security: do not use openExternal with untrusted content](https://www.electronjs.org/docs/latest/tutorial/security#15-do-not-use-shellopenexternal-with-untrusted-content)
    - [CWE-78: OS Command Injection](https://cwe.mitre.org/data/definitions/78.html),
      [CWE-22: Path Traversal](https://cwe.mitre.org/data/definitions/22.html),
      [CWE-94: Code Injection](https://cwe.mitre.org/data/definitions/94.html)
    """
    extra = frozenset(options.sinks)
    for h in handlers(project):
        if h.wrapper_validates or not h.params:
            continue
        yield from _check_handler(project, h, extra)


def _tainted_names(project: Project, h: Handler) -> dict[str, str]:
    """variable -> the parameter it carries, through local bindings in source order."""
    f = project.files[h.path]
    taint = {p.name: p.name for p in h.params}
    local = sorted(((v.span.line, v.span.column, name, v) for (scope, name), v in f.bindings.items()
                    if scope in h.scopes), key=lambda x: (x[0], x[1]))
    for _ in range(2):
        for _l, _c, name, v in local:
            src = _arg_carries(v, taint)
            if src and name not in taint:
                taint[name] = src
    return taint


def _arg_carries(arg: V, taint: dict[str, str]) -> str | None:
    stack = [arg]
    seen = 0
    while stack and seen < 500:
        x = stack.pop()
        seen += 1
        if x.kind == "ref" and x.data in taint:
            return taint[x.data]
        if x.kind in ("call", "new"):
            callee, args = x.data
            name = callee_name(callee)
            if name in PASS_THROUGH:
                stack.extend(args)
                if callee.kind == "member":
                    stack.append(callee.data[0])
            continue
        if x.kind == "fn":
            continue
        if x.kind in ("member", "index"):
            stack.append(x.data[0])
        elif x.kind in ("tpl", "arr", "cond"):
            stack.extend(p for p in x.data if isinstance(p, V))
        elif x.kind == "concat":
            stack.extend(x.data)
        elif x.kind == "obj":
            stack.extend(p.value for p in x.data)
        elif x.kind in ("spread", "await") and isinstance(x.data, V):
            stack.append(x.data)
        elif x.kind == "logic":
            stack.extend(x.data[1:])
    return None


def _check_handler(project: Project, h: Handler, extra: frozenset[str]) -> Iterator[Hit]:
    taint = _tainted_names(project, h)
    yield from _sinks(project, h, taint, extra, lambda src, span, desc: _trace(project, h, src, span, desc))
    yield from _through_helpers(project, h, taint, extra)


def _sinks(project: Project, h: Handler, taint: dict[str, str], extra: frozenset[str], trace) -> Iterator[Hit]:
    f = project.files[h.path]
    for c in f.calls:
        if c.func not in h.scopes:
            continue
        sink = sink_of(project, h.path, c, extra)
        if sink is None:
            continue
        desc, positions = sink
        src = _tainted_argument(project, h, c, desc, positions, taint)
        if src is None:
            continue
        yield Hit(h.path, c.span, f"renderer-supplied '{src}' reaches {desc} without validation",
                  key=f"{h.edge.channel}:{src}:{desc}", trace=trace(src, c.span, desc))


def _tainted_argument(project: Project, h: Handler, c, desc: str, positions, taint: dict[str, str]) -> str | None:
    url_sink = desc.endswith(("loadURL", "openExternal"))
    for i in positions:
        if i >= len(c.args):
            continue
        arg = c.args[i]
        if url_sink and (_fixed_origin(project, h, arg, c.func) or _query_only(project, h, arg, c.func, taint)):
            continue
        if desc.startswith("new ") and arg.kind == "obj":  # only the whole options or webPreferences
            parts = [p.value for p in arg.data if p.spread or p.key in WINDOW_KEYS]
            src = next((x for x in (_arg_carries(p, taint) for p in parts) if x), None)
        else:
            src = _arg_carries(arg, taint)
        if src is None:
            continue
        carriers = {n for n, s in taint.items() if s == src}
        if not validated_before(h, carriers, c.span):
            return src
    return None


def _through_helpers(project: Project, h: Handler, taint: dict[str, str], extra: frozenset[str]) -> Iterator[Hit]:
    """One call deep: a handler that passes renderer data, unvalidated, to a project function whose
    body reaches a sink with it (`ipcMain.handle(ch, (e, p) => openFile(p))`)."""
    from ipclint.rules._handlers import _events
    from ipclint.vutil import subtree
    f = project.files[h.path]
    for c in f.calls:
        if c.func not in h.scopes or c.callee.kind not in ("ref", "member"):
            continue
        target = project.function_of(h.path, c.callee, c.func)
        if target is None or (target[0] == h.path and target[1] in h.scopes):
            continue
        fn = project.files[target[0]].functions[target[1]]
        passed = {}
        for p in fn.params:
            if p.path or p.index >= len(c.args):
                continue
            src = _arg_carries(c.args[p.index], taint)
            if src and not validated_before(h, {n for n, s in taint.items() if s == src}, c.span):
                passed[p.name] = src
        if not passed:
            continue
        inner = Handler(h.edge, target[0], fn, [p for p in fn.params if p.name in passed], None,
                        subtree(project.files[target[0]], target[1]))
        inner.events = _events(project, inner, set(passed))
        inner_taint = {n: passed[n] for n in passed}
        for name, src in list(_tainted_names(project, inner).items()):
            inner_taint.setdefault(name, passed.get(src, src))
        call_loc = Location(h.path, c.span, f"passed to {fn.name or 'a helper'}()")

        def trace(src, span, desc, _loc=call_loc, _inner=inner):
            head = _trace(project, h, src, span, desc)[:-1]
            param = next((p for p in _inner.params if passed.get(p.name) == src), None)
            mid = (_loc,) + ((Location(_inner.path, param.span, f"helper parameter '{param.name}'"),) if param else ())
            return head + mid + (Location(_inner.path, span, f"reaches {desc}"),)

        yield from _sinks(project, inner, inner_taint, extra, trace)


_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#\s]+[/?#]", re.I)


def _fixed_origin(project: Project, h: Handler, arg: V, scope) -> bool:
    """`https://host/path?q=${x}`: the renderer chooses only the path or query of a fixed origin."""
    r = project.resolve(h.path, arg, scope)
    v = r.value
    first = None
    if v.kind == "tpl" and v.data and isinstance(v.data[0], str):
        first = v.data[0]
    elif v.kind == "concat":
        left = v.data[0]
        for _ in range(8):
            if left.kind != "concat":
                break
            left = left.data[0]
        first = project.channel(r.path, left, r.scope)
    return bool(first and _ORIGIN.match(first))


def _parts(v: V) -> list:
    """The pieces of a concatenation or template, left to right."""
    out: list = []
    stack = [v]
    while stack and len(out) < 64:
        x = stack.pop()
        if isinstance(x, str):
            out.append(x)
        elif x.kind == "concat":
            stack.extend(reversed(x.data))
        elif x.kind == "tpl":
            stack.extend(reversed(x.data))
        else:
            out.append(x)
    return out


def _query_only(project: Project, h: Handler, arg: V, scope, taint: dict[str, str]) -> bool:
    """Renderer data only after a literal `?` or `#`: it picks a query or fragment, not the target."""
    r = project.resolve(h.path, arg, scope)
    parts = _parts(r.value)
    seen_marker = False
    for part in parts:
        text = part if isinstance(part, str) else (part.data if part.kind == "str" else None)
        if text is not None:
            seen_marker = seen_marker or "?" in text or "#" in text
            continue
        if _arg_carries(part, taint) and not seen_marker:
            return False
    return seen_marker


def _trace(project: Project, h: Handler, param: str, sink_span, desc: str) -> tuple[Location, ...]:
    steps: list[Location] = []
    ch = h.edge.channel
    if ch is not None:
        senders = [e for e in project.graph.edges if e.channel == ch and e.kind in ("send", "invoke")
                   and e.side == "renderer"]
        bridged = [e for e in senders if e.bridged]
        direct = [e for e in senders if not e.bridged]
        if bridged:
            b = bridged[0]
            steps.append(Location(b.path, b.span, f"the renderer calls the bridge ({b.role.value})"))
            pre = next((v for v in reversed(b.via) if v.message == "preload IPC call"), None)
            if pre is not None:
                steps.append(Location(pre.path, pre.span, f"the preload sends '{ch}'"))
        elif direct:
            d = direct[0]
            steps.append(Location(d.path, d.span, f"{d.role.value} {d.method} '{ch}'"))
    p = next((p for p in h.params if p.name == param), None)
    if p is not None:
        steps.append(Location(h.path, p.span, f"handler parameter '{param}'"))
    steps.append(Location(h.path, sink_span, f"reaches {desc}"))
    return tuple(steps)

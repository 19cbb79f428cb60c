from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.link.handlers import contents_handlers, handlers, shared_judge, wrapper_handlers
from ipclint.link.project import Project
from ipclint.link.taint import reaches, trace
from ipclint.model import Severity, Span
from ipclint.rules._base import Hit, option, rule


@dataclass(frozen=True, slots=True)
class Options:
    """What the configuration can add to IPC006's knowledge of the app."""

    sinks: tuple[str, ...] = option((), "more call names (`myExec`, `db.query`) that must not receive renderer "
                                        "data: each of their arguments is a sink.")
    validators: tuple[str, ...] = option((), "more function names that validate their arguments: renderer data "
                                             "passed to one is validated on the paths after it.")


@rule("IPC006", "tainted-sink", Severity.ERROR,
      "Renderer-supplied data reaches a dangerous main-process call without validation",
      cwe=(78, 22, 601, 94), security_severity=8.8, options=Options,
      fix=("Validate the value before the call: allow only known values, parse URLs and allow only the "
           "schemes and hosts you expect, keep paths inside a fixed folder; better, let the page choose "
           "among options main defines"))
def tainted_sink(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Follows each renderer-supplied handler parameter (of `ipcMain`, `webContents.ipc` and `frame.ipc`
    handlers, and the arguments after the channel of a `webContents.on('ipc-message', ...)`
    listener) through local variables, property reads,
    string concatenation and templates, string methods, `path.join`/`path.resolve`, object or
    array literals, object spread and `Object.assign`, copies and parses (`JSON.parse`,
    `structuredClone`, `JSON.parse(JSON.stringify(x))`; `JSON.stringify` alone quotes a value as a
    script literal and carries nothing; a local made by `Number`/`parseInt`/`parseFloat` holds
    digits and carries nothing, one made by `String` carries the value), and loops and array callbacks over it
    (`for...of`, `map`, `forEach`), and flags the dangerous call it reaches without validation: `shell.openExternal`
    / `openPath` / `showItemInFolder`; `child_process` `exec`/`execFile`/`spawn`/`fork` (and their
    Sync forms, argument arrays included), and the process launchers `execa`, `cross-spawn`,
    `sudo-prompt` and the MCP SDK's `new StdioClientTransport({ command, args, env, cwd })`; the
    path arguments of `fs`, `fs/promises`, `fs-extra`, `graceful-fs` and `original-fs` calls, and
    of the packages that delete what they are given (`trash(p)`, `rimraf(p)`/`rimraf.sync(p)`,
    `del`'s `deleteAsync(p)`), and the folder a static file server hands to the network
    (`express.static(root)`, `serve-static(root)`); `require()` and `import()`; `eval`, `new Function`,
    `vm.run*`; `loadURL`/`loadFile`; `executeJavaScript`/`insertCSS` (methods of these names on
    any object but a function of the project: `shell.openPath(p)` with `const shell =
    require('./shell')` is a helper, followed to the real sink inside); `session.setProxy`;
    `app.setAsDefaultProtocolClient`; `new BrowserWindow(options)`; `shell.trashItem`;
    `webContents.debugger.attach`/`sendCommand`; and a persistent settings store (`electron-store`,
    `conf`, `electron-settings`, also an instance of a project class that extends one) written with
    a renderer-chosen key (`store.set(key, value)`) or replaced by a renderer object
    (`store.set(obj)`, `store.store = obj`); a key that starts with a fixed namespace (a name and
    `.`, `:` or `/`: `plugins.${id}`, `'cache:' + url`, also as every return of a project helper
    such as ``const key = (u) => `cache:${u}` ``) with a value main chooses names an entry, not a
    setting of the page's choice. Validation of the
    parameter (or of the variable carrying it) clears the calls on the side where it passed: a
    sink in the `else` branch of a check, after a test whose result is ignored or only logged, or
    after a weak allowlist (IPC018) is still reached. Refusing an optional value only when it is
    given (`if (p && !isValidPath(p)) return`) validates it: past that, `p` is valid or empty
    (null, undefined, `''`). A check of one property validates that
    property, not its siblings: after `if (req.action === 'remove')`, `req.path` is as unchecked
    as before, also in a project function handed the whole `req` (a parsed URL excepted: a test of
    `u.protocol` says what `u` is). A project function handed an object literal that holds the
    renderer data at some keys
    (`createWindow({ deepLink: { page: x } })`) has it there only: spreading that parameter into
    `new BrowserWindow({ ...options })` sets no window option, and a member beside the data
    (`options.preloadPath`, `link.fallback`) is not the page's, unless the function writes to that
    parameter. A parameter replaced by a validator's result (`name = sanitizeName(name)`) is
    validated in the code after it; a value joined from it and another parameter
    (`path.join(location, name)`) still carries the other one. Tested lookups in tables without
    inherited keys (`if (!installed.has(x)) throw`, `const g = games.get(x); if (!g) return`, `const
    i = list.findIndex((e) => e.id === x); if (i === -1) return`, also kept through a selector call:
    `const s = select((st) => st.servers.find((e) => e.url === x)); if (!s) return`) are allowlists; a tested verdict
    of a validator (IPC005's: schemas, `new URL` (or `url.parse`) with a scheme or host check, also
    of a part copied into a local: `const proto = u.protocol`, project `is*`/`validate*` functions,
    library ones such as `isUUIDv4(id)`) validates.
    A project function's result carries the renderer data of an argument when what it returns is
    made of that parameter (directly, through locals, templates, string methods,
    `path.join`/`resolve`, or another such function, a few calls deep) on a path where no check of it
    passed: `shell.openPath(toFull(p))` with `const toFull = (p) => path.resolve(ROOT, p)` is
    reached, also through calls nested in one another (`shell.openPath(tidy(toFull(p)))`, a few
    deep, when each returns what it is given; not an element of one's result); a function that
    checks first (throws or returns early on a failed test), one named as a validator
    (`sanitizePath`), one that rewrites the value with `replace`/`replaceAll`, or one returning an
    object around it is not followed. A project function the data is handed to is
    followed to its sinks, also each function of a constant table when the callee is the variable of
    a loop over it (`Object.entries(HANDLERS).forEach(([ch, fn]) => ipcMain.handle(ch, (e, a) =>
    fn(a)))`, the table possibly handed to the registering function by its callers, in its file or
    in those that import it, each passing a table literal or a project function's returned one,
    or the table a project function returns kept in a local: `const handlers = build(deps)`),
    each method of a project object (an object literal, an instance of a project class, the
    exports of a project module: `require('./fns')`, `import * as fns`) when the
    renderer names the method (`api[method](...args)`, `api[method].apply(api, [win].concat(args))`,
    `const fn = api[method]; fn(...args)`; a spread list fills every parameter from its place on),
    and the function a pass-through wrapper runs with the call's own arguments (`safely(save)(file)`,
    where `safely(fn)` returns `(...args) => fn(...args)` inside a try/catch). A handler wrapped in
    a guard that checks the event and then calls it with the renderer's arguments
    (`ipcMain.handle(CH, checked(fn))`) is that handler: the sender check does not validate the data.
    An app wrapper's own listener (`ipcMain.on(ch, (event, link, ...rest) => { shell.openExternal(link);
    fn(...rest) })`) is judged too, once, for what it does with the arguments itself.
    Renderer data only in the query or fragment of a URL whose scheme and host are fixed does
    not taint `loadURL`/`openExternal`. The finding carries a trace from the renderer or preload
    call that sends the message, through the handler parameter, to the sink.

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

    ## References
    - [Electron security: do not use openExternal with untrusted content](https://www.electronjs.org/docs/latest/tutorial/security#15-do-not-use-shellopenexternal-with-untrusted-content)
    - [CWE-78: OS Command Injection](https://cwe.mitre.org/data/definitions/78.html),
      [CWE-22: Path Traversal](https://cwe.mitre.org/data/definitions/22.html),
      [CWE-94: Code Injection](https://cwe.mitre.org/data/definitions/94.html)
    """
    extra = frozenset(options.sinks)
    judge = shared_judge(project, frozenset(options.validators))
    done: set[tuple[str, Span]] = set()
    for h in [*handlers(project), *wrapper_handlers(project), *contents_handlers(project)]:
        if h.wrapper_validates or not h.params:
            continue
        for r in reaches(project, h, judge, extra):
            if (r.path, r.sink.span) in done:
                continue  # one finding per sink call, however many handlers reach it
            done.add((r.path, r.sink.span))
            yield Hit(r.path, r.sink.span, f"renderer-supplied '{r.param}' reaches {r.desc} without validation",
                      key=f"{h.edge.channel}:{r.param}:{r.desc}", trace=trace(project, h, r))

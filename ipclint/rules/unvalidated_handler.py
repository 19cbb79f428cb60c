from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.link.handlers import first_unvalidated_uses, handlers, shared_judge
from ipclint.link.project import Project
from ipclint.model import Severity, Span
from ipclint.rules._base import Hit, option, rule


@dataclass(frozen=True, slots=True)
class Options:
    """What the configuration can add to IPC005's knowledge of the app."""

    validators: tuple[str, ...] = option((), "more function names (`isSafePath`, `schemas.parse`) that validate "
                                             "their arguments: a parameter passed to one is validated.")


@rule("IPC005", "unvalidated-handler", Severity.WARNING,
      "Main-process handler uses renderer-supplied data before validating it", cwe=(20,),
      security_severity=5.0, options=Options,
      fix=("Check each renderer-supplied argument before using it (typeof, an allowlist, or a schema such as"
           " zod's parse) and return or throw when the check fails"))
def unvalidated_handler(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags a main-process handler (`ipcMain.handle`/`handleOnce`/`on`/`once`, `webContents.ipc`,
    `frame.ipc`, or an app wrapper that registers one) that uses one of its renderer-supplied
    parameters (those after the event, and after the arguments `.bind` fixes; destructured ones
    count one by one; a rest parameter in the event's place, `(...args) =>`, holds them too) before any validation
    of it. electron-better-ipc's `ipcMain.answerRenderer(channel, (data, browserWindow) => ...)`
    is such a handler: its first parameter is the page's data (the library passes no event), the
    second the sending window. So is a listener of a class that relays the page's messages to an
    EventEmitter under a name the message carries (`ipcMain.on(uid, (e, { ev, data }) =>
    this.emitter.emit(ev, data))`, with `on = (ev, fn) => this.emitter.on(ev, fn)`):
    `rpc.on('open external', ({ url }) => ...)` gets the page's data alone. Validation is a
    `typeof`/`instanceof`/`Array.isArray`/`Number.isInteger`/
    `Number.isFinite` check, a comparison with literals or constants, an allowlist `includes`/
    `has`/`in`, schema parsing (zod, joi, yup, ajv, superstruct, valibot), `new URL(param)` (`URL.parse`,
    Node's `url.parse`; inside a `try` whose `catch` leaves the handler, too), or a
    call of a project function named `validate*`, `assert*`, `check*`, `is*`, `ensure*`,
    `sanitize*` or `parse*` that takes the parameter (not `verify*`: `verifyCertificate(url)`
    fetches it; a `parse*` only when it throws or returns early on some input, not
    `parseArticle(url)` that fetches whatever it gets), or of a library function named `is*`,
    `validate*` or `check*` whose verdict is tested (`ValidationUtil.isUUIDv4(id)`; not Node's
    own modules: `path.isAbsolute(p)` says nothing about where `p` leads). A check counts inside an assertion
    (`assert(typeof x === 'string')`, `invariant(...)`) or through a guard variable
    (`const ok = typeof x === 'string'; if (!ok) return`); a comparison with another
    renderer-supplied value does not. Passing a parameter to logging (`console`, a logger,
    libraries such as electron-log, winston, pino or signale; also a level chosen by name,
    `logger[level](...parts)`, also through a cast: `(logger as any)[level](...parts)`), or putting it in an error
    message (`new Error(...)`, or a thrown string: `throw `bad kind ${kind}``), or rejecting a promise
    with it (`reject(error)` in the executor of `new Promise((resolve, reject) => ...)`, like a `throw`),
    is not a use. TypeScript
    annotations are not validation. Validation is path-sensitive: a check validates only the
    uses on the side where it passed (`if (!ok(x)) return; use(x)`, `if (ok(x)) use(x)`), not a
    use in its `else` branch, after a test whose result is ignored or only logged, or after a
    weak allowlist (IPC018). A check of one property validates that property, not its siblings
    (`if (req.command === 'delete') remove(req.payload.id)` uses `req` unvalidated). A lookup
    that is tested (`const h = HANDLERS.get(x); if (!h) return`) is an allowlist too, on tables
    without inherited keys, and so is one whose result is used only where it was found
    (`MAP.get(x)?.cancel()`, `if (item) { item.pause() }`, also after `const item = x &&
    MAP.get(x)`, truthy only when the lookup is): the lookup is then not a use of `x`.
    The position of the value in a list of known entries is such a lookup when the failed case
    refuses (`const i = LIST.findIndex((e) => e.id === x); if (i === -1) throw ...`, `< 0`,
    `LIST.indexOf(x)` kept and tested alike); the position of a pattern in the value itself
    (`x.indexOf('..')`) is a test of its content, not such a lookup. A lookup that a selector
    returns, passed alone to a plain function call that gives back its result, is kept by that
    call (`const s = select(({ servers }) => servers.find((e) => e.url === x)); if (!s) return`,
    Redux's `useSelector`); not through a method (`list.map(...)`, `promise.then(...)`).
    A project function whose name does not say it validates is a validator when it throws or
    returns early on a failed test of the parameter; one that merely reads the value (`text.match(...)`) uses it.
    Such a function validates what its tests read: one that throws on a bad `options.protocol`
    validates the caller's `protocol` (and the value read whole), not `options.username`.
    Handing a parameter to a project function that validates it before using it (or hands it only
    to a validator, or never reads it: also one that declares no parameter for it, `disable(...args)`
    with `function disable() {}`, unless it reads `arguments`, which an arrow cannot, or is called
    through a variable assigned again, `let answer = noop` then `answer = callback`, or is given the
    value merged into an object, `run({ ...options })`, whose keys it may destructure) is not a use;
    handing it to the function of a constant table the handler is registered in a loop over
    (`for (const [ch, fn] of Object.entries(build(deps))) ipcMain.handle(ch, (e, ...args) => fn(...args))`)
    is a use unless
    every function of the table is such a function (or takes no parameter there).
    A parameter replaced by a validator's result (`name = sanitizeName(name)`) is validated in the
    code after that statement, like `const clean = sanitizeName(name)` would be; replaced by any
    other function's result (`name = name.trim()`, `name = format(name)`) it is not.
    A `const` bound to the parameter only on the passing side of a check (`const url =
    ALLOWED.includes(x) ? x : ALLOWED[0]`, `const t = THEMES.has(x) && x`) holds validated data;
    bound on the failing side, after a bare truthiness test, or with `let` (which the handler may
    bind again) it does not.
    Reported once per parameter, at its first real use: copying it into a local (`const { path }
    = args`, or converting it: `const n = Number(args.size)`, `String`, `parseInt`, `parseFloat`)
    is not a use, the first use of that local is, and a check of the local validates it.

    ## Why is this bad?
    Any frame that can reach IPC (a compromised renderer, an iframe, a page after an XSS) can
    send any value: wrong types, huge strings, prototype-polluting objects, paths with `..`.
    Handlers run with full Node privileges, so every parameter is untrusted input.

    ## Example
    ```js
    // file: main.js
    const { ipcMain } = require('electron')
    const store = require('./store')
    ipcMain.handle('settings:set', (_event, key, value) => {
      store.set(key, value)
    })
    ```

    ## Use instead
    ```js
    // file: main.js
    const { ipcMain } = require('electron')
    const store = require('./store')
    const KEYS = ['theme', 'language']
    ipcMain.handle('settings:set', (_event, key, value) => {
      if (!KEYS.includes(key) || typeof value !== 'string') throw new Error('bad settings call')
      store.set(key, value)
    })
    ```

    ## References
    - [Electron security: validate the sender and the data of all IPC messages](https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages)
    - [CWE-20: Improper Input Validation](https://cwe.mitre.org/data/definitions/20.html)
    """
    judge = shared_judge(project, frozenset(options.validators))
    seen: set[tuple[str, Span, str]] = set()
    for h in handlers(project):
        if h.wrapper_validates:
            continue
        for param, occ in first_unvalidated_uses(project, h, judge):
            if (h.path, occ.span, param.name) in seen:
                continue  # one function registered twice (two channels, a table): one finding
            seen.add((h.path, occ.span, param.name))
            what = f"'{param.name}'" if occ.name == param.name else f"'{param.name}' (through '{occ.name}')"
            yield Hit(h.path, occ.span, f"renderer-supplied parameter {what} is used before it is validated",
                      key=f"{h.edge.channel}:{param.name}")

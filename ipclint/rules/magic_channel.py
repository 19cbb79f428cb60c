from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipclint.link.project import Project
from ipclint.model import Severity, Span
from ipclint.model.values import AnyV, Str, Tpl
from ipclint.rules._base import Hit, option, rule

EXCLUDED_KINDS = frozenset({"emit"})


def _not_listed(kind: str, method: str) -> bool:
    """Not one of SPEC's call sites: main's `webContents.postMessage` / `frame.postMessage` (the
    way MessagePorts are handed over; ipcRenderer.postMessage is one)."""
    return kind in EXCLUDED_KINDS or (kind == "push" and method == "postMessage")


@dataclass(frozen=True, slots=True)
class Options:
    typed_channels: bool = option(False, (
        "also report literals at typed-channel call sites (a parameter declared as a string-literal "
        "union, `keyof` a declared type, or a type parameter constrained by one), which the TypeScript "
        "compiler already checks; for projects that want a shared constant everywhere."))


@rule("IPC003", "magic-channel", Severity.WARNING,
      "IPC channel named with an inline string literal instead of a shared constant",
      cwe=(1099,), security_severity=2.0, tags=("security", "maintainability"), options=Options,
      fix=("Name the channel once in a shared constants module (export const SAVE = 'file:save') and import "
           "it on both sides"))
def magic_channel(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags IPC call sites that name their channel with an inline string or template literal:
    `ipcMain.handle('save', ...)`, `ipcRenderer.invoke(\\`file:${op}\\`)`, `webContents.send('x')`,
    `event.reply('x')`, `webContents.ipc.on('x')`, and calls of app-defined IPC wrappers or
    generic bridge functions with a literal channel, also when the wrapper puts it under a
    namespace (`window.api.send('quit')` to a bridge function that sends on the template `app-${ch}`:
    the caller names the channel, and the finding names its literal as that part of the template:
    `IPC channel part 'quit' (of \\`app-${ch}\\`)`; the wrapper's template is reported too, as a
    template literal).

    ## Why is this bad?
    The two ends of a channel live in different processes and usually in different files. When
    each end spells the name by hand, a typo or a rename silently breaks the connection: the
    message goes nowhere and nothing fails at build time. A shared constant (an `as const` object,
    a string enum) makes both ends refer to one name that the compiler and ipclint can follow.

    Only IPC call sites count: `app.on('ready')`, `win.on('close')`, DOM listeners, custom
    emitters and `protocol.handle` are not IPC, and neither is main's `webContents.postMessage`
    (`ipcRenderer.postMessage` is).

    A literal at a *typed-channel* call site is not reported: when the parameter that receives
    the channel is declared with a string-literal union, `keyof` a declared type, a template-literal
    type over such a set, an enum, or a type parameter constrained by one of these
    (`function invoke<C extends keyof Channels>(channel: C, ...)`), the compiler already rejects a
    typo. The type that decides is the one the call site compiles against: for page calls of a
    bridge, the page's declaration of `window` (often a `.d.ts`; it may name the preload's type:
    `api: import('../preload').Api`, `api: typeof import('../preload').api`), not the preload's
    own parameter types. `KnownChannel | string` and `<C extends string>` are not typed; JavaScript call sites
    never are.

    ## Example
    ```js
    // file: main.js
    const { ipcMain } = require('electron')
    ipcMain.handle('settings:save', async (_e, value) => store.set(value))
    ```

    ## Use instead
    ```js
    // file: channels.js
    module.exports = { SETTINGS_SAVE: 'settings:save' }
    // file: main.js
    const { ipcMain } = require('electron')
    const { SETTINGS_SAVE } = require('./channels')
    ipcMain.handle(SETTINGS_SAVE, async (_e, value) => store.set(value))
    ```

    ## References
    - [Electron: Inter-Process Communication](https://www.electronjs.org/docs/latest/tutorial/ipc)
    - [CWE-1099: Inconsistent Naming Conventions for Identifiers](https://cwe.mitre.org/data/definitions/1099.html)
    """
    seen: set[tuple[str, int, int]] = set()
    # literals the compiler checks count as reported already (unless the option asks for them)
    if not options.typed_channels:
        seen = {(path, sp.line, sp.column) for path, sp in project.typed_channels}
    for (path, idx), op in sorted(project.ipc_ops.items()):
        if _not_listed(op.kind, op.method):
            continue
        call = project.files[path].calls[idx]
        if op.channel_arg < len(call.args):
            arg = call.args[op.channel_arg]
            if arg.is_inline_literal and (path, arg.span.line, arg.span.column) not in seen:
                seen.add((path, arg.span.line, arg.span.column))
                yield _hit(path, arg)
    for e in project.graph.edges:
        v = e.channel_value
        if e.bridged or v is None or not v.is_inline_literal or _not_listed(e.kind, e.method):
            continue
        if e.channel_span != v.span:
            continue
        inside = e.span.line <= v.span.line and v.span.end_line <= e.span.end_line
        if e.wrapper_funcs and not (e.inline_literal and inside):
            # the wrapper's own channel, in the wrapper's file: reported there; but a literal the
            # call passes into it (`api.send('quit')` to `send: (ch) => ipcRenderer.send(\`ns-${ch}\`)`)
            # is reported here, where that part of the channel is named
            lit = _caller_literal(project, e.path, e.span, e.wrapper_funcs, v)
            if lit is not None and (e.path, lit.span.line, lit.span.column) not in seen:
                seen.add((e.path, lit.span.line, lit.span.column))
                yield _hit(e.path, lit, part_of=v)
            continue
        if not inside or (e.path, v.span.line, v.span.column) in seen:
            continue  # (a literal inside a wrapper is reported there)
        seen.add((e.path, v.span.line, v.span.column))
        yield _hit(e.path, v)
    for path, v in project.graph.nested_literals:
        if (path, v.span.line, v.span.column) not in seen:
            seen.add((path, v.span.line, v.span.column))
            yield _hit(path, v)


def _caller_literal(project: Project, path: str, span: Span, wrappers: tuple[tuple[str, int], ...],
                    v: AnyV) -> Str | None:
    """The string literal a call passes for the parameter that a wrapper (or bridge function)
    makes its channel from (`ns-${channel}`: ``WrapperOp.channel_derived``): the part of the
    channel the caller names. One wrapper deep; None otherwise."""
    if not isinstance(v, Tpl) or len(wrappers) != 1:
        return None
    call = project.call_at(path, span)
    if call is None:
        return None
    for wop in project.wrappers.get(wrappers[0], ()):
        index = wop.channel_param
        arg = call.args[index] if wop.channel_derived and index is not None and index < len(call.args) else None
        if isinstance(arg, Str) and arg.is_inline_literal:
            return arg
    return None


def _hit(path: str, v: AnyV, part_of: AnyV | None = None) -> Hit:
    """``part_of``: the wrapper's template that the literal ``v`` fills in (`log-${level}` for
    `logAtLevel('info')`): the message names the literal as that part of the channel."""
    shown = v.value if isinstance(v, Str) else v.text or _written(v)
    # (a template literal is shown in its own backticks, not also in quotes)
    named = shown if not isinstance(v, Str) and shown.startswith("`") and shown.endswith("`") else f"'{shown}'"
    whole = (part_of.text or _written(part_of)) if part_of is not None else ""
    what = f"IPC channel part {named} (of {whole})" if whole else f"IPC channel {named}"
    return Hit(path, v.span, f"{what} is an inline literal; use a shared constant", key=str(shown))


def _written(v: AnyV) -> str:
    """A template literal as written, from its parts, when extraction kept no text for it (a
    literal deep in an expression: `ipc.invoke(`next::${ns}`).then(...)`)."""
    if not isinstance(v, Tpl):
        return ""
    return "`" + "".join(p if isinstance(p, str) else "${" + (p.text or "…") + "}" for p in v.parts) + "`"

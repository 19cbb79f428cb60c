from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ipclint.link.handlers import Handler, handlers
from ipclint.link.project import Project
from ipclint.link.replies import Answer, answers, sets_return_value
from ipclint.model import Location, Role, Severity, Span
from ipclint.model.values import Member, Ref, Spread
from ipclint.rules._base import Hit, Options, rule


@rule("IPC015", "prefer-invoke", Severity.WARNING,
      "Request–response written as two one-way messages (ipcMain.on + event.reply)", cwe=(362,),
      security_severity=2.0, tags=("security", "correctness"),
      fix=("Use ipcRenderer.invoke in the renderer and ipcMain.handle in main, and return the answer (or "
           "throw the error) from the handler"))
def prefer_invoke(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags an `ipcMain.on`/`once` handler (or a `webContents.ipc.on` one) that answers its sender
    once per message with `event.reply(...)`, `event.sender.send(...)` or
    `event.senderFrame.send(...)`: a request and its response written as two one-way messages.
    An answer after `await` or in a promise's `then` is still one answer, and several sends on the
    alternative paths of one handler (a try/catch pair, an if/else pair) are one finding, at the
    registration (for a handler registered through an app wrapper, at the wrapper call).

    Not flagged: answers sent from a callback that can fire many times (progress events, a stream's
    `data` events, an interval, an emitter's `.on`: that is a subscription, not a response);
    answers on a channel that main also pushes on from elsewhere (a subscription that the request
    only primes); an echo, which sends the message's own arguments back unchanged on the channel
    it came in on (`event.sender.send(CH, ...args)`: the page relays a message to its own listeners
    through main, and `invoke` would hand it back to the caller, not to them); `event.returnValue`
    (IPC009's business).

    ## Why is this bad?
    `ipcRenderer.invoke` with `ipcMain.handle` returns a promise for the answer, carries errors to
    the caller and cannot mix up answers. With two one-way messages, the page has to match answers
    to requests itself (concurrent requests get each other's answers), errors are lost or need a
    second channel, and a listener is left behind when no answer comes.

    ## Example
    ```js
    // file: main.js
    const { ipcMain, app } = require('electron')
    ipcMain.on('app:version', (event) => {
      event.reply('app:version:reply', app.getVersion())
    })
    ```

    ## Use instead
    ```js
    // file: main.js
    const { ipcMain, app } = require('electron')
    ipcMain.handle('app:version', () => app.getVersion())
    ```

    ## References
    - [Electron IPC: pattern 2, renderer to main (two-way)](https://www.electronjs.org/docs/latest/tutorial/ipc#pattern-2-renderer-to-main-two-way)
    - [CWE-362: Concurrent Execution using Shared Resource with Improper Synchronization](https://cwe.mitre.org/data/definitions/362.html)
    """
    pushes: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for e in project.graph.edges:
        if e.kind == "push" and e.channel is not None:
            pushes[e.channel].append((e.path, e.call))
    done: set[tuple[str, Span]] = set()
    replies = [(h, answers(project, h)) for h in handlers(project) if h.edge.kind == "on"]
    # (a push to a sender stored at subscription time, `entry.target.send(CH, v)`, is a push too)
    answered = {(a.path, a.call.index) for _, found in replies for a in found}
    channels = {a.channel for _, found in replies for a in found if a.once and a.channel is not None}
    for ch, path, index in _stored_sender_pushes(project, channels, answered):
        pushes[ch].append((path, index))
    for h, found in replies:
        if (h.edge.path, h.edge.span) in done:
            continue
        once = [a for a in found if a.once and not _echo(h, a)]
        if not once or sets_return_value(project, h):
            continue
        mine = {(a.path, a.call.index) for a in once}
        if any(a.channel is not None and any(site not in mine and project.same_app(site[0], h.path)
                                             for site in pushes.get(a.channel, ())) for a in once):
            continue  # the request primes a subscription on a channel main pushes on anyway
        done.add((h.edge.path, h.edge.span))
        first = once[0]
        what = f"'{h.edge.channel}'" if h.edge.channel else "this channel"
        reply = f"'{first.channel}'" if first.channel else "a computed channel"
        yield Hit(h.edge.path, h.edge.span,
                  f"handler for {what} answers its sender once per message ({first.how} on {reply}): a "
                  "request–response written as two one-way messages; use ipcRenderer.invoke with "
                  "ipcMain.handle and return the answer",
                  key=f"{h.edge.channel}",
                  related=tuple(Location(a.path, a.call.span, "answers here") for a in once[:4]))


def _echo(h: Handler, a: Answer) -> bool:
    """`event.sender.send(CH, ...args)` in the handler of CH, with the handler's own parameters in
    order and unchanged: a relay through main to the page's listeners, not an answer."""
    if a.channel is None or a.channel != h.edge.channel or a.path != h.path or not h.params:
        return False
    params = sorted(h.params, key=lambda p: p.index)
    args = a.call.args[1:]
    if len(args) != len(params):
        return False
    for p, v in zip(params, args, strict=True):
        if p.path:
            return False
        inner = v.inner if p.rest and type(v) is Spread else None if p.rest else v
        if type(inner) is not Ref or inner.name != p.name:
            return False
    return True


def _stored_sender_pushes(project: Project, channels: set[str],
                          answered: set[tuple[str, int]]) -> Iterator[tuple[str, str, int]]:
    """Main-process `X.send(CH, ...)` calls on an answer's channel that answer no handler: a push to
    a webContents the model does not name as one (a sender stored at subscription time,
    `entry.target.send(CH, v)`), as (channel, path, call index)."""
    if not channels:
        return
    for path in sorted(project.files):
        if project.role(path) != Role.MAIN:
            continue
        for c in project.files[path].calls:
            if c.new or not c.args or (path, c.index) in answered or type(c.callee) is not Member \
                    or c.callee.prop != "send":
                continue
            ch = project.channel(path, c.args[0], c.func)
            if ch in channels:
                yield ch, path, c.index

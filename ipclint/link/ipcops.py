"""Which calls are IPC operations: Electron's own, per-WebContents and per-frame IPC, pushes."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ipclint.link.project import Project
from ipclint.link.testcode import evaluate_api
from ipclint.link.vutil import plain_text
from ipclint.model.facts import Call
from ipclint.model.kinds import Role
from ipclint.model.values import AnyV, CallExpr, Electron, External, Index, Iter, Logic, Member, NewExpr, ParamRef, Ref

MAIN_METHODS = {"handle": "handle", "handleOnce": "handle", "on": "on", "once": "on", "addListener": "on",
                "removeHandler": "remove", "removeListener": "remove", "off": "remove",
                "removeAllListeners": "remove", "emit": "emit",
                # main calling a channel's listeners itself (`ipcMain.listeners(ch).forEach((fn) =>
                # fn(event, ...args))`): a use of them, like `ipcMain.emit(ch)`
                "listeners": "emit", "rawListeners": "emit"}
RENDERER_METHODS = {"send": "send", "sendSync": "send", "sendToHost": "send", "postMessage": "send",
                    "invoke": "invoke", "on": "on", "once": "on", "addListener": "on",
                    "prependListener": "on", "prependOnceListener": "on",
                    "off": "remove", "removeListener": "remove", "removeAllListeners": "remove"}
SCOPED_METHODS = {"handle": "handle", "handleOnce": "handle", "on": "on", "once": "on",
                  "addListener": "on", "removeHandler": "remove", "removeListener": "remove",
                  "off": "remove", "removeAllListeners": "remove"}
WEBCONTENTS_NAMES = frozenset({"webContents", "sender", "contents", "wc", "webcontents"})
FRAME_NAMES = frozenset({"frame", "senderFrame", "mainFrame", "webFrameMain", "framesInSubtree"})
# camel-case names of a webContents kept in a variable or field: `mainWebContents`, `newWinContents`, `this.appWC`
_CONTENTS_SUFFIXES = ("Contents", "WC")
# Electron's static lookups that return a WebContents
WEBCONTENTS_LOOKUPS = frozenset({"webContents.fromId", "webContents.fromFrame", "webContents.fromDevToolsTargetId",
                                 "webContents.getFocusedWebContents"})


def webcontents_name(name: str | None) -> bool:
    """``name`` names a webContents: one of the usual names, or a camel-case ``...Contents`` / ``...WC``."""
    if name is None:
        return False
    if name in WEBCONTENTS_NAMES:
        return True
    return any(name.endswith(s) and len(name) > len(s) and name[-len(s) - 1].islower() for s in _CONTENTS_SUFFIXES)


@dataclass(frozen=True, slots=True)
class IpcOp:
    """What an IPC call does. ``channel_arg`` and ``handler_arg`` index the call's arguments."""

    kind: str  # send, invoke, handle, on, push, remove, emit
    method: str  # send, sendSync, invoke, handle, on, reply, ...
    receiver: str  # ipcMain, ipcRenderer, webContents, webContents.ipc, frame.ipc, event, window
    channel_arg: int = 0
    handler_arg: int | None = None
    # the other methods of a computed-method call over a constant list of method names,
    # `['on', 'handle'].forEach((m) => ipcMain[m](CH, fn))`: the call is each of them
    also: tuple[str, ...] = ()


# electron-better-ipc's request/answer methods (its ipcMain and ipcRenderer keep Electron's own):
# `ipcMain.answerRenderer(ch, (data, win) => ...)` answers the page's `ipcRenderer.callMain(ch, data)`
# like a handle answers an invoke (but its handler gets no event: the data comes first, then the
# BrowserWindow; `answerRenderer(win, ch, fn)` answers one window only), and `callRenderer(win, ch,
# data)`, `callFocusedRenderer(ch, data)`, `sendToRenderers(ch, data)` are main's pushes that the
# page's `answerMain(ch, (data) => ...)` answers
BETTER_MAIN = {"answerRenderer": "handle", "callRenderer": "push", "callFocusedRenderer": "push",
               "sendToRenderers": "push"}
BETTER_RENDERER = {"callMain": "invoke", "answerMain": "on"}
# Handle methods whose handler gets no event (`(data, browserWindow) =>`: electron-better-ipc's
# answerRenderer), registered by the library with ipcMain.on (a second one adds a listener, it
# does not throw): handlers, trust, IPC007 and IPC012 ask this, not the method's name
# The method of a registration on a relay whose listeners get the renderer's payload alone under a
# name the renderer picks (`ipcMain.on(uid, (e, { ev, data }) => this.emitter.emit(ev, data))`,
# hyper's rpc; link/wrappers.py relay_classes): its handler gets no event either
RELAYED = "relayed"
EVENTLESS_HANDLES = frozenset({"answerRenderer", RELAYED})
PUSH_METHODS = frozenset({"send", "postMessage"})
RENDERER_SENDS = frozenset({"send", "sendSync", "invoke", "sendToHost", "postMessage"})
PAGE_SIDE = frozenset({Role.PRELOAD, Role.RENDERER})
STORED_EVENT_FIELDS = frozenset({"event", "evt", "ipcEvent", "senderEvent", "replyEvent"})
IPC_METHOD_NAMES = frozenset(MAIN_METHODS) | frozenset(RENDERER_METHODS) | PUSH_METHODS | {"reply", "emit"} \
    | frozenset(BETTER_MAIN) | frozenset(BETTER_RENDERER)


def classify(project: Project, path: str, call: Call) -> IpcOp | None:
    callee = call.callee
    if not call.new and len(call.args) >= 2 and _events_once(project, path, call):
        api = project.electron_api(path, call.args[0], call.func)
        if api in ("ipcMain", "ipcRenderer"):  # `await once(ipcMain, 'ready')`: a one-time listener
            return IpcOp("on", "once", api, 1, None)
    if type(callee) is Ref and not call.new:
        return _unbound(project, path, call, callee)
    if not isinstance(callee, Member) or call.new or callee.prop not in IPC_METHOD_NAMES:
        return None
    obj, method = callee.obj, callee.prop
    api = _api(project, path, obj, call.func)
    if api is None and path in project.test_funcs and isinstance(obj, (Ref, Member)):
        api = evaluate_api(project, path, call.func, obj)  # `electronApp.evaluate(({ ipcMain }) => ...)`
    op = ipc_op(api, method)
    if op is not None:
        return op
    if api in ("ipcMain", "ipcRenderer"):
        return better_ipc_op(api, method, len(call.args))
    if api is not None and api.endswith("webContents") and method in PUSH_METHODS:
        return IpcOp("push", method, "webContents")
    if api is not None and api.endswith("mainFrame") and method in PUSH_METHODS:
        return IpcOp("push", method, "frame")
    if isinstance(obj, Member) and obj.prop == "ipc" and method in SCOPED_METHODS \
            and _scoped_owner(project, path, call, obj.obj):
        owner = _last_name(obj.obj)
        receiver = "frame.ipc" if owner in FRAME_NAMES else "webContents.ipc"
        kind = SCOPED_METHODS[method]
        return IpcOp(kind, method, receiver, 0, 1 if kind in ("handle", "on") else None)
    if api is None and call.args and type(obj) is Member and obj.prop == "sender" \
            and method in RENDERER_SENDS and project.role(path) in PAGE_SIDE:
        # an ipcRenderer listener's `event.sender` is ipcRenderer itself: a message to main
        return ipc_op("ipcRenderer", method)
    if method in PUSH_METHODS and call.args and api is None:
        name = _last_name(obj)
        if webcontents_name(name) or name in FRAME_NAMES:
            return IpcOp("push", method, "webContents" if name not in FRAME_NAMES else "frame")
        if method == "send" and _browser_window(project, path, obj, call.func):
            return IpcOp("push", method, "webContents")
        if type(obj) is CallExpr and _returns_webcontents(project, path, obj, call.func):
            return IpcOp("push", method, "webContents")
        if type(obj) is Ref and _picked_webcontents(project, path, obj, call.func):
            return IpcOp("push", method, "webContents")
        if type(obj) is Ref and project.role(path) is Role.MAIN and _subtree_frame(project, path, obj, call.func):
            return IpcOp("push", method, "frame")
    if method == "emit" and api is None and isinstance(obj, Ref) and obj.name == "ipcMain" and call.args:
        return IpcOp("emit", method, "ipcMain")  # e.g. a test helper handed ipcMain
    if method == "reply" and call.args and isinstance(obj, Ref):
        p = project.param_of(path, call.func, obj.name)
        if p is not None and p[1].index == 0 and not p[1].path:
            return IpcOp("push", "reply", "event")
        if p is None and _stored_event(project, path, obj, call.func):
            return IpcOp("push", "reply", "event")
    if method == "reply" and call.args and type(obj) is Member and obj.prop in STORED_EVENT_FIELDS \
            and project.role(path) is Role.MAIN:
        # an event kept to answer later: `pending.get(id).event.reply(ch, ...)`
        return IpcOp("push", "reply", "event")
    return None


def classify_computed(project: Project, path: str, call: Call) -> IpcOp | None:
    """`ipcMain[m](ch, fn)` where `m` is the variable of a loop over a constant list of method
    names (`['on', 'handle'].forEach((m) => ...)`): the IPC operation of its first method, with
    the others in ``also``. None unless every name is an IPC method of that object."""
    from ipclint.link.tables import loop_entries
    callee = call.callee
    if type(callee) is not Index or call.new or not call.args:
        return None
    api = _api(project, path, callee.obj, call.func)
    if api not in ("ipcMain", "ipcRenderer"):
        return None
    entries = loop_entries(project, path, call.func, callee.index, None)
    if not entries:
        return None
    ops = [ipc_op(api, m) for m, _w in entries]
    first = ops[0]
    if first is None or any(op is None for op in ops):
        return None
    methods = tuple(dict.fromkeys(m for m, _w in entries))
    return replace(first, also=methods[1:])


def _events_once(project: Project, path: str, call: Call) -> bool:
    """The call is Node's `events.once(emitter, name)` (`once` imported from 'events', or `events.once`)."""
    callee = call.callee
    if not (type(callee) is Ref and callee.name == "once" or type(callee) is Member and callee.prop == "once"):
        return False
    v = project.resolve(path, callee, call.func).value
    return type(v) is External and v.src in ("events", "node:events") and v.name in ("once", "default.once")


def _unbound(project: Project, path: str, call: Call, callee: Ref) -> IpcOp | None:
    """A method taken off ipcRenderer (or ipcMain) and called by itself: `const { invoke } =
    ipcRenderer`, `const { ipcRenderer: { send: ipcSend } } = electron`, `const inv = ipcRenderer.invoke`.
    ipcRenderer's methods do not need `this`, so the call is the IPC operation."""
    if not unbound_candidate(project.files[path].lookup(call.func, callee.name)):
        return None
    api = project.electron_api(path, callee, call.func)
    if api is None or "." not in api:
        return None
    owner, method = api.rsplit(".", 1)
    return ipc_op(owner, method) if not (owner == "ipcMain" and method == "emit") else None


def ipc_op(api: str | None, method: str, channel_arg: int = 0, handler_arg: int | None = 1) -> IpcOp | None:
    """What `ipcMain.method(...)` or `ipcRenderer.method(...)` does, with its channel and listener
    at those arguments (a helper's own: `ipcHelpers.on(ipcMain, ch, cb)`); None for another object
    or method."""
    if api == "ipcMain" and method in MAIN_METHODS:
        kind = MAIN_METHODS[method]
    elif api == "ipcRenderer" and method in RENDERER_METHODS:
        kind = RENDERER_METHODS[method]
    else:
        return None
    return IpcOp(kind, method, api, channel_arg, handler_arg if kind in ("handle", "on") else None)


def better_ipc_op(api: str, method: str, nargs: int) -> IpcOp | None:
    """An electron-better-ipc call on its ipcMain or ipcRenderer (None for another method). Its
    pushes are main's (receiver "webContents", as `win.webContents.send`); the window that
    `callRenderer(win, ch, data)` and the scoped `answerRenderer(win, ch, fn)` take comes first:
    the latter's receiver is "window", a registration that answers that window only."""
    if api == "ipcMain" and method in BETTER_MAIN:
        kind = BETTER_MAIN[method]
        first = 1 if method == "callRenderer" or method == "answerRenderer" and nargs >= 3 else 0
        if kind == "push":
            return IpcOp("push", method, "webContents", first)
        return IpcOp(kind, method, "window" if first else api, first, first + 1)
    if api == "ipcRenderer" and method in BETTER_RENDERER:
        kind = BETTER_RENDERER[method]
        return IpcOp(kind, method, api, 0, 1 if kind == "on" else None)
    return None


def unbound_candidate(bound: AnyV | None) -> bool:
    """The binding is a member read of an IPC method name (to be resolved further)."""
    return type(bound) is Member and bound.prop in IPC_METHOD_NAMES


def _scoped_owner(project: Project, path: str, call: Call, owner: AnyV) -> bool:
    """`X.ipc.on(...)` is per-WebContents or per-frame IPC only when X is one."""
    name = _last_name(owner)
    if webcontents_name(name) or name in FRAME_NAMES:
        return True
    api = _api(project, path, owner, call.func)
    return api is not None and api.endswith(("webContents", "mainFrame"))


def _api(project: Project, path: str, obj: AnyV, scope: int | None) -> str | None:
    """The Electron API ``obj`` names, also by the declared type of the parameter it is
    (`target: WebContents`, `ipc: IpcMain`)."""
    api = project.electron_api(path, obj, scope)
    if api is None and isinstance(obj, (Ref, Member)):
        typed = project.typed_param(path, obj, scope)
        if typed is not None and isinstance(typed.value, Electron):
            api = typed.value.api
    return api


def _returns_webcontents(project: Project, path: str, made_by: CallExpr, scope: int | None) -> bool:
    """``made_by`` calls a project function (or method) whose every return is a window's
    webContents: `getContents(id)?.send(ch)` with `getContents (id) { return
    BrowserWindow.fromId(id)?.webContents }`."""
    returns = project.returns_of(path, made_by.callee, scope)
    return 0 < len(returns) <= 8 and all(_is_webcontents(project, r.path, r.value, r.scope) for r in returns)


def _is_webcontents(project: Project, path: str, v: AnyV, scope: int | None) -> bool:
    if _last_name(v) == "webContents":
        return True
    api = _api(project, path, v, scope)
    return api is not None and api.endswith("webContents")


def _stored_event(project: Project, path: str, obj: Ref, scope: int | None) -> bool:
    """``obj`` is a variable that holds a handler's event, kept to answer later: every assignment
    to it in the file stores the first parameter of the function it is in (`let pending;
    ipcMain.on(CH, (event) => { pending = event })`, then `pending.reply(...)` from an updater's
    callbacks), and there is at least one."""
    hit = project.binding_at(path, scope, obj.name)
    if hit is not None and hit[1] is None:
        return False  # (a parameter: the caller's question)
    found = False
    for a in project.files[path].assigns:
        if type(a.target) is not Ref or a.target.name != obj.name or project.binding_at(path, a.func, obj.name) != hit:
            continue
        if type(a.value) is not Ref or a.op != "=":
            return False
        p = project.param_of(path, a.func, a.value.name)
        if p is None or p[1].index != 0 or p[1].path or p[1].rest:
            return False
        found = True
    return found


def _picked_webcontents(project: Project, path: str, obj: Ref, scope: int | None) -> bool:
    """``obj`` is a local holding a webContents that Electron looked up (`let wc =
    require('electron').webContents.fromId(1)`, `const wc = webContents.getFocusedWebContents()`),
    whose `send` is a push like `webContents.fromId(1).send(...)` written in one expression; or one
    element of Electron's list of every webContents (`for (const view of
    webContents.getAllWebContents()) view.send(...)`, also through `.filter(...)` and callbacks)."""
    r = project.resolve(path, obj, scope)
    v = r.value
    if type(v) is CallExpr and project.electron_api(r.path, v.callee, r.scope) in WEBCONTENTS_LOOKUPS:
        return True
    source = _element_source(project, r.path, v)
    for _ in range(4):  # `const views = getAllWebContents().filter(...)`, `for (const v of views)`
        if source is None:
            return False
        s = project.resolve(r.path, source, r.scope)
        if type(s.value) is not CallExpr or type(s.value.callee) is not Member:
            return False
        if s.value.callee.prop not in _LIST_KEEPERS:
            return project.electron_api(s.path, s.value.callee, s.scope) == "webContents.getAllWebContents"
        source = s.value.callee.obj
        r = s
    return False


def _browser_window(project: Project, path: str, obj: AnyV, scope: int | None) -> bool:
    """``obj`` holds a window made with `new BrowserWindow(...)`: Electron's BrowserWindow has a
    `send` that forwards to its webContents (`win.send(ch, ...)`, older code's push). Also a
    receiver that resolution cannot follow (`let win = null`, `state.win`) when the file assigns
    it such a window."""
    r = project.resolve(path, obj, scope)
    value = r.value
    if isinstance(value, NewExpr):
        return project.electron_api(r.path, value.callee, r.scope) == "BrowserWindow"
    if not obj.text:
        return False
    names = project.memo.browser_windows.get(path)
    if names is None:
        f = project.files[path]
        names = project.memo.browser_windows[path] = frozenset(
            plain_text(a.target.text) for a in f.assigns
            if isinstance(a.value, NewExpr) and a.target.text
            and project.electron_api(path, a.value.callee, a.func) == "BrowserWindow")
    return plain_text(obj.text) in names


# WebFrameMain's lists of frames (`wc.mainFrame.framesInSubtree`, `frame.frames`), whose elements
# are frames that `send` to their page; how an element is picked out of a list, and the array
# methods whose callback gets each element as its first parameter
_FRAME_LISTS = frozenset({"framesInSubtree", "frames"})
_FRAME_OWNERS = FRAME_NAMES | {"parent", "top"}
_ELEMENT_PICKS = frozenset({"find", "findLast", "at"})
_ELEMENT_LOOPS = frozenset({"forEach", "map", "flatMap", "filter", "find", "findLast", "some", "every"})
# array methods whose result holds elements of the list they are called on
_LIST_KEEPERS = frozenset({"filter", "slice", "reverse", "toReversed", "sort", "toSorted"})


def _subtree_frame(project: Project, path: str, obj: Ref, scope: int | None) -> bool:
    """``obj`` is one frame of a list of frames (``_FRAME_LISTS``): the variable of a `for ... of`
    over it, an element picked out of it (`.find(...)`, `.at(i)`, `[i]`), or the first parameter of
    a callback that iterates it (`frames.forEach((f) => f.send(...))`)."""
    r = project.resolve(path, obj, scope)
    source = _element_source(project, r.path, r.value)
    if type(source) is Logic and source.op in ("??", "||"):
        source = source.left  # `wc?.mainFrame.framesInSubtree ?? []`
    if source is None or type(source) is not Member or source.prop not in _FRAME_LISTS:
        return False
    # `frames` is a common name: only a frame's (`mainFrame.frames`, `frame.parent.frames`)
    return source.prop == "framesInSubtree" or _last_name(source.obj) in _FRAME_OWNERS


def _element_source(project: Project, path: str, v: AnyV) -> AnyV | None:
    """The list that ``v`` (a resolved value in ``path``) is one element of: the variable of a
    `for ... of` over it, an element picked out of it (`.find(...)`, `.at(i)`, `[i]`), or the first
    parameter of a callback that iterates it (`list.forEach((x) => ...)`); None for other values."""
    if type(v) is Iter and v.how == "of":
        return v.source
    if type(v) is CallExpr and type(v.callee) is Member and v.callee.prop in _ELEMENT_PICKS:
        return v.callee.obj
    if type(v) is Index:
        return v.obj
    if type(v) is ParamRef:
        fn = project.func(path, v.fid)
        if fn is not None and fn.arg_of is not None and fn.params and fn.params[0].name == v.name \
                and not fn.params[0].path:
            callee = project.files[path].calls[fn.arg_of].callee
            if type(callee) is Member and callee.prop in _ELEMENT_LOOPS:
                return callee.obj
    return None


def _last_name(v: AnyV) -> str | None:
    match v:
        case Member(prop=prop):
            return prop
        case Ref(name=name):
            return name
        case CallExpr(callee=Member(prop="fromId" | "getFocusedWebContents" | "fromFrame")):
            return "webContents"  # webContents.fromId(id).send / getFocusedWebContents().send
    return None

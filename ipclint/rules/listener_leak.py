from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.bridge import ExposedMember, Exposure
from ipclint.link.exposure import members
from ipclint.link.graph import Edge
from ipclint.link.project import Project
from ipclint.link.subscriptions import (
    REMOVE,
    SUBSCRIBE,
    UNMOUNT_HOOKS,
    Hooks,
    Sub,
    cleanup_miss,
    cleanup_removes,
    forwards_page_callback,
    in_script_setup,
    ipc_ops,
    is_result,
    same,
    unmount_hooks,
    unmount_removes,
)
from ipclint.link.vutil import callee_name, subtree
from ipclint.model import Role, Severity
from ipclint.model.facts import Call, FileFacts, Func
from ipclint.model.graph import ViaKind
from ipclint.model.values import CallExpr, External, Fn, Index, Jsx, Member, Ref, Spread, This
from ipclint.rules._base import Hit, Options, rule

EFFECTS = frozenset({"useEffect", "useLayoutEffect"})
MOUNT_HOOKS = frozenset({"onMounted", "onBeforeMount"})
# SPEC 2nd ed.: the constructor subscribes too; so does the legacy componentWillMount (franz)
REACT_MOUNTS = frozenset({"componentDidMount", "constructor", "componentWillMount", "UNSAFE_componentWillMount"})
VUE_MOUNTS = frozenset({"beforeMount", "mounted", "created", "beforeCreate"})
VUE_CLEANUPS = ("beforeUnmount", "beforeDestroy", "unmounted", "destroyed")
VUE_HOOKS = {2: ("beforeDestroy", "destroyed"), 3: ("beforeUnmount", "unmounted")}
VUE_RENAMED = {"beforeDestroy": "beforeUnmount", "destroyed": "unmounted", "beforeUnmount": "beforeDestroy",
               "unmounted": "destroyed"}


@rule("IPC004", "listener-leak", Severity.WARNING, "IPC listener registered with no way to remove it",
      cwe=(401,), security_severity=3.0, tags=("security", "reliability"),
      fix=("Keep the wrapped listener and return a remover (const l = (_e, v) => cb(v); ipcRenderer.on(ch, "
           "l); return () => ipcRenderer.removeListener(ch, l)), and call it in the component's cleanup"))
def listener_leak(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags listeners that can never be removed. (a) A preload-exposed subscribe function that calls
    `ipcRenderer.on`/`addListener` with a wrapped callback (a listener that calls the page's
    callback, a parameter of the exposed function, directly or through a local) and neither returns
    a remover nor comes with an exposed off/remove function that removes that same wrapper
    (`removeListener` with the stored wrapper, or `removeAllListeners(channel)`); removing the
    page's callback instead of the wrapper removes nothing. An exposed function that installs the
    preload's own listener and takes no callback from the page wraps nothing and is not (a).
    (b) Renderer code that subscribes (through an exposed on-function or `ipcRenderer.on`) in a
    React `useEffect`/`useLayoutEffect`, a Vue `onMounted` or Options API `mounted`/`created`, or a
    class component's `componentDidMount`, `constructor` or legacy `componentWillMount` (also
    through the component's own methods that the hook calls as `this.method()`, and through local
    functions of the file that an effect or `onMounted` callback calls, `onMounted(() => load())`,
    unless such a method or function is once-guarded by a flag, or the subscription is made only
    while a registry lacks its key and recorded there, `if (!subs.has(id)) { ...; subs.set(id, off) }`),
    without removing it in the cleanup
    (the effect's returned function, `onUnmounted`/`onBeforeUnmount`, `beforeDestroy`/`destroyed`
    in Vue 2 and `beforeUnmount`/`unmounted` in Vue 3, by the Vue version in package.json,
    `componentWillUnmount`), or in a component's render body (a React custom hook called there,
    `useIpcEvent(CH, cb)`, is judged by the subscription in its own code: its effect and that
    effect's cleanup). A Solid component (a module that
    imports solid-js) runs its body once per mount: a subscription there must be removed by an
    `onCleanup` in that body (calling its remover, also through a Set or array of removers), as must
    one in an `onMount` callback (an `onCleanup` in the callback or beside it). The message
    names the cleanup the component has or should have and, when it has one that does not count,
    says why (it removes another channel or function, calls a method ipcRenderer does not have, or
    is a hook this Vue version never calls). The cleanup must remove that
    subscription: call the remover it returned (also through a variable, `this.field`, a local
    function or a method of the component that the cleanup calls as `this.method()`),
    `removeListener` it with the same function on the same channel, or `removeAllListeners(channel)`
    (`off(channel)` or `removeListener(channel)` with no function throws and removes nothing),
    directly, through the exposed API or through a project function that passes on the channel and
    function it is given (a transport object's `off(channel, cb)`); a cleanup that only logs,
    removes another channel or another function, or calls an exposed off function that removes
    the page's callback while the preload registered a wrapper, removes nothing; so does an app
    function that removes the callback it is given when the app function that subscribed registered
    a function of its own around it (`listen(ch, cb) { ipcRenderer.on(ch, (e, p) => cb(p)) }` with
    `unlisten(ch, cb) { ipcRenderer.removeListener(ch, cb) }`), and so does calling the remover
    that an app function returned when that remover removes only such a callback
    (`onReady(cb) { listen(CH, cb); return () => unlisten(CH, cb) }`). An effect without
    a cleanup of its own is fine when the code that subscribes removes the channel's listener
    first (a re-run replaces it) and another effect's cleanup of the same component removes it at
    unmount. Subscribing once at module top level is fine. Reported at the subscribing call.

    ## Why is this bad?
    Every remount adds another listener: handlers run several times per message, closures keep
    unmounted components alive, and Node warns about a possible EventEmitter memory leak.

    ## Example
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      onProgress: (cb) => ipcRenderer.on('download:progress', (_e, value) => cb(value)),
    })
    ```

    ## Use instead
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    contextBridge.exposeInMainWorld('api', {
      onProgress: (cb) => {
        const listener = (_e, value) => cb(value)
        ipcRenderer.on('download:progress', listener)
        return () => ipcRenderer.removeListener('download:progress', listener)
      },
    })
    ```

    ## References
    - [Electron: ipcRenderer.removeListener](https://www.electronjs.org/docs/latest/api/ipc-renderer#ipcrendererremovelistenerchannel-listener)
    - [CWE-401: Missing Release of Memory after Effective Lifetime](https://cwe.mitre.org/data/definitions/401.html)
    """
    subscribers: set[tuple[str, int]] = set()
    for hit, target in _exposed_subscriptions(project):
        subscribers.add(target)
        if hit is not None:
            yield hit
    yield from _renderer_subscriptions(project, subscribers)


def _exposed_subscriptions(project: Project) -> Iterator[tuple[Hit | None, tuple[str, int]]]:
    """(hit or None, exposed function) for each exposed function that subscribes."""
    by_exposure: dict[int, list[tuple[ExposedMember, tuple[str, int]]]] = {}
    for exp, m, _kind in members(project):
        fn = _function_made(project, m)
        if fn is not None:
            by_exposure.setdefault(id(exp), []).append((m, fn))
    for pairs in by_exposure.values():
        removals: Removals | None = None  # (made when first asked: most exposures subscribe nowhere)
        for m, (path, fid) in pairs:
            f = project.files[path]
            scopes = subtree(f, fid)
            for call in ipc_ops(project, path, scopes, SUBSCRIBE):
                handler = call.args[1] if len(call.args) > 1 else None
                if handler is None or (isinstance(handler, Ref) and project.param_of(path, call.func, handler.name)):
                    yield None, (path, fid)  # a page callback registered directly: IPC002's business
                    continue
                if not forwards_page_callback(project, path, fid, call):
                    yield None, (path, fid)  # the preload's own listener: no page callback wrapped
                    continue
                if _returns_remover(project, path, fid, call) or _removes_itself(project, path, fid, call):
                    yield None, (path, fid)
                    continue
                if removals is None:
                    removals = Removals(project, pairs)
                if _removed_elsewhere(project, removals, m, call, path):
                    yield None, (path, fid)
                    continue
                yield Hit(path, call.span, f"window.{m.name} subscribes with a "
                                           "wrapped callback but neither returns a remover nor exposes one that "
                                           "removes that wrapper", key=".".join(m.keypath)), (path, fid)


def _function_made(project: Project, m: ExposedMember) -> tuple[str, int] | None:
    """The exposed function, or the one a factory call returns (`onTick: makeListener('tick')`)."""
    v = m.value.value
    if isinstance(v, Fn):
        return m.value.path, v.fid
    if isinstance(v, CallExpr):
        target = project.function_of(m.value.path, v.callee, m.value.scope)
        if target is not None:
            for ret in project.files[target[0]].functions[target[1]].returns:
                if isinstance(ret, Fn):
                    return target[0], ret.fid
    return None


def _returns_remover(project: Project, path: str, fid: int, call: Call) -> bool:
    """The subscribe function returns a function that removes this listener: removeListener/off
    with the registered wrapper on the same channel, or removeAllListeners of the channel."""
    f = project.files[path]
    channel = project.channel(path, call.args[0], call.func) if call.args else None
    wrapper = call.args[1] if len(call.args) > 1 else None
    for r in f.functions[fid].returns:
        w = project.resolve(path, r, fid)
        remover = w.value
        if not isinstance(remover, Fn):
            continue
        if w.path != path:
            return True  # a remover from another module: trusted
        for rc in ipc_ops(project, path, subtree(f, remover.fid), REMOVE):
            verdict = _removal_of_channel(project, path, rc, channel)
            if verdict is not None:
                if verdict:
                    return True
                continue
            h = rc.args[1] if len(rc.args) > 1 else None
            if h is not None and wrapper is not None and same(project, path, h, rc.func, wrapper, call.func):
                return True
    return False


def _removal_of_channel(project: Project, path: str, rc: Call, channel: str | None) -> bool | None:
    """False: the removal is for another channel; True: `removeAllListeners` of this channel;
    None: a removeListener/off on this channel, to be judged by the function it removes."""
    rch = project.channel(path, rc.args[0], rc.func) if rc.args else None
    if rch is not None and channel is not None and rch != channel:
        return False
    return True if callee_name(rc.callee) == "removeAllListeners" else None


def _removes_itself(project: Project, path: str, fid: int, call: Call) -> bool:
    """The subscribing function removes the channel's listeners itself (a one-shot request:
    before subscribing, or inside the listener); a returned remover is judged elsewhere."""
    f = project.files[path]
    channel = project.channel(path, call.args[0], call.func) if call.args else None
    if channel is None:
        return False
    returned: set[int] = set()
    for r in f.functions[fid].returns:
        w = project.resolve(path, r, fid)
        if w.path == path and isinstance(w.value, Fn):
            returned |= subtree(f, w.value.fid)
    for rc in ipc_ops(project, path, subtree(f, fid) - returned, REMOVE):
        if not rc.args or project.channel(path, rc.args[0], rc.func) != channel:
            continue
        h = rc.args[1] if len(rc.args) > 1 else None
        if isinstance(h, Spread) or isinstance(h, Ref) and project.param_of(path, rc.func, h.name):
            continue  # removes the page's callback
        return True
    return False


# An exposed function of one exposure that removes listeners: the member, its file, the functions
# it is made of, one ipcRenderer removal in them and that removal's channel (None: not known)
Removal = tuple[ExposedMember, str, set[int], Call, str | None]


class Removals:
    """The removals of one exposure's functions, by channel: found once per exposure, not again
    for each of its subscriptions, and looked up by the subscription's channel (an exposure with
    thousands of on/off pairs would otherwise compare each subscription with every removal)."""

    def __init__(self, project: Project, pairs: list[tuple[ExposedMember, tuple[str, int]]]) -> None:
        self.all: list[Removal] = []
        self.by_channel: dict[str | None, list[Removal]] = {}
        for m, (path, fid) in pairs:
            own = subtree(project.files[path], fid)
            for rc in ipc_ops(project, path, own, REMOVE):
                rch = project.channel(path, rc.args[0], rc.func) if rc.args else None
                r = (m, path, own, rc, rch)
                self.all.append(r)
                self.by_channel.setdefault(rch, []).append(r)

    def near(self, channel: str | None) -> list[Removal]:
        """Those that can remove a listener on ``channel``: on that channel or on one not known."""
        if channel is None:
            return self.all
        return self.by_channel.get(channel, []) + self.by_channel.get(None, [])


def _removed_elsewhere(project: Project, removals: Removals, m: ExposedMember, call: Call,
                       call_path: str) -> bool:
    """Another exposed function removes this subscription: removeAllListeners on the channel, or
    removeListener with something other than its own parameter (a stored wrapper)."""
    channel = project.channel(call_path, call.args[0], call.func) if call.args else None
    for other, path, own, rc, _rch in removals.near(channel):
        if other is m:
            continue
        verdict = _removal_of_channel(project, path, rc, channel)
        if verdict is not None:
            if verdict:
                return True
            continue
        arg = rc.args[1] if len(rc.args) > 1 else None
        if isinstance(arg, Spread):
            continue  # forwards whatever the page passes: the page's callback, not the wrapper
        if isinstance(arg, Ref) and any((sc, arg.name) in project.files[path].bindings for sc in own):
            if _stored_lookup(project.files[path], own, arg.name):
                return True  # `const w = saved[ch]` / `saved.get(ch)`: a wrapper stored by the subscriber
            continue  # that function's own listener (its returned remover), not this one
        if arg is not None and not (isinstance(arg, Ref) and _own_param(project, path, own, rc, arg.name)):
            return True
    return False


MAX_LOOKUP_STEPS = 4  # tables of tables: `registry.get(ch).get(id)` through locals


def _stored_lookup(f: FileFacts, own: set[int], name: str) -> bool:
    """The local ``name`` of a remover is read from a table kept outside the exposed function
    (`const w = saved[ch]`, `const w = saved.get(ch)`), also through a local that is itself read
    from one (`const m = registry.get(ch); const w = m.get(id)`): where subscribers store their
    wrappers."""
    for _ in range(MAX_LOOKUP_STEPS):
        v = next((f.bindings[(sc, name)] for sc in own if (sc, name) in f.bindings), None)
        if isinstance(v, CallExpr) and isinstance(v.callee, Member) and v.callee.prop == "get":
            v = v.callee.obj
        elif isinstance(v, (Member, Index)):
            v = v.obj
        else:
            return False
        if not isinstance(v, Ref):
            return False
        if not any((sc, v.name) in f.bindings for sc in own):
            return True
        name = v.name  # a local table: where it was read from
    return False


def _own_param(project: Project, path: str, own: set[int], rc: Call, name: str) -> bool:
    """``name`` is a parameter of the exposed function itself (what the page passes), not of a
    function nested in it: `SAVED.forEach((handler) => ipcRenderer.off(CH, handler))` removes the
    stored wrappers, which the forEach callback receives."""
    hit = project.param_of(path, rc.func, name)
    if hit is None:
        return False
    parent = project.files[path].functions[hit[0]].parent
    return parent is None or parent not in own


Unmounts = dict[tuple[str, int | None], Hooks]  # (path, function) -> the unmount hooks called directly in it


def _renderer_subscriptions(project: Project, subscribers: set[tuple[str, int]]) -> Iterator[Hit]:
    by_key: dict[str, list[Exposure]] = {}
    for exp in project.exposures:
        by_key.setdefault(exp.key, []).append(exp)
    unmounts: Unmounts = {}
    for e in project.graph.edges:
        if e.kind != "on" or e.side != "renderer" or project.role(e.path) != Role.RENDERER:
            continue
        f = project.files[e.path]
        call = f.calls[e.call]
        why = _leaks(project, f, call, Sub(project, e, call), by_key, unmounts)
        if why and why.startswith("in the render body") and _custom_hook(call):
            why = _through_hook(project, e, call, why, by_key, unmounts)
        if why:
            what = f"subscription to '{e.channel}'" if e.channel else "subscription"
            yield Hit(e.path, call.span, f"{what} {why}", key=f"{e.channel}:{why}")


def _custom_hook(call: Call) -> bool:
    """The call is of a React custom hook (`useIpcListener(CH, cb)`): React's rules of hooks
    make the render body the one place to call it."""
    name = callee_name(call.callee) or ""
    return name.startswith("use") and name[3:4].isupper()


def _through_hook(project: Project, e: Edge, call: Call, render_body: str,
                  by_key: dict[str, list[Exposure]], unmounts: Unmounts) -> str | None:
    """A custom hook called in a render body subscribes where its own code does: the
    subscription inside the hook (its effect and that effect's cleanup) decides; None when the
    hook's subscription is removed; ``render_body`` (the verdict at the call) when it cannot be
    found."""
    name = callee_name(call.callee)
    for v in e.via:
        if v.kind not in (ViaKind.HELPER, ViaKind.WRAPPER) or v.path not in project.files \
                or project.role(v.path) == Role.PRELOAD:
            continue  # (a preload's own call behind the bridge is judged as part (a))
        inner = project.call_at(v.path, v.span)  # (indexed by span: not a pass over the file's calls)
        if inner is None or inner is call:
            continue
        why = _leaks(project, project.files[v.path], inner, Sub(project, e, inner), by_key, unmounts)
        return f"{why} (through {name}())" if why else None
    return render_body


def _leaks(project: Project, f: FileFacts, call: Call, sub: Sub, by_key: dict[str, list[Exposure]],
           unmounts: Unmounts) -> str | None:
    """Why the subscription in the innermost function around ``call`` leaks, or None.
    ``unmounts``: the unmount hooks called directly in a function, per (path, function), kept for
    the run."""
    if call.func is None:
        if f.path.endswith(".vue") and in_script_setup(project, f.path, call.span.line) \
                and not unmount_removes(project, f, _unmounts_in(project, f, None, unmounts), call, sub, by_key):
            return "at the top level of <script setup> runs for every component instance and is never removed"
        return None  # module top level: subscribes once
    fn = f.functions[call.func]
    if fn.arg_of is None and fn.kind != "method" and not fn.once_guarded and not call.once_guarded:
        # `const load = () => { window.api.onX(cb) }; onMounted(() => { load() })`: the local
        # helper subscribes at every mount, like a subscription written in the hook itself
        via = _hook_calling(project, f, fn)
        if via is not None and not any(is_result(project, f.path, r, fn.id, call) for r in fn.returns):
            # (a helper that returns the remover hands it to its caller, which may keep it)
            hook_fn, helper = via
            return _hook_leak(project, f, hook_fn, call, sub, by_key, unmounts, f" (through {helper}())")
    if fn.arg_of is not None:
        return _hook_leak(project, f, fn, call, sub, by_key, unmounts, "")
    short = (fn.name or "").rsplit(".", 1)[-1]
    through = ""
    if fn.kind == "method" and short not in VUE_MOUNTS and short not in REACT_MOUNTS \
            and not fn.once_guarded and not call.once_guarded:
        mount = _mount_hook_calling(project, f, fn)
        if mount is not None:  # `mounted() { this.initHistory() }`: the method subscribes at every mount
            fn, through = mount, f" (through this.{short}())"
            short = (fn.name or "").rsplit(".", 1)[-1]
    if short in VUE_MOUNTS:
        return _vue_options_leak(project, f, fn, short + through, sub, by_key)
    if short in REACT_MOUNTS and _react_class(f, fn):
        where = ("the constructor" if short == "constructor" else short) + through
        fids = _sibling_methods(f, fn, ("componentWillUnmount",))
        if not fids:
            return _never(where, "componentWillUnmount")
        if cleanup_removes(project, f, fids, sub, by_key):
            return None
        return _not_removed(where, "componentWillUnmount", cleanup_miss(project, f, fids, sub, by_key))
    component = fn.parent is None and fn.name and fn.name[:1].isupper() and "." not in fn.name
    renders_jsx = f.path.endswith((".jsx", ".tsx")) or any(isinstance(r, Jsx) for r in fn.returns)
    if (component or short == "render") and renders_jsx:
        if component and _solid(f):
            # a Solid component function runs once per mount, not per render: its cleanup is onCleanup
            hooks = unmount_hooks(project, f, project.calls_in(f.path, fn.id), SOLID_CLEANUPS)
            if not hooks.calls:
                return _never(f"the body of {fn.name}", "onCleanup")
            if unmount_removes(project, f, hooks, call, sub, by_key):
                return None
            return _not_removed(f"the body of {fn.name}", "onCleanup",
                                cleanup_miss(project, f, hooks.fids, sub, by_key))
        return f"in the render body of {fn.name} runs on every render"
    return None


def _hook_leak(project: Project, f: FileFacts, fn: Func, call: Call, sub: Sub, by_key: dict[str, list[Exposure]],
               unmounts: Unmounts, through: str) -> str | None:
    """Why a subscription made in ``fn``, a callback passed to a call (an effect, a mount hook, a
    component wrapper), leaks, or None; ``through``: the local helper that ``fn`` calls to subscribe."""
    assert fn.arg_of is not None
    outer = f.calls[fn.arg_of]
    name = _hook_name(project, f.path, outer)
    if name in COMPONENT_WRAPPERS and fn.arg_index == 0:  # `memo(function Row() { ... })`
        return f"in the render body of {fn.name or 'a ' + name + ' component'} runs on every render"
    if name in EFFECTS:
        hook = "the effect's cleanup"  # the function it returns
        if not fn.returns:
            if _replaced_and_removed_at_unmount(project, f, fn, call, sub, by_key):
                return None
            return _never(name + through, "a function the effect returns")
        if through and any(isinstance(project.resolve(f.path, r, fn.id).value, CallExpr) for r in fn.returns):
            return None  # `useEffect(() => subscribe(), [])`, `const off = subscribe(); return off`
        fids: list[int] = []
        for r in fn.returns:
            if is_result(project, f.path, r, fn.id, call):
                return None  # `() => window.api.onX(cb)`: the effect returns the remover
            w = project.resolve(f.path, r, fn.id)
            if w.path == f.path and isinstance(w.value, Fn):
                fids.append(w.value.fid)
        if cleanup_removes(project, f, fids, sub, by_key):
            return None
        return _not_removed(name + through, hook, cleanup_miss(project, f, fids, sub, by_key))
    if name == "onMount" and _solid(f):  # Solid: removed by an onCleanup in the callback or beside it
        calls = list(project.calls_in(f.path, fn.id)) + list(project.calls_in(f.path, outer.func))
        hooks = unmount_hooks(project, f, sorted(calls, key=lambda c: c.index), SOLID_CLEANUPS)
        if not hooks.calls:
            return _never(name + through, "onCleanup")
        if unmount_removes(project, f, hooks, call, sub, by_key):
            return None
        return _not_removed(name + through, "onCleanup", cleanup_miss(project, f, hooks.fids, sub, by_key))
    if name in MOUNT_HOOKS:
        # the unmount hooks beside the mount hook (those of the component's setup, asked once for
        # it however many mount hooks it has) and inside it, in file order
        beside = _unmounts_in(project, f, outer.func, unmounts)
        inside = [c for c in project.calls_under(f.path, fn.id) if callee_name(c.callee) in UNMOUNT_HOOKS]
        hooks = beside if not inside else unmount_hooks(project, f, sorted(beside.calls + inside,
                                                                           key=lambda c: c.index))
        if not hooks.calls:
            return _never(name + through, "onBeforeUnmount")
        if unmount_removes(project, f, hooks, call, sub, by_key):
            return None
        return _not_removed(name + through, callee_name(hooks.calls[0].callee) or "onBeforeUnmount",
                            cleanup_miss(project, f, hooks.fids, sub, by_key))
    return None  # an event handler or another callback


def _replaced_and_removed_at_unmount(project: Project, f: FileFacts, fn: Func, call: Call, sub: Sub,
                                     by_key: dict[str, list[Exposure]]) -> bool:
    """An effect that re-subscribes without a cleanup of its own, where the function that subscribes
    removes the channel's listener itself first (`Renderer.remove(CH)` then `Renderer.on(CH, cb)`:
    a re-run replaces the listener, it does not add one) and the cleanup of another effect of the
    same component removes it at unmount (`useEffect(() => () => unbind(), [])`)."""
    if call.func is None or not cleanup_removes(project, f, [call.func], sub, by_key):
        return False
    assert fn.arg_of is not None
    component = f.calls[fn.arg_of].func
    fids: list[int] = []
    for g in f.functions:
        if g.id == fn.id or g.arg_of is None or g.arg_index != 0:
            continue
        outer = f.calls[g.arg_of]
        if outer.func != component or _hook_name(project, f.path, outer) not in EFFECTS:
            continue
        for r in g.returns:
            w = project.resolve(f.path, r, g.id)
            if w.path == f.path and isinstance(w.value, Fn):
                fids.append(w.value.fid)
    return bool(fids) and cleanup_removes(project, f, fids, sub, by_key)


def _hook_calling(project: Project, f: FileFacts, fn: Func) -> tuple[Func, str] | None:
    """The effect or mount hook callback that calls the local function ``fn`` directly in its own
    body (`onMounted(() => { load() })`, `useEffect(() => { subscribe() }, [])`), through at most
    two more such local functions, with the name of the helper it calls."""
    seen = {fn.id}
    todo = [(fn, 0)]
    while todo:
        cur, depth = todo.pop()
        if not cur.name or "." in cur.name:
            continue
        for c in f.calls:
            if c.func is None or c.func in seen or not (isinstance(c.callee, Ref) and c.callee.name == cur.name):
                continue
            target = project.function_of(f.path, c.callee, c.func)
            if target != (f.path, cur.id):
                continue
            caller = f.functions[c.func]
            if caller.arg_of is not None:
                hook = _hook_name(project, f.path, f.calls[caller.arg_of])
                if hook in EFFECTS or hook in MOUNT_HOOKS:
                    return caller, fn.name or cur.name
                continue  # an event handler or another callback
            if depth < 2 and caller.kind != "method" and not caller.once_guarded and not c.once_guarded:
                seen.add(caller.id)
                todo.append((caller, depth + 1))
    return None


SOLID_CLEANUPS = frozenset({"onCleanup"})


def _solid(f: FileFacts) -> bool:
    """The file is a Solid component module (it imports solid-js)."""
    return any(k == "\0order:solid-js" or k.startswith("\0order:solid-js/") for k in f.imports)


def _mount_hook_calling(project: Project, f: FileFacts, fn: Func) -> Func | None:
    """The mount hook of ``fn``'s component (Vue Options API `mounted`/`created`/..., a class
    component's `componentDidMount`/`constructor`) that calls the method ``fn`` as `this.method()`
    directly in its body, or through other methods of the component called that way. Calls inside
    callbacks (an event handler, a timer) are not the mount's own, as for a subscription itself;
    a method once-guarded by a flag (`if (bound) return; bound = true`) subscribes once."""
    prefix, _, _ = (fn.name or "").rpartition(".")
    seen = {fn.id}
    todo = [fn]
    while todo:
        m = todo.pop()
        name = (m.name or "").rsplit(".", 1)[-1]
        for c in f.calls:
            callee = c.callee
            if c.func is None or c.func in seen or not isinstance(callee, Member) \
                    or not isinstance(callee.obj, This) or callee.prop != name:
                continue
            caller = f.functions[c.func]
            cprefix, _, cshort = (caller.name or "").rpartition(".")
            if caller.kind != "method" or caller.parent != fn.parent or cprefix != prefix:
                continue  # not a method of the same component
            if cshort in VUE_MOUNTS or cshort in REACT_MOUNTS:
                return caller
            if caller.once_guarded:
                continue  # `if (bound) return; bound = true`: its calls run once, not at every mount
            seen.add(caller.id)
            todo.append(caller)
    return None


def _unmounts_in(project: Project, f: FileFacts, fid: int | None, unmounts: Unmounts) -> Hooks:
    """The unmount hooks called directly in a function (a component's setup; None: the top level),
    read once for all the mount hooks beside them."""
    key = (f.path, fid)
    hooks = unmounts.get(key)
    if hooks is None:
        hooks = unmounts[key] = unmount_hooks(project, f, project.calls_in(f.path, fid))
    return hooks


def _never(where: str, cleanup: str) -> str:
    return f"in {where} is never removed (remove it in {cleanup})"


def _not_removed(where: str, cleanup: str, why: str | None) -> str:
    return f"in {where} is not removed by {cleanup}" + (f": {why}" if why else "")


def _vue_options_leak(project: Project, f: FileFacts, fn: Func, where: str, sub: Sub,
                      by_key: dict[str, list[Exposure]]) -> str | None:
    """An Options API component: its cleanup hooks are named by its Vue version (Vue 2 calls
    beforeDestroy/destroyed, Vue 3 beforeUnmount/unmounted, and neither calls the other's)."""
    major = project.vue_majors.get(f.path)
    present = [(f.functions[i].name or "").rsplit(".", 1)[-1] for i in _sibling_methods(f, fn, VUE_CLEANUPS)]
    should = "beforeDestroy" if major == 2 else "beforeUnmount"
    if not present:
        return _never(where, should)
    valid = VUE_CLEANUPS if major not in VUE_HOOKS else VUE_HOOKS[major]
    called = [h for h in VUE_CLEANUPS if h in present and h in valid]
    if not called:
        hook = next(h for h in VUE_CLEANUPS if h in present)
        return _not_removed(where, hook, f"Vue {major} never calls {hook} (its name there is {VUE_RENAMED[hook]})")
    fids = _sibling_methods(f, fn, tuple(called))
    if cleanup_removes(project, f, fids, sub, by_key):
        return None
    return _not_removed(where, called[0], cleanup_miss(project, f, fids, sub, by_key))


def _react_class(f: FileFacts, fn: Func) -> bool:
    """``fn`` is a method of a class component (a class with render or React lifecycle methods).
    A custom element (`class Nav extends LitElement`, `HTMLElement`) renders too, but it is no
    React component: its cleanup is `disconnectedCallback`, which this rule does not judge."""
    if not fn.name or "." not in fn.name:
        return False
    cls = fn.name.rsplit(".", 1)[0]
    if f.class_bases.get(cls, "").endswith("Element"):
        return False
    methods = f.class_methods.get(cls, {})
    return any(m in methods for m in ("render", "componentDidMount", "componentWillUnmount", "componentWillMount"))


COMPONENT_WRAPPERS = frozenset({"memo", "forwardRef", "observer"})


def _hook_name(project: Project, path: str, call: Call) -> str | None:
    """The React/Vue function a call names, through import aliases (`useEffect as effect`)."""
    name = callee_name(call.callee)
    if name in EFFECTS or name in MOUNT_HOOKS or name in COMPONENT_WRAPPERS or not isinstance(call.callee, Ref):
        return name
    v = project.resolve(path, call.callee, call.func).value
    if isinstance(v, External) and v.src in ("react", "vue", "mobx-react", "mobx-react-lite"):
        return v.name.rsplit(".", 1)[-1]
    return name


def _sibling_methods(f: FileFacts, fn: Func, names: tuple[str, ...]) -> list[int]:
    prefix = fn.name.rsplit(".", 1)[0] + "." if fn.name and "." in fn.name else None
    out: list[int] = []
    for other in f.functions:
        short = (other.name or "").rsplit(".", 1)[-1]
        # a class's own methods: not those of another class beside it in the file (same parent)
        if short in names and (prefix is None or (other.name or "").startswith(prefix)):
            out.append(other.id)
    return out

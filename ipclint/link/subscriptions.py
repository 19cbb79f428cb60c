"""What removes a renderer subscription (IPC004 b): the remover it returned, kept in a variable,
a field or an array; removeListener with the same function on the same channel; removeAllListeners
of the channel; an exposed off function that removes the preload's wrapper; Vue unmount hooks.
When a cleanup exists but removes nothing, ``cleanup_miss`` says why (another channel, another
function, a method ipcRenderer does not have)."""
from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import msgspec

from ipclint.link.bridge import Exposure, bridge_target, raw_ipc_method
from ipclint.link.graph import Edge
from ipclint.link.modules import ReadJson
from ipclint.link.project import Project
from ipclint.link.senders import function_index
from ipclint.link.vutil import callee_name, subtree
from ipclint.model import Role, Span
from ipclint.model.facts import Call, FileFacts, binding_scope
from ipclint.model.graph import ViaKind
from ipclint.model.values import AnyV, Arr, CallExpr, Cond, Fn, Global, Iter, Member, Ref, Spread, This

SUBSCRIBE = frozenset({"on", "addListener", "prependListener"})


def ipc_ops(project: Project, path: str, scopes: set[int], methods: frozenset[str]) -> list[Call]:
    """ipcRenderer calls with one of ``methods`` inside the given functions of a file."""
    calls, _checks, _exits, _local = function_index(project, path).of(sorted(s for s in scopes if s is not None))
    out = []
    for c in calls:
        op = project.ipc_ops.get((path, c.index))
        if op is not None and op.receiver == "ipcRenderer" and op.method in methods:
            out.append(c)
    return out


MAX_LOCALS = 8


def forwards_page_callback(project: Project, path: str, fid: int, call: Call) -> bool:
    """Whether the listener that subscribing ``call`` (inside exposed function ``fid``) registers
    wraps the page's callback: it calls a parameter of the exposed function (or of a function
    around the listener inside it), directly or through a local (`const l = (_e, v) => cb(v)`,
    `opts.onData(v)`), or is made from one (`wrap(cb)`, `cb.bind(null)`). A fixed preload listener
    that calls nothing the page gave (`ipcRenderer.on('port', (e) => window.postMessage(...))`; a
    parameter used as data is not a callback) wraps nothing (IPC004 a)."""
    if len(call.args) < 2:
        return False
    f = project.files[path]
    outer = subtree(f, fid)
    v, scope = _through_locals(f, call.args[1], call.func)
    if isinstance(v, Fn):
        inner = subtree(f, v.fid)
        return any(_names_page_param(f, c.callee, c.func, outer - inner)
                   for c in project.calls_within(path, inner))
    if isinstance(v, CallExpr):  # `wrap(cb)`, `cb.bind(null)`
        return any(_names_page_param(f, x, scope, outer) for x in (v.callee, *v.args))
    return False


def _through_locals(f: FileFacts, v: AnyV, scope: int | None) -> tuple[AnyV, int | None]:
    """``v`` followed through local bindings (not parameters) to the value it is bound to."""
    for _ in range(MAX_LOCALS):
        if not isinstance(v, Ref):
            break
        hit = binding_scope(f, scope, v.name)
        if hit is None or hit[1] is None:
            break
        scope, v = hit[0], hit[1]
    return v, scope


def _names_page_param(f: FileFacts, v: AnyV, scope: int | None, owners: set[int]) -> bool:
    """``v`` (a callee or an argument: `cb`, `cb.call`, `opts.onData`, `...cbs`) is, or is a local
    bound to, a parameter of one of the functions ``owners`` (or a member of one)."""
    if isinstance(v, Spread):
        if v.inner is None:
            return False
        v = v.inner
    while isinstance(v, Member):
        v = v.obj
    for _ in range(MAX_LOCALS):
        if not isinstance(v, Ref):
            return False
        hit = binding_scope(f, scope, v.name)
        if hit is None:
            return False
        if hit[1] is None:
            return hit[0] in owners
        scope, v = hit[0], hit[1]
    return False


class Sub:
    """A renderer subscription: its channel, the page's callback, and whether that callback is the
    listener itself (so removing it works) or the preload registered a wrapper around it."""

    def __init__(self, project: Project, e: Edge, call: Call) -> None:
        self.call = call
        self.channel = e.channel
        self.handlers: list[AnyV] = [a for a in call.args if isinstance(a, (Ref, Member))]
        self.direct = True
        if e.bridge_fn is not None:
            bpath, _fid = e.bridge_fn
            site = e.bridge_site
            calls = [project.files[site[0]].calls[site[1]]] if site else [
                c for c in ipc_ops(project, bpath, subtree(project.files[bpath], _fid), SUBSCRIBE)]
            for c in calls:
                if _wraps_callback(project, bpath, c):
                    self.direct = False
        # an app wrapper in renderer code that registers a function of its own around the
        # caller's callback (`rendererOn(name, cb) { ipcRenderer.on(name, (e, p) => cb(p)) }`):
        # its name for the message; None when the wrapping (if any) is the preload's
        self.wrapper: str | None = None
        for via in e.via:
            if via.kind != ViaKind.WRAPPER or via.path not in project.files \
                    or project.role(via.path) == Role.PRELOAD:
                continue
            inner = project.call_at(via.path, via.span)
            if inner is None or inner is call or not isinstance(inner.callee, Member) \
                    or inner.callee.prop not in SUBSCRIBE:
                continue
            if _wraps_callback(project, via.path, inner):
                self.direct = False
                fn = project.files[via.path].functions[inner.func] if inner.func is not None else None
                self.wrapper = f"{fn.name}()" if fn is not None and fn.name else "the wrapper it calls"


def _wraps_callback(project: Project, path: str, c: Call) -> bool:
    """The subscribing call ``c`` registers a function of its own, not the parameter it was given
    (`ipcRenderer.on(ch, (e, p) => cb(p))`, not `ipcRenderer.on(ch, cb)`)."""
    h = c.args[1] if len(c.args) > 1 else None
    return h is None or not (isinstance(h, Ref) and project.param_of(path, c.func, h.name))


ByKey = dict[str, list[Exposure]]  # exposures by exposed key


UNMOUNT_HOOKS = frozenset({"onUnmounted", "onBeforeUnmount"})


class Hooks(NamedTuple):
    """The Vue unmount hooks among some calls, read once for every subscription beside them (a
    setup with thousands of onMounted/onUnmounted pairs would otherwise read them all for each)."""

    calls: list[Call]  # onUnmounted/onBeforeUnmount, in file order
    results: frozenset[Span]  # the subscribing calls whose removers they are given (`onUnmounted(off)`)
    fids: list[int]  # the local functions they are given, in file order


def unmount_hooks(project: Project, f: FileFacts, calls: Iterable[Call],
                  names: frozenset[str] = UNMOUNT_HOOKS) -> Hooks:
    """The unmount hooks (``names``) among ``calls`` (in file order) and what they are given."""
    hooks = [h for h in calls if callee_name(h.callee) in names]
    results: set[Span] = set()
    fids: list[int] = []
    for h in hooks:
        for a in h.args[:1]:
            results.update(result_spans(project, f.path, a, h.func))
            w = project.resolve(f.path, a, h.func)
            if w.path == f.path and isinstance(w.value, Fn):
                fids.append(w.value.fid)
    return Hooks(hooks, frozenset(results), fids)


def unmount_removes(project: Project, f: FileFacts, hooks: Hooks, call: Call, sub: Sub, by_key: ByKey) -> bool:
    """An unmount hook removes the subscription: `onUnmounted(off)` with what it returned, or a
    cleanup function that removes it."""
    return call.span in hooks.results or cleanup_removes(project, f, hooks.fids, sub, by_key)


def in_script_setup(project: Project, path: str, line: int) -> bool:
    """Whether a line of a .vue file lies in its `<script setup>` block (run per instance)."""
    return any(first <= line <= last for first, last in project.files[path].script_setup)


def is_result(project: Project, path: str, v: AnyV, scope: int | None, call: Call) -> bool:
    """``v`` is (a variable or field holding) what the subscribing call returned."""
    return call.span in result_spans(project, path, v, scope)


def result_spans(project: Project, path: str, v: AnyV, scope: int | None) -> tuple[Span, ...]:
    """The spans of the calls of this file whose result ``v`` is (or a variable or field holding
    it): one call, or each call that an arm of a ternary gives (`c ? api.onX(cb) : () => {}`)."""
    if isinstance(v, (Ref, Member)):
        w = project.resolve(path, v, scope)
        if w.path != path:
            return ()
        v = w.value
    if isinstance(v, CallExpr):
        return (v.span,)
    if isinstance(v, Cond):
        return tuple(a.span for a in v.alts if isinstance(a, CallExpr))
    return ()


MAX_CLEANUP_FUNCTIONS = 32


def _cleanup_calls(project: Project, f: FileFacts, fids: list[int]) -> Iterator[Call]:
    """The calls of the cleanup functions and of the local functions they call."""
    todo = list(fids)
    seen: set[int] = set()
    while todo and len(seen) < MAX_CLEANUP_FUNCTIONS:
        fid = todo.pop()
        if fid in seen:
            continue
        seen.add(fid)
        for c in project.calls_within(f.path, subtree(f, fid)):  # (indexed: not a pass over the file's calls)
            yield c
            if isinstance(c.callee, Ref):
                w = project.resolve(f.path, c.callee, c.func)
                if w.path == f.path and isinstance(w.value, Fn):
                    todo.append(w.value.fid)  # `return () => unsubscribe()`
            elif isinstance(c.callee, Member) and isinstance(c.callee.obj, This):
                m = _own_method(project, f, c.func, c.callee.prop)
                if m is not None:
                    todo.append(m)  # `componentWillUnmount() { this.unbind() }`


def _own_method(project: Project, f: FileFacts, fid: int | None, name: str) -> int | None:
    """The method ``name`` of the class whose method encloses function ``fid`` (`this.name()`), or
    of the object literal (a Vue Options API component: `beforeDestroy() { this.unbind() }` with
    `methods: { unbind() {...} }`): the one method of that name beside it."""
    for _ in range(64):
        if fid is None:
            return None
        fn = f.functions[fid]
        if fn.kind == "method" and fn.name and "." in fn.name:
            return f.class_methods.get(fn.name.rsplit(".", 1)[0], {}).get(name)
        if fn.kind == "method":
            index = project.file_memo.methods_at.get(f.path)
            if index is None:  # (once a file, not a pass over its functions for each call)
                index = project.file_memo.methods_at[f.path] = {}
                for g in f.functions:
                    if g.kind == "method" and g.name:
                        index.setdefault((g.parent, g.name), []).append(g.id)
            found = index.get((fn.parent, name), [])
            return found[0] if len(found) == 1 else None
        if fn.kind != "arrow":
            return None  # (a `function` has its own `this`)
        fid = fn.parent
    return None


def _tail(fids: list[int]) -> tuple[int, ...]:
    """The end of ``fids`` that ``_cleanup_calls`` reads (it takes them from the end and stops at
    MAX_CLEANUP_FUNCTIONS distinct ones): the same cleanup, whatever came before."""
    seen: set[int] = set()
    i = len(fids)
    while i > 0 and len(seen) < MAX_CLEANUP_FUNCTIONS:
        i -= 1
        seen.add(fids[i])
    return tuple(fids[i:])


class Cleanup:
    """What cleanup functions (and the local functions they call) do, read once for every
    subscription they may remove (one componentWillUnmount or one setup's unmount hooks can serve
    thousands): the subscribing calls whose results they call or pass on, the names they call or
    iterate, their removals by channel and by removed function. A subscription then looks only at
    the removals that can concern it."""

    def __init__(self, project: Project, f: FileFacts, fids: tuple[int, ...], by_key: ByKey) -> None:
        self.calls = list(_cleanup_calls(project, f, list(fids)))
        self.results: set[Span] = set()  # `off()`, `this.off()`, `offs.forEach(call)`
        self.names: set[str] = set()  # callees, and arrays iterated (`offs.forEach(...)`)
        self.removals: list[tuple[Call, Removal]] = []
        self.by_channel: dict[str | None, list[int]] = {}  # channel -> positions in ``removals``
        self.by_fn: dict[tuple[object, ...], list[int]] = {}  # see ``_fn_keys``; None: removes every function
        self._bad: list[str | None] = []  # (read when first asked) the first call of a method ipcRenderer lacks
        self.by_key = by_key
        path = f.path
        for c in self.calls:
            for v in (c.callee, *(() if _logs(c) else c.args)):
                self.results.update(result_spans(project, path, v, c.func))
            self.names.add(c.callee.text)
            if isinstance(c.callee, Member) and c.callee.prop in ("forEach", "map"):
                self.names.add(c.callee.obj.text)
            elif isinstance(c.callee, Ref):  # `for (const off of offs) off()`
                it = f.lookup(c.func, c.callee.name)
                if isinstance(it, Iter) and it.how == "of":
                    self.names.add(it.source.text)
            for r in _removals(project, path, c, by_key):
                i = len(self.removals)
                self.removals.append((c, r))
                self.by_channel.setdefault(r.channel, []).append(i)
                for key in _fn_keys(project, path, r.handler, c.func) if r.handler is not None else [(None,)]:
                    self.by_fn.setdefault(key, []).append(i)

    def _near(self, sub: Sub) -> list[int]:
        """The removals on the subscription's channel or on any channel."""
        if sub.channel is None:
            return list(range(len(self.removals)))
        return self.by_channel.get(sub.channel, []) + self.by_channel.get(None, [])

    def removes(self, project: Project, path: str, sub: Sub, holders: set[str]) -> bool:
        if sub.call.span in self.results or not self.names.isdisjoint(holders):
            return returned_remover_miss(project, path, sub, self.by_key) is None
        return any(_miss(project, path, *self.removals[i], sub) is None for i in self._near(sub))

    def miss(self, project: Project, f: FileFacts, sub: Sub) -> str | None:
        """``cleanup_miss``: the removals that can come nearest are those on its channel (or any)
        and those of the same function (or of every function) on another channel."""
        if sub.call.span in self.results or not self.names.isdisjoint(_holders(project, f, sub.call)):
            returned = returned_remover_miss(project, f.path, sub, self.by_key)
            if returned is not None:
                return f"its remover {returned}"
        if not self._bad:
            bad = _bad_method(project, f, self.calls) or _missing_member(project, f, self.calls, self.by_key)
            self._bad.append(bad)
        if self._bad[0] is not None:
            return self._bad[0]
        near = set(self._near(sub)).union(*(self.by_fn.get(k, ()) for h in sub.handlers
                                             for k in _fn_keys(project, f.path, h, sub.call.func)),
                                          self.by_fn.get((None,), ()))
        best: tuple[int, str] | None = None
        others: dict[str, int] = {}  # the other channels removed as nearly as the best, first rank
        for i in sorted(near):
            c, r = self.removals[i]
            hit = _miss(project, f.path, c, r, sub)
            if hit is not None and (hit[0] < 3 or r.handler is None):
                if r.channel is not None and r.channel != sub.channel and hit[0] in (0, 3) and not r.no_listener:
                    others.setdefault(r.channel, hit[0])
                if best is None or hit[0] < best[0]:
                    best = hit
        if best is None:
            return None
        chans = [ch for ch, rank in others.items() if rank == best[0]]
        if len(chans) > 1 and best[1].startswith("removes '"):  # `removeAllListeners` of many other channels
            shown = ", ".join(f"'{ch}'" for ch in chans[:3]) + (", ..." if len(chans) > 3 else "")
            return f"removes {len(chans)} other channels ({shown}) but the listener is on '{sub.channel}'"
        return best[1]


def returned_remover_miss(project: Project, path: str, sub: Sub, by_key: ByKey) -> str | None:
    """Why the remover that the subscribing call returned removes nothing, when the subscribing call
    is of an app function whose returned function removes only through what it was given
    (`onX(cb) { listen(CH, cb); return () => unlisten(CH, cb) }` where `listen` wraps `cb`): each
    removal is mapped onto the subscribing call's arguments and judged like a cleanup's. None when
    it removes the subscription, or when that cannot be told (no such function, no removal)."""
    from ipclint.link.wrappers import callee_function
    if sub.direct or (type(sub.call.callee) is not Ref and type(sub.call.callee) is not Member):
        return None
    target = callee_function(project, path, sub.call)
    if target is None:
        return None
    tpath, tfid = target
    tf = project.files[tpath]
    best: tuple[int, str] | None = None
    for ret in tf.functions[tfid].returns:
        if not isinstance(ret, Fn):
            return None
        for rc in project.calls_under(tpath, ret.fid):
            for r in _removals(project, tpath, rc, by_key, 1):
                channel, handler = r.channel, r.handler
                if handler is not None:
                    k = _outer_param(project, tpath, rc, handler, tfid)
                    if k is None or not 0 <= k < len(sub.call.args):
                        return None  # removes a function of its own (a stored wrapper): not judged here
                    handler = sub.call.args[k]
                hit = _miss(project, path, sub.call, Removal(channel, handler, r.page_callback), sub)
                if hit is None:
                    return None
                if best is None or hit[0] < best[0]:
                    best = hit
    return best[1] if best is not None else None


def _outer_param(project: Project, path: str, rc: Call, v: AnyV, fid: int) -> int | None:
    """The index of function ``fid``'s parameter that ``v`` names, seen from call ``rc``."""
    if not isinstance(v, Ref):
        return None
    hit = project.param_of(path, rc.func, v.name)
    if hit is None or hit[0] != fid or hit[1].path:
        return None
    return hit[1].index


def _fn_keys(project: Project, path: str, v: AnyV, scope: int | None) -> list[tuple[object, ...]]:
    """Keys two expressions that ``same`` takes for the same function share (its text; where it
    resolves to). Over-inclusive is fine: ``_miss`` asks ``same`` again."""
    if not isinstance(v, (Ref, Member)):
        return []
    w = project.resolve(path, v, scope)
    keys: list[tuple[object, ...]] = [("at", w.path, w.value.span)]
    if v.text:
        keys.append(("text", v.text))
    return keys


def _cleanup(project: Project, f: FileFacts, fids: list[int], by_key: ByKey) -> Cleanup:
    """The ``Cleanup`` of these functions, read once per run."""
    memo = project.memo.cleanups
    if memo is None or memo[0] is not by_key:
        memo = project.memo.cleanups = (by_key, {})
    key = (f.path, _tail(fids))
    hit = memo[1].get(key)
    if hit is None:
        hit = memo[1][key] = Cleanup(project, f, key[1], by_key)
    return hit


def cleanup_removes(project: Project, f: FileFacts, fids: list[int], sub: Sub, by_key: ByKey) -> bool:
    """Whether the cleanup functions (and local functions they call) remove this subscription:
    `off()`, `this.off()`, `offs.forEach(call)` with what it returned; `off = api.onX(cb)` ...
    `off?.()`; `offs.push(api.onX(cb))` ... `offs.forEach(...)`; a removal of it."""
    return _cleanup(project, f, fids, by_key).removes(project, f.path, sub, _holders(project, f, sub.call))


def _miss(project: Project, path: str, c: Call, r: Removal, sub: Sub) -> tuple[int, str] | None:
    """None when removal ``r`` (made by call ``c``) removes the subscription; otherwise how near
    it comes (a rank, lower is nearer) and why it removes nothing."""
    same_fn = r.handler is None or any(same(project, path, r.handler, c.func, h, sub.call.func) for h in sub.handlers)
    if r.channel is not None and sub.channel is not None and r.channel != sub.channel:
        return (0 if same_fn else 3), f"removes '{r.channel}' but the listener is on '{sub.channel}'"
    if r.no_listener:
        return -1, f"{r.no_listener} names no listener: it throws and removes nothing"
    if r.page_callback and not sub.direct:
        whose, by = ("the page's", "the preload") if sub.wrapper is None else ("the caller's", sub.wrapper)
        return 1, f"removes {whose} callback, but {by} registered a wrapper around it"
    if not same_fn:
        # (the listener is the last argument: `on(CH.X, listener)` also holds the channel's name)
        listener = next((h.text for h in reversed(sub.handlers) if h.text), "another function")
        return 2, f"removes {r.handler.text if r.handler is not None else 'another function'}, not {listener}"
    return None


def cleanup_miss(project: Project, f: FileFacts, fids: list[int], sub: Sub, by_key: ByKey) -> str | None:
    """Why cleanup functions that do not remove the subscription come closest to it: a removal of
    the same function on another channel, of the page's callback, of another function on the same
    channel, or a method ipcRenderer does not have (`removeAllListener`). None: they remove nothing
    like it."""
    return _cleanup(project, f, fids, by_key).miss(project, f, sub)


def _bad_method(project: Project, f: FileFacts, calls: list[Call]) -> str | None:
    """The first of ``calls`` that calls a method ipcRenderer does not have, said."""
    for c in calls:
        if isinstance(c.callee, Member) and c.callee.prop not in IPC_RENDERER_METHODS \
                and project.electron_api(f.path, c.callee.obj, c.func) == "ipcRenderer":
            near = difflib.get_close_matches(c.callee.prop, sorted(IPC_RENDERER_METHODS), 1)
            return f"ipcRenderer.{c.callee.prop} is not a method" + (f" (did you mean {near[0]}?)" if near else "")
    return None


def _missing_member(project: Project, f: FileFacts, calls: list[Call], by_key: ByKey) -> str | None:
    """The first of ``calls`` that calls a member the exposed object it reaches does not have
    (`window.ipc.removeAllListener(ch)` where the preload exposes `removeAllListeners`): it throws,
    so the cleanup removes nothing. Only for exposed objects whose members are all known."""
    if not by_key:
        return None
    from ipclint.link.bridge import exposed_members
    for c in calls:
        callee = c.callee
        if not isinstance(callee, Member) or bridge_target(project, f.path, c, by_key) is not None:
            continue
        hit = bridge_target(project, f.path, msgspec.structs.replace(c, callee=callee.obj), by_key)
        if hit is None:
            continue
        exp, chain, _where = hit
        depth = len(chain)
        names: set[str] = set()
        for m in exposed_members(project, exp):
            if m.keypath[:depth] != chain or m.spread or len(m.keypath) <= depth:
                names = set()  # a spread, or the object itself is the leaf: its members are not known
                break
            names.add(m.keypath[depth])
        if not names or callee.prop in names:
            continue
        near = difflib.get_close_matches(callee.prop, sorted(names), 1)
        shown = ".".join(("window", exp.key, *chain, callee.prop))
        return f"{shown} is not a method the preload exposes" + (f" (did you mean {near[0]}?)" if near else "")
    return None


# What `ipcRenderer` has (its own methods and EventEmitter's): a call of anything else throws.
IPC_RENDERER_METHODS = frozenset({
    "on", "off", "once", "addListener", "removeListener", "removeAllListeners", "prependListener",
    "prependOnceListener", "send", "sendSync", "invoke", "sendTo", "sendToHost", "postMessage", "emit",
    "listeners", "rawListeners", "listenerCount", "eventNames", "setMaxListeners", "getMaxListeners"})


# ---- the Vue version of each file ------------------------------------------------------------

_MAJOR = re.compile(r"(\d+)")


def vue_majors(paths: Iterable[str], read_json: ReadJson) -> dict[str, int]:
    """Each file's Vue major version, from the nearest package.json above it that depends on vue
    (its hooks' names changed in Vue 3: beforeDestroy became beforeUnmount)."""
    cache: dict[str, int | None] = {}

    def major(folder: str) -> int | None:
        chain: list[str] = []
        found: int | None = None
        while folder not in cache:
            chain.append(folder)
            pkg = read_json(posixpath.join(folder, "package.json") if folder else "package.json")
            found = _vue_major(pkg)
            if found is not None or not folder:
                break
            folder = posixpath.dirname(folder)
        else:
            found = cache[folder]
        for d in chain:
            cache[d] = found
        return found

    out: dict[str, int] = {}
    for p in paths:
        m = major(posixpath.dirname(p))
        if m is not None:
            out[p] = m
    return out


def _vue_major(pkg: object) -> int | None:
    if not isinstance(pkg, dict):
        return None
    for sect in ("dependencies", "devDependencies", "peerDependencies"):
        deps = pkg.get(sect)
        spec = deps.get("vue") if isinstance(deps, dict) else None
        if isinstance(spec, str):
            m = _MAJOR.search(spec)
            if m and spec.lstrip("^~>=v ")[:1].isdigit():
                return int(m.group(1))
    return None


def _holders(project: Project, f: FileFacts, call: Call) -> set[str]:
    """Names that keep what the subscribing call returned: assigned later (`off = ...`,
    `offRef.current = ...`), or an array it was put in (`[api.onA(a), api.onB(b)]`, `offs.push(...)`).
    (Indexed by span once per file: not a pass over the file's assignments for each subscription.)"""
    index = project.memo.holders.get(f.path)
    if index is None:
        index = project.memo.holders[f.path] = {}
        for a in f.assigns:
            if a.target.text:  # `this.off = api.onX(cb)`, `this.removers = [api.onX(cb)]`
                index.setdefault(a.value.span, set()).add(a.target.text)
                if isinstance(a.value, (Arr, Cond)):  # (`off = c ? api.onX(cb) : undefined`)
                    for x in a.value.items if isinstance(a.value, Arr) else a.value.alts:
                        index.setdefault(x.span, set()).add(a.target.text)
        for (_scope, name), v in f.bindings.items():
            if isinstance(v, Arr):
                for x in v.items:
                    index.setdefault(x.span, set()).add(name)
        for c in f.calls:
            if isinstance(c.callee, Member) and c.callee.prop in ("push", "add"):  # an array, a Set
                for x in c.args:
                    index.setdefault(x.span, set()).add(c.callee.obj.text)
    return index.get(call.span, set())


REMOVE = frozenset({"removeListener", "off", "removeAllListeners"})
LOGGING = frozenset({"log", "debug", "info", "warn", "error", "trace", "dir"})


def _logs(c: Call) -> bool:
    return callee_name(c.callee) in LOGGING


class Removal(NamedTuple):
    """One removal a renderer call performs."""

    channel: str | None  # None: any channel
    handler: AnyV | None  # the removed function; None: every listener
    page_callback: bool  # the removed function is the page's callback (not a preload wrapper)
    # `ipcRenderer.off(ch)` / `removeListener(ch)` with no listener: EventEmitter throws on the
    # missing function, so it removes nothing (the call's text, to say so)
    no_listener: str = ""


def _removals(project: Project, path: str, c: Call, by_key: ByKey, depth: int = 0) -> Iterator[Removal]:
    """The removals a renderer call performs: directly, through an exposed function, or through
    a project function (a wrapper's method, `transport.off(ch, cb)`) that makes one of those with
    the channel and function it is given."""
    op = project.ipc_ops.get((path, c.index))
    if op is not None and op.method in REMOVE:
        yield _direct(project, path, c, op.method)
        return
    hit = bridge_target(project, path, c, by_key) if by_key else None
    if hit is None:
        if depth < MAX_REMOVAL_DEPTH and c.args:
            yield from _wrapper_removals(project, path, c, by_key, depth)
        return
    _exp, _keypath, where = hit
    v = where.value
    method = raw_ipc_method(v)
    if method is not None:
        if method in REMOVE:
            yield _direct(project, path, c, method)
        return
    if not isinstance(v, Fn):
        return
    bf = project.files[where.path]
    for rc in ipc_ops(project, where.path, subtree(bf, v.fid), REMOVE):
        channel = _mapped(project, where.path, rc, 0, path, c)
        if callee_name(rc.callee) == "removeAllListeners":
            yield Removal(channel, None, False)
            continue
        h = rc.args[1] if len(rc.args) > 1 else None
        if h is None:
            continue
        idx = _param_index(project, where.path, rc, h)
        if idx is None:
            yield Removal(channel, None, False)  # a stored wrapper
        else:
            yield Removal(channel, (c.args[idx] if 0 <= idx < len(c.args) else None), True)
    if depth >= MAX_REMOVAL_DEPTH:
        return
    # through a preload helper that the exposed function calls (`off: (cb) => unlisten('theme', cb)`
    # with `unlisten = (name, cb) => ipcRenderer.off(`sub-${name}`, cb)`): the function it removes
    # is the page's argument when the exposed function passes its own parameter on
    for ic in project.calls_under(where.path, v.fid):
        if (where.path, ic.index) in project.ipc_ops:
            continue
        for r in _wrapper_removals(project, where.path, ic, {}, depth + 1):
            if r.handler is None:
                yield r
                continue
            idx = _param_index(project, where.path, ic, r.handler)
            if idx is None:
                yield Removal(r.channel, None, False)  # a stored wrapper
            elif 0 <= idx < len(c.args):
                yield Removal(r.channel, c.args[idx], True)


MAX_REMOVAL_DEPTH = 2  # wrappers of wrappers of a removal


def _wrapper_removals(project: Project, path: str, c: Call, by_key: ByKey, depth: int) -> Iterator[Removal]:
    """The removals of a project function called by ``c``, with the channel and the function it
    removes taken from ``c``'s arguments where the function passes on its parameters."""
    from ipclint.link.wrappers import callee_function
    if type(c.callee) is not Member and type(c.callee) is not Ref:
        return
    target = callee_function(project, path, c)
    if target is None:
        return
    tpath, tfid = target
    for rc in project.calls_under(tpath, tfid):
        for r in _removals(project, tpath, rc, by_key, depth + 1):
            channel = r.channel
            if channel is None and rc.args:  # `off(channel, cb) { api.off(channel, cb) }`: the caller's channel
                k = _param_index(project, tpath, rc, rc.args[0])
                if k is not None and 0 <= k < len(c.args):
                    channel = project.channel(path, c.args[k], c.func)
            handler = r.handler
            if handler is not None:  # the function removed: one the caller passed, else none it can name
                k = _param_index(project, tpath, rc, handler)
                if k is None or not 0 <= k < len(c.args):
                    continue
                handler = c.args[k]
            # (a function the caller passed, removed as it is: the caller's callback, which a
            # wrapper that registered its own function around it never registered)
            yield Removal(channel, handler, r.page_callback or handler is not None)


def _direct(project: Project, path: str, c: Call, method: str) -> Removal:
    channel = project.channel(path, c.args[0], c.func) if c.args else None
    handler = c.args[1] if method != "removeAllListeners" and len(c.args) > 1 else None
    if method != "removeAllListeners" and len(c.args) == 1 and not isinstance(c.args[0], Spread):
        name = callee_name(c.callee) or method
        shown = f"'{channel}'" if channel is not None else c.args[0].text
        return Removal(channel, None, False, f"ipcRenderer.{name}({shown})")
    return Removal(channel, handler, False)


def _param_index(project: Project, path: str, rc: Call, v: AnyV) -> int | None:
    """The index of the exposed function's parameter that ``v`` (or a spread of it) forwards."""
    if isinstance(v, Spread):
        if v.inner is None:
            return -1
        v = v.inner
    if not isinstance(v, Ref):
        return None
    hit = project.param_of(path, rc.func, v.name)
    if hit is None:
        return None
    _scope, p = hit
    if p.path:
        return -1  # destructured from the arguments: page data, position unknown
    return p.index


def _mapped(project: Project, path: str, rc: Call, i: int, rpath: str, c: Call) -> str | None:
    """The channel of argument ``i`` of a preload removal: fixed, or the renderer's argument (None
    when not known)."""
    if i >= len(rc.args):
        return None
    a = rc.args[i]
    idx = _param_index(project, path, rc, a)
    if idx is None:
        return project.channel(path, a, rc.func)
    if 0 <= idx < len(c.args):
        return project.channel(rpath, c.args[idx], c.func)
    return None


def same(project: Project, path: str, a: AnyV, a_scope: int | None, b: AnyV, b_scope: int | None) -> bool:
    """Two expressions name the same function (the same binding, or the same text)."""
    if not isinstance(a, (Ref, Member)) or not isinstance(b, (Ref, Member)):
        return False
    wa, wb = project.resolve(path, a, a_scope), project.resolve(path, b, b_scope)
    if not isinstance(wa.value, (Ref, Member, Global)) and wa.path == wb.path \
            and wa.value.span == wb.value.span:
        return True
    return bool(a.text) and a.text == b.text

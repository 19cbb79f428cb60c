"""App-defined IPC wrappers: functions that pass their parameters on to an IPC call.

Each function is summarised once (which parameter is the channel, which the handler), then every
call of it anywhere in the project is that IPC operation with the call's own arguments.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ipclint.link.ipcops import (
    IPC_METHOD_NAMES,
    MAIN_METHODS,
    RELAYED,
    RENDERER_METHODS,
    IpcOp,
    classify,
    classify_computed,
    ipc_op,
    unbound_candidate,
)
from ipclint.link.project import Project
from ipclint.model import Span
from ipclint.model.facts import Call, Func, Param, binding_scope
from ipclint.model.values import (
    AnyV,
    Arr,
    CallExpr,
    ClassV,
    Concat,
    Cond,
    Fn,
    Import,
    Index,
    Member,
    NewExpr,
    Ref,
    Spread,
    Str,
    This,
    Tpl,
)

MAX_ROUNDS = 6


@dataclass(frozen=True, slots=True)
class WrapperOp:
    op: IpcOp
    channel_param: int | None  # index of the wrapper's parameter that is the channel
    channel: AnyV | None  # the fixed channel expression when not a parameter
    handler_param: int | None
    handler_wrapped: bool  # the wrapper wraps the handler (it may check the sender around it)
    site: tuple[str, int]  # (path, call index) of the underlying IPC call
    chain: tuple[tuple[str, int], ...] = ()  # wrapper functions between call site and IPC call
    # the channel parameter is only part of the channel (`toggle_${key}`, `TOGGLE(key)`): the
    # channel is the IPC call's own expression, dynamic at the call sites
    channel_derived: bool = False
    # the fixed start of a derived channel (`progress:${id}`: 'progress:'), wherever on the chain
    # the channel was made; the caller picks a channel only within that namespace
    channel_prefix: str | None = None
    # how a derived channel is made, when a caller's constant fills it in (`${kind}:created` with
    # `kind` the wrapper's channel parameter): (path, scope, expression, function id, parameter
    # index) of that expression and of the parameter it is made from
    channel_expr: tuple[str, int | None, AnyV, int, int] | None = None


def direct_ops(project: Project) -> dict[tuple[str, int], IpcOp]:
    """Every call that is an Electron IPC operation itself, by (path, call index); and every call
    of a project function that calls an IPC method on its own parameter (``_receiver_helpers``)
    with ipcMain or ipcRenderer as that argument: the call is that operation, with the channel and
    listener among its own arguments."""
    out: dict[tuple[str, int], IpcOp] = {}
    open_calls: list[tuple[str, Call]] = []
    for path, call in project.iter_calls_named(IPC_METHOD_NAMES):  # (the only calls classify accepts)
        op = classify(project, path, call)
        if op is not None:
            out[(path, call.index)] = op
        elif call.func is not None and type(call.callee) is Member and type(call.callee.obj) is Ref:
            open_calls.append((path, call))
    memo = project.file_memo.unbound_names  # (from the facts alone: once a run, not once a round)
    for path in sorted(project.files):  # methods taken off ipcRenderer/ipcMain: `const { invoke } = ipcRenderer`
        names = memo.get(path)
        if names is None:
            names = memo[path] = frozenset(n for (_s, n), v in project.files[path].bindings.items()
                                           if unbound_candidate(v))
        if not names:
            continue
        for call in project.calls_named(path, names):
            if type(call.callee) is Ref and (path, call.index) not in out:
                op = classify(project, path, call)
                if op is not None:
                    out[(path, call.index)] = op
    computed = project.file_memo.computed_calls  # (from the facts alone: once a run, not once a round)
    for path in sorted(project.files):  # computed methods: `['on', 'handle'].forEach((m) => ipcMain[m](CH, fn))`
        calls = project.files[path].calls
        indexes = computed.get(path)
        if indexes is None:
            indexes = computed[path] = [i for i, c in enumerate(calls) if type(c.callee) is Index]
        for i in indexes:
            op = classify_computed(project, path, calls[i])
            if op is not None:
                out[(path, calls[i].index)] = op
    helpers = _receiver_helpers(project, open_calls)
    if helpers:
        out.update(_receiver_helper_calls(project, helpers))
    return out


# (path, function id) -> (method, receiver parameter, channel parameter, listener parameter or None)
ReceiverHelpers = dict[tuple[str, int], tuple[str, int, int, int | None]]


def _receiver_helpers(project: Project, calls: list[tuple[str, Call]]) -> ReceiverHelpers:
    """Functions that call an IPC method on a parameter with two more of their parameters as the
    channel and the listener, `exports.on = (emitter, name, cb) => { emitter.on(name, cb); return
    new Disposable(...) }` (Atom's ipc-helpers): one function for app events, DOM events and IPC,
    whose callers decide by the object they pass. Not when its calls resolve the receiver: then
    the call inside is classified itself and the function is an ordinary wrapper."""
    out: ReceiverHelpers = {}
    for path, call in calls:
        callee = call.callee
        if type(callee) is not Member or type(callee.obj) is not Ref:
            continue
        method = callee.prop
        if method not in MAIN_METHODS and method not in RENDERER_METHODS or not call.args:
            continue
        recv = project.param_of(path, call.func, callee.obj.name)
        ch = _param_index(project, path, call, call.args[0])
        if recv is None or recv[1].path or recv[1].rest or ch is None or ch[2] or ch[0] != recv[0]:
            continue
        listener = _param_index(project, path, call, call.args[1]) if len(call.args) > 1 else None
        if listener is not None and (listener[2] or listener[0] != recv[0]):
            listener = None
        out.setdefault((path, recv[0]), (method, recv[1].index, ch[1], listener[1] if listener else None))
    return out


def _receiver_helper_calls(project: Project, helpers: ReceiverHelpers) -> dict[tuple[str, int], IpcOp]:
    """The calls of ``helpers`` given ipcMain or ipcRenderer as the receiver, as IPC operations."""
    out: dict[tuple[str, int], IpcOp] = {}
    for path, call in calls_by_names(project, wrapper_names(project, helpers)):
        target = callee_function(project, path, call)
        if target is None or target not in helpers:
            continue
        method, recv, ch, listener = helpers[target]
        if recv >= len(call.args) or ch >= len(call.args) or any(type(a) is Spread for a in call.args):
            continue
        op = ipc_op(project.electron_api(path, call.args[recv], call.func), method, ch, listener)
        if op is not None:
            out[(path, call.index)] = op
    return out


def _param_index(project: Project, path: str, call: Call, arg: AnyV) -> tuple[int, int, bool] | None:
    """(function id, parameter index, is rest) when ``arg`` is a plain parameter of an enclosing function."""
    v = arg.inner if type(arg) is Spread and arg.inner is not None else arg
    if type(v) is not Ref:  # (exact types: asked of every argument of many calls)
        return None
    memo = project.file_memo.param_indexes  # (from the file's facts alone: once a run, not once a round)
    key = (path, call.func, v.name)
    if key in memo:
        return memo[key]
    found = memo[key] = _find_param_index(project, path, call, v)
    return found


def _find_param_index(project: Project, path: str, call: Call, v: Ref) -> tuple[int, int, bool] | None:
    """``_param_index`` of a name (the answer depends only on the name and the call's scope)."""
    hit = project.param_of(path, call.func, v.name)
    if hit is None:
        return _rest_element(project, path, call, v) or _arguments(project, path, call, v)
    if hit[1].path:
        return None
    fn = project.files[path].functions[hit[0]]
    if fn.arg_of is not None:
        loop = project.files[path].calls[fn.arg_of].callee
        if isinstance(loop, Member) and loop.prop in ("forEach", "map", "flatMap"):
            return None  # a loop variable, not a wrapper's parameter
    return hit[0], hit[1].index, hit[1].rest


def _rest_element(project: Project, path: str, call: Call, v: Ref) -> tuple[int, int, bool] | None:
    """`const [channel, listener] = args` with `...args` a rest parameter: args[0] is parameter 0."""
    b = project.files[path].lookup(call.func, v.name)
    if not isinstance(b, Member) or not isinstance(b.obj, Ref) or not b.prop.isdigit():
        return None
    hit = project.param_of(path, call.func, b.obj.name)
    if hit is None or not hit[1].rest or hit[1].path:
        return None
    return hit[0], hit[1].index + int(b.prop), False


def _arguments(project: Project, path: str, call: Call, v: Ref) -> tuple[int, int, bool] | None:
    """`arguments`, or a local copy of it (`const args = [...arguments]`, `Array.from(arguments)`,
    `Array.prototype.slice.call(arguments)`), of the nearest enclosing function that is not an
    arrow: its arguments from the first on, as a rest parameter `...args` would hold them."""
    f = project.files[path]
    hit = binding_scope(f, call.func, v.name) if v.name in project.bound_names(path) else None
    if v.name == "arguments":
        if hit is not None:
            return None  # (a local or parameter named `arguments`)
        scope = call.func
    elif hit is None or hit[1] is None or not _copies_arguments(hit[1]):
        return None
    else:
        scope = hit[0]
    while scope is not None and f.functions[scope].kind == "arrow":
        scope = f.functions[scope].parent
    return (scope, 0, True) if scope is not None else None


def _copies_arguments(v: AnyV | None) -> bool:
    if isinstance(v, Arr) and len(v.items) == 1 and isinstance(v.items[0], Spread):
        v = v.items[0].inner
    elif isinstance(v, CallExpr) and v.args and isinstance(v.callee, Member) and (
            v.callee.prop == "from" and isinstance(v.callee.obj, Ref) and v.callee.obj.name == "Array"
            or v.callee.prop == "call" and isinstance(v.callee.obj, Member) and v.callee.obj.prop == "slice"):
        v = v.args[0]
    return isinstance(v, Ref) and v.name == "arguments"


def _derived_param(project: Project, path: str, call: Call, arg: AnyV) -> tuple[int, int, bool] | None:
    """(function id, parameter index, False) when the channel ``arg`` is made from a plain parameter
    of an enclosing function without being it: a template or concatenation of it (`toggle_${key}`,
    `'p:' + key`), a local constant holding one, or a call of a project function with it as an
    argument that the function puts into what it returns (`TOGGLE(key)` with
    `TOGGLE = (k) => `toggle_${k}``)."""
    f = project.files[path]
    stack: list[tuple[AnyV, int]] = [(arg, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > 6:
            continue
        if isinstance(v, Tpl):
            stack.extend((p, depth + 1) for p in v.parts if not isinstance(p, str))
        elif isinstance(v, Concat):
            stack += [(v.left, depth + 1), (v.right, depth + 1)]
        elif isinstance(v, Ref):
            hit = _param_index(project, path, call, v)
            if hit is not None:
                if depth > 0 and not hit[2]:
                    return hit
                continue
            b = f.lookup(call.func, v.name)
            if isinstance(b, (Tpl, Concat, CallExpr)):
                stack.append((b, depth + 1))
        elif isinstance(v, CallExpr):
            for j, a in enumerate(v.args):
                hit = _param_index(project, path, call, a)
                if hit is not None and not hit[2] and _returns_param(project, path, v.callee, call.func, j):
                    return hit
    return None


def derived_channel(project: Project, path: str, call: Call, wop: WrapperOp) -> str | None:
    """The channel a call of a wrapper with a derived channel names, when its argument is a
    constant that fills in the expression the channel is made of (`events('note')` with
    `listenerFor(`${kind}:created`)` inside `events(kind)`: 'note:created'); else None."""
    return _derived(project, path, call, wop, head=False)


def derived_prefix(project: Project, path: str, call: Call, wop: WrapperOp) -> str | None:
    """The fixed start of the channel a call of a wrapper with a derived channel names, when the
    channel is not constant as a whole: `setup(`svc::${ns}`, actions)` with
    `ipcMain.handle(`${pre}::${name}`, ...)` inside `setup(pre, actions)` handles only channels
    starting 'svc::' (the namespace IPC010 then knows to be handled); None when it starts with a
    part that is not constant."""
    return _derived(project, path, call, wop, head=True) or None


def _derived(project: Project, path: str, call: Call, wop: WrapperOp, head: bool) -> str | None:
    if wop.channel_expr is None or wop.channel_param is None or wop.channel_param >= len(call.args):
        return None
    arg = call.args[wop.channel_param]
    if isinstance(arg, Spread):
        return None
    value = project.channel(path, arg, call.func)
    partial = False
    if value is None and head:
        value, partial = project.channel_prefix(path, arg, call.func), True
    if value is None:
        return None
    epath, scope, expr, fid, index = wop.channel_expr
    f = project.files[epath]
    stack: list[AnyV | str] = [expr]
    out: list[str] = []
    # (evaluated left to right: a stack of parts, each a string already or an expression to fill)
    steps = 0
    while stack:
        steps += 1
        if steps > 64:
            return None
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, Tpl):
            stack.extend(reversed(v.parts))
        elif isinstance(v, Concat):
            stack += [v.right, v.left]
        elif isinstance(v, Ref) and (hit := project.param_of(epath, scope, v.name)) is not None:
            if hit[0] != fid or hit[1].index != index or hit[1].path or hit[1].rest:
                return "".join(out) if head else None
            out.append(value)
            if partial:  # only the start of the argument is known: so is the channel's
                return "".join(out)
        elif isinstance(v, Ref) and isinstance(b := f.lookup(scope, v.name), (Tpl, Concat)):
            stack.append(b)
        else:
            text = project.channel(epath, v, scope)
            if text is None:
                return "".join(out) if head else None
            out.append(text)
    return "".join(out)


def _returns_param(project: Project, path: str, callee: AnyV, scope: int | None, index: int) -> bool:
    """The project function ``callee`` returns its parameter ``index``, in a template or
    concatenation or as it is."""
    target = project.function_of(path, callee, scope)
    if target is None:
        return False
    fn = project.files[target[0]].functions[target[1]]
    if index >= len(fn.params) or fn.params[index].path or fn.params[index].rest:
        return False
    name = fn.params[index].name
    stack: list[AnyV] = list(fn.returns)
    steps = 0
    while stack and steps < 64:
        v = stack.pop()
        steps += 1
        if isinstance(v, Ref) and v.name == name:
            return True
        if isinstance(v, Tpl):
            stack.extend(p for p in v.parts if not isinstance(p, str))
        elif isinstance(v, Concat):
            stack += [v.left, v.right]
    return False


def _handler_source(project: Project, path: str, call: Call, arg: AnyV) -> tuple[int, int, bool] | None:
    """The parameter a handler argument comes from: itself, wrapped in a call, or called from a
    wrapping function literal."""
    direct = _param_index(project, path, call, arg)
    if direct is not None:
        return (*direct[:2], False)
    if isinstance(arg, CallExpr):
        for a in arg.args:
            hit = _param_index(project, path, call, a)
            if hit is not None:
                return (*hit[:2], True)
    if isinstance(arg, Fn):
        for c in project.calls_in(path, arg.fid):
            if c.args and (type(c.args[0]) is Str or project.channel(path, c.args[0], c.func) is not None):
                continue  # `notify(DONE, [x, y])`: the callback is told about a named message, not run as the handler
            if isinstance(c.callee, Ref):
                param = project.param_of(path, c.func, c.callee.name)
                if param is not None and param[0] != arg.fid and not param[1].path \
                        and _forwards_own_params(project, path, c, arg.fid):
                    return param[0], param[1].index, True
    return None


def _forwards_own_params(project: Project, path: str, call: Call, fid: int) -> bool:
    """The call passes on something the function literal ``fid`` received (`(e, ...a) => fn(...a)`,
    `(e, p) => fn(p.id)`): a callback that is only called (`() => { done && done() }`,
    `(e, p) => save(getWindow(), p)`) does not make the literal the parameter's handler."""
    f = project.files[path]
    own = f.subtree(fid)
    todo: list[AnyV] = list(call.args)
    for _ in range(64):
        if not todo:
            return False
        v = todo.pop()
        if type(v) is Ref:
            if v.name == "arguments":
                return True
            param = project.param_of(path, call.func, v.name)
            if param is not None and param[0] in own:
                return True
            bound = binding_scope(f, call.func, v.name)
            if bound is not None and bound[0] in own and bound[1] is not None and not bound[1].opaque:
                todo.append(bound[1])  # a local copy (`const data = payload.data`)
        elif type(v) is CallExpr:
            todo.extend(v.args)  # `fn(JSON.parse(p))`
        elif not v.opaque:
            todo.extend(v.children())
    return False


def summarise(project: Project, ops: dict[tuple[str, int], IpcOp]) -> dict[tuple[str, int], list[WrapperOp]]:
    wrappers: dict[tuple[str, int], list[WrapperOp]] = {}
    for (path, idx), op in ops.items():
        call = project.files[path].calls[idx]
        _add_summary(project, wrappers, path, call, op, None, ())
    project.wrapper_params = {}
    # (path, call index, wrapper, id of its summary) already summarised at a call: the same again
    # adds nothing (the summary it makes is in the list by then, or the list is full), so each
    # pass of the fixpoint summarises only what the passes before did not (mattermost: 627 of
    # the 1,135 it summarised a round)
    done: set[tuple[str, int, tuple[str, int], int]] = set()
    for _ in range(MAX_ROUNDS):
        changed = False
        names = wrapper_names(project, wrappers)
        project.wrapper_params = passed_wrappers(project, wrappers, names)
        names |= param_names(project)
        for path, call in calls_by_names(project, names):
            if call.func is None:
                continue
            target = wrapper_callee(project, path, call)
            if target is None or target not in wrappers:
                continue
            for wop in list(wrappers[target]):  # (the summaries live as long as ``wrappers``: ids stay theirs)
                key = (path, call.index, target, id(wop))
                if key in done:
                    continue
                done.add(key)
                if _add_summary(project, wrappers, path, call, wop.op, wop, (target, *wop.chain)):
                    changed = True
        if not changed:
            break
    return wrappers


def _add_summary(project: Project, wrappers: dict[tuple[str, int], list[WrapperOp]], path: str, call: Call,
                 op: IpcOp, inner: WrapperOp | None, chain: tuple[tuple[str, int], ...]) -> bool:
    ch_idx = inner.channel_param if inner is not None else op.channel_arg
    h_idx = inner.handler_param if inner is not None else op.handler_arg
    ch_arg = call.args[ch_idx] if ch_idx is not None and ch_idx < len(call.args) else None
    h_arg = call.args[h_idx] if h_idx is not None and h_idx < len(call.args) else None
    ch = _param_index(project, path, call, ch_arg) if ch_arg is not None else None
    derived = ch is not None and inner is not None and inner.channel_derived
    prefix = inner.channel_prefix if derived and inner is not None else None
    expr = inner.channel_expr if derived and inner is not None else None
    if ch is None and ch_arg is not None:
        ch = _derived_param(project, path, call, ch_arg)
        derived = ch is not None
        if derived:
            prefix = inner.channel_prefix if inner is not None and inner.channel_derived \
                else project.channel_prefix(path, ch_arg, call.func)
            expr = None if ch is None or inner is not None and inner.channel_derived \
                else (path, call.func, ch_arg, ch[0], ch[1])
    fixed = inner.channel if inner is not None and ch_arg is None else ch_arg  # (when no parameter names it)
    if ch is None and ch_arg is not None and inner is not None and inner.channel_derived:
        # a fixed argument that fills in the inner wrapper's derived channel (`(cb) =>
        # listen('theme', cb)` with `listen = (name, cb) => ipcRenderer.on(`sub-${name}`, cb)`): the
        # channel is 'sub-theme', not the argument; one that does not resolve leaves it derived
        filled = derived_channel(project, path, call, inner)
        if filled is not None:
            fixed = Str(span=ch_arg.span, value=filled)
        else:
            derived, prefix = True, inner.channel_prefix
    hd = _handler_source(project, path, call, h_arg) if h_arg is not None else None
    if ch is not None:
        owner = ch[0]
        if hd is not None and hd[0] != owner:
            hd = None  # the handler is a parameter of another function: the channel's function is the wrapper
    elif hd is not None:
        owner = hd[0]
    else:
        return False
    wop = WrapperOp(op=op, channel_param=ch[1] if ch is not None else None,
                    channel=None if ch is not None or derived else fixed,
                    handler_param=hd[1] if hd is not None else None,
                    handler_wrapped=hd[2] if hd is not None else (inner.handler_wrapped if inner else False),
                    site=inner.site if inner is not None else (path, call.index), chain=chain,
                    channel_derived=derived, channel_prefix=prefix, channel_expr=expr)
    lst = wrappers.setdefault((path, owner), [])
    if wop in lst or len(lst) > 32:
        return False
    lst.append(wop)
    return True


def passed_wrappers(project: Project, wrappers: dict[tuple[str, int], list[WrapperOp]],
                    names: frozenset[str]) -> dict[tuple[str, int, str], tuple[str, int]]:
    """Parameters that receive an app wrapper by reference (`makeApi(invoke)` with `const invoke =
    (ch, ...a) => ipcRenderer.invoke(ch, ...a)`, and `makeApi = (invoke) => invoke(CH.X)` in
    another module): (path, function id, parameter name) -> the wrapper, when every such call
    passes the same one."""
    found: dict[tuple[str, int, str], set[tuple[str, int]]] = {}
    index = _arg_refs(project)
    for name in sorted(names):
        for path, c, i in index.get(name, ()):
            passed = project.function_of(path, c.args[i], c.func)
            if passed is None or passed not in wrappers:
                continue
            target = callee_function(project, path, c)
            if target is None and c.new:  # `new Client(sendEvent)`: its constructor's parameter
                target = class_constructor(project, path, c)
            fn = project.func(*target) if target is not None else None
            param = _plain_param(fn, i)
            if target is None or fn is None or param is None:
                continue
            found.setdefault((target[0], target[1], param), set()).add(passed)
            if fn.kind == "method" and fn.name and fn.name.endswith(".constructor"):
                for prop in _fields_of_param(project, target[0], target[1], fn.name, param):
                    found.setdefault((target[0], target[1], FIELD + prop), set()).add(passed)
                    _field_passed_on(project, target[0], fn.name.split(".", 1)[0], prop, passed, found)
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}


def _field_passed_on(project: Project, path: str, cls: str, prop: str, wrapper: tuple[str, int],
                     found: dict[tuple[str, int, str], set[tuple[str, int]]]) -> None:
    """`helper(this.onEvent, id)` in a method of the class: the helper's parameter receives the
    wrapper the field holds."""
    for c in project.files[path].calls:
        for i, a in enumerate(c.args):
            if type(a) is not Member or type(a.obj) is not This or a.prop != prop \
                    or _enclosing_class(project, path, c.func) != cls:
                continue
            target = callee_function(project, path, c)
            param = _plain_param(project.func(*target) if target is not None else None, i)
            if target is not None and param is not None:
                found.setdefault((target[0], target[1], param), set()).add(wrapper)


def _plain_param(fn: Func | None, index: int) -> str | None:
    """The name of ``fn``'s plain parameter at ``index`` (not destructured, not a rest), if any."""
    return next((p.name for p in fn.params if p.index == index and not p.path and not p.rest), None) \
        if fn is not None else None


FIELD = "this."  # a key of ``Project.wrapper_params`` for a field of the constructor's instance


def param_names(project: Project) -> set[str]:
    """The names by which a parameter or field that receives a wrapper is called (`send(...)`,
    `this.send(...)`: the method part)."""
    return {name[len(FIELD):] if name.startswith(FIELD) else name for (_p, _f, name) in project.wrapper_params}


def _fields_of_param(project: Project, path: str, ctor: int, ctor_name: str, param: str) -> list[str]:
    """`constructor(cb) { this.onEvent = cb }`: the fields of the instance that hold the
    constructor's parameter, when the class sets them to nothing else."""
    cls = ctor_name.split(".", 1)[0]
    out: list[str] = []
    assigns = project.files[path].assigns
    for a in assigns:
        t = a.target
        if a.func != ctor or type(t) is not Member or type(t.obj) is not This or type(a.value) is not Ref \
                or a.value.name != param or project.param_of(path, a.func, param) is None:
            continue
        others = [b for b in assigns if b is not a and type(b.target) is Member and type(b.target.obj) is This
                  and b.target.prop == t.prop and _enclosing_class(project, path, b.func) == cls]
        if not others:
            out.append(t.prop)
    return out


def _arg_refs(project: Project) -> dict[str, list[tuple[str, Call, int]]]:
    """The index of the names calls pass as arguments (``FileMemo.arg_refs``), over the project's
    files: from the facts alone, so each file is indexed once a run (summarise asks in each of its
    rounds, and every link round asked again for every file); the files parsed since are added in
    path order, as indexing them all at once would order them."""
    refs = project.file_memo.arg_refs
    files = project.files
    if any(files.get(p) is not f for p, f in refs.indexed.items()):  # (not a later round of the same run)
        refs.indexed.clear()
        refs.by_name.clear()
    new = sorted(files.keys() - refs.indexed.keys())
    if not new:
        return refs.by_name
    later = bool(refs.indexed) and new[0] < max(refs.indexed)
    touched: set[str] = set()
    for path in new:
        refs.indexed[path] = files[path]
        touched |= _index_arg_refs(refs.by_name, path, files[path].calls)
    if later:  # (a new file sorts before one indexed before: its entries go to their place; the sort is stable)
        for name in touched:
            refs.by_name[name].sort(key=_ref_path)
    return refs.by_name


def _index_arg_refs(by_name: dict[str, list[tuple[str, Call, int]]], path: str, calls: tuple[Call, ...]) -> set[str]:
    """Adds one file's calls to the index; returns the names they pass."""
    names: set[str] = set()
    for c in calls:
        for i, a in enumerate(c.args):
            if type(a) is Ref:
                by_name.setdefault(a.name, []).append((path, c, i))
                names.add(a.name)
    return names


def _ref_path(ref: tuple[str, Call, int]) -> str:
    return ref[0]


def wrapper_callee(project: Project, path: str, call: Call) -> tuple[str, int] | None:
    """The project function a call invokes (``callee_function``), or the app wrapper that the
    parameter it calls receives (``passed_wrappers``)."""
    target = callee_function(project, path, call)
    if target is None:
        target = _evaluate_callback(project, path, call)
    if target is None and project.wrapper_params and type(call.callee) is Ref:
        p = project.param_of(path, call.func, call.callee.name)
        if p is not None:
            return project.wrapper_params.get((path, p[0], call.callee.name))
    callee = call.callee
    if target is None and project.wrapper_params and type(callee) is Member and type(callee.obj) is This:
        cls = _enclosing_class(project, path, call.func)  # `this.onEvent(ch, ...)`: the field's wrapper
        ctor = project.files[path].class_methods.get(cls, {}).get("constructor") if cls is not None else None
        if ctor is not None:
            return project.wrapper_params.get((path, ctor, FIELD + callee.prop))
    if target is None and type(call.callee) is Ref:
        target = made_by_factory(project, path, call.callee, call.func)
    return target


def made_by_factory(project: Project, path: str, callee: Ref, scope: int | None) -> tuple[str, int] | None:
    """`const reply = makeSender(event.sender); reply(CH, x)`: the function the factory returns
    (one function expression written in it, `(ch, ...a) => target.send(ch, ...a)`), which an app
    wrapper can be."""
    r = project.resolve(path, callee, scope)
    if type(r.value) is not CallExpr:
        return None
    maker = project.function_of(r.path, r.value.callee, r.scope)
    return _returned_function(project, maker) if maker is not None else None


def _returned_function(project: Project, maker: tuple[str, int]) -> tuple[str, int] | None:
    """The one function written inside ``maker`` that it returns, or None."""
    mpath, mfid = maker
    made = {project.function_of(mpath, ret, mfid) for ret in project.files[mpath].functions[mfid].returns}
    made.discard(None)
    if len(made) != 1:
        return None
    hit = made.pop()
    if hit is None or hit[0] != mpath or project.files[mpath].functions[hit[1]].parent != mfid:
        return None
    return hit


def _factory_names(project: Project, path: str, fid: int) -> set[str]:
    """The names of the locals that hold what a factory returns, when function ``fid`` is that
    returned function (`const reply = makeSender(event.sender)`): the names it is called by."""
    f = project.files[path]
    maker = f.functions[fid].parent
    if maker is None:
        return set()
    name = f.functions[maker].name
    if not name or _returned_function(project, (path, maker)) != (path, fid):
        return set()
    spans: dict[str, set[Span]] = {}
    for cpath, c in project.iter_calls_named({name.rsplit(".", 1)[-1]}):
        if callee_function(project, cpath, c) == (path, maker):
            spans.setdefault(cpath, set()).add(c.span)
    out: set[str] = set()
    for cpath, at in spans.items():
        for (_scope, local), v in project.files[cpath].bindings.items():
            if type(v) is CallExpr and v.span in at:
                out.add(local)
    return out


def _evaluate_callback(project: Project, path: str, call: Call) -> tuple[str, int] | None:
    """Playwright's `electronApp.evaluate(fn, arg)` calls `fn(electron, arg)`: the callback, when
    it is one (test code), so that its parameter 1 lines up with the call's argument 1 (`(
    { ipcMain }, ch) => ipcMain.once(ch, ...)` with `evaluate(cb, 'app:ready')` or a helper's own
    parameter)."""
    callee = call.callee
    if type(callee) is not Member or callee.prop != "evaluate" or len(call.args) < 2 \
            or not isinstance(call.args[0], Fn):
        return None
    fid = call.args[0].fid
    return (path, fid) if fid in project.test_funcs.get(path, ()) else None


def wrapper_names(project: Project, wrappers: Iterable[tuple[str, int]]) -> frozenset[str]:
    """Names by which a wrapper can be called: its own name (the method part for class methods);
    for a module's whole export (`module.exports = function (...)`, `export default function`),
    the names other files import it by."""
    from ipclint.link.params import exported_functions, names_importing
    out = set()
    whole: set[str] = set()  # the files whose whole CommonJS export is a wrapper
    defaults: set[str] = set()  # the files whose default export is a wrapper
    for path, fid in wrappers:
        if fid in project.test_funcs.get(path, ()):
            out.add("evaluate")  # (called by `electronApp.evaluate(fn, arg)`: _evaluate_callback)
        name = project.files[path].functions[fid].name
        if name:
            out.add(name.rsplit(".", 1)[-1])
        else:
            out.update(_factory_names(project, path, fid))
        exported = exported_functions(project, path).get(fid, frozenset())
        if "default" in exported:
            out.add("default")  # (calls by an imported default are indexed under "default")
            defaults.add(path)
        if "*" in exported:
            whole.add(path)
    if whole:
        for imp in project.files:
            for target, names in names_importing(project, imp).items():
                if target in whole:
                    out.update(names)
    if defaults:  # an index's `export { default as go } from './ipc'`: its importers call it `go`
        for path, f in project.files.items():
            for key, v in f.exports.items():
                named = f.imports.get(v.name) if type(v) is Ref else v
                if type(named) is Import and named.name == "default" and key not in ("default", "*") \
                        and project.modules.resolve(path, named.src) in defaults:
                    out.add(key)
    return frozenset(out)


def may_call(project: Project, path: str, call: Call, names: frozenset[str]) -> bool:
    """A cheap test before resolving: the callee's name (or the name it was imported as) is the
    name of a wrapper."""
    v = call.callee
    # exact types: this runs for every call in every round, and failing isinstance tests on
    # msgspec values are slow (their metaclass)
    if type(v) is Member:
        return v.prop in names
    if type(v) is not Ref:
        return False
    if v.name in names:
        return True
    imp = project.files[path].imports.get(v.name)
    return isinstance(imp, Import) and imp.name in names  # `import { addHandler as add }`


def calls_by_names(project: Project, names: frozenset[str]) -> list[tuple[str, Call]]:
    """The calls for which ``may_call`` holds, in ``Project.iter_calls`` order, from each file's
    index of calls by name (``Project.calls_named``) instead of a pass over every call: the
    wrapper summaries pass over them once per round of their fixpoint."""
    return list(project.iter_calls_named(names))


def callee_function(project: Project, path: str, call: Call) -> tuple[str, int] | None:
    """The project function a call invokes: declared, imported, a namespace member, or a method of
    a class instance created with `new`. Remembered per call once the project is frozen (the rules
    ask about the same calls again and again); while linking, each resolution must record what it
    needs, so it is asked anew."""
    if project.frozen:
        memo = project.memo.callee_functions
        hit = memo.get(id(call))
        if hit is not None and hit[0] is call:
            return hit[1]
        found = _callee_function(project, path, call)
        memo[id(call)] = (call, found)  # (the entry keeps the call alive: its id is not reused)
        return found
    return _callee_function(project, path, call)


def _callee_function(project: Project, path: str, call: Call) -> tuple[str, int] | None:
    return callee_target(project, path, call.callee, call.func)


def callee_target(project: Project, path: str, callee: AnyV, scope: int | None) -> tuple[str, int] | None:
    """The project function ``callee`` denotes: declared, imported, a namespace member, or a method
    of a class instance created with `new` (`Common.getElectron` with `export default new
    UtilCommon()`)."""
    hit = project.function_of(path, callee, scope)
    if hit is not None:
        return hit
    if isinstance(callee, Member):
        cls = _instance_class(project, path, callee.obj, scope)
        if cls is not None:
            f = project.files.get(cls[0])
            methods = f.class_methods.get(cls[1], {}) if f else {}
            fid = methods.get(callee.prop)
            if fid is not None:
                return cls[0], fid
    return None


def class_constructor(project: Project, path: str, call: Call) -> tuple[str, int] | None:
    """The constructor a `new Win(...)` call runs: the `constructor` of a named class of the
    project (a class without its own constructor gives None)."""
    cls = project.resolve(path, call.callee, call.func)
    if type(cls.value) is not ClassV or cls.value.name is None:
        return None
    f = project.files.get(cls.path)
    fid = f.class_methods.get(cls.value.name, {}).get("constructor") if f is not None else None
    return (cls.path, fid) if fid is not None else None


def _instance_class(project: Project, path: str, obj: AnyV, scope: int | None,
                    depth: int = 0) -> tuple[str, str] | None:
    """(path, class name) when ``obj`` is made with `new` of a named class of the project, also
    when it is an arm of a ternary (`ok ? new Api() : null`) or what a project function returns
    (`getApi().send(...)` with `function getApi() { return instance }`)."""
    made = project.resolve(path, obj, scope)
    v = made.value
    for arm in (v.alts if isinstance(v, Cond) else (v,)):
        if isinstance(arm, NewExpr):
            cls = project.resolve(made.path, arm.callee, made.scope)
            if isinstance(cls.value, ClassV) and cls.value.name is not None:
                return cls.path, cls.value.name
        elif isinstance(arm, CallExpr) and depth < 3:
            fn = project.function_of(made.path, arm.callee, made.scope)
            if fn is None:
                continue
            for r in project.files[fn[0]].functions[fn[1]].returns[:8]:
                hit = _instance_class(project, fn[0], r, fn[1], depth + 1)
                if hit is not None:
                    return hit
    return None


RELAY_METHODS = frozenset({"on", "once", "addListener", "prependListener"})
Relays = dict[tuple[str, str], tuple[IpcOp, frozenset[str]]]


def relay_classes(project: Project, ops: dict[tuple[str, int], IpcOp]) -> Relays:
    """Classes that relay IPC messages to their own EventEmitter listeners:
    `ipcMain.on(name, (e, ...a) => this.emit(name, e, ...a))` inside a class. Their instances'
    `.on(channel, fn)` calls are then handler registrations for that channel. Also a class whose
    listener emits, on itself or on an emitter it keeps in a field, a name and data that the
    renderer's message carries (`ipcMain.on(uid, this.onMessage)` with `onMessage = (e, { ev, data
    }) => this.emitter.emit(ev, data)`) and that forwards its `on` to that emitter: its instances'
    `.on(name, fn)` register handlers of renderer data (``RELAYED``). (class -> the registration
    it stands for, the methods of an instance that register)."""
    out: Relays = {}
    for (path, idx), op in ops.items():
        if op.receiver != "ipcMain" or op.kind != "on" or op.handler_arg is None:
            continue
        f = project.files[path]
        call = f.calls[idx]
        handler = call.args[op.handler_arg] if op.handler_arg < len(call.args) else None
        if handler is None:
            continue
        cls = _enclosing_class(project, path, call.func)
        if cls is None:
            continue
        if isinstance(handler, Fn):
            ch_text = call.args[op.channel_arg].text if op.channel_arg < len(call.args) else None
            if any(isinstance(c.callee, Member) and c.callee.prop == "emit"  # (the listener's calls only)
                   and isinstance(c.callee.obj, This) and c.args and c.args[0].text == ch_text
                   for c in project.calls_in(path, handler.fid)):
                out[(path, cls)] = (op, RELAY_METHODS)
                continue
        target = project.function_of(path, handler, call.func)
        if target is not None and target[0] == path:
            methods = _payload_relay(project, path, target[1], cls)
            if methods:
                out[(path, cls)] = (IpcOp("on", RELAYED, "ipcMain", 0, 1), methods)
    return out


def _payload_relay(project: Project, path: str, fid: int, cls: str) -> frozenset[str]:
    """The registering methods of class ``cls`` when listener ``fid`` (of that class) emits a name
    and data from the renderer's message, not its event, on the instance or on an emitter in one
    of its fields; empty otherwise."""
    for c in project.calls_in(path, fid):
        callee = c.callee
        if type(callee) is not Member or callee.prop != "emit" or not c.args or type(c.args[0]) is not Ref:
            continue
        emitter = callee.obj
        if not (type(emitter) is This or type(emitter) is Member and type(emitter.obj) is This):
            continue
        named = project.param_of(path, c.func, c.args[0].name)
        if named is None or named[0] != fid or named[1].index < 1:
            continue  # (the name must come from the renderer's arguments)
        passed = [project.param_of(path, c.func, a.name) for a in c.args[1:] if type(a) is Ref]
        if any(p is not None and p[0] == fid and p[1].index == 0 for p in passed):
            continue  # the event goes along: not a payload relay
        if type(emitter) is Member:
            return _forwarding_methods(project, path, cls, emitter.prop)
        return RELAY_METHODS
    return frozenset()


def _forwarding_methods(project: Project, path: str, cls: str, field: str) -> frozenset[str]:
    """The methods of ``cls`` among ``RELAY_METHODS`` that register their listener on the emitter in
    ``this.<field>`` (`on = (ev, fn) => { this.emitter.on(ev, fn); return this }`)."""
    found = set()
    for fn in project.files[path].functions:
        if fn.name is None or "." not in fn.name:
            continue
        owner, method = fn.name.split(".", 1)
        if owner != cls or method not in RELAY_METHODS or len(fn.params) < 2:
            continue
        for c in project.calls_in(path, fn.id):
            callee = c.callee
            if type(callee) is Member and callee.prop in RELAY_METHODS and type(callee.obj) is Member \
                    and callee.obj.prop == field and type(callee.obj.obj) is This and len(c.args) >= 2 \
                    and [a.text for a in c.args[:2]] == [p.name for p in fn.params[:2]]:
                found.add(method)
    return frozenset(found)


def _enclosing_class(project: Project, path: str, fid: int | None) -> str | None:
    f = project.files[path]
    steps = 0
    while fid is not None and steps < 64:
        fn = f.functions[fid]
        if fn.kind == "method" and fn.name and "." in fn.name:
            return fn.name.split(".", 1)[0]
        fid = fn.parent
        steps += 1
    return None


def relay_target(project: Project, path: str, call: Call, relays: Relays) -> IpcOp | None:
    callee = call.callee
    if not relays or not isinstance(callee, Member) or callee.prop not in RELAY_METHODS:
        return None
    cls = _instance_class(project, path, callee.obj, call.func)
    if cls is None:
        return None
    hit = relays.get(cls)
    if hit is None or callee.prop not in hit[1]:
        return None
    return IpcOp("on", RELAYED if hit[0].method == RELAYED else callee.prop, "ipcMain", 0, 1)


def forwarded_function(project: Project, path: str, call: Call) -> tuple[str, int] | None:
    """The project function a call of a pass-through higher-order function runs with the call's own
    arguments: `safely(save)(file, text)` where `safely(fn)` returns `(...args) => fn(...args)`
    (an error or logging wrapper) runs `save(file, text)`. None for any other call."""
    callee = call.callee
    if type(callee) is not CallExpr:
        return None
    return made_forwarder(project, path, callee, call.func)


def applied_function(project: Project, path: str, call: Call) -> tuple[tuple[str, int], int] | None:
    """The project function a call of an applying function runs, and how many of the call's
    arguments come before the ones it is given: `enqueue(task, a, b)` where `enqueue(fn, ...args)`
    calls `fn(...args)` (at once, in a callback, after a queue's promise) runs `task(a, b)`, the
    arguments after `task` landing in its parameters from the first on. None for any other call."""
    outer = callee_function(project, path, call)
    if outer is None:
        return None
    k = _applied_param(project, *outer)
    if k is None or k >= len(call.args):
        return None
    target = project.function_of(path, call.args[k], call.func)
    return (target, k + 1) if target is not None else None


def _applied_param(project: Project, wpath: str, wfid: int) -> int | None:
    """The index of the parameter `fn` of a function declared `(fn, ...args)` (after any number of
    other parameters) that calls `fn(...args)` itself or in a function nested in it."""
    params = project.files[wpath].functions[wfid].params
    if len(params) < 2 or not params[-1].rest or params[-2].rest or params[-2].path or params[-1].path:
        return None
    fn, rest = params[-2], params[-1]
    for c in project.calls_under(wpath, wfid):
        if type(c.callee) is not Ref or c.callee.name != fn.name or len(c.args) != 1:
            continue
        a = c.args[0]
        if not (type(a) is Spread and type(a.inner) is Ref and a.inner.name == rest.name):
            continue
        own_fn = project.param_of(wpath, c.func, fn.name)
        own_rest = project.param_of(wpath, c.func, rest.name)
        if own_fn is not None and own_rest is not None and own_fn[0] == wfid and own_rest[0] == wfid:
            return fn.index
    return None


def made_forwarder(project: Project, path: str, made: CallExpr, scope: int | None) -> tuple[str, int] | None:
    """The function given to a pass-through higher-order function, when ``made`` is a call of one
    (`safely(save)`): what the result runs, with its own arguments unchanged."""
    if not made.args:
        return None
    outer = project.function_of(path, made.callee, scope)
    if outer is None:
        return None
    k = _forwarded_param(project, *outer)
    if k is None or k >= len(made.args):
        return None
    return project.function_of(path, made.args[k], scope)


def _forwarded_param(project: Project, wpath: str, wfid: int) -> int | None:
    """The index of the parameter `fn` of a function that returns `(...args) => fn(...args)` (or
    `(a, b) => fn(a, b)`), the returned function's parameters read nowhere else (no check of
    them around the call)."""
    for k, ifn, c in _calls_of_given(project, wpath, wfid):
        if not _forwards(ifn.params, c.args):
            continue
        own = {p.name for p in ifn.params}
        flow = project.flow(wpath, ifn.id)
        if flow is not None and sum(1 for o in flow.occs if o.name in own) > len(ifn.params):
            continue  # the parameters are read elsewhere too (checked, logged, changed)
        return k
    return None


def made_guard(project: Project, path: str, made: CallExpr,
               scope: int | None) -> tuple[tuple[str, int], tuple[str, int], bool] | None:
    """`checked(fn)`, `withSender(fn)`: a higher-order function that returns a listener `(event,
    ...args)` which may test the event (a sender check) and then calls ``fn`` with its other
    arguments (`fn(...args)`: the event dropped) or all of them (`fn(event, ...args)`), those read
    nowhere else. (the function given, the returned listener, whether it drops the event)."""
    if not made.args:
        return None
    outer = project.function_of(path, made.callee, scope)
    if outer is None:
        return None
    for k, ifn, c in _calls_of_given(project, *outer):
        params = ifn.params
        if len(params) < 2 or params[0].path or params[0].rest:
            continue
        if _forwards(params, c.args):
            drops = False
        elif _forwards(params[1:], c.args):
            drops = True
        else:
            continue
        rest = {p.name for p in params[1:]}
        flow = project.flow(outer[0], ifn.id)
        if flow is not None and sum(1 for o in flow.occs if o.name in rest) > len(rest):
            continue  # the renderer's arguments are read elsewhere too (checked, logged, changed)
        handler = project.function_of(path, made.args[k], scope) if k < len(made.args) else None
        return (handler, (outer[0], ifn.id), drops) if handler is not None else None
    return None


def _calls_of_given(project: Project, wpath: str, wfid: int) -> Iterator[tuple[int, Func, Call]]:
    """The calls, inside a function that ``wfid`` returns, of a function ``wfid`` takes as a
    parameter: (that parameter's index, the returned function, the call)."""
    wfn = project.files[wpath].functions[wfid]
    slots = {p.name: p.index for p in wfn.params if not p.path and not p.rest}
    if not slots:
        return
    for ret in wfn.returns:
        inner = project.function_of(wpath, ret, wfid)
        if inner is None or inner[0] != wpath:
            continue
        ifn = project.files[wpath].functions[inner[1]]
        for c in project.calls_under(wpath, inner[1]):
            if type(c.callee) is not Ref or c.callee.name not in slots:
                continue
            hit = project.param_of(wpath, c.func, c.callee.name)
            if hit is not None and hit[0] == wfid:
                yield slots[c.callee.name], ifn, c


def _forwards(params: tuple[Param, ...], args: tuple[AnyV, ...]) -> bool:
    """The arguments are the function's own parameters in order: `(...a) => fn(...a)`, `(x, y) => fn(x, y)`."""
    if not params or len(params) != len(args) or any(p.path for p in params):
        return False
    for p, a in zip(params, args, strict=True):
        if p.rest:
            if not (type(a) is Spread and type(a.inner) is Ref and a.inner.name == p.name):
                return False
        elif not (type(a) is Ref and a.name == p.name):
            return False
    return True

"""The linked project: facts of every file plus cross-file value resolution."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ipclint.link.modules import ELECTRON_MODULES, MAX_STEPS, ModuleResolver, Where
from ipclint.model import FileInfo, Role, Span
from ipclint.model.facts import Assign, Call, FileFacts, Func, Param
from ipclint.model.values import AnyV, Dyn, Electron, External, Fn, Global, Import, ModObj, Module, ParamRef

if TYPE_CHECKING:  # these modules import this one
    from ipclint.link.bridge import Exposure
    from ipclint.link.graph import ChannelGraph
    from ipclint.link.handlers import Handler
    from ipclint.link.ipcops import IpcOp
    from ipclint.link.wrappers import WrapperOp

GLOBAL_OBJECTS = frozenset({"window", "globalThis", "self"})

# (path, function id) -> the calls of it, and the calls that take it as argument (with the index)
CallersIndex = tuple[dict[tuple[str, int], list[tuple[str, Call]]], dict[tuple[str, int], list[tuple[str, Call, int]]]]


class LinkConfig(Protocol):
    """What linking reads of the configuration (``ipclint.config.Config``, a layer above link)."""

    @property
    def roles(self) -> Mapping[str, Sequence[str]]: ...  # role name -> path globs


@dataclass
class Memo:
    """What the analyses of one linked project remember, owned by that project (and gone with it)."""

    calls_by_span: dict[str, dict[Span, Call]] = field(default_factory=dict)
    handlers: list[Handler] | None = None
    callers: CallersIndex | None = None
    mentioned: dict[tuple[str, ...], set[str]] = field(default_factory=dict)


def _no_graph() -> ChannelGraph:
    from ipclint.link.graph import ChannelGraph  # graph.py imports this module
    return ChannelGraph()


@dataclass
class Project:
    root: Path
    files: dict[str, FileFacts]
    modules: ModuleResolver
    roles: dict[str, FileInfo] = field(default_factory=dict)
    electron_versions: dict[str, str | None] = field(default_factory=dict)  # path -> version
    apps: dict[str, str] = field(default_factory=dict)  # path -> folder of its electron app ("" = root or none)
    config: LinkConfig | None = None
    graph: ChannelGraph = field(default_factory=_no_graph)  # built by link()
    wrappers: dict[tuple[str, int], list[WrapperOp]] = field(default_factory=dict)
    ipc_ops: dict[tuple[str, int], IpcOp] = field(default_factory=dict)  # direct Electron IPC calls
    exposures: list[Exposure] = field(default_factory=list)
    sources: dict[str, bytes] = field(default_factory=dict, repr=False)
    _this_index: dict[str, dict[str, list[Assign]]] = field(default_factory=dict, repr=False)
    _param_busy: set[tuple[str, int, str]] = field(default_factory=set, repr=False)
    all_paths: set[str] = field(default_factory=set, repr=False)
    missing: set[str] = field(default_factory=set)  # discovered, not parsed, but resolution needed them
    # Once linking is done the project is frozen: what the rules resolve asks for nothing more.
    frozen: bool = False
    memo: Memo = field(default_factory=lambda: Memo(), repr=False)

    # ---- lookups -------------------------------------------------------------------------
    @contextmanager
    def no_missing(self) -> Iterator[None]:
        """Resolve without asking for unparsed modules (for questions whose answer could only be
        in files that are parsed anyway)."""
        before = set(self.missing)
        try:
            yield
        finally:
            self.missing = before

    def freeze(self) -> None:
        """Linking is done: from now on resolution records no missing modules."""
        self.frozen = True

    def _need(self, path: str) -> None:
        if not self.frozen:
            self.missing.add(path)

    def call_at(self, path: str, span: Span) -> Call | None:
        """The call of ``path`` at ``span`` (the flow analysis names calls by span)."""
        index = self.memo.calls_by_span.get(path)
        if index is None:
            index = self.memo.calls_by_span[path] = {c.span: c for c in self.files[path].calls}
        return index.get(span)

    def role(self, path: str) -> Role:
        info = self.roles.get(path)
        return info.role if info else Role.SHARED

    def func(self, path: str, fid: int | None) -> Func | None:
        if fid is None:
            return None
        f = self.files.get(path)
        return f.functions[fid] if f is not None and 0 <= fid < len(f.functions) else None

    def electron_version(self, path: str) -> str | None:
        return self.electron_versions.get(path)

    def same_app(self, a: str, b: str) -> bool:
        """Two files can talk over IPC: the same app of a monorepo (the nearest package.json that
        depends on electron), or either outside every app folder (shared code, the root app)."""
        x, y = self.apps.get(a, ""), self.apps.get(b, "")
        return x == y or not x or not y

    def param_of(self, path: str, scope: int | None, name: str) -> tuple[int, Param] | None:
        """The parameter named ``name`` visible from ``scope`` (innermost function first)."""
        f = self.files[path]
        steps = 0
        while scope is not None and steps < 256:
            if (scope, name) in f.bindings:
                return None
            fn = f.functions[scope]
            for p in fn.params:
                if p.name == name:
                    return scope, p
            scope = fn.parent
            steps += 1
        return None

    def iter_calls(self) -> Iterator[tuple[str, Call]]:
        for path in sorted(self.files):
            for c in self.files[path].calls:
                yield path, c

    # ---- value resolution ----------------------------------------------------------------
    def resolve(self, path: str, value: AnyV, scope: int | None = None, *, consts_only: bool = False) -> Where:
        """Follow references, imports, members and `Object.freeze` until a value that denotes
        itself. Electron APIs come out as ``V("electron", "ipcRenderer")`` (or ``"ipcRenderer.send"``
        for a method), namespaces of project modules as ``V("modobj", path)``. Mutable bindings stop
        the walk when ``consts_only`` (channel names must be constants)."""
        cur = Where(path, value, scope)
        pending: list[str] = []  # member names to apply, innermost last
        for _ in range(MAX_STEPS):
            v = cur.value
            k = v.kind
            nxt: Where | None = None
            if k == "ref":
                nxt = self._lookup_ref(cur, consts_only)
            elif k == "member":
                obj, prop = v.data
                pending.append(prop)
                nxt = Where(cur.path, obj, cur.scope)
            elif k == "import":
                nxt = self._import(cur.path, v)
            elif k == "module":
                nxt = self._module(cur.path, v)
            elif k == "call":
                callee, args = v.data
                if callee.kind == "member" and callee.data[1] == "freeze" and args \
                        and callee.data[0].kind == "ref" and callee.data[0].data == "Object":
                    nxt = Where(cur.path, args[0], cur.scope)
            elif k == "param":
                nxt = self._param_argument(cur)
            elif k == "this" and pending:
                nxt = self._this_field(cur, pending[-1])
                if nxt is not None:
                    pending.pop()
            elif k == "await":
                if v.data is not None and v.data.kind in ("module", "import"):
                    nxt = Where(cur.path, v.data, cur.scope)
            if nxt is None and pending:
                nxt = self.member(cur, pending.pop())
                if nxt is None:
                    pending.append("?")
                    return Where(cur.path, Dyn(span=v.span, text=v.text, why=".".join(reversed(pending))), cur.scope)
            if nxt is None:
                return cur
            cur = nxt
        return Where(cur.path, Dyn(span=value.span, text=value.text), cur.scope)

    def _lookup_ref(self, cur: Where, consts_only: bool) -> Where | None:
        f = self.files.get(cur.path)
        if f is None:
            return None
        name = cur.value.data
        scope = cur.scope
        steps = 0
        while steps < 256:
            v = f.bindings.get((scope, name))
            if v is not None:
                if consts_only and (scope, name) in f.mutable:
                    return Where(cur.path, Dyn(span=cur.value.span, text=name, why="mutable"), scope)
                if v is cur.value:
                    return None
                return Where(cur.path, v, scope)
            if scope is None:
                break
            fn = f.functions[scope]
            if any(p.name == name for p in fn.params):
                return Where(cur.path, ParamRef(span=cur.value.span, text=name, fid=scope, name=name), scope)
            scope = fn.parent
            steps += 1
        if name in GLOBAL_OBJECTS:
            return Where(cur.path, Global(span=cur.value.span, text=name, name=name), None)
        if name in ("__dirname", "__filename", "process", "require", "module", "exports"):
            return None
        return Where(cur.path, Global(span=cur.value.span, text=name, name=name), None)

    def _param_argument(self, cur: Where) -> Where | None:
        """A parameter that every call in the same file passes the same Electron object:
        `function setup(ipc) { ipc.handle(...) }` with `setup(ipcMain)`."""
        fid, name = cur.value.data
        f = self.files.get(cur.path)
        key = (cur.path, fid, name)
        if f is None or key in self._param_busy or len(self._param_busy) > 8:
            return None  # recursion (`function f(x) { f(x) }`) or a long chain: unknown
        self._param_busy.add(key)
        try:
            return self._param_argument_of(cur, f, fid, name)
        finally:
            self._param_busy.discard(key)

    def _param_argument_of(self, cur: Where, f: FileFacts, fid: int, name: str) -> Where | None:
        fn = f.functions[fid]
        param = next((p for p in fn.params if p.name == name and not p.path and not p.rest), None)
        if param is None or not fn.name:
            return None
        found: set[str] = set()
        arg_where = None
        for c in f.calls:
            if c.callee.kind != "ref" or c.callee.data != fn.name or param.index >= len(c.args):
                continue
            arg = c.args[param.index]
            if arg.kind not in ("ref", "member"):
                return None
            r = self.resolve(cur.path, arg, c.func)
            if r.value.kind != "electron":
                return None
            found.add(r.value.data)
            arg_where = r
        return arg_where if len(found) == 1 else None

    def _this_field(self, cur: Where, prop: str) -> Where | None:
        """`this.ipc` when the file assigns `this.ipc` (or declares the field) exactly one way."""
        f = self.files.get(cur.path)
        if f is None:
            return None
        index = self._this_index.get(cur.path)
        if index is None:
            index = {}
            for a in f.assigns:
                t = a.target
                if t.kind == "member" and t.data[0].kind == "this":
                    index.setdefault(t.data[1], []).append(a)
            self._this_index[cur.path] = index
        found = index.get(prop, [])
        values = {a.value.text for a in found if a.value.kind not in ("null", "undef")}
        if not values:
            method = self._own_method(cur.path, cur.scope, prop)
            return Where(cur.path, Fn(span=cur.value.span, text=f"this.{prop}", fid=method), None) \
                if method is not None else None
        if len(values) != 1:
            return None
        a = next(a for a in found if a.value.kind not in ("null", "undef"))
        return Where(cur.path, a.value, a.func)

    def _own_method(self, path: str, scope: int | None, prop: str) -> int | None:
        """`this.method` inside a class's methods: that class's method."""
        f = self.files[path]
        steps = 0
        while scope is not None and steps < 64:
            fn = f.functions[scope]
            if fn.name and "." in fn.name and fn.kind == "method" or (fn.name and "." in fn.name
                                                                       and fn.parent is None):
                cls = fn.name.split(".", 1)[0]
                return f.class_methods.get(cls, {}).get(prop)
            scope = fn.parent
            steps += 1
        return None

    def _import(self, path: str, v: Import) -> Where | None:
        src, name = v.data
        if src in ELECTRON_MODULES:
            return Where(path, Electron(span=v.span, text=v.text, api="*" if name in ("*", "default") else name))
        target = self.modules.resolve(path, src)
        if target is None or target not in self.files:
            if target is not None:
                self._need(target)
            return Where(path, External(span=v.span, text=v.text, src=src, name=name))
        return self._export(target, name, v)

    def _module(self, path: str, v: Module) -> Where | None:
        src = v.data
        if src in ELECTRON_MODULES:
            return Where(path, Electron(span=v.span, text=v.text, api="*"))
        target = self.modules.resolve(path, src)
        if target is None or target not in self.files:
            if target is not None:
                self._need(target)
            return Where(path, External(span=v.span, text=v.text, src=src, name="*"))
        exports = self.files[target].exports
        whole = exports.get("*")
        if whole is not None and whole.kind != "obj" and len(exports) == 1:  # `module.exports = CH` / a string
            return Where(target, whole, None)
        return Where(target, ModObj(span=v.span, text=v.text, path=target))

    def _export(self, target: str, name: str, v: AnyV, depth: int = 0) -> Where | None:
        f = self.files[target]
        if name == "*":
            return Where(target, ModObj(span=v.span, text=v.text, path=target))
        if name in f.exports:
            return Where(target, f.exports[name], None)
        if name == "default" and "*" in f.exports:
            return Where(target, f.exports["*"], None)
        whole = f.exports.get("*")
        if whole is not None and whole.kind != "obj" and depth < 8:  # `module.exports = CH`, then `.ONE`
            hit = self.member(self.resolve(target, whole, None), name)
            if hit is not None and hit.value.kind != "dyn":
                return hit
        if depth < 8:
            for src in f.star_exports:
                t2 = self.modules.resolve(target, src)
                if t2 and t2 not in self.files:
                    self._need(t2)
                if t2 and t2 in self.files and t2 != target:
                    hit = self._export(t2, name, v, depth + 1)
                    if hit is not None and hit.value.kind != "dyn":
                        return hit
        return Where(target, Dyn(span=v.span, text=v.text, why=f"no export {name}"))

    def member(self, cur: Where, prop: str) -> Where | None:
        v = cur.value
        k = v.kind
        if k == "electron":
            base = v.data
            return Where(cur.path, Electron(span=v.span, text=v.text, api=prop if base == "*" else f"{base}.{prop}"))
        if k == "obj":
            for p in reversed(v.data):
                if p.key == prop and not p.spread:
                    return Where(cur.path, p.value, cur.scope)
            for p in reversed(v.data):
                if p.spread and p.value is not None and p.value.kind == "spread" and p.value.data is not None:
                    inner = self.resolve(cur.path, p.value.data, cur.scope)
                    hit = self.member(inner, prop)
                    if hit is not None and hit.value.kind != "dyn":
                        return hit
            return None
        if k == "modobj":
            return self._export(v.data, prop, v)
        if k == "global" and v.data in GLOBAL_OBJECTS:
            return Where(cur.path, Global(span=v.span, text=prop, name=prop), None)
        if k == "external":
            src, name = v.data
            full = prop if name in ("*", "default") else f"{name}.{prop}"
            return Where(cur.path, External(span=v.span, text=v.text, src=src, name=full))
        return None

    # ---- derived questions ---------------------------------------------------------------
    def electron_api(self, path: str, value: AnyV, scope: int | None = None) -> str | None:
        r = self.resolve(path, value, scope).value
        return r.data if r.kind == "electron" else None

    def channel(self, path: str, value: AnyV, scope: int | None = None, _depth: int = 0) -> str | None:
        """The string a channel expression always has, or None when it is dynamic."""
        if _depth > 16:
            return None
        r = self.resolve(path, value, scope, consts_only=True)
        v = r.value
        if v.kind == "str":
            return v.data
        if v.kind == "tpl":
            out = []
            for part in v.data:
                if isinstance(part, str):
                    out.append(part)
                    continue
                s = self.channel(r.path, part, r.scope, _depth + 1)
                if s is None:
                    return None
                out.append(s)
            return "".join(out)
        if v.kind == "concat":
            a = self.channel(r.path, v.data[0], r.scope, _depth + 1)
            b = self.channel(r.path, v.data[1], r.scope, _depth + 1) if a is not None else None
            return a + b if a is not None and b is not None else None
        if v.kind == "num":
            return v.data
        return None

    def channel_values(self, path: str, value: AnyV, scope: int | None = None) -> list[str] | None:
        """Every value a channel expression takes: one for a constant, each element for the
        variable of a loop (`for (const ch of LIST)`, `LIST.forEach((ch) => ...)`) over a constant
        array or `Object.values/keys` of a constant object; None when dynamic."""
        single = self.channel(path, value, scope)
        if single is not None:
            return [single]
        r = self.resolve(path, value, scope)
        v = r.value
        source: AnyV | None = None
        how = "of"
        if v.kind == "iter":
            source, how = v.data
        elif v.kind == "param":
            fid, name = v.data
            fn = self.func(r.path, fid)
            if fn is not None and fn.arg_of is not None and fn.params and fn.params[0].name == name \
                    and not fn.params[0].path:
                call = self.files[r.path].calls[fn.arg_of]
                if call.callee.kind == "member" and call.callee.data[1] in ("forEach", "map", "flatMap"):
                    source = call.callee.data[0]
        if source is None:
            return None
        return self._elements(r.path, source, r.scope, how)

    def _elements(self, path: str, source: AnyV, scope: int | None, how: str) -> list[str] | None:
        r = self.resolve(path, source, scope)
        v = r.value
        if v.kind == "call" and v.data[0].kind == "member" and v.data[0].data[0].kind == "ref" \
                and v.data[0].data[0].data == "Object" and v.data[1]:
            how = {"values": "of", "keys": "in"}.get(v.data[0].data[1], "")
            r = self.resolve(r.path, v.data[1][0], r.scope)
            v = r.value
        out: list[str] = []
        if v.kind == "arr" and how == "of":
            for item in v.data:
                s = self.channel(r.path, item, r.scope)
                if s is None:
                    return None
                out.append(s)
        elif v.kind == "obj":
            for p in v.data:
                if p.spread or p.key is None:
                    return None
                s = p.key if how == "in" else self.channel(r.path, p.value, r.scope)
                if s is None:
                    return None
                out.append(s)
        else:
            return None
        return out or None

    def function_of(self, path: str, value: AnyV, scope: int | None = None) -> tuple[str, int] | None:
        """The (path, function id) a value denotes, through references, imports, `.bind`."""
        for _ in range(8):
            r = self.resolve(path, value, scope)
            v = r.value
            if v.kind == "fn":
                return r.path, v.data
            if v.kind != "call":
                return None
            callee, _ = v.data
            if callee.kind != "member" or callee.data[1] != "bind":
                return None
            path, value, scope = r.path, callee.data[0], r.scope
        return None

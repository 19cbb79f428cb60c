"""Whole files and unbounded response bodies as IPC payloads (IPC020): whether a value is the result
of `fs.readFile`/`readFileSync`/`promises.readFile` (or a Buffer, ArrayBuffer, typed array or Blob
made from it, or its text), or a fetch/net response's `arrayBuffer()`/`buffer()`, followed through
locals, object and array literals, the data parameter of a `fs.readFile` callback and the return
values of project functions; and whether a size check against a constant bounds it first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ipclint.link.project import Project
from ipclint.link.vutil import callee_name, walk
from ipclint.model import Span
from ipclint.model.facts import Call, Exit
from ipclint.model.values import (
    AnyV,
    Arr,
    Await,
    CallExpr,
    ClassV,
    Cmp,
    Concat,
    Cond,
    Dyn,
    External,
    Global,
    Logic,
    Member,
    NewExpr,
    Num,
    Obj,
    ParamRef,
    Ref,
    Spread,
    Str,
    Tpl,
    Undef,
)

FS_MODULES = frozenset({"fs", "fs/promises", "fs-extra", "graceful-fs", "original-fs", "original-fs/promises"})
READERS = frozenset({"readFile", "readFileSync", "promises.readFile"})
# Containers of a file's bytes: `new Uint8Array(buf)`, `Buffer.from(buf)`, `new Blob([buf])`.
BYTE_TYPES = frozenset({"Uint8Array", "Int8Array", "Uint8ClampedArray", "Uint16Array", "Int16Array", "Uint32Array",
                        "Int32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "DataView",
                        "Blob", "File", "Buffer"})
# Config and small text files: read whole when a constant names them, they are not a payload problem.
CONFIG_NAME = re.compile(r"\.(json5?|jsonc|conf|cfg|config|ini|ya?ml|toml|txt|md|env|properties|plist|xml|css)$"
                         r"|^\.[\w.-]*rc$|^\.env(\.[\w-]+)?$|^[\w.-]*rc$", re.I)
SIZE_PROPS = frozenset({"size", "length", "byteLength"})
SIZE_NAME = re.compile(r"size|bytes", re.I)
_PRODUCT = re.compile(r"\s*\d[\d_]*(\.\d+)?(\s*\*\s*\d[\d_]*(\.\d+)?)+\s*")  # a product of number literals
BOUND_NAME = re.compile(r"max|limit|threshold|bytes|size|cap", re.I)
RELATIONS = frozenset({"<", ">", "<=", ">="})
MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Whole:
    """What makes a value a whole file, in words: "a whole file (fs.readFile)"."""

    what: str


class FileData:
    """Judges payloads of one project; memoises the return values of project functions."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._returns: dict[tuple[str, int], Whole | None] = {}
        self._exits: dict[str, dict[int | None, list[Exit]]] = {}
        # path -> variable -> its plain assignments (value, enclosing function), in file order
        self._assigns: dict[str, dict[str, list[tuple[AnyV, int | None]]]] = {}

    def whole(self, path: str, v: AnyV, scope: int | None, depth: int = 0) -> Whole | None:
        """Whether ``v`` carries a whole file or an unbounded response body."""
        if depth > MAX_DEPTH:
            return None
        nxt = depth + 1
        match v:
            case Await(inner=inner) | Spread(inner=inner) if inner is not None:
                return self.whole(path, inner, scope, nxt)
            case Obj(props=props):
                return self._first(path, [p.value for p in props], scope, nxt)
            case Arr(items=items):
                return self._first(path, list(items), scope, nxt)
            case Cond(alts=alts):
                return self._first(path, list(alts), scope, nxt)
            case Tpl(parts=parts):  # `data:image/png;base64,${buf.toString('base64')}`
                return self._first(path, [x for x in parts if not isinstance(x, str)], scope, nxt)
            case Concat(left=left, right=right):
                return self._first(path, [left, right], scope, nxt)
            case Logic(op=op, left=left, right=right):
                return self._first(path, [right] if op == "&&" else [left, right], scope, nxt)
            case CallExpr():
                return self._call(path, v, scope, nxt)
            case NewExpr(callee=callee, args=args) if args and callee_name(callee) in BYTE_TYPES:
                return self.whole(path, args[0], scope, nxt)
            case Member(obj=obj, prop="buffer"):  # the ArrayBuffer under a Buffer or a typed array
                return self.whole(path, obj, scope, nxt)
            case Member() | Ref():
                r = self.project.resolve(path, v, scope)
                if isinstance(r.value, ParamRef):
                    return self._callback_data(r.path, r.value, nxt)
                if isinstance(v, Ref) and isinstance(r.value, (Global, Undef)):  # `let x; ... x = read()`
                    for value, at in self._assigned(path, v.name):
                        hit = self.whole(path, value, at, nxt)
                        if hit is not None:
                            return hit
                    return None
                if r.value is v or isinstance(r.value, (Ref, Member)):
                    return None
                return self.whole(r.path, r.value, r.scope, nxt)
        return None

    def _first(self, path: str, values: list[AnyV], scope: int | None, depth: int) -> Whole | None:
        for x in values:
            hit = self.whole(path, x, scope, depth)
            if hit is not None:
                return hit
        return None

    def _call(self, path: str, v: CallExpr, scope: int | None, depth: int) -> Whole | None:
        callee = v.callee
        r = self.project.resolve(path, callee, scope).value
        if isinstance(r, External) and _fs(r.src) and r.name in READERS:
            if v.args and self.names_config(path, v.args[0], scope):
                return None
            return Whole(f"a whole file (fs.{r.name.rsplit('.', 1)[-1]})")
        if isinstance(callee, Member):
            prop = callee.prop
            if prop == "arrayBuffer" and not v.args:
                return Whole("a whole body (arrayBuffer())")
            if prop == "buffer" and not v.args:
                return Whole("a whole body (buffer())")
            if prop in ("slice", "subarray"):
                if v.args and all(isinstance(a, Num) for a in v.args):
                    return None  # a fixed number of bytes
                return self.whole(path, callee.obj, scope, depth)
            if prop in ("toString", "toJSON"):
                return self.whole(path, callee.obj, scope, depth)
            if prop in ("from", "concat") and callee_name(callee.obj) in BYTE_TYPES and v.args:
                return self.whole(path, v.args[0], scope, depth)
        target = self.project.function_of(path, callee, scope) or self._method(path, callee, scope)
        if target is None:
            return None
        if target not in self._returns:
            self._returns[target] = None  # recursion: nothing known yet
            fn = self.project.files[target[0]].functions[target[1]]
            # (a return that an earlier size check of the function bounds is not a whole file)
            returns = [r for r in fn.returns if not self.size_checked(target[0], target[1], r.span)]
            self._returns[target] = self._first(target[0], returns, target[1], depth)
        return self._returns[target]

    def _assigned(self, path: str, name: str) -> list[tuple[AnyV, int | None]]:
        """The values assigned to a variable declared without one (`let types; types = read()`),
        with the function each assignment is in (indexed once per file: not a pass over every
        assignment of the file for each name asked about)."""
        index = self._assigns.get(path)
        if index is None:
            index = self._assigns[path] = {}
            for a in self.project.files[path].assigns:
                if isinstance(a.target, Ref) and a.op == "=":
                    index.setdefault(a.target.name, []).append((a.value, a.func))
        return index.get(name, [])[:8]

    def _method(self, path: str, callee: AnyV, scope: int | None) -> tuple[str, int] | None:
        """`types.get()` where `types` was assigned `new Types()` of a project class."""
        if not isinstance(callee, Member) or not isinstance(callee.obj, Ref):
            return None
        made = self.project.resolve(path, callee.obj, scope)
        values = [made.value] if isinstance(made.value, NewExpr) else \
            [v for v, _ in self._assigned(path, callee.obj.name)] if isinstance(made.value, (Global, Undef)) else []
        for v in values:
            if isinstance(v, NewExpr):
                cls = self.project.resolve(path, v.callee, scope)
                if isinstance(cls.value, ClassV) and cls.value.name is not None and cls.path in self.project.files:
                    fid = self.project.files[cls.path].class_methods.get(cls.value.name, {}).get(callee.prop)
                    if fid is not None:
                        return cls.path, fid
        return None

    def _callback_data(self, path: str, p: ParamRef, depth: int = 0) -> Whole | None:
        """`fs.readFile(file, (err, data) => ...)`, `readFile(file).then((data) => ...)`: ``data``
        is the whole file."""
        f = self.project.files[path]
        fn = f.functions[p.fid]
        param = next((x for x in fn.params if x.name == p.name), None)
        if fn.arg_of is None or param is None or param.path:
            return None
        outer = f.calls[fn.arg_of]
        if isinstance(outer.callee, Member) and outer.callee.prop == "then" and param.index == 0 \
                and fn.arg_index == 0:
            return self.whole(path, outer.callee.obj, outer.func, depth + 1)
        if param.index != 1:
            return None
        r = self.project.resolve(path, outer.callee, outer.func).value
        if not isinstance(r, External) or not _fs(r.src) or r.name not in ("readFile", "promises.readFile"):
            return None
        if outer.args and self.names_config(path, outer.args[0], outer.func):
            return None
        return Whole("a whole file (fs.readFile)")

    def names_config(self, path: str, arg: AnyV, scope: int | None) -> bool:
        """A JSON or text config file named by a constant (`path.join(app.getPath('userData'),
        'settings.json')`): its last part is a literal name."""
        r = self.project.resolve(path, arg, scope)
        v = r.value
        for _ in range(8):
            if isinstance(v, CallExpr) and callee_name(v.callee) in ("join", "resolve") and v.args:
                r = self.project.resolve(r.path, v.args[-1], r.scope)
                v = r.value
                continue
            break
        if isinstance(v, Str):
            name = v.value
        elif isinstance(v, (Tpl, Concat)):
            name = self.project.channel(r.path, v, r.scope) or _literal_tail(v)
        else:
            return False
        base = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        return bool(base) and CONFIG_NAME.search(base) is not None

    # ---- size checks ------------------------------------------------------------------------
    def size_checked(self, path: str, scope: int | None, at: Span, conds: tuple[AnyV, ...] = ()) -> bool:
        """A comparison of a size or length with a bound decides whether the payload goes out:
        around the send, or in an earlier `if (...) return/throw` of the enclosing functions."""
        if any(_size_test(c) for c in conds):
            return True
        f = self.project.files[path]
        exits = self._exits.get(path)
        if exits is None:
            exits = self._exits[path] = {}
            for e in f.exits:
                exits.setdefault(e.func, []).append(e)
        for _ in range(64):
            for e in exits.get(scope, ()):
                if (e.span.end_line, e.span.end_column) <= (at.line, at.column) and _size_test(e.cond):
                    return True
            if scope is None:
                return False
            scope = f.functions[scope].parent
        return False


def payload_args(call: Call, channel_arg: int, method: str) -> tuple[AnyV, ...]:
    """The arguments of an IPC call that travel as its payload (not a postMessage transfer list)."""
    payload = call.args[channel_arg + 1:]
    return payload[:1] if method == "postMessage" else payload


def _literal_tail(v: Tpl | Concat) -> str:
    """`${DIR}/rules.yaml`, `dir + '/rules.yaml'`: the file name when a literal ends the path with it."""
    last: str | AnyV | None = None
    if isinstance(v, Tpl):
        last = v.parts[-1] if v.parts else None
    else:
        last = v.right
    text = last if isinstance(last, str) else last.value if isinstance(last, Str) else ""
    return text if "/" in text or "\\" in text else ""


def _fs(src: str) -> bool:
    return src.removeprefix("node:") in FS_MODULES


def _size_test(cond: AnyV) -> bool:
    """`size > MAX_BYTES`, `data.byteLength > 64 * 1024`: a size against a bound (not `args.length < 2`)."""
    for x in walk(cond):
        if isinstance(x, Cmp) and x.op in RELATIONS and (
                (_sized(x.left) and _bound(x.right)) or (_sized(x.right) and _bound(x.left))):
            return True
    return False


def _sized(v: AnyV) -> bool:
    for x in walk(v, into_calls=True):
        if isinstance(x, Member) and x.prop in SIZE_PROPS:
            return True
        if isinstance(x, Ref) and SIZE_NAME.search(x.name):
            return True
    return False


def _bound(v: AnyV) -> bool:
    """A constant limit: a number of at least a kilobyte, or a name that says it is one."""
    if isinstance(v, Num):
        try:
            return float(v.value.replace("_", "")) >= 1024
        except ValueError:
            return False
    if isinstance(v, Dyn) and v.why == "*" and _PRODUCT.fullmatch(v.text):  # `64 * 1024`
        product = 1.0
        for n in v.text.replace("_", "").split("*"):
            product *= float(n)
        return product >= 1024
    name = v.prop if isinstance(v, Member) else v.name if isinstance(v, Ref) else None
    if name is None:
        return any(_bound(x) for x in v.children())
    return bool(BOUND_NAME.search(name)) or (name.isupper() and len(name) > 1)

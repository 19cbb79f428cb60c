"""The preload bridge: what each exposed key is, and how renderer calls reach it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ipclint.link.modules import Where
from ipclint.link.project import GLOBAL_OBJECTS, Project
from ipclint.model import Span
from ipclint.model.facts import Call
from ipclint.model.values import External, V

TOOLKIT = "@electron-toolkit/preload"
MAX_MEMBER_DEPTH = 6
DOM_HANDLER = re.compile(r"^on[a-z]+$")
EXPOSE_NAMES = frozenset({"exposeInMainWorld", "exposeInIsolatedWorld", "exposeElectronAPI"})


@dataclass(frozen=True, slots=True)
class Exposure:
    """One `contextBridge.exposeInMainWorld(key, value)` (mode "bridge"), `exposeElectronAPI()`
    (mode "toolkit") or `window.key = value` in a preload (mode "window")."""

    key: str
    path: str
    span: Span  # the exposing call or assignment
    value: Where
    mode: str = "bridge"


@dataclass(frozen=True, slots=True)
class ExposedMember:
    """A leaf of an exposed value: ``keypath`` from the exposed key, its resolved value, and the
    span of the property that exposes it (the exposing call when the whole value is the leaf)."""

    exposure: Exposure
    keypath: tuple[str, ...]
    value: Where
    span: Span
    spread: bool = False
    at: str = ""  # the file that holds ``span`` (an object imported into the preload lives elsewhere)
    raw: V | None = None  # the property's value as written, before resolution

    @property
    def where(self) -> tuple[str, Span]:
        """Where a finding about this member goes: its property, or the exposing call for a whole value."""
        if not self.keypath and not self.spread:
            return self.exposure.path, self.exposure.span
        return self.at or self.exposure.path, self.span


def find_exposures(project: Project) -> list[Exposure]:
    out: list[Exposure] = []
    for path, call in project.iter_calls():
        name = call.callee.data[1] if call.callee.kind == "member" else call.callee.data \
            if call.callee.kind == "ref" else None
        if name not in EXPOSE_NAMES:
            continue
        api = project.electron_api(path, call.callee, call.func)
        if api in ("contextBridge.exposeInMainWorld", "contextBridge.exposeInIsolatedWorld"):
            args = call.args[1:] if api.endswith("IsolatedWorld") else call.args
            if len(args) < 2:
                continue
            key = project.channel(path, args[0], call.func)
            if key is None:
                continue
            out.append(Exposure(key, path, call.span, project.resolve(path, args[1], call.func)))
        elif _is_toolkit(project, path, call, "exposeElectronAPI"):
            out.append(Exposure("electron", path, call.span,
                                Where(path, External(span=call.span, src=TOOLKIT, name="electronAPI")), "toolkit"))
    for path in sorted(project.files):
        f = project.files[path]
        if project.role(path).value != "preload":
            continue
        for call in f.calls:  # `Object.assign(window, { ipcRenderer })`
            if call.callee.kind == "member" and call.callee.data[1] == "assign" and len(call.args) > 1 \
                    and call.callee.data[0].kind == "ref" and call.callee.data[0].data == "Object" \
                    and call.args[0].kind == "ref" and call.args[0].data in GLOBAL_OBJECTS:
                for a in call.args[1:]:
                    r = project.resolve(path, a, call.func)
                    if r.value.kind == "obj":
                        out.extend(Exposure(p.key, path, p.span, project.resolve(r.path, p.value, r.scope), "window")
                                   for p in r.value.data if p.key and not p.spread)
        for a in f.assigns:
            t = a.target
            if t.kind == "member" and t.data[0].kind == "ref" and t.data[0].data in GLOBAL_OBJECTS \
                    and not DOM_HANDLER.match(t.data[1]):  # `window.onload = ...` exposes nothing
                out.append(Exposure(t.data[1], path, a.span, project.resolve(path, a.value, a.func), "window"))
    return out


def _is_toolkit(project: Project, path: str, call: Call, name: str) -> bool:
    r = project.resolve(path, call.callee, call.func).value
    return r.kind == "external" and r.data == (TOOLKIT, name)


def exposed_members(project: Project, exposure: Exposure) -> list[ExposedMember]:
    """Flatten an exposed value into leaves, following local objects and spreads, iteratively."""
    out: list[ExposedMember] = []
    stack: list[tuple[Where, tuple[str, ...], Span, str, int, V | None]] = [
        (exposure.value, (), exposure.span, exposure.path, 0, None)]
    while stack:
        where, keypath, span, at, depth, raw = stack.pop()
        v = where.value
        if v.kind == "modobj" and depth < MAX_MEMBER_DEPTH:  # `import * as files` exposed or spread
            f = project.files.get(v.data)
            whole = f.exports.get("*") if f else None
            if whole is not None and whole.kind == "obj":  # `module.exports = { ... }`: its properties
                stack.append((project.resolve(v.data, whole, None), keypath, span, v.data, depth + 1, None))
                continue
            for name in sorted(f.exports if f else ()):
                if name not in ("*", "default"):
                    ex = f.exports[name]
                    r = project.resolve(v.data, ex, None)
                    own = getattr(ex, "span", None)
                    stack.append((r, keypath + (name,), own or span, v.data if own else at, depth + 1, ex))
            continue
        if v.kind == "obj" and depth < MAX_MEMBER_DEPTH:
            for p in reversed(v.data):
                if p.spread:
                    inner = p.value.data if p.value.kind == "spread" else None
                    if inner is None:
                        continue
                    r = project.resolve(where.path, inner, where.scope)
                    if r.value.kind in ("obj", "modobj"):
                        stack.append((r, keypath, p.span, where.path, depth + 1, None))
                    else:
                        out.append(ExposedMember(exposure, keypath, r, p.span, True, where.path))
                    continue
                key = p.key if p.key is not None else "?"
                r = project.resolve(where.path, p.value, where.scope)
                stack.append((r, keypath + (key,), p.span, where.path, depth + 1, p.value))
            continue
        if v.kind == "call" and depth < MAX_MEMBER_DEPTH:  # `exposeInMainWorld('api', createApi())`
            made = _made_object(project, where)
            if made is not None:
                stack.append((made, keypath, span, at, depth + 1, None))
                continue
        out.append(ExposedMember(exposure, keypath, where, span, False, at, raw))
    out.sort(key=lambda m: (m.at != exposure.path, m.at, m.span.line, m.span.column, m.keypath))
    return out


def bridge_target(project: Project, path: str, call: Call, exposures: dict[str, list[Exposure]]
                  ) -> tuple[Exposure, tuple[str, ...], Where] | None:
    """For a call like `window.api.file.save(x)` (or `api.save(x)` on the bare global, or through
    a local alias of `window.api`), the exposure it reaches and the resolved exposed value."""
    chain: list[str] = []
    v = call.callee
    f = project.files[path]
    for _hop in range(4):
        while v.kind == "member" and len(chain) < MAX_MEMBER_DEPTH + 2:
            chain.append(v.data[1])
            v = v.data[0]
        if v.kind != "ref" or project.param_of(path, call.func, v.data) is not None:
            break
        bound = _binding(f, call.func, v.data)  # `const { onTick } = window.api`, `const t = window.api.onTick`
        if bound is None or bound.kind != "member":
            break
        v = bound
    chain.reverse()
    root = project.resolve(path, v, call.func) if v.kind == "ref" else None
    if root is None or root.value.kind != "global":
        return None
    name = root.value.data
    if name in GLOBAL_OBJECTS:
        if not chain:
            return None
        name, chain = chain[0], chain[1:]
    cands = exposures.get(name)
    if not cands:
        return None
    for exp in cands:
        cur = exp.value
        ok = True
        for prop in chain:
            nxt = project.member(cur, prop)
            if nxt is None:
                ok = False
                break
            cur = project.resolve(nxt.path, nxt.value, nxt.scope)
        if ok:
            return exp, tuple(chain), cur
    return None


def _binding(f, scope, name: str):
    """The value a local name is bound to, looking outward from ``scope``."""
    for _ in range(64):
        v = f.bindings.get((scope, name))
        if v is not None or scope is None:
            return v
        scope = f.functions[scope].parent
    return None


def _made_object(project: Project, where: Where) -> Where | None:
    """The object literal a project factory function returns, for a call of it."""
    target = project.function_of(where.path, where.value.data[0], where.scope)
    if target is None:
        return None
    path, fid = target
    for ret in project.files[path].functions[fid].returns:
        r = project.resolve(path, ret, fid)
        if r.value.kind == "obj":
            return r
    return None

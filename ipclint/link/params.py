"""Where a parameter's Electron object comes from when its function is exported: the calls of the
files that import it (`registerIpc(ipcMain)` in main.ts, `export function registerIpc(ipc:
IpcMain)` in ipc.ts), and its TypeScript annotation when no call is known (``Project._param_argument``)."""
from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.project import Project
from ipclint.link.roles import importers, loop_requires
from ipclint.model.facts import Call
from ipclint.model.values import AnyV, CallExpr, ClassV, Dyn, Fn, Import, Index, Member, Module, Obj, Ref


def importer_calls(project: Project, path: str, fid: int) -> Iterator[tuple[str, Call]]:
    """The calls of exported function ``fid`` of ``path`` made by the parsed non-test files that
    import it (by an imported name, `ns.name(...)` on its module, or a required module that is
    the function), importer by importer: a caller that stops at the first call that settles its
    question neither resolves the later importers' calls nor watches them. An importer that is
    not parsed is watched (``Project.watch``): the answer holds until it is parsed. A module that
    re-exports the function (a package's index: `export { f } from './ipc'`, `export * from`) is
    followed to its own importers, up to ``MAX_REEXPORTS`` modules deep."""
    names = exported_functions(project, path).get(fid)
    if not names:
        return
    of = project.memo.importers
    if of is None:  # (once a round: the import graph does not change while a round links)
        of = project.memo.importers = importers(project)
    todo = [(path, names, 0)]
    seen = {path}
    while todo:
        module, exported, depth = todo.pop(0)
        for imp in sorted(of.get(module, ())):
            if imp not in project.files:
                project.watch(imp)
                continue
            again = _reexported(project, imp, module, exported) if depth < MAX_REEXPORTS else frozenset()
            if again and imp not in seen:
                seen.add(imp)
                todo.append((imp, again, depth + 1))
            local = names_importing(project, imp).get(module)
            if not local:
                continue
            for c in project.calls_named(imp, local | exported):
                root = c.callee
                if type(root) is Member:
                    root = root.obj
                if type(root) is Ref and root.name in local \
                        and project.function_of(imp, c.callee, c.func) == (path, fid):
                    yield imp, c


MAX_REEXPORTS = 4


def method_calls(project: Project, path: str, fid: int, *, importers_too: bool = True) -> Iterator[tuple[str, Call]]:
    """The calls of method ``fid`` (`C.m`) of ``path``: for a class's constructor the `new C(...)`
    that make its instances (`new Service(ipcMain)` where `constructor(ipc) { this.ipc = ipc }`,
    also `new TABLE[key](...)` with the class in the table: ``_picked_news``) and the `super(...)`
    calls of its subclasses' constructors (``_super_calls``),
    for another method the calls whose callee denotes it (`tray.init(config, ipcRenderer)` on the
    instance a module exports, `this.init(...)`); in its own file, then (``importers_too``) in the
    parsed non-test files that import it, watching those not parsed (``importer_calls``)."""
    f = project.files[path]
    fn = f.functions[fid]
    cls, _, method = (fn.name or "").rpartition(".")
    if not cls or not method:
        return
    making = method == "constructor"
    callers = [path]
    if importers_too:
        of = project.memo.importers
        if of is None:
            of = project.memo.importers = importers(project)
        for imp in sorted(of.get(path, ())):
            if imp in project.files:
                callers.append(imp)
            else:
                project.watch(imp)
    for caller in callers:
        names = {cls} if making else {method}
        if making and caller != path:
            names |= names_importing(project, caller).get(path, frozenset())
        if making:
            yield from _super_calls(project, caller, names, path, cls)
            yield from _picked_news(project, caller, path, cls)
        for c in project.calls_named(caller, names):
            if making:
                if not c.new:
                    continue
                r = project.resolve(caller, c.callee, c.func)
                if type(r.value) is ClassV and r.value.name == cls and r.path == path:
                    yield caller, c
            elif type(c.callee) is Member and (project.function_of(caller, c.callee, c.func) == (path, fid)
                                               or _loop_loaded(project, caller, c, path, fid)):
                yield caller, c


def _super_calls(project: Project, caller: str, names: set[str] | frozenset[str], path: str,
                 cls: str) -> Iterator[tuple[str, Call]]:
    """The `super(...)` calls in the constructors of the classes of ``caller`` that extend class
    ``cls`` of ``path`` (named there by one of ``names``): `class Ethereum extends Integrations {
    constructor(m) { super(m) } }` calls the constructor of Integrations with `m`."""
    f = project.files[caller]
    for sub, base in sorted(f.class_bases.items()):
        ctor = f.class_methods.get(sub, {}).get("constructor")
        if base not in names or ctor is None:
            continue
        r = project.resolve(caller, Ref(span=f.functions[ctor].span, text=base, name=base), None)
        if type(r.value) is not ClassV or r.value.name != cls or r.path != path:
            continue
        for c in project.calls_in(caller, ctor):
            if type(c.callee) is Dyn and c.callee.why == "super":
                yield caller, c


def _picked_news(project: Project, caller: str, path: str, cls: str) -> Iterator[tuple[str, Call]]:
    """The `new TABLE[key](...)` calls of ``caller`` whose table is an object literal with class
    ``cls`` of ``path`` among its values (`this.integrations = { ethereum, filecoin }`, then
    `new integrations[flavor](this, workspace)`): each class of the table is made with those
    arguments."""
    picked = project.file_memo.new_picked.get(caller)
    if picked is None:
        picked = project.file_memo.new_picked[caller] = [
            c for c in project.files[caller].calls if c.new and type(c.callee) is Index]
    for c in picked:
        assert type(c.callee) is Index
        table = project.resolve(caller, c.callee.obj, c.func)
        if type(table.value) is not Obj:
            continue
        for p in table.value.props[:MAX_PICKED]:
            if p.spread:
                continue
            r = project.resolve(table.path, p.value, table.scope)
            if type(r.value) is ClassV and r.value.name == cls and r.path == path:
                yield caller, c
                break


MAX_PICKED = 32  # entries of a table of classes ``_picked_news`` looks at


def _loop_loaded(project: Project, caller: str, c: Call, path: str, fid: int) -> bool:
    """`m.init(config, ipcRenderer)` with `const m = require(tool.path)` in a loop over a table of
    modules (`for (const tool of TOOLS)`: ``roles.loop_requires``): a call of method ``fid`` when one
    of the table's modules is ``path`` and its export's member of that name is the method."""
    requires = loop_requires(project, caller)
    if not requires or type(c.callee) is not Member:
        return False
    r = project.resolve(caller, c.callee.obj, c.func)
    if type(r.value) is not CallExpr or r.path != caller:
        return False
    for call, specs in requires:
        if call.span != r.value.span:
            continue
        for spec in specs:
            if project.modules.resolve(caller, spec) == path:
                each = Member(span=c.callee.span, text=c.callee.text, prop=c.callee.prop,
                              obj=Module(span=call.span, text=f"require('{spec}')", src=spec))
                if project.function_of(caller, each, c.func) == (path, fid):
                    return True
    return False


def _reexported(project: Project, imp: str, module: str, names: frozenset[str]) -> frozenset[str]:
    """The names by which ``imp`` re-exports what ``module`` exports by ``names``: `export { f }
    from`, `export { f as g } from`, and every name but the default through `export * from`."""
    f = project.files[imp]
    out = {name for name, v in f.exports.items()
           if type(v) is Import and v.name in names and project.modules.resolve(imp, v.src) == module}
    if any(project.modules.resolve(imp, s) == module for s in f.star_exports):
        out |= names - {"default", "*"}
    return frozenset(out)


def exported_functions(project: Project, path: str) -> dict[int, frozenset[str]]:
    """Function id -> the names a file exports it by (`export function f`, `exports.f = function`,
    `module.exports = { f }`, `export default f`; "*" for `module.exports = function`), once a run."""
    memo = project.file_memo.exported_fns
    hit = memo.get(path)
    if hit is not None:
        return hit
    f = project.files[path]
    found: dict[int, set[str]] = {}
    for name, v in f.exports.items():
        values = [p.value for p in v.props if not p.spread] if name == "*" and type(v) is Obj else [v]
        for x in values:
            if type(x) is Ref:
                x = f.bindings.get((None, x.name), x)
            if type(x) is Fn and x.fid is not None:
                found.setdefault(x.fid, set()).add(name)
    hit = memo[path] = {fid: frozenset(ns) for fid, ns in found.items()}
    return hit


def names_importing(project: Project, imp: str) -> dict[str, frozenset[str]]:
    """File -> the names ``imp`` binds to its imports or requires of that file (`import { f }`,
    `import * as ns`, `const { f } = require(...)`, `const m = require(...)`), once a run."""
    memo = project.file_memo.importing_names
    hit = memo.get(imp)
    if hit is not None:
        return hit
    found: dict[str, set[str]] = {}
    for (_scope, name), v in project.files[imp].bindings.items():
        root: AnyV = v
        for _ in range(8):
            if type(root) is not Member:
                break
            root = root.obj
        if type(root) is Import or type(root) is Module:
            target = project.modules.resolve(imp, root.src)
            if target is not None:
                found.setdefault(target, set()).add(name)
    hit = memo[imp] = {t: frozenset(ns) for t, ns in found.items()}
    return hit

"""What a window shows and runs: the values a page URL can take and the constant text it starts
with, and the project sources a preload value names (relative to the module that names it, else
build-output names mapped back by name)."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ipclint.link.modules import Where
from ipclint.link.project import Project
from ipclint.model.span import Span
from ipclint.model.values import CallExpr, Concat, Cond, Logic, Member, NewExpr, Ref, Tpl

SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".mjs", ".cjs", ".mts", ".cts", ".jsx")


@dataclass(frozen=True, slots=True)
class Preload:
    """A preload script: the project ``file`` it is built from, and where it is named."""

    file: str
    path: str
    span: Span


def preload_files(project: Project, value: Where, span: Span, files: list[str]) -> list[Preload]:
    """The project sources a preload value names: the file the path names relative to the module
    that names it, else build-output names mapped back by name, nearest to that module first."""
    from ipclint.link.roles import _match_preload, _path_strings, _stems
    out: list[Preload] = []
    for hint in _path_strings(project, value.path, value.value, value.scope):
        exact = _relative(value.path, hint, project.files)
        found = [exact] if exact is not None else _nearest(value.path, [
            hit for hit in _match_preload(hint, files, value.path, _stems(files, project.file_memo.stems))
            if project.same_app(value.path, hit)])
        out.extend(Preload(hit, value.path, span) for hit in found if all(p.file != hit for p in out))
    return out



def _relative(importer: str, hint: str, files: Mapping[str, object]) -> str | None:
    """`join(__dirname, 'preload.js')` in a/main.js: a/preload.js (or its .ts source) when parsed."""
    hint = hint.replace("\\", "/").removeprefix("file://")
    if hint.startswith("/") or ":" in hint:
        return None
    base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), hint))
    stem = re.sub(r"\.(c|m)?[jt]sx?$", "", base)
    for cand in (base, *(stem + s for s in SOURCE_SUFFIXES), *(base + "/index" + s for s in SOURCE_SUFFIXES)):
        if cand in files:
            return cand
    return None


def _nearest(importer: str, found: list[str]) -> list[str]:
    """The candidates that share most folders with the importer, the shallowest of them."""
    if len(found) < 2:
        return found
    here = posixpath.dirname(importer).split("/")

    def score(p: str) -> tuple[int, int]:
        parts = p.split("/")[:-1]
        common = 0
        for a, b in zip(here, parts, strict=False):
            if a != b:
                break
            common += 1
        return common, -len(parts)

    best = max(score(p) for p in found)
    return [p for p in found if score(p) == best]


def url_alternatives(project: Project, where: Where) -> list[tuple[Where, bool]]:
    """The values a URL expression can take, each with whether it is the only one (`isDev ?
    DEV_URL : PROD_URL` gives two, neither alone)."""
    out: list[Where] = []
    todo = [where]
    forks = calls = 0
    while todo and len(out) < 16:
        cur = todo.pop()
        r = project.resolve(cur.path, cur.value, cur.scope)
        v = r.value
        match v:
            case Cond(alts=alts):
                forks += 1
                todo.extend(Where(r.path, a, r.scope) for a in alts)
            case Logic(op="||" | "??", left=left, right=right):
                forks += 1
                todo.extend((Where(r.path, left, r.scope), Where(r.path, right, r.scope)))
            case CallExpr(callee=Member(obj=obj, prop="toString" | "toJSON")) | Member(obj=obj, prop="href"):
                todo.append(Where(r.path, obj, r.scope))
            case NewExpr(callee=Ref(name="URL"), args=(first, *rest)):  # new URL(path, base): the base decides
                todo.append(Where(r.path, rest[0] if rest else first, r.scope))
            case CallExpr(callee=callee) if calls < 4 and (made := project.returns_of(r.path, callee, r.scope)):
                calls += 1  # `loadURL(appUrl())`: what the project function returns
                forks += len(made) > 1
                todo.extend(made)
            case _:
                out.append(r)
    return [(w, forks == 0) for w in out]




def url_prefix(project: Project, where: Where) -> str | None:
    """The constant text a URL starts with (a whole constant, or a template's or concatenation's
    first part), or None when it is not known."""
    cur = where
    for _ in range(8):
        text = project.channel(cur.path, cur.value, cur.scope)
        if text is not None:
            return text
        r = project.resolve(cur.path, cur.value, cur.scope)
        v = r.value
        if isinstance(v, Tpl):
            first = next((p for p in v.parts if p != ""), None)
            if first is None or isinstance(first, str):
                return first
            cur = Where(r.path, first, r.scope)
        elif isinstance(v, Concat):
            cur = Where(r.path, v.left, r.scope)
        else:
            return None
    return None

"""Which properties of a value a test covers, across a call: a project function that throws on a
failed test of `options.protocol` validates its caller's `options.protocol` (and the value as a
whole, as a local check of a property does), not `options.username`.

Paths are property names from a root: a function's parameter (callee side) or a renderer-supplied
name's first source (caller side). A path stops where the data was made from the value rather than
read off it (an alias whose key has "*"): a test of it then covers everything below that point.
"""
from __future__ import annotations

from collections.abc import Iterable

from ipclint.model.facts import Flow, Func, Occ

Path = tuple[str, ...]


def root_path(flow: Flow, name: str, params: dict[str, Path]) -> tuple[Path, bool, str | None]:
    """The path from its root to the data ``name`` holds, whether that path is exact (False:
    ``name`` was made from the data at the path, not read off it, so nothing can be added to it),
    and the parameter it starts at (None: not a parameter). ``params``: the function's parameter
    names with the key paths they destructure."""
    keys: list[Path] = []
    cur = name
    seen = {name}
    root = None
    for _ in range(16):
        if cur in params:
            keys.append(params[cur])
            root = cur
            break
        alias = next((a for a in flow.aliases if a.name == cur), None)
        if alias is None or alias.source in seen:
            break
        keys.append(alias.key)
        seen.add(alias.source)
        cur = alias.source
    out: list[str] = []
    for key in reversed(keys):
        if "*" in key:
            out.extend(key[:key.index("*")])
            return tuple(out), False, root
        out.extend(key)
    return tuple(out), True, root


def read_path(flow: Flow, occ: Occ, params: dict[str, Path]) -> tuple[Path, str | None]:
    """The path of the data a read reads (`args.file.path` through `const { file } = args`), and
    the parameter it starts at."""
    base, exact, root = root_path(flow, occ.name, params)
    return (base + occ.path if exact else base), root


def unwrap(path: Path, keys: Iterable[str]) -> Path | None:
    """A callee path seen from the caller's value that an argument wraps in object keys (`f({ o:
    value })` with the callee testing `param.o.x`: `x`; `{ ...value }` adds no key). None: the path
    leads to another property of the wrapper (the caller's value is not tested); a shorter path
    than the keys tests the wrapper, and so the value whole."""
    for key in keys:
        if key == "...":
            continue
        if not path:
            return ()
        if path[0] != key:
            return None
        path = path[1:]
    return path


def covers(tested: Iterable[Path], path: Path) -> bool:
    """A test of one of the ``tested`` paths covers the data at ``path``: one leads to the other
    (a test of `args` or `args.file` covers `args.file.path`; one of `url.protocol` covers `url`,
    read whole)."""
    return any(path[:len(t)] == t[:len(path)] for t in tested)


def param_paths(fn: Func) -> dict[str, Path]:
    return {p.name: p.path for p in fn.params}

"""Call-site check: does the model see every IPC call, whatever its shape? Not a test.

    python bench/callsites.py /work/corpus/apps/*          # one line per app, then the misses
    python bench/callsites.py APP --list 40                # list up to 40 unexplained misses

A byte search finds every `.invoke(`, `.send(`, `.handle(` ... call site (type arguments, `?.`,
`.call(`/`.apply(` included) in the project's source files; each one is then put in one bucket:

- ``ipc``: the model has an IPC operation there (an Electron IPC call, a call of an app wrapper or
  of an exposed bridge function: a graph edge, an IPC call inside a wrapper, a wrapper's call
  inside another wrapper);
- ``not-ipc``: the model has the call but it is not IPC (`socket.send`, `protocol.handle`,
  `res.send`, a worker's `postMessage`): the receiver is listed, to judge;
- ``unparsed``: the file was not parsed (nothing in it mentions Electron, IPC or an exposed key);
- ``missed``: the file was parsed but the model has no call with that method on that line: a call
  shape extraction does not see (what this check is for), or a match in a comment or a string.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ipclint.engine import check
from ipclint.link.project import Project
from ipclint.link.wrappers import callee_function, may_call, wrapper_names
from ipclint.model.values import Member

METHODS = ("invoke", "send", "sendSync", "sendToHost", "handle", "handleOnce", "postMessage")
CALL_AT = re.compile(rb"(?P<recv>[\w$\]\)!?.]{0,80}?)\s*\??\.\s*(?P<m>" + b"|".join(m.encode() for m in METHODS)
                     + rb")\s*(?:<[^;()]{0,200}?>)?\s*(?:\?\.)?\s*(?:\.\s*(?:call|apply)\s*)?\(")
COMMENT = re.compile(rb"^\s*(//|\*|/\*)")


def byte_sites(data: bytes) -> list[tuple[int, str, str]]:
    """(line, method, receiver text) of every call-looking match outside line comments."""
    out = []
    lines = data.split(b"\n")
    for m in CALL_AT.finditer(data):
        line = data.count(b"\n", 0, m.start("m")) + 1
        text = lines[line - 1]
        if COMMENT.match(text) or b"//" in text[:text.find(m.group("m"))] and b"://" not in text:
            continue
        out.append((line, m.group("m").decode(), m.group("recv").decode("utf-8", "replace").strip()[-40:]))
    return out


def model_sites(project: Project) -> tuple[set[tuple[str, int]], dict[str, dict[int, set[str]]]]:
    """IPC call sites of the model, and every call of the parsed files, by the line of its method
    name."""
    ipc: set[tuple[str, int]] = set()
    calls: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path, f in project.files.items():
        for c in f.calls:
            line = c.callee.span.end_line if isinstance(c.callee, Member) else c.span.line
            name = c.callee.prop if isinstance(c.callee, Member) else c.callee.text
            calls[path][line].add(name)
    for path, idx in project.ipc_ops:
        c = project.files[path].calls[idx]
        ipc.add((path, c.callee.span.end_line if isinstance(c.callee, Member) else c.span.line))
    names = wrapper_names(project, project.wrappers)
    for path, c in project.iter_calls():  # calls of wrappers inside wrappers: their edges are at the callers
        if may_call(project, path, c, names) and callee_function(project, path, c) in project.wrappers:
            ipc.add((path, c.callee.span.end_line if isinstance(c.callee, Member) else c.span.line))
    for e in project.graph.edges:
        c = project.files[e.path].calls[e.call]
        ipc.add((e.path, c.callee.span.end_line if isinstance(c.callee, Member) else c.span.line))
        for v in e.via:
            ipc.add((v.path, v.span.line))
    return ipc, calls


def check_app(app: Path) -> tuple[Counter[str], list[tuple[str, str, int, str, str]]]:
    result = check([str(app)], use_cache=False, need_project=True, jobs=1)
    project = result.extra["project"]
    ipc, calls = model_sites(project)
    counts: Counter[str] = Counter()
    rows = []
    for path in sorted(project.all_paths):
        data = project.sources.get(path) if path in project.sources else (app / path).read_bytes()
        for line, method, recv in byte_sites(data or b""):
            if path not in project.files:
                bucket = "unparsed"
            elif (path, line) in ipc:
                bucket = "ipc"
            elif method in calls[path].get(line, ()):
                bucket = "not-ipc"
            else:
                bucket = "missed"
            counts[bucket] += 1
            rows.append((bucket, path, line, method, recv))
    return counts, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("apps", nargs="+")
    ap.add_argument("--list", type=int, default=20, help="misses to list per app")
    ap.add_argument("--not-ipc", action="store_true", help="also list the receivers of not-IPC calls")
    args = ap.parse_args()
    for app in map(Path, args.apps):
        counts, rows = check_app(app)
        print(f"{app.name}: " + ", ".join(f"{k} {counts[k]}" for k in ("ipc", "not-ipc", "unparsed", "missed")))
        for _b, path, line, method, recv in [r for r in rows if r[0] == "missed"][:args.list]:
            print(f"   missed  {path}:{line}  {recv}.{method}(")
        if args.not_ipc:
            recvs = Counter(f"{r[4].split('.')[-1] or r[4]}.{r[3]}" for r in rows if r[0] == "not-ipc")
            print("   not-ipc receivers: " + ", ".join(f"{k} {n}" for k, n in recvs.most_common(15)))


if __name__ == "__main__":
    main()

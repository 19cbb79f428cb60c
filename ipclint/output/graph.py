"""`ipclint graph`: the channel graph of a run (RunResult.graph) as JSON, Mermaid or Graphviz dot.

Mermaid and dot draw one node per file, inside one cluster per role (and per app when there are
several), with one arrow per pair of files labelled by the channels between them: solid for
renderer-to-main messages, dotted for main-to-renderer pushes, red into "no handler" for sends
nothing handles and red out of "no sender" for handlers nothing uses. Labels name the kind:
"port" for messages that transfer MessagePorts (and main's port handlers), "webview" for a guest's
sendToHost to its host page and the host's webview.send to the guest.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, TextIO

from msgspec.structs import replace

from ipclint.model import Role
from ipclint.model.graph import Direction, GraphEdge, GraphView, Part
from ipclint.version import __version__

DYNAMIC = "(dynamic)"
MERMAID_LIMIT = 50_000  # characters GitHub renders in one Mermaid block
ROLE_ORDER = (Role.RENDERER, Role.PRELOAD, Role.MAIN, Role.SHARED)
ROLE_COLOUR = {Role.MAIN: "#dbeafe", Role.PRELOAD: "#fef3c7", Role.RENDERER: "#dcfce7", Role.SHARED: "#f3f4f6"}
_PARTS = {Part.SENDER: "senders", Part.EMITTER: "senders", Part.HANDLER: "handlers", Part.PUSHER: "pushes",
          Part.LISTENER: "listeners", Part.REMOVER: "removals"}


@dataclass(frozen=True, slots=True)
class GraphFilter:
    """What `ipclint graph` shows: an app folder, a channel glob, roles, and whether test code counts."""

    app: str | None = None  # root-relative folder
    channel: str | None = None
    roles: frozenset[Role] = frozenset()
    include_tests: bool = False


def under(path: str, folder: str) -> bool:
    return not folder or folder == "." or path == folder or path.startswith(folder.rstrip("/") + "/")


def select_view(view: GraphView, flt: GraphFilter) -> GraphView:
    """The part of the view a filter keeps (files and edges; the marks stay as judged on the whole)."""
    def keep_file(path: str, role: Role, is_test: bool) -> bool:
        return ((flt.include_tests or not is_test) and (flt.app is None or under(path, flt.app))
                and (not flt.roles or role in flt.roles))

    edges = tuple(e for e in view.edges if keep_file(e.path, e.role, e.is_test)
                  and (flt.channel is None or (e.channel is not None and fnmatchcase(e.channel, flt.channel))))
    files = tuple(f for f in view.files if keep_file(f.path, f.role, f.is_test))
    return replace(view, files=files, edges=edges,
                   exposures=tuple(x for x in view.exposures if keep_file(x.path, Role.PRELOAD, False)),
                   generic_paths=tuple(g for g in view.generic_paths if keep_file(g.path, Role.PRELOAD, False)),
                   apps=tuple(sorted({f.app for f in files})))


def _edge_dict(e: GraphEdge) -> dict[str, Any]:
    d: dict[str, Any] = {"path": e.path, "line": e.line, "column": e.column, "role": e.role.value, "kind": e.kind.value,
               "method": e.method, "receiver": e.receiver, "direction": e.direction.value, "app": e.app}
    if e.is_test:
        d["test"] = True
    if e.via:
        d["via"] = [{"kind": v.kind.value, "path": v.path, "line": v.line} for v in e.via]
    if e.handler_path:
        d["handler"] = {"path": e.handler_path}
    if e.unhandled:
        d["unhandled"] = True
    if e.unused:
        d["unused"] = True
    return d


def graph_dict(view: GraphView) -> dict[str, Any]:
    channels: dict[str, dict[str, list[dict[str, Any]]]] = {}
    dynamic: list[dict[str, Any]] = []
    for e in view.edges:
        if e.channel is None:
            dynamic.append({**_edge_dict(e), "expression": e.expression})
            continue
        slot = channels.setdefault(e.channel, {"senders": [], "handlers": [], "pushes": [], "listeners": [],
                                               "removals": []})
        slot[_PARTS[e.part]].append(_edge_dict(e))
    return {
        "version": 1,
        "tool": {"name": "ipclint", "version": __version__},
        "root": view.root,
        "apps": list(view.apps),
        "files": [{"path": f.path, "role": f.role.value, "reason": f.reason, "app": f.app}
                  | ({"test": True} if f.is_test else {}) for f in view.files],
        "channels": [{"channel": c, **channels[c]} for c in sorted(channels)],
        "dynamic": dynamic,
        "exposures": [{"key": x.key, "path": x.path, "line": x.line, "column": x.column, "kind": x.kind,
                       "channels": list(x.channels), "guarded": x.guarded, "allowlist": list(x.allowlist),
                       "detail": x.detail, "mode": x.mode} for x in view.exposures],
        "generic_paths": [{"path": p, "line": line, "member": m} for p, line, m in sorted(dict.fromkeys(
            (g.path, g.line, g.member) for g in view.generic_paths))],
    }


def write_json(view: GraphView, stream: TextIO) -> None:
    json.dump(graph_dict(view), stream, indent=2, sort_keys=False)
    stream.write("\n")


# ---- drawings ---------------------------------------------------------------------------------
NO_HANDLER, NO_SENDER, DYNAMIC_NODE = "nohandler", "nosender", "dynamic"


@dataclass
class Drawing:
    """Files grouped by (app, role); arrows between node ids with a style and channel labels."""

    clusters: dict[tuple[str, Role], list[str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    arrows: dict[tuple[str, str, str], dict[str, set[str]]] = field(default_factory=dict)
    specials: set[str] = field(default_factory=set)

    def arrow(self, a: str, b: str, style: str, kind: str, label: str) -> None:
        self.arrows.setdefault((a, b, style), defaultdict(set))[kind].add(label)


def drawing(view: GraphView) -> Drawing:
    d = Drawing()
    roles = {f.path: f.role for f in view.files}
    apps = {f.path: f.app for f in view.files}
    used = sorted({e.path for e in view.edges if e.part is not Part.REMOVER}
                  | {p for e in view.edges for p in [e.preload] if p and roles.get(p) is Role.PRELOAD})
    for path in used:
        key = (apps.get(path, ""), roles.get(path, Role.SHARED))
        d.clusters.setdefault(key, []).append(path)
        d.ids[path] = f"f{len(d.ids)}"
    by_channel: dict[str | None, list[GraphEdge]] = defaultdict(list)
    for e in view.edges:
        by_channel[e.channel].append(e)

    def talk(a: GraphEdge, b: GraphEdge) -> bool:
        return a.app == b.app or not a.app or not b.app

    for e in view.edges:
        src = d.ids.get(e.path)
        if src is None or e.part in (Part.REMOVER, Part.EMITTER):
            continue
        label = e.channel if e.channel is not None else f"{DYNAMIC} {_short(e.expression)}".rstrip()
        kind = e.kind.value
        preload = e.preload if e.preload and roles.get(e.preload) is Role.PRELOAD and e.preload != e.path else None
        if e.channel is None:
            d.specials.add(DYNAMIC_NODE)
            if e.part in (Part.SENDER, Part.PUSHER):
                d.arrow(src, DYNAMIC_NODE, "push" if e.part is Part.PUSHER else "request", kind, label)
            else:
                d.arrow(DYNAMIC_NODE, src, "push" if e.part is Part.LISTENER else "request", kind, label)
            continue
        peers = [p for p in by_channel[e.channel] if talk(p, e)]
        if e.part is Part.SENDER:
            if preload is not None:  # the page calls the bridge; the preload's own call goes on to main
                d.arrow(src, d.ids[preload], "request", kind, label)
            elif e.unhandled:
                d.specials.add(NO_HANDLER)
                d.arrow(src, NO_HANDLER, "missing", kind, label)
            else:  # a guest's sendToHost reaches the host page's listeners, other sends main's handlers
                to_host = e.direction is Direction.TO_HOST
                for h in peers:
                    if h.path in d.ids and (h.part is Part.LISTENER and h.direction is Direction.TO_HOST if to_host
                                            else h.part is Part.HANDLER):
                        d.arrow(src, d.ids[h.path], "request", kind, label)
        elif e.part is Part.HANDLER and e.unused:
            d.specials.add(NO_SENDER)
            d.arrow(NO_SENDER, src, "missing", kind, label)
        elif e.part is Part.PUSHER:
            targets = [p for p in peers if p.part is Part.LISTENER and p.path in d.ids
                       and p.direction is not Direction.TO_HOST
                       and not (p.preload and roles.get(p.preload) is Role.PRELOAD and p.preload != p.path)]
            if e.unhandled:
                d.specials.add(NO_HANDLER)
                d.arrow(src, NO_HANDLER, "missing", kind, label)
            for t in targets:
                d.arrow(src, d.ids[t.path], "push", kind, label)
        elif e.part is Part.LISTENER and preload is not None:
            d.arrow(d.ids[preload], src, "push", kind, label)
    return d


def _short(text: str, limit: int = 32) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label_lines(kinds: dict[str, set[str]]) -> list[str]:
    return [f"{k}: {', '.join(sorted(v))}" for k, v in sorted(kinds.items())]


SPECIAL_LABEL = {NO_HANDLER: "no handler or listener", NO_SENDER: "no sender", DYNAMIC_NODE: "dynamic channel"}


def _esc_mermaid(s: str) -> str:
    return re.sub(r'["<>#|]', lambda m: {'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;",
                                         "|": "#124;"}[m.group()], s)


def _esc_dot(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _cluster_title(app: str, role: Role, several_apps: bool) -> str:
    return f"{app or '(root)'} · {role.value}" if several_apps else role.value


def render_mermaid(view: GraphView) -> str:
    d = drawing(view)
    several = len({app for app, _ in d.clusters}) > 1
    out = ["flowchart LR"]
    for n, ((app, role), paths) in enumerate(sorted(d.clusters.items(), key=_cluster_key)):
        out.append(f'  subgraph c{n}["{_esc_mermaid(_cluster_title(app, role, several))}"]')
        out += [f'    {d.ids[p]}["{_esc_mermaid(p)}"]:::{role.value}' for p in paths]
        out.append("  end")
    for s in sorted(d.specials):
        out.append(f'  {s}{{{{"{SPECIAL_LABEL[s]}"}}}}:::{"missing" if s != DYNAMIC_NODE else "dynamic"}')
    red = []
    for i, ((a, b, style), kinds) in enumerate(sorted(d.arrows.items())):
        label = "<br/>".join(_esc_mermaid(x) for x in _label_lines(kinds))
        arrow = "-.->" if style == "push" else "-->"
        out.append(f'  {a} {arrow}|"{label}"| {b}')
        if style == "missing":
            red.append(str(i))
    for role in ROLE_ORDER:
        out.append(f"  classDef {role.value} fill:{ROLE_COLOUR[role]},stroke:#555")
    out.append("  classDef missing fill:#fee2e2,stroke:#b91c1c,color:#b91c1c")
    out.append("  classDef dynamic fill:#ede9fe,stroke:#6d28d9")
    if red:
        out.append(f"  linkStyle {','.join(red)} stroke:#b91c1c,color:#b91c1c")
    return "\n".join(out) + "\n"


def render_dot(view: GraphView) -> str:
    d = drawing(view)
    several = len({app for app, _ in d.clusters}) > 1
    out = ["digraph ipc {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
           '  edge [fontname="Helvetica", fontsize=10];']
    for n, ((app, role), paths) in enumerate(sorted(d.clusters.items(), key=_cluster_key)):
        out.append(f"  subgraph cluster_{n} {{")
        out.append(f'    label="{_esc_dot(_cluster_title(app, role, several))}"; style=filled; '
                   f'color="{ROLE_COLOUR[role]}";')
        out += [f'    {d.ids[p]} [label="{_esc_dot(p)}", fillcolor=white];' for p in paths]
        out.append("  }")
    for s in sorted(d.specials):
        colour = "#6d28d9" if s == DYNAMIC_NODE else "#b91c1c"
        out.append(f'  {s} [label="{SPECIAL_LABEL[s]}", shape=octagon, color="{colour}", fontcolor="{colour}", '
                   f'fillcolor=white];')
    for (a, b, style), kinds in sorted(d.arrows.items()):
        label = "\\n".join(_esc_dot(x) for x in _label_lines(kinds))
        attrs = [f'label="{label}"']
        if style == "push":
            attrs.append("style=dashed")
        if style == "missing":
            attrs += ['color="#b91c1c"', 'fontcolor="#b91c1c"']
        out.append(f"  {a} -> {b} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _cluster_key(item: tuple[tuple[str, Role], list[str]]) -> tuple[str, int]:
    (app, role), _ = item
    return (app, ROLE_ORDER.index(role))


def write_mermaid(view: GraphView, stream: TextIO) -> None:
    stream.write(render_mermaid(view))


def write_dot(view: GraphView, stream: TextIO) -> None:
    stream.write(render_dot(view))


RENDERERS: dict[str, Callable[[GraphView], str]] = {
    "json": lambda v: json.dumps(graph_dict(v), indent=2) + "\n", "mermaid": render_mermaid, "dot": render_dot}
WRITERS = {"json": write_json, "mermaid": write_mermaid, "dot": write_dot}

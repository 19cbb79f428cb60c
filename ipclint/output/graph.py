"""`ipclint graph`: the channel graph as JSON, Mermaid or Graphviz dot."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, TextIO

from ipclint.roles import every_role
from ipclint import __version__
from ipclint.graph import Edge

SENDS = ("send", "invoke", "emit")
HANDLES = ("handle", "on")
DYNAMIC = "(dynamic)"


def _edge_dict(e: Edge) -> dict:
    d = {"path": e.path, "line": e.span.line, "column": e.span.column, "role": e.role.value, "kind": e.kind,
         "method": e.method, "receiver": e.receiver}
    if e.via:
        d["via"] = [{"path": v.path, "line": v.span.line, "message": v.message} for v in e.via]
    if e.handler:
        d["handler"] = {"path": e.handler[0]}
    return d


def graph_dict(project) -> dict:
    g = project.graph
    channels: dict[str, dict[str, list]] = {}
    dynamic = []
    for e in g.edges:
        if e.channel is None:
            dynamic.append({**_edge_dict(e), "expression": e.channel_value.text if e.channel_value else ""})
            continue
        slot = channels.setdefault(e.channel, {"senders": [], "handlers": [], "pushes": [], "listeners": [],
                                               "removals": []})
        if e.kind in SENDS:
            slot["senders"].append(_edge_dict(e))
        elif e.kind in HANDLES and e.side == "main":
            slot["handlers"].append(_edge_dict(e))
        elif e.kind == "push":
            slot["pushes"].append(_edge_dict(e))
        elif e.kind in HANDLES:
            slot["listeners"].append(_edge_dict(e))
        else:
            slot["removals"].append(_edge_dict(e))
    try:
        from ipclint.exposure import exposure_model
        exposures = exposure_model(project)
    except ImportError:
        exposures = []
    return {
        "version": 1,
        "tool": {"name": "ipclint", "version": __version__},
        "root": str(project.root),
        "files": [{"path": p, "role": i.role.value, "reason": i.reason} for p, i in every_role(project).items()],
        "channels": [{"channel": c, **channels[c]} for c in sorted(channels)],
        "dynamic": dynamic,
        "exposures": exposures,
        "generic_paths": [{"path": p, "line": line, "member": member} for p, line, member in sorted(dict.fromkeys(
            (loc.path, loc.span.line, loc.message) for loc in g.generic_send + g.generic_listen))],
    }


def write_json(project, stream: TextIO) -> None:
    json.dump(graph_dict(project), stream, indent=2, sort_keys=False)
    stream.write("\n")


def _node_id(prefix: str, text: str, ids: dict) -> str:
    key = (prefix, text)
    if key not in ids:
        ids[key] = f"{prefix}{len(ids)}"
    return ids[key]


def _site(e: Edge) -> str:
    return f"{e.path}:{e.span.line}"


def _triples(project) -> list[tuple[str, str, str, str]]:
    """(site node label, role, channel label, direction) where direction is 'to' (site -> channel)
    or 'from' (channel -> site)."""
    out = []
    for e in project.graph.edges:
        if e.kind == "remove":
            continue
        ch = e.channel if e.channel is not None else DYNAMIC
        direction = "to" if e.kind in SENDS or e.kind == "push" else "from"
        out.append((_site(e), e.role.value, ch, direction, e.kind))
    return sorted(set(out))


def _esc_mermaid(s: str) -> str:
    return re.sub(r'["<>]', lambda m: {"\"": "#quot;", "<": "#lt;", ">": "#gt;"}[m.group()], s)


def _esc_dot(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


@dataclass(frozen=True)
class _Syntax:
    header: str
    site: str  # format with id, label, role
    channel: str  # format with id, label
    edge: str  # format with a, b, kind
    footer: str
    escape: Callable[[str], str]


MERMAID = _Syntax("flowchart LR\n", '  {id}["{label}<br/>{role}"]\n', '  {id}(["{label}"])\n',
                  "  {a} -- {kind} --> {b}\n", "", _esc_mermaid)
DOT = _Syntax("digraph ipc {\n  rankdir=LR;\n", '  {id} [shape=box, label="{label}\\n{role}"];\n',
              '  {id} [shape=ellipse, label="{label}"];\n', '  {a} -> {b} [label="{kind}"];\n', "}\n", _esc_dot)


def _write(project, stream: TextIO, syntax: _Syntax) -> None:
    ids: dict = {}
    stream.write(syntax.header)
    for site, role, ch, direction, kind in _triples(project):
        s = _node_id("s", site, ids)
        c = _node_id("c", ch, ids)
        stream.write(syntax.site.format(id=s, label=syntax.escape(site), role=role))
        stream.write(syntax.channel.format(id=c, label=syntax.escape(ch)))
        a, b = (s, c) if direction == "to" else (c, s)
        stream.write(syntax.edge.format(a=a, b=b, kind=kind))
    stream.write(syntax.footer)


def write_mermaid(project, stream: TextIO) -> None:
    _write(project, stream, MERMAID)


def write_dot(project, stream: TextIO) -> None:
    _write(project, stream, DOT)


WRITERS = {"json": write_json, "mermaid": write_mermaid, "dot": write_dot}

"""Questions the preload and renderer rules share."""
from __future__ import annotations

from ipclint.project import Project


def isolation_off(project: Project) -> bool:
    """Whether some window runs without context isolation: `contextIsolation: false`, or an
    Electron version before 12 (when it was off by default)."""
    for f in project.files.values():
        for v in list(f.bindings.values()) + [a for c in f.calls for a in c.args if a.kind == "obj"]:
            if _has_false_isolation(v):
                return True
        for a in f.assigns:
            if a.target.kind == "member" and a.target.data[1] == "contextIsolation" and a.value.kind == "bool" \
                    and a.value.data is False:
                return True
    for version in project.electron_versions.values():
        head = (version or "").split(".", 1)[0]
        if head.isdigit() and int(head) < 12:
            return True
    return False


def _has_false_isolation(v) -> bool:
    from ipclint.roles import _walk_values
    for x in _walk_values([v]):
        if x.kind == "obj":
            for p in x.data:
                if p.key == "contextIsolation" and p.value.kind == "bool" and p.value.data is False:
                    return True
    return False

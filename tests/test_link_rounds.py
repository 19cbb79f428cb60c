"""Linking in rounds (engine._link_until_stable): what the rounds of one run share, and the
indexes that spare link a pass over every call, give what linking without them gives."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ipclint.engine import check
from ipclint.link.project import Project
from ipclint.link.wrappers import calls_by_names, may_call
from tests.helpers import ROUNDS_APP, write_project


def test_the_rounds_of_a_run_read_each_project_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ipclint.link
    import ipclint.link.modules
    root = write_project(tmp_path / "app", ROUNDS_APP)
    reads: Counter[str] = Counter()
    linked: list[set[str]] = []
    read_in_root, link = ipclint.link.modules.read_in_root, ipclint.link.link

    def counted_read(root: Path, rel: str, *args: Any) -> bytes | None:
        reads[rel] += 1
        return read_in_root(root, rel, *args)

    def counted_link(root: Path, files: dict[str, Any], *args: Any, **kwargs: Any) -> Project:
        linked.append(set(files))
        return link(root, files, *args, **kwargs)

    monkeypatch.setattr(ipclint.link.modules, "read_in_root", counted_read)
    monkeypatch.setattr(ipclint.link, "link", counted_link)
    r = check([str(root)], use_cache=False, jobs=1)
    assert not r.internal_error
    assert len(linked) == 2 and {"src/lib/check.ts", "src/main/tasks.ts"} <= linked[1] - linked[0]
    assert reads["tsconfig.json"] == 1 and reads["package.json"] == 1
    assert max(reads.values()) == 1, reads


def _linked(root: Path) -> Project:
    r = check([str(root)], use_cache=False, jobs=1)
    project = r.extra["project"]
    assert isinstance(project, Project)
    return project


@pytest.mark.parametrize("app", ["rounds", "example-app"])
def test_calls_by_names_are_the_calls_may_call_accepts(tmp_path: Path, app: str) -> None:
    root = (write_project(tmp_path / "app", ROUNDS_APP) if app == "rounds"
            else Path(__file__).resolve().parent.parent / "fixtures" / "projects" / app)
    project = _linked(root)
    every = list(project.iter_calls())
    words = sorted({w for _p, c in every for w in _callee_words(c.callee)} | {"onMessage", "isSafe", "nothing"})
    assert len(words) > 5
    for names in [frozenset(words), frozenset(words[::2]), frozenset(words[1::3]), frozenset({"onMessage"}),
                  frozenset()]:
        want = [(p, c) for p, c in every if may_call(project, p, c, names)]
        assert calls_by_names(project, names) == want


def _callee_words(v: object) -> list[str]:
    from ipclint.model.values import Member, Ref
    if isinstance(v, Member):
        return [v.prop]
    return [v.name] if isinstance(v, Ref) else []

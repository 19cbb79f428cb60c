"""Linking in rounds (engine._link_until_stable): what the rounds of one run share."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ipclint.engine import check
from ipclint.link.project import Project
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


"""Baselines: fingerprints without line numbers, multiset filtering, robust files."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ipclint.baseline import BaselineError, filter_baseline, load_baseline, write_baseline
from ipclint.model import Severity, Span
from ipclint.rules import ALL_RULES
from ipclint.rules._base import Hit
from ipclint.stamp import stamp_hits

RULE = next(r for r in ALL_RULES if r.code == "IPC003")


def _stamp(*hits: tuple[str, int, str]):
    return stamp_hits(RULE, Severity.WARNING, [Hit(p, Span(line, 5, line, 12), f"channel '{k}'", key=k)
                                               for p, line, k in hits])


def test_survives_line_shifts_and_keeps_new_findings(tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    write_baseline(_stamp(("a.js", 3, "x"), ("a.js", 9, "y"), ("b.js", 1, "x")), base)
    later = _stamp(("a.js", 13, "x"), ("a.js", 19, "y"), ("b.js", 4, "x"), ("a.js", 30, "z"))
    assert [(f.path, f.span.line) for f in filter_baseline(later, load_baseline(base))] == [("a.js", 30)]


def test_multiset_two_entries_hide_two_findings_not_three(tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    write_baseline(_stamp(("a.js", 3, "x"), ("a.js", 9, "x")), base)
    assert len(set(load_baseline(base))) == 2  # equal keys in one file get occurrence-numbered prints
    now = _stamp(("a.js", 4, "x"), ("a.js", 10, "x"), ("a.js", 20, "x"))
    assert [f.span.line for f in filter_baseline(now, load_baseline(base))] == [20]
    same = next(iter(load_baseline(base)))
    assert len(filter_baseline(now, Counter({same: 2}))) == 2


def test_file_is_sorted_readable_and_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "deep" / "er" / "b.json"
    found = _stamp(("b.js", 1, "x"), ("a.js", 9, "y"))
    write_baseline(found, a)
    write_baseline(list(reversed(found)), b)
    assert a.read_bytes() == b.read_bytes()
    doc = json.loads(a.read_text())
    assert doc["version"] == 1 and doc["tool"] == "ipclint"
    assert [(e["path"], e["rule"], e["message"]) for e in doc["findings"]] == [
        ("a.js", "IPC003", "channel 'y'"), ("b.js", "IPC003", "channel 'x'")]
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize("content,needle", [
    (None, "cannot read baseline"),
    ("{", "not an ipclint baseline"),
    ('{"findings": [{"fp": 1}]}', "not an ipclint baseline"),
    ('{"findings": [{"fingerprint": 1}]}', "not an ipclint baseline"),
    ('[1, 2]', "not an ipclint baseline"),
])
def test_bad_baseline_files(tmp_path: Path, content: str | None, needle: str) -> None:
    p = tmp_path / "b.json"
    if content is not None:
        p.write_text(content)
    with pytest.raises(BaselineError, match=needle):
        load_baseline(p)


def test_unwritable_baseline_is_a_baseline_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(BaselineError, match="cannot write baseline"):
        write_baseline([], tmp_path / "file" / "b.json")

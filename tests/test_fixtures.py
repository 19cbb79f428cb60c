"""Fixture projects: every expected finding and nothing else (rule, file, line)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.rules import ALL_RULES
from tests.expectations import read_expectations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _scenarios() -> list[tuple[str, Path]]:
    out = []
    for rule_dir in sorted(FIXTURES.glob("IPC[0-9][0-9][0-9]")):
        for scen in sorted(p for p in rule_dir.iterdir() if p.is_dir()):
            out.append((rule_dir.name, scen))
    for proj in sorted((FIXTURES / "projects").glob("*")):
        if proj.is_dir():
            out.append(("*", proj))
    return out


SCENARIOS = _scenarios()


@pytest.mark.parametrize(("code", "folder"), SCENARIOS,
                         ids=[f"{c}/{p.name}" if c != "*" else f"projects/{p.name}" for c, p in SCENARIOS])
def test_fixture(code: str, folder: Path) -> None:
    implemented = {r.code for r in ALL_RULES}
    expected = [e for e in read_expectations(folder) if e.rule in implemented]
    if code != "*":
        expected = [e for e in expected if e.rule == code]
        if folder.name.startswith("ok-"):
            assert not expected, f"{folder.name}: an ok- scenario must not expect {code} findings"
        elif folder.name.startswith("bad-") and code in implemented:
            assert expected, f"{folder.name}: a bad- scenario must expect at least one {code} finding"
    if code != "*" and code not in implemented:
        pytest.skip(f"{code} is not implemented yet")
    result = check([str(folder)], select=[code] if code != "*" else None, use_cache=False, jobs=1)
    assert not [d for d in result.errors if d.kind == "internal"], result.errors
    got = {(f.rule, f.path, f.span.line) for f in result.findings}
    want = {(e.rule, e.path, e.line) for e in expected}
    missing = sorted(want - got)
    extra = sorted((f.rule, f.path, f.span.line, f.message) for f in result.findings
                   if (f.rule, f.path, f.span.line) not in want)
    assert not missing and not extra, f"missing: {missing}\nextra: {extra}"
    for e in expected:
        if e.text:
            msgs = [f.message for f in result.findings if (f.rule, f.path, f.span.line) == (e.rule, e.path, e.line)]
            assert any(e.text in m for m in msgs), f"{e}: no message contains {e.text!r}: {msgs}"

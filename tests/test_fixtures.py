"""Fixture projects: every expected finding and nothing else (rule, file, line)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.rules import ALL_RULES
from tests.expectations import Expected, read_expectations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# The catalogue of SPEC section 2: an expectation naming any other code is a typo.
SPEC_CODES = frozenset(f"IPC{n:03d}" for n in range(1, 21))


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


def unknown_codes(expectations: list[Expected]) -> list[str]:
    return sorted({e.rule for e in expectations} - SPEC_CODES)


def test_the_harness_counts_repeats_and_rejects_unknown_codes(tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text("relay(a, b) // expect: IPC016 \"a\", IPC016\n"
                                      "// expect: IPC061\nsend(x)\n")
    written = read_expectations(tmp_path)
    assert Counter((e.rule, e.line) for e in written) == {("IPC016", 1): 2, ("IPC061", 3): 1}
    assert unknown_codes(written) == ["IPC061"]


@pytest.mark.parametrize(("code", "folder"), SCENARIOS,
                         ids=[f"{c}/{p.name}" if c != "*" else f"projects/{p.name}" for c, p in SCENARIOS])
def test_fixture(code: str, folder: Path) -> None:
    implemented = {r.code for r in ALL_RULES}
    written = read_expectations(folder)
    unknown = unknown_codes(written)
    assert not unknown, f"{folder.name}: expectations name codes the SPEC does not define: {unknown}"
    expected = [e for e in written if e.rule in implemented]
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
    # Multisets: two findings of one rule on one line (a selection and a send) are two expectations.
    got = Counter((f.rule, f.path, f.span.line) for f in result.findings)
    want = Counter((e.rule, e.path, e.line) for e in expected)
    missing = sorted((want - got).elements())
    surplus = got - want
    extra = sorted((f.rule, f.path, f.span.line, f.message) for f in result.findings
                   if surplus[(f.rule, f.path, f.span.line)])
    assert not missing and not extra, f"missing: {missing}\nextra: {extra}"
    for e in expected:
        if e.text:
            msgs = [f.message for f in result.findings if (f.rule, f.path, f.span.line) == (e.rule, e.path, e.line)]
            assert any(e.text in m for m in msgs), f"{e}: no message contains {e.text!r}: {msgs}"

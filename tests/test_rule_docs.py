"""Every rule is documented in the ruff template; the examples run; the catalogue is current."""
from __future__ import annotations

from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.output.catalogue import catalogue, doc_sections, example_files
from ipclint.rules import ALL_RULES
from tests.helpers import write_project

SECTIONS = ["What it does", "Why is this bad?", "Example", "Use instead", "Options", "References"]
RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


def test_registry_is_sorted_unique_and_complete() -> None:
    codes = [r.code for r in ALL_RULES]
    assert codes == sorted(set(codes))
    names = [r.name for r in ALL_RULES]
    assert len(set(names)) == len(names)
    modules = {p.stem for p in (Path(__file__).resolve().parent.parent / "ipclint" / "rules").glob("*.py")
               if not p.stem.startswith("_")}
    assert modules == {r.name.replace("-", "_") for r in ALL_RULES}


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_doc_follows_the_template(rule) -> None:
    sections = doc_sections(rule.doc)
    assert list(sections) == SECTIONS
    assert "cwe.mitre.org" in sections["References"] or "electronjs.org" in sections["References"]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_doc_examples_run(rule, tmp_path: Path) -> None:
    sections = doc_sections(rule.doc)
    bad = example_files(sections["Example"])
    good = example_files(sections["Use instead"])
    assert bad and good
    for name, files in (("bad", bad), ("good", good)):
        root = write_project(tmp_path / name, files, main=next(iter(files)))
        result = check([str(root)], select=[rule.code], use_cache=False, jobs=1)
        found = [f for f in result.findings if f.rule == rule.code]
        if name == "bad":
            assert found, f"{rule.code}: the Example reports nothing"
        else:
            assert not found, f"{rule.code}: the Use instead example reports {[f.message for f in found]}"


def test_catalogue_is_current() -> None:
    pages = catalogue(ALL_RULES)
    stale = [n for n, text in pages.items() if not (RULES_DIR / n).exists()
             or (RULES_DIR / n).read_text(encoding="utf-8") != text]
    extra = [p.name for p in RULES_DIR.glob("*.md") if p.name not in pages]
    assert not stale and not extra, (f"rules/ is stale ({stale + extra}); "
                                     "run: python -m ipclint.output.catalogue rules/")


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_option_is_documented_on_the_page(rule) -> None:
    """The Options section is made from the options class: each field has words and a default."""
    from dataclasses import fields
    section = doc_sections(rule.doc)["Options"]
    names = [f.name for f in fields(rule.options)]
    for f in fields(rule.options):
        assert f.metadata.get("doc"), f"{rule.code}: option {f.name} has no documentation"
        assert f"`{f.name.replace('_', '-')}`" in section and "default:" in section
    if not names:
        assert section == "None."

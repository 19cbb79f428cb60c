"""Golden reports of the bundled example app in every format (regenerate: UPDATE_GOLDENS=1 pytest)."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.output import github, sarif, text
from ipclint.output import json as json_out

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "projects" / "example-app"
GOLDEN = Path(__file__).parent / "golden"


def _normalise(s: str) -> str:
    s = s.replace(EXAMPLE.resolve().as_uri(), "file:///EXAMPLE").replace(str(EXAMPLE.resolve()), "/EXAMPLE")
    s = re.sub(r'"version": "\d+\.\d+\.\d+"', '"version": "X"', s)
    return re.sub(r"; \d+\.\d+s$", "; TIME", s, flags=re.M)


@pytest.fixture(scope="module")
def result():
    return check([str(EXAMPLE)], use_cache=False, jobs=1)


@pytest.mark.parametrize("name,writer", [
    ("example-app.txt", lambda r, s: text.write(r, s, color=False)),
    ("example-app.json", json_out.write),
    ("example-app.sarif", sarif.write),
    ("example-app.github", github.write),
])
def test_golden(result, name: str, writer) -> None:
    out = io.StringIO()
    writer(result, out)
    got = _normalise(out.getvalue())
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDENS"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


def test_example_sarif_is_valid(result) -> None:
    from tests.test_outputs import validate_sarif
    validate_sarif(sarif.report(result))

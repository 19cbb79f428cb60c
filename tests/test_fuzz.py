"""Fuzzing (hypothesis): mutated fixture sources never make extraction or linking raise, and the
same input always gives byte-identical JSON and SARIF, across runs and for --jobs 1 and 2."""
from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipclint import engine
from ipclint.discover import decode
from ipclint.engine import check
from ipclint.extract.extract import extract
from ipclint.link import link
from ipclint.output import json as json_out
from ipclint.output import sarif as sarif_out

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SUFFIXES = {".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".vue"}
SOURCES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in SUFFIXES and p.is_file())
PROJECTS = sorted({p.parent for p in FIXTURES.glob("IPC0*/*/package.json")} |
                  {p for p in (FIXTURES / "projects").iterdir() if p.is_dir()})
TOKENS = [b"(", b")", b"{", b"}", b"[", b"]", b"'", b'"', b"`", b"${", b"=>", b"...", b"?.", b"<", b"/>", b"*/",
          b"/*", b"//", b"\n", b";", b",", b"ipcRenderer.invoke(", b"ipcMain.handle(", b"require(", b"import ",
          b"export * from ", b"contextBridge.exposeInMainWorld(", b"await ", b"async ", b"new ", b"\\", b"\x00",
          b"\xff\xfe", b"\xef\xbb\xbf", "é€😀".encode(), b"\r\n", b"class ", b"function ", b"`${a}`"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, bytes]:
    src = draw(st.sampled_from(SOURCES))
    data = src.read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "truncate", "bytes", "encode", "duplicate"]))
        n = len(data)
        i = draw(st.integers(0, max(n, 0)))
        if op == "delete" and n:
            data = data[:i] + data[i + draw(st.integers(1, 40)):]
        elif op == "insert":
            data = data[:i] + draw(st.sampled_from(TOKENS)) + data[i:]
        elif op == "truncate":
            data = data[:i]
        elif op == "bytes":
            data = data[:i] + draw(st.binary(min_size=1, max_size=16)) + data[i:]
        elif op == "encode":
            text = data.decode("utf-8", "replace")
            data = draw(st.sampled_from([text.encode("utf-16"), text.encode("latin-1", "replace"),
                                         b"\xef\xbb\xbf" + data, data.replace(b"\n", b"\r")]))
        elif op == "duplicate" and n:
            data = data[:i] + data[i:i + 200] * draw(st.integers(2, 30)) + data[i:]
    return src, data


@given(mutated())
def test_extract_and_link_never_raise(case: tuple[Path, bytes]) -> None:
    src, data = case
    decoded = decode(data)
    if not isinstance(decoded, bytes):
        return  # binary or undecodable: a diagnostic, never parsed
    root = src.parent
    while root != FIXTURES and not (root / "package.json").exists():
        root = root.parent
    rel = src.relative_to(root).as_posix()
    facts = {rel: extract(rel, decoded)}
    for other in sorted(root.rglob("*")):
        if other.suffix in SUFFIXES and other != src and other.is_file():
            orel = other.relative_to(root).as_posix()
            facts[orel] = extract(orel, other.read_bytes())
    project = link(root, facts)
    assert project.graph is not None


def _reports(folder: Path, jobs: int) -> tuple[str, str]:
    result = check([str(folder)], use_cache=False, jobs=jobs)
    j, s = io.StringIO(), io.StringIO()
    json_out.write(result, j)
    sarif_out.write(result, s)
    return j.getvalue(), s.getvalue()


@settings(max_examples=12)
@given(st.sampled_from(PROJECTS), mutated())
def test_reports_are_byte_identical_across_runs_and_jobs(project: Path, case: tuple[Path, bytes]) -> None:
    src, data = case
    tmp = Path(tempfile.mkdtemp(prefix="ipclint-fuzz-"))
    try:
        folder = tmp / "p"
        shutil.copytree(project, folder)
        target = folder / "src" / ("fuzzed" + src.suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        first = _reports(folder, 1)
        assert _reports(folder, 1) == first
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(engine, "PARALLEL_THRESHOLD", 1)  # really use worker processes
            mp.setattr(engine, "PARALLEL_MIN_BYTES", 0)
            assert _reports(folder, 2) == first
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

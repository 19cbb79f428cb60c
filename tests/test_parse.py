"""Parsing: one grammar per suffix, the fact query compiles for each, JSX in .js parses."""
from __future__ import annotations

import pytest

from ipclint.extract import parse as P
from ipclint.extract.extract import extract
from ipclint.model.values import Member


@pytest.mark.parametrize("dialect", ["js", "ts", "tsx"])
def test_fact_query_compiles_for_every_grammar(dialect: str) -> None:
    assert P.facts_query(dialect).pattern_count > 10


@pytest.mark.parametrize("path,dialect", [("a.js", "js"), ("a.mjs", "js"), ("a.cjs", "js"), ("a.jsx", "js"),
                                          ("a.ts", "ts"), ("a.mts", "ts"), ("a.cts", "ts"), ("a.tsx", "tsx")])
def test_grammar_by_suffix(path: str, dialect: str) -> None:
    assert P.dialect_for(path) == dialect


def test_jsx_in_js_and_modern_syntax_parse_cleanly() -> None:
    src = b"""
    import { ipcRenderer } from 'electron'
    class A { #x = 1; static y = 2n; get z() { return this.#x ?? 0 } }
    export const App = () => <div onClick={() => ipcRenderer?.send('a:b', import.meta.url)}>{a?.b}</div>
    """
    facts = extract("src/App.js", src)
    assert facts.parse_errors == ()
    assert [c.callee.text for c in facts.calls if isinstance(c.callee, Member)] == ["ipcRenderer?.send"]


def test_vue_lang_ts_uses_the_typescript_grammar() -> None:
    src = b'<template><div/></template>\n<script setup lang="ts">\nconst x: number = 1\n</script>\n'
    facts = extract("C.vue", src)
    assert facts.dialect == "ts" and facts.parse_errors == ()

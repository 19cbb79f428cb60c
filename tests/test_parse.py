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


def test_jsx_attribute_named_class_in_js_parses_as_tsx() -> None:
    """tree-sitter-javascript rejects a JSX attribute named `class` (Preact, hand-written pages);
    the TSX grammar reads it: the file is analysed in that grammar, without syntax errors."""
    src = b"export default function Main() {\n  return <div class=\"box\">{window.api.ping('x')}</div>\n}\n"
    assert P.parse(src, "js").root_node.has_error
    facts = extract("src/Main.js", src)
    assert facts.parse_errors == () and facts.dialect == "tsx"
    assert [c.callee.text for c in facts.calls] == ["window.api.ping"]
    broken = extract("src/Broken.js", b"const a = (\n")  # (still a syntax error in either grammar)
    assert broken.parse_errors and broken.dialect == "js"


def test_negation_before_a_generic_call_stays_over_the_whole_chain() -> None:
    """`!Object.values<string>(E).includes(ch)`: tree-sitter-typescript puts the `!` inside the
    callee of the generic call; the type arguments are blanked and the code parsed again, so the
    `!` negates the whole test, at the same positions."""
    src = b"if (!Object.values<string>(AppEvent).includes(event)) return\n"
    root = P.parse(src, "ts").root_node
    cond = root.children[0].child_by_field_name("condition").named_children[0]
    assert cond.type == "unary_expression" and cond.end_byte == src.index(b")) return") + 1
    assert P.parse(b"if (!a.b(c)) {}\n", "ts").root_node.children[0].child_by_field_name(
        "condition").named_children[0].type == "unary_expression"


def test_class_heritage_keeps_the_base_apart_from_the_interfaces() -> None:
    """`extends` names the base class (IPC004 reads it: `LitElement`), `implements` the interfaces
    (a service typed by an interface is its one implementation); `implements` alone is no base."""
    from ipclint.extract.extract import extract
    ts = extract("a.ts", b"class A extends lit.LitElement<X> implements I, ns.J<T> {}\n"
                         b"class C implements Registrar {}\nclass D extends mixin(E) {}\n")
    assert ts.class_bases == {"A": "LitElement", "D": "mixin"}
    assert ts.class_implements == {"A": ("I", "J"), "C": ("Registrar",)}
    js = extract("a.js", b"class B extends base.Service {}\n")
    assert js.class_bases == {"B": "Service"} and js.class_implements == {}


@pytest.mark.parametrize("path", ["src/Share.js", "src/Share.tsx"])
def test_bare_ampersand_in_a_jsx_attribute_string_is_no_syntax_error(path: str) -> None:
    """`href="https://x.example/?a=1&b=2"`: JSX takes a bare `&` in an attribute string, but
    tree-sitter reads `&b` as a character reference and reports an error. The file parses cleanly,
    with every position in place; real character references and real errors stay as they are."""
    src = (b"export const Share = () => (\n"
           b"  <a href=\"https://x.example/?u=https://y.example?a=1&b=2&amp;c=3\" title='x&y'\n"
           b"     onClick={() => window.api.share('link:shared')}>share</a>\n)\n")
    assert P.parse(src, "tsx" if path.endswith(".tsx") else "js").root_node.text.count(b"&") == 1  # (&amp;)
    facts = extract(path, src)
    assert facts.parse_errors == ()
    assert [(c.callee.text, c.span.line, c.span.column) for c in facts.calls] == [("window.api.share", 3, 21)]
    broken = extract(path, src + b"const = ;\n")
    assert len(broken.parse_errors) == 1 and broken.parse_errors[0][0] == 4


@pytest.mark.parametrize("path", ["src/Panel.js", "src/Panel.tsx"])
def test_bare_ampersand_in_jsx_text_is_no_syntax_error(path: str) -> None:
    """`<h3>Config & Data</h3>`: JSX text takes a bare `&` too (Babel and TypeScript do), which
    tree-sitter rejects. The file parses cleanly, positions in place; a character reference and
    an `&&` inside an expression stay as they are."""
    src = (b"export const Panel = ({ a, b }) => (\n"
           b"  <div>\n"
           b"    <h3 className='title'>Config & Data</h3>\n"
           b"    <p>Drag & drop, {a} & {b}, Tom &amp; Jerry {a && b}</p>\n"
           b"    <button onClick={() => window.api.save('panel:save')}>save</button>\n"
           b"  </div>\n)\n")
    tree = P.parse(src, "tsx" if path.endswith(".tsx") else "js")
    assert not tree.root_node.has_error and tree.root_node.text.count(b"&") == 3  # (&amp; and &&)
    facts = extract(path, src)
    assert facts.parse_errors == ()
    assert [(c.callee.text, c.span.line, c.span.column) for c in facts.calls] == [("window.api.save", 5, 28)]


def test_tagged_templates_with_object_type_arguments_are_no_syntax_error() -> None:
    """`styled.div<{ dir?: string }>` + a template literal (styled-components, emotion): valid
    TypeScript that tree-sitter-typescript rejects, losing the declaration (and what follows) to
    error recovery. The file parses cleanly, positions in place; comparisons before a template
    literal are not type arguments."""
    src = (b"import { ipcRenderer } from 'electron'\n"
           b"const Box = styled.div<{ dir?: 'ltr' | 'rtl'; onPick: () => void }>`\n"
           b"  ${(p) => (p.dir === 'rtl' ? 'left: 0' : 'right: 0;')}\n"
           b"`\n"
           b"const Row = styled(Box)<{ $on: boolean }>`cursor: ${(p) => (p.$on ? 'pointer' : 'auto')};`\n"
           b"const big = n > `${limit}`.length\n"
           b"export function save(x: string) { return ipcRenderer.invoke('save', x) }\n")
    tree = P.parse(src, "tsx")
    assert not tree.root_node.has_error and b"<{ $on" not in tree.root_node.text
    assert b"n > `" in tree.root_node.text  # (a comparison: not blanked)
    facts = extract("src/Box.tsx", src)
    assert facts.parse_errors == ()
    assert [(c.callee.text, c.span.line) for c in facts.calls if c.callee.text == "ipcRenderer.invoke"] \
        == [("ipcRenderer.invoke", 7)]
    assert [f.name for f in facts.functions if f.name == "save"] == ["save"]


@pytest.mark.parametrize("path", ["src/sketch.ts", "src/sketch.tsx"])
def test_a_block_opening_with_a_modifier_named_variable_is_no_syntax_error(path: str) -> None:
    """`if (dirty) { override[uri] = text }`: tree-sitter-typescript reads a block whose first
    statement is a variable named `override`, `public`, `private` or `protected` indexed by `[...]`
    as a class member and reports a syntax error. The file parses cleanly, positions in place, and
    the statements after it keep their facts; a class member of that form is still a member."""
    src = (b"import { ipcRenderer } from 'electron'\n"
           b"export function overrides(files: string[], dirty: boolean) {\n"
           b"  const override: Record<string, string> = {}\n"
           b"  for (const f of files) {\n"
           b"    if (dirty) {\n"
           b"      override[f] = f\n"
           b"    }\n"
           b"  }\n"
           b"  { private [0] = 1 }\n"
           b"  return ipcRenderer.invoke('sketch:save', override)\n"
           b"}\n"
           b"class Base { override [Symbol.iterator]() { return [] } }\n")
    tree = P.parse(src, "tsx" if path.endswith(".tsx") else "ts")
    assert not tree.root_node.has_error and tree.root_node.text.count(b"override[f]") == 1
    facts = extract(path, src)
    assert facts.parse_errors == ()
    assert [(c.callee.text, c.span.line, c.span.column) for c in facts.calls
            if c.callee.text == "ipcRenderer.invoke"] == [("ipcRenderer.invoke", 10, 10)]


@pytest.mark.parametrize("path", ["src/sync.js", "src/sync.ts", "src/sync.tsx"])
def test_a_line_starting_with_a_name_that_begins_with_in_is_no_syntax_error(path: str) -> None:
    """`refresh()` then `in_progress = true` on the next line: tree-sitter reads the name's `in` as
    the operator continuing the line before (no `;` ends it) and reports a syntax error; so in a
    type's members and a class's fields. The file parses cleanly, positions in place, and the
    statements after it keep their facts; `key\n  in obj` (the operator) stays an operator."""
    typed = not path.endswith(".js")
    src = (b"import { ipcRenderer } from 'electron'\n"
           + (b"type Job = {\n  id: string\n  in_sync: boolean\n  in2?: number\n}\n" if typed else b"")
           + b"let in_progress = false\n"
           b"export function sync(key, obj) {\n"
           b"  refresh()\n"
           b"  in_progress = true\n"
           b"  instanceof_count = key\n"
           b"    in obj\n"
           b"  return ipcRenderer.invoke('sync:run', in_progress)\n"
           b"}\n")
    tree = P.parse(src, {"js": "js", "ts": "ts", "tsx": "tsx"}[path.rsplit(".", 1)[1]])
    assert not tree.root_node.has_error and src.count(b";") == tree.root_node.text.count(b";") - (4 if typed else 2)
    assert b"key\n    in obj" in tree.root_node.text  # (the operator: not rewritten)
    facts = extract(path, src)
    assert facts.parse_errors == ()
    line = 13 if typed else 8
    assert [(c.callee.text, c.span.line, c.span.column) for c in facts.calls
            if c.callee.text == "ipcRenderer.invoke"] == [("ipcRenderer.invoke", line, 10)]


@pytest.mark.parametrize("path", ["app/actions/browser.js", "app/components/Bar.jsx"])
def test_a_flow_typed_script_is_read_as_typescript(path: str) -> None:
    """A .js file with Flow type annotations (`// @flow`, `import type`, typed parameters) is no
    JavaScript to tree-sitter-javascript; TypeScript reads these annotations, so the file is parsed
    as TypeScript (TSX when it has JSX) and its calls keep their facts, positions in place."""
    jsx = path.endswith(".jsx")
    src = (b"// @flow\n"
           b"import { ipcRenderer } from 'electron'\n"
           b"import type { Dispatch } from '../reducers/types'\n"
           b"type Props = { url: string, zoom: number }\n"
           b"export const open = (url: string, dispatch: Dispatch): void => {\n"
           b"  ipcRenderer.send('open-url', url)\n"
           b"}\n"
           + (b"export const Bar = (props: Props) => <div className=\"bar\">{props.url}</div>\n" if jsx else b""))
    tree, dialect = P.parse_source(src, "js")
    assert not tree.root_node.has_error and dialect == ("tsx" if jsx else "ts")
    facts = extract(path, src)
    assert facts.parse_errors == ()
    assert [(c.callee.text, c.span.line, c.span.column) for c in facts.calls
            if c.callee.text == "ipcRenderer.send"] == [("ipcRenderer.send", 6, 3)]
    plain = b"import { ipcRenderer } from 'electron'\nconst a = b < c\n"  # (valid JavaScript: kept as is)
    assert P.parse_source(plain, "js")[1] == "js"


@pytest.mark.parametrize("path", ["src/stores.ts", "src/stores.tsx"])
def test_function_types_with_untyped_pattern_parameters_are_no_syntax_error(path: str) -> None:
    """`delete: ({ workspace }) => void` (ferdium-app's store interfaces): a function type whose
    parameter is a destructuring pattern without a type annotation is valid TypeScript that
    tree-sitter-typescript rejects at the `=>`. The file parses cleanly, positions in place; an
    arrow function of the code keeps its pattern parameter."""
    src = (b"interface WorkspacesStore {\n"
           b"  delete: ({ workspace }) => void;\n"
           b"  update: ({ workspace, name }) => Promise<void>;\n"
           b"  saving: boolean;\n"
           b"}\n"
           b"type Pick = ({ id }) => number\n"
           b"const run = ({ channel }) => window.api.ping(channel)\n")
    facts = extract(path, src)
    assert facts.parse_errors == ()
    assert [(c.callee.text, c.span.line, c.span.column) for c in facts.calls] == [("window.api.ping", 7, 30)]
    assert [(p.name, p.path) for f in facts.functions if f.name == "run" for p in f.params] \
        == [("channel", ("channel",))]
    assert extract(path, src + b"const = ;\n").parse_errors  # (a real error is still reported)


@pytest.mark.parametrize("path", ["src/index.ts", "src/index.tsx"])
def test_a_type_only_star_re_export_is_no_syntax_error(path: str) -> None:
    """`export type * from './x'` (TypeScript 5.0) is unknown to tree-sitter-typescript; the file
    parses cleanly with every position in place, and its other re-exports and calls are kept."""
    src = (b"export type * from './model'\n"
           b"export   type   *   as Api from './api'\n"
           b"export * from './channels'\n"
           b"window.api.ping('x')\n")
    facts = extract(path, src)
    assert facts.parse_errors == ()
    assert [(c.callee.text, c.span.line, c.span.column) for c in facts.calls] == [("window.api.ping", 4, 1)]
    assert "./channels" in facts.star_exports
    # (a .js file with type syntax is read as TypeScript, as a Flow-typed one is)
    assert extract("src/plain.js", b"export type * from './model'\n").dialect == "ts"


def test_import_types_with_type_arguments_are_no_syntax_error() -> None:
    """`import('x').T<A>` types, and import types inside a call's type arguments, are valid
    TypeScript that tree-sitter-typescript rejects (a function around one loses its body to error
    recovery). The file parses cleanly, positions in place; dynamic imports stay as they are."""
    src = (b"import { ipcMain } from 'electron'\n"
           b"let state: A & import('rxjs').Observable<string> | undefined\n"
           b"const api = { log: make.promise<{ level: import('./log').Level; args: unknown[] }>(),\n"
           b"  win: make.promise<import(\"electron\").BrowserWindow | void>() }\n"
           b"const lazy = { load: () => import('./x').then((m) => m.a < 2) }\n"
           b"let entries: import(\"node:fs\").Dirent[] = []\n"
           b"async function save (_e: unknown, p: string): Promise<import('./types').Result<string>> {\n"
           b"  return write(p)\n"
           b"}\n"
           b"ipcMain.handle('save', save)\n")
    facts = extract("src/main.ts", src)
    assert facts.parse_errors == ()
    assert P.parse(src, "ts").root_node.text.count(b"import(") == 1  # (the dynamic one)
    assert [(c.callee.text, c.span.line) for c in facts.calls if c.callee.text in ("write", "ipcMain.handle")] \
        == [("write", 8), ("ipcMain.handle", 10)]
    save = [f for f in facts.functions if f.name == "save"]
    assert save and [p.name for p in save[0].params] == ["_e", "p"]
    broken = extract("src/main.ts", src + b"const = ;\n")
    assert len(broken.parse_errors) == 1 and broken.parse_errors[0][0] == 10


@pytest.mark.parametrize("path", ["src/title.ts", "src/title.tsx"])
def test_a_tagged_template_with_type_arguments_is_no_syntax_error(path: str) -> None:
    """`styled.div<{ $gap: number }>`...`` (styled-components, emotion) is valid TypeScript that
    tree-sitter-typescript reads with a MISSING `!`; the file parses cleanly with every position in
    place and its calls are kept."""
    src = (b"const Bar = styled.div<{ $exit?: boolean }>`\n"
           b"  color: ${(p) => (p.$exit ? 'red' : 'blue')};\n"
           b"`;\n"
           b"const Box = styled(Bar)<{\n  $max?: boolean;\n}>`x`;\n"
           b"window.api.ping('x')\n")
    facts = extract(path, src)
    assert facts.parse_errors == ()
    assert ("window.api.ping", 7, 1) in [(c.callee.text, c.span.line, c.span.column) for c in facts.calls]
    assert extract(path, src + b"const = ;\n").parse_errors  # (a real error is still reported)

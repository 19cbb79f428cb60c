"""The only module that imports tree_sitter: grammars by suffix, parsers and compiled queries."""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import islice
from pathlib import Path

import tree_sitter as ts
import tree_sitter_javascript as tsj
import tree_sitter_typescript as tst

Node = ts.Node
Tree = ts.Tree

JS_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx"})
TS_SUFFIXES = frozenset({".ts", ".mts", ".cts"})
TSX_SUFFIXES = frozenset({".tsx"})
SOURCE_SUFFIXES = JS_SUFFIXES | TS_SUFFIXES | TSX_SUFFIXES | {".vue"}

_QUERY_DIR = Path(__file__).parent / "queries"


@cache
def language(dialect: str) -> ts.Language:
    if dialect == "js":
        return ts.Language(tsj.language())
    if dialect == "ts":
        return ts.Language(tst.language_typescript())
    return ts.Language(tst.language_tsx())


@cache
def _parser(dialect: str) -> ts.Parser:
    return ts.Parser(language(dialect))


def dialect_for(path: str, vue_lang: str | None = None) -> str:
    """JSX in .js is normal (Create React App): the JS grammar parses it."""
    suffix = Path(path).suffix.lower()
    if suffix == ".vue":
        return "ts" if vue_lang in ("ts", "tsx") else "js"
    if suffix in TSX_SUFFIXES:
        return "tsx"
    if suffix in TS_SUFFIXES:
        return "ts"
    return "js"


def parse(data: bytes, dialect: str) -> ts.Tree:
    if dialect != "js" and b"typeof import" in data and _AWAIT_TYPEOF_IMPORT.search(data) is not None:
        data = _without_typeof_import_arguments(data) or data  # (from the bytes alone: before parsing)
    if dialect != "js" and b"export type" in data and _EXPORT_TYPE_STAR.search(data) is not None:
        data = _without_type_star_keywords(data)
    tree = _parser(dialect).parse(data)
    if dialect != "js" and _BANG_GENERIC.search(data) is not None:
        fixed = _without_misread_type_arguments(tree, data, dialect)
        if fixed is not None:
            tree = _parser(dialect).parse(fixed)
            data = fixed
    if dialect != "js" and tree.root_node.has_error and b"import" in data:
        tree, data = _kept(tree, data, dialect, _without_import_type_qualifiers(data))
    if dialect != "js" and tree.root_node.has_error and _TAGGED_AFTER_TYPE.search(data) is not None:
        tree, data = _kept(tree, data, dialect, _without_tag_type_arguments(data))
    if dialect != "js" and tree.root_node.has_error and _MODIFIER_AT_BLOCK_START.search(data) is not None:
        tree, data = _kept(tree, data, dialect, _without_modifier_block_starts(data))
    if tree.root_node.has_error and _KEYWORD_PREFIXED_LINE.search(data) is not None:
        tree, data = _kept(tree, data, dialect, _without_keyword_prefixed_line_starts(data))
    if dialect != "js" and tree.root_node.has_error and _UNTYPED_PATTERN_PARAM.search(data) is not None:
        tree, data = _kept(tree, data, dialect, _without_untyped_pattern_braces(tree, data))
    if dialect in ("js", "tsx") and tree.root_node.has_error and b"&" in data:
        fixed = _without_bare_ampersands(tree, data, dialect)
        if fixed is not None:
            tree = _parser(dialect).parse(fixed)
    return tree


def _kept(tree: ts.Tree, data: bytes, dialect: str, fixed: bytes | None) -> tuple[ts.Tree, bytes]:
    """The tree of a same-length rewrite of ``data`` where error recovery takes less of it than
    in ``tree``; else ``tree`` and ``data`` as they were."""
    if fixed is None:
        return tree, data
    other = _parser(dialect).parse(fixed)
    if _error_extent(other.root_node) < _error_extent(tree.root_node):
        return other, fixed
    return tree, data


# `delete: ({ workspace }) => void` (a member of an interface or type): a function type whose
# parameter is a destructuring pattern with no type annotation is valid TypeScript (the binding is
# `any`), but tree-sitter-typescript takes such a pattern only with an annotation and reports a
# syntax error at the `=>`. Where an error starts at (or takes) the `=>` after such a parameter, its
# braces are blanked (same length: the parameter reads as a plain name, every position stays), and
# the file parsed again, kept only when error recovery takes less of it. Arrow functions of the
# code parse without error and are left alone.
_UNTYPED_PATTERN_PARAM = re.compile(rb"\(\s*(\{)[^{}()]*(\})\s*\)\s*(=>)")


def _without_untyped_pattern_braces(tree: ts.Tree, data: bytes) -> bytes | None:
    errors = [(n.start_byte, n.end_byte) for n in islice(_error_nodes(tree.root_node), 200)]
    out = bytearray(data)
    changed = False
    for m in _UNTYPED_PATTERN_PARAM.finditer(data):
        arrow = m.start(3)
        if any(start <= arrow < max(end, start + 1) for start, end in errors):
            out[m.start(1)] = out[m.start(2)] = 32
            changed = True
    return bytes(out) if changed else None


# `<a href="https://x.example/?a=1&b=2">`, `<h3>Config & Data</h3>`: JSX takes a bare `&` in an
# attribute string and in text (Babel and TypeScript do), but tree-sitter reads `&b` as the start of
# a character reference (and `& ` in text as nothing it knows) and reports a syntax error. Such an
# `&` is blanked (same length: every position stays) and the file parsed again.
_CHAR_REFERENCE = re.compile(rb"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")


@cache
def _ampersand_query(dialect: str) -> ts.Query:
    return ts.Query(language(dialect), "(jsx_attribute (string (ERROR) @error) @string) (jsx_element (ERROR) @text)")


def _without_bare_ampersands(tree: ts.Tree, data: bytes, dialect: str) -> bytes | None:
    found = ts.QueryCursor(_ampersand_query(dialect)).captures(tree.root_node)
    ranges = [(n.start_byte, n.end_byte) for n in found.get("string", [])]
    for node in found.get("text", []):  # (the text before the error holds the `&`, or the error does)
        before = node.prev_sibling
        start = before.start_byte if before is not None and before.type == "jsx_text" else node.start_byte
        ranges.append((start, node.end_byte))
    out = bytearray(data)
    for start, end in ranges:
        i = data.find(b"&", start, end)
        while i >= 0:
            if _CHAR_REFERENCE.match(data, i) is None:
                out[i] = 32
            i = data.find(b"&", i + 1, end)
    return bytes(out) if out != data else None


# `if (dirty) {\n  override[uri] = text }`: a block whose first statement starts with a variable named
# like a class member modifier (`override`, `public`, `private`, `protected`) and a subscript is
# read by tree-sitter-typescript as a class member (TypeScript reads a statement). The white space
# right before the name becomes an empty statement (`;`: same length, the name kept) and the file
# parsed again, kept only when error recovery takes less of it.
_MODIFIER_AT_BLOCK_START = re.compile(rb"\{\s*?(\s)(?:override|public|private|protected)\s*\[")


def _without_modifier_block_starts(data: bytes) -> bytes:
    out = bytearray(data)
    for m in _MODIFIER_AT_BLOCK_START.finditer(data):
        out[m.start(1)] = 59  # `;`
    return bytes(out)


# `  refresh()\n  in_progress = true`, `{\n  a: string\n  in_sync: boolean\n}`: after a line ended
# without `;` or `,`, tree-sitter's automatic semicolon insertion reads a name that begins with `in`
# or `instanceof` and then `_`, `$` or a digit as the operator continuing the line before (the
# statement, member or field is lost to error recovery). The indentation's last character becomes
# an empty statement or separator (`;`: same length, the name kept) and the file parsed again,
# kept only when error recovery takes less of it.
_KEYWORD_PREFIXED_LINE = re.compile(rb"(?m)^[ \t]*?([ \t])(?:in|instanceof)[_$0-9]")


def _without_keyword_prefixed_line_starts(data: bytes) -> bytes | None:
    out = bytearray(data)
    changed = False
    for m in _KEYWORD_PREFIXED_LINE.finditer(data):
        i = m.start() - 1
        while i >= 0 and data[i] in b" \t\r\n":
            i -= 1
        if i >= 0 and data[i] not in b";,{([":  # (the last character of the lines before)
            out[m.start(1)] = 59  # `;`
            changed = True
    return bytes(out) if changed else None


# `styled.div<{ dir?: string }>` + a template literal (styled-components, emotion): a tagged template
# with type arguments. tree-sitter-typescript takes `tag<T>`...`` with a plain type but not with an
# object type, and error recovery takes the declaration. The type arguments (the `<...>` right
# before the backtick, after a name, `)` or `]`) are blanked (same length) and the file parsed
# again, kept only when error recovery takes less of it. Type arguments say nothing the analysis uses.
_TAGGED_AFTER_TYPE = re.compile(rb">[ \t]*`")
_OPENERS = {ord(">"): ord("<"), ord("}"): ord("{"), ord(")"): ord("("), ord("]"): ord("[")}


def _without_tag_type_arguments(data: bytes) -> bytes | None:
    out = bytearray(data)
    changed = False
    for m in _TAGGED_AFTER_TYPE.finditer(data):
        start = _opening_angle(data, m.start())
        if start is None:
            continue
        before = data[:start].rstrip()[-1:]
        if before and (before.isalnum() or before in b"_$)]"):
            _blank(out, data, start, m.start() + 1)
            changed = True
    return bytes(out) if changed else None


def _opening_angle(data: bytes, end: int) -> int | None:
    """The `<` that opens the type arguments closed by the `>` at ``end``, read backwards (quotes
    skipped, `=>` no bracket), within ``_TYPE_ARGUMENTS_MAX`` bytes."""
    stack: list[int] = []
    i = end
    stop = max(0, end - _TYPE_ARGUMENTS_MAX)
    while i >= stop:
        b = data[i]
        if b in b"'\"`" and i != end:
            j = data.rfind(bytes((b,)), stop, i)
            if j < 0:
                return None
            i = j
        elif b in _OPENERS and not (b == 62 and i > 0 and data[i - 1] == 61):
            stack.append(_OPENERS[b])
        elif b in b"<{([":
            if not stack or stack.pop() != b:
                return None
            if not stack:
                return i if b == 60 else None
        elif b in b";" and len(stack) == 1:  # (a statement, not a type literal's member list)
            return None
        i -= 1
    return None


# `let s: import('rxjs').Observable<T>`, `(): import('./x').Result<A> | null`: tree-sitter-typescript
# takes an import type only without type arguments; with them the annotation, and often the
# function or class around it, is lost to error recovery (a function's body read as top-level
# statements: its parameters are no longer parameters); so is one inside a call's type arguments
# (`f<import('electron').BrowserWindow | void>()`, `f<{ level: import('./log').Level }>()`), where
# the `<` or `:` before it and the `|`, `;`, `>`, `[]` after it show a type. The `import('...').` qualifier is blanked
# (same length; the named type and its arguments stay) and the file parsed again, kept only when
# error recovery takes less of it (``_error_extent``).
_IMPORT_QUALIFIER = rb"""import\s*\(\s*(?:'[^'\n]*'|"[^"\n]*")\s*\)\s*\."""
_IMPORT_TYPE_QUALIFIER = re.compile(
    rb"\b(" + _IMPORT_QUALIFIER + rb")(?=\s*[\w$]+(?:\s*\.\s*[\w$]+)*\s*<)"  # `import('x').T<A>`
    rb"|[<:,|&]\s*(" + _IMPORT_QUALIFIER + rb")(?=\s*[\w$]+(?:\s*\.\s*[\w$]+)*\s*[;,}|&>\]\[)=])")  # in a type


def _without_import_type_qualifiers(data: bytes) -> bytes | None:
    out = bytearray(data)
    changed = False
    for m in _IMPORT_TYPE_QUALIFIER.finditer(data):
        group = 1 if m.start(1) >= 0 else 2
        _blank(out, data, m.start(group), m.end(group))
        changed = True
    return bytes(out) if changed else None


def parse_source(data: bytes, dialect: str) -> tuple[ts.Tree, str]:
    """``parse``, and the dialect the tree was parsed in: a .js file that the JavaScript grammar
    rejects is parsed again as TSX when it has JSX (`<div class="box">`: tree-sitter-javascript
    takes no attribute named `class`) and as TypeScript when it has type annotations (Flow:
    `// @flow`, `import type { A } from './types'`, `(url: string) =>`), and the grammar that reads
    it with the least taken by error recovery (``_error_extent``) is kept."""
    tree = parse(data, dialect)
    if dialect != "js" or not tree.root_node.has_error:
        return tree, dialect
    best, errors = (tree, dialect), _error_extent(tree.root_node)
    for other in (("tsx",) if b"<" in data else ()) + ("ts",):
        if errors == 0:
            break
        parsed = parse(data, other)
        found = _error_extent(parsed.root_node)
        if found < errors:
            best, errors = (parsed, other), found
    return best


# `!Object.values<string>(X).includes(ch)`: tree-sitter-typescript reads the `!` as part of the
# callee of the generic call (`(!Object.values)<string>(X)`), so the negation lands inside the
# chain instead of over it. Type arguments say nothing the analysis uses: such calls are parsed
# again with their type arguments blanked (same length: every position stays).
_BANG_GENERIC = re.compile(rb"![\w$][\w$.]*\s*<")


@cache
def _misread_query(dialect: str) -> ts.Query:
    return ts.Query(language(dialect), '(call_expression function: (unary_expression operator: "!") '
                                       'type_arguments: (type_arguments) @targs)')


def _without_misread_type_arguments(tree: ts.Tree, data: bytes, dialect: str) -> bytes | None:
    found = ts.QueryCursor(_misread_query(dialect)).captures(tree.root_node).get("targs", [])
    spans = [(n.start_byte, n.end_byte) for n in found]
    if not spans:
        return None
    out = bytearray(data)
    for start, end in spans:
        _blank(out, data, start, end)
    return bytes(out)


def _blank(out: bytearray, data: bytes, start: int, end: int) -> None:
    """Spaces over ``data[start:end]`` in ``out``, line breaks kept: every position stays."""
    out[start:end] = bytes(b if b in b"\r\n" else 32 for b in data[start:end])


# `export type * from './types'` (TypeScript 5.0): tree-sitter-typescript knows `export type { A }`
# but not a type-only star re-export, and reports a syntax error. The `type` keyword is blanked (same
# length: every position stays) and the line reads as `export * from`: code that compiles uses no
# value through a type-only re-export, so nothing resolves through it that should not.
_EXPORT_TYPE_STAR = re.compile(rb"\bexport\s+(type)\s+\*")


def _without_type_star_keywords(data: bytes) -> bytes:
    out = bytearray(data)
    for m in _EXPORT_TYPE_STAR.finditer(data):
        _blank(out, data, m.start(1), m.end(1))
    return bytes(out)


# `await vi.importActual<typeof import('./x')>('./x')`: after `await`, tree-sitter-typescript reads a
# type argument that is a `typeof import(...)` type query as `(await f) < typeof import('./x')`, then
# `> ('./x')` as a comparison: the call is lost, and with no argument or a trailing comma it is a
# syntax error (vitest mocks, typed invoke helpers). Such type arguments are blanked (same length).
_AWAIT_TYPEOF_IMPORT = re.compile(rb"\bawait\s+[\w$][\w$.?!]*\s*(<)\s*typeof\s+import\s*\(")
_TYPE_ARGUMENTS_MAX = 2000  # bytes scanned for the closing `>`


def _without_typeof_import_arguments(data: bytes) -> bytes | None:
    out = bytearray(data)
    changed = False
    for m in _AWAIT_TYPEOF_IMPORT.finditer(data):
        start = m.start(1)
        end = _closing_angle(data, start)
        if end is None:
            continue
        _blank(out, data, start, end + 1)
        changed = True
    return bytes(out) if changed else None


def _closing_angle(data: bytes, start: int) -> int | None:
    """The `>` that closes the type arguments opened at ``start``, when a call's `(` follows it."""
    depth = 0
    i = start
    stop = min(len(data), start + _TYPE_ARGUMENTS_MAX)
    while i < stop:
        b = data[i]
        if b in b"'\"`":
            j = data.find(bytes((b,)), i + 1, stop)
            while j > 0 and data[j - 1] == 92 and data[j - 2] != 92:  # an escaped quote
                j = data.find(bytes((b,)), j + 1, stop)
            if j < 0:
                return None
            i = j
        elif b in b"<(":
            depth += 1
        elif b in b">)" and not (b == 62 and data[i - 1] == 61):  # `=>` closes nothing
            depth -= 1
            if depth == 0:
                if b != 62:
                    return None
                rest = data[i + 1:stop].lstrip()
                return i if rest.startswith(b"(") else None
        elif b in b";{}":
            return None
        i += 1
    return None


@cache
def facts_query(dialect: str) -> ts.Query:
    """The fact-shape query for a dialect: the common part plus JSX and TypeScript parts."""
    parts = ["facts"] + (["facts-jsx"] if dialect in ("js", "tsx") else []) \
        + (["facts-ts"] if dialect != "js" else []) + (["facts-tsonly"] if dialect == "ts" else [])
    text = "\n".join((_QUERY_DIR / f"{p}.scm").read_text(encoding="utf-8") for p in parts)
    return ts.Query(language(dialect), text)


@cache
def _writes_query(dialect: str) -> ts.Query:
    return ts.Query(language(dialect), "(assignment_expression left: (identifier) @w) "
                                       "(augmented_assignment_expression left: (identifier) @w) "
                                       "(update_expression argument: (identifier) @w) "
                                       "(variable_declarator name: (identifier) @w)")


def written_names(dialect: str, root: ts.Node, data: bytes) -> dict[str, list[int]]:
    """Name -> the start bytes, in order, of the identifiers the file assigns, updates or declares
    (`x = v`, `x += v`, `x++`, `let x`): one query over the tree, in C."""
    out: dict[str, list[int]] = {}
    for n in ts.QueryCursor(_writes_query(dialect)).captures(root).get("w", []):
        out.setdefault(data[n.start_byte:n.end_byte].decode("utf-8", "replace"), []).append(n.start_byte)
    for starts in out.values():
        starts.sort()
    return out


def fact_nodes(dialect: str, root: ts.Node) -> dict[str, list[ts.Node]]:
    return ts.QueryCursor(facts_query(dialect)).captures(root)


# QueryCursor silently drops matches deeper than about 65,000 levels.
QUERY_DEPTH_LIMIT = 60000


def deeper_than(root: ts.Node, limit: int) -> bool:
    """Whether the tree nests deeper than ``limit``, with a cursor walk (no recursion). A subtree
    holding too few nodes to reach below ``limit`` (``descendant_count``, kept by tree-sitter) is
    stepped over, not entered: a long file of shallow statements costs one step per statement."""
    if root.descendant_count <= limit:
        return False
    cur = root.walk()
    depth = 0
    enter = True
    while True:
        if enter and cur.goto_first_child():
            depth += 1
            if depth > limit:
                return True
        else:
            while not cur.goto_next_sibling():
                if not cur.goto_parent():
                    return False
                depth -= 1
        node = cur.node
        enter = node is not None and depth + node.descendant_count > limit


_VUE_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_VUE_LANG = re.compile(rb"""\blang\s*=\s*["']?(\w+)""")


def vue_script(data: bytes) -> tuple[bytes, str | None, tuple[tuple[int, int], ...]]:
    """Blank everything but the <script> blocks, keeping every byte offset, line and column; also
    the script's language and the line ranges of `<script setup>` blocks."""
    out = bytearray(b" " * len(data))
    for i, b in enumerate(data):
        if b in (10, 13):
            out[i] = b
    lang = None
    setup: list[tuple[int, int]] = []
    for m in _VUE_SCRIPT.finditer(data):
        out[m.start(2):m.end(2)] = m.group(2)
        lm = _VUE_LANG.search(m.group(1))
        if lm and lang is None:
            lang = lm.group(1).decode("ascii", "replace").lower()
        if re.search(rb"\bsetup\b", m.group(1)):
            setup.append((data.count(b"\n", 0, m.start(2)) + 1, data.count(b"\n", 0, m.end(2)) + 1))
    return bytes(out), lang, tuple(setup)


def _error_nodes(root: ts.Node) -> Iterator[ts.Node]:
    """The ERROR and MISSING nodes of a tree in document order (none inside another), found
    iteratively."""
    stack = [root] if root.has_error else []
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            yield node
            continue
        stack.extend(c for c in reversed(node.children) if c.has_error or c.is_missing)


def _error_extent(root: ts.Node) -> int:
    """How much of a tree error recovery took: the bytes under ERROR nodes, one for each MISSING
    node (an ERROR that swallows the whole file is one error, but the worst)."""
    return sum(max(1, n.end_byte - n.start_byte) for n in _error_nodes(root))


def error_spans(root: ts.Node, limit: int = 20) -> list[tuple[int, int, int, int]]:
    """Positions (0-based row/col) of the first ``limit`` ERROR and MISSING nodes."""
    return [(*n.start_point, *n.end_point) for n in islice(_error_nodes(root), limit)]

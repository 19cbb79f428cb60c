"""Classifying one read of a tracked name for handlerflow: climb from the identifier to whatever
consumes its value (a check, a call argument, an alias, a use), through pass-through operations."""
from __future__ import annotations

import re
from enum import Enum
from typing import Final, Literal, NamedTuple

from ipclint.extract.ancestry import Up
from ipclint.extract.flownames import is_binding, next_occurrence, occurrences
from ipclint.extract.parse import Node
from ipclint.extract.values import UNWRAPPED, text_of, unwrap
from ipclint.extract.walk import FUNCTION_TYPES, _bindings_of_pattern

MAX_UP = 48  # parents climbed from a read
TRANSPARENT = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                         "non_null_expression", "type_assertion", "await_expression", "sequence_expression"})
COMPARISONS = frozenset({"===", "!==", "==", "!=", "instanceof", "in", "<", ">", "<=", ">="})
RELATIONAL = frozenset({"<", ">", "<=", ">="})
# Calls whose result carries their argument's data (a renderer path joined to a folder is still
# renderer-chosen). `basename` is absent on purpose: it strips the directories.
PASS_CALLS = frozenset({"join", "resolve", "normalize", "dirname", "String", "decodeURIComponent", "decodeURI",
                        "fileURLToPath", "unescape", "concat"})
VALUE_METHODS = frozenset({"replace", "replaceAll", "slice", "substring", "substr", "trim", "trimStart", "trimEnd",
                           "toLowerCase", "toUpperCase", "toLocaleLowerCase", "split", "concat", "toString",
                           "padStart", "padEnd", "at", "normalize", "join", "flat", "valueOf"})
# Conversions whose result, kept in a local, is the same datum as a number or string: the local is
# checked and used in its place (`const n = Number(o.size); if (!Number.isFinite(n)) return`), so
# declaring it is no use of the value (SPEC IPC005: the first use of such a local is).
CONVERSIONS = frozenset({"Number", "String", "parseInt", "parseFloat", "Number.parseInt", "Number.parseFloat"})
VALUE_CHECKS = frozenset({"startsWith", "endsWith", "includes", "match", "search", "localeCompare"})
# Parsers of a URL string that stand for `new URL(x)` (validation of the string, IPC005; its result
# is tested by protocol and host): `URL.parse` (null instead of a throw) and Node's legacy
# `url.parse` (throws on anything but a string).
URL_PARSERS = frozenset({"URL.parse", "url.parse"})
BUILTIN_CHECKS = frozenset({"isArray", "isInteger", "isFinite", "isSafeInteger", "isNaN", "includes", "has",
                            "hasOwnProperty", "hasOwn", "test", "indexOf", "isBuffer", "isView", "isDate",
                            "isString", "isNumber", "isBoolean", "isPlainObject", "isObject",
                            "canParse"})  # (`URL.canParse(u)`)
# Array methods whose callback receives each element (reduce: as its second parameter); the
# callback's parameter is the renderer data too. FILTERS return (some of) the same elements.
ELEMENT_METHODS = frozenset({"map", "forEach", "filter", "some", "every", "find", "findLast", "flatMap", "findIndex",
                             "findLastIndex", "reduce", "reduceRight"})
FILTERS = frozenset({"filter", "find", "findLast"})
# Calls whose result holds their argument's data, keys and all (`Object.assign({}, a)` is `{ ...a }`),
# or its keys, values or elements.
SPREAD_CALLS = frozenset({"Object.assign"})
# Methods that add their arguments to the array they are called on (`args.push(value)`).
ARRAY_ADDS = frozenset({"push", "unshift"})
ITEM_CALLS = frozenset({"Object.entries", "Object.values", "Object.keys", "Object.fromEntries", "Array.from",
                        "structuredClone"})
# Pure transforms whose result is the same data in another form (SPEC IPC005: JSON.parse is no
# validator): `const cfg = JSON.parse(json); shell.openExternal(cfg.url)`. `JSON.stringify` alone is
# not one: it quotes a string for embedding in script (`executeJavaScript(`f(${JSON.stringify(x)})`)`);
# only the round trip `JSON.parse(JSON.stringify(x))` (a deep copy) carries the data.
CLONE_CALLS = frozenset({"JSON.parse", "structuredClone"})
ASSERT_CALL = re.compile(r"^(assert\w*|invariant|ok|strictEqual|equal)$")
LIBRARY_ASSERTS = frozenset({"assert", "invariant", "ok", "strictEqual", "equal"})
LOG_ROOT = re.compile(r"^(console|_?log|_?logger|logging|debug|Sentry|log[A-Z]\w*|\w+Log|\w+Logger)$")
# Logging libraries whose every method logs (`signale.success(x)`, `signale[level](x)`, `pino.child(x)`)
LOG_LIBRARIES = frozenset({"signale", "winston", "pino", "bunyan", "consola", "npmlog", "log4js", "loglevel"})
LOG_METHODS = frozenset({"log", "info", "warn", "warning", "error", "debug", "trace", "verbose", "silly", "fatal",
                         "captureException", "captureMessage", "addBreadcrumb"})
class Read(NamedTuple):
    name: str
    node: Node
    role: str
    site: Node | None = None
    into: Node | None = None  # the call the value reaches
    arg: int = -1
    keys: tuple[str, ...] = ()
    alias: tuple[str, ...] = ()
    pure: bool = True
    # the properties read off the value before anything else happened to it (`args.file.path`:
    # ("file", "path")): a check of `args.action` says nothing about `args.path`
    path: tuple[str, ...] = ()
    rewritten: bool = False  # went through `replace`/`replaceAll` (see ``_returned``)
    numeric: bool = False  # a local declared as `Number(value)` (parseInt, parseFloat): digits, no path or URL
    const: bool = False  # the alias is a `const` declaration: bound by this read alone
    # for each name of ``alias`` bound by a declaration or assignment, the property path of the value
    # it holds (`const { a, b: { c } } = value`: ("a",), ("b", "c")), after ``path``
    bound: tuple[tuple[str, ...], ...] = ()



class Reader:
    """Mixed into the analysis: needs ``fn`` and ``fn_id`` (the analysed function and its node id),
    ``data`` (the source) and ``writes`` (start bytes of assignments that reset a tracked name, with that name)."""

    fn: Node
    fn_id: int
    data: bytes
    up: Up
    writes: list[tuple[int, str]]
    callbacks: dict[str, Node]  # an element alias -> the callback function that binds it
    # reads that end as an argument of a call that may return it (`open(toFull(p))`): where that
    # call's result goes, decided at link time (a project function returning its parameter); with
    # the calls in between, each of which must return its argument too (`open(trim(toFull(p)))`:
    # the `trim(...)` call and the argument position of the first call's result in it)
    results: list[tuple[Read, Read, tuple[tuple[Node, int], ...]]]
    climbing_result: bool

    def _climb(self, name: str, ident: Node, start: Node | None = None) -> Read | None:
        """Follow the value up the tree until something consumes it; None when nothing does
        (a truthiness test, a bare statement, a log call). ``start``: climb from there (a call
        whose result carries the value) instead of from the read itself."""
        st = _State()
        if start is not None:
            st.pure, st.chain = False, False
        child = start if start is not None else ident
        node = self.up(child)
        for _ in range(MAX_UP):
            if node is None or node.id == self.fn_id:
                if node is not None and node.child_by_field_name("body") == child:
                    ret = _returned(name, ident, st)
                    return _with_path(_with_url(_with_elements(ret, name, ident, st), st), st)
                break
            if st.chain:
                _extend_path(node, child, st, self.up)
            step = self._step(name, ident, node, child, st)
            if step is not _CONTINUE:
                return _with_path(_with_url(_with_elements(step, name, ident, st), st), st)
            if st.jump is not None:
                child, node, st.jump = st.jump, self.up(st.jump), None
            else:
                child, node = node, self.up(node)
        return _with_path(_with_url(_with_elements(Read(name, ident, "use"), name, ident, st), st), st)

    def _step(self, name: str, ident: Node, node: Node, child: Node, st: _State) -> Step:
        t = node.type
        if t in TRANSPARENT:
            return _CONTINUE
        if t in ("member_expression", "subscript_expression"):
            return self._member(name, ident, node, child, st)
        if t in ("unary_expression", "binary_expression"):
            if t == "binary_expression" and operator_of(node) in RELATIONAL and self._loop_condition(node):
                return None  # `i < paths.length` in a loop's condition: a bound on the counter, not a check
            found = self._found_by_equality(name, ident, node, st) if t == "binary_expression" else None
            return found if found is not None else _operator(name, ident, node, child, st)
        if t == "ternary_expression":
            return None if node.child_by_field_name("condition") == child else _CONTINUE
        if t in ("template_substitution", "template_string", "array", "spread_element"):
            st.pure = False
            return _CONTINUE
        if t in ("pair", "object"):
            return self._object(name, ident, node, child, st)
        if t == "arguments":
            return self._argument(name, ident, node, child, st)
        if t == "variable_declarator":
            if node.child_by_field_name("value") != child:
                return None
            read = self._alias(name, ident, node.child_by_field_name("name"), st)
            decl = node.parent
            if decl is not None and decl.type == "lexical_declaration" and decl.child(0).type == "const":
                read = read._replace(const=True)
            if st.converted is not None and child.id == st.converted.id and read.alias:
                callee = st.converted.child_by_field_name("function")
                numeric = callee is not None and text_of(callee, 40) != "String"
                # `const n = Number(value)`: the same datum under another name (pure), not yet a use
                return read._replace(role="alias", pure=True, numeric=numeric)
            return read
        if t in ("assignment_expression", "augmented_assignment_expression"):
            return self._assign(name, ident, node, child, st)
        if t in ("if_statement", "while_statement", "do_statement", "for_statement", "expression_statement"):
            return None  # a condition (truthiness) or a bare expression statement
        if t == "throw_statement":
            return None  # thrown (`throw `unknown kind ${kind}``): an error message, like `new Error(...)`
        if t == "return_statement":
            return _returned(name, ident, st) if self._own_return(node) else Read(name, ident, "use")
        if t == "switch_statement":
            return Read(name, ident, "check", site=child)
        if t == "for_in_statement":  # for (const x of value): each element (or key) is the data
            if node.child_by_field_name("right") != child:
                return None
            return self._alias(name, ident, node.child_by_field_name("left"), st)._replace(bound=())
        if t in FUNCTION_TYPES or t == "catch_clause":
            if t == "arrow_function" and node.child_by_field_name("body") == child:
                return Read(name, ident, "use")  # a concise body: returned
            return None  # a parameter default or a declaration, not a read
        return Read(name, ident, "use")

    def _loop_condition(self, cmp: Node) -> bool:
        """``cmp`` decides whether a `for`/`while`/`do` loop goes round again (alone or joined by
        `&&`/`||`): the body runs while the counter is below the size, whatever the data is, and
        the code after the loop runs when the test fails, so the loop is no validation of it."""
        child, node = cmp, self.up(cmp)
        for _ in range(MAX_UP):
            if node is None:
                return False
            t = node.type
            if t == "parenthesized_expression" or (t == "binary_expression" and operator_of(node) in ("&&", "||")):
                child, node = node, self.up(node)
                continue
            return t in ("for_statement", "while_statement", "do_statement") \
                and node.child_by_field_name("condition") == child
        return False

    def _member(self, name: str, ident: Node, node: Node, child: Node, st: _State) -> Step:
        if node.child_by_field_name("object") != child:
            return self._lookup(name, ident, node)
        call = self.up(node)
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != node:
            if st.items and _prop(node) == "length":
                return None  # `Object.keys(value).length > 0`: how many entries, not what they are
            return _CONTINUE  # value.prop: the same data, deeper
        method = _prop(node)
        if method in VALUE_CHECKS:
            if method in EXTRACTING and not (is_truth(call, self.up) or _compared(call, self.up) or _whole_match(call)):
                if method != "match":
                    return Read(name, ident, "use")
                st.pure = False  # `const m = text.match(re)`: the parts of the text it extracts
                st.jump = call
                return _CONTINUE
            return Read(name, ident, "check", site=call)
        if method in ELEMENT_METHODS:
            names = self._element_params(call, method)
            if not names and method in FILTERS:  # value.filter(Boolean): the same elements
                st.jump = call
                return _CONTINUE
            if names:
                st.elements.extend(names)
                if method in FILTERS:
                    st.jump = call
                    return _CONTINUE
                return Read(name, ident, "alias" if st.pure else "use", pure=st.pure)
        if method not in VALUE_METHODS:
            return Read(name, ident, "use")  # calling a method of renderer data
        if method in REWRITES:
            st.rewritten = True
        st.pure = False
        st.jump = call
        return _CONTINUE

    def _lookup(self, name: str, ident: Node, node: Node) -> Read:
        """`TABLE[value]`: reading a table by renderer key is an allowlist lookup when its result
        is tested; writing `obj[value] = x` or calling `handlers[value]()` is a use."""
        lookup, up = node, self.up(node)
        while up is not None and up.type in TRANSPARENT:
            node, up = up, self.up(up)
        if up is not None and up.type in ("assignment_expression", "augmented_assignment_expression") \
                and up.child_by_field_name("left") == node:
            return Read(name, ident, "use")
        if up is not None and up.type == "call_expression" and up.child_by_field_name("function") == node:
            return Read(name, ident, "use")  # handlers[value](): dispatch on a renderer-chosen key
        node = lookup  # the site is the lookup itself, not the parentheses of `if (TABLE[x])` around it
        table = node.child_by_field_name("object")
        if table is not None and text_of(table, 40).replace("?.", ".") in ENVIRONMENT:
            return Read(name, ident, "use")  # `process.env[name] ?? null`: every variable is a key, no allowlist
        role = lookup_role(node, self.up)
        if role is None:
            outer = selector_call(node, self.up)  # `select((s) => s.downloads[id])` kept and tested
            role = lookup_role(outer, self.up) if outer is not None else None
            if outer is not None and role is not None:
                return Read(name, ident, role, site=outer, into=outer, arg=0)
        return Read(name, ident, role, site=node) if role is not None else Read(name, ident, "use")

    def _object(self, name: str, ident: Node, node: Node, child: Node, st: _State) -> Step:
        st.pure = False
        if node.type == "pair":
            if node.child_by_field_name("value") != child:
                return Read(name, ident, "use")
            key = node.child_by_field_name("key")
            st.keys.append(text_of(key, 60).strip("'\"`[]") if key is not None else "?")
        elif child.type == "shorthand_property_identifier":
            st.keys.append(name)
        elif child.type == "spread_element" and not st.keys:
            st.keys.append("...")  # `{ ...value }`; `{ ...{ k: value } }` keeps `k`
        return _CONTINUE

    def _found_by_equality(self, name: str, ident: Node, node: Node, st: _State) -> Read | None:
        """`LIST.find((e) => e.id === x)`: the value looked up in a list by equality, like
        `MAP.get(x)`: an allowlist when what was found is tested (`LIST.some(...)` in a condition
        is a comparison already)."""
        if operator_of(node) not in ("===", "=="):
            return None
        fn = self.up(node)
        # `(e) => e.path && resolve(e.path) === x`: every entry that passes a conjunction passes the
        # equality too; a disjunction (`e.id === x || e.fallback`) lets other entries through
        while fn is not None and (fn.type == "parenthesized_expression" or (
                fn.type == "binary_expression" and operator_of(fn) == "&&")):
            fn = self.up(fn)
        if fn is not None and fn.type == "return_statement":  # `(e) => { return e.id === x }`
            block = self.up(fn)
            if block is None or block.type != "statement_block" or len(block.named_children) != 1:
                return None
            fn = self.up(block)
        if fn is None or fn.type not in ("arrow_function", "function_expression", "function"):
            return None
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        if params is not None and name in {text_of(p, 100) for p in (params, *params.named_children)}:
            return None  # the entries themselves (`list.find((e) => e === x)` with `e` tracked)
        args = self.up(fn)
        call = self.up(args) if args is not None and args.type == "arguments" else None
        if call is None or call.type != "call_expression" or args is None or args.named_children[:1] != [fn]:
            return None
        callee = call.child_by_field_name("function")
        callee_prop = text_of(callee, 200).rsplit(".", 1)[-1] if callee is not None else ""
        if callee is None or callee.type != "member_expression" or callee_prop not in FINDS:
            return None
        role = lookup_role(call, self.up)
        if role is None:  # `select(({ servers }) => servers.find((s) => s.url === x))` kept and tested
            outer = selector_call(call, self.up)
            if outer is not None and callee_prop != "some":
                role, call = lookup_role(outer, self.up), outer
        if role is None or (role != "lookup" and callee_prop == "some"):
            return None  # `if (!LIST.some(...))`: the comparison is the check (flowtests.polarity)
        return Read(name, ident, role, site=call, into=call, arg=0, pure=st.pure)

    def _argument(self, name: str, ident: Node, args: Node, child: Node, st: _State) -> Step:
        call = self.up(args)
        if call is None or call.type not in ("call_expression", "new_expression"):
            return Read(name, ident, "use")
        new = call.type == "new_expression"
        callee = call.child_by_field_name("constructor" if new else "function")
        text = text_of(callee, 100) if callee is not None else ""
        last = text.rsplit(".", 1)[-1]
        if (not new and (_is_logging(_callee_text(callee)) or _logger_method(text, call, self.up))) \
                or last.endswith("Error") \
                or _inside_log(call, self.up):
            return None  # logged (also `console.log(fmt(JSON.stringify(x)))`), or put in an error message
        if (text in URL_PARSERS if not new else last == "URL") and st.url is None:
            st.url, st.pure, st.keys, st.jump = call, False, [], call  # validation of the string (IPC005)
            return _CONTINUE
        if not new and (last in BUILTIN_CHECKS or text.endswith("hasOwnProperty.call")):
            return Read(name, ident, "check", site=call)
        index = sum(1 for c in args.named_children if c.type != "comment" and c.start_byte < child.start_byte)
        if not new and index >= (2 if last in ("strictEqual", "equal") else 1) and ASSERT_CALL.match(last) \
                and not text.startswith("console.") and (last in LIBRARY_ASSERTS or text.startswith("assert.")
                                                         or child.type in ("template_string", "binary_expression")):
            # the message of an assertion (`assert(fn, `unknown method ${m}`)`), like an Error's; a project
            # function's later arguments are data it checks (`assertCanMove(id, kind)`)
            return None
        if not new and last == "get" and index == 0 and callee is not None and callee.type == "member_expression":
            role = lookup_role(call, self.up)  # `MAP.get(value)` whose result is tested: an allowlist lookup
            site = call
            if role is None and (outer := selector_call(call, self.up)) is not None:
                role, site = lookup_role(outer, self.up), outer  # `select((s) => s.items.get(value))`
            if role is not None:
                return Read(name, ident, role, site=site, into=site, arg=0, pure=st.pure)
        if not new and last == "resolve" and index >= 1 and self._rooted_in_join(call, args):
            return None  # `path.join(BASE, path.resolve('/', x))`: `..` cannot leave BASE
        if not new and callee is not None and callee.type == "identifier" and _rejects(callee, call, self.up):
            return None  # `reject(x)` in a promise's executor: a rejection, like `throw x`
        if not new and index == 0 and text == "Boolean":
            return None  # `Boolean(x)` is `!!x`: one bit of the value, no use of it
        if not new and index == 0 and text in CONVERSIONS:
            st.pure, st.keys, st.jump, st.converted = False, [], call, call
            return _CONTINUE
        if not new and last in PASS_CALLS:
            st.pure, st.keys, st.jump = False, [], call
            return _CONTINUE
        if not new and index == 1 and last in REWRITES and callee is not None and callee.type == "member_expression":
            # the replacement of `TEMPLATE.replace(MARK, value)`: the result holds the value as it is
            st.pure, st.keys, st.jump = False, [], call
            return _CONTINUE
        if not new and text in ITEM_CALLS:
            st.pure, st.keys, st.jump, st.items = False, [], call, True
            return _CONTINUE
        if not new and index == 0 and (text in CLONE_CALLS or (text == "JSON.stringify" and self._round_trip(call))):
            st.pure, st.jump = False, call  # the same data (its keys too: `{ k: v }` parsed is still `k`)
            return _CONTINUE
        if not new and text in SPREAD_CALLS:
            return self._spread_call(name, ident, call, st)
        if not new and last in ARRAY_ADDS and not st.keys and callee is not None \
                and callee.type == "member_expression":
            target = callee.child_by_field_name("object")
            if target is not None and target.type == "identifier" and self._declares(text_of(target, 80)):
                # `lines.push(`cd ${dir}`)`: a local array (a command's lines or arguments) holds it
                # now; not a list of records with it in a field (`template.push({ label })`, a menu)
                return Read(name, ident, "use", alias=(text_of(target, 80),), pure=False)
        read = Read(name, ident, "arg", site=call, into=call, arg=index, keys=tuple(reversed(st.keys)),
                    pure=st.pure)
        if not new and not self.climbing_result and callee is not None and _may_return_argument(callee) \
                and len(self.results) < MAX_RESULTS:
            self.climbing_result = True
            try:
                self._follow_result(read, name, ident, call)
            finally:
                self.climbing_result = False
        return read

    def _follow_result(self, read: Read, name: str, ident: Node, call: Node) -> None:
        """Where the result of ``call`` goes, and, while that is the plain argument of another
        call that may return it (`open(trim(toFull(p)))`), where that call's result goes, up to
        ``MAX_CHAIN`` calls: one result each (the call in between may be the consumer itself)."""
        chain: tuple[tuple[Node, int], ...] = ()
        at = call
        while len(self.results) < MAX_RESULTS:
            result = self._climb(name, ident, at)
            if result is None or not (result.alias or result.role in ("arg", "set", "ret")):
                return
            self.results.append((read, result, chain))
            nxt = result.into
            if result.role != "arg" or result.keys or nxt is None or len(chain) >= MAX_CHAIN:
                return
            callee = nxt.child_by_field_name("function")
            if nxt.type != "call_expression" or callee is None or not _may_return_argument(callee) \
                    or not self._argument_itself(at, nxt):
                return
            chain += ((nxt, result.arg),)
            at = nxt

    def _argument_itself(self, call: Node, outer: Node) -> bool:
        """``call`` is an argument of ``outer`` as it is (`f(g(x))`, `f(await g(x))`), not a part
        of one (`f(g(x)[0])`: an element of what g returns, `f(join(dir, g(x)))`)."""
        node = self.up(call)
        while node is not None and node.type in TRANSPARENT:
            node = self.up(node)
        parent = self.up(node) if node is not None and node.type == "arguments" else None
        return parent is not None and parent.id == outer.id

    def _rooted_in_join(self, call: Node, args: Node) -> bool:
        """`resolve('/', ...)` given as a later argument of a `join`: resolved against the root, the
        value loses every `..`, and joined under the first argument it stays inside that folder."""
        first = next((c for c in args.named_children if c.type != "comment"), None)
        if first is None or first.type != "string" or text_of(first, 8).strip("'\"") != "/":
            return False
        outer_args = self.up(call)
        if outer_args is None or outer_args.type != "arguments":
            return False
        outer = self.up(outer_args)
        if outer is None or outer.type != "call_expression":
            return False
        callee = outer.child_by_field_name("function")
        if callee is None or text_of(callee, 100).rsplit(".", 1)[-1] != "join":
            return False
        return any(c.type != "comment" for c in outer_args.named_children if c.start_byte < call.start_byte)

    def _own_return(self, node: Node) -> bool:
        """A return statement of the analysed function (not of a function nested in it)."""
        cur = self.up(node)
        for _ in range(MAX_UP * 4):
            if cur is None:
                return False
            if cur.id == self.fn_id:
                return True
            if cur.type in FUNCTION_TYPES:
                return False
            cur = self.up(cur)
        return False

    def _round_trip(self, call: Node) -> bool:
        """`JSON.parse(JSON.stringify(value))`: the call is the first argument of `JSON.parse`."""
        args = self.up(call)
        outer = self.up(args) if args is not None and args.type == "arguments" else None
        if outer is None or outer.type != "call_expression":
            return False
        first = next((c for c in args.named_children if c.type != "comment"), None)  # type: ignore[union-attr]
        callee = outer.child_by_field_name("function")
        return first == call and callee is not None and text_of(callee, 20) == "JSON.parse"

    def _element_params(self, call: Node, method: str) -> tuple[str, ...]:
        """`value.forEach((item) => ...)`: the names the inline callback binds to each element."""
        args = call.child_by_field_name("arguments")
        fn = next((c for c in args.named_children if c.type != "comment"), None) if args is not None else None
        if fn is None or fn.type not in FUNCTION_TYPES:
            return ()
        single = fn.child_by_field_name("parameter")
        plist = fn.child_by_field_name("parameters")
        params = [single] if single is not None else [
            c for c in plist.named_children if c.type != "comment"] if plist is not None else []
        index = 1 if method.startswith("reduce") else 0
        if index >= len(params):
            return ()
        p = params[index]
        names = tuple(b.name for b in _bindings_of_pattern(p.child_by_field_name("pattern") or p, 0))
        for n in names:
            self.callbacks[n] = fn
        return names

    def _spread_call(self, name: str, ident: Node, call: Node, st: _State) -> Step:
        """`Object.assign(target, value)`: the result, and a local target, hold the value's keys."""
        up = self.up(call)
        while up is not None and up.type in TRANSPARENT:
            up = self.up(up)
        if up is not None and up.type == "expression_statement":  # the result is dropped
            args = call.child_by_field_name("arguments")
            target = next((c for c in args.named_children if c.type != "comment"), None) if args is not None else None
            if target is not None and target.type == "identifier" and target.start_byte != ident.start_byte:
                return Read(name, ident, "use", alias=(text_of(target, 80),), pure=False)
            return Read(name, ident, "use")
        st.pure, st.jump = False, call
        if not st.keys:
            st.keys.append("...")
        return _CONTINUE

    def _alias(self, name: str, ident: Node, pat: Node | None, st: _State) -> Read:
        names: tuple[str, ...] = ()
        bound: tuple[tuple[str, ...], ...] = ()
        if pat is not None:
            if pat.type == "identifier":
                names, bound = (text_of(pat, 80),), ((),)
            else:
                bindings = _bindings_of_pattern(pat, 0)
                names, bound = tuple(b.name for b in bindings), tuple(b.path for b in bindings)
        return Read(name, ident, "alias" if st.pure else "use", alias=names, pure=st.pure, rewritten=st.rewritten,
                    bound=bound)

    def _declares(self, name: str) -> bool:
        """The analysed function binds ``name`` (a parameter or a local declared anywhere in it)."""
        data, end = self.data, self.fn.end_byte
        pos = next_occurrence(data, name, self.fn.start_byte, end)
        for _ in range(256):
            if pos < 0:
                return False
            found = self.fn.descendant_for_byte_range(pos, pos + len(name.encode()))
            if found is not None and found.type in ("identifier", "shorthand_property_identifier_pattern") \
                    and (found.type != "identifier" or is_binding(found, self.up)):
                return True
            pos = next_occurrence(data, name, pos + 1, end)
        return True  # (a name met that often: assume it is the function's own)

    def _assign(self, name: str, ident: Node, node: Node, child: Node, st: _State) -> Step:
        left = node.child_by_field_name("left")
        if left == child:
            right = node.child_by_field_name("right")
            if node.type == "assignment_expression" and right is not None \
                    and not occurrences(self.data, name, right.start_byte, right.end_byte):
                self.writes.append((node.start_byte, name))  # replaced by a value not made from it: a reset
            return None
        if node.type == "assignment_expression" and left is not None and left.type == "identifier" \
                and not self._declares(text_of(left, 80)):
            return Read(name, ident, "use")  # `lastKeys = keys`: kept in state outside the function
        if node.type == "assignment_expression" and left is not None and left.type in (
                "identifier", "object_pattern", "array_pattern"):
            return self._alias(name, ident, left, st)
        if node.type == "assignment_expression" and left is not None and left.type == "member_expression":
            return Read(name, ident, "set", into=node, keys=tuple(reversed(st.keys)), pure=st.pure)
        return Read(name, ident, "use")



MAX_RESULTS = 64  # call results followed per function
MAX_CHAIN = 3  # calls in between whose results are followed (`open(a(b(c(d(p)))))`)
# Callee roots that are no project helper: their calls' results are never followed.
NOT_HELPERS = frozenset({"fs", "fsp", "fse", "path", "shell", "console", "JSON", "Object", "Array", "Promise", "Math",
                         "process", "Number", "Reflect", "Buffer", "ipcMain", "ipcRenderer", "app", "dialog",
                         "store", "axios", "crypto", "os", "child_process", "require", "Boolean", "parseInt",
                         "parseFloat", "encodeURIComponent", "encodeURI", "Date", "Symbol", "BigInt", "Error"})


def _may_return_argument(callee: Node) -> bool:
    """A call that may be of a project helper returning its argument (`toFull(p)`,
    `this.resolvePath(p)`, `utils.buildPath(p)`): a name, or a method of `this` or of a name."""
    if callee.type == "identifier":
        return text_of(callee, 60) not in NOT_HELPERS
    if callee.type != "member_expression":
        return False
    obj = callee.child_by_field_name("object")
    return obj is not None and (obj.type == "this" or (
        obj.type == "identifier" and text_of(obj, 60) not in NOT_HELPERS))


def _returned(name: str, ident: Node, st: _State) -> Read:
    """The value returned by the analysed function: "ret" (what a caller receives: link/taint.py
    follows it), with the keys of the object it is returned in; a value rewritten on the way
    (`name.replace(/[./\\]/g, '_')`) is often the function's way of sanitizing it: a use only."""
    return Read(name, ident, "use" if st.rewritten else "ret", keys=tuple(reversed(st.keys)), pure=st.pure)


REWRITES = frozenset({"replace", "replaceAll"})


class _State:
    __slots__ = ("pure", "keys", "url", "jump", "elements", "path", "chain", "rewritten", "items", "converted")

    def __init__(self) -> None:
        self.items = False  # went through `Object.keys`/`values`/`entries`, `Array.from`: its entries
        self.rewritten = False  # went through `replace`/`replaceAll`
        self.path: list[str] = []  # Read.path
        self.chain = True  # still reading properties off the value itself
        self.pure = True
        self.keys: list[str] = []
        self.elements: list[str] = []  # callback parameters bound to the value's elements
        self.url: Node | None = None  # the `new URL(...)` the value went through
        self.jump: Node | None = None  # continue climbing from this node (a call whose result carries the value)
        self.converted: Node | None = None  # the last CONVERSIONS call the value went through


class _Continue(Enum):
    CONTINUE = 0


# A step's verdict: the read (None: nothing consumes the value), or climb on.
_CONTINUE: Final = _Continue.CONTINUE
Step = Read | None | Literal[_Continue.CONTINUE]


def _extend_path(node: Node, child: Node, st: _State, up: Up) -> None:
    """Climbing from the value to ``node``: a property read off it (`value.prop`, `value['prop']`)
    extends the path; a method called on it (`value.trim()`), a computed key or anything else ends
    the path."""
    t = node.type
    if t in TRANSPARENT:
        return
    if t in ("member_expression", "subscript_expression") and node.child_by_field_name("object") == child:
        call = up(node)
        if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == node:
            st.chain = False  # a method of the value
            return
        if t == "subscript_expression":
            index = node.child_by_field_name("index")
            if index is None or index.type != "string":
                st.chain = False  # `value[key]`: which property is not known
                return
        st.path.append(_prop(node))
        return
    st.chain = False


def _with_path(read: Read | None, st: _State) -> Read | None:
    return read._replace(path=tuple(st.path)) if read is not None and st.path else read


def _with_elements(read: Read | None, name: str, ident: Node, st: _State) -> Read | None:
    if not st.elements:
        return read
    if read is None:  # `value.filter((x) => ...);` whose result is dropped: the callback still reads it
        return Read(name, ident, "alias", alias=tuple(st.elements), pure=st.pure)
    return read._replace(alias=read.alias + tuple(st.elements))


def _with_url(read: Read | None, st: _State) -> Read | None:
    """A value parsed by `new URL(...)`: validated as a string; a check on the URL stays a check."""
    if st.url is None:
        return read
    if read is None:
        return None
    if read.role == "check":
        return read
    return read._replace(role="url", site=st.url, pure=False)


def _operator(name: str, ident: Node, node: Node, child: Node, st: _State) -> Step:
    """The value under a unary or binary operator."""
    op = operator_of(node)
    if node.type == "unary_expression":
        if op == "typeof":
            return Read(name, ident, "check", site=node)
        return None if op in ("!", "void", "delete") else Read(name, ident, "use")
    if op in COMPARISONS:
        return Read(name, ident, "check", site=node)
    if op == "&&" and node.child_by_field_name("left") == child:
        return None  # a truthiness test
    if op == "+":
        st.pure = False
    elif op not in ("&&", "||", "??"):
        return Read(name, ident, "use")
    return _CONTINUE


# The process environment read by a renderer-chosen name: a table of secrets, not an allowlist
ENVIRONMENT = frozenset({"process.env", "globalThis.process.env"})
# Lookups in a list by a comparison of its entries: what was found, its position (-1 when not),
# or whether there was one (`some`, whose result may be kept in a local and tested later)
FINDS = frozenset({"find", "findLast", "findIndex", "findLastIndex", "some"})
EXTRACTING = frozenset({"match", "search", "localeCompare"})  # results that are data unless tested


def lookup_role(node: Node, up: Up) -> str | None:
    """How a table lookup's result is consumed: "check" when it is tested where it stands (a
    condition, `!`, `&&`, `??`/`||` with a default), "lookup" when it is kept in a variable (an
    allowlist only if that variable is tested: decided once the function's guards are known),
    None when it is used as data (`return store[key]`, `lib[runner].get()`)."""
    child, p = node, up(node)
    for _ in range(6):
        if p is None:
            return None
        t = p.type
        if t == "variable_declarator":
            return "lookup" if p.child_by_field_name("value") == child else None
        if child is node and is_optional_access(p, child):
            return "check"  # `MAP.get(x)?.()`, `MAP.get(x)?.cancel()`: only what was found is used
        if t in ("if_statement", "while_statement") or (
                t == "ternary_expression" and p.child_by_field_name("condition") == child) or (
                t == "binary_expression" and operator_of(p) in ("??", "||", "&&")
                and p.child_by_field_name("left") == child):
            return "check"
        if t in TRANSPARENT or t == "parenthesized_expression" or (t == "unary_expression" and operator_of(p) == "!") \
                or (t == "binary_expression" and operator_of(p) in ("&&", "||", *COMPARISONS)):
            child, p = p, up(p)
            continue
        return None
    return None


def selector_call(node: Node, up: Up) -> Node | None:
    """The call a lookup is selected through: ``node`` is what a selector returns (an arrow's
    expression body, or the one `return` of its block) and that selector is the only argument of
    a plain function call (`select((state) => state.servers.find((s) => s.url === x))`, Redux's
    `useSelector`), which gives back what the selector returns. Not a method call: `list.map(...)`,
    `promise.then(...)` give back something else."""
    child, p = node, up(node)
    while p is not None and p.type in TRANSPARENT:
        child, p = p, up(p)
    if p is not None and p.type == "return_statement":
        block = up(p)
        if block is None or block.type != "statement_block" or len(block.named_children) != 1:
            return None
        child, p = block, up(block)
    if p is None or p.type != "arrow_function" or p.child_by_field_name("body") != child:
        return None
    args = up(p)
    call = up(args) if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression" or args is None or args.named_children != [p]:
        return None
    callee = call.child_by_field_name("function")
    return call if callee is not None and callee.type == "identifier" else None


def is_optional_access(parent: Node, child: Node) -> bool:
    """``parent`` reads a member of ``child`` or calls it through optional chaining (`child?.x`,
    `child?.()`): nothing happens when ``child`` is null or undefined, a presence test."""
    t = parent.type
    if t == "member_expression" or t == "subscript_expression":
        if parent.child_by_field_name("object") != child:
            return False
    elif t == "call_expression":
        if parent.child_by_field_name("function") != child:
            return False
    else:
        return False
    return any(c.type == "optional_chain" or c.type == "?." for c in parent.children)


def is_truth(node: Node, up: Up) -> bool:
    """The value of ``node`` is used as a truth value where it stands (not compared, not kept)."""
    child, cur = node, up(node)
    for _ in range(8):
        if cur is None:
            return False
        t = cur.type
        if t in TRANSPARENT or t == "parenthesized_expression":
            child, cur = cur, up(cur)
            continue
        if t == "unary_expression":
            return operator_of(cur) == "!"
        if t == "binary_expression":
            return operator_of(cur) in ("&&", "||")
        if t in ("if_statement", "while_statement", "do_statement", "for_statement", "ternary_expression"):
            return cur.child_by_field_name("condition") == child
        if t == "arguments":  # `Boolean(LIST.indexOf(x))`
            call = up(cur)
            callee = call.child_by_field_name("function") if call is not None else None
            return callee is not None and text_of(callee, 20) == "Boolean"
        if t == "return_statement" or (t == "arrow_function" and cur.child_by_field_name("body") == child):
            return _predicate_callback(cur, up)
        return False
    return False


PREDICATES = frozenset({"filter", "some", "every", "find", "findIndex", "findLast", "findLastIndex"})


def _predicate_callback(node: Node, up: Up) -> bool:
    """The function returning this value is a predicate given to `filter`/`some`/`every`/`find`."""
    return predicate_method(node, up) in PREDICATES


def predicate_method(node: Node, up: Up) -> str | None:
    """The name of the method (`filter`, `map`, ...) given the function that returns this value
    as its callback, or None."""
    fn: Node | None = node
    for _ in range(MAX_UP):
        if fn is None or fn.type in FUNCTION_TYPES:
            break
        fn = up(fn)
    args = up(fn) if fn is not None else None
    call = up(args) if args is not None and args.type == "arguments" else None
    callee = call.child_by_field_name("function") if call is not None else None
    prop = callee.child_by_field_name("property") if callee is not None and callee.type == "member_expression" \
        else None
    return text_of(prop, 20) if prop is not None else None



def _whole_match(call: Node) -> bool:
    """`s.match(/^...$/)`: a pattern anchored at both ends, without `g` or `m`, tests the whole
    value (its result kept to be tested is a validation); an unanchored or global one extracts
    (`text.match(/^#+ (.*)$/gm)`). A pattern held in a variable is given the benefit of the doubt."""
    args = call.child_by_field_name("arguments")
    first = next((c for c in args.named_children if c.type != "comment"), None) if args is not None else None
    if first is None or first.type != "regex":
        return first is not None and first.type in ("identifier", "member_expression")
    pattern = first.child_by_field_name("pattern")
    flags = first.child_by_field_name("flags")
    text = text_of(pattern, 400) if pattern is not None else ""
    flag_text = text_of(flags, 10) if flags is not None else ""
    return text.startswith("^") and text.endswith("$") and not text.endswith("\\$") \
        and "g" not in flag_text and "m" not in flag_text


def _compared(node: Node, up: Up) -> bool:
    cur = up(node)
    while cur is not None and cur.type in TRANSPARENT:
        cur = up(cur)
    return cur is not None and cur.type == "binary_expression" and operator_of(cur) in COMPARISONS


def operator_of(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


def _prop(member: Node) -> str:
    p = member.child_by_field_name("property") or member.child_by_field_name("index")
    return text_of(p, 60).strip("'\"`") if p is not None else ""


def _inside_log(call: Node, up: Up) -> bool:
    """The call only computes an argument of a logging call (within the same statement)."""
    node = up(call)
    for _ in range(12):
        if node is None or node.type.endswith("statement") or node.type in FUNCTION_TYPES:
            return False
        outer = up(node) if node.type == "arguments" else None
        if outer is not None and outer.type == "call_expression":
            callee = outer.child_by_field_name("function")
            if callee is not None and _is_logging(_callee_text(callee)):
                return True
        node = up(node)
    return False


_LOGGER_CLASS = re.compile(r"(?i)log(ger)?$")


def _logger_method(text: str, call: Node, up: Up) -> bool:
    """`this.info(...)` in a logger class (`class AppLogger extends Logger`): its own logging."""
    if not text.startswith("this.") or text.count(".") != 1 or text[5:] not in LOG_METHODS:
        return False
    node = up(call)
    for _ in range(MAX_UP * 4):
        if node is None:
            return False
        if node.type in ("class_declaration", "class", "abstract_class_declaration"):
            name = node.child_by_field_name("name")
            heritage = next((c for c in node.children if c.type == "class_heritage"), None)
            names = [text_of(name, 80)] if name is not None else []
            if heritage is not None:
                names.append(text_of(heritage, 120).split("{")[0].replace("extends", " ").strip().split(" ")[0]
                             .split("<")[0].rsplit(".", 1)[-1])
            return any(_LOGGER_CLASS.search(n) for n in names)
        node = up(node)
    return False


def _rejects(callee: Node, call: Node, up: Up) -> bool:
    """The callee is the `reject` parameter (the second) of the executor of a `new Promise(...)` that
    the call sits in, not shadowed on the way: calling it rejects the promise with the value."""
    name = text_of(callee, 60)
    node = up(call)
    for _ in range(MAX_UP * 4):
        if node is None:
            return False
        if node.type in FUNCTION_TYPES:
            params = node.child_by_field_name("parameters")
            single = node.child_by_field_name("parameter")
            names = [text_of(single, 60)] if single is not None else [
                text_of(c.child_by_field_name("pattern") or c, 60)  # (`reject: (e: Error) => void` in TypeScript)
                for c in (params.named_children if params is not None else ()) if c.type != "comment"]
            if name in names:
                args = up(node)
                outer = up(args) if args is not None and args.type == "arguments" else None
                ctor = outer.child_by_field_name("constructor") if outer is not None \
                    and outer.type == "new_expression" else None
                return names.index(name) == 1 and ctor is not None and text_of(ctor, 40) == "Promise" \
                    and args is not None and args.named_children[:1] == [node]
        node = up(node)
    return False


def _callee_text(callee: Node | None) -> str:
    """A callee's text with TypeScript wrappers of its object dropped: `(logger as any)[level]` reads as
    `logger[level]`, `(log!).info` as `log.info`."""
    if callee is None:
        return ""
    obj = callee.child_by_field_name("object") if callee.type in ("member_expression", "subscript_expression") \
        else None
    inner = unwrap(obj) if obj is not None and obj.type in UNWRAPPED else None
    if obj is None or inner is None or inner is obj:
        return text_of(callee, 100)
    if callee.type == "member_expression":
        prop = callee.child_by_field_name("property")
        return f"{text_of(inner, 100)}.{text_of(prop, 60) if prop is not None else ''}"
    index = callee.child_by_field_name("index")
    return f"{text_of(inner, 100)}[{text_of(index, 60) if index is not None else ''}]"


def _is_logging(text: str) -> bool:
    parts = [p for p in text.split(".") if p != "this"]
    if not parts:
        return False
    root = parts[0].split("[", 1)[0]
    if len(parts) == 1 and root != parts[0]:  # `logger[level](...)`, `console[method](...)`: a level chosen by name
        return root == "console" or root in LOG_LIBRARIES or bool(LOG_ROOT.match(root))
    if parts[0] == "console" or root in LOG_LIBRARIES:
        return True
    return bool(LOG_ROOT.match(parts[0])) and (len(parts) == 1 or parts[-1] in LOG_METHODS)

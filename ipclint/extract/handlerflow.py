"""Where a function's parameters go: the syntax half of the handler analysis (IPC005/IPC006).

For every function with parameters, each read of a parameter (or of a local alias of one) is
classified: a use, a validation (`typeof`, a comparison, an allowlist lookup, `new URL`), an alias
(`const { path } = args`), or an argument of a call, followed through pass-through operations
(member reads, templates, `+`, `path.join`, string methods, object and array literals) to the call
it reaches. For each read, the validation sites that dominate it are recorded: conditions of the
enclosing `if`/`?:`/`&&`/`switch`, earlier statements that validate unconditionally, and earlier
`if (...) return/throw` guards. Whether a call validates, or is a sink, needs the project and the
configuration: such calls are recorded as candidates, by span, and decided at check time.

Reads are found by a byte search for the names inside the function, then located in the tree
(`descendant_for_byte_range`) and classified by climbing a bounded number of parents.
"""
from __future__ import annotations

import re

from ipclint.extract.ancestry import Up
from ipclint.extract.flowdom import Ambiguity, Dominance
from ipclint.extract.flownames import is_binding, next_occurrence, occurrences
from ipclint.extract.flowread import (
    COMPARISONS,
    MAX_UP,
    TRANSPARENT,
    VALUE_CHECKS,
    Read,
    Reader,
    is_optional_access,
    is_truth,
    operator_of,
)
from ipclint.extract.flowtests import denies, guard_declaration, site_kind
from ipclint.extract.parse import Node
from ipclint.extract.values import span_of, text_of
from ipclint.extract.walk import FUNCTION_TYPES, Extractor, _bindings_of_pattern
from ipclint.model.facts import Alias, Carry, Flow, Gate, Occ, Site
from ipclint.model.span import Span
from ipclint.model.values import AnyV

MAX_READS = 600  # reads classified per function
# What analysing one function's flow costs beyond the nodes it visits, in the file's work units
# (walk.MAX_WORK): the later stages read a handler's flow for each rule that judges its parameters
# (IPC005, IPC006, IPC007, IPC016, ...), about 18 units' worth of time each.
FLOW_WORK = 18
MAX_ALIAS_ROUNDS = 3
_UNSEEN = object()
_STATEMENT_LISTS = frozenset({"statement_block", "switch_case", "switch_default"})
_JUMPS = frozenset({"return_statement", "throw_statement", "break_statement", "continue_statement"})
_HOISTED = frozenset({"function_declaration", "generator_function_declaration"})
# A function's head up to the end of its parameters made only of names, commas, parentheses and
# `*` (`function f(a, b)`, `async (e, args)`, `x`): every name in it is a binding, never a read.
_PLAIN_HEAD = re.compile(rb"[\w$\s(),*]*")


# Callbacks of these calls are never IPC handlers or helpers called by name: their own
# parameters need no analysis (reads of the enclosing function's parameters inside them are
# recorded by the enclosing function's analysis).
CALLBACK_OF = frozenset({"map", "filter", "forEach", "some", "every", "find", "findIndex", "findLast", "reduce",
                         "sort", "flatMap", "then", "catch", "finally", "setTimeout", "setInterval",
                         "setImmediate", "nextTick", "queueMicrotask", "useEffect", "useCallback", "useMemo",
                         "addEventListener", "requestAnimationFrame"})


def analyze(node: Node, ex: Extractor, fid: int) -> Flow | None:
    fn = ex.f.functions[fid]
    names = {p.name for p in fn.params}
    if not names or _inline_callback(node, ex.up):
        return None
    ex.work.spend(FLOW_WORK)
    return _Analysis(node, ex, fid).run(names)


def charge(node: Node, ex: Extractor, fid: int) -> None:
    """Charge the work budget what ``analyze`` charges up front, for a function whose flow is
    deferred (extract.extract ``lazy``): the file's facts stop about where they stop with flows."""
    if ex.f.functions[fid].params and not _inline_callback(node, ex.up):
        ex.work.spend(FLOW_WORK)


def _reads_from(fn: Node, data: bytes) -> int:
    """Where reads of the parameters can begin: after the parameter list when the head of the
    function holds nothing but bindings (no defaults, types, decorators or computed keys), so the
    search does not locate and reject each parameter's own name; else the function's start."""
    params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
    if params is not None and _PLAIN_HEAD.fullmatch(data, fn.start_byte, params.end_byte):
        return params.end_byte
    return fn.start_byte


def _inline_callback(node: Node, up: Up) -> bool:
    args = up(node)
    call = up(args) if args is not None and args.type == "arguments" else None
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if callee is None:
        return False
    name = callee.child_by_field_name("property") if callee.type == "member_expression" else callee
    return name is not None and text_of(name, 40) in CALLBACK_OF


class _Analysis(Reader, Dominance):
    def __init__(self, fn_node: Node, ex: Extractor, fid: int) -> None:
        self.fn = fn_node
        self.fn_id = fn_node.id
        self.fid = fid
        self.ex = ex
        self.up = ex.up
        self.data: bytes = ex.data
        self.reads: list[Read] = []
        self.origin: dict[str, str] = {}
        self.aliases: list[tuple[str, str, bool, int]] = []
        self.rewritten: set[int] = set()  # indexes in ``aliases`` of those made by `replace`/`replaceAll`
        self.numeric: set[int] = set()  # indexes in ``aliases`` of those declared as `Number(value)`
        self.writes: list[tuple[int, str]] = []  # start bytes of writes to tracked names, and the names
        self.callbacks: dict[str, Node] = {}  # callback parameters bound by the read being climbed
        # Aliases bound only as callback parameters (`value.forEach((x) => ...)`): read only there.
        self.callback_of: dict[str, list[Node]] = {}
        self.block_memo: dict[int, dict[int, tuple[int, ...]]] = {}
        self.shadow_memo: dict[tuple[int, str], Node | None] = {}
        self.results: list[tuple[Read, Read, tuple[tuple[Node, int], ...]]] = []
        self.climbing_result = False

    def run(self, params: set[str]) -> Flow | None:
        start = _reads_from(self.fn, self.data)
        todo = {n: start for n in params}
        for _ in range(MAX_ALIAS_ROUNDS + 1):
            if not todo or len(self.reads) >= MAX_READS:
                break
            found = self._find(todo)
            todo = {}
            for name, ident in found:
                self.callbacks = {}
                if self._reset_before(ident, name, params):
                    continue  # `p = path.join(DIR, 'en.yml')` earlier on every path: a clean value
                results = len(self.results)
                read = self._climb(name, ident)
                if read is None:
                    continue
                self.reads.append(read)
                for k in range(results, len(self.results)):  # the call's result kept in locals: follow them too
                    _primary, result, chain = self.results[k]
                    self.results[k] = (read, result, chain)
                    for a in result.alias:
                        if a not in params and a != name and a not in self.origin and len(self.origin) < 64:
                            self.origin[a] = name
                            cb = self.callbacks.get(a)
                            if cb is not None:
                                self.callback_of[a] = [cb]
                            todo[a] = result.node.end_byte
                for a in read.alias:
                    if a in params or a == name:
                        continue
                    cb = self.callbacks.get(a)
                    if a not in self.origin and len(self.origin) < 64:
                        self.origin[a] = name
                        if cb is not None:
                            self.callback_of[a] = [cb]
                        if read.rewritten:
                            self.rewritten.add(len(self.aliases))
                        if read.numeric:
                            self.numeric.add(len(self.aliases))
                        self.aliases.append((a, name, read.pure, len(self.reads) - 1))
                        todo[a] = read.node.end_byte
                    elif not read.pure and a not in self.callback_of and len(self.aliases) < 96 and all(
                            x[0] != a or x[1] != name for x in self.aliases):
                        # made of several tracked values (`path.join(dir, name)`): from each of them
                        self.aliases.append((a, name, False, len(self.reads) - 1))
                    elif a in self.callback_of:  # bound again: in another callback, or for good
                        if cb is not None:
                            self.callback_of[a].append(cb)
                        else:
                            del self.callback_of[a]
        if not self.reads:
            return Flow((), (), ())  # analysed: its parameters are never read
        return self._finish()

    # ---- finding reads ---------------------------------------------------------------------
    def _find(self, todo: dict[str, int]) -> list[tuple[str, Node]]:
        """The reads of each name after its position in ``todo``. A nested function (or catch
        clause) that binds the name again hides every occurrence inside it: the search goes on
        after its end."""
        out = []
        end = self.fn.end_byte
        data = self.data
        work = self.ex.work
        for name in sorted(todo):
            size = len(name.encode())
            pos = todo[name]
            while True:
                start = next_occurrence(data, name, pos, end)
                work.spend(1 + ((start if start >= 0 else end) - pos) // 4096)
                if start < 0:
                    break
                pos = stop = start + size
                ident = self.fn.descendant_for_byte_range(start, stop)
                if ident is None or ident.type not in ("identifier", "shorthand_property_identifier"):
                    continue
                cbs = self.callback_of.get(name)
                if cbs is not None and not any(cb.start_byte <= start < cb.end_byte for cb in cbs):
                    continue  # an element alias exists only inside its callbacks
                if ident.start_byte != start or ident.end_byte != stop or is_binding(ident, self.up):
                    continue
                if self._unreachable(ident):
                    continue  # after an unconditional `return` of its block: the value goes nowhere
                shadow = self._shadowing(ident, name)
                if shadow is not None:
                    pos = max(pos, shadow.end_byte)
                    continue
                out.append((name, ident))
                if len(out) + len(self.reads) >= MAX_READS:
                    return out
        return out

    def _unreachable(self, ident: Node) -> bool:
        """The read is in a statement that follows a `return`, `throw`, `break` or `continue` of
        its own block (or case), within the analysed function: it never runs. A function
        declaration there is hoisted, and its body can run."""
        node = ident
        jumps = self.ex.jumps
        for _ in range(MAX_UP * 4):
            parent = self.up(node)
            if parent is None or node.id == self.fn_id:
                return False
            if parent.type in _STATEMENT_LISTS and node.type not in _HOISTED:
                end = jumps.get(parent.id)
                if end is None:
                    end = jumps[parent.id] = next(
                        (c.end_byte for c in parent.named_children if c.type in _JUMPS), -1)
                if 0 <= end <= node.start_byte:
                    return True
            node = parent
        return False

    def _reset_before(self, ident: Node, name: str, params: set[str]) -> bool:
        """The read sees a clean value: an earlier statement of a block around it (within the same
        function) assigns the name a value that mentions no tracked name, and no statement between
        that assignment and the read assigns the name again."""
        tracked = params | self.origin.keys()
        node = ident
        for _ in range(MAX_UP * 4):
            parent = self.up(node)
            if parent is None or node.id == self.fn_id or node.type in FUNCTION_TYPES:
                return False
            if parent.type == "statement_block":
                sib = node.prev_named_sibling
                while sib is not None:
                    reset = _reset_of(sib, name)
                    if reset is not None:
                        right = reset.child_by_field_name("right")
                        return right is not None and not any(
                            occurrences(self.data, t, right.start_byte, right.end_byte) for t in tracked)
                    if occurrences(self.data, name, sib.start_byte, sib.end_byte) and self.ex.writes_in(sib, name):
                        return False
                    sib = sib.prev_named_sibling
            node = parent
        return False

    def _shadowing(self, ident: Node, name: str) -> Node | None:
        """The nested function (or catch clause) between the read and the analysed function that
        binds the name, if any. Memoised per (node, name) along the climb: reads deep in one tree
        share their ancestors."""
        node = self.up(ident)
        fn_id = self.fn_id
        memo = self.shadow_memo
        path: list[int] = []
        result: Node | None = None
        for _ in range(MAX_UP * 4):
            if node is None or node.id == fn_id:
                break
            known = memo.get((node.id, name), _UNSEEN)
            if known is not _UNSEEN:
                result = known  # type: ignore[assignment]
                break
            t = node.type
            path.append(node.id)
            if (t in FUNCTION_TYPES or t == "catch_clause") and self._shadowed(node, name) \
                    and all(node.id != cb.id for cb in self.callback_of.get(name, ())):
                result = node
                break
            node = self.up(node)
        for i in path:
            memo[(i, name)] = result
        return result

    def _shadowed(self, node: Node, name: str) -> bool:
        """A nested function (or catch clause) between the read and the analysed function binds the name."""
        if node.type == "catch_clause":
            p = node.child_by_field_name("parameter")
            return p is not None and name in {b.name for b in _bindings_of_pattern(p, 0)}
        memo = self.ex.flow_params
        names = memo.get(node.id)
        if names is None:
            single = node.child_by_field_name("parameter")
            plist = node.child_by_field_name("parameters")
            pats = [single] if single is not None else list(plist.named_children) if plist is not None else []
            names = memo[node.id] = frozenset(b.name for p in pats for b in _bindings_of_pattern(
                p.child_by_field_name("pattern") or p, 0))
        return name in names

    # ---- dominance -------------------------------------------------------------------------
    def _finish(self) -> Flow:
        site_nodes: dict[int, Node] = {}
        site_reads: dict[int, list[Read]] = {}
        lookups: set[int] = set()
        for r in self.reads + [res for _r, res, _c in self.results]:
            site = r.site
            if site is None:
                continue
            sid = site.id
            same = site_reads.get(sid)
            if same is None:
                site_nodes[sid] = site
                site_reads[sid] = [r]
            else:
                same.append(r)
            if r.role in ("lookup", "check") and (r.into is not None or site.type == "subscript_expression"):
                lookups.add(sid)
        order = list(site_nodes.values())
        if len(order) > 1:
            order.sort(key=_by_range)
        kinds: dict[int, str] = {}  # each site's kind, decided once
        ambiguity: dict[int, Ambiguity] = {}
        names: dict[int, set[str]] = {}
        for n in order:
            nid = n.id
            same = site_reads[nid]
            kind = kinds[nid] = site_kind(n)
            ambiguity[nid] = _ambiguity(n, same, kind)
            names[nid] = {r.name for r in same}
        self.site_kinds = kinds
        self._index_sites(order, ambiguity, names, lookups)
        # site -> name -> the property paths of its reads of that name (the sites that read
        # properties of a name: most read the name itself)
        site_paths: dict[int, dict[str, list[tuple[str, ...]]]] = {}
        # (not for a parsed URL: a check of `u.protocol` or `u.host` tests `u.href` too)
        urls = {a for r in self.reads if r.role == "url" for a in r.alias}
        for n in order:
            for r in site_reads[n.id]:
                if r.path and r.name not in urls:
                    for other in site_reads[n.id]:
                        site_paths.setdefault(self.index[n.id], {}).setdefault(other.name, []).append(other.path)
                    break
        families: dict[str, set[str]] = {}
        reads = sorted(self.reads, key=_read_start) if len(self.reads) > 1 else self.reads
        doms: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        def dominating(r: Read) -> tuple[tuple[int, ...], tuple[int, ...]]:
            fam = families.get(r.name)
            if fam is None:
                fam = families[r.name] = self._family(r.name, urls)
            if r.role == "check":
                return (), ()
            passed, untested = self._dominators(r.node)
            if self.replaced:
                passed = [i for i in passed if i not in self.replaced or self._reads_result(r.name, *self.replaced[i])]
            names = self.site_names
            return _mine(passed, names, fam, r, site_paths), _mine(untested, names, fam, r, site_paths)

        for r in reads:
            doms.append(dominating(r))
        decisions = self._decisions()
        protecting = {i for dom, _held in doms for i in dom} | {
            i for i, how, _own in decisions if how in ("throw", "return")}
        tested = {n.id for n in order if n.id in lookups and self._tested_lookup(n)}
        protecting |= {self.index[sid] for sid in tested}
        if lookups:
            lookups = {n.id for n in order if n.id in lookups and any(
                r.role == "check" or (r.role == "lookup" and self.index[n.id] in protecting)
                for r in site_reads[n.id])}
        sites = tuple(self._site(n, site_reads[n.id], "lookup" if n.id in lookups else None) for n in order)
        occs = []
        for r, (dom, held) in zip(reads, doms, strict=True):
            role = r.role
            if role == "lookup":  # kept in a variable: an allowlist only if that variable guards something
                role = "check" if r.site is not None and self.index[r.site.id] in protecting else (
                    "arg" if r.into is not None else "use")
            occs.append(Occ(r.name, span_of(r.node), role, self.index[r.site.id] if r.site is not None else -1,
                            dom, span_of(r.into) if r.into is not None else None, r.arg, r.keys, held, r.path))
        aliases: tuple[Alias, ...] = ()
        if self.aliases:
            pos = {id(r): i for i, r in enumerate(reads)}
            aliases = tuple(Alias(a, src, pure, pos[id(self.reads[i])], k in self.rewritten, k in self.numeric,
                                  self.reads[i].const, _bound(self.reads[i], a))
                            for k, (a, src, pure, i) in enumerate(self.aliases))
        gates = tuple(Gate(i, how) for i, how, own in decisions if own)
        carries: list[Carry] = []
        if self.results:
            at = {id(r): i for i, r in enumerate(reads)}
            for primary, res, chain in self.results:
                via = at.get(id(primary))
                if via is None:
                    continue
                dom, held = dominating(res)
                carries.append(Carry(via, self._occ(res, res.role, dom, held), res.alias,
                                     tuple((span_of(c), arg) for c, arg in chain)))
        return Flow(sites, tuple(occs), aliases, gates, tuple(carries))

    def _occ(self, r: Read, role: str, dom: tuple[int, ...], held: tuple[int, ...]) -> Occ:
        return Occ(r.name, span_of(r.node), role, self.index[r.site.id] if r.site is not None else -1,
                   dom, span_of(r.into) if r.into is not None else None, r.arg, r.keys, held, r.path)

    def _default_only(self, node: Node) -> bool:
        """``node`` is the left side of `||`/`??` whose result is a value, not a test."""
        child, cur = node, self.up(node)
        while cur is not None and (cur.type in TRANSPARENT or cur.type == "parenthesized_expression"):
            child, cur = cur, self.up(cur)
        return cur is not None and cur.type == "binary_expression" and operator_of(cur) in ("||", "??") \
            and cur.child_by_field_name("left") == child and not is_truth(cur, self.up)

    def _reads_result(self, name: str, replaced: str, end: int) -> bool:
        """A read of ``name`` after `replaced = f(replaced)` (ending at ``end``) reads only f's
        result: it is that name, or a local made after the assignment from it alone (not one made
        before, nor `path.join(other, replaced)`, which carries ``other`` too)."""
        todo = [name]
        for _ in range(16):
            if not todo:
                return True
            cur = todo.pop()
            if cur == replaced:
                continue
            made = [(s, self.reads[i].node.start_byte) for a, s, _p, i in self.aliases if a == cur]
            if not made or any(at < end for _s, at in made):
                return False
            todo.extend(s for s, _at in made)
        return False

    def _tested_lookup(self, site: Node) -> bool:
        """A lookup kept in a variable that is used only where it was found (`const item =
        MAP.get(id); if (item) { item.pause() }`, `item?.cancel()`, `item && item.run()`; also
        `const item = id && MAP.get(id)`, truthy only when the lookup is): the code
        does something with what the table holds only when the key is in it, so the key was
        checked against it (SPEC: lookups are allowlists; the early-exit form `if (!item) return`
        is a decision found by ``_decisions``)."""
        decl = guard_declaration(site, self.up)
        if decl is None or _last_operand(decl[1]) != site:
            return False
        name, value = decl
        for ident in self._names_in(self.fn, name, value.end_byte, self.fn.end_byte):
            above = self.up(ident)
            if (above is not None and is_optional_access(above, ident)) or self._found_used(ident, name):
                return True
        return False

    def _found_used(self, ident: Node, name: str) -> bool:
        """``ident`` (the variable holding a lookup's result) is tested, and the side where it was
        found uses it: `if (item) { item.pause() }`, `if (!item) { ... } else { item.run() }`,
        `item && item.run()`, `item ? item.size : 0`. A test whose passing side does nothing with
        what was found (`if (!item) console.warn(...)`, then going on regardless) checks nothing."""
        child, cur, negated = ident, self.up(ident), False
        for _ in range(MAX_UP):
            if cur is None:
                return False
            t = cur.type
            if t in TRANSPARENT or t == "parenthesized_expression":
                child, cur = cur, self.up(cur)
                continue
            if t == "unary_expression" and operator_of(cur) == "!":
                negated = not negated
                child, cur = cur, self.up(cur)
                continue
            if t == "binary_expression" and operator_of(cur) == "&&":
                if not negated and cur.child_by_field_name("left") == child \
                        and self._mentions(cur.child_by_field_name("right"), name):
                    return True
                child, cur = cur, self.up(cur)
                continue
            if t in ("if_statement", "ternary_expression") and cur.child_by_field_name("condition") == child:
                return self._mentions(cur.child_by_field_name("alternative" if negated else "consequence"), name)
            return False
        return False

    def _mentions(self, node: Node | None, name: str) -> bool:
        return node is not None and bool(self._names_in(node, name, node.start_byte, node.end_byte, 8, (
            "identifier", "shorthand_property_identifier")))

    def _site(self, node: Node, reads: list[Read], kind: str | None) -> Site:
        site = _site(node, reads, kind or self.site_kinds[node.id])
        atom = _atom(node, self.up)
        value: AnyV | None = None
        atom_value: AnyV | None = None
        if site.kind in ("check", "lookup", "pair"):
            value = self.ex.value(node, self.fid)
            if atom is not None:
                atom_value = self.ex.value(atom, self.fid)
        above = self.up(node)
        truth = is_truth(node, self.up) or (kind == "lookup" and above is not None
                                             and above.type == "variable_declarator")
        if truth and site.kind == "lookup" and self._default_only(node):
            truth = False  # `LABELS[kind] || 'unknown'`: a value with a default, not a test
        return Site(site.kind, site.span, site.names, site.sides, value, atom_value, truth,
                    self._test_of(node) if site.kind == "lookup" else None,
                    site.kind in ("check", "lookup") and denies(node, self.up))

    def _test_of(self, node: Node) -> Span | None:
        """The condition of the `if`/`while`/ternary whose test ``node`` is part of (through `!`,
        `&&`, `||` and parentheses), or None."""
        child, cur = node, self.up(node)
        for _ in range(32):
            if cur is None:
                return None
            t = cur.type
            op = operator_of(cur) if t in ("unary_expression", "binary_expression") else None
            if t in TRANSPARENT or t == "parenthesized_expression" or (t == "unary_expression" and op == "!") \
                    or (t == "binary_expression" and op in ("&&", "||")):
                child, cur = cur, self.up(cur)
                continue
            if t in ("if_statement", "while_statement", "ternary_expression") \
                    and cur.child_by_field_name("condition") == child:
                return span_of(child)
            return None
        return None

    def _family(self, name: str, urls: set[str]) -> set[str]:
        """The name, what it was taken from, and what was derived from it (a check of `new URL(p)`
        or of `path.join(base, p)` guards `p` too); not its siblings (checking `command` of
        `{ command, payload }` says nothing about `payload`), except the parts of a parsed URL
        (``urls``): `const proto = u.protocol` tested guards `u`, `p` and `const href = u.href` as
        a test of `u.protocol` does."""
        out = {name}
        cur = name
        while cur in self.origin and len(out) < 16:
            cur = self.origin[cur]
            out.add(cur)
        todo = [name, *sorted(out & urls)]
        while todo and len(out) < 32:
            cur = todo.pop()
            for a, src, pure, _i in self.aliases:
                if src == cur and (not pure or cur in urls) and a not in out:
                    out.add(a)
                    todo.append(a)
        return out


def _bound(read: Read, name: str) -> tuple[str, ...]:
    """The property path of the read value that the alias ``name`` holds (Alias.key)."""
    i = read.alias.index(name) if name in read.alias else len(read.bound)
    if read.pure and i < len(read.bound):
        return read.path + read.bound[i]
    return read.path + ("*",)  # made from it, or one of its elements: from those properties at least


def _by_range(node: Node) -> tuple[int, int]:
    return node.start_byte, -node.end_byte  # the outer of two nodes that start together first


def _read_start(read: Read) -> int:
    return read.node.start_byte


def _mine(sites: list[int], names: list[set[str]], fam: set[str], read: Read,
          paths: dict[int, dict[str, list[tuple[str, ...]]]]) -> tuple[int, ...]:
    """The sites that test the read's own data (a check of `command` says nothing of `payload`,
    a check of `args.action` nothing of `args.path`): a site that reads the read's own name
    through properties tests a read of another property only when one of its paths leads to it
    or on from it (a check of `args` or `args.file` tests `args.file.path`; a check of
    `url.protocol` still tests `url` and `url.toString()`, which read the whole value)."""
    out: list[int] = []
    seen: set[int] = set()
    for i in sites:
        if i in seen or names[i].isdisjoint(fam):
            continue
        at = paths.get(i)
        tested = at.get(read.name) if at is not None and read.path else None
        if tested is not None and names[i] & fam == {read.name} and not any(
                read.path[:len(p)] == p[:len(read.path)] for p in tested):
            continue  # the site tests other properties (`args.action`) than the read reads (`args.path`)
        seen.add(i)
        out.append(i)
    return tuple(out)


def _ambiguity(node: Node, reads: list[Read], kind: str) -> Ambiguity:
    """Whether a site can be written as a denial (flowdom): a test of the value's content
    (`p.includes('..')`, `/\\.\\./.test(p)`), a validator call, or neither (an allowlist
    membership, a comparison, a lookup: their passing outcome is fixed)."""
    if kind == "call":
        return "call"
    if node.type != "call_expression" or kind != "check":
        return None
    callee = node.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return None
    prop = text_of(callee.child_by_field_name("property"), 40)  # type: ignore[arg-type]
    obj = callee.child_by_field_name("object")
    if prop == "test":
        return "content"
    if prop in VALUE_CHECKS and obj is not None and any(
            obj.start_byte <= r.node.start_byte < obj.end_byte for r in reads):
        return "content"
    return None


def _atom(node: Node, up: Up) -> Node | None:
    """The comparison a site's result takes part in (`LIST.indexOf(x) !== -1`, `typeof x === 's'`)."""
    cur = up(node)
    atom = None
    for _ in range(8):
        if cur is None:
            break
        if cur.type in TRANSPARENT:
            pass
        elif cur.type == "binary_expression" and operator_of(cur) in COMPARISONS:
            atom = cur
        else:
            break
        cur = up(cur)
    return atom


def _site(node: Node, reads: list[Read], kind: str | None = None) -> Site:
    kind = kind or site_kind(node)
    names = tuple(sorted({r.name for r in reads}))
    if kind != "check" or len(reads) < 2:
        return Site(kind, span_of(node), names)
    if node.type == "binary_expression":
        split = node.child_by_field_name("left")
    elif node.type == "call_expression":
        split = node.child_by_field_name("function")
    else:
        split = None
    if split is None:
        return Site(kind, span_of(node), names)
    left = tuple(sorted({r.name for r in reads if r.node.start_byte < split.end_byte}))
    right = tuple(sorted({r.name for r in reads if r.node.start_byte >= split.end_byte}))
    if left and right:
        return Site("pair", span_of(node), names, (left, right))
    return Site(kind, span_of(node), names)


def _reset_of(st: Node, name: str) -> Node | None:
    """`name = value;` as a whole statement: its assignment."""
    if st.type != "expression_statement":
        return None
    expr = st.named_children[0] if st.named_children else None
    if expr is None or expr.type != "assignment_expression":
        return None
    left = expr.child_by_field_name("left")
    if left is None or left.type != "identifier" or text_of(left, 80) != name:
        return None
    return expr


def _last_operand(value: Node) -> Node:
    """What a declaration's value is when it is truthy: the last operand of an `&&` chain
    (`id && MAP.get(id)`), parentheses aside; the value itself otherwise."""
    for _ in range(MAX_UP):
        inner: Node | None
        if value.type == "parenthesized_expression" and value.named_child_count == 1:
            inner = value.named_children[0]
        elif value.type == "binary_expression" and operator_of(value) == "&&":
            inner = value.child_by_field_name("right")
        else:
            return value
        if inner is None:
            return value
        value = inner
    return value

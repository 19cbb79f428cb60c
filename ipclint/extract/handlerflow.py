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

from ipclint.extract.flowdom import Dominance, site_kind
from ipclint.extract.flownames import is_binding, occurrences
from ipclint.extract.flowread import MAX_UP, Read, Reader
from ipclint.extract.parse import Node
from ipclint.extract.values import span_of, text_of
from ipclint.extract.walk import FUNCTION_TYPES, Extractor, _bindings_of_pattern
from ipclint.model.facts import Alias, Flow, Occ, Site

MAX_READS = 600  # reads classified per function
MAX_ALIAS_ROUNDS = 3


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
    if not names or _inline_callback(node):
        return None
    return _Analysis(node, ex).run(names)


def _inline_callback(node: Node) -> bool:
    args = node.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if callee is None:
        return False
    name = callee.child_by_field_name("property") if callee.type == "member_expression" else callee
    return name is not None and text_of(name, 40) in CALLBACK_OF


class _Analysis(Reader, Dominance):
    def __init__(self, fn_node: Node, ex: Extractor) -> None:
        self.fn = fn_node
        self.fn_id = fn_node.id
        self.ex = ex
        self.data: bytes = ex.data
        self.reads: list[Read] = []
        self.origin: dict[str, str] = {}
        self.aliases: list[tuple[str, str, bool, int]] = []
        self.writes: list[int] = []  # start bytes of writes to tracked names
        self.callbacks: dict[str, Node] = {}  # callback parameters bound by the read being climbed
        # Aliases bound only as callback parameters (`value.forEach((x) => ...)`): read only there.
        self.callback_of: dict[str, list[Node]] = {}
        self.block_memo: dict[int, dict[int, tuple[int, ...]]] = {}

    def run(self, params: set[str]) -> Flow | None:
        todo = {n: self.fn.start_byte for n in params}
        for _ in range(MAX_ALIAS_ROUNDS + 1):
            if not todo or len(self.reads) >= MAX_READS:
                break
            found = self._find(todo)
            todo = {}
            for name, ident in found:
                self.callbacks = {}
                read = self._climb(name, ident)
                if read is None:
                    continue
                self.reads.append(read)
                for a in read.alias:
                    if a in params or a == name:
                        continue
                    cb = self.callbacks.get(a)
                    if a not in self.origin and len(self.origin) < 64:
                        self.origin[a] = name
                        if cb is not None:
                            self.callback_of[a] = [cb]
                        self.aliases.append((a, name, read.pure, len(self.reads) - 1))
                        todo[a] = read.node.end_byte
                    elif a in self.callback_of:  # bound again: in another callback, or for good
                        if cb is not None:
                            self.callback_of[a].append(cb)
                        else:
                            del self.callback_of[a]
        if not self.reads:
            return None
        return self._finish()

    # ---- finding reads ---------------------------------------------------------------------
    def _find(self, todo: dict[str, int]) -> list[tuple[str, Node]]:
        out = []
        end = self.fn.end_byte
        for name in sorted(todo):
            for start in occurrences(self.data, name, todo[name], end):
                stop = start + len(name.encode())
                ident = self.fn.descendant_for_byte_range(start, stop)
                if ident is None or ident.type not in ("identifier", "shorthand_property_identifier"):
                    continue
                cbs = self.callback_of.get(name)
                if cbs is not None and not any(cb.start_byte <= start < cb.end_byte for cb in cbs):
                    continue  # an element alias exists only inside its callbacks
                if ident.start_byte != start or ident.end_byte != stop or is_binding(ident) \
                        or self._shadowed_between(ident, name):
                    continue
                out.append((name, ident))
                if len(out) + len(self.reads) >= MAX_READS:
                    return out
        return out

    def _shadowed_between(self, ident: Node, name: str) -> bool:
        node = ident.parent
        fn_id = self.fn_id
        for _ in range(MAX_UP * 4):
            if node is None or node.id == fn_id:
                return False
            t = node.type
            if (t in FUNCTION_TYPES or t == "catch_clause") and self._shadowed(node, name) \
                    and all(node.id != cb.id for cb in self.callback_of.get(name, ())):
                return True
            node = node.parent
        return False

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
        for r in self.reads:
            if r.site is not None:
                site_nodes.setdefault(r.site.id, r.site)
                site_reads.setdefault(r.site.id, []).append(r)
        order = sorted(site_nodes.values(), key=lambda n: (n.start_byte, -n.end_byte))
        self._index_sites(order)
        sites = tuple(_site(n, site_reads[n.id]) for n in order)
        families: dict[str, set[str]] = {}
        occs = []
        for r in sorted(self.reads, key=lambda r: r.node.start_byte):
            fam = families.get(r.name)
            if fam is None:
                fam = families[r.name] = self._family(r.name)
            dom = () if r.role == "check" else tuple(i for i in self._dominators(r.node)
                                                     if fam & set(sites[i].names))
            occs.append(Occ(r.name, span_of(r.node), r.role, self.index[r.site.id] if r.site is not None else -1,
                            dom, span_of(r.into) if r.into is not None else None, r.arg, r.keys))
        pos = {id(r): i for i, r in enumerate(sorted(self.reads, key=lambda r: r.node.start_byte))}
        aliases = tuple(Alias(a, src, pure, pos[id(self.reads[i])]) for a, src, pure, i in self.aliases)
        return Flow(sites, tuple(occs), aliases)

    def _family(self, name: str) -> set[str]:
        """The name, what it was taken from, and what was derived from it (a check of `new URL(p)`
        or of `path.join(base, p)` guards `p` too); not its siblings (checking `command` of
        `{ command, payload }` says nothing about `payload`)."""
        out = {name}
        cur = name
        while cur in self.origin and len(out) < 16:
            cur = self.origin[cur]
            out.add(cur)
        todo = [name]
        while todo and len(out) < 32:
            cur = todo.pop()
            for a, src, pure, _i in self.aliases:
                if src == cur and not pure and a not in out:
                    out.add(a)
                    todo.append(a)
        return out


def _site(node: Node, reads: list[Read]) -> Site:
    kind = site_kind(node)
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

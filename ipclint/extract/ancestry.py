"""Parents of syntax nodes without ``Node.parent``.

tree-sitter keeps no parent pointers: ``Node.parent`` searches down from the root, so one step up
costs the node's depth and a climb in deeply nested code is quadratic. Extraction visits the
query's captures in document order; ``Ancestry.visit`` moves one tree cursor forward to each of
them and keeps the chain of ancestors of the current capture: up to the nearest ancestor that holds
the next capture, then down with ``goto_first_child_for_byte`` (which skips the siblings in between
in C, through tree-sitter's balanced repetition nodes, instead of one Python step per sibling; each
node is entered once, so the whole visit is linear in the tree). Every node on that chain, and
every node reached below it by ``child_with_descendant``, has its parent recorded: ``parent()`` is
then a dictionary lookup (a sibling passed over is resolved from its parent when asked). Steps are
spent from the file's work budget (``ipclint.model.work``).
"""
from __future__ import annotations

from collections.abc import Callable

from ipclint.extract.parse import Node
from ipclint.model.work import Work

Up = Callable[[Node], "Node | None"]  # the parent of a node


class _Parents(dict[Node, "Node | None"]):
    """The recorded parents, keyed by node (tree-sitter nodes hash and compare by tree and id): a
    known parent is one dictionary lookup in C, an unknown one is resolved (``Ancestry._resolve``)."""

    __slots__ = ("resolve",)
    resolve: Callable[[Node], Node | None]

    def __missing__(self, node: Node) -> Node | None:
        return self.resolve(node)


def _contains(node: Node, s: int, e: int) -> bool:
    return node.start_byte <= s and e <= node.end_byte


class Ancestry:
    def __init__(self, root: Node, work: Work) -> None:
        self.work = work
        self.root = root
        self._parent = _Parents({root: None})
        self._parent.resolve = self._resolve
        # the parent of any node: a recorded one is a lookup in C, an unknown one is resolved
        self.parent: Up = self._parent.__getitem__
        self._cursor = root.walk()
        self.path: list[Node] = [root]  # the root, ..., the current capture
        self._below: list[Node] = []  # a chain under path[-1], each the parent of the next

    # ---- the captures, in document order ----------------------------------------------------
    def visit(self, target: Node) -> list[Node]:
        """Move to ``target`` (normally at or after the previous target in document order) and
        return its ancestors, the root first and ``target`` last. The list changes with the next
        visit."""
        path, cur, parent = self.path, self._cursor, self._parent
        s, e, tid = target.start_byte, target.end_byte, target.id
        self._below = []
        steps = 0
        while True:
            top = path[-1]
            if top.id == tid:
                break
            steps += 1
            ts, te = top.start_byte, top.end_byte
            if ts <= s and e <= te and not (ts == s and te == e and self._pop_to(tid)):
                if cur.goto_first_child_for_byte(s) is None:
                    self._resync(target)
                    break
                child = cur.node
                if child is None or not _contains(child, s, e):
                    self._resync(target)
                    break
                parent[child] = top
                path.append(child)
            elif len(path) > 1:  # up to the nearest ancestor that holds the target, then down again
                cur.goto_parent()
                path.pop()
            else:
                self._resync(target)
                break
        self.work.spend(steps)
        return path

    def _pop_to(self, tid: int) -> bool:
        """A capture with the same range as the current one: when it is one of the current one's
        ancestors (which have that range too), go back up to it."""
        path = self.path
        top = path[-1]
        s, e = top.start_byte, top.end_byte
        i = len(path) - 2
        while i >= 0 and path[i].start_byte == s and path[i].end_byte == e:
            if path[i].id == tid:
                while len(path) > i + 1:
                    self._cursor.goto_parent()
                    path.pop()
                return True
            i -= 1
        return False

    def _resync(self, target: Node) -> None:
        """The slow way, for nodes the byte search cannot reach (zero-width nodes): the chain from
        ``Node.parent``, then the cursor walked down it."""
        chain = [target]
        up = target.parent
        while up is not None:
            chain.append(up)
            up = up.parent
        chain.reverse()
        cur = self._cursor
        cur.reset(self.root)
        for above, node in zip(chain, chain[1:], strict=False):
            cur.goto_first_child()
            while (at := cur.node) is not None and at.id != node.id and cur.goto_next_sibling():
                pass
            self._parent[node] = above
        self.path[:] = chain
        self.work.spend(len(chain) * 4)

    # ---- any node ----------------------------------------------------------------------------
    def _resolve(self, node: Node) -> Node | None:
        """Record the parents of ``node`` and of the nodes between it and the nearest known node
        that contains it, descending from there."""
        below, path = self._below, self.path
        s, e = node.start_byte, node.end_byte
        while below and not _contains(below[-1], s, e):
            below.pop()
        extend = True
        if below:
            top = below[-1]
        elif _contains(path[-1], s, e):
            top = path[-1]
        else:
            i = len(path) - 2
            while i > 0 and not _contains(path[i], s, e):
                i -= 1
            top, extend = path[i], False
        parent = self._parent
        steps = 0
        while top.id != node.id:
            child = top.child_with_descendant(node)
            steps += 1
            if child is None:  # not below it after all (a zero-width node at its edge)
                parent[node] = node.parent
                break
            parent[child] = top
            if extend:
                below.append(child)
            top = child
        self.work.spend(steps)
        return dict.__getitem__(parent, node)

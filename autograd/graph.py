"""Walking the graph, iteratively (no recursion, so any depth works)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value


def backprop_order(roots: Value | Iterable[Value]) -> list[Value]:
    """The computed (non-leaf) Values reachable from `roots`, each listed before its parents.

    This is the order in which the chain rule runs: when a node is reached, every path from the
    roots to it has been seen, so its gradient is complete. It is the reverse of a depth-first
    post-order (a node is finished after all its parents are), walked with an explicit stack of
    (node, iterator over its parents) so any depth works. Leaves are left out: nothing flows out
    of them.
    """
    finished: list[Value] = []
    visited: set[Value] = set()
    for root in _as_list(roots):
        if not root._parents or root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root._parents))]
        while stack:
            node, unvisited_parents = stack[-1]
            for parent in unvisited_parents:
                if parent._parents and parent not in visited:
                    visited.add(parent)
                    stack.append((parent, iter(parent._parents)))
                    break
            else:  # every parent is finished: so is this node
                stack.pop()
                finished.append(node)
    finished.reverse()
    return finished


def walk(roots: Value | Iterable[Value]) -> Iterator[Value]:
    """Each Value reachable from `roots` once, breadth first from the roots."""
    queue = list(dict.fromkeys(_as_list(roots)))
    seen = set(queue)
    for node in queue:
        yield node
        for parent in node._parents:
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)


def _as_list(roots: Value | Iterable[Value]) -> list[Value]:
    from .value import Value

    if isinstance(roots, Value):
        return [roots]
    found = list(roots)
    for root in found:
        if not isinstance(root, Value):
            raise TypeError(f"expected Values, got {type(root).__name__} {root!r}")
    return found

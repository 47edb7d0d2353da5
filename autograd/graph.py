"""Walking the graph, iteratively (no recursion, so any depth works)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value


def backprop_order(roots: Value | Iterable[Value]) -> list[Value]:
    """The computed (non-leaf) Values reachable from `roots`, each listed before its parents.

    This is the order in which the chain rule runs: when a node is reached, every path from the
    roots to it has been seen, so its gradient is complete. Kahn's algorithm: count each node's
    children inside the graph, then release a node when its last child has been processed.
    Leaves are left out: nothing flows out of them.
    """
    starts = [root for root in _as_list(roots) if root._parents]
    children: dict[Value, int] = dict.fromkeys(starts, 0)
    stack = list(children)
    while stack:
        for parent in stack.pop()._parents:
            if parent in children:
                children[parent] += 1
            else:
                children[parent] = 1
                if parent._parents:
                    stack.append(parent)
    ready = [node for node in starts if children[node] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in node._parents:
            remaining = children[parent] - 1
            if remaining:
                children[parent] = remaining
            elif parent._parents:
                ready.append(parent)
    return order


def walk(roots: Value | Iterable[Value]) -> Iterator[Value]:
    """Each Value reachable from `roots` once, breadth first from the roots."""
    starts = _as_list(roots)
    seen = set(starts)
    queue = list(starts)
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

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
    post-order (a node is finished after all its parents are), walked with an explicit stack so
    any depth works: a node is pushed back under its parents when first popped, and finished
    when popped again. Parents are walked in argument order. Leaves are left out: nothing flows
    out of them. (Nothing allocated per node stays alive, so the cycle collector is not woken up
    while a deep graph is walked.)
    """
    finished: list[Value] = []
    entered: set[Value] = set()  # popped once: its parents are pushed above it
    done: set[Value] = set()  # popped again: finished
    stack = [root for root in reversed(_as_list(roots)) if root._parents]
    while stack:
        node = stack.pop()
        if node in done:
            continue
        if node in entered:
            done.add(node)
            finished.append(node)
            continue
        entered.add(node)
        stack.append(node)
        for parent in reversed(node._parents):  # so the first parent is walked first
            if parent._parents and parent not in entered:
                stack.append(parent)
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
    """`roots` as a list of nodes (anything with parents: this module imports no Value)."""
    if hasattr(roots, "_parents"):
        return [roots]  # type: ignore[list-item]  # a Value (checked without importing it)
    found = list(roots)
    for root in found:
        if not hasattr(root, "_parents"):
            raise TypeError(f"expected Values, got {type(root).__name__} {root!r}")
    return found

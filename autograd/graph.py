"""Walking the graph, iteratively (no recursion, so any depth works)."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .value import Value


def backprop_order(roots: Value | Iterable[Value]) -> list[Value]:
    """The computed (non-leaf) Values reachable from `roots`, each listed before its parents.

    This is the order in which `backward` runs the chain rule: the tapes the nodes lie on from
    the newest to the oldest, each from its last entry to its first (see `autograd.value`).
    Nodes are made after their parents, so when a node is reached every path from the roots to
    it has been seen and its gradient is complete. Each tape's entries are marked by
    `reached_entries` (a bytearray, the only memory per node besides the result). Leaves are
    left out: nothing flows out of them.
    """
    starts: dict[Any, list[int]] = {}  # per tape: the entries reached from outside it
    pending: list[tuple[int, Any]] = []
    for root in _as_list(roots):
        _start(root._tape, root._index, starts, pending)
    order: list[Value] = []
    while pending:
        tape = heapq.heappop(pending)[1]
        mark, ops, imports = reached_entries(tape, starts[tape]), tape.ops, tape.imports
        for i in range(max(starts[tape]), -1, -1):
            if mark[i]:
                if ops[i] is not None:
                    order.append(tape.value(i))
                elif i in imports:
                    source, j = imports[i]
                    _start(source, j, starts, pending)
    return order


def reached_entries(tape: Any, starts: list[int]) -> bytearray:
    """For each entry of `tape`: 1 if a path leads to it from one of the entries `starts`."""
    mark = bytearray(len(tape.data))
    for i in starts:
        mark[i] = 1
    ops = tape.ops
    for i in range(max(starts), -1, -1):
        if mark[i] and ops[i] is not None:
            for p in tape.parents(i):
                mark[p] = 1
    return mark


def _start(tape: Any, i: int, starts: dict[Any, list[int]], pending: list[tuple[int, Any]]) -> None:
    """Record that the walk reaches entry i of `tape` from outside it (a leaf has no tape)."""
    if tape is None:
        return
    if tape not in starts:
        starts[tape] = []
        heapq.heappush(pending, (-tape.serial, tape))
    starts[tape].append(i)


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

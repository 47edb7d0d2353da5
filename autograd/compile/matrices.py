"""Finding the matrices in a graph of scalars: layers, and the elementwise ops that follow them.

A *layer* is a set of `dot` nodes over the same input vector with different weight rows (each
weight a parameter): `h_j = w_j · x`, which is one matrix product `H = X @ Wᵀ` over a batch.
Then an op applied to every column of a group in the same way — the same primitive, the other
operands parameters (`+ b_j`: a vector), one shared node, or equal constants — is a group too
(`H + b`, `relu(H)`), and so on, pass after pass, as far as the columns go together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from .graph import Graph

MAX_PASSES = 64
"""How many times the elementwise groups are grown (one pass per op between two layers)."""


class Group:
    """Nodes computed the same way, one per column: `members[c]` is column c.

    `kind` is 'dot' (`weights[c]` the parameter numbers of row c, `x` the shared input numbers)
    or 'map' (`operands[k]` says what operand k is: ('g', group number) the same column of
    another group, ('p', (param per column…)) a vector of parameters, ('s', node) one shared
    node, ('c', node per column…) constants of equal value).
    """

    __slots__ = ("number", "kind", "members", "weights", "x", "operands", "position")

    def __init__(self, number: int, kind: str, members: list[int]) -> None:
        self.number = number
        self.kind = kind
        self.members = members
        self.weights: list[tuple[int, ...]] = []
        self.x: tuple[int, ...] = ()
        self.operands: list[tuple[Any, ...]] = []
        self.position = min(members)


def find_groups(graph: Graph, parameters: Collection[int], inputs: Collection[int]) -> list[Group]:
    """The layers of `graph` whose weights are among `parameters`, and the groups that follow
    (`inputs`: the leaves that are not constants)."""
    groups: list[Group] = []
    column: dict[int, tuple[int, int]] = {}  # node -> (group, column)
    layers: dict[tuple[int, ...], list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
    for i, op in enumerate(graph.ops):
        if op is None or op.name != "dot" or op.arity is not None:
            continue
        parents = graph.parents[i]
        half = len(parents) // 2
        first, second = parents[:half], parents[half:]
        if all(p in parameters for p in first):
            layers[second].append((i, first))
        elif all(p in parameters for p in second):
            layers[first].append((i, second))
    for x, rows in layers.items():
        group = Group(len(groups), "dot", [i for i, _ in rows])
        group.weights = [w for _, w in rows]
        group.x = x
        groups.append(group)
        for c, i in enumerate(group.members):
            column[i] = (group.number, c)
    for _ in range(MAX_PASSES):
        if not _grow(graph, parameters, inputs, groups, column):
            break
    return groups


def _grow(
    graph: Graph,
    parameters: Collection[int],
    inputs: Collection[int],
    groups: list[Group],
    column: dict[int, tuple[int, int]],
) -> bool:
    """One pass: every set of nodes that applies one op to all columns of a group becomes one."""
    candidates: dict[tuple[Any, ...], dict[int, int]] = defaultdict(dict)
    spoiled: set[tuple[Any, ...]] = set()
    for i, op in enumerate(graph.ops):
        if op is None or op.arity is None or i in column:
            continue
        parts: list[Any] = [op]
        columns = set()
        for p in graph.parents[i]:
            if p in column:
                g, c = column[p]
                columns.add(c)
                parts.append(("g", g))
            elif p in parameters:
                parts.append(("p",))
            elif graph.ops[p] is None and p not in inputs:
                parts.append(("c", graph.nodes[p].data))
            else:
                parts.append(("s", p))
        if len(columns) != 1:
            continue
        col = columns.pop()
        key = tuple(parts)
        found = candidates[key]
        if col in found:
            spoiled.add(key)
        found[col] = i
    grew = False
    for key, members in candidates.items():
        source = next(groups[d[1]] for d in key[1:] if d[0] == "g")
        size = len(source.members)
        if key in spoiled or len(members) != size:
            continue
        group = Group(len(groups), "map", [members[c] for c in range(size)])
        for k, descriptor in enumerate(key[1:]):
            if descriptor[0] == "p":
                group.operands.append(("p", tuple(graph.parents[i][k] for i in group.members)))
            elif descriptor[0] == "c":
                group.operands.append(("c", graph.parents[group.members[0]][k]))
            else:
                group.operands.append(descriptor)
        groups.append(group)
        for c, i in enumerate(group.members):
            column[i] = (group.number, c)
        grew = True
    return grew

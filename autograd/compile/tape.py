"""Huge graphs: a compact instruction list, interpreted, instead of generated source.

CPython's compiler needs time and memory far beyond linear for one function of 10⁵–10⁶ lines
(a 10⁶-node graph is ~3·10⁶ lines; compiling it in blocks still costs ~30 µs a line, and the
blocks must share their variables through a dictionary). A graph above `MAX_SOURCE_NODES`
therefore runs as a tape: per computed node, its op's float forward and the numbers of its
parents; backward walks the dynamic engine's order and applies each op's derivative rule. Building
the tape is one linear pass, and it computes exactly what the engine computes (the same
functions, the same order of additions, nodes with a zero upstream gradient skipped). The
readable source is still generated, on demand, when `source` is asked for.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..value import Value
from .graph import Graph

if TYPE_CHECKING:
    from .trace import Guard

MAX_SOURCE_NODES = 40_000
"""Graphs with more nodes than this run as a tape instead of generated Python."""

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class Tape:
    """The graph's forward and backward as lists of (node, function, parent numbers)."""

    def __init__(
        self, graph: Graph, output: int, inputs: Sequence[int], guards: Sequence[Guard]
    ) -> None:
        self.size = len(graph)
        self.constants = [node.data for node in graph.nodes]
        self.inputs = list(inputs)
        self.output = output
        steps: list[tuple[Any, ...]] = []
        start = 0
        for k, end in enumerate(graph.groups):
            for i in range(start, end):
                op = graph.ops[i]
                if op is not None:
                    steps.append((i, op.forward, graph.parents[i]))
            start = end
            if k < len(guards):
                guard = guards[k]
                steps.append(
                    (
                        -1,
                        _COMPARE[guard.symbol],
                        (self._operand(graph, guard.left), self._operand(graph, guard.right)),
                        guard.outcome,
                    )
                )
        self.forward = steps
        needs_grad = [False] * len(graph)
        for position in inputs:
            if position >= 0:
                needs_grad[position] = True
        for i, parents in enumerate(graph.parents):
            if not needs_grad[i] and any(needs_grad[p] for p in parents):
                needs_grad[i] = True
        self.backward = [
            (i, graph.op(i).derivative, graph.parents[i])
            for i in graph.backward_order(graph.nodes[output])
            if needs_grad[i]
        ]

    def _operand(self, graph: Graph, x: Value | float) -> int:
        if isinstance(x, Value):
            return graph.index[x]
        self.constants.append(float(x))
        return len(self.constants) - 1

    def values(self, inputs: Sequence[float]) -> list[float] | None:
        """Every node's value (None when a guard fails)."""
        values = list(self.constants)
        for position, x in zip(self.inputs, inputs):
            if position >= 0:
                values[position] = x
        for step in self.forward:
            i, function, parents = step[0], step[1], step[2]
            if len(parents) == 2:
                result = function(values[parents[0]], values[parents[1]])
            elif len(parents) == 1:
                result = function(values[parents[0]])
            else:
                result = function(*[values[p] for p in parents])
            if i < 0:
                if result != step[3]:
                    return None
            else:
                values[i] = result
        return values

    def value(self, *inputs: float) -> float | None:
        values = self.values(inputs)
        return None if values is None else values[self.output]

    def value_and_grad(self, *inputs: float) -> tuple[float, tuple[float, ...]] | None:
        values = self.values(inputs)
        if values is None:
            return None
        grads = [0.0] * len(values)
        grads[self.output] = 1.0
        for i, derivative, parents in self.backward:
            upstream = grads[i]
            if upstream == 0.0:
                continue
            local = derivative(values[i], *[values[p] for p in parents])
            for parent, d in zip(parents, local):
                grads[parent] += d * upstream
        return values[self.output], tuple(
            grads[position] if position >= 0 else 0.0 for position in self.inputs
        )

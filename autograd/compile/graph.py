"""The graph as compiled code sees it: nodes numbered in evaluation order, each an op and the
numbers of its parents; and the one way back to the dynamic engine (`rerun`).

This module is the only part of `autograd.compile` that looks at Values' structure, and it does
so through their public `parents` and `operation` (the node's row of the op table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..functional import gradients
from ..graph import backprop_order
from ..mode import enable_grad
from ..ops import Op
from ..value import Value, apply


def op_of(node: Value) -> Op:
    """The primitive that computed `node` (its row of the op table)."""
    op = node.operation
    assert op is not None, "op_of is asked only about computed nodes"
    return op


class Graph:
    """Every Value reachable from `roots`, parents before children, as flat lists.

    `nodes[i]` is the Value, `ops[i]` its Op (None for a leaf) and `parents[i]` the numbers of
    its parents in argument order (duplicates kept). `groups` ends each root's part: the nodes
    needed by `roots[k]` (and not by an earlier root) are `nodes[groups[k-1]:groups[k]]`, so a
    guard can be checked as soon as its operands exist. Built in one iterative walk: linear in
    the number of nodes and edges, any depth.
    """

    def __init__(self, roots: Sequence[Value]) -> None:
        self.nodes: list[Value] = []
        self.ops: list[Op | None] = []
        self.parents: list[tuple[int, ...]] = []
        self.index: dict[Value, int] = {}
        self.groups: list[int] = []
        for root in roots:
            self._add(root)
            self.groups.append(len(self.nodes))

    def _add(self, root: Value) -> None:
        index, nodes, ops, parent_lists = self.index, self.nodes, self.ops, self.parents
        stack: list[tuple[Value, bool]] = [(root, False)]
        pop, push = stack.pop, stack.append
        while stack:
            node, expanded = pop()
            if node in index:
                continue
            parents = node.parents
            if parents and not expanded:
                push((node, True))
                for parent in reversed(parents):
                    if parent not in index:
                        push((parent, False))
                continue
            index[node] = len(nodes)
            nodes.append(node)
            if parents:
                ops.append(op_of(node))
                parent_lists.append(tuple([index[p] for p in parents]))
            else:
                ops.append(None)
                parent_lists.append(())

    def op(self, i: int) -> Op:
        """The Op of computed node i."""
        op = self.ops[i]
        assert op is not None, f"node {i} is a leaf"
        return op

    def __len__(self) -> int:
        return len(self.nodes)

    def backward_order(self, output: Value) -> list[int]:
        """The computed nodes reaching `output` in the order the dynamic engine runs the chain
        rule (its `backprop_order`): gradient sums are then added in the engine's order."""
        return [self.index[node] for node in backprop_order(output)]

    def replay(self, output: Value, inputs: Sequence[Value]) -> Callable[..., Value]:
        """A function of new leaves (one per input) that rebuilds `output` on the dynamic engine.

        Every other leaf is a constant: its value now, not when the replay runs.
        """
        position = {self.index[node]: k for k, node in enumerate(inputs) if node in self.index}
        constants = [node.data for node in self.nodes]
        ops, parents, target = self.ops, self.parents, self.index[output]

        def build(*leaves: Value) -> Value:
            made: list[Any] = []
            for i, op in enumerate(ops):
                if i in position:
                    made.append(leaves[position[i]])
                elif op is None:
                    made.append(Value(constants[i], allow_nonfinite=True))
                else:
                    made.append(apply(op, *[made[p] for p in parents[i]]))
            result: Value = made[target]
            return result

        return build


def rerun(
    build: Callable[..., Any], floats: Sequence[float], with_grad: bool, labels: Sequence[str]
) -> Any:
    """`build` run by the dynamic engine on new leaves holding `floats`: its value, and with
    `with_grad` the tuple of its partial derivatives. The one path back from compiled code to
    the engine: for domain errors (the engine's message names the op and operands) and for
    `detect_anomaly()` (the engine checks every value and derivative).
    """
    leaves = [Value(x, label) for x, label in zip(floats, labels)]
    with enable_grad():
        output = build(*leaves)
    if not isinstance(output, Value):
        output = Value(output)
    if not with_grad:
        return output.data
    return output.data, tuple(gradients(output, leaves))

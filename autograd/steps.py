"""Backpropagation one chain-rule edge at a time: `steps(root)` and `explain(root)`.

For an edge from a node n to its input p, the chain rule adds one term to p's gradient:

    ∂L/∂p += ∂L/∂n · ∂n/∂p        (upstream gradient · local derivative)

`steps` applies these terms in exactly the order `Value.backward()` does, yielding a `Step` after
each one, so backprop can be advanced with `next()` and every `.grad` inspected on the way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import mode
from .graph import walk
from .ops import formula
from .value import (
    Value,
    check_backward,
    end_pass,
    evaluate_rule,
    number,
    start_pass,
)
from .value import (
    format_number as format_number,  # draw and the viewer use it from here
)


@dataclass(frozen=True, repr=False)
class Step:
    """One chain-rule term, applied: `parent.grad += local · upstream`.

    `node` is the Value whose gradient flows back, `parent` its input number `index`;
    `local` = ∂node/∂parent, `upstream` = ∂root/∂node (complete when this step runs),
    `contribution` = upstream · local, and `parent_grad` is the parent's gradient after adding it.
    `accumulated` is True when an earlier step of this pass already added to the parent's
    gradient (the chain rule sums over paths: `+=` rather than `=`).
    """

    number: int
    node: Value
    parent: Value
    index: int
    local: float
    upstream: float
    contribution: float
    parent_grad: float
    accumulated: bool

    @property
    def term(self) -> str:
        """The term in numbers, `upstream · local = contribution`: `0.7864 · (-3) = -2.359`."""
        upstream, local = format_factor(self.upstream), format_factor(self.local)
        return f"{upstream} · {local} = {format_number(self.contribution)}"

    def __repr__(self) -> str:
        return (
            f"Step({self.number}: {_brief(self.node)} -> input {self.index} "
            f"{_brief(self.parent)}: {self.term}, grad {format_number(self.parent_grad)})"
        )


def steps(root: Value, grad: float = 1.0) -> Iterator[Step]:
    """Run `root.backward(grad)` as a generator of `Step`s, one per chain-rule edge.

    As in `backward()`, interior gradients are reset and the root is seeded (`root.grad += grad`)
    at once, when `steps` is called, and each leaf's gradient from earlier passes is set aside:
    while stepping, a leaf's `.grad` is this pass's sum so far, and what it held before is added
    back when the generator is exhausted (or closed). Each `next()` applies one term. A node whose
    gradient is exactly 0 passes nothing on and yields no steps, as in `backward()`; once
    exhausted, every `.grad` equals what `backward()` gives, bit for bit.
    """
    if not isinstance(root, Value):
        raise TypeError(f"steps: root must be a Value, got {type(root).__name__} {root!r}")
    seed = number(grad, "grad", finite=True)
    order, held = start_pass(root)
    root.grad += seed
    return _chain_rule(order, held)


def _chain_rule(order: list[Value], held: list[tuple[Value, float]]) -> Iterator[Step]:
    try:
        yield from _terms(order)
    finally:
        end_pass(held)


def _terms(order: list[Value]) -> Iterator[Step]:
    number = 0
    reached: set[Value] = set()
    for node in order:
        upstream = node.grad
        if upstream == 0.0:
            continue
        local = evaluate_rule(node, create_graph=False)
        for index, (parent, derivative) in enumerate(zip(node._parents, local)):
            accumulated = parent in reached
            reached.add(parent)
            contribution = derivative * upstream
            parent.grad += contribution
            number += 1
            yield Step(
                number,
                node,
                parent,
                index,
                derivative,
                upstream,
                contribution,
                parent.grad,
                accumulated,
            )
        if mode.state.anomaly:
            check_backward(node, local, [parent.grad for parent in node._parents])


def explain(root: Value, grad: float = 1.0) -> None:
    """Run backward from `root` from zero gradients, and print the chain-rule table.

    Each row is one step, `∂L/∂p = ∂L/∂n · ∂n/∂p = upstream · local = contribution`, followed by
    the parent's gradient so far. Every `.grad` of the graph starts at 0, so afterwards each one
    is exactly what the table shows — `root.backward(grad)` on fresh gradients — and explaining
    twice does not accumulate. `explanation(root)` returns the same text instead of printing.
    """
    print(explanation(root, grad))


def explanation(root: Value, grad: float = 1.0) -> str:
    """The text `explain(root, grad)` prints (it runs the backward pass from zero gradients)."""
    nodes = list(walk(root))
    for node in nodes:
        node.grad = 0.0
    return _explanation(root, grad, nodes)


def _explanation(root: Value, grad: float, nodes: list[Value]) -> str:
    names = name_nodes(nodes)
    out = names[root]
    taken = list(steps(root, grad))
    lines = [f"{define(root, names)}; backward seeds ∂{out}/∂{out} = {format_number(grad)}"]
    generated = [node for node in nodes if node is not root and names[node] != node.label]
    for position, node in enumerate(generated):
        lines.append(("where " if position == 0 else "      ") + define(node, names))
    rows: list[tuple[str, ...]] = [
        ("step", "chain rule", "= upstream · local", "= term", "grad so far")
    ]
    for step in taken:
        child, parent = names[step.node], names[step.parent]
        equals = "+=" if step.accumulated else "="
        rows.append(
            (
                str(step.number),
                f"∂{out}/∂{parent} {equals} ∂{out}/∂{child} · ∂{child}/∂{parent}",
                f"= {format_factor(step.upstream)} · {format_factor(step.local)}",
                f"= {format_number(step.contribution)}",
                f"{parent}.grad = {format_number(step.parent_grad)}",
            )
        )
    lines.append("")
    lines.extend(_table(rows))
    if not taken:
        lines.append("(no steps: nothing flows back from here)")
    leaves = ", ".join(
        f"{names[node]}.grad = {format_number(node.grad)}" for node in nodes if node.is_leaf
    )
    lines.append(f"leaves: {leaves}")
    return "\n".join(lines)


def define(node: Value, names: dict[Value, str]) -> str:
    """`n1 = w * x = -1.5`: a node's name, how it was computed, and its value."""
    if node.is_leaf:
        return f"{names[node]} = {format_number(node.data)}"
    return f"{names[node]} = {formula(node, names)} = {format_number(node.data)}"


def name_nodes(nodes: Iterable[Value]) -> dict[Value, str]:
    """A unique name for each Value: its label, or `n1`, `n2`, … for unlabelled ones.

    A label used by several different Values gets `#2`, `#3`, … from its second use on.
    """
    names: dict[Value, str] = {}
    used: set[str] = set()
    copies: dict[str, int] = {}  # the last copy number tried per label: linear for shared labels
    counter = 0
    for node in nodes:
        if node in names:
            continue
        name = node.label
        if not name:
            counter += 1
            name = f"n{counter}"
        candidate, copy = name, copies.get(name, 1)
        if copy > 1:
            candidate = f"{name}#{copy}"
        while candidate in used:
            copy += 1
            candidate = f"{name}#{copy}"
        copies[name] = copy
        names[node] = candidate
        used.add(candidate)
    return names


def format_factor(x: float) -> str:
    """A number as a factor of a product: negative ones in parentheses, `0.5 · (-3)`."""
    return f"({format_number(x)})" if x < 0 else format_number(x)


def _brief(node: Value) -> str:
    """A Value in a few characters: its label, `(op)` for a computed one, or its number."""
    if node.label:
        return repr(node.label)
    return f"({node.op})" if node.op else format_number(node.data)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as text in aligned columns (the first column right-aligned, the others left)."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].rjust(widths[0])]
        cells += [cell.ljust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return lines

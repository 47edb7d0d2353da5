"""A hypothesis state machine (MyGrad's idea) that grows random graphs and checks the engine's
every value and gradient against an independent reference after every step.

The reference is a plain-float model of the graph: each node's data computed with `math`, and
its own reverse mode with local derivatives written here, not taken from `autograd.ops`. Rules
grow the graph with reuse, sometimes under `no_grad` (the result is a leaf) or through
`detach()`, backpropagate from random nodes with random seeds, repeat the last backward, zero
the leaf grads, and ask `gradients()` (which must leave every `.grad` alone). The semantics
checked: leaf grads accumulate across backward calls; interior grads reached by a backward are
reset and show that pass only; nodes it does not reach keep what they had.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

import autograd
from autograd import Value


@dataclass(frozen=True)
class Rule:
    """An operation: the engine's version, and the reference forward and local derivatives."""

    engine: Callable[..., Value]
    forward: Callable[..., float]
    local: Callable[..., tuple[float, ...]]
    accepts: Callable[..., bool] = lambda *xs: True


def _sign(x: float) -> float:
    return (x > 0) - (x < 0)


def _sech_squared(x: float) -> float:
    """1/cosh² x = 4e^(-2|x|) / (1 + e^(-2|x|))², without overflow."""
    z = math.exp(-2.0 * abs(x))
    return 4.0 * z / (1.0 + z) ** 2


def _sigmoid(x: float) -> float:
    """σ(x) = exp(-softplus(-x)), softplus(z) = max(z, 0) + log(1 + e^-|z|)."""
    return math.exp(-(max(-x, 0.0) + math.log1p(math.exp(-abs(x)))))


UNARY = {
    "neg": Rule(lambda x: -x, lambda x: -x, lambda x: (-1.0,)),
    "tanh": Rule(autograd.tanh, math.tanh, lambda x: (_sech_squared(x),)),
    "sin": Rule(autograd.sin, math.sin, lambda x: (math.cos(x),)),
    "cos": Rule(autograd.cos, math.cos, lambda x: (-math.sin(x),)),
    "exp": Rule(autograd.exp, math.exp, lambda x: (math.exp(x),), lambda x: x <= 4.0),
    "log": Rule(autograd.log, math.log, lambda x: (1.0 / x,), lambda x: x >= 0.1),
    "relu": Rule(autograd.relu, lambda x: max(x, 0.0), lambda x: (float(x > 0),)),
    "abs": Rule(autograd.abs, abs, lambda x: (float(_sign(x)),)),
    "square": Rule(lambda x: x**2, lambda x: x * x, lambda x: (2.0 * x,)),
    "sigmoid": Rule(autograd.sigmoid, _sigmoid, lambda x: (_sigmoid(x) * _sigmoid(-x),)),
}
BINARY = {
    "+": Rule(lambda x, y: x + y, lambda x, y: x + y, lambda x, y: (1.0, 1.0)),
    "-": Rule(lambda x, y: x - y, lambda x, y: x - y, lambda x, y: (1.0, -1.0)),
    "*": Rule(lambda x, y: x * y, lambda x, y: x * y, lambda x, y: (y, x)),
    "/": Rule(
        lambda x, y: x / y,
        lambda x, y: x / y,
        lambda x, y: (1.0 / y, -x / (y * y)),
        lambda x, y: abs(y) >= 0.5,
    ),
}
SUM = Rule(lambda *xs: autograd.sum_values(xs), lambda *xs: sum(xs), lambda *xs: (1.0,) * len(xs))
LARGEST = 1e4  # nodes whose value would be larger are not made: grads stay far from overflow


@dataclass(eq=False)
class Node:
    """The reference's picture of one engine Value."""

    number: int  # creation order: parents always have smaller numbers
    data: float
    parents: tuple[Value, ...] = ()
    rule: Rule | None = None
    grad: float = 0.0
    scale: float = 0.0  # bounds the rounding error allowed in grad (see `reverse_mode`)
    local: tuple[float, ...] = field(default=())


class GraphMachine(RuleBasedStateMachine):
    nodes = Bundle("nodes")

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[Value, Node] = {}
        self.last_backward: tuple[Value, float] | None = None

    # -- growing the graph ---------------------------------------------------------------------

    def record(self, value: Value, data: float, parents=(), rule: Rule | None = None) -> Value:
        local = rule.local(*[self.model[p].data for p in parents]) if parents else ()
        self.model[value] = Node(len(self.model), data, tuple(parents), rule, local=local)
        return value

    def make(self, rule: Rule, operands: list[Value], under_no_grad: bool):
        data = [self.model[x].data for x in operands]
        if not rule.accepts(*data):
            return multiple()
        expected = rule.forward(*data)
        if abs(expected) > LARGEST:
            return multiple()
        with autograd.set_grad_enabled(not under_no_grad):
            value = rule.engine(*operands)
        if under_no_grad:  # a constant: no parents, no op
            assert value.is_leaf and value.op == ""
            return self.record(value, expected)
        return self.record(value, expected, operands, rule)

    @initialize(target=nodes, xs=st.lists(st.floats(-3.0, 3.0), min_size=1, max_size=3))
    def first_leaves(self, xs):
        return multiple(*[self.record(Value(x), x) for x in xs])

    @rule(target=nodes, x=st.floats(-3.0, 3.0), label=st.sampled_from(["", "w"]))
    def leaf(self, x, label):
        return self.record(Value(x, label=label), x)

    @rule(target=nodes, name=st.sampled_from(sorted(UNARY)), x=nodes, under_no_grad=st.booleans())
    def unary(self, name, x, under_no_grad):
        return self.make(UNARY[name], [x], under_no_grad)

    @rule(
        target=nodes,
        name=st.sampled_from(sorted(BINARY)),
        x=nodes,
        y=nodes,
        under_no_grad=st.booleans(),
    )
    def binary(self, name, x, y, under_no_grad):
        return self.make(BINARY[name], [x, y], under_no_grad)

    @rule(target=nodes, xs=st.lists(nodes, min_size=1, max_size=4))
    def summed(self, xs):
        return self.make(SUM, xs, under_no_grad=False)

    @rule(target=nodes, x=nodes)
    def detached(self, x):
        value = x.detach()
        assert value.is_leaf and value is not x
        return self.record(value, self.model[x].data)

    # -- backpropagating -----------------------------------------------------------------------

    @rule(root=nodes, seed=st.sampled_from([1.0, -0.5, 3.0]))
    def backward(self, root, seed):
        root.backward(seed)
        self.reference_backward(root, seed)
        self.last_backward = (root, seed)

    @precondition(lambda self: self.last_backward is not None)
    @rule()
    def backward_again(self):
        self.backward(*self.last_backward)

    @rule()
    def zero_leaf_grads(self):
        for value, node in self.model.items():
            if not node.parents:
                value.grad = node.grad = node.scale = 0.0

    @rule(root=nodes, inputs=st.lists(nodes, min_size=1, max_size=3))
    def functional_gradients(self, root, inputs):
        before = {value: value.grad for value in self.model}
        found = autograd.gradients(root, inputs)
        adjoint, scale = self.reverse_mode(root, 1.0)
        for value, derivative in zip(inputs, found):
            expected = adjoint.get(value, 0.0)
            assert close(derivative, expected, scale.get(value, 0.0)), (derivative, expected)
        assert all(value.grad == grad for value, grad in before.items())  # .grad untouched

    def reverse_mode(self, root: Value, seed: float) -> tuple[dict, dict]:
        """∂root/∂node · seed for every node root reaches, and a scale for its rounding error.

        The scale sums (|local| + 1)·scale(child) over the chain-rule terms: the engine may sum
        in another order, and rules such as 1 - tanh² (PyTorch's too) are exact only up to an
        absolute ~1e-16 when the activation saturates.
        """
        reached = {root}
        for value in sorted(self.model, key=lambda v: -self.model[v].number):
            if value in reached:
                reached.update(self.model[value].parents)
        adjoint = dict.fromkeys(reached, 0.0)
        scale = dict.fromkeys(reached, 0.0)
        adjoint[root], scale[root] = seed, abs(seed)
        for value in sorted(reached, key=lambda v: -self.model[v].number):
            node = self.model[value]
            for parent, local in zip(node.parents, node.local):
                adjoint[parent] += local * adjoint[value]
                scale[parent] += (abs(local) + 1.0) * scale[value]
        return adjoint, scale

    def reference_backward(self, root: Value, seed: float) -> None:
        adjoint, scale = self.reverse_mode(root, seed)
        for value, derivative in adjoint.items():
            node = self.model[value]
            if node.parents:  # interior: this pass only
                node.grad, node.scale = derivative, scale[value]
            else:  # leaf: accumulates
                node.grad += derivative
                node.scale += scale[value]

    # -- the engine agrees with the reference --------------------------------------------------

    @invariant()
    def every_value_and_grad_matches(self):
        for value, node in self.model.items():
            assert value.data == node.data or math.isclose(value.data, node.data, rel_tol=1e-12)
            assert value.parents == node.parents  # the same nodes (== is node identity)
            assert type(value.grad) is float
            assert close(value.grad, node.grad, node.scale), (value, node.grad)


def close(actual: float, expected: float, scale: float) -> bool:
    """Equal up to rounding, with a wide margin: ~1e-16 per unit of scale is expected."""
    return abs(actual - expected) <= 1e-9 * scale + 1e-300


TestGraphMachine = GraphMachine.TestCase

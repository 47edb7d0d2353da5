"""micrograd 0.1.0 (Karpathy), used exactly as its demo uses it: closures per node, set of parents,
recursive topological sort (so deep graphs need a raised recursion limit — done here only, for it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial

from micrograd.engine import Value
from micrograd.nn import MLP

from .data import L2_ALPHA, LAYER_SIZES, learning_rate
from .workloads import Problem, memory_chain


def make_model(weights: list) -> MLP:
    """micrograd's MLP with its random weights replaced by the shared initial floats."""
    model = MLP(LAYER_SIZES[0], list(LAYER_SIZES[1:]))
    for layer, layer_weights in zip(model.layers, weights):
        for neuron, (ws, b) in zip(layer.neurons, layer_weights):
            neuron.w = [Value(w) for w in ws]
            neuron.b = Value(b)
    return model


def loss(model: MLP, points: list, labels: list) -> Value:
    """The demo's loss, verbatim: mean relu(1 - y·score) + α Σ p²."""
    inputs = [list(map(Value, point)) for point in points]
    scores = list(map(model, inputs))
    losses = [(1 + -label * score).relu() for label, score in zip(labels, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    return data_loss + L2_ALPHA * sum(p * p for p in model.parameters())


def moons_train(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        model = make_model(problem.weights)
        params = model.parameters()
        for step in range(problem.n_steps):
            total = loss(model, problem.points, problem.labels)
            model.zero_grad()
            total.backward()
            rate = learning_rate(step)
            for p in params:
                p.data -= rate * p.grad
        return total.data, sum(p.data for p in params)

    return run


class _RecursionLimit:
    """micrograd's backward recurses once per node of depth: raise the limit around it only."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __enter__(self) -> None:
        self.saved = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.saved, self.limit))

    def __exit__(self, *exc_info: object) -> None:
        sys.setrecursionlimit(self.saved)


def deep_chain(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        x, w, b = Value(problem.chain_x), Value(problem.chain_w), Value(problem.chain_b)
        h = x
        for _ in range(problem.chain_length):
            h = h * w + b
        with _RecursionLimit(4 * problem.chain_length + 1000):
            h.backward()
        return h.data, x.grad, w.grad, b.grad

    return run


def wide_sum(problem: Problem) -> Callable[[], tuple]:
    """Python's sum over micrograd Values: a chain of additions as deep as the list is long."""

    def run() -> tuple:
        xs = [Value(x) for x in problem.wide_x]
        ys = [Value(y) for y in problem.wide_y]
        total = sum(x * y for x, y in zip(xs, ys))
        with _RecursionLimit(4 * problem.wide_length + 1000):
            total.backward()
        return total.data, sum(x.grad for x in xs), sum(y.grad for y in ys)

    return run


chain_for_memory = partial(memory_chain, Value)

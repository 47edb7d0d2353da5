"""glassgrad's dynamic engine: the graph is built by running Python on Values, then backward().

The model is micrograd's MLP structure built directly from `autograd`: each neuron is
`relu(dot(w, x) + b)` (the last layer has no relu), so the comparison is like for like.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import autograd
from autograd import Value

from .data import L2_ALPHA, learning_rate
from .workloads import Problem, memory_chain


def make_model(weights: list) -> list:
    """Per layer, per neuron: ([weight Values], bias Value), copied from the shared floats."""
    return [[([Value(w) for w in ws], Value(b)) for ws, b in layer] for layer in weights]


def parameters(model: list) -> list[Value]:
    return [p for layer in model for ws, b in layer for p in (*ws, b)]


def forward(model: list, point: list) -> Value:
    """MLP(2, [16, 16, 1]): relu(w·x + b) per hidden neuron, w·x + b for the output."""
    h = [Value(x) for x in point]
    last = len(model) - 1
    for depth, layer in enumerate(model):
        h = [autograd.dot(ws, h) + b for ws, b in layer]
        if depth != last:
            h = [a.relu() for a in h]
    return h[0]


def loss(model: list, points: list, labels: list) -> Value:
    """mean relu(1 - y·score) + α Σ p² (micrograd's max-margin loss)."""
    scores = [forward(model, point) for point in points]
    margins = [(1 + -label * score).relu() for label, score in zip(labels, scores)]
    data_loss = autograd.sum_values(margins) * (1.0 / len(margins))
    return data_loss + L2_ALPHA * autograd.sum_values([p * p for p in parameters(model)])


def moons_train(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        model = make_model(problem.weights)
        params = parameters(model)
        for step in range(problem.n_steps):
            total = loss(model, problem.points, problem.labels)
            for p in params:
                p.grad = 0.0
            total.backward()
            rate = learning_rate(step)
            for p in params:
                p.data -= rate * p.grad
        return total.data, sum(p.data for p in params)

    return run


def deep_chain(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        x, w, b = Value(problem.chain_x), Value(problem.chain_w), Value(problem.chain_b)
        h = x
        for _ in range(problem.chain_length):
            h = h * w + b
        h.backward()
        return h.data, x.grad, w.grad, b.grad

    return run


def wide_sum(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        xs = [Value(x) for x in problem.wide_x]
        ys = [Value(y) for y in problem.wide_y]
        total = autograd.sum_values([x * y for x, y in zip(xs, ys)])
        total.backward()
        return total.data, sum(x.grad for x in xs), sum(y.grad for y in ys)

    return run


chain_for_memory = partial(memory_chain, Value)

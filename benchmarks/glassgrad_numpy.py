"""glassgrad compiled for NumPy arrays: the loss of *one* point is built as a function of the 337
parameters and the point (x1, x2, y), compiled with `compile_graph(..., batched=True,
wrt=parameters, reduce='sum')`, and run once with the 100 points as arrays: each layer is one
matrix product, the sum over the points is taken inside the code, and the gradient comes back as
one vector.

Each point's loss is relu(1 - y·score)/n + (α/n)·Σp², so the batch sum is the demo's loss.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy

import autograd
from autograd import Value
from autograd.compile import CompiledGraph

from . import glassgrad_dynamic as dynamic
from .data import L2_ALPHA, learning_rate
from .workloads import Problem


def compile_point_loss(problem: Problem) -> tuple[CompiledGraph, list[float]]:
    model = dynamic.make_model(problem.weights)
    params = dynamic.parameters(model)
    x1, x2, label = Value(0.0), Value(0.0), Value(1.0)
    h = [x1, x2]
    last = len(model) - 1
    for depth, layer in enumerate(model):
        h = [autograd.dot(ws, h) + b for ws, b in layer]
        if depth != last:
            h = [a.relu() for a in h]
    score = h[0]
    n = len(problem.points)
    point_loss = (1 + -label * score).relu() * (1.0 / n) + (L2_ALPHA / n) * autograd.sum_values(
        [p * p for p in params]
    )
    compiled = autograd.compile_graph(
        point_loss, [*params, x1, x2, label], batched=True, wrt=params, reduce="sum"
    )
    return compiled, [p.data for p in params]


def _train(compiled: CompiledGraph, params: list[float], problem: Problem, n_steps: int) -> tuple:
    columns = numpy.array(problem.points).T
    labels = numpy.array(problem.labels)
    vector = numpy.array(params)
    for k in range(n_steps):
        value, grads = compiled.value_and_grad(*vector.tolist(), columns[0], columns[1], labels)
        vector = vector - learning_rate(k) * grads
    return float(value), float(vector.sum())


def moons_step(problem: Problem) -> Callable[[], tuple]:
    compiled, params = compile_point_loss(problem)
    _train(compiled, params, problem, 1)  # CPython compiles the generated code on first use
    return lambda: _train(compiled, params, problem, 1)


def moons_train(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        compiled, params = compile_point_loss(problem)
        return _train(compiled, params, problem, problem.n_steps)

    return run

"""glassgrad compiled: the moons loss is traced once with the dynamic engine, then
`autograd.compile_graph(loss, parameters)` runs it as straight-line Python on floats.

`moons_step` times one step of the compiled code (value, gradient and the SGD update on floats),
as `fit(..., compile=True)` runs every step after the first; the one-time trace + compile is its
own row, `moons_compile`. `moons_train` times the whole demo *including* that one-time cost.
Deep chains and wide sums are not compiled: a graph of 10^6 nodes run once is what the dynamic
engine is for (how compile_graph scales to such graphs: `benchmarks/compile_scale.py`).
"""

from __future__ import annotations

from collections.abc import Callable

import autograd
from autograd.compile import CompiledGraph

from . import glassgrad_dynamic as dynamic
from .data import learning_rate
from .workloads import Problem


def compile_loss(problem: Problem) -> tuple[CompiledGraph, list[float]]:
    """Trace the loss at the initial weights; compile it as a function of the 337 parameters."""
    model = dynamic.make_model(problem.weights)
    params = dynamic.parameters(model)
    loss = dynamic.loss(model, problem.points, problem.labels)
    return autograd.compile_graph(loss, params), [p.data for p in params]


def _train(compiled: CompiledGraph, params: list[float], n_steps: int) -> tuple:
    step = compiled.value_and_grad
    for k in range(n_steps):
        loss, grads = step(*params)
        rate = learning_rate(k)
        params = [p - rate * g for p, g in zip(params, grads)]
    return loss, sum(params)


def moons_step(problem: Problem) -> Callable[[], tuple]:
    compiled, params = compile_loss(problem)
    compiled.value_and_grad(*params)  # CPython compiles the generated function on first use
    return lambda: _train(compiled, params, 1)


def moons_compile(problem: Problem) -> Callable[[], tuple]:
    """The one-time cost: trace the loss, generate the code, compile it, run it once."""

    def run() -> tuple:
        compiled, params = compile_loss(problem)
        return compiled.value_and_grad(*params)[0], sum(params)

    return run


def moons_train(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        compiled, params = compile_loss(problem)
        return _train(compiled, params, problem.n_steps)

    return run

"""glassgrad's `nn` package as a user writes it: `nn.MLP(2, [16, 16, 1])`, `hinge_loss`, `l2`,
`SGD` — with the shared initial weights loaded, so its numbers match the other engines'."""

from __future__ import annotations

from collections.abc import Callable

from nn.layers import MLP
from nn.losses import hinge_loss, l2
from nn.optim import SGD

from .data import L2_ALPHA, LAYER_SIZES, flat_parameters, learning_rate
from .workloads import Problem


def make_model(weights: list) -> MLP:
    model = MLP(LAYER_SIZES[0], list(LAYER_SIZES[1:]), activation="relu")
    for parameter, value in zip(model.parameters(), flat_parameters(weights)):
        parameter.data = value
    return model


def moons_train(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        model = make_model(problem.weights)
        params = model.parameters()
        optimizer = SGD(params, lr=1.0)
        for step in range(problem.n_steps):
            scores = [model(point) for point in problem.points]
            total = hinge_loss(scores, problem.labels) + L2_ALPHA * l2(params)
            optimizer.zero_grad()
            total.backward()
            optimizer.lr = learning_rate(step)
            optimizer.step()
        return total.data, sum(p.data for p in params)

    return run

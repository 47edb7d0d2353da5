"""PyTorch (CPU, float64) two ways: one 0-d tensor per scalar, as micrograd's demo written in
torch, and batched (the 100 points as one matrix, W x + b per layer) — torch as it is meant to run.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from .data import L2_ALPHA, learning_rate
from .workloads import Problem

DTYPE = torch.float64
torch.set_num_threads(1)  # one thread, as every other engine (and the 2 cores do not fight)


def _sgd_step(total: torch.Tensor, params: list[torch.Tensor], rate: float) -> None:
    """Backpropagate `total` into fresh grads, then p ← p - rate·∂total/∂p outside the graph."""
    for p in params:
        p.grad = None
    total.backward()
    with torch.no_grad():
        for p in params:
            p -= rate * p.grad


def _scalar(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=DTYPE, requires_grad=True)


def scalar_moons_train(problem: Problem) -> Callable[[], tuple]:
    """Every weight a 0-d tensor; each neuron Σ wᵢxᵢ + b by Python's sum, as micrograd does."""

    def run() -> tuple:
        model = [
            [([_scalar(w) for w in ws], _scalar(b)) for ws, b in layer] for layer in problem.weights
        ]
        params = [p for layer in model for ws, b in layer for p in (*ws, b)]
        last = len(model) - 1
        for step in range(problem.n_steps):
            scores = []
            for point in problem.points:
                h = [torch.tensor(x, dtype=DTYPE) for x in point]
                for depth, layer in enumerate(model):
                    h = [sum((w * x for w, x in zip(ws, h)), b) for ws, b in layer]
                    if depth != last:
                        h = [a.relu() for a in h]
                scores.append(h[0])
            losses = [(1 + -label * score).relu() for label, score in zip(problem.labels, scores)]
            total = sum(losses) * (1.0 / len(losses)) + L2_ALPHA * sum(p * p for p in params)
            _sgd_step(total, params, learning_rate(step))
        return total.item(), sum(p.item() for p in params)

    return run


def _batched_model(problem: Problem) -> list[torch.Tensor]:
    params = []
    for layer in problem.weights:
        params += [
            torch.tensor([ws for ws, _ in layer], dtype=DTYPE, requires_grad=True),
            torch.tensor([b for _, b in layer], dtype=DTYPE, requires_grad=True),
        ]
    return params


def _batched_steps(
    problem: Problem,
    params: list[torch.Tensor],
    points: torch.Tensor,
    labels: torch.Tensor,
    n_steps: int,
) -> tuple:
    """relu(X Wᵀ + b) per hidden layer over all points at once, `n_steps` SGD steps."""
    for step in range(n_steps):
        h = points
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i + 2 < len(params):
                h = h.relu()
        data_loss = (1 - labels * h[:, 0]).relu().mean()
        total = data_loss + L2_ALPHA * sum((p * p).sum() for p in params)
        _sgd_step(total, params, learning_rate(step))
    return total.item(), sum(p.sum().item() for p in params)


def batched_moons_step(problem: Problem) -> Callable[[], tuple]:
    """One step; the tensors (data and parameters) are built before the clock starts."""
    points = torch.tensor(problem.points, dtype=DTYPE)
    labels = torch.tensor(problem.labels, dtype=DTYPE)
    params = _batched_model(problem)
    return lambda: _batched_steps(problem, params, points, labels, 1)


def batched_moons_train(problem: Problem) -> Callable[[], tuple]:
    """The whole demo; the data tensors are built before the clock starts."""
    points = torch.tensor(problem.points, dtype=DTYPE)
    labels = torch.tensor(problem.labels, dtype=DTYPE)
    return lambda: _batched_steps(problem, _batched_model(problem), points, labels, problem.n_steps)


def scalar_deep_chain(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        x, w, b = (_scalar(v) for v in (problem.chain_x, problem.chain_w, problem.chain_b))
        h = x
        for _ in range(problem.chain_length):
            h = h * w + b
        h.backward()
        return h.item(), x.grad.item(), w.grad.item(), b.grad.item()

    return run


def scalar_wide_sum(problem: Problem) -> Callable[[], tuple]:
    """10^6 products of 0-d tensors, summed by one `torch.stack(...).sum()`."""

    def run() -> tuple:
        xs = [_scalar(x) for x in problem.wide_x]
        ys = [_scalar(y) for y in problem.wide_y]
        total = torch.stack([x * y for x, y in zip(xs, ys)]).sum()
        total.backward()
        return total.item(), sum(x.grad.item() for x in xs), sum(y.grad.item() for y in ys)

    return run


def batched_wide_sum(problem: Problem) -> Callable[[], tuple]:
    xs_data = torch.tensor(problem.wide_x, dtype=DTYPE)
    ys_data = torch.tensor(problem.wide_y, dtype=DTYPE)

    def run() -> tuple:
        xs = xs_data.clone().requires_grad_()
        ys = ys_data.clone().requires_grad_()
        total = (xs * ys).sum()
        total.backward()
        return total.item(), xs.grad.sum().item(), ys.grad.sum().item()

    return run

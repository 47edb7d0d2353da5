"""The pure-Python floor: plain floats and hand-derived backprop, no graph at all.

This is what a scalar engine in CPython cannot beat by much: the same arithmetic written out by
hand. Each workload returns the same checksum as the engines.
"""

from __future__ import annotations

from collections.abc import Callable

from .data import L2_ALPHA, learning_rate
from .workloads import Problem


def _forward_backward(layers: list, points: list, labels: list) -> tuple[float, list]:
    """Loss and, per layer per neuron, [weight grads, bias grad], derived by hand.

    Neuron j of layer l: a = Σᵢ wᵢ hᵢ + b; h' = relu(a) (hidden) or a (last layer).
    Loss = mean relu(1 - y·score) + α Σ p²; ∂relu(u)/∂u = [u > 0].
    """
    grads = [[[[0.0] * len(w), 0.0] for w, _ in layer] for layer in layers]
    last = len(layers) - 1
    inv_n = 1.0 / len(points)
    data_loss = 0.0
    for point, label in zip(points, labels):
        activations = [point]
        pre = []
        h = point
        for depth, layer in enumerate(layers):
            a = [sum(wi * hi for wi, hi in zip(w, h)) + b for w, b in layer]
            pre.append(a)
            h = a if depth == last else [ai if ai > 0.0 else 0.0 for ai in a]
            activations.append(h)
        margin = 1.0 - label * h[0]
        if margin <= 0.0:
            continue
        data_loss += margin
        upstream = [-label * inv_n]
        for depth in range(last, -1, -1):
            if depth != last:
                upstream = [u if a > 0.0 else 0.0 for u, a in zip(upstream, pre[depth])]
            inputs = activations[depth]
            below = [0.0] * len(inputs)
            for (w, _), grad, u in zip(layers[depth], grads[depth], upstream):
                if u == 0.0:
                    continue
                wgrad = grad[0]
                for i, (wi, hi) in enumerate(zip(w, inputs)):
                    wgrad[i] += u * hi
                    below[i] += u * wi
                grad[1] += u
            upstream = below
    reg = 0.0
    for layer, layer_grads in zip(layers, grads):
        for (w, b), grad in zip(layer, layer_grads):
            for i, wi in enumerate(w):
                reg += wi * wi
                grad[0][i] += 2.0 * L2_ALPHA * wi
            reg += b * b
            grad[1] += 2.0 * L2_ALPHA * b
    return data_loss * inv_n + L2_ALPHA * reg, grads


def _sgd(layers: list, grads: list, rate: float) -> list:
    return [
        [
            ([wi - rate * gi for wi, gi in zip(w, gw)], b - rate * gb)
            for (w, b), (gw, gb) in zip(layer, layer_grads)
        ]
        for layer, layer_grads in zip(layers, grads)
    ]


def _parameter_sum(layers: list) -> float:
    return sum(sum(w) + b for layer in layers for w, b in layer)


def moons_train(problem: Problem) -> Callable[[], tuple]:
    def run() -> tuple:
        layers = problem.weights
        for step in range(problem.n_steps):
            loss, grads = _forward_backward(layers, problem.points, problem.labels)
            layers = _sgd(layers, grads, learning_rate(step))
        return loss, _parameter_sum(layers)

    return run


def deep_chain(problem: Problem) -> Callable[[], tuple]:
    """h ← h·w + b, n times; ∂h/∂h_prev = w, ∂h/∂w = h_prev, ∂h/∂b = 1."""

    def run() -> tuple:
        w, b = problem.chain_w, problem.chain_b
        history = [problem.chain_x]
        h = problem.chain_x
        for _ in range(problem.chain_length):
            h = h * w + b
            history.append(h)
        grad_h, grad_w, grad_b = 1.0, 0.0, 0.0
        for previous in reversed(history[:-1]):
            grad_w += grad_h * previous
            grad_b += grad_h
            grad_h *= w
        return h, grad_h, grad_w, grad_b

    return run


def wide_sum(problem: Problem) -> Callable[[], tuple]:
    """s = Σ xᵢyᵢ; ∂s/∂xᵢ = yᵢ, ∂s/∂yᵢ = xᵢ."""

    def run() -> tuple:
        xs, ys = problem.wide_x, problem.wide_y
        total = sum([x * y for x, y in zip(xs, ys)])
        return total, sum(ys), sum(xs)

    return run

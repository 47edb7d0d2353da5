"""The shared inputs of every workload: two-moons points and the initial weights of the MLP.

Every engine starts from exactly these floats, so their results (checksums) can be compared.
The points follow scikit-learn's `make_moons(100, noise=0.1)` recipe with a seeded `random`;
labels are ±1 as in micrograd's demo. Weights are uniform in [-1, 1], biases 0, as micrograd's
`Neuron` draws them.
"""

from __future__ import annotations

import math
import random

LAYER_SIZES = (2, 16, 16, 1)
"""MLP(2, [16, 16, 1]): 2 inputs, two hidden ReLU layers of 16, one linear output (337 params)."""

L2_ALPHA = 1e-4


def make_moons(n_points: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[list, list]:
    """Two interleaving half circles: points [x1, x2] and labels ±1."""
    rng = random.Random(seed)
    outer = n_points // 2
    points, labels = [], []
    for i in range(n_points):
        if i < outer:
            angle = math.pi * i / (outer - 1)
            x, y, label = math.cos(angle), math.sin(angle), -1.0
        else:
            angle = math.pi * (i - outer) / (n_points - outer - 1)
            x, y, label = 1.0 - math.cos(angle), 0.5 - math.sin(angle), 1.0
        points.append([x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)])
        labels.append(label)
    return points, labels


def initial_weights(seed: int = 1337) -> list[list[tuple[list[float], float]]]:
    """Per layer, per neuron: (weights, bias). Same draw order as micrograd's MLP."""
    rng = random.Random(seed)
    layers = []
    for n_in, n_out in zip(LAYER_SIZES, LAYER_SIZES[1:]):
        layers.append([([rng.uniform(-1, 1) for _ in range(n_in)], 0.0) for _ in range(n_out)])
    return layers


def flat_parameters(layers: list[list[tuple[list[float], float]]]) -> list[float]:
    """All parameters in micrograd's order: per neuron its weights, then its bias."""
    return [p for layer in layers for weights, bias in layer for p in (*weights, bias)]


def learning_rate(step: int, n_steps: int = 100) -> float:
    """micrograd's demo schedule: 1.0 decaying linearly to 0.1."""
    return 1.0 - 0.9 * step / n_steps

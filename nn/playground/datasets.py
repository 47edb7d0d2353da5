"""The playground's data sets on the plane [-3, 3]², and the input features of a point.

Moons, circles, spirals and xor come from `nn.data`, centred and scaled onto the plane; the
two-class blobs and the regression set sin (y = sin x₁ + noise) are made here. Every set is
drawn from its own `random.Random(seed)`, so a seed reproduces it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from .. import data
from .config import PLANE

Point = list[float]


def make_dataset(
    name: str, points: int, noise: float, seed: int
) -> tuple[list[Point], list[float | int]]:
    """`points` samples of the data set `name` (see `config.DATASETS`): (X, y)."""
    if name == "moons":
        X, y = data.make_moons(points, noise=noise, seed=seed)
        return _placed(X, (0.5, 0.25), 1.8), y
    if name == "circles":
        X, y = data.make_circles(points, noise=noise, factor=0.5, seed=seed)
        return _placed(X, (0.0, 0.0), 2.4), y
    if name in ("spiral2", "spiral3"):
        classes = 2 if name == "spiral2" else 3
        X, y = data.make_spirals(points, classes=classes, noise=noise, turns=0.6, seed=seed)
        return _placed(X, (0.0, 0.0), 2.7), y
    if name == "xor":
        X, y = data.make_xor(points, noise=noise, seed=seed)
        return _placed(X, (0.0, 0.0), 2.6), y
    if name == "blobs":
        return make_two_blobs(points, noise, seed)
    if name == "sin":
        return make_sin(points, noise, seed)
    raise ValueError(f"unknown data set {name!r}")


def make_two_blobs(points: int, noise: float, seed: int) -> tuple[list[Point], list[int]]:
    """Two Gaussian clusters around (-1.2, -1.2) (label 0) and (1.2, 1.2) (label 1), with
    standard deviation 0.4 + 1.2·noise, shuffled."""
    X, y = data.make_blobs(
        points, centers=[[-1.2, -1.2], [1.2, 1.2]], cluster_std=0.4 + 1.2 * noise, seed=seed
    )
    return _placed(X, (0.0, 0.0), 1.0), y


def make_sin(points: int, noise: float, seed: int) -> tuple[list[Point], list[float]]:
    """Regression: x uniform on the plane, target sin x₁ plus Gaussian noise (sd = noise)."""
    rng = random.Random(seed)
    X = [[rng.uniform(-PLANE, PLANE), rng.uniform(-PLANE, PLANE)] for _ in range(points)]
    y = [math.sin(x1) + (rng.gauss(0.0, noise) if noise else 0.0) for x1, _ in X]
    return X, y


def _placed(X: list[Point], centre: tuple[float, float], scale: float) -> list[Point]:
    """Shift by -centre, scale, and clip onto the plane."""
    limit = PLANE * 0.999
    return [
        [
            max(-limit, min(limit, (x - centre[0]) * scale)),
            max(-limit, min(limit, (y - centre[1]) * scale)),
        ]
        for x, y in X
    ]


FEATURE_FUNCTIONS: dict[str, Callable[[float, float], float]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1sq": lambda x1, x2: x1 * x1,
    "x2sq": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sinx1": lambda x1, x2: math.sin(x1),
    "sinx2": lambda x1, x2: math.sin(x2),
}
"""Each input feature as a function of the point (x₁, x₂)."""


def featurize(X: Sequence[Sequence[float]], features: Sequence[str]) -> list[list[float]]:
    """The network's inputs for each point: the chosen features, in `config.FEATURES` order."""
    functions = [FEATURE_FUNCTIONS[name] for name in features]
    return [[f(x1, x2) for f in functions] for x1, x2 in X]

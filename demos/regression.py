"""Regression: a small tanh network learns y = sin(x) from 40 noisy samples.

    data      yᵢ = sin(xᵢ) + εᵢ, xᵢ evenly spaced in [-π, π], noise ε ~ N(0, 0.05²)
    model     MLP(1, [8, 8, 1], activation='tanh'): a smooth curve built from shifted,
              scaled tanh's, ŷ = W₃·tanh(W₂·tanh(W₁x + b₁) + b₂) + b₃
    loss      mean squared error L = (1/n) Σ (ŷᵢ - yᵢ)²; it cannot go much below the noise's
              variance 0.05² = 0.0025
    training  Adam with learning rate 0.03, full batch

Seed guide: probability and statistics (MSE, the loss for regression; noise in data),
activation functions (tanh's curves add up to sin), calculus (gradient-based training).

Run: python -m demos.regression [--quick] [--out DIR]
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import nn
from demos import heading, parse_arguments

SEED = 0
NOISE = 0.05
SNAPSHOTS = (10, 30, 100, 300)


def make_data(n: int, seed: int) -> tuple[list[list[float]], list[float]]:
    """n points (x, sin x + noise) with x evenly spaced over [-π, π]."""
    rng = random.Random(seed)
    xs = [-math.pi + 2 * math.pi * k / (n - 1) for k in range(n)]
    return [[x] for x in xs], [math.sin(x) + rng.gauss(0.0, NOISE) for x in xs]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    arguments = parse_arguments(argv, "regression")
    epochs = 30 if arguments.quick else 300

    heading("Data: 40 samples of sin(x) on [-π, π] with Gaussian noise σ = 0.05")
    X, y = make_data(40, SEED)
    print("first samples: " + ", ".join(f"({p[0]:.2f}, {t:.3f})" for p, t in zip(X[:3], y)))

    heading("Model: MLP(1, [8, 8, 1]) with tanh hidden layers and a linear output")
    model = nn.MLP(1, [8, 8, 1], activation="tanh", init="xavier", seed=SEED)
    print(f"{model.num_parameters()} parameters")

    heading(f"Training: mean squared error, Adam lr 0.03, {epochs} full-batch epochs")
    grid = [-math.pi + 2 * math.pi * k / 199 for k in range(200)]
    snapshots = {0: (grid, nn.predict(model, grid))}

    def snapshot(epoch: int, history: nn.History) -> None:
        if epoch in SNAPSHOTS or epoch == epochs:
            snapshots[epoch] = (grid, nn.predict(model, grid))

    optimizer = nn.Adam(model.parameters(), lr=0.03)
    history = nn.fit(model, X, y, "mse", optimizer, epochs=epochs, callback=snapshot)
    for epoch in sorted(snapshots)[1:]:
        print(f"epoch {epoch:>3}: training MSE {history.loss[epoch - 1]:.5f}")
    final_mse = nn.evaluate(model, X, y, "mse")["loss"]
    fitted = snapshots[epochs][1]
    worst = max(abs(f - math.sin(x)) for x, f in zip(grid, fitted))
    print(f"final training MSE {final_mse:.5f} (noise variance {NOISE**2:.4f})")
    print(f"largest distance from the true sin(x) on a fine grid: {worst:.3f}")

    heading("Pictures")
    from nn import plot

    fit_picture = arguments.out / "regression_fit.png"
    plot.regression_fit(
        [p[0] for p in X],
        y,
        snapshots,
        fit_picture,
        truth=(grid, [math.sin(x) for x in grid]),
        title="MLP(1, [8, 8, 1], tanh) fitting sin(x): the curve over training",
    )
    curves = arguments.out / "regression_training.png"
    plot.training_curves(history, curves, title="fitting sin(x) with mean squared error")
    for picture in (fit_picture, curves):
        print(f"wrote {picture}")
    return {
        "final_mse": final_mse,
        "max_error": worst,
        "first_mse": history.loss[0],
        "pictures": [fit_picture, curves],
    }


if __name__ == "__main__":
    main()

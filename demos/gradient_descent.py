"""Gradient descent on Rosenbrock's banana valley: the learning rate sets the step size.

    f(x, y) = (1 - x)² + 100·(y - x²)²,   minimum f(1, 1) = 0
    ∂f/∂x = -2(1 - x) - 400·x·(y - x²),   ∂f/∂y = 200·(y - x²)

Gradient descent repeats  (x, y) ← (x, y) - η·∇f(x, y).  The gradient points uphill, so each step
goes downhill by an amount proportional to the learning rate η. Too small and it crawls; larger
and it gets there faster; too large and it overshoots across the valley and zig-zags (or blows up).
Seed guide, section 2 (calculus): derivatives, gradient descent and the learning rate.

Run: python -m demos.gradient_descent [--quick] [--out DIR]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from autograd import Value, value_and_grad
from demos import heading, parse_arguments

START = (-1.2, 1.0)
LEARNING_RATES = (0.0002, 0.001, 0.002, 0.0035)
BLOWN_UP = 1e6


def rosenbrock(x: Value | float, y: Value | float) -> Value | float:
    """f(x, y) = (1 - x)² + 100·(y - x²)²: a curved valley with its floor at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def descend(learning_rate: float, steps: int, show: int = 0) -> list[tuple[float, float]]:
    """The iterates of gradient descent from START; stops early if f blows up.

    Prints the first `show` steps: the point, f, the gradient and the step -η∇f.
    """
    f_and_gradient = value_and_grad(rosenbrock, argnums=(0, 1))
    x, y = START
    path = [(x, y)]
    for k in range(steps):
        f, (dx, dy) = f_and_gradient(x, y)
        if k < show:
            print(
                f"  step {k}: (x, y) = ({x:+.4f}, {y:+.4f})  f = {f:8.4f}  "
                f"∇f = ({dx:+9.3f}, {dy:+8.3f})  -η∇f = ({-learning_rate * dx:+.4f}, "
                f"{-learning_rate * dy:+.4f})"
            )
        if not f < BLOWN_UP:
            break
        x, y = x - learning_rate * dx, y - learning_rate * dy
        path.append((x, y))
    return path


def check_the_gradient() -> float:
    """Compare ∇f from backpropagation with central finite differences at START."""
    _, (dx, dy) = value_and_grad(rosenbrock, argnums=(0, 1))(*START)
    h = 1e-6
    x, y = START
    numeric_dx = (rosenbrock(x + h, y) - rosenbrock(x - h, y)) / (2 * h)
    numeric_dy = (rosenbrock(x, y + h) - rosenbrock(x, y - h)) / (2 * h)
    print(f"at (x, y) = {START}: backprop ∇f = ({dx:.6f}, {dy:.6f})")
    print(f"  finite differences (f(x+h) - f(x-h)) / 2h = ({numeric_dx:.6f}, {numeric_dy:.6f})")
    return max(abs(dx - numeric_dx), abs(dy - numeric_dy))


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    arguments = parse_arguments(argv, "gradient_descent")
    steps = 300 if arguments.quick else 3000
    heading("The derivative, two ways")
    gradient_error = check_the_gradient()

    heading(f"Gradient descent from {START}, {steps} steps per learning rate")
    paths, final_values = {}, {}
    for learning_rate in LEARNING_RATES:
        print(f"η = {learning_rate}:")
        path = descend(learning_rate, steps, show=2)
        x, y = path[-1]
        value = rosenbrock(x, y)
        first_step = math.dist(path[0], path[1])
        blown_up = not value < BLOWN_UP
        outcome = "blew up" if blown_up else f"ended at ({x:.4f}, {y:.4f}), f = {value:.3g}"
        print(f"  first step length {first_step:.4f}; after {len(path) - 1} steps {outcome}")
        paths[f"η = {learning_rate}"] = path
        final_values[learning_rate] = value

    from nn import plot

    picture = arguments.out / "gradient_descent.png"
    plot.descent_paths(
        lambda x, y: rosenbrock(x, y),
        paths,
        picture,
        xlim=(-1.6, 1.6),
        ylim=(-0.6, 1.8),
        minimum=(1.0, 1.0),
        title="gradient descent on f(x, y) = (1 - x)² + 100(y - x²)²",
    )
    print(f"\npaths over the contours of f: {picture}")
    return {"gradient_error": gradient_error, "final_values": final_values, "pictures": [picture]}


if __name__ == "__main__":
    main()

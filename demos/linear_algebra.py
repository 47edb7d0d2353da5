"""A layer is linear algebra: y = W x + b with explicit matrices, a batch with a transposition,
and the gradient dL/dW, itself a matrix.

    one point   y = W x + b,   W is 2×3 (one row per output neuron), x has 3 entries, b 2
    a batch     the points are the rows of X (n×3); Y = X Wᵀ + b is n×2: W must be transposed
                for the shapes to chain, (n×3)·(3×2)
    gradient    L = mean((Y - T)²); with Δ = ∂L/∂Y (n×2), the chain rule through Y = X Wᵀ + b
                gives dL/dW = Δᵀ X (2×3, the shape of W) and dL/db = the column sums of Δ

Everything is checked against `nn.Layer`, which computes the same thing neuron by neuron.
Seed guide: linear algebra (vectors, matrices, matrix multiplication, transposition) and
calculus (dL/dW by backpropagation).

Run: python -m demos.linear_algebra [--quick] [--out DIR]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nn
from autograd import linalg
from demos import heading, parse_arguments

SEED = 0
X_BATCH = [[1.0, 2.5, 3.2], [0.5, -1.0, 2.0], [-1.5, 0.0, 1.0], [2.0, 1.0, -0.5]]
TARGETS = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5], [0.5, -0.5]]


def show(name: str, a: Any) -> None:
    """Print a vector or matrix (of numbers or Values) with its shape."""
    rows = a if isinstance(a[0], (list, tuple)) else [a]
    numbers = [[float(v) for v in row] for row in rows]
    shape = "×".join(str(n) for n in linalg.shape(a))
    lines = ["[" + "  ".join(f"{v:7.3f}" for v in row) + "]" for row in numbers]
    print(f"{name} ({shape}) = {lines[0]}")
    for line in lines[1:]:
        print(" " * (len(name) + len(shape) + 6) + line)


def numbers(a: Any) -> Any:
    """The floats held by a vector or matrix of Values."""
    if isinstance(a[0], (list, tuple)):
        return [[float(v) for v in row] for row in a]
    return [float(v) for v in a]


def largest_difference(a: Any, b: Any) -> float:
    flat_a = [v for row in numbers(a) for v in (row if isinstance(row, list) else [row])]
    flat_b = [v for row in numbers(b) for v in (row if isinstance(row, list) else [row])]
    return max(abs(p - q) for p, q in zip(flat_a, flat_b))


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    arguments = parse_arguments(argv, "linear_algebra")
    layer = nn.Layer(3, 2, seed=SEED)  # 2 neurons over 3 inputs, no activation
    W = linalg.matrix(numbers(layer.weights), "W")  # our own copy, as leaves W[i][j]
    b = linalg.vector(numbers(layer.biases), "b")

    heading("One point: y = W x + b")
    x = X_BATCH[0]
    show("W", W)
    show("x", x)
    show("b", b)
    y = linalg.add(linalg.matvec(W, x), b)
    show("y = Wx + b", y)
    layer_check = largest_difference(y, layer(x))
    print(f"nn.Layer(3, 2) on the same x: largest difference {layer_check:.1e}")

    heading("A batch: the points are the rows of X, so Y = X Wᵀ + b")
    show("X", X_BATCH)
    print("X is 4×3 and W is 2×3: X·W does not chain (X has 3 columns, W has 2 rows);")
    print("Wᵀ swaps rows and columns, and X·Wᵀ is (4×3)·(3×2) = 4×2: one row of outputs per point")
    show("Wᵀ", linalg.transpose(W))
    Y = [linalg.add(row, b) for row in linalg.matmul(X_BATCH, linalg.transpose(W))]
    show("Y = X Wᵀ + b", Y)
    batch_check = largest_difference(Y, [layer(point) for point in X_BATCH])
    print(f"each row of Y is W xᵢ + b: largest difference from nn.Layer {batch_check:.1e}")

    heading("The gradient dL/dW for L = mean((Y - T)²)")
    show("T", TARGETS)
    loss = nn.mse_loss(Y, TARGETS)
    loss.backward()
    print(f"L = {loss.data:.4f}")
    dW = [[w.grad for w in row] for row in W]
    show("dL/dW (backprop)", dW)
    Delta = [
        [2 * (float(yij) - tij) / (len(Y) * len(Y[0])) for yij, tij in zip(row, trow)]
        for row, trow in zip(Y, TARGETS)
    ]
    formula = linalg.matmul(linalg.transpose(Delta), X_BATCH)
    show("Δᵀ X (formula)", formula)
    formula_check = largest_difference(dW, formula)
    bias_check = max(abs(bi.grad - sum(row[i] for row in Delta)) for i, bi in enumerate(b))
    print(
        f"backprop vs Δᵀ X: largest difference {formula_check:.1e}; "
        f"dL/db vs column sums of Δ: {bias_check:.1e}"
    )
    layer_loss = nn.mse_loss([layer(point) for point in X_BATCH], TARGETS)
    layer.zero_grad()
    layer_loss.backward()
    gradient_check = largest_difference(dW, [[w.grad for w in row] for row in layer.weights])
    print(f"nn.Layer's own weight grads: largest difference {gradient_check:.1e}")

    heading("One gradient-descent step: W ← W - 0.1·dL/dW, b ← b - 0.1·dL/db")
    W_next = linalg.sub(numbers(W), linalg.scale(0.1, dW))
    b_next = linalg.sub(numbers(b), linalg.scale(0.1, [bi.grad for bi in b]))
    Y_next = [linalg.add(row, b_next) for row in linalg.matmul(X_BATCH, linalg.transpose(W_next))]
    loss_next = nn.mse_loss(Y_next, TARGETS)
    print(f"L: {loss.data:.4f} → {loss_next:.4f}")

    from nn import plot

    picture = arguments.out / "linear_algebra.png"
    plot.matrices(
        {"W": W, "W - 0.1·dL/dW": W_next, "dL/dW = ΔᵀX": dW},
        picture,
        title="a layer's weight matrix, one step of gradient descent, and the gradient",
        scales=[["W", "W - 0.1·dL/dW"], ["dL/dW = ΔᵀX"]],
    )
    print(f"\nwrote {picture}")
    return {
        "checks": {
            "layer": layer_check,
            "batch": batch_check,
            "formula": formula_check,
            "bias": bias_check,
            "layer_gradient": gradient_check,
        },
        "loss": (loss.data, loss_next),
        "pictures": [picture],
    }


if __name__ == "__main__":
    main()

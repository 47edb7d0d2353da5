"""The chain rule, one edge at a time, on a single neuron o = tanh(w·x + b) (micrograd's example).

    forward   wx = x1·w1 + x2·w2,  n = wx + b,  o = tanh(n)
    backward  each edge node → input adds  ∂o/∂input += ∂o/∂node · ∂node/∂input
              (upstream gradient × local derivative), starting from ∂o/∂o = 1:
              ∂o/∂n = 1 - tanh²(n),  ∂o/∂w1 = ∂o/∂n · ∂n/∂wx · ∂wx/∂(x1·w1) · ∂(x1·w1)/∂w1
    second    the local rules are themselves differentiable, so differentiating again gives
              ∂²o/∂w1² = x1² · tanh''(n) = x1² · (-2·tanh n·(1 - tanh² n))

Then the activation functions and their derivatives, all computed by the same engine.
Seed guide: calculus (derivatives, the chain rule, backpropagation) and activation functions.

Run: python -m demos.chain_rule [--quick] [--out DIR]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import autograd
from autograd import Value, derivative, draw_graph, explain, gradients, steps
from demos import heading, parse_arguments, save_graph

ACTIVATIONS = {"sigmoid": autograd.sigmoid, "tanh": autograd.tanh, "relu": autograd.relu}


def build_neuron() -> tuple[Value, dict[str, Value]]:
    """o = tanh(x1·w1 + x2·w2 + b) with micrograd's numbers (b is chosen so that o = 1/√2)."""
    leaves = {
        "x1": Value(2.0, "x1"),
        "x2": Value(0.0, "x2"),
        "w1": Value(-3.0, "w1"),
        "w2": Value(1.0, "w2"),
        "b": Value(6.8813735870195432, "b"),
    }
    x1w1 = leaves["x1"] * leaves["w1"]
    x1w1.label = "x1·w1"
    x2w2 = leaves["x2"] * leaves["w2"]
    x2w2.label = "x2·w2"
    wx = x1w1 + x2w2
    wx.label = "wx"
    n = wx + leaves["b"]
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, leaves


def pause_at(o: Value, leaves: dict[str, Value], target: str, out_dir: Any) -> Any:
    """Run backprop again as a generator, stop at the step that reaches the node labelled
    `target`, and draw the graph there, half way through: later grads are still 0."""
    for leaf in leaves.values():
        leaf.grad = 0.0  # leaf grads accumulate across passes
    walker = steps(o)
    step = next(s for s in walker if s.parent.label == target)
    print(
        f"paused at step {step.number}: ∂o/∂{target} = ∂o/∂{step.node.label} · "
        f"∂{step.node.label}/∂{target} = {step.upstream:.4g} · {step.local:.4g} = "
        f"{step.contribution:.4g}"
    )
    picture = save_graph(draw_graph(o, highlight=step), out_dir / "chain_rule_step.svg")
    for _ in walker:  # finish the pass
        pass
    return picture


def second_derivative(o: Value, leaves: dict[str, Value]) -> dict[str, float]:
    """∂²o/∂w1² three ways: the engine (create_graph), the formula, finite differences."""
    w1 = leaves["w1"]
    first = gradients(o, w1, create_graph=True)  # a Value: ∂o/∂w1 as a graph of its own
    engine = gradients(first, w1)
    x1, tanh_n = leaves["x1"].data, o.data
    formula = x1 * x1 * (-2 * tanh_n * (1 - tanh_n**2))

    def o_of(w: float) -> float:
        return math.tanh(x1 * w + leaves["x2"].data * leaves["w2"].data + leaves["b"].data)

    h = 1e-4
    numeric = (o_of(w1.data + h) - 2 * o_of(w1.data) + o_of(w1.data - h)) / h**2
    print(f"∂o/∂w1 = {first.data:.6f} (a Value with its own graph: op {first.op!r})")
    print(f"∂²o/∂w1² by differentiating it again: {engine:.6f}")
    print(f"  formula x1²·(-2·tanh n·(1 - tanh² n)):  {formula:.6f}")
    print(f"  finite differences (o(w+h) - 2o(w) + o(w-h))/h²: {numeric:.6f}")
    tanh2 = derivative(autograd.tanh, 2)
    print(f"and derivative(tanh, 2) at n = {o.parents[0].data:.4f}: {tanh2(o.parents[0].data):.6f}")
    return {"engine": engine, "formula": formula, "finite_difference": numeric}


def activation_table(points: int) -> dict[str, tuple[list[float], list[float]]]:
    """Each activation and its derivative (by the engine) on [-4, 4]; print a few values."""
    xs = [-4 + 8 * k / (points - 1) for k in range(points)]
    curves = {}
    print(f"{'x':>6} " + " ".join(f"{name:>8} {'d/dx':>6}" for name in ACTIVATIONS))
    for x in (-2.0, -0.5, 0.5, 2.0):
        cells = [f"{f(x):8.4f} {derivative(f)(x):6.3f}" for f in ACTIVATIONS.values()]
        print(f"{x:6.2f} " + " ".join(cells))
    for name, f in ACTIVATIONS.items():
        curves[name] = (xs, [f(x) for x in xs])
        curves[f"d/dx {name}"] = (xs, [derivative(f)(x) for x in xs])
    return curves


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    arguments = parse_arguments(argv, "chain_rule")
    out = arguments.out

    heading("Forward: o = tanh(x1·w1 + x2·w2 + b)")
    o, leaves = build_neuron()
    print(", ".join(f"{name} = {leaf.data:.4f}" for name, leaf in leaves.items()))
    print(f"o = {o.data:.4f}")
    before = save_graph(draw_graph(o), out / "chain_rule_before.svg")
    print(f"graph before backprop (every grad 0): {before}")

    heading("Backward: the chain rule edge by edge")
    explain(o)
    after = save_graph(draw_graph(o), out / "chain_rule_after.svg")
    print(f"graph after backprop: {after}")
    grads = {name: leaf.grad for name, leaf in leaves.items()}
    print(f"check: ∂o/∂w1 = x1·(1 - o²) = {leaves['x1'].data * (1 - o.data**2):.4f}")
    paused = pause_at(o, leaves, "x1·w1", out)

    heading("Second derivative: differentiate the derivative")
    second = second_derivative(o, leaves)

    heading("Activation functions and their derivatives (by the engine)")
    curves = activation_table(41 if arguments.quick else 161)
    from nn import plot

    activations = out / "activations.png"
    plot.curves(
        curves,
        activations,
        title="activations (solid) and their derivatives (dashed)",
        ylim=(-1.2, 1.8),
    )
    pictures = [before, after, paused, activations]
    for picture in pictures:
        print(f"wrote {picture}")
    return {"o": o.data, "grads": grads, "second_derivative": second, "pictures": pictures}


if __name__ == "__main__":
    main()

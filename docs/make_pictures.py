"""Regenerate the pictures in docs/ from the code: `.venv/bin/python docs/make_pictures.py`.

neuron_graph.svg: tanh(w*x + b) at x = 0.5, w = -3, b = 2 after backward().
neuron_step.svg: the same graph part-way through `steps()`, the step into w highlighted.
"""

from __future__ import annotations

from pathlib import Path

from autograd import Value, draw_graph, steps, tanh
from autograd.draw import save

HERE = Path(__file__).resolve().parent


def neuron() -> Value:
    x, w, b = Value(0.5, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    y = tanh(w * x + b)
    y.label = "y"
    return y


def main() -> None:
    y = neuron()
    y.backward()
    print(save(draw_graph(y), HERE / "neuron_graph.svg"))

    y = neuron()
    into_w = next(step for step in steps(y) if step.parent.label == "w")
    print(save(draw_graph(y, highlight=into_w), HERE / "neuron_step.svg"))


if __name__ == "__main__":
    main()

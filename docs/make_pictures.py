"""Regenerate the pictures in docs/images/ from the code: `.venv/bin/python docs/make_pictures.py`.

neuron_graph.svg: tanh(w*x + b) at x = 0.5, w = -3, b = 2 after backward().
neuron_step.svg: the same graph part-way through `steps()`, the step into w highlighted.
Every other picture is a demo's own, from a full run of each demo with `--out docs/images`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the demos run from the checkout

from autograd import Value, draw_graph, steps, tanh  # noqa: E402
from autograd.draw import save  # noqa: E402

IMAGES = ROOT / "docs" / "images"
DEMO_PICTURES = {
    "moons": ["moons_boundary.png", "moons_training.png", "moons_linear_boundary.png"],
    "spiral": ["spiral_regions.png", "spiral_training.png"],
    "regression": ["regression_fit.png"],
    "chain_rule": ["activations.png", "chain_rule_step.svg"],
    "gradient_descent": ["gradient_descent.png"],
    "linear_algebra": ["linear_algebra.png"],
}


def neuron() -> Value:
    x, w, b = Value(0.5, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    y = tanh(w * x + b)
    y.label = "y"
    return y


def main() -> None:
    y = neuron()
    y.backward()
    print(save(draw_graph(y), IMAGES / "neuron_graph.svg"))

    y = neuron()
    into_w = next(step for step in steps(y) if step.parent.label == "w")
    print(save(draw_graph(y, highlight=into_w), IMAGES / "neuron_step.svg"))

    import importlib

    for name, pictures in DEMO_PICTURES.items():
        with tempfile.TemporaryDirectory() as out:
            importlib.import_module(f"demos.{name}").main(["--out", out])
            for picture in pictures:
                print(shutil.copy(Path(out) / picture, IMAGES / picture))


if __name__ == "__main__":
    main()

"""Runnable walkthroughs of the mathematics of neural networks: `python -m demos.NAME`.

Each demo prints what it does as it goes, writes its pictures to `demos/out/` under the working
directory (or `--out DIR`), accepts `--quick` for a fast run with fewer steps, and its
`main(argv)` returns a dict of what it reported (used by the tests so that no demo can silently
rot). The demos are not installed with the wheel: run them from a checkout.
"""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Sequence
from pathlib import Path

DEMOS = {
    "moons": "two moons: an MLP learns a curved boundary (micrograd's demo, with a test set)",
    "spiral": "three-class spiral: softmax, cross-entropy and Adam",
    "regression": "fit sin(x) with a tanh MLP and mean squared error",
    "chain_rule": "one neuron tanh(w·x + b), backpropagated edge by edge",
    "gradient_descent": "gradient descent on Rosenbrock's valley at several learning rates",
    "linear_algebra": "a layer as y = Wx + b with explicit matrices, and dL/dW as a matrix",
    "digits": "real data: an MLP reads 8×8 handwritten digits (UCI), ≥ 97% on a held-out fifth",
    "names": "a GPT made of scalars (microgpt's) learns to invent names; attention as a heat map",
}
"""Each demo's module name and what it shows."""

DEFAULT_OUT = Path("demos", "out")
"""Where pictures go unless `--out` says otherwise: relative to the working directory."""

NEEDS = {"matplotlib": "plot"}
"""The modules every demo needs beyond glassgrad itself, with the extra that installs each."""


def missing_extras() -> str | None:
    """One line naming what the demos need and is not installed, or None when all is there."""
    missing = [module for module in NEEDS if importlib.util.find_spec(module) is None]
    if not missing:
        return None
    extras = ",".join(sorted({NEEDS[module] for module in missing}))
    return (
        f"the demos need {' and '.join(missing)} for their pictures: "
        f"pip install -e '.[{extras}]' (or make demo)"
    )


def parse_arguments(argv: Sequence[str] | None, name: str) -> argparse.Namespace:
    """The options every demo takes: `--quick` and `--out DIR`; the directory is created.

    Before any work, a missing extra ends the demo with one line saying what to install.
    """
    parser = argparse.ArgumentParser(prog=f"python -m demos.{name}", description=DEMOS[name])
    parser.add_argument("--quick", action="store_true", help="fewer steps, for a fast check")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="where pictures go (default: demos/out under the working directory)",
    )
    arguments = parser.parse_args(argv)
    problem = missing_extras()
    if problem:
        parser.exit(2, f"{parser.prog}: {problem}\n")
    arguments.out.mkdir(parents=True, exist_ok=True)
    return arguments


def heading(text: str) -> None:
    """Print a section heading: a blank line and the text underlined."""
    print(f"\n{text}\n{'-' * len(text)}")


def save_graph(graph: object, path: Path) -> Path:
    """Render a `draw_graph` picture to `path` (.svg); without Graphviz's `dot`, save DOT text."""
    from autograd.draw import GraphvizNotFound, save

    try:
        return save(graph, path)
    except GraphvizNotFound:
        fallback = save(graph, path.with_suffix(".dot"))
        print(f"(the Graphviz program 'dot' is missing: the graph was saved as DOT, {fallback})")
        return fallback


def show_confusion_matrix(matrix: list[list[int]], names: Sequence[str]) -> None:
    """Print a confusion matrix with its rows (truth) and columns (prediction) named."""
    corner = "true \\ predicted"
    width = max(len(name) for name in [*names, corner])
    cell = max(6, *(len(name) for name in names))
    print(f"{corner:>{width}} " + " ".join(f"{name:>{cell}}" for name in names))
    for name, row in zip(names, matrix):
        print(f"{name:>{width}} " + " ".join(f"{count:>{cell}}" for count in row))

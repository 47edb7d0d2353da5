"""Build the live views embedded in the math tutorials: docs/views/*.html.

    python docs/make_views.py            # (re)writes every view
    python docs/make_views.py --check    # exit 1 if a committed view differs from a fresh one

Each view is `autograd.view(...)` of a small graph computed by the real engine, saved as one
self-contained page (inline script, no network) that the tutorial shows in an iframe. Everything
is fixed numbers or seeded, and the layout is named explicitly (`layout="layered"`, glassgrad's
own Python layout) so the pages are the same on every machine, with or without Graphviz's `dot`.
tests/test_docs_views.py regenerates them and compares with the committed files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the checkout's packages
    sys.path.insert(0, str(ROOT))

import nn  # noqa: E402
from autograd import Value, linalg, relu  # noqa: E402
from autograd.io import write_atomic  # noqa: E402
from autograd.viewer import View, view  # noqa: E402

VIEWS_DIR = ROOT / "docs" / "views"
LAYOUT = "layered"
"""Deterministic on every machine (`"auto"` would use `dot` when it is installed)."""
RANKDIR = "TB"
"""Top to bottom: the tutorial column is narrow, and the step panel sits beside the graph."""
SEED = 0
"""The seed of the demos this page's numbers come from (demos.linear_algebra, demos.moons)."""


def linear_neuron() -> View:
    """y = W[0]·x + b[0]: the first neuron of demos.linear_algebra's nn.Layer(3, 2, seed=0) at
    its first point x = (1.0, 2.5, 3.2). ∂y/∂W[0][j] = xⱼ, ∂y/∂b[0] = 1."""
    layer = nn.Layer(3, 2, seed=SEED)
    W = linalg.matrix([[w.data for w in layer.weights[0]]], "W")
    b = linalg.vector([layer.biases[0].data], "b")
    x = linalg.vector([1.0, 2.5, 3.2], "x")
    (y,) = linalg.add(linalg.matvec(W, x), b)
    y.label = "y"
    return view(y, layout=LAYOUT, rankdir=RANKDIR, title="y = Wx + b")


def tanh_neuron() -> View:
    """h = tanh(w·x + b) at x = 0.5, w = -3, b = 2 (the calculus tutorial's example)."""
    x, w, b = Value(0.5, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    h = (w * x + b).tanh()
    h.label = "h"
    return view(h, check=True, layout=LAYOUT, rankdir=RANKDIR, title="tanh(w·x + b)")


def softmax_cross_entropy() -> View:
    """L = cross_entropy(z, 0) for the logits z = (2.0, 1.0, 0.1), as nn.cross_entropy computes
    it (logsumexp(z) - z₀, the max subtracted first); ∂L/∂zₖ = softmax(z)ₖ - [k = 0]."""
    z = linalg.vector([2.0, 1.0, 0.1], "z")
    loss = nn.cross_entropy(z, 0)
    loss.label = "L"
    return view(loss, check=True, layout=LAYOUT, rankdir=RANKDIR, title="cross-entropy")


def relu_dead_and_live() -> View:
    """One relu neuron h = relu(w·x + b), w = 1.5, b = -1, at a dead input (x = -0.5: w·x + b =
    -1.75 < 0, every gradient 0) and a live one (x = 2: 2 > 0, ∂h/∂w = x, ∂h/∂b = 1); both roots
    in one view, backpropagated one after the other, so w and b collect the sum."""
    w, b = Value(1.5, label="w"), Value(-1.0, label="b")
    roots = []
    for name, number in (("dead", -0.5), ("live", 2.0)):
        x = Value(number, label=f"x_{name}")
        z = w * x + b
        z.label = f"z_{name}"
        h = relu(z)
        h.label = f"h_{name}"
        roots.append(h)
    return view(roots, check=True, layout=LAYOUT, rankdir=RANKDIR, title="relu, dead and live")


def moons_neuron() -> View:
    """The first hidden neuron of the moons demo's MLP(2, [16, 16, 1], seed=0) with its initial
    (untrained) weights, h = relu(w·x + b), at the first training point where it fires — as
    demos.moons draws it (the demo does so after training; here no training, to stay fast)."""
    X, y = nn.make_moons(150, noise=0.1, seed=SEED)
    X_train = nn.train_test_split(X, y, test_size=50, stratify=y, seed=SEED)[0]
    model = nn.MLP(2, [16, 16, 1], seed=SEED)
    neuron = model.layers[0].neurons[0]
    activation = nn.functional.get_activation(model.layers[0].activation)
    point = next((p for p in X_train if neuron(p).data > 0), X_train[0])
    x = [Value(point[0], "x[0]"), Value(point[1], "x[1]")]
    z = neuron(x)
    z.label = "z"
    z.parents[0].label = "w·x"
    h = activation(z)
    h.label = "h"
    return view(
        h, parameters=model, check=True, layout=LAYOUT, rankdir=RANKDIR, title="moons neuron"
    )


VIEWS: dict[str, Callable[[], View]] = {
    "linear-algebra-neuron": linear_neuron,
    "calculus-tanh-neuron": tanh_neuron,
    "probability-softmax-cross-entropy": softmax_cross_entropy,
    "activations-relu-dead-live": relu_dead_and_live,
    "moons-hidden-neuron": moons_neuron,
}
"""File stem (docs/views/<stem>.html) -> the function that builds the view."""


def build(name: str) -> str:
    """The page of the view `name` (a key of VIEWS), as a string."""
    return VIEWS[name]().to_html()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a committed view is out of date",
    )
    arguments = parser.parse_args(argv)
    stale = []
    for name in VIEWS:
        path = VIEWS_DIR / f"{name}.html"
        page = build(name)
        if arguments.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != page:
                stale.append(path)
            continue
        VIEWS_DIR.mkdir(parents=True, exist_ok=True)
        write_atomic(path, page)
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} KB")
    for path in stale:
        print(f"out of date: {path.relative_to(ROOT)} (run python docs/make_views.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())

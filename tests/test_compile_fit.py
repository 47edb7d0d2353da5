"""fit(compile=True) compiles the loss of one example once and trains on reshuffled minibatches
with the same results as the dynamic engine (issue 14, target 6)."""

from __future__ import annotations

import math
import random

import pytest

import nn
from nn.train import fit

pytest.importorskip("numpy", reason="compiled training runs batched NumPy code")


def blobs(n, classes, seed):
    rng = random.Random(seed)
    X = [
        [rng.gauss(c, 0.7), rng.gauss(-c, 0.7), rng.uniform(-1, 1)]
        for c in (rng.randrange(classes) for _ in range(n))
    ]
    y = [round(x[0] - x[1]) // 2 for x in X]
    y = [min(max(label, 0), classes - 1) for label in y]
    return X, y


@pytest.mark.parametrize(
    "loss, classes, outputs",
    [
        ("cross_entropy", 3, 3),
        ("hinge", 2, 1),
        ("bce_logits", 2, 1),
        ("mse", 2, 1),
    ],
)
def test_compiled_training_on_reshuffled_minibatches_matches_the_dynamic_engine(
    loss, classes, outputs
):
    X, y = blobs(60, classes, seed=4)
    if loss == "mse":
        y = [float(label) for label in y]
    runs = []
    for compile in (False, True):
        model = nn.MLP(3, [5, outputs], seed=2)
        optimizer = nn.Adam(model.parameters(), lr=0.02)
        history = fit(
            model,
            X,
            y,
            loss,
            optimizer,
            epochs=4,
            batch_size=7,
            l2=1e-3,
            progress=False,
            compile=compile,
            seed=11,
        )
        runs.append((history, model.state_dict()))
    (dynamic, state), (compiled, compiled_state) = runs
    assert compiled.loss == pytest.approx(dynamic.loss, rel=1e-9)
    for name in dynamic.metrics:
        assert compiled.metrics[name] == dynamic.metrics[name]
    assert all(
        math.isclose(state[k], compiled_state[k], rel_tol=1e-9, abs_tol=1e-12) for k in state
    )


def test_compiled_training_refuses_a_loss_it_cannot_write_per_example():
    model = nn.MLP(2, [2, 1], seed=1)
    with pytest.raises(ValueError, match="compile=False"):
        fit(
            model,
            [[0.0, 1.0]],
            [1],
            lambda o, t, m: o[0],
            nn.SGD(model.parameters(), lr=0.1),
            epochs=1,
            progress=False,
            compile=True,
        )

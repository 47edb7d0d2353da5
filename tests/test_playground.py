"""The playground's parts without a server: settings, data, the compiled forward pass, a run."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from nn.playground import config as settings
from nn.playground.datasets import featurize, make_dataset
from nn.playground.forward import Forward, numpy, weights_of
from nn.playground.run import Run, neuron_name

ROOT = Path(__file__).resolve().parent.parent


def test_the_defaults_are_valid_and_validation_is_idempotent():
    config = settings.validate({})
    assert config == settings.DEFAULTS
    assert settings.validate(config, config) == config


@pytest.mark.parametrize("name", settings.DATASETS)
def test_every_data_set_is_seeded_and_on_the_plane(name):
    X, y = make_dataset(name, 300, 0.2, seed=5)
    assert (X, y) == make_dataset(name, 300, 0.2, seed=5)
    assert (X, y) != make_dataset(name, 300, 0.2, seed=6)
    assert len(X) == len(y) == 300
    assert all(abs(c) <= settings.PLANE for point in X for c in point)
    classes = settings.CLASSES[name]
    if classes:
        assert set(y) == set(range(classes))
    else:
        assert all(math.isfinite(t) for t in y)


def test_features_are_the_named_functions_of_the_point():
    row = featurize([[0.5, -2.0]], list(settings.FEATURES))[0]
    assert row == [0.5, -2.0, 0.25, 4.0, -1.0, math.sin(0.5), math.sin(-2.0)]


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu", None])
def test_the_fast_forward_pass_equals_the_model(activation):
    model = nn.MLP(3, [4, 3, 2], activation=activation, seed=1)
    points = [[0.3, -1.2, 2.0], [-2.5, 0.7, 0.1], [1.0, 1.0, -1.0]]
    columns = [list(c) for c in zip(*points)]
    expected = [[v.data for v in model(p)] for p in points]
    for batched in [False, True] if numpy is not None else [False]:
        layers = Forward(model, batched=batched)(weights_of(model), columns)
        got = [[float(layers[-1][j][i]) for j in range(2)] for i in range(3)]
        # the compiled dot adds left to right; the engine's dot may round its sum once less
        for row, want in zip(got, expected):
            assert row == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_a_run_is_reproducible_and_learns():
    config = settings.validate({"dataset": "circles", "seed": 2})
    first, second = Run(config), Run(config)
    for _ in range(40):
        assert first.step() == second.step()
    assert first.model.state_dict() == second.model.state_dict()
    assert first.history["train"][-1] < first.history["train"][0]
    assert first.epoch == 40 * 10 // 250


def test_names_and_formulas():
    run = Run(settings.validate({"hidden": [2], "features": ["x1", "sinx2"]}))
    assert neuron_name(run.model, 0, 1) == "h¹₂" and neuron_name(run.model, 1, 0) == "ŷ"
    run.model.layers[0].neurons[0].w[0].data = -1.5
    run.model.layers[0].neurons[0].w[1].data = 0.25
    run.model.layers[0].neurons[0].b.data = -0.125
    assert run.formula(0, 0) == "h¹₁ = tanh(−1.5·x₁ + 0.25·sin x₂ − 0.125)"
    assert run.formula(1, 0).startswith("ŷ = ") and "h¹₂" in run.formula(1, 0)


def test_without_numpy_everything_runs_on_floats():
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "from nn.playground.session import Playground, GRID\n"
        "p = Playground({'activation': 'sigmoid'})\n"
        "p.control({'action': 'step'})\n"
        "s = p.state()\n"
        "assert GRID == 40 and s['frame']['grid'] == 40, s['frame']['grid']\n"
        "assert s['frame']['scores']['test_loss'] > 0\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "ok", result.stderr

"""nn.layers and nn.functional activations: shapes, errors, seeding, micrograd compatibility."""

from __future__ import annotations

import random
import statistics

import pytest

import nn
from autograd import Value
from autograd.check import gradcheck
from nn import functional as F


def test_layer_is_w_x_plus_b():
    layer = nn.Layer(3, 2, seed=0)
    for i, neuron in enumerate(layer.neurons):
        neuron.b.data = float(i + 1)
    x = [1.0, -2.0, 0.5]
    y = layer(x)
    expected = [sum(w * xj for w, xj in zip(row, x)) + b for row, b in zip(layer.weights, [1, 2])]
    assert [v.data for v in y] == pytest.approx([e.data for e in expected])
    assert layer.weights[1][2] is layer.neurons[1].w[2] and layer.biases[0] is layer.neurons[0].b
    assert nn.Linear is nn.Layer


def test_layer_always_returns_a_list_and_mlp_unwraps_one_output():
    assert isinstance(nn.Layer(2, 1)([1.0, 2.0]), list)
    assert isinstance(nn.MLP(2, [3, 1])([1.0, 2.0]), Value)
    assert len(nn.MLP(2, [3, 4])([1.0, 2.0])) == 4


def test_inputs_may_be_values_and_gradients_reach_them():
    x = [Value(1.0, "x0"), Value(-1.0, "x1")]
    out = nn.MLP(2, [4, 1], activation="tanh", seed=0)(x)
    out.backward()
    assert all(v.grad != 0.0 for v in x)


def test_layer_gradients_match_the_written_out_sum():
    layer = nn.Layer(3, 2, activation="tanh", seed=1)
    x = [Value(0.3), Value(-0.7), Value(1.1)]
    sum(layer(x)).backward()
    # the same network written out by hand: Σᵢ tanh(Σⱼ Wᵢⱼxⱼ + bᵢ), on fresh leaves
    rows = [[Value(w.data) for w in row] for row in layer.weights]
    biases = [Value(b.data) for b in layer.biases]
    xs = [Value(v.data) for v in x]
    total = sum(F.tanh(sum(w * xj for w, xj in zip(row, xs)) + b) for row, b in zip(rows, biases))
    total.backward()
    assert [v.grad for v in x] == pytest.approx([v.grad for v in xs], rel=1e-12)
    ours = [w.grad for row in layer.weights for w in row] + [b.grad for b in layer.biases]
    written = [w.grad for row in rows for w in row] + [b.grad for b in biases]
    assert ours == pytest.approx(written, rel=1e-12)


def test_mlp_input_gradients_pass_gradcheck():
    model = nn.MLP(3, [4, 2], activation="tanh", seed=2)
    assert gradcheck(lambda *x: model(list(x)), [0.3, -0.7, 1.1])


@pytest.mark.parametrize(
    "model, x, message",
    [
        (nn.Neuron(2), [1.0], "Neuron\\(2\\) expected 2 inputs, got 1"),
        (nn.Layer(2, 3), [1.0, 2.0, 3.0], "Layer\\(2, 3\\) expected 2 inputs, got 3"),
        (nn.MLP(3, [2, 1]), 1.0, "Layer\\(3, 2\\) expected 3 inputs, got 1"),
    ],
)
def test_wrong_input_length_says_expected_and_got(model, x, message):
    with pytest.raises(ValueError, match=message):
        model(x)


def test_a_single_number_is_accepted_for_one_input():
    assert nn.MLP(1, [2, 1], seed=0)(0.5).data == nn.MLP(1, [2, 1], seed=0)([0.5]).data


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: nn.MLP(2, []), ValueError, "nouts must be a non-empty list"),
        (lambda: nn.MLP(2, 3), ValueError, "nouts must be a non-empty list"),
        (lambda: nn.MLP(0, [1]), ValueError, "nin must be a positive int, got 0"),
        (lambda: nn.Layer(2, 0), ValueError, "nout must be a positive int"),
        (lambda: nn.MLP(2, [1], init="zeros"), ValueError, "unknown init 'zeros'; valid names"),
        (lambda: nn.MLP(2, [1], activation="gelu"), ValueError, "unknown activation 'gelu'"),
        (lambda: nn.MLP(2, [1], seed="x"), TypeError, "seed must be an int"),
    ],
)
def test_bad_construction_raises(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_mlp_matches_micrograd_structure_and_weights():
    micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd not installed")
    saved = random.getstate()  # micrograd draws from the global generator
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.setstate(saved)
    state = random.getstate()
    ours = nn.MLP(2, [16, 16, 1], seed=1337)
    assert random.getstate() == state  # the global generator is neither used nor disturbed
    assert ours.num_parameters() == len(theirs.parameters()) == 337
    # same order (layer by layer, neuron by neuron, weights then bias) and the same draws
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    for x in ([0.5, -1.0], [2.0, 0.25]):
        assert ours(x).data == pytest.approx(theirs(x).data, rel=1e-12)
    hidden = [layer.activation for layer in ours.layers]
    assert hidden == ["relu", "relu", None]


def test_seeding_is_reproducible_and_private():
    a, b = nn.MLP(2, [4, 1], seed=7), nn.MLP(2, [4, 1], seed=7)
    assert a.state_dict() == b.state_dict()
    assert nn.MLP(2, [4, 1], seed=8).state_dict() != a.state_dict()
    assert nn.MLP(2, [4, 1]).state_dict() != nn.MLP(2, [4, 1]).state_dict()
    same = nn.Layer(2, 2, seed=random.Random(3)).state_dict()
    assert nn.Layer(2, 2, seed=3).state_dict() == same


@pytest.mark.parametrize(
    "init, nin, nout, spread",
    [
        ("uniform", 50, 50, (1 / 3) ** 0.5),  # U(-1, 1) has standard deviation 1/√3
        ("xavier", 50, 150, (2 / 200) ** 0.5),  # U(-a, a), a = √(6/(nin+nout)): sd √(2/(nin+nout))
        ("glorot", 50, 150, (2 / 200) ** 0.5),
        ("he", 50, 50, (2 / 50) ** 0.5),
        ("kaiming", 50, 50, (2 / 50) ** 0.5),
    ],
)
def test_initialisations_have_their_spread_and_zero_bias(init, nin, nout, spread):
    layer = nn.Layer(nin, nout, init=init, seed=0)
    weights = [w.data for row in layer.weights for w in row]
    assert statistics.pstdev(weights) == pytest.approx(spread, rel=0.05)
    assert all(b.data == 0.0 for b in layer.biases)


@pytest.mark.parametrize(
    "name, x, expected",
    [
        ("identity", -2.0, -2.0),
        ("relu", -2.0, 0.0),
        ("relu", 3.0, 3.0),
        ("leaky_relu", -2.0, -0.02),
        ("tanh", 0.5, 0.46211715726000974),
        ("sigmoid", 0.0, 0.5),
    ],
)
def test_activations_by_name(name, x, expected):
    function = F.get_activation(name)
    assert function(x) == pytest.approx(expected)
    assert function(Value(x)).data == pytest.approx(expected)
    assert F.activation_name(name) == name


def test_activation_lookup():
    assert F.get_activation(None) is F.identity
    square = lambda x: x * x  # noqa: E731
    assert F.get_activation(square) is square
    assert F.activation_name(square) == "<custom <lambda>>"
    with pytest.raises(ValueError, match="valid names: identity, leaky_relu, relu, sigmoid, tanh"):
        F.get_activation("swish")


def test_callable_activation_in_a_layer():
    layer = nn.Layer(1, 1, activation=lambda z: z * z, seed=0)
    layer.neurons[0].w[0].data = 2.0
    assert layer([3.0])[0].data == 36.0

"""Batched compile finds the matrices (issue 14): a layer of `dot` nodes is one matrix product,
the caller names the inputs that need gradients, and the batch is reduced in the generated code."""

from __future__ import annotations

import math
import random

import pytest

import autograd
import nn
from autograd import Value, compile_graph

numpy = pytest.importorskip("numpy", reason="batched compile runs on NumPy arrays")


def close(a, b, tol=1e-12):
    return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)


def mlp_point_loss(sizes, activation="relu"):
    """The loss of one example as a graph of the parameters and the example's leaves."""
    random.seed(3)
    model = (
        nn.MLP(sizes[0], sizes[1:], activation=activation)
        if activation != "relu"
        else nn.MLP(sizes[0], sizes[1:])
    )
    xs = [Value(0.0, label=f"x{k}") for k in range(sizes[0])]
    y = Value(1.0, label="y")
    score = model(xs)
    loss = (1.0 - y * score).relu() + 1e-3 * autograd.sum_values(
        [p * p for p in model.parameters()]
    )
    return model, xs, y, loss


def test_a_layer_is_one_matrix_product_and_gradients_match_the_dynamic_engine():
    model, xs, y, loss = mlp_point_loss([3, 8, 5, 1])
    params = model.parameters()
    cg = compile_graph(loss, [*params, *xs, y], batched=True, wrt=params, reduce="sum")
    assert cg.source.count(" @ w") >= 3 and "outer_sum(" in cg.source
    rng = random.Random(1)
    points = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(40)]
    labels = [rng.choice([-1.0, 1.0]) for _ in range(40)]
    columns = numpy.array(points).T
    value, grads = cg.value_and_grad(*[p.data for p in params], *columns, numpy.array(labels))
    assert grads.shape == (len(params),)
    total = autograd.sum_values(
        [
            (1.0 - label * model([Value(x) for x in point])).relu()
            + 1e-3 * autograd.sum_values([p * p for p in params])
            for point, label in zip(points, labels)
        ]
    )
    for p in params:
        p.grad = 0.0
    total.backward()
    assert close(value, total.data)
    assert all(close(g, p.grad) for g, p in zip(grads, params))
    mean_value, mean_grads = compile_graph(
        loss, [*params, *xs, y], batched=True, wrt=params, reduce="mean"
    ).value_and_grad(*[p.data for p in params], *columns, numpy.array(labels))
    assert close(mean_value, total.data / 40)
    assert all(close(g, p.grad / 40) for g, p in zip(mean_grads, params))


def test_softmax_cross_entropy_layers_and_tanh():
    random.seed(5)
    model = nn.MLP(4, [6, 3], activation="tanh")
    params = model.parameters()
    xs = [Value(0.0) for _ in range(4)]
    onehot = [Value(0.0) for _ in range(3)]
    logits = model(xs)
    shift = Value(0.0)  # the max is a constant shift: any number gives the same loss
    lse = autograd.log(autograd.sum_values([(z - shift).exp() for z in logits])) + shift
    loss = lse - autograd.dot(onehot, logits)
    cg = compile_graph(loss, [*params, *xs, *onehot], batched=True, wrt=params, reduce="sum")
    assert cg.source.count(".T  # a layer") == 2
    rng = random.Random(2)
    points = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(25)]
    targets = [rng.randrange(3) for _ in range(25)]
    hot = numpy.eye(3)[targets].T
    value, grads = cg.value_and_grad(*[p.data for p in params], *numpy.array(points).T, *hot)
    total = autograd.sum_values(
        [
            nn.losses.cross_entropy(model([Value(x) for x in point]), t, reduction="sum")
            for point, t in zip(points, targets)
        ]
    )
    for p in params:
        p.grad = 0.0
    total.backward()
    assert close(value, total.data, 1e-10)
    assert all(close(g, p.grad, 1e-10) for g, p in zip(grads, params))


def test_only_the_named_inputs_get_gradients_and_bad_arguments_are_refused():
    x, w, b = Value(1.0), Value(2.0), Value(0.5)
    loss = (x * w + b).tanh()
    cg = compile_graph(loss, [w, b, x], batched=True, wrt=[w], reduce="sum")
    value, grads = cg.value_and_grad(2.0, 0.5, numpy.array([1.0, -1.0]))
    assert grads.shape == (1,)
    t1, t2 = math.tanh(2.5), math.tanh(-1.5)
    assert close(value, t1 + t2) and close(grads[0], (1 - t1 * t1) - (1 - t2 * t2))
    assert "g_x" not in cg.source.split("# backward")[1].replace("g_x0", "")
    with pytest.raises(ValueError, match="wrt"):
        compile_graph(loss, [w, b], batched=True, wrt=[x], reduce="sum")
    with pytest.raises(ValueError, match="reduce"):
        compile_graph(loss, [w, b, x], batched=True, reduce="max")
    with pytest.raises(ValueError, match="batched"):
        compile_graph(loss, [w, b, x], wrt=[w])


def test_a_batch_independent_term_counts_once_per_example():
    w = Value(3.0)
    x = Value(0.0)
    loss = w * w + x * w  # w² is the same for every example
    cg = compile_graph(loss, [w, x], batched=True, wrt=[w], reduce="sum")
    value, grads = cg.value_and_grad(3.0, numpy.array([1.0, 2.0, 4.0]))
    assert value == 3 * 9.0 + 3.0 * 7.0 and grads[0] == 3 * 6.0 + 7.0


def test_a_layer_that_is_the_same_for_every_example_counts_once_per_example():
    ws = [Value(0.5), Value(-1.5), Value(2.0)]
    x = Value(0.0)
    loss = autograd.dot(ws, ws) * 0.5 + x * ws[0]  # an L2 penalty: dot of the parameters
    cg = compile_graph(loss, [*ws, x], batched=True, wrt=ws, reduce="mean")
    assert "outer_sum(" in cg.source
    value, grads = cg.value_and_grad(0.5, -1.5, 2.0, numpy.array([1.0, 3.0]))
    assert close(value, 0.5 * 6.5 + 0.5 * 2.0)
    assert [round(g, 12) for g in grads.tolist()] == [0.5 + 2.0, -1.5, 2.0]

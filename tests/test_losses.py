"""nn.losses and softmax: values and gradients by hand and against PyTorch (float64)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value
from autograd.check import gradcheck
from nn import functional as F

logit = st.floats(-20.0, 20.0, allow_nan=False)
probability = st.floats(0.01, 0.99)
binary = st.sampled_from([0.0, 1.0])


def leaves(numbers):
    return [Value(x) for x in numbers]


def reference(torch, numbers):
    return torch.tensor(numbers, dtype=torch.float64, requires_grad=True)


# -- by hand --------------------------------------------------------------------------------------


def test_mse_by_hand_and_reductions():
    p = leaves([1.0, 2.0, 4.0])
    loss = nn.mse_loss(p, [1.0, 0.0, 1.0])  # (0 + 4 + 9) / 3
    assert loss.data == pytest.approx(13 / 3)
    loss.backward()  # ∂/∂pᵢ = 2(pᵢ - yᵢ)/n
    assert [v.grad for v in p] == pytest.approx([0.0, 4 / 3, 2.0])
    assert nn.mse_loss([1.0, 2.0], [0.0, 0.0], reduction="sum") == 5.0
    assert nn.mse_loss([1.0, 2.0], [0.0, 0.0], reduction="none") == [1.0, 4.0]
    assert nn.mse_loss(Value(3.0), 1.0).data == 4.0
    assert nn.mse_loss([[1.0, 2.0], [3.0, 4.0]], [[0, 0], [0, 0]]) == pytest.approx(7.5)


def test_hinge_is_micrographs_max_margin():
    scores = leaves([2.0, 0.5, -0.25, 0.1])
    labels = [1, 1, -1, 1]
    loss = nn.hinge_loss(scores, labels)  # relu(1 - y·s): 0, 0.5, 0.75, 0.9
    assert loss.data == pytest.approx((0.5 + 0.75 + 0.9) / 4)
    loss.backward()  # -y/n where the margin is violated, 0 elsewhere
    assert [v.grad for v in scores] == [0.0, -0.25, 0.25, -0.25]
    # issue 10: hinge_loss takes fit's label conventions, 0/1 as well as -1/+1 (0 was refused)
    assert nn.hinge_loss([1.0, 2.0], [1, 0]) == nn.hinge_loss([1.0, 2.0], [1, -1]) == 1.5
    with pytest.raises(ValueError, match="target 1: labels 0/1 or -1/\\+1, got 2"):
        nn.hinge_loss([1.0, 2.0], [1, 2])


def test_l2_is_sum_of_squares():
    params = leaves([1.0, -2.0, 3.0])
    penalty = nn.l2(params)
    assert penalty.data == 14.0 and penalty.op == "dot"
    penalty.backward()
    assert [p.grad for p in params] == [2.0, -4.0, 6.0]
    assert nn.l2(nn.MLP(2, [3, 1], seed=0).parameters()).data > 0.0


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.mse_loss([1.0, 2.0], [1.0]), ValueError, "2 predictions but 1 targets"),
        (lambda: nn.mse_loss([[1.0], [2.0, 3]], [[1], [2]]), ValueError, "targets\\[1\\]"),
        (lambda: nn.mse_loss([1.0], 1.0), ValueError, "prediction is a list of 1 but target"),
        (lambda: nn.mse_loss([1.0], [1.0], reduction="avg"), ValueError, "reduction must be"),
        (lambda: nn.mse_loss([], []), ValueError, "no elements to reduce"),
        (lambda: nn.binary_cross_entropy([0.5, 1.5], [1, 0]), ValueError, "input 1 is 1.5"),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [2]), ValueError, "target 0 is class 2, out of"),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [-1]), ValueError, "out of range for 2 classes"),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, "1 rows of logits but 2"),
        (lambda: nn.cross_entropy([[1.0, 2.0]], [0.5]), TypeError, "must be a class index"),
        (lambda: nn.softmax([]), ValueError, "softmax of an empty list"),
    ],
)
def test_bad_arguments_raise_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_single_sample_cross_entropy():
    z = leaves([1.0, 2.0, 3.0])
    loss = nn.cross_entropy(z, 0)
    assert loss.data == pytest.approx(math.log(sum(math.exp(v) for v in (1, 2, 3))) - 1.0)


# -- stability ------------------------------------------------------------------------------------


def test_softmax_and_log_softmax_are_stable():
    z = leaves([1000.0, 0.0])
    assert [v.data for v in nn.softmax(z)] == [1.0, 0.0]
    assert [v.data for v in nn.log_softmax(z)] == [0.0, -1000.0]
    assert nn.softmax([-1000.0, -1000.0]) == [0.5, 0.5]
    nn.cross_entropy([z], [1]).backward()  # softmax - onehot
    assert [v.grad for v in z] == [1.0, -1.0]


def test_bce_with_logits_is_stable_at_plus_minus_1000():
    z = leaves([1000.0, -1000.0, 1000.0, -1000.0])
    losses = nn.binary_cross_entropy_with_logits(z, [1, 0, 0, 1], reduction="none")
    assert [v.data for v in losses] == [0.0, 0.0, 1000.0, 1000.0]
    sum(losses).backward()  # σ(z) - y
    assert [v.grad for v in z] == [0.0, 0.0, 1.0, -1.0]


def test_bce_with_logits_gradient_is_exact_at_zero():
    z = Value(0.0)
    nn.binary_cross_entropy_with_logits(z, 1.0).backward()
    assert z.grad == -0.5  # σ(0) - 1


def test_bce_clamps_the_log_at_minus_100():
    assert nn.binary_cross_entropy([0.0, 1.0], [1.0, 0.0], reduction="none") == [100.0, 100.0]
    assert nn.binary_cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0


@given(st.lists(logit, min_size=1, max_size=6))
def test_softmax_sums_to_one_and_matches_exp_of_log_softmax(z):
    probabilities = F.softmax(z)
    assert sum(probabilities) == pytest.approx(1.0)
    assert [math.exp(v) for v in F.log_softmax(z)] == pytest.approx(probabilities, abs=1e-12)
    assert F.logsumexp(z) == pytest.approx(max(z) + math.log(sum(math.exp(v - max(z)) for v in z)))


@given(st.lists(logit, min_size=2, max_size=5))
def test_softmax_gradients_pass_gradcheck(z):
    assert gradcheck(lambda *x: F.softmax(list(x)), z, atol=1e-6)
    assert gradcheck(lambda *x: F.log_softmax(list(x)), z, atol=1e-6)


# -- against PyTorch -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="PyTorch is the oracle for the parity tests")


def assert_matches(ours_loss, ours_leaves, theirs_loss, theirs_input):
    """Same loss and the same gradient for every input (ours flat, theirs a tensor)."""
    ours_loss.backward()
    theirs_loss.backward()
    assert ours_loss.data == pytest.approx(theirs_loss.item(), rel=1e-12, abs=1e-12)
    expected = theirs_input.grad.flatten().tolist()
    assert [v.grad for v in ours_leaves] == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(
    st.lists(st.tuples(logit, logit), min_size=1, max_size=5),
    st.sampled_from(["mean", "sum"]),
)
def test_mse_against_torch(torch, pairs, reduction):
    p, y = [a for a, _ in pairs], [b for _, b in pairs]
    ours = leaves(p)
    theirs = reference(torch, p)
    target = torch.tensor(y, dtype=torch.float64)
    assert_matches(
        nn.mse_loss(ours, y, reduction=reduction),
        ours,
        torch.nn.functional.mse_loss(theirs, target, reduction=reduction),
        theirs,
    )


@given(st.lists(st.tuples(probability, binary), min_size=1, max_size=5))
def test_bce_against_torch(torch, pairs):
    p, y = [a for a, _ in pairs], [b for _, b in pairs]
    ours, theirs = leaves(p), reference(torch, p)
    assert_matches(
        nn.binary_cross_entropy(ours, y),
        ours,
        torch.nn.functional.binary_cross_entropy(theirs, torch.tensor(y, dtype=torch.float64)),
        theirs,
    )


@given(
    st.lists(st.tuples(st.floats(-1000.0, 1000.0), st.floats(0.0, 1.0)), min_size=1, max_size=5),
    st.sampled_from(["mean", "sum"]),
)
def test_bce_with_logits_against_torch(torch, pairs, reduction):
    z, y = [a for a, _ in pairs], [b for _, b in pairs]
    ours, theirs = leaves(z), reference(torch, z)
    functional = torch.nn.functional
    assert_matches(
        nn.binary_cross_entropy_with_logits(ours, y, reduction=reduction),
        ours,
        functional.binary_cross_entropy_with_logits(
            theirs, torch.tensor(y, dtype=torch.float64), reduction=reduction
        ),
        theirs,
    )


@given(st.data())
def test_cross_entropy_against_torch(torch, data):
    classes = data.draw(st.integers(2, 5))
    batch = data.draw(st.integers(1, 4))
    z = data.draw(
        st.lists(
            st.lists(logit, min_size=classes, max_size=classes), min_size=batch, max_size=batch
        )
    )
    targets = data.draw(st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch))
    reduction = data.draw(st.sampled_from(["mean", "sum"]))
    ours = [leaves(row) for row in z]
    theirs = reference(torch, z)
    assert_matches(
        nn.cross_entropy(ours, targets, reduction=reduction),
        [v for row in ours for v in row],
        torch.nn.functional.cross_entropy(theirs, torch.tensor(targets), reduction=reduction),
        theirs,
    )


@given(st.lists(logit, min_size=1, max_size=6), st.data())
def test_softmax_and_log_softmax_against_torch(torch, z, data):
    weights = data.draw(st.lists(logit, min_size=len(z), max_size=len(z)))
    for ours_f, theirs_f in ((F.softmax, torch.softmax), (F.log_softmax, torch.log_softmax)):
        ours, theirs = leaves(z), reference(torch, z)
        ours_out, theirs_out = ours_f(ours), theirs_f(theirs, dim=0)
        assert [v.data for v in ours_out] == pytest.approx(theirs_out.tolist(), rel=1e-9, abs=1e-12)
        # a weighted sum of the outputs, so every entry of the Jacobian takes part
        ours_total = sum(w * v for w, v in zip(weights, ours_out))
        theirs_total = (theirs_out * torch.tensor(weights, dtype=torch.float64)).sum()
        assert_matches(ours_total, ours, theirs_total, theirs)

"""steps(): backward one chain-rule edge at a time, ending with exactly backward()'s grads."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import (
    Step,
    Value,
    detect_anomaly,
    dot,
    explain,
    explanation,
    relu,
    sqrt,
    steps,
    sum_values,
    tanh,
)
from autograd.graph import walk
from autograd.strategies import expressions


def neuron() -> tuple[Value, Value, Value, Value]:
    x, w, b = Value(0.5, "x"), Value(-3.0, "w"), Value(2.0, "b")
    y = tanh(w * x + b)
    y.label = "y"
    return y, x, w, b


def bits(x: float) -> bytes:
    """The exact bits of a float: equal bits means equal, including -0.0 and nan."""
    return struct.pack("<d", x)


def grads_after(run, root: Value, nodes: list[Value], leaf_grads: list[float]) -> list[bytes]:
    for node, grad in zip(nodes, leaf_grads):
        node.grad = grad
    run(root)
    return [bits(node.grad) for node in nodes]


@given(
    expressions(max_nodes=12),
    st.lists(st.floats(-2, 2), min_size=12, max_size=12),
    st.floats(-3, 3),
)
def test_exhausted_steps_give_exactly_the_grads_of_backward(expression, leaf_grads, seed):
    root = expression.fn(*[Value(x) for x in expression.inputs])
    nodes = list(walk(root))
    starting = [grad if node.is_leaf else 123.0 for node, grad in zip(nodes, leaf_grads)]
    starting += [0.0] * (len(nodes) - len(starting))
    by_backward = grads_after(lambda r: r.backward(seed), root, nodes, starting)
    by_steps = grads_after(lambda r: list(steps(r, seed)), root, nodes, starting)
    assert by_steps == by_backward


@pytest.mark.parametrize("run", [lambda r: r.backward(-0.0), lambda r: list(steps(r, -0.0))])
def test_a_seed_of_minus_zero_gives_the_root_zero_plus_the_seed(run):
    """Both seed the root as `root.grad += seed` from 0 (hypothesis found backward set -0.0)."""
    root = Value(0.0) + Value(0.0)
    run(root)
    assert bits(root.grad) == bits(0.0 + -0.0)


@pytest.mark.parametrize("run", [lambda r: r.backward(), lambda r: list(steps(r))])
@pytest.mark.parametrize("before", [-0.0, 0.0, 2.5])
def test_a_leaf_grad_changes_only_by_a_non_zero_total(run, before):
    """∂((x·1.5)/x)/∂x is 0.5 − 0.5 = 0: the leaf keeps what it held, -0.0 included (found by
    hypothesis: steps() used to turn it into 0.0); with a non-zero total it gets held + total."""
    x = Value(3.0)
    x.grad = before
    run((x * 1.5) / x)
    assert bits(x.grad) == bits(before)
    run(x * 2.0)
    assert bits(x.grad) == bits(before + 2.0)


@given(expressions(max_nodes=12))
def test_each_step_applies_its_term_and_the_last_grad_is_the_parents(expression):
    root = expression.fn(*[Value(x) for x in expression.inputs])
    for number, step in enumerate(steps(root), start=1):
        assert step.number == number
        assert step.parent == step.node.parents[step.index]
        assert step.contribution == step.local * step.upstream
        assert step.upstream == step.node.grad
        assert step.parent_grad == step.parent.grad
        assert step.local == step.node.local_derivatives()[step.index]


def test_order_of_terms_matches_backward_where_rounding_would_tell():
    # (1 + 1e16) - 1e16 == 0.0 but (-1e16 + 1e16) + 1 == 1.0: any other order gives other bits
    x = Value(1.0, "x")
    within_a_node = dot([x, x, x], [1.0, 1e16, -1e16])
    across_nodes = sum_values([x * 1.0, x * 1e16, x * -1e16])
    for root in (within_a_node, across_nodes, within_a_node * across_nodes):
        x.grad = 0.0
        root.backward()
        expected = bits(x.grad)
        x.grad = 0.0
        list(steps(root))
        assert bits(x.grad) == expected


def test_next_advances_backprop_and_grads_can_be_inspected_midway():
    y, x, w, b = neuron()
    walk_through = steps(y)
    assert y.grad == 1.0  # seeded at once, like backward()
    assert (x.grad, w.grad, b.grad) == (0.0, 0.0, 0.0)
    first = next(walk_through)
    assert first.node == y and first.index == 0 and first.upstream == 1.0
    assert first.local == pytest.approx(1 - math.tanh(0.5) ** 2)
    assert first.parent.grad == first.contribution == first.parent_grad
    assert (x.grad, w.grad, b.grad) == (0.0, 0.0, 0.0)
    rest = list(walk_through)
    assert [step.parent for step in rest[-3:]] == [b, w, x]
    assert x.grad == pytest.approx(-3 * (1 - math.tanh(0.5) ** 2))
    assert len(rest) == 4


def test_steps_start_afresh_like_backward_interior_reset_leaves_accumulate():
    y, x, _, _ = neuron()
    list(steps(y))
    once = x.grad
    interior = y.parents[0]
    list(steps(y))
    assert x.grad == 2 * once
    assert interior.grad == 1 - math.tanh(0.5) ** 2  # reset, not doubled


def test_reuse_sums_the_paths_and_marks_later_terms_as_accumulated():
    a = Value(3.0, "a")
    taken = list(steps(a * a))
    assert [step.accumulated for step in taken] == [False, True]
    assert a.grad == 6.0


def test_a_node_with_zero_gradient_is_skipped_as_in_backward():
    x = Value(0.0, "x")
    y = relu(sqrt(x) - 1.0)  # relu' = 0 here, so sqrt's derivative (1/0) is never needed
    taken = list(steps(y))
    assert [step.node for step in taken] == [y]
    assert x.grad == 0.0


def test_domain_errors_and_anomalies_surface_as_in_backward():
    x = Value(0.0, "x")
    with pytest.raises(ZeroDivisionError, match=r"the derivative of sqrt\(x=0.0 'x'\)"):
        list(steps(sqrt(x)))
    huge = Value(1e300, "huge")
    with detect_anomaly(), pytest.raises(FloatingPointError, match="became inf"):
        list(steps(huge * 2.0, 1e300))


def test_a_leaf_root_only_gets_its_seed():
    x = Value(1.0, "x")
    assert list(steps(x, 2.0)) == []
    assert x.grad == 2.0


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="root must be a Value"):
        steps(1.0)
    with pytest.raises(TypeError, match="grad must be a real number"):
        steps(Value(1.0), "1")


def test_step_repr_is_short_and_readable():
    y, *_ = neuron()
    assert repr(next(steps(y))) == "Step(1: 'y' -> input 0 (+): 1 · 0.7864 = 0.7864, grad 0.7864)"
    assert isinstance(next(steps(y)), Step)


NEURON_TABLE = """\
y = tanh(n1) = 0.4621; backward seeds ∂y/∂y = 1
where n1 = n2 + b = 0.5
      n2 = w * x = -1.5

step  chain rule                 = upstream · local  = term    grad so far
   1  ∂y/∂n1 = ∂y/∂y · ∂y/∂n1    = 1 · 0.7864        = 0.7864  n1.grad = 0.7864
   2  ∂y/∂n2 = ∂y/∂n1 · ∂n1/∂n2  = 0.7864 · 1        = 0.7864  n2.grad = 0.7864
   3  ∂y/∂b = ∂y/∂n1 · ∂n1/∂b    = 0.7864 · 1        = 0.7864  b.grad = 0.7864
   4  ∂y/∂w = ∂y/∂n2 · ∂n2/∂w    = 0.7864 · 0.5      = 0.3932  w.grad = 0.3932
   5  ∂y/∂x = ∂y/∂n2 · ∂n2/∂x    = 0.7864 · (-3)     = -2.359  x.grad = -2.359
leaves: b.grad = 0.7864, w.grad = 0.3932, x.grad = -2.359"""


def test_explain_prints_the_derivation_table(capsys):
    y, *_ = neuron()
    assert explain(y) is None
    assert capsys.readouterr().out == NEURON_TABLE + "\n"


def test_explanation_names_constants_and_shows_accumulation():
    a = Value(3.0, "a")
    text = explanation(a * a + 2.0)
    assert "where n2 = a * a = 9" in text
    assert "      n3 = 2" in text
    assert "∂n1/∂a += ∂n1/∂n2 · ∂n2/∂a" in text
    assert text.endswith("leaves: n3.grad = 1, a.grad = 6")


def test_explanation_makes_repeated_labels_unique_and_shows_operators():
    first, second = Value(2.0, "w"), Value(-1.0, "w")
    text = explanation((-(first**2) / second).relu())
    assert "w#2" in text
    assert "n2 = n3 / w = 4" in text and "n3 = -n4" in text and "n4 = w#2**2" in text


def test_explanation_of_a_leaf_says_no_steps():
    assert "(no steps" in explanation(Value(1.0, "x"))

"""User primitives: `autograd.primitive(name, forward, derivative)` joins the op table, works in
backward and in higher-order derivatives, and `gradcheck`/`gradgradcheck` catch wrong rules."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given

import autograd
from autograd import GradcheckError, Value, gradcheck, gradgradcheck, sigmoid
from autograd.strategies import floats


def softplus_forward(x: float) -> float:
    """log(1 + eˣ) = max(x, 0) + log(1 + e^-|x|), without overflow."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@pytest.fixture
def softplus(register_primitive):
    """softplus, with d/dx log(1 + eˣ) = σ(x): `sigmoid` works on floats and on Values."""
    return register_primitive("test_softplus", softplus_forward, lambda out, x: (sigmoid(x),))


@pytest.fixture
def wrong_cube(register_primitive):
    """x³ with the wrong rule d/dx x³ = 2x² (should be 3x²)."""
    return register_primitive("test_wrong_cube", lambda x: x**3, lambda out, x: (2 * x**2,))


def test_a_primitive_joins_the_table_and_records_its_name(softplus):
    out = softplus(Value(0.5))
    assert autograd.REGISTRY["test_softplus"] is softplus.op
    assert out.op == "test_softplus" and out.data == softplus_forward(0.5)
    assert softplus(0.5) == softplus_forward(0.5)  # floats in, float out


def test_a_primitive_works_in_backward(softplus):
    x = Value(-1.25)
    y = softplus(x * 2.0) * x
    y.backward()
    assert x.grad == pytest.approx(2.0 * sigmoid(-2.5) * -1.25 + softplus_forward(-2.5), rel=1e-12)


def test_a_primitive_is_drawn_and_stepped_like_a_built_in(softplus):
    x = Value(-1.25, label="x")
    y = softplus(x * 2.0)
    dot_source = autograd.draw_graph(y).source
    assert "label=test_softplus" in dot_source
    terms = [(step.node.op, step.local) for step in autograd.steps(y)]
    assert terms[0] == ("test_softplus", sigmoid(-2.5))
    reference = Value(-1.25)
    softplus(reference * 2.0).backward()
    assert x.grad == reference.grad


def test_a_primitive_works_in_higher_order_derivatives(softplus):
    s = sigmoid(0.7)
    assert autograd.derivative(softplus, 1)(0.7) == pytest.approx(s, rel=1e-12)
    assert autograd.derivative(softplus, 2)(0.7) == pytest.approx(s * (1 - s), rel=1e-12)
    assert autograd.derivative(softplus, 3)(0.7) == pytest.approx(
        s * (1 - s) * (1 - 2 * s), rel=1e-12
    )
    x = Value(0.7)
    (first,) = autograd.gradients(softplus(x), [x], create_graph=True)
    assert isinstance(first, Value) and not first.is_leaf  # a graph that reaches x
    assert autograd.gradients(first, [x]) == [pytest.approx(s * (1 - s), rel=1e-12)]


@given(floats(-30.0, 30.0))
def test_a_correct_primitive_passes_gradcheck_and_gradgradcheck(x):
    softplus = autograd.primitive(
        "test_softplus_given", softplus_forward, lambda out, x: (sigmoid(x),)
    )
    try:
        assert gradcheck(softplus, [x])
        assert gradgradcheck(softplus, [x])
    finally:
        autograd.REGISTRY.pop("test_softplus_given")


def test_a_primitive_of_two_inputs(register_primitive):
    hypot = register_primitive(
        "test_hypot", math.hypot, lambda out, x, y: (x / out, y / out), "x, y not both 0"
    )
    assert gradcheck(hypot, [3.0, -4.0])
    assert gradgradcheck(hypot, [3.0, -4.0])
    x, y = Value(3.0), Value(-4.0)
    hypot(x, y).backward()
    assert (x.grad, y.grad) == pytest.approx((0.6, -0.8))


def test_gradcheck_catches_a_wrong_rule_with_a_readable_table(wrong_cube):
    with pytest.raises(GradcheckError) as caught:
        gradcheck(wrong_cube, [2.0])
    lines = str(caught.value).splitlines()
    assert lines[0] == "gradcheck failed: 1 of 1 derivatives differ from central differences"
    assert "atol=1e-05, rtol=0.001; eps=1e-06" in lines[1]
    assert lines[2].split() == ["output", "input", "at", "analytic", "numeric", "difference"]
    assert lines[3].split() == ["f", "x0", "2", "8", "12", "4", "<--", "differs"]
    assert gradcheck(wrong_cube, [2.0], raise_exception=False) is False


def test_gradcheck_marks_only_the_wrong_rows(wrong_cube):
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, y: [x * y, wrong_cube(y)], [Value(2.0, label="a"), 3.0])
    rows = {tuple(line.split()[:2]): line for line in str(caught.value).splitlines()[3:]}
    assert set(rows) == {("f[0]", "a"), ("f[0]", "x1"), ("f[1]", "a"), ("f[1]", "x1")}
    assert [key for key, line in rows.items() if line.endswith("<-- differs")] == [("f[1]", "x1")]
    assert rows[("f[1]", "x1")].split()[2:5] == ["3", "18", "27"]


def test_gradcheck_catches_differentiating_wrongly_through_detach():
    def square_but_half_detached(x: Value) -> Value:
        return x * x.detach()  # d/dx should be 2x; the detached factor hides half of it

    with pytest.raises(GradcheckError) as caught:
        gradcheck(square_but_half_detached, [1.5])
    table = str(caught.value)
    assert re.search(r"^f\s+x0\s+1\.5\s+1\.5\s+3\s+1\.5\s+<-- differs$", table, re.M), table


def test_gradgradcheck_catches_a_rule_that_builds_no_graph(register_primitive):
    # math.cos(Value) silently takes float(Value): right first derivative, no second one
    flat_sin = register_primitive("test_flat_sin", math.sin, lambda out, x: (math.cos(x),))
    assert gradcheck(flat_sin, [0.3])
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(flat_sin, [0.3])
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("gradgradcheck failed: 1 of 1 second derivatives differ")
    analytic, numeric = lines[3].split()[3:5]
    assert (float(analytic), float(numeric)) == (0.0, pytest.approx(-math.sin(0.3), rel=1e-5))
    assert lines[3].split()[:2] == ["∂f/∂x0", "x0"]


def test_a_derivative_must_return_one_entry_per_input(register_primitive):
    two_for_one = register_primitive("test_two_for_one", math.exp, lambda out, x: (out, out))
    bare = register_primitive("test_bare", math.exp, lambda out, x: out)
    for function in (two_for_one, bare):
        y = function(Value(1.0))
        with pytest.raises(TypeError, match="one local derivative per input \\(1\\)"):
            y.backward()
        with pytest.raises(TypeError, match=f"primitive '{y.op}'"):
            gradcheck(function, [1.0])


def test_a_forward_must_return_a_real_number(register_primitive):
    complex_root = register_primitive("test_complex_root", lambda x: x**0.5, lambda out, x: (x,))
    with pytest.raises(TypeError, match="'test_complex_root': forward must return a real number"):
        complex_root(Value(-4.0))


def test_bad_registrations_are_refused():
    with pytest.raises(ValueError, match="built-in"):
        autograd.primitive("tanh", math.tanh, lambda out, x: (1 - out * out,))
    with pytest.raises(ValueError, match="non-empty name"):
        autograd.primitive("", math.tanh, lambda out, x: (1 - out * out,))
    with pytest.raises(TypeError, match="callable"):
        autograd.primitive("test_not_callable", 3.0, lambda out, x: (1.0,))
    with pytest.raises(TypeError, match="domain must be a str"):
        autograd.primitive("test_domain", math.exp, lambda out, x: (out,), domain=0)
    assert "test_not_callable" not in autograd.REGISTRY and "test_domain" not in autograd.REGISTRY


def test_a_user_primitive_can_be_replaced(register_primitive):
    register_primitive("test_replaced", math.exp, lambda out, x: (2 * out,))
    fixed = register_primitive("test_replaced", math.exp, lambda out, x: (out,))
    assert gradcheck(fixed, [0.5])
    assert autograd.REGISTRY["test_replaced"] is fixed.op


def test_domain_errors_of_a_primitive_name_it(register_primitive):
    root = register_primitive("test_root", math.sqrt, lambda out, x: (0.5 / out,), domain="x >= 0")
    with pytest.raises(ValueError, match=r"test_root\(x=-1.0 'a'\): needs x >= 0"):
        root(Value(-1.0, label="a"))

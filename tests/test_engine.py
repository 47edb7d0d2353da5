"""Engine semantics: reuse, repeated backward, depth, modes, higher order and every bad input."""

from __future__ import annotations

import math
import sys
import threading

import pytest

import autograd
from autograd import (
    Value,
    derivative,
    detect_anomaly,
    enable_grad,
    grad,
    gradients,
    hessian,
    no_grad,
    value_and_grad,
)

# -- reuse and repeated backward ----------------------------------------------------------------


def test_a_plus_a_keeps_both_parents_and_gets_grad_two():
    a = Value(3.0)
    b = a + a
    assert b.parents == (a, a)
    b.backward()
    assert a.grad == 2.0


def test_reused_node_gets_the_exact_sum_of_its_paths():
    a = Value(1.5)
    b = a * a
    c = b + b * a  # c = a² + a³, dc/da = 2a + 3a²
    c.backward()
    assert a.grad == pytest.approx(2 * 1.5 + 3 * 1.5**2, rel=1e-15)
    assert b.grad == pytest.approx(1 + 1.5, rel=1e-15)


def test_second_backward_exactly_doubles_leaf_grads_and_resets_interior():
    a, b = Value(-4.0, "a"), Value(2.0, "b")
    c = a * b + b**3
    d = (c * a).tanh() + c
    d.backward()
    first = (a.grad, b.grad, c.grad)
    d.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert c.grad == first[2]  # interior: this pass only
    assert d.grad == 1.0


def test_micrograd_issue_53_does_not_triple():
    x = Value(1.0)
    y = x * 1.0
    y.backward()
    y.backward()
    assert x.grad == 2.0


def test_backward_seed_scales_gradients():
    x = Value(3.0)
    (x * x).backward(0.5)
    assert x.grad == 3.0


def test_backward_of_a_leaf_accumulates_the_seed():
    x = Value(3.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_grad_is_always_a_float():
    x = Value(2)
    assert type(x.data) is float
    (x * 3).backward()
    assert type(x.grad) is float


# -- depth ---------------------------------------------------------------------------------------


def test_a_chain_of_a_million_nodes_backpropagates_and_frees_without_recursion():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    del y  # reference counting frees the chain; must not overflow the C stack


# -- modes ---------------------------------------------------------------------------------------


def test_no_grad_builds_no_graph_as_context_and_decorator():
    x = Value(2.0)
    with no_grad():
        y = x * x
        assert not autograd.is_grad_enabled()
    assert y.is_leaf and y.op == "" and y.data == 4.0
    assert autograd.is_grad_enabled()

    @no_grad()
    def square(v):
        return v * v

    assert square(x).is_leaf
    with no_grad(), enable_grad():
        assert not (x * x).is_leaf


def test_grad_mode_is_per_thread():
    seen = []
    with no_grad():
        worker = threading.Thread(target=lambda: seen.append(autograd.is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [True]


def test_detach_stops_gradients():
    x = Value(3.0, "x")
    y = x * x.detach()
    assert x.detach().label == "x"
    y.backward()
    assert x.grad == 3.0


def test_detect_anomaly_names_the_op_inputs_and_labels_forward():
    big = Value(1e308, "big")
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"\*.*big.*inf"):
        big * 10.0
    assert (big * 10.0).data == math.inf  # outside detect_anomaly: IEEE semantics


def test_detect_anomaly_catches_a_non_finite_derivative_in_backward():
    tiny = Value(1e-310, "tiny")
    y = tiny.log()
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"backward through log.*tiny"):
        y.backward()


# -- the op surface ------------------------------------------------------------------------------


def test_comparisons_look_at_data_and_equality_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert a <= b and a >= b and not a < b and not a > b
    assert a < 2 and a > 0.5 and a >= 1.0
    assert a != b and a == a
    assert len({a, b}) == 2
    assert float(a) == 1.0 and a.item() == 1.0


def test_repr_is_short_and_stable():
    x, w, b = Value(0.5, "x"), Value(-3.0, "w"), Value(2.0, "b")
    h = (w * x + b).tanh()
    h.label = "h"
    h.backward()
    assert repr(h) == "Value(data=0.4621, grad=1.0, op='tanh', label='h')"
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"


def test_reflected_operators_and_number_exponents():
    x = Value(2.0)
    assert (3 + x).data == 5 and (3 - x).data == 1 and (3 * x).data == 6 and (3 / x).data == 1.5
    assert (x**3).data == 8 and (2**x).data == 4 and (x ** Value(3.0)).data == 8
    assert (-x).data == -2 and abs(Value(-2.0)).data == 2 and (+x) is x


def test_value_exponent_gradients():
    x, y = Value(2.0), Value(3.0)
    z = x**y
    z.backward()
    assert x.grad == pytest.approx(3 * 2.0**2)
    assert y.grad == pytest.approx(8 * math.log(2.0))


def test_zero_base_to_a_value_exponent_has_the_limit_derivative():
    x, y = Value(0.0), Value(2.0)
    (x**y).backward()
    assert (x.grad, y.grad) == (0.0, 0.0)


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "named"),
    [("3", "str '3'"), (True, "bool True"), (None, "NoneType None"), (1j, "complex")],
)
def test_value_rejects_non_numbers_saying_what_was_given(given, named):
    with pytest.raises(TypeError, match=named):
        Value(given)


def test_value_of_a_value_is_refused_with_advice():
    with pytest.raises(TypeError, match="got a Value.*detach"):
        Value(Value(1.0))


def test_non_numeric_operands_are_type_errors():
    with pytest.raises(TypeError):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="bool"):
        Value(1.0) * True


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda a: a.log(), ValueError, r"log\(x=-1.0 'a'\): needs x > 0"),
        (lambda a: Value(0.0, "a").log(), ValueError, r"log\(x=0.0 'a'\)"),
        (lambda a: a.sqrt(), ValueError, r"sqrt\(x=-1.0 'a'\): needs x >= 0"),
        (lambda a: Value(1.0, "n") / Value(0.0, "d"), ZeroDivisionError, r"x=1.0 'n', y=0.0 'd'"),
        (lambda a: a ** (1 / 3), ValueError, r"x=-1.0 'a'.*fractional"),
        (lambda a: a ** Value(0.5), ValueError, r"\*\*\(x=-1.0 'a', y=0.5\)"),
        (lambda a: Value(0.0, "z") ** -1, ValueError, r"x=0.0 'z'.*negative"),
        (lambda a: Value(1000.0, "big").exp(), OverflowError, r"exp\(x=1000.0 'big'\).*too large"),
        (lambda a: Value(10.0) ** 400, OverflowError, r"too large"),
    ],
)
def test_domain_errors_name_the_op_the_operands_and_labels(make, error, message):
    with pytest.raises(error, match=message):
        make(Value(-1.0, "a"))


def test_an_undefined_derivative_raises_naming_the_op_at_backward():
    x = Value(0.0, "x")
    y = x.sqrt()  # √0 = 0 is fine; its derivative 1/(2√x) is not
    with pytest.raises(ZeroDivisionError, match=r"the derivative of sqrt\(x=0.0 'x'\)"):
        y.backward()


def test_functions_on_floats_return_floats_and_raise_named_errors():
    assert autograd.tanh(0.5) == math.tanh(0.5)
    assert isinstance(autograd.exp(Value(1.0)), Value)
    with pytest.raises(ValueError, match=r"log\(x=-2.0\): needs x > 0"):
        autograd.log(-2.0)


# -- gradients and the transforms ----------------------------------------------------------------


def test_gradients_leave_grad_untouched_and_give_zero_for_unrelated_inputs():
    x, y, unrelated = Value(2.0), Value(5.0), Value(7.0)
    z = x * y + x
    assert gradients(z, [x, y, unrelated]) == [6.0, 2.0, 0.0]
    assert gradients(z, x) == 6.0
    assert (x.grad, y.grad, z.grad) == (0.0, 0.0, 0.0)


def test_create_graph_gives_values_that_differentiate_again():
    x = Value(1.5)
    y = x**3
    (dy,) = gradients(y, [x], create_graph=True)
    assert isinstance(dy, Value) and dy.data == pytest.approx(3 * 1.5**2)
    assert gradients(dy, x) == pytest.approx(6 * 1.5)


def test_fourth_derivative_of_sin_is_sin():
    assert derivative(lambda x: x.sin(), 4)(1.3) == pytest.approx(math.sin(1.3), abs=1e-12)
    assert derivative(lambda x: x.sin(), 0)(1.3) == math.sin(1.3)


def test_hessian_of_rosenbrock_is_analytic():
    def rosenbrock(x, y):
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    for x, y in [(1.0, 1.0), (-1.2, 1.0), (0.3, -0.7)]:
        expected = [[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]]
        got = hessian(rosenbrock)(x, y)
        for row, expected_row in zip(got, expected):
            assert row == pytest.approx(expected_row, rel=1e-12)


def test_transforms_nest_and_keep_floats_as_floats():
    def cube(x):
        return x**3

    assert grad(cube)(2.0) == 12.0
    assert grad(grad(cube))(2.0) == 12.0
    assert grad(grad(grad(cube)))(2.0) == 6.0
    assert type(grad(cube)(2.0)) is float
    assert isinstance(grad(cube)(Value(2.0)), Value)


def test_argnums_and_value_and_grad():
    def f(x, y):
        return x * y.exp()

    value, (dx, dy) = value_and_grad(f, argnums=(0, 1))(2.0, 0.0)
    assert (value, dx, dy) == (2.0, 1.0, 2.0)
    assert grad(f, 1)(2.0, 0.0) == 2.0
    with pytest.raises(ValueError, match="argnums 2"):
        grad(f, 2)(2.0, 0.0)


def test_mixed_partials_through_nested_grad_over_different_arguments():
    def f(x, y):
        return x * x * y

    def df_dx(x, y):
        return grad(f, 0)(x, y)

    assert grad(df_dx, 1)(3.0, 5.0) == 6.0  # ∂²(x²y)/∂y∂x = 2x


def test_transform_rejects_non_scalar_results():
    with pytest.raises(TypeError, match="function's result"):
        grad(lambda x: [x])(1.0)
    assert grad(lambda x: 3.0)(1.0) == 0.0

"""The gradient-checking toolkit itself: numerical_grad, gradcheck, gradgradcheck, the failure
table, and the hypothesis strategies in `autograd.strategies`."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import GradcheckError, Value, gradcheck, gradgradcheck, numerical_grad, strategies
from autograd.strategies import PRIMITIVES, Expression

# -- numerical_grad ----------------------------------------------------------------------------


def test_numerical_grad_of_one_output_is_one_number_per_input():
    found = numerical_grad(lambda x, y: x * y + y**3, [2.0, -1.0])
    assert found == [pytest.approx(-1.0, abs=1e-8), pytest.approx(2.0 + 3.0, abs=1e-8)]


def test_numerical_grad_of_several_outputs_is_one_row_per_output():
    found = numerical_grad(lambda x, y: (x.exp(), x - y, 7.0), [0.0, 3.0])
    assert found == [
        [pytest.approx(1.0, abs=1e-8), 0.0],
        [pytest.approx(1.0, abs=1e-8), pytest.approx(-1.0, abs=1e-8)],
        [0.0, 0.0],
    ]


def test_arguments_that_are_lists_of_values():
    def f(xs, b):
        return autograd.dot(xs, xs) * b

    assert numerical_grad(f, [[1.0, -2.0], 0.5]) == [
        [pytest.approx(1.0, abs=1e-8), pytest.approx(-2.0, abs=1e-8)],
        pytest.approx(5.0, abs=1e-8),
    ]
    assert gradcheck(f, [[1.0, -2.0], 0.5]) and gradgradcheck(f, [(1.0, -2.0), 0.5])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda xs: xs[0] * xs[1].detach(), [[3.0, Value(4.0, label="w")]])
    rows = [line.split() for line in str(caught.value).splitlines()[3:]]
    assert [(row[:2], row[-1] == "differs") for row in rows] == [
        (["f", "x0[0]"], False),
        (["f", "w"], True),
    ]


def test_numerical_grad_names_the_input_that_left_the_domain():
    with pytest.raises(ValueError, match=r"input x0 moved by -1e-06 to .*pole or the edge"):
        numerical_grad(lambda x: x.log(), [5e-7])


@pytest.mark.parametrize(
    ("inputs", "error", "message"),
    [
        ([], ValueError, "no inputs"),
        (["1"], TypeError, "input x0 must be a number or a Value"),
        ([True], TypeError, "input x0 must be a number or a Value"),
        ([1.0, math.nan], ValueError, "input x1 is nan"),
    ],
)
def test_bad_inputs_are_named(inputs, error, message):
    with pytest.raises(error, match=message):
        gradcheck(lambda *xs: xs[0], inputs)


def test_bad_settings_and_outputs_are_named():
    with pytest.raises(ValueError, match="eps must be a positive number"):
        gradcheck(lambda x: x, [1.0], eps=0.0)
    with pytest.raises(ValueError, match="atol must be a number >= 0"):
        gradcheck(lambda x: x, [1.0], atol=-1.0)
    with pytest.raises(TypeError, match="f must return a Value, a number or a list of them"):
        gradcheck(lambda x: "x", [1.0])
    with pytest.raises(ValueError, match="empty list of outputs"):
        gradcheck(lambda x: [], [1.0])


# -- gradcheck ---------------------------------------------------------------------------------


def test_gradcheck_passes_correct_derivatives_and_leaves_the_inputs_alone():
    w = Value(0.5, label="w")
    w.grad = 4.0
    assert gradcheck(lambda w, b: (w * 3.0 + b).tanh(), [w, -0.25]) is True
    assert w.grad == 4.0 and w.data == 0.5


def test_gradcheck_takes_a_single_input_and_functions_on_floats_or_values():
    assert gradcheck(autograd.tanh, 0.3)
    assert gradcheck(lambda x: x.sin() * 2, Value(0.3))
    assert gradcheck(lambda x: 7.0, [0.3])  # a constant: 0 both ways


@pytest.fixture
def slightly_wrong_cube(register_primitive):
    """x³ whose rule is off by a factor 1 + 5e-4: at x = 2, analytic 12.006, numeric 12."""
    return register_primitive(
        "test_slightly_wrong_cube", lambda x: x**3, lambda out, x: (3.0 * x**2 * (1 + 5e-4),)
    )


@pytest.mark.parametrize(
    ("atol", "rtol", "passes"),
    [(1e-5, 1e-3, True), (1e-5, 1e-4, False), (0.01, 0.0, True), (0.001, 0.0, False)],
)
def test_gradcheck_uses_pytorchs_tolerance_rule(slightly_wrong_cube, atol, rtol, passes):
    # |12.006 - 12| = 0.006 <= atol + rtol·12 ?
    assert gradcheck(slightly_wrong_cube, [2.0], atol=atol, rtol=rtol, raise_exception=False) is (
        passes
    )


def test_gradcheck_error_is_an_assertion_error_with_a_table():
    assert issubclass(GradcheckError, AssertionError)
    with pytest.raises(AssertionError, match="output +input +at +analytic +numeric +difference"):
        gradcheck(lambda x: x * x.detach(), [2.0])


def test_a_non_finite_derivative_fails(register_primitive):
    broken = register_primitive("test_nan_rule", lambda x: 2 * x, lambda out, x: (math.nan,))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(broken, [1.0])
    row = str(caught.value).splitlines()[3].split()
    assert row[3] == "nan" and row[-1] == "differs"


def test_several_outputs_are_checked_one_by_one():
    assert gradcheck(lambda x, y: [x * y, (x - y).exp(), 2.0], [0.3, -0.7])
    assert gradcheck(lambda x, y: (x / y, y.cos()), [0.3, -0.7])


# -- gradgradcheck -----------------------------------------------------------------------------


def test_gradgradcheck_passes_the_rosenbrock_function():
    def rosenbrock(x, y):
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    assert gradgradcheck(rosenbrock, [-1.2, 1.0])


def test_gradgradcheck_names_rows_by_first_derivative(register_primitive):
    flat_cos = register_primitive("test_flat_cos", math.cos, lambda out, x: (-math.sin(x),))
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(lambda x, y: [x * y, flat_cos(y)], [0.5, Value(0.25, label="b")])
    rows = [line.split() for line in str(caught.value).splitlines()[3:]]
    assert [row[:2] for row in rows] == [
        ["∂f[0]/∂x0", "x0"],
        ["∂f[0]/∂x0", "b"],
        ["∂f[0]/∂b", "x0"],
        ["∂f[0]/∂b", "b"],
        ["∂f[1]/∂x0", "x0"],
        ["∂f[1]/∂x0", "b"],
        ["∂f[1]/∂b", "x0"],
        ["∂f[1]/∂b", "b"],
    ]
    assert [row[:2] for row in rows if row[-1] == "differs"] == [["∂f[1]/∂b", "b"]]


# -- strategies --------------------------------------------------------------------------------


@given(strategies.floats(-1.0, 1.0, avoid=(0.0, 0.5), margin=0.1))
def test_floats_stay_away_from_the_points_to_avoid(x):
    assert -1.0 <= x <= 1.0 and abs(x) >= 0.1 and abs(x - 0.5) >= 0.1


def test_floats_refuse_an_empty_range():
    with pytest.raises(ValueError, match="nothing in"):
        strategies.floats(-0.1, 0.1, avoid=(0.0,), margin=0.5)
    with pytest.raises(ValueError, match="min_value must be a finite number"):
        strategies.floats(-math.inf, 0.0)


@given(strategies.values(0.0, 2.0, avoid=(0.0,), label="w"), strategies.value_lists(2, 3))
def test_values_and_value_lists(value, values):
    assert isinstance(value, Value) and value.is_leaf and value.label == "w" and value.data > 0
    assert 2 <= len(values) <= 3 and all(isinstance(v, Value) and v.is_leaf for v in values)


@given(strategies.expressions(primitives=["log", "sqrt", "/", "*"], min_value=-2.0))
def test_expressions_stay_in_their_domains(e):
    assert all(primitive.name in {"log", "sqrt", "/", "*"} for primitive, _ in e.nodes)
    assert math.isfinite(e.reference(*e.inputs))
    assert gradcheck(e.fn, e.inputs)


@given(strategies.expressions())
def test_expressions_keep_only_nodes_the_output_reaches(e):
    count = len(e.inputs)
    used = {i for _, operands in e.nodes for i in operands}
    assert all(index in used for index in range(count, count + len(e.nodes) - 1))
    assert repr(e).startswith(f"<expression {e.text} at x0=")


def test_an_expression_renders_reused_nodes_by_name():
    e = Expression(
        [0.5, -1.25],
        [(PRIMITIVES["+"], (0, 1)), (PRIMITIVES["tanh"], (2,)), (PRIMITIVES["*"], (3, 2))],
    )
    assert repr(e) == "<expression tanh(v1) * v1 where v1 = x0 + x1 at x0=0.5, x1=-1.25>"
    assert e.reference(0.5, -1.25) == math.tanh(-0.75) * -0.75
    assert e.fn(Value(0.5), Value(-1.25)).data == e.fn(0.5, -1.25) == e.reference(0.5, -1.25)
    with pytest.raises(TypeError, match="takes 2 inputs, got 1"):
        e.fn(0.5)


def test_expressions_refuse_unknown_primitives():
    with pytest.raises(ValueError, match="unknown primitive 'erf'"):
        strategies.expressions(primitives=["tanh", "erf"])
    with pytest.raises(ValueError, match="max_nodes must be a whole number >= 1"):
        strategies.expressions(max_nodes=0)


def test_importing_autograd_does_not_import_hypothesis():
    code = "import sys, autograd; sys.exit('hypothesis' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# -- the README's property tests, copied exactly -----------------------------------------------


@given(strategies.floats(-5.0, 5.0, avoid=(0.0,), margin=1e-3))
def test_abs_away_from_its_kink(x):
    assert gradcheck(autograd.abs, [x])


@given(strategies.expressions(primitives=["+", "*", "/", "tanh", "exp", "log"]))
def test_random_expressions(e):
    assert math.isclose(e.fn(*e.inputs), e.reference(*e.inputs), rel_tol=1e-9, abs_tol=1e-12)
    assert gradcheck(e.fn, e.inputs)
    assert gradgradcheck(e.fn, e.inputs)


def test_gradcheck_near_a_kink_fails_which_is_why_strategies_avoid_it():
    assert not gradcheck(autograd.abs, [1e-7], raise_exception=False)
    assert gradcheck(autograd.abs, [1e-3])


@given(st.data())
def test_every_primitive_is_drawn_in_its_box(data):
    primitive = data.draw(st.sampled_from(sorted(PRIMITIVES.values(), key=lambda p: p.name)))
    point = data.draw(primitive.arguments())
    assert len(point) == primitive.arity and primitive.accepts(point, margin=1e-3)

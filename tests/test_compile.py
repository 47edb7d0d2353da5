"""autograd.compile: the emitted straight-line code gives the dynamic engine's numbers."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings

import autograd
from autograd import Value, compile, compile_graph, gradients, no_grad, strategies


def agrees(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def dynamic(f, inputs):
    leaves = [Value(x) for x in inputs]
    output = f(*leaves)
    return output.data, tuple(gradients(output, leaves))


@settings(max_examples=150, deadline=None)
@given(strategies.expressions(max_nodes=10))
def test_compiled_function_matches_the_dynamic_engine(e):
    value, grads = dynamic(e.fn, e.inputs)
    cf = compile(e.fn)
    compiled_value, compiled_grads = cf.value_and_grad(*e.inputs)
    assert agrees(compiled_value, value), cf.source
    assert all(map(agrees, compiled_grads, grads)), cf.source
    assert agrees(cf(*e.inputs), value)


@settings(max_examples=100, deadline=None)
@given(strategies.expressions(max_nodes=10))
def test_compiled_graph_matches_backward(e):
    leaves = [Value(x) for x in e.inputs]
    output = e.fn(*leaves)
    output.backward()
    cg = compile_graph(output, leaves)
    value, grads = cg.value_and_grad(*e.inputs)
    assert agrees(value, output.data) and agrees(cg(*e.inputs), output.data)
    assert all(agrees(g, leaf.grad) for g, leaf in zip(grads, leaves)), cg.source


def test_source_is_the_forward_pass_then_the_chain_rule():
    cf = compile(lambda x, y: x * y + x.tanh())
    assert cf.value_and_grad(0.5, 2.0) == (
        1.0 + math.tanh(0.5),
        (2.0 + 1 - math.tanh(0.5) ** 2, 0.5),
    )
    assert cf.source == (
        "def value_and_grad(x, y):\n"
        "    v0 = x * y\n"
        "    v1 = tanh(x)\n"
        "    v2 = v0 + v1\n"
        "    # backward: the chain rule, output first\n"
        "    g_v1 = 1.0\n"
        "    g_v0 = 1.0\n"
        "    g_x = g_v1 * (1.0 - v1 * v1) + g_v0 * y\n"
        "    g_y = g_v0 * x\n"
        "    return v2, (g_x, g_y)\n"
    )


def test_relu_is_an_expression_not_a_guard():
    cf = compile(lambda x: (x * 3.0).relu())
    assert cf.value_and_grad(2.0) == (6.0, (3.0,))
    assert cf.value_and_grad(-2.0) == (0.0, (0.0,))
    assert len(cf.traces) == 1
    assert "(0.0 if v0 <= 0.0 else v0)" in cf.source  # relu passes nan on (PyTorch)


def test_a_branch_on_a_comparison_is_a_guard_that_retraces_when_it_flips():
    def f(x, y):
        if x > y:
            return x * y
        return (x - y).exp()

    cf = compile(f)
    assert cf(2.0, 1.0) == 2.0 and len(cf.traces) == 1
    assert cf(3.0, 1.0) == 3.0 and len(cf.traces) == 1  # same branch: same trace
    assert cf.value_and_grad(0.0, 1.0) == (math.exp(-1.0), (math.exp(-1.0), -math.exp(-1.0)))
    assert len(cf.traces) == 2
    assert "if x > y:" in cf.source  # the latest trace took the False branch
    assert cf(5.0, 1.0) == 5.0 and len(cf.traces) == 2  # both outcomes are cached


def test_guards_on_computed_values_and_reflected_comparisons():
    def f(x):
        if 1.0 < x * x:  # Value.__gt__ of x * x
            return x.log() if x >= 2.0 else -x
        return x

    cf = compile(f)
    for x in (3.0, 1.5, 0.5, 4.0, -3.0, 1.2):
        assert cf.value_and_grad(x) == dynamic(f, [x])
    assert len(cf.traces) == 3


def test_guards_are_checked_before_code_that_would_fail():
    cf = compile(lambda x: x.log() if x > 0 else x * 0.0)
    assert cf(1.0) == 0.0
    assert cf(-1.0) == -0.0  # the log trace bails out at its guard, before log(-1)


def test_user_primitives_inline_or_called():
    cube = autograd.primitive("cube_for_compile", lambda x: x**3, lambda out, x: (3 * x**2,))
    sinh = autograd.primitive("sinh_for_compile", math.sinh, lambda out, x: (math.cosh(x),))
    cf = compile(lambda x: cube(x) + sinh(x))
    value, (grad,) = cf.value_and_grad(2.0)
    assert value == 8.0 + math.sinh(2.0) and grad == 12.0 + math.cosh(2.0)
    assert "3 * x ** 2" in cf.source  # traced from the rule
    assert "derivative_sinh_for_compile(" in cf.source  # rule uses math: called


def test_equality_in_a_rule_is_a_choice_and_methods_are_called():
    def derivative(out, x):
        return (0.0 if x == 0.0 else 2.0 * x,)

    square = autograd.primitive("square_for_compile", lambda x: x * x, derivative)
    half_exp = autograd.primitive(
        "half_exp_for_compile", lambda x: math.exp(x) / 2, lambda out, x: (out.real,)
    )  # floats only: called
    cf = compile(lambda x: square(x) + half_exp(x))
    assert cf.value_and_grad(0.0) == (0.5, (0.5,))
    assert cf.value_and_grad(1.5) == dynamic(lambda x: square(x) + half_exp(x), [1.5])
    assert "if x == 0.0 else" in cf.source and "derivative_half_exp_for_compile(" in cf.source


def test_constant_leaves_are_baked_in_and_inputs_named_by_label():
    x, w = Value(0.5, label="x"), Value(-1.25, label="w")
    cg = compile_graph((x * w).sigmoid(), [x])
    assert "x * (-1.25)" in cg.source and cg.source.startswith("def value_and_grad(x):")
    w.data = 10.0  # the compiled code does not see later changes of constants
    value, (grad,) = cg.value_and_grad(2.0)
    s = 1 / (1 + math.exp(2.5))
    assert math.isclose(value, s) and math.isclose(grad, -1.25 * s * (1 - s))


def test_unusable_labels_fall_back_to_positional_names():
    a, b = Value(1.0, label="v0"), Value(2.0, label="not an identifier")
    assert compile_graph(a * b, [a, b]).source.startswith("def value_and_grad(x0, x1):")


def test_output_that_is_an_input_or_a_constant():
    assert compile(lambda x, y: x).value_and_grad(3.0, 4.0) == (3.0, (1.0, 0.0))
    assert compile(lambda x: 2.5).value_and_grad(3.0) == (2.5, (0.0,))
    assert compile(lambda x: x * 0.0 + 1.0).value_and_grad(3.0) == (1.0, (0.0,))


def test_unused_input_gets_zero_and_repeated_parents_count_twice():
    x, y = Value(3.0), Value(1.0)
    assert compile_graph(x * x, [x, y]).value_and_grad(5.0, 7.0) == (25.0, (10.0, 0.0))


def test_called_with_values_it_is_the_original_function():
    cf = compile(lambda x: x * x)
    x = Value(3.0)
    y = cf(x)
    y.backward()
    assert isinstance(y, Value) and x.grad == 6.0


def test_traces_with_grad_enabled_even_inside_no_grad():
    cf = compile(lambda x: x * x)
    with no_grad():
        assert cf.value_and_grad(3.0) == (9.0, (6.0,))


def test_domain_errors_name_the_op_like_the_dynamic_engine():
    with pytest.raises(ValueError, match=r"log\(x=-1.0 'x'\): needs x > 0"):
        compile(lambda x: x.log())(-1.0)  # raised while tracing
    cf = compile(lambda x: x.log())
    cf(1.0)
    with pytest.raises(ValueError, match=r"log\(x=-2.0\): needs x > 0"):
        cf(-2.0)  # raised by the compiled code, explained by the dynamic engine
    x = Value(1.0)
    with pytest.raises(ZeroDivisionError, match="the derivative of sqrt"):
        compile_graph(x.sqrt(), [x]).value_and_grad(0.0)


def test_bad_calls_say_what_was_wrong():
    x = Value(1.0)
    with pytest.raises(TypeError, match="Value output"):
        compile_graph(1.0, [x])
    with pytest.raises(ValueError, match="leaves"):
        compile_graph(x * 2, [x * 2])
    with pytest.raises(ValueError, match="distinct"):
        compile_graph(x * 2, [x, x])
    with pytest.raises(TypeError, match="needs a function"):
        compile(3)
    cf = compile(lambda x: x * 2)
    with pytest.raises(RuntimeError, match="call it once"):
        _ = cf.source
    with pytest.raises(TypeError, match="argument must be a real number"):
        cf("3")
    cf(1.0)
    with pytest.raises(TypeError, match="compiled for 1 arguments, got 2"):
        cf(1.0, 2.0)


def test_a_moons_sized_graph_gives_backwards_gradients():
    rng = random.Random(0)
    weights = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(16)]
    params = [w for row in weights for w in row]
    losses = []
    for _ in range(30):
        point = [rng.uniform(-1, 1), rng.uniform(-1, 1)]
        hidden = [autograd.dot(row[:2], point) + row[2] for row in weights]
        score = autograd.sum_values([h.relu() for h in hidden])
        losses.append((1 - score).relu())
    loss = autograd.sum_values(losses) + 1e-4 * autograd.sum_values([p * p for p in params])
    loss.backward()
    value, grads = compile_graph(loss, params).value_and_grad(*[p.data for p in params])
    assert value == loss.data
    assert all(map(agrees, grads, [p.grad for p in params]))


def test_long_sums_are_called_and_long_gradient_sums_are_split():
    xs = [Value(float(i)) for i in range(1000)]
    y = Value(0.5)
    total = autograd.sum_values([x * y for x in xs])
    cg = compile_graph(total, [y, *xs])
    value, grads = cg.value_and_grad(0.5, *[x.data for x in xs])
    total.backward()
    assert value == total.data and grads[0] == y.grad
    assert grads[1:] == tuple([0.5] * 1000)
    assert "forward_sum(" in cg.source and "g_x0 = g_x0 + " in cg.source


def test_batched_code_runs_elementwise_on_numpy_arrays():
    numpy = pytest.importorskip("numpy", reason="batched compile runs on NumPy arrays")
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    output = ((x * w + 0.5).relu() * x.tanh()).exp() + abs(x).sqrt()
    batched = compile_graph(output, [x, w], batched=True)
    assert "where(" in batched.source and " if " not in batched.source
    points = [-1.5, -0.25, 0.5, 2.0]
    values, (grad_x, grad_w) = batched.value_and_grad(numpy.array(points), 2.0)
    one_at_a_time = compile_graph(output, [x, w])
    for i, point in enumerate(points):
        value, (dx, dw) = one_at_a_time.value_and_grad(point, 2.0)
        found = (float(values[i]), float(grad_x[i]), float(grad_w[i]))
        assert all(map(agrees, found, (value, dx, dw)))  # NumPy's exp may differ in the last bit

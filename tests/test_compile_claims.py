"""autograd.compile keeps its promises (issue 10): nothing read from a Value escapes the graph
silently, generated names never collide with user text, constants come from float values, every
primitive compiles in both modes, compile work is linear, and detect_anomaly reaches in."""

from __future__ import annotations

import inspect
import math
import sys

import pytest

import autograd
from autograd import Value, compile, compile_graph, detect_anomaly, gradients
from autograd.compile import EscapeError, symbolic
from autograd.ops import REGISTRY

numpy = pytest.importorskip("numpy", reason="batched compile runs on NumPy arrays")


def dynamic(f, inputs):
    leaves = [Value(x) for x in inputs]
    output = f(*leaves)
    return output.data, tuple(gradients(output, leaves))


# -- reading a Value as a number while tracing -------------------------------------------------


@pytest.mark.parametrize(
    "read",
    [
        lambda x: x * math.exp(x),
        lambda x: x * float(x),
        lambda x: x * round(x.item() * 4.0),
        lambda x: x * float(f"{float(x):.3f}"),
        lambda x: x + len(str(x).split(",")[0]),  # "Value(data=1.0"
    ],
)
def test_a_number_read_from_a_value_becomes_a_guard_never_a_baked_constant(read):
    cf = compile(read)
    for x in (1.0, 2.0, -0.5, 2.0):
        assert cf.value_and_grad(x) == dynamic(read, [x])
    assert "read the number of a Value" in cf.source


def test_the_guard_names_the_operation_and_where():
    cf = compile(lambda x: x * math.exp(x))
    cf(1.0)
    assert "math.exp() at " in cf.source and "test_compile_claims.py" in cf.source
    cf = compile(lambda x: x * float(x))
    cf(1.0)
    assert "float() at " in cf.source


def test_reading_data_is_refused_naming_what_escaped():
    def f(x):
        return x * x.data

    with pytest.raises(EscapeError, match=r"x\.data.*the constant 1\.0 \(an operand of '\*'\)"):
        compile(f)(1.0)

    def branch(x):
        return x * 2.0 if x.data > 1.5 else x * 3.0  # flips between the two probing traces

    with pytest.raises(EscapeError, match="outside the graph"):
        compile(branch)(1.25)


def test_comparisons_and_constants_made_inside_f_are_not_escapes():
    def f(x, y):
        c = Value(2.0)
        return (x * c + 1.5).tanh() if x > y else y * 0.5

    cf = compile(f)
    for point in ((1.0, 0.0), (0.0, 1.0), (3.0, -1.0)):
        assert cf.value_and_grad(*point) == dynamic(f, point)


LOSSES = [
    ("mse", lambda p, y: __import__("nn").losses.mse_loss([p], [y]), [(0.3, 1.0), (-4.0, 2.0)]),
    (
        "bce",
        lambda p, y: __import__("nn").losses.binary_cross_entropy([p], [y]),
        [(0.0, 1.0), (0.5, 1.0), (1.0, 0.0), (0.25, 0.0)],
    ),
    (
        "bce logits",
        lambda z, y: __import__("nn").losses.binary_cross_entropy_with_logits([z], [y]),
        [(-800.0, 1.0), (3.0, 0.0), (-2.0, 1.0), (900.0, 0.0)],
    ),
    (
        "cross entropy",
        lambda a, b, c: __import__("nn").losses.cross_entropy([a, b, c], 1),
        [(0.0, 0.0, 0.0), (800.0, -2.0, 1.0), (-3.0, 700.0, 2.0), (1.0, 2.0, 3.0)],
    ),
    (
        "hinge",
        lambda s, y: __import__("nn").losses.hinge_loss([s], [y]),
        [(0.5, 1.0), (0.5, -1.0), (3.0, 1.0), (-2.0, -1.0)],
    ),
]


@pytest.mark.parametrize("name, loss, points", LOSSES, ids=[row[0] for row in LOSSES])
def test_the_projects_losses_compile_correctly_from_any_first_input(name, loss, points):
    for first in range(len(points)):
        cf = compile(loss)
        for point in points[first:] + points[:first]:
            assert cf.value_and_grad(*point) == dynamic(loss, point), (name, point)


# -- names and constants -----------------------------------------------------------------------


def test_labels_never_become_colliding_identifiers():
    labels = ["ｖ0", "v0", "where", "exp", "µ", "x²", "g_x", "x0", "a\nb"]
    leaves = [Value(0.5 + i / 10, label=label) for i, label in enumerate(labels)]
    output = autograd.sum_values([(leaf * (i + 1.0)).exp() for i, leaf in enumerate(leaves)])
    output = output * leaves[0] + leaves[1].sigmoid() * leaves[2].relu()
    output.backward()
    points = [leaf.data for leaf in leaves]
    for batched in (False, True):
        cg = compile_graph(output, leaves, batched=batched)
        assert cg.source.isascii()
        value, grads = cg.value_and_grad(*points)
        assert math.isclose(float(value), output.data, rel_tol=1e-12)
        for grad, leaf in zip(grads, leaves):
            assert math.isclose(float(grad), leaf.grad, rel_tol=1e-12)
    assert "# x0: '\\uff560'" in cg.source and "# x8: 'a\\nb'" in cg.source


def test_primitive_names_never_shadow_or_break_the_code():
    µ = autograd.primitive("µ", lambda x: 2.0 * math.sinh(x), lambda out, x: (2.0 * math.cosh(x),))
    sq = autograd.primitive("²", lambda x: x * x, lambda out, x: (2.0 * x,))
    wh = autograd.primitive("where", lambda x: math.atan(x), lambda out, x: (1 / (1 + x * x),))
    expo = autograd.primitive("exp2_ｖ0", lambda x: 2.0**x, lambda out, x: (out * math.log(2),))

    def f(x, y):
        return µ(x) * sq(y) + wh(x * y) + expo(x) + (x - y).relu()

    x, y = Value(0.3), Value(-0.7)
    output = f(x, y)
    for batched in (False, True):
        cg = compile_graph(output, [x, y], batched=batched)
        assert cg.source.isascii()
        for point in ((0.3, -0.7), (1.2, 0.4)):
            value, grads = cg.value_and_grad(*point)
            expected = dynamic(f, point)
            assert math.isclose(float(value), expected[0], rel_tol=1e-12)
            assert all(
                math.isclose(float(a), b, rel_tol=1e-12, abs_tol=1e-15)
                for a, b in zip(grads, expected[1])
            )


class Shouting(float):
    def __repr__(self) -> str:
        return "SHOUTING"


def test_constants_are_written_from_the_float_value_not_the_object():
    odd = autograd.primitive(
        "odd_constants",
        lambda x: 3.0 * x,
        lambda out, x: (x * 0.0 + numpy.float64(3.0) * Shouting(1.0),),
    )
    x = Value(2.0)
    cg = compile_graph(odd(x) * Shouting(0.1), [x])
    assert "SHOUTING" not in cg.source and "float64" not in cg.source
    assert cg.value_and_grad(2.0) == (3.0 * 2.0 * 0.1, (3.0 * 0.1,))
    assert symbolic.literal(Shouting(2.5)) == "2.5" and symbolic.literal(-0.0) == "(-0.0)"
    assert float(eval(symbolic.literal(0.1 + 0.2))) == 0.1 + 0.2  # noqa: S307 - a float literal


# -- every primitive in both modes -------------------------------------------------------------


def _arity(op):
    arity = getattr(op, "arity", 0)
    if arity != 0:
        return 3 if arity is None else arity
    if symbolic.is_variadic(op):
        return 4 if op.name == "dot" else 3
    return len(inspect.signature(op.derivative).parameters) - 1


PRIMITIVES = sorted({id(op): op for op in REGISTRY.values()}.values(), key=lambda op: op.name)
POINTS = [[0.7, 1.3, 0.4, 1.9], [1.6, 0.35, 1.1, 0.8], [0.45, 2.2, 1.7, 0.6]]


@pytest.mark.parametrize("op", PRIMITIVES, ids=[op.name for op in PRIMITIVES])
def test_every_primitive_compiles_in_both_modes_like_the_dynamic_engine(op):
    arity = _arity(op)
    leaves = [Value(x) for x in POINTS[0][:arity]]
    output = autograd.value.apply(op, *leaves) * 1.5
    float_code = compile_graph(output, leaves)
    batched = compile_graph(output, leaves, batched=True)
    columns = [numpy.array([point[k] for point in POINTS]) for k in range(arity)]
    values, grads = batched.value_and_grad(*columns)
    for row, point in enumerate(POINTS):
        point = point[:arity]
        expected = dynamic(lambda *xs: autograd.value.apply(op, *xs) * 1.5, point)
        assert float_code.value_and_grad(*point) == expected
        assert math.isclose(values[row], expected[0], rel_tol=1e-13)
        for grad, want in zip(grads, expected[1]):
            assert math.isclose(
                numpy.broadcast_to(grad, values.shape)[row], want, rel_tol=1e-13, abs_tol=1e-15
            )


def test_power_with_number_and_value_exponents_and_leaky_relu_batched():
    def f(x, y):
        return (
            x**3
            + x**-0.5
            + y**x
            + 2.0**y
            + abs(y - 1.0)
            + x.leaky_relu(0.2)
            + (y - 1.0).leaky_relu()
            + x.sin() * y.cos()
            + (x - y).sigmoid()
        )

    x, y = Value(1.0), Value(1.0)
    batched = compile_graph(f(x, y), [x, y], batched=True)
    xs, ys = numpy.array([0.5, 1.5, 2.5]), numpy.array([2.0, 0.25, 1.0])
    values, (gx, gy) = batched.value_and_grad(xs, ys)
    for k in range(3):
        value, (dx, dy) = dynamic(f, [xs[k], ys[k]])
        assert math.isclose(values[k], value, rel_tol=1e-13)
        assert math.isclose(gx[k], dx, rel_tol=1e-13) and math.isclose(gy[k], dy, rel_tol=1e-13)


def test_a_primitive_added_at_run_time_compiles_batched():
    cube = autograd.primitive("cube_run_time", lambda x: x**3, lambda out, x: (3 * x**2,))
    sinh = autograd.primitive("sinh_run_time", math.sinh, lambda out, x: (math.cosh(x),))
    x = Value(1.0)
    batched = compile_graph(cube(x) + sinh(x), [x], batched=True)
    values, (grads,) = batched.value_and_grad(numpy.array([0.5, 2.0]))
    assert values.tolist() == [0.125 + math.sinh(0.5), 8.0 + math.sinh(2.0)]
    assert grads.tolist() == [0.75 + math.cosh(0.5), 12.0 + math.cosh(2.0)]


# -- the same summation as the engine, on every Python -----------------------------------------


def test_sums_and_dots_agree_to_the_bit_on_every_python():
    xs = [Value(v) for v in (1e16, 1.0, -1e16, 3.0, 1e-3)]
    ys = [Value(v) for v in (1.0, 1e16, 1.0, -1e16, 7.0)]
    for output in (autograd.sum_values(xs), autograd.dot(xs, ys)):
        cg = compile_graph(output, xs + ys)
        value, grads = cg.value_and_grad(*[v.data for v in xs + ys])
        assert value == output.data
        assert grads == tuple(gradients(output, xs + ys))


# -- linear work -------------------------------------------------------------------------------


def test_emitting_one_wide_node_is_linear_in_its_arity(monkeypatch):
    """The templates of a node of n inputs are filled in O(n) in total (not n × n)."""
    touched = []
    render = symbolic.render
    monkeypatch.setattr(
        sys.modules["autograd.compile.emit"],
        "render",
        lambda template, operands: touched.append(len(template)) or render(template, operands),
    )
    for n in (1000, 4000):
        touched.clear()
        xs, ys = [Value(1.0) for _ in range(n)], [Value(2.0) for _ in range(n)]
        cg = compile_graph(autograd.dot(xs, ys), xs + ys)
        assert cg.value_and_grad(*[1.0] * n, *[2.0] * n)[0] == 2.0 * n
        assert sum(touched) <= 4 * n


# -- detect_anomaly ----------------------------------------------------------------------------


def test_detect_anomaly_reaches_compiled_code():
    x = Value(1.0, label="x")
    cg = compile_graph(x * 1e308 * 10.0, [x])
    assert cg(1.0) == math.inf  # outside detect_anomaly: the float code, IEEE rules
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"detect_anomaly: \*"):
        cg.value_and_grad(1.0)
    cf = compile(lambda x: x * 1e308 * 10.0)
    assert cf(1e-9) == 1e300
    with detect_anomaly(), pytest.raises(FloatingPointError, match="returned inf"):
        cf(1.0)
    batched = compile_graph(x * 2.0, [x], batched=True)
    with detect_anomaly(), pytest.raises(RuntimeError, match="detect_anomaly"):
        batched(numpy.array([1.0]))


# -- huge graphs run as a tape -----------------------------------------------------------------


def test_a_huge_graph_runs_as_a_tape_with_the_engines_numbers(monkeypatch):
    monkeypatch.setattr(sys.modules["autograd.compile.code"], "MAX_SOURCE_NODES", 50)
    weights = [Value(0.1 * k - 1.0) for k in range(20)]
    total = autograd.sum_values([(w * (k + 0.5)).tanh() * w for k, w in enumerate(weights)])
    total = total + autograd.dot(weights, weights[::-1]).relu() + (weights[0] / weights[1])
    total.backward()
    cg = compile_graph(total, weights)
    assert cg.tape is not None and "tape" in repr(cg)
    value, grads = cg.value_and_grad(*[w.data for w in weights])
    assert value == total.data and grads == tuple(w.grad for w in weights)
    assert cg(*[w.data for w in weights]) == total.data
    assert "def value_and_grad(" in cg.source  # still readable, generated on demand
    with pytest.raises(ZeroDivisionError, match=r"/\(x=.*y=0.0"):
        cg(*[0.0] * 20)  # a domain error is explained by the dynamic engine

    def f(x, y):
        return (x * y).tanh() + x if x > y else (x - y).exp()

    monkeypatch.setattr(sys.modules["autograd.compile.code"], "MAX_SOURCE_NODES", 3)
    cf = compile(f)
    for point in ((2.0, 1.0), (0.5, 1.0), (3.0, -2.0)):
        assert cf.value_and_grad(*point) == dynamic(f, point)
    assert len(cf.traces) == 2 and all(trace.tape is not None for trace in cf.traces)


def test_a_compiled_function_called_from_many_threads_at_once():
    import threading

    def f(x, y):
        return (x * y).tanh() if x > y else (x - y) * x

    cf = compile(f)
    points = [(random_point % 7 - 3.0, random_point % 5 - 2.0) for random_point in range(40)]
    failures = []

    def work():
        for point in points:
            if cf.value_and_grad(*point) != dynamic(f, point):
                failures.append(point)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures and 1 <= len(cf.traces) <= 8  # threads may trace a branch at once

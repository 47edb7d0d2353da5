"""The op catalogue: every primitive form (`autograd.strategies.PRIMITIVES`, derived from the
rows of the op table, so a new row is checked here by itself), driven through the same checks
(minitorch style) on hypothesis inputs kept away from kinks and poles — forward against `math`,
first derivatives against central differences (`gradcheck`), second derivatives likewise
(`gradgradcheck`) — and random expression DAGs against a plain-float reference evaluator.
"""

from __future__ import annotations

import math
import operator
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, gradcheck, gradgradcheck, ops
from autograd.strategies import PRIMITIVES, Primitive, expressions, floats

NAMES = sorted(PRIMITIVES)


def interior_point(primitive: Primitive) -> list[float]:
    """A fixed point inside every operand's box, away from its kinks (0 is never hit)."""
    return [low + 0.37 * (high - low) for low, high in primitive.bounds]


def test_the_table_covers_every_builtin_primitive():
    builtin = set(ops.REGISTRY.builtin)
    covered = set()
    for primitive in PRIMITIVES.values():
        out = primitive.engine(*[Value(x) for x in interior_point(primitive)])
        covered.add(out.operation.family.name)
    assert builtin <= covered, f"no catalogue row for {sorted(builtin - covered)}"


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_forward_matches_math(name, data):
    primitive = PRIMITIVES[name]
    point = data.draw(primitive.arguments(), label="point")
    leaves = [Value(x) for x in point]
    out = primitive.engine(*leaves)
    expected = primitive.reference(*point)
    assert isinstance(out, Value) and isinstance(out.data, float)
    assert math.isclose(out.data, expected, rel_tol=1e-12, abs_tol=1e-300)
    assert set(out.parents) >= set(leaves)  # the graph records the operands
    on_floats = primitive.engine(*point)
    assert type(on_floats) is float and on_floats == out.data


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_first_derivatives_match_central_differences(name, data):
    primitive = PRIMITIVES[name]
    assert gradcheck(primitive.engine, data.draw(primitive.arguments(), label="point"))


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_second_derivatives_match_central_differences(name, data):
    primitive = PRIMITIVES[name]
    assert gradgradcheck(primitive.engine, data.draw(primitive.arguments(), label="point"))


# -- rows the chain rule reads without calling their rule -------------------------------------

SHORTCUTS = [op for op in ops.REGISTRY.values() if op.constant_derivatives or op.swaps]


def test_the_chain_rule_skips_the_call_for_sums_differences_negations_products_and_dots():
    assert sorted(op.name for op in SHORTCUTS) == ["*", "+", "-", "dot", "neg"]


@pytest.mark.parametrize("op", SHORTCUTS, ids=[op.name for op in SHORTCUTS])
@given(data=st.data())
def test_a_rows_shortcut_gives_its_rules_bits(op, data):
    """What backward uses instead of the rule (the constants, or the inputs swapped) is the
    rule's result, bit for bit, at any floats, inf and nan included."""
    size = op.arity or 2 * data.draw(st.integers(1, 8), label="pairs")
    xs = data.draw(st.lists(st.floats(), min_size=size, max_size=size), label="inputs")
    by_rule = op.derivative(op.forward(*xs), *xs)
    shortcut = op.constant_derivatives or xs[size // 2 :] + xs[: size // 2]
    assert [struct.pack("<d", d) for d in shortcut] == [struct.pack("<d", d) for d in by_rule]


@pytest.mark.parametrize(
    ("flag", "arity", "rule", "message"),
    [
        ("constant", 2, lambda out, x, y: (y, x), "constant=True, but its derivative reads"),
        ("constant", 2, lambda out, x, y: (1.0 if x > 0 else 0.0, 1.0), "reads its inputs"),
        ("constant", 2, lambda out, x, y: (1, 1), "reads its inputs"),  # ints: not the rule's
        ("swaps", 2, lambda out, x, y: (1.0, 1.0), "swaps=True, but its derivative is not"),
        ("swaps", 2, lambda out, x, y: (1.0 / y, -out / y), "is not the swap"),
        ("swaps", None, lambda out, *xs: xs[::-1], "is not the swap"),  # the swap at 2 inputs only
    ],
)
def test_a_row_declared_constant_or_swapping_is_checked_against_its_rule(
    flag, arity, rule, message
):
    with pytest.raises(ValueError, match=message):
        ops.Op("bad", arity, operator.add, rule, **{flag: True})


@given(floats(-1000.0, 1000.0))
def test_sigmoid_is_stable_for_large_inputs(x):
    reference = PRIMITIVES["sigmoid"].reference(x)
    out = autograd.sigmoid(Value(x))
    assert math.isclose(out.data, reference, rel_tol=1e-12, abs_tol=1e-300)
    assert autograd.sigmoid(x) == out.data
    out.backward()
    exact = reference * PRIMITIVES["sigmoid"].reference(-x)  # σ'(x) = σ(x)σ(-x)
    # the rule σ(1 - σ) (as PyTorch's) is exact up to rounding 1 - σ, ~1e-16 absolute
    assert abs(out.parents[0].grad - exact) <= 1e-15 + 1e-9 * exact


@pytest.mark.parametrize("x", [-800.0, -745.5, 745.5, 800.0])
def test_sigmoid_saturates_without_overflow(x):
    out = autograd.sigmoid(Value(x))
    assert out.data == (1.0 if x > 0 else pytest.approx(0.0, abs=1e-300))
    out.backward()
    assert out.parents[0].grad == pytest.approx(0.0, abs=1e-300)


@given(expressions())
def test_random_expressions_match_the_reference_evaluator(e):
    out = e.fn(*[Value(x) for x in e.inputs])
    assert math.isclose(out.data, e.reference(*e.inputs), rel_tol=1e-9, abs_tol=1e-12), e
    assert e.fn(*e.inputs) == out.data  # the float path computes the same floats


@given(expressions())
def test_random_expressions_pass_gradcheck(e):
    assert gradcheck(e.fn, e.inputs)


@given(expressions(max_nodes=5))
def test_random_expressions_pass_gradgradcheck(e):
    assert gradgradcheck(e.fn, e.inputs)


# -- engine bugs this catalogue found, fixed: regression tests --------------------------------


def test_x_to_the_zero_has_derivative_zero_at_zero():
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0


@pytest.mark.parametrize(("n", "order"), [(1, 2), (2, 3), (3, 4)])
def test_high_derivatives_of_powers_at_zero(n, order):
    assert autograd.derivative(lambda x: x**n, order)(0.0) == 0.0


def test_sqrt_derivative_at_zero_explains_itself():
    x = Value(0.0)
    with pytest.raises(ZeroDivisionError) as caught:
        x.sqrt().backward()
    assert "needs x >= 0" not in str(caught.value)

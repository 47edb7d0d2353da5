"""The op table drives every surface: a primitive is one row, and a row added at run time with
`autograd.primitive(...)` appears by itself in every surface derived from the table."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, explanation, gradcheck, gradgradcheck, ops, rule_text, steps
from autograd.expression import parse_expression
from autograd.graph import walk
from autograd.ops import LEAKY_RELU, POWER, REGISTRY, Op
from autograd.steps import name_nodes
from autograd.strategies import PRIMITIVES, Expression, expressions
from autograd.viewer.export import export


def softplus_forward(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def test_a_row_added_at_run_time_appears_in_every_surface(register_primitive):
    row = register_primitive(
        "test_softplus_row",
        softplus_forward,
        lambda out, x: (autograd.sigmoid(x),),
        notation=("σ({x})",),
        kinks=(),
        doc="log(1 + eˣ)",
    )
    x = Value(0.5, "u")
    # the row itself: the registry key is its name, its arity was read from the rule
    assert REGISTRY["test_softplus_row"] is row and row.name == "test_softplus_row"
    assert row.arity == 1 and isinstance(row, Op)
    # the lifted functions and exports: autograd.<name>, autograd.ops.<name>
    assert autograd.test_softplus_row is row and ops.test_softplus_row is row
    assert "test_softplus_row" in dir(autograd)
    assert row(0.5) == softplus_forward(0.5)
    # Value's named method
    out = x.test_softplus_row()
    assert out.op == "test_softplus_row" and out.operation is row
    assert out.data == softplus_forward(0.5)
    # the strategies' catalogue, and through it the tests' catalogue checks
    form = PRIMITIVES["test_softplus_row"]
    assert form.arity == 1 and form.kinks(0) == row.kinks
    assert gradcheck(form.engine, [0.3]) and gradgradcheck(form.engine, [0.3])
    assert expressions(primitives=["test_softplus_row"]) is not None
    assert Expression([0.3], [(form, (0,))]).text == "test_softplus_row(x0)"
    # steps / explain notation
    assert rule_text(out, 0, {x: "u"}) == ("σ(u)", "σ(0.5)")
    assert "= test_softplus_row(u)" in explanation(out)
    assert [step.local for step in steps(out)] == [autograd.sigmoid(0.5)]
    # nn: a one-input primitive can be named as an activation
    assert nn.functional.get_activation("test_softplus_row") is row
    # the CLI's whitelist, and compiled code (float emitter)
    assert "test_softplus_row" in parse_expression("test_softplus_row(u) * 2").functions
    compiled = autograd.compile(lambda u: row(u) * 2.0)
    assert compiled.value_and_grad(0.5) == (2 * out.data, (2 * autograd.sigmoid(0.5),))
    # the NumPy emitter: compiled over a batch, equal to the engine point by point
    numpy = pytest.importorskip("numpy")
    batched = autograd.compile_graph(out * 2.0, [x], batched=True)
    values, (grads,) = batched.value_and_grad(numpy.array([0.5, -1.0]))
    assert values.tolist() == [2 * row(0.5), 2 * row(-1.0)]
    assert grads.tolist() == [2 * autograd.sigmoid(0.5), 2 * autograd.sigmoid(-1.0)]
    # the interactive viewer: the node's op, formula and rule text come from the row
    nodes = export([out])["nodes"]
    at = nodes["op"].index("test_softplus_row")
    assert nodes["formula"][at] == "test_softplus_row(u)"
    assert nodes["rule"][at] == [["σ(u)", "σ(0.5)"]]
    # removing the row removes what was derived from it
    del REGISTRY["test_softplus_row"]
    assert not hasattr(Value, "test_softplus_row")
    assert "test_softplus_row" not in PRIMITIVES
    with pytest.raises(AttributeError):
        autograd.test_softplus_row  # noqa: B018


def test_registry_keys_are_the_rows_real_names():
    for name, row in REGISTRY.items():
        assert row.name == name
        assert row.arity is None or row.arity >= 1
        assert len(row.notation) == (row.arity or 1)
    assert "**n" not in REGISTRY and "power" in REGISTRY and "leaky_relu" in REGISTRY


def test_parametric_families_are_one_row_with_cached_bound_rows():
    assert POWER.bind(n=3) is POWER.bind(n=3.0) and POWER.bind(n=3).params == {"n": 3.0}
    assert POWER.bind(n=2) is POWER  # the registered row is the default
    x = Value(2.0)
    assert (x**3).operation is (x**3).operation is POWER.bind(n=3)
    assert x.leaky_relu(0.2).operation is autograd.leaky_relu(x, slope=0.2).operation
    assert autograd.leaky_relu(x).operation is LEAKY_RELU  # no closure per call
    assert POWER.bind(n=3).notation == ("3·{x}^2",) and POWER.bind(n=3).title == "**3"
    square, leaky = x**2, x.leaky_relu(0.2)
    assert (square.op, square.operation.name) == ("**2", "power")  # shown as ever; keyed by name
    assert (leaky.op, leaky.operation.name) == ("leaky_relu(0.2)", "leaky_relu")
    assert REGISTRY[square.operation.name] is POWER
    with pytest.raises(TypeError, match="has parameters"):
        POWER.bind(m=3)
    with pytest.raises(TypeError, match="finite real number"):
        LEAKY_RELU.bind(slope="0.2")


def test_built_in_rows_cannot_be_replaced_or_removed():
    with pytest.raises(ValueError, match="built-in"):
        del REGISTRY["tanh"]
    with pytest.raises(ValueError, match="built-in"):
        REGISTRY["tanh"] = Op("tanh", 1, math.tanh, lambda out, x: (1 - out * out,))
    with pytest.raises(TypeError, match="Op rows"):
        REGISTRY["thing"] = math.tanh  # type: ignore[assignment]


def test_a_primitive_named_like_a_value_attribute_gets_no_method(register_primitive):
    register_primitive("backward", math.exp, lambda out, x: (out,))
    assert Value.backward.__name__ == "backward" and Value.backward.__qualname__ == (
        "Value.backward"
    )
    x = Value(1.0)
    x.backward()  # still the engine's backward
    assert x.grad == 1.0


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda u, v: u.tanh(), ("1 − tanh(u)²", "1 − 0.4621²")),
        (lambda u, v: u * v, ("v", "-3")),
        (lambda u, v: u.exp(), ("exp(u)", "1.649")),
        (lambda u, v: u.log(), ("1/u", "1/0.5")),
        (lambda u, v: u / v, ("1/v", "1/(-3)")),
        (lambda u, v: u**2, ("2·u", "2·0.5")),
    ],
)
def test_rule_text_reads_the_rows_notation(make, expected):
    u, v = Value(0.5, "u"), Value(-3.0, "v")
    assert rule_text(make(u, v), 0, {u: "u", v: "v"}) == expected


def test_rule_text_of_dot_pairs_each_input_with_its_partner():
    a, b, x, y = (Value(float(i), name) for i, name in enumerate("abxy", start=1))
    out = autograd.dot([a, b], [x, y])
    names = {a: "a", b: "b", x: "x", y: "y"}
    assert [rule_text(out, i, names)[0] for i in range(4)] == ["x", "y", "a", "b"]


@given(expressions(max_nodes=6))
def test_every_rule_text_formats_with_names_and_numbers(e):
    out = e.fn(*[Value(x, f"x{i}") for i, x in enumerate(e.inputs)])
    nodes = list(walk(out))
    names = name_nodes(nodes)
    for node in nodes:
        for index in range(len(node.parents)):
            symbols, numbers = rule_text(node, index, names)
            assert "{" not in symbols and "{" not in numbers


@given(st.floats(-5, 5))
def test_rows_are_their_functions_floats_in_float_out(x):
    for name in ("exp", "tanh", "sigmoid", "relu", "abs", "sin", "cos"):
        row = REGISTRY[name]
        assert getattr(autograd, name) is row
        assert row(x) == row.forward(x) and type(row(x)) is float
        assert row(Value(x)).data == row.forward(x)


def test_repr_html_is_one_compact_line_and_escapes_labels():
    x = Value(0.5, "<x>")
    y = (x * 2.0).tanh()
    y.backward()
    assert x._repr_html_() == (
        "<span class='glassgrad-value'><b>&lt;x&gt;</b> · data 0.5 · grad 0.8399</span>"
    )
    assert y._repr_html_().endswith("op <code>tanh</code></span>")
    assert "op <code>**3</code>" in (x**3)._repr_html_()


def test_value_view_is_the_viewers_entry_point():
    try:
        from autograd.viewer import view  # noqa: F401  (the viewer's package, merged separately)
    except ImportError:
        with pytest.raises(ImportError):
            Value(1.0).view()
    else:
        page = Value(1.0, "x").view()
        assert "x" in page.to_html()


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"notation": ("{z}",)}, ValueError, r"may use only \{out\}"),
        ({"notation": ("{x}", "{y}")}, ValueError, "notation needs 1 entries"),
        ({"notation": (3,)}, TypeError, "notation entries must be str"),
        ({"notation": ("{x",)}, ValueError, "may use only"),
        ({"kinks": (math.nan,)}, ValueError, "a kink must be a finite number"),
        ({"kinks": ("0",)}, TypeError, "kinks must be numbers"),
        ({"bounds": ((0.0, 1.0), (0.0, 1.0))}, ValueError, "one .low, high. per input"),
        ({"bounds": ((1.0, 0.0),)}, ValueError, "low > high"),
        ({"bounds": ((0.0, math.inf),)}, ValueError, "pairs of finite numbers"),
        ({"numpy": "exp(x); import os"}, TypeError, "NumPy function name"),
        ({"doc": 3}, TypeError, "doc must be a str"),
        ({"arity": 0}, ValueError, "arity must be a whole number"),
    ],
)
def test_a_rows_story_is_checked_when_it_is_registered(options, error, message):
    with pytest.raises(error, match=message):
        autograd.primitive("test_checked", math.exp, lambda out, x: (out,), **options)
    assert "test_checked" not in REGISTRY

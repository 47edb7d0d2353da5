"""The engine's claims, tried as a careful user and an attacker would (issue 10): modes under
threads, the non-finite policy, exact doubling by a second backward, PyTorch's values at a zero
base, create_graph never stricter than without it, deep copies and pickles, explain at scale."""

from __future__ import annotations

import copy
import math
import pickle
import struct
import sys
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import (
    Value,
    derivative,
    detect_anomaly,
    enable_grad,
    explanation,
    gradients,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    relu,
    sqrt,
)
from autograd.steps import name_nodes
from autograd.strategies import expressions


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


# -- grad mode and threads -----------------------------------------------------------------------


def run_interleaved(first_entry, second_entry):
    """Thread A enters, then thread B enters, then A leaves, then B leaves (overlapping calls
    finishing in a different order than they started). Returns what each thread saw after."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def thread_a():
        first_entry(lambda: (a_in.set(), b_in.wait(5)))
        a_out.set()
        seen["a"] = (is_grad_enabled(), is_anomaly_enabled())

    def thread_b():
        a_in.wait(5)
        second_entry(lambda: (b_in.set(), a_out.wait(5)))
        seen["b"] = (is_grad_enabled(), is_anomaly_enabled())

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return seen


@pytest.mark.parametrize("make_mode", [no_grad, enable_grad, detect_anomaly])
def test_a_decorated_function_restores_each_threads_own_state(make_mode):
    @make_mode()
    def decorated(pause):
        pause()

    def from_no_grad(pause):  # thread A starts without grad, with anomaly detection
        with no_grad(), detect_anomaly():
            decorated(pause)
            assert (is_grad_enabled(), is_anomaly_enabled()) == (False, True)

    def from_defaults(pause):  # thread B starts with grad on, anomaly detection off
        decorated(pause)
        assert (is_grad_enabled(), is_anomaly_enabled()) == (True, False)

    seen = run_interleaved(from_no_grad, from_defaults)
    assert seen == {"a": (True, False), "b": (True, False)}


@pytest.mark.parametrize("make_mode", [no_grad, enable_grad, detect_anomaly])
def test_one_mode_object_entered_by_two_threads_at_once(make_mode):
    shared = make_mode()
    inside = {}

    def entered_from_no_grad(pause):
        with no_grad(), detect_anomaly():
            with shared:
                pause()
            inside["a"] = (is_grad_enabled(), is_anomaly_enabled())

    def entered_from_defaults(pause):
        with shared:
            pause()
        inside["b"] = (is_grad_enabled(), is_anomaly_enabled())

    run_interleaved(entered_from_no_grad, entered_from_defaults)
    assert inside == {"a": (False, True), "b": (True, False)}


def test_a_decorated_function_nests_and_recurses():
    @no_grad()
    def countdown(n):
        assert not is_grad_enabled()
        with enable_grad():
            assert is_grad_enabled()
            if n:
                countdown(n - 1)
            assert is_grad_enabled()
        return (Value(1.0) * 2.0).is_leaf

    assert countdown(3) is True and is_grad_enabled()


FAST_PATHS = {  # each of the engine's fast paths: two inputs, one, many, a number first
    "binary": lambda x: x * x,
    "unary": lambda x: -x,
    "variadic": lambda x: autograd.dot([x, x], [x, 1.0]),
    "reflected": lambda x: 2.0 - x,
}


@pytest.mark.parametrize("path", FAST_PATHS.values(), ids=FAST_PATHS.keys())
def test_every_fast_path_follows_this_threads_modes(path):
    """The fast paths learn the modes from the thread's tape: no graph under no_grad (nested
    or not), a graph again after it, and anomaly checks under detect_anomaly."""
    x = Value(0.5)
    with no_grad():
        assert path(x).is_leaf
        with enable_grad():
            assert not path(x).is_leaf
        assert path(x).is_leaf
    assert not path(x).is_leaf
    infinite = Value(math.inf, allow_nonfinite=True)
    with detect_anomaly():
        assert not path(x).is_leaf
        with pytest.raises(FloatingPointError, match="detect_anomaly"):
            path(infinite)
    assert math.isinf(path(infinite).data)


@pytest.mark.parametrize("path", FAST_PATHS.values(), ids=FAST_PATHS.keys())
def test_no_grad_in_one_thread_leaves_another_thread_recording(path):
    x = Value(0.5)
    inside, release = threading.Event(), threading.Event()
    made = {}

    def in_no_grad():
        with no_grad():
            made["inside"] = path(x)
            inside.set()
            release.wait(5)
            made["still inside"] = path(x)
        made["after"] = path(x)

    worker = threading.Thread(target=in_no_grad)
    worker.start()
    inside.wait(5)
    made["other thread"] = path(x)  # while the worker is inside no_grad
    release.set()
    worker.join(5)
    leaf = {name: node.is_leaf for name, node in made.items()}
    assert leaf == {"inside": True, "still inside": True, "other thread": False, "after": False}


def test_the_compile_observer_is_per_thread_state():
    seen = []
    with autograd.mode.observing_comparisons(lambda *record: seen.append(record[1])):
        other = threading.Thread(target=lambda: Value(1.0) < 2.0)
        other.start()
        other.join()
        assert Value(1.0) > 0.0
    assert seen == [">"] and autograd.mode.state.observer is None


# -- numbers: the non-finite policy ----------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_values_hold_finite_numbers_unless_asked(bad):
    with pytest.raises(ValueError, match="Value data must be a finite number.*allow_nonfinite"):
        Value(bad)
    with pytest.raises(ValueError, match="operand must be a finite number"):
        Value(1.0) + bad
    with pytest.raises(ValueError, match="grad must be a finite number"):
        Value(1.0).backward(bad)
    held = Value(bad, allow_nonfinite=True)
    assert bits(held.data) == bits(bad)


def test_relu_passes_nan_on_as_pytorch_does():
    nan = Value(math.nan, allow_nonfinite=True)
    assert math.isnan(relu(nan).data) and math.isnan(nan.leaky_relu(0.2).data)
    assert math.isnan(relu(math.nan)) and relu(-math.inf) == 0.0 and relu(-0.0) == 0.0
    assert relu(Value(-2.0)).data == 0.0 and relu(Value(-0.0)).data == 0.0


def test_finite_inputs_that_overflow_are_ieee_or_raise_as_documented():
    big = Value(1e308)
    assert (big * 10.0).data == math.inf  # IEEE arithmetic: +, -, *, / overflow to inf
    assert math.isnan(((big * 10.0) - (big * 10.0)).data)  # and inf - inf is nan
    with pytest.raises(OverflowError, match=r"exp\(x=1000.0\): the result is too large"):
        Value(1000.0).exp()  # functions raise instead
    with detect_anomaly(), pytest.raises(FloatingPointError, match="returned inf"):
        big * 10.0


# -- backward twice --------------------------------------------------------------------------------


@given(expressions(max_nodes=10), st.floats(-3, 3).filter(bool))
def test_a_second_backward_exactly_doubles_every_leaf_grad(e, seed):
    leaves = [Value(x) for x in e.inputs]
    out = e.fn(*leaves)
    out.backward(seed)
    once = [leaf.grad for leaf in leaves]
    out.backward(seed)
    assert [bits(leaf.grad) for leaf in leaves] == [bits(2 * g) for g in once]


def test_doubling_where_summing_paths_in_order_would_round_differently():
    x = Value(0.1)
    out = autograd.sum_values([x * 1.0, x * 1e16, x * -1e16, x * 3.0])
    out.backward()
    once = x.grad
    out.backward()
    assert bits(x.grad) == bits(2 * once)


# -- zero bases, and create_graph never stricter ---------------------------------------------------


@pytest.mark.parametrize(
    ("base", "exponent", "value", "d_base", "d_exponent"),
    [  # PyTorch 2.x: torch.tensor(b) ** torch.tensor(e), then backward
        (0.0, 0.0, 1.0, 0.0, 0.0),
        (0.0, 0.5, 0.0, math.inf, 0.0),
        (0.0, 2.0, 0.0, 0.0, 0.0),
        (2.0, 0.0, 1.0, 0.0, math.log(2.0)),
    ],
)
def test_powers_at_a_zero_base_follow_pytorch(base, exponent, value, d_base, d_exponent):
    x, y = Value(base), Value(exponent)
    out = x**y
    out.backward()
    assert (out.data, x.grad, y.grad) == (value, d_base, d_exponent)
    y = Value(exponent)  # a number base is a constant: only the exponent's derivative is asked
    out = base**y
    out.backward()
    assert (out.data, y.grad) == (value, d_exponent)
    assert (0 ** Value(0.0)).data == 1.0


def test_create_graph_never_raises_where_floats_succeed():
    x, t = Value(0.0), Value(0.0)
    for make in (lambda: relu(sqrt(x) - 1.0), lambda: t * sqrt(x), lambda: (0.0**t) * x):
        out = make()
        plain = gradients(out, [x, t])
        graphed = gradients(out, [x, t], create_graph=True)
        assert [g.data for g in graphed] == plain
    assert derivative(lambda x: relu(sqrt(x) - 1.0), 2)(0.0) == 0.0
    assert autograd.grad(autograd.grad(lambda u: 0.0**u))(0.5) == 0.0


@pytest.mark.parametrize(("n", "order"), [(3, 3), (4, 4), (3, 2)])
def test_higher_derivatives_of_products_at_zero(n, order):
    def power_by_products(x):
        out = x
        for _ in range(n - 1):
            out = out * x
        return out

    expected = math.factorial(n) // math.factorial(n - order)
    assert derivative(power_by_products, order)(0.0) == (expected if order == n else 0.0)


# -- deep copies and pickles -----------------------------------------------------------------------


def deep_chain(depth: int) -> tuple[Value, Value]:
    x = Value(0.5, "x")
    out = x
    for _ in range(depth):
        out = out * 1.0000001 + 1e-9
    return x, out


def test_deepcopy_and_pickle_of_a_very_deep_graph():
    x, out = deep_chain(50_000)  # 10⁵ nodes: far past the recursion limit
    assert sys.getrecursionlimit() < 100_000
    out.backward()
    for clone in (copy.deepcopy(out), pickle.loads(pickle.dumps(out))):
        assert clone is not out and bits(clone.data) == bits(out.data)
        assert bits(clone.grad) == bits(out.grad)
        node, depth = clone, 0
        while node.parents:
            node, depth = node.parents[0], depth + 1
        assert depth == 100_000 and node.label == "x" and node is not x
        clone.backward()
        assert bits(node.grad) == bits(x.grad * 2)  # the copy's own leaf: a fresh graph


def test_deepcopy_keeps_shared_nodes_shared():
    a = Value(2.0, "a")
    b = a * a
    c = b + a
    copied_b, copied_c = copy.deepcopy([b, c])
    assert copied_c.parents[0] == copied_b and copied_b.parents == (copied_c.parents[1],) * 2
    assert copied_b != b and copied_c.parents[1] is not a  # a copy, leaf and all
    assert copied_c.operation is c.operation and copied_c.op == "+"


def test_a_pickle_names_a_primitive_it_cannot_find(register_primitive):
    cube = register_primitive("test_pickled_cube", lambda x: x**3, lambda out, x: (3 * x**2,))
    data = pickle.dumps(cube(Value(2.0)) * 2.0)
    del autograd.REGISTRY["test_pickled_cube"]
    with pytest.raises(ValueError, match="'test_pickled_cube': no such primitive"):
        pickle.loads(data)


def test_a_pickled_power_keeps_its_exponent():
    out = pickle.loads(pickle.dumps(Value(3.0) ** 3))
    assert out.operation is autograd.ops.POWER.bind(n=3) and out.data == 27.0


# -- explain at scale, and without leftovers -------------------------------------------------------


class CountingLabel(str):
    """A label that counts how often it is written into a candidate name (`f"{label}#{k}"`)."""

    uses = 0

    def __format__(self, spec: str) -> str:
        CountingLabel.uses += 1
        return str.__format__(self, spec)


def test_explanation_of_many_values_sharing_one_label_is_linear():
    values = [Value(float(i), "w") for i in range(20_000)]
    text = explanation(autograd.sum_values(values))
    assert "w#20000" in text and text.count("w#") >= 20_000 - 1
    label, n = CountingLabel("w"), 2_000
    CountingLabel.uses = 0
    names = name_nodes([Value(float(i), label) for i in range(n)])
    assert len(set(names.values())) == n
    assert CountingLabel.uses <= 3 * n  # a name per Value, not a search from #2 each time


def test_explain_twice_leaves_the_grads_of_one_backward():
    x, w = Value(0.5, "x"), Value(-3.0, "w")
    y = (w * x).tanh()
    explanation(y)
    after_one = (x.grad, w.grad)
    explanation(y)
    assert (x.grad, w.grad) == after_one
    x.grad = w.grad = 0.0
    y.backward()
    assert (x.grad, w.grad) == after_one


def test_a_shallow_copy_shares_the_parents():
    x = Value(2.0, "x")
    y = x * 3.0
    shallow = copy.copy(y)
    assert shallow is not y and shallow.parents[0] is x and shallow.op == "*"
    shallow.backward()
    assert x.grad == 3.0


@pytest.mark.parametrize("huge", [10**400, 10**5000], ids=["400 digits", "5001 digits"])
def test_numbers_too_large_for_a_float_are_refused_clearly(huge):
    with pytest.raises(ValueError, match="Value data is too large for a float") as caught:
        Value(huge)
    assert len(str(caught.value)) < 200
    with pytest.raises(ValueError, match="exponent is too large for a float"):
        Value(2.0) ** huge
    with pytest.raises(ValueError, match="operand is too large for a float"):
        Value(2.0) + huge

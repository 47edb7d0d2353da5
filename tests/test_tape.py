"""The tape the graph lives on: creation order as the chain rule's order, tapes that close and
link, leaves recorded as they were used, and handles that are equal when they are one node."""

from __future__ import annotations

import math
import threading

import pytest
from hypothesis import given

import autograd
import autograd.value
from autograd import Value, gradients, steps
from autograd.strategies import expressions


def leaf_grads(expression, tape_length: int, monkeypatch) -> tuple[float, list[float], list]:
    monkeypatch.setattr(autograd.value, "TAPE_LENGTH", tape_length)
    autograd.value.new_tape()
    leaves = [Value(x) for x in expression.inputs]
    root = expression.fn(*leaves)
    if tape_length < 3 and not root.is_leaf:
        assert root._tape.imports or root._tape.leaves  # linked to older tapes
    root.backward()
    by_backward = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = 0.0
    list(steps(root))
    assert [leaf.grad for leaf in leaves] == by_backward  # steps() adds in the same order
    return root.data, by_backward, gradients(root, leaves)


@given(expressions(max_nodes=12))
def test_a_graph_spread_over_many_tapes_gives_the_same_bits(expression):
    """Tapes of 1, 2 and 3 entries (a link at nearly every node) against one long tape."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        one_tape = leaf_grads(expression, 65_536, monkeypatch)
        for length in (1, 2, 3):
            assert leaf_grads(expression, length, monkeypatch) == one_tape


@pytest.mark.parametrize("tape_length", [1, 2, 3])
def test_terms_a_newer_tape_sends_an_older_node_add_up_as_on_one_tape(tape_length, monkeypatch):
    """Found by hypothesis: v2 is used three times on newer tapes; summing those terms on the
    newer tape first and then passing the sum on rounded differently from one long tape."""

    def grad_and_steps(length: int) -> tuple[float, float]:
        monkeypatch.setattr(autograd.value, "TAPE_LENGTH", length)
        autograd.value.new_tape()
        x = Value(-1.00001)
        v1 = x + x
        v2 = ((v1 + v1) + v1) + 1.5
        twice = v2 + v2
        v3 = v2 + 1.5
        root = autograd.dot([v3, twice], [v3, v2])
        root.backward()
        by_backward, x.grad = x.grad, 0.0
        list(steps(root))
        return by_backward, x.grad

    one_tape = grad_and_steps(65_536)
    assert one_tape == (-144.00216000000003, -144.00216000000003)
    assert grad_and_steps(tape_length) == one_tape


def test_a_graph_keeps_the_number_a_leaf_held_when_it_was_used():
    w = Value(2.0)
    y = w * w
    w.data = 3.0  # an optimizer step before backward
    z = w * w  # the same tape: the new number is a new entry
    assert (y.data, z.data) == (4.0, 9.0)
    (y + z).backward()
    assert w.grad == 2 * 2.0 + 2 * 3.0


def test_handles_of_one_node_are_equal_and_hash_alike():
    a, b = Value(1.5), Value(-2.0)
    product = a * b
    total = product + product
    first, second = total.parents
    assert first == second == product and first is not product
    assert len({first, second, product}) == 1
    assert product != a * b  # the same numbers, another node
    assert a == a and a != Value(1.5)  # a leaf equals only itself


def test_backward_closes_the_tape_so_each_step_gets_its_own():
    w = Value(0.5)
    first = (w * 3.0).tanh()
    first.backward()
    second = (w * 3.0).tanh()
    assert second._tape is not first._tape


def test_interior_grads_of_another_pass_are_kept_where_this_one_does_not_reach():
    x = Value(0.3)
    a, b = x.exp(), x.sin()
    a.backward()
    b.backward()  # b and a lie on one tape; b's pass cannot reach a
    assert a.grad == 1.0 and b.grad == 1.0
    assert x.grad == math.exp(0.3) + math.cos(0.3)


# -- threads: each appends to its own tape, however their ops interleave -------------------------


def chain(start: float, steps: int, turn=lambda: None) -> tuple:
    """h ← h·w + b `steps` times (calling `turn` between ops), then backward: value and grads."""
    x, w, b = Value(start), Value(0.9), Value(0.1)
    h = x
    for _ in range(steps):
        turn()
        h = h * w
        turn()
        h = h + b
    h.backward()
    return h.data, x.grad, w.grad, b.grad, h._tape


@pytest.mark.parametrize("tape_length", [65_536, 5])
def test_threads_taking_turns_op_by_op_each_keep_their_own_tape(tape_length, monkeypatch):
    """Two threads alternate one op each; with tapes of 5 entries each keeps starting new ones,
    so the thread whose tape the fast paths find without the thread-local keeps changing. Each
    graph is its own and gives the bits a single thread gets."""
    monkeypatch.setattr(autograd.value, "TAPE_LENGTH", tape_length)
    go = [threading.Event(), threading.Event()]
    found = {}

    def worker(k: int) -> None:
        def turn() -> None:  # wait for this thread's turn, then hand the next one over
            assert go[k].wait(10)
            go[k].clear()
            go[1 - k].set()

        found[k] = chain(0.5 + k, 200, turn)

    threads = [threading.Thread(target=worker, args=(k,)) for k in (0, 1)]
    for thread in threads:
        thread.start()
    go[0].set()
    for thread in threads:
        thread.join(30)
    assert found[0][:4] == chain(0.5, 200)[:4] and found[1][:4] == chain(1.5, 200)[:4]
    if tape_length > 1000:  # each tape holds its thread's 3 leaves and 400 nodes, and no more
        assert [len(found[k][4]) for k in (0, 1)] == [403, 403]


def test_a_thread_started_after_another_ended_continues_its_nodes():
    """A new thread may get the id of one that ended, and with it the fast paths' cached tape:
    the ended thread appends nothing more, so the graph is still right."""
    made: dict[str, Value] = {}

    def first() -> None:
        made["a"] = Value(2.0)
        made["h"] = made["a"] * 3.0

    def second() -> None:
        made["out"] = (made["h"] * made["a"]).tanh()

    for target in (first, second):
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    out = made["out"]
    out.backward()
    assert made["a"].grad == (1 - out.data**2) * (2 * 3.0 * 2.0)

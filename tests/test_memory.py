"""Memory: backward's peak per node; a graph freed as soon as its last Value is dropped (reference
counting alone: the graph has no cycles, and no global tape keeps it alive); how long a tape
lives; and what the cycle collector has to walk (a handful of objects per tape, none per node)."""

from __future__ import annotations

import gc
import threading
import tracemalloc
import weakref

import autograd
from autograd import Value
from autograd.value import TAPE_LENGTH, Tape


def chain(n_nodes: int) -> tuple[Value, Value]:
    x, w, b = Value(0.5), Value(0.999), Value(0.001)
    h = x
    for _ in range(n_nodes // 2):
        h = h * w + b
    return x, h


def test_backward_peak_memory_per_node_is_bounded():
    n = 200_000
    _, root = chain(n)
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        root.backward()
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert peak / n <= 200, f"{peak / n:.0f} B/node"


def live_entries() -> int:
    """Tape entries and leaf Values alive now (found through the collector's lists, which exist
    with gc off too)."""
    objects = gc.get_objects()
    return sum(len(obj) for obj in objects if type(obj) is Tape) + sum(
        type(obj) is Value for obj in objects
    )


def test_a_graph_is_freed_when_its_last_value_is_dropped():
    gc.disable()
    try:
        x = Value(0.5)
        before = live_entries()
        h = x
        for _ in range(10_000):
            h = (h * 0.5).tanh() + x
        h.backward()
        assert live_entries() >= before + 30_000
        tape = weakref.ref(h._tape)
        del h
        assert tape() is None and live_entries() == before  # reference counting alone, gc off
        assert x.grad != 0.0  # the leaf the caller holds stays, with its gradient
    finally:
        gc.enable()


def test_backward_steps_explain_and_gradients_keep_nothing_alive():
    gc.disable()
    try:
        x = Value(1.0)
        before = live_entries()
        out = (x * 2.0).exp()
        out.backward()
        list(autograd.steps(out))
        autograd.explanation(out)
        first = autograd.gradients(out, [x], create_graph=True)
        del out, first
        assert live_entries() == before
    finally:
        gc.enable()


def test_a_training_loop_keeps_one_step_alive_not_all_of_them():
    """Each step's graph lies on its own tape (backward closes the tape): the old step's tape
    is freed when its loss is replaced, though the new graph was built while it was alive."""
    gc.disable()
    try:
        w, b = Value(0.3), Value(-0.2)
        loss = None
        sizes = []
        for _ in range(50):
            loss = sum(((w * x + b) - 2 * x) ** 2 for x in range(1, 40))
            loss.backward()
            w.data -= 1e-4 * w.grad
            b.data -= 1e-4 * b.grad
            w.grad = b.grad = 0.0
            sizes.append(live_entries())
        assert max(sizes[5:]) == min(sizes[5:]), sizes
    finally:
        gc.enable()


def test_a_kept_value_keeps_its_graph_and_at_most_one_tape_of_others():
    """A Value kept while other graphs are built and dropped on the same thread (no backward)
    keeps alive its own graph plus at most the rest of its tape: TAPE_LENGTH entries."""
    gc.disable()
    try:
        x = Value(0.1)
        kept = x.tanh()
        before = live_entries()
        for _ in range(300):
            h = x
            for _ in range(500):
                h = h * 1.0001 + 1e-3
            del h
        assert live_entries() <= before + TAPE_LENGTH + 10
        assert kept.data == Value(0.1).tanh().data  # and it still works
        kept.backward()
        assert x.grad == 1 - kept.data**2
    finally:
        gc.enable()


def test_the_collector_walks_no_object_per_node():
    """What made the default gc slow (+184% on a 10⁶-node chain): two tracked objects per node.
    A chain of 100,000 nodes now adds a couple of tapes, their lists and the leaves."""
    gc.collect()
    before = len(gc.get_objects())
    _, root = chain(100_000)
    root.backward()
    gc.collect()  # a collection untracks the tuples of ints
    assert len(gc.get_objects()) - before < 100


def test_a_graph_made_by_another_thread_is_continued_on_this_threads_tape():
    """Each thread appends to its own tape; a node of another thread's tape is imported."""
    made = {}

    def build() -> None:
        made["a"] = Value(2.0)
        made["h"] = made["a"] * 3.0

    worker = threading.Thread(target=build)
    worker.start()
    worker.join()
    out = (made["h"] * made["a"]).tanh()  # continues here, on a newer tape
    assert out._tape is not made["h"]._tape
    out.backward()
    assert made["a"].grad == (1 - out.data**2) * (2 * 3.0 * 2.0)
    assert made["h"].grad == (1 - out.data**2) * 2.0

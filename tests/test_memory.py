"""Memory: backward's peak per node, and a graph freed as soon as its last Value is dropped
(reference counting alone: the graph has no cycles, and no global tape keeps it alive)."""

from __future__ import annotations

import gc
import tracemalloc

import autograd
from autograd import Value


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


def live_values() -> int:
    """Values alive now (found through the collector's lists, which exist with gc off too)."""
    return sum(type(obj) is Value for obj in gc.get_objects())


def test_a_graph_is_freed_when_its_last_value_is_dropped():
    gc.disable()
    try:
        x = Value(0.5)
        before = live_values()
        h = x
        for _ in range(10_000):
            h = (h * 0.5).tanh() + x
        h.backward()
        assert live_values() >= before + 30_000
        del h
        assert live_values() == before  # freed by reference counting alone, gc off
        assert x.grad != 0.0  # the leaf the caller holds stays, with its gradient
    finally:
        gc.enable()


def test_backward_steps_explain_and_gradients_keep_nothing_alive():
    gc.disable()
    try:
        x = Value(1.0)
        before = live_values()
        out = (x * 2.0).exp()
        out.backward()
        list(autograd.steps(out))
        autograd.explanation(out)
        first = autograd.gradients(out, [x], create_graph=True)
        del out, first
        assert live_values() == before
    finally:
        gc.enable()

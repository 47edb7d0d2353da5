"""Trace once, emit straight-line Python for the value and the gradient, run it on plain floats.

`compile_graph(output, inputs)` turns an existing graph into two generated functions: `value`,
the forward pass one line per node, and `value_and_grad`, the same lines followed by the
backprop the chain rule produces. `compile(f)` traces `f` on leaf Values and compiles the graph
it built, with guards for what `f` decided from the numbers it saw.

One concern per module:
- `trace`: running `f` on Values, guards, re-tracing (`compile`, `CompiledFunction`);
- `graph`: the graph as compiled code sees it, and the one path back to the dynamic engine;
- `symbolic`: each op's rule from the table, evaluated once on symbolic operands;
- `emit`: the float emitter (names, forward lines, the chain rule as code);
- `numpy_emit`: the same code over NumPy arrays;
- `code`: running the generated code (`CompiledGraph`).

The emitted float code does the same float operations in the same order as the dynamic engine
(variadic `sum`/`dot` call the table's own forward), so results agree to the last bit on every
Python version, except: the sign of a zero, and a local derivative that is inf or nan where the
upstream gradient is 0 (the engine skips such nodes). Batched (NumPy) code may differ in the
last bits (NumPy's `exp`, `tanh`, … are not `math`'s).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..value import Value
from .code import CompiledGraph
from .graph import Graph
from .trace import MAX_TRACES, CompiledFunction, EscapeError, Guard, compile

__all__ = [
    "MAX_TRACES",
    "CompiledFunction",
    "CompiledGraph",
    "EscapeError",
    "Guard",
    "compile",
    "compile_graph",
]


def compile_graph(
    output: Value,
    inputs: Sequence[Value],
    batched: bool = False,
    *,
    wrt: Sequence[Value] | None = None,
    reduce: str | None = None,
    keep: Sequence[Value] = (),
) -> CompiledGraph:
    """Straight-line Python for `output` and its gradient as functions of the leaves `inputs`.

    `batched=True` writes the code for NumPy arrays (see `CompiledGraph`): `output` is the value
    of one example, and any input may be an array with one entry per example. There, `wrt`
    names the inputs that need gradients (default: all) and `reduce='sum'` or `'mean'` reduces
    over the batch inside the generated code: `value_and_grad` then returns the reduced value
    and one NumPy vector of its gradient with respect to `wrt`, and a layer — `dot` nodes over
    one input vector with weight rows from `wrt` — is one matrix product.

    >>> from autograd import Value
    >>> x, y = Value(2.0, label='x'), Value(3.0, label='y')
    >>> cg = compile_graph(x * y + x, [x, y])
    >>> cg.value_and_grad(4.0, 5.0)
    (24.0, (6.0, 4.0))
    """
    if not isinstance(output, Value):
        raise TypeError(f"compile_graph needs a Value output, got {type(output).__name__}")
    inputs = list(inputs)
    for node in inputs:
        if not isinstance(node, Value):
            raise TypeError(f"compile_graph inputs must be Values, got {type(node).__name__}")
        if node.parents:
            raise ValueError(f"compile_graph inputs must be leaves, got a computed {node!r}")
    if len(set(inputs)) != len(inputs):
        raise ValueError("compile_graph inputs must be distinct Values")
    if reduce not in (None, "sum", "mean"):
        raise ValueError(f"compile_graph: reduce must be None, 'sum' or 'mean', got {reduce!r}")
    if (wrt is not None or reduce is not None) and not batched:
        raise ValueError("compile_graph: wrt= and reduce= are for batched=True")
    keep = list(keep)
    if keep and not batched:
        raise ValueError("compile_graph: keep= is for batched=True")
    if wrt is not None:
        wrt = list(wrt)
        known = set(inputs)
        if not all(isinstance(node, Value) and node in known for node in wrt):
            raise ValueError("compile_graph: every Value in wrt must be one of the inputs")
    graph = Graph([output])
    if not all(node in graph.index for node in keep):
        raise ValueError("compile_graph: every Value in keep must be part of the output's graph")
    return CompiledGraph(
        output,
        inputs,
        rebuild=graph.replay(output, inputs),
        batched=batched,
        graph=graph,
        wrt=wrt,
        reduce=reduce,
        keep=keep,
    )

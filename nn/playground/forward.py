"""The network's forward pass over many points at once, from compiled neuron graphs.

Each neuron's pre-activation `z = w·x + b` (as `Neuron.forward` builds it, with `linalg.dot`)
and its layer's activation `f(z)` are traced once and compiled with `autograd.compile_graph`.
With NumPy (`batched=True`) an argument may be an array, so one call evaluates a neuron at every
point of the 100×100 grid; an activation whose rule branches in Python (sigmoid's stable form)
runs its compiled float code element by element (`numpy.frompyfunc`). Without NumPy the compiled
float code runs point by point. Either way the numbers are the engine's: the op table's forward
rules, nothing written again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value, compile_graph, linalg

from ..functional import get_activation
from ..layers import MLP

try:  # the fast path: pip install 'glassgrad[playground]'
    import numpy
except ImportError:  # pragma: no cover - exercised where NumPy is missing
    numpy = None

Weights = list[list[tuple[list[float], float]]]
"""Per layer, per neuron: (weights, bias) as floats."""


def weights_of(model: MLP) -> Weights:
    """A snapshot of the model's parameters as floats (safe to use after training moves on)."""
    return [[([w.data for w in n.w], n.b.data) for n in layer.neurons] for layer in model.layers]


class Forward:
    """`forward(weights, columns)`: every layer's activations for a batch of points.

    `columns` holds one sequence per input feature (a NumPy array when batched); the result is a
    list per layer (inputs first) of one column per neuron.
    """

    def __init__(self, model: MLP, batched: bool | None = None) -> None:
        self.batched = numpy is not None if batched is None else batched
        self.layers: list[tuple[list[Callable[..., Any]], Callable[[Any], Any] | None]] = []
        for layer in model.layers:
            xs = [Value(0.0, label=f"x{i}") for i in range(layer.nin)]
            pre = []
            for neuron in layer.neurons:
                z = linalg.dot(neuron.w, xs) + neuron.b
                pre.append(compile_graph(z, [*neuron.w, neuron.b, *xs], batched=self.batched))
            self.layers.append((pre, self._activation(get_activation(layer.activation))))

    def _activation(self, activate: Callable[[Any], Any]) -> Callable[[Any], Any] | None:
        """The layer's activation compiled (None for the identity)."""
        z = Value(0.0, label="z")
        a = activate(z)
        if a is z:
            return None
        plain = compile_graph(a, [z])
        if not self.batched:
            return plain
        arrays = compile_graph(a, [z], batched=True)
        try:
            arrays(numpy.array([-1.0, 0.0, 1.0]))
        except (TypeError, ValueError):  # a rule that branches in Python on its operand
            elementwise = numpy.frompyfunc(lambda x: _safe(plain, x), 1, 1)
            return lambda z: elementwise(z).astype(float)
        return arrays

    def __call__(self, weights: Weights, columns: Sequence[Any]) -> list[list[Any]]:
        if self.batched:
            with numpy.errstate(all="ignore"):
                return self._batched(weights, [numpy.asarray(c, dtype=float) for c in columns])
        return self._plain(weights, columns)

    def _batched(self, weights: Weights, columns: list[Any]) -> list[list[Any]]:
        n = len(columns[0])
        layers, h = [columns], columns
        for (functions, activate), layer in zip(self.layers, weights):
            h = [
                numpy.broadcast_to(numpy.asarray(f(*w, b, *h), dtype=float), (n,))
                for f, (w, b) in zip(functions, layer)
            ]
            if activate is not None:
                h = [numpy.asarray(activate(z), dtype=float) for z in h]
            layers.append(h)
        return layers

    def _plain(self, weights: Weights, columns: Sequence[Sequence[float]]) -> list[list[Any]]:
        rows = list(zip(*columns))
        per_layer: list[list[list[float]]] = [[list(c) for c in columns]]
        for (functions, activate), layer in zip(self.layers, weights):
            out = []
            for f, (w, b) in zip(functions, layer):
                z = [_safe(f, *w, b, *row) for row in rows]
                out.append(z if activate is None else [_safe(activate, v) for v in z])
            per_layer.append(out)
            rows = list(zip(*out))
        return per_layer


def _safe(f: Callable[..., float], *arguments: float) -> float:
    """f(*arguments), or nan where the float engine raises (overflow, a domain error)."""
    try:
        return f(*arguments)
    except (ArithmeticError, ValueError):
        return float("nan")


def as_list(column: Any) -> list[float]:
    """A column as a list of floats."""
    return column.tolist() if hasattr(column, "tolist") else list(column)

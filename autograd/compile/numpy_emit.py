"""The NumPy emitter: the same code over arrays, one element per data point.

Choices are `where(c, a, b)`; a called forward or derivative is the op's vectorised form: the
table's `numpy` field where the row has one (a bound row's parameters follow the operands:
`numpy.power(x, n)`), NumPy's function of the same name for a `math`
builtin (`exp` → `numpy.exp`), and otherwise the float rule applied element by element — slow,
but every primitive, including one registered at run time, works batched.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
from collections.abc import Callable
from typing import Any

from ..value import Op
from .emit import Namespace
from .symbolic import WHERE


def _numpy() -> Any:
    import numpy

    return numpy


def _sigmoid(x: Any) -> Any:
    """1/(1 + e⁻ˣ) without overflow: e^(-log(1 + e⁻ˣ))."""
    numpy = _numpy()
    return numpy.exp(-numpy.logaddexp(0.0, -x))


def _sum(*xs: Any) -> Any:
    return functools.reduce(operator.add, xs)


def _dot(*xs: Any) -> Any:
    half = len(xs) // 2
    return functools.reduce(operator.add, map(operator.mul, xs[:half], xs[half:]))


_FALLBACK = {"sigmoid": _sigmoid, "sum": _sum, "dot": _dot}  # until these rows have `numpy`
"""Vectorised forwards for built-ins whose float forward is not a `math` builtin, until every
row of the op table carries its own `numpy` field."""


def _forward_elementwise(forward: Callable, arity: int) -> Callable:
    """The float `forward` applied to each element of its broadcast array arguments."""
    numpy = _numpy()
    vector = numpy.frompyfunc(forward, arity, 1)
    return lambda *args: numpy.asarray(vector(*args), dtype=float)


class ArrayNamespace(Namespace):
    """Functions for arrays: any input may be an array of points, and everything broadcasts.
    NumPy's rules then apply: no domain errors, nan and inf instead."""

    choice = WHERE

    def __init__(self) -> None:
        super().__init__()
        numpy = _numpy()
        self.objects.update({"where": numpy.where, "inf": numpy.inf, "nan": numpy.nan})

    def forward_object(self, op: Op, arity: int) -> Callable:
        vectorised = op.numpy
        if isinstance(vectorised, str):
            vectorised = getattr(_numpy(), vectorised)
        if vectorised is not None:
            if op.params:  # a bound row of a family: its parameters follow the operands
                parameters = tuple(op.params.values())
                return lambda *xs: vectorised(*xs, *parameters)
            return vectorised
        found = _numpy_builtin(op.forward)
        if found is not None:
            return found
        if op.name in _FALLBACK:
            return _FALLBACK[op.name]
        return _forward_elementwise(op.forward, arity)

    def derivative_object(self, op: Op, arity: int) -> Callable:
        def rule(*args: Any) -> tuple:
            return tuple(op.derivative(*args))

        return _derivative_elementwise(rule, arity)


def _derivative_elementwise(rule: Callable, arity: int) -> Callable:
    """The float derivative `rule` (of the node and its parents) element by element: a tuple
    of one float array per parent."""
    numpy = _numpy()
    if arity == 1:
        vector = numpy.frompyfunc(lambda *args: rule(*args)[0], 2, 1)
        return lambda *args: (numpy.asarray(vector(*args), dtype=float),)
    vector = numpy.frompyfunc(rule, arity + 1, arity)
    return lambda *args: tuple(numpy.asarray(part, dtype=float) for part in vector(*args))


def _numpy_builtin(function: Callable) -> Any:
    """NumPy's function for a `math` builtin of the same name (math.pow → numpy.power)."""
    if not inspect.isbuiltin(function):
        return None
    numpy = _numpy()
    if function is math.pow:
        return numpy.power
    return getattr(numpy, function.__name__, None)

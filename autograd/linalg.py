"""Vectors and matrices of Values: plain lists (of lists) of Values or numbers.

A vector is a list `[x₀, …, xₙ₋₁]`; a matrix is a list of rows, all of the same length, so
`A[i][j]` is Aᵢⱼ. Every function builds its result from engine primitives, so gradients flow
through it with no code of its own: the chain rule of `backward()` does the rest. Each dot
product is one node of the n-ary `dot` primitive (∂(w·x)/∂wᵢ = xᵢ, ∂(w·x)/∂xᵢ = wᵢ), which keeps
the graph of a layer small. Numbers in, numbers out; any Value in, Values out.

>>> from autograd import linalg
>>> linalg.matvec([[1, 2], [3, 4]], [1, 1])
[3.0, 7.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

from . import ops
from .value import Scalar, Value, apply_rows

Vector = Sequence[Scalar]
Matrix = Sequence[Sequence[Scalar]]
Array = Sequence[Any]
"""A vector or a matrix (which one is found out at run time)."""


def vector(numbers: Sequence[float], label: str = "x") -> list[Value]:
    """New leaf Values holding `numbers`, labelled `x[0]`, `x[1]`, …"""
    return [Value(number, f"{label}[{i}]") for i, number in enumerate(numbers)]


def matrix(rows: Sequence[Sequence[float]], label: str = "W") -> list[list[Value]]:
    """New leaf Values holding a matrix of numbers, labelled `W[0][0]`, `W[0][1]`, …"""
    shape(rows)  # checks that rows have equal lengths
    return [vector(row, f"{label}[{i}]") for i, row in enumerate(rows)]


def shape(a: Array) -> tuple[int, ...]:
    """`(n,)` for a vector of n scalars, `(m, n)` for a matrix of m rows of n; ragged rows raise."""
    if not isinstance(a, Sequence) or isinstance(a, str):
        raise TypeError(f"expected a vector or matrix (a list), got {type(a).__name__}")
    if not a or _is_scalar(a[0]):
        for i, element in enumerate(a):
            if not _is_scalar(element):
                raise TypeError(f"vector element {i} is {type(element).__name__}, not a number")
        return (len(a),)
    width = len(a[0])
    for i, row in enumerate(a):
        if not isinstance(row, Sequence) or len(row) != width:
            got = len(row) if isinstance(row, Sequence) else type(row).__name__
            raise ValueError(f"ragged matrix: row 0 has {width} entries, row {i} has {got}")
    return (len(a), width)


def dot(x: Vector, y: Vector) -> Scalar:
    """w·x = Σᵢ wᵢxᵢ, one `dot` node: ∂(w·x)/∂w = x and ∂(w·x)/∂x = w."""
    if len(x) != len(y):
        raise ValueError(f"dot: lengths differ, {len(x)} and {len(y)}")
    return ops.dot(x, y)


def matvec(a: Matrix, x: Vector) -> list[Scalar]:
    """y = A x, yᵢ = Σⱼ Aᵢⱼxⱼ (one dot product per row); ∂yᵢ/∂Aᵢⱼ = xⱼ, ∂yᵢ/∂xⱼ = Aᵢⱼ."""
    rows, cols = _matrix_shape(a, "matvec")
    if len(x) != cols:
        raise ValueError(f"matvec: matrix is {rows}x{cols} but vector has length {len(x)}")
    if cols and (_any_value(x) or any(_any_value(row) for row in a)):
        return list(apply_rows(ops.DOT, a, x))  # x's entries on the tape found once
    return [ops.dot(row, x) for row in a]


def matmul(a: Matrix, b: Matrix) -> list[list[Scalar]]:
    """C = A B, (AB)ᵢⱼ = Σₖ AᵢₖBₖⱼ: row i of A dotted with column j of B."""
    a_shape, b_shape = _matrix_shape(a, "matmul"), _matrix_shape(b, "matmul")
    if a_shape[1] != b_shape[0]:
        raise ValueError(
            f"matmul: shapes {a_shape} and {b_shape} do not chain: "
            f"A has {a_shape[1]} columns, B has {b_shape[0]} rows"
        )
    columns = transpose(b)
    return [[ops.dot(row, column) for column in columns] for row in a]


def transpose(a: Matrix) -> list[list[Scalar]]:
    """Aᵀ, (Aᵀ)ᵢⱼ = Aⱼᵢ: the same Values, rearranged (no new nodes)."""
    _matrix_shape(a, "transpose")
    return [list(column) for column in zip(*a)]


def add(a: Array, b: Array) -> list[Any]:
    """a + b elementwise, for two vectors or two matrices of the same shape; ∂/∂aᵢ = ∂/∂bᵢ = 1."""
    return _elementwise("add", a, b, _plus)


def sub(a: Array, b: Array) -> list[Any]:
    """a - b elementwise, same shapes; ∂/∂aᵢ = 1, ∂/∂bᵢ = -1."""
    return _elementwise("sub", a, b, _minus)


def scale(c: Scalar, a: Array) -> list[Any]:
    """c·a for a scalar c and a vector or matrix; ∂(c·aᵢ)/∂c = aᵢ, ∂(c·aᵢ)/∂aᵢ = c."""
    if not _is_scalar(c):
        raise TypeError(f"scale: c must be a number or Value, got {type(c).__name__}")
    if len(shape(a)) == 1:
        return [_as_float(c * element) for element in a]
    return [[_as_float(c * element) for element in row] for row in a]


def outer(x: Vector, y: Vector) -> list[list[Scalar]]:
    """x yᵀ, (x yᵀ)ᵢⱼ = xᵢyⱼ: an m×n matrix from vectors of lengths m and n."""
    for name, v in (("x", x), ("y", y)):
        if len(shape(v)) != 1:
            raise ValueError(f"outer: {name} must be a vector, got shape {shape(v)}")
    return [[_as_float(xi * yj) for yj in y] for xi in x]


# -- helpers -------------------------------------------------------------------------------------


def _is_scalar(x: object) -> bool:
    return isinstance(x, Value) or (isinstance(x, Real) and not isinstance(x, bool))


def _any_value(xs: Vector) -> bool:
    return any(isinstance(x, Value) for x in xs)


def _quick_shape(a: Array) -> tuple[int, ...]:
    """`shape(a)` checking lengths only (entries are checked by the arithmetic that uses them)."""
    if not isinstance(a, Sequence) or isinstance(a, str):
        raise TypeError(f"expected a vector or matrix (a list), got {type(a).__name__}")
    if not a or not isinstance(a[0], Sequence):
        return (len(a),)
    width = len(a[0])
    if any(len(row) != width for row in a):
        return shape(a)  # raises, naming the ragged row
    return (len(a), width)


def _matrix_shape(a: Matrix, what: str) -> tuple[int, int]:
    found = _quick_shape(a)
    if len(found) != 2:
        raise ValueError(f"{what}: expected a matrix (a list of rows), got shape {found}")
    return found[0], found[1]


def _plus(x: Scalar, y: Scalar) -> Scalar:
    return x + y


def _minus(x: Scalar, y: Scalar) -> Scalar:
    return x - y


def _elementwise(
    what: str, a: Array, b: Array, combine: Callable[[Scalar, Scalar], Scalar]
) -> list[Any]:
    a_shape, b_shape = _quick_shape(a), _quick_shape(b)
    if a_shape != b_shape:
        raise ValueError(f"{what}: shapes differ, {a_shape} and {b_shape}")
    try:
        if len(a_shape) == 1:
            return [_as_float(combine(x, y)) for x, y in zip(a, b)]
        return [[_as_float(combine(x, y)) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]
    except TypeError:
        shape(a), shape(b)  # the full check names the entry that is not a number
        raise


def _as_float(x: Scalar) -> Scalar:
    """Numbers come out as floats, whatever their type going in (ints, numpy floats)."""
    return x if isinstance(x, Value) else float(x)

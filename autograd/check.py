"""Gradient checking: compare the engine's derivatives with central differences.

The central difference of f at x is (f(x + ε) - f(x - ε)) / 2ε = f'(x) + ε²f'''(x)/6 + …, so it
agrees with a correct analytic derivative to about ε² plus the rounding error of f, ~1e-16·|f|/ε.
`gradcheck` accepts a derivative when, as in PyTorch,

    |analytic - numeric| <= atol + rtol·|numeric|

for every (output, input) pair, and otherwise raises `GradcheckError` with a table of every pair.
`gradgradcheck` does the same for second derivatives: the analytic ones come from differentiating
`gradients(..., create_graph=True)` again; the numeric ones are central differences of the
analytic first derivatives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

from .functional import gradients
from .mode import enable_grad, no_grad
from .value import Value

Function = Callable[..., Any]


class GradcheckError(AssertionError):
    """Raised by `gradcheck`/`gradgradcheck`; the message is a table of every derivative checked."""


@dataclass(frozen=True)
class _Row:
    """One derivative ∂output/∂input compared both ways."""

    output: str
    input: str
    at: float
    analytic: float
    numeric: float
    difference: float
    ok: bool


def numerical_grad(f: Function, inputs: Sequence[Value | float], eps: float = 1e-6) -> list:
    """Central differences (f(x + ε·eᵢ) - f(x - ε·eᵢ)) / 2ε for each input xᵢ.

    `f` is called with Values (built under `no_grad`, so also functions written with Value
    methods work) and may return a Value, a number, or a list of them. Returns one derivative per
    input for a single output, or one such list per output for a list of outputs.
    """
    point = _floats(inputs, "numerical_grad")
    eps = _positive(eps, "eps")
    single, _ = _call_plain(f, point)
    columns = []
    for i in range(len(point)):
        above = _call_plain(f, _shifted(point, i, eps), i, +eps)[1]
        below = _call_plain(f, _shifted(point, i, -eps), i, -eps)[1]
        columns.append([(a - b) / (2.0 * eps) for a, b in zip(above, below)])
    rows = [list(row) for row in zip(*columns)] if columns else []
    return rows[0] if single else rows


def gradcheck(
    f: Function,
    inputs: Sequence[Value | float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the engine's ∂f/∂xᵢ against central differences; True when every pair agrees.

    Each pair must satisfy |analytic - numeric| <= atol + rtol·|numeric| (PyTorch's rule).
    `inputs` are numbers or Values (only their data is used; their `.grad` is not touched);
    labelled Values name their row. Several outputs are checked one by one. On failure raise
    `GradcheckError` with the table, or return False when `raise_exception=False`.
    """
    point = _floats(inputs, "gradcheck")
    analytic = _analytic_jacobian(f, point)
    numeric = _as_rows(numerical_grad(f, point, eps))
    names = _output_names(len(analytic), "f")
    rows = _compare(names, point, _input_names(inputs), analytic, numeric, atol, rtol)
    return _verdict("gradcheck", rows, eps, atol, rtol, raise_exception)


def gradgradcheck(
    f: Function,
    inputs: Sequence[Value | float],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives ∂²f/∂xⱼ∂xᵢ like `gradcheck` checks first ones.

    The first derivatives ∂f/∂xᵢ are computed with `gradients(..., create_graph=True)`; their
    analytic derivatives (differentiating that graph again) are compared with central
    differences of the first derivatives themselves. A rule that is right on floats but builds
    no graph on Values (e.g. one written with `math.cos`) fails here.
    """
    point = _floats(inputs, "gradgradcheck")
    input_names = _input_names(inputs)

    def first_derivatives(*xs: Value) -> list[Value]:
        with enable_grad():
            outputs = _as_outputs(f(*xs))[1]
            return [d for out in outputs for d in _gradients_of(out, xs, create_graph=True)]

    analytic = _analytic_jacobian(first_derivatives, point)
    numeric = _as_rows(numerical_grad(first_derivatives, point, eps))
    count = len(analytic) // max(len(point), 1)
    names = [f"∂{output}/∂{name}" for output in _output_names(count, "f") for name in input_names]
    rows = _compare(names, point, input_names, analytic, numeric, atol, rtol)
    return _verdict("gradgradcheck", rows, eps, atol, rtol, raise_exception)


# -- evaluating f ------------------------------------------------------------------------------


def _analytic_jacobian(f: Function, point: list[float]) -> list[list[float]]:
    """∂outputₖ/∂xᵢ from the engine, one row per output, on fresh leaves."""
    leaves = [Value(x) for x in point]
    with enable_grad():
        outputs = _as_outputs(f(*leaves))[1]
        return [_gradients_of(out, leaves, create_graph=False) for out in outputs]


def _gradients_of(out: Value | float, leaves: Sequence[Value], create_graph: bool) -> list:
    """gradients(out, leaves); a constant output (a number) has derivative 0 everywhere."""
    if isinstance(out, Value):
        return gradients(out, list(leaves), create_graph=create_graph)
    return [0.0] * len(leaves)


def _call_plain(
    f: Function, point: list[float], moved: int = -1, by: float = 0.0
) -> tuple[bool, list[float]]:
    """f at `point` as floats (graph building off): (returned a single output?, values)."""
    try:
        with no_grad():
            single, outputs = _as_outputs(f(*[Value(x) for x in point]))
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        if moved < 0:
            raise
        where = f"input {moved} moved by {by:+g} to {point[moved]!r}"
        raise type(error)(
            f"numerical_grad: f failed at {where}: {error} "
            "(the point is within eps of a pole or the edge of f's domain; move it or use a "
            "smaller eps)"
        ) from error
    return single, [_data(out) for out in outputs]


def _as_outputs(result: Any) -> tuple[bool, list[Value | float]]:
    """(single?, outputs) from what f returned: a Value, a number, or a list/tuple of them."""
    single = not isinstance(result, (list, tuple))
    outputs = [result] if single else list(result)
    if not outputs:
        raise ValueError("gradient check: f returned an empty list of outputs")
    for out in outputs:
        if not isinstance(out, Value) and (isinstance(out, bool) or not isinstance(out, Real)):
            raise TypeError(
                "gradient check: f must return a Value, a number or a list of them, "
                f"got {type(out).__name__} {out!r}"
            )
    return single, outputs


def _data(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _shifted(point: list[float], i: int, by: float) -> list[float]:
    moved = list(point)
    moved[i] += by
    return moved


def _as_rows(numeric: list) -> list[list[float]]:
    return numeric if numeric and isinstance(numeric[0], list) else [numeric]


def _floats(inputs: Sequence[Value | float] | Value | float, who: str) -> list[float]:
    if isinstance(inputs, (Value, Real)):
        inputs = [inputs]
    point = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            point.append(x.data)
        elif isinstance(x, Real) and not isinstance(x, bool):
            point.append(float(x))
        else:
            raise TypeError(f"{who}: input {i} must be a number or a Value, got {x!r}")
        if not math.isfinite(point[-1]):
            raise ValueError(f"{who}: input {i} is {point[-1]!r}; the inputs must be finite")
    if not point:
        raise ValueError(f"{who}: no inputs to check")
    return point


def _positive(x: float, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real) or not 0.0 < x < math.inf:
        raise ValueError(f"{what} must be a positive number, got {x!r}")
    return float(x)


def _input_names(inputs: Sequence[Value | float] | Value | float) -> list[str]:
    if isinstance(inputs, (Value, Real)):
        inputs = [inputs]
    return [x.label if isinstance(x, Value) and x.label else f"x{i}" for i, x in enumerate(inputs)]


def _output_names(count: int, name: str) -> list[str]:
    return [name] if count == 1 else [f"{name}[{k}]" for k in range(count)]


# -- comparing and reporting -------------------------------------------------------------------


def _compare(
    output_names: list[str],
    point: list[float],
    input_names: list[str],
    analytic: list[list[float]],
    numeric: list[list[float]],
    atol: float,
    rtol: float,
) -> list[_Row]:
    atol = _non_negative(atol, "atol")
    rtol = _non_negative(rtol, "rtol")
    rows = []
    for output, analytic_row, numeric_row in zip(output_names, analytic, numeric):
        for name, at, a, n in zip(input_names, point, analytic_row, numeric_row):
            difference = abs(a - n)
            ok = difference <= atol + rtol * abs(n)  # False for nan or inf on either side
            rows.append(_Row(output, name, at, a, n, difference, ok))
    return rows


def _non_negative(x: float, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real) or not 0.0 <= x < math.inf:
        raise ValueError(f"{what} must be a number >= 0, got {x!r}")
    return float(x)


def _verdict(
    who: str, rows: list[_Row], eps: float, atol: float, rtol: float, raise_exception: bool
) -> bool:
    failed = sum(not row.ok for row in rows)
    if not failed:
        return True
    if not raise_exception:
        return False
    what = "derivative" if who == "gradcheck" else "second derivative"
    raise GradcheckError(
        f"{who} failed: {failed} of {len(rows)} {what}s differ from central differences\n"
        f"(needs |analytic - numeric| <= atol + rtol·|numeric| with atol={atol:g}, "
        f"rtol={rtol:g}; eps={eps:g})\n" + _format_table(rows)
    )


def _format_table(rows: list[_Row]) -> str:
    """The rows as an aligned text table; failing rows are marked `<-- differs`."""
    header = ("output", "input", "at", "analytic", "numeric", "difference")
    cells = [
        (
            row.output,
            row.input,
            *(f"{x:.6g}" for x in (row.at, row.analytic, row.numeric)),
            f"{row.difference:.2g}",
        )
        for row in rows
    ]
    widths = [max(len(line[c]) for line in (header, *cells)) for c in range(len(header))]
    lines = []
    for line, row in zip((header, *cells), (None, *rows)):
        left = [text.ljust(width) for text, width in zip(line[:2], widths)]
        right = [text.rjust(width) for text, width in zip(line[2:], widths[2:])]
        mark = "  <-- differs" if row is not None and not row.ok else ""
        lines.append("  ".join(left + right) + mark)
    return "\n".join(line.rstrip() for line in lines)

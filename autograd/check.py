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
Inputs = Sequence[Value | float | Sequence[Value | float]] | Value | float


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


def numerical_grad(f: Function, inputs: Inputs, eps: float = 1e-6) -> list[Any]:
    """Central differences (f(x + ε·eᵢ) - f(x - ε·eᵢ)) / 2ε for each input xᵢ.

    `inputs` are numbers or Values, or lists of them for arguments that are lists; `f` is
    called with leaf Values in the same shape (under `no_grad`: no graph is kept) and may return
    a Value, a number, or a list of them. The result has the shape of `inputs`, one such for
    each output when `f` returns a list.
    """
    given = _Inputs(inputs, "numerical_grad")
    single, rows = _numeric_jacobian(f, given, eps)
    nested = [given.nest(row) for row in rows]
    return nested[0] if single else nested


def gradcheck(
    f: Function,
    inputs: Inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the engine's ∂f/∂xᵢ against central differences; True when every pair agrees.

    Each pair must satisfy |analytic - numeric| <= atol + rtol·|numeric| (PyTorch's rule).
    `inputs` are numbers or Values, or lists of them for arguments that are lists; only their
    data is used (their `.grad` is not touched) and labelled Values name their rows. Several
    outputs are checked one by one. On failure raise `GradcheckError` with the table, or return
    False when `raise_exception=False`.
    """
    return _check("gradcheck", f, _Inputs(inputs, "gradcheck"), eps, atol, rtol, raise_exception)


def gradgradcheck(
    f: Function,
    inputs: Inputs,
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
    given = _Inputs(inputs, "gradgradcheck")

    def first_derivatives(*arguments: Any) -> list[Value | float]:
        with enable_grad():
            leaves = given.flatten(arguments)
            outputs = _as_outputs(f(*arguments))[1]
            return [d for out in outputs for d in _gradients_of(out, leaves, create_graph=True)]

    return _check("gradgradcheck", first_derivatives, given, eps, atol, rtol, raise_exception)


def _check(
    who: str,
    f: Function,
    given: _Inputs,
    eps: float,
    atol: float,
    rtol: float,
    raise_exception: bool,
) -> bool:
    analytic = _analytic_jacobian(f, given)
    numeric = _numeric_jacobian(f, given, eps)[1]
    if who == "gradcheck":
        names = _output_names(len(analytic))
    else:  # the outputs are ∂f/∂x0, ∂f/∂x1, … for each output f of the user's function
        count = len(analytic) // len(given.point)
        names = [f"∂{out}/∂{name}" for out in _output_names(count) for name in given.names]
    rows = _compare(names, given, analytic, numeric, atol, rtol)
    return _verdict(who, rows, eps, atol, rtol, raise_exception)


# -- the inputs and evaluating f ---------------------------------------------------------------


class _Inputs:
    """The inputs as given (numbers, Values, or lists of them), flattened to floats and names."""

    def __init__(self, inputs: Inputs, who: str) -> None:
        self.inputs: list[Any] = (
            [inputs] if isinstance(inputs, (Value, Real)) else list(inputs)  # type: ignore[arg-type]
        )
        self.point: list[float] = []
        self.names: list[str] = []
        self.sizes: list[int | None] = []  # None: one number; n: a list of n numbers
        for i, argument in enumerate(self.inputs):
            if isinstance(argument, (list, tuple)):
                self.sizes.append(len(argument))
                for j, x in enumerate(argument):
                    self._add(x, f"x{i}[{j}]", who)
            else:
                self.sizes.append(None)
                self._add(argument, f"x{i}", who)
        if not self.point:
            raise ValueError(f"{who}: no inputs to check")

    def _add(self, x: Any, name: str, who: str) -> None:
        if isinstance(x, Value):
            data, name = x.data, x.label or name
        elif isinstance(x, Real) and not isinstance(x, bool):
            data = float(x)
        else:
            raise TypeError(f"{who}: input {name} must be a number or a Value, got {x!r}")
        if not math.isfinite(data):
            raise ValueError(f"{who}: input {name} is {data!r}; the inputs must be finite")
        self.point.append(data)
        self.names.append(name)

    def nest(self, flat: Sequence[Any]) -> list[Any]:
        """A flat list (one item per number) in the shape of the inputs."""
        nested: list[Any] = []
        start = 0
        for size in self.sizes:
            if size is None:
                nested.append(flat[start])
                start += 1
            else:
                nested.append(list(flat[start : start + size]))
                start += size
        return nested

    def flatten(self, nested: Sequence[Any]) -> list[Any]:
        """The inverse of `nest`."""
        return [
            item
            for size, part in zip(self.sizes, nested)
            for item in ([part] if size is None else part)
        ]


def _analytic_jacobian(f: Function, given: _Inputs) -> list[list[float]]:
    """∂outputₖ/∂xᵢ from the engine, one row per output, on fresh leaves."""
    leaves = [Value(x) for x in given.point]
    with enable_grad():
        outputs = _as_outputs(f(*given.nest(leaves)))[1]
        return [_gradients_of(out, leaves, create_graph=False) for out in outputs]


def _numeric_jacobian(f: Function, given: _Inputs, eps: float) -> tuple[bool, list[list[float]]]:
    """(f returned a single output?, central differences ∂outputₖ/∂xᵢ one row per output)."""
    eps = _positive(eps, "eps")
    single, _ = _call_plain(f, given, given.point)
    columns = []
    for i in range(len(given.point)):
        above = _call_plain(f, given, _shifted(given.point, i, eps), i, +eps)[1]
        below = _call_plain(f, given, _shifted(given.point, i, -eps), i, -eps)[1]
        columns.append([(a - b) / (2.0 * eps) for a, b in zip(above, below)])
    return single, [list(row) for row in zip(*columns)]


def _gradients_of(out: Value | float, leaves: Sequence[Value], create_graph: bool) -> list[Any]:
    """gradients(out, leaves); a constant output (a number) has derivative 0 everywhere."""
    if isinstance(out, Value):
        found: list[Any] = gradients(out, list(leaves), create_graph=create_graph)
        return found
    return [0.0] * len(leaves)


def _call_plain(
    f: Function, given: _Inputs, point: list[float], moved: int = -1, by: float = 0.0
) -> tuple[bool, list[float]]:
    """f at `point` as floats (graph building off): (returned a single output?, values)."""
    try:
        with no_grad():
            single, outputs = _as_outputs(f(*given.nest([Value(x) for x in point])))
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        if moved < 0:
            raise
        where = f"input {given.names[moved]} moved by {by:+g} to {point[moved]!r}"
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


def _positive(x: float, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real) or not 0.0 < x < math.inf:
        raise ValueError(f"{what} must be a positive number, got {x!r}")
    return float(x)


def _output_names(count: int) -> list[str]:
    return ["f"] if count == 1 else [f"f[{k}]" for k in range(count)]


# -- comparing and reporting -------------------------------------------------------------------


def _compare(
    output_names: list[str],
    given: _Inputs,
    analytic: list[list[float]],
    numeric: list[list[float]],
    atol: float,
    rtol: float,
) -> list[_Row]:
    atol = _non_negative(atol, "atol")
    rtol = _non_negative(rtol, "rtol")
    rows = []
    for output, analytic_row, numeric_row in zip(output_names, analytic, numeric):
        for name, at, a, n in zip(given.names, given.point, analytic_row, numeric_row):
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

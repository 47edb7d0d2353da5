"""The op table: every primitive's float forward and its local-derivative rule, once.

Each rule `derivative(out, *inputs)` returns ∂out/∂input for each input. It is written in arithmetic
that works on floats and on Values alike, so the same line serves the fast float path of
`backward()` and `create_graph=True`, where it builds new graph nodes that can be differentiated
again. The public functions here (`exp`, `tanh`, …) take floats or Values: floats in, float out;
any Value in, Value out.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from functools import lru_cache, wraps
from numbers import Real

from .value import Op, Value, apply, as_value, domain_error

_builtin_sum = sum

REGISTRY: dict[str, Op] = {}
"""Every primitive by name: the built-ins below and those added with `primitive()`."""


def _lift(op: Op) -> Callable[..., Value | float]:
    """The public function for `op`: floats in, float out; any Value in, a Value out."""

    def function(*args: Value | float) -> Value | float:
        operands = tuple(map(as_value, args))  # checks the types, names what was wrong
        for arg in args:
            if isinstance(arg, Value):
                return apply(op, *operands)
        try:
            return op.forward(*[operand.data for operand in operands])
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise domain_error(op, operands, error) from None

    function.__name__ = op.name
    function.__doc__ = f"The primitive {op.name!r} on floats or Values."
    function.op = op  # type: ignore[attr-defined]
    return function


def primitive(
    name: str,
    forward: Callable[..., float],
    derivative: Callable[..., tuple],
    domain: str = "",
) -> Callable[..., Value | float]:
    """Add a primitive to the table and return the function that applies it.

    `forward(*floats) -> float`; `derivative(out, *inputs) -> tuple` with one local derivative per
    input, written with operators and table functions so it works on floats and on Values
    (then `create_graph` and higher derivatives work for it). `domain` describes valid inputs for
    error messages, e.g. `'x > 0'`. A user primitive may replace an earlier user primitive of the
    same name; the built-ins cannot be replaced. A derivative that returns the wrong number of
    entries, or a forward that returns something other than a real number, raises `TypeError`
    naming the primitive. Check a new rule with `gradcheck` and `gradgradcheck`.

    >>> cube = primitive('cube', lambda x: x**3, lambda out, x: (3 * x**2,))
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"a primitive needs a non-empty name, got {name!r}")
    if not callable(forward) or not callable(derivative):
        raise TypeError(f"primitive {name!r}: forward and derivative must be callable")
    if name in _BUILTIN_NAMES:
        raise ValueError(f"{name!r} is a built-in primitive and cannot be replaced")
    if not isinstance(domain, str):
        raise TypeError(f"primitive {name!r}: domain must be a str, got {domain!r}")

    def float_forward(*xs: float) -> float:
        result = forward(*xs)
        if isinstance(result, bool) or not isinstance(result, Real):
            raise TypeError(
                f"primitive {name!r}: forward must return a real number, "
                f"got {type(result).__name__} {result!r}"
            )
        return float(result)

    @wraps(derivative)  # keeps the rule's signature visible (the CLI reads its arity)
    def checked_derivative(out: Value | float, *inputs: Value | float) -> tuple:
        local = derivative(out, *inputs)
        if not isinstance(local, (tuple, list)) or len(local) != len(inputs):
            raise TypeError(
                f"primitive {name!r}: derivative must return a tuple with one local derivative "
                f"per input ({len(inputs)}), got {local!r}"
            )
        return tuple(local)

    op = Op(name, float_forward, checked_derivative, domain)
    REGISTRY[name] = op
    return _lift(op)


def _define(
    name: str,
    forward: Callable[..., float],
    derivative: Callable[..., tuple],
    domain: str = "",
) -> Op:
    op = Op(name, forward, derivative, domain)
    REGISTRY[name] = op
    return op


def _sigmoid(x: float) -> float:
    """1/(1 + e⁻ˣ), computed without overflow for large |x|."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _dot(*xs: float) -> float:
    half = len(xs) // 2
    return _builtin_sum(map(operator.mul, xs[:half], xs[half:]))


def _d_pow_exponent(out: Value | float, x: Value | float) -> Value | float:
    """∂(x**y)/∂y = x**y · log x; at x = 0 this is the limit 0 (y > 0)."""
    return 0.0 if float(x) == 0.0 else out * log(x)


# fmt: off
# name               forward            derivative(out, *inputs) -> ∂out/∂input for each input
ADD     = _define("+",   operator.add,      lambda out, x, y: (1.0, 1.0))
SUB     = _define("-",   operator.sub,      lambda out, x, y: (1.0, -1.0))
MUL     = _define("*",   operator.mul,      lambda out, x, y: (y, x))
DIV     = _define("/",   operator.truediv,  lambda out, x, y: (1.0 / y, -out / y), "y != 0")
POW     = _define("**",  math.pow,          lambda out, x, y: (y * x ** (y - 1), _d_pow_exponent(out, x)),  # noqa: E501
                  "x > 0 for a fractional exponent, x != 0 for a negative one")
NEG     = _define("neg", operator.neg,      lambda out, x: (-1.0,))
EXP     = _define("exp", math.exp,          lambda out, x: (out,))
LOG     = _define("log", math.log,          lambda out, x: (1.0 / x,), "x > 0")
SQRT    = _define("sqrt", math.sqrt,        lambda out, x: (0.5 / out,), "x >= 0")
TANH    = _define("tanh", math.tanh,        lambda out, x: (1.0 - out * out,))
SIGMOID = _define("sigmoid", _sigmoid,      lambda out, x: (out * (1.0 - out),))
RELU    = _define("relu", lambda x: x if x > 0.0 else 0.0, lambda out, x: (float(x > 0),))
ABS     = _define("abs", math.fabs,         lambda out, x: (float(x > 0) - float(x < 0),))
SIN     = _define("sin", math.sin,          lambda out, x: (cos(x),))
COS     = _define("cos", math.cos,          lambda out, x: (-sin(x),))
SUM     = _define("sum", lambda *xs: _builtin_sum(xs), lambda out, *xs: (1.0,) * len(xs))
DOT     = _define("dot", _dot,              lambda out, *xs: xs[len(xs) // 2:] + xs[:len(xs) // 2])
# fmt: on


@lru_cache(maxsize=1024)
def power_by(n: float) -> Op:
    """The primitive x**n for a constant n; d/dx xⁿ = n·xⁿ⁻¹ (and d/dx x⁰ = 0, also at x = 0)."""
    return Op(
        f"**{n:g}",
        lambda x: math.pow(x, n),
        lambda out, x: (n * x ** (n - 1),) if n else (0.0,),
        "x > 0 for a fractional exponent, x != 0 for a negative one",
    )


@lru_cache(maxsize=256)
def leaky_relu_with(slope: float) -> Op:
    """The primitive x if x > 0 else slope·x; d/dx = 1 if x > 0 else slope."""
    return Op(
        "leaky_relu" if slope == 0.01 else f"leaky_relu({slope:g})",
        lambda x: x if x > 0.0 else slope * x,
        lambda out, x: (1.0 if x > 0 else slope,),
    )


REGISTRY["**n"] = power_by(2.0)
REGISTRY["leaky_relu"] = leaky_relu_with(0.01)
_BUILTIN_NAMES = frozenset(REGISTRY)

neg = _lift(NEG)
exp = _lift(EXP)
log = _lift(LOG)
sqrt = _lift(SQRT)
tanh = _lift(TANH)
sigmoid = _lift(SIGMOID)
relu = _lift(RELU)
sin = _lift(SIN)
cos = _lift(COS)
abs = _lift(ABS)  # the primitive |x| (shadows the builtin inside this module only)
_sum = _lift(SUM)
_dot = _lift(DOT)


def leaky_relu(x: Value | float, slope: float = 0.01) -> Value | float:
    """x if x > 0 else slope·x; d/dx = 1 if x > 0 else slope."""
    return _lift(leaky_relu_with(float(slope)))(x)


def sum_values(values: list[Value | float]) -> Value | float:
    """Σ xᵢ as one node with n parents (∂/∂xᵢ = 1), instead of a chain of n - 1 additions."""
    values = list(values)
    if not values:
        return 0.0
    return _sum(*values)


def dot(xs: list[Value | float], ys: list[Value | float]) -> Value | float:
    """Σ xᵢyᵢ as one node (∂/∂xᵢ = yᵢ, ∂/∂yᵢ = xᵢ); both lists must have the same length."""
    xs, ys = list(xs), list(ys)
    if len(xs) != len(ys):
        raise ValueError(f"dot: lengths differ, {len(xs)} and {len(ys)}")
    if not xs:
        return 0.0
    return _dot(*xs, *ys)

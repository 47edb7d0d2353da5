"""The op table: one row per primitive, holding that primitive's whole story.

A row (`Op`) says what the primitive is called, how many inputs it takes, how to compute it on
floats, its local-derivative rule, how the rule reads in mathematics (for `explain`, the CLI and
the viewer), where it is defined, where its derivative jumps or blows up, and how vectorised code
spells it. Everything else is derived from the rows: `Value`'s named methods, the functions
`autograd.exp`, `autograd.tanh`, … (each row is itself that function), the strategies' catalogue,
the notation of `steps`/`explain`, and the tests. A primitive added with `primitive(...)` is a row
like the built-ins and appears in all of them (see docs/add-a-primitive.md).

Each rule `derivative(out, *inputs)` returns ∂out/∂input for each input. It is written in
arithmetic that works on floats and on Values alike, so the same line serves the fast float path
of `backward()` and `create_graph=True`, where it builds new graph nodes that can be
differentiated again.

Parametric primitives are one row per family with keyword parameters: `POWER.bind(n=3)` is x³,
`LEAKY_RELU.bind(slope=0.2)`; bound rows are cached, so nodes share them and stay small.
"""

from __future__ import annotations

import inspect
import math
import operator
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from functools import wraps
from numbers import Real
from typing import Any

from .value import (
    Scalar,
    Value,
    apply,
    domain_error,
    format_number,
    install_method,
    number,
    variadic,
)

_builtin_sum = sum

Bounds = tuple[tuple[float, float], ...]
WIDE = (-100.0, 100.0)
SMALL = (-10.0, 10.0)
POSITIVE = (0.0, 100.0)
MAX_BOUND_PER_FAMILY = 1024
"""Bound rows a family keeps cached (`x**i` for a million different i does not grow forever)."""


class Op:
    """One primitive: a row of the op table.

    - `name`: the registry key (`'tanh'`, `'power'`, `'+'`); `arity`: the number of inputs, or
      None for a variadic op (`sum`, `dot`).
    - `forward(*floats) -> float`; `derivative(out, *inputs) -> tuple`: one local derivative
      ∂out/∂input per input, in arithmetic that works on floats and on Values.
    - `constant`: the local derivatives are numbers that do not depend on the inputs (x + y: 1
      and 1), kept in `constant_derivatives`; `swaps`: they are the inputs, the two halves
      swapped (x·y: y and x; dot: y₁…yₙ then x₁…xₙ). Both are checked against `derivative`
      when the row is made, and let the chain rule skip calling it (measured: deep_chain's
      backward 150 → 110 ns a node, moons_step's 1.83 → 1.47 ms).
    - `notation`: each local derivative as text, a `str.format` template over `{out}`, `{x}`, `{y}`
      (and `{other}`, dot's paired operand); a variadic op gives one entry for every input.
    - `domain`: the inputs the forward accepts, as text for error messages (`'x > 0'`);
      `kinks`: points (of any input) where the derivative jumps or is not finite.
    - `params`: a parametric op's parameters (`{'n': 3.0}`); `bind(**params)` gives the cached row
      of the same family with other parameters. `examples` are parameter sets the tests try.
    - `numpy`: how vectorised code computes the forward: a NumPy function name (`'exp'`), a
      callable, or None when the emitter must derive it from `forward`.
    - `doc`: the definition in one line; `syntax`: how an application is written, a template over
      the operands `{0}`, `{1}` (`'{0} * {1}'`, `'{0}**3'`; empty means `name(…)`);
      `title`: the short name pictures use (`'**3'`); `bounds`: the box each input is drawn from
      by `autograd.strategies` (a variadic op: one entry per input of its catalogue form).

    A row is also the function that applies it: floats in, float out; any Value in, a Value out
    (`EXP(1.0)`, `EXP(Value(1.0))`, `LEAKY_RELU(x, slope=0.2)`).
    """

    __slots__ = (
        "name",
        "arity",
        "forward",
        "derivative",
        "constant_derivatives",
        "swaps",
        "notation",
        "domain",
        "kinks",
        "params",
        "numpy",
        "doc",
        "syntax",
        "title",
        "bounds",
        "examples",
        "_family",
        "_make",
        "_bound",
    )

    def __init__(
        self,
        name: str,
        arity: int | None,
        forward: Callable[..., float],
        derivative: Callable[..., tuple[Any, ...]],
        *,
        constant: bool = False,
        swaps: bool = False,
        notation: Sequence[str] = (),
        domain: str = "",
        kinks: Sequence[float] = (),
        params: Mapping[str, float] | None = None,
        numpy: Callable[..., Any] | str | None = None,
        doc: str = "",
        syntax: str = "",
        title: str = "",
        bounds: Bounds = (),
        examples: Sequence[Mapping[str, float]] = (),
    ) -> None:
        self.name = name
        self.arity = arity
        self.forward = forward
        self.derivative = derivative
        self.constant_derivatives = _constant_rule(name, arity, derivative) if constant else None
        self.swaps = swaps and _swapping_rule(name, arity, derivative)
        self.notation = tuple(notation) or ("?",) * (arity or 1)
        self.domain = domain
        self.kinks = tuple(float(k) for k in kinks)
        self.params = dict(params or {})
        self.numpy = numpy
        self.doc = doc or f"the primitive {name!r}"
        self.syntax = syntax
        self.title = title or name
        self.bounds = bounds or ((WIDE,) * arity if arity else (WIDE,) * 3)
        self.examples = tuple(dict(e) for e in examples) or (dict(self.params),)
        self._family: Op = self
        self._make: Callable[..., Op] | None = None
        self._bound: dict[tuple[float, ...], Op] = {}

    @property
    def op(self) -> Op:
        """The row itself (so a row and a function made from it answer `.op` alike)."""
        return self

    @property
    def family(self) -> Op:
        """The registered row of this op's family (itself for an op without parameters)."""
        return self._family

    def bind(self, **params: float) -> Op:
        """The row of this family with other parameters: `POWER.bind(n=3)` is x³ (cached)."""
        family = self._family
        if family._make is None:
            if params:
                raise TypeError(f"{self.name} takes no parameters, got {sorted(params)}")
            return self
        unknown = set(params) - set(family.params)
        if unknown:
            raise TypeError(
                f"{self.name} has parameters {sorted(family.params)}, got {sorted(unknown)}"
            )
        key = tuple(
            _parameter(params[name], name) if name in params else current
            for name, current in self.params.items()
        )
        return family._bound_for(key)

    def _bound_for(self, key: tuple[float, ...]) -> Op:
        """The cached bound row for parameter values `key` (in `params` order)."""
        found = self._bound.get(key)
        if found is None:
            if len(self._bound) >= MAX_BOUND_PER_FAMILY:  # keep the registered row only
                self._bound = {k: row for k, row in self._bound.items() if row is self}
            assert self._make is not None
            found = self._make(*key)
            found._family = self
            self._bound[key] = found
        return found

    def __call__(self, *args: Scalar, **params: float) -> Scalar:
        """Apply this primitive: floats in, float out; any Value in, a Value out."""
        if len(args) == 1 and not params and isinstance(args[0], Value) and self.arity == 1:
            return apply(self, args[0])  # the common case (an activation): ~3x less overhead
        arity = self.arity
        if arity is not None and len(args) != arity:
            extra = args[arity:]
            if len(args) < arity or len(extra) > len(self._family.params):
                raise TypeError(
                    f"{self.name} takes {arity} input{'s' * (arity != 1)}"
                    + (f" and parameters {list(self._family.params)}" if self.params else "")
                    + f", got {len(args)} arguments"
                )
            for name, value in zip(self._family.params, extra):
                if name in params:
                    raise TypeError(f"{self.name} got parameter {name!r} twice")
                params[name] = value  # type: ignore[assignment]
            args = args[:arity]
        op = self.bind(**params) if params else self
        for arg in args:
            if isinstance(arg, Value):  # numbers become constants (finite ones: docs/numbers.md)
                return apply(op, *args)
        floats = [number(arg, "operand") for arg in args]  # as `math` does: inf and nan allowed
        try:
            return op.forward(*floats)
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise domain_error(
                op, tuple(Value(x, allow_nonfinite=True) for x in floats), error
            ) from None

    def __repr__(self) -> str:
        params = "".join(f", {name}={format_number(value)}" for name, value in self.params.items())
        return f"Op({self.name!r}{params})"


def _parameter(x: Any, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(x):
        raise TypeError(f"parameter {name} must be a finite real number, got {x!r}")
    return float(x)


# -- the registry -------------------------------------------------------------------------------


class Registry(MutableMapping[str, Op]):
    """Every primitive by name: the built-ins below and those added with `primitive()`.

    Adding a row installs what is derived from it (the `Value` method of a named primitive);
    removing a user's row removes it again. Built-in rows cannot be replaced or removed.
    """

    def __init__(self) -> None:
        self._rows: dict[str, Op] = {}
        self.builtin: frozenset[str] = frozenset()

    def __getitem__(self, name: str) -> Op:
        return self._rows[name]

    def __setitem__(self, name: str, op: Op) -> None:
        if not isinstance(op, Op):
            raise TypeError(f"the op table holds Op rows, got {type(op).__name__} {op!r}")
        if name != op.name:
            raise ValueError(f"row {op.name!r} must be registered under its own name, not {name!r}")
        if name in self.builtin:
            raise ValueError(f"{name!r} is a built-in primitive and cannot be replaced")
        self._rows[name] = op
        install_method(name, op)

    def __delitem__(self, name: str) -> None:
        if name in self.builtin:
            raise ValueError(f"{name!r} is a built-in primitive and cannot be removed")
        del self._rows[name]
        install_method(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._rows))

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"<op table: {', '.join(self._rows)}>"


REGISTRY = Registry()
"""Every primitive by name: the built-ins below and those added with `primitive()`."""


def primitive(
    name: str,
    forward: Callable[..., float],
    derivative: Callable[..., tuple[Any, ...]],
    domain: str = "",
    *,
    arity: int | None | str = "infer",
    notation: Sequence[str] = (),
    kinks: Sequence[float] = (),
    doc: str = "",
    numpy: Callable[..., Any] | str | None = None,
    bounds: Bounds = (),
) -> Op:
    """Add a primitive to the table: one row. Returns the row, which is also its function.

    `forward(*floats) -> float`; `derivative(out, *inputs) -> tuple` with one local derivative per
    input, written with operators and table functions so it works on floats and on Values
    (then `create_graph` and higher derivatives work for it). `domain` describes valid inputs for
    error messages, e.g. `'x > 0'`; `notation` the local derivatives as text over `{out}`, `{x}`,
    `{y}`; `kinks` where the derivative jumps; `arity` is read from `derivative`'s signature
    unless given (None: any number of inputs). The row then appears by itself as
    `autograd.<name>`, as the method `Value.<name>` (when the name is free there), in
    `autograd.strategies.PRIMITIVES`, in `explain` and `steps`. A user primitive may replace an
    earlier user primitive of the same name; the built-ins cannot be replaced. A derivative that
    returns the wrong number of entries, or a forward that returns something other than a real
    number, raises `TypeError` naming the primitive. Check a new rule with `gradcheck` and
    `gradgradcheck`.

    >>> cube = primitive('cube', lambda x: x**3, lambda out, x: (3 * x**2,), notation=('3·{x}²',))
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"a primitive needs a non-empty name, got {name!r}")
    if not callable(forward) or not callable(derivative):
        raise TypeError(f"primitive {name!r}: forward and derivative must be callable")
    if name in REGISTRY.builtin:
        raise ValueError(f"{name!r} is a built-in primitive and cannot be replaced")
    if not isinstance(domain, str):
        raise TypeError(f"primitive {name!r}: domain must be a str, got {domain!r}")
    inputs = _arity_of(derivative) if arity == "infer" else arity
    if inputs is not None and (
        isinstance(inputs, bool) or not isinstance(inputs, int) or inputs < 1
    ):
        raise ValueError(
            f"primitive {name!r}: arity must be a whole number >= 1 or None, got {inputs!r}"
        )

    def float_forward(*xs: float) -> float:
        result = forward(*xs)
        if isinstance(result, bool) or not isinstance(result, Real):
            raise TypeError(
                f"primitive {name!r}: forward must return a real number, "
                f"got {type(result).__name__} {result!r}"
            )
        return float(result)

    @wraps(derivative)  # keeps the rule's signature visible to tools that read it
    def checked_derivative(out: Scalar, *inputs: Scalar) -> tuple[Any, ...]:
        local = derivative(out, *inputs)
        if not isinstance(local, (tuple, list)) or len(local) != len(inputs):
            raise TypeError(
                f"primitive {name!r}: derivative must return a tuple with one local derivative "
                f"per input ({len(inputs)}), got {local!r}"
            )
        return tuple(local)

    op = Op(
        name,
        inputs,
        float_forward,
        checked_derivative,
        notation=_checked_notation(name, notation, inputs),
        domain=domain,
        kinks=_checked_points(name, kinks),
        doc=_checked_text(name, doc, "doc"),
        numpy=_checked_numpy(name, numpy),
        bounds=_checked_bounds(name, bounds, inputs),
    )
    REGISTRY[name] = op
    return op


_PLACEHOLDERS = {"out": "out", "x": "x", "y": "y", "other": "other"}


def _checked_notation(name: str, notation: Sequence[str], arity: int | None) -> tuple[str, ...]:
    """Templates over {out} {x} {y} {other}: one per input (one for a variadic op)."""
    if isinstance(notation, str):
        notation = (notation,)
    texts = tuple(notation)
    if texts and len(texts) != (arity or 1):
        raise ValueError(
            f"primitive {name!r}: notation needs {arity or 1} entries (one per "
            f"input), got {len(texts)}"
        )
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"primitive {name!r}: notation entries must be str, got {text!r}")
        try:
            text.format(**_PLACEHOLDERS)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                f"primitive {name!r}: notation {text!r} may use only {{out}}, {{x}}, {{y}}, "
                f"{{other}} ({type(error).__name__}: {error})"
            ) from None
    return texts


def _checked_points(name: str, points: Sequence[float]) -> tuple[float, ...]:
    try:
        return tuple(number(k, f"primitive {name!r}: a kink", finite=True) for k in points)
    except TypeError as error:
        raise TypeError(f"primitive {name!r}: kinks must be numbers ({error})") from None


def _checked_text(name: str, text: str, what: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"primitive {name!r}: {what} must be a str, got {text!r}")
    return text


def _checked_numpy(name: str, spelling: Any) -> Callable[..., Any] | str | None:
    if spelling is None or callable(spelling):
        return spelling  # type: ignore[no-any-return]
    if isinstance(spelling, str) and spelling.isidentifier() and spelling.isascii():
        return spelling
    raise TypeError(
        f"primitive {name!r}: numpy must be a NumPy function name, a callable or "
        f"None, got {spelling!r}"
    )


def _checked_bounds(name: str, bounds: Any, arity: int | None) -> Bounds:
    """Boxes (low, high) of finite numbers, one per input (any number for a variadic op)."""
    boxes = tuple(bounds)
    if boxes and arity is not None and len(boxes) != arity:
        raise ValueError(
            f"primitive {name!r}: bounds needs one (low, high) per input "
            f"({arity}), got {len(boxes)}"
        )
    checked = []
    for box in boxes:
        try:
            low, high = box
            low = number(low, "low", finite=True)
            high = number(high, "high", finite=True)
        except (TypeError, ValueError):
            raise ValueError(
                f"primitive {name!r}: bounds entries must be (low, high) pairs of "
                f"finite numbers, got {box!r}"
            ) from None
        if low > high:
            raise ValueError(f"primitive {name!r}: bounds {box!r} has low > high")
        checked.append((low, high))
    return tuple(checked)


def _arity_of(derivative: Callable[..., Any]) -> int | None:
    """The number of inputs a rule `derivative(out, *inputs)` takes; None if it takes any."""
    try:
        parameters = list(inspect.signature(derivative).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in parameters if p.kind in positional and p.default is p.empty]
    return max(len(required) - 1, 1)


def _define(op: Op) -> Op:
    REGISTRY[op.name] = op
    return op


def _family(make: Callable[..., Op], *defaults: float) -> Op:
    """Register the family whose row for parameters `p` is `make(*p)`; `defaults` is its row."""
    row = make(*defaults)
    row._make = make
    row._bound[defaults] = row
    return _define(row)


# -- the built-in rows ----------------------------------------------------------------------------


def _sigmoid(x: float) -> float:
    """1/(1 + e⁻ˣ), computed without overflow for large |x|."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _relu(x: float) -> float:
    """max(0, x), with nan passed on as PyTorch does (`not x <= 0` is True for nan)."""
    return x if not x <= 0.0 else 0.0


def _dot(*xs: float) -> float:
    half = len(xs) // 2
    total: float = _builtin_sum(map(operator.mul, xs[:half], xs[half:]))
    return total


def _constant_rule(
    name: str, arity: int | None, derivative: Callable[..., Any]
) -> tuple[float, ...]:
    """The local derivatives of a rule declared constant, evaluated once on inputs it must not
    read (None: any arithmetic on one raises)."""
    if arity:
        try:
            local = tuple(derivative(*(None,) * (arity + 1)))
        except Exception:  # it read an input
            local = ()
        if len(local) == arity and all(type(d) is float for d in local):
            return local
    raise ValueError(f"primitive {name!r}: constant=True, but its derivative reads its inputs")


def _swapping_rule(name: str, arity: int | None, derivative: Callable[..., Any]) -> bool:
    """True for a rule declared swapping that is, for inputs x₁…xₙ y₁…yₙ, ∂out/∂xₖ = yₖ and
    ∂out/∂yₖ = xₖ (x·y: (y, x); dot: the halves swapped), tried on 2 inputs (and 6: variadic)."""
    sizes = (2,) if arity == 2 else (2, 6) if arity is None else ()
    if not sizes or not all(_swapped(derivative, n) for n in sizes):
        raise ValueError(f"primitive {name!r}: swaps=True, but its derivative is not the swap")
    return True


def _swapped(derivative: Callable[..., Any], n: int) -> bool:
    """Whether `derivative` of n named inputs returns them with the two halves swapped."""
    names = tuple(f"input {k}" for k in range(n))
    try:
        return tuple(derivative(None, *names)) == names[n // 2 :] + names[: n // 2]
    except Exception:  # it computed with an input
        return False


def _d_pow_base(x: Scalar, y: Scalar) -> Scalar:
    """∂(x**y)/∂x = y·x**(y − 1), with PyTorch's values at a zero base: 0 where y = 0, and +inf
    at x = 0 for 0 < y < 1 (computed only because x is an input, often a constant)."""
    if float(y) == 0.0:
        return 0.0
    if float(x) == 0.0 and float(y) < 1.0:
        return Value(math.inf, allow_nonfinite=True) if isinstance(x, Value) else math.inf
    return y * x ** (y - 1)


def _d_pow_exponent(out: Scalar, x: Scalar) -> Scalar:
    """∂(x**y)/∂y = x**y · log x; at x = 0 this is 0 (PyTorch's value: the limit for y > 0)."""
    return 0.0 if float(x) == 0.0 else out * LOG(x)


def _cos(x: Scalar) -> Scalar:
    """cos, for sin's rule (the row COS is defined after SIN)."""
    return COS(x)


def _g(x: float) -> str:
    """A parameter in text: 2, 0.5, -1.5, 0.333333 (as `x**n` has always been shown)."""
    return f"{x:g}"


def _power(n: float) -> Op:
    """The row of x**n for a constant n: d/dx xⁿ = n·xⁿ⁻¹ (and d/dx x⁰ = 0, also at x = 0)."""
    whole = n == int(n)
    if n == 0.0:
        notation, rule = "0", (lambda out, x: (0.0,))
    else:
        exponent = "" if n - 1 == 1 else f"^{_g(n - 1)}" if n - 1 >= 0 else f"^({_g(n - 1)})"
        notation = "1" if n == 1 else f"{_g(n)}·{{x}}{exponent}"
        rule = lambda out, x: (n * x ** (n - 1),)  # noqa: E731
    return Op(
        "power",
        1,
        lambda x: math.pow(x, n),
        rule,
        notation=(notation,),
        domain="x > 0 for a fractional exponent, x != 0 for a negative one",
        kinks=() if whole and n >= 1 else (0.0,),
        params={"n": n},
        numpy="power",
        doc="x**n for a constant exponent n",
        syntax=f"{{0}}**{_g(n)}" if n >= 0 else f"{{0}}**({_g(n)})",
        title=f"**{_g(n)}",
        bounds=(POSITIVE if not whole else SMALL if abs(n) >= 3 else WIDE,),
        examples=({"n": 2.0}, {"n": 3.0}, {"n": -1.0}, {"n": 0.5}, {"n": -1.5}),
    )


def _leaky_relu(slope: float) -> Op:
    """The row of x if x > 0 else slope·x: d/dx = 1 if x > 0 else slope."""
    default = slope == 0.01
    return Op(
        "leaky_relu",
        1,
        lambda x: x if not x <= 0.0 else slope * x,
        lambda out, x: (1.0 if x > 0 else slope,),
        notation=(f"1 if {{x}} > 0 else {_g(slope)}",),
        kinks=(0.0,),
        params={"slope": slope},
        doc="x if x > 0 else slope·x",
        syntax="leaky_relu({0})" if default else f"leaky_relu({{0}}, {_g(slope)})",
        title="leaky_relu" if default else f"leaky_relu({_g(slope)})",
        examples=({"slope": 0.01}, {"slope": 0.2}),
    )


# fmt: off
# name, arity, float forward, derivative(out, *inputs) -> ∂out/∂input for each input; then the story
ADD = _define(Op("+", 2, operator.add, lambda out, x, y: (1.0, 1.0), constant=True,
                 notation=("1", "1"), numpy="add", doc="x + y", syntax="{0} + {1}"))
SUB = _define(Op("-", 2, operator.sub, lambda out, x, y: (1.0, -1.0), constant=True,
                 notation=("1", "−1"), numpy="subtract", doc="x − y", syntax="{0} - {1}"))
MUL = _define(Op("*", 2, operator.mul, lambda out, x, y: (y, x), swaps=True,
                 notation=("{y}", "{x}"), numpy="multiply", doc="x·y", syntax="{0} * {1}"))
DIV = _define(Op("/", 2, operator.truediv, lambda out, x, y: (1.0 / y, -out / y),
                 notation=("1/{y}", "−{out}/{y}"), domain="y != 0", kinks=(0.0,),
                 numpy="divide", doc="x/y", syntax="{0} / {1}"))
POW = _define(Op("**", 2, math.pow, lambda out, x, y: (_d_pow_base(x, y), _d_pow_exponent(out, x)),
                 notation=("{y}·{x}^({y} − 1)", "{out}·log {x}"),
                 domain="x > 0 for a fractional exponent, x != 0 for a negative one",
                 kinks=(0.0,), numpy="power", doc="x**y", syntax="{0} ** {1}",
                 bounds=(POSITIVE, (-3.0, 3.0))))
NEG = _define(Op("neg", 1, operator.neg, lambda out, x: (-1.0,), constant=True,
                 notation=("−1",), numpy="negative", doc="−x", syntax="-{0}"))
EXP = _define(Op("exp", 1, math.exp, lambda out, x: (out,),
                 notation=("{out}",), numpy="exp", doc="eˣ", bounds=((-20.0, 20.0),)))
LOG = _define(Op("log", 1, math.log, lambda out, x: (1.0 / x,),
                 notation=("1/{x}",), domain="x > 0", kinks=(0.0,), numpy="log",
                 doc="the natural logarithm ln x", bounds=(POSITIVE,)))
SQRT = _define(Op("sqrt", 1, math.sqrt, lambda out, x: (0.5 / out,),
                  notation=("1/(2·{out})",), domain="x >= 0", kinks=(0.0,), numpy="sqrt",
                  doc="√x", bounds=(POSITIVE,)))
TANH = _define(Op("tanh", 1, math.tanh, lambda out, x: (1.0 - out * out,),
                  notation=("1 − {out}²",), numpy="tanh",
                  doc="tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)", bounds=(SMALL,)))
SIGMOID = _define(Op("sigmoid", 1, _sigmoid, lambda out, x: (out * (1.0 - out),),
                     notation=("{out}·(1 − {out})",), doc="σ(x) = 1/(1 + e⁻ˣ)", bounds=(SMALL,)))
RELU = _define(Op("relu", 1, _relu, lambda out, x: (float(x > 0),),
                  notation=("1 if {x} > 0 else 0",), kinks=(0.0,), doc="max(0, x)"))
ABS = _define(Op("abs", 1, math.fabs, lambda out, x: (float(x > 0) - float(x < 0),),
                 notation=("sign({x})",), kinks=(0.0,), numpy="abs", doc="|x|"))
SIN = _define(Op("sin", 1, math.sin, lambda out, x: (_cos(x),),
                 notation=("cos({x})",), numpy="sin", doc="sin x"))
COS = _define(Op("cos", 1, math.cos, lambda out, x: (-SIN(x),),
                 notation=("−sin({x})",), numpy="cos", doc="cos x"))
SUM = _define(Op("sum", None, lambda *xs: _builtin_sum(xs), lambda out, *xs: (1.0,) * len(xs),
                 notation=("1",), doc="x₁ + x₂ + … + xₙ as one node", bounds=(WIDE,) * 3))
DOT = _define(Op("dot", None, _dot, lambda out, *xs: xs[len(xs) // 2:] + xs[:len(xs) // 2],
                 swaps=True, notation=("{other}",), doc="x₁y₁ + … + xₙyₙ, inputs x₁…xₙ then y₁…yₙ",
                 bounds=(SMALL,) * 4))
POWER = _family(_power, 2.0)
LEAKY_RELU = _family(_leaky_relu, 0.01)
# fmt: on
_apply_dot = variadic(DOT)

REGISTRY.builtin = frozenset(REGISTRY)


def __getattr__(name: str) -> Op:
    """`ops.tanh`, `ops.exp`, …: each named row is the function that applies it."""
    row = REGISTRY.get(name)
    if row is None or not name.isidentifier():
        raise AttributeError(f"module 'autograd.ops' has no attribute {name!r}")
    return row


def sum_values(values: Sequence[Scalar]) -> Scalar:
    """Σ xᵢ as one node with n parents (∂/∂xᵢ = 1), instead of a chain of n - 1 additions."""
    values = list(values)
    if not values:
        return 0.0
    return SUM(*values)


def dot(xs: Sequence[Scalar], ys: Sequence[Scalar]) -> Scalar:
    """Σ xᵢyᵢ as one node (∂/∂xᵢ = yᵢ, ∂/∂yᵢ = xᵢ); both lists must have the same length."""
    if type(xs) is not list or type(ys) is not list:
        xs, ys = list(xs), list(ys)
    if len(xs) != len(ys):
        raise ValueError(f"dot: lengths differ, {len(xs)} and {len(ys)}")
    if not xs:
        return 0.0
    if isinstance(xs[0], Value):  # the common case, without the op's checks (~10% of a dot)
        return _apply_dot((*xs, *ys))
    return DOT(*xs, *ys)


# -- the rules in words -------------------------------------------------------------------------


def rule_text(node: Value, index: int, names: Mapping[Value, str]) -> tuple[str, str]:
    """The local derivative ∂node/∂(input `index`) as (symbols, numbers), from the row's notation.

    `names` names Values (e.g. from `steps.name_nodes`); `{out}` reads as the node's formula.
    For tanh(u) with u named 'u': `('1 − tanh(u)²', '1 − 0.4621²')`.
    """
    op = node.operation
    if op is None:
        raise ValueError(f"rule_text: {node!r} is a leaf; it has no local derivatives")
    parents = node.parents
    if not 0 <= index < len(parents):
        raise IndexError(f"rule_text: {op.name} has {len(parents)} inputs, not input {index}")
    template = op.notation[min(index, len(op.notation) - 1)]
    half = len(parents) // 2
    other = parents[(index + half) % len(parents)] if parents else node
    operands = {
        "x": parents[0],
        "y": parents[1] if len(parents) > 1 else parents[0],
        "other": other,
    }

    def name_of(value: Value) -> str:
        if value in names:
            return names[value]
        return format_number(value.data) if value.is_leaf else formula(value, names)

    symbols = {key: name_of(value) for key, value in operands.items()}
    symbols["out"] = _grouped(formula(node, names))
    alone = template.strip("{}") in operands or template == "{out}"  # a bare number: no brackets
    number = format_number if alone else _number_text
    numbers = {key: number(value.data) for key, value in operands.items()}
    numbers["out"] = number(node.data)
    return template.format(**symbols), template.format(**numbers)


def formula(node: Value, names: Mapping[Value, str]) -> str:
    """How `node` was computed from its named inputs: `w * x`, `n2**2`, `-a`, `tanh(n1)`."""
    op = node.operation
    if op is None:
        return names.get(node, format_number(node.data))
    inputs = [names.get(parent, format_number(parent.data)) for parent in node.parents]
    if op.syntax and (op.arity is None or len(inputs) == op.arity):
        return op.syntax.format(*inputs)
    return f"{op.name}({', '.join(inputs)})"


def _grouped(text: str) -> str:
    """`text` as one factor: parenthesised unless it is a name or a call."""
    if " " not in text and not text.startswith("-"):
        return text
    if text.endswith(")") and text.split("(", 1)[0].isidentifier():
        return text
    return f"({text})"


def _number_text(x: float) -> str:
    """A number inside a formula: negative ones in parentheses."""
    return f"({format_number(x)})" if x < 0 else format_number(x)

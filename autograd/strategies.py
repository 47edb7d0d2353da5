"""Hypothesis strategies for property tests of gradients (needs the `test` extra: hypothesis).

    from hypothesis import given
    from autograd import gradcheck, strategies

    @given(strategies.expressions())
    def test_random_expressions(e):
        assert gradcheck(e.fn, e.inputs)

`PRIMITIVES` is one table of every primitive form (operators with Value and number operands,
reflected forms, the functions of `autograd`), each with a plain-`math` reference, the box its
operands are drawn from and the points its derivative jumps or blows up at (kinks and poles).
The strategies and the project's own op catalogue test both read it.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from . import ops
from .value import Scalar, Value

C = 1.5  # the number operand of the mixed forms `x + c`, `c - x`, …


@dataclass(frozen=True)
class Primitive:
    """One primitive form: how the engine computes it and how plain `math` does.

    `template` renders it around operand texts (`'({0} * {1})'`); `bounds[i]` is the box the i-th
    operand is drawn from (and must lie in for `expressions`); `avoid[i]` are the kinks and
    poles of the i-th operand, where derivatives jump or blow up.
    """

    name: str
    engine: Callable[..., Scalar]
    reference: Callable[..., float]
    template: str
    bounds: tuple[tuple[float, float], ...]
    avoid: tuple[tuple[float, ...], ...] = ()

    @property
    def arity(self) -> int:
        return len(self.bounds)

    def kinks(self, i: int) -> tuple[float, ...]:
        """The points to keep the i-th operand away from."""
        return self.avoid[i] if i < len(self.avoid) else ()

    def accepts(self, operands: Sequence[float], margin: float) -> bool:
        """True when every operand lies in its box, at least `margin` from its kinks and poles."""
        return all(
            low <= x <= high and all(abs(x - k) >= margin for k in self.kinks(i))
            for i, (x, (low, high)) in enumerate(zip(operands, self.bounds))
        )

    def arguments(self, margin: float = 1e-3) -> st.SearchStrategy[tuple[float, ...]]:
        """Operand tuples inside the boxes, away from the kinks and poles."""
        return st.tuples(
            *[
                floats(low, high, avoid=self.kinks(i), margin=margin)
                for i, (low, high) in enumerate(self.bounds)
            ]
        )

    def render(self, operands: Sequence[str]) -> str:
        """The template around operand texts; inside a call's parentheses they need none."""
        if not self.template.startswith("("):
            operands = [_unwrapped(text) for text in operands]
        return self.template.format(*operands)


def _sigmoid(x: float) -> float:
    """σ(x) = exp(-softplus(-x)), softplus(z) = max(z, 0) + log(1 + e^-|z|): accurate for any x."""
    return math.exp(-(max(-x, 0.0) + math.log1p(math.exp(-abs(x)))))


REFERENCES: dict[str, Callable[..., float]] = {
    "**": math.pow,
    "c**x": lambda x: math.exp(x * math.log(C)),
    "**2": lambda x: x * x,
    "**3": lambda x: x * x * x,
    "**-1": lambda x: 1.0 / x,
    "**0.5": math.sqrt,
    "**-1.5": lambda x: 1.0 / (x * math.sqrt(x)),
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: max(x, 0.0),
    "leaky_relu": lambda x: x if x > 0.0 else 0.01 * x,
    "leaky_relu(0.2)": lambda x: x if x > 0.0 else 0.2 * x,
    "abs": math.fabs,
    "sin": math.sin,
    "cos": math.cos,
    "sum": lambda x, y, z: x + y + z,
    "dot": lambda a, b, x, y: a * x + b * y,
}
"""Plain-`math` oracles for the built-in forms, written independently of the op table's
forwards. A form without one (a user's primitive) is checked against its row's forward."""

_OPERATORS: dict[str, Callable[..., Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
    "neg": operator.neg,
}
"""Rows that are Python operators: their forms are written with the operator itself, so an
expression evaluates with any number type (floats, Values, another library's tensors)."""


def _forms(op: ops.Op) -> list[Primitive]:
    """The catalogue forms of one row: each example's parameters, and for a binary operator also
    the mixed forms `x + c`, `c + x` with the number `C`."""
    forms = []
    for params in op.examples:
        bound = op.bind(**params)
        arity = len(bound.bounds) if bound.arity is None else bound.arity
        bounds = tuple(bound.bounds[i % len(bound.bounds)] for i in range(arity))
        avoid = (bound.kinks,) * arity
        name = bound.title
        if op.name in _OPERATORS:
            engine = _OPERATORS[op.name]
        elif op.name == "power":
            engine = functools.partial(_power, n=bound.params["n"])
        else:
            engine = bound
        operands = [f"{{{i}}}" for i in range(arity)]
        if bound.syntax:
            template = bound.syntax.format(*operands)
        else:
            template = f"{op.name}({', '.join(operands)})"
        if not template.split("(", 1)[0].isidentifier():  # an operator: parenthesised
            template = f"({template})"
        reference = REFERENCES.get(name, bound.forward)
        forms.append(Primitive(name, engine, reference, template, bounds, avoid))
    if op.name in _OPERATORS and op.arity == 2:
        for side, (bound_x, kinks) in (
            ("x{}c", (op.bounds[0], op.kinks)),
            ("c{}x", (op.bounds[1], op.kinks)),
        ):
            name = side.format(op.name)
            if name == "x**c":
                continue  # the power row's forms
            function = _OPERATORS[op.name]
            if side == "x{}c":
                engine = functools.partial(_with_constant_right, function)
                template = f"({{0}} {op.name} {C})"
            else:
                engine = functools.partial(_with_constant_left, function)
                template = f"({C} {op.name} {{0}})"
            reference = REFERENCES.get(name, engine)
            forms.append(Primitive(name, engine, reference, template, (bound_x,), (kinks,)))
    return forms


def _power(x: Any, n: float) -> Any:
    return x**n


def _with_constant_right(function: Callable[..., Any], x: Any) -> Any:
    return function(x, C)


def _with_constant_left(function: Callable[..., Any], x: Any) -> Any:
    return function(C, x)


class _Catalogue(Mapping[str, Primitive]):
    """Every form of every row of the op table, by name; rebuilt when the table changes."""

    def __init__(self) -> None:
        self._rows: tuple[ops.Op, ...] = ()
        self._forms: dict[str, Primitive] = {}

    def _current(self) -> dict[str, Primitive]:
        rows = tuple(ops.REGISTRY.values())
        if rows != self._rows:
            self._forms = {form.name: form for op in rows for form in _forms(op)}
            self._rows = rows
        return self._forms

    def __getitem__(self, name: str) -> Primitive:
        return self._current()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


PRIMITIVES: Mapping[str, Primitive] = _Catalogue()
"""Every primitive form by name, derived from the op table (`autograd.ops.REGISTRY`): operators
with Value and number operands, each parametric family's examples (`**2`, `leaky_relu(0.2)`),
every named row, and any primitive added at run time. Bounds and kinks are the rows'."""


# -- numbers and Values ------------------------------------------------------------------------


def floats(
    min_value: float = -10.0,
    max_value: float = 10.0,
    avoid: Iterable[float] = (),
    margin: float = 1e-3,
) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], at least `margin` away from each point in `avoid`.

    `avoid` holds kinks and poles, e.g. `floats(0, 10, avoid=(0.0,))` for `log`. The allowed set
    is built as a union of intervals, so nothing is drawn and thrown away.
    """
    low, high = _finite(min_value, "min_value"), _finite(max_value, "max_value")
    margin = _finite(margin, "margin")
    if low > high or margin < 0.0:
        raise ValueError(
            f"floats: needs min_value <= max_value and margin >= 0, got "
            f"{min_value!r}, {max_value!r}, margin {margin!r}"
        )
    intervals = [(low, high)]
    for point in sorted(_finite(k, "avoid point") for k in avoid):
        intervals = [
            piece
            for start, end in intervals
            for piece in ((start, min(end, point - margin)), (max(start, point + margin), end))
            if piece[0] <= piece[1]
        ]
    if not intervals:
        raise ValueError(
            f"floats: nothing in [{low!r}, {high!r}] is {margin!r} away from {tuple(avoid)!r}"
        )
    points = tuple(avoid)
    return st.one_of(
        *[
            st.floats(start, end, allow_nan=False, allow_infinity=False, allow_subnormal=False)
            for start, end in intervals
        ]
    ).filter(lambda x: all(abs(x - k) >= margin for k in points))  # rounding at the ends


def values(
    min_value: float = -10.0,
    max_value: float = 10.0,
    avoid: Iterable[float] = (),
    margin: float = 1e-3,
    label: str = "",
) -> st.SearchStrategy[Value]:
    """Leaf Values holding `floats(min_value, max_value, avoid, margin)`."""
    return floats(min_value, max_value, tuple(avoid), margin).map(lambda x: Value(x, label))


def value_lists(
    min_size: int = 1,
    max_size: int = 5,
    min_value: float = -10.0,
    max_value: float = 10.0,
    avoid: Iterable[float] = (),
    margin: float = 1e-3,
) -> st.SearchStrategy[list[Value]]:
    """Lists of distinct leaf Values (see `values`), between min_size and max_size long."""
    element = values(min_value, max_value, tuple(avoid), margin)
    return st.lists(element, min_size=min_size, max_size=max_size)


def _finite(x: float, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number, got {x!r}")
    return float(x)


# -- random expression DAGs --------------------------------------------------------------------


class Expression:
    """A random expression DAG over primitives from `PRIMITIVES`, with the point it was drawn at.

    `fn(*xs)` evaluates it with the engine (Values in → Value out; floats in → float out),
    `reference(*floats)` with plain `math` through the table's references (no engine code),
    `inputs` are the floats drawn. Each node's operands lie in its primitive's box, at least the
    drawn margin away from kinks and poles, so `gradcheck(e.fn, e.inputs)` is meaningful.
    `text` is the expression; a node used more than once is named (`v1`) and defined after
    `where`.
    """

    def __init__(
        self, inputs: Sequence[float], nodes: Sequence[tuple[Primitive, tuple[int, ...]]]
    ) -> None:
        self.inputs = [float(x) for x in inputs]
        self.nodes = tuple(nodes)  # operand index i < len(inputs) is input i, else node i - n
        self.text = self._render()

    def fn(self, *xs: Scalar) -> Scalar:
        """The expression, computed by the engine."""
        result: Scalar = self.evaluate_with(xs, lambda primitive: primitive.engine)
        return result

    def reference(self, *xs: float) -> float:
        """The expression, computed with plain floats and `math`."""
        result: float = self.evaluate_with(
            [float(x) for x in xs], lambda primitive: primitive.reference
        )
        return result

    def evaluate_with(
        self, xs: Sequence[Any], pick: Callable[[Primitive], Callable[..., Any]]
    ) -> Any:
        """The expression at `xs`, each node computed by `pick(primitive)`: e.g. another library's
        functions, to use it as an oracle."""
        if len(xs) != len(self.inputs):
            raise TypeError(f"the expression takes {len(self.inputs)} inputs, got {len(xs)}")
        results = list(xs)
        for primitive, operands in self.nodes:
            results.append(pick(primitive)(*[results[i] for i in operands]))
        return results[-1]

    def _render(self) -> str:
        count = len(self.inputs)
        uses = [0] * (count + len(self.nodes))
        for _, operands in self.nodes:
            for i in operands:
                uses[i] += 1
        texts = [f"x{i}" for i in range(count)]
        definitions: list[str] = []
        for index, (primitive, operands) in enumerate(self.nodes, start=count):
            text = primitive.render([texts[i] for i in operands])
            if uses[index] > 1:
                name = f"v{len(definitions) + 1}"
                definitions.append(f"{name} = {_unwrapped(text)}")
                text = name
            texts.append(text)
        root = _unwrapped(texts[-1])
        return f"{root} where {'; '.join(definitions)}" if definitions else root

    def __repr__(self) -> str:
        point = ", ".join(f"x{i}={x!r}" for i, x in enumerate(self.inputs))
        return f"<expression {self.text} at {point}>"


def _unwrapped(text: str) -> str:
    """`text` without one pair of parentheses around all of it."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and position < len(text) - 1:
            return text
    return text[1:-1]


def expressions(
    primitives: Iterable[str] | None = None,
    max_nodes: int = 8,
    max_inputs: int = 3,
    min_value: float = -3.0,
    max_value: float = 3.0,
    margin: float = 0.01,
    max_magnitude: float = 100.0,
) -> st.SearchStrategy[Expression]:
    """Random expression DAGs with node reuse over `primitives` (names in `PRIMITIVES`; all).

    Draws 1..max_inputs inputs in [min_value, max_value], then up to `max_nodes` nodes, each a
    primitive applied to earlier nodes or inputs (any of them, so nodes are reused). A node is
    kept only when its operands are in the primitive's box, `margin` away from its kinks and
    poles, and its value stays within ±max_magnitude; the last node is the output and nodes it
    does not reach are dropped.
    """
    chosen = _choose(primitives)
    for number, what in ((max_nodes, "max_nodes"), (max_inputs, "max_inputs")):
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"expressions: {what} must be a whole number >= 1, got {number!r}")
    inputs = st.lists(floats(min_value, max_value), min_size=1, max_size=max_inputs)
    return _expressions(chosen, inputs, max_nodes, margin, _finite(max_magnitude, "max_magnitude"))


@st.composite
def _expressions(
    draw: st.DrawFn,
    chosen: list[Primitive],
    input_lists: st.SearchStrategy[list[float]],
    max_nodes: int,
    margin: float,
    max_magnitude: float,
) -> Expression:
    inputs = draw(input_lists)
    results = list(inputs)
    nodes: list[tuple[Primitive, tuple[int, ...]]] = []
    for _ in range(draw(st.integers(1, max_nodes))):
        primitive = draw(st.sampled_from(chosen))
        last = len(results) - 1
        operands = tuple(last - draw(st.integers(0, last)) for _ in range(primitive.arity))
        if draw(st.booleans()):  # grow from the latest node, so that fewer nodes are dead ends
            operands = (last, *operands[1:])
        arguments = [results[i] for i in operands]
        if not primitive.accepts(arguments, margin):
            continue
        try:
            result = primitive.reference(*arguments)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        if abs(result) <= max_magnitude:
            nodes.append((primitive, operands))
            results.append(result)
    assume(nodes)  # e.g. only `log` chosen and every input negative
    return Expression(inputs, _reachable(len(inputs), nodes))


def _choose(names: Iterable[str] | None) -> list[Primitive]:
    if names is None:
        return list(PRIMITIVES.values())
    if isinstance(names, str):
        names = [names]
    chosen = []
    for name in names:
        if name not in PRIMITIVES:
            raise ValueError(f"unknown primitive {name!r}; choose from {sorted(PRIMITIVES)}")
        chosen.append(PRIMITIVES[name])
    if not chosen:
        raise ValueError("expressions: choose at least one primitive")
    return chosen


def _reachable(
    count: int, nodes: list[tuple[Primitive, tuple[int, ...]]]
) -> list[tuple[Primitive, tuple[int, ...]]]:
    """The nodes the last one depends on, renumbered; the inputs all stay."""
    needed = {count + len(nodes) - 1}
    for index in range(count + len(nodes) - 1, count - 1, -1):
        if index in needed:
            needed.update(nodes[index - count][1])
    renumber = {i: i for i in range(count)}
    kept: list[tuple[Primitive, tuple[int, ...]]] = []
    for index, (primitive, operands) in enumerate(nodes, start=count):
        if index in needed:
            renumber[index] = count + len(kept)
            kept.append((primitive, tuple(renumber[i] for i in operands)))
    return kept

"""Each primitive's rule as source text: the op table evaluated once on symbolic operands.

Nothing here knows a particular primitive. An op's forward and derivative rule are called on
`Expr` operands, which record the arithmetic the rule does as source text; a data-dependent
choice (`float(x > 0)` for relu) is explored both ways and becomes a conditional expression
(`(a if c else b)` for floats, `where(c, a, b)` for arrays). A rule that does anything else with
its operands (calls `math.exp`, `float(x)`, a table function, …) raises `Untraceable`: the
emitted code then calls the rule itself. On Python >= 3.12 a variadic primitive (`sum`, `dot`)
is always called: its forward reduces with the builtin `sum`, whose rounding (compensated there)
a written-out chain of additions would not reproduce.
"""

from __future__ import annotations

import math
import string
import sys
from collections.abc import Callable
from typing import Any

from ..ops import Op

# Operator precedence of the text an Expr holds, as Python parses it (higher binds tighter).
ADDITIVE, MULTIPLICATIVE, UNARY, POWER, ATOM = 1, 2, 3, 4, 5

FAITHFUL_SUM = sys.version_info < (3, 12)
"""Before Python 3.12 the builtin `sum` of floats adds left to right, exactly as the written-out
chain of additions does; from 3.12 it compensates rounding, so a variadic op is called instead."""

MAX_INLINE_ARITY = 64
"""A variadic op with more operands than this is called, not written out (CPython's compiler
limits how deeply an expression nests)."""

MAX_PATHS = 16
"""A rule with more data-dependent paths than this is called instead of inlined."""

IF_ELSE = "({0} if {1} else {2})"
WHERE = "where({1}, {0}, {2})"
"""How a data-dependent choice is written: for floats, or elementwise for NumPy arrays."""

Pieces = tuple[str | int, ...]
"""A template as literal text and operand indices: ('g * ', 2, ' + 1.0'); `render` fills it."""


class Untraceable(Exception):
    """A rule did something with a symbolic operand other than arithmetic and comparisons."""


class Expr:
    """A symbolic float: the source text of an expression and how tightly it binds.

    Arithmetic on Exprs (and numbers) gives Exprs whose text does exactly that arithmetic, in the
    same order; a comparison gives a `Condition`. Anything else (`float(e)`, `math.exp(e)`)
    raises `Untraceable`.
    """

    __slots__ = ("text", "precedence", "paths")

    def __init__(self, text: str, precedence: int, paths: PathExplorer) -> None:
        self.text = text
        self.precedence = precedence
        self.paths = paths

    def _binary(self, left: Any, symbol: str, right: Any, precedence: int) -> Expr:
        left_text = operand_text(left, precedence, strict=precedence == POWER)
        right_text = operand_text(
            right, UNARY if precedence == POWER else precedence, strict=precedence != POWER
        )
        return Expr(f"{left_text} {symbol} {right_text}", precedence, self.paths)

    def __add__(self, other: Any) -> Expr:
        return self._binary(self, "+", other, ADDITIVE)

    def __radd__(self, other: Any) -> Expr:
        return self._binary(other, "+", self, ADDITIVE)

    def __sub__(self, other: Any) -> Expr:
        return self._binary(self, "-", other, ADDITIVE)

    def __rsub__(self, other: Any) -> Expr:
        return self._binary(other, "-", self, ADDITIVE)

    def __mul__(self, other: Any) -> Expr:
        return self._binary(self, "*", other, MULTIPLICATIVE)

    def __rmul__(self, other: Any) -> Expr:
        return self._binary(other, "*", self, MULTIPLICATIVE)

    def __truediv__(self, other: Any) -> Expr:
        return self._binary(self, "/", other, MULTIPLICATIVE)

    def __rtruediv__(self, other: Any) -> Expr:
        return self._binary(other, "/", self, MULTIPLICATIVE)

    def __pow__(self, other: Any) -> Expr:
        return self._binary(self, "**", other, POWER)

    def __rpow__(self, other: Any) -> Expr:
        return self._binary(other, "**", self, POWER)

    def __neg__(self) -> Expr:
        return Expr(f"-{operand_text(self, UNARY)}", UNARY, self.paths)

    def __pos__(self) -> Expr:
        return Expr(f"+{operand_text(self, UNARY)}", UNARY, self.paths)

    def _compare(self, symbol: str, other: Any) -> Condition:
        left = operand_text(self, ADDITIVE)
        return Condition(f"{left} {symbol} {operand_text(other, ADDITIVE)}", self.paths)

    def __lt__(self, other: Any) -> Condition:
        return self._compare("<", other)

    def __le__(self, other: Any) -> Condition:
        return self._compare("<=", other)

    def __gt__(self, other: Any) -> Condition:
        return self._compare(">", other)

    def __ge__(self, other: Any) -> Condition:
        return self._compare(">=", other)

    def __eq__(self, other: Any) -> Condition:  # type: ignore[override]
        return self._compare("==", other)

    def __ne__(self, other: Any) -> Condition:  # type: ignore[override]
        return self._compare("!=", other)

    __hash__ = None  # type: ignore[assignment]

    def __float__(self) -> float:
        raise Untraceable("float() of a symbolic operand")

    def __bool__(self) -> bool:
        raise Untraceable("truth value of a symbolic operand")

    def __index__(self) -> int:
        raise Untraceable("a symbolic operand used as an integer")


class Condition:
    """A symbolic comparison. Used as a bool (or a 0/1 float) it takes the outcome its
    `PathExplorer` chooses, so that every path through a rule is followed once."""

    __slots__ = ("text", "paths")

    def __init__(self, text: str, paths: PathExplorer) -> None:
        self.text = text
        self.paths = paths

    def __bool__(self) -> bool:
        return self.paths.decide(self.text)

    def __float__(self) -> float:
        return float(self.paths.decide(self.text))

    def __int__(self) -> int:
        return int(self.paths.decide(self.text))


class PathExplorer:
    """Runs a rule once per path of its data-dependent choices (depth first: True, then False)."""

    def __init__(self) -> None:
        self.forced: list[bool] = []
        self.taken: list[tuple[str, bool]] = []

    def decide(self, condition: str) -> bool:
        position = len(self.taken)
        if position == len(self.forced):
            self.forced.append(True)
        outcome = self.forced[position]
        self.taken.append((condition, outcome))
        return outcome

    def explore(
        self, rule: Callable[..., Any], arity: int, with_out: bool
    ) -> list[tuple[Any, ...]]:
        """Every (choices taken, result) of `rule` on symbolic operands `{0}` (the node, when
        `with_out`) and `{1}`..`{arity}` (its parents)."""
        operands = [Expr(f"{{{i}}}", ATOM, self) for i in range(0 if with_out else 1, arity + 1)]
        paths = []
        while True:
            self.taken = []
            paths.append((self.taken, rule(*operands)))
            if len(paths) > MAX_PATHS:
                raise Untraceable(f"more than {MAX_PATHS} paths")
            while self.forced and not self.forced[-1]:
                self.forced.pop()
            if not self.forced:
                return paths
            self.forced[-1] = False
            del self.forced[len(self.taken) :]


def operand_text(x: Any, precedence: int, strict: bool = False) -> str:
    """Text of `x` as an operand at `precedence`, parenthesised when it binds less tightly
    (or as tightly, when `strict`: `a - (b - c)` keeps its parentheses, order is kept)."""
    if isinstance(x, Expr):
        if x.precedence < precedence or (strict and x.precedence == precedence):
            return f"({x.text})"
        return x.text
    return literal(x)


def literal(x: Any) -> str:
    """Source text of a number constant, from its value: `repr(float(x))` (exact: it reads back
    as the same float) or `repr(int(x))` — never `repr()` of a user's object (a float subclass,
    `numpy.float64`, an IntEnum). Negatives are parenthesised so they are atoms."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise Untraceable(f"a rule produced {type(x).__name__}, not a number")
    if isinstance(x, int):
        text = repr(int(x))
    else:
        value = float(x)
        if math.isnan(value):
            return "nan"
        text = "inf" if value == math.inf else "-inf" if value == -math.inf else repr(value)
    return f"({text})" if text.startswith("-") else text


def merge(paths: list[tuple[list[Any], Any]], choice: str, depth: int = 0) -> tuple[str, int]:
    """One expression for the results of all paths: `(a if condition else b)` where they differ
    (or `where(condition, a, b)`, per `choice`). Returns the text and its precedence."""
    texts = [
        (result.text, result.precedence) if isinstance(result, Expr) else (literal(result), ATOM)
        for _, result in paths
    ]
    if all(text == texts[0] for text in texts[1:]):
        return texts[0]
    condition = paths[0][0][depth][0]
    when_true = [path for path in paths if path[0][depth][1]]
    when_false = [path for path in paths if not path[0][depth][1]]
    when_true_text = merge(when_true, choice, depth + 1)[0]
    return choice.format(when_true_text, condition, merge(when_false, choice, depth + 1)[0]), ATOM


def pieces(template: str) -> Pieces:
    """'{1} * {2}' as ('', 1, ' * ', 2): filled by `render` in time proportional to its length
    (not to the op's arity, as `str.format(*operands)` would be: a 10⁵-input `dot` has 10⁵
    derivative templates)."""
    out: list[str | int] = []
    for text, field, _, _ in string.Formatter().parse(template):
        if text:
            out.append(text)
        if field is not None:
            out.append(int(field))
    return tuple(out)


def render(template: Pieces, operands: list[str]) -> str:
    """The template with `{i}` replaced by `operands[i]`."""
    return "".join(operands[p] if isinstance(p, int) else p for p in template)


_SYMBOLIC_FAILURES = (Untraceable, TypeError, ValueError, ArithmeticError, AttributeError)


def is_variadic(op: Op) -> bool:
    """True for an op of any number of inputs (`sum`, `dot`)."""
    return op.arity is None


class Template:
    """How one op of one arity appears in emitted code.

    Operand `{0}` is the node itself (the rule's `out`), `{1}`..`{n}` its parents. `forward` is
    an expression, or None when the forward is called; `derivatives` holds (expression,
    precedence) per parent, or is None when the rule is called.
    """

    __slots__ = ("forward", "derivatives")

    def __init__(self, forward: Pieces | None, derivatives: tuple[Any, ...] | None) -> None:
        self.forward = forward
        self.derivatives = derivatives


def template(op: Op, arity: int, choice: str) -> Template:
    """Evaluate `op`'s forward and derivative rule once on symbolic operands."""
    forward: Pieces | None = None
    if not is_variadic(op) or (FAITHFUL_SUM and arity <= MAX_INLINE_ARITY):
        try:
            forward = pieces(merge(PathExplorer().explore(op.forward, arity, False), choice)[0])
        except _SYMBOLIC_FAILURES:
            forward = None
    try:
        results = PathExplorer().explore(op.derivative, arity, with_out=True)
        if any(not isinstance(result, tuple) or len(result) != arity for _, result in results):
            raise Untraceable("the rule did not return one derivative per input")
        derivatives = []
        for i in range(arity):
            text, precedence = merge([(taken, result[i]) for taken, result in results], choice)
            derivatives.append((pieces(text), precedence))
        return Template(forward, tuple(derivatives))
    except _SYMBOLIC_FAILURES:
        return Template(forward, None)

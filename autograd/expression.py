"""Arithmetic expressions from text, checked against a whitelist and built as a Value graph.

`parse_expression("tanh(w*x + b)")` reads the text with `ast` and accepts only numbers,
variables, the constants `pi` and `e` (unless given a value), `+ - * / **`, unary `-` and `+`,
and calls by name of the op table's one-input rows (`autograd.ops.REGISTRY`, `Op.arity == 1`:
`exp log sqrt tanh sigmoid relu abs sin cos neg`, the parametric `power` and `leaky_relu`,
whose parameters are numbers given by keyword, `leaky_relu(x, slope=0.2)`, and any one-input
primitive registered with `autograd.primitive`). Nothing in the text is ever executed:
`evaluate` walks the checked tree and applies the engine's ops. Every error is an
`ExpressionError` that knows the column it is about.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass

from .ops import REGISTRY, Op
from .value import Value, as_value

CONSTANTS = {"pi": math.pi, "e": math.e}
"""Names that stand for these numbers when no value is given for them."""

BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
SIGNS = (ast.USub, ast.UAdd)
ALLOWED = (
    ast.Constant,
    ast.Name,
    ast.BinOp,
    ast.UnaryOp,
    ast.Call,
    ast.operator,
    ast.unaryop,
    ast.expr_context,
    ast.keyword,
)  # a keyword is checked by its call: a parameter
FORBIDDEN = {  # what some of the constructs outside the whitelist are called in messages
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.NamedExpr: "assignment (:=)",
    ast.Starred: "unpacking (*)",
}


HINTS: dict[type[ast.operator], str] = {
    ast.BitXor: "; for a power use ** (x**2): ^ is not a power in Python"
}


class ExpressionError(ValueError):
    """A problem with an expression, at columns [start, end) of `text` (0-based)."""

    def __init__(
        self, message: str, text: str, start: int | None = None, end: int | None = None
    ) -> None:
        where = f"column {start + 1}: " if start is not None else ""
        super().__init__(where + message)
        self.message = message
        self.text = text
        self.start = start
        self.end = end if end is not None and start is not None and end > start else None

    def pointer(self) -> str:
        """The expression with carets under the offending part (empty without a column)."""
        if self.start is None:
            return ""
        width = (self.end or self.start + 1) - self.start
        return f"{self.text}\n{' ' * self.start}{'^' * width}"


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, syntax tree, variables in order of first use, and the
    primitives it may call, by name."""

    text: str
    tree: ast.Expression
    variables: tuple[str, ...]
    functions: dict[str, Op]

    def evaluate(self, values: Mapping[str, Value | float]) -> Value:
        """The Value of the expression, with each variable bound to the Value in `values`.

        `pi` and `e` are the constants π and e unless `values` gives them a value.

        Domain errors of the engine (e.g. `log` of a negative number) become ExpressionErrors
        pointing at the operation that failed, with the engine's message.
        """
        values = {
            **{
                name: number
                for name, number in CONSTANTS.items()
                if name in self.variables and name not in values
            },
            **values,
        }
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name) and node.id in self.variables and node.id not in values:
                raise _error_at(node, f"no value given for the variable {node.id}", self.text)
        try:
            return as_value(self._evaluate(self.tree.body, values))
        except RecursionError:
            raise ExpressionError("the expression is nested too deeply", self.text) from None

    def _evaluate(self, node: ast.expr, values: Mapping[str, Value | float]) -> Value | float:
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, (int, float))  # checked by the whitelist
            return float(node.value)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.UnaryOp):
            operands = [self._evaluate(node.operand, values)]
        elif isinstance(node, ast.BinOp):
            operands = [self._evaluate(node.left, values), self._evaluate(node.right, values)]
        else:
            assert isinstance(node, ast.Call)  # the whitelist leaves nothing else
            operands = [self._evaluate(node.args[0], values)]
        try:
            return self._apply(node, operands)
        except (ValueError, ZeroDivisionError, OverflowError) as error:  # domain errors
            raise _error_at(node, str(error), self.text) from None
        except TypeError as error:  # a user primitive that takes another number of inputs
            raise _error_at(node, f"{ast.unparse(node)} failed: {error}", self.text) from None

    def _apply(self, node: ast.expr, operands: list[Value | float]) -> Value | float:
        if isinstance(node, ast.UnaryOp):
            return -operands[0] if isinstance(node.op, ast.USub) else operands[0]
        if isinstance(node, ast.BinOp):
            left, right = operands
            if not isinstance(left, Value) and not isinstance(right, Value):
                left = as_value(left)  # arithmetic on constants: the engine checks it too
            combined: Value | float = BINARY[type(node.op)](left, right)
            return combined
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        params: dict[str, float] = {}
        for keyword in node.keywords:  # checked: named parameters given as numbers
            number = _number(keyword.value)
            assert keyword.arg is not None and number is not None
            params[keyword.arg] = number
        result: Value | float = self.functions[node.func.id](as_value(operands[0]), **params)
        return result


def functions() -> dict[str, Op]:
    """The primitives an expression may call: each row of the op table (`autograd.ops.REGISTRY`)
    with a plain name and `arity` 1."""
    return {name: op for name, op in REGISTRY.items() if name.isidentifier() and op.arity == 1}


def parse_expression(text: str) -> Expression:
    """Check `text` against the whitelist; raise `ExpressionError` at the first problem."""
    if not isinstance(text, str):
        raise TypeError(f"an expression must be a str, got {type(text).__name__}")
    if "\n" in text or "\r" in text:
        raise ExpressionError("an expression must be a single line", text.splitlines()[0])
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        start = error.offset - 1 if error.offset else len(text)  # 0: at the end of the text
        end = error.end_offset - 1 if error.end_offset else None
        raise ExpressionError(f"syntax error: {error.msg}", text, start, end) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply", text) from None
    allowed_calls = functions()
    problems, variables = _check(tree, text, allowed_calls)
    if problems:
        raise min(problems, key=lambda problem: problem.start or 0)
    return Expression(text, tree, tuple(variables), allowed_calls)


def _check(
    tree: ast.Expression, text: str, allowed_calls: dict[str, Op]
) -> tuple[list[ExpressionError], list[str]]:
    """Every node outside the whitelist, as an error pointing at it, and the variables in order
    of appearance. `ast.walk` visits a call before its function's name, and uses no recursion.
    """
    problems = []
    called = set()
    variables = []
    for node in ast.walk(tree.body):
        problem = None
        if isinstance(node, ast.Call):
            called.add(node.func)
            problem = _check_call(node, allowed_calls)
            if problem and isinstance(node.func, ast.Name) and node.func.id not in allowed_calls:
                node = node.func  # point at the unknown name
        elif isinstance(node, ast.Constant):
            problem = _check_number(node.value)
        elif isinstance(node, ast.Name) and node not in called:
            if node.id in allowed_calls:
                problem = f"{node.id} is a function: call it, as in {node.id}(x)"
            variables.append(node)
        elif isinstance(node, ast.BinOp) and type(node.op) not in BINARY:
            problem = "this operator is not allowed" + HINTS.get(type(node.op), "")
        elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, SIGNS):
            problem = "this operator is not allowed"
        elif not isinstance(node, ALLOWED):
            problem = f"{FORBIDDEN.get(type(node), type(node).__name__)} is not allowed"
        if problem and hasattr(node, "col_offset"):  # others are inside a reported node
            problems.append(_error_at(node, problem, text))
    variables.sort(key=lambda name: name.col_offset)
    return problems, list(dict.fromkeys(name.id for name in variables))


def _check_number(value: object) -> str | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return f"{value!r} is not a number"
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False
    return None if finite else "this number is too large for a float"


def _check_call(node: ast.Call, allowed: dict[str, Op]) -> str | None:
    if not isinstance(node.func, ast.Name):
        return "only the primitives can be called, by name, as in tanh(x)"
    name = node.func.id
    if name not in allowed:
        return f"unknown function {name!r}; known: {', '.join(sorted(allowed))}"
    op = allowed[name]
    if len(node.args) != 1:
        return f"{name} takes exactly one argument" + _parameters_hint(op)
    for keyword in node.keywords:
        if keyword.arg not in op.params:
            return (
                f"{name} has no parameter {keyword.arg or '**'}"
                if op.params
                else f"{name} takes exactly one argument"
            ) + _parameters_hint(op)
        if _number(keyword.value) is None:
            return f"the parameter {keyword.arg} of {name} must be a number"
    return None


def _parameters_hint(op: Op) -> str:
    """`(and the parameter n=2)` for a parametric op, else nothing."""
    if not op.params:
        return ""
    listed = ", ".join(f"{key}={value:g}" for key, value in op.params.items())
    return f" (and the keyword parameter{'s' * (len(op.params) > 1)} {listed})"


def _number(node: ast.expr) -> float | None:
    """The value of a number written as a constant, with an optional sign; else None."""
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, SIGNS):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        if _check_number(node.value) is not None:
            return None
        try:
            return sign * float(node.value)
        except OverflowError:
            return None
    return None


def _error_at(node: ast.AST, message: str, text: str) -> ExpressionError:
    """An error pointing at `node`, whose offsets `ast` gives in UTF-8 bytes."""
    start = getattr(node, "col_offset", None)
    if start is None:
        return ExpressionError(message, text)
    encoded = text.encode()
    end = getattr(node, "end_col_offset", None) or start + 1
    return ExpressionError(
        message,
        text,
        len(encoded[:start].decode(errors="ignore")),
        len(encoded[:end].decode(errors="ignore")),
    )

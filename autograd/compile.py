"""Trace once, emit straight-line Python for the value and the gradient, run it on plain floats.

`compile_graph(output, inputs)` turns an existing graph into two generated functions: `value`,
the forward pass one line per node (`v12 = v10 * w3`), and `value_and_grad`, the same lines
followed by the backprop the chain rule produces, output first: each node's gradient is the sum
over its uses of upstream gradient × local derivative (`g_v10 = g_v12 * w3 + g_v15 * w4`).
`compile(f)` traces `f` on leaf Values and compiles the graph it built; a Python branch on a
Value comparison inside `f` becomes a guard, and inputs that flip a guard trace `f` again.

Nothing here knows a particular primitive. Each op's forward and derivative rule from the op table
is evaluated once on symbolic operands (`Expr`), which record the arithmetic the rule does as
source text; a data-dependent choice in a rule (`float(x > 0)` for relu) is explored both ways
and becomes a conditional expression. A rule that does something else with its operands (calls
`math.exp`, `float(x)`, …) is called from the emitted code instead: `exp(v3)`,
`derivative_sin(v5, v4)`. Either way the emitted code does the same float operations in the same
order as the dynamic engine, so results agree to the last bit, except: the sign of a zero; a
local derivative that is inf or nan where the upstream gradient is 0 (the engine skips such
nodes); and, on Python >= 3.12, `sum`/`dot` nodes (their forward is written as additions left to
right, while the builtin `sum` there compensates rounding).

The generated code is built from the graph alone — names it makes up, float literals, and the
functions it binds — never from text a user typed.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import itertools
import keyword
import linecache
import math
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from . import value as value_module
from .functional import gradients
from .graph import backprop_order
from .mode import enable_grad, observing_comparisons
from .value import Op, Value, apply

# Operator precedence of the text an Expr holds, as Python parses it (higher binds tighter).
ADDITIVE, MULTIPLICATIVE, UNARY, POWER, ATOM = 1, 2, 3, 4, 5

MAX_INLINE_ARITY = 64
"""An op with more operands than this (a long `sum`, `dot`) is called, not written out."""

MAX_PATHS = 16
"""A rule with more data-dependent paths than this is called instead of inlined."""


class Untraceable(Exception):
    """A rule did something with a symbolic operand other than arithmetic and comparisons."""


class Expr:
    """A symbolic float: the source text of an expression and how tightly it binds.

    Arithmetic on Exprs (and numbers) gives Exprs whose text does exactly that arithmetic, in the
    same order; a comparison gives a `Condition`. Anything else (`float(e)`, `math.exp(e)`)
    raises `Untraceable`.
    """

    __slots__ = ("text", "precedence", "paths")

    def __init__(self, text: str, precedence: int, paths: _PathExplorer) -> None:
        self.text = text
        self.precedence = precedence
        self.paths = paths

    def _binary(self, left: Any, symbol: str, right: Any, precedence: int) -> Expr:
        left_text = _operand_text(left, precedence, strict=precedence == POWER)
        right_text = _operand_text(right, UNARY if precedence == POWER else precedence,
                                   strict=precedence != POWER)
        return Expr(f"{left_text} {symbol} {right_text}", precedence, self.paths)

    def __add__(self, other: Any) -> Expr:
        return self._binary(self, "+", other, ADDITIVE)

    def __radd__(self, other: Any) -> Expr:
        if type(other) is int and other == 0:  # the start of sum(): 0 + x is x
            return self
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
        return Expr(f"-{_operand_text(self, UNARY)}", UNARY, self.paths)

    def __pos__(self) -> Expr:
        return Expr(f"+{_operand_text(self, UNARY)}", UNARY, self.paths)

    def _compare(self, symbol: str, other: Any) -> Condition:
        left = _operand_text(self, ADDITIVE)
        return Condition(f"{left} {symbol} {_operand_text(other, ADDITIVE)}", self.paths)

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
    `_PathExplorer` chooses, so that every path through a rule is followed once."""

    __slots__ = ("text", "paths")

    def __init__(self, text: str, paths: _PathExplorer) -> None:
        self.text = text
        self.paths = paths

    def __bool__(self) -> bool:
        return self.paths.decide(self.text)

    def __float__(self) -> float:
        return float(self.paths.decide(self.text))

    def __int__(self) -> int:
        return int(self.paths.decide(self.text))


class _PathExplorer:
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

    def explore(self, rule: Callable[..., Any], arity: int, with_out: bool) -> list[tuple]:
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
            del self.forced[len(self.taken):]


def _operand_text(x: Any, precedence: int, strict: bool = False) -> str:
    """Text of `x` as an operand at `precedence`, parenthesised when it binds less tightly
    (or as tightly, when `strict`: `a - (b - c)` keeps its parentheses, order is kept)."""
    if isinstance(x, Expr):
        if x.precedence < precedence or (strict and x.precedence == precedence):
            return f"({x.text})"
        return x.text
    return _literal(x)


def _literal(x: Any) -> str:
    """Source text of a number constant; negatives parenthesised so they are atoms."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise Untraceable(f"a rule produced {type(x).__name__} {x!r}, not a number")
    if isinstance(x, float) and not math.isfinite(x):
        text = "nan" if math.isnan(x) else "inf"
        return f"(-{text})" if x < 0 else text
    text = repr(x)
    return f"({text})" if text.startswith("-") else text


IF_ELSE = "({0} if {1} else {2})"
WHERE = "where({1}, {0}, {2})"
"""How a data-dependent choice is written: for floats, or elementwise for NumPy arrays."""


def _merge(paths: list[tuple[list, Any]], choice: str, depth: int = 0) -> tuple[str, int]:
    """One expression for the results of all paths: `(a if condition else b)` where they differ
    (or `where(condition, a, b)`, per `choice`). Returns the text and its precedence.
    """
    texts = [(result.text, result.precedence) if isinstance(result, Expr) else
             (_literal(result), ATOM) for _, result in paths]
    if all(text == texts[0] for text in texts[1:]):
        return texts[0]
    condition = paths[0][0][depth][0]
    when_true = [path for path in paths if path[0][depth][1]]
    when_false = [path for path in paths if not path[0][depth][1]]
    when_true_text = _merge(when_true, choice, depth + 1)[0]
    return choice.format(when_true_text, condition, _merge(when_false, choice, depth + 1)[0]), ATOM


# -- each op's rule as source templates --------------------------------------------------------


class _Template:
    """How one op of one arity appears in emitted code.

    In the templates operand `{0}` is the node itself (the rule's `out`) and `{1}`..`{n}` are its
    parents. `forward` is an expression; `derivatives` holds (expression, precedence) per parent,
    or is None when the rule is called at run time by the name `derivative_call`.
    """

    __slots__ = ("forward", "derivatives", "derivative_call")

    def __init__(
        self, forward: str, derivatives: tuple[tuple[str, int], ...] | None, call: str
    ) -> None:
        self.forward = forward
        self.derivatives = derivatives
        self.derivative_call = call


class _Namespace:
    """The globals of the generated code: the functions it calls, under readable names."""

    def __init__(self, reserved: Sequence[str]) -> None:
        self.objects: dict[str, Any] = {"inf": math.inf, "nan": math.nan}
        self.reserved = set(reserved)

    def name_for(self, function: Callable, preferred: str) -> str:
        base = re.sub(r"\W+", "_", preferred).strip("_")
        for suffix in itertools.chain([""], map(str, itertools.count(2))):
            name = base + suffix
            if name not in self.reserved and self.objects.get(name, function) is function:
                self.objects[name] = function
                return name
        raise AssertionError("unreachable")


_OP_WORDS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}
_SYMBOLIC_FAILURES = (Untraceable, TypeError, ValueError, ArithmeticError, AttributeError)


def _callee_name(function: Callable, role: str, op: Op) -> str:
    """`exp` for math.exp (`math_pow` where a Python builtin has the name), else `forward_relu`."""
    name = getattr(function, "__name__", "")
    if inspect.isbuiltin(function) and name.isidentifier():
        module = getattr(function, "__module__", None) or "builtin"
        return f"{module}_{name}" if hasattr(builtins, name) else name
    return f"{role}_{_OP_WORDS.get(op.name) or op.name.replace('**', 'pow_')}"


def _template(op: Op, arity: int, namespace: _Namespace, choice: str) -> _Template:
    """Evaluate `op`'s forward and derivative rule once on symbolic operands."""
    try:
        if arity > MAX_INLINE_ARITY:
            raise Untraceable(f"{arity} operands: a call, not a {arity}-term expression")
        forward = _merge(_PathExplorer().explore(op.forward, arity, with_out=False), choice)[0]
    except _SYMBOLIC_FAILURES:
        name = namespace.name_for(op.forward, _callee_name(op.forward, "forward", op))
        forward = f"{name}({', '.join(f'{{{i}}}' for i in range(1, arity + 1))})"
    try:
        results = _PathExplorer().explore(op.derivative, arity, with_out=True)
        if any(not isinstance(result, tuple) or len(result) != arity for _, result in results):
            raise Untraceable("the rule did not return one derivative per input")
        derivatives = tuple(
            _merge([(taken, result[i]) for taken, result in results], choice)
            for i in range(arity)
        )
        return _Template(forward, derivatives, "")
    except _SYMBOLIC_FAILURES:
        name = namespace.name_for(op.derivative, _callee_name(op.derivative, "derivative", op))
        return _Template(forward, None, name)


# -- emitting a graph ----------------------------------------------------------------------------


class Guard:
    """A comparison `f` made on Values while it was traced, and its outcome then."""

    __slots__ = ("left", "symbol", "right", "outcome")

    def __init__(self, left: Value | float, symbol: str, right: Value | float, outcome: bool):
        self.left, self.symbol, self.right, self.outcome = left, symbol, right, outcome

    def operands(self) -> list[Value]:
        return [x for x in (self.left, self.right) if isinstance(x, Value)]


class _Emitter:
    """Names the nodes of one graph and writes its forward, guard and backward lines."""

    def __init__(
        self, output: Value, inputs: Sequence[Value], argument_names: list[str], choice: str
    ) -> None:
        self.namespace = _Namespace(argument_names)
        self.choice = choice
        self.templates: dict[tuple[Op, int], _Template] = {}
        self.names: dict[Value, str] = dict(zip(inputs, argument_names))
        self.output = output
        self.count = 0

    def name(self, node: Value | float) -> str:
        """A computed node's variable, an input's argument, or a constant's literal."""
        if not isinstance(node, Value):
            return _literal(float(node))
        name = self.names.get(node)
        return name if name is not None else _literal(node.data)

    def template(self, node: Value) -> _Template:
        key = (node._op, len(node._parents))
        found = self.templates.get(key)
        if found is None:
            found = self.templates[key] = _template(node._op, key[1], self.namespace,
                                                    self.choice)
        return found

    def forward_lines(self, guards: Sequence[Guard]) -> list[str]:
        """Each node once, parents first; each guard checked as soon as its operands exist."""
        lines = []
        for guard in guards:
            lines += [self.forward_line(node) for node in self._not_named(guard.operands())]
            condition = f"{self.name(guard.left)} {guard.symbol} {self.name(guard.right)}"
            check = f"not ({condition})" if guard.outcome else condition
            lines.append(f"if {check}:\n        return None  # guard: when traced, {condition} was"
                         f" {guard.outcome}")
        return lines + [self.forward_line(node) for node in self._not_named([self.output])]

    def _not_named(self, roots: list[Value]) -> list[Value]:
        return [node for node in reversed(backprop_order(roots)) if node not in self.names]

    def forward_line(self, node: Value) -> str:
        variable = self.names[node] = f"v{self.count}"
        self.count += 1
        operands = map(self.name, node._parents)
        return f"{variable} = {self.template(node).forward.format('', *operands)}"

    def backward_lines(self, inputs: Sequence[Value]) -> tuple[list[str], list[str]]:
        """The chain rule from the output back, and the text of each input's gradient.

        A node's gradient is the sum of upstream × local over its uses, in the order the dynamic
        engine accumulates them: `g_v3 = g_v5 * v4 + g_v7 * (1.0 - v7 * v7)`, written once all
        its uses are seen (just before the node is itself processed). Only nodes that lead to an
        input get a gradient.
        """
        order = backprop_order(self.output)
        needs_grad = set(inputs)
        for node in reversed(order):
            if any(parent in needs_grad for parent in node._parents):
                needs_grad.add(node)
        grads: dict[Value, str] = {self.output: "1.0"}
        terms: dict[Value, list[tuple[str, int]]] = {}
        lines = []
        for node in order:
            if node in terms:
                lines += self._sum_line(grads, node, terms.pop(node))
            upstream = grads.get(node)
            if upstream is None:
                continue
            template = self.template(node)
            operands = [self.name(node), *map(self.name, node._parents)]
            if template.derivatives is None:
                result = f"d_{operands[0]}"
                lines.append(f"{result} = {template.derivative_call}({', '.join(operands)})")
                locals_ = [(f"{result}[{i}]", ATOM) for i in range(len(node._parents))]
            else:
                locals_ = [(text.format(*operands), precedence)
                           for text, precedence in template.derivatives]
            for parent, local in zip(node._parents, locals_):
                if parent in needs_grad:
                    terms.setdefault(parent, []).append(_product(upstream, local))
        for node in inputs:
            if node in terms:
                lines += self._sum_line(grads, node, terms.pop(node))
        return lines, [grads.get(node, "0.0") for node in inputs]

    def _sum_line(self, grads: dict, node: Value, terms: list[tuple[str, int]]) -> list[str]:
        """`g_p = t1 + t2 - t3 …`, left to right as the dynamic engine adds; long sums are
        continued as `g_p = g_p + …` (CPython's compiler limits how deep an expression nests)."""
        name = grads[node] = f"g_{self.names[node]}"
        lines = []
        for start in range(0, len(terms), MAX_TERMS):
            text = name if start else ""
            for text_of_term, sign in terms[start:start + MAX_TERMS]:
                if not text:
                    text = f"-{text_of_term}" if sign < 0 else text_of_term
                else:
                    text += f" {'-' if sign < 0 else '+'} {text_of_term}"
            lines.append(f"{name} = {text}")
        return lines


MAX_TERMS = 200
"""Terms per line of a gradient sum."""


def _product(upstream: str, local: tuple[str, int]) -> tuple[str, int]:
    """upstream × local as an operand of a sum, and its sign: × 1.0 and × -1.0 are left out
    (they give exactly the same float), × keeps the local derivative's own grouping."""
    text, precedence = local
    if text == "(-1.0)":
        return upstream, -1
    if text == "1.0":
        return upstream, 1
    if upstream == "1.0":
        return (text if precedence > ADDITIVE else f"({text})"), 1
    return f"{upstream} * {text if precedence > MULTIPLICATIVE else f'({text})'}", 1


def _source(name: str, arguments: list[str], body: list[str], result: str) -> str:
    lines = [f"def {name}({', '.join(arguments)}):", *body, f"return {result}"]
    return "\n    ".join(lines) + "\n"


def _argument_names(inputs: Sequence[Value], preferred: Sequence[str] | None) -> list[str]:
    """The inputs' labels (or `preferred`) when they are distinct plain identifiers, else x0, x1…"""
    names = list(preferred) if preferred is not None else [node.label for node in inputs]
    reserved = re.compile(r"[vx]\d+|[gd]_\w*|inf|nan")
    usable = all(
        name.isidentifier() and not keyword.iskeyword(name) and not reserved.fullmatch(name)
        and not hasattr(builtins, name)
        for name in names
    )
    if usable and len(set(names)) == len(names):
        return names
    return [f"x{i}" for i in range(len(inputs))]


class CompiledGraph:
    """A graph as two generated Python functions of its inputs' floats.

    `cg(*floats)` is the output's value; `cg.value_and_grad(*floats)` the value and the tuple of
    ∂output/∂input; `cg.source` the generated code of `value_and_grad`: the forward pass, then the
    chain rule. Every leaf that is not an input is a constant in the code. Each function is
    compiled by CPython the first time it is called.

    With `batched=True` the code is written for NumPy arrays: choices are `where(c, a, b)` and
    math functions are NumPy's, so any input may be an array (a batch) and everything broadcasts
    elementwise. NumPy's rules then apply: no domain errors, nan and inf instead.
    """

    def __init__(
        self,
        output: Value,
        inputs: Sequence[Value],
        guards: Sequence[Guard] = (),
        argument_names: Sequence[str] | None = None,
        dynamic: Callable[[bool, Sequence[float]], Any] | None = None,
        batched: bool = False,
    ) -> None:
        names = _argument_names(inputs, argument_names)
        emitter = _Emitter(output, inputs, names, WHERE if batched else IF_ELSE)
        forward = emitter.forward_lines(guards)
        backward, input_grads = emitter.backward_lines(inputs)
        result = emitter.name(output)
        grads = f"({', '.join(input_grads)}{',' if len(input_grads) == 1 else ''})"
        self.value_source = _source("value", names, forward, result)
        self.source = _source(
            "value_and_grad", names, [*forward, "# backward: the chain rule, output first",
                                      *backward], f"{result}, {grads}"
        )
        self.n_inputs = len(names)
        self._namespace = emitter.namespace.objects
        if batched:
            self._namespace = _for_arrays(self._namespace)
        self._functions: dict[str, Callable] = {}
        self._dynamic = dynamic

    def __repr__(self) -> str:
        return f"<CompiledGraph of {self.n_inputs} inputs, {self.source.count(chr(10))} lines>"

    def _function(self, name: str) -> Callable:
        function = self._functions.get(name)
        if function is None:
            source = self.source if name == "value_and_grad" else self.value_source
            filename = f"<autograd.compile {name} {id(self):#x}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            namespace = dict(self._namespace)
            exec(builtins.compile(source, filename, "exec"), namespace)
            function = self._functions[name] = namespace[name]
        return function

    def _run(self, name: str, inputs: tuple) -> Any:
        try:
            return self._function(name)(*inputs)
        except (ValueError, ZeroDivisionError, OverflowError):
            if self._dynamic is None:
                raise
        # the dynamic engine raises the same error with a message naming the op and operands
        return self._dynamic(name == "value_and_grad", inputs)

    def __call__(self, *inputs: float) -> float:
        """The output's value at `inputs` (None if a guard of a traced function failed)."""
        return self._run("value", inputs)

    def value_and_grad(self, *inputs: float) -> tuple[float, tuple[float, ...]]:
        """(value, (∂output/∂input for each input)) at `inputs`."""
        return self._run("value_and_grad", inputs)


def _for_arrays(namespace: dict[str, Any]) -> dict[str, Any]:
    """The generated code's functions, NumPy's where it has them (`exp` → numpy.exp)."""
    import numpy

    arrays = {"where": numpy.where, "inf": numpy.inf, "nan": numpy.nan}
    for name, function in namespace.items():
        if name not in arrays:
            builtin = inspect.isbuiltin(function)
            arrays[name] = getattr(numpy, function.__name__, function) if builtin else function
    if namespace.get("math_pow") is math.pow:
        arrays["math_pow"] = numpy.power
    return arrays


def compile_graph(
    output: Value, inputs: Sequence[Value], batched: bool = False
) -> CompiledGraph:
    """Straight-line Python for `output` and its gradient as functions of the leaves `inputs`.

    `batched=True` writes the code for NumPy arrays (see `CompiledGraph`).

    >>> from autograd import Value
    >>> x, y = Value(2.0, label='x'), Value(3.0, label='y')
    >>> cg = compile_graph(x * y + x, [x, y])
    >>> cg.value_and_grad(4.0, 5.0)
    (24.0, (6.0, 4.0))
    """
    if not isinstance(output, Value):
        raise TypeError(f"compile_graph needs a Value output, got {type(output).__name__}")
    inputs = list(inputs)
    for node in inputs:
        if not isinstance(node, Value):
            raise TypeError(f"compile_graph inputs must be Values, got {type(node).__name__}")
        if node._parents:
            raise ValueError(f"compile_graph inputs must be leaves, got a computed {node!r}")
    if len(set(inputs)) != len(inputs):
        raise ValueError("compile_graph inputs must be distinct Values")

    def replay(with_grad: bool, floats: Sequence[float]) -> Any:
        """The same graph, rebuilt by the dynamic engine on new leaves holding `floats`."""
        copies = {node: Value(x, node.label) for node, x in zip(inputs, floats)}
        with enable_grad():
            for node in reversed(backprop_order(output)):
                copies[node] = apply(node._op, *[copies.get(p, p) for p in node._parents])
        result = copies.get(output, output)
        if not with_grad:
            return result.data
        return result.data, tuple(gradients(result, [copies[node] for node in inputs]))

    return CompiledGraph(output, inputs, dynamic=None if batched else replay, batched=batched)


# -- compiling a Python function: trace, guard, re-trace ---------------------------------------

MAX_TRACES = 8
"""How many traces (one per combination of guard outcomes met) a compiled function keeps."""


class _GuardRecorder:
    """Collects the comparisons made on Values by the thread that traces."""

    def __init__(self) -> None:
        self.guards: list[Guard] = []
        self.thread = threading.get_ident()

    def __call__(self, left: Value, symbol: str, right: Value | float, outcome: bool) -> None:
        if threading.get_ident() == self.thread:
            self.guards.append(Guard(left, symbol, right, outcome))


def _trace(f: Callable[..., Any], inputs: Sequence[float], names: list[str]) -> CompiledGraph:
    """Run `f` once on fresh leaf Values holding `inputs`; compile the graph and its guards."""
    leaves = [Value(x, label=name) for x, name in zip(inputs, names)]
    recorder = _GuardRecorder()
    with observing_comparisons(recorder), enable_grad():
        output = f(*leaves)
    if not isinstance(output, Value):
        output = Value(value_module._number(output, f"the result of {_name_of(f)}"))
    return CompiledGraph(output, leaves, recorder.guards, names)


def _dynamic(f: Callable[..., Any], with_grad: bool, inputs: Sequence[float]) -> Any:
    """f run by the dynamic engine on leaves holding `inputs`: its value (and gradient)."""
    leaves = [Value(x) for x in inputs]
    with enable_grad():
        output = f(*leaves)
    if not isinstance(output, Value):
        output = Value(value_module._number(output, f"the result of {_name_of(f)}"))
    if not with_grad:
        return output.data
    return output.data, tuple(gradients(output, leaves))


def _name_of(f: Callable) -> str:
    return getattr(f, "__qualname__", None) or repr(f)


class CompiledFunction:
    """`compile(f)`: `f` traced on Values and run as generated straight-line Python.

    `cf(*floats)` is f's value, `cf.value_and_grad(*floats)` the value and the tuple of partial
    derivatives, `cf.source` the code of the latest trace. `f` is traced at the first call; a
    comparison of Values inside `f` (`if x > 0:`) is a guard, and a call whose inputs flip a guard
    traces `f` again (the last `MAX_TRACES` traces are kept). Called with Values, `cf` is `f`.
    """

    def __init__(self, f: Callable[..., Any]) -> None:
        if not callable(f):
            raise TypeError(f"compile needs a function, got {type(f).__name__} {f!r}")
        self.f = f
        self.traces: list[CompiledGraph] = []
        functools.update_wrapper(self, f)

    def __repr__(self) -> str:
        return f"<compiled {_name_of(self.f)}: {len(self.traces)} trace(s)>"

    @property
    def source(self) -> str:
        """The generated `value_and_grad` code of the latest trace (call `cf` once first)."""
        if not self.traces:
            raise RuntimeError(f"{_name_of(self.f)} has not been traced yet: call it once first")
        return self.traces[0].source

    def _run(self, method: str, inputs: tuple) -> Any:
        floats = [value_module._number(x, "a compiled function's argument") for x in inputs]
        for position, trace in enumerate(self.traces):
            if trace.n_inputs != len(floats):
                raise TypeError(f"{_name_of(self.f)} was compiled for {trace.n_inputs} "
                                f"arguments, got {len(floats)}")
            try:
                result = getattr(trace, method)(*floats)
            except (ValueError, ZeroDivisionError, OverflowError):
                # the dynamic engine raises the same error, naming the op and operands
                return _dynamic(self.f, method == "value_and_grad", floats)
            if result is not None:
                if position:
                    self.traces.insert(0, self.traces.pop(position))
                return result
        trace = _trace(self.f, floats, self._argument_names(len(floats)))
        self.traces = [trace, *self.traces[: MAX_TRACES - 1]]
        return getattr(trace, method)(*floats)

    def _argument_names(self, count: int) -> list[str]:
        try:
            parameters = list(inspect.signature(self.f).parameters.values())
        except (TypeError, ValueError):
            parameters = []
        names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        return names[:count] if len(names) >= count else [f"x{i}" for i in range(count)]

    def __call__(self, *inputs: float) -> Any:
        """f's value at the floats `inputs`; with any Value among them, just `f(*inputs)`."""
        if any(isinstance(x, Value) for x in inputs):
            return self.f(*inputs)
        return self._run("__call__", inputs)

    def value_and_grad(self, *inputs: float) -> tuple[float, tuple[float, ...]]:
        """(f(*inputs), (∂f/∂input for each input)) on floats."""
        return self._run("value_and_grad", inputs)


def compile(f: Callable[..., Any]) -> CompiledFunction:  # shadows the builtin in this module
    """`f` of float arguments, traced once on Values and run as straight-line Python.

    >>> import autograd
    >>> cf = autograd.compile(lambda x, y: (x * y).tanh())
    >>> cf(0.5, 2.0) == cf.value_and_grad(0.5, 2.0)[0]
    True
    """
    return CompiledFunction(f)

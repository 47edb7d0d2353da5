"""The float emitter: a graph as straight-line Python, the forward pass then the chain rule.

`value` is one line per node (`v12 = v10 * w3`); `value_and_grad` the same lines followed by the
backprop the chain rule produces, output first: each node's gradient is the sum over its uses of
upstream gradient × local derivative (`g_v10 = g_v12 * w3 + g_v15 * w4`), added in the order the
dynamic engine adds them.

The code is built from the graph alone: names this module makes up (ASCII: `v3`, `g_x`,
`forward_sum`), float literals written from the float value, and the functions it binds. A
user's label is the name of an input only when it is a plain ASCII identifier that cannot
collide with any other name in the code (Python NFKC-normalises identifiers: `ｖ0` *is* `v0`);
otherwise inputs are `x0, x1, …` and labels appear only in comments, escaped with `ascii()`.
"""

from __future__ import annotations

import builtins
import inspect
import itertools
import keyword
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..ops import Op
from ..value import Value
from .graph import Graph
from .symbolic import (
    ADDITIVE,
    ATOM,
    IF_ELSE,
    MULTIPLICATIVE,
    Template,
    literal,
    render,
    template,
)

if TYPE_CHECKING:
    from .trace import Guard

MAX_TERMS = 200
"""Terms per line of a gradient sum (CPython's compiler limits how deep an expression nests)."""

_OP_WORDS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}
_GENERATED = re.compile(
    r"[vxmwpX]\d+(_\d+)?|[gd]_\w*|positions_\d+|grads|n_batch"
    r"|(forward|derivative|math|numpy|builtin)_\w*"
)
"""Names the emitters make up (an input is never given one of these)."""


def ascii_name(text: str) -> str:
    """`text` as an ASCII identifier fragment: other characters become `_u<hex>`."""
    out = "".join(c if c.isascii() and (c.isalnum() or c == "_") else f"_u{ord(c):x}" for c in text)
    return out or "_"


class Namespace:
    """The globals of the generated code: the functions it calls, under readable ASCII names.

    `bind_forward(op)` / `bind_derivative(op)` give the name under which the code calls the
    op's forward or derivative rule. Subclasses choose the object bound (NumPy's functions).
    """

    choice = IF_ELSE

    def __init__(self) -> None:
        self.objects: dict[str, Any] = {"inf": float("inf"), "nan": float("nan")}
        self._names: dict[tuple[str, Op], str] = {}
        self._templates: dict[tuple[Op, int], Template] = {}

    def template(self, op: Op, arity: int) -> Template:
        """How the code spells `op` with `arity` operands, traced once; what the rule cannot
        spell inline (its forward or derivative) is bound here under a name the code calls."""
        key = (op, arity)
        found = self._templates.get(key)
        if found is None:
            found = self._templates[key] = template(op, arity, self.choice)
            if found.forward is None:
                self.bind_forward(op, arity)
            if found.derivatives is None:
                self.bind_derivative(op, arity)
        return found

    def bind_forward(self, op: Op, arity: int) -> str:
        return self._bind("forward", op, self.forward_object(op, arity), op.forward)

    def bind_derivative(self, op: Op, arity: int) -> str:
        return self._bind("derivative", op, self.derivative_object(op, arity), op.derivative)

    def forward_object(self, op: Op, arity: int) -> Callable[..., Any]:
        return op.forward

    def derivative_object(self, op: Op, arity: int) -> Callable[..., Any]:
        return op.derivative

    def _bind(
        self, role: str, op: Op, function: Callable[..., Any], named_after: Callable[..., Any]
    ) -> str:
        key = (role, op)
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = self._name_for(function, _callee_name(named_after, role, op))
        return name

    def _name_for(self, function: Callable[..., Any], preferred: str) -> str:
        for suffix in itertools.chain([""], map(str, itertools.count(2))):
            name = preferred + suffix
            if self.objects.get(name, function) is function:
                self.objects[name] = function
                return name
        raise AssertionError("unreachable")


def _callee_name(function: Callable[..., Any], role: str, op: Op) -> str:
    """`exp` for math.exp (`math_pow` where a Python builtin has the name), else `forward_relu`;
    always an ASCII identifier that is not a keyword."""
    name = getattr(function, "__name__", "")
    if inspect.isbuiltin(function) and name.isascii() and name.isidentifier():
        module = ascii_name(getattr(function, "__module__", None) or "builtin")
        clash = hasattr(builtins, name) or keyword.iskeyword(name) or _GENERATED.fullmatch(name)
        return f"{module}_{name}" if clash or name in ("inf", "nan", "where") else name
    return f"{role}_{_OP_WORDS.get(op.name) or ascii_name(op.name)}"


def argument_names(
    inputs: Sequence[Value], preferred: Sequence[str] | None, taken: set[str]
) -> list[str]:
    """The inputs' labels (or `preferred`) when all are distinct plain ASCII identifiers that
    collide with nothing in the code (`taken`, builtins, keywords, generated names); else
    x0, x1, …"""
    names = list(preferred) if preferred is not None else [node.label for node in inputs]
    usable = all(
        isinstance(name, str)
        and name.isascii()
        and name.isidentifier()
        and not keyword.iskeyword(name)
        and not _GENERATED.fullmatch(name)
        and not hasattr(builtins, name)
        and name not in taken
        for name in names
    )
    if usable and len(set(names)) == len(names):
        return names
    return [f"x{i}" for i in range(len(inputs))]


def product(upstream: str, local: tuple[str, int]) -> tuple[str, int]:
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


class Emitter:
    """Names the nodes of one graph and writes its forward, guard and backward lines."""

    def __init__(
        self,
        graph: Graph,
        output: Value,
        inputs: Sequence[Value],
        guards: Sequence[Guard],
        namespace: Namespace,
        preferred_names: Sequence[str] | None = None,
    ) -> None:
        """`graph` holds the guards' operands, then `output` (see `Graph.groups`)."""
        self.guards = list(guards)
        self.graph = graph
        self.output = self.graph.index[output]
        self.namespace = namespace
        graph = self.graph
        for i, op in enumerate(graph.ops):
            if op is not None:
                namespace.template(op, len(graph.parents[i]))
        self.arguments = argument_names(inputs, preferred_names, set(namespace.objects))
        self.inputs = [graph.index.get(node, -1) for node in inputs]
        self.count = 0
        # a node's text in the code: its variable, an input's argument, a constant's literal
        self.names: list[str] = [
            literal(node.data) if op is None else "" for node, op in zip(graph.nodes, graph.ops)
        ]
        for position, name in zip(self.inputs, self.arguments):
            if position >= 0:
                self.names[position] = name

    def forward_lines(self) -> list[str]:
        """Each node once, parents first; each guard checked as soon as its operands exist."""
        lines: list[str] = []
        graph, start = self.graph, 0
        for k, end in enumerate(self.graph.groups):
            for i in range(start, end):
                if graph.ops[i] is not None:
                    lines.append(self.forward_line(i))
            start = end
            if k < len(self.guards):
                lines.append(self.guard_line(self.guards[k]))
        return lines

    def guard_line(self, guard: Guard) -> str:
        def text(x: Value | float) -> str:
            return self.names[self.graph.index[x]] if isinstance(x, Value) else literal(float(x))

        condition = f"{text(guard.left)} {guard.symbol} {text(guard.right)}"
        check = f"not ({condition})" if guard.outcome else condition
        note = f"when traced, {condition} was {guard.outcome}"
        if guard.note:
            note = f"{guard.note}: {note}"
        return f"if {check}:\n        return None  # guard: {note}"

    def forward_line(self, i: int) -> str:
        graph = self.graph
        variable = self.names[i] = f"v{self.count}"
        self.count += 1
        op = graph.op(i)
        operands = [variable, *(self.names[p] for p in graph.parents[i])]
        found = self.namespace.template(op, len(operands) - 1)
        if found.forward is not None:
            line = f"{variable} = {render(found.forward, operands)}"
        else:
            name = self.namespace.bind_forward(op, len(operands) - 1)
            line = f"{variable} = {name}({', '.join(operands[1:])})"
        label = graph.nodes[i].label
        return f"{line}  # {ascii(label)}" if label else line

    def backward_lines(self) -> tuple[list[str], list[str]]:
        """The chain rule from the output back, and the text of each input's gradient.

        A node's gradient is the sum of upstream × local over its uses, in the order the dynamic
        engine accumulates them: `g_v3 = g_v5 * v4 + g_v7 * (1.0 - v7 * v7)`, written once all
        its uses are seen (just before the node is itself processed). Only nodes that lead to an
        input get a gradient.
        """
        graph, names = self.graph, self.names
        needs_grad = graph.leading_to(self.inputs)
        grads: dict[int, str] = {self.output: "1.0"}
        terms: dict[int, list[tuple[str, int]]] = {}
        lines: list[str] = []
        for i in graph.backward_order(graph.nodes[self.output]):
            if i in terms:
                lines += self._sum_line(grads, i, terms.pop(i))
            upstream = grads.get(i)
            if upstream is None:
                continue
            op, parents = graph.op(i), graph.parents[i]
            operands = [names[i], *(names[p] for p in parents)]
            found = self.namespace.template(op, len(parents))
            if found.derivatives is None:
                result = f"d_{operands[0]}"
                call = self.namespace.bind_derivative(op, len(parents))
                lines.append(f"{result} = {call}({', '.join(operands)})")
                locals_ = [(f"{result}[{k}]", ATOM) for k in range(len(parents))]
            else:
                locals_ = [
                    (render(text, operands), precedence) for text, precedence in found.derivatives
                ]
            for parent, local in zip(parents, locals_):
                if needs_grad[parent]:
                    terms.setdefault(parent, []).append(product(upstream, local))
        for position in self.inputs:
            if position in terms:
                lines += self._sum_line(grads, position, terms.pop(position))
        return lines, [grads.get(position, "0.0") for position in self.inputs]

    def _sum_line(self, grads: dict[int, str], i: int, terms: list[tuple[str, int]]) -> list[str]:
        """`g_p = t1 + t2 - t3 …`, left to right as the dynamic engine adds; long sums are
        continued as `g_p = g_p + …`."""
        name = grads[i] = f"g_{self.names[i]}"
        lines = []
        for start in range(0, len(terms), MAX_TERMS):
            text = name if start else ""
            for text_of_term, sign in terms[start : start + MAX_TERMS]:
                if not text:
                    text = f"-{text_of_term}" if sign < 0 else text_of_term
                else:
                    text += f" {'-' if sign < 0 else '+'} {text_of_term}"
            lines.append(f"{name} = {text}")
        return lines

    def label_comments(self, inputs: Sequence[Value]) -> list[str]:
        return label_comments(inputs, self.arguments)


def label_comments(inputs: Sequence[Value], arguments: Sequence[str]) -> list[str]:
    """`# x0: 'ｖ0'` for each input whose label is not its argument's name."""
    return [
        f"# {name}: {ascii(node.label)}"
        for node, name in zip(inputs, arguments)
        if node.label and node.label != name
    ]


def source(name: str, arguments: list[str], body: list[str], result: str) -> str:
    lines = [f"def {name}({', '.join(arguments)}):", *body, f"return {result}"]
    return "\n    ".join(lines) + "\n"

"""The NumPy emitter: the same code over arrays, one element per data point.

Choices are `where(c, a, b)`; a called forward or derivative is the op's vectorised form: the
table's `numpy` field where the row has one (a bound row's parameters follow the operands:
`numpy.power(x, n)`), NumPy's function of the same name for a `math`
builtin (`exp` → `numpy.exp`), and otherwise the float rule applied element by element — slow,
but every primitive, including one registered at run time, works batched.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from ..ops import Op
from ..value import Value
from .emit import MAX_TERMS, Namespace, argument_names, product
from .graph import Graph
from .matrices import find_groups
from .symbolic import ATOM, WHERE, literal, render


def _numpy() -> Any:
    """NumPy, imported when batched code is first made (the float emitter does not need it)."""
    global _NUMPY
    if _NUMPY is None:
        import numpy

        _NUMPY = numpy
    return _NUMPY


_NUMPY: Any = None


def _sigmoid(x: Any) -> Any:
    """1/(1 + e⁻ˣ) without overflow: e^(-log(1 + e⁻ˣ))."""
    numpy = _numpy()
    return numpy.exp(-numpy.logaddexp(0.0, -x))


def _sum(*xs: Any) -> Any:
    return functools.reduce(operator.add, xs)


def _dot(*xs: Any) -> Any:
    half = len(xs) // 2
    return functools.reduce(operator.add, map(operator.mul, xs[:half], xs[half:]))


_FALLBACK = {"sigmoid": _sigmoid, "sum": _sum, "dot": _dot}  # until these rows have `numpy`
"""Vectorised forwards for built-ins whose float forward is not a `math` builtin, until every
row of the op table carries its own `numpy` field."""


def _forward_elementwise(forward: Callable[..., Any], arity: int) -> Callable[..., Any]:
    """The float `forward` applied to each element of its broadcast array arguments."""
    numpy = _numpy()
    vector = numpy.frompyfunc(forward, arity, 1)
    return lambda *args: numpy.asarray(vector(*args), dtype=float)


class ArrayNamespace(Namespace):
    """Functions for arrays: any input may be an array of points, and everything broadcasts.
    NumPy's rules then apply: no domain errors, nan and inf instead."""

    choice = WHERE

    def __init__(self) -> None:
        super().__init__()
        numpy = _numpy()
        self.objects.update(
            {
                "where": numpy.where,
                "inf": numpy.inf,
                "nan": numpy.nan,
                "array": numpy.array,
                "zeros": numpy.zeros,
            }
        )

    def forward_object(self, op: Op, arity: int) -> Callable[..., Any]:
        vectorised = op.numpy
        if isinstance(vectorised, str):
            vectorised = getattr(_numpy(), vectorised)
        if vectorised is not None:
            if op.params:  # a bound row of a family: its parameters follow the operands
                parameters = tuple(op.params.values())
                return lambda *xs: vectorised(*xs, *parameters)
            return vectorised
        found: Callable[..., Any] | None = _numpy_builtin(op.forward)
        if found is not None:
            return found
        if op.name in _FALLBACK:
            return _FALLBACK[op.name]
        return _forward_elementwise(op.forward, arity)

    def derivative_object(self, op: Op, arity: int) -> Callable[..., Any]:
        def rule(*args: Any) -> tuple[Any, ...]:
            return tuple(op.derivative(*args))

        return _derivative_elementwise(rule, arity)


def _derivative_elementwise(rule: Callable[..., Any], arity: int) -> Callable[..., Any]:
    """The float derivative `rule` (of the node and its parents) element by element: a tuple
    of one float array per parent."""
    numpy = _numpy()
    if arity == 1:
        vector = numpy.frompyfunc(lambda *args: rule(*args)[0], 2, 1)
        return lambda *args: (numpy.asarray(vector(*args), dtype=float),)
    vector = numpy.frompyfunc(rule, arity + 1, arity)
    return lambda *args: tuple(numpy.asarray(part, dtype=float) for part in vector(*args))


def _numpy_builtin(function: Callable[..., Any]) -> Any:
    """NumPy's function for a `math` builtin of the same name (math.pow → numpy.power)."""
    if not inspect.isbuiltin(function):
        return None
    numpy = _numpy()
    if function is math.pow:
        return numpy.power
    return getattr(numpy, function.__name__, None)


# -- helpers the batched code calls -----------------------------------------------------------


def stack_columns(*columns: Any) -> Any:
    """Columns (arrays over the batch, or numbers) side by side: shape (batch, n)."""
    numpy = _numpy()
    return numpy.stack(numpy.broadcast_arrays(*columns), axis=-1)


def as_column(x: Any) -> Any:
    """One value per example as a column, to broadcast against a (batch, n) matrix."""
    return _numpy().asarray(x)[..., None]


def outer_sum(g: Any, x: Any, n_batch: int) -> Any:
    """Σ over the batch of gᵢxⱼ: the gradient of W in `X @ W.T` (gᵀX for (batch, n) arrays;
    when neither depends on the example, `n_batch` times their outer product)."""
    numpy = _numpy()
    g, x = numpy.asarray(g), numpy.asarray(x)
    if g.ndim == 2 and x.ndim == 2:
        return g.T @ x
    if g.ndim <= 1 and x.ndim <= 1:
        return numpy.outer(g, x) * n_batch
    batch = numpy.broadcast_shapes(g.shape[:-1], x.shape[:-1])
    g2 = numpy.broadcast_to(g, batch + g.shape[-1:]).reshape(-1, g.shape[-1])
    x2 = numpy.broadcast_to(x, batch + x.shape[-1:]).reshape(-1, x.shape[-1])
    return g2.T @ x2


def sum_rows(a: Any, n_batch: int) -> Any:
    """A (batch, n) matrix summed over the batch; a row that is the same for every example
    counts `n_batch` times."""
    a = _numpy().asarray(a)
    if a.ndim >= 2:
        return a.reshape(-1, a.shape[-1]).sum(axis=0)
    return a * n_batch


def batch_total(a: Any, n_batch: int) -> Any:
    """Σ over the batch of a per-example value (a number counts `n_batch` times)."""
    a = _numpy().asarray(a)
    return a.sum() if a.ndim else a * n_batch


def batch_totals(n_batch: int, *values: Any) -> Any:
    """`batch_total` of each value, as one vector."""
    numpy = _numpy()
    try:  # all numbers (the same for every example), or all arrays over the batch
        stacked = numpy.array(values, dtype=float)
    except (ValueError, TypeError):
        return numpy.array([batch_total(value, n_batch) for value in values])
    return stacked * n_batch if stacked.ndim == 1 else stacked.reshape(len(values), -1).sum(1)


def batch_size(*inputs: Any) -> int:
    """The number of examples: the length of the inputs that are arrays (1 if none are)."""
    sizes = [len(x) for x in inputs if getattr(x, "ndim", 0) >= 1]
    return max(sizes, default=1)


HELPERS = {
    f.__name__: f
    for f in (stack_columns, as_column, outer_sum, sum_rows, batch_total, batch_totals, batch_size)
}


# -- the batched emitter -------------------------------------------------------------------------


class BatchedEmitter:
    """Writes a graph of one example as code over a batch of examples.

    Every input may be an array over the batch. With `reduce` ('sum' or 'mean') the code
    returns the output summed (or averaged) over the batch and the gradient of that with
    respect to `wrt` (a subset of the inputs: the parameters) as one NumPy vector, and it finds
    the matrices (`autograd.compile.matrices`): a layer is `m3 = m1 @ w3.T`, its gradient
    `g_w3 = outer_sum(g_m3, m1)` and `g_m1 = g_m3 @ w3`. Without `reduce` every input gets its
    per-example gradient, and every node is its own line (elementwise over the batch).
    """

    def __init__(
        self,
        graph: Graph,
        output: Value,
        inputs: Sequence[Value],
        namespace: ArrayNamespace,
        preferred_names: Sequence[str] | None,
        wrt: Sequence[Value] | None,
        reduce: str | None,
    ) -> None:
        self.graph = graph
        self.namespace = namespace
        self.reduce = reduce
        self.output = graph.index[output]
        self.inputs = [graph.index.get(node, -1) for node in inputs]
        wrt = list(inputs) if wrt is None else list(wrt)
        self.wrt = [graph.index.get(node, -1) for node in wrt]
        self.wrt_position = {i: k for k, i in enumerate(self.wrt) if i >= 0}
        parameters = set(self.wrt_position) if reduce is not None else set()
        self.groups = find_groups(graph, parameters, set(self.inputs))
        self.column = {i: (g.number, c) for g in self.groups for c, i in enumerate(g.members)}
        for i, op in enumerate(graph.ops):
            if op is not None:
                namespace.template(op, len(graph.parents[i]))
        namespace.objects.update(HELPERS)
        self.arguments = argument_names(inputs, preferred_names, set(namespace.objects))
        self.names = [
            literal(node.data) if op is None else "" for node, op in zip(graph.nodes, graph.ops)
        ]
        for position, name in zip(self.inputs, self.arguments):
            if position >= 0:
                self.names[position] = name
        self.count = 0
        self.stacked: dict[tuple[int, ...], int] = {}  # a layer's stacked input -> its group

    def text(self, i: int) -> str:
        """A node's value in the code: its variable, argument, literal, or column of a group."""
        if i in self.column:
            g, c = self.column[i]
            return f"m{g}[..., {c}]"
        return self.names[i]

    # -- forward ---------------------------------------------------------------------------

    def units(self) -> list[tuple[str, int]]:
        """('node', i) and ('group', g) in an order where each comes after what it uses."""
        at = {g.position: g.number for g in self.groups}
        order = []
        for i, op in enumerate(self.graph.ops):
            if i in at:
                order.append(("group", at[i]))
            if op is not None and i not in self.column:
                order.append(("node", i))
        return order

    def forward_lines(self) -> list[str]:
        lines = []
        for kind, k in self.units():
            lines += self._forward_group(k) if kind == "group" else [self._forward_node(k)]
        return lines

    def _forward_node(self, i: int) -> str:
        graph = self.graph
        variable = self.names[i] = f"v{self.count}"
        self.count += 1
        op = graph.op(i)
        operands = [variable, *(self.text(p) for p in graph.parents[i])]
        found = self.namespace.template(op, len(operands) - 1)
        if found.forward is not None:
            line = f"{variable} = {render(found.forward, operands)}"
        else:
            call = self.namespace.bind_forward(op, len(operands) - 1)
            line = f"{variable} = {call}({', '.join(operands[1:])})"
        label = graph.nodes[i].label
        return f"{line}  # {ascii(label)}" if label else line

    def _matrix_of(self, x: tuple[int, ...]) -> str:
        """The input vector of a layer: a group's matrix when x is its columns in order, else
        the matrix `X3` the forward pass stacked from the columns."""
        first = self.column.get(x[0])
        if first is not None and first[1] == 0:
            group = self.groups[first[0]]
            if tuple(group.members) == x:
                return f"m{group.number}"
        return f"X{self.groups[self.stacked[x]].number}"

    def _matrix_of_group(self, x: tuple[int, ...]) -> bool:
        first = self.column.get(x[0])
        return first is not None and first[1] == 0 and tuple(self.groups[first[0]].members) == x

    def _forward_group(self, g: int) -> list[str]:
        group, graph = self.groups[g], self.graph
        if group.kind == "dot":
            rows = ", ".join(f"[{', '.join(self.text(p) for p in row)}]" for row in group.weights)
            stack = []
            if group.x not in self.stacked and not self._matrix_of_group(group.x):
                self.stacked[group.x] = g
                stack = [f"X{g} = stack_columns({', '.join(self.text(p) for p in group.x)})"]
            return [
                *stack,
                f"w{g} = array([{rows}])",
                f"m{g} = {self._matrix_of(group.x)} @ w{g}.T  # a layer: "
                f"{len(group.members)} dot nodes over one input vector",
            ]
        lines = []
        operands = [f"m{g}"]
        for k, (kind, what) in enumerate(group.operands):
            if kind == "g":
                operands.append(f"m{what}")
            elif kind == "p":
                lines.append(f"p{g}_{k} = array([{', '.join(self.text(p) for p in what)}])")
                operands.append(f"p{g}_{k}")
            elif kind == "s":
                operands.append(f"as_column({self.text(what)})")
            else:
                operands.append(self.text(what))
        op = graph.op(group.members[0])
        found = self.namespace.template(op, len(operands) - 1)
        if found.forward is not None:
            lines.append(f"m{g} = {render(found.forward, operands)}")
        else:
            call = self.namespace.bind_forward(op, len(operands) - 1)
            lines.append(f"m{g} = {call}({', '.join(operands[1:])})")
        return lines

    # -- backward --------------------------------------------------------------------------

    def backward_lines(self) -> tuple[list[str], str]:
        """The chain rule over nodes and groups, output first; and the result expression."""
        graph = self.graph
        needs = graph.leading_to(self.wrt)
        for group in self.groups:  # a group's columns are all differentiated, or none
            flag = any(needs[i] for i in group.members)
            for i in group.members:
                needs[i] = flag
        self.needs = needs
        self.terms: dict[int, list[str]] = {}
        self.group_terms: dict[int, list[str]] = {}
        self.column_terms: dict[int, dict[int, list[str]]] = {}
        self.param_terms: dict[int, list[str]] = {}
        self.param_vectors: list[tuple[str, str]] = []
        lines: list[str] = []
        if self.output in self.column:
            g, c = self.column[self.output]
            self.column_terms[g] = {c: ["1.0"]}
        for kind, k in reversed(self.units()):
            if kind == "node":
                lines += self._backward_node(k)
            else:
                lines += self._backward_group(k)
        return lines, self._result(lines)

    def _add_term(self, i: int, term: str) -> None:
        """Send `term` (a gradient contribution) to node i: a column, a parameter, a node."""
        if not self.needs[i]:
            return
        if i in self.column:
            g, c = self.column[i]
            self.column_terms.setdefault(g, {}).setdefault(c, []).append(term)
        elif i in self.wrt_position:
            self.param_terms.setdefault(self.wrt_position[i], []).append(term)
        elif self.graph.ops[i] is not None:
            self.terms.setdefault(i, []).append(term)

    def _backward_node(self, i: int) -> list[str]:
        graph = self.graph
        if i == self.output:
            upstream, lines = "1.0", []
        elif i in self.terms:
            upstream = f"g_{self.names[i]}"
            lines = _sum_lines(upstream, self.terms.pop(i))
        else:
            return []
        op, parents = graph.op(i), graph.parents[i]
        operands = [self.names[i], *(self.text(p) for p in parents)]
        locals_ = self._locals(op, operands, f"d_{self.names[i]}", lines)
        for parent, local in zip(parents, locals_):
            if self.needs[parent]:
                self._add_term(parent, _term(upstream, local))
        return lines

    def _locals(
        self, op: Op, operands: list[str], result: str, lines: list[str]
    ) -> list[tuple[str, int]]:
        found = self.namespace.template(op, len(operands) - 1)
        if found.derivatives is None:
            call = self.namespace.bind_derivative(op, len(operands) - 1)
            lines.append(f"{result} = {call}({', '.join(operands)})")
            return [(f"{result}[{k}]", ATOM) for k in range(len(operands) - 1)]
        return [(render(text, operands), precedence) for text, precedence in found.derivatives]

    def _backward_group(self, g: int) -> list[str]:
        group = self.groups[g]
        matrices = self.group_terms.pop(g, [])
        columns = self.column_terms.pop(g, {})
        if not matrices and not columns:
            return []
        upstream = f"g_m{g}"
        lines = _sum_lines(upstream, matrices) if matrices else []
        if columns:
            stacked = (
                "stack_columns("
                + ", ".join(
                    " + ".join(columns[c]) if c in columns else "0.0"
                    for c in range(len(group.members))
                )
                + ")"
            )
            lines.append(f"{upstream} = {upstream + ' + ' if matrices else ''}{stacked}")
        if group.kind == "dot":
            lines.append(f"g_w{g} = outer_sum({upstream}, {self._matrix_of(group.x)}, n_batch)")
            positions = [self.wrt_position[p] for row in group.weights for p in row]
            self.param_vectors.append((self._constant(positions), f"g_w{g}"))
            if any(self.needs[p] for p in group.x):
                source = self._matrix_of(group.x)
                if source.startswith("m"):
                    self.group_terms.setdefault(int(source[1:]), []).append(f"{upstream} @ w{g}")
                else:
                    lines.append(f"g_x{g} = {upstream} @ w{g}")
                    for k, p in enumerate(group.x):
                        self._add_term(p, f"g_x{g}[..., {k}]")
            return lines
        operands = [f"m{g}"]
        for k, (kind, what) in enumerate(group.operands):
            operands.append(
                {
                    "g": f"m{what}",
                    "p": f"p{g}_{k}",
                    "s": f"as_column({self.text(what) if kind == 's' else ''})",
                }.get(kind, self.text(what) if kind == "c" else "")
            )
        op = self.graph.op(group.members[0])
        locals_ = self._locals(op, operands, f"d_m{g}", lines)
        for k, ((kind, what), local) in enumerate(zip(group.operands, locals_)):
            term = _term(upstream, local)
            if kind == "g" and any(self.needs[i] for i in self.groups[what].members):
                self.group_terms.setdefault(what, []).append(term)
            elif kind == "p":
                lines.append(f"g_p{g}_{k} = sum_rows({term}, n_batch)")
                positions = [self.wrt_position[p] for p in what]
                self.param_vectors.append((self._constant(positions), f"g_p{g}_{k}"))
            elif kind == "s" and self.needs[what]:
                self._add_term(what, f"({term}).sum(axis=-1)")
        return lines

    def _constant(self, positions: list[int]) -> str:
        """A constant integer array in the namespace (where gradients go in the result)."""
        numpy = _numpy()
        name = f"positions_{len(self.param_vectors)}"
        array = numpy.array(positions, dtype=numpy.intp)
        unique = len(set(positions)) == len(positions)
        self.namespace.objects[name] = (array, unique)
        return name

    def _result(self, lines: list[str]) -> str:
        value = self.text(self.output)
        if self.reduce is None:  # per-example gradients of every input
            grads = []
            for k, i in enumerate(self.wrt):
                terms = self.param_terms.get(k)
                if not terms:
                    grads.append("0.0")
                    continue
                name = f"g_{self.names[i]}"
                lines += _sum_lines(name, terms)
                grads.append(name)
            return f"{value}, ({', '.join(grads)}{',' if len(grads) == 1 else ''})"
        lines.append(f"grads = zeros({len(self.wrt)})")
        for positions, matrix in self.param_vectors:
            lines.append(f"scatter_add(grads, {positions}, {matrix})")
        if self.param_terms:
            scalars = sorted(self.param_terms.items())
            positions = self._constant([k for k, _ in scalars])
            totals = ", ".join(" + ".join(terms) for _, terms in scalars)
            lines.append(f"scatter_add(grads, {positions}, batch_totals(n_batch, {totals}))")
        total = f"batch_total({value}, n_batch)"
        if self.reduce == "mean":
            lines.append("grads /= n_batch")
            return f"{total} / n_batch, grads"
        return f"{total}, grads"


def scatter_add(grads: Any, positions: tuple[Any, bool], values: Any) -> None:
    """grads[positions] += values (flattened), also where a position repeats."""
    numpy = _numpy()
    index, unique = positions
    if unique:
        grads[index] += numpy.ravel(values)
    else:
        numpy.add.at(grads, index, numpy.ravel(values))


HELPERS[scatter_add.__name__] = scatter_add


def _term(upstream: str, local: tuple[str, int]) -> str:
    """upstream × local as a term of a sum (with its sign)."""
    text, sign = product(upstream, local)
    return f"-{text}" if sign < 0 else text


def _sum_lines(name: str, terms: list[str]) -> list[str]:
    lines = []
    for start in range(0, len(terms), MAX_TERMS):
        chunk = " + ".join(terms[start : start + MAX_TERMS])
        lines.append(f"{name} = {name + ' + ' if start else ''}{chunk}")
    return lines

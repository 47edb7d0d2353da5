"""The node of the computation graph, and backpropagation through it.

A `Value` holds one float (`data`), the gradient of the last backward pass (`grad`), the Values it
was computed from (its parents, in argument order, duplicates kept) and the primitive that
computed it (its op: a row of the table in `autograd.ops`). It keeps no closure: the local
derivatives ∂out/∂parent are evaluated from the op's one rule when the chain rule needs them, so
the graph has no reference cycles and reference counting frees it as soon as the last Value that
reaches it is dropped.

Reading order: how a node is made (`apply`), the node and its operators, `backward`. Below the
line: what a node shows, comparisons, named methods (made from the op table), copying, number
validation and every error message the engine writes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from typing import TYPE_CHECKING, Any, TypeAlias

from . import mode
from .graph import backprop_order, walk

if TYPE_CHECKING:
    from .ops import Op

_new = object.__new__


def apply(op: Op, *inputs: Value) -> Value:
    """Apply primitive `op` to Values: compute its float forward and record the graph edge.

    Under `no_grad()` the result is a leaf. Domain errors name the op, the inputs and labels.
    """
    # Fast paths (measured with timeit, CPython 3.11, per node): unrolling one and two inputs
    # saves ~150 ns of ~630 against building a list; `_new` instead of `Value(...)` skips
    # __init__'s checks (data comes from a forward), another ~450 ns.
    try:
        if len(inputs) == 2:
            data = op.forward(inputs[0].data, inputs[1].data)
        elif len(inputs) == 1:
            data = op.forward(inputs[0].data)
        else:
            data = op.forward(*[value.data for value in inputs])
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise domain_error(op, inputs, error) from None
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    if not mode.entered:  # no mode anywhere: record (the state of this thread is not read)
        node._parents = inputs
        node._op = op
        return node
    state = mode.state
    if state.enabled:
        node._parents = inputs
        node._op = op
    else:
        node._parents = ()
        node._op = None
    if state.anomaly and not math.isfinite(data):
        raise forward_anomaly(op, inputs, data)
    return node


class Value:
    """A scalar in the computation graph: `Value(2.0, label='w')`.

    `data` is always a finite Python float (see docs/numbers.md for the opt-in to inf and nan);
    `grad` is ∂(output of the last backward)/∂(this value). Equality and hashing are by identity
    (Values are graph nodes); `< <= > >=` compare `data`.
    """

    __slots__ = ("data", "grad", "_parents", "_op", "label")

    def __init__(self, data: float, label: str = "", *, allow_nonfinite: bool = False) -> None:
        if isinstance(data, Value):
            raise TypeError(
                f"Value(...) takes a number, got a Value {data!r}; use the Value itself or "
                "x.detach()"
            )
        self.data = number(data, "Value data", finite=not allow_nonfinite)
        self.grad = 0.0
        self._parents: tuple[Value, ...] = ()
        self._op: Op | None = None
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__} {label!r}")
        self.label = label

    # -- arithmetic: each operator applies one row of the op table -----------------------------

    def __add__(self, other: Scalar) -> Value:
        return apply(ADD, self, as_value(other))

    def __radd__(self, other: float) -> Value:
        return apply(ADD, as_value(other), self)

    def __sub__(self, other: Scalar) -> Value:
        return apply(SUB, self, as_value(other))

    def __rsub__(self, other: float) -> Value:
        return apply(SUB, as_value(other), self)

    def __mul__(self, other: Scalar) -> Value:
        return apply(MUL, self, as_value(other))

    def __rmul__(self, other: float) -> Value:
        return apply(MUL, as_value(other), self)

    def __truediv__(self, other: Scalar) -> Value:
        return apply(DIV, self, as_value(other))

    def __rtruediv__(self, other: float) -> Value:
        return apply(DIV, as_value(other), self)

    def __pow__(self, exponent: Scalar) -> Value:
        if isinstance(exponent, Value):
            return apply(POW, self, exponent)
        n = number(exponent, "exponent", finite=True)  # x**n: the power row bound to n
        return apply(POWER._bound.get((n,)) or POWER.bind(n=n), self)

    def __rpow__(self, base: float) -> Value:
        return apply(POW, as_value(base), self)

    def __neg__(self) -> Value:
        return apply(NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return apply(ABS, self)

    # -- backpropagation --------------------------------------------------------------------------

    def backward(self, grad: float = 1.0) -> None:
        """Backpropagate from this Value: every ancestor's `.grad` gets ∂self/∂ancestor · grad.

        The chain rule is applied in topological order (iteratively: any depth works). Leaf grads
        accumulate across calls, as in PyTorch: a pass sums each leaf's gradient from 0 and adds
        the total to what the leaf held, so calling `backward()` twice exactly doubles every leaf
        grad, bit for bit. Interior grads are reset each call and show this pass only. A node
        whose gradient is 0 passes nothing on (not even where its local derivative is infinite).
        """
        seed = number(grad, "grad", finite=True)
        order, held = start_pass(self)
        self.grad += seed
        anomaly = mode.entered and mode.state.anomaly
        for node in order:
            upstream = node.grad
            if upstream == 0.0:
                continue
            parents = node._parents
            try:  # unrolled for one and two inputs: this loop is the hot path of training
                if len(parents) == 2:
                    x, y = parents
                    local = node._op.derivative(node.data, x.data, y.data)  # type: ignore[union-attr]
                    x.grad += local[0] * upstream
                    y.grad += local[1] * upstream
                elif len(parents) == 1:
                    local = node._op.derivative(node.data, parents[0].data)  # type: ignore[union-attr]
                    parents[0].grad += local[0] * upstream
                else:
                    local = node._op.derivative(  # type: ignore[union-attr]
                        node.data, *[parent.data for parent in parents]
                    )
                    for parent, derivative in zip(parents, local):
                        parent.grad += derivative * upstream
            except (ValueError, ZeroDivisionError, OverflowError) as error:
                raise domain_error(node._op, parents, error, of_derivative=True) from None  # type: ignore[arg-type]
            if anomaly:
                check_backward(node, local)
        end_pass(held)

    # ---------------------------------------------------------------------------------------------
    # Below this line: what a node shows, comparisons, graph utilities, copying. The named methods
    # (`x.tanh()`, `x.exp()`, …) are not written here: `install_method` makes one per row of the
    # op table, so a new primitive gets its method by itself.
    # ---------------------------------------------------------------------------------------------

    if TYPE_CHECKING:  # the named methods installed from the op table

        def __getattr__(self, name: str) -> Callable[..., Value]: ...

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order (`a + a` has `(a, a)`)."""
        return self._parents

    @property
    def op(self) -> str:
        """The primitive that made this Value, as pictures show it: `'tanh'`, `'+'`, with a
        family's parameters `'**2'`, `'leaky_relu(0.2)'`; `''` for a leaf."""
        return self._op.title if self._op is not None else ""

    @property
    def operation(self) -> Op | None:
        """The row of the op table that made this Value (bound to its parameters), or None;
        `operation.name` is its key in `autograd.REGISTRY` (`'power'` for `x**2`)."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True when this Value was not computed from others (an input, a parameter, a constant)."""
        return not self._parents

    def local_derivatives(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, as floats, from the op's rule."""
        if self._op is None:
            return ()
        return evaluate_rule(self, create_graph=False)

    def __repr__(self) -> str:
        text = f"Value(data={float_text(self.data)}, grad={float_text(self.grad)}"
        if self._op is not None:
            text += f", op={self._op.title!r}"
        if self.label:
            text += f", label={self.label!r}"
        return text + ")"

    def _repr_html_(self) -> str:
        """One line for notebooks: label, data, grad and op."""
        from html import escape

        cells = [
            f"<b>{escape(self.label)}</b>" if self.label else "",
            f"data {escape(format_number(self.data))}",
            f"grad {escape(format_number(self.grad))}",
        ]
        if self._op is not None:
            cells.append(f"op <code>{escape(self._op.title)}</code>")
        return f"<span class='glassgrad-value'>{' · '.join(c for c in cells if c)}</span>"

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The float held, as `torch.Tensor.item()`."""
        return self.data

    # -- comparisons look at data; ==, hash stay identity ----------------------------------------
    # `autograd.compile` records them as guards while it traces (mode.state.observer).

    def __lt__(self, other: Scalar) -> bool:
        outcome = self.data < _data_of(other)
        if mode.entered and mode.state.observer is not None:
            mode.state.observer(self, "<", other, outcome)
        return outcome

    def __le__(self, other: Scalar) -> bool:
        outcome = self.data <= _data_of(other)
        if mode.entered and mode.state.observer is not None:
            mode.state.observer(self, "<=", other, outcome)
        return outcome

    def __gt__(self, other: Scalar) -> bool:
        outcome = self.data > _data_of(other)
        if mode.entered and mode.state.observer is not None:
            mode.state.observer(self, ">", other, outcome)
        return outcome

    def __ge__(self, other: Scalar) -> bool:
        outcome = self.data >= _data_of(other)
        if mode.entered and mode.state.observer is not None:
            mode.state.observer(self, ">=", other, outcome)
        return outcome

    # -- graph utilities -------------------------------------------------------------------------

    def detach(self) -> Value:
        """A new leaf with the same data and label: gradients do not flow through it."""
        node = _leaf(self.data)
        node.label = self.label
        return node

    def draw(self, **options: Any) -> Any:
        """Shortcut for `autograd.draw_graph(self, **options)` (a graphviz.Digraph)."""
        from .draw import draw_graph

        return draw_graph(self, **options)

    def view(self, **options: Any) -> Any:
        """Shortcut for `autograd.view(self, **options)`: the interactive page of this graph."""
        from importlib import import_module

        return import_module(".viewer", __package__).view(self, **options)

    # -- copying: iterative, so graphs of any depth copy and pickle -------------------------------

    def __copy__(self) -> Value:
        """A new node with the same data, grad, label, op and parents (the parents are shared)."""
        copy = _leaf(self.data)
        copy.grad, copy.label = self.grad, self.label
        copy._op, copy._parents = self._op, self._parents
        return copy

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """A copy of the whole graph reaching this Value (shared nodes stay shared)."""
        for node in reversed(list(walk(self))):  # parents before children
            if id(node) not in memo:
                copy = _leaf(node.data)
                copy.grad, copy.label, copy._op = node.grad, node.label, node._op
                copy._parents = tuple(memo[id(parent)] for parent in node._parents)
                memo[id(node)] = copy
        copied: Value = memo[id(self)]
        return copied

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the graph as a flat list of nodes (no recursion, any depth).

        Ops are stored by name and parameters and looked up in the op table when loaded, so a
        user primitive must be registered again first. Each pickled Value carries its own graph:
        two Values pickled separately no longer share their common nodes when loaded.
        """
        nodes = list(reversed(list(walk(self))))
        index = {node: i for i, node in enumerate(nodes)}
        records = [
            (
                node.data,
                node.grad,
                node.label,
                None if node._op is None else (node._op.name, tuple(node._op.params.items())),
                tuple(index[parent] for parent in node._parents),
            )
            for node in nodes
        ]
        return (_rebuild, (records,))


Scalar: TypeAlias = Value | float
"""A number or a Value: what the engine's functions take."""


def _rebuild(records: list[tuple[Any, ...]]) -> Value:
    """The graph `Value.__reduce__` flattened; returns its root (the last record)."""
    from .ops import REGISTRY

    nodes: list[Value] = []
    for data, grad, label, op, parents in records:
        node = _leaf(number(data, "pickled data"))
        node.grad = number(grad, "pickled grad")
        node.label = str(label)
        if op is not None:
            name, params = op
            if name not in REGISTRY:
                raise ValueError(
                    f"cannot unpickle a Value made by {name!r}: no such primitive "
                    "(register it with autograd.primitive first)"
                )
            node._op = REGISTRY[name].bind(**dict(params))
            node._parents = tuple(nodes[i] for i in parents)
        nodes.append(node)
    return nodes[-1]


# -- the chain rule's local factors and the bookkeeping of a pass ---------------------------------


def start_pass(root: Value) -> tuple[list[Value], list[tuple[Value, float]]]:
    """The backprop order from `root`, its interior grads reset, and its leaves' grads set aside
    (a leaf then sums this pass from 0): (order, what was set aside, for `end_pass`).

    The leaves are collected while the order is walked, not in a second pass over the edges
    (backward of a 10⁶-node chain: 0.46 s → 0.35 s, measured with gc off).
    """
    leaves: list[Value] = []
    order = backprop_order(root, leaves)
    for node in order:
        node.grad = 0.0
    held = []
    for leaf in leaves:
        if leaf.grad:  # a leaf met twice is zero the second time
            held.append((leaf, leaf.grad))
            leaf.grad = 0.0
    return order, held


def end_pass(held: list[tuple[Value, float]]) -> None:
    """Add back the leaf grads `start_pass` set aside: one addition per leaf (g + g is exact)."""
    for leaf, before in held:
        leaf.grad = before + leaf.grad


def evaluate_rule(node: Value, create_graph: bool) -> tuple[Any, ...]:
    """∂node/∂parent for each parent of `node`, from its op's rule.

    On floats by default; on Values (connected to the graph) with `create_graph=True`.
    """
    op = node._op
    assert op is not None, "evaluate_rule of a leaf"
    parents = node._parents
    try:
        if create_graph:
            return op.derivative(node, *parents)
        return op.derivative(node.data, *[parent.data for parent in parents])
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise domain_error(op, parents, error, of_derivative=True) from None


# -- named methods, made from the op table ---------------------------------------------------------

_installed: dict[str, Callable[..., Value]] = {}


def install_method(name: str, op: Op | None) -> None:
    """Make `Value.<name>` apply `op` (None: remove the method made earlier for `name`).

    Only for a plain name that Value does not already use for something else (a primitive named
    `backward` gets no method) and for an op of fixed arity.
    """
    if not name.isidentifier() or name.startswith("_"):
        return
    current = Value.__dict__.get(name)
    if current is not None and _installed.get(name) is not current:
        return
    if op is None or op.arity is None:
        if name in _installed:
            delattr(Value, name)
            del _installed[name]
        return
    method = _method(op)
    setattr(Value, name, method)
    _installed[name] = method


def _method(op: Op) -> Callable[..., Value]:
    def unary(self: Value) -> Value:
        return apply(op, self)

    def general(self: Value, *others: Any, **params: float) -> Value:
        result = op(self, *others, **params)
        assert isinstance(result, Value)
        return result

    method = unary if op.arity == 1 and not op.params else general
    rules = ", ".join(text.format(out="out", x="x", y="y", other="other") for text in op.notation)
    method.__name__ = op.name
    method.__qualname__ = f"Value.{op.name}"
    method.__doc__ = f"{op.doc}; local derivative {rules} (row {op.name!r} of the op table)."
    return method


# -- numbers: the one validator, the one formatter -----------------------------------------------


def number(x: Any, what: str, *, finite: bool = False) -> float:
    """float(x) for a real number (not a bool); a TypeError saying what was given otherwise.

    With `finite=True`, inf and nan are refused with a ValueError naming `what`.
    """
    if type(x) is float:
        result: float = x
    elif isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} must be a real number, got {type(x).__name__} {_short_repr(x)}")
    else:
        try:
            result = float(x)
        except OverflowError:
            raise ValueError(f"{what} is too large for a float: {_short_repr(x)}") from None
    if finite and result - result != 0.0:  # inf - inf and nan - nan are nan
        raise ValueError(
            f"{what} must be a finite number, got {result!r}"
            + (
                "; pass allow_nonfinite=True to hold inf or nan (docs/numbers.md)"
                if what == "Value data"
                else ""
            )
        )
    return result


_number = number  # the name the compiled-code module uses


def _short_repr(x: Any) -> str:
    """repr(x), cut to 80 characters (a 5,000-digit number is not printed whole)."""
    try:
        text = repr(x)
    except ValueError:  # an int too long for str(): Python refuses to print it
        return f"<{type(x).__name__} of {x.bit_length()} bits>" if isinstance(x, int) else "<?>"
    return text if len(text) <= 80 else text[:60] + f"… ({len(text)} characters)"


def format_number(x: float) -> str:
    """Four significant digits: 0.7616, -3, 1e-05 (as `explain`, pictures and repr show them)."""
    return f"{x:.4g}"


def float_text(x: float) -> str:
    """`format_number`, always looking like a float (as `repr` shows it): 0.7616, 2.0, 1e-05."""
    text = format_number(x)
    return text if any(c in text for c in ".enai") else text + ".0"


def as_value(x: Scalar) -> Value:
    """`x` itself if it is a Value, else a new constant leaf holding float(x) (finite)."""
    if isinstance(x, Value):
        return x
    return _leaf(number(x, "operand", finite=True))


def _leaf(data: float) -> Value:
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node._parents = ()
    node._op = None
    node.label = ""
    return node


def _data_of(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else number(x, "comparison operand")


# -- error text: domain errors and anomalies ------------------------------------------------------


def domain_error(
    op: Op, inputs: tuple[Value, ...], error: Exception, of_derivative: bool = False
) -> Exception:
    """The same kind of error, with a message naming the op, its operand values and labels.

    `of_derivative`: the forward was fine but the local derivative is not finite there
    (√x at 0, xⁿ with n < 1 at 0).
    """
    where = f"{op.title}({describe_operands(inputs)})"
    if of_derivative:
        return type(error)(f"the derivative of {where} is not finite there ({error})")
    if isinstance(error, OverflowError):
        reason = "the result is too large for a float"
    elif op.domain:
        reason = f"needs {op.domain}"
    else:
        reason = str(error)
    return type(error)(f"{where}: {reason}")


def describe_operands(inputs: tuple[Value, ...]) -> str:
    """`x=-1.0 'a', y=2.0`: operand values and labels, named x, y (or x1, x2, … for more)."""
    names = ("x", "y") if len(inputs) <= 2 else [f"x{i}" for i in range(1, len(inputs) + 1)]
    parts = []
    for name, value in zip(names, inputs):
        label = f" {value.label!r}" if value.label else ""
        parts.append(f"{name}={value.data!r}{label}")
    return ", ".join(parts)


def forward_anomaly(op: Op, inputs: tuple[Value, ...], data: float) -> FloatingPointError:
    """`detect_anomaly`'s error for a forward pass that produced inf or nan."""
    return FloatingPointError(
        f"detect_anomaly: {op.title}({describe_operands(inputs)}) returned {data!r}"
    )


def check_backward(node: Value, local: tuple[float, ...]) -> None:
    """Under `detect_anomaly`: raise if the chain-rule step through `node` made inf or nan."""
    title = node._op.title if node._op is not None else ""
    where = f"{title}({describe_operands(node.parents)})"
    if node.label:
        where += f" -> {node.label!r}"
    for index, (parent, derivative) in enumerate(zip(node.parents, local)):
        if not math.isfinite(derivative):
            raise FloatingPointError(
                f"detect_anomaly: backward through {where}: local derivative for input "
                f"{index} is {derivative!r}"
            )
        if not math.isfinite(parent.grad):
            raise FloatingPointError(
                f"detect_anomaly: backward through {where}: gradient of input {index} "
                f"became {parent.grad!r}"
            )


# The op table imports Value and apply from here, so it is imported last (the one import circle).
# (Op is imported too, so `autograd.value.Op` keeps working.)
from .ops import ABS, ADD, DIV, MUL, NEG, POW, POWER, SUB  # noqa: E402
from .ops import Op as Op  # noqa: E402

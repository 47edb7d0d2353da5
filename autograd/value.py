"""The node of the computation graph, and backpropagation through it.

A `Value` holds one float (`data`), the gradient of the last backward pass (`grad`), the Values it
was computed from (`parents`, in argument order, duplicates kept) and the primitive that computed
it (`op`). It keeps no closure: the local derivatives ∂out/∂parent are evaluated from the op's one
rule in `autograd.ops` when the chain rule needs them, so the graph has no reference cycles and
reference counting frees it as soon as the last Value that reaches it is dropped.

The engine knows no particular op: every primitive is an `Op` from the table in `autograd.ops`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from typing import Any

from . import mode
from .graph import backprop_order


class Op:
    """A primitive: its float `forward` and its local-derivative rule, each written once.

    `derivative(out, *inputs)` returns one local derivative ∂out/∂input per input. It is written in
    arithmetic that works on floats (the fast path of `backward`) and on Values (`create_graph`,
    which is how higher-order derivatives exist without a second set of formulas).
    `domain` says, for error messages, which inputs the forward accepts.
    """

    __slots__ = ("name", "forward", "derivative", "domain")

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        derivative: Callable[..., tuple],
        domain: str = "",
    ) -> None:
        self.name = name
        self.forward = forward
        self.derivative = derivative
        self.domain = domain

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


_new = object.__new__

comparison_observer: Callable[[Value, str, Value | float, bool], None] | None = None
"""Told of every comparison `value < other` etc. while `autograd.compile` traces a function (its
guards); None otherwise, which costs the comparisons one global lookup."""


class Value:
    """A scalar in the computation graph: `Value(2.0, label='w')`.

    `data` is always a Python float; `grad` is ∂(output of the last backward)/∂(this value).
    Equality and hashing are by identity (Values are graph nodes); `< <= > >=` compare `data`.
    """

    __slots__ = ("data", "grad", "_parents", "_op", "label")

    def __init__(self, data: float, label: str = "") -> None:
        self.data = _to_float(data)
        self.grad = 0.0
        self._parents: tuple[Value, ...] = ()
        self._op: Op | None = None
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__} {label!r}")
        self.label = label

    # -- what a node is -------------------------------------------------------------------------

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order (`a + a` has `(a, a)`)."""
        return self._parents

    @property
    def op(self) -> str:
        """The name of the primitive that made this Value; `''` for a leaf."""
        return self._op.name if self._op is not None else ""

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
        text = f"Value(data={_short(self.data)}, grad={_short(self.grad)}"
        if self._op is not None:
            text += f", op={self._op.name!r}"
        if self.label:
            text += f", label={self.label!r}"
        return text + ")"

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The float held, as `torch.Tensor.item()`."""
        return self.data

    # -- comparisons look at data; ==, hash stay identity ----------------------------------------

    def __lt__(self, other: Value | float) -> bool:
        outcome = self.data < _data_of(other)
        if comparison_observer is not None:
            comparison_observer(self, "<", other, outcome)
        return outcome

    def __le__(self, other: Value | float) -> bool:
        outcome = self.data <= _data_of(other)
        if comparison_observer is not None:
            comparison_observer(self, "<=", other, outcome)
        return outcome

    def __gt__(self, other: Value | float) -> bool:
        outcome = self.data > _data_of(other)
        if comparison_observer is not None:
            comparison_observer(self, ">", other, outcome)
        return outcome

    def __ge__(self, other: Value | float) -> bool:
        outcome = self.data >= _data_of(other)
        if comparison_observer is not None:
            comparison_observer(self, ">=", other, outcome)
        return outcome

    # -- arithmetic: each operator applies one primitive from the table --------------------------

    def __add__(self, other: Value | float) -> Value:
        return apply(ADD, self, as_value(other))

    def __radd__(self, other: float) -> Value:
        return apply(ADD, as_value(other), self)

    def __sub__(self, other: Value | float) -> Value:
        return apply(SUB, self, as_value(other))

    def __rsub__(self, other: float) -> Value:
        return apply(SUB, as_value(other), self)

    def __mul__(self, other: Value | float) -> Value:
        return apply(MUL, self, as_value(other))

    def __rmul__(self, other: float) -> Value:
        return apply(MUL, as_value(other), self)

    def __truediv__(self, other: Value | float) -> Value:
        return apply(DIV, self, as_value(other))

    def __rtruediv__(self, other: float) -> Value:
        return apply(DIV, as_value(other), self)

    def __pow__(self, exponent: Value | float) -> Value:
        if isinstance(exponent, Value):
            return apply(POW, self, exponent)
        return apply(power_by(_number(exponent, "exponent")), self)

    def __rpow__(self, base: float) -> Value:
        return apply(POW, as_value(base), self)

    def __neg__(self) -> Value:
        return apply(NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return apply(ABS, self)

    def exp(self) -> Value:
        """e**x; d/dx e**x = e**x."""
        return apply(EXP, self)

    def log(self) -> Value:
        """Natural logarithm, x > 0; d/dx log x = 1/x."""
        return apply(LOG, self)

    def sqrt(self) -> Value:
        """√x, x >= 0; d/dx √x = 1/(2√x)."""
        return apply(SQRT, self)

    def tanh(self) -> Value:
        """tanh x = (eˣ - e⁻ˣ)/(eˣ + e⁻ˣ); d/dx tanh x = 1 - tanh² x."""
        return apply(TANH, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ); d/dx σ(x) = σ(x)(1 - σ(x))."""
        return apply(SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 for x > 0, else 0."""
        return apply(RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope·x; d/dx = 1 for x > 0, else slope."""
        return apply(leaky_relu_with(_number(slope, "slope")), self)

    def abs(self) -> Value:
        """|x|; d/dx |x| = sign x (0 at 0)."""
        return apply(ABS, self)

    def sin(self) -> Value:
        """sin x; d/dx sin x = cos x."""
        return apply(SIN, self)

    def cos(self) -> Value:
        """cos x; d/dx cos x = -sin x."""
        return apply(COS, self)

    # -- graph utilities -------------------------------------------------------------------------

    def detach(self) -> Value:
        """A new leaf with the same data and label: gradients do not flow through it."""
        return Value(self.data, self.label)

    def draw(self, **options: Any) -> Any:
        """Shortcut for `autograd.draw_graph(self, **options)` (a graphviz.Digraph)."""
        from .draw import draw_graph

        return draw_graph(self, **options)

    def view(self, **kwargs: Any) -> Any:
        """Shortcut for `autograd.view(self, **kwargs)`: the interactive viewer (a View)."""
        from .viewer import view

        return view(self, **kwargs)

    def backward(self, grad: float = 1.0) -> None:
        """Backpropagate from this Value: every ancestor's `.grad` gets ∂self/∂ancestor · grad.

        The chain rule is applied in topological order (iteratively: any depth works). Leaf grads
        accumulate across calls, as in PyTorch; interior grads are reset each call and show this
        pass only, so calling `backward()` twice exactly doubles every leaf grad.
        """
        seed = _to_float(grad)
        order = backprop_order(self)
        for node in order:
            node.grad = 0.0
        self.grad += seed
        anomaly = mode.grad_state.anomaly
        for node in order:
            upstream = node.grad
            if upstream == 0.0:
                continue
            parents = node._parents
            try:  # unrolled for one and two inputs: this loop is the hot path of training
                if len(parents) == 2:
                    x, y = parents
                    local = node._op.derivative(node.data, x.data, y.data)
                    x.grad += local[0] * upstream
                    y.grad += local[1] * upstream
                elif len(parents) == 1:
                    local = node._op.derivative(node.data, parents[0].data)
                    parents[0].grad += local[0] * upstream
                else:
                    local = node._op.derivative(node.data, *[parent.data for parent in parents])
                    for parent, derivative in zip(parents, local):
                        parent.grad += derivative * upstream
            except (ValueError, ZeroDivisionError, OverflowError) as error:
                raise domain_error(node._op, parents, error, of_derivative=True) from None
            if anomaly:
                mode.check_backward(node, local)


# -- making nodes ------------------------------------------------------------------------------


def apply(op: Op, *inputs: Value) -> Value:
    """Apply primitive `op` to Values: compute its float forward and record the graph edge.

    Under `no_grad()` the result is a leaf. Domain errors name the op, the inputs and labels.
    """
    try:  # unrolled for one and two inputs: this is the hot path of every forward pass
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
    state = mode.grad_state
    if state.enabled:
        node._parents = inputs
        node._op = op
    else:
        node._parents = ()
        node._op = None
    if state.anomaly and not math.isfinite(data):
        mode.report_forward_anomaly(op, inputs, data)
    return node


def evaluate_rule(node: Value, create_graph: bool) -> tuple:
    """∂node/∂parent for each parent of `node`, from its op's rule.

    On floats by default; on Values (connected to the graph) with `create_graph=True`.
    """
    op = node._op
    parents = node._parents
    try:
        if create_graph:
            return op.derivative(node, *parents)
        return op.derivative(node.data, *[parent.data for parent in parents])
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise domain_error(op, parents, error, of_derivative=True) from None


def domain_error(
    op: Op, inputs: tuple[Value, ...], error: Exception, of_derivative: bool = False
) -> Exception:
    """The same kind of error, with a message naming the op, its operand values and labels.

    `of_derivative`: the forward was fine but the local derivative is not finite there
    (√x at 0, xⁿ with n < 1 at 0).
    """
    where = f"{op.name}({describe_operands(inputs)})"
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


def as_value(x: Value | float) -> Value:
    """`x` itself if it is a Value, else a new constant leaf holding float(x)."""
    if isinstance(x, Value):
        return x
    node = _new(Value)
    node.data = _number(x, "operand")
    node.grad = 0.0
    node._parents = ()
    node._op = None
    node.label = ""
    return node


def _number(x: Any, what: str) -> float:
    """float(x) for a real number (not a bool); a TypeError saying what was given otherwise."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} must be a real number, got {type(x).__name__} {x!r}")
    return float(x)


def _to_float(x: Any) -> float:
    if isinstance(x, Value):
        raise TypeError(
            f"Value(...) takes a number, got a Value {x!r}; use the Value itself or x.detach()"
        )
    return _number(x, "Value data")


def _data_of(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else _number(x, "comparison operand")


def _short(x: float) -> str:
    """Four significant digits, always looking like a float: 0.7616, 2.0, 1e-05."""
    text = f"{x:.4g}"
    return text if any(c in text for c in ".enai") else text + ".0"


# The op table imports Value and apply from here, so it is imported last.
from .ops import (  # noqa: E402
    ABS,
    ADD,
    COS,
    DIV,
    EXP,
    LOG,
    MUL,
    NEG,
    POW,
    RELU,
    SIGMOID,
    SIN,
    SQRT,
    SUB,
    TANH,
    leaky_relu_with,
    power_by,
)

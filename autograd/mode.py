"""Grad modes, per thread: `no_grad`, `enable_grad`, `set_grad_enabled` and `detect_anomaly`."""

from __future__ import annotations

import contextlib
import math
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Op, Value


class _GradState(threading.local):
    """Each thread starts with grad recording on and anomaly detection off."""

    enabled = True
    anomaly = False


grad_state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default)."""
    return grad_state.enabled


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()`."""
    return grad_state.anomaly


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off for a block or a decorated function (this thread only)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = bool(enabled)
        self._saved: list[bool] = []

    def __enter__(self) -> None:
        self._saved.append(grad_state.enabled)
        grad_state.enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        grad_state.enabled = self._saved.pop()


class no_grad(set_grad_enabled):
    """Ops build no graph inside: results are leaves. Context manager and decorator."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record the graph again, e.g. inside a `no_grad()` block."""

    def __init__(self) -> None:
        super().__init__(True)


class detect_anomaly(contextlib.ContextDecorator):
    """Raise `FloatingPointError` at the first non-finite value, forward or backward.

    The message names the op, its operand values and labels.
    """

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> None:
        self._saved.append(grad_state.anomaly)
        grad_state.anomaly = True

    def __exit__(self, *exc_info: object) -> None:
        grad_state.anomaly = self._saved.pop()


def report_forward_anomaly(op: Op, inputs: tuple[Value, ...], data: float) -> None:
    from .value import describe_operands

    raise FloatingPointError(
        f"detect_anomaly: {op.name}({describe_operands(inputs)}) returned {data!r}"
    )


def check_backward(node: Value, local: tuple[float, ...]) -> None:
    """Raise if the chain-rule step through `node` produced a non-finite number."""
    from .value import describe_operands

    where = f"{node.op}({describe_operands(node.parents)})"
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

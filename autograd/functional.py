"""Derivatives as functions: `gradients`, and the transforms `grad`, `value_and_grad`,
`derivative` and `hessian` built on it (HIPS autograd / JAX style; they nest).

Floats in, floats out. Given Values, the transforms return Values connected to the graph, which
is what lets `grad(grad(f))` differentiate a derivative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .graph import backprop_order
from .mode import enable_grad
from .value import Scalar, Value, as_value, evaluate_rule, number


def gradients(
    output: Value,
    inputs: Value | Sequence[Value],
    create_graph: bool = False,
    grad_output: float = 1.0,
) -> Any:
    """∂output/∂input for each input, by the chain rule, without touching any `.grad`.

    Returns a list for a sequence of inputs, a single derivative for a single Value. Floats by
    default; with `create_graph=True`, Values whose own graph can be differentiated again (each
    op's rule is then evaluated on Values). An input that `output` does not depend on gets 0.
    """
    single = isinstance(inputs, Value)
    targets: list[Value] = [inputs] if isinstance(inputs, Value) else list(inputs)
    for target in targets:
        if not isinstance(target, Value):
            raise TypeError(f"gradients: inputs must be Values, got {type(target).__name__}")
    if not isinstance(output, Value):
        raise TypeError(f"gradients: output must be a Value, got {type(output).__name__}")
    with enable_grad():
        adjoint: dict[Value, Scalar] = {output: number(grad_output, "grad_output", finite=True)}
        for node in backprop_order(output):
            upstream = adjoint.get(node)
            if upstream is None or float(upstream) == 0.0 and type(upstream) is float:
                continue
            try:
                local_derivatives = evaluate_rule(node, create_graph)
            except (ValueError, ZeroDivisionError, OverflowError):
                if float(upstream) == 0.0:
                    continue  # as without create_graph: a zero gradient passes nothing on
                raise
            for parent, local in zip(node._parents, local_derivatives):
                if create_graph and type(local) is float and local == 0.0:
                    continue  # 0 · upstream is 0 with zero derivatives: no node needed
                contribution = local * upstream
                if parent in adjoint:
                    contribution = adjoint[parent] + contribution
                adjoint[parent] = contribution
    found = [adjoint.get(target, 0.0) for target in targets]
    results = [as_value(d) for d in found] if create_graph else [_as_float(d) for d in found]
    return results[0] if single else results


def value_and_grad(
    f: Callable[..., Scalar], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple[Any, Any]]:
    """`f` → a function returning `(f(*args), ∂f/∂args[argnums])`.

    `argnums` an int gives one derivative, a sequence a tuple of them.
    """

    def value_and_derivatives(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        positions = _positions(argnums, len(args))
        as_floats = not _any_value(args, kwargs)
        arguments = list(args)
        for i in positions:
            arguments[i] = _as_input(arguments[i])
        out = _scalar_output(f(*arguments, **kwargs))
        derivatives = gradients(out, [arguments[i] for i in positions], create_graph=not as_floats)
        result = derivatives[0] if isinstance(argnums, int) else tuple(derivatives)
        return (out.data if as_floats else out), result

    value_and_derivatives.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return value_and_derivatives


def grad(f: Callable[..., Scalar], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """`f` → its gradient function: `grad(f)(x) = ∂f/∂x`. Nests: `grad(grad(f))` is f''."""
    both = value_and_grad(f, argnums)

    def derivative_of_f(*args: Any, **kwargs: Any) -> Any:
        return both(*args, **kwargs)[1]

    derivative_of_f.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return derivative_of_f


def derivative(f: Callable[[Scalar], Scalar], n: int = 1) -> Callable[[Scalar], Scalar]:
    """The n-th derivative of a function of one variable: `derivative(f, 2)(x) = f''(x)`."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"derivative: n must be a whole number >= 0, got {n!r}")

    def nth_derivative(x: Scalar) -> Scalar:
        as_floats = not isinstance(x, Value)
        variable = _as_input(x)
        out: Scalar = _scalar_output(f(variable))
        for k in range(n):
            last = k == n - 1
            out = gradients(as_value(out), variable, create_graph=not (as_floats and last))
        return _as_float(out) if as_floats else as_value(out)

    nth_derivative.__name__ = f"derivative({getattr(f, '__name__', 'f')}, {n})"
    return nth_derivative


def hessian(f: Callable[..., Scalar]) -> Callable[..., list[list[Scalar]]]:
    """`f(x1, …, xn)` → its matrix of second derivatives H[i][j] = ∂²f/∂xᵢ∂xⱼ."""

    def hessian_of_f(*args: Scalar) -> list[list[Scalar]]:
        as_floats = not _any_value(args, {})
        inputs = [_as_input(a) for a in args]
        out = _scalar_output(f(*inputs))
        first = gradients(out, inputs, create_graph=True)
        return [gradients(g, inputs, create_graph=not as_floats) for g in first]

    hessian_of_f.__name__ = f"hessian({getattr(f, '__name__', 'f')})"
    return hessian_of_f


def _positions(argnums: int | Sequence[int], count: int) -> list[int]:
    positions = [argnums] if isinstance(argnums, int) else list(argnums)
    for i in positions:
        if isinstance(i, bool) or not isinstance(i, int) or not -count <= i < count:
            raise ValueError(f"argnums {argnums!r} does not fit a call with {count} arguments")
    return [i % count for i in positions]


def _any_value(args: Sequence[Any], kwargs: dict[str, Any]) -> bool:
    return any(isinstance(a, Value) for a in (*args, *kwargs.values()))


def _as_input(x: Any) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _scalar_output(out: Any) -> Value:
    if isinstance(out, Value):
        return out
    return as_value(number(out, "the function's result"))


def _as_float(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else float(x)

"""Activations by name, and softmax / log_softmax, built from the engine's primitives.

Every function takes floats or Values (floats in, floats out) and adds only primitive nodes to the
graph, so its derivative comes from the op table: nothing here is differentiated by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import autograd
from autograd import Scalar
from autograd.ops import REGISTRY

Activation = Callable[[Scalar], Scalar]


def identity(x: Scalar) -> Scalar:
    """f(x) = x; f'(x) = 1. The activation of a linear layer."""
    return x


# The activations are rows of the op table (floats in, float out; Values in, a Value out): their
# definitions, derivative rules and notation live there, once.
relu: Activation = REGISTRY["relu"]
tanh: Activation = REGISTRY["tanh"]
sigmoid: Activation = REGISTRY["sigmoid"]
leaky_relu = REGISTRY["leaky_relu"]  # leaky_relu(x, slope=0.01)

ACTIVATIONS: dict[str, Activation] = {
    "identity": identity,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
}
"""The activations that can be named (and saved in a model file) by their name; any other
one-input primitive of the op table can be named too (`autograd.primitive` adds them)."""


def get_activation(activation: str | Activation | None) -> Activation:
    """The activation function for a name in `ACTIVATIONS` (or of a one-input primitive), a
    callable, or None (identity)."""
    if activation is None:
        return identity
    if callable(activation):
        return activation
    if isinstance(activation, str) and activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    row = REGISTRY.get(activation) if isinstance(activation, str) else None
    if row is not None and row.arity == 1 and activation.isidentifier():
        return row
    raise ValueError(
        f"unknown activation {activation!r}; valid names: {', '.join(sorted(ACTIVATIONS))} "
        "(or a one-input primitive's name, or pass a callable)"
    )


def activation_name(activation: str | Activation | None) -> str:
    """The name of `activation` in `ACTIVATIONS` or the op table; for a custom callable
    `'<custom NAME>'`, which a model file records but cannot rebuild."""
    function = get_activation(activation)
    for name, known in ACTIVATIONS.items():
        if known is function:
            return name
    if isinstance(function, autograd.Op) and REGISTRY.get(function.name) is function:
        return function.name
    return f"<custom {getattr(function, '__name__', type(function).__name__)}>"


def log_softmax(logits: Sequence[Scalar]) -> list[Scalar]:
    """log softmax(z)ᵢ = zᵢ - log Σⱼ e^{zⱼ}, computed as (zᵢ - m) - log Σⱼ e^{zⱼ - m}, m = max z.

    The max is a constant shift (the result does not depend on it), so it is subtracted as a
    float: e^{zⱼ - m} <= 1 never overflows, and one term is 1 so the log never sees 0.
    ∂/∂zⱼ log softmax(z)ᵢ = [i = j] - softmax(z)ⱼ follows from the primitives.
    """
    shifted = _shifted(logits, "log_softmax")
    log_total = autograd.log(autograd.sum_values([autograd.exp(s) for s in shifted]))
    return [s - log_total for s in shifted]


def softmax(logits: Sequence[Scalar]) -> list[Scalar]:
    """softmax(z)ᵢ = e^{zᵢ - m} / Σⱼ e^{zⱼ - m} with m = max z (stable: no overflow).

    ∂softmax(z)ᵢ/∂zⱼ = softmax(z)ᵢ ([i = j] - softmax(z)ⱼ) follows from the primitives.
    """
    exps = [autograd.exp(s) for s in _shifted(logits, "softmax")]
    total = autograd.sum_values(exps)
    return [e / total for e in exps]


def logsumexp(logits: Sequence[Scalar]) -> Scalar:
    """log Σⱼ e^{zⱼ} = m + log Σⱼ e^{zⱼ - m}, m = max z; ∂/∂zⱼ = softmax(z)ⱼ."""
    shift = _max_data(logits, "logsumexp")
    return autograd.log(autograd.sum_values([autograd.exp(z - shift) for z in logits])) + shift


def softplus(x: Scalar) -> Scalar:
    """log(1 + eˣ), stable: x + log(1 + e⁻ˣ) for x >= 0, log(1 + eˣ) otherwise; d/dx = σ(x).

    Each branch is an exact formula whose exponential is at most 1, so neither overflows; which
    one is used depends only on the sign of x (a constant choice, like the max in softmax).
    """
    if float(x) >= 0.0:
        return x + autograd.log(1.0 + autograd.exp(-x))
    return autograd.log(1.0 + autograd.exp(x))


def _max_data(logits: Sequence[Scalar], what: str) -> float:
    if len(logits) == 0:
        raise ValueError(f"{what} of an empty list")
    return max(float(z) for z in logits)


def _shifted(logits: Sequence[Scalar], what: str) -> list[Scalar]:
    shift = _max_data(logits, what)
    return [z - shift for z in logits]

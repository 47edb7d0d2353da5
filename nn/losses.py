"""Loss functions built from Values: the number training drives down, and its gradient for free.

Predictions and targets are numbers/Values, or (nested) lists of them with the same shape; the
loss of each element is reduced by `reduction`: 'mean' (the default, as in PyTorch), 'sum', or
'none' (the list of per-element losses). Where PyTorch has the loss, the numbers and the
gradients match it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import autograd
from autograd import Value

from .functional import logsumexp, softplus

Scalar = Value | float

LOG_FLOOR = -100.0
"""binary_cross_entropy clamps each log at -100 (as PyTorch): p = 0 or 1 gives a finite loss."""


def mse_loss(predictions: Any, targets: Any, reduction: str = "mean") -> Any:
    """Mean squared error: ℓᵢ = (pᵢ - yᵢ)², mean over all elements; ∂ℓᵢ/∂pᵢ = 2(pᵢ - yᵢ)."""
    pairs = _pairs(predictions, targets, "mse_loss")
    return _reduce([(p - y) ** 2 for p, y in pairs], reduction, "mse_loss")


def binary_cross_entropy(probabilities: Any, targets: Any, reduction: str = "mean") -> Any:
    """ℓᵢ = -(yᵢ log pᵢ + (1 - yᵢ) log(1 - pᵢ)) for probabilities pᵢ in [0, 1].

    Each log is clamped at -100 (PyTorch's rule), so a confident wrong answer costs 100, not ∞.
    Prefer `binary_cross_entropy_with_logits`, which is stable without a clamp.
    """
    losses = []
    for i, (p, y) in enumerate(_pairs(probabilities, targets, "binary_cross_entropy")):
        if not 0.0 <= float(p) <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: input {i} is {float(p)!r}, not a probability in [0, 1] "
                "(for scores or logits use binary_cross_entropy_with_logits)"
            )
        losses.append(-(y * _clamped_log(p) + (1.0 - y) * _clamped_log(1.0 - p)))
    return _reduce(losses, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(logits: Any, targets: Any, reduction: str = "mean") -> Any:
    """ℓᵢ = -(yᵢ log σ(zᵢ) + (1 - yᵢ) log(1 - σ(zᵢ))) = softplus(zᵢ) - zᵢyᵢ, from logits zᵢ.

    softplus(z) = log(1 + eᶻ) = max(z, 0) + log(1 + e^{-|z|}) is computed without overflow, so
    z = ±1000 gives a finite loss; ∂ℓᵢ/∂zᵢ = σ(zᵢ) - yᵢ.
    """
    pairs = _pairs(logits, targets, "binary_cross_entropy_with_logits")
    return _reduce(
        [softplus(z) - z * y for z, y in pairs], reduction, "binary_cross_entropy_with_logits"
    )


def cross_entropy(logits: Sequence[Any], targets: Any, reduction: str = "mean") -> Any:
    """ℓᵢ = -log softmax(zᵢ)[tᵢ] = logsumexp(zᵢ) - zᵢ[tᵢ], from logits and class indices.

    `logits` is one list of class scores with an int target, or a batch: a list of such lists
    with a list of ints. ∂ℓᵢ/∂zᵢⱼ = softmax(zᵢ)ⱼ - [j = tᵢ]. The max is subtracted inside
    logsumexp, so large logits do not overflow.
    """
    if _is_index(targets):
        logits, targets = [logits], [targets]
    if len(logits) != len(targets):
        raise ValueError(f"cross_entropy: {len(logits)} rows of logits but {len(targets)} targets")
    losses = []
    for i, (row, target) in enumerate(zip(logits, targets)):
        if _is_scalar(row):
            raise ValueError(
                f"cross_entropy: sample {i} has one output, but cross_entropy needs one logit per "
                "class (a model whose last layer has k >= 2 outputs, e.g. MLP(2, [16, 2])); "
                "for two classes from one output use binary_cross_entropy_with_logits "
                "('bce_logits') or hinge_loss"
            )
        if not _is_index(target):
            raise TypeError(f"cross_entropy: target {i} must be a class index, got {target!r}")
        if not 0 <= target < len(row):
            raise ValueError(
                f"cross_entropy: target {i} is class {target}, out of range for "
                f"{len(row)} classes (0..{len(row) - 1})"
            )
        losses.append(logsumexp(row) - row[target])
    return _reduce(losses, reduction, "cross_entropy")


def hinge_loss(scores: Any, targets: Any, reduction: str = "mean") -> Any:
    """micrograd's max-margin loss: ℓᵢ = max(0, 1 - yᵢ·sᵢ) for labels yᵢ in {-1, +1}.

    Labels may also be 0/1 (0 is read as -1), the convention of `fit(…, 'hinge')` and of the
    other classification losses. Zero once a sample is on the right side with margin 1;
    ∂ℓᵢ/∂sᵢ = -yᵢ while it is not.
    """
    losses = []
    for i, (s, y) in enumerate(_pairs(scores, targets, "hinge_loss")):
        losses.append(autograd.relu(1.0 - plus_minus(y, f"hinge_loss: target {i}") * s))
    return _reduce(losses, reduction, "hinge_loss")


def plus_minus(label: Any, what: str = "label") -> float:
    """A binary label as -1.0 or +1.0: 0 and -1 are the negative class, 1 the positive."""
    number = float(label)
    if number in (0.0, -1.0):
        return -1.0
    if number == 1.0:
        return 1.0
    raise ValueError(f"{what}: labels 0/1 or -1/+1, got {label!r}")


def l2(parameters: Sequence[Scalar]) -> Scalar:
    """The L2 penalty Σ pᵢ² (one `dot` node p·p); ∂/∂pᵢ = 2pᵢ. Scale it: `alpha * l2(...)`."""
    parameters = list(parameters)
    return autograd.dot(parameters, parameters)


# -- helpers -------------------------------------------------------------------------------------


REDUCTIONS = ("mean", "sum", "none")


def _reduce(losses: list[Scalar], reduction: str, what: str) -> Any:
    """mean: Σℓᵢ / n; sum: Σℓᵢ; none: the list."""
    if reduction == "none":
        return losses
    if reduction not in REDUCTIONS:
        raise ValueError(f"{what}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if not losses:
        raise ValueError(f"{what}: no elements to reduce")
    total = autograd.sum_values(losses)
    return total / len(losses) if reduction == "mean" else total


def _pairs(predictions: Any, targets: Any, what: str) -> list[tuple[Scalar, Scalar]]:
    """(prediction, target) for each element of two equally shaped (nested) lists or scalars."""
    pairs: list[tuple[Scalar, Scalar]] = []
    stack = [(predictions, targets, "")]
    while stack:
        p, y, where = stack.pop()
        if _is_scalar(p) and _is_scalar(y):
            pairs.append((p, y))
        elif isinstance(p, Sequence) and isinstance(y, Sequence) and not _is_scalar(p):
            if len(p) != len(y):
                raise ValueError(f"{what}: {len(p)} predictions but {len(y)} targets{where}")
            stack.extend(
                (pi, yi, f"{where}[{i}]") for i, (pi, yi) in reversed(list(enumerate(zip(p, y))))
            )
        else:
            raise ValueError(
                f"{what}: prediction{where} is {_kind(p)} but target{where} is {_kind(y)}"
            )
    return pairs


def _clamped_log(p: Scalar) -> Scalar:
    """log p, clamped below at -100 (a constant there: p <= e⁻¹⁰⁰ gets no gradient)."""
    return autograd.log(p) if float(p) > math.exp(LOG_FLOOR) else LOG_FLOOR


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (Value, Real)) and not isinstance(x, bool)


def _is_index(x: Any) -> bool:
    return isinstance(x, Integral) and not isinstance(x, bool)


def _kind(x: Any) -> str:
    return f"a list of {len(x)}" if isinstance(x, Sequence) else type(x).__name__

"""Optimizers shaped like `torch.optim`, and learning-rate schedules like its `lr_scheduler`.

An optimizer holds the parameters; after `loss.backward()`, `step()` moves each parameter's
`.data` using its `.grad` (plain float arithmetic: the update is not part of any graph) and
`zero_grad()` clears the grads for the next step. The update rules are PyTorch's, step for step.

A schedule wraps an optimizer and sets its `lr`: it sets lr(0) when made and lr(k) at its k-th
`step()`, called once after each `optimizer.step()` (PyTorch's order). `lr_at(k)` gives lr(k)
without changing anything. `sync()` instead sets lr(k) for k = the optimizer's steps since the
schedule was made; `fit` calls it before every step, which is one protocol for every schedule:
a plain function `step -> lr` becomes an `LRFunction`.

    optimizer = SGD(model.parameters(), lr=1.0)
    schedule = LinearDecay(optimizer, total_steps=100)   # micrograd: lr = 1.0 - 0.9·k/100
    for k in range(100):
        loss = ...; optimizer.zero_grad(); loss.backward()
        optimizer.step(); schedule.step()
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

from autograd import Value

from .module import Module


class Optimizer:
    """Holds a list of parameters (Values) and a learning rate `lr` that may be changed anytime."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, Module):
            raise TypeError(
                f"{name} got the model ({type(params).__name__}) itself; give it the model's "
                f"parameters: {name}(model.parameters(), lr=…)"
            )
        if isinstance(params, Value):
            raise TypeError("params must be an iterable of Values, e.g. model.parameters()")
        if not isinstance(params, Iterable):
            raise TypeError(
                f"params must be an iterable of Values, e.g. {name}(model.parameters(), lr=…), "
                f"got {type(params).__name__}"
            )
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] is {type(p).__name__}, not a Value")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{type(self).__name__}: a parameter appears more than once")
        self.lr = _non_negative(lr, "lr")
        self.steps = 0

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (grads of leaves accumulate across backward calls)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its current grad."""
        self.steps += 1
        for i, p in enumerate(self.params):
            p.data = self.update(i, p.data, p.grad)

    def update(self, i: int, x: float, g: float) -> float:
        """The new value of parameter i, given its value x and gradient g."""
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.settings().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"

    def settings(self) -> dict[str, Any]:
        return {"lr": self.lr}


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's rule (dampening τ, momentum μ, weight decay λ):

    g ← ∇ + λx
    b ← g at the first step, else μb + (1 - τ)g      (when μ > 0)
    g ← g + μb (nesterov) or g ← b
    x ← x - lr·g
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _non_negative(momentum, "momentum")
        self.dampening = _number(dampening, "dampening")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("nesterov momentum needs momentum > 0 and dampening = 0")
        self.buffers = [0.0] * len(self.params)

    def update(self, i: int, x: float, g: float) -> float:
        g = g + self.weight_decay * x
        if self.momentum:
            if self.steps == 1:
                buffer = g
            else:
                buffer = self.momentum * self.buffers[i] + (1.0 - self.dampening) * g
            self.buffers[i] = buffer
            g = g + self.momentum * buffer if self.nesterov else buffer
        return x - self.lr * g

    def settings(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "dampening": self.dampening,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
        }


class Adam(Optimizer):
    """Adam (Kingma & Ba), PyTorch's rule; weight decay λ is added to the gradient (L2):

    g ← ∇ + λx
    m ← β₁m + (1 - β₁)g,   v ← β₂v + (1 - β₂)g²
    x ← x - lr/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + ε)
    """

    decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        beta1, beta2 = betas
        for name, beta in (("betas[0]", beta1), ("betas[1]", beta2)):
            if not 0.0 <= _number(beta, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        self.betas = (float(beta1), float(beta2))
        self.eps = _non_negative(eps, "eps")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def update(self, i: int, x: float, g: float) -> float:
        beta1, beta2 = self.betas
        if self.decoupled:
            x = x * (1.0 - self.lr * self.weight_decay)
        else:
            g = g + self.weight_decay * x
        self.m[i] = beta1 * self.m[i] + (1.0 - beta1) * g
        self.v[i] = beta2 * self.v[i] + (1.0 - beta2) * g * g
        step_size = self.lr / (1.0 - beta1**self.steps)
        denominator = math.sqrt(self.v[i]) / math.sqrt(1.0 - beta2**self.steps) + self.eps
        return x - step_size * self.m[i] / denominator

    def settings(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "betas": self.betas,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's rule:

    x ← x(1 - lr·λ), then Adam's step with the plain gradient.
    """

    decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)


# -- learning-rate schedules ----------------------------------------------------------------------


class LRScheduler:
    """Sets `optimizer.lr` to lr(k) for k = 0 (now) and k = 1, 2, … at each `step()`.

    `base_lr` is the optimizer's lr when the schedule is made.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a schedule needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_step = 0
        self.first_optimizer_step = optimizer.steps
        optimizer.lr = self.lr_at(0)

    def lr_at(self, k: int) -> float:
        """The learning rate for optimizer step k (counted from 0)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance to the next optimizer step and set its learning rate."""
        self.last_step += 1
        self.optimizer.lr = self.lr_at(self.last_step)

    def sync(self) -> None:
        """Set the learning rate of the optimizer's next step, lr(k) with k the optimizer's
        steps since this schedule was made (`fit` calls it before each step, so nothing is
        computed for a step that never comes). After a `step()` per optimizer step it is a no-op.
        """
        k = self.optimizer.steps - self.first_optimizer_step
        if k != self.last_step:
            self.last_step = k
            self.optimizer.lr = self.lr_at(k)

    def get_last_lr(self) -> list[float]:
        """[the learning rate now in use], as PyTorch (one entry per parameter group)."""
        return [self.optimizer.lr]


class LRFunction(LRScheduler):
    """lr(k) = function(k): any function of the step number that gives the learning rate.

    `fit(…, schedule=function)` wraps a plain function in this. (PyTorch's `LambdaLR` multiplies
    the base lr by its function's value; `LRFunction(o, lambda k: o.lr * factor(k))` is that.)
    """

    def __init__(self, optimizer: Optimizer, function: Callable[[int], float]) -> None:
        if not callable(function):
            raise TypeError(f"LRFunction needs a function step -> lr, got {function!r}")
        self.function = function
        super().__init__(optimizer)

    def lr_at(self, k: int) -> float:
        return _non_negative(self.function(k), f"the schedule's lr at step {k}")


class LinearDecay(LRScheduler):
    """lr(k) = base_lr · (1 - (1 - end_factor) · min(k, total_steps) / total_steps).

    With base_lr = 1 and the default end_factor 0.1 this is micrograd's demo, 1.0 - 0.9·k/100 for
    100 steps. PyTorch: `LinearLR(optimizer, start_factor=1.0, end_factor, total_iters)`.
    """

    def __init__(self, optimizer: Optimizer, total_steps: int, end_factor: float = 0.1) -> None:
        self.total_steps = _positive_int(total_steps, "total_steps")
        self.end_factor = _non_negative(end_factor, "end_factor")
        super().__init__(optimizer)

    def lr_at(self, k: int) -> float:
        fraction = min(k, self.total_steps) / self.total_steps
        return self.base_lr * (1.0 - (1.0 - self.end_factor) * fraction)


class StepLR(LRScheduler):
    """lr(k) = base_lr · γ^⌊k / step_size⌋: multiplied by γ every `step_size` steps (PyTorch's)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _positive_int(step_size, "step_size")
        self.gamma = _non_negative(gamma, "gamma")
        super().__init__(optimizer)

    def lr_at(self, k: int) -> float:
        return self.base_lr * self.gamma ** (k // self.step_size)


class CosineAnnealing(LRScheduler):
    """lr(k) = min_lr + (base_lr - min_lr)(1 + cos(π·k/total_steps))/2, and min_lr after.

    PyTorch: `CosineAnnealingLR(optimizer, T_max=total_steps, eta_min=min_lr)` for k <= T_max
    (PyTorch's then rises again; this one stays at min_lr).
    """

    def __init__(self, optimizer: Optimizer, total_steps: int, min_lr: float = 0.0) -> None:
        self.total_steps = _positive_int(total_steps, "total_steps")
        self.min_lr = _non_negative(min_lr, "min_lr")
        super().__init__(optimizer)

    def lr_at(self, k: int) -> float:
        fraction = min(k, self.total_steps) / self.total_steps
        return self.min_lr + (self.base_lr - self.min_lr) * (1.0 + math.cos(math.pi * fraction)) / 2


# -- argument checks ------------------------------------------------------------------------------


def _number(x: Any, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number, got {x!r}")
    return float(x)


def _non_negative(x: Any, what: str) -> float:
    number = _number(x, what)
    if number < 0.0:
        raise ValueError(f"{what} must be >= 0, got {x!r}")
    return number


def _positive_int(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return n

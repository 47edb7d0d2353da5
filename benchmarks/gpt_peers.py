"""The engines of `digits_epoch` and `names_step`, each building the same model from the same
floats (see `gpt_problem`).

- glassgrad dynamic: `nn.MLP` / `nn.GPT` with `nn.cross_entropy` / `GPT.loss`, `nn.Adam`, the
  demos' code path (wide `dot` and `sum` nodes).
- microgpt-style engine: a `__slots__` Value that stores each node's local gradients when the
  forward pass computes it and applies them in a recursive topological backward — the engine of
  Karpathy's microgpt, written here from that description — running microgpt's model code
  (`linear` as a Python `sum` of products, softmax then `-log p`).
- micrograd 0.1.0: its `Value` (closures), with `exp` and `log` added as micrograd-style closures
  (micrograd has neither), running the same model code as the microgpt-style engine; its own
  `MLP` for the digits.
- torch, batched: float64, one thread; the MLP as `torch.nn.Linear` layers on the whole batch,
  the GPT as `nn.to_torch`'s `TorchGPT` on the whole name at once (a causal mask, no cache).

Adam is PyTorch's formula everywhere (microgpt's bias-corrected form is the same mathematics).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import nn

from .gpt_problem import (
    ADAM_DIGITS,
    ADAM_NAMES,
    GptProblem,
    glassgrad_gpt,
    glassgrad_mlp,
    names_learning_rate,
)

Run = Callable[[], tuple]


class _Adam:
    """Adam over a flat list of scalar parameters with `.data` and `.grad` (PyTorch's rule)."""

    def __init__(self, params: list, lr: float, betas: tuple[float, float], eps: float) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [0.0] * len(params)
        self.v = [0.0] * len(params)
        self.t = 0

    def step(self) -> None:
        self.t += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1.0 - beta1**self.t)
        correction = math.sqrt(1.0 - beta2**self.t)
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / correction + self.eps)


class _RecursionLimit:
    """Recursive topological sorts (micrograd's, microgpt's) need a raised limit here only."""

    def __enter__(self) -> None:
        self.saved = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.saved, 100_000))

    def __exit__(self, *exc: object) -> None:
        sys.setrecursionlimit(self.saved)


# -- glassgrad dynamic ---------------------------------------------------------------------------


def glassgrad_digits_epoch(problem: GptProblem) -> Run:
    model = glassgrad_mlp(problem.mlp_weights)
    optimizer = nn.Adam(model.parameters(), **ADAM_DIGITS)
    X, y = problem.digits_X, problem.digits_y

    def run() -> tuple:
        for batch in problem.digits_batches:
            loss = nn.cross_entropy([model(X[i]) for i in batch], [y[i] for i in batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.data, sum(p.data for p in model.parameters())

    return run


def glassgrad_names_step(problem: GptProblem) -> Run:
    model = glassgrad_gpt(problem.gpt_weights)
    optimizer = nn.Adam(model.parameters(), **ADAM_NAMES)
    schedule = nn.LinearDecay(optimizer, total_steps=1000, end_factor=0.0)

    def run() -> tuple:
        for tokens in problem.name_tokens:
            loss = model.loss(tokens)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        return loss.data, sum(p.data for p in model.parameters())

    return run


# -- microgpt's model code, for any Value class with +, *, **, relu(), exp(), log() -------------


def _linear(x: list, w: list) -> list:
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def _softmax(logits: list) -> list:
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def _rmsnorm(x: list) -> list:
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def microgpt_forward(state: dict, token: int, position: int, keys: list, values: list) -> list:
    """microgpt's `gpt(token_id, pos_id, keys, values)`, one block, 4 heads."""
    n_head = 4
    x = [t + p for t, p in zip(state["wte"][token], state["wpe"][position])]
    x = _rmsnorm(x)
    x_residual = x
    x = _rmsnorm(x)
    q, k, v = _linear(x, state["wq"]), _linear(x, state["wk"]), _linear(x, state["wv"])
    keys.append(k)
    values.append(v)
    head_dim = len(x) // n_head
    x_attn = []
    for h in range(n_head):
        hs = h * head_dim
        q_h = q[hs : hs + head_dim]
        k_h = [ki[hs : hs + head_dim] for ki in keys]
        v_h = [vi[hs : hs + head_dim] for vi in values]
        attn_logits = [
            sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim**0.5
            for t in range(len(k_h))
        ]
        attn_weights = _softmax(attn_logits)
        x_attn.extend(
            sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(head_dim)
        )
    x = _linear(x_attn, state["wo"])
    x = [a + b for a, b in zip(x, x_residual)]
    x_residual = x
    x = _rmsnorm(x)
    x = [xi.relu() for xi in _linear(x, state["fc1"])]
    x = _linear(x, state["fc2"])
    x = [a + b for a, b in zip(x, x_residual)]
    return _linear(x, state["lm_head"])


def microgpt_names_step(value_class: type) -> Callable[[GptProblem], Run]:
    """microgpt's training loop for `value_class`."""

    def prepare(problem: GptProblem) -> Run:
        state = {
            name: [[value_class(x) for x in row] for row in matrix]
            for name, matrix in problem.gpt_weights.items()
        }
        params = [p for matrix in state.values() for row in matrix for p in row]
        optimizer = _Adam(params, **ADAM_NAMES)

        def run() -> tuple:
            for step, tokens in enumerate(problem.name_tokens):
                n = min(16, len(tokens) - 1)
                keys, values = [], []
                losses = []
                for position in range(n):
                    logits = microgpt_forward(state, tokens[position], position, keys, values)
                    probs = _softmax(logits)
                    losses.append(-probs[tokens[position + 1]].log())
                loss = (1 / n) * sum(losses)
                for p in params:
                    p.grad = 0.0
                with _RecursionLimit():
                    loss.backward()
                optimizer.lr = names_learning_rate(step)
                optimizer.step()
            return loss.data, sum(p.data for p in params)

        return run

    return prepare


def _cross_entropy(logits: list, target: int) -> object:
    """log Σ e^{z - m} - (z_target - m), the stable form, with the engine's exp and log."""
    shift = max(z.data for z in logits)
    shifted = [z - shift for z in logits]
    return sum(s.exp() for s in shifted).log() - shifted[target]


def scalar_digits_epoch(value_class: type) -> Callable[[GptProblem], Run]:
    """The digits epoch as a scalar engine writes it: each neuron Σ wᵢxᵢ + b, relu hidden."""

    def prepare(problem: GptProblem) -> Run:
        layers = [
            [([value_class(w) for w in ws], value_class(b)) for ws, b in layer]
            for layer in problem.mlp_weights
        ]
        params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
        optimizer = _Adam(params, **ADAM_DIGITS)
        X, y = problem.digits_X, problem.digits_y

        def forward(x: list) -> list:
            hidden = [(sum(w * xi for w, xi in zip(ws, x)) + b).relu() for ws, b in layers[0]]
            return [sum(w * h for w, h in zip(ws, hidden)) + b for ws, b in layers[1]]

        def run() -> tuple:
            for batch in problem.digits_batches:
                losses = [_cross_entropy(forward(X[i]), y[i]) for i in batch]
                loss = sum(losses) * (1.0 / len(losses))
                for p in params:
                    p.grad = 0.0
                with _RecursionLimit():
                    loss.backward()
                optimizer.step()
            return loss.data, sum(p.data for p in params)

        return run

    return prepare


# -- the microgpt-style engine -----------------------------------------------------------------


class SlotsValue:
    """microgpt's kind of engine: `__slots__`, and each node keeps its children and the local
    gradients ∂node/∂child computed at forward time; backward is a recursive topological sort
    then `child.grad += local · node.grad` in reverse order."""

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data: float, children: tuple = (), local_grads: tuple = ()) -> None:
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other: object) -> SlotsValue:
        other = other if isinstance(other, SlotsValue) else SlotsValue(other)
        return SlotsValue(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: object) -> SlotsValue:
        other = other if isinstance(other, SlotsValue) else SlotsValue(other)
        return SlotsValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, other: float) -> SlotsValue:
        return SlotsValue(self.data**other, (self,), (other * self.data ** (other - 1),))

    def log(self) -> SlotsValue:
        return SlotsValue(math.log(self.data), (self,), (1.0 / self.data,))

    def exp(self) -> SlotsValue:
        e = math.exp(self.data)
        return SlotsValue(e, (self,), (e,))

    def relu(self) -> SlotsValue:
        return SlotsValue(max(0.0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self) -> SlotsValue:
        return self * -1

    def __radd__(self, other: object) -> SlotsValue:
        return self + other

    def __sub__(self, other: object) -> SlotsValue:
        return self + (-other)

    def __rsub__(self, other: object) -> SlotsValue:
        return other + (-self)

    def __rmul__(self, other: object) -> SlotsValue:
        return self * other

    def __truediv__(self, other: object) -> SlotsValue:
        return self * other**-1

    def __rtruediv__(self, other: object) -> SlotsValue:
        return other * self**-1

    def backward(self) -> None:
        topo, visited = [], set()

        def build_topo(v: SlotsValue) -> None:
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


# -- micrograd 0.1.0 with exp and log ------------------------------------------------------------


def micrograd_value() -> type:
    """micrograd's Value with `exp` and `log` added as closures, the way micrograd writes ops."""
    from micrograd.engine import Value

    class Micrograd(Value):
        def exp(self) -> Value:
            out = Micrograd(math.exp(self.data), (self,), "exp")

            def _backward() -> None:
                self.grad += out.data * out.grad

            out._backward = _backward
            return out

        def log(self) -> Value:
            out = Micrograd(math.log(self.data), (self,), "log")

            def _backward() -> None:
                self.grad += out.grad / self.data

            out._backward = _backward
            return out

    # micrograd's operators build plain `Value`s; make every node the subclass (same code)
    for name in ("__add__", "__mul__", "__pow__", "relu"):
        setattr(Micrograd, name, _rewrap(getattr(Value, name), Micrograd))
    return Micrograd


def _rewrap(method: Callable, cls: type) -> Callable:
    def wrapped(self: object, *args: object) -> object:
        out = method(self, *args)
        out.__class__ = cls
        return out

    wrapped.__name__ = method.__name__
    return wrapped


# -- torch, batched ------------------------------------------------------------------------------


def torch_digits_epoch(problem: GptProblem) -> Run:
    import torch

    torch.set_num_threads(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 32, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 10, dtype=torch.float64),
    )
    with torch.no_grad():
        for linear, layer in zip((model[0], model[2]), problem.mlp_weights):
            linear.weight.copy_(torch.tensor([ws for ws, _ in layer], dtype=torch.float64))
            linear.bias.copy_(torch.tensor([b for _, b in layer], dtype=torch.float64))
    optimizer = torch.optim.Adam(model.parameters(), **ADAM_DIGITS)
    X = torch.tensor(problem.digits_X, dtype=torch.float64)
    y = torch.tensor(problem.digits_y)
    batches = [torch.tensor(batch) for batch in problem.digits_batches]

    def run() -> tuple:
        for batch in batches:
            loss = torch.nn.functional.cross_entropy(model(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.item(), sum(p.sum().item() for p in model.parameters())

    return run


def torch_names_step(problem: GptProblem) -> Run:
    import torch

    torch.set_num_threads(1)
    model = nn.to_torch(glassgrad_gpt(problem.gpt_weights))
    optimizer = torch.optim.Adam(model.parameters(), **ADAM_NAMES)
    sequences = [torch.tensor(tokens) for tokens in problem.name_tokens]

    def run() -> tuple:
        for step, idx in enumerate(sequences):
            for group in optimizer.param_groups:
                group["lr"] = names_learning_rate(step)
            loss = model.loss(idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.item(), sum(p.sum().item() for p in model.parameters())

    return run

"""The graduation path: move a glassgrad model to PyTorch and back.

`nn.to_torch(model)` returns a `torch.nn.Module` (float64, on the CPU) that computes the same
function with the same weights — written the PyTorch way, on tensors: an `MLP` becomes
`torch.nn.Linear` layers and activations, a `GPT` a batched transformer whose attention uses a
causal mask over the whole sequence instead of a key/value cache. `nn.from_torch(module,
like=model)` copies the (trained) weights back into the glassgrad model.

    import nn
    torch_model = nn.to_torch(model)             # same weights, now tensors
    ... train torch_model with torch.optim on batches ...
    nn.from_torch(torch_model, like=model)       # and back, to inspect it with Values

Needs PyTorch (`pip install 'glassgrad[torch]'`); imported only when this module is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import Value

from .attention import GPT, Block, CausalSelfAttention
from .functional import activation_name
from .layers import MLP, Layer
from .module import Module

try:
    import torch
    from torch import nn as torch_nn
except ImportError:  # pragma: no cover - exercised only without torch
    raise ImportError(
        "nn.to_torch / nn.from_torch need PyTorch: pip install 'glassgrad[torch]' "
        "(or pip install torch)"
    ) from None

DTYPE = torch.float64
"""glassgrad computes in Python floats, which are IEEE doubles: the torch twin uses float64."""

Pairs = list[tuple[list[Any], "torch.nn.Parameter"]]
"""(a glassgrad vector or matrix of Values, the torch parameter holding the same numbers)."""

_ACTIVATIONS: dict[str, Callable[[], torch_nn.Module]] = {
    "identity": torch_nn.Identity,
    "relu": torch_nn.ReLU,
    "tanh": torch_nn.Tanh,
    "sigmoid": torch_nn.Sigmoid,
    "leaky_relu": lambda: torch_nn.LeakyReLU(0.01),
}


# -- the torch twins ---------------------------------------------------------------------------


class TorchMLP(torch_nn.Module):
    """glassgrad's `MLP` in torch: Linear layers with the same activations. Input (…, nin);
    output (…, nout), or (…) when the last layer has a single output (as `MLP` returns a Value)."""

    def __init__(self, model: MLP) -> None:
        super().__init__()
        self.layers = torch_nn.Sequential()
        for layer in model.layers:
            self.layers.append(torch_nn.Linear(layer.nin, layer.nout, dtype=DTYPE))
            self.layers.append(_activation(layer.activation))
        self.squeeze = model.nouts[-1] == 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.layers(x)
        return y.squeeze(-1) if self.squeeze else y


class TorchCausalSelfAttention(torch_nn.Module):
    """Multi-head causal self-attention over a whole sequence (B, T, C) at once:
    softmax(Q Kᵀ/√d + M) V per head, with M = -∞ above the diagonal (position t sees s <= t)."""

    def __init__(self, n_embd: int, n_head: int) -> None:
        super().__init__()
        self.n_head = n_head
        self.wq, self.wk, self.wv, self.wo = (
            torch_nn.Linear(n_embd, n_embd, bias=False, dtype=DTYPE) for _ in range(4)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        d = C // self.n_head

        def heads(t: torch.Tensor) -> torch.Tensor:  # (B, T, C) -> (B, H, T, d)
            return t.view(B, T, self.n_head, d).transpose(1, 2)

        q, k, v = heads(self.wq(x)), heads(self.wk(x)), heads(self.wv(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d)
        future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
        self.last_weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
        y = (self.last_weights @ v).transpose(1, 2).reshape(B, T, C)
        return self.wo(y)


def rms_norm(x: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """x / √(mean(x²) + ε) over the last dimension (no gain: microgpt's)."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


class TorchBlock(torch_nn.Module):
    """x + attn(rmsnorm(x)), then x + W₂ relu(W₁ rmsnorm(x))."""

    def __init__(self, n_embd: int, n_head: int) -> None:
        super().__init__()
        self.attn = TorchCausalSelfAttention(n_embd, n_head)
        self.fc1 = torch_nn.Linear(n_embd, 4 * n_embd, bias=False, dtype=DTYPE)
        self.fc2 = torch_nn.Linear(4 * n_embd, n_embd, bias=False, dtype=DTYPE)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(rms_norm(x))
        return x + self.fc2(torch.relu(self.fc1(rms_norm(x))))


class TorchGPT(torch_nn.Module):
    """glassgrad's `GPT` in torch. `forward(idx)`: token ids (T,) or (B, T) -> logits (…, T, V);
    `loss(idx)`: the mean cross-entropy of predicting each next token, as `GPT.loss`."""

    def __init__(self, model: GPT) -> None:
        super().__init__()
        self.block_size = model.block_size
        self.wte = torch_nn.Embedding(model.vocab_size, model.n_embd, dtype=DTYPE)
        self.wpe = torch_nn.Embedding(model.block_size, model.n_embd, dtype=DTYPE)
        self.blocks = torch_nn.ModuleList(
            TorchBlock(model.n_embd, model.n_head) for _ in range(model.n_layer)
        )
        self.lm_head = torch_nn.Linear(model.n_embd, model.vocab_size, bias=False, dtype=DTYPE)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        single = idx.dim() == 1
        idx = idx.unsqueeze(0) if single else idx
        T = idx.shape[1]
        if T > self.block_size:
            raise ValueError(
                f"sequence of {T} tokens is longer than the block size {self.block_size}"
            )
        x = rms_norm(self.wte(idx) + self.wpe(torch.arange(T, device=idx.device)))
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(x)
        return logits[0] if single else logits

    def loss(self, idx: torch.Tensor) -> torch.Tensor:
        n = min(self.block_size, idx.shape[-1] - 1)
        logits = self(idx[..., :n])
        return torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), idx[..., 1 : n + 1].reshape(-1)
        )


# -- which glassgrad Values sit in which torch parameter ----------------------------------------


def _pairs(model: Module, twin: torch_nn.Module) -> Pairs:
    if isinstance(model, MLP):
        linears = [m for m in twin.layers if isinstance(m, torch_nn.Linear)]
        pairs: Pairs = []
        for layer, linear in zip(model.layers, linears):
            pairs += _layer_pairs(layer, linear)
        return pairs
    if isinstance(model, GPT):
        pairs = [(model.wte.weight, twin.wte.weight), (model.wpe.weight, twin.wpe.weight)]
        for block, torch_block in zip(model.blocks, twin.blocks):
            pairs += _block_pairs(block, torch_block)
        return pairs + [(model.lm_head, twin.lm_head.weight)]
    raise TypeError(_unsupported(model))


def _layer_pairs(layer: Layer, linear: torch_nn.Linear) -> Pairs:
    return [(layer.weights, linear.weight), (layer.biases, linear.bias)]


def _block_pairs(block: Block, twin: TorchBlock) -> Pairs:
    attn: CausalSelfAttention = block.attn
    return [
        (attn.wq, twin.attn.wq.weight),
        (attn.wk, twin.attn.wk.weight),
        (attn.wv, twin.attn.wv.weight),
        (attn.wo, twin.attn.wo.weight),
        (block.fc1, twin.fc1.weight),
        (block.fc2, twin.fc2.weight),
    ]


def _activation(activation: Any) -> torch_nn.Module:
    name = activation_name(activation)
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"to_torch: activation {name} has no torch equivalent here; "
            f"supported: {', '.join(_ACTIVATIONS)}"
        )
    return _ACTIVATIONS[name]()


def _unsupported(model: Any) -> str:
    return f"to_torch/from_torch support MLP and GPT models, got {type(model).__name__}"


def _twin(model: Module) -> torch_nn.Module:
    if isinstance(model, MLP):
        return TorchMLP(model)
    if isinstance(model, GPT):
        return TorchGPT(model)
    raise TypeError(_unsupported(model))


def _numbers(values: list[Any]) -> list[Any]:
    """The floats of a vector or matrix of Values."""
    return [_numbers(v) if isinstance(v, list) else v.data for v in values]


def _shape(values: list[Any]) -> tuple[int, ...]:
    return (
        (len(values), len(values[0])) if values and isinstance(values[0], list) else (len(values),)
    )


# -- the public functions -----------------------------------------------------------------------


def to_torch(model: Module) -> torch_nn.Module:
    """A `torch.nn.Module` computing the same function as `model` with a copy of its weights.

    Supported: `MLP` (-> `TorchMLP`: input (…, nin) tensor) and `GPT` (-> `TorchGPT`: input a
    LongTensor of token ids). Everything is float64, so outputs and gradients agree with
    glassgrad's to rounding (~1e-15). The copy is independent: training one leaves the other.
    """
    twin = _twin(model)
    with torch.no_grad():
        for values, parameter in _pairs(model, twin):
            parameter.copy_(torch.tensor(_numbers(values), dtype=DTYPE))
    return twin


def from_torch(module: torch_nn.Module, like: Module) -> Module:
    """Copy the weights of `module` (as made by `to_torch(like)`, possibly trained since) into
    the glassgrad model `like`, in place, and return `like`. Shapes must match exactly; a
    mismatch raises `ValueError` naming the parameter, before anything is changed."""
    if not isinstance(module, torch_nn.Module):
        raise TypeError(f"from_torch needs a torch.nn.Module, got {type(module).__name__}")
    expected = type(_twin(like)) if isinstance(like, (MLP, GPT)) else None
    if expected is None:
        raise TypeError(_unsupported(like))
    if not isinstance(module, expected):
        raise TypeError(
            f"from_torch: {type(like).__name__} needs a {expected.__name__} (from nn.to_torch), "
            f"got {type(module).__name__}"
        )
    names = {id(p): name for name, p in module.named_parameters()}
    pairs = _pairs(like, module)
    updates = []
    for values, parameter in pairs:
        shape = _shape(values)
        if tuple(parameter.shape) != shape:
            raise ValueError(
                f"from_torch: parameter {names.get(id(parameter), '?')} has shape "
                f"{tuple(parameter.shape)}, the model needs {shape}"
            )
        numbers = parameter.detach().to(device="cpu", dtype=DTYPE).tolist()
        if not all(math.isfinite(x) for x in _flat(numbers)):
            raise ValueError(
                f"from_torch: parameter {names.get(id(parameter), '?')} holds non-finite numbers"
            )
        updates.append((values, numbers))
    for values, numbers in updates:
        _assign(values, numbers)
    return like


def _flat(numbers: list[Any]) -> list[float]:
    return (
        [x for row in numbers for x in row] if numbers and isinstance(numbers[0], list) else numbers
    )


def _assign(values: list[Any], numbers: list[Any]) -> None:
    for value, number in zip(values, numbers):
        if isinstance(value, Value):
            value.data = float(number)
        else:
            _assign(value, number)

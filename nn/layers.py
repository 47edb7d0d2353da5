"""Neuron, Layer (alias Linear) and MLP: y = f(W x + b), built from Values and `autograd.linalg`.

A Layer of `nout` neurons over `nin` inputs holds W (nout×nin: row i is neuron i's weights) and b
(nout biases) and computes y = f(W x + b) with `linalg.matvec` and `linalg.add`. An MLP chains
layers: hidden layers use `activation` (relu), the last uses `output_activation` (None: linear).
`MLP(2, [16, 16, 1])` is micrograd's network: same call, same parameters() order, and with the
default 'uniform' initialisation the same weights for the same seed (micrograd draws from the
global `random`; here every model draws from its own `random.Random(seed)`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from autograd import Value, linalg

from .functional import Activation, activation_name, get_activation
from .module import Module

Scalar = Value | float
Seed = int | random.Random | None


def _uniform(rng: random.Random, nin: int, nout: int) -> float:
    """micrograd's: w ~ U(-1, 1)."""
    return rng.uniform(-1.0, 1.0)


def _xavier(rng: random.Random, nin: int, nout: int) -> float:
    """Glorot & Bengio: w ~ U(-a, a), a = √(6 / (nin + nout)), keeps Var(y) ≈ Var(x) for tanh."""
    bound = math.sqrt(6.0 / (nin + nout))
    return rng.uniform(-bound, bound)


def _he(rng: random.Random, nin: int, nout: int) -> float:
    """He et al.: w ~ N(0, 2 / nin), keeps the variance of relu layers' outputs steady."""
    return rng.gauss(0.0, math.sqrt(2.0 / nin))


INITIALISERS: dict[str, Callable[[random.Random, int, int], float]] = {
    "uniform": _uniform,
    "xavier": _xavier,
    "glorot": _xavier,
    "he": _he,
    "kaiming": _he,
}
"""Weight initialisations by name: `init(rng, nin, nout) -> one weight`. Biases start at 0."""


def make_rng(seed: Seed) -> random.Random:
    """A private random generator: `Random(seed)` for an int, the generator itself if given one,
    a fresh OS-seeded one for None. The global `random` state is never used or changed."""
    if isinstance(seed, random.Random):
        return seed
    if seed is None or (isinstance(seed, int) and not isinstance(seed, bool)):
        return random.Random(seed)
    raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}")


def _initialiser(init: str) -> Callable[[random.Random, int, int], float]:
    if init not in INITIALISERS:
        raise ValueError(f"unknown init {init!r}; valid names: {', '.join(INITIALISERS)}")
    return INITIALISERS[init]


def _positive_int(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return n


def _layer_sizes(nouts: Any) -> list[int]:
    sizes = list(nouts) if isinstance(nouts, Iterable) and not isinstance(nouts, str) else []
    if not sizes:
        raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
    return [_positive_int(n, "each layer size in nouts") for n in sizes]


def _inputs(x: Sequence[Scalar] | Scalar, nin: int, who: str) -> Sequence[Scalar]:
    """`x` as a sequence of length nin (a single number or Value is accepted when nin is 1).

    A NumPy array (or torch tensor) of one sample is read with `tolist()`; a batch of samples
    is refused with a message saying how to run one sample at a time.
    """
    if type(x) is list and len(x) == nin:  # the common case, as cheap as it can be
        return x
    if type(x).__module__.partition(".")[0] in ("numpy", "torch"):
        x = x.tolist()  # type: ignore[union-attr]
    if isinstance(x, (Value, int, float)):
        x = [x]
    if not isinstance(x, Sequence) or isinstance(x, str):
        raise TypeError(
            f"{who} takes one sample: a list of {nin} numbers or Values, got {type(x).__name__}"
        )
    if len(x) != nin:
        batch = bool(x) and all(isinstance(row, Sequence) and len(row) == nin for row in x)
        hint = (
            f": this looks like a batch of {len(x)} sample{'s' * (len(x) != 1)}; a model takes "
            "one sample at a time, e.g. [model(x) for x in X] (or nn.predict(model, X) for floats)"
            if batch
            else ""
        )
        raise ValueError(f"{who} expected {nin} inputs, got {len(x)}{hint}")
    return x


class Neuron(Module):
    """y = f(w·x + b) for one output: `nin` weights `w` and a bias `b`."""

    def __init__(
        self,
        nin: int,
        activation: str | Activation | None = None,
        init: str = "uniform",
        seed: Seed = None,
        nout: int = 1,
    ) -> None:
        """`nout` is the fan-out used by 'xavier' when the neuron sits in a layer of nout."""
        self.nin = _positive_int(nin, "nin")
        self.activation = activation
        self._activate = get_activation(activation)
        rng = make_rng(seed)
        draw = _initialiser(init)
        self.w = [Value(draw(rng, nin, nout)) for _ in range(nin)]
        self.b = Value(0.0)

    def forward(self, x: Sequence[Scalar] | Scalar) -> Scalar:
        """f(w·x + b); ∂(w·x + b)/∂wᵢ = xᵢ, ∂/∂b = 1."""
        x = _inputs(x, self.nin, f"Neuron({self.nin})")
        return self._activate(linalg.dot(self.w, x) + self.b)

    @classmethod
    def count_parameters(cls, config: Mapping[str, Any]) -> int:
        """nin weights and a bias."""
        return _positive_int(config.get("nin"), "nin") + 1

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "activation": activation_name(self.activation)}


class Layer(Module):
    """y = f(W x + b): `nout` Neurons over the same `nin` inputs. Always returns a list."""

    show_children_in_repr = False

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | Activation | None = None,
        init: str = "uniform",
        seed: Seed = None,
    ) -> None:
        self.nin = _positive_int(nin, "nin")
        self.nout = _positive_int(nout, "nout")
        self.activation = activation
        self._activate = get_activation(activation)
        rng = make_rng(seed)
        self.neurons = [Neuron(nin, None, init, rng, nout) for _ in range(nout)]

    @property
    def weights(self) -> list[list[Value]]:
        """W, nout×nin: row i holds neuron i's weights (the same Values, not copies)."""
        return [neuron.w for neuron in self.neurons]

    @property
    def biases(self) -> list[Value]:
        """b, one per neuron."""
        return [neuron.b for neuron in self.neurons]

    def forward(self, x: Sequence[Scalar] | Scalar) -> list[Scalar]:
        """y = f(W x + b), yᵢ = f(Σⱼ Wᵢⱼxⱼ + bᵢ), with `linalg.matvec` and `linalg.add`."""
        x = _inputs(x, self.nin, f"Layer({self.nin}, {self.nout})")
        pre_activation = linalg.add(linalg.matvec(self.weights, x), self.biases)
        return [self._activate(z) for z in pre_activation]

    @classmethod
    def count_parameters(cls, config: Mapping[str, Any]) -> int:
        """(nin weights + a bias) per output."""
        nin, nout = (_positive_int(config.get(key), key) for key in ("nin", "nout"))
        return (nin + 1) * nout

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout, "activation": activation_name(self.activation)}


Linear = Layer


class MLP(Module):
    """A multi-layer perceptron: `nin` inputs, then one Layer per entry of `nouts`.

    Hidden layers apply `activation`, the last applies `output_activation` (None: linear, so the
    output is a score or logit). Returns a Value when the last layer has one output, else a list.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Activation | None = "relu",
        output_activation: str | Activation | None = None,
        init: str = "uniform",
        seed: Seed = None,
    ) -> None:
        self.nin = _positive_int(nin, "nin")
        self.nouts = _layer_sizes(nouts)
        for given in (activation, output_activation):
            get_activation(given)  # a wrong name raises here, even if no layer would use it
        self.activation = activation
        self.output_activation = output_activation
        rng = make_rng(seed)
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                init,
                rng,
            )
            for i in range(len(self.nouts))
        ]

    def forward(self, x: Sequence[Scalar] | Scalar) -> Scalar | list[Scalar]:
        """The layers applied in turn; a single output comes back as a Value, not a list."""
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    @classmethod
    def count_parameters(cls, config: Mapping[str, Any]) -> int:
        """Σ over layers of (inputs + 1) · outputs."""
        sizes = [_positive_int(config.get("nin"), "nin"), *_layer_sizes(config.get("nouts"))]
        return sum((nin + 1) * nout for nin, nout in zip(sizes, sizes[1:]))

    def config(self) -> dict[str, Any]:
        return {
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": activation_name(self.activation),
            "output_activation": activation_name(self.output_activation),
        }

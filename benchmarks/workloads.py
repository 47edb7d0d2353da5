"""The workloads, as one `Problem`: the same inputs for every engine.

- `moons_step`: 100 two-moons points through MLP(2, [16, 16, 1]), max-margin loss + L2,
  forward + backward + one SGD update (micrograd's demo step). Checksum: loss, Σ parameters after.
- `moons_train`: the whole demo, 100 such steps with micrograd's learning-rate schedule.
- `moons_compile`: the one-time cost of `autograd.compile_graph` on that loss (compiled engine).
- `deep_chain`: h ← h·w + b repeated, 2 nodes per step (10^6 nodes), forward + backward.
  Checksum: h, ∂h/∂x, ∂h/∂w, ∂h/∂b.
- `wide_sum`: Σ xᵢyᵢ over 10^6 products, forward + backward. Checksum: value, Σ ∂/∂x, Σ ∂/∂y.
- `node_memory`: bytes per node of a chain of `x * c + d` built and kept alive (tracemalloc).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .data import initial_weights, make_moons

WORKLOADS = ("moons_step", "moons_compile", "moons_train", "deep_chain", "wide_sum", "node_memory")


@dataclass
class Problem:
    """All inputs of all workloads; `quick()` gives a small one for smoke tests."""

    n_points: int = 100
    n_steps: int = 100
    chain_length: int = 500_000  # two nodes per step: 10^6 nodes
    wide_length: int = 1_000_000
    memory_nodes: int = 200_000
    chain_x: float = 0.5
    chain_w: float = 0.999999
    chain_b: float = 1e-6
    points: list = field(init=False)
    labels: list = field(init=False)
    weights: list = field(init=False)
    wide_x: list = field(init=False)
    wide_y: list = field(init=False)

    def __post_init__(self) -> None:
        self.points, self.labels = make_moons(self.n_points)
        self.weights = initial_weights()
        rng = random.Random(7)
        self.wide_x = [rng.uniform(-1, 1) for _ in range(self.wide_length)]
        self.wide_y = [rng.uniform(-1, 1) for _ in range(self.wide_length)]

    @classmethod
    def quick(cls) -> Problem:
        """A few seconds for everything: fewer points, steps and nodes."""
        return cls(
            n_points=20, n_steps=5, chain_length=5_000, wide_length=10_000, memory_nodes=20_000
        )


def memory_chain(value_class: type, n_nodes: int) -> object:
    """A chain of `h * c + d` with n_nodes computed nodes of `value_class` (any engine's scalar
    type), kept alive by the returned root: what `node_memory` measures."""
    h, c, d = value_class(0.5), value_class(0.999), value_class(0.001)
    for _ in range(n_nodes // 2):
        h = h * c + d
    return h

"""The engines side by side: which workloads each one runs, and how its peers are imported.

A workload entry maps a `Problem` to a zero-argument callable (the timed part) that returns the
workload's checksum; preparing it (building inputs, compiling) is not timed. Peers that are not
installed are left out with a note.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from .workloads import Problem

Prepare = Callable[[Problem], Callable[[], tuple]]


@dataclass
class Engine:
    """One row of the tables. `gc_off` adds a row that runs with the cycle collector disabled."""

    name: str
    workloads: dict[str, Prepare]
    memory_chain: Callable[[int], object] | None = None
    gc_off: bool = False
    notes: list[str] = field(default_factory=list)


def one_step(moons_train: Prepare) -> Prepare:
    """moons_step as the first step of moons_train."""

    def prepare(problem: Problem) -> Callable[[], tuple]:
        single = copy.copy(problem)
        single.n_steps = 1
        return moons_train(single)

    return prepare


def available_engines() -> tuple[list[Engine], list[str]]:
    """The engines that can run here, and a note for each one that cannot."""
    engines, missing = [], []
    builders = (_floor, _dynamic, _nn, _compiled, _numpy, _micrograd, _torch_scalar, _torch_batched)
    for build in builders:
        try:
            engines.append(build())
        except ImportError as error:
            missing.append(f"{build.__doc__} skipped: {error}")
    return engines, missing


def _floor() -> Engine:
    """pure-Python floor"""
    from . import floor

    return Engine(
        "pure-Python floor",
        {
            "moons_step": one_step(floor.moons_train),
            "moons_train": floor.moons_train,
            "deep_chain": floor.deep_chain,
            "wide_sum": floor.wide_sum,
        },
    )


def _dynamic() -> Engine:
    """glassgrad dynamic"""
    from . import glassgrad_dynamic as dynamic

    return Engine(
        "glassgrad dynamic",
        {
            "moons_step": one_step(dynamic.moons_train),
            "moons_train": dynamic.moons_train,
            "deep_chain": dynamic.deep_chain,
            "wide_sum": dynamic.wide_sum,
        },
        dynamic.chain_for_memory,
        gc_off=True,
    )


def _nn() -> Engine:
    """glassgrad nn.MLP"""
    from . import glassgrad_nn

    return Engine(
        "glassgrad nn.MLP",
        {
            "moons_step": one_step(glassgrad_nn.moons_train),
            "moons_train": glassgrad_nn.moons_train,
        },
    )


def _compiled() -> Engine:
    """glassgrad compiled"""
    from . import glassgrad_compiled as compiled

    return Engine(
        "glassgrad compiled",
        {
            "moons_step": compiled.moons_step,
            "moons_compile": compiled.moons_compile,
            "moons_train": compiled.moons_train,
        },
        gc_off=True,
    )


def _numpy() -> Engine:
    """glassgrad compiled over NumPy arrays"""
    glassgrad_numpy = importlib.import_module(".glassgrad_numpy", __package__)
    return Engine(
        "glassgrad compiled, NumPy batch",
        {
            "moons_step": glassgrad_numpy.moons_step,
            "moons_train": glassgrad_numpy.moons_train,
        },
    )


def _micrograd() -> Engine:
    """micrograd 0.1.0"""
    from . import micrograd_peer

    return Engine(
        "micrograd 0.1.0",
        {
            "moons_step": one_step(micrograd_peer.moons_train),
            "moons_train": micrograd_peer.moons_train,
            "deep_chain": micrograd_peer.deep_chain,
            "wide_sum": micrograd_peer.wide_sum,
        },
        micrograd_peer.chain_for_memory,
        gc_off=True,
    )


def _torch_scalar() -> Engine:
    """PyTorch one scalar at a time"""
    torch_peers = importlib.import_module(".torch_peers", __package__)
    return Engine(
        "torch, 0-d tensors",
        {
            "moons_step": one_step(torch_peers.scalar_moons_train),
            "moons_train": torch_peers.scalar_moons_train,
            "deep_chain": torch_peers.scalar_deep_chain,
            "wide_sum": torch_peers.scalar_wide_sum,
        },
    )


def _torch_batched() -> Engine:
    """PyTorch batched"""
    torch_peers = importlib.import_module(".torch_peers", __package__)
    return Engine(
        "torch, batched",
        {
            "moons_step": torch_peers.batched_moons_step,
            "moons_train": torch_peers.batched_moons_train,
            "wide_sum": torch_peers.batched_wide_sum,
        },
    )

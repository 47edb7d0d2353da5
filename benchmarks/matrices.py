"""Compiled code that finds the matrices (issue 14, target 5), against batched torch.

    .venv/bin/python -m benchmarks.matrices

Both workloads compute the loss summed over a batch and its gradient with respect to every
parameter (forward + backward, no update), from the same initial weights and data:

- `mlp_moons`: MLP(2, [16, 16, 1]) with relu, max-margin loss, 100 two-moons points;
- `mlp_digits`: MLP(64, [64, 10]) with relu, softmax cross-entropy, 1,000 points of 64
  features (digits-sized; random data, the timing does not depend on it).

glassgrad: `compile_graph(loss of one example, [*parameters, *example], batched=True,
wrt=parameters, reduce='sum')` — one matrix product per layer. torch: float64 tensors built once,
`X @ W.T + b` per layer, `backward()`. NumPy and torch are pinned to one thread (the environment
variables are set before NumPy is imported; `torch.set_num_threads(1)`). Engines alternate within
every repeat; medians of `REPEATS` repeats of `CALLS` calls. The checksums (loss, Σ gradient)
must agree.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy  # noqa: E402

import autograd  # noqa: E402
from autograd import Value  # noqa: E402

REPEATS, CALLS = 7, 50


def _weights(sizes: list[int], seed: int = 1337) -> list[tuple[list[list[float]], list[float]]]:
    rng = random.Random(seed)
    return [
        (
            [[rng.uniform(-1, 1) / n_in**0.5 for _ in range(n_in)] for _ in range(n_out)],
            [0.0] * n_out,
        )
        for n_in, n_out in zip(sizes, sizes[1:])
    ]


def _data(kind: str) -> tuple[list[int], numpy.ndarray, numpy.ndarray]:
    if kind == "mlp_moons":
        from .data import make_moons

        points, labels = make_moons(100)
        return [2, 16, 16, 1], numpy.array(points), numpy.array(labels)
    rng = numpy.random.default_rng(0)
    return [64, 64, 10], rng.uniform(0, 16, (1000, 64)), rng.integers(0, 10, 1000)


def glassgrad(kind: str) -> tuple[Callable[[], tuple], float]:
    """The compiled step, and the seconds compile_graph took."""
    sizes, X, y = _data(kind)
    layers = [
        ([[Value(w) for w in row] for row in W], [Value(b) for b in bs])
        for W, bs in _weights(sizes)
    ]
    params = [p for W, bs in layers for row, b in zip(W, bs) for p in (*row, b)]
    xs = [Value(0.0) for _ in range(sizes[0])]
    h: list = xs
    for depth, (W, bs) in enumerate(layers):
        h = [autograd.dot(row, h) + b for row, b in zip(W, bs)]
        if depth != len(layers) - 1:
            h = [a.relu() for a in h]
    if kind == "mlp_moons":
        targets = [Value(1.0)]
        loss = (1.0 - targets[0] * h[0]).relu()
        columns = [*X.T, y.astype(float)]
    else:
        targets = [Value(0.0) for _ in range(10)]
        shift = h[0]  # a stable shift built from primitives: the running max of the logits
        for z in h[1:]:
            shift = shift + (z - shift).relu()
        lse = autograd.log(autograd.sum_values([(z - shift).exp() for z in h])) + shift
        loss = lse - autograd.dot(targets, h)
        columns = [*X.T, *numpy.eye(10)[y].T]
    start = time.perf_counter()
    cg = autograd.compile_graph(
        loss, [*params, *xs, *targets], batched=True, wrt=params, reduce="sum"
    )
    floats = [p.data for p in params]
    cg.value_and_grad(*floats, *columns)
    seconds = time.perf_counter() - start

    def step() -> tuple:
        value, grads = cg.value_and_grad(*floats, *columns)
        return float(value), float(grads.sum())

    return step, seconds


def torch_batched(kind: str) -> Callable[[], tuple]:
    import torch

    torch.set_num_threads(1)
    sizes, X, y = _data(kind)
    params = []
    for W, bs in _weights(sizes):
        params += [
            torch.tensor(W, dtype=torch.float64, requires_grad=True),
            torch.tensor(bs, dtype=torch.float64, requires_grad=True),
        ]
    inputs = torch.tensor(X, dtype=torch.float64)
    labels = torch.tensor(y, dtype=torch.float64 if kind == "mlp_moons" else torch.int64)

    def step() -> tuple:
        for p in params:
            p.grad = None
        h = inputs
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i + 2 < len(params):
                h = h.relu()
        if kind == "mlp_moons":
            loss = (1 - labels * h[:, 0]).relu().sum()
        else:
            loss = torch.nn.functional.cross_entropy(h, labels, reduction="sum")
        loss.backward()
        return loss.item(), sum(float(p.grad.sum()) for p in params)

    return step


def main() -> None:
    print("| workload | engine | median ms per call | × torch's time | compile s | checksum |")
    print("|---|---|---:|---:|---:|---|")
    for kind in ("mlp_moons", "mlp_digits"):
        ours, compile_seconds = glassgrad(kind)
        engines = {"glassgrad compiled, matrices": ours}
        try:
            engines["torch, batched (1 thread)"] = torch_batched(kind)
        except ImportError:
            pass
        times: dict[str, list[float]] = {name: [] for name in engines}
        sums = {name: step() for name, step in engines.items()}
        for _ in range(REPEATS):
            for name, step in engines.items():
                start = time.perf_counter()
                for _ in range(CALLS):
                    step()
                times[name].append((time.perf_counter() - start) / CALLS)
        torch_median = statistics.median(times.get("torch, batched (1 thread)", [float("nan")]))
        for name in engines:
            median = statistics.median(times[name])
            compiled = f"{compile_seconds:.2f}" if name.startswith("glassgrad") else ""
            checksum = ", ".join(f"{x:.10g}" for x in sums[name])
            print(
                f"| {kind} | {name} | {median * 1e3:.3f} | {median / torch_median:.2f} | "
                f"{compiled} | {checksum} |"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()

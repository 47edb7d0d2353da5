"""fit(compile=True) on digits (issue 14, target 6): MLP(64, [32, 10]), batches of 32 reshuffled
every epoch, Adam, softmax cross-entropy, 10 epochs — the compiled run (compile included) against
the dynamic engine, same data, same initial weights, same batches.

    .venv/bin/python -m benchmarks.fit_digits

Data: the 1,797 UCI digits (8×8 pixels 0..16, scaled to 0..1) from /work/shared/data/digits.csv.gz
(or `nn.load_digits()` where it exists); a seeded 80/20 split. NumPy runs on one thread.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import csv  # noqa: E402
import gzip  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import nn  # noqa: E402
from nn.train import evaluate, fit  # noqa: E402

DATA = Path("/work/shared/data/digits.csv.gz")


def load() -> tuple[list[list[float]], list[int]]:
    if hasattr(nn, "load_digits"):
        X, y = nn.load_digits()
    else:
        with gzip.open(DATA, "rt") as file:
            rows = [[int(v) for v in row] for row in csv.reader(file)]
        X, y = [row[:64] for row in rows], [row[64] for row in rows]
    return [[v / 16.0 for v in x] for x in X], list(y)


def run(compile: bool, X: list, y: list, X_test: list, y_test: list) -> tuple[float, dict]:
    model = nn.MLP(64, [32, 10], seed=0)
    optimizer = nn.Adam(model.parameters(), lr=0.01)
    start = time.perf_counter()
    history = fit(
        model,
        X,
        y,
        "cross_entropy",
        optimizer,
        epochs=10,
        batch_size=32,
        progress=False,
        compile=compile,
        seed=0,
    )
    seconds = time.perf_counter() - start
    scores = evaluate(model, X_test, y_test, loss="cross_entropy", metrics=["accuracy"])
    scores["final train loss"] = history.loss[-1]
    return seconds, scores


def main() -> None:
    X, y = load()
    order = list(range(len(X)))
    random.Random(0).shuffle(order)
    cut = int(0.8 * len(order))
    train, test = order[:cut], order[cut:]
    data = (
        [X[i] for i in train],
        [y[i] for i in train],
        [X[i] for i in test],
        [y[i] for i in test],
    )
    print(
        "| engine | 10 epochs, s (compile included) | test accuracy | test loss | "
        "final train loss |"
    )
    print("|---|---:|---:|---:|---:|")
    for compile in (True, False):
        seconds, scores = run(compile, *data)
        name = "fit(compile=True)" if compile else "fit (dynamic engine)"
        print(
            f"| {name} | {seconds:.2f} | {scores['accuracy']:.4f} | {scores['loss']:.4f} | "
            f"{scores['final train loss']:.4f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()

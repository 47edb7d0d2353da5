"""Small seeded datasets and the plumbing to split and batch them, with no dependencies.

Inputs `X` are lists of points (lists of floats), labels `y` lists of ints. Every generator takes
`seed` and draws from its own `random.Random(seed)`, so the same seed gives the same data and
nothing touches the global random state. Noise is Gaussian with standard deviation `noise`.

Two real data sets ship with the package (never downloaded): `load_digits()` (UCI handwritten
digits, CC BY 4.0) and `load_names()` (makemore's names, MIT). Both check the file's sha256 sum.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import random
from collections.abc import Hashable, Iterator, Sequence
from importlib import resources
from typing import Any

Points = list[list[float]]
Labels = list[int]


def make_moons(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = 0, shuffle: bool = True
) -> tuple[Points, Labels]:
    """Two interleaving half circles (scikit-learn's geometry), labels 0 (upper) and 1 (lower).

    Class 0: (cos t, sin t), class 1: (1 - cos t, 1/2 - sin t), for t evenly spaced in [0, π];
    class 0 gets n_samples // 2 points.
    """
    n_outer = _count(n_samples, "n_samples") // 2
    n_inner = n_samples - n_outer
    outer = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_outer)]
    inner = [[1 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_inner)]
    return _finish(outer + inner, [0] * n_outer + [1] * n_inner, noise, seed, shuffle)


def make_circles(
    n_samples: int = 100,
    noise: float = 0.0,
    factor: float = 0.8,
    seed: int | None = 0,
    shuffle: bool = True,
) -> tuple[Points, Labels]:
    """A unit circle (label 0) around a smaller one of radius `factor` (label 1)."""
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1 (exclusive), got {factor!r}")
    n_outer = _count(n_samples, "n_samples") // 2
    n_inner = n_samples - n_outer

    def circle(n: int, radius: float) -> Points:
        angles = [2 * math.pi * k / n for k in range(n)]
        return [[radius * math.cos(t), radius * math.sin(t)] for t in angles]

    points = circle(n_outer, 1.0) + circle(n_inner, factor)
    return _finish(points, [0] * n_outer + [1] * n_inner, noise, seed, shuffle)


def make_spirals(
    n_samples: int = 300,
    classes: int = 3,
    noise: float = 0.2,
    turns: float = 0.64,
    seed: int | None = 0,
    shuffle: bool = True,
) -> tuple[Points, Labels]:
    """`classes` spiral arms around the origin (the CS231n spiral), labels 0 … classes-1.

    Arm k: radius r evenly spaced in [0, 1] at angle θ = 2π·(k/classes + turns·r) + ε, where ε is
    angular noise of standard deviation `noise` radians; the point is (r sin θ, r cos θ).
    Samples are shared as evenly as possible between the arms.
    """
    _count(n_samples, "n_samples")
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"classes must be a whole number >= 2, got {classes!r}")
    _check_noise(noise)
    rng = random.Random(seed)
    points, labels = [], []
    for k in range(classes):
        n = n_samples // classes + (k < n_samples % classes)
        for r in _linspace(0.0, 1.0, n):
            angle = 2 * math.pi * (k / classes + turns * r) + rng.gauss(0.0, noise)
            points.append([r * math.sin(angle), r * math.cos(angle)])
            labels.append(k)
    return _finish(points, labels, 0.0, rng, shuffle)


def make_blobs(
    n_samples: int = 100,
    centers: int | Sequence[Sequence[float]] = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    seed: int | None = 0,
    shuffle: bool = True,
) -> tuple[Points, Labels]:
    """Gaussian clusters: label k is drawn around center k with standard deviation `cluster_std`.

    `centers` is a count (centers drawn uniformly in `center_box`) or the list of centers.
    """
    _count(n_samples, "n_samples")
    rng = random.Random(seed)
    if isinstance(centers, int) and not isinstance(centers, bool):
        if centers < 1:
            raise ValueError(f"centers must be >= 1, got {centers}")
        low, high = center_box
        centers = [[rng.uniform(low, high) for _ in range(n_features)] for _ in range(centers)]
    centers = [[float(c) for c in center] for center in centers]
    if not centers or len({len(c) for c in centers}) != 1:
        raise ValueError("centers must be a non-empty list of points of one dimension")
    points, labels = [], []
    for k, center in enumerate(centers):
        n = n_samples // len(centers) + (k < n_samples % len(centers))
        points += [[c + rng.gauss(0.0, cluster_std) for c in center] for _ in range(n)]
        labels += [k] * n
    return _finish(points, labels, 0.0, rng, shuffle)


def make_xor(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = 0
) -> tuple[Points, Labels]:
    """Points uniform in the square [-1, 1]²; label 1 when exactly one coordinate is positive.

    Labels come from the clean point; `noise` then jitters the point.
    """
    _count(n_samples, "n_samples")
    rng = random.Random(seed)
    points = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(n_samples)]
    labels = [int((x > 0) != (y > 0)) for x, y in points]
    return _finish(points, labels, noise, rng, shuffle=False)


def train_test_split(
    X: Sequence[Any],
    y: Sequence[Any],
    test_size: float | int = 0.25,
    seed: int | None = 0,
    shuffle: bool = True,
    stratify: Sequence[Hashable] | None = None,
) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Split into `X_train, X_test, y_train, y_test` (scikit-learn's order).

    `test_size` is a fraction in (0, 1) (rounded up, as scikit-learn) or a count. With
    `stratify=y`, each class keeps its share in both parts (its test count is rounded).
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y must have the same length, got {n} and {len(y)}")
    n_test = _test_count(test_size, n)
    rng = random.Random(seed)
    order = list(range(n))
    if stratify is not None:
        if len(stratify) != n:
            raise ValueError(f"stratify must have one label per sample: {len(stratify)} for {n}")
        test = _stratified_test(stratify, n_test, rng)
        train = [i for i in order if i not in test]
        test_order = sorted(test)
        if shuffle:
            rng.shuffle(train)
            rng.shuffle(test_order)
    else:
        if shuffle:
            rng.shuffle(order)
        train, test_order = order[: n - n_test], order[n - n_test :]
    return (
        [X[i] for i in train],
        [X[i] for i in test_order],
        [y[i] for i in train],
        [y[i] for i in test_order],
    )


def batches(
    X: Sequence[Any],
    y: Sequence[Any],
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int | random.Random | None = 0,
) -> Iterator[tuple[list[Any], list[Any]]]:
    """Yield `(X_batch, y_batch)` covering every sample once; the last batch may be smaller.

    `batch_size=None` gives one batch of everything. Shuffled with `seed` (an int or a
    `random.Random`, so successive epochs can draw different orders from one generator).
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y must have the same length, got {n} and {len(y)}")
    size = n if batch_size is None else _count(batch_size, "batch_size")
    order = list(range(n))
    if shuffle:
        rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        rng.shuffle(order)
    for start in range(0, n, size):
        chosen = order[start : start + size]
        yield [X[i] for i in chosen], [y[i] for i in chosen]


# -- shipped data sets -----------------------------------------------------------------------

CHECKSUMS = {
    "digits.csv.gz": "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
    "names.txt": "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d",
}
"""The sha256 sum of each file in `nn/datasets/`, as published with the data."""


class DatasetError(ValueError):
    """A shipped data file is missing, altered or unreadable."""


def load_digits() -> tuple[list[list[float]], list[int]]:
    """The 1,797 handwritten digits: `X` (64 pixels per image, 0..16, row by row) and `y` (0-9).

    Image k is the 8×8 grid `X[k][8*r : 8*r + 8]` for rows r = 0..7. Data: the test set of the UCI
    "Optical Recognition of Handwritten Digits" (E. Alpaydin, C. Kaynak, 1998) as scikit-learn
    ships it, CC BY 4.0 (credit in `nn/datasets/NOTICE`). Plain Python lists, new on every call.
    """
    text = gzip.decompress(_read_checked("digits.csv.gz")).decode("ascii")
    X: list[list[float]] = []
    y: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split(",")
        if len(fields) != 65:
            raise DatasetError(f"digits.csv.gz line {number}: {len(fields)} fields, expected 65")
        X.append([float(field) for field in fields[:64]])
        y.append(int(fields[64]))
    return X, y


def load_names() -> list[str]:
    """makemore's 32,033 first names (lower-case a–z, one per line of `names.txt`), in file order.

    MIT licence, © 2022 Andrej Karpathy (`nn/datasets/names.LICENSE`). A new list on every call.
    """
    return _read_checked("names.txt").decode("ascii").split()


def _read_checked(filename: str) -> bytes:
    """The bytes of a shipped data file, after checking its sha256 sum against `CHECKSUMS`."""
    try:
        data = resources.files("nn.datasets").joinpath(filename).read_bytes()
    except OSError as error:
        raise DatasetError(
            f"the data file nn/datasets/{filename} cannot be read ({error}); reinstall glassgrad"
        ) from None
    found = hashlib.sha256(data).hexdigest()
    if found != CHECKSUMS[filename]:
        raise DatasetError(
            f"the data file nn/datasets/{filename} is not the file glassgrad shipped: its sha256 "
            f"is {found}, expected {CHECKSUMS[filename]}; reinstall glassgrad"
        )
    return data


# -- helpers ---------------------------------------------------------------------------------


def _finish(
    points: Points, labels: Labels, noise: float, seed: int | random.Random | None, shuffle: bool
) -> tuple[Points, Labels]:
    """Shuffle the samples, then add Gaussian noise to every coordinate."""
    _check_noise(noise)
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    order = list(range(len(points)))
    if shuffle:
        rng.shuffle(order)
    X = [[c + rng.gauss(0.0, noise) if noise else c for c in points[i]] for i in order]
    return X, [labels[i] for i in order]


def _stratified_test(labels: Sequence[Hashable], n_test: int, rng: random.Random) -> set[int]:
    """Indices for a test set of `n_test` whose class shares match those of `labels`.

    Each class gets its proportional share rounded down; the seats left go to the classes with
    the largest remainders, so the total is exactly `n_test`.
    """
    by_class: dict[Hashable, list[int]] = {}
    for i, label in enumerate(labels):
        by_class.setdefault(label, []).append(i)
    n = len(labels)
    exact = {label: len(members) * n_test / n for label, members in by_class.items()}
    share = {label: math.floor(e) for label, e in exact.items()}
    left = n_test - sum(share.values())
    for label in sorted(by_class, key=lambda c: (share[c] - exact[c], str(c)))[:left]:
        share[label] += 1
    test: set[int] = set()
    for label, members in by_class.items():
        test.update(rng.sample(members, share[label]))
    return test


def _test_count(test_size: float | int, n: int) -> int:
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)):
        raise TypeError(f"test_size must be a fraction or a count, got {test_size!r}")
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be in (0, 1), got {test_size}")
        n_test = math.ceil(test_size * n)
    else:
        n_test = test_size
    if not 0 < n_test < n:
        raise ValueError(
            f"test_size={test_size!r} leaves {n_test} test and {n - n_test} training samples "
            f"of {n}: both parts need at least one"
        )
    return n_test


def _linspace(start: float, stop: float, n: int) -> list[float]:
    """n evenly spaced numbers from start to stop inclusive (numpy.linspace)."""
    if n == 1:
        return [start]
    step = (stop - start) / (n - 1)
    return [start + k * step for k in range(n)]


def _count(n: int, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {n!r}")
    return n


def _check_noise(noise: float) -> None:
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")

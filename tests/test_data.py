"""nn.data: shapes, determinism by seed, class balance, geometry, splitting and batching."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from nn.data import (
    batches,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    train_test_split,
)

GENERATORS = [
    lambda seed: make_moons(101, noise=0.1, seed=seed),
    lambda seed: make_circles(101, noise=0.05, seed=seed),
    lambda seed: make_spirals(101, classes=3, seed=seed),
    lambda seed: make_blobs(101, centers=4, seed=seed),
    lambda seed: make_xor(101, noise=0.05, seed=seed),
]


@pytest.mark.parametrize("make", GENERATORS)
def test_shapes_types_and_determinism(make):
    X, y = make(7)
    assert len(X) == len(y) == 101
    assert all(len(point) == 2 and all(type(c) is float for c in point) for point in X)
    assert all(type(label) is int for label in y)
    assert make(7) == (X, y)
    assert make(8) != (X, y)


def test_generators_leave_global_random_state_alone():
    random.seed(3)
    expected = random.random()
    random.seed(3)
    make_moons(50, noise=0.2, seed=1)
    assert random.random() == expected


def test_moons_geometry_without_noise():
    X, y = make_moons(100, seed=0)
    assert Counter(y) == {0: 50, 1: 50}
    for (a, b), label in zip(X, y):
        if label == 0:  # upper half circle around (0, 0)
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # lower half circle around (1, 0.5)
            assert math.hypot(a - 1, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_circles_radii_and_balance():
    X, y = make_circles(40, factor=0.5)
    assert Counter(y) == {0: 20, 1: 20}
    for point, label in zip(X, y):
        assert math.hypot(*point) == pytest.approx(0.5 if label else 1.0)


def test_spirals_and_blobs_share_samples_evenly():
    assert Counter(make_spirals(100, classes=4)[1]) == {0: 25, 1: 25, 2: 25, 3: 25}
    assert Counter(make_blobs(10, centers=3)[1]) == {0: 4, 1: 3, 2: 3}
    X, y = make_blobs(300, centers=[[5.0, 5.0], [-5.0, -5.0]], cluster_std=0.5)
    assert all((a > 0) == (label == 0) for (a, _), label in zip(X, y))


def test_xor_labels_follow_the_quadrants():
    X, y = make_xor(200)
    assert all(label == ((a > 0) != (b > 0)) for (a, b), label in zip(X, y))


@pytest.mark.parametrize(
    "call",
    [
        lambda: make_moons(0),
        lambda: make_moons(10, noise=-1),
        lambda: make_circles(10, factor=1.5),
        lambda: make_spirals(10, classes=1),
        lambda: make_blobs(10, centers=0),
    ],
)
def test_bad_arguments_raise(call):
    with pytest.raises(ValueError):
        call()


def test_train_test_split_sizes_and_disjointness():
    X = [[float(i)] for i in range(20)]
    y = list(range(20))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=1)
    assert (len(X_train), len(X_test)) == (15, 5)
    assert sorted(y_train + y_test) == y
    assert all(point == [float(label)] for point, label in zip(X_train + X_test, y_train + y_test))
    assert train_test_split(X, y, test_size=0.25, seed=1)[3] == y_test
    assert len(train_test_split(X, y, test_size=3)[1]) == 3
    assert len(train_test_split(X, y, test_size=0.21)[1]) == 5  # ceil(4.2), as scikit-learn


def test_stratified_split_keeps_class_shares():
    y = [0] * 60 + [1] * 30 + [2] * 10
    X = [[float(i)] for i in range(100)]
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, seed=5)
    assert Counter(y_test) == {0: 12, 1: 6, 2: 2}
    assert Counter(y_train) == {0: 48, 1: 24, 2: 8}


def test_stratified_split_rounds_to_the_exact_test_size():
    y = [0] * 5 + [1] * 5 + [2] * 5
    _, X_test, _, y_test = train_test_split(list(range(15)), y, test_size=4, stratify=y)
    assert len(X_test) == 4 and max(Counter(y_test).values()) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"test_size": 1.0}, "in \\(0, 1\\)"),
        ({"test_size": 10}, "both parts need at least one"),
        ({"stratify": [0, 1]}, "one label per sample"),
    ],
)
def test_split_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(list(range(10)), list(range(10)), **kwargs)


def test_batches_cover_everything_once():
    X = [[float(i)] for i in range(10)]
    y = list(range(10))
    found = list(batches(X, y, batch_size=4, seed=2))
    assert [len(yb) for _, yb in found] == [4, 4, 2]
    assert sorted(label for _, yb in found for label in yb) == y
    assert list(batches(X, y, batch_size=4, seed=2)) == found
    assert list(batches(X, y, shuffle=False)) == [(X, y)]


def test_batches_draw_new_orders_from_a_shared_generator():
    rng = random.Random(0)
    y = list(range(30))
    first = [yb for _, yb in batches(y, y, 10, seed=rng)]
    second = [yb for _, yb in batches(y, y, 10, seed=rng)]
    assert first != second


def test_batches_reject_bad_size():
    with pytest.raises(ValueError, match="batch_size"):
        list(batches([1], [1], batch_size=0))

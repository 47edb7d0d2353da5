"""The playground's settings: every parameter a request may set, its bounds, and its check.

A configuration is a plain dict of JSON values (`DEFAULTS` shows every key). `validate(changes,
base)` merges a request's changes over `base` and checks every value, raising `ParameterError`
naming the first bad parameter; nothing from a request is ever executed or imported, only
compared against these lists and bounds. `events` are the changes made while training (a
learning rate moved, a weight edited, a point added), each stamped with the step it happened
before, so that a configuration plus its events plus a step count reproduces a run exactly.
"""

from __future__ import annotations

import math
from typing import Any

DATASETS = ("moons", "circles", "spiral2", "spiral3", "xor", "blobs", "sin")
"""Two-class sets, the three-class spiral, and the regression set y = sin x₁."""
CLASSES = {"moons": 2, "circles": 2, "spiral2": 2, "spiral3": 3, "xor": 2, "blobs": 2, "sin": 0}
"""Number of classes of each data set (0: regression)."""
FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
FEATURE_LABELS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1sq": "x₁²",
    "x2sq": "x₂²",
    "x1x2": "x₁x₂",
    "sinx1": "sin x₁",
    "sinx2": "sin x₂",
}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "linear")
LOSSES = ("hinge", "bce_logits", "cross_entropy", "mse")
OPTIMIZERS = ("sgd", "adam")
INITS = ("xavier", "he", "uniform")
LIVE = ("lr", "momentum", "l2", "batch_size")
"""Settings that change while training goes on (recorded as events); the others reset the run."""

PLANE = 3.0
"""The plane shown is [-PLANE, PLANE]²; data sets are scaled to lie inside it."""
MAX_POINTS = 2000
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8
MAX_EVENTS = 500
MAX_STEPS = 20000
"""A shared link replays at most this many steps (a few tens of seconds on one core)."""
MAX_WEIGHT = 100.0
MAX_BODY = 64 * 1024
"""Largest request body accepted, in bytes."""

DEFAULTS: dict[str, Any] = {
    "dataset": "moons",
    "noise": 0.1,
    "points": 500,
    "test_ratio": 0.5,
    "seed": 0,
    "features": ["x1", "x2"],
    "hidden": [6, 4],
    "activation": "tanh",
    "loss": "bce_logits",
    "optimizer": "adam",
    "lr": 0.03,
    "momentum": 0.9,
    "l2": 0.0,
    "batch_size": 10,
    "init": "xavier",
}


class ParameterError(ValueError):
    """A request parameter that is missing, of the wrong type or out of bounds; the message
    names it (and the server answers 400 with it, changing nothing)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


def validate(changes: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """`base` (default `DEFAULTS`) updated with `changes`, every value checked."""
    if not isinstance(changes, dict):
        raise ParameterError("config", f"must be a JSON object, got {_kind(changes)}")
    for key in changes:
        if key not in DEFAULTS:
            raise ParameterError(str(key)[:40], f"unknown parameter; known: {', '.join(DEFAULTS)}")
    merged = {**(DEFAULTS if base is None else base), **changes}
    config = {
        "dataset": choice(merged["dataset"], DATASETS, "dataset"),
        "noise": number(merged["noise"], "noise", 0.0, 1.0),
        "points": integer(merged["points"], "points", 10, MAX_POINTS),
        "test_ratio": number(merged["test_ratio"], "test_ratio", 0.1, 0.9),
        "seed": integer(merged["seed"], "seed", 0, 2**31 - 1),
        "features": _features(merged["features"]),
        "hidden": _hidden(merged["hidden"]),
        "activation": choice(merged["activation"], ACTIVATIONS, "activation"),
        "loss": choice(merged["loss"], LOSSES, "loss"),
        "optimizer": choice(merged["optimizer"], OPTIMIZERS, "optimizer"),
        "lr": number(merged["lr"], "lr", 1e-6, 10.0),
        "momentum": number(merged["momentum"], "momentum", 0.0, 0.999),
        "l2": number(merged["l2"], "l2", 0.0, 1.0),
        "batch_size": integer(merged["batch_size"], "batch_size", 1, MAX_POINTS),
        "init": choice(merged["init"], INITS, "init"),
    }
    classes = CLASSES[config["dataset"]]
    loss = config["loss"]
    if classes == 0 and loss != "mse":
        raise ParameterError("loss", f"{loss} is for classes; the regression set sin needs mse")
    if classes and loss == "mse":
        raise ParameterError(
            "loss",
            f"mse is for regression; {config['dataset']} has classes: "
            "use hinge, bce_logits or cross_entropy",
        )
    if classes > 2 and loss != "cross_entropy":
        raise ParameterError(
            "loss", f"{config['dataset']} has {classes} classes: use cross_entropy"
        )
    return config


def outputs(config: dict[str, Any]) -> int:
    """Output neurons: one logit per class for cross_entropy, else one score or value."""
    return CLASSES[config["dataset"]] if config["loss"] == "cross_entropy" else 1


def validate_point(x: Any, y: Any, label: Any, dataset: str) -> tuple[float, float, float]:
    """A point added on the plot: finite coordinates on the plane and a label of the data set."""
    x = number(x, "x", -PLANE, PLANE)
    y = number(y, "y", -PLANE, PLANE)
    classes = CLASSES[dataset]
    if classes:
        label = integer(label, "label", 0, classes - 1)
    else:
        label = number(label, "label", -2.0, 2.0)
    return x, y, label


def validate_events(events: Any, config: dict[str, Any], parameter_names: set[str]) -> list:
    """A list of `[step, what, …]` events in step order (see the module docstring)."""
    if not isinstance(events, list):
        raise ParameterError("events", f"must be a list, got {_kind(events)}")
    if len(events) > MAX_EVENTS:
        raise ParameterError("events", f"at most {MAX_EVENTS}, got {len(events)}")
    checked, last = [], 0
    for i, event in enumerate(events):
        where = f"events[{i}]"
        if not isinstance(event, list) or len(event) < 3:
            raise ParameterError(where, "must be a list [step, what, value…]")
        step = integer(event[0], f"{where} step", last, MAX_STEPS)
        what = event[1]
        if what in LIVE:
            value = validate({what: event[2]}, config)[what]
            checked.append([step, what, value])
        elif what == "point":
            if len(event) != 5:
                raise ParameterError(where, "a point event is [step, 'point', x, y, label]")
            checked.append([step, "point", *validate_point(*event[2:], config["dataset"])])
        elif what == "weight":
            if len(event) != 4 or event[2] not in parameter_names:
                raise ParameterError(where, "a weight event is [step, 'weight', name, value]")
            value = number(event[3], f"{where} value", -MAX_WEIGHT, MAX_WEIGHT)
            checked.append([step, "weight", event[2], value])
        else:
            raise ParameterError(
                where, "what must be one of lr, momentum, l2, batch_size, point, weight"
            )
        last = step
    return checked


def choice(value: Any, allowed: tuple[str, ...], name: str) -> str:
    """`value` if it is one of the `allowed` strings."""
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(name, f"must be one of {', '.join(allowed)}, got {_show(value)}")
    return value


def number(value: Any, name: str, low: float, high: float) -> float:
    """A finite number in [low, high], as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(name, f"must be a number, got {_show(value)}")
    value = float(value)
    if not math.isfinite(value) or not low <= value <= high:
        raise ParameterError(
            name, f"must be a finite number from {low:g} to {high:g}, got {value!r}"
        )
    return value


def integer(value: Any, name: str, low: int, high: int) -> int:
    """A whole number in [low, high] (a float with no fraction counts, as JSON has one number)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(name, f"must be a whole number, got {_show(value)}")
    if not low <= value <= high:
        raise ParameterError(name, f"must be from {low} to {high}, got {value}")
    return value


def _features(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ParameterError("features", f"must be a non-empty list of {', '.join(FEATURES)}")
    chosen = [choice(v, FEATURES, "features") for v in value]
    if len(set(chosen)) != len(chosen):
        raise ParameterError("features", "a feature is listed twice")
    return [f for f in FEATURES if f in chosen]


def _hidden(value: Any) -> list[int]:
    if not isinstance(value, list) or len(value) > MAX_HIDDEN_LAYERS:
        raise ParameterError(
            "hidden", f"must be a list of 0 to {MAX_HIDDEN_LAYERS} layer sizes, got {_show(value)}"
        )
    return [integer(v, "hidden", 1, MAX_NEURONS) for v in value]


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

"""One training run: data, model, optimizer and the step loop, all reproducible from a seed.

A run is a pure function of its configuration and its events: `Run(config, events)` then `step()`
k times gives the same numbers every time (the data, the initial weights and the batch order are
drawn from generators seeded by `config['seed']`). One step trains on one batch:

    L = loss(model(x) for x in batch) + l2·Σ p²;   backward;   optimizer.step()

with the `nn` library itself (`nn.MLP`, the losses of `nn.train`, `nn.SGD` / `nn.Adam`).
"""

from __future__ import annotations

import math
import os
import random
import tempfile
from typing import Any

import autograd
from autograd import Value, linalg

from .. import losses, metrics
from ..data import train_test_split
from ..functional import get_activation
from ..layers import MLP
from ..optim import SGD, Adam
from ..train import LOSSES
from . import config as settings
from .datasets import featurize, make_dataset
from .forward import Forward, as_list, weights_of

RECORD_EVERY = 5
"""The train and test losses are recorded every this many steps (and at step 0)."""


class Diverged(Exception):
    """Training produced a non-finite number; the run pauses with this message."""


class Run:
    """The state of one training run (not thread-safe: `Playground` holds the lock)."""

    def __init__(self, config: dict[str, Any], events: list | None = None) -> None:
        self.config = dict(config)
        self.start_config = dict(config)
        # the configuration the run started from; `config` follows the live changes
        seed = config["seed"]
        X, y = make_dataset(config["dataset"], config["points"], config["noise"], seed)
        self.classes = settings.CLASSES[config["dataset"]]
        stratify = y if self.classes else None
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=config["test_ratio"], seed=seed, stratify=stratify
        )
        self.points = {"train": X_train, "test": X_test}
        self.targets = {"train": y_train, "test": y_test}
        self.inputs = {
            part: featurize(self.points[part], config["features"]) for part in ("train", "test")
        }
        hidden_activation = None if config["activation"] == "linear" else config["activation"]
        self.model = MLP(
            len(config["features"]),
            [*config["hidden"], settings.outputs(config)],
            activation=hidden_activation,
            output_activation=None,
            init=config["init"],
            seed=seed,
        )
        self.parameters = self.model.parameters()
        self.parameter_names = [name for name, _ in self.model.named_parameters()]
        self.forward = Forward(self.model)
        self.optimizer = self._optimizer(config)
        self.order = random.Random(seed)
        self.queue: list[int] = []
        self.step_count = 0
        self.epoch = 0
        self.events: list[list] = []
        self.pending = settings.validate_events(
            [] if events is None else events, config, set(self.parameter_names)
        )
        self.history: dict[str, list] = {"step": [], "train": [], "test": []}
        self.data_version = 0
        self._apply_due_events()
        self.record()

    # -- training ------------------------------------------------------------------------------

    def _optimizer(self, config: dict[str, Any]) -> Any:
        if config["optimizer"] == "adam":
            return Adam(self.parameters, lr=config["lr"])
        return SGD(self.parameters, lr=config["lr"], momentum=config["momentum"])

    def step(self) -> float:
        """Train on the next batch; returns the batch objective. Raises `Diverged`."""
        if not self.queue:
            self.queue = list(range(len(self.inputs["train"])))
            self.order.shuffle(self.queue)
        batch = self.queue[: self.config["batch_size"]]
        del self.queue[: self.config["batch_size"]]
        inputs, targets = self.inputs["train"], self.targets["train"]
        try:
            outputs = [self.model(inputs[i]) for i in batch]
            chosen = [targets[i] for i in batch]
            objective = LOSSES[self.config["loss"]](outputs, chosen)
            if self.config["l2"]:
                objective = objective + self.config["l2"] * losses.l2(self.parameters)
            if not math.isfinite(objective.data):
                raise Diverged(f"the loss is {objective.data} at step {self.step_count + 1}")
            self.optimizer.zero_grad()
            objective.backward()
        except (ArithmeticError, ValueError) as error:
            if isinstance(error, Diverged):
                raise
            raise Diverged(f"step {self.step_count + 1}: {error}") from None
        if not all(math.isfinite(p.grad) for p in self.parameters):
            raise Diverged(f"a gradient is not finite at step {self.step_count + 1}")
        self.optimizer.step()
        if not all(math.isfinite(p.data) for p in self.parameters):
            raise Diverged(f"a weight is not finite after step {self.step_count + 1}")
        self.step_count += 1
        if not self.queue:
            self.epoch += 1
        if self.step_count % RECORD_EVERY == 0:
            self.record()
        self._apply_due_events()
        return objective.data

    def _apply_due_events(self) -> None:
        while self.pending and self.pending[0][0] <= self.step_count:
            self.apply(self.pending.pop(0)[1:])

    def apply(self, event: list) -> None:
        """Apply a live change now and log it: [what, …] (see `config.validate_events`)."""
        what = event[0]
        if what in settings.LIVE:
            self.config[what] = event[1]
            if what == "lr":
                self.optimizer.lr = event[1]
            elif what == "momentum" and isinstance(self.optimizer, SGD):
                self.optimizer.momentum = event[1]
        elif what == "point":
            x, y, label = event[1:]
            self.points["train"].append([x, y])
            self.targets["train"].append(label)
            self.inputs["train"].append(featurize([[x, y]], self.config["features"])[0])
            self.data_version += 1
        elif what == "weight":
            index = self.parameter_names.index(event[1])
            self.parameters[index].data = event[2]
        self.events.append([self.step_count, *event])

    # -- evaluation on the fast path -----------------------------------------------------------

    def outputs(self, part: str, weights: Any = None) -> list[Any]:
        """The network's outputs for the train or test points (floats, lists for several)."""
        layers = self.evaluate(self.inputs[part], weights)
        out = [as_list(column) for column in layers[-1]]
        return out[0] if len(out) == 1 else [list(row) for row in zip(*out)]

    def evaluate(self, rows: list[list[float]], weights: Any = None) -> list[list[Any]]:
        """Every layer's activations for these network inputs (one row per point)."""
        columns = [list(c) for c in zip(*rows)] if rows else [[] for _ in self.config["features"]]
        return self.forward(weights or weights_of(self.model), columns)

    def loss_of(self, outputs: list[Any], part: str) -> float | None:
        """The data loss (no L2 term) of these outputs on the part; None if not finite."""
        if not outputs:
            return None
        try:
            value = float(LOSSES[self.config["loss"]](outputs, self.targets[part]))
        except (ArithmeticError, ValueError):
            return None
        return value if math.isfinite(value) else None

    def record(self) -> None:
        """Add the current train and test losses to the history."""
        self.history["step"].append(self.step_count)
        for part in ("train", "test"):
            self.history[part].append(self.loss_of(self.outputs(part), part))

    def scores(self, weights: Any = None) -> dict[str, Any]:
        """Losses, and on the test split accuracy, precision, recall, F1 and the confusion
        matrix (from `nn.metrics`; binary for two classes, macro averages for three)."""
        result: dict[str, Any] = {}
        for part in ("train", "test"):
            outputs = self.outputs(part, weights)
            result[f"{part}_loss"] = self.loss_of(outputs, part)
            if self.classes:
                predicted = [decide(o) for o in outputs]
                truth = self.targets[part]
                result[f"{part}_accuracy"] = metrics.accuracy(truth, predicted)
                if part == "test":
                    labels = list(range(self.classes))
                    average = "binary" if self.classes == 2 else "macro"
                    options = {"average": average, "zero_division": 0}
                    if average == "macro":
                        options["labels"] = labels
                    result["precision"] = metrics.precision(truth, predicted, **options)
                    result["recall"] = metrics.recall(truth, predicted, **options)
                    result["f1"] = metrics.f1_score(truth, predicted, **options)
                    result["confusion"] = metrics.confusion_matrix(truth, predicted, labels)
        return result

    # -- one neuron ----------------------------------------------------------------------------

    def neuron_inputs(self, layer: int, point: int) -> list[float]:
        """The inputs of the neurons of `layer` when the network sees training point `point`."""
        layers = self.evaluate([self.inputs["train"][point]])
        return [as_list(column)[0] for column in layers[layer]]

    def input_names(self, layer: int) -> list[str]:
        if layer == 0:
            return [settings.FEATURE_LABELS[f] for f in self.config["features"]]
        return [
            neuron_name(self.model, layer - 1, j) for j in range(self.model.layers[layer - 1].nout)
        ]

    def formula(self, layer: int, neuron: int) -> str:
        """`h¹₁ = tanh(0.53·x₁ − 1.2·x₂ + 0.1)`, with the current weights."""
        unit = self.model.layers[layer].neurons[neuron]
        terms = [f"{_number(w.data)}·{name}" for w, name in zip(unit.w, self.input_names(layer))]
        text = " + ".join([*terms, _number(unit.b.data)]).replace("+ -", "− ")
        text = text.replace("-", "−")
        name = neuron_name(self.model, layer, neuron)
        last = layer == len(self.model.layers) - 1
        activation = "linear" if last else self.config["activation"]
        return f"{name} = {text}" if activation == "linear" else f"{name} = {activation}({text})"

    def neuron_graph(self, layer: int, neuron: int, point: int) -> Value:
        """The neuron's scalar graph at a training point, on fresh leaves: its inputs (the
        previous layer's activations there) and copies of its weights and bias."""
        unit = self.model.layers[layer].neurons[neuron]
        xs = [
            Value(v, label=name)
            for v, name in zip(self.neuron_inputs(layer, point), self.input_names(layer))
        ]
        ws = [Value(w.data, label=f"w{_subscript(i + 1)}") for i, w in enumerate(unit.w)]
        b = Value(unit.b.data, label="b")
        weighted = linalg.dot(ws, xs)
        weighted.label = "w·x"
        z = weighted + b
        z.label = "z"
        root = get_activation(self.model.layers[layer].activation)(z)
        root.label = neuron_name(self.model, layer, neuron)
        return root

    def gradient_check(self, layer: int, neuron: int, point: int) -> list[dict[str, Any]]:
        """∂ℓ/∂w for this neuron's weights and bias, ℓ the loss at training point `point`:
        analytic (backpropagation) against numeric (central differences, `numerical_grad`)."""
        copy = MLP(**self.model.config())
        copy.load_state_dict(self.model.state_dict())
        unit = copy.layers[layer].neurons[neuron]
        x, target = self.inputs["train"][point], self.targets["train"][point]
        loss = LOSSES[self.config["loss"]]

        def point_loss(*weights: Any) -> Any:
            unit.w, unit.b = list(weights[:-1]), weights[-1]
            return loss([copy(x)], [target])

        start = [w.data for w in unit.w] + [unit.b.data]
        leaves = [Value(v) for v in start]
        point_loss(*leaves).backward()
        numeric = autograd.numerical_grad(point_loss, start)
        names = [f"w{_subscript(i + 1)}" for i in range(len(start) - 1)] + ["b"]
        rows = []
        for name, leaf, approx in zip(names, leaves, numeric):
            agree = abs(leaf.grad - approx) <= 1e-5 + 1e-3 * abs(approx)
            rows.append({"name": name, "analytic": leaf.grad, "numeric": approx, "agree": agree})
        return rows

    # -- export --------------------------------------------------------------------------------

    def model_json(self) -> str:
        """The trained model as `nn.save` writes it (load it back with `nn.load(path)`)."""
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.json")
            self.model.save(path)
            with open(path, encoding="utf-8") as file:
                return file.read()

    def python_snippet(self) -> str:
        """A short script that rebuilds this data and network and trains it with `nn.fit`."""
        c = self.config
        points = [e[1:] for e in self.events if e[0] == "point"]
        epochs = max(1, self.epoch)
        optimizer = (
            f"nn.Adam(model.parameters(), lr={c['lr']!r})"
            if c["optimizer"] == "adam"
            else f"nn.SGD(model.parameters(), lr={c['lr']!r}, momentum={c['momentum']!r})"
        )
        activation = None if c["activation"] == "linear" else c["activation"]
        stratify = "y" if self.classes else "None"
        lines = [
            "# The glassgrad playground's run, rebuilt and trained with nn.fit.",
            "import nn",
            "from nn.playground.datasets import featurize, make_dataset",
            "",
            f"X, y = make_dataset({c['dataset']!r}, points={c['points']}, noise={c['noise']!r}, "
            f"seed={c['seed']})",
            f"X_train, X_test, y_train, y_test = nn.train_test_split(X, y, "
            f"test_size={c['test_ratio']!r}, seed={c['seed']}, stratify={stratify})",
        ]
        if points:
            lines += [
                f"added = {points!r}  # points clicked on the plot: x1, x2, label",
                "X_train += [[x1, x2] for x1, x2, _ in added]",
                "y_train += [label for _, _, label in added]",
            ]
        lines += [
            f"features = {c['features']!r}",
            f"model = nn.MLP({len(c['features'])}, {[*c['hidden'], settings.outputs(c)]!r}, "
            f"activation={activation!r}, init={c['init']!r}, seed={c['seed']})",
            f"history = nn.fit(model, featurize(X_train, features), y_train, loss={c['loss']!r},",
            f"                 optimizer={optimizer}, epochs={epochs}, "
            f"batch_size={c['batch_size']}, l2={c['l2']!r},",
            "                 validation=(featurize(X_test, features), y_test))",
            "print(history.last())",
            "model.save('playground-model.json')  # nn.load('playground-model.json') reads it",
        ]
        return "\n".join(lines) + "\n"


def decide(output: Any) -> int:
    """The predicted class: score > 0 is class 1 (else 0); several logits give the argmax."""
    if isinstance(output, list):
        return output.index(max(output))
    return 1 if output > 0 else 0


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _subscript(n: int) -> str:
    return str(n).translate(_SUB)


def neuron_name(model: MLP, layer: int, neuron: int) -> str:
    """h¹₂ for hidden layer 1's second neuron; ŷ for a single output, z₁, z₂, … for logits."""
    if layer == len(model.layers) - 1:
        return "ŷ" if model.layers[-1].nout == 1 else f"z{_subscript(neuron + 1)}"
    return f"h{str(layer + 1).translate(_SUP)}{_subscript(neuron + 1)}"


def _number(x: float) -> str:
    """A weight as the formula shows it: 3 significant digits."""
    return f"{x:.3g}"

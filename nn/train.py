"""Training: one `train_step`, `fit` built on it, `evaluate` and `predict`.

One training step on a batch is the whole of learning (`train_step`):

    outputs = [model(x) for x in X]      forward: build the graph, and L = loss(outputs, y)
    optimizer.zero_grad()                leaf grads accumulate across backward(): clear them
    L.backward()                         ∂L/∂p for every parameter, by the chain rule
    optimizer.step()                     p ← p - lr·∂L/∂p (or Adam's rule)

A loss is `loss(outputs, targets) -> Value`. By name:
  'hinge'          micrograd's max-margin loss mean(max(0, 1 - y·score)); labels 0/1 or -1/+1
                   (0 is read as -1), as `nn.hinge_loss`; with `l2=1e-4` it is micrograd's loss
  'bce_logits'     binary cross-entropy from one logit per sample, labels 0/1
  'cross_entropy'  softmax cross-entropy from one logit per class, labels 0 … k-1
  'mse'            mean squared error, for regression (no accuracy then)

Predicted classes: a single output is a score or logit, read as the positive class 1 when > 0
(else 0, or -1 when the labels are -1/+1); several outputs give the index of the largest.
"""

from __future__ import annotations

import inspect
import math
import operator
import os
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from autograd import Value, no_grad

from . import losses
from . import metrics as metric_functions
from .data import batches
from .module import Module
from .optim import LRFunction, LRScheduler, Optimizer

LossFunction = Callable[[list[Any], list[Any]], Value]
Metric = Callable[[Sequence[Any], Sequence[Any]], float]
Schedule = LRScheduler | Callable[[int], float]


def _hinge(outputs: list[Any], targets: list[Any]) -> Value:
    return losses.hinge_loss([_single(o, "hinge") for o in outputs], targets)


def _bce_logits(outputs: list[Any], targets: list[Any]) -> Value:
    return losses.binary_cross_entropy_with_logits(
        [_single(o, "bce_logits") for o in outputs], targets
    )


def _cross_entropy(outputs: list[Any], targets: list[Any]) -> Value:
    return losses.cross_entropy(outputs, targets)


def _mse(outputs: list[Any], targets: list[Any]) -> Value:
    return losses.mse_loss(outputs, targets)


LOSSES: dict[str, LossFunction] = {
    "hinge": _hinge,
    "bce_logits": _bce_logits,
    "cross_entropy": _cross_entropy,
    "mse": _mse,
}
"""The losses `fit`, `train_step` and `evaluate` know by name: `loss(outputs, targets)`."""


class StepResult(NamedTuple):
    """What one `train_step` saw: the batch's loss (before the update) and the model's outputs."""

    loss: float
    outputs: list[Any]


def train_step(
    model: Module,
    batch: tuple[Sequence[Any], Sequence[Any]],
    loss: str | LossFunction,
    optimizer: Optimizer,
) -> StepResult:
    """One step of gradient descent on `batch = (X, y)`: forward, zero_grad, backward, step.

    `loss` is a name from `LOSSES` or `loss(outputs, targets) -> Value`. Returns the loss on
    the batch (measured before the update) and the outputs, e.g. to score predictions.
    """
    X, y = batch
    outputs, objective = _forward_loss(model, X, y, _loss_function(loss))
    optimizer.zero_grad()
    objective.backward()
    optimizer.step()
    return StepResult(objective.data, outputs)


def _averaged(metric: Callable[..., float]) -> Metric:
    """A precision/recall/F1 metric: 'binary' for two classes, else the macro average."""

    def score(y_true: Sequence[Any], y_pred: Sequence[Any]) -> float:
        labels = metric_functions.unique_labels(y_true, y_pred)
        average = "binary" if len(labels) <= 2 and 1 in labels else "macro"
        return metric(y_true, y_pred, average=average, zero_division=0)

    return score


METRICS: dict[str, Metric] = {
    "accuracy": metric_functions.accuracy,
    "precision": _averaged(metric_functions.precision),
    "recall": _averaged(metric_functions.recall),
    "f1": _averaged(metric_functions.f1_score),
}
"""Metrics by name: binary precision/recall/F1 of class 1, or their macro average."""


@dataclass(repr=False)
class History:
    """What happened in each epoch of `fit`: plain lists, easy to print or plot.

    `loss` and `metrics[name]` are averaged over the epoch's batches as they were trained (each
    measured before its own update, as micrograd prints them); `validation` holds the loss and
    metrics on the validation data after the epoch; `lr` is the learning rate of the epoch's
    last step. `history['val_accuracy']` reads as in Keras.
    """

    epochs: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    validation: dict[str, list[float]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> list[float]:
        return self.as_dict()[key]

    def __len__(self) -> int:
        return len(self.epochs)

    def as_dict(self) -> dict[str, list[float]]:
        """`{'loss': …, 'accuracy': …, 'val_loss': …, 'val_accuracy': …, 'lr': …}`."""
        flat = {"loss": self.loss, **self.metrics}
        flat.update({f"val_{name}": values for name, values in self.validation.items()})
        return {**flat, "lr": self.lr}

    def last(self) -> dict[str, float]:
        """The final epoch's numbers."""
        return {name: values[-1] for name, values in self.as_dict().items() if values}

    def __repr__(self) -> str:
        """`History(100 epochs: loss 0.8 → 0.01, accuracy 0.5 → 1, lr 1 → 0.109)`."""
        epochs = f"{len(self)} epoch" + ("" if len(self) == 1 else "s")
        changes = [
            f"{name} {values[0]:.4g}" + (f" → {values[-1]:.4g}" if len(values) > 1 else "")
            for name, values in self.as_dict().items()
            if values
        ]
        return f"History({epochs}" + (": " + ", ".join(changes) if changes else "") + ")"

    def plot(self, path: str | os.PathLike[str] | None = None, **options: Any) -> Any:
        """Loss and metrics per epoch, drawn by `nn.plot.training_curves` (needs matplotlib):
        the figure, also saved to `path` when one is given."""
        from . import plot

        return plot.training_curves(self, path, **options)


def fit(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    loss: str | LossFunction,
    optimizer: Optimizer,
    epochs: int,
    batch_size: int | None = None,
    schedule: Schedule | None = None,
    metrics: Sequence[str | Metric] | None = None,
    validation: tuple[Sequence[Any], Sequence[Any]] | None = None,
    progress: bool = True,
    compile: bool = False,
    l2: float = 0.0,
    shuffle: bool = True,
    seed: int | None = 0,
    callback: Callable[[int, History], None] | None = None,
) -> History:
    """Train `model` on (X, y) for `epochs` passes of `train_step`; return the `History`.

    `loss`: a name from `LOSSES` or `loss(outputs, targets) -> Value`; `l2` adds l2·Σ p².
    `optimizer`: an `nn` optimizer holding the model's parameters (`nn.SGD(model.parameters(),
    lr=0.1)`, `nn.Adam`, or your own `nn.optim.Optimizer`). `batch_size=None` trains on all of X
    at once (one step per epoch); otherwise the batches are reshuffled every epoch (`shuffle`,
    `seed`). `schedule`: an `nn.optim` schedule of this optimizer, or a function `step → lr`
    (made an `nn.optim.LRFunction`); before each step, `fit` brings it to the optimizer's step
    count (`LRScheduler.sync`). `metrics` are names from `METRICS` or functions
    `(y_true, y_pred) -> float`; None means accuracy, except for 'mse'.
    `validation=(X_val, y_val)` is evaluated after every epoch. `progress` shows a tqdm bar
    (or prints, without tqdm). `compile=True` with a loss named in `LOSSES` compiles the loss
    of one example once, as NumPy code over a batch (`autograd.compile_graph(..., batched=True)`),
    and runs every minibatch through it, reshuffled or not; with your own loss it compiles each
    batch's loss as float code, and then needs the same batches every epoch.
    `callback(epoch, history)` runs after each epoch (epochs counted from 1), e.g. to take
    snapshots of the model's predictions. X, y (and the validation data) may be NumPy arrays:
    they are read with `.tolist()`.

    Numbers: X and y must be finite (a nan or inf sample is refused before training). If the
    loss becomes nan or ±inf, or a step overflows, `fit` stops with a `FloatingPointError`
    naming the epoch and batch (lower the learning rate); that step changes no parameter.

    The cycle collector is left alone: the graphs live on flat tapes (no object per node for it
    to walk) and reference counting frees each step's graph.
    """
    X, y = _finite(_samples(X, "X"), "X"), _finite(_samples(y, "y"), "y")
    _check_optimizer(model, optimizer)
    loss_function = _loss_function(loss, model)
    objective = _with_l2(loss_function, model, l2)
    chosen = _metrics(metrics, loss)
    epochs = _count(epochs, "epochs")
    scheduler = as_schedule(schedule, optimizer)
    if len(X) != len(y) or not len(X):
        raise ValueError(
            f"fit needs as many targets as samples, at least one: {len(X)} and {len(y)}"
        )
    if validation is not None:
        validation = (
            _finite(_samples(validation[0], "X_val"), "X_val"),
            _finite(_samples(validation[1], "y_val"), "y_val"),
        )
    negative = _negative_label(y)
    order = random.Random(seed)
    same_batches = batch_size is None or batch_size >= len(X) or not shuffle
    step_function = _CompiledSteps(model, loss_function, l2, same_batches) if compile else None
    history = History(metrics={name: [] for name in chosen})
    if validation is not None:
        history.validation = {name: [] for name in ("loss", *chosen)}
    bar = progress_bar(epochs, progress)
    for epoch in bar:
        total, seen, predicted, targets = 0.0, 0, [], []
        for index, (X_batch, y_batch) in enumerate(batches(X, y, batch_size, shuffle, order)):
            if scheduler is not None:
                scheduler.sync()
            try:
                if step_function is not None:
                    value, outputs = step_function(X_batch, y_batch)  # sets every p.grad
                    if not math.isfinite(value):
                        raise FloatingPointError(f"the loss is {value!r}, not finite")
                    optimizer.step()
                else:
                    value, outputs = train_step(model, (X_batch, y_batch), objective, optimizer)
            except (FloatingPointError, OverflowError, ZeroDivisionError) as error:
                raise FloatingPointError(
                    f"fit stopped at epoch {epoch + 1}, batch {index + 1}: {error}. Training "
                    f"diverged: lower the learning rate (lr={optimizer.lr:g}) or scale the "
                    "inputs. The parameters are those before this step."
                ) from error
            total += value * len(y_batch)
            seen += len(y_batch)
            predicted += [_decide(o, negative) for o in outputs]
            targets += y_batch
        history.epochs.append(epoch + 1)
        history.loss.append(total / seen)
        history.lr.append(optimizer.lr)  # the learning rate of the epoch's last step
        for name, metric in chosen.items():
            history.metrics[name].append(metric(targets, predicted))
        if validation is not None:
            scores = evaluate(model, *validation, loss=loss_function, metrics=chosen, l2=l2)
            for name, value in scores.items():
                history.validation[name].append(value)
        _report(bar, history)
        if callback is not None:
            callback(epoch + 1, history)
    return history


def as_schedule(schedule: Schedule | None, optimizer: Optimizer) -> LRScheduler | None:
    """The one schedule protocol: an `LRScheduler` of `optimizer` as it is, a plain function
    `step → lr` as an `LRFunction` of it, None as None."""
    if schedule is None or isinstance(schedule, LRScheduler):
        if schedule is not None and schedule.optimizer is not optimizer:
            raise ValueError(
                "the schedule drives another optimizer than the one given to fit: make it "
                "from this one, e.g. nn.LinearDecay(optimizer, total_steps=100)"
            )
        return schedule
    if callable(schedule):
        return LRFunction(optimizer, schedule)
    raise TypeError(
        f"schedule must be an nn.optim schedule (nn.LinearDecay, nn.StepLR, …) or a function "
        f"step -> lr, got {type(schedule).__name__} {schedule!r}"
    )


def evaluate(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    loss: str | LossFunction | None = None,
    metrics: Sequence[str | Metric] | dict[str, Metric] | None = None,
    l2: float = 0.0,
) -> dict[str, float]:
    """The loss (if given) and metrics of `model` on (X, y), without building a graph.

    `{'loss': …, 'accuracy': …}`; the names and defaults are those of `fit`.
    """
    X, y = _samples(X, "X"), _samples(y, "y")
    chosen = metrics if isinstance(metrics, dict) else _metrics(metrics, loss)
    with no_grad():
        outputs = [model(x) for x in X]
        scores = {}
        if loss is not None:
            loss_function = _loss_function(loss, model)
            scores["loss"] = _objective(loss_function, outputs, list(y), model, l2).data
    negative = _negative_label(y)
    predicted = [_decide(output, negative) for output in outputs]
    scores.update({name: metric(list(y), predicted) for name, metric in chosen.items()})
    return scores


def predict(model: Module, X: Sequence[Any]) -> list[Any]:
    """The model's outputs as floats (a float per sample, or a list of floats), no graph built."""
    return _forward(model, _samples(X, "X"))


def predict_classes(model: Module, X: Sequence[Any], negative_label: int = 0) -> list[int]:
    """Class labels: a single score > 0 gives 1 (else `negative_label`); several give argmax."""
    return [_decide(output, negative_label) for output in _forward(model, _samples(X, "X"))]


# -- the compiled path ---------------------------------------------------------------------


_DATA = operator.attrgetter("data")


class _CompiledSteps:
    """`fit(compile=True)`: the loss of *one example* is compiled once, as NumPy code over a batch
    of examples (`compile_graph(..., batched=True, wrt=parameters, reduce='mean')`: a layer is
    one matrix product, the mean over the batch is taken inside the code), so any minibatch —
    reshuffled every epoch or not — is one call. Each call sets every `p.grad` and returns the
    batch's loss and the model's outputs (for the metrics), both from before the update.

    The losses `fit` knows by name are written per example from the same primitives as
    `nn.losses` (cross-entropy's max shift and softplus's branch as relu, so that no choice is
    read from one example's numbers); results equal the dynamic engine's up to rounding. Your
    own loss is compiled per batch as float code (see `_batch_of_own_loss`).
    """

    def __init__(
        self, model: Module, loss_function: LossFunction, l2: float, same_batches: bool
    ) -> None:
        names = [name for name, function in LOSSES.items() if function is loss_function]
        self.model, self.loss_function, self.l2 = model, loss_function, l2
        self.loss = names[0] if names else ""
        self.parameters = model.parameters()
        self.compiled: Any = None
        self.n_outputs = 0
        self.per_batch: dict[tuple[int, ...], Any] = {}
        if not self.loss and not same_batches:
            raise ValueError(
                "compile=True with your own loss needs the same batches every epoch: use "
                "batch_size=None (full batch) or shuffle=False (the losses fit knows by name, "
                f"{', '.join(LOSSES)}, train on reshuffled minibatches)"
            )
        if self.loss:
            try:
                import numpy  # noqa: F401 - the compiled code runs on NumPy arrays
            except ImportError:
                raise ImportError(
                    "fit(compile=True) runs batched NumPy code: pip install numpy "
                    "(or glassgrad[numpy]), or train with compile=False"
                ) from None

    def _batch_of_own_loss(self, X_batch: list[Any], y_batch: list[Any]) -> tuple[float, list]:
        """Your own loss: the batch's loss compiled as float code once per batch (the batches
        are the same every epoch), keyed by its samples."""
        from autograd import compile_graph

        key = tuple(map(id, X_batch))
        compiled = self.per_batch.get(key)
        if compiled is None:
            outputs = [self.model(x) for x in X_batch]
            objective = _objective(self.loss_function, outputs, y_batch, self.model, self.l2)
            compiled = self.per_batch[key] = compile_graph(objective, self.parameters)
        value, grads = compiled.value_and_grad(*map(_DATA, self.parameters))
        for parameter, grad in zip(self.parameters, grads):
            parameter.grad = grad
        return value, _forward(self.model, X_batch)

    def _compile(self, x: Sequence[float], y: Any) -> None:
        from autograd import compile_graph

        features = [Value(0.0) for _ in x]
        output = self.model(features)
        outputs = output if isinstance(output, list) else [output]
        self.n_outputs = len(outputs)
        targets, loss = self._example_loss(outputs, y)
        if self.l2:
            loss = loss + self.l2 * losses.l2(self.parameters)
        self.compiled = compile_graph(
            loss,
            [*self.parameters, *features, *targets],
            batched=True,
            wrt=self.parameters,
            reduce="mean",
            keep=outputs,
        )

    def _example_loss(self, outputs: list[Value], y: Any) -> tuple[list[Value], Value]:
        """The targets of one example as leaves, and the example's loss."""
        import autograd

        if self.loss == "cross_entropy":
            if len(outputs) < 2:
                raise ValueError("cross_entropy needs one output per class (got one output)")
            onehot = [Value(0.0) for _ in outputs]
            shift = outputs[0]  # the running max: a stable shift built from primitives
            for z in outputs[1:]:
                shift = shift + autograd.relu(z - shift)
            total = autograd.sum_values([autograd.exp(z - shift) for z in outputs])
            return onehot, autograd.log(total) + shift - autograd.dot(onehot, outputs)
        if self.loss == "mse":
            targets = [Value(0.0) for _ in outputs]
            squares = [(o - t) ** 2 for o, t in zip(outputs, targets)]
            return targets, autograd.sum_values(squares) / len(squares)
        target = Value(0.0)
        score = _single(outputs)
        if self.loss == "hinge":
            return [target], autograd.relu(1.0 - target * score)
        softplus = autograd.relu(score) + autograd.log(1.0 + autograd.exp(-abs(score)))
        return [target], softplus - score * target  # bce_logits

    def _target_columns(self, y_batch: list[Any]) -> list[Any]:
        import numpy

        if self.loss == "cross_entropy":
            for i, target in enumerate(y_batch):
                if not 0 <= target < self.n_outputs or int(target) != target:
                    raise ValueError(
                        f"cross_entropy: target {i} is {target!r}, not a class index "
                        f"0..{self.n_outputs - 1}"
                    )
            return list(numpy.eye(self.n_outputs)[numpy.asarray(y_batch, dtype=int)].T)
        if self.loss == "hinge":
            return [numpy.array([losses.plus_minus(t) for t in y_batch])]
        return list(numpy.asarray(y_batch, dtype=float).reshape(len(y_batch), -1).T)

    def __call__(self, X_batch: list[Any], y_batch: list[Any]) -> tuple[float, list[Any]]:
        if not self.loss:
            return self._batch_of_own_loss(X_batch, y_batch)
        import numpy

        if self.compiled is None:
            self._compile(X_batch[0], y_batch[0])
        columns = numpy.asarray(X_batch, dtype=float).reshape(len(X_batch), -1).T
        value, grads, kept = self.compiled.value_and_grad(
            *map(_DATA, self.parameters), *columns, *self._target_columns(y_batch)
        )
        for parameter, grad in zip(self.parameters, grads.tolist()):
            parameter.grad = grad
        scores = numpy.stack(numpy.broadcast_arrays(*kept, numpy.zeros(len(X_batch))), axis=1)
        outputs = scores[:, :-1].tolist()
        return float(value), [row[0] for row in outputs] if len(kept) == 1 else outputs


# -- helpers ---------------------------------------------------------------------------------


def _forward_loss(
    model: Module, X: Sequence[Any], y: Sequence[Any], loss_function: LossFunction
) -> tuple[list[Any], Value]:
    """The forward pass: the model's outputs on X and the loss on them, as one Value."""
    outputs = [model(x) for x in X]
    objective = loss_function(outputs, list(y))
    if not isinstance(objective, Value):
        raise TypeError(f"the loss must return one Value, got {type(objective).__name__}")
    if not math.isfinite(objective.data):
        raise FloatingPointError(f"the loss is {objective.data!r}, not a finite number")
    return outputs, objective


def _with_l2(loss_function: LossFunction, model: Module, l2: float) -> LossFunction:
    """loss(outputs, targets) + l2·Σ p² over the model's parameters (the loss itself if l2 = 0)."""
    if not l2:
        return loss_function
    parameters = model.parameters()

    def regularised(outputs: list[Any], targets: list[Any]) -> Value:
        return loss_function(outputs, targets) + l2 * losses.l2(parameters)

    return regularised


def _objective(
    loss_function: LossFunction, outputs: list[Any], targets: list[Any], model: Module, l2: float
) -> Value:
    """loss(outputs, targets) + l2·Σ p², checked to be one Value."""
    objective = _with_l2(loss_function, model, l2)(outputs, targets)
    if not isinstance(objective, Value):
        raise TypeError(f"the loss must return one Value, got {type(objective).__name__}")
    return objective


def _loss_function(loss: str | LossFunction, model: Module | None = None) -> LossFunction:
    """A loss `(outputs, targets) -> Value`: from `LOSSES` by name, or the callable itself.

    A callable of three positional parameters `(outputs, targets, model)`, the form `fit` took
    before, is given `model` as its third argument (where one is known).
    """
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(
                f"unknown loss {loss!r}; valid names: {', '.join(LOSSES)} or a callable"
            )
        return LOSSES[loss]
    if not callable(loss):
        raise TypeError(
            f"loss must be a name ({', '.join(LOSSES)}) or a function "
            f"(outputs, targets) -> Value, got {type(loss).__name__}"
        )
    if model is not None and _positional_parameters(loss) == 3:

        def with_model(outputs: list[Any], targets: list[Any]) -> Value:
            return loss(outputs, targets, model)

        return with_model
    return loss


def _positional_parameters(function: Callable[..., Any]) -> int:
    """How many positional parameters `function` requires (-1 when it cannot be told)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return -1
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in parameters if p.kind in kinds and p.default is inspect.Parameter.empty)


def _metrics(
    metrics: Sequence[str | Metric] | None, loss: str | LossFunction | None
) -> dict[str, Metric]:
    if metrics is None:
        metrics = () if loss in ("mse", _mse) else ("accuracy",)
    chosen = {}
    for metric in metrics:
        if callable(metric):
            chosen[getattr(metric, "__name__", "metric")] = metric
        elif metric in METRICS:
            chosen[metric] = METRICS[metric]
        else:
            raise ValueError(f"unknown metric {metric!r}; valid names: {', '.join(METRICS)}")
    return chosen


def _forward(model: Module, X: Sequence[Any]) -> list[Any]:
    with no_grad():
        outputs = [model(x) for x in X]
    return [[float(o) for o in out] if isinstance(out, list) else float(out) for out in outputs]


def _decide(output: Any, negative: int) -> int:
    """The class of one output: a single score's sign, or the argmax of several."""
    if isinstance(output, (list, tuple)) and len(output) > 1:
        scores = [float(o) for o in output]
        return scores.index(max(scores))
    return 1 if float(_single(output)) > 0 else negative


def _single(output: Any, loss: str = "") -> Any:
    """The one score of a sample (a Value, or a list holding one)."""
    if isinstance(output, (list, tuple)):
        if len(output) != 1:
            raise ValueError(
                f"the {loss} loss needs one output per sample (a score or logit), got "
                f"{len(output)}: for {len(output)} classes use 'cross_entropy', or make the "
                "model's last layer one output"
            )
        return output[0]
    return output


def _negative_label(y: Sequence[Any]) -> int:
    return -1 if any(label == -1 for label in y) else 0


def _check_optimizer(model: Module, optimizer: Any) -> None:
    """An nn optimizer holding (some of) the model's parameters, or an error saying what to do."""
    make = "e.g. nn.SGD(model.parameters(), lr=0.1)"
    if isinstance(optimizer, (int, float)) and not isinstance(optimizer, bool):
        raise TypeError(
            f"fit needs an optimizer, got the number {optimizer!r}: a learning rate goes into "
            f"the optimizer, {make.replace('0.1', repr(optimizer))}"
        )
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"fit needs an nn optimizer holding the model's parameters ({make}, nn.Adam, or a "
            f"subclass of nn.optim.Optimizer), got {type(optimizer).__name__}"
        )
    held = {id(p) for p in optimizer.params}
    if not any(id(p) in held for p in model.parameters()):
        raise ValueError(
            f"the optimizer holds none of this {type(model).__name__}'s parameters, so training "
            f"would change nothing (was it made for another model?): make it from this one, "
            f"{make}"
        )


def _finite(data: Sequence[Any], name: str) -> Sequence[Any]:
    """`data` itself, after checking that every number in it (a level deep) is finite."""
    for i, sample in enumerate(data):
        numbers = sample if isinstance(sample, (list, tuple)) else (sample,)
        for number in numbers:
            value = number.data if isinstance(number, Value) else number
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(
                    f"{name}[{i}] holds {value!r}: fit needs finite numbers; drop or fill the "
                    "samples with nan/inf first"
                )
    return data


def _samples(data: Any, name: str) -> Sequence[Any]:
    """X or y as a sequence: a NumPy array (or a torch tensor) becomes lists of Python numbers
    with `tolist()`; anything else that is not a sequence is refused saying what to pass."""
    if type(data).__module__.partition(".")[0] in ("numpy", "torch"):
        if getattr(data, "ndim", 1) == 0:
            raise TypeError(f"{name} is a single number; pass a list (one entry per sample)")
        return data.tolist()
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise TypeError(
            f"{name} must be a list with one entry per sample (or a NumPy array), got "
            f"{type(data).__name__}: convert it, e.g. list(…) or a DataFrame's .to_numpy()"
        )
    return data


def _count(n: int, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {n!r}")
    return n


def progress_bar(total: int, show: bool = True, unit: str = "epoch") -> Any:
    """A tqdm bar over `range(total)` when tqdm is installed and `show`; otherwise a plain
    iterator that prints a line about every tenth of the way (nothing if not `show`). Either
    takes `set_postfix_str(text)` (`fit` and the names demo use it)."""
    if show:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            pass
        else:
            return tqdm(range(total), desc="training", unit=unit, leave=True)
    return _PlainProgress(total, show, unit)


class _PlainProgress:
    """Without tqdm: print a line about every tenth of the way (or nothing if not `show`)."""

    def __init__(self, total: int, show: bool, unit: str) -> None:
        self.total, self.show, self.unit, self.done = total, show, unit, 0

    def __iter__(self) -> Iterator[int]:
        for index in range(self.total):
            self.done = index + 1
            yield index

    def set_postfix_str(self, text: str) -> None:
        done = self.done
        if self.show and (done % max(1, self.total // 10) == 0 or done == self.total):
            print(f"{self.unit} {done}/{self.total}: {text}")


def _report(bar: Any, history: History) -> None:
    bar.set_postfix_str(", ".join(f"{name}={value:.4g}" for name, value in history.last().items()))

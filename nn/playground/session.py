"""The one shared state of a playground server: a `Run`, trained in a background thread.

Every tab sees the same `Playground`; each request reads or changes it under one lock, so a
response is always a snapshot of one version of the state (`version` counts every change). The
trainer thread takes one step at a time under the same lock. Nothing is kept per tab, so a closed
tab leaks nothing; when no page has polled for `IDLE_SECONDS` the run pauses by itself.
"""

from __future__ import annotations

import base64
import math
import threading
import time
from typing import Any

from . import config as settings
from .config import ParameterError, validate
from .forward import as_list, numpy, weights_of
from .run import Diverged, Run, neuron_name

IDLE_SECONDS = 60.0
"""A running (or replaying) run pauses when no page has asked for the state for this long."""
GRID = 100 if numpy is not None else 40
"""The output heat map is GRID×GRID cells (a 40×40 grid on plain floats, without NumPy)."""
THUMB_STEP = 2 if numpy is not None else 1
"""Each neuron's small heat map takes every THUMB_STEP-th cell of the grid."""
MAX_HISTORY_SENT = 500


class Playground:
    """The shared training state behind the server (thread-safe)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)
        self._run = Run(validate(config or {}))
        self._grid = _grid_run_columns(self._run)
        self.version = 1
        self.running = False
        self.target: int | None = None
        self.message = ""
        self.last_poll = time.monotonic()
        self._frame: tuple[int, dict[str, Any]] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the trainer thread --------------------------------------------------------------------

    def start(self) -> None:
        """Start the background trainer (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._train, name="playground-trainer", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        """Stop the trainer thread and wait for it."""
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _train(self) -> None:
        while not self._stop.is_set():
            with self._wake:
                while not self._stop.is_set() and not self.running:
                    self._wake.wait(1.0)
                if self._stop.is_set():
                    return
                if time.monotonic() - self.last_poll > IDLE_SECONDS:
                    self._pause(f"paused: no page asked for the state for {IDLE_SECONDS:g} s")
                    continue
                self._step()
            time.sleep(0.0005)  # let the request threads in between steps

    def _step(self) -> None:
        """One training step (the lock is held); a divergence pauses with its message."""
        try:
            self._run.step()
        except Diverged as error:
            self._pause(f"training diverged: {error}. Lower the learning rate and press reset.")
        self.version += 1
        if self.target is not None and self._run.step_count >= self.target:
            self._pause("")

    def _pause(self, message: str) -> None:
        self.running = False
        self.target = None
        self.message = message
        self.version += 1

    # -- changes (each raises ParameterError before changing anything) -------------------------

    def configure(self, body: dict[str, Any]) -> None:
        """A new run: `{"config": {changes…}, "events": […], "step": N}` (events and step for a
        shared link: the run replays to step N, applying the events on the way)."""
        _only(body, ("config", "events", "step"))
        with self._lock:
            base = dict(self._run.config)
        config = validate(body.get("config", {}), base)
        step = settings.integer(body.get("step", 0), "step", 0, settings.MAX_STEPS)
        run = Run(config, body.get("events", []))  # validates the events too
        grid = _grid_run_columns(run)
        with self._lock:
            self._run, self._grid = run, grid
            self.running, self.target, self.message = step > 0, step or None, ""
            self.version += 1
            self._wake.notify_all()

    def live(self, body: dict[str, Any]) -> None:
        """Change lr, momentum, l2 or batch_size while training goes on (logged as events)."""
        _only(body, settings.LIVE)
        with self._lock:
            checked = validate(body, self._run.config)
            self._room_for(len(body))
            for key in body:
                self._run.apply([key, checked[key]])
            self.version += 1

    def add_point(self, body: dict[str, Any]) -> None:
        """A training point clicked on the plot: `{"x": …, "y": …, "label": …}`."""
        _only(body, ("x", "y", "label"), required=True)
        with self._lock:
            point = settings.validate_point(
                body["x"], body["y"], body["label"], self._run.config["dataset"]
            )
            if len(self._run.points["train"]) >= settings.MAX_POINTS + settings.MAX_EVENTS:
                raise ParameterError("points", "the training set is full")
            self._room_for(1)
            self._run.apply(["point", *point])
            self.version += 1

    def set_weight(self, body: dict[str, Any]) -> None:
        """Edit one parameter: `{"name": "layers.0.neurons.1.w.0", "value": 0.5}`."""
        _only(body, ("name", "value"), required=True)
        with self._lock:
            if body["name"] not in self._run.parameter_names:
                raise ParameterError("name", "not a parameter of the network")
            value = settings.number(
                body["value"], "value", -settings.MAX_WEIGHT, settings.MAX_WEIGHT
            )
            self._room_for(1)
            self._run.apply(["weight", body["name"], value])
            self.version += 1

    def control(self, body: dict[str, Any]) -> None:
        """`{"action": "play" | "pause" | "step" | "reset"}`."""
        _only(body, ("action",), required=True)
        action = settings.choice(body["action"], ("play", "pause", "step", "reset"), "action")
        if action == "reset":
            with self._lock:
                config = dict(self._run.config)
                points = [[0, *e[1:]] for e in self._run.events if e[1] == "point"]
            run = Run(config, points)
            grid = _grid_run_columns(run)
        with self._lock:
            if action == "play":
                self.running, self.target, self.message = True, None, ""
                self.last_poll = time.monotonic()
                self._wake.notify_all()
            elif action == "pause":
                self._pause("")
            elif action == "step":
                self.running, self.target, self.message = False, None, ""
                self._step()
            else:
                self._run, self._grid = run, grid
                self.running, self.target, self.message = False, None, ""
                self.version += 1

    def _room_for(self, count: int) -> None:
        if len(self._run.events) + count > settings.MAX_EVENTS:
            raise ParameterError(
                "events",
                f"at most {settings.MAX_EVENTS} changes in one run; press reset to start a new one",
            )

    # -- reading -------------------------------------------------------------------------------

    def state(self, have: int = 0, data: int = -1) -> dict[str, Any]:
        """The state as JSON data. The pictures and scores (`frame`) are left out when the
        caller already has this `version` (`have`), the points when it has this `data` version."""
        with self._lock:
            self.last_poll = time.monotonic()
            run = self._run
            state: dict[str, Any] = {
                "version": self.version,
                "run": id(run),
                "config": dict(run.config),
                "start_config": dict(run.start_config),
                "events": [list(e) for e in run.events],
                "step": run.step_count,
                "epoch": run.epoch,
                "running": self.running,
                "replaying": self.target,
                "message": self.message,
                "shape": [len(run.config["features"]), *[layer.nout for layer in run.model.layers]],
                "classes": run.classes,
                "data_version": f"{id(run)}.{run.data_version}",
                "history": _thinned(run.history),
                "limits": {"max_steps": settings.MAX_STEPS, "plane": settings.PLANE},
            }
            if have != self.version:
                state["frame"] = self._frame_now()
            if data != state["data_version"]:
                state["data"] = {
                    part: [[*p, t] for p, t in zip(run.points[part], run.targets[part])]
                    for part in ("train", "test")
                }
        return _finite(state)

    def _frame_now(self) -> dict[str, Any]:
        """Heat maps, weights and scores of the current version (computed once per version)."""
        if self._frame is not None and self._frame[0] == self.version:
            return self._frame[1]
        run = self._run
        weights = weights_of(run.model)
        layers = run.forward(weights, self._grid)
        names = [
            [neuron_name(run.model, i, j) for j in range(layer.nout)]
            for i, layer in enumerate(run.model.layers)
        ]
        frame = {
            "grid": GRID,
            "thumb": GRID // THUMB_STEP,
            "output": _output_map(layers[-1], run.config["loss"]),
            "neurons": [[_thumbnail(column) for column in layer] for layer in layers],
            "features": _feature_maps(),
            "names": names,
            "parameters": run.model.state_dict(),
            "scores": run.scores(weights),
        }
        self._frame = (self.version, frame)
        return frame

    def neuron(self, layer: Any, neuron: Any, point: Any) -> tuple[dict[str, Any], Any]:
        """The neuron panel: its formula, and its scalar graph at a training point (a Value)."""
        with self._lock:
            run = self._run
            layer, neuron, point = self._which(layer, neuron, point)
            root = run.neuron_graph(layer, neuron, point)
            info = {
                "layer": layer,
                "neuron": neuron,
                "point": point,
                "name": neuron_name(run.model, layer, neuron),
                "formula": run.formula(layer, neuron),
                "xy": run.points["train"][point],
                "target": run.targets["train"][point],
                "value": root.data,
                "version": self.version,
            }
        return _finite(info), root

    def gradient_check(self, layer: Any, neuron: Any, point: Any) -> dict[str, Any]:
        """Analytic against numeric ∂ℓ/∂w for the neuron's weights at a training point."""
        with self._lock:
            layer, neuron, point = self._which(layer, neuron, point)
            rows = self._run.gradient_check(layer, neuron, point)
            return _finite(
                {
                    "layer": layer,
                    "neuron": neuron,
                    "point": point,
                    "rows": rows,
                    "agree": all(row["agree"] for row in rows),
                }
            )

    def export(self, kind: Any) -> tuple[str, str]:
        """(filename, text): the model as `nn.save` JSON, or a Python script that retrains it."""
        kind = settings.choice(kind, ("json", "python"), "format")
        with self._lock:
            if kind == "json":
                return "playground-model.json", self._run.model_json()
            return "playground.py", self._run.python_snippet()

    def _which(self, layer: Any, neuron: Any, point: Any) -> tuple[int, int, int]:
        model = self._run.model
        layer = settings.integer(layer, "layer", 0, len(model.layers) - 1)
        neuron = settings.integer(neuron, "neuron", 0, model.layers[layer].nout - 1)
        point = settings.integer(point, "point", 0, len(self._run.points["train"]) - 1)
        return layer, neuron, point


# -- pictures ------------------------------------------------------------------------------------


def _grid_run_columns(run: Run) -> list[Any]:
    """The network's input features at the centre of every grid cell, row by row from the top."""
    from .datasets import featurize

    side = 2 * settings.PLANE / GRID
    centres = [-settings.PLANE + (k + 0.5) * side for k in range(GRID)]
    points = [[x, y] for y in reversed(centres) for x in centres]
    columns = [list(c) for c in zip(*featurize(points, run.config["features"]))]
    if numpy is not None:
        return [numpy.asarray(c, dtype=float) for c in columns]
    return columns


_FEATURE_MAPS: dict[str, str] = {}


def _feature_maps() -> dict[str, str]:
    """Every input feature's small heat map (they never change, so they are made once)."""
    if not _FEATURE_MAPS:
        from .datasets import FEATURE_FUNCTIONS

        side = 2 * settings.PLANE / GRID
        centres = [-settings.PLANE + (k + 0.5) * side for k in range(GRID)]
        points = [(x, y) for y in reversed(centres) for x in centres]
        for name, f in FEATURE_FUNCTIONS.items():
            _FEATURE_MAPS[name] = _thumbnail([f(x, y) for x, y in points])
    return _FEATURE_MAPS


def _bytes(values: Any) -> str:
    """Numbers in [-1, 1] (clipped; nan → 0) as base64 bytes 0…255."""
    if numpy is not None:
        v = numpy.nan_to_num(numpy.asarray(values, dtype=float), nan=0.0, posinf=1.0, neginf=-1.0)
        data = numpy.rint((numpy.clip(v, -1.0, 1.0) + 1.0) * 127.5).astype(numpy.uint8).tobytes()
    else:
        data = bytes(
            int(round((max(-1.0, min(1.0, v if v == v else 0.0)) + 1.0) * 127.5)) for v in values
        )
    return base64.b64encode(data).decode("ascii")


def _scaled(column: Any) -> Any:
    """An activation divided by its largest size on the plane when that exceeds 1."""
    if numpy is not None:
        column = numpy.nan_to_num(numpy.asarray(column, dtype=float))
        top = float(numpy.max(numpy.abs(column))) if column.size else 0.0
        return column / top if top > 1.0 else column
    column = [v if math.isfinite(v) else 0.0 for v in column]
    top = max((abs(v) for v in column), default=0.0)
    return [v / top for v in column] if top > 1.0 else column


def _thumbnail(column: Any) -> str:
    if numpy is not None and THUMB_STEP > 1:
        column = numpy.asarray(column).reshape(GRID, GRID)[::THUMB_STEP, ::THUMB_STEP].ravel()
    return _bytes(_scaled(column))


def _output_map(columns: list[Any], loss: str) -> dict[str, Any]:
    """The output heat map: for one score the value shown in [-1, 1] (2σ(z) − 1 for logits, the
    score clipped to [-1, 1] for hinge and mse); for logits the class and its softmax share."""
    if len(columns) == 1:
        z = columns[0]
        if loss == "bce_logits":
            z = (
                numpy.tanh(numpy.asarray(z) / 2)
                if numpy is not None
                else [
                    math.tanh(v / 2)
                    if math.isfinite(v)
                    else math.copysign(1.0, v)
                    if v == v
                    else 0.0
                    for v in z
                ]
            )
        return {"kind": "value" if loss == "mse" else "binary", "values": _bytes(z)}
    k = len(columns)
    rows = list(zip(*[as_list(c) for c in columns]))
    classes, confidence = [], []
    for row in rows:
        top = max(row) if all(v == v for v in row) else float("nan")
        if not math.isfinite(top):
            classes.append(0)
            confidence.append(-1.0)
            continue
        shares = [math.exp(v - top) for v in row]
        best = row.index(top)
        classes.append(best)
        confidence.append(2 * ((shares[best] / sum(shares)) - 1 / k) / (1 - 1 / k) - 1)
    return {
        "kind": "classes",
        "classes": base64.b64encode(bytes(classes)).decode("ascii"),
        "values": _bytes(confidence),
    }


# -- helpers -------------------------------------------------------------------------------------


def _only(body: dict[str, Any], allowed: tuple[str, ...], required: bool = False) -> None:
    for key in body:
        if key not in allowed:
            raise ParameterError(str(key)[:40], f"unknown field; expected {', '.join(allowed)}")
    if required:
        for key in allowed:
            if key not in body:
                raise ParameterError(key, "is missing")


def _thinned(history: dict[str, list]) -> dict[str, list]:
    """At most MAX_HISTORY_SENT points of the loss curves (every k-th, and the last)."""
    n = len(history["step"])
    stride = max(1, math.ceil(n / MAX_HISTORY_SENT))
    chosen = list(range(0, n, stride))
    if n and chosen[-1] != n - 1:
        chosen.append(n - 1)
    return {key: [values[i] for i in chosen] for key, values in history.items()}


def _finite(data: Any) -> Any:
    """The same JSON data with every non-finite float replaced by None (JSON has no nan)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data

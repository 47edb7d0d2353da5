"""Pictures of learning: decision regions, training curves, a regression fit over time, and
gradient-descent paths over a function's contours.

Needs matplotlib (`pip install 'glassgrad[plot]'`), imported only when a picture is drawn, with
the headless 'Agg' backend. Every function saves a PNG atomically and returns its path.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

CLASS_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
FIGURE_SIZE = (6.4, 4.4)
DPI = 80


def pyplot() -> Any:
    """matplotlib.pyplot on the 'Agg' backend, or an ImportError saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            "nn.plot needs matplotlib: pip install 'glassgrad[plot]' (or pip install matplotlib)"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(figure: Any, path: str | os.PathLike) -> Path:
    """Write `figure` as PNG to `path` atomically (temp file, then rename); close it; the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".png")
    try:
        with os.fdopen(handle, "wb") as file:
            figure.savefig(file, format="png", dpi=DPI)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    finally:
        pyplot().close(figure)
    return path


def decision_regions(
    scores: Callable[[list[list[float]]], Sequence[float | Sequence[float]]],
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    path: str | os.PathLike,
    title: str = "decision regions",
    X_test: Sequence[Sequence[float]] | None = None,
    y_test: Sequence[int] | None = None,
    class_names: Sequence[str] | None = None,
    margin: bool = False,
    resolution: int = 70,
) -> Path:
    """Colour the plane by the class the model gives each point, and draw the data over it.

    `scores` maps a list of 2-D points to the model's outputs: one score per point (two classes:
    class 1 where the score is > 0) or a list of k class scores per point (the largest wins).
    Class c's region is where dᶜ = sᶜ - max_{j≠c} sʲ > 0, so its boundary is the smooth contour
    dᶜ = 0. `margin=True` also draws the lines score = ±1 (the hinge loss's margin). Training
    points are filled circles; test points, if given, outlined triangles.
    """
    plt = pyplot()
    points = [list(p) for p in X] + [list(p) for p in X_test or []]
    xs, ys = _grid_axes(points, resolution)
    outputs = list(scores([[x, y_] for y_ in ys for x in xs]))
    binary = not isinstance(outputs[0], (list, tuple))
    per_class = [[-s, s] for s in outputs] if binary else [list(s) for s in outputs]
    k = len(per_class[0])
    figure, axes = plt.subplots(figsize=FIGURE_SIZE, layout="constrained")
    for c in range(k):
        lead = [row[c] - max(row[:c] + row[c + 1 :]) for row in per_class]
        grid = [lead[r * len(xs) : (r + 1) * len(xs)] for r in range(len(ys))]
        if max(lead) <= 0.0:
            continue  # class c wins nowhere
        axes.contourf(xs, ys, grid, levels=[0.0, max(lead) + 1.0], colors=[CLASS_COLORS[c]],
                      alpha=0.22)
        if min(lead) < 0.0:
            axes.contour(xs, ys, grid, levels=[0.0], colors="k", linewidths=1.2)
    if binary and margin:
        grid = [outputs[r * len(xs) : (r + 1) * len(xs)] for r in range(len(ys))]
        axes.contour(xs, ys, grid, levels=[-1.0, 1.0], colors="k", linewidths=0.8,
                     linestyles="dashed")
    names = class_names or [f"class {c}" for c in range(k)]
    for c in range(k):
        mine = [p for p, label in zip(X, y) if label == c]
        axes.scatter(*_columns(mine), s=22, color=CLASS_COLORS[c], edgecolors="k",
                     linewidths=0.4, label=f"{names[c]} (train)")
        if X_test is not None:
            theirs = [p for p, label in zip(X_test, y_test) if label == c]
            axes.scatter(*_columns(theirs), s=34, marker="^", facecolors="white",
                         edgecolors=CLASS_COLORS[c], linewidths=1.3, label=f"{names[c]} (test)")
    axes.set(title=title, xlabel="x₁", ylabel="x₂", xlim=(xs[0], xs[-1]), ylim=(ys[0], ys[-1]))
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return save(figure, path)


def training_curves(history: Any, path: str | os.PathLike, title: str = "training") -> Path:
    """Loss (log scale) and every metric per epoch from a `History`, validation dashed."""
    plt = pyplot()
    metrics = list(history.metrics)
    figure, panels = plt.subplots(
        1, 1 + len(metrics), figsize=(4.2 * (1 + len(metrics)) + 0.8, 3.6),
        layout="constrained", squeeze=False,
    )
    epochs = history.epochs
    for axes, name in zip(panels[0], ["loss", *metrics]):
        train = history.loss if name == "loss" else history.metrics[name]
        axes.plot(epochs, train, color=CLASS_COLORS[0], label="train")
        if name in history.validation:
            axes.plot(epochs, history.validation[name], "--", color=CLASS_COLORS[1],
                      label="validation")
        if name == "loss" and min(train) > 0:
            axes.set_yscale("log")
        axes.set(title=name if metrics else f"{title}: loss", xlabel="epoch")
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    if metrics:
        figure.suptitle(title)
    return save(figure, path)


def regression_fit(
    X: Sequence[float],
    y: Sequence[float],
    snapshots: Mapping[int, tuple[Sequence[float], Sequence[float]]],
    path: str | os.PathLike,
    truth: tuple[Sequence[float], Sequence[float]] | None = None,
    title: str = "fit over training",
) -> Path:
    """The data, the true curve and the model's curve at several epochs (light → dark).

    `snapshots` maps an epoch to `(xs, predictions)`.
    """
    plt = pyplot()
    figure, axes = plt.subplots(figsize=FIGURE_SIZE, layout="constrained")
    axes.scatter(X, y, s=14, color="0.55", label="data", zorder=2)
    if truth is not None:
        axes.plot(*truth, color="k", linewidth=1, linestyle=":", label="truth")
    colormap = plt.get_cmap("viridis")
    count = len(snapshots)
    for i, (epoch, (xs, predictions)) in enumerate(sorted(snapshots.items())):
        shade = colormap(0.15 + 0.8 * i / max(count - 1, 1))
        axes.plot(xs, predictions, color=shade, linewidth=2 if i == count - 1 else 1.2,
                  label=f"epoch {epoch}" if epoch else "before training", zorder=3)
    axes.set(title=title, xlabel="x", ylabel="y")
    axes.legend(fontsize=8, loc="best")
    axes.grid(alpha=0.3)
    return save(figure, path)


def descent_paths(
    f: Callable[[float, float], float],
    paths: Mapping[str, Sequence[Sequence[float]]],
    path: str | os.PathLike,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    minimum: Sequence[float] | None = None,
    title: str = "gradient descent",
    resolution: int = 120,
) -> Path:
    """Left: contours of f(x, y) (log-spaced) with one path of iterates per label.
    Right: f along each path, step by step (log scale)."""
    plt = pyplot()
    xs = _linspace(*xlim, resolution)
    ys = _linspace(*ylim, resolution)
    Z = [[math.log1p(f(x, y_)) for x in xs] for y_ in ys]
    figure, (axes, values) = plt.subplots(
        1, 2, figsize=(11.0, 4.6), width_ratios=[1.25, 1], layout="constrained"
    )
    axes.contourf(xs, ys, Z, levels=25, cmap="Greys", alpha=0.55)
    axes.contour(xs, ys, Z, levels=25, colors="k", linewidths=0.3, alpha=0.4)
    for i, (label, points) in enumerate(paths.items()):
        style = {"color": CLASS_COLORS[i % len(CLASS_COLORS)], "zorder": 3 + len(paths) - i}
        inside = [p for p in points if xlim[0] <= p[0] <= xlim[1] and ylim[0] <= p[1] <= ylim[1]]
        axes.plot(*_columns(inside), "-", linewidth=1.4, label=label, **style)
        axes.plot(*inside[-1], "o", markersize=5, markeredgecolor="k", **style)
        steps = [f(*point) for point in points]
        values.plot(range(len(steps)), steps, linewidth=1.4, label=label, **style)
    if minimum is not None:
        axes.plot(*minimum, marker="*", markersize=14, color="gold", markeredgecolor="k",
                  linestyle="none", label="minimum")
    axes.set(title=title, xlabel="x", ylabel="y", xlim=xlim, ylim=ylim)
    axes.legend(fontsize=8, loc="lower right")
    values.set(title="f at each step", xlabel="step", yscale="log")
    values.grid(alpha=0.3)
    return save(figure, path)


def curves(
    functions: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    path: str | os.PathLike,
    title: str = "",
    xlabel: str = "x",
    ylim: tuple[float, float] | None = None,
) -> Path:
    """Several curves `label → (xs, ys)` on one set of axes.

    Curves come in pairs sharing a colour, the second dashed: a function and its derivative.
    """
    plt = pyplot()
    figure, axes = plt.subplots(figsize=FIGURE_SIZE, layout="constrained")
    for i, (label, (xs, ys)) in enumerate(functions.items()):
        style = "--" if i % 2 else "-"
        axes.plot(xs, ys, style, color=CLASS_COLORS[(i // 2) % len(CLASS_COLORS)], label=label)
    axes.axhline(0, color="k", linewidth=0.5)
    axes.axvline(0, color="k", linewidth=0.5)
    axes.set(title=title, xlabel=xlabel, ylim=ylim)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="upper left")
    return save(figure, path)


def matrices(
    named: Mapping[str, Sequence[Sequence[float]]], path: str | os.PathLike, title: str = ""
) -> Path:
    """Each matrix as a grid of coloured cells with its numbers written in (blue < 0 < red)."""
    plt = pyplot()
    figure, panels = plt.subplots(
        1, len(named), figsize=(2.6 * len(named) + 0.6, 2.6), layout="constrained", squeeze=False
    )
    for axes, (name, rows) in zip(panels[0], named.items()):
        values = [[float(v) for v in row] for row in rows]
        bound = max(abs(v) for row in values for v in row) or 1.0
        axes.imshow(values, cmap="coolwarm", vmin=-bound, vmax=bound)
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                axes.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8)
        axes.set(title=f"{name}  ({len(values)}×{len(values[0])})", xticks=[], yticks=[])
    figure.suptitle(title)
    return save(figure, path)


# -- helpers ---------------------------------------------------------------------------------


def _grid_axes(points: list[list[float]], resolution: int) -> tuple[list[float], list[float]]:
    """Grid coordinates covering the points with a margin of a tenth of their spread."""
    axes = []
    for column in _columns(points):
        low, high = min(column), max(column)
        margin = 0.1 * (high - low) or 1.0
        axes.append(_linspace(low - margin, high + margin, resolution))
    return axes[0], axes[1]


def _columns(points: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
    return [p[0] for p in points], [p[1] for p in points]


def _linspace(start: float, stop: float, n: int) -> list[float]:
    step = (stop - start) / (n - 1)
    return [start + k * step for k in range(n)]

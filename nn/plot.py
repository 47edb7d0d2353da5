"""Pictures of learning: decision regions, training curves, a regression fit over time,
gradient-descent paths over a function's contours, curves, and matrices as heat maps.

Needs matplotlib (`pip install 'glassgrad[plot]'`), imported only when a picture is drawn.
Every function returns a `matplotlib.figure.Figure` (shown inline by Jupyter) and, given a
`path`, also writes it there (PNG, SVG or PDF by the extension, at `DPI` dots per inch)
atomically. The figures are made with `matplotlib.figure.Figure` directly: this module never
calls `matplotlib.use` and never touches pyplot's global state, so `plt.show()` and a notebook's
inline backend keep working as they were.
"""

from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CLASS_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
FIGURE_SIZE = (6.4, 4.4)
DPI = 130
"""Resolution of written pictures, in dots per inch."""

FORMATS = (".png", ".svg", ".pdf")
LEGEND_OUTSIDE = {
    "loc": "upper left",
    "bbox_to_anchor": (1.02, 1.0),
    "fontsize": 8,
    "frameon": False,
    "borderaxespad": 0.0,
}
"""Legend placement to the right of the axes, so it never covers data."""


def new_figure(**kwargs: Any) -> Figure:
    """A `matplotlib.figure.Figure` with constrained layout, or an ImportError saying how to
    install matplotlib. pyplot is not involved, so no global backend or figure list changes."""
    return _figure_class()(layout="constrained", **kwargs)


def subplots(
    nrows: int = 1,
    ncols: int = 1,
    *,
    figsize: tuple[float, float] | None = None,
    layout: str = "constrained",
    **kwargs: Any,
) -> tuple[Figure, Any]:
    """`matplotlib.pyplot.subplots` without pyplot: a new Figure (shown inline by Jupyter) and
    its axes, as `figure.subplots(nrows, ncols, **kwargs)` returns them."""
    figure = _figure_class()(figsize=figsize, layout=layout)
    return figure, figure.subplots(nrows, ncols, **kwargs)


@functools.cache
def _figure_class() -> type[Figure]:
    """`matplotlib.figure.Figure` plus `_repr_png_`, so a notebook shows it inline even when
    pyplot (whose backend registers the usual display hook) was never imported."""
    try:
        from matplotlib.figure import Figure as MatplotlibFigure
    except ImportError:
        raise ImportError(
            "nn.plot needs matplotlib: pip install 'glassgrad[plot]' (or pip install matplotlib)"
        ) from None

    class Figure(MatplotlibFigure):
        """A matplotlib Figure that displays itself in Jupyter as a PNG."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    return Figure


def save(figure: Figure, path: str | os.PathLike) -> Path:
    """Write `figure` to `path` atomically at `DPI`; the extension (.png .svg .pdf) picks the
    format. Parent directories are created. Returns the path."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"nn.plot.save: {path.name!r} must end in one of {', '.join(FORMATS)}")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lower()[1:], dpi=DPI)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, buffer.getvalue())
    return path


def _finish(figure: Figure, path: str | os.PathLike | None) -> Figure:
    if path is not None:
        save(figure, path)
    return figure


def decision_regions(
    scores: Callable[[list[list[float]]], Sequence[float | Sequence[float]]],
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    path: str | os.PathLike | None = None,
    title: str = "decision regions",
    X_test: Sequence[Sequence[float]] | None = None,
    y_test: Sequence[int] | None = None,
    class_names: Sequence[str] | None = None,
    margin: bool = False,
    resolution: int = 70,
) -> Figure:
    """Colour the plane by the class the model gives each point, and draw the data over it.

    `scores` maps a list of 2-D points to the model's outputs: one score per point (two classes:
    class 1 where the score is > 0) or a list of k class scores per point (the largest wins).
    Class c's region is where dᶜ = sᶜ - max_{j≠c} sʲ > 0, so its boundary is the smooth contour
    dᶜ = 0. `margin=True` also draws the lines score = ±1 (the hinge loss's margin). Training
    points are filled circles; test points, if given, outlined triangles.
    """
    points = [list(p) for p in X] + [list(p) for p in X_test or []]
    xs, ys = _grid_axes(points, resolution)
    outputs = list(scores([[x, y_] for y_ in ys for x in xs]))
    binary = not isinstance(outputs[0], (list, tuple))
    per_class = [[-s, s] for s in outputs] if binary else [list(s) for s in outputs]
    k = len(per_class[0])
    figure = new_figure(figsize=FIGURE_SIZE)
    axes = figure.subplots()
    for c in range(k):
        lead = [row[c] - max(row[:c] + row[c + 1 :]) for row in per_class]
        grid = [lead[r * len(xs) : (r + 1) * len(xs)] for r in range(len(ys))]
        if max(lead) <= 0.0:
            continue  # class c wins nowhere
        axes.contourf(
            xs, ys, grid, levels=[0.0, max(lead) + 1.0], colors=[CLASS_COLORS[c]], alpha=0.22
        )
        if min(lead) < 0.0:
            axes.contour(xs, ys, grid, levels=[0.0], colors="k", linewidths=1.2)
    if binary and margin:
        grid = [outputs[r * len(xs) : (r + 1) * len(xs)] for r in range(len(ys))]
        axes.contour(
            xs, ys, grid, levels=[-1.0, 1.0], colors="k", linewidths=0.8, linestyles="dashed"
        )
    names = class_names or [f"class {c}" for c in range(k)]
    for c in range(k):
        mine = [p for p, label in zip(X, y) if label == c]
        axes.scatter(
            *_columns(mine),
            s=22,
            color=CLASS_COLORS[c],
            edgecolors="k",
            linewidths=0.4,
            label=f"{names[c]} (train)",
        )
        if X_test is not None:
            theirs = [p for p, label in zip(X_test, y_test or []) if label == c]
            axes.scatter(
                *_columns(theirs),
                s=34,
                marker="^",
                facecolors="white",
                edgecolors=CLASS_COLORS[c],
                linewidths=1.3,
                label=f"{names[c]} (test)",
            )
    axes.set(title=title, xlabel="x₁", ylabel="x₂", xlim=(xs[0], xs[-1]), ylim=(ys[0], ys[-1]))
    axes.legend(**LEGEND_OUTSIDE)
    return _finish(figure, path)


def training_curves(
    history: Any,
    path: str | os.PathLike | None = None,
    title: str = "training",
    validation_label: str = "validation",
) -> Figure:
    """Loss (log scale) and every metric per epoch from a `History`, the held-out set dashed.

    `validation_label` names the held-out curves: say "test" when `fit(validation=...)` was given
    the test set. One legend for all panels, above them.
    """
    metrics = list(history.metrics)
    count = 1 + len(metrics)
    figure = new_figure(figsize=(3.6 * count + 0.6, 3.5))
    panels = figure.subplots(1, count, squeeze=False)[0]
    epochs = history.epochs
    for axes, name in zip(panels, ["loss", *metrics]):
        train = history.loss if name == "loss" else history.metrics[name]
        axes.plot(epochs, train, color=CLASS_COLORS[0], label="train")
        if name in history.validation:
            axes.plot(
                epochs,
                history.validation[name],
                "--",
                color=CLASS_COLORS[1],
                label=validation_label,
            )
        if name == "loss" and min(train) > 0:
            axes.set_yscale("log")
        axes.set(title=name, xlabel="epoch")
        axes.grid(alpha=0.3)
    handles, labels = panels[0].get_legend_handles_labels()
    figure.suptitle(title)
    if len(handles) > 1:
        figure.legend(
            handles,
            labels,
            loc="outside upper right",
            ncols=len(handles),
            fontsize=8,
            frameon=False,
        )
    return _finish(figure, path)


def regression_fit(
    X: Sequence[float],
    y: Sequence[float],
    snapshots: Mapping[int, tuple[Sequence[float], Sequence[float]]],
    path: str | os.PathLike | None = None,
    truth: tuple[Sequence[float], Sequence[float]] | None = None,
    title: str = "fit over training",
) -> Figure:
    """The data, the true curve and the model's curve at several epochs (light → dark).

    `snapshots` maps an epoch to `(xs, predictions)`; epoch 0 is "before training".
    """
    from matplotlib import colormaps

    figure = new_figure(figsize=(7.4, 4.4))
    axes = figure.subplots()
    axes.scatter(X, y, s=14, color="0.55", label="data", zorder=2)
    if truth is not None:
        axes.plot(*truth, color="k", linewidth=1, linestyle=":", label="truth")
    colormap = colormaps["viridis"]
    count = len(snapshots)
    for i, (epoch, (xs, predictions)) in enumerate(sorted(snapshots.items())):
        shade = colormap(0.15 + 0.8 * i / max(count - 1, 1))
        axes.plot(
            xs,
            predictions,
            color=shade,
            linewidth=2 if i == count - 1 else 1.2,
            label=f"epoch {epoch}" if epoch else "before training",
            zorder=3,
        )
    axes.set(title=title, xlabel="x", ylabel="y")
    axes.legend(**LEGEND_OUTSIDE)
    axes.grid(alpha=0.3)
    return _finish(figure, path)


def descent_paths(
    f: Callable[[float, float], float],
    paths: Mapping[str, Sequence[Sequence[float]]],
    path: str | os.PathLike | None = None,
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    minimum: Sequence[float] | None = None,
    title: str = "gradient descent",
    resolution: int = 120,
) -> Figure:
    """Left: contours of log(1 + f(x, y)) with one path of iterates per label.
    Right: f along each path, step by step (log scale). One legend for both, to the right."""
    xs = _linspace(*xlim, resolution)
    ys = _linspace(*ylim, resolution)
    Z = [[math.log1p(f(x, y_)) for x in xs] for y_ in ys]
    figure = new_figure(figsize=(11.5, 4.4))
    axes, values = figure.subplots(1, 2, width_ratios=[1.25, 1])
    axes.contourf(xs, ys, Z, levels=25, cmap="Greys", alpha=0.55)
    axes.contour(xs, ys, Z, levels=25, colors="k", linewidths=0.3, alpha=0.4)
    for i, (label, points) in enumerate(paths.items()):
        style = {"color": CLASS_COLORS[i % len(CLASS_COLORS)], "zorder": 3 + len(paths) - i}
        inside = [p for p in points if xlim[0] <= p[0] <= xlim[1] and ylim[0] <= p[1] <= ylim[1]]
        if inside:
            axes.plot(*_columns(inside), "-", linewidth=1.4, **style)
            axes.plot(*inside[-1], "o", markersize=5, markeredgecolor="k", **style)
        steps = [f(*point) for point in points]
        values.plot(range(len(steps)), steps, linewidth=1.4, label=label, **style)
    if minimum is not None:
        axes.plot(
            *minimum, marker="*", markersize=14, color="gold", markeredgecolor="k", linestyle="none"
        )
        values.plot(
            [],
            [],
            marker="*",
            markersize=10,
            color="gold",
            markeredgecolor="k",
            linestyle="none",
            label=f"minimum at ({minimum[0]:g}, {minimum[1]:g})",
        )
    axes.set(title=title, xlabel="x", ylabel="y", xlim=xlim, ylim=ylim)
    values.set(title="f at each step", xlabel="step", yscale="log")
    values.grid(alpha=0.3)
    values.legend(**LEGEND_OUTSIDE)
    return _finish(figure, path)


def curves(
    functions: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    path: str | os.PathLike | None = None,
    title: str = "",
    xlabel: str = "x",
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Several curves `label → (xs, ys)` on one set of axes.

    Curves come in pairs sharing a colour, the second dashed: a function and its derivative.
    """
    figure = new_figure(figsize=(7.2, 4.2))
    axes = figure.subplots()
    for i, (label, (xs, ys)) in enumerate(functions.items()):
        style = "--" if i % 2 else "-"
        axes.plot(xs, ys, style, color=CLASS_COLORS[(i // 2) % len(CLASS_COLORS)], label=label)
    axes.axhline(0, color="k", linewidth=0.5)
    axes.axvline(0, color="k", linewidth=0.5)
    axes.set(title=title, xlabel=xlabel, ylim=ylim)
    axes.grid(alpha=0.3)
    axes.legend(**LEGEND_OUTSIDE)
    return _finish(figure, path)


def matrices(
    named: Mapping[str, Sequence[Sequence[float]]],
    path: str | os.PathLike | None = None,
    title: str = "",
    scales: Sequence[Sequence[str]] | None = None,
) -> Figure:
    """Each matrix as a grid of coloured cells with its numbers written in (blue < 0 < red).

    Panels that compare values share one colour scale and one colourbar: `scales` lists the
    groups of names that share (default: all panels share one scale).
    """
    names = list(named)
    groups = [list(group) for group in scales] if scales else [names]
    missing = set(names) - {name for group in groups for name in group}
    groups += [[name] for name in names if name in missing]
    figure = new_figure(figsize=(2.7 * len(names) + 1.0 * len(groups), 2.9))
    panels = dict(zip(names, figure.subplots(1, len(names), squeeze=False)[0]))
    for group in groups:
        values = {name: [[float(v) for v in row] for row in named[name]] for name in group}
        bound = max(abs(v) for rows in values.values() for row in rows for v in row) or 1.0
        image = None
        for name, rows in values.items():
            axes: Axes = panels[name]
            image = axes.imshow(rows, cmap="coolwarm", vmin=-bound, vmax=bound)
            for i, row in enumerate(rows):
                for j, v in enumerate(row):
                    axes.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8)
            axes.set(title=f"{name}  ({len(rows)}×{len(rows[0])})", xticks=[], yticks=[])
        figure.colorbar(image, ax=[panels[name] for name in group], shrink=0.8)
    if title:
        figure.suptitle(title)
    return _finish(figure, path)


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


try:
    from autograd.io import write_atomic
except ImportError:  # FALLBACK, delete at merge: contract 3's writer lives in autograd/io.py.

    def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
        """Temp file in the same directory, fsync, os.replace; the mode a plain write gives."""
        import tempfile

        path = Path(path)
        payload = data.encode() if isinstance(data, str) else data
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(payload)
                file.flush()
                os.fsync(file.fileno())
            if path.exists():
                os.chmod(temporary, path.stat().st_mode & 0o7777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

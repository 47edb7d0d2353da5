"""nn.plot: every function returns a matplotlib Figure, writes it when given a path (atomically, at
DPI), shows itself in a notebook, and never touches matplotlib's global backend or pyplot."""

from __future__ import annotations

import math
import struct
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="nn.plot draws with matplotlib")

import nn
from nn import plot

ROOT = Path(__file__).resolve().parent.parent


def png_dpi(data: bytes) -> float:
    """The resolution a PNG declares in its pHYs chunk, in dots per inch (0 when it says none:
    e.g. a browser screenshot; take it at device_scale_factor 1.35 and save with dpi=130)."""
    at = data.find(b"pHYs")
    if at < 0:
        return 0.0
    per_metre, _, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    assert unit == 1
    return per_metre * 0.0254


def every_picture() -> dict:
    X, y = nn.make_moons(40, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(
        model,
        X,
        y,
        "hinge",
        nn.SGD(model.parameters(), lr=0.5),
        epochs=3,
        progress=False,
        validation=(X, y),
    )
    xs = [i / 10 for i in range(-10, 11)]
    return {
        "decision_regions": lambda path: plot.decision_regions(
            lambda points: nn.predict(model, points),
            X,
            y,
            path,
            X_test=X,
            y_test=y,
            resolution=12,
            margin=True,
        ),
        "training_curves": lambda path: plot.training_curves(
            history, path, validation_label="test"
        ),
        "regression_fit": lambda path: plot.regression_fit(
            xs, xs, {0: (xs, xs), 5: (xs, xs)}, path, truth=(xs, xs)
        ),
        "descent_paths": lambda path: plot.descent_paths(
            lambda a, b: a * a + b * b,
            {"η = 0.1": [(1.0, 1.0), (0.8, 0.8)]},
            path,
            xlim=(-1.5, 1.5),
            ylim=(-1.5, 1.5),
            minimum=(0.0, 0.0),
            resolution=20,
        ),
        "curves": lambda path: plot.curves(
            {"sin": (xs, [math.sin(x) for x in xs]), "cos": (xs, [math.cos(x) for x in xs])}, path
        ),
        "matrices": lambda path: plot.matrices(
            {"A": [[1.0, -2.0]], "B": [[0.5, 3.0]]}, path, scales=[["A"], ["B"]]
        ),
    }


@pytest.mark.parametrize("name", list(every_picture()))
def test_returns_a_figure_and_saves_at_dpi(name, tmp_path):
    from matplotlib.figure import Figure

    draw = every_picture()[name]
    figure = draw(None)
    assert isinstance(figure, Figure)
    assert figure._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # what a notebook displays
    path = tmp_path / "sub" / f"{name}.png"
    again = draw(path)
    assert isinstance(again, Figure)
    assert round(png_dpi(path.read_bytes())) == plot.DPI
    assert 120 <= plot.DPI <= 150
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")], "temp file left"


def test_svg_and_pdf_by_extension_and_a_clear_error_otherwise(tmp_path):
    figure = plot.curves({"x": ([0.0, 1.0], [0.0, 1.0])})
    assert "<svg" in plot.save(figure, tmp_path / "a.svg").read_text()
    assert plot.save(figure, tmp_path / "a.pdf").read_bytes()[:4] == b"%PDF"
    with pytest.raises(ValueError, match="must end in one of .png, .svg, .pdf"):
        plot.save(figure, tmp_path / "a.jpeg")


def test_never_touches_the_backend_or_pyplot():
    code = (
        "import matplotlib\n"
        "matplotlib.use = lambda *a, **k: (_ for _ in ()).throw(AssertionError('use called'))\n"
        "backend = dict.__getitem__(matplotlib.rcParams, 'backend')\n"
        "import sys, nn\n"
        "from nn import plot\n"
        "plot.curves({'x': ([0.0, 1.0], [0.0, 1.0])}, 'x.png')\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
        "assert dict.__getitem__(matplotlib.rcParams, 'backend') == backend\n"
        "print('ok')\n"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as where:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=where,
            capture_output=True,
            text=True,
            check=False,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
    assert result.stdout.strip() == "ok", result.stderr


def test_subplots_is_pyplots_without_pyplot(tmp_path):
    from matplotlib.figure import Figure

    figure, (left, right) = plot.subplots(1, 2, figsize=(6.0, 3.0))
    assert isinstance(figure, Figure) and len(figure.axes) == 2 and left is not right
    left.plot([0, 1], [1, 0])
    assert plot.save(figure, tmp_path / "two.png").stat().st_size > 1000


def test_every_committed_picture_is_120_to_150_dpi():
    pictures = sorted((ROOT / "docs").rglob("*.png"))
    assert pictures, "no committed pictures"
    for picture in pictures:
        dpi = png_dpi(picture.read_bytes())
        assert 120 <= round(dpi) <= 150, f"{picture.relative_to(ROOT)} is {dpi:.0f} dpi"

"""Every demo runs (quick mode, pictures to a temp dir) and reports sensible numbers and real files.

The moons demo also runs in full: `make demo` must reach 100% training accuracy.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import graphviz
import pytest

pytest.importorskip("matplotlib", reason="the demos draw their pictures with matplotlib")

from autograd import Value, draw_graph
from demos import (
    DEMOS,
    chain_rule,
    digits,
    gradient_descent,
    linear_algebra,
    moons,
    names,
    regression,
    save_graph,
    spiral,
)

ROOT = Path(__file__).resolve().parent.parent


def assert_png(path: Path) -> None:
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width >= 200 and height >= 150, f"{path} is only {width}x{height}"


def assert_picture(path: Path) -> None:
    path = Path(path)
    assert path.is_file() and path.stat().st_size > 1000, f"{path} is missing or tiny"
    if path.suffix == ".png":
        assert_png(path)
    elif path.suffix == ".svg":
        assert "<svg" in path.read_text()
    else:
        assert path.suffix == ".dot" and "digraph" in path.read_text()


def run(demo, tmp_path: Path, *options: str) -> dict:
    report = demo.main([*options, "--out", str(tmp_path)])
    for picture in report["pictures"]:
        assert Path(picture).parent == tmp_path
        assert_picture(picture)
    return report


def in_unit_range(*numbers: float) -> bool:
    return all(0.0 <= n <= 1.0 for n in numbers)


def test_moons_quick(tmp_path, capsys):
    report = run(moons, tmp_path, "--quick")
    names = sorted(Path(p).name for p in report["pictures"])
    graph = "neuron_graph.svg" if shutil.which("dot") else "neuron_graph.dot"  # the DOT fallback
    assert names == [
        "moons_boundary.png",
        "moons_linear_boundary.png",
        "moons_training.png",
        graph,
    ]
    for part, size in (("train", 100), ("test", 50)):
        scores = report[part]
        assert in_unit_range(
            scores["accuracy"], scores["precision"], scores["recall"], scores["f1"]
        )
        assert sum(map(sum, scores["confusion_matrix"])) == size
    assert report["train"]["accuracy"] > 0.8
    assert in_unit_range(*report["linear_accuracy"].values())
    out = capsys.readouterr().out
    assert "test (50 points): accuracy" in out and "true \\ predicted" in out


def test_moons_full_reaches_full_training_accuracy(tmp_path):
    report = run(moons, tmp_path)
    assert report["train"]["accuracy"] == 1.0
    assert report["test"]["accuracy"] >= 0.95
    assert report["final_loss"] < 0.05
    assert report["linear_accuracy"]["train"] < 0.95  # without relu: a straight line


def test_without_graphviz_graphs_are_saved_as_dot(tmp_path, monkeypatch, capsys):
    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    y = Value(2.0, "x").tanh()
    path = save_graph(draw_graph(y), tmp_path / "graph.svg")
    assert path == tmp_path / "graph.dot" and "digraph" in path.read_text()
    assert "saved as DOT" in capsys.readouterr().out


def test_spiral_quick(tmp_path):
    report = run(spiral, tmp_path, "--quick")
    assert in_unit_range(report["train_accuracy"], report["test_accuracy"])
    assert report["test_accuracy"] > 0.6  # better than the 1/3 of guessing, after 15 epochs
    assert list(report["report"]) == [
        "arm 0",
        "arm 1",
        "arm 2",
        "accuracy",
        "macro avg",
        "weighted avg",
    ]
    assert sum(map(sum, report["confusion_matrix"])) == 75
    before, after = report["example_loss"]
    assert after < before


def test_regression_quick(tmp_path):
    report = run(regression, tmp_path, "--quick")
    assert report["final_mse"] < report["first_mse"]
    assert report["max_error"] < 2.0


def test_chain_rule(tmp_path):
    report = run(chain_rule, tmp_path, "--quick")
    assert report["o"] == pytest.approx(2**-0.5)
    assert report["grads"] == pytest.approx({"x1": -1.5, "x2": 0.5, "w1": 1.0, "w2": 0.0, "b": 0.5})
    second = report["second_derivative"]
    assert second["engine"] == pytest.approx(second["formula"], rel=1e-12)
    assert second["finite_difference"] == pytest.approx(second["formula"], rel=1e-4)
    assert len(report["pictures"]) == 4


def test_gradient_descent_quick(tmp_path):
    report = run(gradient_descent, tmp_path, "--quick")
    assert report["gradient_error"] < 1e-5
    values = report["final_values"]
    assert values[0.002] < values[0.0002] < 24.2  # f(start) = 24.2; a bigger step gets further


def test_linear_algebra(tmp_path):
    report = run(linear_algebra, tmp_path, "--quick")
    assert all(difference < 1e-12 for difference in report["checks"].values())
    before, after = report["loss"]
    assert after < before


def test_digits_quick(tmp_path, capsys):
    report = run(digits, tmp_path, "--quick")
    assert sorted(Path(p).name for p in report["pictures"]) == [
        "digits_confusion.png",
        "digits_first_layer.png",
        "digits_misclassified.png",
    ]
    assert report["sizes"] == (320, 80)
    assert sum(map(sum, report["confusion_matrix"])) == 80
    assert report["test_accuracy"] > 0.8  # 4 epochs on 320 images; the full run reaches >= 0.97
    assert list(report["report"])[:10] == [str(d) for d in range(10)]
    out = capsys.readouterr().out
    assert "precision" in out and "weighted avg" in out and "true \\ predicted" in out


def test_names_quick(tmp_path, capsys):
    report = run(names, tmp_path, "--quick")
    assert sorted(Path(p).name for p in report["pictures"]) == [
        "names_attention.png",
        "names_loss.png",
    ]
    assert report["parameters"] == 4192 and len(report["losses"]) == report["steps"] == 60
    first, last = report["held_out"][0][1], report["held_out_loss"]
    assert last < first  # 60 steps already beat the untrained model on unseen names
    assert len(report["samples"]) == 20 and all(s.isalpha() for s in report["samples"] if s)
    out = capsys.readouterr().out
    assert "held-out loss" in out and "sample 20:" in out


def test_every_demo_is_tested_and_listed():
    tested = {
        "moons",
        "spiral",
        "regression",
        "chain_rule",
        "gradient_descent",
        "linear_algebra",
        "digits",
        "names",
    }
    assert set(DEMOS) == tested
    result = subprocess.run(
        [sys.executable, "-m", "demos"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert all(name in result.stdout for name in DEMOS)


def test_help_names_the_options(capsys):
    with pytest.raises(SystemExit):
        moons.main(["--help"])
    assert "--quick" in capsys.readouterr().out


def test_pictures_go_to_demos_out_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = linear_algebra.main(["--quick"])
    assert [Path(p).resolve() for p in report["pictures"]] == [
        (tmp_path / "demos" / "out" / "linear_algebra.png").resolve()
    ]
    assert_picture(tmp_path / "demos" / "out" / "linear_algebra.png")


def test_a_missing_extra_is_one_line_before_any_work(tmp_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real(name, *a),
    )
    with pytest.raises(SystemExit) as stopped:
        moons.main(["--out", str(tmp_path / "pictures")])
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing was started
    assert captured.err.count("\n") == 1 and "pip install -e '.[plot]'" in captured.err
    assert not (tmp_path / "pictures").exists()

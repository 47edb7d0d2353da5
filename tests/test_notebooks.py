"""The notebooks run top to bottom (nbclient, a real kernel) and show what they promise: a graph,
stepping, training with a progress bar, and pictures inline. In git they carry no outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="running notebooks needs nbformat")
nbclient = pytest.importorskip("nbclient", reason="running notebooks needs nbclient")
pytest.importorskip("ipykernel", reason="running notebooks needs ipykernel")
pytest.importorskip("matplotlib", reason="the notebooks draw with matplotlib")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_the_two_notebooks():
    assert {path.name for path in NOTEBOOKS} >= {
        "micrograd-lecture.ipynb",
        "tour-of-the-mathematics.ipynb",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_stored_without_outputs(path):
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{path.name}: strip the outputs before committing"
            )


def outputs(notebook) -> list[dict]:
    return [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]


@pytest.mark.needs_dot  # the notebooks show their graphs as SVG, which dot renders
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_runs_and_shows_graph_progress_and_pictures(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    shown = outputs(notebook)
    data = [output.get("data", {}) for output in shown]
    assert any("image/png" in d for d in data), "no picture shown inline"
    assert any("image/svg+xml" in d for d in data), "no graph shown"
    views = [d["text/html"] for d in data if "<iframe" in d.get("text/html", "")]
    assert views and all('sandbox="allow-scripts"' in v for v in views), "no viewer shown"
    text = "".join(output.get("text", "") for output in shown)
    widgets = [d for d in data if "application/vnd.jupyter.widget-view+json" in d]
    assert widgets or "100%" in text or "it/s" in text, "no progress bar"
    pictures = [d["image/png"] for d in data if "image/png" in d]
    assert all(len(picture) < 400_000 for picture in pictures), "a picture embeds too much"
    svgs = [d["image/svg+xml"] for d in data if "image/svg+xml" in d]
    assert all(len(svg) < 1_000_000 for svg in svgs), "a graph embeds megabytes"

"""The interactive viewer: watch the forward pass and backprop, step by step, in a browser.

    from autograd import Value, view
    x, w, b = Value(0.5, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    y = (w * x + b).tanh()
    view(y).save("neuron.html")      # or y.view().open(), or just `y.view()` in a notebook

`view()` exports the graph, the forward order and every record of `steps()` as data computed by
the engine (see `autograd.viewer.export`), lays the graph out (`autograd.viewer.layout`) and
wraps it all in one self-contained HTML page (`autograd.viewer.page`) whose JavaScript only
replays the records. The page exposes `window.glassgrad` for scripts; see docs/viewer.md.
"""

from __future__ import annotations

import html
import os
import tempfile
import webbrowser
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..io import write_atomic
from ..value import Value
from .export import as_roots, export
from .layout import METHODS
from .page import build_layout, page

COLLAPSE_ABOVE = 150
"""A graph with module groups and more nodes than this opens with its groups collapsed."""
THEMES = ("auto", "light", "dark")
RANKDIRS = ("LR", "TB")


class View:
    """One graph ready to be watched: `save(path)`, `open()`, `to_html()`, or display it in
    Jupyter (`_repr_html_`). `data` is the exported JSON-ready dict the page replays."""

    def __init__(self, data: dict[str, Any], height: int = 640) -> None:
        self.data = data
        self.height = height

    @property
    def step_count(self) -> int:
        """Positions after the start: one per forward node, one seed per pass, one per step, and
        one per pass that adds back earlier passes' leaf gradients (`glassgrad.stepCount()`)."""
        data = self.data
        ends = sum(1 for p in data["passes"] if p["end"]["node"])
        return len(data["forward"]) + len(data["passes"]) + len(data["steps"]["node"]) + ends

    def to_html(self) -> str:
        """The complete self-contained page (inline CSS, JS and data; it loads nothing)."""
        return page(self.data)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to `path` (replaced atomically) and return the path."""
        path = Path(path)
        if path.is_dir():
            raise IsADirectoryError(f"view.save: {str(path)!r} is a directory; give a file name")
        write_atomic(path, self.to_html())  # contract 3: the one atomic writer
        return path

    def open(self) -> Path:
        """Write the page to a temporary file and open it in the default web browser."""
        handle, name = tempfile.mkstemp(prefix="glassgrad-view-", suffix=".html")
        os.close(handle)
        path = self.save(name)
        webbrowser.open(path.resolve().as_uri())
        return path

    def _repr_html_(self) -> str:
        """The page in a sandboxed iframe (scripts only: no same-origin access, so several
        views on one notebook page cannot collide), as Jupyter, VS Code and Colab display it."""
        return (
            f'<iframe sandbox="allow-scripts" style="width:100%;height:{int(self.height)}px;'
            f'border:1px solid #d1d5db;border-radius:4px" '
            f'title="glassgrad view: {html.escape(self.data["title"])}" '
            f'srcdoc="{html.escape(self.to_html(), quote=True)}"></iframe>'
        )

    def __repr__(self) -> str:
        nodes = len(self.data["nodes"]["id"])
        return (
            f"<glassgrad View of {self.data['title']!r}: {nodes} nodes, "
            f"{len(self.data['steps']['node'])} backward steps>"
        )


def view(
    root_or_roots: Value | Iterable[Value],
    *,
    parameters: Any = None,
    check: bool = False,
    layout: str = "auto",
    rankdir: str = "LR",
    collapsed: bool | None = None,
    theme: str = "auto",
    title: str = "",
    height: int = 640,
) -> View:
    """An interactive view of the graph behind `root_or_roots` (a Value or a list of Values).

    The page replays the forward pass node by node, then backward as `steps(root)` runs it, one
    chain-rule edge a step (one pass per root, in order; gradients start at 0 and the Values'
    own `.grad` are left as they were). `parameters`: a Module (or `(name, Value)` pairs), whose
    parameters colour as parameters and group nodes by module path; groups start collapsed when
    the graph has more than `COLLAPSE_ABOVE` nodes (or as `collapsed` says). `check=True` adds
    the gradient-truth panel: each leaf's gradient against the central difference of Σ roots.
    `layout`: 'auto', 'dot' or 'layered' (see `autograd.viewer.layout`); `rankdir` 'LR' or 'TB';
    `theme` 'auto', 'light' or 'dark'; `height` of the notebook frame in pixels.
    """
    roots = as_roots(root_or_roots)
    if layout not in METHODS:
        raise ValueError(f"view: layout must be one of {METHODS}, got {layout!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"view: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if theme not in THEMES:
        raise ValueError(f"view: theme must be one of {THEMES}, got {theme!r}")
    if collapsed is not None and not isinstance(collapsed, bool):
        raise TypeError(f"view: collapsed must be True, False or None, got {collapsed!r}")
    if not isinstance(check, bool):
        raise TypeError(f"view: check must be True or False, got {check!r}")
    if not isinstance(title, str):
        raise TypeError(f"view: title must be a str, got {type(title).__name__}")
    if isinstance(height, bool) or not isinstance(height, int) or height < 100:
        raise ValueError(f"view: height must be a whole number of pixels >= 100, got {height!r}")
    data = export(roots, parameters=parameters, check=check, title=title)
    large = len(data["nodes"]["id"]) > COLLAPSE_ABOVE
    data["layout"] = build_layout(data, layout, large if collapsed is None else collapsed)
    data["options"] = {"rankdir": rankdir, "theme": theme}
    return View(data, height)


__all__ = ["View", "view"]

"""Pictures of computation graphs with Graphviz: `draw_graph` (alias `draw_dot`) and `save`.

Each Value is a record `name | data | grad`; the op that computed it is a separate oval, with
arrows running from inputs through the op to the result (the direction of the forward pass;
gradients flow back against them). The walk is iterative, and a graph larger than `max_nodes`
is cut with a note saying how many nodes were left out, so any graph can be drawn quickly.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path
from typing import Any

import graphviz

from .graph import walk
from .io import write_atomic
from .steps import Step, format_number, name_nodes
from .value import Value

RANKDIRS = ("LR", "RL", "TB", "BT")
FILL = {  # node kind -> fill colour (and its line in the legend)
    "output": "#bbf7d0",
    "parameter": "#fde68a",
    "leaf": "#dbeafe",
    "computed": "#f3f4f6",
}
LEGEND = {
    "output": "output",
    "parameter": "parameter",
    "leaf": "input or constant (leaf)",
    "computed": "computed value",
}
HIGHLIGHT = "#dc2626"
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


GRAPHVIZ_MISSING = (
    "needs the Graphviz program 'dot', which is not on PATH. Install Graphviz (Debian/Ubuntu: "
    "apt-get install graphviz; macOS: brew install graphviz; others: "
    "https://graphviz.org/download/), or save a .dot file, which needs no Graphviz."
)


NOTEBOOK_MAX_NODES = 100
"""A notebook shows at most this many Values of a graph (about 200 kB of SVG), with a note
saying how many more there are; `save()` writes the whole drawing."""


class GraphvizNotFound(RuntimeError):
    """The Graphviz `dot` program, needed to lay out SVG/PNG/PDF, is not installed."""


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz ships no type hints
    """The `graphviz.Digraph` that `draw_graph` returns, with a notebook display of its own:
    without Graphviz's `dot` it shows a one-line install hint (its DOT text stays in `.source`)
    instead of a traceback, and a large graph is shown cut to `NOTEBOOK_MAX_NODES` Values so
    a notebook does not embed megabytes of SVG."""

    values_drawn = 0
    """How many Values the drawing holds."""

    _redraw: Callable[[int], graphviz.Digraph] | None = None

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        if shutil.which("dot") is None:
            return {"text/plain": self.missing_dot_hint()}
        shown: graphviz.Digraph = self
        if self._redraw is not None and self.values_drawn > NOTEBOOK_MAX_NODES:
            shown = self._redraw(NOTEBOOK_MAX_NODES)
        try:
            bundle: dict[str, Any] = graphviz.Digraph._repr_mimebundle_(
                shown, include, exclude, **options
            )
            return bundle
        except graphviz.ExecutableNotFound:
            return {"text/plain": self.missing_dot_hint()}

    def missing_dot_hint(self) -> str:
        """The one line a notebook shows when Graphviz's `dot` is missing."""
        return (
            f"glassgrad: this graph of {self.values_drawn} values {GRAPHVIZ_MISSING} "
            "Its DOT text is graph.source."
        )


def draw_graph(
    root: Value | Iterable[Value],
    rankdir: str = "LR",
    show_grad: bool = True,
    max_nodes: int = 500,
    highlight: Step | Value | None = None,
    parameters: Any = None,
    legend: bool = True,
) -> graphviz.Digraph:
    """The computation graph behind `root` (a Value, or a list of Values drawn together).

    Colours tell outputs, parameters, other leaves and computed values apart (see the legend).
    `parameters` is a module with `named_parameters()` or an iterable of `(name, Value)` pairs:
    those Values are coloured as parameters and labelled with their (dotted) names; unlabelled
    Values are called `n1`, `n2`, … as in `explain()`. At most `max_nodes` Values are drawn,
    breadth first from the roots; the rest is summarised in a "… N more nodes" note.
    `highlight` marks a `Step` of `steps(root)` (its edge, labelled upstream · local = term,
    and both ends) or a single Value. The result (a `Drawing`, a `graphviz.Digraph`) displays
    in Jupyter — cut to `NOTEBOOK_MAX_NODES` there, or as a one-line hint without Graphviz —
    and `save()` writes files.
    """
    roots = [root] if isinstance(root, Value) else list(root) if isinstance(root, Iterable) else []
    roots = list(dict.fromkeys(roots))  # a root given twice is drawn once
    if not roots or not all(isinstance(value, Value) for value in roots):
        raise TypeError(f"draw_graph: root must be a Value or a non-empty list of Values: {root!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int, got {max_nodes!r}")
    if highlight is not None and not isinstance(highlight, (Step, Value)):
        raise TypeError(f"draw_graph: highlight must be a Step or a Value, got {highlight!r}")
    parameter_names = _parameter_names(parameters)
    reachable = walk(roots)
    shown = list(islice(reachable, max_nodes))
    hidden = sum(1 for _ in reachable)
    ids = {node: f"v{number}" for number, node in enumerate(shown)}
    names = name_nodes(shown)
    names.update((node, name) for node, name in parameter_names.items() if node in ids)
    outputs = set(roots)
    marked = {highlight.node, highlight.parent} if isinstance(highlight, Step) else {highlight}

    graph = Drawing("computation_graph")
    graph.values_drawn = len(shown)
    if hidden or len(shown) > NOTEBOOK_MAX_NODES:
        graph._redraw = functools.partial(
            _redraw, roots, rankdir, show_grad, highlight, parameters, legend
        )
    graph.attr(rankdir=rankdir, fontname="Helvetica")
    graph.attr("node", fontname="Helvetica", fontsize="11")
    graph.attr("edge", fontname="Helvetica", fontsize="10", color="#6b7280")
    kinds = set()
    cut_off = []
    for node, node_id in ids.items():
        kind = node_kind(node, outputs, parameter_names)
        kinds.add(kind)
        fields = [names[node], f"data {format_number(node.data)}"]
        if show_grad:
            fields.append(f"grad {format_number(node.grad)}")
        label = " | ".join(_escape(field) for field in fields)
        if rankdir in ("LR", "RL"):  # records lay their fields out across the rank direction
            label = "{ " + label + " }"
        emphasis = {"color": HIGHLIGHT, "penwidth": "3"} if node in marked else {}
        graph.node(node_id, label, shape="record", style="filled", fillcolor=FILL[kind], **emphasis)
        if node.is_leaf:
            continue
        op_id = node_id + "_op"
        graph.node(op_id, node.op, shape="oval", style="filled", fillcolor="#ffffff")
        graph.edge(op_id, node_id)
        for index, parent in enumerate(node.parents):
            if parent not in ids:
                cut_off.append(op_id)
            elif isinstance(highlight, Step) and (node, index) == (highlight.node, highlight.index):
                graph.edge(
                    ids[parent],
                    op_id,
                    color=HIGHLIGHT,
                    penwidth="3",
                    label=highlight.term,
                    fontcolor=HIGHLIGHT,
                )
            else:
                graph.edge(ids[parent], op_id)
    if hidden:
        more = f"… {hidden} more node" + ("s" if hidden > 1 else "")
        graph.node("more", more, shape="note", style="filled", fillcolor="#fef3c7")
        for op_id in dict.fromkeys(cut_off):
            graph.edge("more", op_id, style="dashed")
    if legend:
        _add_legend(graph, [kind for kind in FILL if kind in kinds])
    return graph


draw_dot = draw_graph


def _redraw(
    roots: list[Value],
    rankdir: str,
    show_grad: bool,
    highlight: Step | Value | None,
    parameters: Any,
    legend: bool,
    max_nodes: int,
) -> graphviz.Digraph:
    """The same drawing with fewer nodes (what a notebook shows of a large graph)."""
    return draw_graph(roots, rankdir, show_grad, max_nodes, highlight, parameters, legend)


def save(
    graph: graphviz.Digraph | Value | Iterable[Value], path: str | os.PathLike[str], **options: Any
) -> Path:
    """Write a picture to `path`; the extension picks the format: .svg .png .pdf, or .dot/.gv.

    `graph` is a Digraph from `draw_graph`, or Values to draw (with `draw_graph`'s `options`).
    The file is replaced atomically. DOT source needs no Graphviz; the other formats need its
    `dot` program, and `GraphvizNotFound` says how to install it when it is missing.
    """
    path = Path(path)
    layout = FORMATS.get(path.suffix.lower())
    if layout is None:
        raise ValueError(
            f"save: cannot tell the format of {str(path)!r}; use one of " + ", ".join(FORMATS)
        )
    if not isinstance(graph, graphviz.Digraph):
        graph = draw_graph(graph, **options)
    elif options:
        raise TypeError(f"save: drawing options {sorted(options)} only apply to Values")
    if layout == "dot":
        data = graph.source.encode()
    else:
        try:
            data = graph.pipe(format=layout)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound(f"writing {path.name} {GRAPHVIZ_MISSING}") from None
    write_atomic(path, data)
    return path


def node_kind(node: Value, outputs: set[Value], parameters: dict[Value, str]) -> str:
    """How a node is coloured: output, parameter, leaf (input or constant) or computed."""
    if node in outputs:
        return "output"
    if node in parameters:
        return "parameter"
    return "leaf" if node.is_leaf else "computed"


def _parameter_names(parameters: Any) -> dict[Value, str]:
    """{Value: dotted name} from a module's `named_parameters()` or `(name, Value)` pairs."""
    if parameters is None:
        return {}
    pairs = parameters.named_parameters() if hasattr(parameters, "named_parameters") else parameters
    names = {}
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[1], Value)):
            raise TypeError(f"draw_graph: parameters must be (name, Value) pairs, got {pair!r}")
        names[pair[1]] = str(pair[0])
    return names


def _escape(text: str) -> str:
    """Text safe inside a record label, whose fields are split by | and grouped by { }."""
    for special in "\\{}|<>":
        text = text.replace(special, "\\" + special)
    return text


def _add_legend(graph: graphviz.Digraph, kinds: list[str]) -> None:
    """One compact row of small swatches, across the drawing's flow (not a column of its own)."""
    across = graph.graph_attr.get("rankdir", "LR") in ("LR", "RL")
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label="", color="#d1d5db", margin="4", rank="" if across else "same")
        for kind in kinds:
            legend.node(
                f"legend_{kind}",
                LEGEND[kind],
                shape="box",
                style="filled",
                fillcolor=FILL[kind],
                fontsize="8",
                height="0.2",
                margin="0.06,0.02",
            )
        if across:  # in left-to-right drawings a row means consecutive ranks: chain them unseen
            for left, right in zip(kinds, kinds[1:]):
                legend.edge(f"legend_{left}", f"legend_{right}", style="invis", minlen="1")

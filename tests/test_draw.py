"""draw_graph and save: rendered with the real `dot`, then read back from the SVG and DOT."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import graphviz
import pytest

from autograd import Value, draw_dot, draw_graph, steps, tanh
from autograd.draw import FILL, HIGHLIGHT, GraphvizNotFound, save
from autograd.graph import walk

SVG = "{http://www.w3.org/2000/svg}"


def neuron() -> tuple[Value, Value, Value, Value]:
    x, w, b = Value(0.5, "x"), Value(-3.0, "w"), Value(2.0, "b")
    y = tanh(w * x + b)
    y.label = "y"
    y.backward()
    return y, x, w, b


class Picture:
    """What an SVG drawn by `dot` shows: its nodes (by DOT id) and edges, with texts and fills."""

    def __init__(self, path: Path) -> None:
        root = ElementTree.parse(path).getroot()
        self.nodes: dict[str, dict] = {}
        self.edges: list[tuple[str, str]] = []
        self.edge_strokes: dict[tuple[str, str], str] = {}
        for group in root.iter(f"{SVG}g"):
            title = group.findtext(f"{SVG}title")
            if group.get("class") == "node":
                shape = group.find(f"{SVG}polygon")
                if shape is None:
                    shape = group.find(f"{SVG}ellipse")
                texts = [text.text for text in group.iter(f"{SVG}text")]
                self.nodes[title] = {
                    "texts": texts,
                    "fill": shape.get("fill"),
                    "stroke": shape.get("stroke"),
                }
            elif group.get("class") == "edge":
                tail, head = title.replace("&#45;&gt;", "->").split("->")
                self.edges.append((tail, head))
                self.edge_strokes[(tail, head)] = group.find(f"{SVG}path").get("stroke")

    def values(self) -> dict[str, dict]:
        """The record nodes (Values), keyed by the name shown in their first field."""
        return {
            node["texts"][0]: node
            for node_id, node in self.nodes.items()
            if node_id.startswith("v") and not node_id.endswith("_op")
        }


def render(graph: graphviz.Digraph, tmp_path: Path, name: str = "graph.svg") -> Picture:
    return Picture(save(graph, tmp_path / name))


@pytest.mark.needs_dot
def test_neuron_svg_has_records_op_nodes_edges_and_legend(tmp_path):
    y, *_ = neuron()
    picture = render(draw_graph(y), tmp_path)
    values = picture.values()
    assert set(values) == {"y", "n1", "n2", "x", "w", "b"}
    assert values["y"]["texts"] == ["y", "data 0.4621", "grad 1"]
    assert values["x"]["texts"] == ["x", "data 0.5", "grad -2.359"]
    assert values["n2"]["texts"] == ["n2", "data -1.5", "grad 0.7864"]
    ops = sorted(
        node["texts"][0] for node_id, node in picture.nodes.items() if node_id.endswith("_op")
    )
    assert ops == ["*", "+", "tanh"]
    # 6 Values, 3 ops, legend entries for output, leaf and computed
    assert len(picture.nodes) == 6 + 3 + 3
    # each op -> its result, and each input -> the op: 3 + (1 + 2 + 2)
    assert len(picture.edges) == 8
    assert ("v0_op", "v0") in picture.edges
    assert values["y"]["fill"] == FILL["output"]
    assert values["x"]["fill"] == values["b"]["fill"] == FILL["leaf"]
    assert values["n1"]["fill"] == FILL["computed"]
    legend = {
        node["texts"][0] for node_id, node in picture.nodes.items() if node_id.startswith("legend_")
    }
    assert legend == {"output", "input or constant (leaf)", "computed value"}


def test_dot_source_lists_the_same_graph():
    y, *_ = neuron()
    source = draw_dot(y, rankdir="TB", show_grad=False, legend=False).source
    assert "rankdir=TB" in source
    assert 'label="y | data 0.4621"' in source  # no braces: fields run across in TB
    assert "grad" not in source and "legend" not in source
    assert source.count("->") == 8


@pytest.mark.needs_dot
def test_reuse_draws_one_node_with_an_edge_per_use(tmp_path):
    a = Value(3.0, "a")
    square = a * a
    picture = render(draw_graph(square), tmp_path)
    assert picture.edges.count(("v1", "v0_op")) == 2


@pytest.mark.needs_dot
def test_parameters_are_coloured_and_named_from_a_module_or_pairs(tmp_path):
    y, x, w, b = neuron()

    class Module:
        def named_parameters(self):
            yield "layers.0.w", w
            yield "layers.0.b", b

    for parameters in (Module(), [("layers.0.w", w), ("layers.0.b", b)]):
        values = render(draw_graph(y, parameters=parameters), tmp_path).values()
        assert values["layers.0.w"]["fill"] == values["layers.0.b"]["fill"] == FILL["parameter"]
        assert values["x"]["fill"] == FILL["leaf"]
    with pytest.raises(TypeError, match=r"\(name, Value\) pairs"):
        draw_graph(y, parameters=[w])


@pytest.mark.needs_dot
def test_several_roots_in_one_picture(tmp_path):
    x = Value(2.0, "x")
    first, second = x * 3.0, x.exp()
    first.label, second.label = "first", "second"
    values = render(draw_graph([first, second]), tmp_path).values()
    assert values["first"]["fill"] == values["second"]["fill"] == FILL["output"]
    assert len(values) == 4  # first, second, x, the constant 3


def test_a_root_given_twice_is_drawn_once():
    x = Value(2.0, "x")
    doubled = x * 2.0
    assert draw_graph([doubled, doubled]).source == draw_graph(doubled).source


def test_walk_yields_each_value_once_even_for_a_repeated_root():
    from autograd.graph import walk

    doubled = Value(2.0, "x") * 2.0
    assert len(list(walk([doubled, doubled]))) == 3


@pytest.mark.needs_dot
def test_a_step_is_highlighted_with_its_term(tmp_path):
    y, x, w, b = neuron()
    x.grad = w.grad = b.grad = 0.0
    walk_through = steps(y)
    step = next(walk_through)
    step = next(walk_through)  # n1 -> its input 0 (n2), through the + op
    graph = draw_graph(y, highlight=step)
    assert 'label="0.7864 · 1 = 0.7864"' in graph.source
    picture = render(graph, tmp_path)
    values = picture.values()
    assert values["n1"]["stroke"] == values["n2"]["stroke"] == HIGHLIGHT
    assert values["y"]["stroke"] == "black"
    assert picture.edge_strokes[("v2", "v1_op")] == HIGHLIGHT
    assert picture.edge_strokes[("v3", "v1_op")] != HIGHLIGHT
    assert values["w"]["texts"][2] == "grad 0"  # mid-way: not reached yet


def test_a_value_can_be_highlighted():
    y, x, *_ = neuron()
    assert draw_graph(y, highlight=x).source.count(f'color="{HIGHLIGHT}"') == 1


def chain(length: int) -> Value:
    value = Value(1.0, "start")
    for _ in range(length):
        value = value * 0.5 + 0.5
    return value


@pytest.mark.needs_dot
def test_a_deep_graph_is_cut_with_a_note_without_recursion(tmp_path):
    deep = chain(50_000)  # 4 nodes per link: 200_001 Values, far past the recursion limit
    assert sys.getrecursionlimit() < 200_001
    graph = draw_graph(deep, max_nodes=40)
    assert "… 199961 more nodes" in graph.source
    picture = render(graph, tmp_path)
    assert len(picture.values()) == 40
    assert picture.nodes["more"]["fill"] == "#fef3c7"
    assert any(tail == "more" for tail, _ in picture.edges)


def test_value_draw_is_a_shortcut():
    y, *_ = neuron()
    assert y.draw(max_nodes=1).source == draw_graph(y, max_nodes=1).source
    assert "… 5 more nodes" in y.draw(max_nodes=1).source


@pytest.mark.parametrize(
    "suffix, magic",
    [
        pytest.param(".svg", b"<?xml", marks=pytest.mark.needs_dot),
        pytest.param(".png", b"\x89PNG", marks=pytest.mark.needs_dot),
        pytest.param(".pdf", b"%PDF", marks=pytest.mark.needs_dot),
        (".dot", b"digraph"),
        (".gv", b"digraph"),
    ],
)
def test_save_picks_the_format_from_the_extension(tmp_path, suffix, magic):
    y, *_ = neuron()
    path = save(y, tmp_path / f"neuron{suffix}", rankdir="TB")
    assert path.read_bytes().startswith(magic)
    assert sorted(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_without_dot_the_error_says_how_to_install_and_dot_source_still_works(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path))
    y, *_ = neuron()
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz.*brew install graphviz"):
        save(y, tmp_path / "neuron.svg")
    assert not (tmp_path / "neuron.svg").exists()
    assert save(y, tmp_path / "neuron.dot").read_text().startswith("digraph")


def test_bad_arguments_are_named(tmp_path):
    y, *_ = neuron()
    with pytest.raises(ValueError, match="cannot tell the format"):
        save(y, tmp_path / "neuron.jpeg")
    with pytest.raises(TypeError, match="only apply to Values"):
        save(draw_graph(y), tmp_path / "neuron.svg", rankdir="TB")
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(y, rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(y, max_nodes=0)
    with pytest.raises(TypeError, match="root must be a Value"):
        draw_graph([])
    with pytest.raises(TypeError, match="root must be a Value"):
        draw_graph(1.5)
    with pytest.raises(TypeError, match="highlight must be a Step or a Value"):
        draw_graph(y, highlight=3)


@pytest.mark.needs_dot
def test_record_special_characters_in_labels_are_escaped(tmp_path):
    odd = Value(1.0, "a|b{c}<d>")
    assert render(draw_graph(odd * 2.0), tmp_path).values()["a|b{c}<d>"]["texts"][1] == "data 1"


def test_the_committed_readme_picture_shows_the_neuron_after_backward():
    images = Path(__file__).resolve().parent.parent / "docs" / "images"
    picture = Picture(images / "neuron_graph.svg")
    values = picture.values()
    assert values["y"]["texts"] == ["y", "data 0.4621", "grad 1"]
    assert values["b"]["texts"] == ["b", "data 2", "grad 0.7864"]
    assert values["w"]["texts"] == ["w", "data -3", "grad 0.3932"]


# -- issue 16: in a notebook, no traceback without dot and no megabytes for a big graph ---------


def moons_loss():
    import nn

    X, y = nn.make_moons(100, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = nn.hinge_loss([model(x) for x in X], y) + 1e-4 * nn.l2(model.parameters())
    loss.backward()
    return loss


def test_without_dot_a_notebook_shows_the_one_line_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    y, *_ = neuron()
    graph = draw_graph(y)
    bundle = graph._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert len(bundle["text/plain"].splitlines()) == 1
    assert (
        "apt-get install graphviz" in bundle["text/plain"]
        and "graph.source" in bundle["text/plain"]
    )
    assert graph.source.startswith("digraph")  # the DOT text is still there


def test_a_notebook_shows_the_drawing_through_ipython(tmp_path, monkeypatch):
    formatters = pytest.importorskip("IPython.core.formatters", reason="IPython not installed")
    monkeypatch.setenv("PATH", str(tmp_path))
    y, *_ = neuron()
    data, _ = formatters.DisplayFormatter().format(draw_graph(y))
    assert "apt-get install graphviz" in data["text/plain"]


@pytest.mark.needs_dot
def test_a_moons_sized_graph_in_a_notebook_embeds_little():
    loss = moons_loss()
    graph = draw_graph(loss)
    assert graph.values_drawn == 500
    bundle = graph._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    assert len(svg.encode()) < 400_000  # a 500-node SVG is ~0.8 MB; shown: NOTEBOOK_MAX_NODES
    assert f"… {sum(1 for _ in walk(loss)) - 100} more nodes" in svg
    small = draw_graph(neuron()[0])._repr_mimebundle_()["image/svg+xml"]
    assert "data 0.4621" in small and len(small) < 20_000

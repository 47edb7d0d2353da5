"""The viewer's exported data: every number is the engine's, every step is `steps()`'s."""

from __future__ import annotations

import json
import math
import re
import struct
import webbrowser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value, steps, tanh, view
from autograd.graph import backprop_order, walk
from autograd.steps import format_number, name_nodes
from autograd.strategies import expressions
from autograd.viewer import View
from autograd.viewer.layout import dot_available, dot_layout, layered_layout
from autograd.viewer.page import script_json


def bits(x: float | str) -> bytes:
    """Exact bits of a float (non-finite ones arrive as the text JS reads)."""
    return struct.pack("<d", float({"Infinity": "inf", "-Infinity": "-inf"}.get(x, x)))


def expected_steps(roots: list[Value]) -> list[tuple]:
    """What `for r in roots: steps(r)` records, from zeroed gradients, in the viewer's terms."""
    nodes = list(walk(roots))
    names = name_nodes(nodes)
    saved = [node.grad for node in nodes]
    for node in nodes:
        node.grad = 0.0
    records = []
    for number, root in enumerate(roots):
        for step in steps(root):
            records.append(
                (
                    number,
                    step.number,
                    names[step.node],
                    step.index,
                    names[step.parent],
                    bits(step.upstream),
                    bits(step.local),
                    bits(step.contribution),
                    bits(step.parent_grad),
                    step.accumulated,
                )
            )
    final = {names[node]: bits(node.grad) for node in nodes}
    for node, grad in zip(nodes, saved):
        node.grad = grad
    return records, final


def exported_steps(data: dict) -> list[tuple]:
    s, ids = data["steps"], data["nodes"]["id"]
    return [
        (
            s["pass"][k],
            s["number"][k],
            ids[s["node"][k]],
            s["input"][k],
            ids[s["parent"][k]],
            bits(s["upstream"][k]),
            bits(s["local"][k]),
            bits(s["term"][k]),
            bits(s["after"][k]),
            s["accumulated"][k],
        )
        for k in range(len(s["node"]))
    ]


def final_grads(data: dict) -> dict[str, bytes]:
    """Each node's gradient after the last step, replayed from the records alone."""
    ids = data["nodes"]["id"]
    shown: dict[str, float | None] = {}

    def change(changes: dict) -> None:
        for i, before, after in zip(changes["node"], changes["before"], changes["after"]):
            assert shown.get(ids[i]) == before
            shown[ids[i]] = after

    s = data["steps"]
    for p, passed in enumerate(data["passes"]):
        change(passed["start"])
        for k in range(len(s["node"])):
            if s["pass"][k] == p:
                assert bits(s["before"][k]) == bits(shown[ids[s["parent"][k]]])
                shown[ids[s["parent"][k]]] = s["after"][k]
        change(passed["end"])
    return {name: bits(value) for name, value in shown.items()}


def check_against_engine(roots: list[Value], **options) -> dict:
    before = [(node, node.grad) for node in walk(roots)]
    data = view(roots, layout="layered", **options).data
    assert [(node, node.grad) for node in walk(roots)] == before  # viewing changes nothing
    records, final = expected_steps(roots)
    assert exported_steps(data) == records
    assert final_grads(data) == final
    nodes = list(walk(roots))
    names = name_nodes(nodes)
    assert data["nodes"]["id"] == [names[node] for node in nodes]
    assert len(set(data["nodes"]["id"])) == len(nodes)  # ids are unique
    assert [bits(x) for x in data["nodes"]["data"]] == [bits(node.data) for node in nodes]
    assert data["nodes"]["dataText"] == [format_number(node.data) for node in nodes]
    index = {node: i for i, node in enumerate(nodes)}
    assert data["forward"] == [index[node] for node in reversed(backprop_order(roots))]
    for i, node in enumerate(nodes):
        local = node.local_derivatives()
        assert [bits(x) for x in data["nodes"]["local"][i]] == [bits(x) for x in local]
        assert data["nodes"]["parents"][i] == [index[p] for p in node.parents]
    s = data["steps"]
    for key in ("upstream", "term", "before", "after"):
        assert s[key + "Text"] == [format_number(float(x)) for x in s[key]]
    return data


@given(expressions(max_nodes=10))
def test_every_step_is_the_engines_on_random_graphs(expression):
    xs = [Value(x, f"x{i}") for i, x in enumerate(expression.inputs)]
    check_against_engine([expression.fn(*xs)])


@given(expressions(max_nodes=6), expressions(max_nodes=6))
def test_several_roots_are_one_pass_each_leaf_grads_accumulate(first, second):
    a = first.fn(*[Value(x, f"x{i}") for i, x in enumerate(first.inputs)])
    b = second.fn(*[Value(x) for x in second.inputs])
    both = a + b  # a third root that shares every node with the first two
    data = check_against_engine([a, b, both])
    assert len(data["passes"]) == 3


def test_reused_nodes_accumulate_with_plus_equals():
    x = Value(3.0, "x")
    y = x * x + x
    data = check_against_engine([y])
    into_x = [k for k, p in enumerate(data["steps"]["parent"]) if data["nodes"]["id"][p] == "x"]
    assert [data["steps"]["accumulated"][k] for k in into_x] == [False, True, True]
    assert data["steps"]["after"][into_x[-1]] == 7.0  # d/dx (x² + x) = 2x + 1


def test_user_primitives_are_replayed_like_built_ins(register_primitive):
    cube = register_primitive("cube", lambda x: x**3, lambda out, x: (3 * x**2,))
    x = Value(2.0, "x")
    y = cube(x * 0.5) + x
    data = check_against_engine([y])
    assert "cube" in data["nodes"]["op"]


def test_repeated_and_generated_looking_labels_get_unique_ids():
    a, b = Value(1.0, "n1"), Value(2.0, "n1")
    y = a * b + Value(3.0)
    data = check_against_engine([y])
    assert sorted(data["nodes"]["id"]) == ["n1", "n1#2", "n1#3", "n2", "n3"]


def test_a_leaf_root_and_given_grads_are_left_alone():
    x = Value(1.5, "x")
    x.grad = 4.0
    data = view(x).data
    assert x.grad == 4.0
    assert data["steps"]["node"] == [] and data["passes"][0]["seed"] == 1.0
    assert view(x).step_count == 1  # the seed


def test_the_neuron_of_the_issue():
    x, w, b = Value(0.5, "x"), Value(-3.0, "w"), Value(2.0, "b")
    y = tanh(w * x + b)
    y.label = "y"
    data = check_against_engine([y])
    ids = data["nodes"]["id"]
    assert ids == ["y", "n1", "n2", "b", "w", "x"]
    n1 = ids.index("n1")
    assert data["nodes"]["formula"][n1] == "n2 + b"
    assert data["nodes"]["numbers"][n1] == "(-1.5) + 2"
    assert data["nodes"]["localText"][ids.index("y")] == ["0.7864"]


def test_non_finite_numbers_travel_as_text():
    x = Value(float("inf"), "x", allow_nonfinite=True)
    data = view(x * 2.0).data
    assert data["nodes"]["data"][0] == "Infinity" and data["nodes"]["dataText"][0] == "inf"
    json.loads(script_json(data))  # valid JSON: no bare Infinity or NaN


def test_gradient_truth_agrees_for_the_engine_and_differs_for_a_wrong_rule(register_primitive):
    x, w = Value(0.7, "x"), Value(-1.2, "w")
    data = view(tanh(w * x) * x, check=True).data
    assert [row["agree"] for row in data["check"]] == [True, True]
    wrong = register_primitive("wrong_square", lambda x: x * x, lambda out, x: (3 * x,))
    data = view(wrong(x), check=True).data
    (row,) = data["check"]
    assert row["agree"] is False
    assert math.isclose(row["numeric"], 1.4, rel_tol=1e-6) and row["analytic"] == 3 * 0.7


@given(st.integers(1, 3), st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_nn_graphs_group_by_module_path(nin, sizes):
    model = nn.MLP(nin, sizes, seed=0)
    xs = [Value(0.1 * (i + 1), f"x[{i}]") for i in range(nin)]
    out = model(xs)
    roots = out if isinstance(out, list) else [out]
    data = check_against_engine(roots, parameters=model)
    paths = {g["path"] for g in data["groups"]}
    assert paths == {f"layers.{i}.neurons.{j}" for i, n in enumerate(sizes) for j in range(n)}
    ids, groups = data["nodes"]["id"], data["groups"]
    for g in groups:
        members = [ids[i] for i in g["members"]]
        params = [m for m in members if m.startswith(g["path"] + ".")]
        assert len(params) == nin_of(g["path"], nin, sizes) + 1  # weights and bias
        hidden = int(g["path"].split(".")[1]) < len(sizes) - 1
        assert len(members) == len(params) + (3 if hidden else 2)  # dot, + b (, activation)
    assert all(ids[i].startswith("x[") for i, g in enumerate(data["nodes"]["group"]) if g < 0)


def nin_of(path: str, nin: int, sizes: list[int]) -> int:
    layer = int(path.split(".")[1])
    return nin if layer == 0 else sizes[layer - 1]


def test_large_nn_graphs_start_collapsed_small_ones_expanded():
    model = nn.MLP(2, [8, 8, 1], seed=1)
    small = model([Value(0.5), Value(-0.5)])
    assert len(list(walk(small))) > 150
    assert view(small, parameters=model).data["layout"]["collapsedByDefault"] is True
    expanded = view(small, parameters=model, collapsed=False)
    assert expanded.data["layout"]["collapsedByDefault"] is False
    assert view(small).data["layout"]["collapsedByDefault"] is False  # no groups without a model


def edges_of(count: int, seed: int) -> list[tuple[int, int]]:
    import random

    rng = random.Random(seed)
    return [(rng.randrange(b), b) for b in range(1, count) for _ in range(rng.randint(1, 2))]


def check_layout(placed: dict, count: int, edges: list[tuple[int, int]]) -> None:
    assert len(placed["rank"]) == len(placed["slot"]) == count
    for a, b in edges:
        assert placed["rank"][a] < placed["rank"][b], (a, b)
    by_rank: dict[int, list[float]] = {}
    for r, s in zip(placed["rank"], placed["slot"]):
        by_rank.setdefault(r, []).append(s)
    for slots in by_rank.values():
        slots.sort()
        assert all(b - a >= 0.99 for a, b in zip(slots, slots[1:]))  # boxes never overlap
    assert min(placed["slot"]) >= 0


@pytest.mark.parametrize("seed", range(5))
def test_layered_layout_ranks_follow_edges_and_boxes_do_not_overlap(seed):
    edges = edges_of(60, seed)
    placed = layered_layout(60, edges)
    assert placed["method"] == "layered"
    check_layout(placed, 60, edges)


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot program is not installed")
@pytest.mark.parametrize("seed", range(3))
def test_dot_layout_ranks_follow_edges_and_boxes_do_not_overlap(seed):
    edges = edges_of(60, seed)
    placed = dot_layout(60, edges)
    assert placed is not None and placed["method"] == "dot"
    check_layout(placed, 60, edges)


def test_without_dot_the_layered_layout_is_used(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    x = Value(1.0, "x")
    assert view(tanh(x) * x, layout="dot").data["layout"]["method"] == "layered"


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot program is not installed")
def test_auto_uses_dot_when_installed():
    x = Value(1.0, "x")
    assert view(tanh(x) * x).data["layout"]["method"] == "dot"


def hundred_nodes() -> Value:
    xs = [Value(0.01 * i, f"x{i}") for i in range(10)]
    total = xs[0]
    while len(list(walk(total))) < 100:
        for x in xs:
            total = tanh(total * x + 0.5)
    return total


def test_the_page_is_self_contained_and_small(tmp_path):
    root = hundred_nodes()
    page = view(root, check=True).to_html()
    assert len(page.encode()) < 250_000  # a 100-node graph: well under 1 MB
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page.split('id="gg-data"')[0]
    assert "default-src 'none'" in page  # the CSP forbids every request
    path = view(root).save(tmp_path / "v.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_labels_cannot_break_out_of_the_page():
    evil = "</script><script>alert(1)</script><!--&"
    x = Value(1.0, evil)
    page = view(x * 2.0, title=evil).to_html()
    assert evil not in page
    assert page.count("<script") == 2
    data = json.loads(page.split('id="gg-data">')[1].split("</script>")[0])
    assert evil in data["nodes"]["id"]


def test_repr_html_is_a_sandboxed_iframe():
    x = Value(1.0, "x")
    frame = view(x * x)._repr_html_()
    assert frame.startswith('<iframe sandbox="allow-scripts"')
    assert "allow-same-origin" not in frame and 'srcdoc="&lt;!DOCTYPE html&gt;' in frame


def test_value_view_and_open(monkeypatch):
    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url))
    x = Value(2.0, "x")
    shown = (x * x).view(check=True)
    assert isinstance(shown, View) and shown.data["check"]
    path = shown.open()
    assert opened == [path.resolve().as_uri()] and Path(path).exists()
    Path(path).unlink()


@pytest.mark.parametrize(
    "bad, error",
    [
        ("x", TypeError),
        ([], ValueError),
        ([Value(1.0), 2.0], TypeError),
        (3.0, TypeError),
    ],
)
def test_bad_roots_say_what_was_wrong(bad, error):
    with pytest.raises(error, match="view"):
        view(bad)


@pytest.mark.parametrize(
    "option",
    [
        {"layout": "neato"},
        {"rankdir": "RL"},
        {"theme": "blue"},
        {"height": 10},
        {"collapsed": "yes"},
        {"check": 1},
        {"parameters": [("w", 1.0)]},
        {"parameters": 5},
    ],
)
def test_bad_options_say_which(option):
    with pytest.raises((TypeError, ValueError), match=next(iter(option))):
        view(Value(1.0) * 2.0, **option)


def test_save_to_a_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        view(Value(1.0) * 2.0).save(tmp_path)


def test_the_cli_writes_a_viewer(tmp_path, capsys):
    from autograd.cli import main

    page = tmp_path / "f.html"
    assert main(["grad", "tanh(w*x + b)", "x=0.5", "w=-3", "b=2", "--html", str(page)]) == 0
    assert f"viewer written to {page}" in capsys.readouterr().out
    html = page.read_text(encoding="utf-8")
    data = json.loads(html.split('id="gg-data">')[1].split("</script>")[0])
    assert set(data["nodes"]["id"]) >= {"x", "w", "b"}
    assert main(["grad", "x*x", "x=1", "--html", str(tmp_path / "missing" / "f.html")]) == 2
    assert "--html" in capsys.readouterr().err

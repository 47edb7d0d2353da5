"""The viewer in a real browser (Playwright driving Debian's Chromium; skipped without them):
what the page shows at every step is what the engine computed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from autograd import Value, steps, tanh, view
from autograd.graph import backprop_order, walk
from autograd.steps import format_number, name_nodes
from autograd.strategies import expressions
from tests.browser_support import browser, open_page, page  # noqa: F401  (fixtures)

NODES_JS = "() => window.glassgrad.nodes().map(id => window.glassgrad.node(id))"
TEXTS_JS = """() => Array.from(document.querySelectorAll('#nodes g.node[data-id]'))
  .filter(g => g.style.display !== 'none')
  .map(g => [g.dataset.id, g.querySelector('.dataline').textContent,
             g.querySelector('.gradline').textContent])"""


def timeline(roots: list[Value]) -> list[dict]:
    """What the page must show at each position, computed here with the engine alone: the
    current step and every node's data and gradient (None where the page shows none yet)."""
    nodes = list(walk(roots))
    names = name_nodes(nodes)
    saved = [node.grad for node in nodes]
    computed = list(reversed(backprop_order(roots)))
    data = {names[n]: (n.data if n.is_leaf else None) for n in nodes}
    none = {names[n]: None for n in nodes}
    states = [{"current": {"index": 0, "phase": "start"}, "data": dict(data), "grad": none}]
    for node in computed:
        data[names[node]] = node.data
        states.append(
            {
                "current": {"phase": "forward", "node": names[node], "data": node.data},
                "data": dict(data),
                "grad": none,
            }
        )
    for node in nodes:
        node.grad = 0.0
    for number, root in enumerate(roots):
        taken = steps(root)
        states.append(
            {
                "current": {
                    "phase": "seed",
                    "pass": number,
                    "node": names[root],
                    "grad": root.grad,
                },
                "data": dict(data),
                "grad": {names[n]: n.grad for n in nodes},
            }
        )
        for step in taken:
            states.append(
                {
                    "current": {
                        "phase": "backward",
                        "pass": number,
                        "number": step.number,
                        "node": names[step.node],
                        "parent": names[step.parent],
                        "input": step.index,
                        "upstream": step.upstream,
                        "local": step.local,
                        "term": step.contribution,
                        "grad": step.parent_grad,
                        "accumulated": step.accumulated,
                    },
                    "data": dict(data),
                    "grad": {names[n]: n.grad for n in nodes},
                }
            )
        grads = {names[n]: n.grad for n in nodes}
        if grads != states[-1]["grad"]:  # earlier passes' leaf gradients are added back
            changed = [names[n] for n in nodes if grads[names[n]] != states[-1]["grad"][names[n]]]
            states.append(
                {
                    "current": {"phase": "finish", "pass": number, "nodes": changed},
                    "data": dict(data),
                    "grad": grads,
                }
            )
    for node, grad in zip(nodes, saved):
        node.grad = grad
    for index, state in enumerate(states):
        state["current"]["index"] = index
    return states


def check_position(tab, state: dict) -> None:
    """The page at one position: window.glassgrad and the DOM text equal the engine's numbers."""
    current = tab.evaluate("() => window.glassgrad.current()")
    current.pop("text", None)
    assert current == state["current"]
    shown = {n["id"]: n for n in tab.evaluate(NODES_JS)}
    assert {k: v["data"] for k, v in shown.items()} == state["data"]
    assert {k: v["grad"] for k, v in shown.items()} == state["grad"]
    for node_id, data_line, grad_line in tab.evaluate(TEXTS_JS):
        data, grad = state["data"][node_id], state["grad"][node_id]
        assert data_line == ("data ?" if data is None else f"data {format_number(data)}")
        assert grad_line == ("" if grad is None else f"grad {format_number(grad)}")
    now = tab.inner_text("#now")
    c = state["current"]
    if c["phase"] == "forward":
        assert now.endswith(f"= {format_number(c['data'])}")
    elif c["phase"] == "backward":
        assert (
            f"= {format_number(c['upstream'])} · {format_number(c['local'])} = "
            f"{format_number(c['term'])}" in now
        )
        assert f"{c['parent']}.grad = " in now and now.count(format_number(c["grad"])) >= 1
        assert ("+=" in now.splitlines()[1]) == c["accumulated"]
        assert tab.inner_text("#now .after") == format_number(c["grad"])


def open_view(tab, path: Path) -> None:
    tab.goto(path.resolve().as_uri())
    tab.wait_for_selector("body[data-ready='1']")


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(expressions(max_nodes=7), st.sampled_from(["dot", "layered"]), st.sampled_from(["LR", "TB"]))
def test_every_step_forward_and_back_shows_the_engines_numbers(
    browser,  # noqa: F811  (the fixture)
    tmp_path,
    expression,
    layout,
    rankdir,
):
    xs = [Value(x, f"x{i}") for i, x in enumerate(expression.inputs)]
    root = expression.fn(*xs)
    states = timeline([root])
    path = view(root, layout=layout, rankdir=rankdir).save(tmp_path / "random.html")
    with open_page(browser) as tab:
        open_view(tab, path)
        assert tab.evaluate("window.glassgrad.stepCount()") == len(states) - 1
        check_position(tab, states[0])
        for index in range(1, len(states)):  # buttons and keys in turn
            if index % 2:
                tab.click("#step")
            else:
                tab.keyboard.press("ArrowRight")
            check_position(tab, states[index])
        tab.keyboard.press("ArrowRight")  # past the end: stays at the end
        check_position(tab, states[-1])
        for index in range(len(states) - 2, -1, -1):  # step back: the exact earlier states
            if index % 2:
                tab.click("#back")
            else:
                tab.keyboard.press("ArrowLeft")
            check_position(tab, states[index])
        tab.keyboard.press("End")
        check_position(tab, states[-1])
        tab.keyboard.press("Home")
        check_position(tab, states[0])


def test_several_roots_and_a_reused_node(page, tmp_path):  # noqa: F811
    x, w = Value(0.5, "x"), Value(-3.0, "w")
    h = tanh(w * x + x)  # x used twice
    h.label = "h"
    loss = h * h
    loss.label = "L"
    roots = [h, loss]
    states = timeline(roots)
    open_view(page, view(roots).save(tmp_path / "two.html"))
    for index in range(len(states)):
        page.evaluate(f"window.glassgrad.goto({index})")
        check_position(page, states[index])
    for index in (3, len(states) - 1, 0, len(states) // 2):  # jumps, both ways
        page.evaluate(f"window.glassgrad.goto({index})")
        check_position(page, states[index])
    page.evaluate("window.glassgrad.goto(window.glassgrad.stepCount())")
    assert page.evaluate("window.glassgrad.node('x').grad") == states[-1]["grad"]["x"]


def test_play_runs_to_the_end_and_the_scrubber_jumps(page, tmp_path):  # noqa: F811
    x, w, b = Value(0.5, "x"), Value(-3.0, "w"), Value(2.0, "b")
    y = tanh(w * x + b)
    y.label = "y"
    states = timeline([y])
    open_view(page, view(y).save(tmp_path / "neuron.html"))
    page.select_option("#speed", "100")
    page.keyboard.press(" ")
    page.wait_for_function("() => window.glassgrad.position() === window.glassgrad.stepCount()")
    page.wait_for_function("() => !window.glassgrad.playing()")
    check_position(page, states[-1])
    page.fill("#scrub", "3")
    page.dispatch_event("#scrub", "input")
    check_position(page, states[3])
    # the example: ∂y/∂n1 = 1 - tanh²: the rule's value is the engine's local derivative
    into_n1 = next(i for i, s in enumerate(states) if s["current"].get("parent") == "n1")
    page.evaluate(f"window.glassgrad.goto({into_n1})")
    assert "0.7864" in page.inner_text("#now")


def test_inspect_shows_parents_and_highlights_every_path(page, tmp_path):  # noqa: F811
    x = Value(3.0, "x")
    a = x * x
    a.label = "a"
    y = a + x
    y.label = "y"
    open_view(page, view(y, check=True).save(tmp_path / "reuse.html"))
    page.click("g.node[data-id='x']")
    text = page.inner_text("#inspect")
    assert "used by: y, a" in text and "sums one term per use" in text
    on_path = page.eval_on_selector_all("g.node.onpath", "els => els.map(e => e.dataset.id)")
    assert sorted(on_path) == ["a", "x", "y"]
    assert page.eval_on_selector_all("path.edge.onpath", "els => els.length") == 4  # x→a twice
    page.click("g.node[data-id='a']")
    text = page.inner_text("#inspect")
    assert "x * x" in text and "input\tlocal" in text.replace(" ", "\t")
    truth = page.inner_text("#truth")
    assert truth.count("agree") == 1 and "7" in truth  # d/dx (x² + x) = 7


def test_a_network_collapses_and_expands(page, tmp_path):  # noqa: F811
    model = nn.MLP(2, [3, 3, 1], seed=0)
    out = model([Value(0.5, "x[0]"), Value(-1.0, "x[1]")])
    open_view(page, view(out, parameters=model, collapsed=True).save(tmp_path / "mlp.html"))
    boxes = "g.node.groupbox:not([style*='none'])"

    def shown_nodes() -> int:
        return page.evaluate(
            "window.glassgrad.nodes().filter(id => window.glassgrad.node(id).visible).length"
        )

    assert page.eval_on_selector_all(boxes, "els => els.length") == 7
    collapsed = shown_nodes()
    assert collapsed == 2  # x[0] and x[1]: every other node is in a group
    page.click("g.node.groupbox[data-group='layers.1.neurons.2']")
    assert page.eval_on_selector_all(boxes, "els => els.length") == 6
    assert page.evaluate("window.glassgrad.node('layers.1.neurons.2.w.0').visible") is True
    assert shown_nodes() == collapsed + 3 + 1 + 3  # three weights, a bias, dot, +, relu
    page.click("g.card[data-card='layers.1.neurons.2'] text")
    assert page.eval_on_selector_all(boxes, "els => els.length") == 7
    page.click("#expand-all")
    assert page.eval_on_selector_all(boxes, "els => els.length") == 0
    assert shown_nodes() == len(list(walk(out)))
    page.click("#collapse-all")
    assert shown_nodes() == collapsed
    page.keyboard.press("End")  # a step inside a collapsed group highlights the group
    assert page.eval_on_selector_all("g.node.current", "els => els.length") >= 1


def test_toggles_and_hostile_labels(page, tmp_path):  # noqa: F811
    evil = "<img src=https://example.com/x.png onerror=alert(1)>"
    x = Value(1.0, evil)
    y = tanh(x * 2.0)
    open_view(page, view(y, title=evil).save(tmp_path / "evil.html"))
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert evil in page.inner_text("#leaves")
    page.click("#direction")
    assert page.inner_text("#direction") == "TB"
    page.click("#theme")
    assert page.evaluate("document.body.classList.contains('dark')")
    page.uncheck("#show-grad")
    assert page.evaluate("document.body.classList.contains('hide-grad')")
    page.keyboard.press("End")
    page.assert_clean()


def test_two_views_in_sandboxed_frames_do_not_collide(page, tmp_path):  # noqa: F811
    a, b = Value(2.0, "a"), Value(3.0, "b")
    first, second = view(a * a), view(tanh(a * b) + b)
    host = tmp_path / "notebook.html"
    host.write_text(
        "<!DOCTYPE html><html><body>"
        + first._repr_html_()
        + second._repr_html_()
        + "</body></html>",
        encoding="utf-8",
    )
    page.goto(host.resolve().as_uri())
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 2
    counts = []
    for frame in frames:
        frame.wait_for_selector("body[data-ready='1']")
        frame.evaluate("window.glassgrad.goto(window.glassgrad.stepCount())")
        counts.append(frame.evaluate("window.glassgrad.stepCount()"))
    assert sorted(counts) == sorted([first.step_count, second.step_count])


def test_a_lone_leaf_opens_and_seeds(page, tmp_path):  # noqa: F811
    x = Value(2.0, "x")
    open_view(page, view(x).save(tmp_path / "leaf.html"))
    assert page.evaluate("window.glassgrad.stepCount()") == 1
    assert page.evaluate("window.glassgrad.step()") == {
        "index": 1,
        "phase": "seed",
        "pass": 0,
        "node": "x",
        "grad": 1.0,
    }
    assert page.inner_text("#leaves").split("\n")[-1].split("\t") == ["x", "2", "1"]

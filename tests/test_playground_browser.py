"""The playground in a real browser: Playwright driving Debian's Chromium (see browser_support).

Every test also fails on a console error, an uncaught page error, or any request that is not to
127.0.0.1 (the `page` fixture blocks and records those).
"""

from __future__ import annotations

import time

import pytest

from nn.playground import start
from tests.browser_support import browser, page  # noqa: F401  (pytest fixtures)

STATE = "() => window.glassgradPlayground.state()"


@pytest.fixture
def server():
    running = start()
    yield running
    running.close()


def open_page(page, url):  # noqa: F811
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.wait_for_function("() => window.glassgradPlayground.state().ready")
    return requests


def wait_for(page, condition, timeout=120.0):  # noqa: F811
    """Poll the page's state until `condition(state)` holds; returns that state."""
    deadline = time.monotonic() + timeout
    state = page.evaluate(STATE)
    while not condition(state):
        assert time.monotonic() < deadline, f"timed out; last state {state}"
        page.wait_for_timeout(100)  # (Playwright routes the page's requests meanwhile)
        state = page.evaluate(STATE)
    return state


def test_play_trains_moons_to_95_percent_test_accuracy(server, page):  # noqa: F811
    requests = open_page(page, server.url)
    state = page.evaluate(STATE)
    assert state["config"]["dataset"] == "moons" and state["shape"] == [2, 6, 4, 1]
    page.click("#play")
    state = wait_for(page, lambda s: (s["testAccuracy"] or 0) >= 0.95)
    page.click("#play")
    paused = wait_for(page, lambda s: not s["running"])
    assert paused["step"] >= state["step"] > 0 and paused["epoch"] >= 0
    assert paused["frames"] >= 3  # the pictures kept coming while it trained
    assert float(page.inner_text("#stepcount")) == wait_for(page, lambda s: True)["step"]
    assert page.inner_text("#scores").count("Test accuracy") == 1
    assert all(url.startswith(f"http://127.0.0.1:{server.port}/") for url in requests)
    page.assert_clean()


def test_a_neuron_opens_its_graph_and_steps_backprop(server, page):  # noqa: F811
    open_page(page, server.url)
    page.evaluate("() => window.glassgradPlayground.step()")
    wait_for(page, lambda s: s["step"] == 1)
    page.click(".node[data-layer='0'][data-neuron='1']")
    page.wait_for_selector("#viewer[data-neuron='0.1@0']", state="attached")
    page.fill("#neuron-point", "4")
    page.press("#neuron-point", "Enter")
    page.wait_for_selector("#viewer[data-neuron='0.1@4']", state="attached")
    page.frame_locator("#viewer").locator("body[data-ready='1']").wait_for()
    formula = page.inner_text("#formula")
    assert formula.startswith("h¹₂ = tanh(") and "x₁" in formula
    viewer = page.locator("#viewer").element_handle().content_frame()
    total = viewer.evaluate("() => window.glassgrad.stepCount()")
    assert total > 5
    viewer.click("text=step ▶")
    first = viewer.evaluate("() => window.glassgrad.position()")
    viewer.locator("body").press("ArrowRight")
    assert viewer.evaluate("() => window.glassgrad.position()") == first + 1
    viewer.locator("body").press("ArrowLeft")
    assert viewer.evaluate("() => window.glassgrad.position()") == first
    viewer.evaluate(f"() => window.glassgrad.goto({total})")
    # the engine's gradients of this neuron at this point, from the same weights
    _, root = server.playground.neuron(0, 1, 4)
    root.backward()
    leaves = {"w₁": None, "w₂": None, "b": None, "x₁": None, "x₂": None}
    for label in leaves:
        leaves[label] = viewer.evaluate(f"() => window.glassgrad.node({label!r}).grad")
    expected = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node.label in leaves:
            expected[node.label] = node.grad
        stack.extend(node._parents)
    assert leaves == expected
    page.click("#gradcheck")
    page.wait_for_selector("#gradcheck-table:not([hidden])")
    assert page.locator("#gradcheck-table td.ok").count() == 3  # w₁, w₂, b agree
    assert page.locator("#gradcheck-table td.bad").count() == 0
    page.assert_clean()


def test_a_shared_link_reproduces_the_state_on_a_new_server(server, page, browser):  # noqa: F811
    open_page(page, server.url)
    page.click("#datasets button[data-name='circles']")
    wait_for(page, lambda s: s["config"]["dataset"] == "circles")
    page.select_option("#activation", "relu")
    wait_for(page, lambda s: s["config"]["activation"] == "relu")
    page.click(".network-head #add-layer")
    wait_for(page, lambda s: s["shape"] == [2, 6, 4, 2, 1])
    for _ in range(12):
        page.click("#step")
    page.select_option("#lr", "0.01")
    wait_for(page, lambda s: s["config"]["lr"] == 0.01)
    for _ in range(8):
        page.click("#step")
    before = wait_for(page, lambda s: s["step"] == 20)
    link = page.evaluate("() => window.glassgradPlayground.link()")
    fragment = link.split("#", 1)[1]
    assert "step=20" in fragment and "dataset=circles" in fragment
    other = start()
    try:
        context = browser.new_context()
        context.route(
            "**/*",
            lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
        )
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.goto(other.url + "#" + fragment)
        tab.wait_for_function("() => window.glassgradPlayground.state().ready")
        after = wait_for(tab, lambda s: s["step"] == 20 and not s["running"] and not s["replaying"])
        after = wait_for(
            tab, lambda s: s["version"] == after["version"] and s["trainLoss"] is not None
        )
        for key in ("step", "shape", "config", "trainLoss", "testLoss", "testAccuracy"):
            assert after[key] == before[key], key
        assert not errors
        context.close()
    finally:
        other.close()
    page.assert_clean()


def test_teacher_mode_hides_controls_from_the_link(server, page):  # noqa: F811
    open_page(page, server.url + "#hide=lr,data,teacher")
    assert not page.is_visible("#lr")
    assert not page.is_visible("#datasets")
    assert not page.is_visible("#teacher")
    assert page.is_visible("#activation")
    assert page.evaluate(STATE)["hidden"] == ["lr", "data", "teacher"]
    assert "hide=lr%2Cdata%2Cteacher" in page.evaluate("() => location.hash")
    page.assert_clean()


def test_points_and_weights_can_be_edited_on_the_page(server, page):  # noqa: F811
    open_page(page, server.url)
    count = len(server.playground.state()["data"]["train"])
    page.click("#plot", position={"x": 150, "y": 150})
    page.click("#plot", position={"x": 60, "y": 200}, modifiers=["Shift"])
    wait_for(page, lambda s: len(server.playground.state()["data"]["train"]) == count + 2)
    added = server.playground.state()["events"]
    assert [e[1] for e in added] == ["point", "point"] and [e[4] for e in added] == [1, 0]
    hit = page.locator(".edge-hit[data-name='layers.2.neurons.0.w.3']")
    hit.hover()
    assert "layers.2.neurons.0.w.3" in page.inner_text("#tooltip")
    hit.click()
    page.fill("#editor-input", "-1.25")
    page.press("#editor-input", "Enter")
    wait_for(
        page,
        lambda s: (
            server.playground.state()["frame"]["parameters"]["layers.2.neurons.0.w.3"] == -1.25
        ),
    )
    page.assert_clean()


def test_export_downloads_the_model_and_the_script(server, page, tmp_path):  # noqa: F811
    import nn

    open_page(page, server.url)
    page.click("#step")
    wait_for(page, lambda s: s["step"] == 1)
    with page.expect_download() as download:
        page.click("#export-json")
    path = tmp_path / "model.json"
    download.value.save_as(path)
    assert download.value.suggested_filename == "playground-model.json"
    assert nn.load(path).state_dict() == server.playground.state()["frame"]["parameters"]
    with page.expect_download() as download:
        page.click("#export-py")
    script = tmp_path / "playground.py"
    download.value.save_as(script)
    assert "nn.fit(" in script.read_text()
    page.assert_clean()

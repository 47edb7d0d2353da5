"""The live views embedded in the math tutorials (docs/views/*.html, made by docs/make_views.py):
the committed pages are exactly what the script makes now, every embed points at one of them,
and (where Chromium and playwright exist) the built site shows a view that steps, from file://,
with no network request and no console error."""

from __future__ import annotations

import html
import importlib.util
import json
import re
from pathlib import Path

import pytest

from autograd import Value
from tests.browser_support import browser, page  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT / "docs" / "tutorials"
VIEWS = ROOT / "docs" / "views"
EMBED = re.compile(r'<iframe src="([^"]+)"[^>]*\btitle="[^"]+"')
FULL_PAGE = re.compile(r'<a href="([^"]+)">Open full page</a>')


def load_script():
    """docs/make_views.py as a module (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_views", ROOT / "docs" / "make_views.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def embedded_data(page_text: str) -> dict:
    """The JSON records a viewer page replays (every number the page shows)."""
    match = re.search(
        r'<script type="application/json" id="gg-data">(.*?)</script>', page_text, re.S
    )
    assert match, "no gg-data script in the page"
    return json.loads(match.group(1))


MAKE_VIEWS = load_script()


@pytest.mark.parametrize("name", sorted(MAKE_VIEWS.VIEWS))
def test_committed_view_is_what_the_script_makes(name):
    path = VIEWS / f"{name}.html"
    assert path.is_file(), f"{path} is missing: run python docs/make_views.py"
    committed = path.read_text(encoding="utf-8")
    fresh = MAKE_VIEWS.build(name)
    hint = f"{path.name} is out of date: run python docs/make_views.py and commit docs/views/"
    assert embedded_data(fresh) == embedded_data(committed), hint + " (its numbers differ)"
    assert fresh == committed, hint + " (the page's code or layout differs)"
    assert len(committed.encode("utf-8")) < 300_000


def test_the_script_names_its_layout():
    """The pages must not depend on whether Graphviz's dot is installed."""
    assert MAKE_VIEWS.LAYOUT == "layered"
    for name in MAKE_VIEWS.VIEWS:
        assert embedded_data((VIEWS / f"{name}.html").read_text())["layout"]


def test_every_tutorial_embeds_an_existing_view():
    # tutorials/x.md is built to tutorials/x.html (use_directory_urls: false), so a link
    # relative to the Markdown file is also right relative to the built page.
    assert re.search(r"^use_directory_urls:\s*false\s*$", (ROOT / "mkdocs.yml").read_text(), re.M)
    embedded = set()
    for tutorial in sorted(TUTORIALS.glob("*.md")):
        text = tutorial.read_text(encoding="utf-8")
        assert "LIVE VIEW SLOT" not in text, f"{tutorial.name} still has a placeholder"
        sources = EMBED.findall(text)
        assert FULL_PAGE.findall(text) == sources, f"{tutorial.name}: each view needs its link"
        for src in sources:
            target = (tutorial.parent / html.unescape(src)).resolve()
            assert target.is_file(), f"{tutorial.name} embeds {src}, which does not exist"
            assert target.parent == VIEWS.resolve()
            embedded.add(target.name)
    assert embedded == {path.name for path in VIEWS.glob("*.html")}, "a view nobody embeds"
    assert len(embedded) == 5


def test_calculus_page_embeds_a_view_that_steps_offline(site, page):  # noqa: F811
    built = site / "views" / "calculus-tanh-neuron.html"
    assert built.is_file(), "mkdocs did not copy docs/views/ into the site"
    page.goto((site / "tutorials" / "calculus.html").as_uri())
    iframe = page.locator("figure.glassgrad-view iframe")
    assert iframe.count() == 1
    iframe.scroll_into_view_if_needed()
    frame = iframe.element_handle().content_frame()
    frame.wait_for_function("document.body.dataset.ready === '1'", timeout=10_000)
    assert frame.url == built.as_uri()
    assert iframe.bounding_box()["height"] > 400  # visible, not collapsed to a sliver

    # The engine's own numbers, to compare with what the embedded page replays.
    x, w, b = Value(0.5, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    h = (w * x + b).tanh()
    h.backward()

    assert frame.evaluate("glassgrad.position()") == 0
    frame.locator("#step").click()  # the page's own step button
    assert frame.evaluate("glassgrad.position()") == 1
    assert frame.evaluate("glassgrad.current().phase") == "forward"
    last = frame.evaluate("glassgrad.stepCount()")
    for _ in range(last - 1):
        frame.evaluate("glassgrad.step()")
    assert frame.evaluate("glassgrad.position()") == last
    for leaf in (x, w, b):
        assert frame.evaluate(f"glassgrad.node('{leaf.label}').grad") == leaf.grad
    assert frame.evaluate("glassgrad.node('h').data") == h.data
    frame.evaluate("glassgrad.back()")
    assert frame.evaluate("glassgrad.position()") == last - 1
    assert "agree" in frame.locator("body").inner_text()  # check=True: the gradient-truth panel
    page.assert_clean()  # no console error, no uncaught error, no non-file request

"""`mkdocs build --strict` makes a site that needs no network to build or to view: no web fonts,
no CDN, and (where Chromium and playwright exist) search works from file:// with every request
outside file:// blocked and no console error."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("mkdocs", reason="the docs need the docs extra: pip install -e '.[docs]'")
pytest.importorskip("material", reason="the docs use mkdocs-material: pip install -e '.[docs]'")

from tests.browser_support import browser, page  # noqa: F401 (fixtures)


def test_pages_load_nothing_from_the_network(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 15
    remote = re.compile(r"<(?:script|img|link|iframe)\b[^>]*(?:src|href)=\"(?:https?:)?//", re.I)
    for built in pages:
        match = remote.search(built.read_text())
        assert match is None, f"{built.relative_to(site)} loads {match.group(0)}"
    assert (site / "search" / "search_index.js").is_file(), "no offline search index"


def test_search_works_from_file_urls_offline(site, page):  # noqa: F811
    page.goto((site / "tutorials" / "calculus.html").as_uri())
    broken = page.evaluate(
        "[...document.images].filter(i => !i.complete || !i.naturalWidth).map(i => i.src)"
    )
    page.locator("input.md-search__input").first.click()
    page.keyboard.type("chain rule")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    assert page.locator(".md-search-result__item").count() > 0
    assert broken == []
    page.assert_clean()  # no request outside file:, no console error, no page error

"""`mkdocs build --strict` makes a site that needs no network to build or to view: no web fonts,
no CDN, and (where Chromium and playwright exist) search works from file:// with every request
outside file:// blocked and no console error."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="the docs need the docs extra: pip install -e '.[docs]'")
pytest.importorskip("material", reason="the docs use mkdocs-material: pip install -e '.[docs]'")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(out)},
    )
    assert result.returncode == 0, result.stderr
    return out


def test_pages_load_nothing_from_the_network(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 15
    remote = re.compile(r"<(?:script|img|link|iframe)\b[^>]*(?:src|href)=\"(?:https?:)?//", re.I)
    for page in pages:
        match = remote.search(page.read_text())
        assert match is None, f"{page.relative_to(site)} loads {match.group(0)}"
    assert (site / "search" / "search_index.js").is_file(), "no offline search index"


@pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None,
                    reason="no Chromium at /usr/bin/chromium")
def test_search_works_from_file_urls_offline(site):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    outside, errors = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()

        def route(request_route):
            if request_route.request.url.startswith(("file://", "data:", "blob:")):
                request_route.continue_()
            else:
                outside.append(request_route.request.url)
                request_route.abort()

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "tutorials" / "calculus.html").as_uri())
        broken = page.evaluate(
            "[...document.images].filter(i => !i.complete || !i.naturalWidth).map(i => i.src)")
        page.locator("input.md-search__input").first.click()
        page.keyboard.type("chain rule")
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
        found = page.locator(".md-search-result__item").count()
        browser.close()
    assert found > 0 and broken == [] and outside == [] and errors == []
